// Small helpers the alerts, rules and dashboards share.
{
  // The runbook section of an alert, from the configured pattern.
  runbookURL(config, alert):: std.format(config.runbookURLPattern, std.asciiLower(alert)),

  // '5m' -> '5 minutes', '1h' -> 'an hour', for the words of a description.
  inWords(duration)::
    local unit = std.substr(duration, std.length(duration) - 1, 1);
    local count = std.parseInt(std.substr(duration, 0, std.length(duration) - 1));
    local names = { s: 'second', m: 'minute', h: 'hour', d: 'day' };
    if count == 1 then (if unit == 'h' then 'an hour' else 'a ' + names[unit])
    else '%d %ss' % [count, names[unit]],

  // Adds runbook_url to every alert of the groups, so no alert can be without one.
  withRunbooks(config, groups):: [
    group {
      rules: [
        rule { annotations+: { runbook_url: $.runbookURL(config, rule.alert) } }
        for rule in group.rules
      ],
    }
    for group in groups
  ],
}
