//! `timeline`: the post-incident review's "when did it start, when was it detected, when was it
//! resolved", read back from the user's Prometheus. Range queries of the exporter's own series
//! and `ALERTS` are turned, by pure functions, into events in time order: migrations applied or
//! failed, alerts firing and resolved, Neo4j and the exporter down and back, transactions
//! waiting for locks or running long. Only [`gather`] talks HTTP.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Value as Json};

use crate::collectors::monitoring::quoted;
use crate::prometheus_api::PrometheusApi;
use crate::views::text::{for_display, human_seconds, human_time};

/// Most points Prometheus returns per series of a range query; a longer window takes a coarser step.
pub const MOST_POINTS: f64 = 11_000.0;

/// The step when none is given: a typical scrape interval, so a period is seen to the scrape.
pub const DEFAULT_STEP: Duration = Duration::from_secs(15);

/// The window when none is given.
pub const DEFAULT_SINCE: Duration = Duration::from_secs(24 * 3600);

/// `--long-running`'s default: Neo4jLongRunningQuery's threshold, `longRunningQuerySeconds` in `mixin/config.libsonnet`.
pub const LONG_RUNNING: Duration = Duration::from_secs(30);

/// Bound on each range query.
const QUERY_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest database text a Markdown cell shows; JSON keeps it whole.
const CELL_CHARS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
}

/// What `timeline` was asked.
#[derive(Clone, Debug)]
pub struct TimelineOptions {
    pub api: PrometheusApi,
    pub job: String,
    pub window: Window,
    pub long_running: Duration,
    pub format: Format,
}

/// The time range read, in seconds since the Unix epoch, and the step between points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub from: f64,
    pub to: f64,
    pub step: f64,
}

impl Window {
    /// The window, with `step` if given, else [`DEFAULT_STEP`], made coarser where the range
    /// would need more points than Prometheus returns.
    pub fn new(from: f64, to: f64, step: Option<Duration>) -> Window {
        let wanted = step.unwrap_or(DEFAULT_STEP).as_secs_f64();
        let fewest = ((to - from) / MOST_POINTS).ceil();
        Window { from, to, step: if step.is_some() { wanted } else { wanted.max(fewest) } }
    }

    fn holds(&self, at: f64) -> bool {
        at >= self.from && at <= self.to
    }
}

/// A point in time as given to `--from` or `--to`: RFC 3339 or seconds since the Unix epoch.
pub fn parse_time(text: &str) -> Result<f64, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        if seconds.is_finite() && seconds >= 0.0 {
            return Ok(seconds);
        }
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_micros() as f64 / 1e6)
        .map_err(|_| "expected an RFC 3339 time such as 2026-12-02T21:30:00Z or seconds since the Unix epoch".to_string())
}

/// One series of a range query's matrix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(f64, f64)>,
}

impl Series {
    fn label(&self, name: &str) -> &str {
        self.labels.get(name).map_or("", String::as_str)
    }
}

