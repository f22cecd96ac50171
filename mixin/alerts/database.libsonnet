// What the exporter reads from Neo4j itself: transactions, heap, indexes, orphaned nodes.
local utils = import '../lib/utils.libsonnet';
{
  prometheusAlerts+:: {
    local c = $._config,
    groups+: [{
      name: 'neo4j-database',
      rules: [
        {
          // THRESHOLD longRunningQuerySeconds. One scrape does not page.
          alert: 'Neo4jLongRunningQuery',
          expr: 'max by (job, instance, database) (neo4j_transaction_oldest_seconds{%(jobSelector)s}) > %(longRunningQuerySeconds)s' % c,
          'for': '1m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A Neo4j transaction has run for a long time.',
            description: 'The oldest transaction on database {{ $labels.database }} of {{ $labels.instance }} has run for {{ $value | humanizeDuration }}.',
          },
        },
        {
          // THRESHOLD lockWaitSeconds waiting for locks, while a transaction is blocked now
          // (the lock wait of a transaction adds up over its life).
          alert: 'Neo4jTransactionsBlocked',
          expr: |||
            max by (job, instance, database) (neo4j_transaction_lock_wait_seconds_max{%(jobSelector)s}) > %(lockWaitSeconds)s
              and on (job, instance, database) max by (job, instance, database) (neo4j_transactions{%(jobSelector)s,status="blocked"}) > 0
          ||| % c,
          'for': '1m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A Neo4j transaction is waiting for locks.',
            description: 'A transaction on database {{ $labels.database }} of {{ $labels.instance }} has waited {{ $value | humanizeDuration }} for locks.',
          },
        },
        {
          // THRESHOLD heapUsedRatio of the maximum heap for heapFor.
          alert: 'Neo4jHeapNearlyFull',
          expr: |||
            max by (job, instance) (neo4j_jvm_memory_used_bytes{%(jobSelector)s,area="heap"})
              / max by (job, instance) (neo4j_jvm_memory_max_bytes{%(jobSelector)s,area="heap"}) > %(heapUsedRatio)g
          ||| % c,
          'for': c.heapFor,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Neo4j is running out of heap.',
            description: 'Neo4j on {{ $labels.instance }} has used {{ $value | humanizePercentage }} of its maximum heap for %s.' % utils.inWords(c.heapFor),
          },
        },
        {
          alert: 'Neo4jIndexFailed',
          expr: 'max by (job, instance, index) (neo4j_index_failed{%(jobSelector)s}) == 1' % c,
          keep_firing_for: c.keepFiringFor,
          labels: { severity: 'critical' },
          annotations: {
            summary: 'A Neo4j index failed.',
            description: 'Index {{ $labels.index }} on {{ $labels.instance }} is in FAILED state; queries that need it fall back to scans.',
          },
        },
        {
          // THRESHOLD: no population progress in any 10-minute stretch for 30 minutes.
          alert: 'Neo4jIndexPopulationStalled',
          expr: |||
            (
              max by (job, instance, index) (neo4j_index_population_ratio{%(jobSelector)s}) < 1
                and max by (job, instance, index) (delta(neo4j_index_population_ratio{%(jobSelector)s}[10m])) <= 0
            )
            unless on (job, instance, index) max by (job, instance, index) (neo4j_index_failed{%(jobSelector)s}) == 1
          ||| % c,
          'for': '30m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A Neo4j index stopped populating.',
            description: 'Index {{ $labels.index }} on {{ $labels.instance }} has been stuck at {{ $value | humanizePercentage }} populated for 30 minutes.',
          },
        },
        {
          // THRESHOLD orphanGrowthNodes over orphanGrowthWindow.
          alert: 'Neo4jOrphanedNodesIncreasing',
          expr: 'max by (job, instance) (delta(neo4j_orphaned_nodes{%(jobSelector)s}[%(orphanGrowthWindow)s])) > %(orphanGrowthNodes)s' % c,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Orphaned nodes are increasing in Neo4j.',
            description: 'Nodes without relationships on {{ $labels.instance }} grew by {{ $value | humanize }} over the last %s.' % std.strReplace(utils.inWords(c.orphanGrowthWindow), 'an hour', 'hour'),
          },
        },
      ],
    }],
  },
}
