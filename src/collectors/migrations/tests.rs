//! What each migrations metric means, pinned on hand-built records.

use super::*;
use crate::snapshot::{Family, Value};
use files::ChecksumAlgorithm;
use record::ErrorClass;

const NOW: f64 = 1_800_000_000.0;

pub(super) fn config() -> MigrationsConfig {
    MigrationsConfig {
        profile: Profile::Runbook,
        schema: Schema::Runbook,
        label: "Migration".into(),
        recent: 20,
        window: Duration::from_secs(3600),
        max_series: 100,
        dir: None,
        checksums: Checksums::only(ChecksumAlgorithm::Sha256),
        identity: Identity::Tail,
        include: Include::parse("**").unwrap(),
        run_gap: Duration::from_secs(60),
        staging: None,
    }
}

fn migration(filename: &str, status: Status, minutes_ago: f64, seconds: Option<f64>) -> Migration {
    Migration {
        filename: Some(filename.into()),
        status,
        applied_at: Some(NOW - minutes_ago * 60.0),
        execution_seconds: seconds,
        checksum: None,
        error: None,
    }
}

fn failed(filename: &str, minutes_ago: f64, error: &str) -> Migration {
    Migration { error: Some(error.into()), ..migration(filename, Status::Failed, minutes_ago, Some(1.0)) }
}

fn family<'c>(collection: &'c Collection, name: &str) -> &'c Family {
    collection.families.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no family {name}"))
}

fn value(collection: &Collection, name: &str, labels: &[&str]) -> Option<f64> {
    family(collection, name).samples.iter().find(|s| s.label_values == labels).map(|s| match s.value {
        Value::Number(v) => v,
        Value::Histogram { count, .. } => count as f64,
    })
}

fn series(collection: &Collection, name: &str) -> Vec<Vec<String>> {
    family(collection, name).samples.iter().map(|s| s.label_values.clone()).collect()
}

#[test]
fn every_status_is_present_even_when_zero() {
    let c = summarize(&[migration("a", Status::Success, 5.0, Some(1.0))], None, &Seen::default(), &config(), NOW);
    for status in Status::ALL {
        let expected = if status == Status::Success { 1.0 } else { 0.0 };
        assert_eq!(value(&c, "neo4j_migrations", &[status.label()]), Some(expected), "{status:?}");
    }
    for class in ErrorClass::ALL {
        assert_eq!(value(&c, "neo4j_migration_failures", &[class.label()]), Some(0.0));
    }
}

#[test]
fn a_partial_run_shows_success_and_failure_inside_the_window() {
    let records = [
        migration("old", Status::Success, 120.0, Some(1.0)),
        migration("V1", Status::Success, 30.0, Some(1.0)),
        failed("V2", 20.0, "Neo.TransientError.Transaction.LockClientStopped"),
    ];
    let c = summarize(&records, None, &Seen::default(), &config(), NOW);
    assert_eq!(value(&c, "neo4j_migrations_in_window", &["success"]), Some(1.0));
    assert_eq!(value(&c, "neo4j_migrations_in_window", &["failed"]), Some(1.0));
    assert_eq!(value(&c, "neo4j_migrations", &["success"]), Some(2.0));
    assert_eq!(value(&c, "neo4j_migration_failed", &["V2", "lock_timeout"]), Some(1.0));
    assert_eq!(value(&c, "neo4j_migration_failures", &["lock_timeout"]), Some(1.0));
    assert_eq!(value(&c, "neo4j_migration_last_failure_timestamp_seconds", &[]), Some(NOW - 1200.0));
    assert_eq!(value(&c, "neo4j_migration_last_success_timestamp_seconds", &[]), Some(NOW - 1800.0));
    assert_eq!(value(&c, "neo4j_migration_last_applied_timestamp_seconds", &[]), Some(NOW - 1200.0));
}

#[test]
fn the_oldest_pending_or_running_record_gives_the_running_age() {
    let records = [
        migration("a", Status::Running, 45.0, None),
        migration("b", Status::Pending, 10.0, None),
        migration("c", Status::Success, 90.0, Some(1.0)),
    ];
    let c = summarize(&records, None, &Seen::default(), &config(), NOW);
    assert_eq!(value(&c, "neo4j_migration_running_seconds", &[]), Some(2700.0));
    assert_eq!(value(&c, "neo4j_migration_in_progress_seconds", &["a", "running"]), Some(2700.0));
    assert_eq!(value(&c, "neo4j_migration_in_progress_seconds", &["b", "pending"]), Some(600.0));
    assert_eq!(series(&c, "neo4j_migration_in_progress_seconds").len(), 2);
    let none = summarize(&records[2..], None, &Seen::default(), &config(), NOW);
    assert_eq!(value(&none, "neo4j_migration_running_seconds", &[]), Some(0.0));
}

