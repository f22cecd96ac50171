//! The `schema` collector: indexes by state and type, population progress, failed indexes and
//! constraints, from `SHOW INDEXES` and `SHOW CONSTRAINTS` (4.4 has them as well as
//! `db.indexes()`; 5 and later have only the commands).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{parse_positive_integer, ConfigError, Setting, Values};
use crate::neo4j::{column, Record};
use crate::report::{IndexLine, IndexesReport, Part, LIST_CAP};
use crate::snapshot::Family;

pub const SPEC: Spec = Spec {
    name: "schema",
    help: "index and constraint state",
    keeps_state: true,
    enabled_by_default: true,
    interval: Duration::from_secs(30),
    timeout: Duration::from_secs(10),
    reports: true,
    enabled_by: None,
    settings: SETTINGS,
    tells: tells_nothing,
    configure: |values, _| Ok(Arc::new(SchemaConfig::from_values(values)?)),
    build: |settings| Box::new(Schema { max_series: settings_as::<SchemaConfig>(settings).max_series }),
};

const SETTINGS: &[Setting] = &[Setting {
    flag: "schema.max-series",
    value_name: "N",
    default: Some("500"),
    help: "Most per-index series (population and failed indexes)",
}];

#[derive(Clone, Debug)]
pub struct SchemaConfig {
    pub max_series: usize,
}

impl SchemaConfig {
    pub fn from_values(values: &Values) -> Result<Self, ConfigError> {
        Ok(SchemaConfig { max_series: values.required("schema.max-series", parse_positive_integer)? })
    }
}

const INDEXES: &str = "SHOW INDEXES YIELD name, type, state, populationPercent RETURN name, type, state, populationPercent";
const CONSTRAINTS: &str = "SHOW CONSTRAINTS YIELD name, type RETURN name, type";

/// Index states Neo4j reports; each gets a series per index type even when zero.
const STATES: &[&str] = &["online", "populating", "failed"];

struct Schema {
    max_series: usize,
}

fn lower(row: &Record, name: &str) -> String {
    column(row, name).as_str().unwrap_or("unknown").to_ascii_lowercase()
}

pub fn summarize(indexes: &[Record], constraints: &[Record], max_series: usize) -> Collection {
    let mut by_state = Family::gauge("neo4j_indexes", "Indexes per state and type.", &["state", "type"]);
    let mut population =
        Family::gauge("neo4j_index_population_ratio", "Population progress (0 to 1) of each index that is not ONLINE.", &["index"]);
    let mut failed = Family::gauge("neo4j_index_failed", "1 for each index in FAILED state.", &["index"]);

    let types: BTreeSet<String> = indexes.iter().map(|row| lower(row, "type")).collect();
    for kind in &types {
        let of_type: Vec<&Record> = indexes.iter().filter(|row| lower(row, "type") == *kind).collect();
        let mut states: BTreeSet<String> = STATES.iter().map(|s| s.to_string()).collect();
        states.extend(of_type.iter().map(|row| lower(row, "state")));
        for state in states {
            let count = of_type.iter().filter(|row| lower(row, "state") == state).count();
            by_state.add([state.as_str(), kind.as_str()], count as f64);
        }
    }

    // Failed indexes first: they page someone.
    let mut not_online: Vec<&Record> = indexes.iter().filter(|row| lower(row, "state") != "online").collect();
    not_online.sort_by_key(|row| (lower(row, "state") != "failed", lower(row, "name")));
    let mut truncated = 0;
    let mut budget = max_series;
    for row in not_online {
        let name = column(row, "name").as_str().unwrap_or("").to_string();
        let wanted = 1 + usize::from(lower(row, "state") == "failed");
        if budget < wanted {
            truncated += wanted as u64;
            continue;
        }
        budget -= wanted;
        let percent = column(row, "populationPercent").as_f64().unwrap_or(0.0);
        population.add([name.as_str()], (percent / 100.0).clamp(0.0, 1.0));
        if lower(row, "state") == "failed" {
            failed.add([name.as_str()], 1.0);
        }
    }

    let mut by_type = Family::gauge("neo4j_constraints", "Constraints per type.", &["type"]);
    let constraint_types: BTreeSet<String> = constraints.iter().map(|row| lower(row, "type")).collect();
    for kind in constraint_types {
        by_type.add([kind.as_str()], constraints.iter().filter(|row| lower(row, "type") == kind).count() as f64);
    }
    let report = IndexesReport {
        total: indexes.len(),
        not_online: indexes
            .iter()
            .filter(|row| lower(row, "state") != "online")
            .take(LIST_CAP)
            .map(|row| IndexLine {
                name: column(row, "name").as_str().unwrap_or("").to_string(),
                kind: lower(row, "type"),
                state: lower(row, "state"),
                population: (column(row, "populationPercent").as_f64().unwrap_or(0.0) / 100.0).clamp(0.0, 1.0),
            })
            .collect(),
    };
    Collection {
        families: vec![by_state, population, failed, by_type],
        truncated,
        report: Some(Part::Indexes(report)),
        ..Collection::default()
    }
}

impl Collector for Schema {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let indexes = cx.read(INDEXES, Vec::new()).await?;
            let constraints = cx.read(CONSTRAINTS, Vec::new()).await?;
            Ok(summarize(&indexes, &constraints, self.max_series))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neo4j::Value;

    fn index(name: &str, kind: &str, state: &str, percent: f64) -> Record {
        [
            ("name", Value::Str(name.into())),
            ("type", Value::Str(kind.into())),
            ("state", Value::Str(state.into())),
            ("populationPercent", Value::Float(percent)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    fn text(collection: &Collection) -> String {
        let mut out = Vec::new();
        crate::snapshot::render(&collection.families, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn states_types_population_and_failures() {
        let indexes = [
            index("lookup", "LOOKUP", "ONLINE", 100.0),
            index("by_date", "RANGE", "POPULATING", 42.0),
            index("broken", "RANGE", "FAILED", 10.0),
        ];
        let constraint: Record =
            [("name".to_string(), Value::Str("u".into())), ("type".to_string(), Value::Str("UNIQUENESS".into()))].into_iter().collect();
        let c = summarize(&indexes, &[constraint], 500);
        let text = text(&c);
        for line in [
            "neo4j_indexes{state=\"online\",type=\"lookup\"} 1",
            "neo4j_indexes{state=\"failed\",type=\"lookup\"} 0",
            "neo4j_indexes{state=\"populating\",type=\"range\"} 1",
            "neo4j_indexes{state=\"failed\",type=\"range\"} 1",
            "neo4j_index_population_ratio{index=\"by_date\"} 0.42",
            "neo4j_index_failed{index=\"broken\"} 1",
            "neo4j_constraints{type=\"uniqueness\"} 1",
        ] {
            assert!(text.contains(line), "missing {line}:\n{text}");
        }
        assert!(!text.contains("index=\"lookup\""), "online indexes have no progress series");
    }

    #[test]
    fn the_cap_keeps_failed_indexes_first() {
        let indexes = [index("a_pop", "RANGE", "POPULATING", 5.0), index("z_broken", "RANGE", "FAILED", 0.0)];
        let c = summarize(&indexes, &[], 2);
        let text = text(&c);
        assert!(text.contains("neo4j_index_failed{index=\"z_broken\"} 1"), "{text}");
        assert!(!text.contains("a_pop"));
        assert_eq!(c.truncated, 1);
    }
}
