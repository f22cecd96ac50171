//! The HTTP front door: the exporter-toolkit web configuration file (TLS and basic auth), and
//! the accept loop that serves the router within bounds on requests, connections and slow
//! clients.
//!
//! Everything in the file is checked by [`load`] before the daemon binds its port, so a
//! mistake stops the start with one sentence instead of surfacing at the first scrape.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use base64::Engine as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_yaml::{Mapping, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// How long a client may take over the TLS handshake before its connection is closed.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's headers; it also bounds how long an idle
/// connection stays open, since waiting for the next request is reading its headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Open connections allowed per place in `--web.max-requests`: enough for keep-alive clients
/// between scrapes, few enough that idle sockets cannot pile up.
pub const CONNECTIONS_PER_REQUEST: usize = 4;

/// The answer to a request without the right credentials names the realm they are for.
const CHALLENGE: &str = "Basic realm=\"neo4j-migration-exporter\"";

/// Probes answer without credentials: they reveal nothing, and kubelets carry no password.
const OPEN_PATHS: &[&str] = &["/healthz", "/ready"];

/// How long a successful password check is trusted. A bcrypt check costs tens of
/// milliseconds of CPU and Prometheus scrapes every few seconds with the same credentials.
const VERIFIED_FOR: Duration = Duration::from_secs(60);

/// Most remembered verifications; only right passwords are remembered, so a full cache means
/// many real users, and forgetting them costs one bcrypt check each.
const VERIFIED_CAPACITY: usize = 256;

/// How long a new connection is safe from being closed to make room: long enough for a
/// client to send its request, short enough that a pile of silent sockets drains quickly.
const NEW_CONNECTION_GRACE: Duration = Duration::from_millis(250);

/// How long a connection closed to make room may take to finish writing its last response.
const EVICTION_GRACE: Duration = Duration::from_secs(2);

/// What the web configuration file asked for, checked and ready to serve with.
#[derive(Default)]
pub struct WebSecurity {
    tls: Option<TlsAcceptor>,
    auth: Option<BasicAuth>,
}

impl WebSecurity {
    pub fn uses_tls(&self) -> bool {
        self.tls.is_some()
    }

    pub fn uses_basic_auth(&self) -> bool {
        self.auth.is_some()
    }
}

/// A web configuration file that cannot be used, as one sentence naming the file.
#[derive(Debug, thiserror::Error)]
#[error("web config file {path}: {problem}")]
pub struct WebConfigError {
    path: String,
    problem: Problem,
}

