//! The `custom` collector: metrics defined by the user as read-only Cypher in a YAML file
//! (`--collector.custom.file`). Each query has its own interval, timeout and series cap; its
//! metrics are named `neo4j_custom_<name>` so they can never collide with the built-in ones.
//!
//! ```yaml
//! queries:
//!   - name: users_by_segment
//!     help: Users per customer segment.
//!     type: gauge                  # or counter (then the name ends in _total)
//!     query: MATCH (u:User) RETURN u.segment AS segment, count(*) AS users
//!     labels: [segment]
//!     values: [users]              # one metric per value column; with several, the column is appended to the name
//!     interval: 1m                 # default 30s
//!     timeout: 10s                 # default 10s
//!     max_series: 100              # default 100
//! ```

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{ConfigError, Setting, Values};
use crate::neo4j::{column, QueryError, Record, Value};
use crate::snapshot::{Family, Kind, LabelNames};

pub const SPEC: Spec = Spec {
    name: "custom",
    help: "user-defined read-only Cypher metrics from --collector.custom.file",
    keeps_state: true,
    enabled_by_default: false,
    interval: Duration::from_secs(5),
    timeout: Duration::from_secs(60),
    reports: false,
    enabled_by: Some("collector.custom.file"),
    settings: SETTINGS,
    tells: tells_nothing,
    configure: |values, _| Ok(Arc::new(CustomConfig::from_values(values)?)),
    build: |settings| {
        let config = settings_as::<CustomConfig>(settings);
        Box::new(Custom::new(config.file.clone(), config.queries.clone()))
    },
};

const SETTINGS: &[Setting] = &[Setting {
    flag: "collector.custom.file",
    value_name: "PATH",
    default: None,
    help: "YAML file of custom Cypher metrics; giving it enables the custom collector",
}];

pub const METRIC_PREFIX: &str = "neo4j_custom_";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    Gauge,
    Counter,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    queries: Vec<QueryFormat>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryFormat {
    name: String,
    help: String,
    #[serde(rename = "type", default = "gauge")]
    kind: MetricType,
    query: String,
    #[serde(default)]
    labels: Vec<String>,
    values: Vec<String>,
    interval: Option<String>,
    timeout: Option<String>,
    max_series: Option<usize>,
}

fn gauge() -> MetricType {
    MetricType::Gauge
}

/// One validated query with the metric names it produces.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomQuery {
    pub name: String,
    pub help: String,
    pub kind: MetricType,
    pub query: String,
    pub labels: Arc<[String]>,
    /// Value column and the full metric name it feeds.
    pub values: Vec<(String, String)>,
    pub interval: Duration,
    pub timeout: Duration,
    pub max_series: usize,
}

#[derive(Clone, Debug, Default)]
pub struct CustomConfig {
    /// The file the queries came from, read again on SIGHUP.
    pub file: Option<PathBuf>,
    pub queries: Vec<CustomQuery>,
}

impl CustomConfig {
    pub fn from_values(values: &Values) -> Result<Self, ConfigError> {
        let Some((path, _)) = values.get("collector.custom.file") else { return Ok(CustomConfig::default()) };
        Ok(CustomConfig { queries: load(Path::new(&path))?, file: Some(PathBuf::from(path)) })
    }
}

/// Reads and validates a custom metrics file.
pub fn load(path: &Path) -> Result<Vec<CustomQuery>, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
        what: "--collector.custom.file",
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    parse(&text).map_err(|reason| ConfigError::File { path: shown, reason })
}

