//! The migrations collector against a real Neo4j, with records shaped as real runners write them.
//! Each test uses its own node label, so tests share one server without seeing each other.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{unique, Exporter, Neo4jServer, Scrape};

const WAIT: Duration = Duration::from_secs(20);

/// Starts an exporter reading records labelled `label`, and returns its first successful scrape.
fn exporter_for(server: &Neo4jServer, label: &str, extra: &[&str]) -> (Exporter, Scrape) {
    let mut args = vec![format!("--migrations.label={label}"), "--collector.migrations.interval=1s".to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let exporter = Exporter::start(&server.uri(), &args);
    let scrape = exporter.scrape_until(WAIT, "a successful migrations run", |s| {
        s.value("neo4j_exporter_collector_success", &[("collector", "migrations")]) == Some(1.0)
    });
    (exporter, scrape)
}

fn status_count(scrape: &Scrape, status: &str) -> f64 {
    scrape.value("neo4j_migrations", &[("status", status)]).unwrap()
}

fn invalid(scrape: &Scrape, reason: &str) -> f64 {
    scrape.value("neo4j_exporter_invalid_records", &[("collector", "migrations"), ("reason", reason)]).unwrap()
}

#[test]
fn every_status_error_class_and_timestamp_form_is_read() {
    let server = Neo4jServer::shared();
    let label = unique("Migration");
    server.write(&[&format!(
        "UNWIND [
           {{f: 'V01__a.cypher', s: 'SUCCESS', t: 120}},
           {{f: 'V02__b.cypher', s: 'success', t: 80.5}},
           {{f: 'V03__c.cypher', s: 'PENDING'}},
           {{f: 'V04__d.cypher', s: 'RUNNING'}},
           {{f: 'V05__e.cypher', s: 'ROLLED_BACK', t: 10}},
           {{f: 'V06__f.cypher', s: 'DONE', t: 10}},
           {{f: 'V10__lock.cypher', s: 'FAILED', d: 'FAILED: Neo.TransientError.Transaction.LockClientStopped: LockClient[12] is stopped'}},
           {{f: 'V11__lock2.cypher', s: 'FAILED', d: 'FAILED: Neo.TransientError.Transaction.LockAcquisitionTimeout: timed out'}},
           {{f: 'V12__dead.cypher', s: 'FAILED', d: 'FAILED: Neo.TransientError.Transaction.DeadlockDetected: cycle'}},
           {{f: 'V13__exists.cypher', s: 'FAILED', d: 'FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists: Constraint already exists'}},
           {{f: 'V14__oom.cypher', s: 'FAILED', d: 'FAILED: java.lang.OutOfMemoryError: Java heap space'}},
           {{f: 'V15__tx.cypher', s: 'FAILED', d: 'FAILED: Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration: timed out'}},
           {{f: 'V16__syntax.cypher', s: 'FAILED', d: 'FAILED: Neo.ClientError.Statement.SyntaxError: Invalid input'}},
           {{f: 'V17__sum.cypher', s: 'FAILED', d: 'Migration V17__sum.cypher has been modified after application!'}},
           {{f: 'V18__other.cypher', s: 'FAILED', d: 'FAILED: disk on fire'}}
         ] AS r
         CREATE (m:`{label}`) SET m.filename = r.f, m.status = r.s, m.executionTime = r.t, m.description = r.d,
                              m.appliedAt = datetime() - duration('PT5M')"
    )]);
    let (_exporter, scrape) = exporter_for(server, &label, &[]);
    for (status, count) in [("success", 2.0), ("failed", 9.0), ("pending", 1.0), ("running", 1.0), ("rolled_back", 1.0), ("unknown", 1.0)] {
        assert_eq!(status_count(&scrape, status), count, "{status}\n{}", scrape.0);
    }
    for (file, class) in [
        ("V10__lock.cypher", "lock_timeout"),
        ("V11__lock2.cypher", "lock_timeout"),
        ("V12__dead.cypher", "deadlock"),
        ("V13__exists.cypher", "schema_conflict"),
        ("V14__oom.cypher", "out_of_memory"),
        ("V15__tx.cypher", "timeout"),
        ("V16__syntax.cypher", "syntax"),
        ("V17__sum.cypher", "checksum"),
        ("V18__other.cypher", "other"),
    ] {
        assert_eq!(scrape.value("neo4j_migration_failed", &[("filename", file), ("error_class", class)]), Some(1.0), "{file}");
    }
    assert_eq!(scrape.value("neo4j_migration_failures", &[("error_class", "lock_timeout")]), Some(2.0));
    assert_eq!(scrape.value("neo4j_migration_failures", &[("error_class", "schema_conflict")]), Some(1.0));
    assert_eq!(
        scrape.value("neo4j_migration_recent_execution_seconds", &[("filename", "V02__b.cypher"), ("status", "success")]),
        Some(0.0805)
    );
    // The oldest PENDING/RUNNING record was applied five minutes ago.
    let running = scrape.value("neo4j_migration_running_seconds", &[]).unwrap();
    assert!((290.0..400.0).contains(&running), "running for {running}s");
}

