//! The `backup` collector: the newest dump or backup of the database in `--backup.dir`, its
//! age and size, for the checklist's "backup created" item. It reads the directory only.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{parse_non_empty, parse_positive_duration, ConfigError, Setting, Values};
use crate::snapshot::Family;
use crate::views::checklist::Item;
use crate::views::page::{escape, shown, NAME_CHARS};
use crate::views::terminal::{Terminal, Tone};
use crate::views::text::{for_display, human_bytes, human_seconds, human_time};
use crate::views::Part;

pub const SPEC: Spec = Spec {
    name: "backup",
    help: "the newest dump or backup in --backup.dir: its age and size",
    keeps_state: true,
    enabled_by_default: false,
    interval: Duration::from_secs(60),
    timeout: Duration::from_secs(10),
    reports: true,
    enabled_by: Some("backup.dir"),
    settings: SETTINGS,
    tells: tells_nothing,
    configure: |values, _| Ok(Arc::new(BackupConfig::from_values(values)?)),
    build: |settings| Box::new(Backup { config: settings_as::<BackupConfig>(settings).clone() }),
};

const SETTINGS: &[Setting] = &[
    Setting {
        flag: "backup.dir",
        value_name: "PATH",
        default: None,
        help: "Directory where neo4j-admin writes dumps or backups of the database (turns the backup collector on)",
    },
    Setting {
        flag: "backup.max-age",
        value_name: "DURATION",
        default: Some("24h"),
        help: "The newest backup must be younger than this for check --before",
    },
    Setting {
        flag: "backup.database",
        value_name: "NAME",
        default: None,
        help: "Database whose backups to look for [default: --neo4j.database, else neo4j]",
    },
];

#[derive(Clone, Debug)]
pub struct BackupConfig {
    pub dir: Option<PathBuf>,
    pub max_age: Duration,
    pub database: String,
}

impl BackupConfig {
    pub fn from_values(values: &Values) -> Result<Self, ConfigError> {
        let database = match values.parse("backup.database", parse_non_empty)? {
            Some(name) => name,
            None => values.parse("neo4j.database", parse_non_empty)?.unwrap_or_else(|| "neo4j".to_string()),
        };
        Ok(BackupConfig {
            dir: values.parse("backup.dir", |s| {
                let path = PathBuf::from(s.trim());
                if std::fs::read_dir(&path).is_ok() {
                    Ok(path)
                } else {
                    Err("not a readable directory".to_string())
                }
            })?,
            max_age: values.required("backup.max-age", parse_positive_duration)?,
            database,
        })
    }
}

/// One dump or backup of the database.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Artifact {
    pub name: String,
    /// Its last change, in seconds since the Unix epoch (for a 4.4 backup directory, its newest file's).
    pub modified_at: f64,
    pub size_bytes: u64,
}

/// What `neo4j-admin` leaves for database `db`: `db.dump` (`database dump`, 4.4's `dump` by
/// custom), `db-<time>.dump` or `db-<time>.backup` (5.x `database backup`), and 4.4's
/// `backup` directory named after the database.
fn is_artifact_of(name: &str, database: &str, is_dir: bool) -> bool {
    if is_dir {
        return name == database;
    }
    let Some(rest) = name.strip_prefix(database) else { return false };
    let Some(stem) = rest.strip_suffix(".dump").or_else(|| rest.strip_suffix(".backup")) else { return false };
    // `neo4j-2026-12-02T06-00-00`, not `neo4j-test`: another database's backup.
    stem.is_empty() || (stem.starts_with(['-', '_']) && stem[1..].starts_with(|c: char| c.is_ascii_digit()))
}

fn seconds_of(time: std::io::Result<SystemTime>) -> f64 {
    time.ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0.0, |d| d.as_secs_f64())
}

/// The newest change and total size below a backup directory, a few levels deep.
fn directory_extent(dir: &Path, depth: usize) -> (f64, u64) {
    let (mut newest, mut size) = (0.0_f64, 0);
    let Ok(entries) = std::fs::read_dir(dir) else { return (newest, size) };
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            if depth < 4 {
                let (n, s) = directory_extent(&entry.path(), depth + 1);
                newest = newest.max(n);
                size += s;
            }
        } else {
            newest = newest.max(seconds_of(meta.modified()));
            size += meta.len();
        }
    }
    (newest, size)
}

/// The database's artifacts in `dir`, newest first.
pub fn scan(dir: &Path, database: &str) -> std::io::Result<Vec<Artifact>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(meta) = std::fs::metadata(entry.path()) else { continue };
        if !is_artifact_of(&name, database, meta.is_dir()) {
            continue;
        }
        let (modified_at, size_bytes) =
            if meta.is_dir() { directory_extent(&entry.path(), 0) } else { (seconds_of(meta.modified()), meta.len()) };
        found.push(Artifact { name, modified_at, size_bytes });
    }
    found.sort_by(|a, b| b.modified_at.total_cmp(&a.modified_at));
    Ok(found)
}

struct Backup {
    config: BackupConfig,
}