#[test]
fn execution_histogram_counts_over_the_runbook_thresholds() {
    let records = [
        migration("fast", Status::Success, 3.0, Some(0.2)),
        migration("five", Status::Success, 2.0, Some(6.0)),
        migration("slow", Status::Success, 1.0, Some(12.0)),
        migration("untimed", Status::Pending, 1.0, None),
    ];
    let c = summarize(&records, None, &Seen::default(), &config(), NOW);
    let histogram = &family(&c, "neo4j_migration_execution_seconds").samples[0].value;
    let Value::Histogram { buckets, count, sum } = histogram else { panic!() };
    assert_eq!(*count, 3);
    assert!((sum - 18.2).abs() < 1e-9);
    let at = |upper: f64| buckets.iter().find(|(u, _)| *u == upper).unwrap().1;
    assert_eq!(*count - at(5.0), 2, "over 5 s");
    assert_eq!(*count - at(10.0), 1, "over 10 s");
}

#[test]
fn recent_series_are_the_newest_records_with_one_series_per_file_and_status() {
    let records = [
        migration("V1", Status::Success, 50.0, Some(1.0)),
        migration("V2", Status::Success, 40.0, Some(2.0)),
        failed("V3", 30.0, "x"),
        Migration { execution_seconds: Some(9.0), ..migration("V3", Status::Failed, 20.0, None) },
    ];
    let config = MigrationsConfig { recent: 3, ..config() };
    let c = summarize(&records, None, &Seen::default(), &config, NOW);
    assert_eq!(
        series(&c, "neo4j_migration_recent_execution_seconds"),
        vec![vec!["V3".to_string(), "failed".into()], vec!["V2".into(), "success".into()]]
    );
    assert_eq!(value(&c, "neo4j_migration_recent_execution_seconds", &["V3", "failed"]), Some(9.0));
}

#[test]
fn the_series_cap_keeps_failures_first_then_the_most_recent() {
    let mut records: Vec<Migration> = (0..10).map(|i| migration(&format!("ok{i}"), Status::Success, i as f64, Some(1.0))).collect();
    records.push(failed("old_failure", 500.0, "Neo.ClientError.Statement.SyntaxError"));
    records.push(failed("new_failure", 100.0, "java.lang.OutOfMemoryError"));
    let config = MigrationsConfig { max_series: 4, ..config() };
    let c = summarize(&records, None, &Seen::default(), &config, NOW);
    assert_eq!(
        series(&c, "neo4j_migration_failed"),
        vec![vec!["new_failure".to_string(), "out_of_memory".into()], vec!["old_failure".into(), "syntax".into()]]
    );
    assert_eq!(
        series(&c, "neo4j_migration_recent_execution_seconds"),
        vec![vec!["ok0".to_string(), "success".into()], vec!["ok1".into(), "success".into()]]
    );
    // 12 records with times: the recent list takes 12 of the 20 allowed, 4 series fit in all.
    assert_eq!(c.truncated, 10);
}

#[test]
fn duplicate_failures_of_one_file_and_class_make_one_series() {
    let records = [failed("V9", 10.0, "LockClientStopped"), failed("V9", 5.0, "LockClientStopped")];
    let c = summarize(&records, None, &Seen::default(), &config(), NOW);
    assert_eq!(series(&c, "neo4j_migration_failed").len(), 1);
    assert_eq!(value(&c, "neo4j_migration_failures", &["lock_timeout"]), Some(2.0));
}

#[test]
fn drift_counts_pending_files_mismatches_and_records_without_files() {
    let files = vec![
        MigrationFile {
            path: "V1__a.cypher".into(),
            checksums: vec![(ChecksumAlgorithm::Sha256, "aaa".into())],
            ..MigrationFile::default()
        },
        MigrationFile {
            path: "V2__b.cypher".into(),
            checksums: vec![(ChecksumAlgorithm::Sha256, "bbb".into())],
            ..MigrationFile::default()
        },
        MigrationFile {
            path: "V3__c.cypher".into(),
            checksums: vec![(ChecksumAlgorithm::Sha256, "ccc".into())],
            ..MigrationFile::default()
        },
    ];
    let records = [
        Migration { checksum: Some("AAA".into()), ..migration("/srv/m/V1__a.cypher", Status::Success, 9.0, Some(1.0)) },
        Migration { checksum: Some("old".into()), ..migration("V2__b.cypher", Status::Success, 8.0, Some(1.0)) },
        failed("V3__c.cypher", 7.0, "x"),
        migration("V0__gone.cypher", Status::Success, 99.0, Some(1.0)),
    ];
    let c = summarize(&records, Some(Ok(&files)), &Seen::default(), &config(), NOW);
    assert_eq!(value(&c, "neo4j_migration_files", &[]), Some(3.0));
    assert_eq!(value(&c, "neo4j_migration_files_pending", &[]), Some(1.0), "V3 failed, so it is still pending");
    assert_eq!(series(&c, "neo4j_migration_checksum_mismatch"), vec![vec!["V2__b.cypher".to_string()]]);
    assert_eq!(value(&c, "neo4j_migration_checksum_mismatches", &[]), Some(1.0));
    assert_eq!(value(&c, "neo4j_migration_records_without_file", &[]), Some(1.0));
    assert_eq!(value(&c, "neo4j_migration_dir_scan_success", &[]), Some(1.0));
}

