//! What one run of the migrations collector found, judged once: which failures are still open,
//! which migrations are in progress, the recent runs and the directory's drift. The metrics
//! and the report (status, JSON, the page and check) are both drawn from this one state.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::files::{FileIndex, MigrationFile};
use super::record::{ErrorClass, Migration, Status};
use super::report::{FailedMigration, FilesReport, InProgress, MigrationLine, MigrationsReport};
use super::run::{Day, Seen};
use super::{MigrationsConfig, EXECUTION_BUCKETS};
use crate::snapshot::Family;
use crate::views::text::{first_line, for_display, LIST_CAP};

/// Longest error text in neo4j_migration_failure_info's `error` label, in characters.
pub const FAILURE_INFO_ERROR_CHARS: usize = 200;

pub struct State<'r> {
    now: f64,
    config: &'r MigrationsConfig,
    records: &'r [Migration],
    /// FAILED records whose file did not succeed later, newest first.
    open_failures: Vec<&'r Migration>,
    superseded_failures: usize,
    /// PENDING and RUNNING records whose file did not succeed later, oldest first, one per
    /// file and status.
    in_progress: Vec<&'r Migration>,
    superseded_in_progress: usize,
    /// The newest records with a time and a duration, one per file and status, at most
    /// `--migrations.recent`.
    recent: Vec<&'r Migration>,
    /// With `--migrations.dir`: what the directory says, or `Err` when it could not be read.
    drift: Option<Result<Drift<'r>, ()>>,
    /// The run under way and the checklist's migration items.
    day: Day,
}

/// The directory against the records.
struct Drift<'r> {
    files: &'r [MigrationFile],
    /// Files with no SUCCESS record, in directory order.
    pending: Vec<&'r MigrationFile>,
    /// Applied files that no longer match their recorded checksum, newest record first.
    modified: Vec<&'r str>,
    records_without_file: usize,
    records_with_file: usize,
    /// Applied files whose checksum matched, by the algorithm that matched.
    checksum_matches: BTreeMap<&'static str, usize>,
}

fn newest_first(records: &mut [&Migration]) {
    records.sort_by(|a, b| b.applied_at.unwrap_or(f64::MIN).total_cmp(&a.applied_at.unwrap_or(f64::MIN)));
}

impl<'r> State<'r> {
    pub fn judge(
        records: &'r [Migration],
        files: Option<Result<&'r [MigrationFile], &()>>,
        beside: &Seen,
        config: &'r MigrationsConfig,
        now: f64,
    ) -> Self {
        // A runner that writes a new record per attempt leaves the failed or unfinished attempt
        // behind; once a later attempt of the same file succeeded, that attempt is history, not
        // an open problem.
        let mut succeeded_at: HashMap<&str, f64> = HashMap::new();
        for m in records.iter().filter(|m| m.status == Status::Success) {
            if let (Some(name), Some(t)) = (m.filename.as_deref(), m.applied_at) {
                let latest = succeeded_at.entry(name).or_insert(t);
                *latest = latest.max(t);
            }
        }
        let superseded = |m: &Migration| match (m.filename.as_deref(), m.applied_at) {
            (Some(name), Some(t)) => succeeded_at.get(name).is_some_and(|s| *s > t),
            _ => false,
        };

        let failed: Vec<&Migration> = records.iter().filter(|m| m.status == Status::Failed).collect();
        let mut open_failures: Vec<&Migration> = failed.iter().copied().filter(|m| !superseded(m)).collect();
        newest_first(&mut open_failures);

        let mut in_progress: Vec<&Migration> = records.iter().filter(|m| m.status.in_progress() && !superseded(m)).collect();
        in_progress.sort_by(|a, b| a.applied_at.unwrap_or(now).total_cmp(&b.applied_at.unwrap_or(now)));
        let mut seen = HashSet::new();
        in_progress.retain(|m| seen.insert((m.filename.as_deref(), m.status)));

        let mut timed: Vec<&Migration> =
            records.iter().filter(|m| m.filename.is_some() && m.applied_at.is_some() && m.execution_seconds.is_some()).collect();
        newest_first(&mut timed);
        let mut seen = HashSet::new();
        // A retried file can have several records; its newest one speaks for it.
        let recent: Vec<&Migration> =
            timed.into_iter().take(config.recent).filter(|m| seen.insert((m.filename.as_deref(), m.status))).collect();

        let drift = files.map(|files| files.map(|files| Drift::of(records, files, config)).map_err(|_| ()));
        let readable = drift.as_ref().and_then(|d| d.as_ref().ok()).map(|d| (d.files, d.pending.as_slice()));
        let day = Day::judge(records, readable, &in_progress, beside, config, now);
        State {
            now,
            config,
            records,
            superseded_failures: failed.len() - open_failures.len(),
            open_failures,
            superseded_in_progress: records.iter().filter(|m| m.status.in_progress() && superseded(m)).count(),
            in_progress,
            recent,
            drift,
            day,
        }
    }

