//! Multi-target probing for teams that run one exporter for many Neo4j servers:
//! `/probe?target=<bolt uri>&module=<name>` reads the target with the credentials and
//! collectors of a module from the config file, if the target is on the allow-list, while
//! the scrape waits (bounded by the module's timeout), as blackbox-style exporters do.
//!
//! ```yaml
//! probe:
//!   allowed_targets:                 # exact URIs, or with * for any run of host characters
//!     - bolt://neo4j-0.neo4j.svc:7687
//!     - bolt+s://*.db.internal:7687
//!   modules:
//!     default:
//!       user: exporter
//!       password_file: /run/secrets/neo4j-password   # or password_env: NAME_OF_A_VARIABLE
//!       collectors: [migrations, transactions, schema]
//!       timeout: 10s                 # default 10s
//!       database: neo4j              # optional
//!       tls_ca_file: /etc/ca.pem     # optional
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Semaphore;

use crate::bolt_uri::{redacted, BoltTarget};
use crate::collectors::{self, Spec};
use crate::config::{parse_positive_duration, CollectorSetup, Config, Neo4jConfig, Secret};
use crate::neo4j::{Neo4j, QueryError, ServerInfo};
use crate::queue::BoundedQueue;
use crate::snapshot::Family;
use crate::views::text::for_display;

#[derive(Clone, Debug, Default)]
pub struct ProbeConfig {
    pub allowed_targets: Vec<BoltTarget>,
    pub modules: BTreeMap<String, Module>,
}

#[derive(Clone, Debug)]
pub struct Module {
    pub user: String,
    pub password: Secret,
    pub database: Option<String>,
    /// The collectors it runs, as positions in the registry (and in `Config::collectors`).
    pub collectors: Vec<usize>,
    pub timeout: Duration,
    pub tls_ca_file: Option<PathBuf>,
}

/// The `probe` section of the config file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSection {
    #[serde(default)]
    allowed_targets: Vec<String>,
    #[serde(default)]
    modules: BTreeMap<String, ModuleFormat>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleFormat {
    /// Read only to be refused: passwords do not belong in the file.
    password: Option<serde::de::IgnoredAny>,
    user: String,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
    database: Option<String>,
    collectors: Vec<String>,
    timeout: Option<String>,
    tls_ca_file: Option<PathBuf>,
}

impl ProbeConfig {
    /// Checks the `probe` section of the config file; the error names what to fix.
    pub fn from_section(registry: &[Spec], format: ProbeSection) -> Result<Self, String> {
        let mut allowed_targets = Vec::new();
        for target in &format.allowed_targets {
            let parsed = BoltTarget::parse(target).map_err(|reason| format!("allowed target '{}': {reason}", redacted(target)))?;
            allowed_targets.push(parsed);
        }
        let mut modules = BTreeMap::new();
        for (name, m) in format.modules {
            let at = format!("module '{name}'");
            if m.password.is_some() {
                return Err(format!("{at}: a password cannot be written in the config file; use password_file or password_env"));
            }
            let password = match (&m.password_file, &m.password_env) {
                (Some(path), None) => std::fs::read_to_string(path)
                    .map(|p| Secret::new(p.trim_end_matches(['\r', '\n'])))
                    .map_err(|e| format!("{at}: cannot read password_file {}: {e}", path.display()))?,
                (None, Some(var)) => Secret::new(std::env::var(var).map_err(|_| format!("{at}: the variable {var} is not set"))?),
                (None, None) => return Err(format!("{at}: give password_file or password_env")),
                (Some(_), Some(_)) => return Err(format!("{at}: give password_file or password_env, not both")),
            };
            let mut collectors = Vec::new();
            for wanted in &m.collectors {
                let index =
                    registry.iter().position(|spec| spec.name == *wanted).ok_or_else(|| format!("{at}: unknown collector '{wanted}'"))?;
                collectors.push(index);
            }
            let timeout = match &m.timeout {
                None => Duration::from_secs(10),
                Some(text) => parse_positive_duration(text).map_err(|e| format!("{at}: timeout '{text}': {e}"))?,
            };
            modules.insert(name, Module { user: m.user, password, database: m.database, collectors, timeout, tls_ca_file: m.tls_ca_file });
        }
        Ok(ProbeConfig { allowed_targets, modules })
    }

