//! Migration day as the records, the files, the live transactions and staging tell it: the run
//! under way (which file, X of Y, an ETA), and the checklist's migration items (every pending
//! file has its rollback, and was applied on staging with the same content).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::files::{FileIndex, MigrationFile};
use super::live::Sighting;
use super::record::{Migration, Status};
use super::MigrationsConfig;
use crate::snapshot::Family;
use crate::views::text::LIST_CAP;

/// What the collector saw besides the records and the files.
#[derive(Debug, Default)]
pub struct Seen {
    /// Migrations running now, from Neo4j's transactions (with `--migrations.dir`).
    pub sightings: Vec<Sighting>,
    /// Staging's records, or why they could not be read (with `--staging.uri`).
    pub staging: Option<Result<Vec<Migration>, String>>,
}

/// A run of migrations under way.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunReport {
    pub in_progress: bool,
    /// When the run's first migration started, as far as the records tell.
    pub started_at: Option<f64>,
    /// Files applied in this run, and still to apply (the running one among them).
    pub applied: usize,
    pub pending: usize,
    pub current: Option<Current>,
    /// Seconds until the last pending file is applied, if anything is known of how long they take.
    pub eta_seconds: Option<f64>,
    /// Where the ETA comes from: `staging`, `history` or `staging+history`.
    pub eta_basis: Option<&'static str>,
    /// How many of the files still to apply have a time on staging.
    pub eta_staging_files: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Current {
    pub filename: String,
    pub elapsed_seconds: f64,
    /// `transaction` when seen among Neo4j's transactions, `record` from a RUNNING record.
    pub seen_in: &'static str,
    /// Transactions waiting for a lock it holds, and the longest of those waits.
    pub blocking: usize,
    pub longest_blocked_seconds: f64,
}

/// Pending files without their down twin; `None` where the schema keeps rollbacks elsewhere.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RollbackReport {
    pub checked: usize,
    /// How many pending files have no down twin, and the first of them.
    pub without_down_count: usize,
    pub without_down: Vec<String>,
}

/// Pending files measured against staging's records.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StagingReport {
    /// Why staging could not be read, if it could not.
    pub error: Option<String>,
    pub checked: usize,
    /// Pending here and never applied there (the first of them; the counts are whole).
    pub missing: Vec<String>,
    pub missing_count: usize,
    /// Only failed attempts there.
    pub failed: Vec<String>,
    pub failed_count: usize,
    /// Applied there with different content.
    pub differs: Vec<String>,
    pub differs_count: usize,
}

impl StagingReport {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.missing_count + self.failed_count + self.differs_count == 0
    }
}

/// The pending files, the run, the rollback plan and staging, judged once.
pub struct Day {
    pub run: RunReport,
    pub rollback: Option<RollbackReport>,
    pub staging: Option<StagingReport>,
}

impl Day {
    /// `pending` are the files with no SUCCESS record, in directory order (`None` without
    /// `--migrations.dir`); `unfinished` the PENDING and RUNNING records still open.
    pub fn judge(
        records: &[Migration],
        files: Option<(&[MigrationFile], &[&MigrationFile])>,
        unfinished: &[&Migration],
        seen: &Seen,
        config: &MigrationsConfig,
        now: f64,
    ) -> Day {
        let pending: Vec<&MigrationFile> = files.map(|(_, pending)| pending.to_vec()).unwrap_or_default();
        let staging = match (&seen.staging, files) {
            (Some(Err(error)), _) => Some(StagingReport { error: Some(error.clone()), ..StagingReport::default() }),
            (Some(Ok(there)), Some((all, _))) => Some(staging_report(all, &pending, there, config)),
            (Some(Ok(_)), None) => Some(StagingReport {
                error: Some("the migration files could not be read (--migrations.dir)".into()),
                ..StagingReport::default()
            }),
            (None, _) => None,
        };
        let rollback = files.filter(|_| config.schema.has_down_files()).map(|_| {
            let without: Vec<&&MigrationFile> = pending.iter().filter(|f| !f.has_down).collect();
            RollbackReport {
                checked: pending.len(),
                without_down_count: without.len(),
                without_down: without.iter().take(LIST_CAP).map(|f| f.path.clone()).collect(),
            }
        });
        let run = run_report(records, files.map(|_| pending.as_slice()), unfinished, seen, config, now);
        Day { run, rollback, staging }
    }

