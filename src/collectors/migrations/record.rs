//! Decoding one migration record, whatever the runner wrote, into a typed [`Migration`].
//!
//! Pure functions: no I/O, so every odd shape real runners leave behind has a unit test.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::neo4j::Value;

/// The normalised state of a record; `label()` is the `status` label value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Success,
    Failed,
    Pending,
    Running,
    RolledBack,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 6] = [Status::Success, Status::Failed, Status::Pending, Status::Running, Status::RolledBack, Status::Unknown];

    pub fn label(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Failed => "failed",
            Status::Pending => "pending",
            Status::Running => "running",
            Status::RolledBack => "rolled_back",
            Status::Unknown => "unknown",
        }
    }

    /// Still to finish: the age of such a record is how long a migration has been stuck.
    pub fn in_progress(self) -> bool {
        matches!(self, Status::Pending | Status::Running)
    }
}

/// Why a migration failed, derived from its recorded error text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorClass {
    LockTimeout,
    Deadlock,
    SchemaConflict,
    ConstraintViolation,
    OutOfMemory,
    Timeout,
    Syntax,
    Checksum,
    Terminated,
    Other,
}

impl ErrorClass {
    pub const ALL: [ErrorClass; 10] = [
        ErrorClass::LockTimeout,
        ErrorClass::Deadlock,
        ErrorClass::SchemaConflict,
        ErrorClass::ConstraintViolation,
        ErrorClass::OutOfMemory,
        ErrorClass::Timeout,
        ErrorClass::Syntax,
        ErrorClass::Checksum,
        ErrorClass::Terminated,
        ErrorClass::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ErrorClass::LockTimeout => "lock_timeout",
            ErrorClass::Deadlock => "deadlock",
            ErrorClass::SchemaConflict => "schema_conflict",
            ErrorClass::ConstraintViolation => "constraint_violation",
            ErrorClass::OutOfMemory => "out_of_memory",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Syntax => "syntax",
            ErrorClass::Checksum => "checksum",
            ErrorClass::Terminated => "terminated",
            ErrorClass::Other => "other",
        }
    }
}

/// The last part of each Neo4j status code (`Neo.<classification>.<category>.<title>`), lower-cased,
/// with its class. A code says what happened more surely than any wording, so it is read first.
const STATUS_CODES: &[(&str, ErrorClass)] = &[
    ("deadlockdetected", ErrorClass::Deadlock),
    ("lockacquisitiontimeout", ErrorClass::LockTimeout),
    ("lockclientstopped", ErrorClass::LockTimeout),
    ("constraintalreadyexists", ErrorClass::SchemaConflict),
    ("indexalreadyexists", ErrorClass::SchemaConflict),
    ("equivalentschemarulealreadyexists", ErrorClass::SchemaConflict),
    ("constraintwithnamealreadyexists", ErrorClass::SchemaConflict),
    ("indexwithnamealreadyexists", ErrorClass::SchemaConflict),
    ("constraintvalidationfailed", ErrorClass::ConstraintViolation),
    ("constraintcreationfailed", ErrorClass::ConstraintViolation),
    ("memorypooloutofmemoryerror", ErrorClass::OutOfMemory),
    ("transactionoutofmemoryerror", ErrorClass::OutOfMemory),
    ("outofmemoryerror", ErrorClass::OutOfMemory),
    ("transactiontimedout", ErrorClass::Timeout),
    ("transactiontimedoutclientconfiguration", ErrorClass::Timeout),
    ("syntaxerror", ErrorClass::Syntax),
    ("terminated", ErrorClass::Terminated),
];

