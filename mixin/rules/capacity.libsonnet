// Recording rules for the capacity review: how long migrations take, per day and per week, and
// how many are applied a day. Names follow level:metric:operations.
{
  local c = $._config,
  local quantiles = ['0.5', '0.9', '0.99'],
  local quantileRules(window) = [
    {
      record: 'job_instance:neo4j_migration_execution_seconds:histogram_quantile%s' % window,
      expr: 'histogram_quantile(%s, sum by (job, instance, le) (increase(neo4j_migration_execution_seconds_bucket{%s}[%s])))' % [q, c.jobSelector, window],
      labels: { quantile: q },
    }
    for q in quantiles
  ],

  prometheusRules+:: {
    groups+: [{
      name: 'neo4j-migrations-capacity',
      rules: quantileRules('1d') + quantileRules('1w') + [
        {
          // Each applied migration with an execution time adds one to the histogram's count.
          record: 'job_instance:neo4j_migration_execution_seconds_count:increase1d',
          expr: 'sum by (job, instance) (increase(neo4j_migration_execution_seconds_count{%(jobSelector)s}[1d]))' % c,
        },
      ],
    }],
  },
}
