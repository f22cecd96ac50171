//! The exposition as scrapers ask for it: the text format by default, OpenMetrics 1.0 by
//! content negotiation, gzip when accepted; read by real Prometheus servers (Debian's 2.42,
//! which asks for OpenMetrics, and Prometheus 3 told to scrape each format), and checked by
//! both promtools. Also the flags that trim it: --web.disable-exporter-metrics and
//! --collector.disable-defaults.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use common::dashboards::query;
use common::service::Service;
use common::{free_port, go_tool, http_get, urlencode, Exporter, Neo4jServer, Scrape};
use serde_json::Value as Json;

const WAIT: Duration = Duration::from_secs(60);

/// What Debian's Prometheus 2.42 sends, and what Prometheus 3 sends by default.
const PROMETHEUS_2_ACCEPT: &str =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// An answer's header lines (lower-cased names) and raw body.
struct Answer {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        let body = if self.header("content-encoding") == Some("gzip") {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&self.body[..]).read_to_end(&mut plain).expect("a gzip body");
            plain
        } else {
            self.body.clone()
        };
        String::from_utf8(body).expect("UTF-8")
    }
}

fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer { headers, body: raw[split + 4..].to_vec() }
}

/// The series of an exposition in either format, as `name{labels}`, without OpenMetrics'
/// `_created` samples, comments and the values.
fn series(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| line.rsplit_once(' ').expect("a sample line").0.to_string())
        .filter(|name| !name.split('{').next().unwrap().ends_with("_created"))
        .collect()
}

fn started(server: &Neo4jServer, args: &[&str]) -> Exporter {
    let exporter = Exporter::start(&server.uri(), args);
    exporter.wait_until(WAIT, "the first poll cycle", |e| e.get("/ready").0 == 200);
    exporter
}

