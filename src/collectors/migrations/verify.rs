//! The schema the applied migration files declare against the schema Neo4j lists: each object
//! they create present (and ONLINE, for an index), each one they drop absent. The files are
//! followed in the order they were applied, so a later file's `DROP` undoes an earlier `CREATE`.

use std::fmt::Write as _;

use serde::Serialize;

use super::ddl::{Change, Declared, Entity, Family, Kind, Shape};
use crate::neo4j::{column, Record, Value};
use crate::snapshot::Family as Metric;
use crate::views::page::{shown, NAME_CHARS};
use crate::views::terminal::{Terminal, Tone, LAST_CELL_CHARS};
use crate::views::text::{for_display, LIST_CAP};

pub const CONSTRAINTS: &str =
    "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties RETURN name, type, entityType, labelsOrTypes, properties";
pub const INDEXES: &str = "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state \
                           RETURN name, type, entityType, labelsOrTypes, properties, state";

/// What the applied files leave behind, once followed to the last one.
enum Expect<'f> {
    Present { file: &'f str, object: Declared },
    Absent { file: &'f str, family: Family, name: Option<String>, shape: Option<Shape> },
}

/// One object as Neo4j lists it.
#[derive(Clone, Debug)]
pub struct Listed {
    family: Family,
    name: String,
    /// `None` for a type this exporter does not know.
    shape: Option<Shape>,
    /// Lower-case; constraints are `online`.
    state: String,
}

impl Listed {
    fn of(family: Family, row: &Record) -> Self {
        let strings = |name: &str| match column(row, name) {
            Value::List(items) => items.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
            _ => Vec::new(),
        };
        let entity = match column(row, "entityType").as_str() {
            Some(e) if e.eq_ignore_ascii_case("RELATIONSHIP") => Entity::Relationship,
            _ => Entity::Node,
        };
        let shape = column(row, "type").as_str().and_then(|t| Kind::of_listed(family, t)).map(|kind| Shape {
            kind,
            entity,
            labels: strings("labelsOrTypes"),
            properties: strings("properties"),
        });
        Listed {
            family,
            name: column(row, "name").as_str().unwrap_or("").to_string(),
            shape,
            state: column(row, "state").as_str().unwrap_or("online").to_ascii_lowercase(),
        }
    }
}

/// The rows of [`CONSTRAINTS`] and [`INDEXES`], as one list.
pub fn listed(constraints: &[Record], indexes: &[Record]) -> Vec<Listed> {
    let constraints = constraints.iter().map(|row| Listed::of(Family::Constraint, row));
    constraints.chain(indexes.iter().map(|row| Listed::of(Family::Index, row))).collect()
}

/// One object out of line with the files.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The file whose statement declared it.
    pub file: String,
    /// `unique_constraint`, `range_index`, …, or only `constraint` / `index` for a drop by name.
    pub kind: String,
    /// Its name, or its shape when the statement gave it none.
    pub object: String,
    /// An index's state when it is not ONLINE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unparsed {
    pub file: String,
    pub statement: String,
}

/// The verification, as every view shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SchemaReport {
    /// Whether the live schema could be read this time; when not, the findings are the last ones.
    pub read: bool,
    /// Objects the files leave in place, and those they drop.
    pub expected_present: usize,
    pub expected_absent: usize,
    /// Created by an applied file, not listed by Neo4j.
    pub missing: Vec<Finding>,
    /// Indexes an applied file created that are listed but not ONLINE.
    pub not_online: Vec<Finding>,
    /// Dropped by an applied file, still listed.
    pub unexpected: Vec<Finding>,
    /// Schema statements this exporter cannot read, so did not check.
    pub unparsed: Vec<Unparsed>,
}

impl SchemaReport {
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.not_online.is_empty() && self.unexpected.is_empty()
    }
}

fn same_object(a: &Shape, b: &Shape) -> bool {
    a.admits(b) || b.admits(a)
}

