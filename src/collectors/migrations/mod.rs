//! The `migrations` collector: every migration record's state, duration, failure cause and
//! drift from the files on disk, read from the records migration runners leave in Neo4j.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::collectors::{settings_as, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{parse_non_empty, parse_positive_duration, parse_positive_integer, ConfigError, Setting, Values};
use crate::report::{first_line, FailedMigration, FilesReport, InProgress, MigrationLine, MigrationsReport, Part, LIST_CAP};
use crate::snapshot::Family;

pub mod files;
pub mod profile;
pub mod record;

use files::{Checksums, FileIndex, Identity, Include, MigrationFile};
use profile::Profile;
use record::{ErrorClass, Invalid, Migration, Status, StatusWords};

pub const SPEC: Spec = Spec {
    name: "migrations",
    help: "migration records: state, duration, failures, drift",
    keeps_state: true,
    enabled_by_default: true,
    interval: Duration::from_secs(15),
    timeout: Duration::from_secs(10),
    reports: true,
    enabled_by: None,
    settings: SETTINGS,
    tells: |values, facts| {
        facts.record_labels.push(values.required("migrations.label", parse_non_empty)?);
        Ok(())
    },
    configure: |values, _| Ok(Arc::new(MigrationsConfig::from_values(values)?)),
    build: |settings| {
        Box::new(Migrations {
            config: settings_as::<MigrationsConfig>(settings).clone(),
            warned_misaligned: AtomicBool::new(false),
            warned_unreadable: AtomicBool::new(false),
        })
    },
};

const SETTINGS: &[Setting] = &[
    Setting {
        flag: "migrations.profile",
        value_name: "PROFILE",
        default: None,
        help: "The kind of runner: runbook (the default), node, python, java, go, neo4j-migrations or liquibase; \
               sets the schema, checksum algorithm and identity rule below unless they are given",
    },
    Setting {
        flag: "migrations.schema",
        value_name: "SCHEMA",
        default: None,
        help: "Which records to read: runbook (Migration nodes), neo4j-migrations or liquibase [default: from the profile]",
    },
    Setting {
        flag: "migrations.label",
        value_name: "LABEL",
        default: Some("Migration"),
        help: "Label of migration record nodes (runbook schema)",
    },
    Setting {
        flag: "migrations.recent",
        value_name: "N",
        default: Some("20"),
        help: "How many of the most recently applied records get a per-file series",
    },
    Setting {
        flag: "migrations.window",
        value_name: "DURATION",
        default: Some("1h"),
        help: "Window for neo4j_migrations_in_window (a partly applied run shows there)",
    },
    Setting {
        flag: "migrations.max-series",
        value_name: "N",
        default: Some("100"),
        help: "Most per-file series in all; failed ones are kept first, then the most recent",
    },
    Setting {
        flag: "migrations.dir",
        value_name: "PATH",
        default: None,
        help: "Directory of the migration files the runner applies, for pending files and checksum drift",
    },
    Setting {
        flag: "migrations.checksum-algorithm",
        value_name: "ALGORITHMS",
        default: None,
        help: "How recorded checksums were computed from the files, one or several separated by commas: sha256, \
               sha256-text, sha256-text-lf, sha256-text-java, crc32, neo4j-migrations [default: from the profile]",
    },
    Setting {
        flag: "migrations.identity",
        value_name: "RULE",
        default: None,
        help: "How a record names its file: tail, relative, path or basename [default: from the profile]",
    },
    Setting {
        flag: "migrations.runner-dir",
        value_name: "PATH",
        default: None,
        help: "Where the runner sees --migrations.dir, for the path rule [default: --migrations.dir]",
    },
    Setting {
        flag: "migrations.include",
        value_name: "GLOBS",
        default: None,
        help: "Files below --migrations.dir the deployment applies, as comma-separated globs \
               [default: common/** and <environment>/** with --migrations.environment, else **]",
    },
    Setting {
        flag: "migrations.environment",
        value_name: "NAME",
        default: None,
        help: "The deployment's environment folder (as NODE_ENV chooses it), applied with common/",
    },
];

