//! Every error class, provoked for real on Neo4j and recorded by runbook-schema runners on the
//! official JavaScript, Python, Java and Go drivers (testkit/recorders), in each of the forms
//! runners store (the driver's message alone, code and message, the driver's string form of the
//! error), is the class the exporter reports. Nothing here writes an error text by hand.
//!
//! The tests share one server of their own, started with a short lock acquisition timeout and a
//! transaction memory limit so that those failures happen in a second, not a minute.

mod common;

use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{recorders, test_version, unique, Exporter, Neo4jServer};

const WAIT: Duration = Duration::from_secs(30);

/// The lock acquisition timeout of the server these tests share.
const LOCK_TIMEOUT: &str = "2s";

fn server() -> &'static Neo4jServer {
    static SERVER: OnceLock<Neo4jServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let version = test_version();
        let prefix = if version.starts_with('4') { "dbms" } else { "db" };
        let memory = if version.starts_with('4') { "dbms.memory.transaction.max_size" } else { "db.memory.transaction.max" };
        let lock = format!("{prefix}.lock.acquisition.timeout={LOCK_TIMEOUT}");
        let memory = format!("{memory}=20m");
        // Kept in a static, so never dropped: testkit stops it when this test process ends.
        Neo4jServer::start_with(&version, &["--setting", &lock, "--setting", &memory])
    })
}