/// The series of a range query's `data` (`resultType: matrix`).
pub fn matrix(data: &Json) -> Result<Vec<Series>, String> {
    if data["resultType"] != "matrix" {
        return Err(format!("expected a matrix, Prometheus answered {}", data["resultType"]));
    }
    let mut out = Vec::new();
    for series in data["result"].as_array().into_iter().flatten() {
        let labels = series["metric"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        let points = series["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p[0].as_f64()?, p[1].as_str()?.parse::<f64>().ok()?)))
            .collect();
        out.push(Series { labels, points });
    }
    Ok(out)
}

/// A stretch of consecutive points of one series: something held from `start` on, and stopped
/// holding at `end` (the first step it was no longer seen), or still held at the window's end.
#[derive(Clone, Debug, PartialEq)]
pub struct Period {
    pub start: f64,
    pub end: Option<f64>,
    /// The value at the first point, and the largest value seen.
    pub first: f64,
    pub peak: f64,
}

/// The periods of a series: a gap of more than one step between points ends one.
pub fn periods(series: &Series, window: &Window) -> Vec<Period> {
    let mut out: Vec<Period> = Vec::new();
    let mut last = f64::NEG_INFINITY;
    for &(at, value) in &series.points {
        match out.last_mut() {
            Some(open) if at - last <= window.step * 1.5 => open.peak = open.peak.max(value),
            _ => {
                if let Some(open) = out.last_mut() {
                    open.end = Some(last + window.step);
                }
                out.push(Period { start: at, end: None, first: value, peak: value });
            }
        }
        last = at;
    }
    // Seen at the window's last step: it still held then.
    if let Some(open) = out.last_mut().filter(|_| window.to - last >= window.step) {
        open.end = Some(last + window.step);
    }
    out
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    MigrationApplied,
    MigrationFailed,
    /// A record with another status (rolled back, pending, running, unknown).
    MigrationRecorded,
    Neo4jDown,
    Neo4jUp,
    ExporterDown,
    ExporterUp,
    LocksWaited,
    LocksFreed,
    LongTransaction,
    LongTransactionEnded,
    AlertFiring,
    AlertResolved,
}

impl Kind {
    /// Its name in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Kind::MigrationApplied => "migration_applied",
            Kind::MigrationFailed => "migration_failed",
            Kind::MigrationRecorded => "migration_recorded",
            Kind::Neo4jDown => "neo4j_down",
            Kind::Neo4jUp => "neo4j_up",
            Kind::ExporterDown => "exporter_down",
            Kind::ExporterUp => "exporter_up",
            Kind::LocksWaited => "lock_wait_started",
            Kind::LocksFreed => "lock_wait_ended",
            Kind::LongTransaction => "long_transaction_started",
            Kind::LongTransactionEnded => "long_transaction_ended",
            Kind::AlertFiring => "alert_firing",
            Kind::AlertResolved => "alert_resolved",
        }
    }

    /// Its name in the Markdown table.
    fn title(self) -> &'static str {
        match self {
            Kind::MigrationApplied => "Migration applied",
            Kind::MigrationFailed => "Migration failed",
            Kind::MigrationRecorded => "Migration recorded",
            Kind::Neo4jDown => "Neo4j unreachable",
            Kind::Neo4jUp => "Neo4j back",
            Kind::ExporterDown => "Exporter not scraped",
            Kind::ExporterUp => "Exporter scraped again",
            Kind::LocksWaited => "Lock waits began",
            Kind::LocksFreed => "Lock waits ended",
            Kind::LongTransaction => "Long transaction",
            Kind::LongTransactionEnded => "Long transaction ended",
            Kind::AlertFiring => "Alert firing",
            Kind::AlertResolved => "Alert resolved",
        }
    }
}

/// One row of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Seconds since the Unix epoch.
    pub at: f64,
    pub kind: Kind,
    /// The file, the alert or the instance the event is about.
    pub subject: String,
    pub instance: String,
    /// More about it: a status, an error class, an alert's labels, a database.
    pub labels: BTreeMap<String, String>,
    /// How long it took or lasted, where that is known.
    pub seconds: Option<f64>,
}

/// The answers of the range queries [`gather`] makes, in the order of [`queries`].
#[derive(Clone, Debug, Default)]
pub struct Answers {
    pub applied_at: Vec<Series>,
    pub execution: Vec<Series>,
    pub failed_at: Vec<Series>,
    pub neo4j_down: Vec<Series>,
    pub target_down: Vec<Series>,
    pub blocked: Vec<Series>,
    pub long: Vec<Series>,
    pub alerts: Vec<Series>,
}

/// The PromQL of each question, for `job` and the long-running threshold.
pub fn queries(job: &str, long_running: Duration) -> [String; 8] {
    let job = quoted(job);
    [
        format!("max by (instance, filename, status) (neo4j_migration_recent_applied_timestamp_seconds{{job={job}}})"),
        format!("max by (instance, filename, status) (neo4j_migration_recent_execution_seconds{{job={job}}})"),
        format!("max by (instance, filename, error_class) (neo4j_migration_failed_timestamp_seconds{{job={job}}})"),
        format!("max by (instance) (neo4j_up{{job={job}}}) == 0"),
        format!("max by (instance) (up{{job={job}}}) == 0"),
        format!("max by (instance, database) (neo4j_transactions_blocked_oldest_seconds{{job={job}}}) > 0"),
        format!("max by (instance, database) (neo4j_transaction_oldest_seconds{{job={job}}}) > {}", long_running.as_secs_f64()),
        format!("ALERTS{{alertstate=\"firing\",job={job}}}"),
    ]
}