/// Buckets for migration durations: sub-second schema changes up to hour-long data moves.
pub const EXECUTION_BUCKETS: &[f64] = &[0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    /// `(:Migration {filename, status, appliedAt, executionTime, checksum, description})`.
    Runbook,
    /// Neo4j-Migrations: a chain of `__Neo4jMigration` nodes joined by `MIGRATED_TO {at, in}`.
    Neo4jMigrations,
    /// liquibase-neo4j: `__LiquibaseChangeSet` nodes `IN_CHANGELOG {dateExecuted}`.
    Liquibase,
}

const RUNBOOK_WORDS: StatusWords = &[
    ("SUCCESS", Status::Success),
    ("FAILED", Status::Failed),
    ("PENDING", Status::Pending),
    ("RUNNING", Status::Running),
    ("ROLLED_BACK", Status::RolledBack),
];

/// Liquibase's execution types; it writes no record for a change set that failed.
const LIQUIBASE_WORDS: StatusWords =
    &[("EXECUTED", Status::Success), ("RERAN", Status::Success), ("MARK_RAN", Status::Success), ("FAILED", Status::Failed)];

impl Schema {
    fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "runbook" => Ok(Schema::Runbook),
            "neo4j-migrations" => Ok(Schema::Neo4jMigrations),
            "liquibase" => Ok(Schema::Liquibase),
            _ => Err("expected runbook, neo4j-migrations or liquibase".into()),
        }
    }

    /// The statement that returns one list per record, in the order of `record::COLUMNS`.
    /// Nothing in it can fail on a property of an unexpected type: equality never errors, and
    /// every conversion happens in the exporter.
    pub fn statement(self, label: &str) -> String {
        match self {
            Schema::Runbook => format!(
                "MATCH (m:`{}`) \
                 RETURN [m.filename, null, m.status, m.appliedAt, m.executionTime, m.checksum, \
                 CASE WHEN m.status = 'SUCCESS' THEN null ELSE m.description END, \
                 CASE WHEN m.status = 'SUCCESS' THEN null ELSE m.error END, {}] AS r",
                label.replace('`', "``"),
                record::epoch_millis_of("m.appliedAt")
            ),
            // A repeatable migration that ran again carries REPEATED self-loops; its latest run counts.
            Schema::Neo4jMigrations => format!(
                "MATCH (:__Neo4jMigration)-[r:MIGRATED_TO]->(m:__Neo4jMigration) \
                 OPTIONAL MATCH (m)-[again:REPEATED]->(m) \
                 WITH m, r, again ORDER BY again.at DESC \
                 WITH m, r, collect(again)[0] AS last \
                 WITH m, r, last, coalesce(last.at, r.at) AS at \
                 RETURN [coalesce(m.source, m.version), null, 'SUCCESS', at, \
                 coalesce(last.in, r.in), coalesce(last.checksum, m.checksum), null, null, {}] AS r",
                record::epoch_millis_of("at")
            ),
            Schema::Liquibase => format!(
                "MATCH (c:__LiquibaseChangeSet)-[r:IN_CHANGELOG]->(:__LiquibaseChangeLog) \
                 RETURN [c.changeLog, c.id, c.execType, r.dateExecuted, null, c.checkSum, c.description, null, {}] AS r",
                record::epoch_millis_of("r.dateExecuted")
            ),
        }
    }

    fn words(self) -> StatusWords {
        match self {
            Schema::Runbook | Schema::Neo4jMigrations => RUNBOOK_WORDS,
            Schema::Liquibase => LIQUIBASE_WORDS,
        }
    }
}

#[derive(Clone, Debug)]
pub struct MigrationsConfig {
    pub profile: Profile,
    pub schema: Schema,
    pub label: String,
    pub recent: usize,
    pub window: Duration,
    pub max_series: usize,
    pub dir: Option<PathBuf>,
    pub checksums: Checksums,
    pub identity: Identity,
    pub include: Include,
}

