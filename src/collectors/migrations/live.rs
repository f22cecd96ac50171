//! Which migration file is running right now, seen in Neo4j's own list of transactions: most
//! runners write their record only when a migration ends, so the records cannot tell.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::files::MigrationFile;
use super::statements;
use crate::collectors::transactions::{plausible_seconds, TxStatus};
use crate::collectors::Context;
use crate::neo4j::{column, QueryError, STATEMENT_MARKER};

/// From 4.4 on. `status` names the transactions a blocked one waits for.
const STATEMENT: &str = "SHOW TRANSACTIONS YIELD transactionId, currentQuery, elapsedTime, waitTime, status \
                         RETURN transactionId, currentQuery, elapsedTime, waitTime, status";

/// Statements applications run as well as migrations (`RETURN 1`, waiting for indexes): they
/// cannot tell which file, if any, is running.
fn identifies_a_file(statement: &str) -> bool {
    !(statement.starts_with("return ") || statement.starts_with("call db.await") || statement.len() < 12)
}

/// A transaction running a statement of one of the files.
#[derive(Clone, Debug, PartialEq)]
pub struct Sighting {
    /// The files holding the statement it runs, in directory order (usually one).
    pub files: Vec<String>,
    pub elapsed_seconds: f64,
    /// Transactions waiting for a lock it holds, and the longest of their waits so far.
    pub blocking: usize,
    pub longest_blocked_seconds: f64,
}

/// Remembers which transaction ran which file's statement, so that a migration's transaction
/// still counts between its statements, when Neo4j shows no current query for it.
#[derive(Default)]
pub struct Watch {
    seen: Mutex<HashMap<String, Vec<String>>>,
    /// The last sightings and when they were read, kept over a failed read for a while.
    last: Mutex<Option<(Instant, Vec<Sighting>)>>,
}

struct Row {
    id: String,
    query: String,
    elapsed_seconds: f64,
    wait_seconds: f64,
    status: String,
}

impl Watch {
    /// Reads the transactions and matches their queries against the pending files' statements.
    /// When the read fails, the last sightings stand for up to `keep`, so that a migration
    /// running for an hour does not seem to end at one failed read; after that, none.
    pub async fn look(&self, cx: &Context<'_>, files: &[&MigrationFile], keep: Duration) -> Vec<Sighting> {
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        let sightings = match self.read(cx, files).await {
            Ok(sightings) => {
                last = Some((Instant::now(), sightings.clone()));
                sightings
            }
            Err(_) => match &last {
                Some((at, sightings)) if at.elapsed() <= keep => sightings.clone(),
                _ => Vec::new(),
            },
        };
        *self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = last;
        sightings
    }

    async fn read(&self, cx: &Context<'_>, files: &[&MigrationFile]) -> Result<Vec<Sighting>, QueryError> {
        let mut rows = Vec::new();
        cx.read_each_in_time_left(STATEMENT, Vec::new(), |row| {
            let query = column(&row, "currentQuery").as_str().unwrap_or_default();
            if query.trim_start().starts_with(STATEMENT_MARKER) {
                return;
            }
            rows.push(Row {
                id: column(&row, "transactionId").as_str().unwrap_or_default().to_string(),
                query: query.to_string(),
                elapsed_seconds: plausible_seconds(column(&row, "elapsedTime")).unwrap_or(0.0),
                wait_seconds: plausible_seconds(column(&row, "waitTime")).unwrap_or(0.0),
                status: column(&row, "status").as_str().unwrap_or_default().to_string(),
            });
        })
        .await?;
        Ok(self.match_rows(&rows, files))
    }

