//! The `transactions` collector: what is running, what is blocked on locks, and for how long.
//! The exporter's own transactions are left out; query texts and ids never become labels.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{parse_positive_duration, ConfigError, Setting, Values};
use crate::neo4j::{column, Record, Value, STATEMENT_MARKER};
use crate::snapshot::Family;
use crate::views::check::{CheckOptions, Condition};
use crate::views::terminal::{plain, Terminal, Tone};
use crate::views::text::{human_seconds, human_seconds_or_unknown, LIST_CAP};
use crate::views::Part;

use serde::Serialize;

pub const SPEC: Spec = Spec {
    name: "transactions",
    help: "running and blocked transactions, their age and lock waits",
    keeps_state: false,
    enabled_by_default: true,
    interval: Duration::from_secs(5),
    timeout: Duration::from_secs(4),
    reports: true,
    enabled_by: None,
    settings: SETTINGS,
    tells: tells_nothing,
    configure: |values, _| Ok(Arc::new(TransactionsConfig::from_values(values)?)),
    build: |settings| Box::new(Transactions { long_running: settings_as::<TransactionsConfig>(settings).long_running_threshold }),
};

const SETTINGS: &[Setting] = &[Setting {
    flag: "transactions.long-running-threshold",
    value_name: "DURATION",
    default: Some("30s"),
    help: "A transaction open longer than this counts in neo4j_transactions_long_running",
}];

#[derive(Clone, Debug)]
pub struct TransactionsConfig {
    pub long_running_threshold: Duration,
}

impl TransactionsConfig {
    pub fn from_values(values: &Values) -> Result<Self, ConfigError> {
        Ok(TransactionsConfig { long_running_threshold: values.required("transactions.long-running-threshold", parse_positive_duration)? })
    }
}

/// The same columns exist from 4.4 on; durations come back as DURATION values.
const STATEMENT: &str = "SHOW TRANSACTIONS YIELD database, status, elapsedTime, waitTime, activeLockCount, currentQuery \
                         RETURN database, status, elapsedTime, waitTime, activeLockCount, currentQuery";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TxStatus {
    Running,
    Blocked,
    Closing,
    Terminated,
    Other,
}

impl TxStatus {
    const ALL: [TxStatus; 5] = [TxStatus::Running, TxStatus::Blocked, TxStatus::Closing, TxStatus::Terminated, TxStatus::Other];

    fn label(self) -> &'static str {
        match self {
            TxStatus::Running => "running",
            TxStatus::Blocked => "blocked",
            TxStatus::Closing => "closing",
            TxStatus::Terminated => "terminated",
            TxStatus::Other => "other",
        }
    }

    /// Neo4j writes `Running`, `Blocked by: [neo4j-transaction-7]`, `Closing`,
    /// `Terminated with reason: ...`, and a few rarer words.
    pub fn parse(text: &str) -> TxStatus {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("running") {
            TxStatus::Running
        } else if lower.starts_with("blocked") {
            TxStatus::Blocked
        } else if lower.starts_with("closing") {
            TxStatus::Closing
        } else if lower.starts_with("terminated") {
            TxStatus::Terminated
        } else {
            TxStatus::Other
        }
    }
}

/// One transaction as the exporter needs it. A time Neo4j reported that cannot be real is
/// `None`: the transaction still counts, its time does not.
#[derive(Clone, Debug, PartialEq)]
pub struct Transaction {
    pub database: String,
    pub status: TxStatus,
    pub elapsed_seconds: Option<f64>,
    pub lock_wait_seconds: Option<f64>,
    pub active_locks: u64,
}

/// Why a row was read only in part; `label()` is the `reason` label value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    ElapsedTime,
    WaitTime,
}

impl Transaction {
    /// Open longer than `--transactions.long-running-threshold`: it counts in
    /// `neo4j_transactions_long_running`, `status` lists it, and `check --fail-on=long-running`
    /// fails on it. (Neo4jLongRunningQuery pages on the oldest's age, past its own 30 s.)
    fn runs_long(&self, threshold: f64) -> bool {
        self.elapsed_seconds.is_some_and(|s| s > threshold)
    }

    /// Waiting for a lock now: Neo4jTransactionsBlocked and `check --fail-on=blocked`.
    fn blocked(&self) -> bool {
        self.status == TxStatus::Blocked
    }
}

impl Invalid {
    pub const ALL: [Invalid; 2] = [Invalid::ElapsedTime, Invalid::WaitTime];

    pub fn label(self) -> &'static str {
        match self {
            Invalid::ElapsedTime => "invalid_elapsed_time",
            Invalid::WaitTime => "invalid_wait_time",
        }
    }
}

