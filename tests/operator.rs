//! The operator tools against a real Neo4j: `status` (table and JSON), every `check`
//! condition and exit code, and the status page as headless Chromium shows it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{chromium, exporter_binary, unique, visible_text, Exporter, Neo4jServer, PASSWORD};

/// Runs a one-shot command with the test password; returns exit code, stdout and stderr.
fn run(server_uri: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(exporter_binary())
        .args(args)
        .arg(format!("--neo4j.uri={server_uri}"))
        .env("NEO4J_PASSWORD", PASSWORD)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
}

/// A label of its own with a success, a slow success, a failure and a running migration, and
/// a migrations directory where one applied file was edited and one was never applied.
fn scenario(server: &Neo4jServer) -> (String, PathBuf) {
    let label = unique("Migration");
    let dir = std::env::temp_dir().join(unique("operator-migrations"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("V1__users.cypher"), "CREATE INDEX user_name IF NOT EXISTS FOR (u:User) ON (u.name);\n").unwrap();
    std::fs::write(dir.join("V2__backfill.cypher"), "MATCH (u:User) SET u.flag = true;\n").unwrap();
    std::fs::write(dir.join("V5__later.cypher"), "RETURN 1;\n").unwrap();
    let v1 = common::sha256_hex(&dir.join("V1__users.cypher"));
    server.write(&[&format!(
        "CREATE (:`{label}` {{filename: 'V1__users.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT2H'), executionTime: 250, checksum: '{v1}'}}),
                (:`{label}` {{filename: 'V2__backfill.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT1H'), executionTime: 14350, checksum: 'before-the-edit'}}),
                (:`{label}` {{filename: 'V3__email.cypher', status: 'FAILED', appliedAt: datetime() - duration('PT10M'), executionTime: 35,
                              description: 'FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists: An equivalent constraint already exists\\nat line 1'}}),
                (:`{label}` {{filename: 'V4__reindex.cypher', status: 'RUNNING', appliedAt: datetime() - duration('PT5M')}})"
    )]);
    (label, dir)
}

fn flags(label: &str, dir: &Path) -> [String; 2] {
    [format!("--migrations.label={label}"), format!("--migrations.dir={}", dir.display())]
}

#[test]
fn status_prints_a_table_and_json() {
    let server = Neo4jServer::shared();
    let (label, dir) = scenario(server);
    let [l, d] = flags(&label, &dir);
    let (code, table, stderr) = run(&server.uri(), &["status", &l, &d]);
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        &format!("Neo4j {} (community) at {}", server.version(), server.uri()),
        "Migrations: 2 success, 1 failed, 0 pending, 1 running, 0 rolled back, 0 unknown",
        "V3__email.cypher  schema_conflict  FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists: An equivalent constraint already exists\n",
        "V4__reindex.cypher  running  5m",
        "Migration files: 3 in all, 1 pending, 1 modified after they were applied",
        "pending   V5__later.cypher",
        "modified  V2__backfill.cypher",
        "Transactions: ",
        "Indexes: ",
    ] {
        assert!(table.contains(expected), "missing {expected:?} in:\n{table}");
    }
    assert!(!table.contains("at line 1"), "only the first line of an error is shown");
    assert!(!table.contains('\x1b'), "NO_COLOR is respected");

    let (code, json, _) = run(&server.uri(), &["status", "--output", "json", &l, &d]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["server"]["version"], server.version());
    assert_eq!(report["migrations"]["counts"]["failed"], 1);
    assert_eq!(report["migrations"]["failed"][0]["filename"], "V3__email.cypher");
    assert_eq!(report["migrations"]["failed"][0]["error_class"], "schema_conflict");
    assert_eq!(report["migrations"]["recent"][0]["filename"], "V4__reindex.cypher");
    assert_eq!(report["migrations"]["in_progress"][0]["status"], "running");
    assert_eq!(report["migrations"]["files"]["modified"][0], "V2__backfill.cypher");
    assert_eq!(report["migrations"]["files"]["pending"][0], "V5__later.cypher");
    assert!(report["transactions"]["long_running_threshold_seconds"].as_f64() == Some(30.0));
    assert!(report["indexes"]["total"].as_u64().unwrap() >= 2);
}