/// Asks Prometheus each question over the window.
pub async fn gather(api: &PrometheusApi, job: &str, window: &Window, long_running: Duration) -> Result<Answers, String> {
    let (start, end, step) = (window.from.to_string(), window.to.to_string(), window.step.to_string());
    let mut answers = Vec::new();
    for promql in queries(job, long_running) {
        let query = [("query", promql.as_str()), ("start", start.as_str()), ("end", end.as_str()), ("step", step.as_str())];
        let data = api.get("/api/v1/query_range", &query, QUERY_TIMEOUT).await?;
        answers.push(matrix(&data).map_err(|e| format!("{promql}: {e}"))?);
    }
    let mut answers = answers.into_iter();
    let mut next = || answers.next().unwrap_or_default();
    Ok(Answers {
        applied_at: next(),
        execution: next(),
        failed_at: next(),
        neo4j_down: next(),
        target_down: next(),
        blocked: next(),
        long: next(),
        alerts: next(),
    })
}

/// Every event the answers hold within the window, in time order.
pub fn events(answers: &Answers, window: &Window) -> Vec<Event> {
    let mut out = migrations(answers, window);
    let period_events = [
        (&answers.neo4j_down, Kind::Neo4jDown, Kind::Neo4jUp),
        (&answers.target_down, Kind::ExporterDown, Kind::ExporterUp),
        (&answers.blocked, Kind::LocksWaited, Kind::LocksFreed),
        (&answers.long, Kind::LongTransaction, Kind::LongTransactionEnded),
        (&answers.alerts, Kind::AlertFiring, Kind::AlertResolved),
    ];
    for (all, began, ended) in period_events {
        for series in all {
            let instance = series.label("instance").to_string();
            let subject = match began {
                Kind::AlertFiring => series.label("alertname").to_string(),
                Kind::LocksWaited | Kind::LongTransaction => series.label("database").to_string(),
                _ => instance.clone(),
            };
            let labels: BTreeMap<String, String> = series
                .labels
                .iter()
                .filter(|(k, _)| !["__name__", "alertname", "alertstate", "instance", "job"].contains(&k.as_str()))
                // The database is already the subject.
                .filter(|(k, _)| !(k.as_str() == "database" && matches!(began, Kind::LocksWaited | Kind::LongTransaction)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for period in periods(series, window) {
                let mut start_labels = labels.clone();
                match began {
                    // The oldest transaction began its value's seconds before it was seen.
                    Kind::LongTransaction => {
                        start_labels.insert("began".into(), human_time(period.start - period.first));
                        start_labels.insert("longest".into(), human_seconds(period.peak));
                    }
                    Kind::LocksWaited => {
                        start_labels.insert("longest".into(), human_seconds(period.peak));
                    }
                    _ => {}
                }
                let lasted = period.end.map(|end| end - period.start);
                out.push(Event {
                    at: period.start,
                    kind: began,
                    subject: subject.clone(),
                    instance: instance.clone(),
                    labels: start_labels,
                    seconds: lasted,
                });
                if let Some(end) = period.end {
                    out.push(Event {
                        at: end,
                        kind: ended,
                        subject: subject.clone(),
                        instance: instance.clone(),
                        labels: labels.clone(),
                        seconds: lasted,
                    });
                }
            }
        }
    }
    out.retain(|e| window.holds(e.at));
    out.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.kind.cmp(&b.kind)).then(a.subject.cmp(&b.subject)));
    out
}

/// Migration records: each distinct applied time of each recent-records series is a record,
/// its execution time read at the same point; open failures add their error class (and the
/// failures a runner recorded without an execution time).
fn migrations(answers: &Answers, window: &Window) -> Vec<Event> {
    let key = |s: &Series| (s.label("instance").to_string(), s.label("filename").to_string(), s.label("status").to_string());
    let mut out: Vec<Event> = Vec::new();
    for series in &answers.applied_at {
        let took = answers.execution.iter().find(|e| key(e) == key(series));
        let mut seen = BTreeSet::new();
        for &(point, at) in &series.points {
            if !seen.insert(at.to_bits()) {
                continue;
            }
            let status = series.label("status");
            let kind = match status {
                "success" => Kind::MigrationApplied,
                "failed" => Kind::MigrationFailed,
                _ => Kind::MigrationRecorded,
            };
            let seconds = took.and_then(|t| t.points.iter().find(|(p, _)| *p == point)).map(|(_, v)| *v);
            let labels =
                if kind == Kind::MigrationRecorded { [("status".to_string(), status.to_string())].into() } else { BTreeMap::new() };
            out.push(Event {
                at,
                kind,
                subject: series.label("filename").to_string(),
                instance: series.label("instance").to_string(),
                labels,
                seconds,
            });
        }
    }
    for series in &answers.failed_at {
        let class = series.label("error_class").to_string();
        let mut seen = BTreeSet::new();
        for &(_, at) in &series.points {
            if !seen.insert(at.to_bits()) {
                continue;
            }
            let same = |e: &&mut Event| {
                e.kind == Kind::MigrationFailed
                    && e.subject == series.label("filename")
                    && e.instance == series.label("instance")
                    && (e.at - at).abs() < 0.001
            };
            match out.iter_mut().find(same) {
                Some(event) => {
                    event.labels.insert("error_class".into(), class.clone());
                }
                None => out.push(Event {
                    at,
                    kind: Kind::MigrationFailed,
                    subject: series.label("filename").to_string(),
                    instance: series.label("instance").to_string(),
                    labels: [("error_class".to_string(), class.clone())].into(),
                    seconds: None,
                }),
            }
        }
    }
    out.retain(|e| window.holds(e.at));
    out
}