/// Follows the applied files' changes, in the order the files were applied.
fn expectations<'f>(applied: &[(&'f str, &'f [Change])]) -> (Vec<Expect<'f>>, Vec<Unparsed>) {
    let mut expects: Vec<Expect> = Vec::new();
    let mut unparsed = Vec::new();
    for (file, changes) in applied {
        for change in *changes {
            match change {
                Change::Create(object) => {
                    let family = object.shape.kind.family();
                    expects.retain(|e| match e {
                        Expect::Absent { family: f, name: Some(n), .. } => !(*f == family && object.name.as_ref() == Some(n)),
                        Expect::Absent { shape: Some(s), .. } => !same_object(s, &object.shape),
                        _ => true,
                    });
                    let again = expects.iter().any(
                        |e| matches!(e, Expect::Present { object: o, .. } if o.name == object.name && same_object(&o.shape, &object.shape)),
                    );
                    if !again {
                        expects.push(Expect::Present { file, object: object.clone() });
                    }
                }
                Change::DropNamed { family, name } => {
                    expects.retain(|e| {
                        !matches!(e, Expect::Present { object, .. } if object.shape.kind.family() == *family && object.name.as_ref() == Some(name))
                            && !matches!(e, Expect::Absent { family: f, name: Some(n), .. } if f == family && n == name)
                    });
                    expects.push(Expect::Absent { file, family: *family, name: Some(name.clone()), shape: None });
                }
                Change::DropShaped(shape) => {
                    expects.retain(|e| match e {
                        Expect::Present { object, .. } => !same_object(&object.shape, shape),
                        Expect::Absent { shape: Some(s), .. } => !same_object(s, shape),
                        _ => true,
                    });
                    expects.push(Expect::Absent { file, family: shape.kind.family(), name: None, shape: Some(shape.clone()) });
                }
                Change::Unparsed(statement) => unparsed.push(Unparsed { file: file.to_string(), statement: statement.clone() }),
            }
        }
    }
    (expects, unparsed)
}

/// Whether any applied file has a schema statement, so that the live schema is worth reading.
pub fn declares_any(applied: &[(&str, &[Change])]) -> bool {
    applied.iter().any(|(_, changes)| !changes.is_empty())
}

/// The applied files' declared schema (in the order they were applied) against Neo4j's lists.
pub fn verify(applied: &[(&str, &[Change])], listed: &[Listed]) -> SchemaReport {
    let (expects, unparsed) = expectations(applied);
    let mut report = SchemaReport { read: true, unparsed, ..SchemaReport::default() };
    for expect in &expects {
        match expect {
            Expect::Present { file, object } => {
                report.expected_present += 1;
                let family = object.shape.kind.family();
                let by_name = object.name.as_ref().and_then(|name| listed.iter().find(|l| l.family == family && &l.name == name));
                // An `IF NOT EXISTS` that met the same object under another name made nothing.
                let found = by_name
                    .or_else(|| listed.iter().find(|l| l.family == family && l.shape.as_ref().is_some_and(|s| object.shape.admits(s))));
                let finding = |state: Option<String>| Finding {
                    file: file.to_string(),
                    kind: object.shape.kind.label().to_string(),
                    object: object.name.clone().unwrap_or_else(|| object.shape.to_string()),
                    state,
                };
                match found {
                    None => report.missing.push(finding(None)),
                    Some(l) if l.state != "online" => report.not_online.push(finding(Some(l.state.clone()))),
                    Some(_) => {}
                }
            }
            Expect::Absent { file, family, name, shape } => {
                report.expected_absent += 1;
                let still = listed.iter().find(|l| {
                    l.family == *family
                        && match (name, shape) {
                            (Some(name), _) => &l.name == name,
                            (None, Some(shape)) => l.shape.as_ref().is_some_and(|s| shape.admits(s)),
                            (None, None) => false,
                        }
                });
                if let Some(l) = still {
                    let kind = l.shape.as_ref().map_or(
                        match family {
                            Family::Constraint => "constraint",
                            Family::Index => "index",
                        },
                        |s| s.kind.label(),
                    );
                    let object = name.clone().unwrap_or_else(|| shape.as_ref().map(Shape::to_string).unwrap_or_default());
                    report.unexpected.push(Finding { file: file.to_string(), kind: kind.to_string(), object, state: None });
                }
            }
        }
    }
    report
}

