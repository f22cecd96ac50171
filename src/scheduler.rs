//! Runs the connectivity check and each enabled collector on its own interval and timeout,
//! and keeps the latest complete snapshot of each. A scrape reads those snapshots and never
//! waits on Neo4j.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

use crate::bolt_uri::redacted;
use crate::collectors::{self, Collection, Collector, Context};
use crate::config::{CollectorSchedule, Config};
use crate::neo4j::{Neo4j, QueryError, ServerInfo};
use crate::probe::Prober;
use crate::report::{CollectorState, Part, Report, Server};
use crate::snapshot::{self, Family, Snapshot};

/// What the last connectivity check found.
#[derive(Clone, Debug, Default)]
pub struct Health {
    /// False until the first check has finished.
    pub checked: bool,
    pub up: bool,
    /// The server as last seen; kept while it is unreachable.
    pub server: Option<ServerInfo>,
}

/// The last run of one collector.
#[derive(Debug, Default)]
struct Outcome {
    success: bool,
    duration_seconds: f64,
    statements: u64,
    last_success: Option<f64>,
    snapshot: Snapshot,
    truncated: u64,
    invalid_records: BTreeMap<&'static str, u64>,
    report: Option<Part>,
}

struct Slot {
    name: &'static str,
    keeps_state: bool,
    outcome: Mutex<Arc<Outcome>>,
}

impl Slot {
    /// The outcome of a run that did not succeed: a state collector keeps what it last read
    /// (flagged by `success: false`), the others show nothing rather than stale activity.
    fn unsuccessful(&self, duration_seconds: f64, statements: u64) -> Outcome {
        let previous = self.outcome.lock().expect("outcome lock").clone();
        let base = Outcome { success: false, duration_seconds, statements, last_success: previous.last_success, ..Outcome::default() };
        if !self.keeps_state {
            return base;
        }
        Outcome {
            snapshot: previous.snapshot.clone(),
            truncated: previous.truncated,
            invalid_records: previous.invalid_records.clone(),
            report: previous.report.clone(),
            ..base
        }
    }
}

/// State shared between the background tasks and the HTTP handlers.
pub struct Exporter {
    health: watch::Receiver<Health>,
    health_tx: watch::Sender<Health>,
    slots: Vec<Slot>,
    first_runs_left: AtomicUsize,
    ready: AtomicBool,
    generation: AtomicU64,
    cache: Mutex<Option<Cached>>,
    prober: Prober,
    /// The running collectors, for reloading their files.
    collectors: Mutex<Vec<Arc<dyn Collector>>>,
    /// Counts the times Neo4j came back after being unreachable, so every collector runs at
    /// once then rather than up to a whole interval later.
    reconnected: watch::Sender<u64>,
}

struct Cached {
    generation: u64,
    rendered_at: Instant,
    body: Bytes,
}

/// How stale the process metrics in a cached exposition may get.
const PROCESS_METRICS_MAX_AGE: Duration = Duration::from_secs(1);

impl Exporter {
    pub fn new(config: &Config) -> Arc<Self> {
        let (health_tx, health) = watch::channel(Health::default());
        let slots: Vec<Slot> = config
            .collectors
            .iter()
            .filter(|s| s.enabled)
            .map(|s| Slot {
                name: s.name,
                keeps_state: collectors::spec(s.name).is_some_and(|spec| spec.keeps_state),
                outcome: Mutex::new(Arc::default()),
            })
            .collect();
        Arc::new(Exporter {
            health,
            health_tx,
            // The connectivity check counts as one of the first runs.
            first_runs_left: AtomicUsize::new(slots.len() + 1),
            slots,
            ready: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            cache: Mutex::new(None),
            prober: Prober::new(config.clone()),
            collectors: Mutex::new(Vec::new()),
            reconnected: watch::channel(0).0,
        })
    }

    /// Multi-target probing, with the same collector settings.
    pub fn prober(&self) -> &Prober {
        &self.prober
    }

