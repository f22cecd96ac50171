//! neo4j-migration-exporter: polls Neo4j and serves Prometheus metrics about migrations,
//! database activity and graph health.
//!
//! Neo4j -> collectors -> snapshots -> HTTP: `neo4j` runs read-only statements, each module
//! in `collectors` turns rows into typed samples, `scheduler` keeps the latest snapshot of
//! each, `snapshot` renders them, and `http` serves them
//! through `web`, which adds TLS, basic auth and bounds on requests and connections.

pub mod bolt_uri;
pub mod cli;
pub mod collectors;
pub mod config;
pub mod daemon;
pub mod exposition;
pub mod http;
pub mod logging;
pub mod neo4j;
pub mod probe;
pub mod process;
pub mod prometheus_api;
pub mod queue;
pub mod scheduler;
pub mod self_metrics;
pub mod snapshot;
pub mod timeline;
pub mod views;
pub mod web;
