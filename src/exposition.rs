//! What a scrape gets: the exporter's own metrics, then each collector's last snapshot, in the
//! format and encoding the scraper asked for. Each variant is rendered at most once per change
//! of state (and once a second, for the process metrics); every other scrape shares its bytes.

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::scheduler::Scheduler;
use crate::self_metrics;
use crate::snapshot::{self, Format};

/// How stale the process metrics in a cached exposition may get.
const PROCESS_METRICS_MAX_AGE: Duration = Duration::from_secs(1);

pub struct Exposition {
    scheduler: Arc<Scheduler>,
    /// Whether the exporter's own process_* metrics are served (`--web.disable-exporter-metrics`).
    process_metrics: bool,
    cache: Mutex<Option<Cached>>,
}

/// The bodies rendered for one state, by format and encoding, each filled on first asking.
struct Cached {
    generation: u64,
    rendered_at: Instant,
    bodies: [Option<Bytes>; 4],
}

impl Exposition {
    pub fn new(scheduler: Arc<Scheduler>, process_metrics: bool) -> Self {
        Exposition { scheduler, process_metrics, cache: Mutex::new(None) }
    }

    /// The exposition for a scrape, gzip-compressed when `gzip`.
    pub fn bytes(&self, format: Format, gzip: bool) -> Bytes {
        let generation = self.scheduler.generation();
        let mut cache = self.cache.lock().expect("exposition cache");
        let cached = match cache.take() {
            Some(cached) if cached.generation == generation && cached.rendered_at.elapsed() < PROCESS_METRICS_MAX_AGE => cached,
            _ => Cached { generation, rendered_at: Instant::now(), bodies: Default::default() },
        };
        let cached = cache.insert(cached);
        let plain = slot(format, false);
        if cached.bodies[plain].is_none() {
            cached.bodies[plain] = Some(Bytes::from(self.render(format)));
        }
        let wanted = slot(format, gzip);
        if cached.bodies[wanted].is_none() {
            cached.bodies[wanted] = Some(compress(cached.bodies[plain].as_ref().expect("rendered above")));
        }
        cached.bodies[wanted].clone().expect("filled above")
    }

    /// The full exposition in `format`, rendered now.
    pub fn render(&self, format: Format) -> Vec<u8> {
        let outcomes = self.scheduler.outcomes();
        let mut out = Vec::with_capacity(outcomes.iter().map(|(_, o)| o.snapshot.body(format).len()).sum::<usize>() + 4096);
        snapshot::render_as(format, &self_metrics::families(&self.scheduler.health(), &outcomes), &mut out);
        if self.process_metrics {
            crate::process::render(format, &mut out);
        }
        for (_, outcome) in &outcomes {
            out.extend_from_slice(outcome.snapshot.body(format));
        }
        if format == Format::OpenMetrics {
            out.extend_from_slice(snapshot::OPENMETRICS_EOF);
        }
        out
    }
}

fn slot(format: Format, gzip: bool) -> usize {
    (format as usize) * 2 + usize::from(gzip)
}

fn compress(body: &[u8]) -> Bytes {
    // The fast level: an exposition is repetitive text, and a scrape should not wait on it.
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::fast());
    encoder.write_all(body).expect("writing to memory");
    Bytes::from(encoder.finish().expect("writing to memory"))
}

/// Whether an `Accept-Encoding` header accepts gzip (by name or `*`, with a q above zero).
pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    accept_encoding.unwrap_or("").split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let q = parts.find_map(|p| p.strip_prefix("q=").map(|q| q.trim().parse::<f32>().unwrap_or(0.0))).unwrap_or(1.0);
        (name == "gzip" || name == "x-gzip" || name == "*") && q > 0.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_used_when_accepted_with_a_q_above_zero() {
        for yes in ["gzip", "deflate, gzip;q=1.0, *;q=0.5", "GZIP", "*", "x-gzip"] {
            assert!(accepts_gzip(Some(yes)), "{yes}");
        }
        for no in [None, Some(""), Some("identity"), Some("gzip;q=0"), Some("br, deflate")] {
            assert!(!accepts_gzip(no), "{no:?}");
        }
    }

    fn exposition(args: &[&str]) -> Exposition {
        let argv = std::iter::once("neo4j-migration-exporter").chain(args.iter().copied());
        let crate::config::Invocation::Run(config) = crate::config::parse(argv).unwrap() else { panic!("not a run") };
        Exposition::new(Scheduler::new(&config), !config.web.disable_exporter_metrics)
    }

    #[test]
    fn each_variant_is_rendered_once_per_state_and_shared() {
        let exposition = exposition(&[]);
        for format in [Format::Text, Format::OpenMetrics] {
            for gzip in [false, true] {
                let (first, again) = (exposition.bytes(format, gzip), exposition.bytes(format, gzip));
                // The same allocation: the second scrape rendered nothing.
                assert_eq!(first.as_ptr(), again.as_ptr(), "{format:?} gzip {gzip}");
            }
        }
        let text = exposition.bytes(Format::Text, false);
        let openmetrics = exposition.bytes(Format::OpenMetrics, false);
        assert!(text.starts_with(b"# HELP neo4j_up "), "{}", String::from_utf8_lossy(&text));
        assert!(!text.windows(5).any(|w| w == b"# EOF"));
        let openmetrics = String::from_utf8(openmetrics.to_vec()).unwrap();
        assert!(openmetrics.ends_with("\n# EOF\n") && openmetrics.matches("# EOF").count() == 1, "{openmetrics}");
        assert!(openmetrics.contains("\nprocess_cpu_seconds_created "), "{openmetrics}");
    }

    #[test]
    fn exporter_metrics_can_be_left_out() {
        for format in [Format::Text, Format::OpenMetrics] {
            let with = exposition(&[]).render(format);
            let without = exposition(&["--web.disable-exporter-metrics"]).render(format);
            let has_process = |body: &[u8]| String::from_utf8_lossy(body).lines().any(|l| l.starts_with("process_"));
            assert!(has_process(&with) && !has_process(&without), "{format:?}");
            assert!(String::from_utf8_lossy(&without).contains("\nneo4j_exporter_build_info{"));
        }
    }

    #[test]
    fn compressed_bodies_decompress_to_the_same_bytes() {
        use std::io::Read as _;
        let body = b"# HELP neo4j_up Up.\n# TYPE neo4j_up gauge\nneo4j_up 1\n".repeat(100);
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&compress(&body)[..]).read_to_end(&mut unpacked).unwrap();
        assert_eq!(unpacked, body);
    }
}