    pub fn families(&self) -> Vec<Family> {
        let run = &self.run;
        let mut families = Vec::new();
        let mut in_progress =
            Family::gauge("neo4j_migration_run_in_progress", "1 while a run of migrations is under way (--migrations.run-gap).", &[]);
        in_progress.set(if run.in_progress { 1.0 } else { 0.0 });
        let mut applied =
            Family::gauge("neo4j_migration_run_applied", "Migrations applied so far in the run under way; 0 when none is.", &[]);
        applied.set(run.applied as f64);
        let mut pending = Family::gauge(
            "neo4j_migration_run_pending",
            "Migrations still to apply in the run under way, the running one among them; 0 when none is.",
            &[],
        );
        pending.set(run.pending as f64);
        let mut started = Family::gauge("neo4j_migration_run_started_timestamp_seconds", "When the run under way started.", &[]);
        let mut eta = Family::gauge(
            "neo4j_migration_run_eta_seconds",
            "Estimated seconds until the run under way has applied its last pending file.",
            &[],
        );
        let mut eta_staging = Family::gauge(
            "neo4j_migration_run_eta_staging_files",
            "Files still to apply whose ETA comes from their time on staging; the others' from this database's median.",
            &[],
        );
        let mut current = Family::gauge(
            "neo4j_migration_current_seconds",
            "How long the migration running now has run, by file and where it was seen (transaction or record).",
            &["filename", "seen_in"],
        );
        let mut blocking = Family::gauge(
            "neo4j_migration_current_blocked_transactions",
            "Transactions waiting for a lock held by the migration running now.",
            &[],
        );
        blocking.set(run.current.as_ref().map_or(0.0, |c| c.blocking as f64));
        if run.in_progress {
            if let Some(t) = run.started_at {
                started.set(t);
            }
            if let Some(seconds) = run.eta_seconds {
                eta.set(seconds);
                eta_staging.set(run.eta_staging_files as f64);
            }
        }
        if let Some(c) = &run.current {
            current.add([c.filename.as_str(), c.seen_in], c.elapsed_seconds);
        }
        families.extend([in_progress, applied, pending, started, eta, eta_staging, current, blocking]);

        if let Some(rollback) = &self.rollback {
            let mut without = Family::gauge(
                "neo4j_migration_pending_without_rollback",
                "Pending migration files with no down twin beside them (X.up.cypher and X.down.cypher).",
                &[],
            );
            without.set(rollback.without_down_count as f64);
            families.push(without);
        }
        if let Some(staging) = &self.staging {
            let mut read = Family::gauge("neo4j_migration_staging_read_success", "1 when staging's migration records could be read.", &[]);
            read.set(if staging.error.is_none() { 1.0 } else { 0.0 });
            families.push(read);
            if staging.error.is_none() {
                let mut unproven = Family::gauge(
                    "neo4j_migration_pending_unproven_on_staging",
                    "Pending migration files not applied on staging with the same content, by reason (missing, failed, checksum).",
                    &["reason"],
                );
                for (reason, count) in
                    [("missing", staging.missing_count), ("failed", staging.failed_count), ("checksum", staging.differs_count)]
                {
                    unproven.add([reason], count as f64);
                }
                families.push(unproven);
            }
        }
        families
    }
}