#[test]
fn check_exits_by_condition() {
    let server = Neo4jServer::shared();
    let (label, dir) = scenario(server);
    let [l, d] = flags(&label, &dir);
    let check = |extra: &[&str]| {
        let mut args = vec!["check", l.as_str(), d.as_str()];
        args.extend_from_slice(extra);
        run(&server.uri(), &args)
    };

    // The defaults: failed, checksum and stuck.
    let (code, out, _) = check(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("failed: V3__email.cypher (schema_conflict): FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists"), "{out}");
    assert!(out.contains("checksum: V2__backfill.cypher was modified after it was applied"), "{out}");
    assert!(!out.contains("stuck:"), "running for 5 minutes is not stuck after 30: {out}");
    assert_eq!(out.lines().count(), 2, "one line per problem: {out}");

    let cases: &[(&[&str], &str)] = &[
        (&["--fail-on=failed"], "failed: V3__email.cypher"),
        (&["--fail-on=checksum"], "checksum: V2__backfill.cypher"),
        (&["--fail-on=stuck", "--stuck-after=2m"], "stuck: V4__reindex.cypher has been running for 5m"),
        (&["--fail-on=pending"], "pending: V5__later.cypher has not been applied"),
    ];
    for (extra, expected) in cases {
        let (code, out, err) = check(extra);
        assert_eq!(code, 1, "{extra:?}: {out}{err}");
        assert!(out.contains(expected), "{extra:?}: {out}");
        assert_eq!(out.lines().count(), 1, "{extra:?}: {out}");
    }
    let (code, out, _) = check(&["--fail-on=stuck"]);
    assert_eq!((code, out.trim()), (0, "ok: no stuck found"));

    // A healthy label passes the default gate.
    let healthy = format!("--migrations.label={}", unique("Clean"));
    let (code, out, _) = run(&server.uri(), &["check", &healthy]);
    assert_eq!(code, 0, "{out}");

    // Configuration and connection errors are 2.
    let (code, _, err) = check(&["--fail-on=failed,sometimes"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown condition 'sometimes'"), "{err}");
    let (code, _, err) = run(&format!("bolt://127.0.0.1:{}", common::free_port()), &["check", "--neo4j.connect-timeout=2s"]);
    assert_eq!(code, 2);
    assert!(err.contains("unreachable"), "{err}");
}

#[test]
fn check_sees_blocked_and_long_running_transactions_and_failed_indexes() {
    let server = Neo4jServer::start(&common::test_version());
    let uri = server.uri();
    let check = |condition: &str| run(&uri, &["check", &format!("--fail-on={condition}"), "--transactions.long-running-threshold=1s"]);
    for condition in ["blocked", "long-running", "index-failed"] {
        assert_eq!(check(condition).0, 0, "{condition} on a quiet server");
    }

    server.write(&[
        "CREATE (:Locked {id: 1})",
        "CREATE (:Huge {p: reduce(s = '', i IN range(1, 5000) | s + 'abcdefgh')})",
        "CREATE INDEX huge_p FOR (n:Huge) ON (n.p)",
    ]);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let graph = neo4rs::Graph::new(uri.clone(), "neo4j", server.password.clone()).unwrap();
    let mut holder = runtime.block_on(graph.start_txn()).unwrap();
    runtime.block_on(holder.run(neo4rs::query("MATCH (n:Locked) SET n.v = 1"))).unwrap();
    let waiting = graph.clone();
    let waiter = runtime.spawn(async move {
        let mut tx = waiting.start_txn().await?;
        tx.run(neo4rs::query("MATCH (n:Locked) SET n.v = 2")).await?;
        tx.commit().await
    });
    // Until the second writer waits on the lock and the holder has run past the 1 s threshold.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while check("blocked").0 != 1 || check("long-running").0 != 1 {
        assert!(std::time::Instant::now() < deadline, "no blocked, long-running transaction seen");
        std::thread::sleep(Duration::from_millis(200));
    }

    let (code, out, _) = check("blocked");
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("blocked: a transaction on neo4j has waited"), "{out}");
    let (code, out, _) = check("long-running");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("long-running: a transaction on neo4j has run for"), "{out}");
    let (code, out, _) = check("index-failed");
    assert_eq!((code, out.trim()), (1, "index-failed: index huge_p is FAILED"));

    runtime.block_on(holder.rollback()).unwrap();
    runtime.block_on(waiter).unwrap().unwrap();
}

