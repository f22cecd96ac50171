//! Migration day with the real parts: a runner on the official Python driver applies files to
//! a real Neo4j while the exporter watches (the file running now, X of Y, the ETA from a real
//! staging server's records, the lock waits it causes), and `check --before` answers the
//! runbook's checklist item by item against real servers and a real Prometheus.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use common::dashboards::{as_prometheus_would_run, dashboard_queries, query};
use common::service::Service;
use common::{exporter_binary, http_get, recorders, repo_root, test_version, unique, Exporter, Neo4jServer, Scrape};

const WAIT: Duration = Duration::from_secs(30);
/// The slow migration takes tens of seconds; on a loaded machine, more.
const SLOW_WAIT: Duration = Duration::from_secs(240);

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(name));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

fn paths(files: &[&PathBuf]) -> Vec<PathBuf> {
    files.iter().map(|p| p.to_path_buf()).collect()
}

fn refs(files: &[PathBuf]) -> Vec<&Path> {
    files.iter().map(PathBuf::as_path).collect()
}

/// A migration file's series, by its name in the directory.
fn current(scrape: &Scrape, file: &str) -> Option<f64> {
    scrape.value("neo4j_migration_current_seconds", &[("filename", file), ("seen_in", "transaction")])
}

/// The execution time staging recorded for a file, in seconds.
fn staging_seconds(staging: &Neo4jServer, label: &str, file: &str) -> f64 {
    let ms = staging.read_ints(&format!("MATCH (m:`{label}`) WHERE m.filename ENDS WITH '{file}' RETURN m.executionTime AS t"), "t");
    ms[0] as f64 / 1000.0
}

