//! End to end with the real servers: Neo4j, the exporter, Prometheus (Debian's, loading the
//! shipped rules) and Alertmanager (Debian's, with the shipped routing) sending to a webhook
//! run here. A FAILED migration must page with its file's name and resolve once fixed, the
//! shipped inhibitions must hold, and every dashboard panel's query must return data.

mod common;

use std::time::{Duration, Instant};

use common::alertmanager::{rule_files, start_alertmanager, start_prometheus, Webhook};
use common::dashboards::{as_prometheus_would_run, dashboard_queries, query};
use common::{http_get, http_request, test_version, unique, Exporter, Neo4jServer};
use serde_json::Value as Json;

fn is_alert(alert: &Json, name: &str, status: &str) -> bool {
    alert["labels"]["alertname"] == name && alert["status"] == status
}

#[test]
fn a_failed_migration_pages_with_its_file_and_resolves_and_every_panel_has_data() {
    let dir = std::env::temp_dir().join(unique("e2e"));
    std::fs::create_dir_all(&dir).unwrap();
    let server = Neo4jServer::start(&test_version());

    // Enough of everything for every panel: migrations of each kind, a graph with orphans, an
    // index that failed, a constraint, and a migrations directory with one edited file.
    let migrations_dir = dir.join("migrations");
    std::fs::create_dir_all(&migrations_dir).unwrap();
    std::fs::write(
        migrations_dir.join("V001__users.cypher"),
        "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE;\n",
    )
    .unwrap();
    std::fs::write(migrations_dir.join("V002__backfill.cypher"), "MATCH (u:User) SET u.segment = 'edited after it ran';\n").unwrap();
    std::fs::write(migrations_dir.join("V003__pending.cypher"), "RETURN 1;\n").unwrap();
    server.write(&[
        "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE",
        "UNWIND range(1, 20) AS i CREATE (u:User {id: i})-[:PLACED]->(:Order {n: i})",
        "UNWIND range(1, 5) AS i CREATE (:Draft {n: i})",
        "CREATE (:Blob {p: reduce(s = '', i IN range(1, 5000) | s + 'abcdefgh')})",
        "CREATE INDEX blob_p FOR (b:Blob) ON (b.p)",
        "CREATE (:Migration {filename: 'V001__users.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT2H'), executionTime: 120, checksum: 'not-checked'})",
        "CREATE (:Migration {filename: 'V002__backfill.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT20M'), executionTime: 14350, checksum: 'sha-of-the-original'})",
        "CREATE (:Migration {filename: 'V010__reindex.cypher', status: 'RUNNING', appliedAt: datetime() - duration('PT3M')})",
        // A record a careless runner wrote, for the invalid-records panels.
        "CREATE (:Migration {filename: 'V000__hand_made.cypher', status: 'SUCCESS', appliedAt: 'last tuesday', executionTime: 'slow'})",
    ]);
    let sha = common::sha256_hex(&migrations_dir.join("V001__users.cypher"));
    server.write(&[&format!("MATCH (m:Migration {{filename: 'V001__users.cypher'}}) SET m.checksum = '{sha}'")]);

    let dir_flag = format!("--migrations.dir={}", migrations_dir.display());
    let backups = dir.join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    std::fs::write(backups.join("neo4j.dump"), "a dump").unwrap();
    let backup_flag = format!("--backup.dir={}", backups.display());
    let exporter = Exporter::start(
        &server.uri(),
        &[
            &dir_flag,
            &backup_flag,
            "--orphans.by-label",
            "--collector.migrations.interval=1s",
            "--collector.transactions.interval=1s",
            "--collector.jvm.interval=1s",
            "--collector.counts.interval=1s",
            "--collector.schema.interval=1s",
            "--collector.orphans.interval=2s",
        ],
    );
    let webhook = Webhook::start();
    let alertmanager = start_alertmanager(&dir, webhook.port);
    // A fix shows as resolved only after keep_firing_for; scaled from 5 minutes to 10 seconds.
    let prometheus =
        start_prometheus(&dir, exporter.port, alertmanager.port, &rule_files(&dir, &[("keep_firing_for: \"5m\"", "keep_firing_for: 10s")]));
    let prometheus_port = prometheus.port;

    // A migration fails while everything watches.
    server.write(&[
        "CREATE (:Migration {filename: 'V011__email_constraint.cypher', status: 'FAILED', appliedAt: datetime(), executionTime: 35,
                 description: 'FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists: An equivalent constraint already exists'})",
    ]);
    let page =
        webhook.wait_for("/pager", "Neo4jMigrationFailed page", |a| is_alert(a, "Neo4jMigrationFailed", "firing"), Duration::from_secs(60));
    assert_eq!(page["labels"]["filename"], "V011__email_constraint.cypher", "{page:#}");
    assert_eq!(page["labels"]["error_class"], "schema_conflict");
    assert_eq!(page["labels"]["severity"], "critical");
    let description = page["annotations"]["description"].as_str().unwrap();
    assert!(description.contains("V011__email_constraint.cypher") && description.contains(&format!("127.0.0.1:{}", exporter.port)));
    assert!(page["annotations"]["runbook_url"].as_str().unwrap().ends_with("#neo4jmigrationfailed"));

    // Every dashboard panel asks for something the exporter serves.
    let deadline = Instant::now() + Duration::from_secs(90);
    // (Staging's panel needs a staging server: tests/migration_day.rs runs it with one.)
    for (dashboard, title, expr) in dashboard_queries().into_iter().filter(|(_, _, expr)| !expr.contains("_on_staging")) {
        let promql = as_prometheus_would_run(&expr);
        loop {
            let answer = query(prometheus_port, &promql);
            assert_eq!(answer["status"], "success", "{dashboard} / {title}: {promql}: {answer}");
            if answer["data"]["result"].as_array().is_some_and(|r| !r.is_empty()) {
                break;
            }
            assert!(Instant::now() < deadline, "{dashboard} / {title} returns no series: {promql}");
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    // The RUNNING record V010 with V003 still pending is a run under way: announced, not paged.
    let announced = webhook.wait_for(
        "/announce",
        "the run in progress announced",
        |a| is_alert(a, "Neo4jMigrationRunInProgress", "firing"),
        Duration::from_secs(60),
    );
    assert!(announced["annotations"]["description"].as_str().unwrap().contains("0 applied, 1 to go"), "{announced}");

    // The migration is fixed and retried: the page resolves.
    server.write(&["MATCH (m:Migration {filename: 'V011__email_constraint.cypher'}) SET m.status = 'SUCCESS', m.description = 'retried'"]);
    let resolved = webhook.wait_for(
        "/pager",
        "resolved Neo4jMigrationFailed",
        |a| is_alert(a, "Neo4jMigrationFailed", "resolved") && a["labels"]["filename"] == "V011__email_constraint.cypher",
        Duration::from_secs(90),
    );
    assert_eq!(resolved["labels"]["error_class"], "schema_conflict");
    // The slow V002 (14.35 s, 20 minutes ago) is a ticket of its own: the edited V002 keeps a
    // critical firing for the same instance, and that does not hold an unrelated warning back.
    let (_, alerts) = http_get(prometheus_port, "/api/v1/alerts").unwrap();
    let alerts: Json = serde_json::from_str(&alerts).unwrap();
    let firing: Vec<&str> = alerts["data"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == "firing")
        .map(|a| a["labels"]["alertname"].as_str().unwrap())
        .collect();
    assert!(firing.contains(&"Neo4jMigrationSlow") && firing.contains(&"Neo4jMigrationChecksumMismatch"), "{firing:?}");
    let slow =
        webhook.wait_for("/ticket", "the slow-migration ticket", |a| is_alert(a, "Neo4jMigrationSlow", "firing"), Duration::from_secs(30));
    assert_eq!(slow["labels"]["filename"], "V002__backfill.cypher");
    drop(prometheus);
}

fn post_alert(port: u16, name: &str, severity: &str, instance: &str) {
    let body = format!(
        "[{{\"labels\": {{\"alertname\": \"{name}\", \"severity\": \"{severity}\", \"instance\": \"{instance}\", \"job\": \"neo4j\"}}}}]"
    );
    let (status, answer) = http_request(port, "POST", "/api/v2/alerts", Some(&body)).unwrap();
    assert_eq!(status, 200, "{answer}");
}

/// Alert name and whether it is inhibited, for one instance.
fn inhibition(port: u16, instance: &str) -> Vec<(String, bool)> {
    let (_, body) = http_get(port, "/api/v2/alerts").unwrap();
    let alerts: Json = serde_json::from_str(&body).unwrap();
    let mut out: Vec<(String, bool)> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["labels"]["instance"] == instance)
        .map(|a| {
            let inhibited = a["status"]["inhibitedBy"].as_array().is_some_and(|by| !by.is_empty());
            (a["labels"]["alertname"].as_str().unwrap().to_string(), inhibited)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_shipped_inhibitions_hold_in_a_real_alertmanager() {
    let dir = std::env::temp_dir().join(unique("inhibit"));
    std::fs::create_dir_all(&dir).unwrap();
    let webhook = Webhook::start();
    let am = start_alertmanager(&dir, webhook.port);
    // a: a critical and an unrelated warning for one instance; b: Neo4j down and a critical;
    // c: a warning alone; e: a failed index and its stalled population, and another index.
    post_alert(am.port, "Neo4jMigrationFailed", "critical", "a:1");
    post_alert(am.port, "Neo4jMigrationSlow", "warning", "a:1");
    post_labelled(am.port, &[("alertname", "Neo4jIndexFailed"), ("severity", "critical"), ("instance", "e:1"), ("index", "a")]);
    for index in ["a", "b"] {
        post_labelled(
            am.port,
            &[("alertname", "Neo4jIndexPopulationStalled"), ("severity", "warning"), ("instance", "e:1"), ("index", index)],
        );
    }
    post_alert(am.port, "Neo4jDown", "critical", "b:1");
    post_alert(am.port, "Neo4jIndexFailed", "critical", "b:1");
    post_alert(am.port, "Neo4jExporterDown", "critical", "d:1");
    post_alert(am.port, "Neo4jMigrationStuck", "warning", "d:1");
    post_alert(am.port, "Neo4jLongRunningQuery", "warning", "c:1");
    let expected = [
        ("a:1", vec![("Neo4jMigrationFailed".to_string(), false), ("Neo4jMigrationSlow".to_string(), false)]),
        ("b:1", vec![("Neo4jDown".to_string(), false), ("Neo4jIndexFailed".to_string(), true)]),
        ("d:1", vec![("Neo4jExporterDown".to_string(), false), ("Neo4jMigrationStuck".to_string(), true)]),
        ("c:1", vec![("Neo4jLongRunningQuery".to_string(), false)]),
        // Index a's stalled population is held back by its failure; index b's is not.
        (
            "e:1",
            vec![
                ("Neo4jIndexFailed".to_string(), false),
                ("Neo4jIndexPopulationStalled".to_string(), false),
                ("Neo4jIndexPopulationStalled".to_string(), true),
            ],
        ),
    ];
    let deadline = Instant::now() + Duration::from_secs(20);
    for (instance, want) in expected {
        loop {
            let got = inhibition(am.port, instance);
            if got == want {
                break;
            }
            assert!(Instant::now() < deadline, "{instance}: got {got:?}, want {want:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // Only what is not inhibited is sent: pages for the criticals, a ticket for c's warning.
    webhook.wait_for("/ticket", "c's warning", |a| a["labels"]["instance"] == "c:1", Duration::from_secs(20));
    webhook.wait_for("/pager", "b's Neo4jDown", |a| a["labels"]["instance"] == "b:1", Duration::from_secs(20));
    // What must not arrive cannot be polled for: three more evaluation and group intervals.
    std::thread::sleep(Duration::from_secs(3));
    // (The chat messages at /slack carry text, not labels: tests/notifications.rs reads them.)
    let sent: Vec<_> = webhook.received.lock().unwrap().iter().filter(|(path, _)| path != "/slack").cloned().collect();
    for (_, body) in sent {
        for alert in body["alerts"].as_array().unwrap() {
            let name = alert["labels"]["alertname"].as_str().unwrap();
            let instance = alert["labels"]["instance"].as_str().unwrap();
            assert!(
                ![("b:1", "Neo4jIndexFailed"), ("d:1", "Neo4jMigrationStuck")].contains(&(instance, name)),
                "{name} was inhibited yet sent"
            );
            let held = alert["labels"]["instance"] == "e:1" && name == "Neo4jIndexPopulationStalled" && alert["labels"]["index"] == "a";
            assert!(!held, "a's stalled population was inhibited by its failure yet sent");
        }
    }
    // A critical for an instance no longer mutes its unrelated warnings.
    webhook.wait_for("/ticket", "a's slow-migration warning", |a| a["labels"]["instance"] == "a:1", Duration::from_secs(20));
}

fn post_labelled(port: u16, labels: &[(&str, &str)]) {
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("\"{k}\": \"{v}\"")).collect();
    let body = format!("[{{\"labels\": {{{}, \"job\": \"neo4j\"}}}}]", labels.join(", "));
    let (status, answer) = http_request(port, "POST", "/api/v2/alerts", Some(&body)).unwrap();
    assert_eq!(status, 200, "{answer}");
}

/// Every notification received so far, in order: (receiver path, alert name, status, startsAt,
/// filename).
fn notifications(webhook: &Webhook) -> Vec<(String, String, String, String, String)> {
    let text = |v: &Json| v.as_str().unwrap_or("").to_string();
    webhook
        .received
        .lock()
        .unwrap()
        .iter()
        .flat_map(|(path, body)| {
            body["alerts"].as_array().cloned().unwrap_or_default().into_iter().map(move |a| {
                (path.clone(), text(&a["labels"]["alertname"]), text(&a["status"]), text(&a["startsAt"]), text(&a["labels"]["filename"]))
            })
        })
        .collect()
}

/// Neo4j stopped for three minutes, then the exporter killed with SIGKILL and started again,
/// with the shipped rules and routes unchanged: a FAILED migration and the partial run it made
/// stay one page each throughout (never resolved, never paged anew), Neo4jDown pages and resolves, and no warning gets out that
/// an inhibition should hold, nor a collector ticket after Neo4j returns.
#[test]
fn outages_neither_resolve_nor_repage_a_failed_migration() {
    let dir = std::env::temp_dir().join(unique("outage"));
    std::fs::create_dir_all(&dir).unwrap();
    let version = test_version();
    let server = Neo4jServer::start(&version);
    server.write(&[
        // A success and a failure inside the one-hour window: a partial run too.
        "CREATE (:Migration {filename: 'V1__users.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT20M'), executionTime: 100})",
        "CREATE (:Migration {filename: 'V2__typo.cypher', status: 'FAILED', appliedAt: datetime() - duration('PT10M'), executionTime: 20,
                 description: 'FAILED: Invalid input \\'CRATE\\' (line 1, column 1 (offset: 0))'})",
        "CREATE (:Migration {filename: 'V3__reindex.cypher', status: 'RUNNING', appliedAt: datetime() - duration('PT40M')})",
    ]);
    let fast = [
        "--neo4j.check-interval=1s",
        "--neo4j.max-backoff=2s",
        "--collector.migrations.interval=1s",
        "--collector.schema.interval=1s",
        "--collector.counts.interval=2s",
        "--collector.orphans.interval=30s",
    ];
    let exporter = Exporter::start(&server.uri(), &fast);
    let port = exporter.port;
    let webhook = Webhook::start();
    let alertmanager = start_alertmanager(&dir, webhook.port);
    let prometheus = start_prometheus(&dir, port, alertmanager.port, &rule_files(&dir, &[]));
    let prometheus_port = prometheus.port;
    let minute = Duration::from_secs(60);
    let page = webhook.wait_for("/pager", "the failed migration's page", |a| is_alert(a, "Neo4jMigrationFailed", "firing"), minute);
    let started_at = page["startsAt"].as_str().unwrap().to_string();
    let partial = webhook.wait_for("/pager", "the partial run's page", |a| is_alert(a, "Neo4jMigrationPartiallyApplied", "firing"), minute);
    let partial_at = partial["startsAt"].as_str().unwrap().to_string();
    webhook.wait_for("/ticket", "the stuck migration's ticket", |a| is_alert(a, "Neo4jMigrationStuck", "firing"), minute);
    let before = notifications(&webhook).len();

    // Neo4j goes away for three minutes: long enough for Neo4jDown to page.
    server.stop();
    let stopped = Instant::now();
    webhook.wait_for("/pager", "Neo4jDown", |a| is_alert(a, "Neo4jDown", "firing"), 4 * minute);
    let scrape = exporter.scrape();
    assert_eq!(scrape.value("neo4j_up", &[]), Some(0.0));
    assert_eq!(
        scrape.value("neo4j_migration_failed", &[("filename", "V2__typo.cypher"), ("error_class", "syntax")]),
        Some(1.0),
        "last known"
    );
    assert_eq!(scrape.value("neo4j_exporter_collector_success", &[("collector", "migrations")]), Some(0.0), "and said to be");
    assert_eq!(scrape.value("neo4j_exporter_collector_success", &[("collector", "counts")]), Some(0.0));
    assert!(!scrape.has("neo4j_transactions"), "activity is not kept: {}", scrape.0);
    // The outage lasts its three minutes, whatever came before: a duration, not a wait.
    while stopped.elapsed() < 3 * minute {
        std::thread::sleep(Duration::from_secs(1));
    }
    server.restart(&version);
    webhook.wait_for("/pager", "Neo4jDown resolved", |a| is_alert(a, "Neo4jDown", "resolved"), 2 * minute);
    exporter.scrape_until(minute, "every collector back", |s| {
        ["migrations", "counts", "orphans", "schema"]
            .iter()
            .all(|c| s.value("neo4j_exporter_collector_success", &[("collector", c)]) == Some(1.0))
    });

    // The exporter is killed and started again on its port.
    exporter.kill();
    let deadline = Instant::now() + minute;
    while query(prometheus_port, "up")["data"]["result"][0]["value"][1] != "0" {
        assert!(Instant::now() < deadline, "Prometheus never saw the exporter down");
        std::thread::sleep(Duration::from_millis(200));
    }
    let exporter = Exporter::start_on_port(port, &server.uri(), &fast);
    exporter.scrape_until(minute, "the migrations read again", |s| s.has("neo4j_migration_failed"));
    // Time for any notification the restart would cause: an absence, so a fixed window.
    std::thread::sleep(Duration::from_secs(20));

    let after: Vec<_> = notifications(&webhook).into_iter().skip(before).collect();
    for (path, name, status, starts_at, filename) in &after {
        let what = format!("{path} {name} {status} {filename} since {starts_at}");
        assert_ne!(name, "Neo4jExporterCollectorFailing", "a collector ticket: {what}");
        // The RUNNING record V3 is a run under way all along: never announced as complete.
        if name == "Neo4jMigrationRunInProgress" {
            assert_eq!((path.as_str(), status.as_str()), ("/announce", "firing"), "{what}");
            continue;
        }
        if name == "Neo4jMigrationFailed" || name == "Neo4jMigrationPartiallyApplied" {
            let first = if name == "Neo4jMigrationFailed" { &started_at } else { &partial_at };
            assert_eq!(status, "firing", "reported resolved while still true: {what}");
            assert_eq!(starts_at, first, "paged anew: {what}");
        }
        assert!(path == "/pager" || name == "Neo4jMigrationStuck", "a ticket that inhibition should have held: {what}");
        if path == "/ticket" {
            assert_eq!(status, "firing");
        }
    }
    assert!(after.iter().any(|(_, name, status, ..)| name == "Neo4jDown" && status == "firing"), "{after:#?}");
}