    /// True once the connectivity check and every enabled collector have run once.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    pub fn health(&self) -> Health {
        self.health.borrow().clone()
    }

    fn first_run_done(&self) {
        if self.first_runs_left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.ready.store(true, Ordering::Release);
            tracing::info!("first poll cycle finished; ready");
        }
    }

    /// Starts the background tasks on the given runtime.
    pub fn spawn(self: &Arc<Self>, config: &Config, db: Neo4j, tasks: &mut JoinSet<()>, runtime: &Handle) {
        tasks.spawn_on(check_connectivity(self.clone(), db.clone(), config.neo4j.clone()), runtime);
        for schedule in config.collectors.iter().filter(|s| s.enabled) {
            let spec = collectors::spec(schedule.name).expect("schedules come from the registry");
            let collector: Arc<dyn Collector> = Arc::from((spec.build)(config));
            self.collectors.lock().expect("collectors").push(collector.clone());
            tasks.spawn_on(run_collector(self.clone(), db.clone(), schedule.clone(), collector), runtime);
        }
    }

    /// Has every collector read its files again (SIGHUP).
    pub fn reload_collectors(&self) {
        for collector in self.collectors.lock().expect("collectors").iter() {
            collector.reload();
        }
    }

    /// The status report from the latest runs; no query is made to build it.
    pub fn report(&self) -> Report {
        let health = self.health();
        let mut report = Report {
            generated_at: unix_now(),
            neo4j_up: health.up,
            server: health.server.map(|s| Server { version: s.version, edition: s.edition }),
            ..Report::default()
        };
        for slot in &self.slots {
            let outcome = slot.outcome.lock().expect("outcome lock").clone();
            report.collectors.push(CollectorState {
                name: slot.name.to_string(),
                success: outcome.success,
                last_success: outcome.last_success,
            });
            if let Some(part) = &outcome.report {
                report.add(part.clone());
            }
        }
        report
    }

    /// The exposition for a scrape. Rendering happens at most once per change of state (and
    /// once a second, for the process metrics); every other scrape shares the same bytes.
    pub fn exposition(&self) -> Bytes {
        let generation = self.generation.load(Ordering::Acquire);
        let mut cache = self.cache.lock().expect("exposition cache");
        if let Some(cached) = cache.as_ref() {
            if cached.generation == generation && cached.rendered_at.elapsed() < PROCESS_METRICS_MAX_AGE {
                return cached.body.clone();
            }
        }
        let body = Bytes::from(self.render());
        *cache = Some(Cached { generation, rendered_at: Instant::now(), body: body.clone() });
        body
    }

    /// Neo4j cannot be read: no collector's last run stands as a success any more.
    fn mark_unreachable(&self) {
        for slot in &self.slots {
            let current = slot.outcome.lock().expect("outcome lock").clone();
            if current.success {
                let outcome = slot.unsuccessful(current.duration_seconds, current.statements);
                *slot.outcome.lock().expect("outcome lock") = Arc::new(outcome);
            }
        }
    }

    /// Marks the cached exposition out of date.
    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The full exposition: the exporter's own metrics, then each collector's last snapshot.
    pub fn render(&self) -> Vec<u8> {
        let outcomes: Vec<(&'static str, Arc<Outcome>)> =
            self.slots.iter().map(|slot| (slot.name, slot.outcome.lock().expect("outcome lock").clone())).collect();
        let mut out = Vec::with_capacity(outcomes.iter().map(|(_, o)| o.snapshot.text.len()).sum::<usize>() + 4096);
        snapshot::render(&self.own_families(&outcomes), &mut out);
        for (_, outcome) in &outcomes {
            out.extend_from_slice(&outcome.snapshot.text);
        }
        out
    }

    fn own_families(&self, outcomes: &[(&'static str, Arc<Outcome>)]) -> Vec<Family> {
        let health = self.health();
        let mut up = Family::gauge("neo4j_up", "1 when the last connectivity check of Neo4j succeeded, else 0.", &[]);
        up.set(if health.up { 1.0 } else { 0.0 });
        let mut server = Family::gauge(
            "neo4j_server_info",
            "Version and edition of the Neo4j server, from dbms.components(); always 1.",
            &["version", "edition"],
        );
        if let Some(info) = &health.server {
            server.add([info.version.as_str(), info.edition.as_str()], 1.0);
        }
        let mut build = Family::gauge(
            "neo4j_exporter_build_info",
            "Version, revision and Rust version the exporter was built from; always 1.",
            &["version", "revision", "rustversion"],
        );
        build.add([env!("CARGO_PKG_VERSION"), env!("EXPORTER_REVISION"), env!("EXPORTER_RUSTC_VERSION")], 1.0);

        let mut success =
            Family::gauge("neo4j_exporter_collector_success", "1 when the collector's last run succeeded, else 0.", &["collector"]);
        let mut duration =
            Family::gauge("neo4j_exporter_collector_duration_seconds", "How long the collector's last run took.", &["collector"]);
        let mut last_success = Family::gauge(
            "neo4j_exporter_collector_last_success_timestamp_seconds",
            "When the collector last ran successfully.",
            &["collector"],
        );
        let mut statements =
            Family::gauge("neo4j_exporter_collector_statements", "Statements the collector's last run sent to Neo4j.", &["collector"]);
        let mut truncated = Family::gauge(
            "neo4j_exporter_series_truncated",
            "Series the collector left out on its last run because a cap was reached.",
            &["collector"],
        );
        let mut invalid = Family::gauge(
            "neo4j_exporter_invalid_records",
            "Records skipped or read only in part on the collector's last run, by reason.",
            &["collector", "reason"],
        );
        for (name, outcome) in outcomes {
            success.add([*name], if outcome.success { 1.0 } else { 0.0 });
            duration.add([*name], outcome.duration_seconds);
            statements.add([*name], outcome.statements as f64);
            if let Some(t) = outcome.last_success {
                last_success.add([*name], t);
            }
            truncated.add([*name], outcome.truncated as f64);
            for (reason, count) in &outcome.invalid_records {
                invalid.add([*name, *reason], *count as f64);
            }
        }
        let mut families = vec![up, server, build, success, duration, statements, last_success, truncated, invalid];
        families.extend(crate::process::families());
        families
    }
}

/// Shortest wait after a failed login (Neo4j's default lock after repeated failures is 5 s).
const AUTH_RETRY_FLOOR: Duration = Duration::from_secs(6);

/// Extra time a run gets beyond its statements' timeout, to report what timed out.
const RUN_GRACE: Duration = Duration::from_millis(500);

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// Checks that Neo4j answers, on `--neo4j.check-interval` while it does and with capped
/// exponential backoff while it does not, logging one line per failed attempt.
async fn check_connectivity(exporter: Arc<Exporter>, db: Neo4j, config: crate::config::Neo4jConfig) {
    let first_backoff = Duration::from_secs(1).min(config.max_backoff);
    let mut backoff = first_backoff;
    let mut first = true;
    loop {
        let result = db.check_login(config.connect_timeout).await;
        let was_up = exporter.health.borrow().up;
        let pause = match result {
            Ok(info) => {
                if !was_up {
                    tracing::info!(version = %info.version, edition = %info.edition, uri = %redacted(&config.uri), "connected to Neo4j");
                }
                let came_back = !was_up && exporter.health.borrow().checked;
                exporter.health_tx.send_modify(|h| {
                    h.checked = true;
                    h.up = true;
                    h.server = Some(info);
                });
                exporter.changed();
                if came_back {
                    exporter.reconnected.send_modify(|n| *n += 1);
                }
                backoff = first_backoff;
                config.check_interval
            }
            Err(error) => {
                // Neo4j locks a user for 5 s after 3 failed logins; waiting longer between
                // attempts means a wrong password never trips that lock.
                if matches!(error, QueryError::Authentication { .. }) {
                    backoff = backoff.max(AUTH_RETRY_FLOOR);
                }
                tracing::warn!(
                    uri = %redacted(&config.uri),
                    error = %error,
                    retry_in = %humantime::format_duration(backoff),
                    "Neo4j check failed"
                );
                exporter.health_tx.send_modify(|h| {
                    h.checked = true;
                    h.up = false;
                });
                exporter.mark_unreachable();
                exporter.changed();
                let pause = backoff;
                backoff = (backoff * 2).min(config.max_backoff);
                pause
            }
        };
        if first {
            first = false;
            exporter.first_run_done();
        }
        tokio::time::sleep(pause).await;
    }
}

async fn run_collector(exporter: Arc<Exporter>, db: Neo4j, schedule: CollectorSchedule, collector: Arc<dyn Collector>) {
    let slot = exporter.slots.iter().find(|s| s.name == schedule.name).expect("a slot per enabled collector");
    let mut health = exporter.health.clone();
    if health.wait_for(|h| h.checked).await.is_err() {
        return;
    }
    let mut ticker = tokio::time::interval(schedule.interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut reconnected = exporter.reconnected.subscribe();
    let mut first = true;
    let mut failing = false;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            // Neo4j is back: read it now, and count the interval from here.
            Ok(()) = reconnected.changed() => ticker.reset(),
        }
        let state = exporter.health();
        let started = Instant::now();
        let mut statements = 0;
        let result = match (&state.server, state.up) {
            (Some(server), true) => {
                let cx = Context::new(&db, server, schedule.timeout);
                let result = match tokio::time::timeout(schedule.timeout + RUN_GRACE, collector.collect(&cx)).await {
                    Ok(Ok(collection)) => Ok(collection),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(format!("run exceeded its timeout of {}", humantime::format_duration(schedule.timeout))),
                };
                statements = cx.statements();
                result
            }
            // The connectivity check already logs why; a run now would only fail the same way.
            _ => Err(String::new()),
        };
        let elapsed = started.elapsed().as_secs_f64();
        match &result {
            Err(reason) if !reason.is_empty() && !failing => {
                tracing::warn!(collector = schedule.name, error = %reason, "collector run failed");
            }
            Ok(_) if failing => tracing::info!(collector = schedule.name, "collector recovered"),
            _ => {}
        }
        failing = result.is_err();
        let outcome = match result {
            Ok(Collection { families, truncated, invalid_records, report }) => Outcome {
                success: true,
                duration_seconds: elapsed,
                statements,
                last_success: Some(unix_now()),
                snapshot: Snapshot::of(&families),
                truncated,
                invalid_records,
                report,
            },
            Err(_) => slot.unsuccessful(elapsed, statements),
        };
        *slot.outcome.lock().expect("outcome lock") = Arc::new(outcome);
        exporter.changed();
        if first {
            first = false;
            exporter.first_run_done();
        }
    }
}
