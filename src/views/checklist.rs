//! The pre-migration checklist (`check --before` and the status page): backup, rollback plan,
//! staging, monitoring and a quiet database, each answered by the part of the report that
//! knows it, or marked not checked with the setting that would check it.

use std::fmt::Write as _;

use serde::Serialize;

use super::check::{CheckOptions, Condition};
use super::page::{shown, ERROR_CHARS, NAME_CHARS};
use super::text::{for_display, human_seconds};
use super::Report;

/// The checklist's items, in the order they are shown, with the setting that turns each on.
pub const ITEMS: &[(&str, &str, &str)] = &[
    ("backup", "Backup created", "--backup.dir"),
    ("rollback", "Rollback plan", "--migrations.dir"),
    ("staging", "Staging tested", "--staging.uri and --migrations.dir"),
    ("monitoring", "Monitoring ready", "--prometheus.url"),
    ("quiet", "Quiet database", "the transactions, schema and migrations collectors"),
];

/// The conditions a quiet database has none of.
const QUIET: &[Condition] = &[Condition::Failed, Condition::LongRunning, Condition::Blocked, Condition::IndexNotOnline];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Passed,
    Failed,
    NotChecked,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    pub item: &'static str,
    pub state: State,
    /// One line: what was found.
    pub summary: String,
    /// What failed, one entry each (cut to the report's list cap).
    pub details: Vec<String>,
    /// When it was last checked, in seconds since the Unix epoch.
    pub checked_at: Option<f64>,
}

impl Item {
    pub fn new(item: &'static str, passed: bool, summary: String, details: Vec<String>, checked_at: f64) -> Self {
        Item { item, state: if passed { State::Passed } else { State::Failed }, summary, details, checked_at: Some(checked_at) }
    }
}

/// Every item, from the parts that answer it; a quiet database from the `check` conditions.
pub fn items(report: &Report, options: &CheckOptions) -> Vec<Item> {
    let answered: Vec<Item> = report.parts.iter().flat_map(|part| part.checklist()).collect();
    ITEMS
        .iter()
        .map(|(name, _, setting)| {
            if *name == "quiet" {
                return quiet(report, options);
            }
            answered.iter().find(|item| item.item == *name).cloned().unwrap_or_else(|| Item {
                item: name,
                state: State::NotChecked,
                summary: format!("not checked: give {setting}"),
                details: Vec::new(),
                checked_at: None,
            })
        })
        .collect()
}

fn quiet(report: &Report, options: &CheckOptions) -> Item {
    // The parts that answer it: without one of them, a quiet answer would mean nothing.
    let missing: Vec<&str> =
        ["migrations", "transactions", "indexes"].into_iter().filter(|key| !report.parts.iter().any(|part| part.key() == *key)).collect();
    if !missing.is_empty() {
        return Item {
            item: "quiet",
            state: State::NotChecked,
            summary: format!("not checked: the {} findings are missing (is a collector off?)", missing.join(", ")),
            details: Vec::new(),
            checked_at: None,
        };
    }
    let found: Vec<String> =
        QUIET.iter().flat_map(|condition| report.parts.iter().flat_map(move |part| part.problems(*condition, options))).collect();
    let summary = if found.is_empty() {
        "no failed migration, long-running or blocked transaction, or index that is not online".to_string()
    } else {
        format!("{} found", found.len())
    };
    Item::new("quiet", found.is_empty(), summary, found, report.generated_at)
}

fn title(item: &str) -> &'static str {
    ITEMS.iter().find(|(name, ..)| *name == item).map_or("", |(_, title, _)| title)
}

/// `check --before`: one line per item, then one per finding of a failed item.
pub fn lines(items: &[Item]) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        let word = match item.state {
            State::Passed => "ok  ",
            State::Failed => "FAIL",
            State::NotChecked => "skip",
        };
        out.push(format!("{word} {}: {}", title(item.item).to_lowercase(), for_display(&item.summary, None)));
        for detail in &item.details {
            out.push(format!("       {}", for_display(detail, None)));
        }
    }
    out
}

