//! Runs the connectivity check and each enabled collector on its own interval and timeout,
//! and keeps the latest outcome of each: its rendered snapshot and its part of the report. The
//! views (`exposition`, `self_metrics`, the report) read those outcomes and never wait on Neo4j.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

use crate::bolt_uri::redacted;
use crate::collectors::{self, Collection, Collector};
use crate::config::{CollectorSchedule, Config};
use crate::neo4j::{Neo4j, QueryError, ServerInfo};
use crate::snapshot::Snapshot;
use crate::views::strip::Outages;
use crate::views::{CollectorState, Part, Report, Server};

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
pub struct Outcome {
    pub success: bool,
    pub duration_seconds: f64,
    pub statements: u64,
    pub last_success: Option<f64>,
    pub snapshot: Snapshot,
    pub truncated: u64,
    pub invalid_records: BTreeMap<&'static str, u64>,
    pub report: Option<Arc<dyn Part>>,
}

struct Slot {
    keeps_state: bool,
    schedule: CollectorSchedule,
    collector: Arc<dyn Collector>,
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

/// The schedule and the latest outcome of every collector, and what the connectivity check saw.
pub struct Scheduler {
    health: watch::Receiver<Health>,
    health_tx: watch::Sender<Health>,
    slots: Vec<Slot>,
    first_runs_left: AtomicUsize,
    ready: AtomicBool,
    /// Counts changes of state, so views can tell when what they rendered is out of date.
    generation: AtomicU64,
    /// Counts the times Neo4j came back after being unreachable, so every collector runs at
    /// once then rather than up to a whole interval later.
    reconnected: watch::Sender<u64>,
    /// When the connectivity check found Neo4j unreachable, for the page's last day.
    outages: Mutex<Outages>,
}

impl Scheduler {
    pub fn new(config: &Config) -> Arc<Self> {
        let (health_tx, health) = watch::channel(Health::default());
        let slots: Vec<Slot> = config
            .collectors
            .iter()
            .filter(|setup| setup.schedule.enabled)
            .map(|setup| Slot {
                keeps_state: setup.spec.keeps_state,
                schedule: setup.schedule.clone(),
                collector: Arc::from((setup.spec.build)(&setup.settings)),
                outcome: Mutex::new(Arc::default()),
            })
            .collect();
        Arc::new(Scheduler {
            health,
            health_tx,
            // The connectivity check counts as one of the first runs.
            first_runs_left: AtomicUsize::new(slots.len() + 1),
            slots,
            ready: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            reconnected: watch::channel(0).0,
            outages: Mutex::default(),
        })
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
        for index in 0..self.slots.len() {
            tasks.spawn_on(run_collector(self.clone(), db.clone(), index), runtime);
        }
    }

    /// Has every collector read its files again (SIGHUP).
    pub fn reload_collectors(&self) {
        for slot in &self.slots {
            slot.collector.reload();
        }
    }

    /// The status report from the latest runs; no query is made to build it.
    pub fn report(&self) -> Report {
        let health = self.health();
        let mut report = Report {
            generated_at: unix_now(),
            neo4j_up: health.up,
            server: health.server.map(|s| Server { version: s.version, edition: s.edition }),
            outages: self.outages.lock().expect("outages lock").recent(unix_now()),
            ..Report::default()
        };
        for slot in &self.slots {
            let outcome = slot.outcome.lock().expect("outcome lock").clone();
            report.collectors.push(CollectorState {
                name: slot.schedule.name.to_string(),
                success: outcome.success,
                last_success: outcome.last_success,
            });
            if let Some(part) = &outcome.report {
                report.parts.push(part.clone());
            }
        }
        report
    }

    /// Counts changes of state; a view rendered at one count is out of date at the next.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Each collector's latest outcome, in registry order.
    pub fn outcomes(&self) -> Vec<(&'static str, Arc<Outcome>)> {
        self.slots.iter().map(|slot| (slot.schedule.name, slot.outcome.lock().expect("outcome lock").clone())).collect()
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
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// Checks that Neo4j answers, on `--neo4j.check-interval` while it does and with capped
/// exponential backoff while it does not, logging one line per failed attempt.
async fn check_connectivity(exporter: Arc<Scheduler>, db: Neo4j, config: crate::config::Neo4jConfig) {
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
                if came_back {
                    exporter.outages.lock().expect("outages lock").came_back(unix_now());
                }
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
                    backoff = backoff.max(crate::neo4j::LOGIN_RETRY_FLOOR);
                }
                tracing::warn!(
                    uri = %redacted(&config.uri),
                    error = %error,
                    retry_in = %humantime::format_duration(backoff),
                    "Neo4j check failed"
                );
                exporter.outages.lock().expect("outages lock").went_down(unix_now());
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

async fn run_collector(exporter: Arc<Scheduler>, db: Neo4j, index: usize) {
    let slot = &exporter.slots[index];
    let (schedule, collector) = (&slot.schedule, &slot.collector);
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
        let (result, statements, elapsed) = if exporter.health().up {
            let run = collectors::run_once(collector.as_ref(), &db, schedule.timeout).await;
            (run.result.map_err(|e| e.to_string()), run.statements, run.duration.as_secs_f64())
        } else {
            // The connectivity check already logs why; a run now would only fail the same way.
            (Err(String::new()), 0, 0.0)
        };
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