impl MigrationsConfig {
    pub fn from_values(values: &Values) -> Result<Self, ConfigError> {
        let schema = values.parse("migrations.schema", Schema::parse)?;
        // A schema given alone brings the profile of its tool.
        let profile = values.parse("migrations.profile", Profile::parse)?.unwrap_or(match schema {
            Some(Schema::Neo4jMigrations) => Profile::Neo4jMigrations,
            Some(Schema::Liquibase) => Profile::Liquibase,
            _ => Profile::Runbook,
        });
        let choices = profile.choices();
        let dir = values.parse("migrations.dir", |s| {
            let path = PathBuf::from(s.trim());
            if path.is_dir() {
                // Absolute, but with symbolic links kept: a runner sees the path it was given.
                std::path::absolute(&path).map_err(|e| e.to_string())
            } else {
                Err("not a readable directory".to_string())
            }
        })?;
        let runner_dir = values.parse("migrations.runner-dir", |s| Ok(s.trim().to_string()))?;
        let runner_dir = runner_dir.or_else(|| dir.as_ref().map(|d| d.to_string_lossy().to_string())).unwrap_or_default();
        let environment = values.parse("migrations.environment", parse_non_empty)?;
        Ok(MigrationsConfig {
            profile,
            schema: schema.unwrap_or(choices.schema),
            label: values.required("migrations.label", parse_non_empty)?,
            recent: values.required("migrations.recent", parse_positive_integer)?,
            window: values.required("migrations.window", parse_positive_duration)?,
            max_series: values.required("migrations.max-series", parse_positive_integer)?,
            dir,
            checksums: values
                .parse("migrations.checksum-algorithm", Checksums::parse)?
                .unwrap_or_else(|| Checksums::parse(choices.checksums).expect("a profile's checksums parse")),
            identity: match values.parse("migrations.identity", |s| Identity::parse(s, &runner_dir))? {
                Some(identity) => identity,
                None => Identity::parse(choices.identity, &runner_dir).expect("a profile's identity parses"),
            },
            include: match values.parse("migrations.include", Include::parse)? {
                Some(include) => include,
                None => Include::parse(&profile::default_include(environment.as_deref())).map_err(|reason| ConfigError::Invalid {
                    flag: "migrations.environment".into(),
                    value: environment.clone().unwrap_or_default(),
                    origin: crate::config::Origin::Default,
                    reason,
                })?,
            },
        })
    }
}

struct Migrations {
    config: MigrationsConfig,
    /// Whether the records' paths were last seen not to line up with the directory, so that
    /// the warning is logged when that starts, not on every run.
    warned_misaligned: AtomicBool,
    /// The same for an unreadable directory.
    warned_unreadable: AtomicBool,
}

impl Migrations {
    /// Reads the directory off the async workers (thousands of files take a while), and logs
    /// when it becomes unreadable and when it is readable again, not on every run.
    async fn scan(&self, dir: PathBuf) -> Result<Vec<MigrationFile>, ()> {
        let (checksums, include) = (self.config.checksums.clone(), self.config.include.clone());
        let shown = dir.display().to_string();
        let result = tokio::task::spawn_blocking(move || files::scan(&dir, &checksums, &include))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
        match result {
            Ok(files) => {
                if self.warned_unreadable.swap(false, Ordering::Relaxed) {
                    tracing::info!(collector = "migrations", dir = %shown, "the migrations directory is readable again");
                }
                Ok(files)
            }
            Err(e) => {
                if !self.warned_unreadable.swap(true, Ordering::Relaxed) {
                    tracing::warn!(collector = "migrations", dir = %shown, error = %e, "cannot read the migrations directory");
                }
                Err(())
            }
        }
    }

    fn warn_once_if_misaligned(&self, collection: &Collection) {
        let Some(Part::Migrations(MigrationsReport { files: Some(files), .. })) = &collection.report else { return };
        let misaligned = files.misaligned();
        if misaligned && !self.warned_misaligned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                collector = "migrations",
                records = files.records_without_file,
                identity = %files.identity,
                "no migration record names a file in --migrations.dir: every file looks pending; check --migrations.runner-dir, --migrations.identity or --migrations.profile"
            );
        } else if !misaligned {
            self.warned_misaligned.store(false, Ordering::Relaxed);
        }
    }
}