/// Parses the file's text; the error is one sentence naming the query at fault.
pub fn parse(text: &str) -> Result<Vec<CustomQuery>, String> {
    let file: FileFormat = serde_norway::from_str(text).map_err(|e| format!("not a valid custom metrics file: {e}"))?;
    if file.queries.is_empty() {
        return Err("defines no queries".into());
    }
    let mut names = HashSet::new();
    let mut queries = Vec::new();
    for q in file.queries {
        let at = format!("query '{}'", q.name);
        if !valid_name(&q.name) {
            return Err(format!("{at}: the name must be letters, digits and underscores, not starting with a digit"));
        }
        if q.values.is_empty() {
            return Err(format!("{at}: list at least one value column"));
        }
        if let Some(word) = write_clause(&q.query) {
            return Err(format!("{at}: {word} writes to the database; custom queries must only read"));
        }
        for label in &q.labels {
            if !valid_name(label) || label.starts_with("__") {
                return Err(format!("{at}: '{label}' is not a valid label name"));
            }
            if q.values.contains(label) {
                return Err(format!("{at}: column '{label}' cannot be both a label and a value"));
            }
        }
        let mut values = Vec::new();
        for value in &q.values {
            let full =
                if q.values.len() == 1 { format!("{METRIC_PREFIX}{}", q.name) } else { format!("{METRIC_PREFIX}{}_{value}", q.name) };
            if !valid_name(value) {
                return Err(format!("{at}: '{value}' is not a valid column name"));
            }
            if q.kind == MetricType::Counter && !full.ends_with("_total") {
                return Err(format!("{at}: a counter's name must end in _total ({full})"));
            }
            if !names.insert(full.clone()) {
                return Err(format!("{at}: the metric {full} is defined twice"));
            }
            values.push((value.clone(), full));
        }
        let duration = |field: &str, given: &Option<String>, default: Duration| match given {
            None => Ok(default),
            Some(text) => crate::config::parse_positive_duration(text).map_err(|e| format!("{at}: {field} '{text}': {e}")),
        };
        queries.push(CustomQuery {
            interval: duration("interval", &q.interval, Duration::from_secs(30))?,
            timeout: duration("timeout", &q.timeout, Duration::from_secs(10))?,
            max_series: match q.max_series {
                Some(0) => return Err(format!("{at}: max_series must be at least 1")),
                Some(n) => n,
                None => 100,
            },
            help: q.help,
            labels: q.labels.into(),
            name: q.name,
            kind: q.kind,
            query: q.query,
            values,
        });
    }
    Ok(queries)
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Clauses that change data or schema. Neo4j refuses them anyway in read mode; this says so
/// at start-up instead of on every poll.
const WRITE_WORDS: &[&str] = &[
    "CREATE",
    "MERGE",
    "DELETE",
    "DETACH",
    "SET",
    "REMOVE",
    "DROP",
    "FOREACH",
    "LOAD",
    "ALTER",
    "GRANT",
    "DENY",
    "REVOKE",
    "RENAME",
    "TERMINATE",
];

/// The first write keyword in a statement, ignoring strings, comments, quoted names,
/// property keys (`n.set`), map keys (`{set: 1}`), labels (`:Set`) and parameters.
pub fn write_clause(statement: &str) -> Option<String> {
    let chars: Vec<char> = statement.chars().collect();
    let mut i = 0;
    let mut previous = ' ';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        match c {
            '\'' | '"' | '`' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                previous = c;
                continue;
            }
            '/' if next == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if next == '*' => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect::<String>().to_ascii_uppercase();
                let followed_by_colon = chars[i..].iter().find(|c| !c.is_whitespace()) == Some(&':');
                let is_name = matches!(previous, '.' | ':' | '$') || followed_by_colon;
                if !is_name && WRITE_WORDS.contains(&word.as_str()) {
                    return Some(word);
                }
                previous = 'a';
                continue;
            }
            c if c.is_whitespace() => {}
            c => previous = c,
        }
        i += 1;
    }
    None
}

/// What a query produced on its last run.
#[derive(Default)]
struct QueryState {
    last_run: Option<Instant>,
    families: Vec<Family>,
    success: bool,
    duration_seconds: f64,
    truncated: u64,
    invalid: BTreeMap<&'static str, u64>,
}

/// The queries in force and what each produced, in the same order; replaced together when
/// the file is read again, so a run never pairs one file's queries with another's results.
struct InForce {
    queries: Arc<Vec<CustomQuery>>,
    state: Vec<QueryState>,
}

impl InForce {
    fn new(queries: Vec<CustomQuery>) -> Self {
        InForce { state: queries.iter().map(|_| QueryState::default()).collect(), queries: Arc::new(queries) }
    }
}

struct Custom {
    file: Option<PathBuf>,
    in_force: Mutex<InForce>,
}

