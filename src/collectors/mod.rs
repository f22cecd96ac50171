//! The collector trait and the registry: one row per collector, from which the flags
//! `--collector.<name>`, `--no-collector.<name>`, `--collector.<name>.interval` and
//! `--collector.<name>.timeout` are made.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use neo4rs::BoltType;

use crate::config::{Config, Setting};
use crate::neo4j::{Neo4j, QueryError, Record, ServerInfo, Value};
use crate::report::Part;
use crate::snapshot::Family;

pub mod counts;
pub mod custom;
pub mod jvm;
pub mod migrations;
pub mod orphans;
pub mod schema;
pub mod transactions;

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
    pub report: Option<Part>,
}

/// Everything a collector may use during one run. Statements go through [`Context::read`] and
/// [`Context::read_each`], which bound them by the collector's timeout and count them.
pub struct Context<'a> {
    db: &'a Neo4j,
    pub server: &'a ServerInfo,
    /// The bound on each statement; the scheduler bounds the whole run a little later, so a
    /// collector can still report a statement that ran out of time.
    pub timeout: Duration,
    statements: AtomicU64,
}

impl<'a> Context<'a> {
    pub fn new(db: &'a Neo4j, server: &'a ServerInfo, timeout: Duration) -> Self {
        Context { db, server, timeout, statements: AtomicU64::new(0) }
    }

    pub async fn read(&self, cypher: &str, params: Vec<(&str, BoltType)>) -> Result<Vec<Record>, QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read(cypher, params, self.timeout).await
    }

    pub async fn read_each(&self, cypher: &str, params: Vec<(&str, BoltType)>, each: impl FnMut(Record) + Send) -> Result<(), QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read_each(cypher, params, self.timeout, each).await
    }

    /// Runs a statement that returns one list per row; see [`Neo4j::read_lists`].
    pub async fn read_lists(
        &self,
        cypher: &str,
        params: Vec<(&str, BoltType)>,
        each: impl FnMut(Vec<Value>) + Send,
    ) -> Result<(), QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read_lists(cypher, params, self.timeout, each).await
    }

    /// As [`Context::read`], with a timeout of the statement's own.
    pub async fn read_within(&self, cypher: &str, params: Vec<(&str, BoltType)>, timeout: Duration) -> Result<Vec<Record>, QueryError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.db.read(cypher, params, timeout).await
    }

    /// Statements sent so far in this run.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

pub type CollectFuture<'a> = Pin<Box<dyn Future<Output = Result<Collection, QueryError>> + Send + 'a>>;

pub trait Collector: Send + Sync {
    /// Reads Neo4j and builds a complete, fresh set of samples.
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a>;

    /// Reads the collector's own files again (SIGHUP); most collectors have none.
    fn reload(&self) {}
}

/// One row of the registry.
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
    /// Flags of the collector's own, listed in `--help` and accepted in the config file.
    pub settings: &'static [Setting],
    pub build: fn(&Config) -> Box<dyn Collector>,
}

pub const REGISTRY: &[Spec] = &[migrations::SPEC, transactions::SPEC, jvm::SPEC, counts::SPEC, orphans::SPEC, schema::SPEC, custom::SPEC];

pub fn spec(name: &str) -> Option<&'static Spec> {
    REGISTRY.iter().find(|spec| spec.name == name)
}
