//! Lints the Grafana dashboards in `dashboards/`: provisioning-friendly metadata, the
//! `datasource`, `job` and `instance` variables, panel hygiene (id, title, grid position,
//! description, unit) and the PromQL of every query: each metric it reads is documented in the
//! README's Metrics section and is restricted to `$job` and `$instance`, rate-like functions use
//! `$__rate_interval`, and only variables the end-to-end query test knows how to replace appear.
//!
//! Needs no Grafana, Prometheus or Neo4j: only the files and `serde_json`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The dashboards this repository ships; each file's stem is its `uid`.
const EXPECTED_DASHBOARDS: &[&str] = &["neo4j-migrations", "neo4j-database-activity", "neo4j-graph-capacity"];
const TAGS: &[&str] = &["neo4j", "neo4j-migration-exporter"];
/// Metrics the dashboards may read although the README's Metrics tables do not list them.
const EXTRA_METRICS: &[(&str, &str)] = &[("up", "gauge"), ("neo4j_migration_in_progress_seconds", "gauge")];
/// Variables the end-to-end query test replaces before sending an expression to Prometheus.
const KNOWN_VARIABLES: &[&str] = &["job", "instance", "__rate_interval", "__range", "__interval"];
const RATE_FUNCTIONS: &[&str] = &["rate", "irate", "increase"];
/// Keywords whose parenthesised argument is a list of label names, not an expression.
const LABEL_LIST_KEYWORDS: &[&str] = &["by", "without", "on", "ignoring", "group_left", "group_right"];
/// Identifiers that are neither functions (always followed by `(`) nor metric names.
const KEYWORDS: &[&str] = &["bool", "and", "or", "unless", "offset", "inf", "nan"];
const MAX_DESCRIPTION: usize = 300;

// ---- loading -----------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Dashboard {
    /// File name, e.g. `neo4j-migrations.json`, used in every failure message.
    file: String,
    stem: String,
    raw: String,
    json: Value,
}

