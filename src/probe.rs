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

use crate::collectors::{self, Context};
use crate::config::{parse_positive_duration, Config, Neo4jConfig, Secret};
use crate::neo4j::Neo4j;
use crate::snapshot::{self, Family};

#[derive(Clone, Debug, Default)]
pub struct ProbeConfig {
    pub allowed_targets: Vec<String>,
    pub modules: BTreeMap<String, Module>,
}

#[derive(Clone, Debug)]
pub struct Module {
    pub user: String,
    pub password: Secret,
    pub database: Option<String>,
    pub collectors: Vec<&'static str>,
    pub timeout: Duration,
    pub tls_ca_file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFormat {
    #[serde(default)]
    allowed_targets: Vec<String>,
    #[serde(default)]
    modules: BTreeMap<String, serde_yaml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleFormat {
    user: String,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
    database: Option<String>,
    collectors: Vec<String>,
    timeout: Option<String>,
    tls_ca_file: Option<PathBuf>,
}

impl ProbeConfig {
    /// Reads the `probe` section of the config file; the error names what to fix.
    pub fn from_yaml(section: &serde_yaml::Value) -> Result<Self, String> {
        let format: SectionFormat = serde_yaml::from_value(section.clone()).map_err(|e| e.to_string())?;
        for target in &format.allowed_targets {
            if !target.contains("://") || target.split("://").nth(1).is_some_and(|rest| rest.contains('@')) {
                return Err(format!("allowed target '{target}' is not a Bolt URI without credentials"));
            }
        }
        let mut modules = BTreeMap::new();
        for (name, value) in format.modules {
            let at = format!("module '{name}'");
            if value.get("password").is_some() {
                return Err(format!("{at}: a password cannot be written in the config file; use password_file or password_env"));
            }
            let m: ModuleFormat = serde_yaml::from_value(value).map_err(|e| format!("{at}: {e}"))?;
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
                let spec = collectors::spec(wanted).ok_or_else(|| format!("{at}: unknown collector '{wanted}'"))?;
                collectors.push(spec.name);
            }
            let timeout = match &m.timeout {
                None => Duration::from_secs(10),
                Some(text) => parse_positive_duration(text).map_err(|e| format!("{at}: timeout '{text}': {e}"))?,
            };
            modules.insert(name, Module { user: m.user, password, database: m.database, collectors, timeout, tls_ca_file: m.tls_ca_file });
        }
        Ok(ProbeConfig { allowed_targets: format.allowed_targets, modules })
    }

    /// Whether a target may be probed: equal to an allowed URI, or matching one whose `*`
    /// stands for any run of characters other than `/`, `:` and `@`.
    pub fn allows(&self, target: &str) -> bool {
        self.allowed_targets.iter().any(|pattern| glob_matches(pattern.as_bytes(), target.as_bytes()))
    }
}

fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => {
            (0..=text.len()).take_while(|&i| i == 0 || !matches!(text[i - 1], b'/' | b':' | b'@')).any(|i| glob_matches(rest, &text[i..]))
        }
        Some((c, rest)) => text.first() == Some(c) && glob_matches(rest, &text[1..]),
    }
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
}

/// Most connection pools kept for probed targets.
const MAX_POOLS: usize = 64;

/// Probes targets with the daemon's collector settings and keeps a connection pool per target.
pub struct Prober {
    config: Config,
    pools: Mutex<HashMap<(String, String), Neo4j>>,
}

impl Prober {
    pub fn new(config: Config) -> Self {
        Prober { config, pools: Mutex::new(HashMap::new()) }
    }