/// The metrics, with at most `cap` per-object series; the second value is how many were cut.
pub fn families(report: &SchemaReport, cap: usize) -> (Vec<Metric>, u64) {
    let mut read = Metric::gauge(
        "neo4j_migration_schema_read_success",
        "1 when the live schema could be read to verify the applied migration files' schema statements.",
        &[],
    );
    read.add([] as [&str; 0], if report.read { 1.0 } else { 0.0 });
    let mut expected = Metric::gauge(
        "neo4j_migration_schema_expected_objects",
        "Constraints and indexes the applied migration files leave in place (present) or drop (absent).",
        &["expect"],
    );
    expected.add(["present"], report.expected_present as f64);
    expected.add(["absent"], report.expected_absent as f64);
    let mut problems = Metric::gauge(
        "neo4j_migration_schema_problems",
        "Declared schema objects out of line with the live schema, per problem (missing, not_online, unexpected).",
        &["problem"],
    );
    let mut missing = Metric::gauge(
        "neo4j_migration_schema_missing",
        "1 for each constraint or index an applied migration file creates that Neo4j does not list.",
        &["filename", "kind", "object"],
    );
    let mut not_online = Metric::gauge(
        "neo4j_migration_schema_not_online",
        "1 for each index an applied migration file creates that is listed but not ONLINE.",
        &["filename", "kind", "object", "state"],
    );
    let mut unexpected = Metric::gauge(
        "neo4j_migration_schema_unexpected",
        "1 for each constraint or index an applied migration file drops that Neo4j still lists.",
        &["filename", "kind", "object"],
    );
    let mut unparsed = Metric::gauge(
        "neo4j_migration_schema_unparsed_statements",
        "Schema statements in applied migration files this exporter cannot read, so did not verify, per file.",
        &["filename"],
    );
    let mut budget = cap;
    let mut truncated = 0;
    let mut take = || {
        if budget == 0 {
            truncated += 1;
            false
        } else {
            budget -= 1;
            true
        }
    };
    for f in &report.missing {
        if take() {
            missing.add([f.file.as_str(), &f.kind, &f.object], 1.0);
        }
    }
    for f in &report.not_online {
        if take() {
            not_online.add([f.file.as_str(), &f.kind, &f.object, f.state.as_deref().unwrap_or("")], 1.0);
        }
    }
    for f in &report.unexpected {
        if take() {
            unexpected.add([f.file.as_str(), &f.kind, &f.object], 1.0);
        }
    }
    let mut per_file: Vec<(&str, usize)> = Vec::new();
    for u in &report.unparsed {
        match per_file.iter_mut().find(|(file, _)| *file == u.file) {
            Some((_, n)) => *n += 1,
            None => per_file.push((&u.file, 1)),
        }
    }
    for (file, n) in per_file {
        if take() {
            unparsed.add([file], n as f64);
        }
    }
    for (problem, list) in [("missing", &report.missing), ("not_online", &report.not_online), ("unexpected", &report.unexpected)] {
        problems.add([problem], list.len() as f64);
    }
    (vec![read, expected, problems, missing, not_online, unexpected, unparsed], truncated)
}

impl Finding {
    fn said(&self, what: &str) -> String {
        match &self.state {
            Some(state) => format!("{} {} from {} is {}", self.kind.replace('_', " "), self.object, self.file, state.to_uppercase()),
            None => format!("{} {} from {} {what}", self.kind.replace('_', " "), self.object, self.file),
        }
    }
}