/// Fragments of the messages Neo4j 4.4, 5.x and the calendar releases write for each class,
/// lower-cased, for runners that store the message without its code (the JavaScript and Java
/// drivers' `message`). Checked in this order: a lock timeout's and a transaction timeout's
/// messages both begin "The transaction has been terminated", so `terminated` comes last.
const MESSAGE_MARKERS: &[(ErrorClass, &[&str])] = &[
    // A runner's own words, which name the file: a file called `fix_deadlock` must not decide.
    (ErrorClass::Checksum, &["modified after application", "checksum mismatch", "has been modified"]),
    (ErrorClass::Deadlock, &["deadlock", "because holders of that lock are waiting for"]),
    (
        ErrorClass::LockTimeout,
        &[
            "unable to acquire lock",
            "no more locks can be acquired",
            "lock acquisition timeout",
            "lockclientstopped",
            "lockacquisitiontimeout",
        ],
    ),
    (
        ErrorClass::SchemaConflict,
        &[
            "an equivalent constraint already exists",
            "an equivalent index already exists",
            "constraint already exists",
            "index already exists",
            "there already exists a constraint",
            "there already exists an index",
            "with the same name already exists",
            "equivalentschemarulealreadyexists",
            "constraintalreadyexists",
            "indexalreadyexists",
            "withnamealreadyexists",
        ],
    ),
    (
        ErrorClass::ConstraintViolation,
        &[
            "already exists with label",
            "already exists with type",
            "unable to create constraint",
            "constraintvalidationfailed",
            "constraintcreationfailed",
        ],
    ),
    (ErrorClass::OutOfMemory, &["outofmemoryerror", "out of memory", "would use more than the limit", "memory pool", "memory limit"]),
    (ErrorClass::Timeout, &["has not completed within the", "transactiontimedout", "timed out"]),
    (ErrorClass::Syntax, &["syntaxerror", "syntax error"]),
    (ErrorClass::Checksum, &["checksum"]),
    (ErrorClass::Terminated, &["explicitly terminated", "has been terminated", "was terminated"]),
];

/// Cypher's compile errors (syntax and semantic alike) point at the statement:
/// `… (line 1, column 8 (offset: 7))`, then quote it. Nothing else Neo4j writes has that mark.
fn points_into_statement(lower: &str) -> bool {
    lower.contains("invalid input '") || (lower.contains("(line ") && lower.contains(", column ") && lower.contains("(offset: "))
}

/// The class named by the first known Neo4j status code in the text, if any.
fn class_of_status_code(text: &str) -> Option<ErrorClass> {
    text.match_indices("Neo.").find_map(|(at, _)| {
        let code: String = text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
        let parts: Vec<&str> = code.trim_end_matches('.').split('.').collect();
        let [_, classification, _, title] = parts[..] else { return None };
        if !classification.ends_with("Error") {
            return None;
        }
        let title = title.to_ascii_lowercase();
        STATUS_CODES.iter().find(|(known, _)| *known == title).map(|(_, class)| *class)
    })
}

/// The class of a recorded error text: from its Neo4j status code when it carries a known one,
/// else from the message's wording; `other` when neither says.
pub fn classify_error(text: &str) -> ErrorClass {
    if let Some(class) = class_of_status_code(text) {
        return class;
    }
    let lower = text.to_lowercase();
    // A quoted statement can hold any word, so a compile error is told by its mark alone.
    if points_into_statement(&lower) {
        return ErrorClass::Syntax;
    }
    MESSAGE_MARKERS.iter().find(|(_, markers)| markers.iter().any(|m| lower.contains(m))).map_or(ErrorClass::Other, |(class, _)| *class)
}

/// Why a record was skipped or read only in part; `label()` is the `reason` label value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Invalid {
    MissingFilename,
    InvalidFilename,
    MissingStatus,
    InvalidStatus,
    MissingAppliedAt,
    InvalidAppliedAt,
    InvalidExecutionTime,
    InvalidChecksum,
}

impl Invalid {
    pub const ALL: [Invalid; 8] = [
        Invalid::MissingFilename,
        Invalid::InvalidFilename,
        Invalid::MissingStatus,
        Invalid::InvalidStatus,
        Invalid::MissingAppliedAt,
        Invalid::InvalidAppliedAt,
        Invalid::InvalidExecutionTime,
        Invalid::InvalidChecksum,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Invalid::MissingFilename => "missing_filename",
            Invalid::InvalidFilename => "invalid_filename",
            Invalid::MissingStatus => "missing_status",
            Invalid::InvalidStatus => "invalid_status",
            Invalid::MissingAppliedAt => "missing_applied_at",
            Invalid::InvalidAppliedAt => "invalid_applied_at",
            Invalid::InvalidExecutionTime => "invalid_execution_time",
            Invalid::InvalidChecksum => "invalid_checksum",
        }
    }
}

/// One migration as the exporter understands it.
#[derive(Clone, Debug, PartialEq)]
pub struct Migration {
    /// The file (or change set) the record names, as stored.
    pub filename: Option<String>,
    pub status: Status,
    /// Seconds since the Unix epoch.
    pub applied_at: Option<f64>,
    pub execution_seconds: Option<f64>,
    pub checksum: Option<String>,
    /// The recorded error text of a record that did not succeed.
    pub error: Option<String>,
}

impl Migration {
    pub fn error_class(&self) -> ErrorClass {
        self.error.as_deref().map_or(ErrorClass::Other, classify_error)
    }
}