fn graph() -> neo4rs::Graph {
    let server = server();
    neo4rs::Graph::new(server.uri(), "neo4j", server.password.clone()).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// One driver and one way of storing errors: its own record label, lock nodes and files.
struct Case {
    driver: &'static str,
    form: &'static str,
    label: String,
    dir: PathBuf,
    /// (file, class the exporter must report), in the order they were recorded.
    expected: Vec<(PathBuf, &'static str)>,
    said: String,
}

impl Case {
    fn new(driver: &'static str, form: &'static str) -> Self {
        let label = unique(&format!("Rec{driver}{form}"));
        let dir = std::env::temp_dir().join(unique("runner-failures"));
        std::fs::create_dir_all(&dir).unwrap();
        Case { driver, form, label, dir, expected: Vec::new(), said: String::new() }
    }

    /// A label of this case's own for data nodes, e.g. `lock` gives `<label>_lock`.
    fn own(&self, what: &str) -> String {
        format!("`{}_{what}`", self.label)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn spawn(&self, extra: &[&str], files: &[&Path]) -> Child {
        let mut args = vec!["--form", self.form];
        args.extend(extra);
        recorders::spawn(self.driver, server(), &self.label, &args, files)
    }

    fn finish(&mut self, child: Child, files: &[&Path]) {
        let said = recorders::finish(self.driver, child, files);
        self.said.push_str(&said);
    }

    fn record(&mut self, extra: &[&str], files: &[&Path]) {
        let child = self.spawn(extra, files);
        self.finish(child, files);
    }

    fn expect(&mut self, file: &Path, class: &'static str) {
        self.expected.push((file.to_path_buf(), class));
    }
}

/// Polls `SHOW TRANSACTIONS` until a transaction whose query holds `marker` is there (and
/// blocked, when asked), and returns its id.
async fn transaction_with(graph: &neo4rs::Graph, marker: &str, blocked: bool) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let statement = "SHOW TRANSACTIONS YIELD transactionId, currentQuery, status \
                         WHERE currentQuery CONTAINS $marker RETURN transactionId, status";
        let mut rows = graph.execute(neo4rs::query(statement).param("marker", marker)).await.unwrap();
        while let Some(row) = rows.next().await.unwrap() {
            let status: String = row.get("status").unwrap();
            if !blocked || status.starts_with("Blocked") {
                return row.get("transactionId").unwrap();
            }
        }
        assert!(Instant::now() < deadline, "no transaction running {marker:?} (blocked: {blocked}) within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Failures that need only the statement: syntax, schema conflicts, constraint violations,
/// the transaction memory limit; and the first, successful run of a file later edited.
fn plain_failures(case: &mut Case) -> PathBuf {
    let (c, d, i, u) = (case.own("c"), case.own("d"), case.own("i"), case.own("u"));
    let constraint = format!("{}_c", case.label);
    server().write(&[
        &format!("CREATE CONSTRAINT {constraint} FOR (n:{c}) REQUIRE n.id IS UNIQUE"),
        &format!("CREATE INDEX {}_i FOR (n:{i}) ON (n.p)", case.label),
        &format!("CREATE (:{u} {{id: 1}}), (:{u} {{id: 1}})"),
    ]);
    let files = [
        (case.file("V01__typo.cypher", &format!("CRATE (n:{c});\n")), "syntax"),
        (case.file("V02__undefined.cypher", "RETURN undefinedVariable;\n"), "syntax"),
        (
            case.file("V03__same_constraint.cypher", &format!("CREATE CONSTRAINT {constraint} FOR (n:{c}) REQUIRE n.id IS UNIQUE;\n")),
            "schema_conflict",
        ),
        (
            case.file("V04__other_name.cypher", &format!("CREATE CONSTRAINT {constraint}_2 FOR (n:{c}) REQUIRE n.id IS UNIQUE;\n")),
            "schema_conflict",
        ),
        (
            case.file("V05__name_taken.cypher", &format!("CREATE CONSTRAINT {constraint} FOR (n:{d}) REQUIRE n.id IS UNIQUE;\n")),
            "schema_conflict",
        ),
        (case.file("V06__same_index.cypher", &format!("CREATE INDEX {}_i2 FOR (n:{i}) ON (n.p);\n", case.label)), "schema_conflict"),
        (case.file("V07__duplicate_key.cypher", &format!("CREATE (:{c} {{id: 7}});\nCREATE (:{c} {{id: 7}});\n")), "constraint_violation"),
        (
            case.file(
                "V08__unique_on_duplicates.cypher",
                &format!("CREATE CONSTRAINT {}_u FOR (n:{u}) REQUIRE n.id IS UNIQUE;\n", case.label),
            ),
            "constraint_violation",
        ),
        (
            case.file("V09__collect_everything.cypher", "UNWIND range(1, 3000000) AS x WITH collect(x) AS xs RETURN size(xs);\n"),
            "out_of_memory",
        ),
    ];
    let edited = case.file("V10__fix_deadlock_timeout.cypher", "RETURN 1;\n");
    let mut paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
    paths.push(&edited);
    case.record(&["--keep-going"], &paths);
    for (path, class) in &files {
        case.expect(path, class);
    }
    edited
}

/// A lock held by another transaction: the runner waits for the lock acquisition timeout, or its
/// own transaction timeout ends the wait (Neo4j then says the lock client was stopped).
fn lock_failures(case: &mut Case, runtime: &tokio::runtime::Runtime) {
    let lock = case.own("lock");
    server().write(&[&format!("CREATE (:{lock} {{id: 'A'}})")]);
    let graph = graph();
    let mut holder = runtime.block_on(graph.start_txn()).unwrap();
    runtime.block_on(holder.run(neo4rs::query(&format!("MATCH (a:{lock} {{id: 'A'}}) SET a.v = 'holder'")))).unwrap();
    let waits = case.file("V11__waits_for_a_lock.cypher", &format!("MATCH (a:{lock} {{id: 'A'}}) SET a.v = 'runner';\n"));
    case.record(&[], &[&waits]);
    let stopped = case.file("V12__gives_up_waiting.cypher", &format!("MATCH (a:{lock} {{id: 'A'}}) SET a.v = 'runner again';\n"));
    case.record(&["--timeout-ms", "700"], &[&stopped]);
    runtime.block_on(holder.rollback()).unwrap();
    case.expect(&waits, "lock_timeout");
    case.expect(&stopped, "lock_timeout");
}

/// Two transactions each wait for a lock the other holds. Neo4j stops the one holding fewer
/// locks, so the other side takes many first and the runner is the one told of the deadlock.
fn deadlock(case: &mut Case, runtime: &tokio::runtime::Runtime) {
    let (lock, fill) = (case.own("deadlock"), case.own("fill"));
    server().write(&[
        &format!("CREATE (:{lock} {{id: 'A'}}), (:{lock} {{id: 'B'}})"),
        &format!("UNWIND range(1, 20) AS i CREATE (:{fill} {{i: i}})"),
    ]);
    let graph = graph();
    let mut other = runtime.block_on(graph.start_txn()).unwrap();
    runtime.block_on(other.run(neo4rs::query(&format!("MATCH (f:{fill}) SET f.v = 1")))).unwrap();
    runtime.block_on(other.run(neo4rs::query(&format!("MATCH (a:{lock} {{id: 'A'}}) SET a.v = 'other'")))).unwrap();
    // The marker names this case: other cases' runners wait for locks at the same time.
    let marker = format!("a.v = 'runner of {}'", case.label);
    let file = case.file(
        "V13__crosses_another_transaction.cypher",
        &format!("MATCH (b:{lock} {{id: 'B'}}) SET b.v = 'runner';\nMATCH (a:{lock} {{id: 'A'}}) SET {marker};\n"),
    );
    let child = case.spawn(&[], &[&file]);
    runtime.block_on(transaction_with(&graph, &marker, true));
    let crossing = runtime.spawn(async move {
        let outcome = other.run(neo4rs::query(&format!("MATCH (b:{lock} {{id: 'B'}}) SET b.v = 'other'"))).await;
        let _ = other.rollback().await;
        outcome
    });
    case.finish(child, &[&file]);
    runtime.block_on(crossing).unwrap().expect("the runner, holding fewer locks, is the one Neo4j stops");
    case.expect(&file, "deadlock");
}

/// A statement long enough to be ended: by an operator's TERMINATE TRANSACTION, and by the
/// transaction timeout the runner asked for.
fn ended_failures(case: &mut Case, runtime: &tokio::runtime::Runtime) {
    // The label must exist: a scan of a label Neo4j has never seen skips the store reads
    // between which a statement notices it was ended.
    let nothing = case.own("nothing");
    server().write(&[&format!("CREATE (:{nothing} {{id: 0}})")]);
    let marker = format!("terminate {}", case.label);
    let long = |tag: &str| format!("UNWIND range(1, 1000000000) AS x MATCH (n:{nothing} {{id: x}}) RETURN count(n) AS n /* {tag} */;\n");
    let terminated = case.file("V14__terminated_by_an_operator.cypher", &long(&marker));
    let child = case.spawn(&[], &[&terminated]);
    let graph = graph();
    let id = runtime.block_on(transaction_with(&graph, &marker, false));
    let message: String = runtime.block_on(async {
        // Pulled as rows: an admin command sent with `run` in a transaction of its own did nothing.
        let mut rows = graph.execute(neo4rs::query("TERMINATE TRANSACTION $id").param("id", id)).await.unwrap();
        rows.next().await.unwrap().expect("TERMINATE TRANSACTION answers a row").get("message").unwrap()
    });
    assert_eq!(message, "Transaction terminated.");
    case.finish(child, &[&terminated]);
    case.expect(&terminated, "terminated");

    let timed_out = case.file("V15__runs_past_its_timeout.cypher", &long("timeout"));
    case.record(&["--timeout-ms", "700"], &[&timed_out]);
    case.expect(&timed_out, "timeout");
}

/// The runner's own check: a file edited after it was applied. Its message names the file, whose
/// name holds the words of other classes.
fn checksum_failure(case: &mut Case, edited: &Path) {
    std::fs::write(edited, "RETURN 2;\n").unwrap();
    case.record(&[], &[edited]);
    assert_eq!(recorders::outcome(&case.said, edited), Some("SUCCESS"), "the edited file was applied first");
    case.expect(edited, "checksum");
}

fn descriptions(label: &str) -> Vec<(String, String)> {
    common::block_on(async {
        let statement = format!("MATCH (m:`{label}`) WHERE m.status = 'FAILED' RETURN m.filename AS f, m.description AS d");
        let mut rows = graph().execute(neo4rs::query(&statement)).await.unwrap();
        let mut out = Vec::new();
        while let Some(row) = rows.next().await.unwrap() {
            out.push((row.get("f").unwrap(), row.get("d").unwrap()));
        }
        out
    })
}

fn provoke_every_failure(driver: &'static str) {
    let runtime = runtime();
    for form in ["message", "code", "string"] {
        let mut case = Case::new(driver, form);
        let edited = plain_failures(&mut case);
        lock_failures(&mut case, &runtime);
        deadlock(&mut case, &runtime);
        ended_failures(&mut case, &runtime);
        checksum_failure(&mut case, &edited);

        let stored = descriptions(&case.label);
        let shown = stored.iter().map(|(f, d)| format!("  {f}: {d}")).collect::<Vec<_>>().join("\n");
        let context =
            format!("{driver} driver, {form} form, Neo4j {}\nstored:\n{shown}\nrecorder said:\n{}", server().version(), case.said);
        assert_eq!(stored.len(), case.expected.len(), "one FAILED record per provoked failure\n{context}");
        // The forms really differ: without the code, and with it.
        let with_code = stored.iter().filter(|(_, d)| d.contains("Neo.")).count();
        match form {
            "message" => assert_eq!(with_code, 0, "the message form carries no status code\n{context}"),
            "code" => assert_eq!(with_code, stored.len() - 1, "every Neo4j failure carries its code\n{context}"),
            _ => {}
        }

        let label = format!("--migrations.label={}", case.label);
        let exporter = Exporter::start(&server().uri(), &[&label, "--collector.migrations.interval=1s", "--migrations.max-series=1000"]);
        let scrape = exporter.scrape_until(WAIT, "a successful migrations run", |s| {
            s.value("neo4j_exporter_collector_success", &[("collector", "migrations")]) == Some(1.0)
        });
        for (file, class) in &case.expected {
            let file = file.to_string_lossy();
            let reported: Vec<String> = scrape
                .samples("neo4j_migration_failed")
                .into_iter()
                .filter(|(labels, _)| labels.get("filename").map(String::as_str) == Some(&*file))
                .map(|(labels, _)| labels["error_class"].clone())
                .collect();
            assert_eq!(reported, vec![class.to_string()], "{file}\n{context}");
        }
        assert_eq!(scrape.value("neo4j_migration_failures", &[("error_class", "other")]), Some(0.0), "{context}");
        let _ = std::fs::remove_dir_all(&case.dir);
    }
}

#[test]
fn failures_recorded_through_the_javascript_driver_are_classed() {
    provoke_every_failure("js");
}

#[test]
fn failures_recorded_through_the_python_driver_are_classed() {
    provoke_every_failure("python");
}

#[test]
fn failures_recorded_through_the_java_driver_are_classed() {
    provoke_every_failure("java");
}

#[test]
fn failures_recorded_through_the_go_driver_are_classed() {
    provoke_every_failure("go");
}

/// The command line of the exporter's one-shot commands against the shared server.
fn one_shot(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(common::exporter_binary())
        .args(args)
        .arg(format!("--neo4j.uri={}", server().uri()))
        .env("NEO4J_PASSWORD", &server().password)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string())
}

/// The records as the runner left them, read back with Cypher: filename to (status, executionTime).
fn records_of(label: &str) -> std::collections::BTreeMap<String, (String, i64)> {
    common::block_on(async {
        let statement = format!("MATCH (m:`{label}`) RETURN m.filename AS f, m.status AS s, m.executionTime AS t");
        let mut rows = graph().execute(neo4rs::query(&statement)).await.unwrap();
        let mut out = std::collections::BTreeMap::new();
        while let Some(row) = rows.next().await.unwrap() {
            out.insert(row.get("f").unwrap(), (row.get("s").unwrap(), row.get("t").unwrap()));
        }
        out
    })
}

/// A directory as a Node runner applies it: a good file, a slow one (it waits for a lock that is
/// let go after 1.5 s), one that times out waiting for a lock, one that conflicts with the schema,
/// a Latin-1 file and one edited after it was applied. Metrics, `status --output json` and
/// `check` must say what the records read back with Cypher say.
#[test]
fn a_runbook_directory_applied_by_a_node_runner_reads_as_the_records_say() {
    let runtime = runtime();
    let label = unique("NodeRun");
    let dir = std::env::temp_dir().join(unique("node-run"));
    std::fs::create_dir_all(&dir).unwrap();
    let lock = format!("`{label}_lock`");
    server().write(&[&format!("CREATE (:{lock} {{id: 'slow'}}), (:{lock} {{id: 'stuck'}})")]);
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let files = [
        file("V1__good.cypher", &format!("CREATE CONSTRAINT {label}_id IF NOT EXISTS FOR (n:`{label}_user`) REQUIRE n.id IS UNIQUE;\n")),
        file("V2__slow.cypher", &format!("MATCH (a:{lock} {{id: 'slow'}}) SET a.v = 'slow {label}';\n")),
        file("V3__lock_timeout.cypher", &format!("MATCH (a:{lock} {{id: 'stuck'}}) SET a.v = 1;\n")),
        file("V4__schema_conflict.cypher", &format!("CREATE CONSTRAINT {label}_id FOR (n:`{label}_user`) REQUIRE n.id IS UNIQUE;\n")),
    ];
    let latin1 = dir.join("V5__latin1.cypher");
    std::fs::write(&latin1, b"// r\xe9sum\xe9 of the users\nRETURN 5;\n").unwrap();
    let edited = file("V6__edited_later.cypher", "RETURN 6;\n");

    let graph = graph();
    let mut slow_holder = runtime.block_on(graph.start_txn()).unwrap();
    runtime.block_on(slow_holder.run(neo4rs::query(&format!("MATCH (a:{lock} {{id: 'slow'}}) SET a.v = 0")))).unwrap();
    let mut stuck_holder = runtime.block_on(graph.start_txn()).unwrap();
    runtime.block_on(stuck_holder.run(neo4rs::query(&format!("MATCH (a:{lock} {{id: 'stuck'}}) SET a.v = 0")))).unwrap();
    let all: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).chain([latin1.as_path(), edited.as_path()]).collect();
    let child = recorders::spawn("js", server(), &label, &["--keep-going"], &all);
    runtime.block_on(async {
        transaction_with(&graph, &format!("slow {label}"), true).await;
        // The lock is held 1.5 s, so the slow migration takes at least that: a duration.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        slow_holder.rollback().await.unwrap();
    });
    let said = recorders::finish("js", child, &all);
    runtime.block_on(stuck_holder.rollback()).unwrap();
    std::fs::write(&edited, "RETURN 6; // and a change\n").unwrap();

    let records = records_of(&label);
    let by_status = |status: &str| records.values().filter(|(s, _)| s == status).count() as f64;
    assert_eq!((by_status("SUCCESS"), by_status("FAILED")), (4.0, 2.0), "{said}");
    let seconds = |path: &PathBuf| records[&*path.to_string_lossy()].1 as f64 / 1000.0;
    assert!(seconds(&files[1]) >= 1.4, "the slow file waited for its lock: {said}");

    let flags = [
        format!("--migrations.label={label}"),
        format!("--migrations.dir={}", dir.display()),
        "--migrations.profile=node".to_string(),
        "--collector.migrations.interval=1s".to_string(),
    ];
    let flag_refs: Vec<&str> = flags.iter().map(String::as_str).collect();
    let exporter = Exporter::start(&server().uri(), &flag_refs);
    let scrape = exporter.scrape_until(WAIT, "a migrations run with the directory", |s| s.has("neo4j_migration_files_pending"));
    let context = format!("{}\nrecorder said:\n{said}", scrape.0);
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "success")]), Some(by_status("SUCCESS")), "{context}");
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "failed")]), Some(by_status("FAILED")), "{context}");
    let failed = |path: &PathBuf, class: &str| {
        scrape.value("neo4j_migration_failed", &[("filename", &path.to_string_lossy()), ("error_class", class)])
    };
    assert_eq!(failed(&files[2], "lock_timeout"), Some(1.0), "{context}");
    assert_eq!(failed(&files[3], "schema_conflict"), Some(1.0), "{context}");
    for (path, (status, ms)) in &records {
        let shown = scrape.value("neo4j_migration_recent_execution_seconds", &[("filename", path), ("status", &status.to_lowercase())]);
        assert_eq!(shown, Some(*ms as f64 / 1000.0), "{path}\n{context}");
    }
    assert_eq!(scrape.value("neo4j_migration_execution_seconds_count", &[]), Some(records.len() as f64));
    assert_eq!(scrape.value("neo4j_migration_files", &[]), Some(6.0));
    assert_eq!(scrape.value("neo4j_migration_files_pending", &[]), Some(2.0), "the failed files are still to apply\n{context}");
    assert_eq!(scrape.value("neo4j_migration_checksum_mismatches", &[]), Some(1.0), "only the edited file\n{context}");
    assert_eq!(scrape.value("neo4j_migration_checksum_mismatch", &[("filename", &edited.to_string_lossy())]), Some(1.0));

    let mut status_args = vec!["status", "--output=json"];
    status_args.extend(&flag_refs[..3]);
    let (code, json) = one_shot(&status_args);
    assert_eq!(code, 0, "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let m = &report["migrations"];
    assert_eq!(m["counts"]["success"], 4);
    assert_eq!(m["counts"]["failed"], 2);
    let mut failures: Vec<(String, String)> = m["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["filename"].as_str().unwrap().to_string(), f["error_class"].as_str().unwrap().to_string()))
        .collect();
    failures.sort();
    assert_eq!(
        failures,
        [
            (files[2].to_string_lossy().to_string(), "lock_timeout".into()),
            (files[3].to_string_lossy().to_string(), "schema_conflict".into())
        ]
    );
    assert_eq!(m["files"]["pending"], serde_json::json!(["V3__lock_timeout.cypher", "V4__schema_conflict.cypher"]));
    assert_eq!(m["files"]["modified"], serde_json::json!([edited.to_string_lossy()]));
    assert_eq!(m["files"]["checksum_matches"]["sha256-text"], 3, "{m}");
    // The table says it too.
    let mut table_args = vec!["status"];
    table_args.extend(&flag_refs[..3]);
    let (code, table) = one_shot(&table_args);
    assert_eq!(code, 0, "{table}");
    let line = table.lines().find(|l| l.contains("checksums matched by")).unwrap_or_else(|| panic!("no checksum line: {table}"));
    assert!(line.contains("sha256-text (3)"), "{line}");

    let mut check_args = vec!["check"];
    check_args.extend(&flag_refs[..3]);
    let (code, out) = one_shot(&check_args);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("failed: {} (lock_timeout)", files[2].display())), "{out}");
    assert!(out.contains(&format!("failed: {} (schema_conflict)", files[3].display())), "{out}");
    assert!(out.contains(&format!("checksum: {} was modified", edited.display())), "{out}");
    assert!(!out.contains("V5__latin1"), "the Latin-1 file was not modified: {out}");
    check_args.push("--fail-on=pending");
    let (code, out) = one_shot(&check_args);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("pending: V3__lock_timeout.cypher") && out.contains("pending: V4__schema_conflict.cypher"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
