// The repository's files rendered from a mixin, by path: `jsonnet -S -m . mixin/files.jsonnet`
// writes them (see mixin/generate).
function(mixin) {
  local header(lines) = std.join('', [std.rstripChars('# ' + line, ' ') + '\n' for line in lines]),
  local generated = 'Generated from mixin/ by mixin/generate: edit the mixin, not this file.',
  local yaml(value) = std.manifestYamlDoc(value, indent_array_in_object=true, quote_keys=false) + '\n',

  'alerts/neo4j.rules.yml': header([
    'Alert rules for neo4j-migration-exporter. Loads in Prometheus 2.42 and later.',
    generated,
    '',
    'Thresholds (mixin/config.libsonnet, listed in docs/runbook.md "Thresholds") and the job',
    "selector come from the mixin's _config; render it with your own to change them.",
    '',
    'Outages: while Neo4j cannot be read, the exporter keeps serving the last migration records',
    'and schema it read, with neo4j_exporter_collector_success 0, so these alerts neither resolve',
    'nor page again. While the exporter itself cannot be scraped (killed, restarting), its series',
    'vanish; the alerts about state in the database keep firing for keep_firing_for (keepFiringFor)',
    'so that a restart is not a resolution; past 2 minutes Neo4jExporterDown pages and holds the',
    'rest back. The price: a failure fixed for real shows as resolved that much later.',
  ]) + yaml(mixin.prometheusAlerts),

  'alerts/neo4j.recording.rules.yml': header([
    'Recording rules for the capacity review of neo4j-migration-exporter.',
    generated,
  ]) + yaml(mixin.prometheusRules),
} + {
  ['dashboards/' + name]: std.manifestJsonEx(mixin.grafanaDashboards[name], '  ') + '\n'
  for name in std.objectFields(mixin.grafanaDashboards)
}
