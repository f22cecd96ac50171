//! The `schema` collector: indexes by state and type, population progress, failed indexes and
//! constraints, from `SHOW INDEXES` and `SHOW CONSTRAINTS` (4.4 has them as well as
//! `db.indexes()`; 5 and later have only the commands).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{parse_positive_integer, ConfigError, Setting, Values};
use crate::neo4j::{column, Record};
use crate::snapshot::Family;
use crate::views::check::{CheckOptions, Condition};
use crate::views::page::{escape, shown, NAME_CHARS};
use crate::views::terminal::{plain, Terminal, Tone};
use crate::views::text::LIST_CAP;
use crate::views::Part;

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

/// One index as `SHOW INDEXES` describes it, read once for every view.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IndexLine {
    pub name: String,
    /// Lower-case, as `range`, `lookup`, `text`.
    pub kind: String,
    /// Lower-case, as `online`, `populating`, `failed`.
    pub state: String,
    /// 0 to 1.
    pub population: f64,
}

impl IndexLine {
    fn of(row: &Record) -> Self {
        IndexLine {
            name: column(row, "name").as_str().unwrap_or("").to_string(),
            kind: lower(row, "type"),
            state: lower(row, "state"),
            population: (column(row, "populationPercent").as_f64().unwrap_or(0.0) / 100.0).clamp(0.0, 1.0),
        }
    }

    /// Neo4jIndexFailed pages for it, and `check --fail-on=index-failed` fails on it.
    pub fn failed(&self) -> bool {
        self.state == "failed"
    }
}

/// The indexes and constraints, as people see them.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct IndexesReport {
    pub total: usize,
    /// Indexes not ONLINE, failed ones first.
    pub not_online: Vec<IndexLine>,
}

fn lower(row: &Record, name: &str) -> String {
    column(row, name).as_str().unwrap_or("unknown").to_ascii_lowercase()
}

pub fn summarize(indexes: &[Record], constraints: &[Record], max_series: usize) -> Collection {
    let indexes: Vec<IndexLine> = indexes.iter().map(IndexLine::of).collect();
    let mut by_state = Family::gauge("neo4j_indexes", "Indexes per state and type.", &["state", "type"]);
    let mut population =
        Family::gauge("neo4j_index_population_ratio", "Population progress (0 to 1) of each index that is not ONLINE.", &["index"]);
    let mut failed = Family::gauge("neo4j_index_failed", "1 for each index in FAILED state.", &["index"]);

    let types: BTreeSet<&str> = indexes.iter().map(|i| i.kind.as_str()).collect();
    for kind in types {
        let of_type: Vec<&IndexLine> = indexes.iter().filter(|i| i.kind == kind).collect();
        let mut states: BTreeSet<&str> = STATES.iter().copied().collect();
        states.extend(of_type.iter().map(|i| i.state.as_str()));
        for state in states {
            by_state.add([state, kind], of_type.iter().filter(|i| i.state == state).count() as f64);
        }
    }

    // Failed indexes first: they page someone.
    let mut not_online: Vec<&IndexLine> = indexes.iter().filter(|i| i.state != "online").collect();
    not_online.sort_by_key(|i| (!i.failed(), i.name.clone()));
    let mut truncated = 0;
    let mut budget = max_series;
    for index in &not_online {
        let wanted = 1 + usize::from(index.failed());
        if budget < wanted {
            truncated += wanted as u64;
            continue;
        }
        budget -= wanted;
        population.add([index.name.as_str()], index.population);
        if index.failed() {
            failed.add([index.name.as_str()], 1.0);
        }
    }

    let mut by_type = Family::gauge("neo4j_constraints", "Constraints per type.", &["type"]);
    let constraint_types: BTreeSet<String> = constraints.iter().map(|row| lower(row, "type")).collect();
    for kind in constraint_types {
        by_type.add([kind.as_str()], constraints.iter().filter(|row| lower(row, "type") == kind).count() as f64);
    }
    let report = IndexesReport { total: indexes.len(), not_online: not_online.into_iter().take(LIST_CAP).cloned().collect() };
    Collection { families: vec![by_state, population, failed, by_type], truncated, report: Some(Arc::new(report)), ..Collection::default() }
}

impl Part for IndexesReport {
    fn key(&self) -> &'static str {
        "indexes"
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("reports serialise")
    }

    fn terminal(&self, out: &mut Terminal) {
        out.line(&format!("\nIndexes: {} in all, {} not online", self.total, self.not_online.len()));
        if self.not_online.is_empty() {
            return;
        }
        let rows: Vec<Vec<(String, Tone)>> = self
            .not_online
            .iter()
            .map(|index| {
                let tone = if index.failed() { Tone::Bad } else { Tone::Warn };
                vec![
                    plain(index.name.clone()),
                    plain(index.kind.clone()),
                    (index.state.clone(), tone),
                    plain(format!("{:.0} %", index.population * 100.0)),
                ]
            })
            .collect();
        out.table(&["INDEX", "TYPE", "STATE", "POPULATED"], &rows);
    }

    fn page(&self, html: &mut String) {
        let _ = write!(html, "<h2>Indexes</h2>\n<p id=\"indexes\">{} in all, {} not online.</p>\n", self.total, self.not_online.len());
        if self.not_online.is_empty() {
            return;
        }
        html.push_str("<div class=\"scroll\"><table><tr><th>Index</th><th>Type</th><th>State</th><th>Populated</th></tr>");
        for index in &self.not_online {
            let _ = write!(
                html,
                "<tr><td class=\"wrap\">{}</td><td>{}</td><td class=\"{}\">{}</td><td>{:.0} %</td></tr>",
                shown(&index.name, NAME_CHARS),
                escape(&index.kind),
                if index.failed() { "bad" } else { "warn" },
                escape(&index.state),
                index.population * 100.0
            );
        }
        html.push_str("</table></div>\n");
    }

    fn problems(&self, condition: Condition, _: &CheckOptions) -> Vec<String> {
        match condition {
            Condition::IndexFailed => {
                self.not_online.iter().filter(|i| i.failed()).map(|i| format!("index-failed: index {} is FAILED", i.name)).collect()
            }
            // Neo4jIndexFailed and Neo4jIndexPopulationStalled: any index that cannot serve yet.
            Condition::IndexNotOnline => {
                self.not_online.iter().map(|i| format!("index-not-online: index {} is {}", i.name, i.state.to_uppercase())).collect()
            }
            _ => Vec::new(),
        }
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
