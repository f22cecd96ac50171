//! Connecting to Neo4j and running read-only statements, each bounded by a timeout.
//!
//! Rows are decoded into [`Value`], a small model of what Cypher returns, so collectors parse
//! plain data and tolerate whatever type a property happens to hold.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use neo4rs::{query, BoltType, ConfigBuilder, Graph, Row};

use crate::config::Neo4jConfig;

/// A value as returned by Cypher, with temporal values already in seconds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A point in time as seconds since the Unix epoch; local date-times are taken as UTC.
    Time(f64),
    /// A calendar date (no time of day).
    Date(NaiveDate),
    /// A duration in seconds (months count as 30.44 days).
    Duration(f64),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// Anything the exporter never reads as data (nodes, points, bytes), by type name.
    Other(&'static str),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// An integer, or a float with no fractional part.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) if f.is_finite() => Some(f),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// A statement's parameters: name and value. The driver's own types stay in this file.
pub type Params<'a> = Vec<(&'a str, Value)>;

fn to_bolt(value: Value) -> BoltType {
    match value {
        Value::Null | Value::Time(_) | Value::Date(_) | Value::Duration(_) | Value::Map(_) | Value::Other(_) => {
            BoltType::Null(neo4rs::BoltNull)
        }
        Value::Bool(b) => BoltType::from(b),
        Value::Int(i) => BoltType::from(i),
        Value::Float(f) => BoltType::from(f),
        Value::Str(s) => BoltType::from(s),
        Value::List(items) => BoltType::List(neo4rs::BoltList::from(items.into_iter().map(to_bolt).collect::<Vec<_>>())),
    }
}

/// One result row: column name to value.
pub type Record = BTreeMap<String, Value>;

/// Reads a column, treating a missing column as null.
pub fn column<'r>(record: &'r Record, name: &str) -> &'r Value {
    const NULL: &Value = &Value::Null;
    record.get(name).unwrap_or(NULL)
}

fn decode(value: BoltType) -> Value {
    match value {
        BoltType::Null(_) => Value::Null,
        BoltType::Boolean(b) => Value::Bool(b.value),
        BoltType::Integer(i) => Value::Int(i.value),
        BoltType::Float(f) => Value::Float(f.value),
        BoltType::String(s) => Value::Str(s.value),
        BoltType::List(list) => Value::List(list.value.into_iter().map(decode).collect()),
        BoltType::Map(map) => Value::Map(map.value.into_iter().map(|(k, v)| (k.value, decode(v))).collect()),
        BoltType::DateTime(dt) => DateTime::<Utc>::try_from(&dt).map_or(Value::Other("datetime"), epoch),
        // Zone-id values arrive as local wall-clock seconds; the offset conversion applies the zone.
        BoltType::DateTimeZoneId(dt) => DateTime::<FixedOffset>::try_from(&dt).map_or(Value::Other("datetime"), |t| epoch(t.to_utc())),
        BoltType::LocalDateTime(dt) => NaiveDateTime::try_from(&dt).map_or(Value::Other("localdatetime"), |naive| epoch(naive.and_utc())),
        BoltType::Date(date) => NaiveDate::try_from(&date).map_or(Value::Other("date"), Value::Date),
        BoltType::Duration(d) => Value::Duration(signed_seconds(Duration::from(d))),
        BoltType::Time(_) => Value::Other("time"),
        BoltType::LocalTime(_) => Value::Other("localtime"),
        BoltType::Node(_) => Value::Other("node"),
        BoltType::Relation(_) | BoltType::UnboundedRelation(_) => Value::Other("relationship"),
        BoltType::Path(_) => Value::Other("path"),
        BoltType::Point2D(_) | BoltType::Point3D(_) => Value::Other("point"),
        BoltType::Bytes(_) => Value::Other("bytes"),
    }
}

/// Neo4j sends a duration as whole seconds (negative for a negative duration) plus nanoseconds
/// from 0 to 999,999,999: −1 ms is −1 s + 999,000,000 ns, which `SHOW TRANSACTIONS` reports for
/// a transaction that began a moment ago. The driver's conversion stores the seconds in a `u64`
/// with a plain cast, so a negative duration reads as nearly 2^64 s; casting back restores the
/// sign exactly, since that cast lost no bits.
fn signed_seconds(wrapped: Duration) -> f64 {
    wrapped.as_secs() as i64 as f64 + f64::from(wrapped.subsec_nanos()) / 1e9
}