/// `check --fail-on=schema`: one line per object out of line.
pub fn problems(report: &SchemaReport) -> Vec<String> {
    let missing = report.missing.iter().map(|f| format!("schema: {}", f.said("is missing")));
    let not_online = report.not_online.iter().map(|f| format!("schema: {}", f.said("")));
    let unexpected = report.unexpected.iter().map(|f| format!("schema: {}", f.said("was dropped but is still there")));
    missing.chain(not_online).chain(unexpected).collect()
}

fn headline(report: &SchemaReport) -> String {
    let stale = if report.read { "" } else { " (the live schema could not be read: last findings)" };
    format!(
        "{} objects declared, {} dropped: {} missing, {} not online, {} still there after a drop, {} statements not understood{stale}",
        report.expected_present,
        report.expected_absent,
        report.missing.len(),
        report.not_online.len(),
        report.unexpected.len(),
        report.unparsed.len()
    )
}

pub fn terminal(report: &SchemaReport, out: &mut Terminal) {
    out.line(&format!("\nSchema from the migration files: {}", headline(report)));
    let lines = problems(report);
    for line in lines.iter().take(LIST_CAP) {
        let line = format!("  {}", out.paint(&for_display(line, Some(LAST_CELL_CHARS)), Tone::Bad));
        out.line(&line);
    }
    for u in report.unparsed.iter().take(LIST_CAP) {
        out.line(&format!("  not understood in {}: {}", for_display(&u.file, None), for_display(&u.statement, Some(LAST_CELL_CHARS))));
    }
}