/// No transaction has run for longer: a larger figure is a fault, not an age.
const LONGEST_PLAUSIBLE_SECONDS: f64 = 366.0 * 24.0 * 3600.0;

/// A time a transaction has run or waited, in seconds. Neo4j reports −1 ms for a transaction
/// that began a moment ago: anything above −1 s reads as 0. Other negative, absurd or
/// non-duration values are no reading at all.
pub fn plausible_seconds(value: &Value) -> Option<f64> {
    let seconds = match value {
        Value::Duration(s) => *s,
        other => other.as_f64()? / 1000.0,
    };
    (seconds > -1.0 && seconds <= LONGEST_PLAUSIBLE_SECONDS).then_some(seconds.max(0.0))
}

/// Reads one row and lists what could not be read; `None` for the exporter's own statements.
pub fn decode(row: &Record) -> Option<(Transaction, Vec<Invalid>)> {
    if column(row, "currentQuery").as_str().is_some_and(|q| q.trim_start().starts_with(STATEMENT_MARKER)) {
        return None;
    }
    let mut problems = Vec::new();
    let mut seconds = |name: &str, problem: Invalid| {
        let value = column(row, name);
        let seconds = plausible_seconds(value);
        if seconds.is_none() && !value.is_null() {
            problems.push(problem);
        }
        seconds
    };
    let elapsed_seconds = seconds("elapsedTime", Invalid::ElapsedTime);
    let lock_wait_seconds = seconds("waitTime", Invalid::WaitTime);
    let transaction = Transaction {
        database: column(row, "database").as_str().unwrap_or("").to_string(),
        status: column(row, "status").as_str().map_or(TxStatus::Other, TxStatus::parse),
        elapsed_seconds,
        lock_wait_seconds,
        active_locks: column(row, "activeLockCount").as_i64().map_or(0, |n| n.max(0) as u64),
    };
    Some((transaction, problems))
}

/// Per-database figures; `databases` lists databases to report even with no transaction.
pub fn summarize(transactions: &[Transaction], databases: &[String], long_running: Duration) -> Vec<Family> {
    let mut by_status = Family::gauge("neo4j_transactions", "Open transactions per database and status.", &["database", "status"]);
    let mut oldest = Family::gauge(
        "neo4j_transaction_oldest_seconds",
        "How long the oldest open transaction has run; 0 when there is none.",
        &["database"],
    );
    let mut long = Family::gauge(
        "neo4j_transactions_long_running",
        "Transactions open longer than --transactions.long-running-threshold.",
        &["database"],
    );
    let mut blocked_oldest = Family::gauge(
        "neo4j_transactions_blocked_oldest_seconds",
        "How long the oldest transaction now blocked on a lock has run; 0 when none is blocked.",
        &["database"],
    );
    let mut lock_wait = Family::gauge(
        "neo4j_transaction_lock_wait_seconds_max",
        "Longest time any open transaction has spent waiting for locks.",
        &["database"],
    );
    let mut locks = Family::gauge("neo4j_transaction_active_locks", "Locks held by open transactions.", &["database"]);

    let mut names: Vec<&str> = databases.iter().map(String::as_str).collect();
    names.extend(transactions.iter().map(|t| t.database.as_str()));
    names.sort_unstable();
    names.dedup();
    let threshold = long_running.as_secs_f64();
    for database in names {
        let of_db: Vec<&Transaction> = transactions.iter().filter(|t| t.database == database).collect();
        for status in TxStatus::ALL {
            by_status.add([database, status.label()], of_db.iter().filter(|t| t.status == status).count() as f64);
        }
        let max_of = |pick: &dyn Fn(&Transaction) -> Option<f64>| of_db.iter().filter_map(|t| pick(t)).fold(0.0, f64::max);
        oldest.add([database], max_of(&|t| t.elapsed_seconds));
        long.add([database], of_db.iter().filter(|t| t.runs_long(threshold)).count() as f64);
        blocked_oldest.add([database], max_of(&|t| t.elapsed_seconds.filter(|_| t.blocked())));
        lock_wait.add([database], max_of(&|t| t.lock_wait_seconds));
        locks.add([database], of_db.iter().map(|t| t.active_locks).sum::<u64>() as f64);
    }
    vec![by_status, oldest, long, blocked_oldest, lock_wait, locks]
}

