//! The collector trait and the registry: one row per collector, from which the flags
//! `--collector.<name>`, `--no-collector.<name>`, `--collector.<name>.interval` and
//! `--collector.<name>.timeout` are made.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::config::{Config, Setting};
use crate::neo4j::{Neo4j, QueryError, ServerInfo};
use crate::snapshot::Family;

pub mod migrations;

/// What one run of a collector produced.
#[derive(Debug, Default)]
pub struct Collection {
    pub families: Vec<Family>,
    /// Series left out because a cap was reached.
    pub truncated: u64,
    /// Records skipped or read only in part, by reason. Every reason the collector knows is
    /// listed, with 0 when none, so that the series always exist.
    pub invalid_records: BTreeMap<&'static str, u64>,
}

/// Everything a collector may use during one run.
pub struct Context<'a> {
    pub db: &'a Neo4j,
    pub server: &'a ServerInfo,
    /// The bound on each statement; the scheduler bounds the whole run as well.
    pub timeout: Duration,
}

pub type CollectFuture<'a> = Pin<Box<dyn Future<Output = Result<Collection, QueryError>> + Send + 'a>>;

pub trait Collector: Send + Sync {
    /// Reads Neo4j and builds a complete, fresh set of samples.
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a>;
}

/// One row of the registry.
pub struct Spec {
    pub name: &'static str,
    pub help: &'static str,
    pub enabled_by_default: bool,
    pub interval: Duration,
    pub timeout: Duration,
    /// Flags of the collector's own, listed in `--help` and accepted in the config file.
    pub settings: &'static [Setting],
    pub build: fn(&Config) -> Box<dyn Collector>,
}

pub const REGISTRY: &[Spec] = &[migrations::SPEC];

pub fn spec(name: &str) -> Option<&'static Spec> {
    REGISTRY.iter().find(|spec| spec.name == name)
}
