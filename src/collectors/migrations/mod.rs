//! The `migrations` collector: every migration record's state, duration, failure cause and
//! drift from the files on disk, read from the records migration runners leave in Neo4j.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::collectors::{settings_as, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{
    parse_non_empty, parse_positive_duration, parse_positive_integer, staging_target, ConfigError, Neo4jConfig, Setting, Values,
};
use crate::neo4j::Neo4j;

pub mod ddl;
pub mod files;
mod live;
pub mod profile;
pub mod record;
pub mod report;
pub mod run;
mod state;
pub mod statements;
pub mod verify;

use files::{Checksums, Identity, Include, MigrationFile};
use profile::Profile;
use record::{Invalid, Migration, Status, StatusWords};
use report::FilesReport;
pub use run::Seen;
use state::State;

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
        let config = settings_as::<MigrationsConfig>(settings).clone();
        // The URI was checked; a handle connects on first use.
        let staging = config.staging.as_ref().and_then(|target| Neo4j::new(target).ok());
        Box::new(Migrations {
            config,
            staging,
            watch: live::Watch::default(),
            warned_misaligned: AtomicBool::new(false),
            warned_unreadable: AtomicBool::new(false),
            warned_staging: AtomicBool::new(false),
            last_schema: std::sync::Mutex::new(None),
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
        flag: "migrations.run-gap",
        value_name: "DURATION",
        default: Some("1m"),
        help: "A run of migrations goes on while each record follows the previous one within this gap",
    },
    Setting {
        flag: "staging.uri",
        value_name: "URI",
        default: None,
        help: "Bolt URI of the staging server: pending files are checked against its records, and its execution times give the ETA",
    },
    Setting { flag: "staging.user", value_name: "USER", default: None, help: "User to log in to staging as [default: --neo4j.user]" },
    Setting {
        flag: "staging.password-file",
        value_name: "PATH",
        default: None,
        help: "File holding staging's password; otherwise the NEO4J_STAGING_PASSWORD environment variable",
    },
    Setting {
        flag: "staging.database",
        value_name: "NAME",
        default: None,
        help: "Database to read on staging; its default database when unset",
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

    /// Whether rollbacks are files beside the migrations (`X.down.cypher`); Liquibase keeps
    /// them inside each change set.
    pub fn has_down_files(self) -> bool {
        self != Schema::Liquibase
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
    pub run_gap: Duration,
    pub staging: Option<Neo4jConfig>,
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
            run_gap: values.required("migrations.run-gap", parse_positive_duration)?,
            staging: staging_target(values)?,
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
    staging: Option<Neo4j>,
    /// Which transaction runs which file.
    watch: live::Watch,
    /// Whether the records' paths were last seen not to line up with the directory, so that
    /// the warning is logged when that starts, not on every run.
    warned_misaligned: AtomicBool,
    /// The same for an unreadable directory, and for staging.
    warned_unreadable: AtomicBool,
    warned_staging: AtomicBool,
    /// The last schema verification that could read the live schema.
    last_schema: std::sync::Mutex<Option<verify::SchemaReport>>,
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

    /// Staging's records, read with the same statement and the time left of this run.
    async fn read_staging(&self, cx: &Context<'_>, statement: &str, now: f64) -> Option<Result<Vec<Migration>, String>> {
        let staging = self.staging.as_ref()?;
        let words = self.config.schema.words();
        let mut there = Vec::new();
        let result = staging.read_lists(statement, Vec::new(), cx.remaining(), |row| there.push(record::decode(&row, words, now).0)).await;
        Some(match result {
            Ok(()) => {
                if self.warned_staging.swap(false, Ordering::Relaxed) {
                    tracing::info!(collector = "migrations", "staging's migration records are readable again");
                }
                Ok(there)
            }
            Err(e) => {
                if !self.warned_staging.swap(true, Ordering::Relaxed) {
                    tracing::warn!(collector = "migrations", error = %e, "cannot read staging's migration records");
                }
                Err(e.to_string())
            }
        })
    }

    /// The applied files' schema statements against the live schema. When the schema cannot be
    /// read, the last findings stand (marked as not read): a missing constraint does not look
    /// mended because one read timed out.
    async fn verify_schema(&self, cx: &Context<'_>, applied: &[&MigrationFile]) -> verify::SchemaReport {
        let applied: Vec<(&str, &[ddl::Change])> = applied.iter().map(|f| (f.path.as_str(), f.schema.as_slice())).collect();
        if !verify::declares_any(&applied) {
            return verify::verify(&applied, &[]);
        }
        let read = async {
            let constraints = cx.read(verify::CONSTRAINTS, Vec::new()).await?;
            let indexes = cx.read(verify::INDEXES, Vec::new()).await?;
            Ok::<_, crate::neo4j::QueryError>(verify::listed(&constraints, &indexes))
        };
        let read = read.await;
        let mut last = self.last_schema.lock().unwrap_or_else(|e| e.into_inner());
        match read {
            Ok(listed) => {
                let report = verify::verify(&applied, &listed);
                *last = Some(report.clone());
                report
            }
            Err(e) => {
                tracing::warn!(collector = "migrations", error = %e, "cannot read the live schema to verify the migration files'");
                let mut report = last.clone().unwrap_or_else(|| verify::verify(&applied, &[]));
                if last.is_none() {
                    // Nothing was ever read: no finding can be told.
                    report.missing.clear();
                }
                report.read = false;
                report
            }
        }
    }

    fn warn_once_if_misaligned(&self, files: Option<&FilesReport>) {
        let Some(files) = files else { return };
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
            // Staging and the live transactions at once, each within what is left of the run, so
            // that a slow staging server cannot cost the run its records.
            let pending = match &files {
                Some(Ok(files)) => state::pending_files(&migrations, files, &self.config),
                _ => Vec::new(),
            };
            let look = async {
                if pending.is_empty() {
                    Vec::new()
                } else {
                    self.watch.look(cx, &pending, self.config.run_gap).await
                }
            };
            let (staging, sightings) = tokio::join!(self.read_staging(cx, &statement, now), look);
            let seen = Seen { staging, sightings };
            let state = State::judge(&migrations, files.as_ref().map(|r| r.as_deref()), &seen, &self.config, now);
            let mut report = state.report();
            self.warn_once_if_misaligned(report.files.as_ref());
            let (mut families, mut truncated) = state.families();
            if let Some(Ok(files)) = &files {
                let schema = self.verify_schema(cx, &state::applied_files(&migrations, files, &self.config)).await;
                let (more, cut) = verify::families(&schema, self.config.max_series);
                families.extend(more);
                truncated += cut;
                report.schema = Some(schema);
            }
            Ok(Collection { families, truncated, invalid_records: invalid, report: Some(Arc::new(report)) })
        })
    }
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// Turns decoded records (and the scanned directory, when configured: `Err` if unreadable)
/// into samples and the report, both drawn from one judged [`State`]. Pure, so every metric's
/// meaning is pinned by unit tests.
pub fn summarize(
    migrations: &[Migration],
    files: Option<Result<&[MigrationFile], &()>>,
    seen: &Seen,
    config: &MigrationsConfig,
    now: f64,
) -> Collection {
    let state = State::judge(migrations, files, seen, config, now);
    let (families, truncated) = state.families();
    Collection { families, truncated, invalid_records: BTreeMap::new(), report: Some(Arc::new(state.report())) }
}

#[cfg(test)]
mod tests;
