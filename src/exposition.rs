//! What a scrape gets: the exporter's own metrics, then each collector's last snapshot, rendered
//! at most once per change of state (and once a second, for the process metrics); every other
//! scrape shares the same bytes.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::scheduler::Scheduler;
use crate::{self_metrics, snapshot};

/// How stale the process metrics in a cached exposition may get.
const PROCESS_METRICS_MAX_AGE: Duration = Duration::from_secs(1);

pub struct Exposition {
    scheduler: Arc<Scheduler>,
    cache: Mutex<Option<Cached>>,
}

struct Cached {
    generation: u64,
    rendered_at: Instant,
    body: Bytes,
}

impl Exposition {
    pub fn new(scheduler: Arc<Scheduler>) -> Self {
        Exposition { scheduler, cache: Mutex::new(None) }
    }

    /// The exposition for a scrape.
    pub fn bytes(&self) -> Bytes {
        let generation = self.scheduler.generation();
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

    /// The full exposition, rendered now.
    pub fn render(&self) -> Vec<u8> {
        let outcomes = self.scheduler.outcomes();
        let mut out = Vec::with_capacity(outcomes.iter().map(|(_, o)| o.snapshot.text.len()).sum::<usize>() + 4096);
        snapshot::render(&self_metrics::families(&self.scheduler.health(), &outcomes), &mut out);
        crate::process::render(&mut out);
        for (_, outcome) in &outcomes {
            out.extend_from_slice(&outcome.snapshot.text);
        }
        out
    }
}
