//! The `orphans` collector: nodes with no relationship at all. Finding them reads every node,
//! so it runs rarely, under its own timeout, and says whether the scan finished.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Facts, Spec};
use crate::config::{parse_positive_integer, ConfigError, Setting, Values};
use crate::neo4j::{column, QueryError, Value};
use crate::snapshot::Family;

pub const SPEC: Spec = Spec {
    name: "orphans",
    help: "nodes without relationships (a full scan, so rare and bounded)",
    keeps_state: true,
    enabled_by_default: true,
    interval: Duration::from_secs(600),
    timeout: Duration::from_secs(60),
    reports: false,
    enabled_by: None,
    settings: SETTINGS,
    tells: tells_nothing,
    configure: |values, facts| Ok(Arc::new(OrphansConfig::from_values(values, facts)?)),
    build: |settings| Box::new(Orphans { config: settings_as::<OrphansConfig>(settings).clone() }),
};

const SETTINGS: &[Setting] = &[
    Setting {
        flag: "orphans.by-label",
        value_name: "BOOL",
        default: Some("false"),
        help: "Also export orphaned nodes per label (neo4j_orphaned_nodes_by_label)",
    },
    Setting {
        flag: "orphans.exclude-labels",
        value_name: "LABELS",
        default: None,
        help: "Comma-separated labels whose nodes are orphans by design [default: the migration record labels]",
    },
    Setting { flag: "orphans.max-labels", value_name: "N", default: Some("500"), help: "Most per-label series with --orphans.by-label" },
];

/// Labels of records that migration tools keep apart from the graph on purpose.
const TOOL_LABELS: &[&str] = &["__Neo4jMigration", "__Neo4jMigrationsLock", "__LiquibaseLock"];

#[derive(Clone, Debug)]
pub struct OrphansConfig {
    pub by_label: bool,
    pub exclude_labels: Vec<String>,
    pub max_labels: usize,
}

impl OrphansConfig {
    /// The labels of migration records come from the migrations collector's settings.
    pub fn from_values(values: &Values, facts: &Facts) -> Result<Self, ConfigError> {
        let exclude_labels = values
            .parse("orphans.exclude-labels", |s| {
                Ok(s.split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect::<Vec<_>>())
            })?
            .unwrap_or_else(|| facts.record_labels.iter().cloned().chain(TOOL_LABELS.iter().map(|l| l.to_string())).collect());
        Ok(OrphansConfig {
            by_label: values.required("orphans.by-label", crate::config::parse_bool)?,
            exclude_labels,
            max_labels: values.required("orphans.max-labels", parse_positive_integer)?,
        })
    }
}

/// Groups orphans by their set of labels: one scan gives both the total and the per-label counts.
const STATEMENT: &str = "MATCH (n) WHERE NOT (n)--() AND none(l IN labels(n) WHERE l IN $excluded) \
                         RETURN labels(n) AS labels, count(*) AS orphans";

struct Orphans {
    config: OrphansConfig,
}

/// Total orphans and orphans per label (a node with two labels counts under both, and a node
/// without labels under the empty label).
pub fn tally(groups: &[(Vec<String>, u64)]) -> (u64, BTreeMap<String, u64>) {
    let mut per_label = BTreeMap::new();
    let mut total = 0;
    for (labels, count) in groups {
        total += count;
        if labels.is_empty() {
            *per_label.entry(String::new()).or_default() += count;
        }
        for label in labels {
            *per_label.entry(label.clone()).or_default() += count;
        }
    }
    (total, per_label)
}

impl Collector for Orphans {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let excluded = Value::List(self.config.exclude_labels.iter().cloned().map(Value::Str).collect());
            let started = Instant::now();
            let mut groups = Vec::new();
            let scan = cx
                .read_each(STATEMENT, vec![("excluded", excluded)], |row| {
                    let labels = match column(&row, "labels") {
                        Value::List(items) => items.iter().filter_map(|l| l.as_str().map(str::to_string)).collect(),
                        _ => Vec::new(),
                    };
                    groups.push((labels, column(&row, "orphans").as_i64().unwrap_or(0).max(0) as u64));
                })
                .await;
            let complete = match scan {
                Ok(()) => true,
                // Running out of time is an answer here: the scan is too big for its timeout.
                Err(QueryError::Timeout(_)) => false,
                Err(QueryError::Refused { code, .. }) if code.contains("TransactionTimedOut") || code.contains("Terminated") => false,
                Err(other) => return Err(other),
            };
            let mut duration = Family::gauge("neo4j_orphan_scan_duration_seconds", "How long the last orphan scan took.", &[]);
            duration.set(started.elapsed().as_secs_f64());
            let mut finished = Family::gauge(
                "neo4j_orphan_scan_complete",
                "1 when the last orphan scan finished within its timeout, 0 when it was cut off.",
                &[],
            );
            finished.set(if complete { 1.0 } else { 0.0 });
            let mut total = Family::gauge(
                "neo4j_orphaned_nodes",
                "Nodes with no relationship, outside --orphans.exclude-labels (absent when the scan did not finish).",
                &[],
            );
            let mut by_label = Family::gauge(
                "neo4j_orphaned_nodes_by_label",
                "Nodes with no relationship, per label (with --orphans.by-label).",
                &["label"],
            );
            let mut truncated = 0;
            if complete {
                let (count, per_label) = tally(&groups);
                total.set(count as f64);
                if self.config.by_label {
                    for (i, (label, count)) in per_label.into_iter().enumerate() {
                        if i < self.config.max_labels {
                            by_label.add([label], count as f64);
                        } else {
                            truncated += 1;
                        }
                    }
                }
            }
            Ok(Collection { families: vec![duration, finished, total, by_label], truncated, ..Collection::default() })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_with_two_labels_counts_once_in_total_and_under_each_label() {
        let groups = vec![(vec!["User".to_string(), "Admin".to_string()], 2), (vec!["User".to_string()], 3), (vec![], 1)];
        let (total, per_label) = tally(&groups);
        assert_eq!(total, 6);
        assert_eq!(per_label["User"], 5);
        assert_eq!(per_label["Admin"], 2);
        assert_eq!(per_label[""], 1);
    }
}
