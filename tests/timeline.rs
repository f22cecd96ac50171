//! The post-incident timeline against the real servers: a Neo4j of the test's own, the exporter
//! polling it, and Prometheus (Debian's, with the shipped rules) scraping the exporter every
//! second. A migration is applied and another fails through a real runner, Neo4j goes away
//! and comes back, and the failed file is fixed; `timeline` must then tell each of these at
//! the time it happened, give or take the intervals that separate the event from Prometheus
//! seeing it, in Markdown and in JSON. The status page's "Last 24 h" strip must show the same
//! migrations and the outage, as headless Chromium renders it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::dashboards::query;
use common::service::Service;
use common::{chromium, exporter_binary, recorders, repo_root, test_version, unique, Exporter, Neo4jServer};
use serde_json::Value as Json;

/// The intervals the scenario runs with, in seconds: Prometheus scrapes and evaluates every
/// second, the exporter checks Neo4j and reads migrations every second, `timeline` steps by one.
const SCRAPE: f64 = 1.0;
const EVALUATION: f64 = 1.0;
const POLL: f64 = 1.0;
const STEP: f64 = 1.0;
/// `keep_firing_for` and the `for:` of the down alerts, scaled from minutes.
const KEEP_FIRING: f64 = 3.0;
const DOWN_FOR: f64 = 2.0;
/// What a run of the migrations collector or a connectivity check may add to the poll, and the
/// jitter of a scrape against its interval.
const SLACK: f64 = 0.5;
/// `timeline --long-running`, in seconds: short, so that a transaction held a moment is long.
const LONG_RUNNING: f64 = 2.0;

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// The shipped rules with their minutes scaled to seconds, as Prometheus loads them.
fn scaled_rules(dir: &Path) -> PathBuf {
    let shipped = std::fs::read_to_string(repo_root().join("alerts/neo4j.rules.yml")).unwrap();
    // The file is rendered from the mixin, which quotes every string.
    for needle in ["keep_firing_for: \"5m\"", "for: \"2m\""] {
        assert!(shipped.contains(needle), "alerts/neo4j.rules.yml has no {needle}: scale its new form");
    }
    let text = shipped
        .replace("keep_firing_for: \"5m\"", &format!("keep_firing_for: {KEEP_FIRING}s"))
        .replace("for: \"2m\"", &format!("for: {DOWN_FOR}s"));
    let path = dir.join("neo4j.rules.yml");
    std::fs::write(&path, text).unwrap();
    path
}

fn prometheus(dir: &Path, exporter: u16) -> Service {
    let config = format!(
        "global:\n  scrape_interval: {SCRAPE}s\n  evaluation_interval: {EVALUATION}s\n\
         rule_files:\n  - {}\n\
         scrape_configs:\n  - job_name: neo4j\n    static_configs:\n      - targets: ['127.0.0.1:{exporter}']\n",
        scaled_rules(dir).display()
    );
    Service::prometheus(dir, &config)
}

/// Polls Prometheus until `promql` returns a series (or, with `want_none`, none), and returns when.
fn until_prometheus(port: u16, promql: &str, want_none: bool) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer = query(port, promql);
        let found = answer["data"]["result"].as_array().is_some_and(|r| !r.is_empty());
        if found != want_none {
            return now();
        }
        assert!(Instant::now() < deadline, "Prometheus never answered {promql} as wanted: {answer}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs the go runner on one file; returns what it said and when it started and ended.
fn apply(server: &Neo4jServer, file: &Path) -> (String, f64, f64) {
    let before = now();
    let said = recorders::record("go", server, "Migration", &["--keep-going"], &[file]);
    (said, before, now())
}

fn timeline(prometheus: u16, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(exporter_binary())
        .arg("timeline")
        .arg(format!("--prometheus.url=http://127.0.0.1:{prometheus}"))
        .args(args)
        .env_remove("NEO4J_PASSWORD")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
}

/// The one JSON event of `kind` about `subject` (and, if given, with `label`), failing otherwise.
fn event<'j>(events: &'j [Json], kind: &str, subject: &str, label: Option<(&str, &str)>) -> &'j Json {
    let matching: Vec<&Json> = events
        .iter()
        .filter(|e| e["event"] == kind && e["subject"] == subject)
        .filter(|e| label.is_none_or(|(k, v)| e["labels"][k] == v))
        .collect();
    assert_eq!(matching.len(), 1, "one {kind} of {subject} {label:?} expected in {events:#?}");
    matching[0]
}