#[test]
fn the_format_and_encoding_follow_what_the_scraper_accepts() {
    let server = Neo4jServer::shared();
    let exporter = started(server, &[]);
    let text = get(exporter.port, "/metrics", &[]);
    assert_eq!(text.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    assert_eq!(text.header("content-encoding"), None);
    assert!(!text.text().contains("# EOF"));

    let openmetrics = get(exporter.port, "/metrics", &[("Accept", PROMETHEUS_2_ACCEPT)]);
    assert_eq!(openmetrics.header("content-type"), Some("application/openmetrics-text; version=1.0.0; charset=utf-8"));
    let body = openmetrics.text();
    assert!(body.ends_with("\n# EOF\n") && body.matches("# EOF").count() == 1, "{body}");
    assert!(body.contains("# TYPE process_cpu_seconds counter\n"), "{body}");
    assert!(body.contains("# UNIT neo4j_exporter_collector_duration_seconds seconds\n"), "{body}");
    let created = Scrape(body.clone()).value("process_cpu_seconds_created", &[]).expect("the CPU counter's _created");
    let start = Scrape(body.clone()).value("process_start_time_seconds", &[]).unwrap();
    assert_eq!(created, start);

    // Both formats carry the same series (polled: a collector may finish between two requests).
    let deadline = Instant::now() + WAIT;
    loop {
        let (plain, open) =
            (get(exporter.port, "/metrics", &[]).text(), get(exporter.port, "/metrics", &[("Accept", PROMETHEUS_2_ACCEPT)]).text());
        let (plain, open) = (series(&plain), series(&open));
        if plain == open {
            assert!(plain.iter().any(|s| s.starts_with("neo4j_migration")), "{plain:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "text and OpenMetrics differ:\n{:?}\n{:?}",
            plain.symmetric_difference(&open).collect::<Vec<_>>(),
            ()
        );
    }

    for format in [None, Some(PROMETHEUS_2_ACCEPT)] {
        let accept: Vec<(&str, &str)> = format.map(|a| ("Accept", a)).into_iter().collect();
        let gzip = get(exporter.port, "/metrics", &[accept.clone(), vec![("Accept-Encoding", "gzip")]].concat());
        assert_eq!(gzip.header("content-encoding"), Some("gzip"), "{format:?}");
        assert_eq!(gzip.header("vary"), Some("Accept, Accept-Encoding"));
        assert!(gzip.body.len() * 3 < gzip.text().len(), "gzip should shrink an exposition");
        assert_eq!(series(&gzip.text()), series(&get(exporter.port, "/metrics", &accept).text()));
        let refused = get(exporter.port, "/metrics", &[accept.clone(), vec![("Accept-Encoding", "gzip;q=0, identity")]].concat());
        assert_eq!(refused.header("content-encoding"), None);
    }
}

#[test]
fn exporter_metrics_and_default_collectors_can_be_left_out() {
    let server = Neo4jServer::shared();
    let exporter = started(server, &["--web.disable-exporter-metrics", "--collector.disable-defaults", "--collector.migrations"]);
    for accept in [vec![], vec![("Accept", PROMETHEUS_2_ACCEPT)]] {
        let body = get(exporter.port, "/metrics", &accept).text();
        assert!(!body.lines().any(|l| l.starts_with("process_")), "{body}");
        let collectors: BTreeSet<String> =
            Scrape(body.clone()).samples("neo4j_exporter_collector_success").into_iter().map(|(l, _)| l["collector"].clone()).collect();
        assert_eq!(collectors, BTreeSet::from(["migrations".to_string()]), "{body}");
        assert_eq!(Scrape(body).value("neo4j_up", &[]), Some(1.0));
    }
    let (status, _) = common::http_get(exporter.port, "/metrics").unwrap();
    assert_eq!(status, 200);
    let out = std::process::Command::new(common::exporter_binary()).arg("--collector.disable-defaults=sometimes").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--collector.disable-defaults"));
}

fn prometheus_config(jobs: &[(&str, Option<&str>)], exporter: u16) -> String {
    let mut config = String::from("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n");
    for (job, protocol) in jobs {
        config.push_str(&format!("  - job_name: {job}\n    static_configs:\n      - targets: ['127.0.0.1:{exporter}']\n"));
        if let Some(protocol) = protocol {
            config.push_str(&format!("    scrape_protocols: [{protocol}]\n"));
        }
    }
    config
}

fn prometheus_3(dir: &Path, config: &str) -> Service {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("prometheus.yml");
    std::fs::write(&file, config).unwrap();
    let port = free_port();
    let args = [
        format!("--config.file={}", file.display()),
        format!("--storage.tsdb.path={}", dir.join("data").display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
    ];
    Service::start("prometheus 3", &go_tool("prometheus").to_string_lossy(), &args, port, dir)
}

/// The unit Prometheus recorded for a metric of a job's target ("" when the format had none).
fn unit(prometheus: u16, job: &str, metric: &str) -> Option<String> {
    let selector = urlencode(&format!("{{job=\"{job}\"}}"));
    let (_, body) = http_get(prometheus, &format!("/api/v1/targets/metadata?match_target={selector}&metric={metric}")).unwrap();
    let answer: Json = serde_json::from_str(&body).unwrap();
    answer["data"].as_array()?.first().map(|m| m["unit"].as_str().unwrap_or("").to_string())
}

/// Polls until every job's target has been scraped successfully and its metadata is in.
fn wait_for_targets(prometheus: u16, jobs: &[&str]) {
    let deadline = Instant::now() + WAIT;
    loop {
        let up = query(prometheus, "up == 1 and scrape_samples_scraped > 50");
        let found: BTreeSet<&str> = up["data"]["result"].as_array().unwrap().iter().filter_map(|r| r["metric"]["job"].as_str()).collect();
        let metadata = jobs.iter().all(|job| unit(prometheus, job, "neo4j_exporter_collector_duration_seconds").is_some());
        if jobs.iter().all(|job| found.contains(job)) && metadata {
            return;
        }
        assert!(Instant::now() < deadline, "targets {jobs:?} not all up: {up}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn series_of_job(prometheus: u16, job: &str) -> BTreeSet<String> {
    let found = query(prometheus, &format!("{{job=\"{job}\", __name__=~\"neo4j_.+\"}}"));
    found["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut labels = r["metric"].as_object().unwrap().clone();
            labels.remove("job");
            labels.remove("instance");
            serde_json::to_string(&labels).unwrap()
        })
        .collect()
}

#[test]
fn real_prometheus_servers_read_each_format() {
    let server = Neo4jServer::shared();
    let exporter = started(server, &[]);
    let dir = tempfile_dir("exposition-prometheus");

    // Debian's 2.42 asks for OpenMetrics first (and gzip): the units only OpenMetrics carries arrive.
    let old = Service::prometheus(&dir.join("p2"), &prometheus_config(&[("neo4j", None)], exporter.port));
    wait_for_targets(old.port, &["neo4j"]);
    assert_eq!(unit(old.port, "neo4j", "neo4j_exporter_collector_duration_seconds").as_deref(), Some("seconds"));

    // Prometheus 3, one job per format.
    let jobs = [("text", Some("PrometheusText0.0.4")), ("openmetrics", Some("OpenMetricsText1.0.0"))];
    let new = prometheus_3(&dir.join("p3"), &prometheus_config(&jobs, exporter.port));
    wait_for_targets(new.port, &["text", "openmetrics"]);
    assert_eq!(unit(new.port, "text", "neo4j_exporter_collector_duration_seconds").as_deref(), Some(""));
    assert_eq!(unit(new.port, "openmetrics", "neo4j_exporter_collector_duration_seconds").as_deref(), Some("seconds"));
    // The same neo4j_* series through either format (polled: collectors keep running).
    let deadline = Instant::now() + WAIT;
    loop {
        let (text, openmetrics) = (series_of_job(new.port, "text"), series_of_job(new.port, "openmetrics"));
        if text == openmetrics && !text.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "{:?}", text.symmetric_difference(&openmetrics).collect::<Vec<_>>());
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn both_promtools_accept_the_exposition() {
    let server = Neo4jServer::shared();
    let exporter = started(server, &[]);
    let text = get(exporter.port, "/metrics", &[]).text();
    for promtool in [Path::new("promtool").to_path_buf(), go_tool("promtool")] {
        common::check_metrics_with(&promtool, &text).unwrap_or_else(|said| panic!("{}: {said}", promtool.display()));
    }
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(common::unique(name));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