    /// The metrics, and how many per-file series the cap left out.
    pub fn families(&self) -> (Vec<Family>, u64) {
        let (records, now) = (self.records, self.now);
        let mut families = Vec::new();
        let window_seconds = self.config.window.as_secs_f64();
        let mut window = Family::gauge("neo4j_migrations_window_seconds", "The --migrations.window the exporter counts in.", &[]);
        window.set(window_seconds);
        families.push(window);
        let mut by_status = Family::gauge("neo4j_migrations", "Migration records per normalised status.", &["status"]);
        let mut in_window = Family::gauge(
            "neo4j_migrations_in_window",
            "Migration records applied within --migrations.window, per normalised status.",
            &["status"],
        );
        for status in Status::ALL {
            let of_status = || records.iter().filter(move |m| m.status == status);
            by_status.add([status.label()], of_status().count() as f64);
            let within = of_status().filter(|m| m.applied_at.is_some_and(|t| t >= now - window_seconds)).count();
            in_window.add([status.label()], within as f64);
        }
        families.push(by_status);
        families.push(in_window);

        let mut failures =
            Family::gauge("neo4j_migration_failures", "Migration records in FAILED state per error class.", &["error_class"]);
        for class in ErrorClass::ALL {
            let count = records.iter().filter(|m| m.status == Status::Failed && m.error_class() == class).count();
            failures.add([class.label()], count as f64);
        }
        families.push(failures);

        let mut execution =
            Family::histogram("neo4j_migration_execution_seconds", "Recorded execution time of every migration record that has one.", &[]);
        execution.add_histogram(std::iter::empty::<String>(), EXECUTION_BUCKETS, records.iter().filter_map(|m| m.execution_seconds));
        families.push(execution);

        let latest =
            |filter: &dyn Fn(&Migration) -> bool| records.iter().filter(|m| filter(m)).filter_map(|m| m.applied_at).reduce(f64::max);
        for (name, help, value) in [
            (
                "neo4j_migration_last_applied_timestamp_seconds",
                "When the most recently applied migration record was applied.",
                latest(&|_| true),
            ),
            (
                "neo4j_migration_last_success_timestamp_seconds",
                "When the most recent successful migration was applied.",
                latest(&|m| m.status == Status::Success),
            ),
            (
                "neo4j_migration_last_failure_timestamp_seconds",
                "When the most recent failed migration was applied.",
                latest(&|m| m.status == Status::Failed),
            ),
        ] {
            let mut family = Family::gauge(name, help, &[]);
            if let Some(t) = value {
                family.set(t);
            }
            families.push(family);
        }

        let mut superseded_in_progress = Family::gauge(
            "neo4j_migration_in_progress_superseded",
            "PENDING or RUNNING records whose file succeeded in a later record.",
            &[],
        );
        superseded_in_progress.set(self.superseded_in_progress as f64);
        families.push(superseded_in_progress);
        let mut running = Family::gauge(
            "neo4j_migration_running_seconds",
            "Age of the oldest migration record in PENDING or RUNNING state; 0 when there is none.",
            &[],
        );
        let oldest = self.in_progress.iter().filter_map(|m| m.applied_at).reduce(f64::min);
        running.set(oldest.map_or(0.0, |t| (now - t).max(0.0)));
        families.push(running);

        // Per-file series share one budget: failures first, then migrations in progress, then
        // drift, then recent runs.
        let mut budget = SeriesBudget::new(self.config.max_series);
        let mut superseded = Family::gauge(
            "neo4j_migration_failures_superseded",
            "FAILED records whose file succeeded in a later record (retried by a new record).",
            &[],
        );
        superseded.set(self.superseded_failures as f64);
        families.push(superseded);
        let mut failed = Family::gauge(
            "neo4j_migration_failed",
            "1 for each migration record in FAILED state (not superseded by a later success), by file and error class.",
            &["filename", "error_class"],
        );
        let mut failed_at = Family::gauge(
            "neo4j_migration_failed_timestamp_seconds",
            "When each FAILED record in neo4j_migration_failed was applied.",
            &["filename", "error_class"],
        );
        // The error text for notifications, one series per series of neo4j_migration_failed.
        let mut failure_info = Family::gauge(
            "neo4j_migration_failure_info",
            "1 for each series of neo4j_migration_failed, with the first line of its recorded error (shortened).",
            &["filename", "error_class", "error"],
        );
        let mut seen = HashSet::new();
        for m in &self.open_failures {
            let Some(filename) = &m.filename else { continue };
            let class = m.error_class().label();
            if seen.insert((filename.as_str(), class)) && budget.take() {
                failed.add([filename.as_str(), class], 1.0);
                let error = m.error.as_deref().map(first_line).unwrap_or_default();
                failure_info.add([filename.as_str(), class, &for_display(&error, Some(FAILURE_INFO_ERROR_CHARS))], 1.0);
                if let Some(t) = m.applied_at {
                    failed_at.add([filename.as_str(), class], t);
                }
            }
        }
        families.push(failed);
        families.push(failed_at);
        families.push(failure_info);

        let mut in_progress = Family::gauge(
            "neo4j_migration_in_progress_seconds",
            "Age of each migration record in PENDING or RUNNING state, by file.",
            &["filename", "status"],
        );
        for m in &self.in_progress {
            if let (Some(filename), Some(t)) = (m.filename.as_deref(), m.applied_at) {
                if budget.take() {
                    in_progress.add([filename, m.status.label()], (now - t).max(0.0));
                }
            }
        }
        families.push(in_progress);

        if let Some(drift) = &self.drift {
            families.extend(drift_families(drift.as_ref().ok(), self.config, &mut budget));
        }

        let mut recent = Family::gauge(
            "neo4j_migration_recent_execution_seconds",
            "Execution time of the most recently applied migration records (--migrations.recent).",
            &["filename", "status"],
        );
        let mut recent_at = Family::gauge(
            "neo4j_migration_recent_applied_timestamp_seconds",
            "When each record in neo4j_migration_recent_execution_seconds was applied, so that a slow run is an event with an end.",
            &["filename", "status"],
        );
        for m in &self.recent {
            let filename = m.filename.as_deref().unwrap_or_default();
            if budget.take() {
                recent.add([filename, m.status.label()], m.execution_seconds.unwrap_or_default());
                recent_at.add([filename, m.status.label()], m.applied_at.unwrap_or_default());
            }
        }
        families.push(recent);
        families.push(recent_at);
        families.extend(self.day.families());
        (families, budget.left_out)
    }