impl Custom {
    fn new(file: Option<PathBuf>, queries: Vec<CustomQuery>) -> Self {
        Custom { file, in_force: Mutex::new(InForce::new(queries)) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, InForce> {
        self.in_force.lock().expect("custom queries")
    }
}

/// Reasons a row gives no sample.
pub const INVALID_REASONS: &[&str] = &["bad_label", "bad_value", "duplicate_series"];

/// Turns rows into one family per value column, capped at the query's series limit.
fn samples(query: &CustomQuery, rows: &[Record]) -> (Vec<Family>, u64, BTreeMap<&'static str, u64>) {
    let mut invalid: BTreeMap<&'static str, u64> = INVALID_REASONS.iter().map(|r| (*r, 0)).collect();
    let mut families: Vec<Family> = query
        .values
        .iter()
        .map(|(_, name)| {
            let kind = match query.kind {
                MetricType::Gauge => Kind::Gauge,
                MetricType::Counter => Kind::Counter,
            };
            Family::read(name.clone().into(), query.help.clone().into(), kind, LabelNames::Read(query.labels.clone()))
        })
        .collect();
    let mut seen = HashSet::new();
    let mut truncated = 0;
    for row in rows {
        let labels: Option<Vec<String>> = query.labels.iter().map(|l| label_text(column(row, l))).collect();
        let Some(labels) = labels else {
            *invalid.entry("bad_label").or_default() += 1;
            continue;
        };
        if !seen.insert(labels.clone()) {
            *invalid.entry("duplicate_series").or_default() += 1;
            continue;
        }
        if seen.len() > query.max_series {
            truncated += query.values.len() as u64;
            continue;
        }
        for ((value_column, _), family) in query.values.iter().zip(families.iter_mut()) {
            match number(column(row, value_column)) {
                Some(v) => family.add(labels.clone(), v),
                None => *invalid.entry("bad_value").or_default() += 1,
            }
        }
    }
    (families, truncated, invalid)
}

fn label_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Str(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::Duration(s) | Value::Time(s) => Some(*s),
        other => other.as_f64(),
    }
}

impl Collector for Custom {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let now = Instant::now();
            let (queries, due) = {
                let in_force = self.lock();
                let due: Vec<usize> = (0..in_force.queries.len())
                    .filter(|&i| {
                        in_force.state[i]
                            .last_run
                            .is_none_or(|t| now.duration_since(t) + Duration::from_millis(50) >= in_force.queries[i].interval)
                    })
                    .collect();
                (in_force.queries.clone(), due)
            };
            for i in due {
                // Queries the run has no time left for stay due for the next one.
                if cx.remaining().is_zero() {
                    break;
                }
                let query = &queries[i];
                let started = Instant::now();
                let result = cx.read_within(&query.query, Vec::new(), query.timeout).await;
                let mut in_force = self.lock();
                // The file was read again meanwhile: this result belongs to queries no longer in force.
                if !Arc::ptr_eq(&queries, &in_force.queries) {
                    break;
                }
                let entry = &mut in_force.state[i];
                entry.last_run = Some(started);
                entry.duration_seconds = started.elapsed().as_secs_f64();
                match result {
                    Ok(rows) => {
                        let (families, truncated, invalid) = samples(query, &rows);
                        *entry = QueryState { families, truncated, invalid, success: true, ..std::mem::take(entry) };
                    }
                    Err(e) if e.is_connection_fault() && !matches!(e, QueryError::Timeout(_)) => return Err(e),
                    Err(e) => {
                        tracing::warn!(collector = "custom", query = %query.name, error = %e, "custom query failed");
                        entry.families.clear();
                        entry.success = false;
                    }
                }
            }
            let in_force = self.lock();
            let mut success = Family::gauge("neo4j_custom_query_success", "1 when the custom query's last run succeeded.", &["query"]);
            let mut duration =
                Family::gauge("neo4j_custom_query_duration_seconds", "How long the custom query's last run took.", &["query"]);
            let mut collection = Collection::default();
            for (query, entry) in in_force.queries.iter().zip(in_force.state.iter()) {
                success.add([query.name.as_str()], if entry.success { 1.0 } else { 0.0 });
                duration.add([query.name.as_str()], entry.duration_seconds);
                collection.families.extend(entry.families.iter().cloned());
                collection.truncated += entry.truncated;
                for (reason, n) in &entry.invalid {
                    *collection.invalid_records.entry(reason).or_default() += n;
                }
            }
            collection.families.push(success);
            collection.families.push(duration);
            Ok(collection)
        })
    }

    /// Reads the file again. A file that no longer loads leaves the queries in force, with a
    /// warning; an unchanged one changes nothing, its queries keeping their results.
    fn reload(&self) {
        let Some(file) = &self.file else { return };
        match load(file) {
            Ok(queries) => {
                let mut in_force = self.lock();
                if queries == *in_force.queries {
                    return;
                }
                let names: Vec<&str> = queries.iter().map(|q| q.name.as_str()).collect();
                tracing::info!(collector = "custom", file = %file.display(), queries = %names.join(","), "custom metrics file loaded again");
                *in_force = InForce::new(queries);
            }
            Err(error) => {
                tracing::warn!(collector = "custom", %error, "custom metrics file not loaded again; the previous queries stay in force")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_clauses_are_found_outside_strings_comments_and_names() {
        assert_eq!(write_clause("MATCH (n) RETURN count(n)"), None);
        assert_eq!(write_clause("MATCH (n) SET n.x = 1"), Some("SET".into()));
        assert_eq!(write_clause("match (n) detach delete n"), Some("DETACH".into()));
        assert_eq!(write_clause("CREATE (n)"), Some("CREATE".into()));
        assert_eq!(write_clause("LOAD CSV FROM 'file:///x' AS row RETURN row"), Some("LOAD".into()));
        assert_eq!(write_clause("MATCH (n) WHERE n.name = 'CREATE' RETURN n"), None);
        assert_eq!(write_clause("MATCH (n:`Delete`) RETURN n.set, {merge: 1}, $remove"), None);
        assert_eq!(write_clause("// CREATE (n)\nMATCH (n:Set) RETURN n /* DELETE */"), None);
        assert_eq!(write_clause("MATCH (n) WITH n CALL { WITH n MERGE (m) } RETURN 1"), Some("MERGE".into()));
    }

    #[test]
    fn a_valid_file_names_its_metrics_under_the_custom_prefix() {
        let queries = parse(
            "queries:\n  - name: users\n    help: Users.\n    query: MATCH (u:User) RETURN u.segment AS segment, count(*) AS n, sum(u.age) AS age\n    labels: [segment]\n    values: [n, age]\n    interval: 1m\n",
        )
        .unwrap();
        let names: Vec<&str> = queries[0].values.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["neo4j_custom_users_n", "neo4j_custom_users_age"]);
        assert_eq!(queries[0].interval, Duration::from_secs(60));
        assert_eq!(queries[0].timeout, Duration::from_secs(10));
    }

    #[test]
    fn bad_files_say_which_query_is_wrong() {
        let cases = [
            ("queries: []", "defines no queries"),
            ("queries:\n  - {name: x, help: h, query: 'CREATE (n)', values: [v]}", "query 'x': CREATE writes to the database"),
            ("queries:\n  - {name: 9x, help: h, query: 'RETURN 1 AS v', values: [v]}", "query '9x': the name must be"),
            ("queries:\n  - {name: x, help: h, type: counter, query: 'RETURN 1 AS v', values: [v]}", "must end in _total"),
            ("queries:\n  - {name: x, help: h, query: 'RETURN 1 AS v', values: []}", "at least one value column"),
            ("queries:\n  - {name: x, help: h, query: 'RETURN 1 AS v', values: [v], interval: often}", "interval 'often'"),
            ("queries:\n  - {name: x, help: h, query: 'RETURN 1 AS v', values: [v]}\n  - {name: x, help: h, query: 'RETURN 1 AS v', values: [v]}", "defined twice"),
            ("queries:\n  - {name: x, help: h, query: 'RETURN 1 AS v', values: [v], colour: red}", "unknown field `colour`"),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}\n  gave: {error}\n  want: {expected}");
        }
    }

    #[test]
    fn rows_become_capped_series_and_bad_rows_are_counted() {
        let query =
            &parse("queries:\n  - {name: per_kind, help: h, query: 'RETURN 1', labels: [kind], values: [n], max_series: 2}").unwrap()[0];
        let row = |kind: Value, n: Value| -> Record { [("kind".to_string(), kind), ("n".to_string(), n)].into_iter().collect() };
        let rows = [
            row(Value::Str("a".into()), Value::Int(1)),
            row(Value::Str("a".into()), Value::Int(9)),
            row(Value::List(vec![]), Value::Int(1)),
            row(Value::Str("b".into()), Value::Str("many".into())),
            row(Value::Str("c".into()), Value::Int(3)),
        ];
        let (families, truncated, invalid) = samples(query, &rows);
        assert_eq!(families[0].samples.len(), 1, "a; b had no number; c over the cap");
        assert_eq!(truncated, 1);
        assert_eq!(invalid["duplicate_series"], 1);
        assert_eq!(invalid["bad_label"], 1);
        assert_eq!(invalid["bad_value"], 1);
    }
}