fn epoch(time: DateTime<Utc>) -> Value {
    Value::Time(time.timestamp_micros() as f64 / 1e6)
}

fn decode_row(row: &Row) -> Record {
    row.keys()
        .into_iter()
        .map(|key| {
            let value = row.get::<BoltType>(&key.value).map_or(Value::Other("undecodable"), decode);
            (key.value.clone(), value)
        })
        .collect()
}

fn pool(config: &Neo4jConfig, connections: usize) -> Result<Graph, QueryError> {
    let mut builder = ConfigBuilder::default()
        .uri(config.uri.as_str())
        .user(config.user.as_str())
        .password(config.password.expose())
        .max_connections(connections)
        .fetch_size(1000)
        .connection_timeout(DRIVER_READ_BOUND)
        .idle_timeout(Some(Duration::from_secs(60)));
    if let Some(db) = &config.database {
        builder = builder.db(db.as_str());
    }
    if let Some(ca) = &config.tls_ca_file {
        // neo4rs calls the CA that verifies the server a "client certificate".
        builder = builder.with_client_certificate(ca);
    }
    let neo4rs_config = builder.build().map_err(|e| classify(e, &config.user))?;
    Graph::connect(neo4rs_config).map_err(|e| classify(e, &config.user))
}

/// Shortest wait after a failed login before the same credentials try again: Neo4j locks a
/// user for 5 s after three failed logins, for every client.
pub const LOGIN_RETRY_FLOOR: Duration = Duration::from_secs(6);

/// Why a statement gave no result.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("authentication failed for user '{user}': {reason}")]
    Authentication { user: String, reason: String },
    #[error("Neo4j is unreachable: {0}")]
    Unreachable(String),
    #[error("no answer from Neo4j within {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    #[error("Neo4j refused the statement ({code}): {message}")]
    Refused { code: String, message: String },
    #[error("unexpected answer from Neo4j: {0}")]
    Protocol(String),
}

impl QueryError {
    /// True when the fault is with the connection rather than one statement.
    pub fn is_connection_fault(&self) -> bool {
        matches!(self, QueryError::Unreachable(_) | QueryError::Timeout(_) | QueryError::Authentication { .. })
    }
}

fn classify(error: neo4rs::Error, user: &str) -> QueryError {
    use neo4rs::Error as E;
    match error {
        E::AuthenticationError(reason) => QueryError::Authentication { user: user.to_string(), reason },
        E::Neo4j(e) if e.code().starts_with("Neo.ClientError.Security.") => {
            QueryError::Authentication { user: user.to_string(), reason: format!("{} ({})", e.message(), e.code()) }
        }
        E::Neo4j(e) => QueryError::Refused { code: e.code().to_string(), message: e.message().to_string() },
        E::IOError { detail } => QueryError::Unreachable(detail.to_string()),
        e @ (E::ConnectionError
        | E::ConnectionTimedOut
        | E::ServerUnavailableError(_)
        | E::UnsupportedScheme(_)
        | E::InvalidDnsName(_)
        | E::UrlParseError(_)
        | E::IncompleteBoltExchange
        | E::ProtocolMismatch(_)) => QueryError::Unreachable(e.to_string()),
        other => QueryError::Protocol(other.to_string()),
    }
}

/// Server name, version and edition as reported by `dbms.components()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerInfo {
    pub version: String,
    pub edition: String,
}

/// Opens every statement the exporter sends, so that the transactions collector (and anyone
/// reading `SHOW TRANSACTIONS`) can tell the exporter's own work apart.
pub const STATEMENT_MARKER: &str = "/* neo4j-migration-exporter */";

const SERVER_INFO: &str = "CALL dbms.components() YIELD name, versions, edition \
                           WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version, edition";

/// A handle on one Neo4j server. Cloning shares the connection pool.
#[derive(Clone)]
pub struct Neo4j {
    graph: Graph,
    config: Neo4jConfig,
}

/// neo4rs bounds every network read by its connection timeout, which would cut any statement
/// longer than that. Each statement here has a bound of its own (the caller's timeout, on the
/// server and around the whole exchange), so the driver's is set past any of them.
const DRIVER_READ_BOUND: Duration = Duration::from_secs(24 * 3600);

