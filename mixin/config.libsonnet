// The mixin's settings. Override any of them when you render it:
//   (import 'mixin.libsonnet') + { _config+:: { jobSelector: 'job="graph-exporter"' } }
{
  _config+:: {
    // Selects the exporter's targets in the alerts, the recording rules and the dashboards'
    // job list. It must match your scrape configuration's job_name.
    jobSelector: 'job="neo4j"',

    // Neo4jMigrationSlow: a successful migration that took longer than this, applied within
    // the window after it (a slow run is an event: the ticket resolves once the window passes).
    slowMigrationSeconds: 10,
    slowMigrationWindowSeconds: 3600,

    // Neo4jLongRunningQuery: the oldest open transaction is older than this. Keep it equal to
    // the exporter's --transactions.long-running-threshold (30s by default), which decides
    // what neo4j_transactions_long_running counts, so the alert and the panels agree.
    longRunningQuerySeconds: 30,

    // Neo4jTransactionsBlocked: a blocked transaction has waited longer than this for locks.
    lockWaitSeconds: 30,

    // Neo4jMigrationStuck: a record PENDING or RUNNING for longer than this. The exporter's
    // `check --stuck-after` uses the same default (30 minutes).
    stuckMigrationSeconds: 1800,

    // Neo4jHeapNearlyFull: the share of the maximum heap in use, for heapFor.
    heapUsedRatio: 0.9,
    heapFor: '5m',

    // Neo4jOrphanedNodesIncreasing: orphaned nodes grew by more than this over the window.
    orphanGrowthNodes: 0,
    orphanGrowthWindow: '1h',

    // How long the alerts about state in the database keep firing while the exporter cannot be
    // scraped (a restart is not a resolution). Keep it above Neo4jExporterDown's `for:` (2m)
    // plus a minute.
    keepFiringFor: '5m',

    // Every alert's runbook_url: %s becomes the alert's name in lower case, the anchor of its
    // section in docs/runbook.md. Point it at your own copy if you fork the runbook.
    runbookURLPattern: 'https://github.com/neo4j-migration-exporter/neo4j-migration-exporter/blob/main/docs/runbook.md#%s',
    // The runbook section the dashboards link to: the list of every alert and its threshold.
    runbookIndexAnchor: 'thresholds',

    // Grafana.
    dashboardTags: ['neo4j', 'neo4j-migration-exporter'],
    dashboardRefresh: '30s',
    dashboardTimeFrom: 'now-6h',
  },
}
