//! The exporter's own metrics: the connection to Neo4j, the build, each collector's last run,
//! and the process.

use std::sync::Arc;

use crate::scheduler::{Health, Outcome};
use crate::snapshot::Family;

/// The families that describe the exporter itself, from the scheduler's state.
pub fn families(health: &Health, outcomes: &[(&'static str, Arc<Outcome>)]) -> Vec<Family> {
    let mut up = Family::gauge("neo4j_up", "1 when the last connectivity check of Neo4j succeeded, else 0.", &[]);
    up.set(if health.up { 1.0 } else { 0.0 });
    let mut server = Family::gauge(
        "neo4j_server_info",
        "Version and edition of the Neo4j server, from dbms.components(); always 1.",
        &["version", "edition"],
    );
    if let Some(info) = &health.server {
        server.add([info.version.as_str(), info.edition.as_str()], 1.0);
    }
    let mut build = Family::gauge(
        "neo4j_exporter_build_info",
        "Version, revision and Rust version the exporter was built from; always 1.",
        &["version", "revision", "rustversion"],
    );
    build.add([env!("CARGO_PKG_VERSION"), env!("EXPORTER_REVISION"), env!("EXPORTER_RUSTC_VERSION")], 1.0);

    let mut success =
        Family::gauge("neo4j_exporter_collector_success", "1 when the collector's last run succeeded, else 0.", &["collector"]);
    let mut duration =
        Family::gauge("neo4j_exporter_collector_duration_seconds", "How long the collector's last run took.", &["collector"]);
    let mut last_success = Family::gauge(
        "neo4j_exporter_collector_last_success_timestamp_seconds",
        "When the collector last ran successfully.",
        &["collector"],
    );
    let mut statements =
        Family::gauge("neo4j_exporter_collector_statements", "Statements the collector's last run sent to Neo4j.", &["collector"]);
    let mut truncated = Family::gauge(
        "neo4j_exporter_series_truncated",
        "Series the collector left out on its last run because a cap was reached.",
        &["collector"],
    );
    let mut invalid = Family::gauge(
        "neo4j_exporter_invalid_records",
        "Records skipped or read only in part on the collector's last run, by reason.",
        &["collector", "reason"],
    );
    for (name, outcome) in outcomes {
        success.add([*name], if outcome.success { 1.0 } else { 0.0 });
        duration.add([*name], outcome.duration_seconds);
        statements.add([*name], outcome.statements as f64);
        if let Some(t) = outcome.last_success {
            last_success.add([*name], t);
        }
        truncated.add([*name], outcome.truncated as f64);
        for (reason, count) in &outcome.invalid_records {
            invalid.add([*name, *reason], *count as f64);
        }
    }
    vec![up, server, build, success, duration, statements, last_success, truncated, invalid]
}