impl Collector for Migrations {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let words = self.config.schema.words();
            let mut migrations = Vec::new();
            let mut invalid: BTreeMap<&'static str, u64> = Invalid::ALL.iter().map(|i| (i.label(), 0)).collect();
            let statement = self.config.schema.statement(&self.config.label);
            let now = now();
            cx.read_lists(&statement, Vec::new(), |row| {
                let (migration, problems) = record::decode(&row, words, now);
                for problem in problems {
                    *invalid.entry(problem.label()).or_default() += 1;
                }
                migrations.push(migration);
            })
            .await?;
            let files = match &self.config.dir {
                Some(dir) => Some(self.scan(dir.clone()).await),
                None => None,
            };
            let mut collection = summarize(&migrations, files.as_ref().map(|r| r.as_deref()), &self.config, now);
            collection.invalid_records = invalid;
            self.warn_once_if_misaligned(&collection);
            Ok(collection)
        })
    }
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// Turns decoded records (and the scanned directory, when configured: `Err` if unreadable)
/// into samples. Pure, so every metric's meaning is pinned by unit tests.
pub fn summarize(
    migrations: &[Migration],
    files: Option<Result<&[MigrationFile], &()>>,
    config: &MigrationsConfig,
    now: f64,
) -> Collection {
    let mut families = Vec::new();

    let mut by_status = Family::gauge("neo4j_migrations", "Migration records per normalised status.", &["status"]);
    let mut in_window = Family::gauge(
        "neo4j_migrations_in_window",
        "Migration records applied within --migrations.window, per normalised status.",
        &["status"],
    );
    let window_start = now - config.window.as_secs_f64();
    let mut window = Family::gauge("neo4j_migrations_window_seconds", "The --migrations.window the exporter counts in.", &[]);
    window.set(config.window.as_secs_f64());
    families.push(window);
    for status in Status::ALL {
        let of_status = || migrations.iter().filter(move |m| m.status == status);
        by_status.add([status.label()], of_status().count() as f64);
        in_window.add([status.label()], of_status().filter(|m| m.applied_at.is_some_and(|t| t >= window_start)).count() as f64);
    }
    families.push(by_status);
    families.push(in_window);

    let failed: Vec<&Migration> = migrations.iter().filter(|m| m.status == Status::Failed).collect();
    let mut failures = Family::gauge("neo4j_migration_failures", "Migration records in FAILED state per error class.", &["error_class"]);
    for class in ErrorClass::ALL {
        failures.add([class.label()], failed.iter().filter(|m| m.error_class() == class).count() as f64);
    }
    families.push(failures);

    let mut execution =
        Family::histogram("neo4j_migration_execution_seconds", "Recorded execution time of every migration record that has one.", &[]);
    execution.add_histogram(std::iter::empty::<String>(), EXECUTION_BUCKETS, migrations.iter().filter_map(|m| m.execution_seconds));
    families.push(execution);

    let latest =
        |filter: &dyn Fn(&Migration) -> bool| migrations.iter().filter(|m| filter(m)).filter_map(|m| m.applied_at).reduce(f64::max);
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

    // A runner that writes a new record per attempt leaves the failed or unfinished attempt
    // behind; once a later attempt of the same file succeeded, that attempt is history, not an
    // open problem.
    let mut succeeded_at: HashMap<&str, f64> = HashMap::new();
    for m in migrations.iter().filter(|m| m.status == Status::Success) {
        if let (Some(name), Some(t)) = (m.filename.as_deref(), m.applied_at) {
            let latest = succeeded_at.entry(name).or_insert(t);
            *latest = latest.max(t);
        }
    }
    let superseded = |m: &Migration| match (m.filename.as_deref(), m.applied_at) {
        (Some(name), Some(t)) => succeeded_at.get(name).is_some_and(|s| *s > t),
        _ => false,
    };
    // Migrations in progress, oldest first, one per file and status.
    let mut open_in_progress: Vec<&Migration> = migrations.iter().filter(|m| m.status.in_progress() && !superseded(m)).collect();
    open_in_progress.sort_by(|a, b| a.applied_at.unwrap_or(now).total_cmp(&b.applied_at.unwrap_or(now)));
    let mut seen = HashSet::new();
    open_in_progress.retain(|m| seen.insert((m.filename.as_deref(), m.status)));
    let mut superseded_in_progress =
        Family::gauge("neo4j_migration_in_progress_superseded", "PENDING or RUNNING records whose file succeeded in a later record.", &[]);
    superseded_in_progress.set(migrations.iter().filter(|m| m.status.in_progress() && superseded(m)).count() as f64);
    families.push(superseded_in_progress);

    let oldest_in_progress = open_in_progress.iter().filter_map(|m| m.applied_at).reduce(f64::min);
    let mut running = Family::gauge(
        "neo4j_migration_running_seconds",
        "Age of the oldest migration record in PENDING or RUNNING state; 0 when there is none.",
        &[],
    );
    running.set(oldest_in_progress.map_or(0.0, |t| (now - t).max(0.0)));
    families.push(running);

    // Per-file series share one budget: failures first, then migrations in progress, then
    // drift, then recent runs.
    let mut budget = SeriesBudget::new(config.max_series);

    let open_failures: Vec<&Migration> = failed.iter().copied().filter(|m| !superseded(m)).collect();
    let mut superseded_count = Family::gauge(
        "neo4j_migration_failures_superseded",
        "FAILED records whose file succeeded in a later record (retried by a new record).",
        &[],
    );
    superseded_count.set((failed.len() - open_failures.len()) as f64);
    families.push(superseded_count);

    let mut failed_series = Family::gauge(
        "neo4j_migration_failed",
        "1 for each migration record in FAILED state (not superseded by a later success), by file and error class.",
        &["filename", "error_class"],
    );
    let mut failed_at = Family::gauge(
        "neo4j_migration_failed_timestamp_seconds",
        "When each FAILED record in neo4j_migration_failed was applied.",
        &["filename", "error_class"],
    );
    let mut seen = HashSet::new();
    for m in newest_first(open_failures.iter().copied()) {
        let Some(filename) = &m.filename else { continue };
        let class = m.error_class().label();
        if seen.insert((filename.as_str(), class)) && budget.take() {
            failed_series.add([filename.as_str(), class], 1.0);
            if let Some(t) = m.applied_at {
                failed_at.add([filename.as_str(), class], t);
            }
        }
    }
    families.push(failed_series);
    families.push(failed_at);

    let mut in_progress = Family::gauge(
        "neo4j_migration_in_progress_seconds",
        "Age of each migration record in PENDING or RUNNING state, by file.",
        &["filename", "status"],
    );
    for m in &open_in_progress {
        if let (Some(filename), Some(t)) = (m.filename.as_deref(), m.applied_at) {
            if budget.take() {
                in_progress.add([filename, m.status.label()], (now - t).max(0.0));
            }
        }
    }
    families.push(in_progress);

    let files_report = files.map(|files| {
        let (drift_families, report) = drift(migrations, files, config, &mut budget);
        families.extend(drift_families);
        report
    });

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
    let mut timed: Vec<&Migration> =
        migrations.iter().filter(|m| m.filename.is_some() && m.applied_at.is_some() && m.execution_seconds.is_some()).collect();
    timed.sort_by(|a, b| b.applied_at.unwrap_or_default().total_cmp(&a.applied_at.unwrap_or_default()));
    let mut seen = HashSet::new();
    for m in timed.into_iter().take(config.recent) {
        let filename = m.filename.as_deref().unwrap_or_default();
        // A retried file can have several records; its newest one speaks for it.
        if seen.insert((filename, m.status)) && budget.take() {
            recent.add([filename, m.status.label()], m.execution_seconds.unwrap_or_default());
            recent_at.add([filename, m.status.label()], m.applied_at.unwrap_or_default());
        }
    }
    families.push(recent);
    families.push(recent_at);

    let report = Part::Migrations(MigrationsReport {
        counts: Status::ALL
            .iter()
            .map(|status| (status.label().to_string(), migrations.iter().filter(|m| m.status == *status).count() as u64))
            .collect(),
        recent: newest_first(migrations.iter().filter(|m| m.applied_at.is_some()))
            .take(LIST_CAP)
            .map(|m| MigrationLine {
                filename: shown_name(m),
                status: m.status.label().to_string(),
                applied_at: m.applied_at,
                execution_seconds: m.execution_seconds,
            })
            .collect(),
        failed: newest_first(open_failures.iter().copied())
            .take(LIST_CAP)
            .map(|m| FailedMigration {
                filename: shown_name(m),
                error_class: m.error_class().label().to_string(),
                error: m.error.as_deref().map(first_line).unwrap_or_default(),
                applied_at: m.applied_at,
            })
            .collect(),
        in_progress: open_in_progress
            .iter()
            .take(LIST_CAP)
            .map(|m| InProgress {
                filename: shown_name(m),
                status: m.status.label().to_string(),
                age_seconds: m.applied_at.map_or(0.0, |t| (now - t).max(0.0)),
            })
            .collect(),
        files: files_report,
    });

    Collection { families, truncated: budget.left_out, invalid_records: BTreeMap::new(), report: Some(report) }
}