/// Maps a record's raw status text to a [`Status`]; each schema has its own words.
pub type StatusWords = &'static [(&'static str, Status)];

/// The values each record statement returns, in this order, as one list per row.
/// `appliedAtEpochMillis` is the server's own reading of a zoned `appliedAt` (see
/// [`epoch_millis_of`]); the exporter reads every other form itself.
pub const COLUMNS: [&str; 9] =
    ["filename", "changeset", "status", "appliedAt", "executionTime", "checksum", "description", "error", "appliedAtEpochMillis"];

/// A Cypher expression for the epoch milliseconds of `value` when it is a zoned DATETIME in the
/// years 2000 to 2999, else null. Over Bolt 4 a DATETIME with a zone id arrives as wall-clock
/// time and zone name, which cannot tell apart the two instants of the hour repeated when
/// clocks go back; Neo4j itself knows the instant. A comparison with a DATETIME is null for any
/// other type (never an error), and CASE evaluates `.epochMillis` only for a DATETIME.
pub fn epoch_millis_of(value: &str) -> String {
    format!(
        "CASE WHEN {value} >= datetime({{epochSeconds: 946684800}}) AND {value} < datetime({{epochSeconds: 32503680000}}) \
         THEN {value}.epochMillis END"
    )
}

/// The value of a column of a record list; missing values read as null.
fn column<'r>(row: &'r [Value], name: &str) -> &'r Value {
    const NULL: &Value = &Value::Null;
    COLUMNS.iter().position(|c| *c == name).and_then(|i| row.get(i)).unwrap_or(NULL)
}

/// The earliest time a migration record can have been applied: 2000-01-01.
const EARLIEST_APPLIED_AT: f64 = 946_684_800.0;
/// How far ahead of the exporter's clock a runner's clock may be.
const CLOCK_SKEW_ALLOWED: f64 = 24.0 * 3600.0;
/// The longest a migration can have run: anything longer is a fault in the record.
const LONGEST_EXECUTION_SECONDS: f64 = 31.0 * 24.0 * 3600.0;

/// Decodes one record (its values in the order of [`COLUMNS`]) and lists what was wrong with it.
/// `now` (epoch seconds) bounds the times a record can hold.
pub fn decode(row: &[Value], words: StatusWords, now: f64) -> (Migration, Vec<Invalid>) {
    let mut problems = Vec::new();
    let mut note = |problem: Invalid| problems.push(problem);

    let filename = match (column(row, "filename"), column(row, "changeset")) {
        (Value::Null, _) => {
            note(Invalid::MissingFilename);
            None
        }
        (Value::Str(name), Value::Str(changeset)) => Some(format!("{name}::{changeset}")),
        (Value::Str(name), _) if !name.trim().is_empty() => Some(name.clone()),
        (Value::Str(_), _) => {
            note(Invalid::MissingFilename);
            None
        }
        (Value::Int(n), _) => Some(n.to_string()),
        _ => {
            note(Invalid::InvalidFilename);
            None
        }
    };

    let status = match column(row, "status") {
        Value::Str(text) if text.trim().is_empty() => {
            note(Invalid::MissingStatus);
            Status::Unknown
        }
        Value::Str(text) if !is_word(text) => {
            note(Invalid::InvalidStatus);
            Status::Unknown
        }
        Value::Str(text) => status_of(text, words),
        Value::Null => {
            note(Invalid::MissingStatus);
            Status::Unknown
        }
        _ => {
            note(Invalid::InvalidStatus);
            Status::Unknown
        }
    };

    let read_by_neo4j = column(row, "appliedAtEpochMillis").as_f64().map(|ms| Ok(Some(ms / 1000.0)));
    let applied_at = match read_by_neo4j.unwrap_or_else(|| timestamp_seconds(column(row, "appliedAt"))) {
        Ok(Some(t)) if (EARLIEST_APPLIED_AT..=now + CLOCK_SKEW_ALLOWED).contains(&t) => Some(t),
        Ok(Some(_)) => {
            note(Invalid::InvalidAppliedAt);
            None
        }
        Ok(None) => {
            // Records still in progress may not have a time yet; finished ones should.
            if !status.in_progress() && status != Status::Unknown {
                note(Invalid::MissingAppliedAt);
            }
            None
        }
        Err(Unreadable) => {
            note(Invalid::InvalidAppliedAt);
            None
        }
    };

    let execution_seconds = match execution_seconds(column(row, "executionTime")) {
        Ok(Some(s)) if s > LONGEST_EXECUTION_SECONDS => Err(Unreadable),
        other => other,
    }
    .unwrap_or_else(|Unreadable| {
        note(Invalid::InvalidExecutionTime);
        None
    });

    let checksum = match column(row, "checksum") {
        Value::Null => None,
        Value::Str(s) => Some(s.trim().to_string()),
        Value::Int(n) => Some(n.to_string()),
        _ => {
            note(Invalid::InvalidChecksum);
            None
        }
    };

    let error =
        if status == Status::Success { None } else { error_text(column(row, "error")).or_else(|| error_text(column(row, "description"))) };

    (Migration { filename, status, applied_at, execution_seconds, checksum, error }, problems)
}

