//! Typed samples, and the one place that knows the exposition formats: Prometheus text and
//! OpenMetrics 1.0.
//!
//! Collectors build [`Family`] values from scratch on every run; a finished run is rendered
//! once into a [`Snapshot`] in both formats, and a scrape only concatenates the latest snapshots.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

use prometheus::proto::{Bucket, Counter, Gauge, Histogram, LabelPair, Metric, MetricFamily, MetricType};
use prometheus::{Encoder, TextEncoder};

/// The content type of what [`render`] produces.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The content type of what [`render_openmetrics`] produces, once closed by [`OPENMETRICS_EOF`].
pub const OPENMETRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The line an OpenMetrics exposition ends with, once.
pub const OPENMETRICS_EOF: &[u8] = b"# EOF\n";

/// The exposition formats a scraper can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    OpenMetrics,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => CONTENT_TYPE,
            Format::OpenMetrics => OPENMETRICS_CONTENT_TYPE,
        }
    }

    /// The format an `Accept` header ranks first: OpenMetrics 1.0.0 only when it is ranked above
    /// the text format (or anything the wildcards let the text format be); text otherwise.
    pub fn negotiate(accept: Option<&str>) -> Format {
        let (mut openmetrics, mut text) = (0.0f32, 0.0f32);
        for range in accept.unwrap_or("").split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let (mut q, mut version) = (1.0f32, None);
            for param in parts {
                let (name, value) = param.split_once('=').unwrap_or((param, ""));
                match name.trim().to_ascii_lowercase().as_str() {
                    "q" => q = value.trim().parse().unwrap_or(0.0),
                    "version" => version = Some(value.trim().trim_matches('"').to_string()),
                    _ => {}
                }
            }
            match media.as_str() {
                "application/openmetrics-text" if version.as_deref().is_none_or(|v| v == "1.0.0") => openmetrics = openmetrics.max(q),
                "text/plain" if version.as_deref().is_none_or(|v| v == "0.0.4" || v == "1.0.0") => text = text.max(q),
                "*/*" | "text/*" => text = text.max(q),
                _ => {}
            }
        }
        if openmetrics > 0.0 && openmetrics > text {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }
}

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

/// Renders families into OpenMetrics 1.0, appending to `out`, without the closing `# EOF`
/// (an exposition is several renders). Families without samples are left out.
pub fn render_openmetrics(families: &[Family], out: &mut Vec<u8>) {
    let protos: Vec<MetricFamily> = families.iter().filter(|family| !family.samples.is_empty()).map(to_proto).collect();
    encode_openmetrics(&protos, None, out);
}

/// Renders families in the given format, appending to `out` (without OpenMetrics' `# EOF`).
pub fn render_as(format: Format, families: &[Family], out: &mut Vec<u8>) {
    match format {
        Format::Text => render(families, out),
        Format::OpenMetrics => render_openmetrics(families, out),
    }
}

/// Encodes metric families as OpenMetrics 1.0: counters are typed under their name without
/// `_total`, units are declared for names ending in `_seconds` or `_bytes`, and, when
/// `created` (the epoch second the counters started from) is known, each counter and
/// histogram carries it as `_created`.
pub fn encode_openmetrics(protos: &[MetricFamily], created: Option<f64>, out: &mut Vec<u8>) {
    let mut text = String::new();
    for family in protos {
        let full = family.name();
        let (name, kind) = match family.get_field_type() {
            MetricType::COUNTER => (full.strip_suffix("_total").unwrap_or(full), "counter"),
            MetricType::HISTOGRAM => (full, "histogram"),
            _ => (full, "gauge"),
        };
        let _ = writeln!(text, "# TYPE {name} {kind}");
        if let Some(unit) = ["seconds", "bytes"].into_iter().find(|unit| name.ends_with(&format!("_{unit}"))) {
            let _ = writeln!(text, "# UNIT {name} {unit}");
        }
        let _ = writeln!(text, "# HELP {name} {}", escape_openmetrics(family.help()));
        for metric in family.get_metric() {
            let labels: Vec<(&str, &str)> = metric.get_label().iter().map(|pair| (pair.name(), pair.value())).collect();
            match family.get_field_type() {
                MetricType::COUNTER => {
                    sample(&mut text, name, "_total", &labels, None, metric.get_counter().get_value());
                    if let Some(created) = created {
                        sample(&mut text, name, "_created", &labels, None, created);
                    }
                }
                MetricType::HISTOGRAM => {
                    let histogram = metric.get_histogram();
                    for bucket in histogram.get_bucket() {
                        let le = number(bucket.upper_bound());
                        sample(&mut text, name, "_bucket", &labels, Some(&le), bucket.cumulative_count() as f64);
                    }
                    let count = histogram.get_sample_count() as f64;
                    sample(&mut text, name, "_bucket", &labels, Some("+Inf"), count);
                    sample(&mut text, name, "_count", &labels, None, count);
                    sample(&mut text, name, "_sum", &labels, None, histogram.get_sample_sum());
                    if let Some(created) = created {
                        sample(&mut text, name, "_created", &labels, None, created);
                    }
                }
                _ => sample(&mut text, name, "", &labels, None, metric.get_gauge().get_value()),
            }
        }
    }
    out.extend_from_slice(text.as_bytes());
}

