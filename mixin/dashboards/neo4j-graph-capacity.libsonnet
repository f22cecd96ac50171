{
  uid: 'neo4j-graph-capacity',
  title: 'Neo4j / Graph capacity',
  description: 'Size and growth of the graph (count store), orphaned nodes and the limits of what the exporter counted, with migration runs marked.',
  panels: [
    {
      id: 1,
      type: 'row',
      title: 'Totals',
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
      title: 'Nodes',
      description: 'All nodes in the graph, from the count store.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
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
        graphMode: 'area',
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
          expr: 'sum(neo4j_graph_nodes{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'nodes',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 3,
      type: 'stat',
      title: 'Relationships',
      description: 'All relationships in the graph, from the count store.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
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
        colorMode: 'value',
        graphMode: 'area',
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
          expr: 'sum(neo4j_graph_relationships{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'relationships',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 4,
      type: 'stat',
      title: 'Labels in use',
      description: 'Node labels in use, counted or not.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
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
          expr: 'sum(neo4j_labels{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'labels',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 5,
      type: 'stat',
      title: 'Relationship types in use',
      description: 'Relationship types in use.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
        w: 4,
        x: 12,
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
          expr: 'sum(neo4j_relationship_types{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'types',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 6,
      type: 'stat',
      title: 'Orphaned nodes',
      description: 'Nodes without any relationship, outside the excluded labels. Empty when the last scan did not finish.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
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
        graphMode: 'area',
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
          expr: 'sum(neo4j_orphaned_nodes{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'orphans',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 7,
      type: 'stat',
      title: 'Orphan share',
      description: 'Orphaned nodes as a share of all nodes. A jump after a migration often means a relationship was not recreated.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 4,
        w: 4,
        x: 20,
        y: 1,
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
                value: 0.05,
              },
            ],
          },
          color: {
            mode: 'thresholds',
          },
          mappings: [],
          decimals: 2,
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
          expr: 'sum(neo4j_orphaned_nodes{job=~"$job",instance=~"$instance"}) / sum(neo4j_graph_nodes{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'share',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 8,
      type: 'row',
      title: 'Growth',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 5,
      },
      panels: [],
    },
    {
      id: 9,
      type: 'timeseries',
      title: 'Nodes and relationships',
      description: 'Total nodes and relationships over time. Migration runs are marked as annotations: steps there are data migrations at work.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
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
          expr: 'sum by (instance) (neo4j_graph_nodes{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'nodes ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (instance) (neo4j_graph_relationships{job=~"$job",instance=~"$instance"})',
          refId: 'B',
          legendFormat: 'relationships ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 10,
      type: 'timeseries',
      title: 'Change over the last hour',
      description: 'Nodes and relationships added (or removed, below 0) over the trailing hour. Compare with the migration window to see what a run created or deleted.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
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
          expr: 'sum by (instance) (delta(neo4j_graph_nodes{job=~"$job",instance=~"$instance"}[1h]))',
          refId: 'A',
          legendFormat: 'nodes ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (instance) (delta(neo4j_graph_relationships{job=~"$job",instance=~"$instance"}[1h]))',
          refId: 'B',
          legendFormat: 'relationships ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 11,
      type: 'stat',
      title: 'Nodes added in range',
      description: "Change in the node count over the dashboard's time range.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 4,
        x: 0,
        y: 14,
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
          expr: 'sum(delta(neo4j_graph_nodes{job=~"$job",instance=~"$instance"}[$__range]))',
          refId: 'A',
          legendFormat: 'nodes',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 12,
      type: 'stat',
      title: 'Relationships added in range',
      description: "Change in the relationship count over the dashboard's time range.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 4,
        x: 4,
        y: 14,
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
          expr: 'sum(delta(neo4j_graph_relationships{job=~"$job",instance=~"$instance"}[$__range]))',
          refId: 'A',
          legendFormat: 'relationships',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 13,
      type: 'timeseries',
      title: 'Growth rate per hour',
      description: 'Trend of nodes and relationships per hour, fitted over 15 minutes. Useful for capacity planning once migrations are done.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 8,
        x: 8,
        y: 14,
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
          expr: 'sum by (instance) (deriv(neo4j_graph_nodes{job=~"$job",instance=~"$instance"}[15m])) * 3600',
          refId: 'A',
          legendFormat: 'nodes/h ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (instance) (deriv(neo4j_graph_relationships{job=~"$job",instance=~"$instance"}[15m])) * 3600',
          refId: 'B',
          legendFormat: 'relationships/h ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 14,
      type: 'timeseries',
      title: 'Migrations in window',
      description: 'Migration records applied within --migrations.window, per status, to line up with the growth panels.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 8,
        x: 16,
        y: 14,
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
            drawStyle: 'bars',
            lineWidth: 1,
            fillOpacity: 60,
            showPoints: 'never',
            spanNulls: false,
            lineInterpolation: 'linear',
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
          expr: 'sum by (status) (neo4j_migrations_in_window{job=~"$job",instance=~"$instance"}) > 0',
          refId: 'A',
          legendFormat: '{{status}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 15,
      type: 'row',
      title: 'Per label and per type',
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
      id: 16,
      type: 'timeseries',
      title: 'Nodes per label (top 10)',
      description: 'The ten largest labels over time. A node counts under each of its labels.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 9,
        w: 12,
        x: 0,
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
          expr: 'topk(10, neo4j_nodes{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{label}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 17,
      type: 'timeseries',
      title: 'Relationships per type (top 10)',
      description: 'The ten largest relationship types over time.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 9,
        w: 12,
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
          expr: 'topk(10, neo4j_relationships{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{type}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 18,
      type: 'timeseries',
      title: 'Fastest-changing labels (last hour)',
      description: 'The ten labels whose node count changed most over the trailing hour: what a data migration is touching.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
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
          expr: 'topk(10, abs(delta(neo4j_nodes{job=~"$job",instance=~"$instance"}[1h])))',
          refId: 'A',
          legendFormat: '{{label}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 19,
      type: 'timeseries',
      title: 'Fastest-changing relationship types (last hour)',
      description: 'The ten relationship types whose count changed most over the trailing hour.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
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
          expr: 'topk(10, abs(delta(neo4j_relationships{job=~"$job",instance=~"$instance"}[1h])))',
          refId: 'A',
          legendFormat: '{{type}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 20,
      type: 'bargauge',
      title: 'Nodes per label now',
      description: 'Current node count per label, largest first.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 10,
        w: 12,
        x: 0,
        y: 38,
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
          expr: 'sort_desc(sum by (label) (neo4j_nodes{job=~"$job",instance=~"$instance"}))',
          refId: 'A',
          legendFormat: '{{label}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 21,
      type: 'bargauge',
      title: 'Relationships per type now',
      description: 'Current relationship count per type, largest first.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 10,
        w: 12,
        x: 12,
        y: 38,
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
          expr: 'sort_desc(sum by (type) (neo4j_relationships{job=~"$job",instance=~"$instance"}))',
          refId: 'A',
          legendFormat: '{{type}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 22,
      type: 'row',
      title: 'Orphaned nodes',
      collapsed: false,
      gridPos: {
        h: 1,
        w: 24,
        x: 0,
        y: 48,
      },
      panels: [],
    },
    {
      id: 23,
      type: 'timeseries',
      title: 'Orphaned nodes',
      description: 'Nodes without relationships over time. Any growth over an hour is worth a look; a migration that deleted relationships but not nodes shows up here.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 0,
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
          expr: 'sum by (instance) (neo4j_orphaned_nodes{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 24,
      type: 'timeseries',
      title: 'Orphaned nodes by label (top 10)',
      description: 'The ten labels with most orphaned nodes (needs --orphans.by-label).',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 8,
        w: 12,
        x: 12,
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
          expr: 'topk(10, neo4j_orphaned_nodes_by_label{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{label}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 25,
      type: 'stat',
      title: 'Orphan scan complete',
      description: 'Whether the last orphan scan finished within its timeout. When cut off, the orphan count is absent.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 6,
        x: 0,
        y: 57,
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
                  text: 'cut off',
                  color: 'red',
                  index: 0,
                },
                '1': {
                  text: 'complete',
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
          expr: 'min(neo4j_orphan_scan_complete{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'complete',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 26,
      type: 'timeseries',
      title: 'Orphan scan duration',
      description: 'Length of the last orphan scan. Approaching --collector.orphans.timeout (1 m) means the graph outgrew it.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 18,
        x: 6,
        y: 57,
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
          expr: 'max by (instance) (neo4j_orphan_scan_duration_seconds{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: '{{instance}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 27,
      type: 'row',
      title: 'What the exporter counted',
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
      id: 28,
      type: 'stat',
      title: 'Series truncated',
      description: 'Label, type or per-label orphan series left out because a cap (--counts.max-labels, --counts.max-types, --orphans.max-labels) was reached.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 6,
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
          expr: 'sum by (collector) (neo4j_exporter_series_truncated{job=~"$job",instance=~"$instance",collector=~"counts|orphans"})',
          refId: 'A',
          legendFormat: '{{collector}}',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 29,
      type: 'timeseries',
      title: 'Labels counted vs in use',
      description: 'Labels and relationship types in use against those with a series. A gap means the caps cut some off.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 6,
        w: 18,
        x: 6,
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
          expr: 'sum by (instance) (neo4j_labels{job=~"$job",instance=~"$instance"})',
          refId: 'A',
          legendFormat: 'labels in use ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'count by (instance) (neo4j_nodes{job=~"$job",instance=~"$instance"})',
          refId: 'B',
          legendFormat: 'labels counted ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'sum by (instance) (neo4j_relationship_types{job=~"$job",instance=~"$instance"})',
          refId: 'C',
          legendFormat: 'types in use ({{instance}})',
          range: true,
          instant: false,
        },
        {
          datasource: {
            type: 'prometheus',
            uid: '${datasource}',
          },
          editorMode: 'code',
          expr: 'count by (instance) (neo4j_relationships{job=~"$job",instance=~"$instance"})',
          refId: 'D',
          legendFormat: 'types counted ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
    {
      id: 30,
      type: 'stat',
      title: 'Collector success (counts, orphans)',
      description: "1 when the collector's last run succeeded. A failing run exports none of its samples, so the panels above go empty instead of going stale: check here first when they do.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 0,
        y: 70,
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
          expr: 'min by (collector) (neo4j_exporter_collector_success{job=~"$job",instance=~"$instance",collector=~"counts|orphans"})',
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
      title: 'Since last successful run (counts, orphans)',
      description: 'Time since the collector last succeeded. More than a few intervals means its figures are missing.',
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 6,
        x: 6,
        y: 70,
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
          expr: 'max by (collector) (time() - neo4j_exporter_collector_last_success_timestamp_seconds{job=~"$job",instance=~"$instance",collector=~"counts|orphans"})',
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
      title: 'Collector run duration (counts, orphans)',
      description: "Length of each collector's last run. Creeping towards the collector's timeout means Neo4j is slow to answer or the data grew.",
      datasource: {
        type: 'prometheus',
        uid: '${datasource}',
      },
      gridPos: {
        h: 5,
        w: 12,
        x: 12,
        y: 70,
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
          expr: 'max by (instance, collector) (neo4j_exporter_collector_duration_seconds{job=~"$job",instance=~"$instance",collector=~"counts|orphans"})',
          refId: 'A',
          legendFormat: '{{collector}} ({{instance}})',
          range: true,
          instant: false,
        },
      ],
    },
  ],
}