#[test]
fn applied_at_in_every_form_gives_the_same_time() {
    let server = Neo4jServer::shared();
    let label = unique("Migration");
    // 2025-10-15T10:00:00Z in each form a runner may store.
    server.write(&[&format!(
        "CREATE (:`{label}` {{filename: 'zoned', status: 'SUCCESS', executionTime: 1, appliedAt: datetime('2025-10-15T12:00:00+02:00')}}),
                (:`{label}` {{filename: 'named-zone', status: 'SUCCESS', executionTime: 1, appliedAt: datetime('2025-10-15T12:00:00[Europe/Berlin]')}}),
                (:`{label}` {{filename: 'local', status: 'SUCCESS', executionTime: 1, appliedAt: localdatetime('2025-10-15T10:00:00')}}),
                (:`{label}` {{filename: 'iso', status: 'SUCCESS', executionTime: 1, appliedAt: '2025-10-15T10:00:00Z'}}),
                (:`{label}` {{filename: 'millis', status: 'SUCCESS', executionTime: 1, appliedAt: 1760522400000}}),
                (:`{label}` {{filename: 'date', status: 'FAILED', executionTime: 1, appliedAt: date('2025-10-16')}})"
    )]);
    let (_exporter, scrape) = exporter_for(server, &label, &[]);
    assert_eq!(scrape.value("neo4j_migration_last_success_timestamp_seconds", &[]), Some(1_760_522_400.0));
    assert_eq!(scrape.value("neo4j_migration_last_failure_timestamp_seconds", &[]), Some(1_760_572_800.0));
    assert_eq!(invalid(&scrape, "invalid_applied_at"), 0.0);
    assert_eq!(invalid(&scrape, "missing_applied_at"), 0.0);
    assert_eq!(scrape.samples("neo4j_migration_recent_execution_seconds").len(), 6);
}