#[derive(Debug, thiserror::Error)]
enum Problem {
    #[error("cannot read it: {0}")]
    Unreadable(std::io::Error),
    #[error("not valid YAML: {0}")]
    Yaml(serde_yaml::Error),
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

/// Reads and checks the web configuration file: its YAML, the certificates and keys it names
/// (relative to the file's own directory) and the password hashes.
pub fn load(path: &Path) -> Result<WebSecurity, WebConfigError> {
    let fail = |problem| WebConfigError { path: path.display().to_string(), problem };
    let text = std::fs::read_to_string(path).map_err(|e| fail(Problem::Unreadable(e)))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let settings = parse(&text, dir).map_err(fail)?;
    let tls = match &settings.tls {
        Some(tls) => Some(TlsAcceptor::from(Arc::new(server_config(tls).map_err(fail)?))),
        None => None,
    };
    let auth = match settings.users.is_empty() {
        true => None,
        false => Some(BasicAuth::new(settings.users).map_err(fail)?),
    };
    Ok(WebSecurity { tls, auth })
}

// ---------------------------------------------------------------------------------------------
// The file

/// The file's settings before any certificate is read.
#[derive(Debug, Default, PartialEq)]
struct Settings {
    tls: Option<TlsSettings>,
    /// User name to bcrypt hash.
    users: BTreeMap<String, String>,
}

#[derive(Debug, PartialEq)]
struct TlsSettings {
    cert_file: PathBuf,
    key_file: PathBuf,
    client_auth: ClientAuth,
    client_ca_file: Option<PathBuf>,
    min_version: TlsVersion,
    max_version: TlsVersion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientAuth {
    None,
    Required,
    IfGiven,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum TlsVersion {
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

fn parse(text: &str, dir: &Path) -> Result<Settings, Problem> {
    let top = match serde_yaml::from_str::<Value>(text).map_err(Problem::Yaml)? {
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
    serde_yaml::to_string(value).map_or_else(|_| "that".into(), |s| format!("'{}'", s.trim()))
}

// ---------------------------------------------------------------------------------------------
// TLS

fn server_config(settings: &TlsSettings) -> Result<rustls::ServerConfig, Problem> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = read_certificates("tls_server_config.cert_file", &settings.cert_file)?;
    let key = PrivateKeyDer::from_pem_file(&settings.key_file)
        .map_err(|e| pem_problem("tls_server_config.key_file", &settings.key_file, e, "no private key"))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&protocol_versions(settings.min_version, settings.max_version))
        .map_err(|e| Problem::Tls(e.to_string()))?;
    let builder = match (settings.client_auth, &settings.client_ca_file) {
        (ClientAuth::None, _) | (_, None) => builder.with_no_client_auth(),
        (client_auth, Some(ca_file)) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in read_certificates("tls_server_config.client_ca_file", ca_file)? {
                roots.add(cert).map_err(|e| Problem::Pem {
                    key: "tls_server_config.client_ca_file",
                    path: ca_file.display().to_string(),
                    reason: format!("not a usable CA certificate: {e}"),
                })?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = match client_auth {
                ClientAuth::IfGiven => verifier.allow_unauthenticated(),
                _ => verifier,
            };
            builder.with_client_cert_verifier(verifier.build().map_err(|e| Problem::Tls(e.to_string()))?)
        }
    };
    let mut config = builder.with_single_cert(certs, key).map_err(|e| match e {
        rustls::Error::InconsistentKeys(_) => Problem::KeyMismatch,
        other => Problem::Tls(other.to_string()),
    })?;
    // Only HTTP/1.1 is served; saying so lets clients skip offering HTTP/2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn protocol_versions(min: TlsVersion, max: TlsVersion) -> Vec<&'static rustls::SupportedProtocolVersion> {
    [(TlsVersion::Tls12, &rustls::version::TLS12), (TlsVersion::Tls13, &rustls::version::TLS13)]
        .into_iter()
        .filter(|(version, _)| (min..=max).contains(version))
        .map(|(_, supported)| supported)
        .collect()
}

fn read_certificates(key: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, Problem> {
    let problem = |e| pem_problem(key, path, e, "no certificate");
    let certs = CertificateDer::pem_file_iter(path).map_err(problem)?.collect::<Result<Vec<_>, _>>().map_err(problem)?;
    match certs.is_empty() {
        true => Err(problem(pem::Error::NoItemsFound)),
        false => Ok(certs),
    }
}

fn pem_problem(key: &'static str, path: &Path, error: pem::Error, missing: &str) -> Problem {
    let reason = match error {
        pem::Error::Io(e) => e.to_string(),
        pem::Error::NoItemsFound => format!("{missing} in PEM format found in it"),
        other => format!("not valid PEM: {other}"),
    };
    Problem::Pem { key, path: path.display().to_string(), reason }
}

// ---------------------------------------------------------------------------------------------
// Basic auth

struct BasicAuth {
    /// User name to bcrypt hash.
    users: BTreeMap<String, String>,
    /// Checked against when the user is unknown, so that a wrong name costs as long as a
    /// wrong password and response times do not tell which names exist.
    decoy: String,
    /// Mixed into fingerprints so that remembered verifications cannot be checked offline
    /// against guessed passwords.
    key: [u8; 32],
    verified: Mutex<Verified>,
}

/// Fingerprints of credentials that passed a bcrypt check, and when.
#[derive(Default)]
struct Verified(HashMap<[u8; 32], Instant>);

impl BasicAuth {
    fn new(users: BTreeMap<String, String>) -> Result<Self, Problem> {
        let decoy = users.values().next().cloned().unwrap_or_default();
        let mut key = [0u8; 32];
        rustls::crypto::ring::default_provider().secure_random.fill(&mut key).map_err(|_| Problem::NoRandomness)?;
        Ok(BasicAuth { users, decoy, key, verified: Mutex::default() })
    }

    /// Whether the request carries the name and password of a configured user.
    async fn admits(&self, headers: &HeaderMap) -> bool {
        let Some((user, password)) = credentials(headers) else { return false };
        let fingerprint = self.fingerprint(&user, &password);
        if self.remembered().contains(&fingerprint, Instant::now()) {
            return true;
        }
        let known = self.users.get(&user);
        let hash = known.unwrap_or(&self.decoy).clone();
        // bcrypt is deliberately slow: it runs off the async workers so other requests go on.
        let matches = tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false)).await.unwrap_or(false);
        let admitted = matches && known.is_some();
        if admitted {
            self.remembered().insert(fingerprint, Instant::now());
        }
        admitted
    }

    fn fingerprint(&self, user: &str, password: &[u8]) -> [u8; 32] {
        let mut digest = Sha256::new();
        digest.update(self.key);
        digest.update((user.len() as u64).to_le_bytes());
        digest.update(user.as_bytes());
        digest.update(password);
        digest.finalize().into()
    }

    fn remembered(&self) -> MutexGuard<'_, Verified> {
        // The map stays consistent whatever panicked while holding it.
        self.verified.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Verified {
    fn contains(&self, fingerprint: &[u8; 32], now: Instant) -> bool {
        self.0.get(fingerprint).is_some_and(|at| now.duration_since(*at) < VERIFIED_FOR)
    }

    fn insert(&mut self, fingerprint: [u8; 32], now: Instant) {
        if self.0.len() >= VERIFIED_CAPACITY {
            self.0.retain(|_, at| now.duration_since(*at) < VERIFIED_FOR);
        }
        if self.0.len() >= VERIFIED_CAPACITY {
            self.0.clear();
        }
        self.0.insert(fingerprint, now);
    }
}

/// The user name and password of an `Authorization: Basic` header.
fn credentials(headers: &HeaderMap) -> Option<(String, Vec<u8>)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    let user = String::from_utf8(decoded[..colon].to_vec()).ok()?;
    Some((user, decoded[colon + 1..].to_vec()))
}

fn needs_credentials(path: &str) -> bool {
    !OPEN_PATHS.contains(&path)
}

fn unauthorized() -> Response<Body> {
    let mut response = Response::new(Body::from("401 Unauthorized\n"));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

// ---------------------------------------------------------------------------------------------
// Serving

/// What every connection task shares.
struct Shared {
    app: Router,
    tls: Option<TlsAcceptor>,
    auth: Option<BasicAuth>,
    /// Places for requests being answered; a request waits for one.
    requests: Semaphore,
    connections: Mutex<Connections>,
}

impl Shared {
    fn connections(&self) -> MutexGuard<'_, Connections> {
        self.connections.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Serves `app` on `listener` until `stop` completes, then stops accepting, lets requests
/// being answered finish and returns once every connection is closed.
///
/// At most `max_requests` requests are answered at once (more wait), and at most
/// [`CONNECTIONS_PER_REQUEST`] times as many connections stay open: when that many are open,
/// an idle one is closed to make room, or, when none is idle, accepting waits.
pub async fn serve(listener: TcpListener, app: Router, security: WebSecurity, max_requests: usize, stop: impl Future<Output = ()>) {
    let max_requests = max_requests.max(1);
    let shared = Arc::new(Shared {
        app,
        tls: security.tls,
        auth: security.auth,
        requests: Semaphore::new(max_requests),
        connections: Mutex::new(Connections::new(max_requests.saturating_mul(CONNECTIONS_PER_REQUEST))),
    });
    let (stopping, stop_seen) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(stop);
    'accepting: loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: give closing connections a moment.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            // Reaps finished connections so the set holds only open ones.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
        };
        let tracked = loop {
            let admitted = shared.connections().admit(Instant::now());
            let next_chance = match admitted {
                Ok(tracked) => break tracked,
                Err(next_chance) => next_chance,
            };
            // No open connection can be closed yet: this client waits rather than being
            // turned away, and later ones wait in the listen backlog, since nothing is
            // accepted meanwhile.
            let room = shared.connections().room.clone();
            let matured = async {
                match next_chance {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut stop => break 'accepting,
                () = room.notified() => {}
                () = matured => {}
            }
        };
        tasks.spawn(connection(stream, peer, shared.clone(), tracked, stop_seen.clone()));
    }
    drop(listener);
    stopping.send_replace(true);
    while tasks.join_next().await.is_some() {}
}

async fn connection(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>, tracked: Arc<Tracked>, mut stop: watch::Receiver<bool>) {
    let _open = Open { shared: shared.clone(), tracked: tracked.clone() };
    let _ = stream.set_nodelay(true);
    let Some(acceptor) = shared.tls.clone() else {
        return speak_http(stream, peer, &shared, &tracked, &mut stop).await;
    };
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
    let tls = tokio::select! {
        done = handshake => match done {
            Ok(Ok(tls)) => tls,
            Ok(Err(error)) => {
                tracing::debug!(%peer, %error, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(%peer, "TLS handshake timed out");
                return;
            }
        },
        () = stopped(&mut stop) => return,
        () = tracked.evict.notified() => return,
    };
    speak_http(tls, peer, &shared, &tracked, &mut stop).await
}

async fn speak_http<IO>(io: IO, peer: SocketAddr, shared: &Arc<Shared>, tracked: &Arc<Tracked>, stop: &mut watch::Receiver<bool>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = {
        let (shared, tracked) = (shared.clone(), tracked.clone());
        hyper::service::service_fn(move |request| answer(shared.clone(), tracked.clone(), request))
    };
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let conn = http.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let closing = tokio::select! {
        result = conn.as_mut() => return log_end(peer, result),
        () = stopped(stop) => None,
        () = tracked.evict.notified() => Some(EVICTION_GRACE),
    };
    // A connection that never got a whole request holds nothing worth waiting for; otherwise
    // hyper closes it once the response being answered or written is out.
    if !tracked.has_served() && !tracked.is_busy() {
        return;
    }
    conn.as_mut().graceful_shutdown();
    match closing {
        // Stopping: the daemon bounds the whole shutdown.
        None => log_end(peer, conn.await),
        Some(grace) => {
            if let Ok(result) = tokio::time::timeout(grace, conn).await {
                log_end(peer, result)
            }
        }
    }
}

fn log_end(peer: SocketAddr, result: Result<(), hyper::Error>) {
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    // A dropped sender also means the server is going away.
    let _ = stop.wait_for(|stopping| *stopping).await;
}

async fn answer(shared: Arc<Shared>, tracked: Arc<Tracked>, request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let _busy = tracked.begin_request();
    let _place = shared.requests.acquire().await;
    if let Some(auth) = &shared.auth {
        if needs_credentials(request.uri().path()) && !auth.admits(request.headers()).await {
            return Ok(unauthorized());
        }
    }
    let mut app = shared.app.clone();
    // A Router is always ready, so calling it without poll_ready is fine.
    let response = tower_service::Service::call(&mut app, request.map(Body::new)).await;
    Ok(response.unwrap_or_else(|never| match never {}))
}

// ---------------------------------------------------------------------------------------------
// Open connections

/// One open connection, as the accept loop sees it.
#[derive(Debug)]
struct Tracked {
    /// The key in [`Connections::open`]; later connections have larger ones.
    id: u64,
    opened: Instant,
    /// Set once the connection has sent a whole request.
    served: AtomicBool,
    /// Requests of this connection being answered or waiting for a place.
    in_flight: AtomicUsize,
    /// Told to close, to make room for a new connection.
    evict: Notify,
    /// [`Connections::room`], told when this connection's requests end.
    room: Arc<Notify>,
}

impl Tracked {
    fn new(id: u64, opened: Instant, room: Arc<Notify>) -> Self {
        Tracked { id, opened, served: AtomicBool::new(false), in_flight: AtomicUsize::new(0), evict: Notify::new(), room }
    }

    fn begin_request(self: &Arc<Self>) -> Busy {
        self.served.store(true, Ordering::Release);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(self.clone())
    }

    fn is_busy(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) > 0
    }

    fn has_served(&self) -> bool {
        self.served.load(Ordering::Acquire)
    }

    /// When a connection that has not sent a request yet may be closed to make room.
    fn grace_ends(&self) -> Instant {
        self.opened + NEW_CONNECTION_GRACE
    }
}

/// Marks a connection busy while one of its requests is answered.
struct Busy(Arc<Tracked>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.room.notify_one();
    }
}

/// Takes a connection out of the table when its task ends, however it ends.
struct Open {
    shared: Arc<Shared>,
    tracked: Arc<Tracked>,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.shared.connections().close(self.tracked.id);
    }
}

/// The open connections, oldest first, and how many may be open.
struct Connections {
    limit: usize,
    next_id: u64,
    open: BTreeMap<u64, Arc<Tracked>>,
    /// Told whenever a connection closes or finishes a request, which may make room. It keeps
    /// one notification for a waiter that comes later, so none is missed.
    room: Arc<Notify>,
}

impl Connections {
    fn new(limit: usize) -> Self {
        Connections { limit: limit.max(1), next_id: 0, open: BTreeMap::new(), room: Arc::default() }
    }

