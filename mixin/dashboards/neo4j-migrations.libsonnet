{
  uid: 'neo4j-migrations',
  title: 'Neo4j / Migrations',
  description: 'Migration records read by neo4j-migration-exporter: state, failures, durations, stuck runs and drift between the applied files and the files on disk.',
  panels: [
    {
      id: 40,
      type: 'row',
      title: 'Migration day: the run under way and the checklist',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 0,
      },
      panels: [],
    },
    {
      id: 41,
      type: 'stat',
      title: 'Run in progress',
      description: '1 while a run of migrations is under way: a pending file running now, or the last record recent and files left (--migrations.run-gap). Alert Neo4jMigrationRunInProgress announces it.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 4,
        x: 0,
        y: 1,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'blue',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [
            {
              type: 'value',
              options: {
                '0': {
                  text: 'no run',
                  index: 0,
                },
                '1': {
                  text: 'running',
                  index: 1,
                },
              },
            },
          ],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max(neo4j_migration_run_in_progress{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'run in progress',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 42,
      type: 'stat',
      title: 'Applied in this run',
      description: 'Files applied since the run began (records within --migrations.run-gap of each other).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 4,
        x: 4,
        y: 1,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_run_applied{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'applied',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 43,
      type: 'stat',
      title: 'To go in this run',
      description: 'Files still to apply in the run under way, the running one among them.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 4,
        x: 8,
        y: 1,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_run_pending{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'to go',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 44,
      type: 'stat',
      title: 'ETA',
      description: "Estimated time until the run has applied its last file: each file's time on staging (--staging.uri) where it ran there, else the median of this database's migrations.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 4,
        x: 12,
        y: 1,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max(neo4j_migration_run_eta_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'ETA',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 45,
      type: 'stat',
      title: 'Waiting for its locks',
      description: 'Transactions blocked on a lock held by the migration running now. Other writers stall while this is above 0.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 4,
        x: 16,
        y: 1,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_current_blocked_transactions{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'blocked',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 46,
      type: 'stat',
      title: 'Newest backup',
      description: 'Age of the newest dump or backup in --backup.dir (backup collector); check --before fails past --backup.max-age.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 4,
        x: 20,
        y: 1,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 86400,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'min(time() - neo4j_backup_last_timestamp_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'age',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 47,
      type: 'table',
      title: 'Running now',
      description: "The migration running now and for how long: seen among Neo4j's transactions (matched to a pending file's statements) or from a RUNNING record.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 12,
        x: 0,
        y: 6,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
          custom: {
            align: 'auto',
            cellOptions: {
              type: 'auto',
            },
            inspect: false,
          },
        },
        overrides: [],
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        footer: {
          show: false,
          reducer: [
            'sum',
          ],
          countRows: false,
          fields: '',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (instance, filename, seen_in) (neo4j_migration_current_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '',
          range: false,
          instant: true,
          format: 'table',
        },
      ],
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: {
              Time: true,
            },
            indexByName: {
              instance: 0,
              filename: 1,
              seen_in: 2,
              Value: 3,
            },
            renameByName: {
              Value: 'running for',
              seen_in: 'seen in',
            },
          },
        },
      ],
    },
    {
      id: 48,
      type: 'stat',
      title: 'Pending without a down file',
      description: 'Pending files with no X.down.cypher beside them: no rollback plan (check --before fails).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 6,
        x: 12,
        y: 6,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_pending_without_rollback{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'without rollback',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 49,
      type: 'stat',
      title: 'Pending, not proven on staging',
      description: 'Pending files staging never applied, only failed, or applied with other content (--staging.uri).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 6,
        x: 18,
        y: 6,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (reason) (neo4j_migration_pending_unproven_on_staging{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{reason}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 1,
      type: 'row',
      title: 'Overview',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 12,
      },
      panels: [],
    },
    {
      id: 2,
      type: 'stat',
      title: 'Records per status',
      description: 'Migration records per status across the selected instances. Anything in failed, running, rolled_back or unknown deserves a look.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 8,
        x: 0,
        y: 13,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'blue',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [
          {
            matcher: {
              id: 'byName',
              options: 'failed',
            },
            properties: [
              {
                id: 'thresholds',
                value: {
                  mode: 'absolute',
                  steps: [
                    {
                      color: 'green',
                      value: null,
                    },
                    {
                      color: 'red',
                      value: 1,
                    },
                  ],
                },
              },
            ],
          },
          {
            matcher: {
              id: 'byName',
              options: 'rolled_back',
            },
            properties: [
              {
                id: 'thresholds',
                value: {
                  mode: 'absolute',
                  steps: [
                    {
                      color: 'green',
                      value: null,
                    },
                    {
                      color: 'orange',
                      value: 1,
                    },
                  ],
                },
              },
            ],
          },
          {
            matcher: {
              id: 'byName',
              options: 'unknown',
            },
            properties: [
              {
                id: 'thresholds',
                value: {
                  mode: 'absolute',
                  steps: [
                    {
                      color: 'green',
                      value: null,
                    },
                    {
                      color: 'orange',
                      value: 1,
                    },
                  ],
                },
              },
            ],
          },
          {
            matcher: {
              id: 'byName',
              options: 'success',
            },
            properties: [
              {
                id: 'thresholds',
                value: {
                  mode: 'absolute',
                  steps: [
                    {
                      color: 'green',
                      value: null,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'value_and_name',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (status) (neo4j_migrations{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{status}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 3,
      type: 'stat',
      title: 'Failed records',
      description: 'FAILED migration records. Anything above 0 means a migration needs fixing and re-running.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 4,
        x: 8,
        y: 13,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'red',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migrations{job=~"$job",instance=~"$instance",status="failed"})',
          refId: 'A',
          legendFormat: 'failed',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 4,
      type: 'stat',
      title: 'Pending or running',
      description: 'PENDING plus RUNNING records. Non-zero outside a deployment is a run that never finished.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 4,
        x: 12,
        y: 13,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migrations{job=~"$job",instance=~"$instance",status=~"pending|running"})',
          refId: 'A',
          legendFormat: 'pending or running',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 5,
      type: 'stat',
      title: 'Since last applied',
      description: 'Time since the newest migration record was applied, whatever its status.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 4,
        x: 16,
        y: 13,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'min(time() - neo4j_migration_last_applied_timestamp_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'last applied',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 6,
      type: 'stat',
      title: 'Since last success',
      description: "Time since the newest successful migration. Compare with 'Since last applied': a newer applied than successful record means the latest run did not succeed.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 4,
        x: 20,
        y: 13,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'min(time() - neo4j_migration_last_success_timestamp_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'last success',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 7,
      type: 'row',
      title: 'Failures',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 20,
      },
      panels: [],
    },
    {
      id: 8,
      type: 'table',
      title: 'Failed migrations',
      description: 'Every FAILED record with its error class (lock_timeout, deadlock, schema_conflict, ...). The runbook has a section per class.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
        y: 21,
      },
      fieldConfig: {
        defaults: {
          unit: 'none',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
          custom: {
            align: 'auto',
            cellOptions: {
              type: 'auto',
            },
            inspect: false,
          },
        },
        overrides: [],
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        footer: {
          show: false,
          reducer: [
            'sum',
          ],
          countRows: false,
          fields: '',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'neo4j_migration_failed{job=~"$job",instance=~"$instance"} == 1',
          refId: 'A',
          legendFormat: '',
          range: false,
          instant: true,
          format: 'table',
        },
      ],
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: {
              Time: true,
              __name__: true,
              job: true,
              Value: true,
            },
            indexByName: {
              instance: 0,
              filename: 1,
              error_class: 2,
            },
            renameByName: {
              filename: 'File',
              error_class: 'Error class',
              instance: 'Instance',
            },
          },
        },
      ],
    },
    {
      id: 9,
      type: 'bargauge',
      title: 'Failures per error class',
      description: 'FAILED records per error class. Lock timeouts and deadlocks point at concurrent load during the run; schema_conflict at a migration that is not idempotent.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 12,
        y: 21,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'red',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
          min: 0,
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        displayMode: 'gradient',
        orientation: 'horizontal',
        showUnfilled: true,
        valueMode: 'color',
        namePlacement: 'auto',
        sizing: 'auto',
        minVizHeight: 16,
        minVizWidth: 8,
        maxVizHeight: 300,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (error_class) (neo4j_migration_failures{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{error_class}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 10,
      type: 'stat',
      title: 'Since last failure',
      description: 'Time since the newest FAILED record was applied. Empty when there never was one.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 4,
        x: 20,
        y: 21,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'red',
                value: null,
              },
              {
                color: 'orange',
                value: 3600,
              },
              {
                color: 'green',
                value: 86400,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'min(time() - neo4j_migration_last_failure_timestamp_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'last failure',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 11,
      type: 'row',
      title: 'Execution time',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 29,
      },
      panels: [],
    },
    {
      id: 12,
      type: 'table',
      title: 'Recent migrations',
      description: "The most recently applied records (--migrations.recent) with their execution time, slowest first. Above 10 s is the runbook's slow migration.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 9,
        w: 12,
        x: 0,
        y: 30,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 10,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
          custom: {
            align: 'auto',
            cellOptions: {
              type: 'auto',
            },
            inspect: false,
          },
        },
        overrides: [
          {
            matcher: {
              id: 'byName',
              options: 'Execution time',
            },
            properties: [
              {
                id: 'custom.cellOptions',
                value: {
                  type: 'color-text',
                },
              },
            ],
          },
        ],
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        footer: {
          show: false,
          reducer: [
            'sum',
          ],
          countRows: false,
          fields: '',
        },
        sortBy: [
          {
            displayName: 'Execution time',
            desc: true,
          },
        ],
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'neo4j_migration_recent_execution_seconds{job=~"$job",instance=~"$instance"}',
          refId: 'A',
          legendFormat: '',
          range: false,
          instant: true,
          format: 'table',
        },
      ],
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: {
              Time: true,
              __name__: true,
              job: true,
            },
            indexByName: {
              instance: 0,
              filename: 1,
              status: 2,
              Value: 3,
            },
            renameByName: {
              Value: 'Execution time',
              filename: 'File',
              status: 'Status',
              instance: 'Instance',
            },
          },
        },
      ],
    },
    {
      id: 13,
      type: 'bargauge',
      title: 'Execution time distribution',
      description: 'How many records fell into each execution-time bucket (upper bound shown), over all records. A heavy tail on the right is where the slow migrations are.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 9,
        w: 12,
        x: 12,
        y: 30,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
          min: 0,
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        displayMode: 'gradient',
        orientation: 'horizontal',
        showUnfilled: true,
        valueMode: 'color',
        namePlacement: 'auto',
        sizing: 'auto',
        minVizHeight: 16,
        minVizWidth: 8,
        maxVizHeight: 300,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (le) (neo4j_migration_execution_seconds_bucket{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{le}}',
          range: true,
          instant: false,
          format: 'heatmap',
        },
      ],
    },
    {
      id: 14,
      type: 'timeseries',
      title: 'Execution time quantiles',
      description: 'Median, 95th percentile and mean execution time over all records, estimated from the histogram buckets. A rising p95 after a deployment means the new migrations are slower.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 16,
        x: 0,
        y: 39,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 10,
              },
            ],
          },
          color: {
            mode: 'palette-classic',
          },
          mappings: [],
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 0,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'stepAfter',
            stacking: {
              mode: 'none',
              group: 'A',
            },
            thresholdsStyle: {
              mode: 'line+area',
            },
          },
          min: 0,
        },
        overrides: [],
      },
      options: {
        legend: {
          displayMode: 'list',
          placement: 'bottom',
          showLegend: true,
          calcs: [],
        },
        tooltip: {
          mode: 'multi',
          sort: 'desc',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'histogram_quantile(0.5, sum by (instance, le) (neo4j_migration_execution_seconds_bucket{job=~"$job",instance=~"$instance"}))',
          refId: 'A',
          legendFormat: 'p50 ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'histogram_quantile(0.95, sum by (instance, le) (neo4j_migration_execution_seconds_bucket{job=~"$job",instance=~"$instance"}))',
          refId: 'B',
          legendFormat: 'p95 ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (instance) (neo4j_migration_execution_seconds_sum{job=~"$job",instance=~"$instance"}) / sum by (instance) (neo4j_migration_execution_seconds_count{job=~"$job",instance=~"$instance"})',
          refId: 'C',
          legendFormat: 'mean ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 15,
      type: 'stat',
      title: 'Slower than 10 s',
      description: 'Records whose execution took more than 10 seconds (histogram count minus the 10 s bucket).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 8,
        x: 16,
        y: 39,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_execution_seconds_count{job=~"$job",instance=~"$instance"}) - sum(neo4j_migration_execution_seconds_bucket{job=~"$job",instance=~"$instance",le="10"})',
          refId: 'A',
          legendFormat: 'slower than 10 s',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 16,
      type: 'row',
      title: 'Running, stuck and partial runs',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 46,
      },
      panels: [],
    },
    {
      id: 17,
      type: 'timeseries',
      title: 'Oldest pending or running record',
      description: 'Age of the oldest PENDING or RUNNING record, 0 when there is none. A line that keeps climbing past 30 minutes is a stuck migration (or a runner that died mid-run).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
        y: 47,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'red',
                value: 1800,
              },
            ],
          },
          color: {
            mode: 'palette-classic',
          },
          mappings: [],
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'stepAfter',
            stacking: {
              mode: 'none',
              group: 'A',
            },
            thresholdsStyle: {
              mode: 'line',
            },
          },
          min: 0,
        },
        overrides: [],
      },
      options: {
        legend: {
          displayMode: 'list',
          placement: 'bottom',
          showLegend: true,
          calcs: [],
        },
        tooltip: {
          mode: 'multi',
          sort: 'desc',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (instance) (neo4j_migration_running_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 18,
      type: 'table',
      title: 'In progress per file',
      description: 'Each PENDING or RUNNING record with its age. Old entries here are the stuck migrations.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 12,
        y: 47,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'red',
                value: 1800,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
          custom: {
            align: 'auto',
            cellOptions: {
              type: 'auto',
            },
            inspect: false,
          },
        },
        overrides: [
          {
            matcher: {
              id: 'byName',
              options: 'Age',
            },
            properties: [
              {
                id: 'custom.cellOptions',
                value: {
                  type: 'color-text',
                },
              },
            ],
          },
        ],
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        footer: {
          show: false,
          reducer: [
            'sum',
          ],
          countRows: false,
          fields: '',
        },
        sortBy: [
          {
            displayName: 'Age',
            desc: true,
          },
        ],
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'neo4j_migration_in_progress_seconds{job=~"$job",instance=~"$instance"}',
          refId: 'A',
          legendFormat: '',
          range: false,
          instant: true,
          format: 'table',
        },
      ],
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: {
              Time: true,
              __name__: true,
              job: true,
            },
            indexByName: {
              instance: 0,
              filename: 1,
              status: 2,
              Value: 3,
            },
            renameByName: {
              Value: 'Age',
              filename: 'File',
              status: 'Status',
              instance: 'Instance',
            },
          },
        },
      ],
    },
    {
      id: 19,
      type: 'timeseries',
      title: 'Applied within the migration window',
      description: 'Records applied within --migrations.window, per status. Success and failed both above 0 at the same time is a partly applied run: the schema is between two versions.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
        y: 55,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'palette-classic',
          },
          mappings: [],
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'stepAfter',
            stacking: {
              mode: 'none',
              group: 'A',
            },
            thresholdsStyle: {
              mode: 'off',
            },
          },
          min: 0,
        },
        overrides: [
          {
            matcher: {
              id: 'byName',
              options: 'failed',
            },
            properties: [
              {
                id: 'color',
                value: {
                  mode: 'fixed',
                  fixedColor: 'red',
                },
              },
            ],
          },
          {
            matcher: {
              id: 'byName',
              options: 'success',
            },
            properties: [
              {
                id: 'color',
                value: {
                  mode: 'fixed',
                  fixedColor: 'green',
                },
              },
            ],
          },
        ],
      },
      options: {
        legend: {
          displayMode: 'list',
          placement: 'bottom',
          showLegend: true,
          calcs: [],
        },
        tooltip: {
          mode: 'multi',
          sort: 'desc',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (status) (neo4j_migrations_in_window{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{status}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 20,
      type: 'stat',
      title: 'Partly applied run',
      description: 'Yes when, within the migration window, some records succeeded and some failed.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 4,
        x: 12,
        y: 55,
      },
      fieldConfig: {
        defaults: {
          unit: 'none',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'red',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [
            {
              type: 'value',
              options: {
                '0': {
                  text: 'no',
                  color: 'green',
                  index: 0,
                },
                '1': {
                  text: 'yes',
                  color: 'red',
                  index: 1,
                },
              },
            },
          ],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: '(sum(neo4j_migrations_in_window{job=~"$job",instance=~"$instance",status="success"}) > bool 0) * (sum(neo4j_migrations_in_window{job=~"$job",instance=~"$instance",status="failed"}) > bool 0)',
          refId: 'A',
          legendFormat: 'partly applied',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 21,
      type: 'timeseries',
      title: 'Records per status over time',
      description: 'Migration records per status. Steps in success mark deployments; a step in failed is when a run broke.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 16,
        y: 55,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'palette-classic',
          },
          mappings: [],
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'stepAfter',
            stacking: {
              mode: 'none',
              group: 'A',
            },
            thresholdsStyle: {
              mode: 'off',
            },
          },
          min: 0,
        },
        overrides: [
          {
            matcher: {
              id: 'byName',
              options: 'failed',
            },
            properties: [
              {
                id: 'color',
                value: {
                  mode: 'fixed',
                  fixedColor: 'red',
                },
              },
            ],
          },
          {
            matcher: {
              id: 'byName',
              options: 'success',
            },
            properties: [
              {
                id: 'color',
                value: {
                  mode: 'fixed',
                  fixedColor: 'green',
                },
              },
            ],
          },
        ],
      },
      options: {
        legend: {
          displayMode: 'list',
          placement: 'bottom',
          showLegend: true,
          calcs: [],
        },
        tooltip: {
          mode: 'multi',
          sort: 'desc',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (status) (neo4j_migrations{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{status}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 22,
      type: 'row',
      title: 'Files on disk and checksum drift',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 63,
      },
      panels: [],
    },
    {
      id: 23,
      type: 'stat',
      title: 'Migration files',
      description: 'Migration files found in --migrations.dir (empty when the directory is not configured).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
        w: 4,
        x: 0,
        y: 64,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_files{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'files',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 24,
      type: 'stat',
      title: 'Pending files',
      description: 'Files with no SUCCESS record: not yet applied. Non-zero after a deployment means the run stopped early or skipped files.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
        w: 4,
        x: 4,
        y: 64,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_files_pending{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'pending',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 25,
      type: 'stat',
      title: 'Modified after application',
      description: 'Applied files whose bytes no longer match the recorded checksum. Someone edited a migration that already ran.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
        w: 4,
        x: 8,
        y: 64,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'red',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_checksum_mismatches{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'modified',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 26,
      type: 'stat',
      title: 'Records without file',
      description: 'Records naming no file in the directory: a renamed or deleted migration, or the wrong directory mounted.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
        w: 4,
        x: 12,
        y: 64,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_migration_records_without_file{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'without file',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 27,
      type: 'stat',
      title: 'Directory scan',
      description: 'Whether the exporter could read --migrations.dir on its last run.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
        w: 8,
        x: 16,
        y: 64,
      },
      fieldConfig: {
        defaults: {
          unit: 'none',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'red',
                value: null,
              },
              {
                color: 'green',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [
            {
              type: 'value',
              options: {
                '0': {
                  text: 'failing',
                  color: 'red',
                  index: 0,
                },
                '1': {
                  text: 'ok',
                  color: 'green',
                  index: 1,
                },
              },
            },
          ],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'min(neo4j_migration_dir_scan_success{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'scan',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 28,
      type: 'table',
      title: 'Files modified after application',
      description: 'Each applied file whose checksum no longer matches its record. Revert the edit or add a new migration instead.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
        y: 68,
      },
      fieldConfig: {
        defaults: {
          unit: 'none',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
          custom: {
            align: 'auto',
            cellOptions: {
              type: 'auto',
            },
            inspect: false,
          },
        },
        overrides: [],
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        footer: {
          show: false,
          reducer: [
            'sum',
          ],
          countRows: false,
          fields: '',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'neo4j_migration_checksum_mismatch{job=~"$job",instance=~"$instance"} == 1',
          refId: 'A',
          legendFormat: '',
          range: false,
          instant: true,
          format: 'table',
        },
      ],
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: {
              Time: true,
              __name__: true,
              job: true,
              Value: true,
            },
            indexByName: {
              instance: 0,
              filename: 1,
            },
            renameByName: {
              filename: 'File',
              instance: 'Instance',
            },
          },
        },
      ],
    },
    {
      id: 29,
      type: 'timeseries',
      title: 'Pending files and checksum drift',
      description: 'Pending files and modified files over time. Pending should fall to 0 after each deployment; drift should stay at 0.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 12,
        y: 68,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'palette-classic',
          },
          mappings: [],
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'stepAfter',
            stacking: {
              mode: 'none',
              group: 'A',
            },
            thresholdsStyle: {
              mode: 'off',
            },
          },
          min: 0,
        },
        overrides: [],
      },
      options: {
        legend: {
          displayMode: 'list',
          placement: 'bottom',
          showLegend: true,
          calcs: [],
        },
        tooltip: {
          mode: 'multi',
          sort: 'desc',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (instance) (neo4j_migration_files_pending{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'pending ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (instance) (neo4j_migration_checksum_mismatches{job=~"$job",instance=~"$instance"})',
          refId: 'B',
          legendFormat: 'modified ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 50,
      type: 'stat',
      title: 'Schema a migration created, out of line',
      description: 'Constraints and indexes the applied files create that Neo4j does not list (missing; Neo4jMigrationSchemaMissing), that are not ONLINE, or that a file dropped but are still listed (unexpected). `check --fail-on=schema` names them.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 12,
        x: 0,
        y: 76,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'red',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (problem) (neo4j_migration_schema_problems{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{problem}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 51,
      type: 'stat',
      title: 'Schema the applied files declare',
      description: 'Objects the applied files leave in place (present) and drop (absent), followed in the order the files were applied. Schema statements the exporter cannot read are counted in neo4j_migration_schema_unparsed_statements.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 12,
        x: 12,
        y: 76,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'blue',
                value: null,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (expect) (neo4j_migration_schema_expected_objects{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{expect}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 30,
      type: 'row',
      title: 'Exporter health: migrations collector',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 81,
      },
      panels: [],
    },
    {
      id: 31,
      type: 'stat',
      title: 'Exporter scraped',
      description: "Prometheus' own up metric for the exporter: 0 means Prometheus cannot reach it and every panel here is stale.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 0,
        y: 82,
      },
      fieldConfig: {
        defaults: {
          unit: 'none',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'red',
                value: null,
              },
              {
                color: 'green',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [
            {
              type: 'value',
              options: {
                '0': {
                  text: 'down',
                  color: 'red',
                  index: 0,
                },
                '1': {
                  text: 'up',
                  color: 'green',
                  index: 1,
                },
              },
            },
          ],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'min(up{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'exporter',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 32,
      type: 'stat',
      title: 'Neo4j reachable',
      description: "neo4j_up: the exporter's connectivity check. While 0 the collectors do not run.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 6,
        y: 82,
      },
      fieldConfig: {
        defaults: {
          unit: 'none',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'red',
                value: null,
              },
              {
                color: 'green',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [
            {
              type: 'value',
              options: {
                '0': {
                  text: 'down',
                  color: 'red',
                  index: 0,
                },
                '1': {
                  text: 'up',
                  color: 'green',
                  index: 1,
                },
              },
            },
          ],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'min(neo4j_up{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'neo4j',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 33,
      type: 'stat',
      title: 'Invalid records',
      description: 'Records skipped or read only in part on the last run (missing filename, bad status or time, ...).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 12,
        y: 82,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_exporter_invalid_records{job=~"$job",instance=~"$instance",collector="migrations"})',
          refId: 'A',
          legendFormat: 'invalid',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 34,
      type: 'stat',
      title: 'Per-file series truncated',
      description: 'Per-file series left out because --migrations.max-series was reached; the tables above are then incomplete.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 18,
        y: 82,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum(neo4j_exporter_series_truncated{job=~"$job",instance=~"$instance",collector="migrations"})',
          refId: 'A',
          legendFormat: 'truncated',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 35,
      type: 'stat',
      title: 'Collector success',
      description: "1 when the collector's last run succeeded. A failing run exports none of its samples, so the panels above go empty instead of going stale: check here first when they do.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 0,
        y: 87,
      },
      fieldConfig: {
        defaults: {
          unit: 'none',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'red',
                value: null,
              },
              {
                color: 'green',
                value: 1,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [
            {
              type: 'value',
              options: {
                '0': {
                  text: 'failing',
                  color: 'red',
                  index: 0,
                },
                '1': {
                  text: 'ok',
                  color: 'green',
                  index: 1,
                },
              },
            },
          ],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'min by (collector) (neo4j_exporter_collector_success{job=~"$job",instance=~"$instance",collector=~"migrations"})',
          refId: 'A',
          legendFormat: '{{collector}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 36,
      type: 'stat',
      title: 'Since last successful run',
      description: 'Time since the collector last succeeded. More than a few intervals means its figures are missing.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 6,
        y: 87,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 300,
              },
              {
                color: 'red',
                value: 1800,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
        },
        overrides: [],
      },
      options: {
        reduceOptions: {
          calcs: [
            'lastNotNull',
          ],
          fields: '',
          values: false,
        },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (collector) (time() - neo4j_exporter_collector_last_success_timestamp_seconds{job=~"$job",instance=~"$instance",collector=~"migrations"})',
          refId: 'A',
          legendFormat: '{{collector}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 37,
      type: 'timeseries',
      title: 'Collector run duration',
      description: "Length of each collector's last run. Creeping towards the collector's timeout means Neo4j is slow to answer or the data grew.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 12,
        x: 12,
        y: 87,
      },
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'palette-classic',
          },
          mappings: [],
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'stepAfter',
            stacking: {
              mode: 'none',
              group: 'A',
            },
            thresholdsStyle: {
              mode: 'off',
            },
          },
          min: 0,
        },
        overrides: [],
      },
      options: {
        legend: {
          displayMode: 'list',
          placement: 'bottom',
          showLegend: true,
          calcs: [],
        },
        tooltip: {
          mode: 'multi',
          sort: 'desc',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (instance, collector) (neo4j_exporter_collector_duration_seconds{job=~"$job",instance=~"$instance",collector=~"migrations"})',
          refId: 'A',
          legendFormat: '{{collector}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 38,
      type: 'timeseries',
      title: 'Invalid records by reason',
      description: 'Records the migrations collector could not fully read, per reason. Fix the records (or the runner) named by the reason.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 12,
        x: 0,
        y: 92,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'palette-classic',
          },
          mappings: [],
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'stepAfter',
            stacking: {
              mode: 'none',
              group: 'A',
            },
            thresholdsStyle: {
              mode: 'off',
            },
          },
          min: 0,
        },
        overrides: [],
      },
      options: {
        legend: {
          displayMode: 'list',
          placement: 'bottom',
          showLegend: true,
          calcs: [],
        },
        tooltip: {
          mode: 'multi',
          sort: 'desc',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (reason) (neo4j_exporter_invalid_records{job=~"$job",instance=~"$instance",collector="migrations"})',
          refId: 'A',
          legendFormat: '{{reason}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 39,
      type: 'timeseries',
      title: 'Statements per run',
      description: 'Statements the migrations collector sent to Neo4j on its last run.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 7,
        w: 12,
        x: 12,
        y: 92,
      },
      fieldConfig: {
        defaults: {
          unit: 'short',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
            ],
          },
          color: {
            mode: 'palette-classic',
          },
          mappings: [],
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'stepAfter',
            stacking: {
              mode: 'none',
              group: 'A',
            },
            thresholdsStyle: {
              mode: 'off',
            },
          },
          min: 0,
        },
        overrides: [],
      },
      options: {
        legend: {
          displayMode: 'list',
          placement: 'bottom',
          showLegend: true,
          calcs: [],
        },
        tooltip: {
          mode: 'multi',
          sort: 'desc',
        },
      },
      targets: [
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (instance) (neo4j_exporter_collector_statements{job=~"$job",instance=~"$instance",collector="migrations"})',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
  ],
}