/// The checklist on the status page, with each item's state and how long ago it was checked.
pub fn page(items: &[Item], now: f64, html: &mut String) {
    html.push_str("<h2>Before migrating</h2>\n<div class=\"scroll\"><table id=\"checklist\"><tr><th>Item</th><th>State</th><th>Found</th><th>Checked</th></tr>");
    for item in items {
        let (class, word) = match item.state {
            State::Passed => ("good", "ok"),
            State::Failed => ("bad", "failed"),
            State::NotChecked => ("muted", "not checked"),
        };
        let details: Vec<String> = item.details.iter().map(|d| format!("<br>{}", shown(d, NAME_CHARS * 2))).collect();
        let _ = write!(
            html,
            "<tr data-item=\"{}\" data-state=\"{word}\"><td>{}</td><td class=\"{class}\">{word}</td><td class=\"wrap\">{}{}</td><td>{}</td></tr>",
            item.item,
            title(item.item),
            shown(&item.summary, ERROR_CHARS),
            details.join(""),
            item.checked_at.map_or("-".to_string(), |t| format!("{} ago", human_seconds((now - t).max(0.0))))
        );
    }
    html.push_str("</table></div>\n");
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::collectors::migrations::report::{FailedMigration, MigrationsReport, STUCK_AFTER};
    use crate::collectors::schema::IndexesReport;
    use crate::collectors::transactions::TransactionsReport;
    use crate::views::Part;

    fn options() -> CheckOptions {
        CheckOptions { conditions: Vec::new(), stuck_after: STUCK_AFTER, before: true }
    }

    fn report(parts: Vec<Arc<dyn Part>>) -> Report {
        Report { generated_at: 1000.0, neo4j_up: true, parts, ..Report::default() }
    }

    fn quiet_parts(migrations: MigrationsReport) -> Vec<Arc<dyn Part>> {
        vec![Arc::new(migrations), Arc::new(TransactionsReport::default()), Arc::new(IndexesReport::default())]
    }

    #[test]
    fn items_nothing_answers_are_skipped_naming_their_setting() {
        let items = items(&report(quiet_parts(MigrationsReport::default())), &options());
        let names: Vec<&str> = items.iter().map(|i| i.item).collect();
        assert_eq!(names, ["backup", "rollback", "staging", "monitoring", "quiet"]);
        assert_eq!(items[0].state, State::NotChecked);
        assert_eq!(items[0].summary, "not checked: give --backup.dir");
        assert_eq!(items[4].state, State::Passed);
        let lines = lines(&items);
        assert_eq!(lines[0], "skip backup created: not checked: give --backup.dir");
        assert!(lines[4].starts_with("ok   quiet database: "), "{lines:?}");
    }

    #[test]
    fn a_failed_record_makes_the_database_not_quiet_and_a_missing_part_leaves_it_unchecked() {
        let failed = MigrationsReport {
            failed: vec![FailedMigration {
                filename: "V4.cypher".into(),
                error_class: "syntax".into(),
                error: "Invalid input".into(),
                applied_at: None,
            }],
            ..MigrationsReport::default()
        };
        let items = items(&report(quiet_parts(failed)), &options());
        assert_eq!(items[4].state, State::Failed);
        assert_eq!(items[4].details, ["failed: V4.cypher (syntax): Invalid input"]);
        let without_transactions = report(vec![Arc::new(MigrationsReport::default()), Arc::new(IndexesReport::default())]);
        let quiet = &items_of(&without_transactions)[4];
        assert_eq!(quiet.state, State::NotChecked, "{quiet:?}");
    }

    fn items_of(report: &Report) -> Vec<Item> {
        items(report, &options())
    }

    #[test]
    fn the_page_escapes_what_it_shows() {
        let item = Item::new("rollback", false, "<b>".into(), vec!["no down file: <script>x</script>".into()], 990.0);
        let mut html = String::new();
        page(&[item], 1000.0, &mut html);
        assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
        assert!(html.contains("data-state=\"failed\"") && html.contains("10s ago"), "{html}");
    }
}