/// A slow migration (a cartesian scan over thousands of nodes, tens of seconds of real work)
/// between two quick ones. While it runs the exporter names it, with its elapsed time, 1 of 3
/// applied, an ETA from staging's records of the same files, and the write it blocks; once
/// the runner is done, all of that clears.
#[test]
fn a_slow_run_is_watched_while_it_runs() {
    let version = test_version();
    let main = Neo4jServer::shared();
    let staging_server = Neo4jServer::start(&version);
    let staging = &staging_server;
    let (label, data) = (unique("Day"), unique("Load"));
    // The graph the slow statement works on: large here, small on staging, as they usually are.
    main.write(&[&format!("UNWIND range(1, 9000) AS i CREATE (:{data} {{k: i}})"), &format!("CREATE (:{data}Lock {{id: 1}})")]);
    staging.write(&[&format!("UNWIND range(1, 60) AS i CREATE (:{data} {{k: i}})"), &format!("CREATE (:{data}Lock {{id: 1}})")]);
    let dir = dir("day-run");
    let v1 = write(&dir.join("V1__mark.cypher"), &format!("CREATE (:{data}Mark {{step: 1}});\n"));
    let v2 = write(
        &dir.join("V2__slow.cypher"),
        &format!(
            "// takes the lock first, then works\nMATCH (l:{data}Lock {{id: 1}}) SET l.by = 'V2';\n\
             MATCH (a:{data}), (b:{data})\n  WHERE a.k < b.k AND (a.k * 31 + b.k) % 99991 = 0\n\
             WITH count(*) AS pairs\nCREATE (:{data}Mark {{step: 2, pairs: pairs}});\n"
        ),
    );
    let v3 = write(&dir.join("V3__after.cypher"), &format!("CREATE (:{data}Mark {{step: 3}});\n"));
    let files = paths(&[&v1, &v2, &v3]);
    recorders::record("python", staging, &label, &[], &refs(&files));

    let backups = dir.join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    // The dashboard's backup panel reads only its time (the checklist test makes real dumps).
    write(&backups.join("neo4j.dump"), "a dump");
    let args = [
        format!("--migrations.label={label}"),
        format!("--migrations.dir={}", dir.display()),
        "--migrations.profile=python".to_string(),
        format!("--staging.uri={}", staging.uri()),
        format!("--backup.dir={}", backups.display()),
        "--collector.migrations.interval=1s".to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let exporter =
        Exporter::start_with_env(&main.uri(), &args, &[("NEO4J_PASSWORD", &main.password), ("NEO4J_STAGING_PASSWORD", &staging.password)]);
    let scratch = dir.join("prometheus");
    let prometheus = start_prometheus(&scratch, exporter.port, false);
    let before = exporter.scrape_until(WAIT, "a first migrations run", |s| s.has("neo4j_migration_run_in_progress"));
    assert_eq!(before.value("neo4j_migration_run_in_progress", &[]), Some(0.0));
    assert_eq!(before.value("neo4j_migration_pending_unproven_on_staging", &[("reason", "missing")]), Some(0.0));

    let runner = recorders::spawn("python", main, &label, &["--timeout-ms", "900000"], &refs(&files));
    let during = exporter.scrape_until(SLOW_WAIT, "V2__slow.cypher seen running", |s| current(s, "V2__slow.cypher").is_some());
    let elapsed = current(&during, "V2__slow.cypher").unwrap();
    assert_eq!(during.value("neo4j_migration_run_in_progress", &[]), Some(1.0));
    assert_eq!(during.value("neo4j_migration_run_applied", &[]), Some(1.0), "V1 applied in this run");
    assert_eq!(during.value("neo4j_migration_run_pending", &[]), Some(2.0), "V2 running and V3 to go");
    let eta = during.value("neo4j_migration_run_eta_seconds", &[]).expect("an ETA");
    assert_eq!(during.value("neo4j_migration_run_eta_staging_files", &[]), Some(2.0), "both from staging");
    let expected =
        (staging_seconds(staging, &label, "V2__slow.cypher") - elapsed).max(0.0) + staging_seconds(staging, &label, "V3__after.cypher");
    assert!((eta - expected).abs() < 0.01, "ETA {eta} s, from staging's records {expected} s");

    // Every panel of the dashboard's migration-day row has data while the run is under way.
    let row = ["neo4j_migration_run_", "neo4j_migration_current_", "neo4j_migration_pending_", "neo4j_backup_"];
    for (_, title, expr) in dashboard_queries().into_iter().filter(|(_, _, expr)| row.iter().any(|m| expr.contains(m))) {
        let promql = as_prometheus_would_run(&expr);
        let deadline = std::time::Instant::now() + WAIT;
        while query(prometheus.port, &promql)["data"]["result"].as_array().is_none_or(|r| r.is_empty()) {
            assert!(std::time::Instant::now() < deadline, "{title}: no data for {promql}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    // A write to the node the migration locked waits for it, and is counted against it.
    let blocked_write = {
        let (uri, password) = (main.uri(), main.password.clone());
        let statement = format!("MATCH (l:{data}Lock {{id: 1}}) SET l.waited = true");
        std::thread::spawn(move || {
            let graph = neo4rs::Graph::new(uri, "neo4j", password).unwrap();
            common::block_on(async { graph.run(neo4rs::query(&statement)).await.map_err(|e| e.to_string()) })
        })
    };
    let waiting = exporter.scrape_until(SLOW_WAIT, "the blocked write counted", |s| {
        s.value("neo4j_migration_current_blocked_transactions", &[]) == Some(1.0) || current(s, "V2__slow.cypher").is_none()
    });
    assert!(current(&waiting, "V2__slow.cypher").is_some(), "V2 ended before the blocked write was seen; make it slower");
    let (_, page) = http_get(exporter.port, "/").unwrap();
    assert!(page.contains("Migration in progress: 1 of 3 applied, ETA"), "{page}");
    assert!(page.contains("Running V2__slow.cypher for"), "{page}");
    assert!(page.contains("1 transactions wait for its locks"), "{page}");
    let status = Command::new(exporter_binary())
        .arg("status")
        .arg(format!("--neo4j.uri={}", main.uri()))
        .args(&args)
        .env("NEO4J_PASSWORD", &main.password)
        .env("NEO4J_STAGING_PASSWORD", &staging.password)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&status.stdout);
    assert!(table.contains("Migration in progress: 1 of 3 applied"), "{table}\n{}", String::from_utf8_lossy(&status.stderr));

    let said = recorders::finish("python", runner, &refs(&files));
    assert!(files.iter().all(|f| recorders::outcome(&said, f) == Some("SUCCESS")), "{said}");
    // neo4rs may give up waiting before V2 commits; either way the write was held by V2's lock.
    let _ = blocked_write.join().unwrap();
    let after = exporter.scrape_until(WAIT, "the run over", |s| s.value("neo4j_migration_run_in_progress", &[]) == Some(0.0));
    assert!(current(&after, "V2__slow.cypher").is_none());
    assert_eq!(after.value("neo4j_migration_run_pending", &[]), Some(0.0));
    assert!(after.samples("neo4j_migration_run_eta_seconds").is_empty());
    let (_, page) = http_get(exporter.port, "/").unwrap();
    assert!(!page.contains("Migration in progress"), "{page}");
}

/// `check --before` once: its exit code and what it printed.
fn check_before(main: &Neo4jServer, args: &[String], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(exporter_binary())
        .args(["check", "--before"])
        .arg(format!("--neo4j.uri={}", main.uri()))
        .args(args)
        .env("NEO4J_PASSWORD", &main.password)
        .env("NEO4J_STAGING_PASSWORD", &main.password)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), said)
}

/// The word (`ok`, `FAIL`, `skip`) and line of one checklist item.
fn item<'s>(said: &'s str, title: &str) -> (&'s str, &'s str) {
    let line =
        said.lines().find(|l| l.get(5..).is_some_and(|rest| rest.starts_with(title))).unwrap_or_else(|| panic!("no {title} in:\n{said}"));
    (line.split_whitespace().next().unwrap(), line)
}