pub fn page(report: &SchemaReport, html: &mut String) {
    let class = if report.passed() { "good" } else { "bad" };
    let _ = writeln!(
        html,
        "<h2>Schema from the migration files</h2>\n<p id=\"schema-verification\" class=\"{class}\">{}.</p>",
        headline(report)
    );
    let lines = problems(report);
    if !lines.is_empty() || !report.unparsed.is_empty() {
        html.push_str("<ul>");
        for line in lines.iter().take(LIST_CAP) {
            let _ = write!(html, "<li class=\"bad wrap\">{}</li>", shown(line, NAME_CHARS * 3));
        }
        for u in report.unparsed.iter().take(LIST_CAP) {
            let _ = write!(
                html,
                "<li class=\"warn wrap\">not understood in {}: {}</li>",
                shown(&u.file, NAME_CHARS),
                shown(&u.statement, NAME_CHARS * 2)
            );
        }
        html.push_str("</ul>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::super::ddl::changes;
    use super::*;

    fn file(statements: &[&str]) -> Vec<Change> {
        changes(&statements.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn row(pairs: &[(&str, Value)]) -> Record {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::Str(s.to_string())).collect())
    }

    fn constraint(name: &str, kind: &str, label: &str, properties: &[&str]) -> Record {
        row(&[
            ("name", Value::Str(name.into())),
            ("type", Value::Str(kind.into())),
            ("entityType", Value::Str("NODE".into())),
            ("labelsOrTypes", strs(&[label])),
            ("properties", strs(properties)),
        ])
    }

    fn index(name: &str, kind: &str, label: &str, properties: &[&str], state: &str) -> Record {
        let mut r = constraint(name, kind, label, properties);
        r.insert("state".into(), Value::Str(state.into()));
        r
    }

    #[test]
    fn present_missing_not_online_and_dropped() {
        let v1 = file(&[
            "CREATE CONSTRAINT person_email IF NOT EXISTS FOR (p:Person) REQUIRE p.email IS UNIQUE",
            "CREATE INDEX FOR (p:Person) ON (p.name)",
            "CREATE TEXT INDEX bio FOR (p:Person) ON (p.bio)",
            "CREATE INDEX gone FOR (p:Person) ON (p.age)",
        ]);
        let v2 = file(&["DROP INDEX gone IF EXISTS", "CREATE INDEX old FOR (p:Person) ON (p.old)", "MATCH (n) SET n.x = 1"]);
        let v3 = file(&["DROP INDEX old", "CALL db.index.fulltext.createNodeIndex('f', ['Movie'], ['title'])"]);
        let applied = [("V1.cypher", v1.as_slice()), ("V2.cypher", v2.as_slice()), ("V3.cypher", v3.as_slice())];
        let constraints = [constraint("person_email", "UNIQUENESS", "Person", &["email"])];
        let indexes = [
            index("person_email", "RANGE", "Person", &["email"], "ONLINE"),
            index("index_abc123", "RANGE", "Person", &["name"], "ONLINE"),
            index("bio", "TEXT", "Person", &["bio"], "POPULATING"),
            index("old", "RANGE", "Person", &["old"], "ONLINE"),
        ];
        let report = verify(&applied, &listed(&constraints, &indexes));
        assert_eq!((report.expected_present, report.expected_absent), (3, 2));
        assert!(report.missing.is_empty(), "{report:?}");
        assert_eq!(
            report.not_online,
            [Finding { file: "V1.cypher".into(), kind: "text_index".into(), object: "bio".into(), state: Some("populating".into()) }]
        );
        assert_eq!(
            report.unexpected,
            [Finding { file: "V3.cypher".into(), kind: "range_index".into(), object: "old".into(), state: None }]
        );
        assert_eq!(report.unparsed.len(), 1);
        assert_eq!(report.unparsed[0].file, "V3.cypher");

        // The constraint dropped by hand, and the unnamed index with it.
        let report = verify(&applied, &listed(&[], &indexes[2..]));
        let missing: Vec<&str> = report.missing.iter().map(|f| f.object.as_str()).collect();
        assert_eq!(missing, ["person_email", "range_index on :Person(name)"]);
        assert_eq!(problems(&report)[0], "schema: unique constraint person_email from V1.cypher is missing");
        let (families, truncated) = families(&report, 2);
        let mut text = Vec::new();
        crate::snapshot::render(&families, &mut text);
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains("neo4j_migration_schema_missing{filename=\"V1.cypher\",kind=\"unique_constraint\",object=\"person_email\"} 1"),
            "{text}"
        );
        assert!(text.contains("neo4j_migration_schema_problems{problem=\"missing\"} 2"), "{text}");
        assert_eq!(truncated, 3, "two missing fill the cap; the populating index, the dropped one and the unparsed file are cut");
    }

    #[test]
    fn a_later_create_undoes_a_drop_and_an_equivalent_index_under_another_name_counts() {
        let v1 = file(&["CREATE INDEX by_name FOR (p:Person) ON (p.name)", "DROP INDEX by_name"]);
        let v2 = file(&["CREATE INDEX by_name_2 IF NOT EXISTS FOR (p:Person) ON (p.name)"]);
        let applied = [("V1", v1.as_slice()), ("V2", v2.as_slice())];
        let indexes = [index("by_name", "RANGE", "Person", &["name"], "ONLINE")];
        let report = verify(&applied, &listed(&[], &indexes));
        assert!(report.missing.is_empty(), "{report:?}");
        assert_eq!(report.unexpected.len(), 1, "by_name was dropped by name and is still there");
        let v3 = file(&["CREATE INDEX by_name IF NOT EXISTS FOR (p:Person) ON (p.name)"]);
        let applied = [("V1", v1.as_slice()), ("V2", v2.as_slice()), ("V3", v3.as_slice())];
        assert!(verify(&applied, &listed(&[], &indexes)).passed());
    }

    #[test]
    fn the_page_escapes_what_the_files_say() {
        let v1 = file(&["CREATE INDEX `<img src=x>` FOR (p:Person) ON (p.name)"]);
        let report = verify(&[("<b>.cypher", v1.as_slice())], &[]);
        let mut html = String::new();
        page(&report, &mut html);
        assert!(!html.contains("<img") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;img src=x&gt;"), "{html}");
    }
}