    /// Whether a parsed target may be probed: the same scheme and port as an allowed one, and
    /// the same host, where `*` in the allowed host stands for any run of characters.
    pub fn allows(&self, target: &BoltTarget) -> bool {
        self.allowed_targets
            .iter()
            .any(|allowed| allowed.scheme == target.scheme && allowed.port == target.port && host_matches(&allowed.host, &target.host))
    }
}

/// Wildcard matching of a host against a pattern with `*`, in at most pattern × host steps:
/// both are at most 253 characters, so a hostile pattern or target costs microseconds.
fn host_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.as_bytes(), host.as_bytes());
    let (mut p, mut h) = (0, 0);
    // Where the last `*` was, and where in the host it began to match.
    let mut star: Option<(usize, usize)> = None;
    while h < host.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, h));
            p += 1;
        } else if p < pattern.len() && pattern[p] == host[h] {
            p += 1;
            h += 1;
        } else if let Some((star_p, star_h)) = star {
            // Let the last `*` take one more character and try again from there.
            star = Some((star_p, star_h + 1));
            p = star_p + 1;
            h = star_h + 1;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Why a probe was refused before anything was contacted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProbeError {
    #[error("multi-target probing is not configured: add a probe section to --config.file")]
    NotConfigured,
    #[error("the target parameter is missing")]
    NoTarget,
    #[error("unknown module '{0}'")]
    UnknownModule(String),
    #[error("target '{0}' is not on the probe allow-list")]
    NotAllowed(String),
    #[error("target '{0}' is not a Bolt target: {1}")]
    BadTarget(String, String),
}

/// Most connection pools kept for probed targets.
const MAX_POOLS: usize = 64;

/// Probes talk to Neo4j at most half as many at once as `--web.max-requests`; more wait for a
/// place within their own timeout. Running and waiting ones together are at most half the
/// connections the server keeps open, and beyond that a probe is refused at once (503): each
/// holds a connection, and `/metrics` needs some too.
fn probe_bounds(max_requests: usize) -> (usize, usize) {
    ((max_requests / 2).max(1), (max_requests * crate::web::CONNECTIONS_PER_REQUEST / 2).max(2))
}

/// Probes targets with the daemon's collector settings and keeps a connection pool per target.
pub struct Prober {
    probe: ProbeConfig,
    /// The collectors, with the daemon's settings, that modules name.
    collectors: Vec<CollectorSetup>,
    pools: Mutex<HashMap<(String, String), Neo4j>>,
    places: Semaphore,
    waiting: BoundedQueue,
    /// When each (target, module) whose login failed may try again.
    login_failed: Mutex<HashMap<(String, String), Instant>>,
}

/// The probe could not be taken on at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("too many probes are waiting; try again later")]
pub struct ProbesBusy;

impl Prober {
    pub fn new(config: &Config) -> Self {
        let (at_once, most_waiting) = probe_bounds(config.web.max_requests);
        Prober {
            probe: config.probe.clone(),
            collectors: config.collectors.clone(),
            pools: Mutex::new(HashMap::new()),
            places: Semaphore::new(at_once),
            waiting: BoundedQueue::new(most_waiting),
            login_failed: Mutex::new(HashMap::new()),
        }
    }

    /// Checks a request before any connection is made. The target is connected to as it was
    /// parsed (`scheme://host:port`), never as the raw text, and errors show it redacted.
    pub fn admit<'a>(&'a self, target: Option<&str>, module: Option<&str>) -> Result<(String, &'a Module), ProbeError> {
        let probe = &self.probe;
        if probe.modules.is_empty() {
            return Err(ProbeError::NotConfigured);
        }
        let text = target.filter(|t| !t.is_empty()).ok_or(ProbeError::NoTarget)?;
        let name = module.unwrap_or("default");
        let module = probe.modules.get(name).ok_or_else(|| ProbeError::UnknownModule(name.to_string()))?;
        let shown = || for_display(&redacted(text), Some(200));
        let target = BoltTarget::parse(text).map_err(|reason| ProbeError::BadTarget(shown(), reason))?;
        if !probe.allows(&target) {
            return Err(ProbeError::NotAllowed(shown()));
        }
        Ok((format!("{}://{}:{}", target.scheme, target.host, target.port), module))
    }

    fn pool(&self, target: &str, module_name: &str, module: &Module) -> Result<Neo4j, String> {
        let mut pools = self.pools.lock().expect("probe pools");
        let key = (target.to_string(), module_name.to_string());
        if let Some(db) = pools.get(&key) {
            return Ok(db.clone());
        }
        if pools.len() >= MAX_POOLS {
            if let Some(evicted) = pools.keys().next().cloned() {
                pools.remove(&evicted);
            }
        }
        let config = Neo4jConfig {
            uri: target.to_string(),
            user: module.user.clone(),
            password: module.password.clone(),
            database: module.database.clone(),
            tls_ca_file: module.tls_ca_file.clone(),
            // A pool reads none of these three: a probe is bounded by its deadline.
            connect_timeout: module.timeout,
            check_interval: module.timeout,
            max_backoff: module.timeout,
        };
        let db = Neo4j::new(&config).map_err(|e| e.to_string())?;
        pools.insert(key, db.clone());
        Ok(db)
    }

    /// Reads the target now and renders what it found: an unreachable target gives
    /// `neo4j_up 0`. The module's timeout bounds it all, the wait for a place included; only
    /// a full queue refuses it.
    pub async fn probe(&self, target: &str, module_name: &str, module: &Module) -> Result<Vec<Family>, ProbesBusy> {
        let started = Instant::now();
        let deadline = started + module.timeout;
        let Some(_in_line) = self.waiting.join() else { return Err(ProbesBusy) };
        let mut up = Family::gauge("neo4j_up", "1 when the probed Neo4j answered, else 0.", &[]);
        let mut server = Family::gauge("neo4j_server_info", "Version and edition of the probed Neo4j; always 1.", &["version", "edition"]);
        let mut success = Family::gauge("neo4j_probe_collector_success", "1 when the collector succeeded on this probe.", &["collector"]);
        let mut families = Vec::new();
        let key = (target.to_string(), module_name.to_string());
        let info = match tokio::time::timeout_at(deadline.into(), self.places.acquire()).await {
            Err(_) => Err(format!("no place to probe within the module's timeout of {}", humantime::format_duration(module.timeout))),
            Ok(place) => {
                let _place = place;
                self.read_server(&key, module, deadline).await
            }
        };
        match info {
            Err(error) => {
                tracing::warn!(target = %target, module = %module_name, error = %error, "probe failed");
                up.set(0.0);
            }
            Ok((db, info)) => {
                up.set(1.0);
                server.add([info.version.as_str(), info.edition.as_str()], 1.0);
                for setup in module.collectors.iter().map(|&index| &self.collectors[index]) {
                    let name = setup.spec.name;
                    let left = deadline.saturating_duration_since(Instant::now());
                    let collector = (setup.spec.build)(&setup.settings);
                    match collectors::run_once(collector.as_ref(), &db, left).await.result {
                        Ok(collection) => {
                            success.add([name], 1.0);
                            families.extend(collection.families);
                        }
                        Err(e) => {
                            tracing::warn!(target = %target, collector = name, error = %e, "probe collector failed");
                            success.add([name], 0.0);
                        }
                    }
                }
            }
        }
        let mut duration = Family::gauge("neo4j_probe_duration_seconds", "How long the probe took.", &[]);
        duration.set(started.elapsed().as_secs_f64());
        let mut all = vec![up, server, success, duration];
        all.extend(families);
        Ok(all)
    }

    /// Who the target is, over the module's pool; after a failed login, not again for a while.
    async fn read_server(&self, key: &(String, String), module: &Module, deadline: Instant) -> Result<(Neo4j, ServerInfo), String> {
        let now = Instant::now();
        if let Some(until) = self.login_failed.lock().expect("probe logins").get(key).filter(|until| **until > now) {
            return Err(format!(
                "the module's last login failed; not trying again for {} (Neo4j locks a user after repeated failures)",
                humantime::format_duration(Duration::from_secs(until.duration_since(now).as_secs() + 1))
            ));
        }
        let db = self.pool(&key.0, &key.1, module)?;
        match db.server_info(deadline.saturating_duration_since(Instant::now())).await {
            Ok(info) => {
                self.login_failed.lock().expect("probe logins").remove(key);
                Ok((db, info))
            }
            Err(error) => {
                if matches!(error, QueryError::Authentication { .. }) {
                    self.login_failed.lock().expect("probe logins").insert(key.clone(), Instant::now() + crate::neo4j::LOGIN_RETRY_FLOOR);
                }
                Err(error.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(patterns: &[&str]) -> ProbeConfig {
        ProbeConfig { allowed_targets: patterns.iter().map(|p| BoltTarget::parse(p).unwrap()).collect(), modules: BTreeMap::new() }
    }

    fn allows(probe: &ProbeConfig, target: &str) -> bool {
        BoltTarget::parse(target).is_ok_and(|t| probe.allows(&t))
    }

    #[test]
    fn the_allow_list_matches_exactly_or_by_host_pattern() {
        let probe = allowed(&["bolt://db-1.internal:7687", "bolt+s://*.db.internal:7687"]);
        assert!(allows(&probe, "bolt://db-1.internal:7687"));
        assert!(allows(&probe, "bolt://DB-1.Internal"), "the default port and any case");
        assert!(allows(&probe, "bolt+s://replica-2.db.internal:7687"));
        assert!(!allows(&probe, "bolt://db-1.internal:7688"));
        assert!(!allows(&probe, "bolt://replica-2.db.internal:7687"), "the scheme counts");
        assert!(!allows(&probe, "bolt+s://evil.example/x.db.internal:7687"));
        assert!(!allows(&probe, "bolt+s://user@x.db.internal:7687"));
        assert!(!allows(&probe, "bolt://169.254.169.254:80"));
    }

    #[test]
    fn host_patterns_match_in_bounded_time() {
        assert!(host_matches("*.neo4j.test", "a.b.neo4j.test"));
        assert!(host_matches("db-*-*.internal", "db-1-eu.internal"));
        assert!(!host_matches("*.neo4j.test", "neo4j.test"));
        assert!(host_matches("*", "anything"));
        // The shape that sent the recursive matcher into exponential work.
        assert!(!host_matches(&format!("{}b", "*a".repeat(120)), &"a".repeat(253)));
        assert!(host_matches(&format!("{}b", "*a".repeat(120)), &format!("{}b", "a".repeat(200))));
    }

    #[test]
    fn modules_refuse_inline_passwords_and_unknown_collectors() {
        let yaml = |text: &str| {
            serde_norway::from_str::<ProbeSection>(text)
                .map_err(|e| e.to_string())
                .and_then(|section| ProbeConfig::from_section(collectors::REGISTRY, section))
        };
        let error = yaml("modules: {m: {user: u, password: hunter22, collectors: []}}").unwrap_err();
        assert!(error.contains("a password cannot be written in the config file"), "{error}");
        assert!(!error.contains("hunter22"));
        let error = yaml("modules: {m: {user: u, password_env: HOME, collectors: [nope]}}").unwrap_err();
        assert_eq!(error, "module 'm': unknown collector 'nope'");
        let error = yaml("allowed_targets: ['bolt://u:hunter22@h:1']").unwrap_err();
        assert!(error.contains("credentials in the URI are not allowed"), "{error}");
        assert!(!error.contains("hunter22"), "{error}");
    }
}
