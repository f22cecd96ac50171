//! A readable summary of what the collectors last saw, for the `status` command, the `check`
//! gate and the status page. Built from the same runs that feed Prometheus, so none of them
//! costs Neo4j an extra query. Every list is capped, whatever the size of the database.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// Most entries in any list of the report.
pub const LIST_CAP: usize = 50;

/// Longest error text kept per failed migration (its first line only).
const ERROR_CHARS: usize = 300;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Seconds since the Unix epoch when the report was put together.
    pub generated_at: f64,
    pub neo4j_up: bool,
    pub server: Option<Server>,
    pub migrations: Option<MigrationsReport>,
    pub transactions: Option<TransactionsReport>,
    pub indexes: Option<IndexesReport>,
    pub collectors: Vec<CollectorState>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Server {
    pub version: String,
    pub edition: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct CollectorState {
    pub name: String,
    pub success: bool,
    pub last_success: Option<f64>,
}

/// The part of a report one collector contributes.
#[derive(Clone, Debug)]
pub enum Part {
    Migrations(MigrationsReport),
    Transactions(TransactionsReport),
    Indexes(IndexesReport),
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct MigrationsReport {
    /// Records per normalised status.
    pub counts: BTreeMap<String, u64>,
    /// The most recently applied records, newest first.
    pub recent: Vec<MigrationLine>,
    /// FAILED records, newest first.
    pub failed: Vec<FailedMigration>,
    /// PENDING and RUNNING records, oldest first.
    pub in_progress: Vec<InProgress>,
    /// Present with `--migrations.dir`.
    pub files: Option<FilesReport>,
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
    pub pending: Vec<String>,
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

#[derive(Clone, Debug, Default, Serialize)]
pub struct TransactionsReport {
    pub long_running_threshold_seconds: f64,
    pub long_running: Vec<TransactionLine>,
    pub blocked: Vec<TransactionLine>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TransactionLine {
    pub database: String,
    pub status: String,
    /// `None` when Neo4j reported a time that cannot be real.
    pub elapsed_seconds: Option<f64>,
    pub lock_wait_seconds: Option<f64>,
    pub active_locks: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct IndexesReport {
    pub total: usize,
    pub not_online: Vec<IndexLine>,
}

#[derive(Clone, Debug, Serialize)]
pub struct IndexLine {
    pub name: String,
    pub kind: String,
    pub state: String,
    pub population: f64,
}

/// The first line of an error text, shortened to a readable length.
pub fn first_line(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() <= ERROR_CHARS {
        return line.to_string();
    }
    let mut short: String = line.chars().take(ERROR_CHARS).collect();
    short.push('…');
    short
}

impl Report {
    pub fn add(&mut self, part: Part) {
        match part {
            Part::Migrations(p) => self.migrations = Some(p),
            Part::Transactions(p) => self.transactions = Some(p),
            Part::Indexes(p) => self.indexes = Some(p),
        }
    }
}

/// Conditions the `check` gate can fail on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Failed,
    Checksum,
    Stuck,
    Pending,
    Blocked,
    LongRunning,
    IndexFailed,
}

impl Condition {
    pub const DEFAULT: &'static str = "failed,checksum,stuck";

    pub fn parse_list(text: &str) -> Result<Vec<Condition>, String> {
        let mut out = Vec::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            out.push(match word {
                "failed" => Condition::Failed,
                "checksum" => Condition::Checksum,
                "stuck" => Condition::Stuck,
                "pending" => Condition::Pending,
                "blocked" => Condition::Blocked,
                "long-running" => Condition::LongRunning,
                "index-failed" => Condition::IndexFailed,
                other => {
                    return Err(format!(
                        "unknown condition '{other}'; choose from failed, checksum, stuck, pending, blocked, long-running, index-failed"
                    ))
                }
            });
        }
        if out.is_empty() {
            return Err("name at least one condition".into());
        }
        Ok(out)
    }
}

/// One line per problem the selected conditions find; empty when healthy.
pub fn problems(report: &Report, conditions: &[Condition], stuck_after_seconds: f64) -> Vec<String> {
    let mut out = Vec::new();
    let migrations = report.migrations.as_ref();
    for condition in conditions {
        match condition {
            Condition::Failed => {
                for f in migrations.map(|m| m.failed.as_slice()).unwrap_or_default() {
                    out.push(format!("failed: {} ({}): {}", f.filename, f.error_class, f.error));
                }
            }
            Condition::Checksum => {
                for file in migrations.and_then(|m| m.files.as_ref()).map(|f| f.modified.as_slice()).unwrap_or_default() {
                    out.push(format!("checksum: {file} was modified after it was applied"));
                }
            }
            Condition::Stuck => {
                for m in migrations.map(|m| m.in_progress.as_slice()).unwrap_or_default() {
                    if m.age_seconds > stuck_after_seconds {
                        out.push(format!("stuck: {} has been {} for {}", m.filename, m.status, human_seconds(m.age_seconds)));
                    }
                }
            }
            Condition::Pending => {
                for file in migrations.and_then(|m| m.files.as_ref()).map(|f| f.pending.as_slice()).unwrap_or_default() {
                    out.push(format!("pending: {file} has not been applied"));
                }
            }
            Condition::Blocked => {
                for t in report.transactions.as_ref().map(|t| t.blocked.as_slice()).unwrap_or_default() {
                    out.push(format!(
                        "blocked: a transaction on {} has waited {} for locks",
                        t.database,
                        human_seconds_or_unknown(t.lock_wait_seconds.into_iter().chain(t.elapsed_seconds).reduce(f64::max))
                    ));
                }
            }
            Condition::LongRunning => {
                for t in report.transactions.as_ref().map(|t| t.long_running.as_slice()).unwrap_or_default() {
                    out.push(format!(
                        "long-running: a transaction on {} has run for {}",
                        t.database,
                        human_seconds_or_unknown(t.elapsed_seconds)
                    ));
                }
            }
            Condition::IndexFailed => {
                for index in report.indexes.as_ref().map(|i| i.not_online.as_slice()).unwrap_or_default() {
                    if index.state.eq_ignore_ascii_case("failed") {
                        out.push(format!("index-failed: index {} is FAILED", index.name));
                    }
                }
            }
        }
    }
    out
}

/// Seconds as `1h 2m`, `3m 4s`, `5.2s` or `35 ms`.
pub fn human_seconds(seconds: f64) -> String {
    let whole = seconds.max(0.0).round() as u64;
    match whole {
        _ if seconds < 1.0 => format!("{:.0} ms", seconds.max(0.0) * 1000.0),
        0..=59 if seconds < 10.0 => format!("{seconds:.1}s"),
        0..=59 => format!("{whole}s"),
        60..=3599 => format!("{}m {}s", whole / 60, whole % 60),
        _ => format!("{}h {}m", whole / 3600, (whole % 3600) / 60),
    }
}

/// Database text made safe to show a person: control characters (which could clear a
/// terminal, retitle it or start a new line that looks like the exporter's own) and the
/// bidirectional overrides that reorder what is read are written as escapes, and at most
/// `max` characters are kept, ending in `…`. JSON and metrics keep the value whole.
pub fn for_display(text: &str, max: Option<usize>) -> String {
    let mut out = String::with_capacity(text.len().min(max.unwrap_or(usize::MAX).saturating_mul(4)));
    for (kept, c) in text.chars().enumerate() {
        if max.is_some_and(|max| kept >= max) {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn human_seconds_or_unknown(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "an unknown time".to_string(), human_seconds)
}

/// An epoch time as `2026-11-24 03:50:01Z`.
pub fn human_time(epoch_seconds: f64) -> String {
    chrono::DateTime::from_timestamp(epoch_seconds as i64, 0)
        .map_or_else(|| "-".to_string(), |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            migrations: Some(MigrationsReport {
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
            }),
            ..Report::default()
        }
    }

    #[test]
    fn display_text_cannot_drive_a_terminal_or_forge_a_line() {
        assert_eq!(for_display("V1\x1b]0;owned\x07\nok: no failed found", None), "V1\\u{1b}]0;owned\\u{7}\\nok: no failed found");
        assert_eq!(for_display("abc\u{202e}fed", None), "abc\\u{202e}fed");
        assert_eq!(for_display("héllo wörld", Some(5)), "héllo…");
        assert_eq!(for_display("short", Some(5)), "short");
    }

    #[test]
    fn each_condition_reports_its_own_problems() {
        let r = report();
        assert_eq!(
            problems(&r, &[Condition::Failed], 1800.0),
            ["failed: V4.cypher (schema_conflict): Neo.ClientError.Schema.ConstraintAlreadyExists"]
        );
        assert_eq!(problems(&r, &[Condition::Checksum], 1800.0), ["checksum: V2.cypher was modified after it was applied"]);
        assert_eq!(problems(&r, &[Condition::Stuck], 1800.0), ["stuck: V5.cypher has been running for 1h 0m"]);
        assert_eq!(problems(&r, &[Condition::Pending], 1800.0), ["pending: V7.cypher has not been applied"]);
        assert!(problems(&r, &[Condition::Blocked, Condition::LongRunning, Condition::IndexFailed], 1800.0).is_empty());
    }

    #[test]
    fn condition_lists_parse_and_unknown_words_are_named() {
        assert_eq!(Condition::parse_list(Condition::DEFAULT).unwrap(), [Condition::Failed, Condition::Checksum, Condition::Stuck]);
        assert!(Condition::parse_list("failed,slow").unwrap_err().contains("unknown condition 'slow'"));
    }

    #[test]
    fn error_texts_keep_their_first_line_only() {
        assert_eq!(first_line("\n  FAILED: boom\n  at line 2"), "FAILED: boom");
        assert_eq!(first_line(&"x".repeat(1000)).chars().count(), ERROR_CHARS + 1);
    }
}
