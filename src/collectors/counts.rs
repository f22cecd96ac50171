//! The `counts` collector: nodes per label and relationships per type, from Neo4j's count
//! store only, so a poll costs the same on a thousand nodes as on a billion.
//!
//! Tokens come from `db.labels()` / `db.relationshipTypes()`; each count is a
//! `MATCH (n:`Label`) WITH count(n) ...`, which the planner answers from the count store
//! (`NodeCountFromCountStore`, `RelationshipCountFromCountStore`; a test checks the plan on every
//! supported version). Never `labels(n)` over all nodes.

use std::sync::Arc;
use std::time::Duration;

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{parse_positive_integer, ConfigError, Setting, Values};
use crate::neo4j::{column, QueryError, Value};
use crate::snapshot::Family;

pub const SPEC: Spec = Spec {
    name: "counts",
    help: "nodes per label and relationships per type, from the count store",
    keeps_state: true,
    enabled_by_default: true,
    interval: Duration::from_secs(60),
    timeout: Duration::from_secs(20),
    reports: false,
    enabled_by: None,
    settings: SETTINGS,
    tells: tells_nothing,
    configure: |values, _| Ok(Arc::new(CountsConfig::from_values(values)?)),
    build: |settings| Box::new(Counts { config: settings_as::<CountsConfig>(settings).clone() }),
};

const SETTINGS: &[Setting] = &[
    Setting {
        flag: "counts.max-labels",
        value_name: "N",
        default: Some("500"),
        help: "Most labels to count (alphabetically first); the rest are reported as truncated",
    },
    Setting {
        flag: "counts.max-types",
        value_name: "N",
        default: Some("500"),
        help: "Most relationship types to count; the rest are reported as truncated",
    },
];

#[derive(Clone, Debug)]
pub struct CountsConfig {
    pub max_labels: usize,
    pub max_types: usize,
}

impl CountsConfig {
    pub fn from_values(values: &Values) -> Result<Self, ConfigError> {
        Ok(CountsConfig {
            max_labels: values.required("counts.max-labels", parse_positive_integer)?,
            max_types: values.required("counts.max-types", parse_positive_integer)?,
        })
    }
}

/// How many count-store lookups share one statement (joined by UNION ALL).
const PER_STATEMENT: usize = 100;

const LABELS: &str = "CALL db.labels() YIELD label RETURN label";
const TYPES: &str = "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS type";
/// Whole-graph totals, counted alone before the kind is attached, as in `count_statement`:
/// `RETURN 'nodes' AS kind, count(n)` would make `kind` a grouping key and scan every node.
pub const TOTALS: &str = "MATCH (n) WITH count(n) AS count RETURN 'nodes' AS kind, count \
                          UNION ALL MATCH ()-[r]->() WITH count(r) AS count RETURN 'relationships' AS kind, count";

/// Quotes a label or type for use in a pattern.
pub fn quote(token: &str) -> String {
    format!("`{}`", token.replace('`', "``"))
}

/// One statement counting each token from the count store; token names travel as parameters.
pub fn count_statement(tokens: &[String], relationships: bool) -> (String, Vec<(String, Value)>) {
    let branches: Vec<String> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            // Counting alone (no grouping key beside it) is what lets the planner use the count
            // store; the token name is attached after the aggregation.
            let pattern = if relationships { format!("()-[x:{}]->()", quote(token)) } else { format!("(x:{})", quote(token)) };
            format!("MATCH {pattern} WITH count(x) AS count RETURN $t{i} AS token, count")
        })
        .collect();
    let params = tokens.iter().enumerate().map(|(i, t)| (format!("t{i}"), Value::Str(t.clone()))).collect();
    (branches.join(" UNION ALL "), params)
}

struct Counts {
    config: CountsConfig,
}

async fn tokens(cx: &Context<'_>, statement: &str, column_name: &str) -> Result<Vec<String>, QueryError> {
    let mut names: Vec<String> =
        cx.read(statement, Vec::new()).await?.iter().filter_map(|row| column(row, column_name).as_str().map(str::to_string)).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

async fn count_each(cx: &Context<'_>, tokens: &[String], relationships: bool) -> Result<Vec<(String, f64)>, QueryError> {
    let mut counts = Vec::with_capacity(tokens.len());
    for chunk in tokens.chunks(PER_STATEMENT) {
        let (statement, params) = count_statement(chunk, relationships);
        let params = params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        for row in cx.read(&statement, params).await? {
            if let (Some(token), Some(count)) = (column(&row, "token").as_str(), column(&row, "count").as_f64()) {
                counts.push((token.to_string(), count));
            }
        }
    }
    Ok(counts)
}

impl Collector for Counts {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let labels = tokens(cx, LABELS, "label").await?;
            let types = tokens(cx, TYPES, "type").await?;
            let kept_labels = &labels[..labels.len().min(self.config.max_labels)];
            let kept_types = &types[..types.len().min(self.config.max_types)];
            let node_counts = count_each(cx, kept_labels, false).await?;
            let relationship_counts = count_each(cx, kept_types, true).await?;
            let totals = cx.read(TOTALS, Vec::new()).await?;

            let mut nodes = Family::gauge("neo4j_nodes", "Nodes per label, from the count store.", &["label"]);
            for (label, count) in node_counts {
                nodes.add([label], count);
            }
            let mut relationships = Family::gauge("neo4j_relationships", "Relationships per type, from the count store.", &["type"]);
            for (kind, count) in relationship_counts {
                relationships.add([kind], count);
            }
            let mut graph_nodes = Family::gauge("neo4j_graph_nodes", "Nodes in the whole graph.", &[]);
            let mut graph_relationships = Family::gauge("neo4j_graph_relationships", "Relationships in the whole graph.", &[]);
            for row in &totals {
                let count = column(row, "count").as_f64().unwrap_or(0.0);
                match column(row, "kind").as_str() {
                    Some("nodes") => graph_nodes.set(count),
                    Some("relationships") => graph_relationships.set(count),
                    _ => {}
                }
            }
            let mut label_tokens = Family::gauge("neo4j_labels", "Labels in use, counted or not.", &[]);
            label_tokens.set(labels.len() as f64);
            let mut type_tokens = Family::gauge("neo4j_relationship_types", "Relationship types in use, counted or not.", &[]);
            type_tokens.set(types.len() as f64);

            Ok(Collection {
                families: vec![nodes, relationships, graph_nodes, graph_relationships, label_tokens, type_tokens],
                truncated: ((labels.len() - kept_labels.len()) + (types.len() - kept_types.len())) as u64,
                ..Collection::default()
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_in_tokens_are_doubled() {
        assert_eq!(quote("odd`name"), "`odd``name`");
    }

    #[test]
    fn one_statement_counts_many_tokens_by_parameter() {
        let (statement, params) = count_statement(&["User".into(), "Ord`er".into()], false);
        assert_eq!(
            statement,
            "MATCH (x:`User`) WITH count(x) AS count RETURN $t0 AS token, count UNION ALL \
             MATCH (x:`Ord``er`) WITH count(x) AS count RETURN $t1 AS token, count"
        );
        assert_eq!(params.len(), 2);
        let (statement, _) = count_statement(&["KNOWS".into()], true);
        assert_eq!(statement, "MATCH ()-[x:`KNOWS`]->() WITH count(x) AS count RETURN $t0 AS token, count");
    }
}