/// The details cell of an event: what people read after its title.
fn details(event: &Event, with_instance: bool) -> String {
    let mut parts = Vec::new();
    if !event.subject.is_empty() {
        parts.push(event.subject.clone());
    }
    let labels: Vec<String> = event.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if !labels.is_empty() {
        parts.push(labels.join(", "));
    }
    match (event.kind, event.seconds) {
        (Kind::MigrationApplied | Kind::MigrationFailed | Kind::MigrationRecorded, Some(s)) => {
            parts.push(format!("took {}", human_seconds(s)))
        }
        (Kind::MigrationApplied | Kind::MigrationFailed | Kind::MigrationRecorded, None) => {}
        (Kind::Neo4jUp | Kind::ExporterUp | Kind::LocksFreed | Kind::LongTransactionEnded | Kind::AlertResolved, Some(s)) => {
            parts.push(format!("after {}", human_seconds(s)))
        }
        (_, Some(s)) => parts.push(format!("for {}", human_seconds(s))),
        (_, None) => parts.push("still so at the end of the window".into()),
    }
    if with_instance && !event.instance.is_empty() && event.instance != event.subject {
        parts.push(format!("on {}", event.instance));
    }
    parts.join("; ")
}

/// Text from the database or Prometheus as a Markdown table cell: inert on a terminal (control
/// characters and newlines as escapes), bounded, and unable to end the cell, start markup or
/// a link.
pub fn markdown_cell(text: &str) -> String {
    let mut out = String::new();
    for c in for_display(text, Some(CELL_CHARS)).chars() {
        match c {
            '|' | '\\' | '`' | '[' | ']' | '*' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

fn instances(events: &[Event]) -> usize {
    events.iter().map(|e| e.instance.as_str()).filter(|i| !i.is_empty()).collect::<BTreeSet<_>>().len()
}

/// The timeline as a Markdown table to paste into a review.
pub fn markdown(events: &[Event], window: &Window, job: &str) -> String {
    let mut out = format!(
        "Timeline of job {} from {} to {} (step {}):\n\n",
        markdown_cell(job),
        human_time(window.from),
        human_time(window.to),
        human_seconds(window.step)
    );
    if events.is_empty() {
        out.push_str("Nothing happened in this window.\n");
        return out;
    }
    let with_instance = instances(events) > 1;
    out.push_str("| Time (UTC) | Event | Details |\n|---|---|---|\n");
    for event in events {
        let _ = writeln!(out, "| {} | {} | {} |", human_time(event.at), event.kind.title(), markdown_cell(&details(event, with_instance)));
    }
    out
}

/// RFC 3339 with milliseconds, in UTC.
fn rfc3339(at: f64) -> String {
    chrono::DateTime::from_timestamp_micros((at * 1e6) as i64)
        .map_or_else(String::new, |t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// The timeline as strict JSON; every value whole.
pub fn to_json(events: &[Event], window: &Window, job: &str) -> Json {
    json!({
        "job": job,
        "from": rfc3339(window.from),
        "to": rfc3339(window.to),
        "step_seconds": window.step,
        "events": events.iter().map(|e| json!({
            "time": rfc3339(e.at),
            "timestamp": e.at,
            "event": e.kind.key(),
            "subject": e.subject,
            "instance": e.instance,
            "labels": e.labels,
            "seconds": e.seconds,
            "details": details(e, true),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(labels: &[(&str, &str)], points: &[(f64, f64)]) -> Series {
        Series { labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), points: points.to_vec() }
    }

    const WINDOW: Window = Window { from: 1000.0, to: 1100.0, step: 1.0 };

    fn steps(from: f64, to: f64, value: f64) -> Vec<(f64, f64)> {
        (from as i64..=to as i64).map(|t| (t as f64, value)).collect()
    }

    #[test]
    fn a_matrix_is_read_with_its_labels_and_points() {
        let data = json!({"resultType": "matrix", "result": [
            {"metric": {"instance": "db:1", "filename": "V1.cypher"}, "values": [[1000, "1"], [1001.5, "2.5"], [1002, "NaN"]]}
        ]});
        let all = matrix(&data).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].label("filename"), "V1.cypher");
        assert_eq!(all[0].points[..2], [(1000.0, 1.0), (1001.5, 2.5)]);
        assert!(matrix(&json!({"resultType": "vector", "result": []})).is_err());
    }

    #[test]
    fn a_gap_ends_a_period_and_the_last_one_may_still_hold() {
        let mut points = steps(1010.0, 1020.0, 1.0);
        points.extend(steps(1050.0, 1100.0, 3.0));
        let found = periods(&series(&[], &points), &WINDOW);
        assert_eq!(
            found,
            [
                Period { start: 1010.0, end: Some(1021.0), first: 1.0, peak: 1.0 },
                Period { start: 1050.0, end: None, first: 3.0, peak: 3.0 },
            ]
        );
    }

    #[test]
    fn migrations_are_read_from_the_values_of_the_recent_series() {
        let answers = Answers {
            applied_at: vec![
                series(&[("instance", "db:1"), ("filename", "V1.cypher"), ("status", "success")], &steps(1010.0, 1100.0, 1009.25)),
                // Failed, retried and failed again: two records, one series.
                series(
                    &[("instance", "db:1"), ("filename", "V2.cypher"), ("status", "failed")],
                    &[(1030.0, 1029.5), (1031.0, 1029.5), (1060.0, 1059.0)],
                ),
                series(&[("instance", "db:1"), ("filename", "V0.cypher"), ("status", "success")], &steps(1000.0, 1100.0, 500.0)),
            ],
            execution: vec![
                series(&[("instance", "db:1"), ("filename", "V1.cypher"), ("status", "success")], &steps(1010.0, 1100.0, 0.035)),
                series(&[("instance", "db:1"), ("filename", "V2.cypher"), ("status", "failed")], &[(1030.0, 0.002), (1060.0, 0.004)]),
            ],
            failed_at: vec![series(&[("instance", "db:1"), ("filename", "V2.cypher"), ("error_class", "syntax")], &[(1060.0, 1059.0)])],
            ..Answers::default()
        };
        let found = events(&answers, &WINDOW);
        let brief: Vec<(f64, Kind, &str, Option<f64>)> = found.iter().map(|e| (e.at, e.kind, e.subject.as_str(), e.seconds)).collect();
        assert_eq!(
            brief,
            [
                (1009.25, Kind::MigrationApplied, "V1.cypher", Some(0.035)),
                (1029.5, Kind::MigrationFailed, "V2.cypher", Some(0.002)),
                (1059.0, Kind::MigrationFailed, "V2.cypher", Some(0.004)),
            ],
            "the record applied before the window is left out"
        );
        assert_eq!(found[2].labels.get("error_class").map(String::as_str), Some("syntax"));
        assert!(found[1].labels.is_empty(), "the superseded failure's class is no longer exported");
    }

    #[test]
    fn alerts_and_outages_start_and_end() {
        let answers = Answers {
            alerts: vec![series(
                &[
                    ("alertname", "Neo4jMigrationFailed"),
                    ("alertstate", "firing"),
                    ("severity", "critical"),
                    ("filename", "V2.cypher"),
                    ("instance", "e:1"),
                    ("job", "neo4j"),
                ],
                &steps(1031.0, 1070.0, 1.0),
            )],
            neo4j_down: vec![series(&[("instance", "e:1")], &steps(1080.0, 1100.0, 0.0))],
            long: vec![series(&[("instance", "e:1"), ("database", "neo4j")], &steps(1040.0, 1049.0, 31.0))],
            ..Answers::default()
        };
        let more = Answers {
            target_down: vec![series(&[("instance", "e:1"), ("job", "neo4j")], &steps(1001.0, 1004.0, 0.0))],
            blocked: vec![series(&[("instance", "e:1"), ("database", "neo4j")], &[(1042.0, 1.5), (1043.0, 2.5)])],
            ..Answers::default()
        };
        let brief: Vec<(f64, Kind, &str, Option<f64>)> = events(&more, &WINDOW)
            .into_iter()
            .map(|e| (e.at, e.kind, if e.subject == "neo4j" { "neo4j" } else { "e:1" }, e.seconds))
            .collect();
        assert_eq!(
            brief,
            [
                (1001.0, Kind::ExporterDown, "e:1", Some(4.0)),
                (1005.0, Kind::ExporterUp, "e:1", Some(4.0)),
                (1042.0, Kind::LocksWaited, "neo4j", Some(2.0)),
                (1044.0, Kind::LocksFreed, "neo4j", Some(2.0)),
            ]
        );
        assert_eq!(events(&more, &WINDOW)[2].labels, [("longest".to_string(), "2.5s".to_string())].into(), "the database is the subject");
        let found = events(&answers, &WINDOW);
        let brief: Vec<(f64, Kind, &str)> = found.iter().map(|e| (e.at, e.kind, e.subject.as_str())).collect();
        assert_eq!(
            brief,
            [
                (1031.0, Kind::AlertFiring, "Neo4jMigrationFailed"),
                (1040.0, Kind::LongTransaction, "neo4j"),
                (1050.0, Kind::LongTransactionEnded, "neo4j"),
                (1071.0, Kind::AlertResolved, "Neo4jMigrationFailed"),
                (1080.0, Kind::Neo4jDown, "e:1"),
            ]
        );
        assert_eq!(
            found[0].labels,
            [("filename".to_string(), "V2.cypher".to_string()), ("severity".to_string(), "critical".to_string())].into()
        );
        assert_eq!(found[1].labels["began"], human_time(1009.0), "31 s old when first seen at 1040");
        assert_eq!(found[3].seconds, Some(40.0));
        let table = markdown(&found, &WINDOW, "neo4j");
        assert!(table.contains("| Alert resolved | Neo4jMigrationFailed; filename=V2.cypher, severity=critical; after 40s |"), "{table}");
        assert!(table.contains("| Neo4j unreachable | e:1; still so at the end of the window |"), "{table}");
    }

    #[test]
    fn database_text_cannot_break_the_table_or_the_terminal() {
        let hostile = "V1|x\n| 1970 | forged | row |\u{1b}[2J<img src=x onerror=alert(1)>[a](javascript:x)`";
        let cell = markdown_cell(hostile);
        assert!(!cell.contains('\n') && !cell.contains('\u{1b}') && !cell.contains('<'), "{cell}");
        assert_eq!(cell.matches('|').count(), cell.matches("\\|").count(), "every pipe is escaped: {cell}");
        assert_eq!(
            cell,
            "V1\\|x\\\\n\\| 1970 \\| forged \\| row \\|\\\\u{1b}\\[2J&lt;img src=x onerror=alert(1)&gt;\\[a\\](javascript:x)\\`"
        );
        let event = Event {
            at: 1050.0,
            kind: Kind::MigrationFailed,
            subject: hostile.into(),
            instance: "e:1".into(),
            labels: BTreeMap::new(),
            seconds: None,
        };
        let table = markdown(std::slice::from_ref(&event), &WINDOW, "neo4j");
        assert_eq!(table.lines().filter(|l| l.starts_with('|')).count(), 3, "a header, its rule and one row:\n{table}");
        let text = serde_json::to_string(&to_json(&[event], &WINDOW, "neo4j")).unwrap();
        let back: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(back["events"][0]["subject"], hostile, "JSON keeps the name whole");
        assert_eq!(back["events"][0]["time"], "1970-01-01T00:17:30.000Z");
    }

    #[test]
    fn times_are_rfc_3339_or_unix_seconds_and_long_windows_take_coarser_steps() {
        assert_eq!(parse_time("2026-12-02T21:30:00Z"), Ok(1_796_247_000.0));
        assert_eq!(parse_time("2026-12-02T22:30:00+01:00"), Ok(1_796_247_000.0));
        assert_eq!(parse_time("1796247000.5"), Ok(1_796_247_000.5));
        assert!(parse_time("yesterday").is_err());
        assert_eq!(Window::new(0.0, 7200.0, None).step, 15.0);
        assert_eq!(Window::new(0.0, 7.0 * 86400.0, None).step, 55.0);
        assert_eq!(Window::new(0.0, 7200.0, Some(Duration::from_secs(1))).step, 1.0);
    }

    #[test]
    fn job_names_are_quoted_in_every_query() {
        for promql in queries("ne\"o", LONG_RUNNING) {
            assert!(promql.contains("job=\"ne\\\"o\""), "{promql}");
        }
        assert!(queries("neo4j", LONG_RUNNING)[6].ends_with("> 30"));
    }
}
