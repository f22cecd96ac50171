//! The exporter-toolkit web configuration file: its YAML, checked setting by setting, into
//! [`Settings`] that name the files TLS needs and the users basic auth admits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::{Mapping, Value};

/// A web configuration file that cannot be used, as one sentence naming the file.
#[derive(Debug, thiserror::Error)]
#[error("web config file {path}: {problem}")]
pub struct WebConfigError {
    pub(super) path: String,
    pub(super) problem: Problem,
}

#[derive(Debug, thiserror::Error)]
pub(super) enum Problem {
    #[error("cannot read it: {0}")]
    Unreadable(std::io::Error),
    #[error("not valid YAML: {0}")]
    Yaml(serde_norway::Error),
    #[error("expected a mapping with tls_server_config and/or basic_auth_users")]
    NotAMapping,
    #[error("setting names must be strings, not {0}")]
    KeyNotAString(String),
    #[error("unknown setting '{0}'")]
    Unknown(String),
    #[error("'{key}' is not supported by this exporter: {instead}")]
    NotImplemented { key: String, instead: &'static str },
    #[error("'{key}' must be {expected}")]
    WrongType { key: String, expected: &'static str },
    #[error("tls_server_config needs {0}")]
    Missing(&'static str),
    #[error("client_auth_type '{0}' is not supported; use NoClientCert, RequireAndVerifyClientCert or VerifyClientCertIfGiven")]
    ClientAuthType(String),
    #[error("client_auth_type {0} needs client_ca_file, the CA certificates that sign client certificates")]
    NoClientCa(&'static str),
    #[error("client_ca_file is set but client_auth_type is NoClientCert, so no client certificate would be checked; set client_auth_type to RequireAndVerifyClientCert or VerifyClientCertIfGiven")]
    UnusedClientCa,
    #[error("{key} '{value}' is not supported; use TLS12 or TLS13")]
    TlsVersion { key: &'static str, value: String },
    #[error("min_version TLS13 is above max_version TLS12")]
    VersionsCrossed,
    #[error("the password of user '{0}' is not a bcrypt hash; make one with htpasswd -nBC 10 \"\" | tr -d ':\\n'")]
    NotBcrypt(String),
    #[error("user name '{0}' cannot contain ':' (basic auth splits user and password there)")]
    ColonInUser(String),
    #[error("cannot read {key} {path}: {reason}")]
    Pem { key: &'static str, path: String, reason: String },
    #[error("the key in tls_server_config.key_file does not belong to the certificate in tls_server_config.cert_file")]
    KeyMismatch,
    #[error("cannot use tls_server_config: {0}")]
    Tls(String),
    #[error("cannot get random bytes from the operating system")]
    NoRandomness,
}

/// The file's settings before any certificate is read.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Settings {
    pub(super) tls: Option<TlsSettings>,
    /// User name to bcrypt hash.
    pub(super) users: BTreeMap<String, String>,
}

#[derive(Debug, PartialEq)]
pub(super) struct TlsSettings {
    pub(super) cert_file: PathBuf,
    pub(super) key_file: PathBuf,
    pub(super) client_auth: ClientAuth,
    pub(super) client_ca_file: Option<PathBuf>,
    pub(super) min_version: TlsVersion,
    pub(super) max_version: TlsVersion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ClientAuth {
    None,
    Required,
    IfGiven,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum TlsVersion {
    Tls12,
    Tls13,
}

/// exporter-toolkit settings this exporter does not implement, with what to do instead. They
/// are refused rather than ignored: a security setting that silently does nothing is worse
/// than a start that fails.
const NOT_IMPLEMENTED: &[(&str, &str)] = &[
    ("http_server_config", "it serves HTTP/1.1 and adds no response headers; remove it"),
    ("rate_limit", "--web.max-requests bounds the requests served at once; remove it"),
    ("tls_server_config.cert", "put the certificate in a file named by cert_file"),
    ("tls_server_config.key", "put the key in a file named by key_file"),
    ("tls_server_config.client_ca", "put the CA certificates in a file named by client_ca_file"),
    ("tls_server_config.cipher_suites", "rustls offers only its own safe cipher suites; remove it"),
    ("tls_server_config.prefer_server_cipher_suites", "rustls offers only its own safe cipher suites; remove it"),
    ("tls_server_config.curve_preferences", "rustls offers only its own safe key exchange groups; remove it"),
    (
        "tls_server_config.client_allowed_sans",
        "any client certificate signed by client_ca_file is accepted; remove it and give those clients a CA of their own",
    ),
];

pub(super) fn parse(text: &str, dir: &Path) -> Result<Settings, Problem> {
    let top = match serde_norway::from_str::<Value>(text).map_err(Problem::Yaml)? {
        // An empty file, or one of comments only, asks for nothing.
        Value::Null => return Ok(Settings::default()),
        Value::Mapping(top) => top,
        _ => return Err(Problem::NotAMapping),
    };
    let mut settings = Settings::default();
    for (key, value) in &top {
        match setting_name("", key)?.as_str() {
            "tls_server_config" => settings.tls = Some(parse_tls(value, dir)?),
            "basic_auth_users" => settings.users = parse_users(value)?,
            other => return Err(refuse(other)),
        }
    }
    Ok(settings)
}

fn parse_tls(value: &Value, dir: &Path) -> Result<TlsSettings, Problem> {
    let empty = Mapping::new();
    let table = match value {
        Value::Null => &empty,
        Value::Mapping(table) => table,
        _ => return Err(wrong_type("tls_server_config", "a mapping")),
    };
    let (mut cert_file, mut key_file, mut client_ca_file) = (None, None, None);
    let mut client_auth = ClientAuth::None;
    let (mut min_version, mut max_version) = (TlsVersion::Tls12, TlsVersion::Tls13);
    for (key, value) in table {
        let name = setting_name("tls_server_config.", key)?;
        match name.as_str() {
            "tls_server_config.cert_file" => cert_file = Some(file_name(&name, value, dir)?),
            "tls_server_config.key_file" => key_file = Some(file_name(&name, value, dir)?),
            "tls_server_config.client_ca_file" => client_ca_file = Some(file_name(&name, value, dir)?),
            "tls_server_config.client_auth_type" => client_auth = parse_client_auth(&text(&name, value)?)?,
            "tls_server_config.min_version" => min_version = parse_version("min_version", &text(&name, value)?)?,
            "tls_server_config.max_version" => max_version = parse_version("max_version", &text(&name, value)?)?,
            other => return Err(refuse(other)),
        }
    }
    let cert_file = cert_file.ok_or(Problem::Missing("cert_file"))?;
    let key_file = key_file.ok_or(Problem::Missing("key_file"))?;
    match (client_auth, &client_ca_file) {
        (ClientAuth::None, Some(_)) => return Err(Problem::UnusedClientCa),
        (ClientAuth::Required, None) => return Err(Problem::NoClientCa("RequireAndVerifyClientCert")),
        (ClientAuth::IfGiven, None) => return Err(Problem::NoClientCa("VerifyClientCertIfGiven")),
        _ => {}
    }
    if min_version > max_version {
        return Err(Problem::VersionsCrossed);
    }
    Ok(TlsSettings { cert_file, key_file, client_auth, client_ca_file, min_version, max_version })
}

fn parse_users(value: &Value) -> Result<BTreeMap<String, String>, Problem> {
    let table = match value {
        // "If empty, no basic authentication is required", as in exporter-toolkit.
        Value::Null => return Ok(BTreeMap::new()),
        Value::Mapping(table) => table,
        _ => return Err(wrong_type("basic_auth_users", "a mapping of user names to bcrypt hashes")),
    };
    let mut users = BTreeMap::new();
    for (key, value) in table {
        let user = match key {
            Value::String(user) => user.clone(),
            other => return Err(Problem::KeyNotAString(describe(other))),
        };
        if user.contains(':') {
            return Err(Problem::ColonInUser(user));
        }
        let hash = match value {
            Value::String(hash) if is_bcrypt(hash) => hash.clone(),
            _ => return Err(Problem::NotBcrypt(user)),
        };
        users.insert(user, hash);
    }
    Ok(users)
}

fn parse_client_auth(value: &str) -> Result<ClientAuth, Problem> {
    match value {
        "NoClientCert" => Ok(ClientAuth::None),
        "RequireAndVerifyClientCert" => Ok(ClientAuth::Required),
        "VerifyClientCertIfGiven" => Ok(ClientAuth::IfGiven),
        // RequestClientCert and RequireAnyClientCert accept certificates nobody verified.
        other => Err(Problem::ClientAuthType(other.to_string())),
    }
}

fn parse_version(key: &'static str, value: &str) -> Result<TlsVersion, Problem> {
    match value {
        "TLS12" => Ok(TlsVersion::Tls12),
        "TLS13" => Ok(TlsVersion::Tls13),
        other => Err(Problem::TlsVersion { key, value: other.to_string() }),
    }
}

/// `$2a$`, `$2b$`, `$2x$` or `$2y$`, a two-digit cost, then 53 characters of bcrypt's base64:
/// checked here so a plain-text password in the file is refused at start, not at first login.
fn is_bcrypt(hash: &str) -> bool {
    let parts: Vec<&str> = hash.split('$').collect();
    let [empty, version, cost, rest] = parts.as_slice() else { return false };
    let bcrypt_base64 = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '/';
    empty.is_empty()
        && matches!(*version, "2a" | "2b" | "2x" | "2y")
        && cost.len() == 2
        && cost.parse::<u32>().is_ok_and(|cost| (4..=31).contains(&cost))
        && rest.len() == 53
        && rest.chars().all(bcrypt_base64)
}

/// The dotted name of a setting, for messages and for matching.
fn setting_name(prefix: &str, key: &Value) -> Result<String, Problem> {
    match key {
        Value::String(name) => Ok(format!("{prefix}{name}")),
        other => Err(Problem::KeyNotAString(describe(other))),
    }
}

fn refuse(name: &str) -> Problem {
    match NOT_IMPLEMENTED.iter().find(|(key, _)| *key == name) {
        Some((key, instead)) => Problem::NotImplemented { key: key.to_string(), instead },
        None => Problem::Unknown(name.to_string()),
    }
}

fn text(name: &str, value: &Value) -> Result<String, Problem> {
    match value {
        Value::String(text) if !text.trim().is_empty() => Ok(text.trim().to_string()),
        _ => Err(wrong_type(name, "a non-empty string")),
    }
}

fn file_name(name: &str, value: &Value, dir: &Path) -> Result<PathBuf, Problem> {
    match value {
        Value::String(file) if !file.trim().is_empty() => Ok(dir.join(file.trim())),
        _ => Err(wrong_type(name, "a file name")),
    }
}

fn wrong_type(key: &str, expected: &'static str) -> Problem {
    Problem::WrongType { key: key.to_string(), expected }
}

fn describe(value: &Value) -> String {
    serde_norway::to_string(value).map_or_else(|_| "that".into(), |s| format!("'{}'", s.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `htpasswd -nbBC 10` made it.
    const HASH: &str = "$2y$10$92Qc.oGz484XVZm6Dj4JauUCotCrYgE1vS1PmehgFBnHyLycjQTAS";

    fn parse_text(text: &str) -> Result<Settings, String> {
        parse(text, Path::new("/etc/exporter")).map_err(|e| e.to_string())
    }

    #[test]
    fn an_empty_file_asks_for_nothing() {
        assert_eq!(parse_text("").unwrap(), Settings::default());
        assert_eq!(parse_text("# nothing yet\n").unwrap(), Settings::default());
        assert_eq!(parse_text("basic_auth_users:\n").unwrap(), Settings::default());
    }

    #[test]
    fn relative_files_resolve_against_the_config_files_directory() {
        let settings = parse_text(
            "tls_server_config:\n  cert_file: tls/server.pem\n  key_file: /keys/server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n  min_version: TLS13\n",
        )
        .unwrap();
        let tls = settings.tls.unwrap();
        assert_eq!(tls.cert_file, Path::new("/etc/exporter/tls/server.pem"));
        assert_eq!(tls.key_file, Path::new("/keys/server.key"));
        assert_eq!(tls.client_ca_file.as_deref(), Some(Path::new("/etc/exporter/ca.pem")));
        assert_eq!((tls.client_auth, tls.min_version, tls.max_version), (ClientAuth::Required, TlsVersion::Tls13, TlsVersion::Tls13));
    }

    #[test]
    fn toolkit_settings_not_implemented_are_refused_by_name() {
        let err = parse_text("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n").unwrap_err();
        assert!(err.starts_with("'tls_server_config.cipher_suites' is not supported by this exporter: "), "{err}");
        let err = parse_text("http_server_config:\n  http2: false\n").unwrap_err();
        assert!(err.starts_with("'http_server_config' is not supported"), "{err}");
    }

    #[test]
    fn unknown_settings_are_refused_by_name() {
        assert_eq!(parse_text("basic_auth_user:\n  a: b\n").unwrap_err(), "unknown setting 'basic_auth_user'");
        let err = parse_text("tls_server_config:\n  cert_fil: a\n").unwrap_err();
        assert_eq!(err, "unknown setting 'tls_server_config.cert_fil'");
    }

    #[test]
    fn client_auth_needs_a_ca_file_and_a_ca_file_needs_client_auth() {
        let base = "tls_server_config:\n  cert_file: a\n  key_file: b\n";
        let err = parse_text(&format!("{base}  client_auth_type: VerifyClientCertIfGiven\n")).unwrap_err();
        assert!(err.starts_with("client_auth_type VerifyClientCertIfGiven needs client_ca_file"), "{err}");
        let err = parse_text(&format!("{base}  client_ca_file: ca.pem\n")).unwrap_err();
        assert!(err.starts_with("client_ca_file is set but client_auth_type is NoClientCert"), "{err}");
        let err = parse_text(&format!("{base}  client_auth_type: RequireAnyClientCert\n  client_ca_file: ca.pem\n")).unwrap_err();
        assert!(err.starts_with("client_auth_type 'RequireAnyClientCert' is not supported; use NoClientCert,"), "{err}");
    }

    #[test]
    fn tls_versions_are_12_or_13_and_in_order() {
        let base = "tls_server_config:\n  cert_file: a\n  key_file: b\n";
        let err = parse_text(&format!("{base}  min_version: TLS11\n")).unwrap_err();
        assert_eq!(err, "min_version 'TLS11' is not supported; use TLS12 or TLS13");
        let err = parse_text(&format!("{base}  min_version: TLS13\n  max_version: TLS12\n")).unwrap_err();
        assert_eq!(err, "min_version TLS13 is above max_version TLS12");
    }

    #[test]
    fn only_bcrypt_hashes_are_accepted_as_passwords() {
        assert!(is_bcrypt(HASH));
        assert!(is_bcrypt(&HASH.replace("$2y$", "$2b$")));
        assert!(!is_bcrypt("hunter22"));
        assert!(!is_bcrypt(&HASH.replace("$2y$", "$1$")));
        assert!(!is_bcrypt(&HASH[..HASH.len() - 1]));
        let err = parse_text("basic_auth_users:\n  alice: hunter22\n").unwrap_err();
        assert!(err.starts_with("the password of user 'alice' is not a bcrypt hash"), "{err}");
        assert!(!err.contains("hunter22"), "{err}");
    }
}
