//! Records written by the real Neo4j-Migrations and Liquibase tools (from Maven Central, run by
//! testkit/migration-tools) are read correctly. Each test has a server of its own, because the
//! tools' record labels are fixed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{repo_root, test_version, unique, Exporter, Neo4jServer, Scrape};

const WAIT: Duration = Duration::from_secs(20);

fn run_tool(server: &Neo4jServer, args: &[&str]) -> (bool, String) {
    let out = Command::new(repo_root().join("testkit/migration-tools/run-tool"))
        .args(args)
        .args(["--uri", &server.uri()])
        .env("NEO4J_PASSWORD", &server.password)
        .output()
        .expect("run the migration tool");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn successful_scrape(exporter: &Exporter) -> Scrape {
    exporter.scrape_until(WAIT, "a successful migrations run", |s| {
        s.value("neo4j_exporter_collector_success", &[("collector", "migrations")]) == Some(1.0)
    })
}

fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64()
}

#[test]
fn neo4j_migrations_records_are_read_and_their_checksums_checked() {
    let server = Neo4jServer::start(&test_version());
    let dir: PathBuf = std::env::temp_dir().join(unique("neo4j-migrations"));
    copy_dir(&repo_root().join("testkit/migration-tools/examples/neo4j-migrations"), &dir);
    let locations = dir.to_string_lossy().to_string();
    let (ok, said) = run_tool(&server, &["neo4j-migrations", "--locations", &locations]);
    assert!(ok, "Neo4j-Migrations failed:\n{said}");

    let dir_flag = format!("--migrations.dir={locations}");
    let exporter = Exporter::start(
        &server.uri(),
        &[
            "--migrations.schema=neo4j-migrations",
            "--migrations.checksum-algorithm=neo4j-migrations",
            &dir_flag,
            "--collector.migrations.interval=1s",
        ],
    );
    let scrape = successful_scrape(&exporter);
    // Four migrations applied; the BASELINE node is not one.
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "success")]), Some(4.0), "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "unknown")]), Some(0.0));
    for file in [
        "V0001__Create_person_constraint.cypher",
        "V0002__Create_people.cypher",
        "V0003__Add_friendships.cypher",
        "R0004__Refresh_people_count.cypher",
    ] {
        let seconds = scrape.value("neo4j_migration_recent_execution_seconds", &[("filename", file), ("status", "success")]);
        assert!(seconds.is_some_and(|s| (0.0..60.0).contains(&s)), "{file}: {seconds:?}\n{}", scrape.0);
    }
    let applied = scrape.value("neo4j_migration_last_applied_timestamp_seconds", &[]).unwrap();
    assert!((now() - applied).abs() < 300.0, "applied at {applied}");
    assert_eq!(scrape.value("neo4j_migration_execution_seconds_count", &[]), Some(4.0));
    // The tool's own checksums match the files: nothing pending, nothing drifted.
    assert_eq!(scrape.value("neo4j_migration_files", &[]), Some(4.0));
    assert_eq!(scrape.value("neo4j_migration_files_pending", &[]), Some(0.0));
    assert_eq!(scrape.value("neo4j_migration_checksum_mismatches", &[]), Some(0.0));
    assert_eq!(scrape.value("neo4j_exporter_invalid_records", &[("reason", "missing_applied_at")]), Some(0.0));

    // A changed repeatable migration is applied again (a REPEATED loop with the new checksum).
    let repeatable = dir.join("R0004__Refresh_people_count.cypher");
    let mut text = std::fs::read_to_string(&repeatable).unwrap();
    text.push_str("MERGE (s:Stats {name: 'refreshed'});\n");
    std::fs::write(&repeatable, text).unwrap();
    let (ok, said) = run_tool(&server, &["neo4j-migrations", "--locations", &locations]);
    assert!(ok, "re-applying the repeatable migration failed:\n{said}");
    let scrape = exporter.scrape_until(WAIT, "the repeated run to count", |s| {
        s.value("neo4j_migration_last_applied_timestamp_seconds", &[]).is_some_and(|t| t > applied)
    });
    assert_eq!(scrape.value("neo4j_migration_checksum_mismatches", &[]), Some(0.0), "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "success")]), Some(4.0));

    // Someone edits an applied versioned migration: the tool refuses, the exporter shows drift.
    let edited = dir.join("V0002__Create_people.cypher");
    std::fs::write(&edited, "CREATE (:Person {name: 'Linus'});\n").unwrap();
    let (ok, said) = run_tool(&server, &["neo4j-migrations", "--locations", &locations]);
    assert!(!ok && said.contains("changed"), "the tool should refuse the edited file:\n{said}");
    let scrape = exporter.scrape_until(WAIT, "the drift to show", |s| s.value("neo4j_migration_checksum_mismatches", &[]) == Some(1.0));
    assert_eq!(scrape.value("neo4j_migration_checksum_mismatch", &[("filename", "V0002__Create_people.cypher")]), Some(1.0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn liquibase_change_sets_are_read() {
    let version = test_version();
    if version == "latest" {
        // liquibase-neo4j 4.27 refuses Neo4j 2026.x ("Neo4j version 2026.08.1 is not supported").
        eprintln!("liquibase-neo4j does not support Neo4j {version}; this test runs on 4.4 and 5.26");
        return;
    }
    let server = Neo4jServer::start(&version);
    let changelog = repo_root().join("testkit/migration-tools/examples/liquibase/changelog.xml");
    let (ok, said) = run_tool(&server, &["liquibase", "--changelog", &changelog.to_string_lossy()]);
    assert!(ok, "Liquibase failed:\n{said}");

    let exporter = Exporter::start(&server.uri(), &["--migrations.schema=liquibase", "--collector.migrations.interval=1s"]);
    let scrape = successful_scrape(&exporter);
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "success")]), Some(3.0), "{}", scrape.0);
    let applied = scrape.value("neo4j_migration_last_success_timestamp_seconds", &[]).unwrap();
    assert!((now() - applied).abs() < 300.0, "applied at {applied}");
    assert_eq!(scrape.value("neo4j_migrations_in_window", &[("status", "success")]), Some(3.0));
    // Liquibase stores no duration, so there is nothing to time.
    assert_eq!(scrape.value("neo4j_migration_execution_seconds_count", &[]), Some(0.0));
    for reason in ["missing_filename", "invalid_status", "missing_applied_at", "invalid_applied_at", "invalid_checksum"] {
        assert_eq!(scrape.value("neo4j_exporter_invalid_records", &[("reason", reason)]), Some(0.0), "{reason}");
    }
    let last = scrape.value("neo4j_migration_last_applied_timestamp_seconds", &[]);
    assert_eq!(last, Some(applied));

    // The runOnChange change set re-runs after an edit: RERAN still counts as success.
    let dir = std::env::temp_dir().join(unique("liquibase"));
    std::fs::create_dir_all(&dir).unwrap();
    let edited = std::fs::read_to_string(&changelog).unwrap().replace("SET s.count = movies", "SET s.count = movies, s.at = 1");
    let copy = dir.join("changelog.xml");
    std::fs::write(&copy, edited).unwrap();
    let (ok, said) = run_tool(&server, &["liquibase", "--changelog", &copy.to_string_lossy()]);
    assert!(ok, "Liquibase re-run failed:\n{said}");
    let scrape = exporter.scrape_until(WAIT, "the re-run to count", |s| {
        s.value("neo4j_migration_last_success_timestamp_seconds", &[]).is_some_and(|t| t > applied)
    });
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "success")]), Some(3.0), "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "unknown")]), Some(0.0));
    let _ = std::fs::remove_dir_all(&dir);
}