    /// Room for a new connection. When full, the least useful idle connection is told to
    /// close: one that never sent a whole request (a silent socket or a slow client) and has
    /// had [`NEW_CONNECTION_GRACE`] to do so, the oldest first, else a keep-alive connection
    /// between requests. When none can be closed: when one may be, if it is a matter of time,
    /// and otherwise [`Connections::room`] tells when to ask again.
    ///
    /// Closing an old idle connection rather than refusing the new one means that a pile of
    /// sockets that send nothing cannot lock a scraper out until the header timeout.
    fn admit(&mut self, now: Instant) -> Result<Arc<Tracked>, Option<Instant>> {
        if self.open.len() >= self.limit {
            let idle = || self.open.values().filter(|t| !t.is_busy());
            let victim =
                idle().find(|t| !t.has_served() && t.grace_ends() <= now).or_else(|| idle().find(|t| t.has_served())).map(|t| t.id);
            let Some(victim) = victim else {
                return Err(idle().map(|t| t.grace_ends()).min());
            };
            if let Some(evicted) = self.open.remove(&victim) {
                evicted.evict.notify_one();
            }
        }
        let tracked = Arc::new(Tracked::new(self.next_id, now, self.room.clone()));
        self.next_id += 1;
        self.open.insert(tracked.id, tracked.clone());
        Ok(tracked)
    }