impl Neo4j {
    /// Prepares a connection pool; nothing is contacted until the first statement.
    pub fn new(config: &Neo4jConfig) -> Result<Self, QueryError> {
        Ok(Neo4j { graph: pool(config, 4)?, config: config.clone() })
    }

    /// Runs one read-only statement and hands each decoded row to `each`, so large results
    /// are never held whole. The server enforces the timeout as the transaction timeout, and
    /// the client enforces it again around the whole exchange.
    pub async fn read_each(
        &self,
        cypher: &str,
        params: Params<'_>,
        timeout: Duration,
        mut each: impl FnMut(Record) + Send,
    ) -> Result<(), QueryError> {
        self.read_rows(cypher, params, timeout, |row| each(decode_row(&row))).await
    }

    /// As [`Neo4j::read_each`] for a statement that returns one list per row (`RETURN [...] AS r`):
    /// `each` gets the list's values in order. One column per row is much cheaper to decode
    /// than many, which matters for large results such as 100,000 migration records.
    pub async fn read_lists(
        &self,
        cypher: &str,
        params: Params<'_>,
        timeout: Duration,
        mut each: impl FnMut(Vec<Value>) + Send,
    ) -> Result<(), QueryError> {
        self.read_rows(cypher, params, timeout, |row| {
            let values = match row.get::<BoltType>("r").map(decode) {
                Ok(Value::List(values)) => values,
                Ok(other) => vec![other],
                Err(_) => Vec::new(),
            };
            each(values)
        })
        .await
    }

    async fn read_rows(
        &self,
        cypher: &str,
        params: Params<'_>,
        timeout: Duration,
        mut each: impl FnMut(Row) + Send,
    ) -> Result<(), QueryError> {
        let tx_timeout_ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX).max(1);
        let params: Vec<(&str, BoltType)> = params.into_iter().map(|(name, value)| (name, to_bolt(value))).collect();
        let statement = query(&format!("{STATEMENT_MARKER} {cypher}")).params(params).extra("tx_timeout", tx_timeout_ms);
        let exchange = async {
            let mut rows = self.graph.execute_read(statement).await?;
            while let Some(row) = rows.next().await? {
                each(row);
            }
            Ok::<(), neo4rs::Error>(())
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result.map_err(|e| classify(e, &self.config.user)),
            Err(_) => Err(QueryError::Timeout(timeout)),
        }
    }

    /// Runs one read-only statement and returns all rows.
    pub async fn read(&self, cypher: &str, params: Params<'_>, timeout: Duration) -> Result<Vec<Record>, QueryError> {
        let mut rows = Vec::new();
        self.read_each(cypher, params, timeout, |row| rows.push(row)).await?;
        Ok(rows)
    }

    /// Asks the server who it is, over the pool.
    pub async fn server_info(&self, timeout: Duration) -> Result<ServerInfo, QueryError> {
        server_info_over(self, timeout).await
    }

    /// The connectivity check behind `neo4j_up`: a new connection logs in with the configured
    /// credentials and asks the server who it is, all within `timeout`. Pooled connections
    /// logged in long ago would go on working after the password was changed.
    pub async fn check_login(&self, timeout: Duration) -> Result<ServerInfo, QueryError> {
        let fresh = Neo4j { graph: pool(&self.config, 1)?, config: self.config.clone() };
        server_info_over(&fresh, timeout).await
    }
}

async fn server_info_over(db: &Neo4j, timeout: Duration) -> Result<ServerInfo, QueryError> {
    let rows = db.read(SERVER_INFO, Vec::new(), timeout).await?;
    let row = rows.first().ok_or_else(|| QueryError::Protocol("dbms.components() returned no kernel row".into()))?;
    let text = |name: &str| column(row, name).as_str().unwrap_or("unknown").to_string();
    Ok(ServerInfo { version: text("version"), edition: text("edition") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_read_as_integers_but_fractions_do_not() {
        assert_eq!(Value::Float(1500.0).as_i64(), Some(1500));
        assert_eq!(Value::Float(1500.5).as_i64(), None);
        assert_eq!(Value::Int(7).as_f64(), Some(7.0));
        assert_eq!(Value::Float(f64::NAN).as_f64(), None);
    }

    #[test]
    fn security_codes_classify_as_authentication_failures() {
        let e = classify(neo4rs::Error::AuthenticationError("bad credentials".into()), "neo4j");
        assert_eq!(e.to_string(), "authentication failed for user 'neo4j': bad credentials");
        assert!(e.is_connection_fault());
    }
}