    /// What people see: `status`, its JSON, the page and `check`.
    pub fn report(&self) -> MigrationsReport {
        let shown_name = |m: &Migration| m.filename.clone().unwrap_or_else(|| "(no filename)".to_string());
        let mut applied: Vec<&Migration> = self.records.iter().filter(|m| m.applied_at.is_some()).collect();
        newest_first(&mut applied);
        MigrationsReport {
            counts: Status::ALL
                .iter()
                .map(|status| (status.label().to_string(), self.records.iter().filter(|m| m.status == *status).count() as u64))
                .collect(),
            recent: applied
                .into_iter()
                .take(LIST_CAP)
                .map(|m| MigrationLine {
                    filename: shown_name(m),
                    status: m.status.label().to_string(),
                    applied_at: m.applied_at,
                    execution_seconds: m.execution_seconds,
                })
                .collect(),
            failed: self
                .open_failures
                .iter()
                .take(LIST_CAP)
                .map(|m| FailedMigration {
                    filename: shown_name(m),
                    error_class: m.error_class().label().to_string(),
                    error: m.error.as_deref().map(first_line).unwrap_or_default(),
                    applied_at: m.applied_at,
                })
                .collect(),
            in_progress: self
                .in_progress
                .iter()
                .take(LIST_CAP)
                .map(|m| InProgress {
                    filename: shown_name(m),
                    status: m.status.label().to_string(),
                    age_seconds: m.applied_at.map_or(0.0, |t| (self.now - t).max(0.0)),
                })
                .collect(),
            files: self.drift.as_ref().map(|drift| match drift {
                Err(()) => FilesReport::default(),
                Ok(drift) => FilesReport {
                    readable: true,
                    total: drift.files.len(),
                    pending: drift.pending.iter().take(LIST_CAP).map(|p| p.path.clone()).collect(),
                    modified: drift.modified.iter().take(LIST_CAP).map(|p| p.to_string()).collect(),
                    records_without_file: drift.records_without_file,
                    records_with_file: drift.records_with_file,
                    identity: self.config.identity.describe(),
                    include: self.config.include.patterns().to_vec(),
                    checksum_matches: drift.checksum_matches.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                },
            }),
            checked_at: self.now,
            run: self.day.run.clone(),
            rollback: self.day.rollback.clone(),
            staging: self.day.staging.clone(),
            schema: None,
        }
    }
}

