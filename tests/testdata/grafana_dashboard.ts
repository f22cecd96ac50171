// The type a shipped dashboard file must have: @grafana/schema's Dashboard, as JSON can
// spell it. tests/mixin.rs writes each dashboard as an object literal of this type and runs
// tsc, so an unknown field, a missing one or a wrong value type is an error.
import type { AnnotationQuery, Dashboard, DataQuery } from '@grafana/schema';

// JSON has no enums: a string enum of the schema is written as one of its values.
type AsJson<T> = T extends string
  ? `${T}`
  : T extends Array<infer U>
    ? Array<AsJson<U>>
    : T extends object
      ? { [K in keyof T]: AsJson<T[K]> }
      : T;

// The schema leaves a data source's own query open (AnnotationQuery<TQuery>), as it leaves a
// panel's targets. These are the fields Grafana's Prometheus data source reads: the query in
// `target`, and how an event is titled beside it.
interface PrometheusQuery extends DataQuery {
  expr: string;
  interval?: string;
}
type PrometheusAnnotation = AnnotationQuery<PrometheusQuery> & {
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
};

export type ShippedDashboard = AsJson<Omit<Dashboard, 'annotations'> & { annotations?: { list?: PrometheusAnnotation[] } }>;