impl Collector for Backup {
    fn collect<'a>(&'a self, _: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
            let dir = self.config.dir.clone().unwrap_or_default();
            let database = self.config.database.clone();
            let scanned = tokio::task::spawn_blocking(move || scan(&dir, &database))
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
            let report = BackupReport {
                dir: self.config.dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default(),
                database: self.config.database.clone(),
                max_age_seconds: self.config.max_age.as_secs_f64(),
                error: scanned.as_ref().err().map(|e| e.to_string()),
                count: scanned.as_ref().map_or(0, Vec::len),
                newest: scanned.as_ref().ok().and_then(|found| found.first().cloned()),
                checked_at: now,
            };
            Ok(Collection { families: report.families(), report: Some(Arc::new(report)), ..Collection::default() })
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct BackupReport {
    pub dir: String,
    pub database: String,
    pub max_age_seconds: f64,
    /// Why the directory could not be read, if it could not.
    pub error: Option<String>,
    pub count: usize,
    pub newest: Option<Artifact>,
    pub checked_at: f64,
}

impl BackupReport {
    fn families(&self) -> Vec<Family> {
        let db = [self.database.as_str()];
        let mut read = Family::gauge("neo4j_backup_dir_read_success", "1 when --backup.dir could be read on the last run.", &[]);
        read.set(if self.error.is_none() { 1.0 } else { 0.0 });
        let mut max_age =
            Family::gauge("neo4j_backup_max_age_seconds", "The --backup.max-age the newest backup must be younger than.", &[]);
        max_age.set(self.max_age_seconds);
        let mut count = Family::gauge("neo4j_backup_artifacts", "Dumps and backups of the database found in --backup.dir.", &["database"]);
        let mut last = Family::gauge(
            "neo4j_backup_last_timestamp_seconds",
            "When the newest dump or backup of the database in --backup.dir was last written.",
            &["database"],
        );
        let mut size = Family::gauge("neo4j_backup_size_bytes", "Size of the newest dump or backup of the database.", &["database"]);
        if self.error.is_none() {
            count.add(db, self.count as f64);
            if let Some(newest) = &self.newest {
                last.add(db, newest.modified_at);
                size.add(db, newest.size_bytes as f64);
            }
        }
        vec![read, max_age, count, last, size]
    }

    fn age(&self) -> Option<f64> {
        self.newest.as_ref().map(|n| (self.checked_at - n.modified_at).max(0.0))
    }

    /// The checklist's verdict and its one line.
    fn verdict(&self) -> (bool, String) {
        if let Some(error) = &self.error {
            return (false, format!("cannot read {}: {error}", self.dir));
        }
        let Some(newest) = &self.newest else {
            return (false, format!("no dump or backup of {} in {}", self.database, self.dir));
        };
        let age = self.age().unwrap_or_default();
        let found = format!("{}, {} old, {}", newest.name, human_seconds(age), human_bytes(newest.size_bytes));
        if newest.size_bytes == 0 {
            (false, format!("{found}: empty"))
        } else if age > self.max_age_seconds {
            (false, format!("{found}: older than --backup.max-age {}", human_seconds(self.max_age_seconds)))
        } else {
            (true, found)
        }
    }
}

impl Part for BackupReport {
    fn key(&self) -> &'static str {
        "backup"
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("reports serialise")
    }

    fn terminal(&self, out: &mut Terminal) {
        let (passed, line) = self.verdict();
        let painted = out.paint(&for_display(&line, None), if passed { Tone::Good } else { Tone::Bad });
        out.line(&format!("\nBackup: {painted}"));
    }

    fn page(&self, html: &mut String) {
        let (passed, line) = self.verdict();
        let _ = writeln!(
            html,
            "<h2>Backup</h2>\n<p id=\"backup\" class=\"{}\">{}</p>",
            if passed { "good" } else { "bad" },
            shown(&line, NAME_CHARS * 2)
        );
        if let Some(newest) = &self.newest {
            let _ = writeln!(html, "<p class=\"muted\">Written {}.</p>", escape(&human_time(newest.modified_at)));
        }
    }

    fn checklist(&self) -> Vec<Item> {
        let (passed, line) = self.verdict();
        vec![Item::new("backup", passed, line, Vec::new(), self.checked_at)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_neo4j_admin_writes_are_recognised() {
        for name in ["neo4j.dump", "neo4j-2026-12-02T10-00-00.backup", "neo4j_20261202.dump"] {
            assert!(is_artifact_of(name, "neo4j", false), "{name}");
        }
        for name in ["neo4j2.dump", "neo4j-test.dump", "neo4j-staging-2026.backup", "other.dump", "neo4j.dump.tmp", "neo4j.txt"] {
            assert!(!is_artifact_of(name, "neo4j", false), "{name}");
        }
        assert!(is_artifact_of("neo4j", "neo4j", true));
    }

    fn report(age: f64, size: u64) -> BackupReport {
        BackupReport {
            dir: "/backups".into(),
            database: "neo4j".into(),
            max_age_seconds: 3600.0,
            error: None,
            count: 1,
            newest: Some(Artifact { name: "neo4j.dump".into(), modified_at: 1000.0, size_bytes: size }),
            checked_at: 1000.0 + age,
        }
    }

    #[test]
    fn a_backup_older_than_the_max_age_or_empty_fails_the_item() {
        assert!(report(60.0, 2048).verdict().0);
        let (passed, line) = report(7200.0, 2048).verdict();
        assert!(!passed && line.contains("older than --backup.max-age 1h"), "{line}");
        assert!(!report(60.0, 0).verdict().0);
    }
}