fn assert_between(what: &str, at: f64, earliest: f64, latest: f64) {
    assert!(at >= earliest && at <= latest, "{what} at {at:.3}, expected between {earliest:.3} and {latest:.3}");
}

/// The time of the Markdown row of `title` whose details start with `subject`.
fn markdown_time(table: &str, title: &str, subject: &str) -> f64 {
    let row = table
        .lines()
        .find(|line| line.contains(&format!(" | {title} | {subject}")))
        .unwrap_or_else(|| panic!("no {title} row for {subject}:\n{table}"));
    let time = row.trim_start_matches("| ").split(" | ").next().unwrap();
    chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%SZ").unwrap().and_utc().timestamp() as f64
}

#[test]
fn the_timeline_tells_a_migration_a_failure_an_outage_and_the_fix_when_they_happened() {
    let started = now();
    let dir = std::env::temp_dir().join(unique("timeline"));
    let migrations = dir.join("migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let v1 = migrations.join("V1__people.cypher");
    let v2 = migrations.join("V2__email.cypher");
    std::fs::write(&v1, "CREATE (:Person {name: 'Ada'});\n").unwrap();
    std::fs::write(&v2, "CRATE (:Email {address: 'ada@example.com'});\n").unwrap();

    let version = test_version();
    let server = Neo4jServer::start(&version);
    let exporter = Exporter::start(
        &server.uri(),
        &[
            "--neo4j.check-interval=1s",
            "--neo4j.max-backoff=1s",
            "--collector.migrations.interval=1s",
            "--collector.transactions.interval=1s",
            "--collector.counts.interval=30s",
            "--collector.schema.interval=30s",
            "--collector.orphans.interval=60s",
        ],
    );
    let prometheus = prometheus(&dir, exporter.port);
    let port = prometheus.port;
    until_prometheus(port, "up{job=\"neo4j\"} == 1 and on (instance) neo4j_up == 1", false);
    let minute = Duration::from_secs(60);

    // A migration is applied.
    let (said, v1_from, v1_to) = apply(&server, &v1);
    assert_eq!(recorders::outcome(&said, &v1), Some("SUCCESS"), "{said}");
    // Another fails: a syntax error Neo4j refuses.
    let (said, v2_from, v2_to) = apply(&server, &v2);
    assert_eq!(recorders::outcome(&said, &v2), Some("FAILED"), "{said}");
    let name = |path: &Path| path.to_string_lossy().to_string();
    exporter.scrape_until(minute, "the failure exported", |s| s.value("neo4j_migration_failed", &[("filename", &name(&v2))]) == Some(1.0));
    until_prometheus(port, "ALERTS{alertname=\"Neo4jMigrationFailed\",alertstate=\"firing\"}", false);

    // Neo4j goes away until the exporter says so and the down alert fires, then comes back.
    let stop_from = now();
    server.stop();
    exporter.scrape_until(minute, "neo4j_up 0", |s| s.value("neo4j_up", &[]) == Some(0.0));
    let down_seen = now();
    until_prometheus(port, "ALERTS{alertname=\"Neo4jDown\",alertstate=\"firing\"}", false);
    let restart_from = now();
    server.restart(&version);
    exporter.scrape_until(minute, "neo4j_up 1", |s| s.value("neo4j_up", &[]) == Some(1.0));
    let up_seen = now();
    until_prometheus(port, "ALERTS{alertname=\"Neo4jDown\"}", true);

    // A transaction holds a lock long enough to be long, and another waits for it.
    server.write(&["CREATE (:Locked {id: 1})"]);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let graph = neo4rs::Graph::new(server.uri(), "neo4j", server.password.clone()).unwrap();
    let hold_from = now();
    let mut holder = runtime.block_on(graph.start_txn()).unwrap();
    runtime.block_on(holder.run(neo4rs::query("MATCH (n:Locked) SET n.v = 1"))).unwrap();
    let waiting = graph.clone();
    let wait_from = now();
    let waiter = runtime.spawn(async move {
        let mut tx = waiting.start_txn().await?;
        tx.run(neo4rs::query("MATCH (n:Locked) SET n.v = 2")).await?;
        tx.commit().await
    });
    let long = format!("--long-running={LONG_RUNNING}s");
    until_prometheus(port, "max(neo4j_transactions_blocked_oldest_seconds) > 0", false);
    let blocked_seen = now();
    until_prometheus(port, &format!("max(neo4j_transaction_oldest_seconds) > {LONG_RUNNING}"), false);
    let long_seen = now();
    let release_from = now();
    runtime.block_on(holder.rollback()).unwrap();
    runtime.block_on(waiter).unwrap().unwrap();
    exporter.scrape_until(minute, "no transaction blocked or long", |s| {
        s.samples("neo4j_transactions_blocked_oldest_seconds").iter().all(|(_, v)| *v == 0.0)
            && s.samples("neo4j_transaction_oldest_seconds").iter().all(|(_, v)| *v <= LONG_RUNNING)
    });
    let released_seen = now();
    until_prometheus(port, "max(neo4j_transactions_blocked_oldest_seconds) > 0", true);

    // The failed file is fixed and applied; its alert resolves.
    std::fs::write(&v2, "CREATE (:Email {address: 'ada@example.com'});\n").unwrap();
    let (said, fix_from, fix_to) = apply(&server, &v2);
    assert_eq!(recorders::outcome(&said, &v2), Some("SUCCESS"), "{said}");
    until_prometheus(port, "ALERTS{alertname=\"Neo4jMigrationFailed\"}", true);
    // A range query sees an end only at a step after it: the window must reach one step past.
    std::thread::sleep(Duration::from_secs_f64(STEP));

    // Both outputs read the same window, so they tell the same events.
    let (from, to) = (format!("{}", started.floor()), format!("{:.3}", now()));
    let (code, json, stderr) = timeline(port, &["--from", &from, "--to", &to, "--step=1s", &long, "--output=json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: Json = serde_json::from_str(&json).expect("strict JSON");
    let events = json["events"].as_array().unwrap().clone();
    let at = |e: &Json| e["timestamp"].as_f64().unwrap();

    // Migration times are the records' own: exact, within the runner's run.
    let applied = event(&events, "migration_applied", &name(&v1), None);
    assert_between("V1 applied", at(applied), v1_from, v1_to);
    assert!(applied["seconds"].as_f64().is_some(), "{applied}");
    let failed = event(&events, "migration_failed", &name(&v2), None);
    assert_between("V2 failed", at(failed), v2_from, v2_to);
    assert_eq!(failed["labels"]["error_class"], "syntax", "{failed}");
    let fixed = event(&events, "migration_applied", &name(&v2), None);
    assert_between("V2 fixed", at(fixed), fix_from, fix_to);

    // The alert is seen by Prometheus a poll, a scrape and an evaluation after the record.
    let seen_after = POLL + SCRAPE + EVALUATION + STEP + SLACK;
    let firing = event(&events, "alert_firing", "Neo4jMigrationFailed", Some(("filename", &name(&v2))));
    assert_between("Neo4jMigrationFailed firing", at(firing), v2_from, v2_to + seen_after);
    let resolved = event(&events, "alert_resolved", "Neo4jMigrationFailed", Some(("filename", &name(&v2))));
    assert_between("Neo4jMigrationFailed resolved", at(resolved), fix_from + KEEP_FIRING - EVALUATION, fix_to + seen_after + KEEP_FIRING);

    // The outage: from when Neo4j was stopped to a scrape after the exporter said so.
    let instance = format!("127.0.0.1:{}", exporter.port);
    let down = event(&events, "neo4j_down", &instance, None);
    assert_between("Neo4j down", at(down), stop_from, down_seen + SCRAPE + STEP + SLACK);
    let back = event(&events, "neo4j_up", &instance, None);
    assert_between("Neo4j back", at(back), restart_from, up_seen + SCRAPE + STEP + SLACK);
    assert!((back["seconds"].as_f64().unwrap() - (at(back) - at(down))).abs() < 0.01, "{back}");
    let paged = event(&events, "alert_firing", "Neo4jDown", None);
    assert_between(
        "Neo4jDown firing",
        at(paged),
        at(down) + DOWN_FOR - EVALUATION,
        down_seen + SCRAPE + EVALUATION + DOWN_FOR + STEP + SLACK,
    );
    let cleared = event(&events, "alert_resolved", "Neo4jDown", None);
    assert_between("Neo4jDown resolved", at(cleared), restart_from, up_seen + SCRAPE + EVALUATION + STEP + SLACK);

    // The lock wait and the long transaction, from when they began to a scrape after the
    // exporter's poll saw them; the long one began when the holder did.
    let seen_after = POLL + SCRAPE + STEP + SLACK;
    let waited = event(&events, "lock_wait_started", "neo4j", None);
    assert_between("lock wait", at(waited), wait_from, blocked_seen + STEP);
    let freed = event(&events, "lock_wait_ended", "neo4j", None);
    assert_between("lock wait ended", at(freed), release_from, released_seen + seen_after);
    let long_one = event(&events, "long_transaction_started", "neo4j", None);
    assert_between("long transaction", at(long_one), hold_from + LONG_RUNNING, long_seen + STEP);
    let ended = event(&events, "long_transaction_ended", "neo4j", None);
    assert_between("long transaction ended", at(ended), release_from, released_seen + seen_after);

    let times: Vec<f64> = events.iter().map(at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in time order: {times:?}");
    assert!(events.iter().all(|e| e["time"].as_str().unwrap().ends_with('Z')), "RFC 3339 in UTC");

    // The same events in Markdown, each row at its second.
    let (code, table, stderr) = timeline(port, &["--from", &from, "--to", &to, "--step=1s", &long]);
    assert_eq!(code, 0, "{stderr}");
    assert!(table.contains("| Time (UTC) | Event | Details |\n|---|---|---|\n"), "{table}");
    for (title, subject, event) in [
        ("Migration applied", name(&v1), applied),
        ("Migration failed", name(&v2), failed),
        ("Alert firing", "Neo4jMigrationFailed".to_string(), firing),
        ("Neo4j unreachable", instance.clone(), down),
        ("Neo4j back", instance.clone(), back),
        ("Alert resolved", "Neo4jDown".to_string(), cleared),
    ] {
        assert_eq!(markdown_time(&table, title, &subject), at(event).floor(), "{title} {subject}:\n{table}");
    }
    let rows = table.lines().filter(|l| l.starts_with("| 20")).count();
    assert_eq!(rows, events.len(), "one row per event:\n{table}");
    eprintln!("{table}");

    // The status page's strip: both files, the failure in red, and the outage.
    let screenshot = std::env::temp_dir().join(format!("{}.png", unique("timeline-page")));
    let dom = chromium(&format!("http://127.0.0.1:{}/", exporter.port), &screenshot);
    let strip = &dom[dom.find("id=\"last-24h\"").expect("the strip is on the page")..];
    let strip = &strip[..strip.find("</svg>").expect("the strip is an SVG")];
    assert!(strip.contains("<svg") && strip.contains("viewBox=\"0 0 600 72\""), "{strip}");
    for expected in [
        format!("{} applied at", name(&v1)),
        format!("{} failed at", name(&v2)),
        format!("{} applied at", name(&v2)),
        "Neo4j unreachable from".to_string(),
        "1 failed), 1 Neo4j outages".to_string(),
    ] {
        assert!(strip.contains(&expected), "the strip lacks {expected:?}:\n{strip}");
    }
    assert_eq!(strip.matches("class=\"outage\"").count(), 1, "{strip}");
    let png = std::fs::read(&screenshot).expect("a screenshot");
    assert!(png.len() > 1000 && png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG: {} bytes", png.len());
    eprintln!("status page screenshot: {}", screenshot.display());
    drop(prometheus);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_timeline_flags_exit_2_naming_the_flag() {
    let prometheus = format!("http://127.0.0.1:{}", common::free_port());
    for (args, flag) in [
        (vec!["--since=soon"], "--since"),
        (vec!["--from=yesterday"], "--from"),
        (vec!["--from=2026-12-02T22:00:00Z", "--to=2026-12-02T21:00:00Z"], "--from"),
        (vec!["--output=html"], "--output"),
        (vec!["--step=0s"], "--step"),
        (vec!["--since=24h", "--step=1s"], "--step"),
        (vec!["--long-running=long"], "--long-running"),
        (vec!["--since=1h", "--from=0"], "--since"),
        (vec!["--to=0"], "--to"),
        (vec!["--sinse=1h"], "--sinse"),
    ] {
        let out =
            Command::new(exporter_binary()).arg("timeline").arg(format!("--prometheus.url={prometheus}")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag) && stderr.trim().lines().count() == 1, "{args:?}: {stderr}");
    }
    let out = Command::new(exporter_binary()).args(["timeline", "--since=1h"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--prometheus.url"));
    // Prometheus that is not there: a connection error, also 2, in one sentence.
    let out = Command::new(exporter_binary()).args(["timeline", &format!("--prometheus.url={prometheus}")]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot connect"), "{stderr}");
}
