//! The collector trait and the registry: one row per collector, from which the flags
//! `--collector.<name>`, `--no-collector.<name>`, `--collector.<name>.interval` and
//! `--collector.<name>.timeout` are made.

use std::any::Any;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{ConfigError, Setting, Values};
use crate::neo4j::{Neo4j, Params, QueryError, Record, Value};
use crate::snapshot::Family;
use crate::views::Part;

pub mod backup;
pub mod counts;
pub mod custom;
pub mod jvm;
pub mod migrations;
pub mod monitoring;
pub mod orphans;
pub mod schema;
pub mod transactions;
#[cfg(test)]
mod walkthrough;

/// What one run of a collector produced.
#[derive(Debug, Default)]
pub struct Collection {
    pub families: Vec<Family>,
    /// Series left out because a cap was reached.
    pub truncated: u64,
    /// Records skipped or read only in part, by reason. Every reason the collector knows is
    /// listed, with 0 when none, so that the series always exist.
    pub invalid_records: BTreeMap<&'static str, u64>,
    /// What the collector adds to the status report, if anything.
    pub report: Option<Arc<dyn Part>>,
}

/// Everything a collector may use during one run. Statements go through [`Context::read`] and
/// [`Context::read_each`], which bound them by the collector's timeout and count them.
pub struct Context<'a> {
    db: &'a Neo4j,
    /// The bound on each statement; the scheduler bounds the whole run a little later, so a
    /// collector can still report a statement that ran out of time.
    pub timeout: Duration,
    /// When the run's time is up: no statement is given time past it.
    deadline: Instant,
    statements: AtomicU64,
}

impl<'a> Context<'a> {
    pub fn new(db: &'a Neo4j, timeout: Duration) -> Self {
        Context { db, timeout, deadline: Instant::now() + timeout, statements: AtomicU64::new(0) }
    }

    /// What is left of the run's time.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    pub async fn read(&self, cypher: &str, params: Params<'_>) -> Result<Vec<Record>, QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read(cypher, params, self.timeout).await
    }

    pub async fn read_each(&self, cypher: &str, params: Params<'_>, each: impl FnMut(Record) + Send) -> Result<(), QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read_each(cypher, params, self.timeout, each).await
    }

    /// As [`Context::read_each`], bounded by what is left of the run's time.
    pub async fn read_each_in_time_left(
        &self,
        cypher: &str,
        params: Params<'_>,
        each: impl FnMut(Record) + Send,
    ) -> Result<(), QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read_each(cypher, params, self.timeout.min(self.remaining()), each).await
    }

    /// Runs a statement that returns one list per row; see [`Neo4j::read_lists`].
    pub async fn read_lists(&self, cypher: &str, params: Params<'_>, each: impl FnMut(Vec<Value>) + Send) -> Result<(), QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read_lists(cypher, params, self.timeout, each).await
    }

    /// As [`Context::read`], with a timeout of the statement's own, cut to what is left of the
    /// run's time.
    pub async fn read_within(&self, cypher: &str, params: Params<'_>, timeout: Duration) -> Result<Vec<Record>, QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read(cypher, params, timeout.min(self.remaining())).await
    }

    /// Statements sent so far in this run.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

/// Why a run gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("run exceeded its timeout of {}", humantime::format_duration(*.0))]
    Timeout(Duration),
}

/// One run of a collector, and what it cost.
pub struct Run {
    pub result: Result<Collection, RunError>,
    pub statements: u64,
    pub duration: Duration,
}

/// Extra time a run gets beyond its statements' timeout, so that a statement that ran out of
/// time can still be reported by the collector.
pub const RUN_GRACE: Duration = Duration::from_millis(500);

/// Runs a collector once: each statement bounded by `timeout` (on the server and in the
/// client), the whole run by `timeout` and [`RUN_GRACE`]. The scheduler, `/probe` and the
/// one-shot commands all run collectors through here.
pub async fn run_once(collector: &dyn Collector, db: &Neo4j, timeout: Duration) -> Run {
    let started = Instant::now();
    let cx = Context::new(db, timeout);
    let result = match tokio::time::timeout(timeout + RUN_GRACE, collector.collect(&cx)).await {
        Ok(result) => result.map_err(RunError::from),
        Err(_) => Err(RunError::Timeout(timeout)),
    };
    Run { result, statements: cx.statements(), duration: started.elapsed() }
}

pub type CollectFuture<'a> = Pin<Box<dyn Future<Output = Result<Collection, QueryError>> + Send + 'a>>;

pub trait Collector: Send + Sync {
    /// Reads Neo4j and builds a complete, fresh set of samples.
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a>;

    /// Reads the collector's own files again (SIGHUP); most collectors have none.
    fn reload(&self) {}
}

/// A collector's checked settings, made by its `configure`; its `build` knows their type.
pub type Settings = Arc<dyn Any + Send + Sync>;

/// What some collectors' settings tell the others: the one channel between them.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Labels of migration record nodes, which are orphans by design.
    pub record_labels: Vec<String>,
}

/// For a collector whose settings tell the others nothing.
pub fn tells_nothing(_: &Values, _: &mut Facts) -> Result<(), ConfigError> {
    Ok(())
}

/// One row of the registry: everything the rest of the exporter knows of a collector.
pub struct Spec {
    pub name: &'static str,
    pub help: &'static str,
    pub enabled_by_default: bool,
    /// What the collector reads is state kept in the database (records, the schema, the
    /// graph): while it cannot be read, its last samples stay, with `collector_success` 0
    /// saying they are last known. Activity (transactions, the JVM) is gone with the server,
    /// so its samples go when a run fails.
    pub keeps_state: bool,
    pub interval: Duration,
    pub timeout: Duration,
    /// Whether its findings are part of `status`, `check` and the status page; those run it.
    pub reports: bool,
    /// A setting whose value, when given, turns the collector on (the custom metrics file);
    /// turning it on without one is a mistake.
    pub enabled_by: Option<&'static str>,
    /// Flags of the collector's own, listed in `--help` and accepted in the config file.
    pub settings: &'static [Setting],
    /// What the collector's settings tell the others, before any is configured.
    pub tells: fn(&Values, &mut Facts) -> Result<(), ConfigError>,
    /// Checks the collector's own settings: a mistake is one sentence naming the flag.
    pub configure: fn(&Values, &Facts) -> Result<Settings, ConfigError>,
    /// A collector from the settings its `configure` made.
    pub build: fn(&Settings) -> Box<dyn Collector>,
}

/// The settings a `build` receives, as the type its `configure` made.
pub fn settings_as<T: 'static>(settings: &Settings) -> &T {
    settings.downcast_ref::<T>().expect("a collector's build receives the settings its configure made")
}

pub const REGISTRY: &[Spec] = &[
    migrations::SPEC,
    transactions::SPEC,
    jvm::SPEC,
    counts::SPEC,
    orphans::SPEC,
    schema::SPEC,
    backup::SPEC,
    monitoring::SPEC,
    custom::SPEC,
];