/// The long-running and blocked transactions, oldest first, for the status report.
pub fn report(transactions: &[Transaction], long_running: Duration) -> TransactionsReport {
    let mut oldest_first: Vec<&Transaction> = transactions.iter().collect();
    oldest_first.sort_by(|a, b| b.elapsed_seconds.unwrap_or(0.0).total_cmp(&a.elapsed_seconds.unwrap_or(0.0)));
    let line = |t: &&Transaction| TransactionLine {
        database: t.database.clone(),
        status: t.status.label().to_string(),
        elapsed_seconds: t.elapsed_seconds,
        lock_wait_seconds: t.lock_wait_seconds,
        active_locks: t.active_locks,
    };
    let threshold = long_running.as_secs_f64();
    TransactionsReport {
        long_running_threshold_seconds: threshold,
        long_running: oldest_first.iter().filter(|t| t.runs_long(threshold)).take(LIST_CAP).map(line).collect(),
        blocked: oldest_first.iter().filter(|t| t.blocked()).take(LIST_CAP).map(line).collect(),
    }
}

/// The long-running and blocked transactions, as people see them.
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

impl Part for TransactionsReport {
    fn key(&self) -> &'static str {
        "transactions"
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("reports serialise")
    }

    fn terminal(&self, out: &mut Terminal) {
        out.line(&format!(
            "\nTransactions: {} running over {}, {} blocked on locks",
            self.long_running.len(),
            human_seconds(self.long_running_threshold_seconds),
            self.blocked.len()
        ));
        let mut rows: Vec<Vec<(String, Tone)>> = Vec::new();
        for (kind, list, tone) in [("long-running", &self.long_running, Tone::Warn), ("blocked", &self.blocked, Tone::Bad)] {
            for line in list {
                rows.push(vec![
                    (kind.to_string(), tone),
                    plain(line.database.clone()),
                    plain(line.elapsed_seconds.map_or_else(|| "?".to_string(), human_seconds)),
                    plain(line.lock_wait_seconds.map_or_else(|| "?".to_string(), human_seconds)),
                    plain(line.active_locks.to_string()),
                ]);
            }
        }
        if !rows.is_empty() {
            out.table(&["KIND", "DATABASE", "RUNNING FOR", "LOCK WAIT", "LOCKS"], &rows);
        }
    }

    fn page(&self, html: &mut String) {
        let _ = write!(
            html,
            "<h2>Transactions</h2>\n<p id=\"transactions\">{} running over {}, <span class=\"{}\">{} blocked on locks</span>.</p>\n",
            self.long_running.len(),
            human_seconds(self.long_running_threshold_seconds),
            if self.blocked.is_empty() { "good" } else { "bad" },
            self.blocked.len()
        );
    }

    fn problems(&self, condition: Condition, _: &CheckOptions) -> Vec<String> {
        match condition {
            Condition::Blocked => self
                .blocked
                .iter()
                .map(|t| {
                    let waited = t.lock_wait_seconds.into_iter().chain(t.elapsed_seconds).reduce(f64::max);
                    format!("blocked: a transaction on {} has waited {} for locks", t.database, human_seconds_or_unknown(waited))
                })
                .collect(),
            Condition::LongRunning => self
                .long_running
                .iter()
                .map(|t| {
                    format!("long-running: a transaction on {} has run for {}", t.database, human_seconds_or_unknown(t.elapsed_seconds))
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

struct Transactions {
    long_running: Duration,
}

impl Collector for Transactions {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let mut transactions = Vec::new();
            let mut invalid: BTreeMap<&'static str, u64> = Invalid::ALL.iter().map(|i| (i.label(), 0)).collect();
            // The exporter's own transaction still tells which database it reads.
            let mut own_databases = Vec::new();
            cx.read_each(STATEMENT, Vec::new(), |row| match decode(&row) {
                Some((transaction, problems)) => {
                    for problem in problems {
                        *invalid.entry(problem.label()).or_default() += 1;
                    }
                    transactions.push(transaction);
                }
                None => {
                    if let Some(db) = column(&row, "database").as_str() {
                        own_databases.push(db.to_string());
                    }
                }
            })
            .await?;
            Ok(Collection {
                families: summarize(&transactions, &own_databases, self.long_running),
                report: Some(Arc::new(report(&transactions, self.long_running))),
                invalid_records: invalid,
                ..Collection::default()
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(database: &str, status: TxStatus, elapsed: f64, wait: f64, locks: u64) -> Transaction {
        Transaction {
            database: database.into(),
            status,
            elapsed_seconds: Some(elapsed),
            lock_wait_seconds: Some(wait),
            active_locks: locks,
        }
    }

    fn value(families: &[Family], name: &str, labels: &[&str]) -> f64 {
        let family = families.iter().find(|f| f.name == name).unwrap();
        match family.samples.iter().find(|s| s.label_values == labels).unwrap().value {
            crate::snapshot::Value::Number(v) => v,
            _ => unreachable!(),
        }
    }

    #[test]
    fn statuses_are_read_from_neo4j_wording() {
        assert_eq!(TxStatus::parse("Running"), TxStatus::Running);
        assert_eq!(TxStatus::parse("Blocked by: [neo4j-transaction-7]"), TxStatus::Blocked);
        assert_eq!(TxStatus::parse("Closing"), TxStatus::Closing);
        assert_eq!(TxStatus::parse("Terminated with reason: Transaction timeout."), TxStatus::Terminated);
        assert_eq!(TxStatus::parse("Committing"), TxStatus::Other);
    }

    #[test]
    fn the_exporters_own_statements_are_left_out() {
        let row: Record = [
            ("currentQuery".to_string(), Value::Str(format!("{STATEMENT_MARKER} SHOW TRANSACTIONS"))),
            ("database".to_string(), Value::Str("neo4j".into())),
        ]
        .into_iter()
        .collect();
        assert_eq!(decode(&row), None);
    }

    #[test]
    fn durations_and_millisecond_numbers_both_read_as_seconds() {
        let row: Record = [
            ("database".to_string(), Value::Str("neo4j".into())),
            ("status".to_string(), Value::Str("Blocked by: [x]".into())),
            ("elapsedTime".to_string(), Value::Duration(42.5)),
            ("waitTime".to_string(), Value::Int(1500)),
            ("activeLockCount".to_string(), Value::Int(3)),
        ]
        .into_iter()
        .collect();
        assert_eq!(decode(&row), Some((tx("neo4j", TxStatus::Blocked, 42.5, 1.5, 3), vec![])));
    }

    fn timed(elapsed: Value, wait: Value) -> (Transaction, Vec<Invalid>) {
        let row: Record = [("elapsedTime".to_string(), elapsed), ("waitTime".to_string(), wait)].into_iter().collect();
        decode(&row).unwrap()
    }

    #[test]
    fn a_transaction_that_just_began_has_run_for_no_time() {
        let (t, problems) = timed(Value::Duration(-0.001), Value::Int(-1));
        assert_eq!((t.elapsed_seconds, t.lock_wait_seconds), (Some(0.0), Some(0.0)));
        assert!(problems.is_empty());
    }

    #[test]
    fn impossible_times_are_counted_and_never_read_as_ages() {
        let (t, problems) = timed(Value::Duration(1.8e19), Value::Duration(-5.0));
        assert_eq!((t.elapsed_seconds, t.lock_wait_seconds), (None, None));
        assert_eq!(problems, vec![Invalid::ElapsedTime, Invalid::WaitTime]);
        let families = summarize(&[t], &[], Duration::from_secs(30));
        assert_eq!(value(&families, "neo4j_transaction_oldest_seconds", &[""]), 0.0);
        assert_eq!(value(&families, "neo4j_transactions_long_running", &[""]), 0.0);
        assert_eq!(value(&families, "neo4j_transactions", &["", "other"]), 1.0);
    }

    #[test]
    fn per_database_figures() {
        let transactions = [
            tx("neo4j", TxStatus::Running, 45.0, 0.0, 2),
            tx("neo4j", TxStatus::Blocked, 31.0, 30.5, 0),
            tx("neo4j", TxStatus::Running, 1.0, 0.0, 1),
            tx("system", TxStatus::Terminated, 2.0, 0.0, 0),
        ];
        let families = summarize(&transactions, &["neo4j".into(), "other".into()], Duration::from_secs(30));
        assert_eq!(value(&families, "neo4j_transactions", &["neo4j", "running"]), 2.0);
        assert_eq!(value(&families, "neo4j_transactions", &["neo4j", "blocked"]), 1.0);
        assert_eq!(value(&families, "neo4j_transactions", &["system", "terminated"]), 1.0);
        assert_eq!(value(&families, "neo4j_transactions", &["other", "running"]), 0.0);
        assert_eq!(value(&families, "neo4j_transaction_oldest_seconds", &["neo4j"]), 45.0);
        assert_eq!(value(&families, "neo4j_transactions_long_running", &["neo4j"]), 2.0);
        assert_eq!(value(&families, "neo4j_transactions_blocked_oldest_seconds", &["neo4j"]), 31.0);
        assert_eq!(value(&families, "neo4j_transaction_lock_wait_seconds_max", &["neo4j"]), 30.5);
        assert_eq!(value(&families, "neo4j_transaction_active_locks", &["neo4j"]), 3.0);
        assert_eq!(value(&families, "neo4j_transaction_oldest_seconds", &["other"]), 0.0);
    }
}