/// A status is a word or words: letters, `_`, `-` and spaces.
fn is_word(text: &str) -> bool {
    text.trim().chars().all(|c| c.is_alphabetic() || matches!(c, '_' | '-' | ' '))
}

fn status_of(text: &str, words: StatusWords) -> Status {
    let normal: String = text.trim().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_uppercase() }).collect();
    words.iter().find(|(word, _)| *word == normal).map_or(Status::Unknown, |(_, status)| *status)
}

/// Only strings carry error text; anything else is no text at all.
fn error_text(value: &Value) -> Option<String> {
    value.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// A property that is present but cannot be read as what it should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unreadable;

/// Epoch milliseconds before this are taken as epoch seconds (it is March 1973 in milliseconds
/// and the year 5138 in seconds, so no real migration is misread).
const SECONDS_IF_BELOW: f64 = 1.0e11;

/// A point in time from a DateTime, Date, ISO-8601 string or epoch number, in epoch seconds.
/// `Ok(None)` when absent, `Err` when present but unreadable.
pub fn timestamp_seconds(value: &Value) -> Result<Option<f64>, Unreadable> {
    match value {
        Value::Null => Ok(None),
        Value::Time(t) => Ok(Some(*t)),
        Value::Date(d) => Ok(Some(midnight(*d))),
        Value::Int(_) | Value::Float(_) => value.as_f64().map(epoch_number).map(Some).ok_or(Unreadable),
        Value::Str(s) => parse_time_text(s.trim()).map(Some).ok_or(Unreadable),
        _ => Err(Unreadable),
    }
}

fn epoch_number(n: f64) -> f64 {
    if n.abs() < SECONDS_IF_BELOW {
        n
    } else {
        n / 1000.0
    }
}

fn midnight(date: NaiveDate) -> f64 {
    date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp() as f64
}

fn parse_time_text(text: &str) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    if let Ok(n) = text.parse::<f64>() {
        return n.is_finite().then(|| epoch_number(n));
    }
    // Neo4j prints zoned values as `2025-10-15T10:00:00+02:00[Europe/Berlin]`.
    let text = match text.find('[') {
        Some(i) if text.ends_with(']') => &text[..i],
        _ => text,
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_micros() as f64 / 1e6);
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.timestamp_micros() as f64 / 1e6);
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp_micros() as f64 / 1e6);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(midnight)
}