#[test]
fn an_unreadable_directory_is_reported_and_the_rest_still_exported() {
    let c = summarize(&[migration("a", Status::Success, 1.0, Some(1.0))], Some(Err(&())), &Seen::default(), &config(), NOW);
    assert_eq!(value(&c, "neo4j_migration_dir_scan_success", &[]), Some(0.0));
    assert_eq!(value(&c, "neo4j_migrations", &["success"]), Some(1.0));
    assert!(c.families.iter().all(|f| f.name != "neo4j_migration_files_pending"));
}

#[test]
fn labels_in_statements_are_escaped() {
    assert!(Schema::Runbook.statement("Odd`Label").contains("MATCH (m:`Odd``Label`)"));
}

#[test]
fn a_failure_retried_by_a_new_successful_record_is_superseded() {
    let records = [
        failed("V5__retry.cypher", 30.0, "LockClientStopped"),
        migration("V5__retry.cypher", Status::Success, 20.0, Some(1.0)),
        failed("V6__still_broken.cypher", 10.0, "x"),
        migration("V6__still_broken.cypher", Status::Success, 50.0, Some(1.0)),
    ];
    let c = summarize(&records, None, &Seen::default(), &config(), NOW);
    assert_eq!(series(&c, "neo4j_migration_failed"), vec![vec!["V6__still_broken.cypher".to_string(), "other".into()]]);
    assert_eq!(value(&c, "neo4j_migration_failed_timestamp_seconds", &["V6__still_broken.cypher", "other"]), Some(NOW - 600.0));
    assert_eq!(value(&c, "neo4j_migration_failures_superseded", &[]), Some(1.0));
    // Counts stay what the records say, as the runbook's queries count them.
    assert_eq!(value(&c, "neo4j_migrations", &["failed"]), Some(2.0));
    assert_eq!(value(&c, "neo4j_migration_failures", &["lock_timeout"]), Some(1.0));
    assert_eq!(value(&c, "neo4j_migrations_window_seconds", &[]), Some(3600.0));
}

#[test]
fn each_failed_series_carries_its_error_text_shortened_and_inert() {
    let long = format!("Neo.ClientError.Statement.SyntaxError: Invalid input 'CRATE'\u{1b}[2J {}\nat line 2", "x".repeat(400));
    let mut records: Vec<Migration> = vec![failed("V1__typo.cypher", 10.0, &long), failed("V2__lock.cypher", 5.0, "LockClientStopped")];
    records.push(Migration { error: None, ..failed("V3__silent.cypher", 1.0, "") });
    let c = summarize(&records, None, &Seen::default(), &config(), NOW);
    let info = series(&c, "neo4j_migration_failure_info");
    assert_eq!(info.len(), series(&c, "neo4j_migration_failed").len(), "{info:?}");
    let typo = info.iter().find(|s| s[0] == "V1__typo.cypher").unwrap();
    assert_eq!(typo[1], "syntax");
    assert!(typo[2].starts_with("Neo.ClientError.Statement.SyntaxError: Invalid input 'CRATE'\\u{1b}[2J xxx"), "{typo:?}");
    // 200 characters of the error and the mark of the cut; the escape takes 6 for its one.
    assert_eq!(typo[2].chars().count(), state::FAILURE_INFO_ERROR_CHARS + 1 + 5, "cut, and marked so");
    assert!(typo[2].ends_with('…') && !typo[2].contains("line 2"));
    assert!(info.contains(&vec!["V2__lock.cypher".to_string(), "lock_timeout".into(), "LockClientStopped".into()]));
    assert!(info.contains(&vec!["V3__silent.cypher".to_string(), "other".into(), String::new()]));
    // The cap that holds neo4j_migration_failed holds its error text too.
    let capped = summarize(&records, None, &Seen::default(), &MigrationsConfig { max_series: 1, ..config() }, NOW);
    assert_eq!(series(&capped, "neo4j_migration_failure_info").len(), 1);
    assert_eq!(series(&capped, "neo4j_migration_failure_info")[0][0], series(&capped, "neo4j_migration_failed")[0][0]);
}
