// The exporter and its view of Neo4j.
{
  prometheusAlerts+:: {
    local c = $._config,
    groups+: [{
      name: 'neo4j-exporter',
      rules: [
        {
          alert: 'Neo4jDown',
          expr: 'max by (job, instance) (neo4j_up{%(jobSelector)s}) == 0' % c,
          'for': '2m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'Neo4j does not answer the exporter.',
            description: 'The exporter at {{ $labels.instance }} has not been able to reach Neo4j for 2 minutes.',
          },
        },
        {
          // Not while Neo4j is down (Neo4jDown says so); after it returns every collector runs at once.
          alert: 'Neo4jExporterCollectorFailing',
          expr: |||
            max by (job, instance, collector) (neo4j_exporter_collector_success{%(jobSelector)s}) == 0
              and on (job, instance) max by (job, instance) (neo4j_up{%(jobSelector)s}) == 1
          ||| % c,
          'for': '5m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A neo4j-migration-exporter collector is failing.',
            description: 'The {{ $labels.collector }} collector of {{ $labels.instance }} has failed for 5 minutes; its metrics are missing or last known.',
          },
        },
        {
          alert: 'Neo4jExporterDown',
          expr: 'up{%(jobSelector)s} == 0 or absent(up{%(jobSelector)s})' % c,
          'for': '2m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'Prometheus cannot scrape neo4j-migration-exporter.',
            description: 'The exporter target {{ with $labels.instance }}{{ . }}{{ else }}selected by {%(jobSelector)s}{{ end }} is down or missing; nothing watches Neo4j migrations.' % c,
          },
        },
      ],
    }],
  },
}
