//! Typed samples, and the one place that knows the Prometheus text format.
//!
//! Collectors build [`Family`] values from scratch on every run; a finished run is rendered
//! once into a [`Snapshot`], and a scrape only concatenates the latest snapshots.

use std::borrow::Cow;
use std::sync::Arc;

use prometheus::proto::{Bucket, Counter, Gauge, Histogram, LabelPair, Metric, MetricFamily, MetricType};
use prometheus::{Encoder, TextEncoder};

/// The content type of what [`render`] produces.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    Counter,
    Histogram,
}

/// One metric name with its help text, type, label names and samples.
#[derive(Clone, Debug)]
pub struct Family {
    pub name: Cow<'static, str>,
    pub help: Cow<'static, str>,
    pub kind: Kind,
    pub labels: LabelNames,
    pub samples: Vec<Sample>,
}

/// A family's label names: fixed in the code, or read from a file (custom queries).
#[derive(Clone, Debug)]
pub enum LabelNames {
    Fixed(&'static [&'static str]),
    Read(Arc<[String]>),
}

impl LabelNames {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (fixed, read) = match self {
            LabelNames::Fixed(names) => (Some(names.iter().copied()), None),
            LabelNames::Read(names) => (None, Some(names.iter().map(String::as_str))),
        };
        fixed.into_iter().flatten().chain(read.into_iter().flatten())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub label_values: Vec<String>,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    /// Cumulative counts per upper bound (without +Inf), the total count and the sum.
    Histogram {
        buckets: Vec<(f64, u64)>,
        count: u64,
        sum: f64,
    },
}