    fn match_rows(&self, rows: &[Row], files: &[&MigrationFile]) -> Vec<Sighting> {
        let mut by_statement: HashMap<&str, Vec<String>> = HashMap::new();
        for file in files {
            for statement in file.statements.iter().filter(|s| identifies_a_file(s)) {
                let holders = by_statement.entry(statement.as_str()).or_default();
                if holders.last() != Some(&file.path) {
                    holders.push(file.path.clone());
                }
            }
        }
        let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut now_seen = HashMap::new();
        let mut sightings = Vec::new();
        for row in rows {
            let matched = by_statement.get(statements::normalize(&row.query).as_str()).cloned().or_else(|| seen.get(&row.id).cloned());
            let Some(matched) = matched.filter(|_| !row.id.is_empty()) else { continue };
            let blocked: Vec<&Row> = rows
                .iter()
                .filter(|other| TxStatus::parse(&other.status) == TxStatus::Blocked && waits_for(&other.status, &row.id))
                .collect();
            sightings.push(Sighting {
                files: matched.clone(),
                elapsed_seconds: row.elapsed_seconds,
                blocking: blocked.len(),
                longest_blocked_seconds: blocked.iter().map(|b| b.wait_seconds).fold(0.0, f64::max),
            });
            now_seen.insert(row.id.clone(), matched);
        }
        *seen = now_seen;
        sightings
    }
}

/// Whether a status such as `Blocked by: [neo4j-transaction-7, neo4j-transaction-9]` names `id`.
fn waits_for(status: &str, id: &str) -> bool {
    let Some((_, list)) = status.split_once('[') else { return false };
    list.trim_end_matches(']').split(',').any(|holder| holder.trim() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> MigrationFile {
        MigrationFile { path: path.into(), statements: statements::split(text), ..MigrationFile::default() }
    }

    fn row(id: &str, query: &str, status: &str) -> Row {
        Row { id: id.into(), query: query.into(), elapsed_seconds: 12.0, wait_seconds: 3.0, status: status.into() }
    }

    #[test]
    fn a_transaction_between_statements_still_counts_as_its_file() {
        let (a, b) = (file("V1__a.cypher", "CREATE (:A);\nMATCH (a:A) SET a.x = 1;"), file("V2__b.cypher", "CREATE (:B);"));
        let files = [&a, &b];
        let watch = Watch::default();
        let first = watch.match_rows(&[row("neo4j-transaction-4", "match (a:A)\n  SET a.x = 1", "Running")], &files);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].files, ["V1__a.cypher"]);
        let between = watch.match_rows(&[row("neo4j-transaction-4", "", "Running")], &files);
        assert_eq!(between[0].files, ["V1__a.cypher"], "remembered by its transaction");
        assert!(watch.match_rows(&[row("neo4j-transaction-5", "", "Running")], &files).is_empty());
        assert!(watch.match_rows(&[row("neo4j-transaction-4", "", "Running")], &files).is_empty(), "forgotten once it ended");
    }

    #[test]
    fn the_transactions_it_blocks_are_counted() {
        let a = file("V1__a.cypher", "MATCH (n) SET n.x = 1");
        let files = [&a];
        let rows = [
            row("neo4j-transaction-4", "MATCH (n) SET n.x = 1", "Running"),
            row("neo4j-transaction-9", "MATCH (n) SET n.y = 2", "Blocked by: [neo4j-transaction-4]"),
            row("neo4j-transaction-10", "RETURN 1", "Blocked by: [neo4j-transaction-44]"),
        ];
        let sightings = Watch::default().match_rows(&rows, &files);
        assert_eq!((sightings[0].blocking, sightings[0].longest_blocked_seconds), (1, 3.0), "its wait, not its age");
    }

    #[test]
    fn statements_applications_also_run_name_no_file() {
        let a = file("V1__a.cypher", "CALL db.awaitIndexes();\nRETURN 1;\nMATCH (n:A) SET n.x = 1;");
        let watch = Watch::default();
        assert!(watch.match_rows(&[row("neo4j-transaction-4", "RETURN 1", "Running")], &[&a]).is_empty());
        assert!(watch.match_rows(&[row("neo4j-transaction-4", "CALL db.awaitIndexes()", "Running")], &[&a]).is_empty());
        assert_eq!(watch.match_rows(&[row("neo4j-transaction-4", "MATCH (n:A) SET n.x = 1", "Running")], &[&a]).len(), 1);
    }
}