#[test]
fn the_runbook_queries_agree_with_the_metrics() {
    let server = Neo4jServer::shared();
    let label = unique("Migration");
    // A history: 30 records over two days, some slow, some failed, a burst in the last hour.
    server.write(&[&format!(
        "UNWIND range(1, 30) AS i
         CREATE (:`{label}` {{
           filename: 'V' + toString(100 + i) + '__step.cypher',
           status: CASE WHEN i % 7 = 0 THEN 'FAILED' WHEN i = 29 THEN 'RUNNING' ELSE 'SUCCESS' END,
           description: CASE WHEN i % 7 = 0 THEN 'FAILED: Neo.TransientError.Transaction.LockClientStopped' ELSE 'step ' + toString(i) END,
           executionTime: CASE WHEN i % 5 = 0 THEN 12000 + i WHEN i % 3 = 0 THEN 7000 ELSE 300 + i END,
           appliedAt: datetime() - duration({{minutes: CASE WHEN i > 25 THEN (30 - i) * 10 ELSE (31 - i) * 90 END}})
         }})"
    )]);
    let (_exporter, scrape) = exporter_for(server, &label, &["--migrations.recent=10"]);

    let count = |cypher: &str| server.read_ints(&format!("{cypher} RETURN count(*) AS n"), "n")[0] as f64;
    let failed = count(&format!("MATCH (m:`{label}`) WHERE m.status = 'FAILED'"));
    let over_10s = count(&format!("MATCH (m:`{label}`) WHERE m.executionTime > 10000"));
    let over_5s = count(&format!("MATCH (m:`{label}`) WHERE m.executionTime > 5000"));
    let last_hour = count(&format!("MATCH (m:`{label}`) WHERE m.appliedAt > datetime() - duration('PT1H')"));
    let succeeded = count(&format!("MATCH (m:`{label}`) WHERE m.status = 'SUCCESS'"));
    assert!(failed > 0.0 && over_10s > 0.0 && over_5s > over_10s && last_hour > 0.0);

    assert_eq!(status_count(&scrape, "failed"), failed);
    assert_eq!(status_count(&scrape, "success"), succeeded);
    assert_eq!(scrape.samples("neo4j_migration_failed").len() as f64, failed);

    let histogram_count = scrape.value("neo4j_migration_execution_seconds_count", &[]).unwrap();
    let bucket = |le: &str| scrape.value("neo4j_migration_execution_seconds_bucket", &[("le", le)]).unwrap();
    assert_eq!(histogram_count - bucket("10"), over_10s);
    assert_eq!(histogram_count - bucket("5"), over_5s);

    let in_window: f64 = scrape.samples("neo4j_migrations_in_window").iter().map(|(_, v)| v).sum();
    assert_eq!(in_window, last_hour);

    // The runbook's "Recent migrations" query, LIMIT 10, names the same files.
    let graph_rows = server.read_ints(
        &format!(
            "MATCH (m:`{label}`) WITH m ORDER BY m.appliedAt DESC LIMIT 10
             RETURN toInteger(substring(m.filename, 1, 3)) AS n"
        ),
        "n",
    );
    let from_runbook: BTreeSet<String> = graph_rows.iter().map(|n| format!("V{n}__step.cypher")).collect();
    let from_metrics: BTreeSet<String> =
        scrape.samples("neo4j_migration_recent_execution_seconds").into_iter().map(|(l, _)| l["filename"].clone()).collect();
    assert_eq!(from_metrics, from_runbook);
}