impl Family {
    pub fn gauge(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Self {
        Self::new(name, help, Kind::Gauge, labels)
    }

    pub fn counter(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Self {
        Self::new(name, help, Kind::Counter, labels)
    }

    pub fn histogram(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Self {
        Self::new(name, help, Kind::Histogram, labels)
    }

    fn new(name: &'static str, help: &'static str, kind: Kind, labels: &'static [&'static str]) -> Self {
        Self::read(name.into(), help.into(), kind, LabelNames::Fixed(labels))
    }

    /// A family whose name, help and label names came from outside the code.
    pub fn read(name: Cow<'static, str>, help: Cow<'static, str>, kind: Kind, labels: LabelNames) -> Self {
        Family { name, help, kind, labels, samples: Vec::new() }
    }

    /// Adds a sample; `label_values` are in the order of the family's label names.
    pub fn add<S: Into<String>>(&mut self, label_values: impl IntoIterator<Item = S>, value: f64) {
        let label_values: Vec<String> = label_values.into_iter().map(Into::into).collect();
        debug_assert_eq!(label_values.len(), self.labels.iter().count(), "label count of {}", self.name);
        self.samples.push(Sample { label_values, value: Value::Number(value) });
    }

    /// Adds a sample without labels.
    pub fn set(&mut self, value: f64) {
        self.add(std::iter::empty::<String>(), value);
    }

    /// Adds a histogram sample built from observations and bucket upper bounds.
    pub fn add_histogram<S: Into<String>>(
        &mut self,
        label_values: impl IntoIterator<Item = S>,
        bounds: &[f64],
        observations: impl IntoIterator<Item = f64>,
    ) {
        let mut per_bucket = vec![0u64; bounds.len()];
        let (mut count, mut sum) = (0u64, 0.0);
        for value in observations {
            count += 1;
            sum += value;
            if let Some(i) = bounds.iter().position(|&upper| value <= upper) {
                per_bucket[i] += 1;
            }
        }
        let mut cumulative = 0;
        let buckets = bounds
            .iter()
            .zip(per_bucket)
            .map(|(&upper, n)| {
                cumulative += n;
                (upper, cumulative)
            })
            .collect();
        self.samples.push(Sample {
            label_values: label_values.into_iter().map(Into::into).collect(),
            value: Value::Histogram { buckets, count, sum },
        });
    }
}

/// Renders families into the text exposition format, appending to `out`.
/// Families without samples are left out, as Prometheus clients do.
pub fn render(families: &[Family], out: &mut Vec<u8>) {
    let protos: Vec<MetricFamily> = families.iter().filter(|family| !family.samples.is_empty()).map(to_proto).collect();
    TextEncoder::new().encode(&protos, out).expect("families built by this crate are always valid");
}

/// A collector's finished run, rendered once so that scrapes only copy bytes.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub text: Vec<u8>,
}

impl Snapshot {
    pub fn of(families: &[Family]) -> Self {
        let mut text = Vec::new();
        render(families, &mut text);
        Snapshot { text }
    }
}

fn to_proto(family: &Family) -> MetricFamily {
    let mut proto = MetricFamily::default();
    proto.set_name(family.name.to_string());
    proto.set_help(family.help.to_string());
    proto.set_field_type(match family.kind {
        Kind::Gauge => MetricType::GAUGE,
        Kind::Counter => MetricType::COUNTER,
        Kind::Histogram => MetricType::HISTOGRAM,
    });
    let metrics = family
        .samples
        .iter()
        .map(|sample| {
            let mut metric = Metric::default();
            metric.set_label(
                family
                    .labels
                    .iter()
                    .zip(&sample.label_values)
                    .map(|(name, value)| {
                        let mut pair = LabelPair::default();
                        pair.set_name(name.to_string());
                        pair.set_value(value.clone());
                        pair
                    })
                    .collect(),
            );
            match (&sample.value, family.kind) {
                (Value::Number(v), Kind::Counter) => {
                    let mut counter = Counter::default();
                    counter.set_value(*v);
                    metric.set_counter(counter);
                }
                (Value::Number(v), _) => {
                    let mut gauge = Gauge::default();
                    gauge.set_value(*v);
                    metric.set_gauge(gauge);
                }
                (Value::Histogram { buckets, count, sum }, _) => {
                    let mut histogram = Histogram::default();
                    histogram.set_sample_count(*count);
                    histogram.set_sample_sum(*sum);
                    histogram.set_bucket(
                        buckets
                            .iter()
                            .map(|&(upper, cumulative)| {
                                let mut bucket = Bucket::default();
                                bucket.set_upper_bound(upper);
                                bucket.set_cumulative_count(cumulative);
                                bucket
                            })
                            .collect(),
                    );
                    metric.set_histogram(histogram);
                }
            }
            metric
        })
        .collect();
    proto.set_metric(metrics);
    proto
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(families: &[Family]) -> String {
        let mut out = Vec::new();
        render(families, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn gauge_with_labels_renders_help_type_and_escaped_values() {
        let mut family = Family::gauge("neo4j_things", "Things by kind.", &["kind"]);
        family.add(["a\"b\\c\nd"], 2.0);
        assert_eq!(
            text(&[family]),
            "# HELP neo4j_things Things by kind.\n# TYPE neo4j_things gauge\nneo4j_things{kind=\"a\\\"b\\\\c\\nd\"} 2\n"
        );
    }

    #[test]
    fn empty_families_are_left_out() {
        let family = Family::gauge("neo4j_nothing", "Nothing.", &[]);
        assert_eq!(text(&[family]), "");
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_end_with_inf() {
        let mut family = Family::histogram("neo4j_x_seconds", "X.", &[]);
        family.add_histogram(std::iter::empty::<String>(), &[1.0, 10.0], [0.5, 1.0, 5.0, 50.0]);
        let rendered = text(&[family]);
        assert!(rendered.contains("neo4j_x_seconds_bucket{le=\"1\"} 2\n"), "{rendered}");
        assert!(rendered.contains("neo4j_x_seconds_bucket{le=\"10\"} 3\n"), "{rendered}");
        assert!(rendered.contains("neo4j_x_seconds_bucket{le=\"+Inf\"} 4\n"), "{rendered}");
        assert!(rendered.contains("neo4j_x_seconds_sum 56.5\n"), "{rendered}");
        assert!(rendered.contains("neo4j_x_seconds_count 4\n"), "{rendered}");
    }

    #[test]
    fn counter_renders_as_counter() {
        let mut family = Family::counter("neo4j_events_total", "Events.", &[]);
        family.set(3.0);
        assert!(text(&[family]).contains("# TYPE neo4j_events_total counter\nneo4j_events_total 3\n"));
    }
}