    fn close(&mut self, id: u64) {
        self.open.remove(&id);
        self.room.notify_one();
    }
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
        assert_eq!(protocol_versions(TlsVersion::Tls12, TlsVersion::Tls12).len(), 1);
        assert_eq!(protocol_versions(TlsVersion::Tls12, TlsVersion::Tls13).len(), 2);
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

    #[test]
    fn credentials_come_from_a_basic_authorization_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(credentials(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic YWxpY2U6b3BlbjpzZXNhbWU="));
        assert_eq!(credentials(&headers), Some(("alice".into(), b"open:sesame".to_vec())));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer YWxpY2U6b3BlbjpzZXNhbWU="));
        assert_eq!(credentials(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic not-base64!"));
        assert_eq!(credentials(&headers), None);
    }

    #[test]
    fn probes_are_the_only_open_paths() {
        assert!(!needs_credentials("/healthz"));
        assert!(!needs_credentials("/ready"));
        for path in ["/", "/metrics", "/healthz/", "/ready/x", "/nothing"] {
            assert!(needs_credentials(path), "{path}");
        }
    }

    #[tokio::test]
    async fn right_passwords_are_admitted_and_remembered_by_fingerprint_only() {
        let auth = BasicAuth::new(BTreeMap::from([("alice".to_string(), bcrypt::hash("s3cret", 4).unwrap())])).unwrap();
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            let encoded = base64::engine::general_purpose::STANDARD.encode(value);
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Basic {encoded}")).unwrap());
            headers
        };
        assert!(!auth.admits(&with("alice:wrong")).await);
        assert!(!auth.admits(&with("bob:s3cret")).await);
        assert!(auth.remembered().0.is_empty(), "failures are not remembered");
        assert!(auth.admits(&with("alice:s3cret")).await);
        assert!(auth.remembered().contains(&auth.fingerprint("alice", b"s3cret"), Instant::now()));
        assert!(auth.admits(&with("alice:s3cret")).await);
        assert_eq!(auth.remembered().0.len(), 1);
    }

    #[test]
    fn remembered_verifications_expire_and_stay_bounded() {
        let mut verified = Verified::default();
        let start = Instant::now();
        verified.insert([1; 32], start);
        assert!(verified.contains(&[1; 32], start + VERIFIED_FOR / 2));
        assert!(!verified.contains(&[1; 32], start + VERIFIED_FOR));
        for n in 0..VERIFIED_CAPACITY * 2 {
            let mut fingerprint = [0u8; 32];
            fingerprint[..8].copy_from_slice(&(n as u64).to_le_bytes());
            verified.insert(fingerprint, start);
        }
        assert!(verified.0.len() <= VERIFIED_CAPACITY);
    }

    #[test]
    fn a_full_table_closes_an_old_connection_that_never_sent_a_request_first() {
        let start = Instant::now();
        let later = start + NEW_CONNECTION_GRACE * 2;
        let mut connections = Connections::new(3);
        let keep_alive = connections.admit(start).unwrap();
        keep_alive.served.store(true, Ordering::Release);
        let silent = connections.admit(start).unwrap();
        let busy = connections.admit(start).unwrap();
        let _request = busy.begin_request();
        let newcomer = connections.admit(later).expect("room is made");
        assert_eq!(connections.open.keys().copied().collect::<Vec<_>>(), vec![keep_alive.id, busy.id, newcomer.id]);
        assert!(!connections.open.contains_key(&silent.id));
        let next = connections.admit(later).expect("the keep-alive connection makes room");
        assert!(!connections.open.contains_key(&keep_alive.id));
        assert_eq!(connections.admit(later).unwrap_err(), Some(next.grace_ends().min(newcomer.grace_ends())));
    }

    #[test]
    fn a_new_connection_gets_time_to_send_its_request() {
        let start = Instant::now();
        let mut connections = Connections::new(1);
        let first = connections.admit(start).unwrap();
        assert_eq!(connections.admit(start).unwrap_err(), Some(first.grace_ends()));
        assert!(connections.admit(first.grace_ends()).is_ok());
    }

    #[tokio::test]
    async fn a_full_table_of_busy_connections_has_no_room_until_a_request_ends() {
        let start = Instant::now() - NEW_CONNECTION_GRACE;
        let mut connections = Connections::new(2);
        let first = connections.admit(start).unwrap();
        let second = connections.admit(start).unwrap();
        let busy = (first.begin_request(), second.begin_request());
        assert_eq!(connections.admit(Instant::now()).unwrap_err(), None);
        drop(busy);
        let told = tokio::time::timeout(Duration::from_millis(100), connections.room.notified()).await;
        assert!(told.is_ok(), "the end of a request tells the accept loop");
        assert!(connections.admit(Instant::now()).is_ok(), "a connection between requests makes room");
    }
}
