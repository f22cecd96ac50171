// neo4j-migration-exporter's monitoring mixin: prometheusAlerts, prometheusRules and
// grafanaDashboards, all from the settings in config.libsonnet.
(import 'config.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'rules/rules.libsonnet') +
(import 'dashboards/dashboards.libsonnet') +
{
  prometheusAlerts+:: {
    groups: (import 'lib/utils.libsonnet').withRunbooks($._config, super.groups),
  },
}