/// A real Prometheus scraping the exporter every second, with the shipped rules or without.
fn start_prometheus(scratch: &Path, exporter: u16, rules: bool) -> Service {
    Service::prometheus(scratch, &prometheus_config(exporter, rules))
}

fn prometheus_config(exporter: u16, rules: bool) -> String {
    let rule_files =
        if rules { format!("rule_files:\n  - {}\n", repo_root().join("alerts/neo4j.rules.yml").display()) } else { String::new() };
    format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n{rule_files}\
         scrape_configs:\n  - job_name: neo4j\n    static_configs:\n      - targets: ['127.0.0.1:{exporter}']\n"
    )
}

fn set_age(path: &Path, age: Duration) {
    std::fs::File::options().write(true).open(path).unwrap().set_modified(SystemTime::now() - age).unwrap();
}

/// Every item of the checklist, failing and then passing for real: a stale and a fresh dump, a
/// missing down file, staging missing a file and then holding different content, Prometheus
/// without the rules and with them; then a failed migration makes the database not quiet.
#[test]
fn the_checklist_fails_and_passes_item_by_item() {
    let version = test_version();
    let main = Neo4jServer::start(&version);
    let staging = Neo4jServer::start(&version);
    let label = unique("Check");
    let dir = dir("day-check");
    let v1 = write(&dir.join("V1__users.up.cypher"), &format!("CREATE (:{label}Data {{v: 1}});\n"));
    write(&dir.join("V1__users.down.cypher"), &format!("MATCH (n:{label}Data {{v: 1}}) DELETE n;\n"));
    let v2_text = format!("CREATE (:{label}Data {{v: 2}});\n");
    let v2 = write(&dir.join("V2__orders.up.cypher"), &v2_text);
    let v3 = write(&dir.join("V3__index.up.cypher"), &format!("CREATE INDEX {label}_v IF NOT EXISTS FOR (n:{label}Data) ON (n.v);\n"));
    write(&dir.join("V3__index.down.cypher"), &format!("DROP INDEX {label}_v IF EXISTS;\n"));
    recorders::record("python", &main, &label, &[], &[&v1]);
    recorders::record("python", &staging, &label, &[], &[&v1, &v2]);

    // A real dump by Neo4j's own neo4j-admin, dated three days back.
    let backups = dir.join("backups");
    main.dump(&backups);
    set_age(&backups.join("neo4j.dump"), Duration::from_secs(3 * 86_400));

    let scratch = dir.join("prometheus");
    let daemon = Exporter::start(&main.uri(), &[&format!("--migrations.label={label}"), &format!("--migrations.dir={}", dir.display())]);
    let prometheus = start_prometheus(&scratch, daemon.port, false);
    let (port, prometheus_yml) = (prometheus.port, scratch.join("prometheus.yml"));

    let args = vec![
        format!("--migrations.label={label}"),
        format!("--migrations.dir={}", dir.display()),
        "--migrations.profile=python".to_string(),
        format!("--staging.uri={}", staging.uri()),
        format!("--backup.dir={}", backups.display()),
        "--backup.max-age=1d".to_string(),
        format!("--prometheus.url=http://127.0.0.1:{port}"),
    ];
    let wait_for = |title: &str, word: &str, env: &[(&str, &str)]| -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let (_, said) = check_before(&main, &args, env);
            if item(&said, title).0 == word || std::time::Instant::now() > deadline {
                return said;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    };

    // Everything wrong but the database's quiet. Prometheus scrapes the exporter within a second.
    let said = wait_for("monitoring ready", "FAIL", &[]);
    let (code, said) = (check_before(&main, &args, &[]).0, said);
    assert_eq!(code, 1, "{said}");
    let (word, line) = item(&said, "backup created");
    assert!(word == "FAIL" && line.contains("neo4j.dump, 72h 0m old") && line.contains("older than --backup.max-age 24h 0m"), "{said}");
    let (word, line) = item(&said, "rollback plan");
    assert!(word == "FAIL" && line.contains("1 of the 2 pending files have no down file"), "{said}");
    assert!(said.contains("no down file: V2__orders.up.cypher"), "{said}");
    let (word, _) = item(&said, "staging tested");
    assert_eq!(word, "FAIL", "{said}");
    assert!(said.contains("not applied on staging: V3__index.up.cypher"), "{said}");
    let (word, line) = item(&said, "monitoring ready");
    assert!(word == "FAIL" && line.contains("shipped alert rules are not loaded"), "{said}");
    assert!(said.contains("rule not loaded: Neo4jMigrationFailed"), "{said}");
    assert_eq!(item(&said, "quiet database").0, "ok", "{said}");

    // Staging's password is its own, and never printed; without one, --staging.uri is refused.
    let out = Command::new(exporter_binary())
        .args(["check", "--before", &format!("--staging.uri={}", staging.uri())])
        .env("NEO4J_PASSWORD", &main.password)
        .env_remove("NEO4J_STAGING_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--staging.uri needs staging's password"), "{out:?}");
    let wrong = "Wr0ng-Staging-Pa55";
    let (_, said_wrong) = check_before(&main, &args, &[("NEO4J_STAGING_PASSWORD", wrong)]);
    assert!(item(&said_wrong, "staging tested").1.contains("cannot read staging's records"), "{said_wrong}");
    assert!(!said_wrong.contains(wrong) && !said_wrong.contains(&main.password), "{said_wrong}");

    // One by one, put right.
    main.dump(&backups);
    write(&dir.join("V2__orders.down.cypher"), &format!("MATCH (n:{label}Data {{v: 2}}) DELETE n;\n"));
    recorders::record("python", &staging, &label, &[], &[&v3]);
    // V2 edited here after staging applied it: what staging proved is not what would run.
    write(&v2, &format!("CREATE (:{label}Data {{v: 2, edited: true}});\n"));
    let (_, said) = check_before(&main, &args, &[]);
    assert_eq!(item(&said, "backup created").0, "ok", "{said}");
    assert_eq!(item(&said, "rollback plan").0, "ok", "{said}");
    assert_eq!(item(&said, "staging tested").0, "FAIL", "{said}");
    assert!(said.contains("differs from staging: V2__orders.up.cypher"), "{said}");
    write(&v2, &v2_text);
    std::fs::write(&prometheus_yml, prometheus_config(daemon.port, true)).unwrap();
    Command::new("kill").args(["-HUP", &prometheus.child.id().to_string()]).status().unwrap();
    let said = wait_for("monitoring ready", "ok", &[]);
    let (code, said) = (check_before(&main, &args, &[]).0, said);
    assert_eq!(code, 0, "{said}");
    for title in ["backup created", "rollback plan", "staging tested", "monitoring ready", "quiet database"] {
        assert_eq!(item(&said, title).0, "ok", "{title}: {said}");
    }
    assert!(item(&said, "monitoring ready").1.contains("every shipped alert rule is loaded; job neo4j: 1 targets up"), "{said}");

    // The status page of a daemon with the same settings shows the checklist.
    let env = [("NEO4J_PASSWORD", main.password.as_str()), ("NEO4J_STAGING_PASSWORD", main.password.as_str())];
    let full = Exporter::start_with_env(&main.uri(), &args.iter().map(String::as_str).collect::<Vec<_>>(), &env);
    full.scrape_until(WAIT, "the first runs of the collectors", |s| {
        s.has("neo4j_backup_last_timestamp_seconds")
            && s.has("neo4j_migration_pending_without_rollback")
            && s.has("neo4j_exporter_monitoring_ready")
    });
    let (_, page) = http_get(full.port, "/").unwrap();
    assert!(page.contains("<tr data-item=\"backup\" data-state=\"ok\">"), "{page}");
    assert!(page.contains("<tr data-item=\"rollback\" data-state=\"ok\">"), "{page}");

    // A failed migration: the database is not quiet, and the run cannot go on.
    let bad = write(&dir.join("V4__broken.up.cypher"), "CREATE (:Broken {v: 1)\n");
    write(&dir.join("V4__broken.down.cypher"), "MATCH (n:Broken) DELETE n;\n");
    recorders::record("python", &main, &label, &[], &[&v2, &v3, &bad]);
    let (code, said) = check_before(&main, &args, &[]);
    assert_eq!(code, 1, "{said}");
    let (word, line) = item(&said, "quiet database");
    assert!(word == "FAIL" && line.contains("1 found"), "{said}");
    assert!(said.contains("failed: /") && said.contains("V4__broken.up.cypher (syntax)"), "{said}");
}