fn load_dashboards() -> Vec<Dashboard> {
    let dir = repo_root().join("dashboards");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no dashboards/*.json found in {}", dir.display());
    paths.iter().map(|p| load_dashboard(p)).collect()
}

fn load_dashboard(path: &Path) -> Dashboard {
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let raw = fs::read_to_string(path).unwrap_or_else(|e| panic!("{file}: cannot read: {e}"));
    let json: Value = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{file}: not valid JSON: {e}"));
    assert!(json.is_object(), "{file}: the top level must be a JSON object");
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    Dashboard { file, stem, raw, json }
}

/// Every panel, including those nested in collapsed rows.
fn all_panels(dash: &Dashboard) -> Vec<&Value> {
    fn walk<'a>(panels: &'a Value, out: &mut Vec<&'a Value>) {
        for panel in panels.as_array().into_iter().flatten() {
            out.push(panel);
            if let Some(nested) = panel.get("panels") {
                walk(nested, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&dash.json["panels"], &mut out);
    out
}

fn is_row(panel: &Value) -> bool {
    panel["type"] == "row"
}

fn panel_name(dash: &Dashboard, panel: &Value) -> String {
    format!("{}, panel {} {:?}", dash.file, panel["id"], panel["title"].as_str().unwrap_or("<untitled>"))
}

/// A query with the place it came from, for messages.
struct Query<'a> {
    place: String,
    node: &'a Value,
    expr: &'a str,
}

/// Every PromQL query of a dashboard: panel targets and annotation queries.
fn queries(dash: &Dashboard) -> Vec<Query<'_>> {
    let mut out = Vec::new();
    for panel in all_panels(dash) {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let ref_id = target["refId"].as_str().unwrap_or("?");
            out.push(Query {
                place: format!("{}, target {ref_id}", panel_name(dash, panel)),
                node: target,
                expr: target["expr"].as_str().unwrap_or(""),
            });
        }
    }
    for annotation in dash.json["annotations"]["list"].as_array().into_iter().flatten() {
        // Grafana's Prometheus data source keeps an annotation's query in `target`.
        if let Some(expr) = annotation["target"]["expr"].as_str() {
            out.push(Query {
                place: format!("{}, annotation {:?}", dash.file, annotation["name"].as_str().unwrap_or("?")),
                node: annotation,
                expr,
            });
        }
    }
    out
}

fn variable<'a>(dash: &'a Dashboard, name: &str) -> Option<&'a Value> {
    dash.json["templating"]["list"].as_array()?.iter().find(|v| v["name"] == name)
}

fn is_datasource_ref(value: &Value) -> bool {
    value["type"] == "prometheus" && value["uid"] == "${datasource}"
}

fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{what}: {} problem(s):\n  {}", problems.len(), problems.join("\n  "));
}

// ---- the README's metric list ------------------------------------------------------------

/// Metric name -> type, from the tables of the README's `## Metrics` section, with the series
/// of each histogram and the extras the dashboards may also read.
fn documented_metrics() -> BTreeMap<String, String> {
    let readme = fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let mut in_metrics = false;
    let mut metrics = BTreeMap::new();
    for line in readme.lines() {
        if line.starts_with("## ") {
            in_metrics = line.trim() == "## Metrics";
            continue;
        }
        if !in_metrics || !line.starts_with("| `") {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let name = cells[1].trim_matches('`');
        let kind = cells.get(2).copied().unwrap_or("");
        if name.contains('*') {
            continue; // `process_*`: a family, not a name a dashboard can be checked against
        }
        metrics.insert(name.to_string(), kind.to_string());
    }
    assert!(
        metrics.contains_key("neo4j_up") && metrics.len() > 20,
        "README.md: could not find the metric tables under '## Metrics' (found {metrics:?})"
    );
    for (name, kind) in EXTRA_METRICS {
        metrics.entry(name.to_string()).or_insert_with(|| kind.to_string());
    }
    let histograms: Vec<String> = metrics.iter().filter(|(_, kind)| *kind == "histogram").map(|(name, _)| name.clone()).collect();
    for name in histograms {
        for suffix in ["_bucket", "_sum", "_count"] {
            metrics.insert(format!("{name}{suffix}"), "histogram".to_string());
        }
    }
    metrics
}

// ---- a small PromQL reader ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num,
    /// The text between `[` and `]`: a range or subquery.
    Range(String),
    /// A Grafana variable outside strings and ranges.
    Var(String),
    Punct(char),
}

fn lex(expr: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' || c == '\'' || c == '`' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("unterminated string literal opened with {c}")),
                    Some(&ch) if ch == c => break,
                    Some('\\') if c != '`' => {
                        text.push('\\');
                        text.extend(chars.get(i + 1));
                        i += 2;
                    }
                    Some(&ch) => {
                        text.push(ch);
                        i += 1;
                    }
                }
            }
            i += 1;
            out.push(Tok::Str(text));
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Tok::Num);
        } else if c == '$' {
            let braced = chars.get(i + 1) == Some(&'{');
            let start = if braced { i + 2 } else { i + 1 };
            let mut end = start;
            while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
                end += 1;
            }
            if braced && chars.get(end) != Some(&'}') {
                return Err("unterminated ${...} variable".to_string());
            }
            out.push(Tok::Var(chars[start..end].iter().collect()));
            i = if braced { end + 1 } else { end };
        } else if c == '[' {
            let close = chars[i..].iter().position(|&ch| ch == ']').ok_or("unclosed [")?;
            out.push(Tok::Range(chars[i + 1..i + close].iter().collect::<String>().trim().to_string()));
            i += close + 1;
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    Ok(out)
}

fn check_balanced(tokens: &[Tok]) -> Result<(), String> {
    let mut stack = Vec::new();
    for tok in tokens {
        match tok {
            Tok::Punct(c @ ('(' | '{')) => stack.push(*c),
            Tok::Punct(c @ (')' | '}')) => {
                let open = if *c == ')' { '(' } else { '{' };
                if stack.pop() != Some(open) {
                    return Err(format!("unbalanced {c}"));
                }
            }
            Tok::Punct(']') => return Err("unbalanced ]".to_string()),
            _ => {}
        }
    }
    match stack.last() {
        Some(open) => Err(format!("unclosed {open}")),
        None => Ok(()),
    }
}

/// Index of the token closing the bracket opened at `open`.
fn matching_close(tokens: &[Tok], open: usize) -> Option<usize> {
    let (o, c) = match tokens[open] {
        Tok::Punct('(') => ('(', ')'),
        Tok::Punct('{') => ('{', '}'),
        _ => return None,
    };
    let mut depth = 0;
    for (i, tok) in tokens.iter().enumerate().skip(open) {
        if *tok == Tok::Punct(o) {
            depth += 1;
        } else if *tok == Tok::Punct(c) {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// One metric a query reads: its name, its label matchers (name, operator, value) and where
/// the selector ends in the token list.
#[derive(Debug)]
struct MetricRef {
    name: String,
    matchers: Vec<(String, String, String)>,
    at: usize,
}

/// Every metric selector in the token list. An identifier is a metric name unless it calls a
/// function or aggregation (followed by `(`, or by `by`/`without`), is a keyword, names labels
/// in a grouping list, or names a label inside `{...}`.
fn metric_refs(tokens: &[Tok]) -> Result<Vec<MetricRef>, String> {
    let mut refs = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Tok::Ident(word) if LABEL_LIST_KEYWORDS.contains(&word.as_str()) => {
                i += 1;
                if tokens.get(i) == Some(&Tok::Punct('(')) {
                    i = matching_close(tokens, i).ok_or("unclosed label list")? + 1;
                }
            }
            Tok::Ident(word) if KEYWORDS.contains(&word.as_str()) => i += 1,
            Tok::Ident(word) => {
                let next = tokens.get(i + 1);
                let is_call = matches!(next, Some(Tok::Punct('('))) || matches!(next, Some(Tok::Ident(k)) if k == "by" || k == "without");
                if is_call {
                    i += 1;
                    continue;
                }
                let at = i;
                let mut matchers = Vec::new();
                i += 1;
                if tokens.get(i) == Some(&Tok::Punct('{')) {
                    let close = matching_close(tokens, i).ok_or("unclosed {")?;
                    matchers = parse_matchers(&tokens[i + 1..close]).map_err(|e| format!("selector of {word}: {e}"))?;
                    i = close + 1;
                }
                refs.push(MetricRef { name: word.clone(), matchers, at });
            }
            Tok::Punct('{') => return Err("a selector without a metric name ({...})".to_string()),
            _ => i += 1,
        }
    }
    Ok(refs)
}

fn parse_matchers(tokens: &[Tok]) -> Result<Vec<(String, String, String)>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Tok::Ident(label) = &tokens[i] else {
            return Err(format!("expected a label name, found {:?}", tokens[i]));
        };
        i += 1;
        let mut op = String::new();
        while let Some(Tok::Punct(c @ ('=' | '!' | '~'))) = tokens.get(i) {
            op.push(*c);
            i += 1;
        }
        let Some(Tok::Str(value)) = tokens.get(i) else {
            return Err(format!("label {label}: expected a quoted value"));
        };
        if !["=", "!=", "=~", "!~"].contains(&op.as_str()) {
            return Err(format!("label {label}: unknown operator {op:?}"));
        }
        out.push((label.clone(), op, value.clone()));
        i += 1;
        if tokens.get(i) == Some(&Tok::Punct(',')) {
            i += 1;
        }
    }
    Ok(out)
}

/// `$name` and `${name}` anywhere in the text (strings and ranges included), `$1` excluded.
fn variables_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in text.match_indices('$') {
        let start = if bytes.get(i + 1) == Some(&b'{') { i + 2 } else { i + 1 };
        let len = text[start..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        let name = &text[start..start + len];
        if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            out.push(name.to_string());
        }
    }
    out
}

fn is_duration(text: &str) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w", "y"].iter().find(|u| rest.starts_with(**u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// Everything wrong with one expression.
fn expression_problems(expr: &str, metrics: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    if expr.trim().is_empty() {
        return vec!["empty expr".to_string()];
    }
    for name in variables_in(expr) {
        if !KNOWN_VARIABLES.contains(&name.as_str()) {
            problems.push(format!("unknown variable ${name} (known: {KNOWN_VARIABLES:?})"));
        }
    }
    let tokens = match lex(expr).and_then(|t| check_balanced(&t).map(|()| t)) {
        Ok(tokens) => tokens,
        Err(e) => return vec![format!("cannot read {expr:?}: {e}")],
    };
    let refs = match metric_refs(&tokens) {
        Ok(refs) => refs,
        Err(e) => return vec![format!("cannot read {expr:?}: {e}")],
    };
    if refs.is_empty() {
        problems.push("reads no metric".to_string());
    }
    for r in &refs {
        if !metrics.contains_key(&r.name) {
            problems.push(format!("reads {}, which README.md's Metrics section does not list", r.name));
        }
        for (label, var) in [("job", "$job"), ("instance", "$instance")] {
            let has = r.matchers.iter().any(|(l, op, v)| l == label && op == "=~" && v == var);
            if !has {
                problems.push(format!("{} lacks the selector {label}=~\"{var}\"", r.name));
            }
        }
    }
    for tok in &tokens {
        if let Tok::Range(range) = tok {
            let ok = ["$__rate_interval", "$__range", "$__interval"].contains(&range.as_str()) || is_duration(range);
            if !ok {
                problems.push(format!("range [{range}] is neither a duration nor $__rate_interval, $__range, $__interval"));
            }
        }
    }
    for (i, tok) in tokens.iter().enumerate() {
        let Tok::Ident(func) = tok else { continue };
        if !RATE_FUNCTIONS.contains(&func.as_str()) || tokens.get(i + 1) != Some(&Tok::Punct('(')) {
            continue;
        }
        let close = matching_close(&tokens, i + 1).unwrap_or(tokens.len());
        let inner = &tokens[i + 1..close];
        let ranges: Vec<&String> = inner.iter().filter_map(|t| if let Tok::Range(r) = t { Some(r) } else { None }).collect();
        if ranges.is_empty() || ranges.iter().any(|r| *r != "$__rate_interval") {
            problems.push(format!("{func}(...) must use [$__rate_interval], found {ranges:?}"));
        }
        for r in refs.iter().filter(|r| r.at > i && r.at < close) {
            let kind = metrics.get(&r.name).map(String::as_str).unwrap_or("");
            if kind != "counter" && kind != "histogram" {
                problems.push(format!("{func}(...) of {}, which is a {kind:?}, not a counter", r.name));
            }
        }
    }
    problems
}

// ---- the tests ---------------------------------------------------------------------------

#[test]
fn the_shipped_dashboards_are_all_present() {
    let dir = repo_root().join("dashboards");
    let missing: Vec<String> = EXPECTED_DASHBOARDS
        .iter()
        .filter(|stem| !dir.join(format!("{stem}.json")).is_file())
        .map(|stem| format!("dashboards/{stem}.json is missing"))
        .collect();
    assert_no_problems("dashboards", missing);
}

#[test]
fn dashboards_have_stable_provisioning_friendly_metadata() {
    let dashboards = load_dashboards();
    let mut problems = Vec::new();
    let mut uids = BTreeSet::new();
    let mut titles = BTreeSet::new();
    for dash in &dashboards {
        let j = &dash.json;
        let f = &dash.file;
        match j["uid"].as_str() {
            Some(uid) if uid == dash.stem && uid.len() <= 40 => {
                if !uids.insert(uid.to_string()) {
                    problems.push(format!("{f}: uid {uid} is used by another dashboard"));
                }
            }
            other => problems.push(format!("{f}: uid must be the file's stem {:?} (at most 40 characters), found {other:?}", dash.stem)),
        }
        match j["title"].as_str() {
            Some(title) if title.starts_with("Neo4j / ") => {
                if !titles.insert(title.to_string()) {
                    problems.push(format!("{f}: title {title:?} is used by another dashboard"));
                }
            }
            other => problems.push(format!("{f}: title must start with \"Neo4j / \", found {other:?}")),
        }
        if j["editable"] != Value::Bool(false) {
            problems.push(format!("{f}: editable must be false, found {}", j["editable"]));
        }
        let tags: Vec<&str> = j["tags"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if tags != TAGS {
            problems.push(format!("{f}: tags must be {TAGS:?}, found {tags:?}"));
        }
        let refresh = j["refresh"].as_str().unwrap_or("");
        if !is_duration(refresh) {
            problems.push(format!("{f}: refresh must be a duration such as \"30s\", found {:?}", j["refresh"]));
        }
        if j["time"]["from"] != "now-6h" || j["time"]["to"] != "now" {
            problems.push(format!("{f}: default time range must be now-6h to now, found {}", j["time"]));
        }
        if j["schemaVersion"].as_u64().is_none_or(|v| v < 36) {
            problems.push(format!("{f}: schemaVersion must be 36 or later, found {}", j["schemaVersion"]));
        }
        for key in ["__inputs", "__requires", "__elements"] {
            if j.get(key).is_some() {
                problems.push(format!("{f}: has an export section {key}; provisioning needs none"));
            }
        }
        if dash.raw.contains("${DS_") {
            problems.push(format!("{f}: refers to a ${{DS_...}} import input; use ${{datasource}}"));
        }
        if j["panels"].as_array().is_none_or(|p| p.is_empty()) {
            problems.push(format!("{f}: has no panels"));
        }
    }
    assert_no_problems("dashboard metadata", problems);
}

#[test]
fn every_dashboard_has_datasource_job_and_instance_variables() {
    let dashboards = load_dashboards();
    let metrics = documented_metrics();
    let mut problems = Vec::new();
    for dash in &dashboards {
        let f = &dash.file;
        match variable(dash, "datasource") {
            Some(v) if v["type"] == "datasource" && v["query"] == "prometheus" => {}
            Some(v) => problems.push(format!(
                "{f}: variable datasource must have type datasource and query prometheus, found type {} query {}",
                v["type"], v["query"]
            )),
            None => problems.push(format!("{f}: no datasource variable")),
        }
        for (name, must_contain) in [("job", "job"), ("instance", "instance")] {
            let Some(v) = variable(dash, name) else {
                problems.push(format!("{f}: no {name} variable"));
                continue;
            };
            if v["type"] != "query" {
                problems.push(format!("{f}: variable {name} must have type query, found {}", v["type"]));
            }
            if !is_datasource_ref(&v["datasource"]) {
                problems.push(format!(
                    "{f}: variable {name} must query {{\"type\":\"prometheus\",\"uid\":\"${{datasource}}\"}}, found {}",
                    v["datasource"]
                ));
            }
            // Grafana stores the query as a string or, in newer versions, as {query: ...}.
            let query = v["query"].as_str().or_else(|| v["query"]["query"].as_str()).unwrap_or("");
            let Some(args) = query.strip_prefix("label_values(").and_then(|q| q.strip_suffix(')')) else {
                problems.push(format!("{f}: variable {name} must be label_values(<metric>, {must_contain}), found {query:?}"));
                continue;
            };
            let (selector, label) = args.rsplit_once(',').unwrap_or(("", args));
            if label.trim() != must_contain {
                problems.push(format!("{f}: variable {name} must list the label {must_contain}, found {query:?}"));
            }
            let metric: String = selector.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':').collect();
            if !metrics.contains_key(&metric) {
                problems.push(format!("{f}: variable {name} reads {metric:?}, which README.md does not list"));
            }
            if name == "instance" && !selector.contains("job=~\"$job\"") {
                problems.push(format!("{f}: variable instance must be restricted to job=~\"$job\", found {query:?}"));
            }
        }
    }
    assert_no_problems("template variables", problems);
}

#[test]
fn every_panel_and_query_uses_the_datasource_variable() {
    let dashboards = load_dashboards();
    let mut problems = Vec::new();
    for dash in &dashboards {
        for panel in all_panels(dash).into_iter().filter(|p| !is_row(p)) {
            if !is_datasource_ref(&panel["datasource"]) {
                problems.push(format!(
                    "{}: datasource must be {{\"type\":\"prometheus\",\"uid\":\"${{datasource}}\"}}, found {}",
                    panel_name(dash, panel),
                    panel["datasource"]
                ));
            }
        }
        for query in queries(dash) {
            if !is_datasource_ref(&query.node["datasource"]) {
                problems.push(format!(
                    "{}: datasource must be {{\"type\":\"prometheus\",\"uid\":\"${{datasource}}\"}}, found {}",
                    query.place, query.node["datasource"]
                ));
            }
        }
    }
    assert_no_problems("datasources", problems);
}

#[test]
fn every_panel_has_id_title_position_description_and_unit() {
    let dashboards = load_dashboards();
    let mut problems = Vec::new();
    for dash in &dashboards {
        let mut ids = BTreeSet::new();
        let mut occupied: BTreeMap<(u64, u64), String> = BTreeMap::new();
        let top_level: Vec<&Value> = dash.json["panels"].as_array().into_iter().flatten().collect();
        for panel in all_panels(dash) {
            let name = panel_name(dash, panel);
            match panel["id"].as_u64() {
                Some(id) if ids.insert(id) => {}
                Some(id) => problems.push(format!("{name}: id {id} is used twice")),
                None => problems.push(format!("{name}: no numeric id")),
            }
            if panel["title"].as_str().is_none_or(|t| t.trim().is_empty()) {
                problems.push(format!("{name}: no title"));
            }
            let g = &panel["gridPos"];
            let (x, y, w, h) = (g["x"].as_u64(), g["y"].as_u64(), g["w"].as_u64(), g["h"].as_u64());
            let (Some(x), Some(y), Some(w), Some(h)) = (x, y, w, h) else {
                problems.push(format!("{name}: gridPos needs numeric x, y, w and h, found {g}"));
                continue;
            };
            if w == 0 || h == 0 || x + w > 24 {
                problems.push(format!("{name}: gridPos {g} does not fit the 24-column grid"));
            }
            if top_level.iter().any(|p| std::ptr::eq(*p, panel)) {
                for cell in (x..x + w).flat_map(|cx| (y..y + h).map(move |cy| (cx, cy))) {
                    if let Some(other) = occupied.insert(cell, name.clone()) {
                        problems.push(format!("{name}: overlaps {other}"));
                        break;
                    }
                }
            }
            if is_row(panel) {
                continue;
            }
            match panel["description"].as_str().map(str::trim) {
                Some(d) if !d.is_empty() && d.len() <= MAX_DESCRIPTION => {}
                Some(d) if !d.is_empty() => {
                    problems.push(format!("{name}: description longer than {MAX_DESCRIPTION} characters ({})", d.len()))
                }
                _ => problems.push(format!("{name}: no description saying what to look at")),
            }
            if panel["fieldConfig"]["defaults"]["unit"].as_str().is_none_or(|u| u.trim().is_empty()) {
                problems.push(format!("{name}: no unit in fieldConfig.defaults.unit"));
            }
            if panel["targets"].as_array().is_none_or(|t| t.is_empty()) {
                problems.push(format!("{name}: no targets"));
            }
        }
    }
    assert_no_problems("panels", problems);
}

#[test]
fn every_target_has_ref_id_expr_and_legend() {
    let dashboards = load_dashboards();
    let mut problems = Vec::new();
    for dash in &dashboards {
        for panel in all_panels(dash).into_iter().filter(|p| !is_row(p)) {
            let name = panel_name(dash, panel);
            let mut ref_ids = BTreeSet::new();
            for target in panel["targets"].as_array().into_iter().flatten() {
                match target["refId"].as_str() {
                    Some(r) if !r.is_empty() && ref_ids.insert(r.to_string()) => {}
                    Some(r) if !r.is_empty() => problems.push(format!("{name}: refId {r} is used twice")),
                    _ => problems.push(format!("{name}: a target without refId")),
                }
                let ref_id = target["refId"].as_str().unwrap_or("?");
                if target["expr"].as_str().is_none_or(|e| e.trim().is_empty()) {
                    problems.push(format!("{name}, target {ref_id}: no expr"));
                }
                let is_table = target["format"] == "table";
                if !is_table && target["legendFormat"].as_str().is_none_or(|l| l.trim().is_empty()) {
                    problems.push(format!("{name}, target {ref_id}: no legendFormat"));
                }
                if panel["type"] == "table" && !(is_table && target["instant"] == Value::Bool(true)) {
                    problems.push(format!("{name}, target {ref_id}: a table panel's query needs format \"table\" and instant true"));
                }
            }
        }
    }
    assert_no_problems("targets", problems);
}

#[test]
fn every_query_reads_documented_metrics_for_the_chosen_job_and_instance() {
    let dashboards = load_dashboards();
    let metrics = documented_metrics();
    let mut problems = Vec::new();
    for dash in &dashboards {
        for query in queries(dash) {
            for problem in expression_problems(query.expr, &metrics) {
                problems.push(format!("{}: {problem}", query.place));
            }
        }
    }
    assert_no_problems("queries", problems);
}

#[test]
fn provisioning_examples_are_present() {
    let dir = repo_root().join("dashboards/provisioning");
    let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("dashboards/provisioning/{name}: {e}"));
    let datasource = read("datasource.yml");
    let providers = read("dashboards.yml");
    let mut problems = Vec::new();
    for (file, text, needles) in [
        ("datasource.yml", &datasource, &["apiVersion: 1", "datasources:", "type: prometheus", "url: "][..]),
        ("dashboards.yml", &providers, &["apiVersion: 1", "providers:", "type: file", "path: "][..]),
    ] {
        for needle in needles {
            if !text.lines().any(|l| l.trim_start().trim_start_matches("- ").starts_with(needle)) {
                problems.push(format!("dashboards/provisioning/{file}: no line starting with {needle:?}"));
            }
        }
        if text.contains('\t') {
            problems.push(format!("dashboards/provisioning/{file}: YAML must be indented with spaces, not tabs"));
        }
    }
    assert_no_problems("provisioning examples", problems);
}

// ---- the reader itself -------------------------------------------------------------------

#[test]
fn the_query_reader_catches_each_broken_rule() {
    let metrics = documented_metrics();
    let ok = r#"sum by (instance, gc) (rate(neo4j_jvm_gc_collections_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))"#;
    assert_eq!(expression_problems(ok, &metrics), Vec::<String>::new());
    let ok_time = r#"time() - neo4j_migration_last_applied_timestamp_seconds{job=~"$job", instance=~"$instance"}"#;
    assert_eq!(expression_problems(ok_time, &metrics), Vec::<String>::new());

    let cases = [
        (r#"time() - neo4j_migration_last_applied_timestamp_seconds{job=~"$job"}"#, "lacks the selector instance"),
        (r#"neo4j_graph_nodes"#, "lacks the selector job"),
        (r#"rate(neo4j_jvm_gc_collections_total{job=~"$job",instance=~"$instance"}[5m])"#, "[$__rate_interval]"),
        (r#"rate(neo4j_graph_nodes{job=~"$job",instance=~"$instance"}[$__rate_interval])"#, "not a counter"),
        (r#"neo4j_made_up{job=~"$job",instance=~"$instance"}"#, "does not list"),
        (r#"process_resident_memory_bytes{job=~"$job",instance=~"$instance"}"#, "does not list"),
        (r#"neo4j_up{job=~"$job",instance=~"$node"}"#, "unknown variable $node"),
        (r#"{__name__="neo4j_up"}"#, "without a metric name"),
        (r#"sum(neo4j_up{job=~"$job",instance=~"$instance"}"#, "unclosed"),
        (r#"delta(neo4j_graph_nodes{job=~"$job",instance=~"$instance"}[$window])"#, "unknown variable"),
    ];
    for (expr, expected) in cases {
        let problems = expression_problems(expr, &metrics);
        assert!(problems.iter().any(|p| p.contains(expected)), "{expr}: expected a problem containing {expected:?}, got {problems:?}");
    }

    let histogram = r#"sum(neo4j_migration_execution_seconds_count{job=~"$job",instance=~"$instance"}) - sum(neo4j_migration_execution_seconds_bucket{job=~"$job",instance=~"$instance",le="10"})"#;
    assert_eq!(expression_problems(histogram, &metrics), Vec::<String>::new());
    let up = r#"min(up{job=~"$job",instance=~"$instance"}) * on (instance) group_left (version) neo4j_server_info{job=~"$job",instance=~"$instance"}"#;
    assert_eq!(expression_problems(up, &metrics), Vec::<String>::new());
}