fn staging_report(all: &[MigrationFile], pending: &[&MigrationFile], there: &[Migration], config: &MigrationsConfig) -> StagingReport {
    let index = FileIndex::new(all, &config.identity);
    // For each file, the statuses staging recorded, and whether a success matched its content.
    let mut success = vec![false; all.len()];
    let mut same = vec![false; all.len()];
    let mut failed = vec![false; all.len()];
    for m in there {
        let Some(i) = m.filename.as_deref().and_then(|name| index.find(name)) else { continue };
        match m.status {
            // A record without a checksum cannot be compared; it counts as the same content,
            // as the drift check counts it.
            Status::Success => {
                success[i] = true;
                same[i] |= m.checksum.as_deref().is_none_or(|c| all[i].matching(c).is_some());
            }
            Status::Failed => failed[i] = true,
            _ => {}
        }
    }
    let position: HashMap<&str, usize> = all.iter().enumerate().map(|(i, f)| (f.path.as_str(), i)).collect();
    let mut report = StagingReport { checked: pending.len(), ..StagingReport::default() };
    for file in pending {
        let Some(&i) = position.get(file.path.as_str()) else { continue };
        let (list, count) = match (success[i], same[i], failed[i]) {
            (true, true, _) => continue,
            (true, false, _) => (&mut report.differs, &mut report.differs_count),
            (false, _, true) => (&mut report.failed, &mut report.failed_count),
            (false, _, false) => (&mut report.missing, &mut report.missing_count),
        };
        *count += 1;
        if list.len() < LIST_CAP {
            list.push(file.path.clone());
        }
    }
    report
}

fn run_report(
    records: &[Migration],
    pending: Option<&[&MigrationFile]>,
    unfinished: &[&Migration],
    seen: &Seen,
    config: &MigrationsConfig,
    now: f64,
) -> RunReport {
    let pending_names: HashSet<&str> = pending.unwrap_or_default().iter().map(|f| f.path.as_str()).collect();
    // A statement of a pending file running in a transaction; else a RUNNING record.
    let current = seen
        .sightings
        .iter()
        .filter_map(|s| s.files.iter().find(|f| pending_names.contains(f.as_str())).map(|f| (s, f)))
        .max_by(|a, b| a.0.elapsed_seconds.total_cmp(&b.0.elapsed_seconds))
        .map(|(s, f)| Current {
            filename: f.clone(),
            elapsed_seconds: s.elapsed_seconds,
            seen_in: "transaction",
            blocking: s.blocking,
            longest_blocked_seconds: s.longest_blocked_seconds,
        })
        .or_else(|| {
            // A RUNNING record names its file as the runner does: shown as the file it names.
            let pending = pending.unwrap_or_default();
            let bare: Vec<MigrationFile> =
                pending.iter().map(|f| MigrationFile { path: f.path.clone(), ..MigrationFile::default() }).collect();
            let index = FileIndex::new(&bare, &config.identity);
            unfinished.iter().filter(|m| m.status == Status::Running).find_map(|m| {
                let named = m.filename.clone()?;
                Some(Current {
                    filename: index.find(&named).map_or(named, |i| pending[i].path.clone()),
                    elapsed_seconds: (now - m.applied_at?).max(0.0),
                    seen_in: "record",
                    blocking: 0,
                    longest_blocked_seconds: 0.0,
                })
            })
        });

    let gap = config.run_gap.as_secs_f64();
    // A record dated after now (a clock ahead, or a hand-written date) says nothing of a run.
    let mut applied: Vec<&Migration> = records.iter().filter(|m| m.applied_at.is_some_and(|t| t <= now + gap)).collect();
    applied.sort_by(|a, b| b.applied_at.unwrap_or_default().total_cmp(&a.applied_at.unwrap_or_default()));
    let still_to_apply = match pending {
        Some(pending) => pending.len(),
        None => unfinished.len(),
    };
    // Between two files nothing runs; a run goes on while its last record is recent, was a
    // success and files remain. A failure ends it: runners stop at the first one.
    let between_files = current.is_none()
        && still_to_apply > 0
        && applied.first().is_some_and(|m| m.status == Status::Success && now - m.applied_at.unwrap_or_default() <= gap);
    if current.is_none() && !between_files {
        return RunReport::default();
    }
    // The run reaches back through records each applied within the gap of the next one's start.
    let mut start = current.as_ref().map_or_else(|| applied[0].applied_at.unwrap_or(now), |c| now - c.elapsed_seconds);
    let mut in_run = HashSet::new();
    for m in &applied {
        let at = m.applied_at.unwrap_or_default();
        if start - at > gap {
            break;
        }
        if m.status == Status::Success {
            in_run.insert(m.filename.as_deref());
        }
        start = start.min(at - m.execution_seconds.unwrap_or(0.0).max(0.0));
    }
    let (eta_seconds, eta_basis, eta_staging_files) = eta(records, pending.unwrap_or_default(), current.as_ref(), seen, config);
    RunReport {
        in_progress: true,
        started_at: Some(start),
        applied: in_run.len(),
        pending: still_to_apply,
        current,
        eta_seconds,
        eta_basis,
        eta_staging_files,
    }
}