/// The files with a SUCCESS record, in the order they were first applied (directory order
/// where records carry no time).
pub fn applied_files<'f>(records: &[Migration], files: &'f [MigrationFile], config: &MigrationsConfig) -> Vec<&'f MigrationFile> {
    let index = FileIndex::new(files, &config.identity);
    let mut first: Vec<Option<f64>> = vec![None; files.len()];
    for m in records.iter().filter(|m| m.status == Status::Success) {
        if let Some(i) = m.filename.as_deref().and_then(|name| index.find(name)) {
            let at = m.applied_at.unwrap_or(f64::MIN);
            first[i] = Some(first[i].map_or(at, |t: f64| t.min(at)));
        }
    }
    let mut applied: Vec<(f64, usize)> = first.iter().enumerate().filter_map(|(i, t)| t.map(|t| (t, i))).collect();
    applied.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    applied.into_iter().map(|(_, i)| &files[i]).collect()
}

/// The files with no SUCCESS record, in directory order.
pub fn pending_files<'f>(records: &[Migration], files: &'f [MigrationFile], config: &MigrationsConfig) -> Vec<&'f MigrationFile> {
    let index = FileIndex::new(files, &config.identity);
    let mut applied = vec![false; files.len()];
    for m in records.iter().filter(|m| m.status == Status::Success) {
        if let Some(i) = m.filename.as_deref().and_then(|name| index.find(name)) {
            applied[i] = true;
        }
    }
    files.iter().zip(applied).filter(|(_, applied)| !applied).map(|(file, _)| file).collect()
}