/// An execution time: numbers (and numeric strings) are milliseconds, a Duration is itself.
/// `Ok(None)` when absent, `Err` when present but unreadable or negative.
pub fn execution_seconds(value: &Value) -> Result<Option<f64>, Unreadable> {
    let seconds = match value {
        Value::Null => return Ok(None),
        Value::Duration(s) => *s,
        Value::Int(_) | Value::Float(_) => value.as_f64().ok_or(Unreadable)? / 1000.0,
        Value::Str(s) => s.trim().parse::<f64>().map_err(|_| Unreadable)? / 1000.0,
        _ => return Err(Unreadable),
    };
    if seconds.is_finite() && seconds >= 0.0 {
        Ok(Some(seconds))
    } else {
        Err(Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const WORDS: StatusWords = &[
        ("SUCCESS", Status::Success),
        ("FAILED", Status::Failed),
        ("PENDING", Status::Pending),
        ("RUNNING", Status::Running),
        ("ROLLED_BACK", Status::RolledBack),
    ];

    /// A record list from named values; the names must be among [`COLUMNS`].
    fn row(pairs: &[(&str, Value)]) -> Vec<Value> {
        let named: BTreeMap<&str, &Value> = pairs.iter().map(|(k, v)| (*k, v)).collect();
        assert!(named.keys().all(|k| COLUMNS.contains(k)), "unknown column in {named:?}");
        COLUMNS.iter().map(|c| named.get(c).map_or(Value::Null, |v| (*v).clone())).collect()
    }

    /// 2026-12-01, after every time the tests use.
    const NOW: f64 = 1_796_083_200.0;

    fn decode_now(row: &[Value], words: StatusWords) -> (Migration, Vec<Invalid>) {
        decode(row, words, NOW)
    }

    fn s(text: &str) -> Value {
        Value::Str(text.into())
    }

    #[test]
    fn statuses_compare_case_insensitively_and_others_are_unknown() {
        assert_eq!(status_of("success", WORDS), Status::Success);
        assert_eq!(status_of(" Failed ", WORDS), Status::Failed);
        assert_eq!(status_of("rolled-back", WORDS), Status::RolledBack);
        assert_eq!(status_of("Rolled Back", WORDS), Status::RolledBack);
        assert_eq!(status_of("DONE", WORDS), Status::Unknown);
        assert_eq!(status_of("", WORDS), Status::Unknown);
    }

    #[test]
    fn error_classes_come_from_neo4j_codes_and_jvm_errors() {
        let cases = [
            ("FAILED: Neo.TransientError.Transaction.LockClientStopped: stopped", ErrorClass::LockTimeout),
            ("FAILED: Neo.ClientError.Transaction.LockClientStopped", ErrorClass::LockTimeout),
            ("Neo.TransientError.Transaction.LockAcquisitionTimeout: timed out", ErrorClass::LockTimeout),
            ("Neo.TransientError.Transaction.DeadlockDetected: lock cycle", ErrorClass::Deadlock),
            ("Neo.ClientError.Schema.ConstraintAlreadyExists: exists", ErrorClass::SchemaConflict),
            ("Neo.ClientError.Schema.IndexAlreadyExists", ErrorClass::SchemaConflict),
            ("Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists", ErrorClass::SchemaConflict),
            ("java.lang.OutOfMemoryError: Java heap space", ErrorClass::OutOfMemory),
            ("Neo.TransientError.General.MemoryPoolOutOfMemoryError: limit", ErrorClass::OutOfMemory),
            ("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", ErrorClass::Timeout),
            ("Neo.ClientError.Transaction.TransactionTimedOut: timed out", ErrorClass::Timeout),
            ("Neo.ClientError.Statement.SyntaxError: Invalid input 'CRATE'", ErrorClass::Syntax),
            ("Migration V3 has been modified after application!", ErrorClass::Checksum),
            ("Neo.ClientError.Transaction.Terminated: The transaction has been terminated.", ErrorClass::Terminated),
            ("something else went wrong", ErrorClass::Other),
        ];
        for (text, class) in cases {
            assert_eq!(classify_error(text), class, "{text}");
        }
    }

    #[test]
    fn a_status_code_outweighs_the_wording_around_it() {
        // Python's str(error) appends a GQL description that reads like another class.
        let python = "FAILED: {neo4j_code: Neo.ClientError.Statement.SyntaxError} {message: Invalid input 'X'} \
                      {gql_status: 50N42} {gql_status_description: error: general processing exception - unexpected error}";
        assert_eq!(classify_error(python), ErrorClass::Syntax);
        assert_eq!(
            classify_error("Neo4jError: Neo.TransientError.Transaction.DeadlockDetected (x can't acquire lock)"),
            ErrorClass::Deadlock
        );
        assert_eq!(classify_error("ends with a code Neo.ClientError.Statement.SyntaxError."), ErrorClass::Syntax);
        // An unknown code leaves the wording to decide.
        assert_eq!(
            classify_error("Neo.DatabaseError.General.UnknownError: java.lang.OutOfMemoryError: Java heap space"),
            ErrorClass::OutOfMemory
        );
    }

    #[test]
    fn a_quoted_statement_cannot_change_the_class_of_a_compile_error() {
        let text =
            "FAILED: Invalid input 'SETT': expected 'SET' (line 1, column 29 (offset: 28))\n\"MATCH (m:Deadlock) SETT m.checksum = 1\"";
        assert_eq!(classify_error(text), ErrorClass::Syntax);
        let semantic = "Variable `checksum` not defined (line 1, column 8 (offset: 7))\n\"RETURN checksum\"\n        ^";
        assert_eq!(classify_error(semantic), ErrorClass::Syntax);
    }

    #[test]
    fn applied_at_accepts_every_form_runners_write() {
        let expected = 1_760_522_400.0; // 2025-10-15T10:00:00Z
        let cases = [
            Value::Time(expected),
            Value::Int(1_760_522_400_000),
            Value::Float(1_760_522_400_000.0),
            Value::Int(1_760_522_400),
            s("2025-10-15T10:00:00Z"),
            s("2025-10-15T12:00:00+02:00"),
            s("2025-10-15T12:00:00.000+02:00[Europe/Berlin]"),
            s("2025-10-15T10:00:00"),
            s("2025-10-15 10:00:00"),
            s("1760522400000"),
        ];
        for value in cases {
            assert_eq!(timestamp_seconds(&value), Ok(Some(expected)), "{value:?}");
        }
        let date = NaiveDate::from_ymd_opt(2025, 10, 15).unwrap();
        assert_eq!(timestamp_seconds(&Value::Date(date)), Ok(Some(1_760_486_400.0)));
        assert_eq!(timestamp_seconds(&s("2025-10-15")), Ok(Some(1_760_486_400.0)));
        assert_eq!(timestamp_seconds(&Value::Null), Ok(None));
        assert_eq!(timestamp_seconds(&s("yesterday")), Err(Unreadable));
        assert_eq!(timestamp_seconds(&Value::Bool(true)), Err(Unreadable));
    }

    #[test]
    fn execution_time_is_milliseconds_unless_a_duration() {
        assert_eq!(execution_seconds(&Value::Int(1500)), Ok(Some(1.5)));
        assert_eq!(execution_seconds(&Value::Float(250.0)), Ok(Some(0.25)));
        assert_eq!(execution_seconds(&s("12000")), Ok(Some(12.0)));
        assert_eq!(execution_seconds(&Value::Duration(3.0)), Ok(Some(3.0)));
        assert_eq!(execution_seconds(&Value::Null), Ok(None));
        assert_eq!(execution_seconds(&s("fast")), Err(Unreadable));
        assert_eq!(execution_seconds(&Value::Int(-5)), Err(Unreadable));
        assert_eq!(execution_seconds(&Value::List(vec![])), Err(Unreadable));
    }

    #[test]
    fn a_failed_record_keeps_its_error_text_and_class() {
        let (m, problems) = decode_now(
            &row(&[
                ("filename", s("V003__add_index.cypher")),
                ("status", s("FAILED")),
                ("appliedAt", Value::Int(1_760_522_400_000)),
                ("executionTime", Value::Int(30_500)),
                ("description", s("FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists: x")),
            ]),
            WORDS,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(m.filename.as_deref(), Some("V003__add_index.cypher"));
        assert_eq!(m.status, Status::Failed);
        assert_eq!(m.execution_seconds, Some(30.5));
        assert_eq!(m.error_class(), ErrorClass::SchemaConflict);
    }

    #[test]
    fn mistyped_properties_are_noted_and_the_rest_is_kept() {
        let (m, problems) = decode_now(
            &row(&[
                ("filename", Value::List(vec![])),
                ("status", Value::Int(1)),
                ("appliedAt", s("not a time")),
                ("executionTime", Value::Bool(true)),
                ("checksum", Value::Map(BTreeMap::new())),
            ]),
            WORDS,
        );
        assert_eq!(
            problems,
            vec![
                Invalid::InvalidFilename,
                Invalid::InvalidStatus,
                Invalid::InvalidAppliedAt,
                Invalid::InvalidExecutionTime,
                Invalid::InvalidChecksum
            ]
        );
        assert_eq!(m.status, Status::Unknown);
        assert_eq!(m.filename, None);
    }

    #[test]
    fn missing_properties_are_noted() {
        let (m, problems) = decode_now(&row(&[("status", s("SUCCESS"))]), WORDS);
        assert_eq!(problems, vec![Invalid::MissingFilename, Invalid::MissingAppliedAt]);
        assert_eq!(m.status, Status::Success);
        let (_, problems) = decode_now(&row(&[("filename", s("a.cypher"))]), WORDS);
        assert_eq!(problems, vec![Invalid::MissingStatus]);
    }

    #[test]
    fn a_pending_record_without_a_time_is_not_invalid() {
        let (_, problems) = decode_now(&row(&[("filename", s("a.cypher")), ("status", s("PENDING"))]), WORDS);
        assert!(problems.is_empty());
    }

    #[test]
    fn change_sets_are_named_after_their_change_log() {
        let (m, _) =
            decode_now(&row(&[("filename", s("db/changelog.xml")), ("changeset", s("create-index")), ("status", s("SUCCESS"))]), WORDS);
        assert_eq!(m.filename.as_deref(), Some("db/changelog.xml::create-index"));
    }
}
