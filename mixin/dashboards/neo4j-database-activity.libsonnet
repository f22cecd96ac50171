{
  uid: 'neo4j-database-activity',
  title: 'Neo4j / Database activity',
  description: "Transactions, locks, JVM, schema state and the exporter's collectors for the Neo4j servers watched by neo4j-migration-exporter.",
  panels: [
    {
      id: 1,
      type: 'row',
      title: 'Connection',
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
      id: 2,
      type: 'stat',
      title: 'Neo4j reachable',
      description: "The exporter's connectivity check per instance. Down means Neo4j is unreachable or refusing the login; the collectors pause until it is back.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 0,
        y: 1,
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
          expr: 'neo4j_up{job=~"$job",instance=~"$instance"}',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 3,
      type: 'stat',
      title: 'Exporter scraped',
      description: "Prometheus' up metric for the exporter itself.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 6,
        y: 1,
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
          expr: 'up{job=~"$job",instance=~"$instance"}',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 4,
      type: 'table',
      title: 'Server version',
      description: 'Neo4j version and edition as last seen by the exporter (kept while the server is unreachable).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 12,
        y: 1,
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
          expr: 'neo4j_server_info{job=~"$job",instance=~"$instance"}',
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
              version: 1,
              edition: 2,
            },
            renameByName: {
              instance: 'Instance',
              version: 'Version',
              edition: 'Edition',
            },
          },
        },
      ],
    },
    {
      id: 5,
      type: 'table',
      title: 'Exporter version',
      description: 'Build of neo4j-migration-exporter serving each instance.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 18,
        y: 1,
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
          expr: 'neo4j_exporter_build_info{job=~"$job",instance=~"$instance"}',
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
              version: 1,
              revision: 2,
              rustversion: 3,
            },
            renameByName: {
              instance: 'Instance',
              version: 'Version',
              revision: 'Revision',
              rustversion: 'Rust',
            },
          },
        },
      ],
    },
    {
      id: 6,
      type: 'row',
      title: 'Transactions and locks',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 6,
      },
      panels: [],
    },
    {
      id: 7,
      type: 'timeseries',
      title: 'Open transactions by status',
      description: 'Open transactions per status and database, stacked. A growing blocked band means transactions are queueing on locks.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
        y: 7,
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
              mode: 'normal',
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
              id: 'byRegexp',
              options: '^blocked .*',
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
          expr: 'sum by (instance, database, status) (neo4j_transactions{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{status}} {{database}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 8,
      type: 'timeseries',
      title: 'Oldest open transaction',
      description: "Age of the oldest open transaction per database. Above 30 s is the runbook's long query; a migration holding a transaction this long blocks others.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 6,
        x: 12,
        y: 7,
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
                value: 30,
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
          expr: 'max by (instance, database) (neo4j_transaction_oldest_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{database}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 9,
      type: 'timeseries',
      title: 'Long-running transactions',
      description: 'Transactions open longer than --transactions.long-running-threshold (30 s by default).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 6,
        x: 18,
        y: 7,
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
          expr: 'sum by (instance, database) (neo4j_transactions_long_running{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{database}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 10,
      type: 'timeseries',
      title: 'Blocked transactions',
      description: 'Transactions now waiting for a lock. Sustained blocking during a migration run is what turns into LockClientStopped failures.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 0,
        y: 15,
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
          expr: 'sum by (instance, database) (neo4j_transactions{job=~"$job",instance=~"$instance",status="blocked"})',
          refId: 'A',
          legendFormat: '{{database}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 11,
      type: 'timeseries',
      title: 'Oldest blocked and longest lock wait',
      description: 'Age of the oldest blocked transaction and the longest any open transaction has waited for locks. Above 30 s a lock-timeout failure is close.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 8,
        y: 15,
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
                value: 30,
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
          expr: 'max by (instance, database) (neo4j_transactions_blocked_oldest_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'oldest blocked {{database}} ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (instance, database) (neo4j_transaction_lock_wait_seconds_max{job=~"$job",instance=~"$instance"})',
          refId: 'B',
          legendFormat: 'longest lock wait {{database}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 12,
      type: 'timeseries',
      title: 'Active locks',
      description: 'Locks held by open transactions. A large schema or data migration takes many; they are released when it commits.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 16,
        y: 15,
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
          expr: 'sum by (instance, database) (neo4j_transaction_active_locks{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{database}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 13,
      type: 'row',
      title: 'JVM',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 23,
      },
      panels: [],
    },
    {
      id: 14,
      type: 'timeseries',
      title: 'Heap: used, committed, max',
      description: 'Heap in use against what the OS committed and the configured maximum. Used pressing against max is where OutOfMemoryError comes from.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
        y: 24,
      },
      fieldConfig: {
        defaults: {
          unit: 'bytes',
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
            fillOpacity: 0,
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
          expr: 'max by (instance) (neo4j_jvm_memory_used_bytes{job=~"$job",instance=~"$instance",area="heap"})',
          refId: 'A',
          legendFormat: 'used ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (instance) (neo4j_jvm_memory_committed_bytes{job=~"$job",instance=~"$instance",area="heap"})',
          refId: 'B',
          legendFormat: 'committed ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (instance) (neo4j_jvm_memory_max_bytes{job=~"$job",instance=~"$instance",area="heap"})',
          refId: 'C',
          legendFormat: 'max ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 15,
      type: 'timeseries',
      title: 'Heap used / max',
      description: "Share of the maximum heap in use. Sustained above 90 % is the runbook's memory alert; large migrations in one transaction are the usual cause.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 6,
        x: 12,
        y: 24,
      },
      fieldConfig: {
        defaults: {
          unit: 'percentunit',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'red',
                value: 0.9,
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
              mode: 'line+area',
            },
          },
          min: 0,
          max: 1,
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
          expr: 'max by (instance) (neo4j_jvm_memory_used_bytes{job=~"$job",instance=~"$instance",area="heap"} / neo4j_jvm_memory_max_bytes{job=~"$job",instance=~"$instance",area="heap"})',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 16,
      type: 'timeseries',
      title: 'Non-heap used and committed',
      description: 'Memory outside the heap (metaspace, code cache). Usually flat; growth points at class loading.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 6,
        x: 18,
        y: 24,
      },
      fieldConfig: {
        defaults: {
          unit: 'bytes',
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
            fillOpacity: 0,
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
          expr: 'max by (instance) (neo4j_jvm_memory_used_bytes{job=~"$job",instance=~"$instance",area="nonheap"})',
          refId: 'A',
          legendFormat: 'used ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'max by (instance) (neo4j_jvm_memory_committed_bytes{job=~"$job",instance=~"$instance",area="nonheap"})',
          refId: 'B',
          legendFormat: 'committed ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 17,
      type: 'timeseries',
      title: 'GC collections per second',
      description: 'Garbage collections per second per collector. Bursts together with a full heap mean the JVM is fighting for memory.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 6,
        x: 0,
        y: 32,
      },
      fieldConfig: {
        defaults: {
          unit: 'ops',
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
          expr: 'sum by (instance, gc) (rate(neo4j_jvm_gc_collections_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))',
          refId: 'A',
          legendFormat: '{{gc}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 18,
      type: 'timeseries',
      title: 'GC time share',
      description: 'Share of wall-clock time spent in garbage collection, per collector. More than a few percent slows every query.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 6,
        x: 6,
        y: 32,
      },
      fieldConfig: {
        defaults: {
          unit: 'percentunit',
          thresholds: {
            mode: 'absolute',
            steps: [
              {
                color: 'green',
                value: null,
              },
              {
                color: 'orange',
                value: 0.1,
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
          expr: 'sum by (instance, gc) (rate(neo4j_jvm_gc_collection_seconds_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))',
          refId: 'A',
          legendFormat: '{{gc}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 19,
      type: 'timeseries',
      title: 'CPU',
      description: 'CPU used by the Neo4j process as a share of all cores.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 6,
        x: 12,
        y: 32,
      },
      fieldConfig: {
        defaults: {
          unit: 'percentunit',
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
          max: 1,
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
          expr: 'max by (instance) (neo4j_jvm_process_cpu_ratio{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 20,
      type: 'timeseries',
      title: 'JVM threads',
      description: 'Live JVM threads. A steady climb points at leaked sessions or connections.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 6,
        x: 18,
        y: 32,
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
          expr: 'max by (instance) (neo4j_jvm_threads{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 21,
      type: 'row',
      title: 'Schema: indexes and constraints',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 40,
      },
      panels: [],
    },
    {
      id: 22,
      type: 'stat',
      title: 'Failed indexes',
      description: 'Indexes in FAILED state. A failed index is not used by queries and usually needs dropping and recreating.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 4,
        x: 0,
        y: 41,
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
          expr: 'sum(neo4j_indexes{job=~"$job",instance=~"$instance",state="failed"})',
          refId: 'A',
          legendFormat: 'failed',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 23,
      type: 'stat',
      title: 'Populating indexes',
      description: 'Indexes still being built, for instance right after a schema migration created them.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 4,
        x: 4,
        y: 41,
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
          expr: 'sum(neo4j_indexes{job=~"$job",instance=~"$instance",state="populating"})',
          refId: 'A',
          legendFormat: 'populating',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 24,
      type: 'timeseries',
      title: 'Indexes by state',
      description: 'Indexes per state over time. Populating should fall back to 0 after a schema migration.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 8,
        y: 41,
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
              options: 'online',
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
          {
            matcher: {
              id: 'byName',
              options: 'populating',
            },
            properties: [
              {
                id: 'color',
                value: {
                  mode: 'fixed',
                  fixedColor: 'orange',
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
          expr: 'sum by (state) (neo4j_indexes{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{state}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 25,
      type: 'table',
      title: 'Indexes by type and state',
      description: 'Index count per type and state right now.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 16,
        y: 41,
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
          expr: 'sum by (type, state) (neo4j_indexes{job=~"$job",instance=~"$instance"}) > 0',
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
              type: 0,
              state: 1,
              Value: 2,
            },
            renameByName: {
              type: 'Type',
              state: 'State',
              Value: 'Indexes',
            },
          },
        },
      ],
    },
    {
      id: 26,
      type: 'timeseries',
      title: 'Index population',
      description: 'Population progress of each index that is not ONLINE. A line that stops rising is a stalled population.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 0,
        y: 49,
      },
      fieldConfig: {
        defaults: {
          unit: 'percentunit',
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
          max: 1,
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
          expr: 'max by (instance, index) (neo4j_index_population_ratio{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{index}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 27,
      type: 'table',
      title: 'Failed index names',
      description: 'Each index in FAILED state.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 8,
        y: 49,
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
          expr: 'neo4j_index_failed{job=~"$job",instance=~"$instance"} == 1',
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
              index: 1,
            },
            renameByName: {
              instance: 'Instance',
              index: 'Index',
            },
          },
        },
      ],
    },
    {
      id: 28,
      type: 'bargauge',
      title: 'Constraints per type',
      description: 'Constraints per type. A drop after a migration means a constraint was removed.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 16,
        y: 49,
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
          expr: 'sum by (type) (neo4j_constraints{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{type}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 29,
      type: 'row',
      title: 'Exporter collectors',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 57,
      },
      panels: [],
    },
    {
      id: 30,
      type: 'stat',
      title: 'Collector success',
      description: "1 when each collector's last run succeeded. A failing collector exports nothing, so its panels go empty rather than stale.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 12,
        x: 0,
        y: 58,
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
          expr: 'min by (collector) (neo4j_exporter_collector_success{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{collector}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 31,
      type: 'stat',
      title: 'Since last successful run',
      description: 'Time since each collector last succeeded. The orphan scan runs rarely (10 m), the others every few seconds.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 12,
        x: 12,
        y: 58,
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
                value: 900,
              },
              {
                color: 'red',
                value: 3600,
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
          expr: 'max by (collector) (time() - neo4j_exporter_collector_last_success_timestamp_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{collector}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 32,
      type: 'timeseries',
      title: 'Collector run duration',
      description: "Length of each collector's last run. Approaching the collector's timeout means Neo4j is slow to answer.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 0,
        y: 63,
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
          expr: 'max by (instance, collector) (neo4j_exporter_collector_duration_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{collector}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 33,
      type: 'timeseries',
      title: 'Statements per run',
      description: 'Statements each collector sent to Neo4j on its last run.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 8,
        y: 63,
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
          expr: 'max by (instance, collector) (neo4j_exporter_collector_statements{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{collector}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 34,
      type: 'timeseries',
      title: 'Invalid records',
      description: 'Records or rows skipped or read only in part, per collector and reason.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 8,
        x: 16,
        y: 63,
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
          expr: 'sum by (collector, reason) (neo4j_exporter_invalid_records{job=~"$job",instance=~"$instance"}) > 0',
          refId: 'A',
          legendFormat: '{{collector}}: {{reason}}',
          range: true,
          instant: false,
        },
      ],
    },
  ],
}