#[test]
fn the_status_page_shows_failures_in_a_real_browser_and_html_in_names_stays_text() {
    let server = Neo4jServer::shared();
    let (label, dir) = scenario(server);
    server.write(&[&format!(
        "CREATE (:`{label}` {{filename: '<b>bold</b><script>document.title=\"owned\"</script>.cypher', status: 'FAILED',
                 appliedAt: datetime(), description: 'FAILED: <img src=x onerror=alert(1)> Neo.TransientError.Transaction.DeadlockDetected'}})"
    )]);
    let [l, d] = flags(&label, &dir);
    let exporter = Exporter::start(&server.uri(), &[&l, &d, "--collector.migrations.interval=1s"]);
    exporter.wait_until(Duration::from_secs(20), "ready", |e| e.get("/ready").0 == 200);

    let screenshot = std::env::temp_dir().join(format!("{}.png", unique("status-page")));
    let dom = chromium(&format!("http://127.0.0.1:{}/", exporter.port), &screenshot);
    let seen = visible_text(&dom);
    for expected in [
        "Neo4j Migration Exporter",
        "2 failed",
        "2 success",
        "1 running",
        "V3__email.cypher schema_conflict FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists",
        "V4__reindex.cypher running",
        "1 modified after they were applied",
    ] {
        assert!(seen.contains(expected), "the page does not show {expected:?}:\n{seen}");
    }
    // The hostile filename is shown as the text it is; nothing in it ran or became markup.
    assert!(seen.contains("<b>bold</b><script>document.title=\"owned\"</script>.cypher deadlock"), "{seen}");
    assert!(!dom.contains("<b>bold</b>") && !dom.contains("<img src=x"), "database text became markup");
    assert!(dom.contains("<title>Neo4j Migration Exporter</title>"), "a script from the database ran");
    eprintln!("status page screenshot: {}", screenshot.display());
}

/// Filenames that carry terminal controls, a forged line and ten thousand characters: every
/// human view shows them as inert, bounded text; JSON keeps them whole and strict.
#[test]
fn hostile_names_stay_text_in_every_view() {
    let server = Neo4jServer::shared();
    let label = unique("Hostile");
    let long = format!("V9__{}.cypher", "x".repeat(10_000));
    let forged = "V2__a.cypher\nok: no failed found";
    let terminal = "V1__\u{1b}[2J\u{1b}]0;owned\u{7}.cypher";
    server.write_with(
        &format!(
            "UNWIND $names AS name CREATE (:`{label}` {{filename: name, status: 'FAILED', appliedAt: datetime(), \
             description: 'FAILED: Neo.ClientError.Statement.SyntaxError: bad\\n\u{1b}[31mred'}})"
        ),
        vec![("names", neo4rs::BoltType::from(vec![long.clone(), forged.to_string(), terminal.to_string()]))],
    );
    let l = format!("--migrations.label={label}");

    let (code, table, _) = run(&server.uri(), &["status", &l]);
    assert_eq!(code, 0, "{table}");
    assert!(!table.contains('\u{1b}') && !table.contains('\u{7}'), "a control character reached the terminal:\n{table}");
    assert!(table.contains("V1__\\u{1b}[2J\\u{1b}]0;owned\\u{7}.cypher"), "{table}");
    assert!(table.contains("V2__a.cypher\\nok: no failed found"), "{table}");
    assert!(
        table.lines().all(|line| line.chars().count() < 400),
        "a row runs to {} characters",
        table.lines().map(|l| l.chars().count()).max().unwrap()
    );

    let (code, out, _) = run(&server.uri(), &["check", &l]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.lines().any(|line| line.starts_with("ok:")), "a filename forged a line of check's output:\n{out}");
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(!out.contains('\u{1b}'), "{out}");

    let (code, json, _) = run(&server.uri(), &["status", "--output=json", &l]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&json).expect("strict JSON");
    let names: Vec<&str> = report["migrations"]["failed"].as_array().unwrap().iter().map(|f| f["filename"].as_str().unwrap()).collect();
    for name in [long.as_str(), forged, terminal] {
        assert!(names.contains(&name), "JSON keeps {:?} whole", &name[..20.min(name.len())]);
    }

    let exporter = Exporter::start(&server.uri(), &[&l, "--collector.migrations.interval=1s"]);
    exporter.wait_until(Duration::from_secs(20), "ready", |e| e.get("/ready").0 == 200);
    let (_, page) = exporter.get("/");
    assert!(!page.contains('\u{1b}'), "the page holds a raw control character");
    assert!(!visible_text(&page).contains(&"x".repeat(200)), "the page shows an unbounded name");
    assert!(page.contains(&format!("title=\"{long}\"")), "the whole name is in the tooltip");
    let dom = chromium(&format!("http://127.0.0.1:{}/", exporter.port), &std::env::temp_dir().join(format!("{}.png", unique("hostile"))));
    let seen = visible_text(&dom);
    assert!(seen.contains(&format!("V9__{}…", "x".repeat(76))), "the long name is cut for the eye");
    assert!(seen.contains("V2__a.cypher\\nok: no failed found"), "{seen}");
}