/// `check --fail-on=schema` once: its exit code and what it printed.
fn check_schema(server: &Neo4jServer, args: &[String]) -> (i32, String) {
    let out = Command::new(exporter_binary())
        .args(["check", "--fail-on=schema"])
        .arg(format!("--neo4j.uri={}", server.uri()))
        .args(args)
        .env("NEO4J_PASSWORD", &server.password)
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), said)
}

/// The schema statements of this version's syntax, applied by a real runner, against what the
/// real server then lists: all there, then a constraint and an unnamed index dropped by hand
/// (missing), and an index a later file dropped made again by hand (still there).
#[test]
fn the_schema_the_files_declare_is_verified_against_the_live_schema() {
    let version = test_version();
    let server = Neo4jServer::shared();
    let l = unique("Schema");
    let dir = dir("day-schema");
    let v1 = write(
        &dir.join("V1__schema.cypher"),
        &format!(
            "CREATE CONSTRAINT {l}_email IF NOT EXISTS FOR (p:{l}) REQUIRE p.email IS UNIQUE;\n\
             CREATE INDEX IF NOT EXISTS FOR (p:{l}) ON (p.name);\n\
             CREATE TEXT INDEX {l}_bio FOR (p:{l}) ON (p.bio);\n\
             CREATE FULLTEXT INDEX {l}_search FOR (n:{l}|{l}Book) ON EACH [n.title, n.plot];\n\
             CREATE INDEX {l}_since FOR ()-[r:{l}_KNOWS]-() ON (r.since);\n\
             // the default lookup index answers for this one\n\
             CREATE LOOKUP INDEX IF NOT EXISTS FOR ()-[r]-() ON EACH type(r);\n"
        ),
    );
    let v2 =
        write(&dir.join("V2__drop.cypher"), &format!("DROP INDEX {l}_bio IF EXISTS;\nCREATE INDEX {l}_temp FOR (p:{l}) ON (p.temp);\n"));
    // Each version's own forms.
    let (v3_text, declared_v3, dropped_v3, unparsed) = if version.starts_with("4.") {
        (
            format!(
                "CREATE INDEX ON :{l}(old);\n\
                 CREATE CONSTRAINT ON (p:{l}) ASSERT p.code IS UNIQUE;\n\
                 CREATE BTREE INDEX {l}_bt IF NOT EXISTS FOR (p:{l}) ON (p.a, p.b);\n\
                 CREATE CONSTRAINT {l}_ref ON (p:{l}) ASSERT p.ref IS UNIQUE;\n\
                 DROP INDEX ON :{l}(old);\n"
            ),
            3,
            1,
            1,
        )
    } else {
        (
            format!(
                "CREATE RANGE INDEX {l}_range FOR (p:{l}) ON (p.rank);\n\
                 CREATE POINT INDEX {l}_where IF NOT EXISTS FOR (p:{l}) ON (p.location);\n\
                 CREATE CONSTRAINT {l}_ref FOR ()-[r:{l}_PAID]-() REQUIRE r.ref IS UNIQUE;\n\
                 CREATE CONSTRAINT {l}_code FOR (p:{l}) REQUIRE p.code IS NODE UNIQUE;\n\
                 CREATE VECTOR INDEX {l}_vec FOR (p:{l}) ON p.embedding \
                 OPTIONS {{indexConfig: {{`vector.dimensions`: 3, `vector.similarity_function`: 'cosine'}}}};\n"
            ),
            5,
            0,
            0,
        )
    };
    let v3 = write(&dir.join("V3__forms.cypher"), &v3_text);
    let mut files = vec![v1, v2, v3];
    if unparsed > 0 {
        // 4.4's procedure, in a file of its own: a procedure call is not a schema command.
        let call = format!("CALL db.index.fulltext.createNodeIndex('{l}_old_search', ['{l}'], ['story']);\n");
        files.push(write(&dir.join("V4__procedure.cypher"), &call));
    }
    let said = recorders::record("python", server, &l, &[], &refs(&files));
    assert!(files.iter().all(|f| recorders::outcome(&said, f) == Some("SUCCESS")), "{said}");

    let args = vec![format!("--migrations.label={l}"), format!("--migrations.dir={}", dir.display()), "--migrations.profile=python".into()];
    let exporter = Exporter::start(&server.uri(), &args.iter().map(String::as_str).collect::<Vec<_>>());
    let all_there = exporter.scrape_until(WAIT, "the schema verified", |s| {
        s.value("neo4j_migration_schema_read_success", &[]) == Some(1.0)
            && s.value("neo4j_migration_schema_problems", &[("problem", "not_online")]) == Some(0.0)
    });
    let expected = |s: &Scrape, which: &str| s.value("neo4j_migration_schema_expected_objects", &[("expect", which)]);
    // V1's six (its text index dropped by V2), V2's temp, and V3's.
    assert_eq!(expected(&all_there, "present"), Some((5 + 1 + declared_v3) as f64), "{}", all_there.0);
    assert_eq!(expected(&all_there, "absent"), Some((1 + dropped_v3) as f64));
    for problem in ["missing", "not_online", "unexpected"] {
        assert_eq!(all_there.value("neo4j_migration_schema_problems", &[("problem", problem)]), Some(0.0), "{problem}: {}", all_there.0);
    }
    let unparsed_series = all_there.value("neo4j_migration_schema_unparsed_statements", &[("filename", "V4__procedure.cypher")]);
    assert_eq!(unparsed_series.unwrap_or(0.0), unparsed as f64, "{}", all_there.0);
    let (code, said) = check_schema(server, &args);
    assert_eq!(code, 0, "{said}");

    // By hand, after the files: the constraint and the unnamed index dropped, the text index back.
    let unnamed = server.read_ints(
        &format!("SHOW INDEXES YIELD name, labelsOrTypes, properties WHERE labelsOrTypes = ['{l}'] AND properties = ['name'] RETURN count(*) AS n"),
        "n",
    );
    assert_eq!(unnamed, [1]);
    let name = {
        let graph = server.exporter_client();
        let rows = common::block_on(graph.read(
            &format!(
                "SHOW INDEXES YIELD name, labelsOrTypes, properties WHERE labelsOrTypes = ['{l}'] AND properties = ['name'] RETURN name"
            ),
            Vec::new(),
            Duration::from_secs(10),
        ))
        .unwrap();
        rows[0]["name"].as_str().unwrap().to_string()
    };
    server.write(&[
        &format!("DROP CONSTRAINT {l}_email"),
        &format!("DROP INDEX `{name}`"),
        &format!("CREATE TEXT INDEX {l}_bio FOR (p:{l}) ON (p.bio)"),
    ]);
    let broken = exporter.scrape_until(WAIT, "the hand-made changes seen", |s| {
        s.value("neo4j_migration_schema_problems", &[("problem", "missing")]) == Some(2.0)
            && s.value("neo4j_migration_schema_problems", &[("problem", "unexpected")]) == Some(1.0)
    });
    let missing = |object: &str, kind: &str| {
        broken.value("neo4j_migration_schema_missing", &[("filename", "V1__schema.cypher"), ("kind", kind), ("object", object)])
    };
    assert_eq!(missing(&format!("{l}_email"), "unique_constraint"), Some(1.0), "{}", broken.0);
    assert_eq!(missing(&format!("range_index on :{l}(name)"), "range_index"), Some(1.0), "{}", broken.0);
    let back = [("filename", "V2__drop.cypher"), ("kind", "text_index"), ("object", &*format!("{l}_bio"))];
    assert_eq!(broken.value("neo4j_migration_schema_unexpected", &back), Some(1.0), "{}", broken.0);
    let (code, said) = check_schema(server, &args);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains(&format!("schema: unique constraint {l}_email from V1__schema.cypher is missing")), "{said}");
    assert!(said.contains(&format!("schema: text index {l}_bio from V2__drop.cypher was dropped but is still there")), "{said}");
    let (_, page) = http_get(exporter.port, "/").unwrap();
    assert!(page.contains("2 missing, 0 not online, 1 still there after a drop"), "{page}");
}
