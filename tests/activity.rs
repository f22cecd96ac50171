//! Database activity and graph health against a real Neo4j: real lock contention, long
//! transactions, known counts, orphans, indexes that populate and fail, constraints.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{block_on, repo_root, test_version, unique, Exporter, Neo4jServer, Scrape};

const WAIT: Duration = Duration::from_secs(30);

fn only(collector: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = neo4j_migration_exporter::collectors::REGISTRY
        .iter()
        .filter(|spec| spec.name != collector)
        .map(|spec| format!("--no-collector.{}", spec.name))
        .collect();
    args.push(format!("--collector.{collector}"));
    let interval = format!("--collector.{collector}.interval");
    if !extra.iter().any(|e| e.starts_with(&interval)) {
        args.push(format!("{interval}=500ms"));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn start(server: &Neo4jServer, collector: &str, extra: &[&str]) -> Exporter {
    let args = only(collector, extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Exporter::start(&server.uri(), &args)
}

fn succeeded(scrape: &Scrape, collector: &str) -> bool {
    scrape.value("neo4j_exporter_collector_success", &[("collector", collector)]) == Some(1.0)
}

fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape.value(name, labels).unwrap_or(f64::NAN)
}

#[test]
fn a_blocked_transaction_and_its_lock_wait_are_seen() {
    let server = Neo4jServer::shared();
    let label = unique("LockTest");
    server.write(&[&format!("CREATE (:`{label}` {{id: 1}})")]);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let graph = neo4rs::Graph::new(server.uri(), "neo4j", server.password.clone()).unwrap();
    let update = format!("MATCH (n:`{label}`) SET n.v = timestamp()");

    // One transaction takes the node's write lock and keeps it; a second one waits for it.
    let mut holder = runtime.block_on(graph.start_txn()).unwrap();
    runtime.block_on(holder.run(neo4rs::query(&update))).unwrap();
    let waiting_graph = graph.clone();
    let waiting_update = update.clone();
    let waiter = runtime.spawn(async move {
        let mut tx = waiting_graph.start_txn().await?;
        tx.run(neo4rs::query(&waiting_update)).await?;
        tx.commit().await
    });

    let exporter = start(server, "transactions", &["--transactions.long-running-threshold=2s"]);
    let scrape = exporter.scrape_until(WAIT, "a blocked transaction waiting over a second", |s| {
        succeeded(s, "transactions")
            && value(s, "neo4j_transactions", &[("database", "neo4j"), ("status", "blocked")]) >= 1.0
            && value(s, "neo4j_transaction_lock_wait_seconds_max", &[("database", "neo4j")]) >= 1.0
    });
    assert!(value(&scrape, "neo4j_transactions_blocked_oldest_seconds", &[("database", "neo4j")]) >= 1.0, "{}", scrape.0);
    assert!(value(&scrape, "neo4j_transaction_active_locks", &[("database", "neo4j")]) >= 1.0, "{}", scrape.0);
    assert!(value(&scrape, "neo4j_transactions", &[("database", "neo4j"), ("status", "running")]) >= 1.0);

    let scrape = exporter.scrape_until(WAIT, "both transactions past the 2 s threshold", |s| {
        value(s, "neo4j_transactions_long_running", &[("database", "neo4j")]) >= 2.0
    });
    assert!(value(&scrape, "neo4j_transaction_oldest_seconds", &[("database", "neo4j")]) > 2.0);
    // Query texts and transaction ids never become labels.
    assert!(!scrape.0.contains(&label), "a query text leaked into the metrics");
    assert!(!scrape.0.contains("neo4j-transaction-"), "a transaction id leaked into the metrics");

    runtime.block_on(holder.rollback()).unwrap();
    runtime.block_on(waiter).unwrap().unwrap();
    exporter.scrape_until(WAIT, "nothing blocked any more", |s| {
        value(s, "neo4j_transactions", &[("database", "neo4j"), ("status", "blocked")]) == 0.0
    });
}

#[test]
fn a_long_query_counts_as_long_running_and_the_exporter_leaves_itself_out() {
    let server = Neo4jServer::shared();
    let exporter = start(server, "transactions", &["--transactions.long-running-threshold=1s"]);
    let idle = exporter.scrape_until(WAIT, "a successful run", |s| succeeded(s, "transactions"));
    // The exporter's own SHOW TRANSACTIONS is running while it looks, yet is not counted.
    assert!(idle.has("neo4j_transactions"));

    let uri = server.uri();
    let password = server.password.clone();
    let long_query = std::thread::spawn(move || {
        let graph = neo4rs::Graph::new(uri, "neo4j", password).unwrap();
        block_on(async {
            let mut rows =
                graph.execute(neo4rs::query("UNWIND range(1, 40000000) AS x WITH x WHERE x % 7 = 100 RETURN count(x) AS n")).await.unwrap();
            while rows.next().await.unwrap().is_some() {}
        });
    });
    exporter.scrape_until(WAIT, "the long query past 1 s", |s| {
        value(s, "neo4j_transactions_long_running", &[("database", "neo4j")]) >= 1.0
            && value(s, "neo4j_transaction_oldest_seconds", &[("database", "neo4j")]) > 1.0
    });
    long_query.join().unwrap();
}

#[test]
fn jvm_heap_gc_and_cpu_come_from_jmx() {
    let server = Neo4jServer::shared();
    let exporter = start(server, "jvm", &[]);
    let scrape = exporter
        .scrape_until(WAIT, "jvm figures including CPU", |s| succeeded(s, "jvm") && s.value("neo4j_jvm_process_cpu_ratio", &[]).is_some());
    let used = value(&scrape, "neo4j_jvm_memory_used_bytes", &[("area", "heap")]);
    let committed = value(&scrape, "neo4j_jvm_memory_committed_bytes", &[("area", "heap")]);
    let max = value(&scrape, "neo4j_jvm_memory_max_bytes", &[("area", "heap")]);
    assert!(used > 0.0 && used <= committed && committed <= max, "heap {used} / {committed} / {max}");
    assert!(value(&scrape, "neo4j_jvm_memory_used_bytes", &[("area", "nonheap")]) > 0.0);
    let collections: f64 = scrape.samples("neo4j_jvm_gc_collections_total").iter().map(|(_, v)| v).sum();
    assert!(collections > 0.0, "no garbage collection counted:\n{}", scrape.0);
    assert!(!scrape.samples("neo4j_jvm_gc_collection_seconds_total").is_empty());
    let cpu = value(&scrape, "neo4j_jvm_process_cpu_ratio", &[]);
    assert!((0.0..=1.0).contains(&cpu), "cpu {cpu}");
    assert!(value(&scrape, "neo4j_jvm_threads", &[]) > 10.0);
}

#[test]
fn nodes_and_relationships_are_counted_per_label_and_type() {
    let server = Neo4jServer::shared();
    let (person, city, lives) = (unique("Person"), unique("City"), unique("LIVES_IN"));
    server.write(&[&format!(
        "UNWIND range(1, 7) AS i CREATE (p:`{person}` {{i: i}})
         WITH p, i WHERE i <= 5 MERGE (c:`{city}` {{n: i % 3}}) CREATE (p)-[:`{lives}`]->(c)"
    )]);
    let odd = unique("Odd`Label");
    server.write(&[&format!("CREATE (:`{}`)", odd.replace('`', "``"))]);
    let exporter = start(server, "counts", &[]);
    let scrape = exporter.scrape_until(WAIT, "the new labels counted", |s| {
        succeeded(s, "counts") && s.value("neo4j_nodes", &[("label", &person)]).is_some()
    });
    assert_eq!(value(&scrape, "neo4j_nodes", &[("label", &person)]), 7.0);
    assert_eq!(value(&scrape, "neo4j_nodes", &[("label", &city)]), 3.0);
    assert_eq!(value(&scrape, "neo4j_relationships", &[("type", &lives)]), 5.0);
    assert_eq!(value(&scrape, "neo4j_nodes", &[("label", &odd)]), 1.0, "a label with a backtick");
    let labelled: f64 = scrape.samples("neo4j_nodes").iter().map(|(_, v)| v).sum();
    assert!(value(&scrape, "neo4j_graph_nodes", &[]) >= 11.0);
    assert!(labelled >= 11.0);
    assert!(value(&scrape, "neo4j_graph_relationships", &[]) >= 5.0);
    assert!(value(&scrape, "neo4j_labels", &[]) >= 3.0);
}

/// Operators of the plan Neo4j chooses for `statement`, from testkit's EXPLAIN.
fn plan_of(server: &Neo4jServer, statement: &str) -> String {
    let mut child = Command::new(repo_root().join("testkit/neo4j/neo4j-local"))
        .args(["cypher", "--dir"])
        .arg(&server.dir)
        .args(["--password", &server.password, "--file", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "EXPLAIN {statement};").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines().find_map(|l| l.strip_prefix("plan: ")).unwrap_or_else(|| panic!("no plan in: {text}")).to_string()
}

#[test]
fn counts_read_the_count_store_and_cost_grows_with_labels_not_nodes() {
    let server = Neo4jServer::start(&test_version());
    server.write(&[
        "UNWIND range(1, 30) AS i CREATE (:Alpha {i: i})-[:LINKS]->(:Beta {i: i})",
        "UNWIND range(1, 10) AS i CREATE (:Gamma {i: i})",
    ]);
    // The statements the collector sends are answered from the count store, never by a scan.
    use neo4j_migration_exporter::collectors::counts::count_statement;
    for (tokens, relationships, operator) in [
        (vec!["Alpha".to_string(), "Beta".into()], false, "NodeCountFromCountStore"),
        (vec!["LINKS".into()], true, "RelationshipCountFromCountStore"),
    ] {
        let (statement, _) = count_statement(&tokens, relationships);
        let plan = plan_of(&server, &statement);
        assert!(plan.contains(operator), "{plan}");
        assert!(!plan.contains("Scan") && !plan.contains("Expand"), "the count reads the graph: {plan}");
    }
    let plan = plan_of(&server, neo4j_migration_exporter::collectors::counts::TOTALS);
    assert!(plan.contains("NodeCountFromCountStore") && plan.contains("RelationshipCountFromCountStore"), "{plan}");
    assert!(!plan.contains("Scan") && !plan.contains("Expand"), "the totals read the graph: {plan}");

    let exporter = start(&server, "counts", &[]);
    let statements = |s: &Scrape| value(s, "neo4j_exporter_collector_statements", &[("collector", "counts")]);
    let first = exporter.scrape_until(WAIT, "counts", |s| succeeded(s, "counts") && value(s, "neo4j_nodes", &[("label", "Alpha")]) == 30.0);
    let baseline = statements(&first);

    // Ten thousand more nodes with the same labels: the same statements.
    server.write(&["UNWIND range(1, 10000) AS i CREATE (:Alpha {i: i})-[:LINKS]->(:Beta {i: i})"]);
    let more_nodes = exporter.scrape_until(WAIT, "the new nodes counted", |s| value(s, "neo4j_nodes", &[("label", "Alpha")]) == 10030.0);
    assert_eq!(statements(&more_nodes), baseline, "statements grew with nodes");

    // A hundred and fifty more labels: more statements.
    let creates: Vec<String> = (0..150).map(|i| format!("(:Extra{i})")).collect();
    server.write(&[&format!("CREATE {}", creates.join(", "))]);
    let more_labels = exporter.scrape_until(WAIT, "the new labels counted", |s| value(s, "neo4j_labels", &[]) >= 153.0);
    assert!(statements(&more_labels) > baseline, "statements did not grow with labels");
    eprintln!(
        "counts statements per run: {baseline} for 3 labels / 70 nodes, {} for 3 labels / 20070 nodes, {} for 153 labels",
        statements(&more_nodes),
        statements(&more_labels)
    );
}

#[test]
fn orphans_are_counted_per_label_with_the_excluded_labels_left_out() {
    let server = Neo4jServer::shared();
    let (lonely, kept_apart) = (unique("Lonely"), unique("KeptApart"));
    server.write(&[&format!(
        "UNWIND range(1, 4) AS i CREATE (:`{lonely}` {{i: i}})
         WITH count(*) AS done
         CREATE (:`{lonely}`)-[:KNOWS]->(:`{lonely}`)
         WITH done
         UNWIND range(1, 3) AS i CREATE (:`{lonely}`:`{kept_apart}` {{i: i}})"
    )]);
    let exclude = format!("--orphans.exclude-labels={kept_apart}");
    let exporter = start(server, "orphans", &["--orphans.by-label", &exclude]);
    let scrape = exporter.scrape_until(WAIT, "an orphan scan", |s| {
        succeeded(s, "orphans") && s.value("neo4j_orphaned_nodes_by_label", &[("label", &lonely)]).is_some()
    });
    assert_eq!(value(&scrape, "neo4j_orphaned_nodes_by_label", &[("label", &lonely)]), 4.0, "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_orphaned_nodes_by_label", &[("label", &kept_apart)]), None);
    assert!(value(&scrape, "neo4j_orphaned_nodes", &[]) >= 4.0);
    assert_eq!(value(&scrape, "neo4j_orphan_scan_complete", &[]), 1.0);
    assert!(value(&scrape, "neo4j_orphan_scan_duration_seconds", &[]) > 0.0);

    // Without --orphans.by-label there is only the total.
    let exporter = start(server, "orphans", &[]);
    let scrape = exporter.scrape_until(WAIT, "an orphan scan", |s| succeeded(s, "orphans") && s.has("neo4j_orphaned_nodes"));
    assert!(!scrape.has("neo4j_orphaned_nodes_by_label"));
}

#[test]
fn schema_reports_failed_indexes_and_constraints() {
    let server = Neo4jServer::shared();
    let (label, index, constraint) = (unique("Indexed"), unique("too_big_idx"), unique("unique_id"));
    // A value past the index key size limit makes the index fail to populate.
    server.write(&[
        &format!("CREATE (:`{label}` {{p: reduce(s = '', i IN range(1, 5000) | s + 'abcdefgh'), id: 1}})"),
        &format!("CREATE INDEX `{index}` FOR (n:`{label}`) ON (n.p)"),
        &format!("CREATE CONSTRAINT `{constraint}` FOR (n:`{label}`) REQUIRE n.id IS UNIQUE"),
    ]);
    let exporter = start(server, "schema", &[]);
    let scrape = exporter.scrape_until(WAIT, "the failed index", |s| {
        succeeded(s, "schema") && s.value("neo4j_index_failed", &[("index", &index)]) == Some(1.0)
    });
    let failed: f64 = scrape.samples("neo4j_indexes").iter().filter(|(l, _)| l["state"] == "failed").map(|(_, v)| v).sum();
    assert!(failed >= 1.0, "{}", scrape.0);
    assert!(scrape.value("neo4j_index_population_ratio", &[("index", &index)]).is_some_and(|r| (0.0..1.0).contains(&r)));
    assert!(value(&scrape, "neo4j_constraints", &[("type", "uniqueness")]) >= 1.0, "{}", scrape.0);
    let online: f64 = scrape.samples("neo4j_indexes").iter().filter(|(l, _)| l["state"] == "online").map(|(_, v)| v).sum();
    assert!(online >= 2.0, "the constraint's index and the lookup indexes are online");
}

#[test]
fn a_populating_index_shows_its_progress_and_a_slow_orphan_scan_is_cut_off() {
    let server = Neo4jServer::start(&test_version());
    server.write(&[
        "UNWIND range(0, 49) AS b CALL { WITH b UNWIND range(b * 10000, b * 10000 + 9999) AS i CREATE (:Pop {q: toString(i)}) } IN TRANSACTIONS OF 1 ROWS",
    ]);
    let schema = start(&server, "schema", &["--collector.schema.interval=100ms"]);
    server.write(&["CREATE INDEX pop_idx FOR (n:Pop) ON (n.q)"]);
    let scrape = schema.scrape_until(WAIT, "the index populating", |s| {
        s.value("neo4j_index_population_ratio", &[("index", "pop_idx")]).is_some_and(|r| r > 0.0 && r < 1.0)
    });
    assert_eq!(
        value(&scrape, "neo4j_indexes", &[("state", "populating"), ("type", "range")]).max(value(
            &scrape,
            "neo4j_indexes",
            &[("state", "populating"), ("type", "btree")]
        )),
        1.0
    );
    schema.scrape_until(WAIT, "the index online", |s| {
        s.value("neo4j_index_population_ratio", &[("index", "pop_idx")]).is_none() && succeeded(s, "schema")
    });

    // Half a million nodes cannot be scanned in 5 ms: the scan reports itself incomplete.
    let orphans = start(&server, "orphans", &["--collector.orphans.timeout=5ms"]);
    let scrape = orphans.scrape_until(WAIT, "an incomplete orphan scan", |s| s.has("neo4j_orphan_scan_complete"));
    assert_eq!(value(&scrape, "neo4j_orphan_scan_complete", &[]), 0.0, "{}", scrape.0);
    assert!(!scrape.has("neo4j_orphaned_nodes"), "no count from an unfinished scan");
    assert_eq!(value(&scrape, "neo4j_exporter_collector_success", &[("collector", "orphans")]), 1.0);
}

#[test]
fn custom_cypher_metrics_from_a_yaml_file() {
    let server = Neo4jServer::shared();
    let label = unique("Ticket");
    server.write(&[&format!("UNWIND ['open', 'open', 'open', 'closed'] AS state CREATE (:`{label}` {{state: state, cost: 2.5}})")]);
    let file = std::env::temp_dir().join(format!("{}.yml", unique("custom")));
    std::fs::write(
        &file,
        format!(
            "queries:
  - name: tickets
    help: Tickets per state.
    query: MATCH (t:`{label}`) RETURN t.state AS state, count(*) AS tickets, sum(t.cost) AS cost
    labels: [state]
    values: [tickets, cost]
    interval: 1s
  - name: ticket_reads_total
    help: A counter from a constant.
    type: counter
    query: RETURN 42 AS n
    values: [n]
    interval: 1h
  - name: broken
    help: Refers to a procedure that does not exist.
    query: CALL no.such.procedure() YIELD x RETURN x
    values: [x]
"
        ),
    )
    .unwrap();
    let flag = format!("--collector.custom.file={}", file.display());
    let exporter = start(server, "custom", &[&flag]);
    let scrape = exporter.scrape_until(WAIT, "the custom metrics", |s| succeeded(s, "custom") && s.has("neo4j_custom_tickets_tickets"));
    assert_eq!(value(&scrape, "neo4j_custom_tickets_tickets", &[("state", "open")]), 3.0);
    assert_eq!(value(&scrape, "neo4j_custom_tickets_cost", &[("state", "closed")]), 2.5);
    assert_eq!(value(&scrape, "neo4j_custom_ticket_reads_total", &[]), 42.0);
    assert_eq!(value(&scrape, "neo4j_custom_query_success", &[("query", "tickets")]), 1.0);
    assert_eq!(value(&scrape, "neo4j_custom_query_success", &[("query", "broken")]), 0.0);
    assert!(scrape.0.contains("# TYPE neo4j_custom_ticket_reads_total counter"));
    common::promtool_check_metrics(&scrape.0).unwrap();

    // The 1 s query follows the data; the 1 h one is not run again.
    server.write(&[&format!("CREATE (:`{label}` {{state: 'open', cost: 1}})")]);
    let later = exporter.scrape_until(WAIT, "the new ticket", |s| value(s, "neo4j_custom_tickets_tickets", &[("state", "open")]) == 4.0);
    assert_eq!(
        value(&later, "neo4j_custom_query_duration_seconds", &[("query", "ticket_reads_total")]),
        value(&scrape, "neo4j_custom_query_duration_seconds", &[("query", "ticket_reads_total")]),
    );
    let _ = std::fs::remove_file(&file);
}

#[test]
fn a_custom_query_that_writes_is_refused_at_start() {
    let file = std::env::temp_dir().join(format!("{}.yml", unique("custom-write")));
    std::fs::write(&file, "queries:\n  - {name: cleanup, help: h, query: 'MATCH (n:Tmp) DETACH DELETE n RETURN 1 AS v', values: [v]}\n")
        .unwrap();
    let out = Command::new(common::exporter_binary()).arg(format!("--collector.custom.file={}", file.display())).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("query 'cleanup': DETACH writes to the database; custom queries must only read"), "{stderr}");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn durations_keep_their_sign_as_neo4j_sends_them() {
    use neo4j_migration_exporter::neo4j::Value;
    let db = Neo4jServer::shared().exporter_client();
    let statement = "RETURN duration('-PT0.001S') AS just_begun, duration('-PT5S') AS negative, \
                     duration('PT1.5S') AS positive, duration('P1DT1S') AS day";
    let rows = block_on(db.read(statement, Vec::new(), Duration::from_secs(5))).unwrap();
    let seconds = |name: &str| match rows[0][name] {
        Value::Duration(s) => s,
        ref other => panic!("{name}: {other:?}"),
    };
    assert!((seconds("just_begun") + 0.001).abs() < 1e-9, "{}", seconds("just_begun"));
    assert_eq!(seconds("negative"), -5.0);
    assert_eq!(seconds("positive"), 1.5);
    assert_eq!(seconds("day"), 86_401.0);
}

/// Under churn `SHOW TRANSACTIONS` lists transactions that began a moment ago with an
/// `elapsedTime` of −1 ms; they must read as new, never as 2^64 seconds old.
#[test]
fn transactions_that_just_began_do_not_look_ancient() {
    let server = Neo4jServer::shared();
    let label = unique("Churn");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churners: Vec<_> = (0..2)
        .map(|_| {
            let (uri, password, label, stop) = (server.uri(), server.password.clone(), label.clone(), stop.clone());
            std::thread::spawn(move || {
                let graph = neo4rs::Graph::new(uri, "neo4j", password).unwrap();
                block_on(async {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        graph.run(neo4rs::query(&format!("CREATE (n:`{label}`) WITH n DELETE n"))).await.unwrap();
                    }
                });
            })
        })
        .collect();
    let exporter = start(server, "transactions", &["--collector.transactions.interval=100ms", "--transactions.long-running-threshold=30s"]);
    exporter.scrape_until(WAIT, "a successful transactions run", |s| succeeded(s, "transactions"));

    // Watch the server until it has shown negative times several times (about one listing in a
    // hundred has one), while the exporter reads it ten times a second; its metrics are read every round and
    // `check` asked every two seconds.
    let graph = neo4rs::Graph::new(server.uri(), "neo4j", server.password.clone()).unwrap();
    let mut negative = 0;
    let started = std::time::Instant::now();
    let mut next_check = started;
    while negative < 5 {
        assert!(started.elapsed() < Duration::from_secs(180), "Neo4j showed {negative} negative elapsed times in 180 s");
        let statement = "SHOW TRANSACTIONS YIELD elapsedTime RETURN elapsedTime.milliseconds AS ms";
        negative += block_on(async {
            let mut rows = graph.execute(neo4rs::query(statement)).await.unwrap();
            let mut seen = 0;
            while let Some(row) = rows.next().await.unwrap() {
                seen += i32::from(row.get::<i64>("ms").unwrap() < 0);
            }
            seen
        });
        let scrape = exporter.scrape();
        for name in ["neo4j_transaction_oldest_seconds", "neo4j_transaction_lock_wait_seconds_max"] {
            let v = value(&scrape, name, &[("database", "neo4j")]);
            assert!(v.is_nan() || v < 30.0, "{name} = {v} under churn\n{}", scrape.0);
        }
        assert!(value(&scrape, "neo4j_transactions_long_running", &[("database", "neo4j")]) <= 0.0, "{}", scrape.0);
        for reason in ["invalid_elapsed_time", "invalid_wait_time"] {
            let invalid = value(&scrape, "neo4j_exporter_invalid_records", &[("collector", "transactions"), ("reason", reason)]);
            assert!(invalid.is_nan() || invalid == 0.0, "{reason}: {invalid}\n{}", scrape.0);
        }
        if std::time::Instant::now() < next_check {
            continue;
        }
        next_check = std::time::Instant::now() + Duration::from_secs(2);
        let check = Command::new(common::exporter_binary())
            .args(["check", "--fail-on=long-running", &format!("--neo4j.uri={}", server.uri())])
            .env("NEO4J_PASSWORD", &server.password)
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(0), "check under churn: {}", String::from_utf8_lossy(&check.stdout));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for churner in churners {
        churner.join().unwrap();
    }
}

/// SIGHUP reads the custom metrics file again: a new query is run, a removed one is gone, and
/// a file that no longer loads leaves the queries in force, with a warning.
#[test]
fn sighup_reads_the_custom_metrics_file_again() {
    let server = Neo4jServer::shared();
    let file = std::env::temp_dir().join(format!("{}.yml", unique("custom-reload")));
    let query = |name: &str, v: u32| {
        format!("queries:\n  - {{name: {name}, help: A constant., query: 'RETURN {v} AS v', values: [v], interval: 1s}}\n")
    };
    std::fs::write(&file, query("first", 1)).unwrap();
    let flag = format!("--collector.custom.file={}", file.display());
    let exporter = start(server, "custom", &[&flag, "--collector.custom.interval=500ms"]);
    exporter.scrape_until(WAIT, "the first query", |s| value(s, "neo4j_custom_first", &[]) == 1.0);
    let hup = || {
        let status = Command::new("kill").arg("-HUP").arg(exporter.pid().to_string()).status().unwrap();
        assert!(status.success());
    };
    std::fs::write(&file, query("second", 2)).unwrap();
    hup();
    let scrape = exporter.scrape_until(WAIT, "the second query in place of the first", |s| value(s, "neo4j_custom_second", &[]) == 2.0);
    assert!(!scrape.has("neo4j_custom_first"), "{}", scrape.0);
    assert!(exporter.logs().contains("custom metrics file loaded again"), "{}", exporter.logs());

    std::fs::write(&file, "queries: [oops\n").unwrap();
    hup();
    exporter.wait_until(WAIT, "a warning about the broken file", |e| e.logs().contains("the previous queries stay in force"));
    let scrape = exporter.scrape_until(WAIT, "a later run", |s| succeeded(s, "custom"));
    assert_eq!(value(&scrape, "neo4j_custom_second", &[]), 2.0);
    let _ = std::fs::remove_file(&file);
}