    /// Checks a request before any connection is made.
    pub fn admit<'a>(&'a self, target: Option<&str>, module: Option<&str>) -> Result<(String, &'a Module), ProbeError> {
        let probe = &self.config.probe;
        if probe.modules.is_empty() {
            return Err(ProbeError::NotConfigured);
        }
        let target = target.filter(|t| !t.is_empty()).ok_or(ProbeError::NoTarget)?;
        let name = module.unwrap_or("default");
        let module = probe.modules.get(name).ok_or_else(|| ProbeError::UnknownModule(name.to_string()))?;
        if !probe.allows(target) {
            return Err(ProbeError::NotAllowed(target.to_string()));
        }
        Ok((target.to_string(), module))
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
            connect_timeout: module.timeout.min(self.config.neo4j.connect_timeout),
            ..self.config.neo4j.clone()
        };
        let db = Neo4j::new(&config).map_err(|e| e.to_string())?;
        pools.insert(key, db.clone());
        Ok(db)
    }

    /// Reads the target now and renders what it found. Never fails: an unreachable target
    /// gives `neo4j_up 0`.
    pub async fn probe(&self, target: &str, module_name: &str, module: &Module) -> Vec<u8> {
        let started = Instant::now();
        let mut up = Family::gauge("neo4j_up", "1 when the probed Neo4j answered, else 0.", &[]);
        let mut server = Family::gauge("neo4j_server_info", "Version and edition of the probed Neo4j; always 1.", &["version", "edition"]);
        let mut success = Family::gauge("neo4j_probe_collector_success", "1 when the collector succeeded on this probe.", &["collector"]);
        let mut families = Vec::new();
        let deadline = started + module.timeout;
        let info = match self.pool(target, module_name, module) {
            Ok(db) => db.server_info(module.timeout).await.map(|info| (db, info)).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match info {
            Err(error) => {
                tracing::warn!(target = %target, module = %module_name, error = %error, "probe failed");
                up.set(0.0);
            }
            Ok((db, info)) => {
                up.set(1.0);
                server.add([info.version.as_str(), info.edition.as_str()], 1.0);
                for name in &module.collectors {
                    let spec = collectors::spec(name).expect("modules name registered collectors");
                    let left = deadline.saturating_duration_since(Instant::now());
                    let cx = Context::new(&db, &info, left);
                    let collector = (spec.build)(&self.config);
                    let result = tokio::time::timeout(left, collector.collect(&cx)).await;
                    match result {
                        Ok(Ok(collection)) => {
                            success.add([*name], 1.0);
                            families.extend(collection.families);
                        }
                        Ok(Err(e)) => {
                            tracing::warn!(target = %target, collector = name, error = %e, "probe collector failed");
                            success.add([*name], 0.0);
                        }
                        Err(_) => success.add([*name], 0.0),
                    }
                }
            }
        }
        let mut duration = Family::gauge("neo4j_probe_duration_seconds", "How long the probe took.", &[]);
        duration.set(started.elapsed().as_secs_f64());
        let mut out = Vec::new();
        let mut all = vec![up, server, success, duration];
        all.extend(families);
        snapshot::render(&all, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_matches_exactly_or_by_host_pattern() {
        let probe = ProbeConfig {
            allowed_targets: vec!["bolt://db-1.internal:7687".into(), "bolt+s://*.db.internal:7687".into()],
            modules: BTreeMap::new(),
        };
        assert!(probe.allows("bolt://db-1.internal:7687"));
        assert!(probe.allows("bolt+s://replica-2.db.internal:7687"));
        assert!(!probe.allows("bolt://db-1.internal:7688"));
        assert!(!probe.allows("bolt+s://evil.example/x.db.internal:7687"));
        assert!(!probe.allows("bolt+s://user@x.db.internal:7687"));
        assert!(!probe.allows("bolt://169.254.169.254:80"));
    }

    #[test]
    fn modules_refuse_inline_passwords_and_unknown_collectors() {
        let yaml = |text: &str| serde_yaml::from_str::<serde_yaml::Value>(text).unwrap();
        let error = ProbeConfig::from_yaml(&yaml("modules: {m: {user: u, password: hunter22, collectors: []}}")).unwrap_err();
        assert!(error.contains("a password cannot be written in the config file"), "{error}");
        assert!(!error.contains("hunter22"));
        let error = ProbeConfig::from_yaml(&yaml("modules: {m: {user: u, password_env: HOME, collectors: [nope]}}")).unwrap_err();
        assert_eq!(error, "module 'm': unknown collector 'nope'");
        let error = ProbeConfig::from_yaml(&yaml("allowed_targets: ['bolt://u:p@h:1']")).unwrap_err();
        assert!(error.contains("without credentials"));
    }
}
