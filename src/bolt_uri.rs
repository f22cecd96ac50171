//! Bolt URIs as the exporter reads them: parsed into scheme, host and port for the probe
//! allow-list, and shown with any credentials or query values replaced, wherever they go.

use url::Url;

/// A Bolt target reduced to what decides where a connection goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoltTarget {
    pub scheme: String,
    /// Lower-case; an IPv6 address keeps its brackets.
    pub host: String,
    pub port: u16,
}

/// The Bolt port when a URI names none.
pub const DEFAULT_PORT: u16 = 7687;

/// Longest host name DNS allows; longer ones are refused before any matching.
const MAX_HOST: usize = 253;

/// Longest target accepted at all.
const MAX_URI: usize = 2048;

/// The URI schemes of Bolt, routed or direct, plain or TLS.
pub const SCHEMES: &[&str] = &["bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"];

impl BoltTarget {
    /// A URI naming a server and nothing else: a Bolt scheme, a host, perhaps a port and a `/`.
    /// User info, a path, a query or a fragment are refused, since they could make the text
    /// say one server while the connection goes to another.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_URI {
            return Err(format!("longer than {MAX_URI} characters"));
        }
        let url = Url::parse(text.trim()).map_err(|e| format!("not a URI: {e}"))?;
        if !SCHEMES.contains(&url.scheme()) {
            return Err(format!("unsupported scheme '{}'; use one of {}", url.scheme(), SCHEMES.join(", ")));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("credentials in the URI are not allowed".into());
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err("a Bolt target is scheme://host:port, with no path, query or fragment".into());
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("the URI names no host")?.to_ascii_lowercase();
        if host.len() > MAX_HOST {
            return Err(format!("the host is longer than {MAX_HOST} characters"));
        }
        Ok(BoltTarget { scheme: url.scheme().to_string(), host, port: url.port().unwrap_or(DEFAULT_PORT) })
    }
}

/// A URI as it may be shown: user info becomes `***`, and so does every query value (Neo4j's
/// routing context could be abused to carry a password). Of text that is no URI but holds an
/// `@` or a `?`, only the scheme is shown.
pub fn redacted(text: &str) -> String {
    let parsed = Url::parse(text.trim()).ok().filter(|url| url.host_str().is_some());
    let Some(mut url) = parsed else {
        if !text.contains(['@', '?']) {
            return text.to_string();
        }
        return text.split_once("://").map_or_else(|| "***".to_string(), |(scheme, _)| format!("{scheme}://***"));
    };
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("***");
        let _ = url.set_password(None);
    }
    if url.query().is_some() {
        let keys: Vec<String> = url.query_pairs().map(|(key, _)| key.into_owned()).collect();
        url.query_pairs_mut().clear().extend_pairs(keys.iter().map(|key| (key.as_str(), "***")));
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(text: &str) -> Result<(String, String, u16), String> {
        BoltTarget::parse(text).map(|t| (t.scheme, t.host, t.port))
    }

    #[test]
    fn a_target_is_scheme_host_and_port() {
        assert_eq!(target("bolt://DB-1.internal:7688").unwrap(), ("bolt".into(), "db-1.internal".into(), 7688));
        assert_eq!(target("neo4j+s://db.internal").unwrap(), ("neo4j+s".into(), "db.internal".into(), 7687));
        assert_eq!(target("bolt://[::1]:7687/").unwrap(), ("bolt".into(), "[::1]".into(), 7687));
    }

    #[test]
    fn anything_that_could_point_elsewhere_is_refused() {
        for hostile in [
            "bolt://127.0.0.1?.neo4j.test:7687",
            "bolt://127.0.0.1#.neo4j.test:7687",
            "bolt://user:pw@db.neo4j.test:7687",
            "bolt://db.neo4j.test:7687/other",
            "http://db.neo4j.test:7687",
            "bolt://",
        ] {
            assert!(BoltTarget::parse(hostile).is_err(), "{hostile}");
        }
        assert!(BoltTarget::parse(&format!("bolt://{}.test:7687", "a".repeat(300))).is_err());
    }

    #[test]
    fn credentials_and_query_values_never_show() {
        assert_eq!(redacted("bolt://alice:s3cret@db:7687"), "bolt://***@db:7687");
        assert_eq!(redacted("neo4j://db:7687?policy=eu&password=s3cret"), "neo4j://db:7687?policy=***&password=***");
        assert_eq!(redacted("bolt://db:7687"), "bolt://db:7687");
        assert_eq!(redacted("bolt://user:s3cret@bad host:7687"), "bolt://***");
        assert_eq!(redacted("user:s3cret@x"), "***");
    }
}