fn newest_first<'m>(migrations: impl Iterator<Item = &'m Migration>) -> impl Iterator<Item = &'m Migration> {
    let mut sorted: Vec<&Migration> = migrations.collect();
    sorted.sort_by(|a, b| b.applied_at.unwrap_or(f64::MIN).total_cmp(&a.applied_at.unwrap_or(f64::MIN)));
    sorted.into_iter()
}

fn shown_name(m: &Migration) -> String {
    m.filename.clone().unwrap_or_else(|| "(no filename)".to_string())
}

/// Pending files, checksum drift and records that name no file.
fn drift(
    migrations: &[Migration],
    files: Result<&[MigrationFile], &()>,
    config: &MigrationsConfig,
    budget: &mut SeriesBudget,
) -> (Vec<Family>, FilesReport) {
    let mut scanned =
        Family::gauge("neo4j_migration_dir_scan_success", "1 when the --migrations.dir directory could be read on the last run.", &[]);
    let Ok(files) = files else {
        scanned.set(0.0);
        return (vec![scanned], FilesReport::default());
    };
    scanned.set(1.0);

    let index = FileIndex::new(files, &config.identity);
    let mut applied = vec![false; files.len()];
    let mut mismatched: Vec<(f64, &str)> = Vec::new();
    let mut matched_by: Vec<Option<&'static str>> = vec![None; files.len()];
    let mut without_file = 0;
    for m in migrations {
        let Some(filename) = &m.filename else { continue };
        let Some(i) = index.find(filename) else {
            without_file += 1;
            continue;
        };
        if m.status == Status::Success {
            applied[i] = true;
            if let Some(recorded) = &m.checksum {
                match files[i].matching(recorded) {
                    Some(algorithm) => matched_by[i] = Some(algorithm.name()),
                    None => mismatched.push((m.applied_at.unwrap_or_default(), filename.as_str())),
                }
            }
        }
    }
    mismatched.sort_by(|a, b| b.0.total_cmp(&a.0));
    mismatched.dedup_by(|a, b| a.1 == b.1);

    let mut total_files = Family::gauge("neo4j_migration_files", "Migration files found in --migrations.dir.", &[]);
    total_files.set(files.len() as f64);
    let pending_files: Vec<String> =
        files.iter().zip(&applied).filter(|(_, applied)| !**applied).map(|(file, _)| file.path.clone()).collect();
    let mut pending = Family::gauge("neo4j_migration_files_pending", "Migration files in --migrations.dir with no SUCCESS record.", &[]);
    pending.set(pending_files.len() as f64);
    let mut mismatches =
        Family::gauge("neo4j_migration_checksum_mismatches", "Applied migrations whose file no longer matches the recorded checksum.", &[]);
    mismatches.set(mismatched.len() as f64);
    let mut mismatch = Family::gauge(
        "neo4j_migration_checksum_mismatch",
        "1 for each applied migration whose file was modified after it was applied.",
        &["filename"],
    );
    for (_, filename) in &mismatched {
        if budget.take() {
            mismatch.add([*filename], 1.0);
        }
    }
    let mut orphans =
        Family::gauge("neo4j_migration_records_without_file", "Migration records that name no file in --migrations.dir.", &[]);
    orphans.set(without_file as f64);
    let with_file = migrations.iter().filter(|m| m.filename.is_some()).count() - without_file;
    let mut named = Family::gauge(
        "neo4j_migration_records_with_file",
        "Migration records that name a file in --migrations.dir under the identity rule; 0 beside records without one means the paths do not line up.",
        &[],
    );
    named.set(with_file as f64);
    let mut matches = Family::gauge(
        "neo4j_migration_checksum_matches",
        "Applied migration files whose recorded checksum matches, by the algorithm that matched.",
        &["algorithm"],
    );
    let mut checksum_matches = BTreeMap::new();
    for name in config.checksums.names() {
        let count = matched_by.iter().filter(|m| **m == Some(name)).count();
        matches.add([name], count as f64);
        checksum_matches.insert(name.to_string(), count);
    }
    let report = FilesReport {
        readable: true,
        total: files.len(),
        pending: pending_files.into_iter().take(LIST_CAP).collect(),
        modified: mismatched.iter().take(LIST_CAP).map(|(_, name)| name.to_string()).collect(),
        records_without_file: without_file,
        records_with_file: with_file,
        identity: config.identity.describe(),
        include: config.include.patterns().to_vec(),
        checksum_matches,
    };
    (vec![scanned, total_files, pending, mismatches, mismatch, orphans, named, matches], report)
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

#[cfg(test)]
mod tests;
