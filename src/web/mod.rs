//! The HTTP front door: the exporter-toolkit web configuration file (`config`), TLS (`tls`),
//! basic auth (`auth`), and the accept loop (`serve`) with its table of open connections
//! (`connections`), which serves the router within bounds on requests, connections and slow
//! clients.
//!
//! Everything in the file is checked by [`WebConfigSource::load`] before the daemon binds its
//! port, so a mistake stops the start with one sentence instead of surfacing at the first
//! scrape; [`reload`] reads it again when it or its certificates change.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;

mod auth;
mod config;
mod connections;
mod reload;
mod serve;
mod tls;

use auth::BasicAuth;
pub use config::WebConfigError;
use config::{parse, Problem};
pub use reload::WebConfigSource;
pub use serve::{serve, CONNECTIONS_PER_REQUEST};

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

/// Reads and checks the web configuration file: its YAML, the certificates and keys it names
/// (relative to the file's own directory) and the password hashes. Also gives the files it
/// read, the configuration file and those it names, so that changes to any can be noticed.
fn load_with_files(path: &Path) -> Result<(WebSecurity, Vec<PathBuf>), WebConfigError> {
    let fail = |problem| WebConfigError { path: path.display().to_string(), problem };
    let text = std::fs::read_to_string(path).map_err(|e| fail(Problem::Unreadable(e)))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let settings = parse(&text, dir).map_err(fail)?;
    let mut files = vec![path.to_path_buf()];
    if let Some(tls) = &settings.tls {
        files.extend([tls.cert_file.clone(), tls.key_file.clone()]);
        files.extend(tls.client_ca_file.clone());
    }
    let tls = match &settings.tls {
        Some(tls) => Some(TlsAcceptor::from(Arc::new(tls::server_config(tls).map_err(fail)?))),
        None => None,
    };
    let auth = match settings.users.is_empty() {
        true => None,
        false => Some(BasicAuth::new(settings.users).map_err(fail)?),
    };
    Ok((WebSecurity { tls, auth }, files))
}