#[test]
fn bad_records_are_counted_and_never_spoil_the_snapshot() {
    let server = Neo4jServer::shared();
    let label = unique("Migration");
    let huge = "x".repeat(1 << 20);
    server.write_with(
        &format!(
            "CREATE (:`{label}` {{filename: 'good.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: 1500, checksum: 'abc'}}),
                    (:`{label}` {{status: 'SUCCESS', appliedAt: datetime(), executionTime: 10}}),
                    (:`{label}` {{filename: null, status: null}}),
                    (:`{label}` {{filename: ['a', 'b'], status: 42, appliedAt: 'last tuesday', executionTime: 'slow', checksum: [1]}}),
                    (:`{label}` {{filename: 'strings.cypher', status: 'SUCCESS', appliedAt: '1760522400000', executionTime: '2500'}}),
                    (:`{label}` {{filename: 'weird.cypher', status: 'HALF-DONE', appliedAt: datetime(), executionTime: -4}}),
                    (:`{label}` {{filename: 'huge.cypher', status: 'FAILED', appliedAt: datetime(), description: $huge}}),
                    (:`{label}` {{filename: 'dup.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT2M'), executionTime: 1}}),
                    (:`{label}` {{filename: 'dup.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT1M'), executionTime: 2}}),
                    (:`{label}`:Archived {{filename: 'two-labels.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: 3}})"
        ),
        vec![("huge", huge.into())],
    );
    let (_exporter, scrape) = exporter_for(server, &label, &[]);
    assert_eq!(status_count(&scrape, "success"), 6.0);
    assert_eq!(status_count(&scrape, "failed"), 1.0);
    assert_eq!(status_count(&scrape, "unknown"), 3.0);
    assert_eq!(invalid(&scrape, "missing_filename"), 2.0);
    assert_eq!(invalid(&scrape, "invalid_filename"), 1.0);
    assert_eq!(invalid(&scrape, "missing_status"), 1.0);
    assert_eq!(invalid(&scrape, "invalid_status"), 1.0);
    assert_eq!(invalid(&scrape, "invalid_applied_at"), 1.0);
    assert_eq!(invalid(&scrape, "invalid_execution_time"), 2.0);
    assert_eq!(invalid(&scrape, "invalid_checksum"), 1.0);
    // Numbers stored as strings are read as numbers.
    assert_eq!(
        scrape.value("neo4j_migration_recent_execution_seconds", &[("filename", "strings.cypher"), ("status", "success")]),
        Some(2.5)
    );
    assert_eq!(scrape.value("neo4j_migration_failed", &[("filename", "huge.cypher"), ("error_class", "other")]), Some(1.0));
    // The newer of two records for one file speaks for it.
    assert_eq!(scrape.value("neo4j_migration_recent_execution_seconds", &[("filename", "dup.cypher"), ("status", "success")]), Some(0.002));
    assert!(scrape.value("neo4j_migration_recent_execution_seconds", &[("filename", "two-labels.cypher")]).is_some());
    // Only a bounded first line of the error reaches a label, on neo4j_migration_failure_info.
    let info = scrape.samples("neo4j_migration_failure_info");
    let huge_info = info.iter().find(|(l, _)| l["filename"] == "huge.cypher").expect("huge.cypher's failure_info");
    assert_eq!(huge_info.0["error"], format!("{}…", "x".repeat(200)));
    assert!(!scrape.0.contains(&"x".repeat(201)), "a whole error text must never become a label");
}

#[test]
fn a_failed_migration_retried_in_place_clears_its_failure() {
    let server = Neo4jServer::shared();
    let label = unique("Migration");
    let merge = |status: &str, description: &str| {
        format!(
            "MERGE (m:`{label}` {{filename: 'V7__retry.cypher'}})
             SET m.status = '{status}', m.description = '{description}', m.appliedAt = datetime(), m.executionTime = 40"
        )
    };
    server.write(&[&merge("FAILED", "FAILED: Neo.TransientError.Transaction.DeadlockDetected")]);
    let (exporter, scrape) = exporter_for(server, &label, &[]);
    assert_eq!(scrape.value("neo4j_migration_failed", &[("filename", "V7__retry.cypher"), ("error_class", "deadlock")]), Some(1.0));
    server.write(&[&merge("SUCCESS", "retried")]);
    let scrape = exporter.scrape_until(WAIT, "the failure to clear", |s| s.samples("neo4j_migration_failed").is_empty());
    assert_eq!(status_count(&scrape, "success"), 1.0);
    assert_eq!(status_count(&scrape, "failed"), 0.0);
}

#[test]
fn the_series_cap_keeps_failures_and_reports_what_it_cut() {
    let server = Neo4jServer::shared();
    let label = unique("Migration");
    server.write(&[&format!(
        "UNWIND range(1, 150) AS i
         CREATE (:`{label}` {{filename: 'V' + toString(i) + '.cypher',
                 status: CASE WHEN i <= 5 THEN 'FAILED' ELSE 'SUCCESS' END,
                 appliedAt: datetime() - duration({{seconds: i}}), executionTime: i}})"
    )]);
    let (_exporter, scrape) = exporter_for(server, &label, &["--migrations.max-series=10", "--migrations.recent=200"]);
    assert_eq!(scrape.samples("neo4j_migration_failed").len(), 5);
    assert_eq!(scrape.samples("neo4j_migration_recent_execution_seconds").len(), 5);
    assert_eq!(scrape.value("neo4j_exporter_series_truncated", &[("collector", "migrations")]), Some(145.0));
    assert_eq!(status_count(&scrape, "success"), 145.0, "counts are never capped");
}

#[test]
fn checksum_drift_and_pending_files_from_a_real_directory() {
    let server = Neo4jServer::shared();
    let label = unique("Migration");
    let dir = std::env::temp_dir().join(unique("migrations-dir"));
    std::fs::create_dir_all(dir.join("2025")).unwrap();
    let write = |name: &str, body: &str| std::fs::write(dir.join(name), body).unwrap();
    write("V001__users.up.cypher", "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE;\n");
    write("V001__users.down.cypher", "DROP CONSTRAINT user_id IF EXISTS;\n");
    write("2025/V002__orders.cypher", "CREATE INDEX order_date IF NOT EXISTS FOR (o:Order) ON (o.date);\n");
    write("V003__backfill.cypher", "MATCH (u:User) SET u.segment = 'default';\n");
    write("V004__new.cypher", "RETURN 1;\n");
    write("README.md", "not a migration\n");
    let v001 = common::sha256_hex(&dir.join("V001__users.up.cypher"));
    let v002 = common::sha256_hex(&dir.join("2025/V002__orders.cypher"));
    let v003 = common::sha256_hex(&dir.join("V003__backfill.cypher"));
    let absolute = dir.join("V001__users.up.cypher").to_string_lossy().to_string();
    server.write(&[&format!(
        "CREATE (:`{label}` {{filename: '{absolute}', status: 'SUCCESS', appliedAt: datetime(), executionTime: 5, checksum: '{v001}'}}),
                (:`{label}` {{filename: 'migrations/2025/V002__orders.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: 5, checksum: '{v002}'}}),
                (:`{label}` {{filename: 'V003__backfill.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: 5, checksum: '{v003}'}}),
                (:`{label}` {{filename: 'V000__removed.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: 5}})"
    )]);
    let dir_flag = format!("--migrations.dir={}", dir.display());
    let (exporter, scrape) = exporter_for(server, &label, &[&dir_flag]);
    assert_eq!(scrape.value("neo4j_migration_files", &[]), Some(4.0));
    assert_eq!(scrape.value("neo4j_migration_files_pending", &[]), Some(1.0));
    assert_eq!(scrape.value("neo4j_migration_checksum_mismatches", &[]), Some(0.0));
    assert_eq!(scrape.value("neo4j_migration_records_without_file", &[]), Some(1.0));

    // Someone edits an applied migration.
    write("V003__backfill.cypher", "MATCH (u:User) SET u.segment = 'premium';\n");
    let scrape = exporter.scrape_until(WAIT, "the drift to show", |s| s.value("neo4j_migration_checksum_mismatches", &[]) == Some(1.0));
    assert_eq!(scrape.value("neo4j_migration_checksum_mismatch", &[("filename", "V003__backfill.cypher")]), Some(1.0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The JDK the running Neo4j uses (its zone database is the one Neo4j reads zone names with),
/// from testkit's pins.
fn neo4j_jdk() -> std::path::PathBuf {
    let pins = std::fs::read_to_string(common::repo_root().join("testkit/neo4j/versions.env")).unwrap();
    let version = common::test_version();
    let line = pins.lines().find(|l| l.split_whitespace().next() == Some(version.as_str())).expect("the version is pinned");
    std::path::PathBuf::from(line.split_whitespace().nth(2).unwrap())
}

fn jvm_zone_ids() -> Vec<String> {
    let dir = std::env::temp_dir().join(unique("zones"));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("Zones.java");
    std::fs::write(&source, "public class Zones { public static void main(String[] a) { java.time.ZoneId.getAvailableZoneIds().stream().sorted().forEach(System.out::println); } }\n").unwrap();
    let out = std::process::Command::new(neo4j_jdk().join("bin/java")).arg(&source).output().expect("run java");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

/// Every zone the JVM knows, at an ordinary instant and in the hour repeated when Berlin's
/// clocks went back (2025-10-26, 02:00 to 03:00 twice), read through the exporter's own
/// statement and decoder against the real server: each record gives its exact instant.
#[test]
fn zoned_times_in_every_jvm_zone_read_as_their_instant() {
    use neo4j_migration_exporter::collectors::migrations::{record, Schema};

    let server = Neo4jServer::shared();
    let label = unique("Zones");
    let zones = jvm_zone_ids();
    assert!(zones.len() > 500, "{} zones", zones.len());
    // 00:30 and 01:30 UTC are both 02:30 in Berlin that night; 2025-10-15T10:00Z is plain.
    let instants: [i64; 3] = [1_761_438_600_000, 1_761_442_200_000, 1_760_522_400_000];
    let zones_json = serde_json::to_string(&zones).unwrap();
    server.write(&[&format!(
        "UNWIND {zones_json} AS zone UNWIND {instants:?} AS ms
         CREATE (:`{label}` {{filename: zone + ' ' + toString(ms), status: 'SUCCESS', executionTime: 1,
                              appliedAt: datetime({{epochMillis: ms, timezone: zone}})}})"
    )]);

    let db = server.exporter_client();
    let words = &[("SUCCESS", record::Status::Success)];
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let mut wrong = Vec::new();
    let mut read = 0;
    common::block_on(db.read_lists(&Schema::Runbook.statement(&label), Vec::new(), Duration::from_secs(60), |row| {
        let (m, problems) = record::decode(&row, words, now);
        let name = m.filename.clone().unwrap_or_default();
        let expected = name.rsplit(' ').next().and_then(|ms| ms.parse::<f64>().ok()).unwrap() / 1000.0;
        if m.applied_at != Some(expected) || !problems.is_empty() {
            wrong.push(format!("{name}: read {:?} {problems:?}", m.applied_at));
        }
        read += 1;
    }))
    .unwrap();
    assert_eq!(read, zones.len() * instants.len());
    assert!(
        wrong.is_empty(),
        "{} of {read} read wrong, e.g.:\n{}",
        wrong.len(),
        wrong.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );

    // And through the daemon: nothing counted invalid, the newest time is the plain instant.
    let (_exporter, scrape) = exporter_for(server, &label, &[]);
    assert_eq!(invalid(&scrape, "invalid_applied_at"), 0.0, "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migration_last_applied_timestamp_seconds", &[]), Some(1_761_442_200.0));
}

/// Values Neo4j can store but no runner meant: they are invalid records, counted, never times.
#[test]
fn impossible_times_and_durations_are_counted_not_believed() {
    let server = Neo4jServer::shared();
    let label = unique("Absurd");
    server.write(&[&format!(
        "CREATE (:`{label}` {{filename: 'V1__negative.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT1M'), executionTime: duration('-PT5S')}}),
                (:`{label}` {{filename: 'V2__forever.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT1M'), executionTime: 1000000000000000}}),
                (:`{label}` {{filename: 'V3__future.cypher', status: 'FAILED', appliedAt: datetime('2999-01-01T00:00:00Z'), description: 'FAILED: x'}}),
                (:`{label}` {{filename: 'V4__far_future_ms.cypher', status: 'FAILED', appliedAt: 9000000000000000, description: 'FAILED: x'}}),
                (:`{label}` {{filename: 'V5__epoch_zero.cypher', status: 'SUCCESS', appliedAt: datetime({{epochSeconds: 0}})}}),
                (:`{label}` {{filename: 'V6__blank_status.cypher', status: '', appliedAt: datetime()}}),
                (:`{label}` {{filename: 'V7__odd_status.cypher', status: '42', appliedAt: datetime()}})"
    )]);
    let (_exporter, scrape) = exporter_for(server, &label, &[]);
    assert_eq!(invalid(&scrape, "invalid_execution_time"), 2.0, "{}", scrape.0);
    assert_eq!(invalid(&scrape, "invalid_applied_at"), 3.0, "{}", scrape.0);
    assert_eq!(invalid(&scrape, "missing_status"), 1.0);
    assert_eq!(invalid(&scrape, "invalid_status"), 1.0);
    assert_eq!(status_count(&scrape, "unknown"), 2.0);
    // No absurd figure reaches a metric; the far-future failures cannot keep a window open.
    assert_eq!(scrape.value("neo4j_migration_execution_seconds_count", &[]), Some(0.0), "{}", scrape.0);
    assert!(scrape.samples("neo4j_migration_failed_timestamp_seconds").is_empty(), "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migrations_in_window", &[("status", "failed")]), Some(0.0));
    let last = scrape.value("neo4j_migration_last_applied_timestamp_seconds", &[]).unwrap();
    assert!(last < std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64() + 60.0);
}

/// A runner that leaves a RUNNING record behind and writes a new record when the file later
/// succeeds: the file is done, not stuck. Many records of one unfinished file are one line.
#[test]
fn a_migration_in_progress_ends_when_its_file_succeeds_later() {
    let server = Neo4jServer::shared();
    let label = unique("Progress");
    server.write(&[&format!(
        "CREATE (:`{label}` {{filename: 'V1__retried.cypher', status: 'RUNNING', appliedAt: datetime() - duration('PT2H')}}),
                (:`{label}` {{filename: 'V1__retried.cypher', status: 'SUCCESS', appliedAt: datetime() - duration('PT1H'), executionTime: 10}})
         WITH 1 AS one UNWIND range(1, 20) AS i
         CREATE (:`{label}` {{filename: 'V2__stuck.cypher', status: 'RUNNING', appliedAt: datetime() - duration({{minutes: 40 + i}})}})"
    )]);
    let (_exporter, scrape) = exporter_for(server, &label, &[]);
    assert_eq!(scrape.value("neo4j_migration_in_progress_superseded", &[]), Some(1.0), "{}", scrape.0);
    let in_progress = scrape.samples("neo4j_migration_in_progress_seconds");
    assert_eq!(in_progress.len(), 1, "{}", scrape.0);
    assert_eq!(in_progress[0].0["filename"], "V2__stuck.cypher");
    let running = scrape.value("neo4j_migration_running_seconds", &[]).unwrap();
    assert!((60.0 * 60.0 - 60.0..61.0 * 60.0 + 60.0).contains(&running), "the oldest open one, 60 min: {running}");
    // Counts stay what the records say.
    assert_eq!(status_count(&scrape, "running"), 21.0);

    let out = std::process::Command::new(common::exporter_binary())
        .args(["check", "--fail-on=stuck", &format!("--migrations.label={label}"), &format!("--neo4j.uri={}", server.uri())])
        .env("NEO4J_PASSWORD", &server.password)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(text.matches("V2__stuck.cypher").count(), 1, "{text}");
    assert!(!text.contains("V1__retried"), "{text}");
}

/// The directory layout the kubelet writes for a ConfigMap volume (the shipped manifest mounts
/// one as --migrations.dir): every file counts once, nothing applied looks pending.
#[test]
fn a_configmap_volume_counts_each_file_once() {
    let server = Neo4jServer::shared();
    let label = unique("ConfigMap");
    let dir = std::env::temp_dir().join(unique("configmap"));
    let data = dir.join("..2026_12_02_09_00_00.123456789");
    std::fs::create_dir_all(&data).unwrap();
    for name in ["V1__a.cypher", "V2__b.cypher", "V3__c.cypher"] {
        std::fs::write(data.join(name), format!("RETURN '{name}';\n")).unwrap();
        std::os::unix::fs::symlink(format!("..data/{name}"), dir.join(name)).unwrap();
    }
    std::os::unix::fs::symlink("..2026_12_02_09_00_00.123456789", dir.join("..data")).unwrap();
    server.write(&[&format!(
        "UNWIND ['V1__a.cypher', 'V2__b.cypher', 'V3__c.cypher'] AS f
         CREATE (:`{label}` {{filename: '/migrations/' + f, status: 'SUCCESS', appliedAt: datetime(), executionTime: 1}})"
    )]);
    let (_exporter, scrape) = exporter_for(server, &label, &[&format!("--migrations.dir={}", dir.display())]);
    assert_eq!(scrape.value("neo4j_migration_files", &[]), Some(3.0), "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migration_files_pending", &[]), Some(0.0));
    let out = std::process::Command::new(common::exporter_binary())
        .args(["check", "--fail-on=pending", &format!("--migrations.label={label}"), &format!("--migrations.dir={}", dir.display())])
        .arg(format!("--neo4j.uri={}", server.uri()))
        .env("NEO4J_PASSWORD", &server.password)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A directory that goes away is logged once, and again once when it is back: not on every run.
/// A directory read that does not end (a FIFO that nobody writes, standing in for a slow volume
/// or thousands of files) runs off the polling workers: the other collectors keep their
/// schedule, and each migrations run ends at its timeout. Scanned on the polling runtime's one
/// worker, the first such read would stop every collector.
#[test]
fn a_directory_read_that_never_ends_holds_up_no_other_collector() {
    let server = Neo4jServer::shared();
    let label = unique("StallDir");
    let dir = std::env::temp_dir().join(unique("stall"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("V1.cypher"), "RETURN 1;\n").unwrap();
    let (exporter, _) = exporter_for(
        server,
        &label,
        &[
            &format!("--migrations.dir={}", dir.display()),
            "--collector.migrations.interval=500ms",
            "--collector.migrations.timeout=1s",
            "--collector.transactions.interval=500ms",
        ],
    );
    let fifo = dir.join("V2__stall.cypher");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let success = |s: &Scrape, c: &str| s.value("neo4j_exporter_collector_success", &[("collector", c)]);
    let last = |s: &Scrape| s.value("neo4j_exporter_collector_last_success_timestamp_seconds", &[("collector", "transactions")]).unwrap();
    let stalled = exporter.scrape_until(WAIT, "a migrations run cut off by its timeout", |s| success(s, "migrations") == Some(0.0));
    let since = last(&stalled);
    exporter.scrape_until(WAIT, "transactions runs going on meanwhile", |s| {
        success(s, "migrations") == Some(0.0) && success(s, "transactions") == Some(1.0) && last(s) > since + 3.0
    });
    assert!(exporter.logs().contains("run exceeded its timeout"), "{}", exporter.logs());
    // Open the FIFO for writing, unlink it and close it: the stuck reads see the end.
    let writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    std::fs::remove_file(&fifo).unwrap();
    drop(writer);
    exporter.scrape_until(WAIT, "migrations back", |s| success(s, "migrations") == Some(1.0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreadable_directory_is_logged_once() {
    let server = Neo4jServer::shared();
    let label = unique("GoneDir");
    let dir = std::env::temp_dir().join(unique("gone"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("V1.cypher"), "RETURN 1;\n").unwrap();
    let (exporter, _) =
        exporter_for(server, &label, &[&format!("--migrations.dir={}", dir.display()), "--collector.migrations.interval=200ms"]);
    std::fs::remove_dir_all(&dir).unwrap();
    exporter.scrape_until(WAIT, "the scan failing", |s| s.value("neo4j_migration_dir_scan_success", &[]) == Some(0.0));
    // Ten more runs.
    let runs = |e: &Exporter| e.scrape().value("neo4j_exporter_collector_duration_seconds", &[("collector", "migrations")]);
    let seen = std::cell::RefCell::new(std::collections::HashSet::new());
    exporter.wait_until(WAIT, "ten runs", |e| {
        seen.borrow_mut().insert(runs(e).map(f64::to_bits));
        seen.borrow().len() > 10
    });
    assert_eq!(exporter.logs().matches("cannot read the migrations directory").count(), 1, "{}", exporter.logs());
    std::fs::create_dir_all(&dir).unwrap();
    exporter.wait_until(WAIT, "the directory readable again", |e| e.logs().contains("the migrations directory is readable again"));
    let _ = std::fs::remove_dir_all(&dir);
}