/// One OpenMetrics sample line; `le` is added last, as a bucket's bound.
fn sample(out: &mut String, name: &str, suffix: &str, labels: &[(&str, &str)], le: Option<&str>, value: f64) {
    out.push_str(name);
    out.push_str(suffix);
    let all = labels.iter().copied().chain(le.map(|le| ("le", le)));
    for (i, (label, value)) in all.enumerate() {
        out.push(if i == 0 { '{' } else { ',' });
        let _ = write!(out, "{label}=\"{}\"", escape_openmetrics(value));
    }
    if !labels.is_empty() || le.is_some() {
        out.push('}');
    }
    let _ = writeln!(out, " {}", number(value));
}

/// A number as OpenMetrics writes it: `+Inf`, `-Inf`, `NaN`, or the shortest decimal form.
fn number(value: f64) -> String {
    match value {
        v if v.is_nan() => "NaN".into(),
        v if v == f64::INFINITY => "+Inf".into(),
        v if v == f64::NEG_INFINITY => "-Inf".into(),
        v => v.to_string(),
    }
}

/// Escapes a label value or help text for OpenMetrics: backslash, double quote and newline.
fn escape_openmetrics(text: &str) -> Cow<'_, str> {
    if !text.contains(['\\', '"', '\n']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A collector's finished run, rendered once in each format so that scrapes only copy bytes.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub text: Vec<u8>,
    pub openmetrics: Vec<u8>,
}

impl Snapshot {
    pub fn of(families: &[Family]) -> Self {
        let (mut text, mut openmetrics) = (Vec::new(), Vec::new());
        render(families, &mut text);
        render_openmetrics(families, &mut openmetrics);
        Snapshot { text, openmetrics }
    }

    pub fn body(&self, format: Format) -> &[u8] {
        match format {
            Format::Text => &self.text,
            Format::OpenMetrics => &self.openmetrics,
        }
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

    fn openmetrics(families: &[Family]) -> String {
        let mut out = Vec::new();
        render_openmetrics(families, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn openmetrics_types_counters_without_total_and_declares_units() {
        let mut counter = Family::counter("neo4j_gc_seconds_total", "GC \"pause\" time.", &["gc"]);
        counter.add(["G1 Young"], 1.5);
        let mut gauge = Family::gauge("neo4j_heap_bytes", "Heap.", &[]);
        gauge.set(f64::INFINITY);
        assert_eq!(
            openmetrics(&[counter, gauge]),
            "# TYPE neo4j_gc_seconds counter\n# UNIT neo4j_gc_seconds seconds\n# HELP neo4j_gc_seconds GC \\\"pause\\\" time.\n\
             neo4j_gc_seconds_total{gc=\"G1 Young\"} 1.5\n\
             # TYPE neo4j_heap_bytes gauge\n# UNIT neo4j_heap_bytes bytes\n# HELP neo4j_heap_bytes Heap.\nneo4j_heap_bytes +Inf\n"
        );
    }

    #[test]
    fn openmetrics_histograms_end_with_inf_count_sum_and_created_when_known() {
        let mut family = Family::histogram("neo4j_x_seconds", "X.", &["k"]);
        family.add_histogram(["a\nb"], &[0.5], [0.25, 2.0]);
        let mut out = Vec::new();
        encode_openmetrics(&[to_proto(&family)], Some(1700000000.0), &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# TYPE neo4j_x_seconds histogram\n# UNIT neo4j_x_seconds seconds\n# HELP neo4j_x_seconds X.\n\
             neo4j_x_seconds_bucket{k=\"a\\nb\",le=\"0.5\"} 1\nneo4j_x_seconds_bucket{k=\"a\\nb\",le=\"+Inf\"} 2\n\
             neo4j_x_seconds_count{k=\"a\\nb\"} 2\nneo4j_x_seconds_sum{k=\"a\\nb\"} 2.25\n\
             neo4j_x_seconds_created{k=\"a\\nb\"} 1700000000\n"
        );
    }

    #[test]
    fn a_snapshot_holds_both_formats_of_the_same_samples() {
        let mut family = Family::gauge("neo4j_up", "Up.", &[]);
        family.set(1.0);
        let snapshot = Snapshot::of(&[family]);
        assert_eq!(snapshot.body(Format::Text), b"# HELP neo4j_up Up.\n# TYPE neo4j_up gauge\nneo4j_up 1\n");
        assert_eq!(snapshot.body(Format::OpenMetrics), b"# TYPE neo4j_up gauge\n# HELP neo4j_up Up.\nneo4j_up 1\n");
    }

    #[test]
    fn openmetrics_is_served_only_when_ranked_above_text() {
        let prometheus_2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,\
                            text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        let prometheus_3 = "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,\
                            text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(Format::negotiate(Some(prometheus_2)), Format::OpenMetrics);
        assert_eq!(Format::negotiate(Some(prometheus_3)), Format::OpenMetrics);
        for text in [
            None,
            Some("*/*"),
            Some("text/plain;version=0.0.4;q=1,*/*;q=0.1"),
            Some("application/openmetrics-text;version=0.0.1"),
            Some("application/openmetrics-text; version=1.0.0; q=0"),
            Some("application/openmetrics-text;q=0.5,*/*"),
            Some("nonsense;;;=,"),
        ] {
            assert_eq!(Format::negotiate(text), Format::Text, "{text:?}");
        }
        assert_eq!(Format::negotiate(Some("Application/OpenMetrics-Text; Version=\"1.0.0\"")), Format::OpenMetrics);
    }

    #[test]
    fn counter_renders_as_counter() {
        let mut family = Family::counter("neo4j_events_total", "Events.", &[]);
        family.set(3.0);
        assert!(text(&[family]).contains("# TYPE neo4j_events_total counter\nneo4j_events_total 3\n"));
    }
}
