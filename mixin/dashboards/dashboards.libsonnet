// The Grafana dashboards: the panels of each live in its own file; what all three share (the
// variables, the annotation, the links, the tags and the refresh) is built here from _config.
local utils = import '../lib/utils.libsonnet';

local datasource = { type: 'prometheus', uid: '${datasource}' };

// Panels that show what an alert fires on link to that alert's runbook section, by title.
local panelAlerts = {
  'Run in progress': 'Neo4jMigrationRunInProgress',
  'Failed records': 'Neo4jMigrationFailed',
  'Failed migrations': 'Neo4jMigrationFailed',
  'Failures per error class': 'Neo4jMigrationLockTimeout',
  'Recent migrations': 'Neo4jMigrationSlow',
  'Oldest pending or running record': 'Neo4jMigrationStuck',
  'In progress per file': 'Neo4jMigrationStuck',
  'Partly applied run': 'Neo4jMigrationPartiallyApplied',
  'Modified after application': 'Neo4jMigrationChecksumMismatch',
  'Files modified after application': 'Neo4jMigrationChecksumMismatch',
  'Schema a migration created, out of line': 'Neo4jMigrationSchemaMissing',
  'Exporter scraped': 'Neo4jExporterDown',
  'Neo4j reachable': 'Neo4jDown',
  'Collector success': 'Neo4jExporterCollectorFailing',
  'Collector success (counts, orphans)': 'Neo4jExporterCollectorFailing',
  'Oldest open transaction': 'Neo4jLongRunningQuery',
  'Long-running transactions': 'Neo4jLongRunningQuery',
  'Blocked transactions': 'Neo4jTransactionsBlocked',
  'Oldest blocked and longest lock wait': 'Neo4jTransactionsBlocked',
  'Heap used / max': 'Neo4jHeapNearlyFull',
  'Failed indexes': 'Neo4jIndexFailed',
  'Failed index names': 'Neo4jIndexFailed',
  'Index population': 'Neo4jIndexPopulationStalled',
  'Orphaned nodes': 'Neo4jOrphanedNodesIncreasing',
};

// Panels whose threshold colour marks an alert's threshold take it from _config, by title.
local panelThresholds = {
  'Recent migrations': 'slowMigrationSeconds',
  'Oldest pending or running record': 'stuckMigrationSeconds',
  'In progress per file': 'stuckMigrationSeconds',
  'Oldest open transaction': 'longRunningQuerySeconds',
  'Oldest blocked and longest lock wait': 'lockWaitSeconds',
  'Heap used / max': 'heapUsedRatio',
};

local withAlertThreshold(config, panel) =
  if std.objectHas(panelThresholds, panel.title) then
    local value = config[panelThresholds[panel.title]];
    panel {
      fieldConfig+: { defaults+: { thresholds+: {
        steps: [if step.value == null then step else step { value: value } for step in super.steps],
      } } },
    }
  else panel;

local link(title, url, tooltip) = {
  type: 'link',
  title: title,
  url: url,
  tooltip: tooltip,
  icon: 'doc',
  tags: [],
  asDropdown: false,
  includeVars: false,
  keepTime: false,
  targetBlank: true,
};

local withRunbookLink(config, panel) =
  if std.objectHas(panelAlerts, panel.title) && panel.type != 'row' then
    local alert = panelAlerts[panel.title];
    panel { links: [link('Runbook: ' + alert, utils.runbookURL(config, alert), 'What to do when ' + alert + ' fires')] }
  else panel;

local queryVariable(name, label, query) = {
  name: name,
  label: label,
  type: 'query',
  datasource: datasource,
  query: query,
  refresh: 2,
  regex: '',
  sort: 1,
  multi: true,
  includeAll: true,
  current: { selected: true, text: ['All'], value: ['$__all'] },
  hide: 0,
  options: [],
  skipUrlSync: false,
};

local dashboard(config, source) = {
  uid: source.uid,
  title: source.title,
  description: source.description,
  panels: [withAlertThreshold(config, withRunbookLink(config, panel)) for panel in source.panels],
  tags: config.dashboardTags,
  refresh: config.dashboardRefresh,
  time: { from: config.dashboardTimeFrom, to: 'now' },
  editable: false,
  fiscalYearStartMonth: 0,
  graphTooltip: 1,
  id: null,
  schemaVersion: 39,
  timepicker: {},
  timezone: '',
  version: 1,
  weekStart: '',
  links: [
    {
      type: 'dashboards',
      title: 'Neo4j dashboards',
      tags: ['neo4j-migration-exporter'],
      asDropdown: true,
      includeVars: true,
      keepTime: true,
      icon: 'external link',
      targetBlank: false,
      tooltip: '',
      url: '',
    },
    link('Runbook', utils.runbookURL(config, config.runbookIndexAnchor), 'Every alert, its threshold and what to do when it fires'),
  ],
  annotations: {
    list: [{
      name: 'Migrations applied',
      datasource: datasource,
      enable: true,
      hide: false,
      iconColor: 'purple',
      // The query in `target`, as Grafana's Prometheus data source keeps it; how an event is
      // titled stays beside it.
      target: {
        refId: 'Anno',
        expr: 'changes(neo4j_migration_last_applied_timestamp_seconds{job=~"$job",instance=~"$instance"}[2m]) > 0',
        interval: '1m',
      },
      titleFormat: 'Migration applied',
      textFormat: '{{instance}}',
      tagKeys: 'instance',
      useValueForTime: false,
    }],
  },
  templating: {
    list: [
      {
        name: 'datasource',
        label: 'Data source',
        type: 'datasource',
        query: 'prometheus',
        current: { selected: false, text: 'default', value: 'default' },
        hide: 0,
        includeAll: false,
        multi: false,
        options: [],
        refresh: 1,
        regex: '',
        skipUrlSync: false,
      },
      queryVariable('job', 'Job', 'label_values(neo4j_up{%s}, job)' % config.jobSelector),
      queryVariable('instance', 'Instance', 'label_values(neo4j_up{job=~"$job"}, instance)'),
    ],
  },
};

{
  grafanaDashboards+:: {
    'neo4j-migrations.json': dashboard($._config, import 'neo4j-migrations.libsonnet'),
    'neo4j-database-activity.json': dashboard($._config, import 'neo4j-database-activity.libsonnet'),
    'neo4j-graph-capacity.json': dashboard($._config, import 'neo4j-graph-capacity.libsonnet'),
  },
}
