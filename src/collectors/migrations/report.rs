//! The migrations collector's part of the report, and how it shows itself: in JSON, in the
//! `status` table, on the page, and to `check`, whose conditions are defined here beside the
//! alert rules that page for the same findings.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::collectors::migrations::run::{RollbackReport, RunReport, StagingReport};
use crate::collectors::migrations::verify::{self, SchemaReport};
use crate::collectors::migrations::Status;
use crate::views::check::{CheckOptions, Condition};
use crate::views::checklist::Item;
use crate::views::page::{escape, shown, ERROR_CHARS, NAME_CHARS};
use crate::views::strip::Mark;
use crate::views::terminal::{plain, Terminal, Tone, LAST_CELL_CHARS};
use crate::views::text::{first_line, for_display, human_seconds, human_time};
use crate::views::Part;

/// `check --stuck-after`'s default: Neo4jMigrationStuck's threshold (`stuckMigrationSeconds`,
/// 1800 s, in `mixin/config.libsonnet`), so the gate and the page agree.
pub const STUCK_AFTER: Duration = Duration::from_secs(30 * 60);

/// Every status a record can have, as its counts are keyed.
fn statuses() -> impl Iterator<Item = &'static str> {
    Status::ALL.into_iter().map(Status::label)
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct MigrationsReport {
    /// Records per normalised status.
    pub counts: BTreeMap<String, u64>,
    /// The most recently applied records, newest first.
    pub recent: Vec<MigrationLine>,
    /// FAILED records whose file did not succeed later, newest first (Neo4jMigrationFailed).
    pub failed: Vec<FailedMigration>,
    /// PENDING and RUNNING records, oldest first.
    pub in_progress: Vec<InProgress>,
    /// Present with `--migrations.dir`.
    pub files: Option<FilesReport>,
    /// When these findings were read, in seconds since the Unix epoch.
    pub checked_at: f64,
    /// The run under way, if one is.
    pub run: RunReport,
    /// Pending files without their down twin (with `--migrations.dir`, where the schema has them).
    pub rollback: Option<RollbackReport>,
    /// Pending files against staging's records (with `--staging.uri`).
    pub staging: Option<StagingReport>,
    /// The applied files' schema statements against the live schema (with `--migrations.dir`).
    pub schema: Option<SchemaReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MigrationLine {
    pub filename: String,
    pub status: String,
    pub applied_at: Option<f64>,
    pub execution_seconds: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FailedMigration {
    pub filename: String,
    pub error_class: String,
    /// The first line of the recorded error.
    pub error: String,
    pub applied_at: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct InProgress {
    pub filename: String,
    pub status: String,
    pub age_seconds: f64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FilesReport {
    pub readable: bool,
    pub total: usize,
    /// Files with no SUCCESS record.
    pub pending: Vec<String>,
    /// Applied files that no longer match their recorded checksum (Neo4jMigrationChecksumMismatch).
    pub modified: Vec<String>,
    pub records_without_file: usize,
    pub records_with_file: usize,
    /// How a record names its file (`--migrations.identity`), e.g. `path under /app/migrations`.
    pub identity: String,
    /// The globs of the files the deployment applies.
    pub include: Vec<String>,
    /// Applied files whose recorded checksum matched, by the algorithm that matched.
    pub checksum_matches: BTreeMap<String, usize>,
}

impl FilesReport {
    /// Records exist and files exist, yet no record names a file: the runner's paths and the
    /// directory the exporter reads do not line up, and every file looks pending.
    pub fn misaligned(&self) -> bool {
        self.readable && self.total > 0 && self.records_without_file > 0 && self.records_with_file == 0
    }
}

fn status_tone(status: &str) -> Tone {
    match status {
        "success" => Tone::Good,
        "failed" => Tone::Bad,
        "pending" | "running" | "rolled_back" | "unknown" => Tone::Warn,
        _ => Tone::Plain,
    }
}

impl MigrationsReport {
    /// The runbook's "Migration in progress" facts: the headline, and the running migration.
    fn run_lines(&self) -> Option<(String, Option<String>)> {
        let run = &self.run;
        if !run.in_progress {
            return None;
        }
        let total = run.applied + run.pending;
        let eta = match (run.eta_seconds, run.eta_basis) {
            (Some(seconds), Some(basis)) => format!("ETA {} (from {basis})", human_seconds(seconds)),
            _ => "no ETA yet (nothing known of how long these files take)".to_string(),
        };
        let started = run.started_at.map_or(String::new(), |t| format!(", started {}", human_time(t)));
        let headline = format!("Migration in progress: {} of {total} applied, {eta}{started}", run.applied);
        let current = run.current.as_ref().map(|c| {
            let waits = match c.blocking {
                0 => "no transaction waits for its locks".to_string(),
                n => format!("{n} transactions wait for its locks, the longest {}", human_seconds(c.longest_blocked_seconds)),
            };
            format!("Running {} for {} (seen in a {}); {waits}", c.filename, human_seconds(c.elapsed_seconds), c.seen_in)
        });
        Some((headline, current))
    }
}

const MISALIGNED: &str = "check --migrations.runner-dir, --migrations.identity or --migrations.profile";

impl Part for MigrationsReport {
    fn key(&self) -> &'static str {
        "migrations"
    }

    fn marks(&self) -> Vec<Mark> {
        let mark = |r: &MigrationLine| {
            let what = if r.status == "success" { "applied".to_string() } else { r.status.replace('_', " ") };
            r.applied_at.map(|at| Mark { at, name: r.filename.clone(), bad: r.status == "failed", what, seconds: r.execution_seconds })
        };
        self.recent.iter().filter_map(mark).collect()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("reports serialise")
    }

    fn terminal(&self, out: &mut Terminal) {
        let counts: Vec<String> = statuses()
            .map(|status| {
                let n = self.counts.get(status).copied().unwrap_or(0);
                let tone = if n > 0 { status_tone(status) } else { Tone::Plain };
                out.paint(&format!("{n} {}", status.replace('_', " ")), tone)
            })
            .collect();
        out.line(&format!("\nMigrations: {}", counts.join(", ")));

        out.line("\nRecent migrations");
        if self.recent.is_empty() {
            out.line("  none");
        } else {
            let rows: Vec<Vec<(String, Tone)>> = self
                .recent
                .iter()
                .take(10)
                .map(|r| {
                    vec![
                        plain(r.filename.clone()),
                        (r.status.clone(), status_tone(&r.status)),
                        plain(r.applied_at.map_or("-".into(), human_time)),
                        plain(r.execution_seconds.map_or("-".into(), human_seconds)),
                    ]
                })
                .collect();
            out.table(&["FILE", "STATUS", "APPLIED AT", "DURATION"], &rows);
        }

        out.line("\nFailed migrations");
        if self.failed.is_empty() {
            out.line("  none");
        } else {
            let rows: Vec<Vec<(String, Tone)>> = self
                .failed
                .iter()
                .map(|f| vec![(f.filename.clone(), Tone::Bad), plain(f.error_class.clone()), plain(f.error.clone())])
                .collect();
            out.table(&["FILE", "ERROR CLASS", "ERROR"], &rows);
        }

        out.line("\nRunning or stuck");
        if self.in_progress.is_empty() {
            out.line("  none");
        } else {
            let rows: Vec<Vec<(String, Tone)>> = self
                .in_progress
                .iter()
                .map(|p| vec![plain(p.filename.clone()), (p.status.clone(), Tone::Warn), plain(human_seconds(p.age_seconds))])
                .collect();
            out.table(&["FILE", "STATUS", "FOR"], &rows);
        }

        let Some(files) = &self.files else { return };
        if !files.readable {
            let line = format!("\nMigration files: {}", out.paint("the directory could not be read", Tone::Bad));
            out.line(&line);
            return;
        }
        out.line(&format!(
            "\nMigration files: {} in all, {} pending, {} modified after they were applied",
            files.total,
            files.pending.len(),
            files.modified.len()
        ));
        let matched: Vec<String> =
            files.checksum_matches.iter().filter(|(_, n)| **n > 0).map(|(algorithm, n)| format!("{algorithm} ({n})")).collect();
        out.line(&format!(
            "  records name files by {}; files applied: {}; checksums matched by {}",
            for_display(&files.identity, None),
            for_display(&files.include.join(", "), None),
            if matched.is_empty() { "none".to_string() } else { matched.join(", ") }
        ));
        if files.misaligned() {
            let warning = format!("none of the {} records names a file here: {MISALIGNED}", files.records_without_file);
            let line = format!("  {}", out.paint(&warning, Tone::Bad));
            out.line(&line);
        }
        for file in &files.pending {
            out.line(&format!("  pending   {}", for_display(file, Some(LAST_CELL_CHARS))));
        }
        for file in &files.modified {
            let line = format!("  {}  {}", out.paint("modified", Tone::Bad), for_display(file, Some(LAST_CELL_CHARS)));
            out.line(&line);
        }
        if let Some(schema) = &self.schema {
            verify::terminal(schema, out);
        }
    }

    fn page(&self, html: &mut String) {
        html.push_str("<h2>Migrations</h2>\n<div class=\"counts\" id=\"counts\">");
        for status in statuses() {
            let n = self.counts.get(status).copied().unwrap_or(0);
            let class = if n > 0 { status_tone(status).class() } else { "muted" };
            let _ = write!(html, "<span class=\"count {class}\" data-status=\"{status}\">{n} {}</span>", status.replace('_', " "));
        }
        html.push_str("</div>\n");

        html.push_str("<h2>Failed</h2>\n");
        if self.failed.is_empty() {
            html.push_str("<p class=\"muted\" id=\"failed\">None.</p>\n");
        } else {
            html.push_str(
                "<div class=\"scroll\"><table id=\"failed\"><tr><th>File</th><th>Error class</th><th>Error</th><th>Applied</th></tr>",
            );
            for f in &self.failed {
                let _ = write!(
                    html,
                    "<tr><td class=\"bad wrap\">{}</td><td>{}</td><td class=\"wrap\">{}</td><td>{}</td></tr>",
                    shown(&f.filename, NAME_CHARS),
                    escape(&f.error_class),
                    shown(&f.error, ERROR_CHARS),
                    f.applied_at.map_or("-".into(), human_time)
                );
            }
            html.push_str("</table></div>\n");
        }

        html.push_str("<h2>Running or stuck</h2>\n");
        if self.in_progress.is_empty() {
            html.push_str("<p class=\"muted\">None.</p>\n");
        } else {
            html.push_str("<div class=\"scroll\"><table id=\"in-progress\"><tr><th>File</th><th>Status</th><th>For</th></tr>");
            for p in &self.in_progress {
                let _ = write!(
                    html,
                    "<tr><td class=\"wrap\">{}</td><td class=\"warn\">{}</td><td>{}</td></tr>",
                    shown(&p.filename, NAME_CHARS),
                    escape(&p.status),
                    human_seconds(p.age_seconds)
                );
            }
            html.push_str("</table></div>\n");
        }

        html.push_str("<h2>Recent</h2>\n");
        if self.recent.is_empty() {
            html.push_str("<p class=\"muted\">None.</p>\n");
        } else {
            html.push_str("<div class=\"scroll\"><table id=\"recent\"><tr><th>File</th><th>Status</th><th>Applied</th><th>Took</th></tr>");
            for r in self.recent.iter().take(20) {
                let _ = write!(
                    html,
                    "<tr><td class=\"wrap\">{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
                    shown(&r.filename, NAME_CHARS),
                    status_tone(&r.status).class(),
                    escape(&r.status),
                    r.applied_at.map_or("-".into(), human_time),
                    r.execution_seconds.map_or("-".into(), human_seconds)
                );
            }
            html.push_str("</table></div>\n");
        }

        let Some(files) = &self.files else { return };
        html.push_str("<h2>Migration files</h2>\n");
        if !files.readable {
            html.push_str("<p class=\"bad\">The migrations directory could not be read.</p>\n");
            return;
        }
        let _ = writeln!(
            html,
            "<p id=\"files\">{} files, {} pending, <span class=\"{}\">{} modified after they were applied</span>.</p>",
            files.total,
            files.pending.len(),
            if files.modified.is_empty() { "good" } else { "bad" },
            files.modified.len()
        );
        if files.misaligned() {
            let _ = writeln!(
                html,
                "<p class=\"bad\" id=\"misaligned\">None of the {} records names a file here (records name files by {}): {MISALIGNED}.</p>",
                files.records_without_file,
                escape(&files.identity)
            );
        }
        for (kind, list) in [("Modified", &files.modified), ("Pending", &files.pending)] {
            if !list.is_empty() {
                let items: Vec<String> = list.iter().map(|f| format!("<li>{}</li>", shown(f, NAME_CHARS))).collect();
                let _ = writeln!(html, "<p>{kind}:</p><ul>{}</ul>", items.join(""));
            }
        }
        if let Some(schema) = &self.schema {
            verify::page(schema, html);
        }
    }

    fn terminal_top(&self, out: &mut Terminal) {
        let Some((headline, current)) = self.run_lines() else { return };
        let painted = out.paint(&headline, Tone::Warn);
        out.line(&format!("\n{painted}"));
        if let Some(current) = current {
            out.line(&format!("  {}", for_display(&current, None)));
        }
    }

    fn page_top(&self, html: &mut String) {
        let Some((headline, current)) = self.run_lines() else { return };
        let _ = writeln!(html, "<h2 class=\"warn\" id=\"run\">{}</h2>", escape(&headline));
        if let Some(current) = current {
            let _ = writeln!(html, "<p id=\"current\">{}</p>", shown(&current, NAME_CHARS * 3));
        }
    }

    fn checklist(&self) -> Vec<Item> {
        let mut items = Vec::new();
        let unreadable = self.files.as_ref().is_some_and(|f| !f.readable);
        if unreadable {
            items.push(Item::new("rollback", false, "the migrations directory could not be read".into(), Vec::new(), self.checked_at));
        }
        if let Some(rollback) = &self.rollback {
            let summary = if rollback.without_down_count == 0 {
                format!("each of the {} pending files has its down file", rollback.checked)
            } else {
                format!("{} of the {} pending files have no down file", rollback.without_down_count, rollback.checked)
            };
            let details = rollback.without_down.iter().map(|f| format!("no down file: {f}")).collect();
            items.push(Item::new("rollback", rollback.without_down_count == 0, summary, details, self.checked_at));
        }
        if let Some(staging) = &self.staging {
            let summary = match &staging.error {
                Some(error) => format!("cannot read staging's records: {}", first_line(error)),
                None if staging.passed() => {
                    format!("each of the {} pending files was applied on staging with the same content", staging.checked)
                }
                None => format!(
                    "of the {} pending files, {} not applied on staging, {} failed there, {} differ from what staging applied",
                    staging.checked, staging.missing_count, staging.failed_count, staging.differs_count
                ),
            };
            let mut details: Vec<String> = staging.missing.iter().map(|f| format!("not applied on staging: {f}")).collect();
            details.extend(staging.failed.iter().map(|f| format!("failed on staging: {f}")));
            details.extend(staging.differs.iter().map(|f| format!("differs from staging: {f}")));
            items.push(Item::new("staging", staging.passed(), summary, details, self.checked_at));
        }
        items
    }

    fn problems(&self, condition: Condition, options: &CheckOptions) -> Vec<String> {
        let files = self.files.as_ref();
        match condition {
            // Neo4jMigrationFailed: any FAILED record whose file did not succeed later.
            Condition::Failed => self.failed.iter().map(|f| format!("failed: {} ({}): {}", f.filename, f.error_class, f.error)).collect(),
            // Neo4jMigrationChecksumMismatch: any applied file modified since.
            Condition::Checksum => files
                .map(|f| f.modified.iter().map(|file| format!("checksum: {file} was modified after it was applied")).collect())
                .unwrap_or_default(),
            // Neo4jMigrationStuck: PENDING or RUNNING past STUCK_AFTER (--stuck-after).
            Condition::Stuck => self
                .in_progress
                .iter()
                .filter(|m| m.age_seconds > options.stuck_after.as_secs_f64())
                .map(|m| format!("stuck: {} has been {} for {}", m.filename, m.status, human_seconds(m.age_seconds)))
                .collect(),
            Condition::Pending => {
                files.map(|f| f.pending.iter().map(|file| format!("pending: {file} has not been applied")).collect()).unwrap_or_default()
            }
            // Neo4jMigrationSchemaMissing, and what it cannot page for: not online, not dropped.
            Condition::Schema => self.schema.as_ref().map(verify::problems).unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> MigrationsReport {
        MigrationsReport {
            failed: vec![FailedMigration {
                filename: "V4.cypher".into(),
                error_class: "schema_conflict".into(),
                error: "Neo.ClientError.Schema.ConstraintAlreadyExists".into(),
                applied_at: None,
            }],
            in_progress: vec![
                InProgress { filename: "V5.cypher".into(), status: "running".into(), age_seconds: 3600.0 },
                InProgress { filename: "V6.cypher".into(), status: "pending".into(), age_seconds: 60.0 },
            ],
            files: Some(FilesReport {
                readable: true,
                total: 3,
                pending: vec!["V7.cypher".into()],
                modified: vec!["V2.cypher".into()],
                records_without_file: 0,
                ..FilesReport::default()
            }),
            ..MigrationsReport::default()
        }
    }

    #[test]
    fn each_condition_reports_its_own_problems() {
        let r = report();
        let options = CheckOptions { conditions: Vec::new(), stuck_after: STUCK_AFTER, before: false };
        let of = |condition| r.problems(condition, &options);
        assert_eq!(of(Condition::Failed), ["failed: V4.cypher (schema_conflict): Neo.ClientError.Schema.ConstraintAlreadyExists"]);
        assert_eq!(of(Condition::Checksum), ["checksum: V2.cypher was modified after it was applied"]);
        assert_eq!(of(Condition::Stuck), ["stuck: V5.cypher has been running for 1h 0m"]);
        assert_eq!(of(Condition::Pending), ["pending: V7.cypher has not been applied"]);
        assert!([Condition::Blocked, Condition::LongRunning, Condition::IndexFailed].iter().all(|c| of(*c).is_empty()));
    }

    #[test]
    fn database_text_on_the_page_is_escaped() {
        let mut report = report();
        report.failed[0].filename = "<script>alert(1)</script>.cypher".into();
        report.failed[0].error = "<img src=x onerror=alert(2)>".into();
        let mut page = String::new();
        report.page(&mut page);
        assert!(!page.contains("<script>") && !page.contains("<img"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;.cypher"));
    }

    #[test]
    fn a_long_pending_name_is_cut_for_display_and_kept_whole_in_json() {
        let mut report = report();
        let long = format!("{}.cypher", "n".repeat(10_000));
        report.files.as_mut().unwrap().pending = vec![long.clone()];
        let mut out = Terminal::new(false);
        report.terminal(&mut out);
        let text = out.finish();
        let line = text.lines().find(|l| l.trim_start().starts_with("pending")).unwrap();
        assert!(line.chars().count() <= LAST_CELL_CHARS + 20, "{} characters", line.chars().count());
        let mut page = String::new();
        report.page(&mut page);
        // Shown cut, with the whole name only in the tooltip.
        assert!(page.contains(&format!(">{}…</span>", "n".repeat(NAME_CHARS))), "{}", &page[..page.len().min(400)]);
        assert_eq!(serde_json::to_value(&report).unwrap()["files"]["pending"][0], long.as_str());
    }

    #[test]
    fn the_table_lists_failures_with_their_class() {
        let mut out = Terminal::new(false);
        report().terminal(&mut out);
        let text = out.finish();
        assert!(text.contains("V4.cypher  schema_conflict  Neo.ClientError.Schema.ConstraintAlreadyExists"), "{text}");
        assert!(text.contains("Migration files: 3 in all, 1 pending, 1 modified after they were applied"), "{text}");
    }
}
