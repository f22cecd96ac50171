//! The whole `/metrics` exposition for a fixed graph and a fixed set of migration records,
//! compared with `tests/testdata/golden/metrics.txt` so that every change to what the exporter
//! says shows in review as a diff of that file. Values that move on their own (times, the
//! exporter's own process, the server's version) are masked, never their series.
//!
//!   UPDATE_GOLDEN=1 cargo test --test golden    # rewrite the expected file after a deliberate change

mod common;

use std::path::Path;
use std::time::Duration;

use common::{repo_root, test_version, Exporter, Neo4jServer};

/// Families whose values depend on the clock or the machine: their series are kept, their
/// values shown as `<varies>`.
const VARYING_VALUES: &[&str] = &[
    "neo4j_exporter_collector_duration_seconds",
    "neo4j_exporter_collector_last_success_timestamp_seconds",
    "neo4j_migration_file_modified_timestamp_seconds",
    "neo4j_orphan_scan_duration_seconds",
    "neo4j_jvm_",
    "neo4j_transaction",
    "neo4j_active_transactions",
    "process_",
];

/// Families whose labels name the build or the server version: their lines are masked whole.
const VARYING_LABELS: &[&str] = &["neo4j_exporter_build_info", "neo4j_server_info"];

fn seed(server: &Neo4jServer) {
    server.write(&[
        "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE",
        "CREATE INDEX company_name IF NOT EXISTS FOR (c:Company) ON (c.name)",
        "UNWIND range(1, 5) AS i CREATE (:Person {id: i})",
        "UNWIND range(1, 2) AS i CREATE (:Company {name: 'c' + i})",
        "MATCH (p:Person), (c:Company {name: 'c1'}) WHERE p.id <= 3 CREATE (p)-[:WORKS_AT]->(c)",
        "MATCH (a:Person {id: 1}), (b:Person {id: 2}) CREATE (a)-[:KNOWS]->(b)",
        "CREATE (:Orphan), (:Orphan)",
        "UNWIND [
           {f: 'V001__people.cypher', s: 'SUCCESS', t: 1200, at: '2026-03-01T10:00:00Z', c: 'sha256:wrong'},
           {f: 'V002__companies.cypher', s: 'SUCCESS', t: 45000, at: '2026-03-01T10:01:00Z'},
           {f: 'V003__index.cypher', s: 'FAILED', t: 2100, at: '2026-03-02T09:00:00Z',
            d: 'Neo.TransientError.Transaction.LockAcquisitionTimeout: unable to acquire lock within 2s'},
           {f: 'V004__backfill.cypher', s: 'ROLLED_BACK', t: 300, at: '2026-03-02T09:05:00Z'}
         ] AS r
         CREATE (m:Migration) SET m.filename = r.f, m.status = r.s, m.executionTime = r.t,
                                         m.appliedAt = datetime(r.at), m.description = r.d, m.checksum = r.c",
        // Every index online before the first scrape, so none is caught populating.
        "CALL db.awaitIndexes(60)",
    ]);
}

fn write_migration_files(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, body) in [
        ("V001__people.cypher", "CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE;\n"),
        ("V002__companies.cypher", "UNWIND range(1, 2) AS i CREATE (:Company {name: 'c' + i});\n"),
        ("V003__index.cypher", "CREATE INDEX company_name FOR (c:Company) ON (c.name);\n"),
        ("V004__backfill.cypher", "MATCH (p:Person) SET p.backfilled = true;\n"),
        ("V005__next.cypher", "MATCH (c:Company) SET c.checked = true;\n"),
    ] {
        std::fs::write(dir.join(name), body).unwrap();
    }
}

/// The exposition with varying values and labels masked.
fn masked(exposition: &str) -> String {
    let mut out = String::new();
    for line in exposition.lines() {
        let name = line.split(['{', ' ']).next().unwrap_or("");
        let shown = if line.starts_with('#') {
            line.to_string()
        } else if VARYING_LABELS.contains(&name) {
            format!("{name}{{<varies>}} <varies>")
        } else if VARYING_VALUES.iter().any(|prefix| name.starts_with(prefix)) {
            let series = line.rsplit_once(' ').map_or(line, |(series, _)| series);
            format!("{series} <varies>")
        } else {
            line.to_string()
        };
        out.push_str(&shown);
        out.push('\n');
    }
    out
}

#[test]
fn the_exposition_for_a_fixed_graph_and_fixed_records_is_the_reviewed_one() {
    let server = Neo4jServer::start(&test_version());
    seed(&server);
    let files = std::env::temp_dir().join(common::unique("golden-migrations"));
    write_migration_files(&files);
    let dir_flag = format!("--migrations.dir={}", files.display());
    let exporter = Exporter::start(&server.uri(), &[&dir_flag, "--collector.orphans.interval=1s", "--collector.counts.interval=1s"]);
    let every_collector_ran = |scrape: &common::Scrape| {
        let runs = scrape.samples("neo4j_exporter_collector_success");
        !runs.is_empty() && runs.iter().all(|(_, ok)| *ok == 1.0)
    };
    let scrape = exporter.scrape_until(Duration::from_secs(60), "every collector's first successful run", every_collector_ran);
    let actual = masked(&scrape.0);

    let golden = repo_root().join("tests/testdata/golden/metrics.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    if actual != expected {
        let diff: Vec<String> = diff_lines(&expected, &actual);
        panic!(
            "the exposition differs from {} (rerun with UPDATE_GOLDEN=1 if the change is meant):\n{}",
            golden.display(),
            diff.join("\n")
        );
    }
    let _ = std::fs::remove_dir_all(&files);
}

/// Lines only in `expected` (`-`) and only in `actual` (`+`), in order of appearance.
fn diff_lines(expected: &str, actual: &str) -> Vec<String> {
    let had: std::collections::HashSet<&str> = expected.lines().collect();
    let has: std::collections::HashSet<&str> = actual.lines().collect();
    let gone = expected.lines().filter(|l| !has.contains(l)).map(|l| format!("- {l}"));
    let new = actual.lines().filter(|l| !had.contains(l)).map(|l| format!("+ {l}"));
    gone.chain(new).collect()
}