impl<'r> Drift<'r> {
    fn of(records: &'r [Migration], files: &'r [MigrationFile], config: &MigrationsConfig) -> Self {
        let index = FileIndex::new(files, &config.identity);
        let mut modified: Vec<(f64, &str)> = Vec::new();
        let mut matched_by: Vec<Option<&'static str>> = vec![None; files.len()];
        let mut records_without_file = 0;
        for m in records {
            let Some(filename) = &m.filename else { continue };
            let Some(i) = index.find(filename) else {
                records_without_file += 1;
                continue;
            };
            if m.status == Status::Success {
                if let Some(recorded) = &m.checksum {
                    match files[i].matching(recorded) {
                        Some(algorithm) => matched_by[i] = Some(algorithm.name()),
                        None => modified.push((m.applied_at.unwrap_or_default(), filename.as_str())),
                    }
                }
            }
        }
        modified.sort_by(|a, b| b.0.total_cmp(&a.0));
        modified.dedup_by(|a, b| a.1 == b.1);
        let checksum_matches =
            config.checksums.names().into_iter().map(|name| (name, matched_by.iter().filter(|m| **m == Some(name)).count())).collect();
        Drift {
            files,
            pending: pending_files(records, files, config),
            modified: modified.into_iter().map(|(_, name)| name).collect(),
            records_with_file: records.iter().filter(|m| m.filename.is_some()).count() - records_without_file,
            records_without_file,
            checksum_matches,
        }
    }
}

/// Pending files, checksum drift and records that name no file; only the scan's success when
/// the directory could not be read.
fn drift_families(drift: Option<&Drift>, config: &MigrationsConfig, budget: &mut SeriesBudget) -> Vec<Family> {
    let mut scanned =
        Family::gauge("neo4j_migration_dir_scan_success", "1 when the --migrations.dir directory could be read on the last run.", &[]);
    let Some(drift) = drift else {
        scanned.set(0.0);
        return vec![scanned];
    };
    scanned.set(1.0);
    let mut total = Family::gauge("neo4j_migration_files", "Migration files found in --migrations.dir.", &[]);
    total.set(drift.files.len() as f64);
    let mut pending = Family::gauge("neo4j_migration_files_pending", "Migration files in --migrations.dir with no SUCCESS record.", &[]);
    pending.set(drift.pending.len() as f64);
    let mut mismatches =
        Family::gauge("neo4j_migration_checksum_mismatches", "Applied migrations whose file no longer matches the recorded checksum.", &[]);
    mismatches.set(drift.modified.len() as f64);
    let mut mismatch = Family::gauge(
        "neo4j_migration_checksum_mismatch",
        "1 for each applied migration whose file was modified after it was applied.",
        &["filename"],
    );
    for filename in &drift.modified {
        if budget.take() {
            mismatch.add([*filename], 1.0);
        }
    }
    let mut without =
        Family::gauge("neo4j_migration_records_without_file", "Migration records that name no file in --migrations.dir.", &[]);
    without.set(drift.records_without_file as f64);
    let mut with = Family::gauge(
        "neo4j_migration_records_with_file",
        "Migration records that name a file in --migrations.dir under the identity rule; 0 beside records without one means the paths do not line up.",
        &[],
    );
    with.set(drift.records_with_file as f64);
    let mut matches = Family::gauge(
        "neo4j_migration_checksum_matches",
        "Applied migration files whose recorded checksum matches, by the algorithm that matched.",
        &["algorithm"],
    );
    for name in config.checksums.names() {
        matches.add([name], drift.checksum_matches.get(name).copied().unwrap_or(0) as f64);
    }
    vec![scanned, total, pending, mismatches, mismatch, without, with, matches]
}

/// A shared cap on per-file series that remembers how many it refused.
struct SeriesBudget {
    left: usize,
    left_out: u64,
}

impl SeriesBudget {
    fn new(cap: usize) -> Self {
        SeriesBudget { left: cap, left_out: 0 }
    }

    fn take(&mut self) -> bool {
        if self.left == 0 {
            self.left_out += 1;
            return false;
        }
        self.left -= 1;
        true
    }
}
