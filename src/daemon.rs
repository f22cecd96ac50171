//! The long-running process: background polling plus the HTTP server, until SIGTERM or SIGINT.

use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::neo4j::{Neo4j, QueryError};
use crate::probe::Prober;
use crate::scheduler::Scheduler;
use crate::web::{self, WebConfigError, WebConfigSource};

/// How long in-flight scrapes may take to finish once a stop was asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

/// How long a password check still running on a blocking thread may hold the exit up.
const BLOCKING_GRACE: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot listen on {address}: {source}")]
    Listen { address: String, source: std::io::Error },
    #[error("cannot prepare the Neo4j connection: {0}")]
    Neo4j(#[from] QueryError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// A configuration mistake like a bad flag: the binary exits 2 with this sentence.
    #[error("{0}")]
    WebConfig(#[from] WebConfigError),
}

pub fn run(config: Config) -> Result<(), DaemonError> {
    // Checked before anything starts, so a bad file costs one sentence and nothing else.
    let security = Arc::new(WebConfigSource::load(config.web.config_file.as_deref())?);
    let http = runtime("http", 2)?;
    // Polling gets a runtime of its own: decoding 100,000 records must not hold up a scrape
    // waiting for the same worker thread.
    let polling = runtime("polling", 1)?;
    let result = http.block_on(serve(config, security, polling.handle().clone()));
    polling.shutdown_timeout(BLOCKING_GRACE);
    http.shutdown_timeout(BLOCKING_GRACE);
    result
}

fn runtime(name: &str, workers: usize) -> Result<tokio::runtime::Runtime, DaemonError> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(workers).thread_name(name).enable_all().build().map_err(DaemonError::Runtime)
}

async fn serve(config: Config, web_config: Arc<WebConfigSource>, polling: Handle) -> Result<(), DaemonError> {
    let security = web_config.current();
    let listener = tokio::net::TcpListener::bind(config.web.listen_address)
        .await
        .map_err(|source| DaemonError::Listen { address: config.web.listen_address.to_string(), source })?;
    if security.uses_basic_auth() && !security.uses_tls() {
        tracing::warn!("basic auth without TLS sends passwords in clear text: add tls_server_config to the web config file");
    }
    if config.neo4j.password.is_empty() {
        tracing::warn!("no password given: set NEO4J_PASSWORD or --neo4j.password-file unless Neo4j has authentication disabled");
    }
    let db = Neo4j::new(&config.neo4j)?;
    let exporter = Scheduler::new(&config);
    let mut tasks = JoinSet::new();
    exporter.spawn(&config, db, &mut tasks, &polling);

    let enabled: Vec<&str> = config.enabled().map(|s| s.name).collect();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        address = %config.web.listen_address,
        telemetry_path = %config.web.telemetry_path,
        tls = security.uses_tls(),
        basic_auth = security.uses_basic_auth(),
        collectors = %enabled.join(","),
        "listening"
    );

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let app = crate::http::router(exporter.clone(), Arc::new(Prober::new(&config)), &config.web);
    let server = tokio::spawn(web::serve(listener, app, web_config.clone(), config.web.max_requests, async {
        let _ = stop_rx.await;
    }));

    let signal = until_stopped(&web_config, &exporter).await;
    tracing::info!(signal, "stopping");
    tasks.abort_all();
    let _ = stop_tx.send(());
    if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() {
        tracing::info!("connections still open after the grace period; closing them");
    }
    Ok(())
}

/// Handles signals until one asks to stop: SIGTERM or SIGINT stop; SIGHUP reads the web
/// configuration file and the custom metrics file again, as Prometheus servers do; SIGUSR1
/// and SIGUSR2 mean nothing here and are logged, not allowed to end the process.
async fn until_stopped(web_config: &WebConfigSource, exporter: &Scheduler) -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    let mut hup = signal(SignalKind::hangup()).expect("SIGHUP handler");
    let mut usr1 = signal(SignalKind::user_defined1()).expect("SIGUSR1 handler");
    let mut usr2 = signal(SignalKind::user_defined2()).expect("SIGUSR2 handler");
    loop {
        tokio::select! {
            _ = term.recv() => return "SIGTERM",
            _ = int.recv() => return "SIGINT",
            _ = hup.recv() => {
                tracing::info!(signal = "SIGHUP", "reading the configuration files again");
                web_config.reload("SIGHUP");
                exporter.reload_collectors();
            }
            _ = usr1.recv() => tracing::info!(signal = "SIGUSR1", "ignored: this exporter gives SIGUSR1 no meaning"),
            _ = usr2.recv() => tracing::info!(signal = "SIGUSR2", "ignored: this exporter gives SIGUSR2 no meaning"),
        }
    }
}