/// The time the pending files will take: each one's time on staging where it ran there, else
/// the median of this database's successful migrations; the running one's elapsed time is
/// taken off its estimate.
fn eta(
    records: &[Migration],
    pending: &[&MigrationFile],
    current: Option<&Current>,
    seen: &Seen,
    config: &MigrationsConfig,
) -> (Option<f64>, Option<&'static str>, usize) {
    if pending.is_empty() {
        return (None, None, 0);
    }
    let staging: &[Migration] = match &seen.staging {
        Some(Ok(there)) => there,
        _ => &[],
    };
    let staged_files: Vec<MigrationFile> =
        pending.iter().map(|f| MigrationFile { path: f.path.clone(), ..MigrationFile::default() }).collect();
    let index = FileIndex::new(&staged_files, &config.identity);
    let mut on_staging: Vec<Option<(f64, f64)>> = vec![None; pending.len()];
    for m in staging.iter().filter(|m| m.status == Status::Success) {
        let (Some(i), Some(seconds)) = (m.filename.as_deref().and_then(|n| index.find(n)), m.execution_seconds) else { continue };
        let at = m.applied_at.unwrap_or_default();
        if on_staging[i].is_none_or(|(newest, _)| at > newest) {
            on_staging[i] = Some((at, seconds));
        }
    }
    let mut history: Vec<f64> = records.iter().filter(|m| m.status == Status::Success).filter_map(|m| m.execution_seconds).collect();
    history.sort_by(f64::total_cmp);
    let median = (!history.is_empty()).then(|| history[history.len() / 2]);
    let (mut total, mut from_staging, mut from_history) = (0.0, 0, false);
    for (file, staged) in pending.iter().zip(&on_staging) {
        let expected = match (staged, median) {
            (Some((_, seconds)), _) => {
                from_staging += 1;
                *seconds
            }
            (None, Some(median)) => {
                from_history = true;
                median
            }
            (None, None) => return (None, None, 0),
        };
        let elapsed = current.filter(|c| c.filename == file.path).map_or(0.0, |c| c.elapsed_seconds);
        total += (expected - elapsed).max(0.0);
    }
    let basis = match (from_staging > 0, from_history) {
        (true, true) => "staging+history",
        (true, false) => "staging",
        _ => "history",
    };
    (Some(total), Some(basis), from_staging)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collectors::migrations::files::ChecksumAlgorithm;
    use crate::collectors::migrations::tests::config;

    const NOW: f64 = 1_800_000_000.0;

    fn file(path: &str, has_down: bool) -> MigrationFile {
        MigrationFile {
            path: path.into(),
            checksums: vec![(ChecksumAlgorithm::Sha256, format!("sum-{}", path.to_ascii_lowercase()))],
            has_down,
            ..MigrationFile::default()
        }
    }

    fn success(path: &str, seconds_ago: f64, took: f64) -> Migration {
        Migration {
            filename: Some(format!("/deploy/{path}")),
            status: Status::Success,
            applied_at: Some(NOW - seconds_ago),
            execution_seconds: Some(took),
            checksum: Some(format!("sum-{}", path.to_ascii_lowercase())),
            error: None,
        }
    }

    fn running(path: &str, elapsed: f64) -> Sighting {
        Sighting { files: vec![path.into()], elapsed_seconds: elapsed, blocking: 2, longest_blocked_seconds: 4.0 }
    }

    fn judge(records: &[Migration], all: &[MigrationFile], pending: &[usize], seen: &Seen) -> Day {
        let pending: Vec<&MigrationFile> = pending.iter().map(|i| &all[*i]).collect();
        Day::judge(records, Some((all, &pending)), &[], seen, &config(), NOW)
    }

    #[test]
    fn a_running_file_gives_x_of_y_and_an_eta_from_staging() {
        let all = [file("V1.cypher", true), file("V2.cypher", true), file("V3.cypher", true), file("V4.cypher", true)];
        // V1 long ago, V2 just before V3 started: the run is V2, V3 (running), V4.
        let records = [success("V1.cypher", 86_400.0, 1.0), success("V2.cypher", 25.0, 3.0)];
        let staging = vec![success("V3.cypher", 9_000.0, 40.0), success("V4.cypher", 9_000.0, 15.0)];
        let seen = Seen { sightings: vec![running("V3.cypher", 10.0)], staging: Some(Ok(staging)) };
        let day = judge(&records, &all, &[2, 3], &seen);
        let run = &day.run;
        assert!(run.in_progress);
        assert_eq!((run.applied, run.pending), (1, 2));
        assert_eq!(run.started_at, Some(NOW - 28.0));
        assert_eq!((run.eta_seconds, run.eta_basis), (Some(30.0 + 15.0), Some("staging")));
        let current = run.current.as_ref().unwrap();
        assert_eq!((current.filename.as_str(), current.seen_in, current.blocking), ("V3.cypher", "transaction", 2));
        assert!(day.staging.as_ref().unwrap().passed());
    }

    #[test]
    fn without_staging_the_eta_is_the_median_of_this_database() {
        let all = [file("V1.cypher", true), file("V2.cypher", true), file("V3.cypher", true), file("V4.cypher", true)];
        let records = [success("V1.cypher", 900.0, 2.0), success("V2.cypher", 800.0, 8.0), success("V3.cypher", 700.0, 4.0)];
        let seen = Seen { sightings: vec![running("V4.cypher", 1.0)], staging: None };
        let run = judge(&records, &all, &[3], &seen).run;
        assert_eq!((run.applied, run.pending), (0, 1), "records far older than the gap are another run");
        assert_eq!((run.eta_seconds, run.eta_basis), (Some(3.0), Some("history")));
    }

    #[test]
    fn a_run_goes_on_between_files_and_ends_at_a_failure_or_after_the_gap() {
        let all = [file("V1.cypher", true), file("V2.cypher", true)];
        let just_now = [success("V1.cypher", 5.0, 1.0)];
        let run = judge(&just_now, &all, &[1], &Seen::default()).run;
        assert!(run.in_progress && run.current.is_none());
        assert_eq!((run.applied, run.pending), (1, 1));
        let long_ago = [success("V1.cypher", 600.0, 1.0)];
        assert!(!judge(&long_ago, &all, &[1], &Seen::default()).run.in_progress);
        let failed = [Migration { status: Status::Failed, ..success("V2.cypher", 5.0, 1.0) }, success("V1.cypher", 10.0, 1.0)];
        assert!(!judge(&failed, &all, &[1], &Seen::default()).run.in_progress);
        let nothing_left = [success("V1.cypher", 5.0, 1.0), success("V2.cypher", 4.0, 1.0)];
        assert!(!judge(&nothing_left, &all, &[], &Seen::default()).run.in_progress);
    }

    #[test]
    fn a_record_dated_in_the_future_is_no_run_and_hides_none() {
        let all = [file("V1.cypher", true), file("V2.cypher", true), file("V3.cypher", true)];
        let ahead = [success("V1.cypher", -86_400.0, 1.0)];
        assert!(!judge(&ahead, &all, &[1, 2], &Seen::default()).run.in_progress);
        let records = [success("V1.cypher", -86_400.0, 1.0), success("V2.cypher", 10.0, 2.0)];
        let run = judge(&records, &all, &[2], &Seen { sightings: vec![running("V3.cypher", 5.0)], staging: None }).run;
        assert_eq!((run.applied, run.pending), (1, 1));
    }

    #[test]
    fn a_running_record_is_shown_as_its_file_and_its_time_counts_in_the_eta() {
        let all = [file("V1.cypher", true), file("V2.cypher", true)];
        let running = Migration { status: Status::Running, execution_seconds: None, ..success("V2.cypher", 3.0, 0.0) };
        let records = [success("V1.cypher", 900.0, 10.0), running.clone()];
        let pending: Vec<&MigrationFile> = vec![&all[1]];
        let day = Day::judge(&records, Some((&all, &pending)), &[&running], &Seen::default(), &config(), NOW);
        let current = day.run.current.unwrap();
        assert_eq!((current.filename.as_str(), current.seen_in), ("V2.cypher", "record"));
        assert_eq!(day.run.eta_seconds, Some(7.0), "the median less the 3 s it has run");
    }

    #[test]
    fn many_missing_files_are_all_counted_though_only_some_are_listed() {
        let all: Vec<MigrationFile> = (0..LIST_CAP + 30).map(|i| file(&format!("V{i:03}.cypher"), false)).collect();
        let pending: Vec<usize> = (0..all.len()).collect();
        let day = judge(&[], &all, &pending, &Seen { staging: Some(Ok(Vec::new())), ..Seen::default() });
        let (rollback, staging) = (day.rollback.unwrap(), day.staging.unwrap());
        assert_eq!((rollback.without_down_count, rollback.without_down.len()), (all.len(), LIST_CAP));
        assert_eq!((staging.missing_count, staging.missing.len()), (all.len(), LIST_CAP));
    }

    #[test]
    fn a_statement_of_an_applied_file_is_no_run() {
        let all = [file("V1.cypher", true), file("V2.cypher", true)];
        let seen = Seen { sightings: vec![running("V1.cypher", 30.0)], staging: None };
        let records = [success("V1.cypher", 86_400.0, 1.0)];
        assert!(!judge(&records, &all, &[1], &seen).run.in_progress);
    }

    #[test]
    fn staging_tells_missing_failed_and_different_files_apart() {
        let all = [file("V1.cypher", true), file("V2.cypher", false), file("V3.cypher", true), file("V4.cypher", true)];
        let staging = vec![
            success("V1.cypher", 100.0, 1.0),
            Migration { status: Status::Failed, ..success("V2.cypher", 100.0, 1.0) },
            Migration { checksum: Some("other".into()), ..success("V3.cypher", 100.0, 1.0) },
        ];
        let seen = Seen { staging: Some(Ok(staging)), ..Seen::default() };
        let day = judge(&[], &all, &[0, 1, 2, 3], &seen);
        let staging = day.staging.unwrap();
        assert_eq!(
            (staging.missing, staging.failed, staging.differs),
            (vec!["V4.cypher".to_string()], vec!["V2.cypher".to_string()], vec!["V3.cypher".to_string()])
        );
        assert_eq!((staging.missing_count, staging.failed_count, staging.differs_count), (1, 1, 1));
        assert_eq!(day.rollback.unwrap().without_down, ["V2.cypher"]);
        let unreadable = Seen { staging: Some(Err("connection refused".into())), ..Seen::default() };
        assert!(!judge(&[], &all, &[0], &unreadable).staging.unwrap().passed());
    }
}
