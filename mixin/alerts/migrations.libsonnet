// The migration records: failed, partly applied, slow, stuck, modified, schema gone.
{
  prometheusAlerts+:: {
    local c = $._config,
    groups+: [{
      name: 'neo4j-migrations',
      rules: [
        {
          // A FAILED record pages at once: there is no flapping in a record's state.
          alert: 'Neo4jMigrationFailed',
          expr: 'max by (job, instance, filename, error_class) (neo4j_migration_failed{%(jobSelector)s}) == 1' % c,
          keep_firing_for: c.keepFiringFor,
          labels: { severity: 'critical' },
          annotations: {
            summary: 'A Neo4j migration failed.',
            description: 'Migration {{ $labels.filename }} on {{ $labels.instance }} is in FAILED state (error class {{ $labels.error_class }}).',
            // The first line of the recorded error, from neo4j_migration_failure_info (the file
            // name's quotes and backslashes escaped for the PromQL string).
            'error': @"{{ with printf ""neo4j_migration_failure_info{job='%s',instance='%s',filename='%s',error_class='%s'}"" $labels.job $labels.instance (reReplaceAll `(['\\])` `\$1` $labels.filename) $labels.error_class | query }}{{ . | first | label ""error"" }}{{ end }}",
            impact: 'The database may be between two schema versions: the migrations before this one are applied, this one and those after it are not, and code that needs them can fail.',
            action: 'Do not rerun it as it is. Read the error, check what the file had already changed, fix the file (or roll back what it did), then let the runner apply it again.',
          },
        },
        {
          // Within --migrations.window (1h by default, the runbook's window) some migrations
          // succeeded and at least one failed: the database is between two schema versions.
          // One alert per file that failed inside the window.
          alert: 'Neo4jMigrationPartiallyApplied',
          expr: |||
            max by (job, instance, filename) (neo4j_migration_failed_timestamp_seconds{%(jobSelector)s})
                > on (job, instance) group_left () max by (job, instance) (time() - neo4j_migrations_window_seconds{%(jobSelector)s})
              and on (job, instance) max by (job, instance) (neo4j_migrations_in_window{%(jobSelector)s,status="success"}) > 0
          ||| % c,
          keep_firing_for: c.keepFiringFor,
          labels: { severity: 'critical' },
          annotations: {
            summary: 'A Neo4j migration run was only partly applied.',
            description: 'On {{ $labels.instance }} migrations succeeded and failed within the migration window; {{ $labels.filename }} failed.',
          },
        },
        {
          alert: 'Neo4jMigrationLockTimeout',
          expr: 'max by (job, instance, filename) (neo4j_migration_failed{%(jobSelector)s,error_class="lock_timeout"}) == 1' % c,
          keep_firing_for: c.keepFiringFor,
          labels: { severity: 'critical' },
          annotations: {
            summary: 'A Neo4j migration failed waiting for locks.',
            description: 'Migration {{ $labels.filename }} on {{ $labels.instance }} failed with a lock timeout (LockClientStopped or LockAcquisitionTimeout).',
          },
        },
        {
          // THRESHOLD slowMigrationSeconds for a successful run applied within the last
          // slowMigrationWindowSeconds. A slow failure is Neo4jMigrationFailed's.
          alert: 'Neo4jMigrationSlow',
          expr: |||
            max by (job, instance, filename) (neo4j_migration_recent_execution_seconds{%(jobSelector)s,status="success"}) > %(slowMigrationSeconds)s
              and on (job, instance, filename)
            max by (job, instance, filename) (time() - neo4j_migration_recent_applied_timestamp_seconds{%(jobSelector)s,status="success"}) < %(slowMigrationWindowSeconds)s
          ||| % c,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A recent Neo4j migration was slow.',
            description: 'Migration {{ $labels.filename }} on {{ $labels.instance }} took {{ $value | humanizeDuration }} (more than %(slowMigrationSeconds)ss).' % c,
          },
        },
        {
          // THRESHOLD stuckMigrationSeconds in PENDING or RUNNING.
          alert: 'Neo4jMigrationStuck',
          expr: 'max by (job, instance, filename, status) (neo4j_migration_in_progress_seconds{%(jobSelector)s}) > %(stuckMigrationSeconds)s' % c,
          keep_firing_for: c.keepFiringFor,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A Neo4j migration has not finished.',
            description: 'Migration {{ $labels.filename }} on {{ $labels.instance }} has been {{ $labels.status }} for {{ $value | humanizeDuration }}.',
          },
        },
        {
          alert: 'Neo4jMigrationChecksumMismatch',
          expr: 'max by (job, instance, filename) (neo4j_migration_checksum_mismatch{%(jobSelector)s}) == 1' % c,
          keep_firing_for: c.keepFiringFor,
          labels: { severity: 'critical' },
          annotations: {
            summary: 'An applied Neo4j migration file was modified.',
            description: 'The file of migration {{ $labels.filename }} no longer matches the checksum recorded on {{ $labels.instance }} when it was applied.',
          },
        },
        {
          // A constraint or index an applied migration file creates is not in the live schema:
          // dropped by hand, or the file changed after it ran. Two minutes rule out a drop and
          // re-create in progress; the series stays while the schema cannot be read.
          alert: 'Neo4jMigrationSchemaMissing',
          expr: 'max by (job, instance, filename, kind, object) (neo4j_migration_schema_missing{%(jobSelector)s}) == 1' % c,
          'for': '2m',
          keep_firing_for: c.keepFiringFor,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A constraint or index an applied Neo4j migration created is missing.',
            description: 'The {{ $labels.kind }} {{ $labels.object }} that migration {{ $labels.filename }} created is not in the schema of {{ $labels.instance }}.',
          },
        },
        {
          // Not a page: it announces a run while it is under way, and its resolution says the run
          // is over. keep_firing_for bridges the moments between two files and a missed scrape.
          alert: 'Neo4jMigrationRunInProgress',
          expr: 'max by (job, instance) (neo4j_migration_run_in_progress{%(jobSelector)s}) == 1' % c,
          keep_firing_for: '2m',
          labels: { severity: 'info' },
          annotations: {
            summary: 'Neo4j migrations are being applied.',
            description: std.join(' ', [
              'Migrations are being applied on {{ $labels.instance }}:',
              @"{{ with printf ""neo4j_migration_run_applied{instance='%s'}"" $labels.instance | query }}{{ . | first | value }}{{ end }} applied,",
              @"{{ with printf ""neo4j_migration_run_pending{instance='%s'}"" $labels.instance | query }}{{ . | first | value }}{{ end }} to go,",
              @"{{ with printf ""neo4j_migration_run_eta_seconds{instance='%s'}"" $labels.instance | query }}about {{ . | first | value | humanizeDuration }} left{{ else }}no ETA yet{{ end }}{{ with printf ""neo4j_migration_current_seconds{instance='%s'}"" $labels.instance | query }}; running {{ . | first | label ""filename"" }}{{ end }}.",
            ]),
          },
        },
      ],
    }],
  },
}
