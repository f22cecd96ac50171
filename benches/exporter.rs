//! The exporter's performance targets, measured against real Neo4j servers from testkit.
//!
//!   cargo bench --bench exporter -- full      # every measurement at full size (about 30 minutes)
//!   cargo bench --bench exporter -- smoke     # the same at toy sizes (a few minutes)
//!   cargo bench --bench exporter -- full scrape db-cost   # only some of them (startup,
//!                                             migrations, scrape, outage, db-cost, footprint)
//!
//! Prints one table row per figure: what was measured, the value, the target, and whether it
//! was met. Method and results are in BENCHMARKS.md. Nothing here asserts timings.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, http_get, unique, Exporter, Neo4jServer, Scrape};

#[derive(Clone, Copy, PartialEq)]
enum Size {
    Smoke,
    Full,
}

impl Size {
    fn pick<T>(self, smoke: T, full: T) -> T {
        if self == Size::Smoke {
            smoke
        } else {
            full
        }
    }
}

struct Row {
    measurement: String,
    value: String,
    target: String,
    met: Option<bool>,
}

fn row(rows: &mut Vec<Row>, measurement: impl Into<String>, value: impl Into<String>, target: impl Into<String>, met: Option<bool>) {
    let row = Row { measurement: measurement.into(), value: value.into(), target: target.into(), met };
    eprintln!("  {} = {} (target {})", row.measurement, row.value, row.target);
    rows.push(row);
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benchmarks run with `cargo bench --bench exporter -- smoke|full` or scripts/bench");
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let size = if args.iter().any(|a| a == "full") { Size::Full } else { Size::Smoke };
    let wanted: Vec<&str> = args.iter().map(String::as_str).filter(|a| !["full", "smoke"].contains(a)).collect();
    let run = |name: &str| wanted.is_empty() || wanted.contains(&name);
    let mut rows = Vec::new();
    let started = Instant::now();
    if run("startup") {
        eprintln!("== start-up");
        startup(size, &mut rows);
    }
    if run("migrations") {
        eprintln!("== migrations at scale");
        migrations_at_scale(size, &mut rows);
    }
    if run("scrape") {
        eprintln!("== scrape latency and throughput");
        scrape_load(size, &mut rows);
    }
    if run("outage") {
        eprintln!("== scrapes while Neo4j is frozen or down");
        scrapes_through_outages(size, &mut rows);
    }
    if run("db-cost") {
        eprintln!("== database cost per poll");
        db_cost(size, &mut rows);
    }
    if run("footprint") {
        eprintln!("== footprint and the load on Neo4j");
        footprint_and_neo4j_load(size, &mut rows);
    }
    println!("\n| Measurement | Result | Target | Met |\n|---|---|---|---|");
    for r in &rows {
        // Toy sizes and runs of a few seconds check that the benchmarks work, not the targets.
        let met = match r.met.filter(|_| size == Size::Full) {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "-",
        };
        println!("| {} | {} | {} | {} |", r.measurement, r.value, r.target, met);
    }
    println!(
        "\n{} run, {:.0} s in all, on {} cores.",
        if size == Size::Full { "full" } else { "smoke" },
        started.elapsed().as_secs_f64(),
        cores()
    );
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

// ---------- data ----------

/// Loads `nodes` nodes over `labels` labels (half of them in pairs joined by one of `types`
/// relationship types, the rest alone) and `migrations` migration records, in batches.
fn generate(server: &Neo4jServer, nodes: usize, labels: usize, types: usize, migrations: usize) {
    let started = Instant::now();
    let per_label = (nodes / labels).max(2);
    let mut statements = Vec::new();
    for l in 0..labels {
        let pairs = per_label / 4;
        let singles = per_label - 2 * pairs;
        let kind = l % types.max(1);
        // Batches of 10,000 keep each transaction small.
        let mut done = 0;
        while done < pairs {
            let n = (pairs - done).min(10_000);
            statements.push(format!("UNWIND range(1, {n}) AS i CREATE (:L{l} {{i: i}})-[:T{kind}]->(:L{l} {{i: i}})"));
            done += n;
        }
        let mut done = 0;
        while done < singles {
            let n = (singles - done).min(10_000);
            statements.push(format!("UNWIND range(1, {n}) AS i CREATE (:L{l} {{i: i}})"));
            done += n;
        }
    }
    // Types with no label of their own still get a few relationships.
    for t in labels..types {
        statements.push(format!("CREATE (:L0)-[:T{t}]->(:L0)"));
    }
    let mut done = 0;
    while done < migrations {
        let n = (migrations - done).min(10_000);
        statements.push(format!(
            "UNWIND range({}, {}) AS i CREATE (:Migration {{filename: 'V' + toString(i) + '__generated.cypher',
               status: CASE WHEN i % 97 = 0 THEN 'FAILED' ELSE 'SUCCESS' END,
               description: CASE WHEN i % 97 = 0 THEN 'FAILED: Neo.TransientError.Transaction.LockClientStopped' ELSE 'generated' END,
               appliedAt: datetime() - duration({{seconds: i}}), executionTime: (i * 37) % 20000, checksum: toString(i)}})",
            done + 1,
            done + n
        ));
        done += n;
    }
    let refs: Vec<&str> = statements.iter().map(String::as_str).collect();
    server.write(&refs);
    eprintln!(
        "  generated {nodes} nodes / {labels} labels / {types} types / {migrations} migrations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Gives a server that has just loaded data time to finish its background work (flushing,
/// collecting garbage) before anything is measured against it.
fn settle(size: Size) {
    std::thread::sleep(Duration::from_secs(size.pick(2, 15)));
}

fn big_server() -> Neo4jServer {
    Neo4jServer::start_with(&common::test_version(), &["--heap", "2g", "--setting", "server.memory.pagecache.size=512m"])
}

// ---------- process figures from /proc ----------

fn proc_fields(pid: u32) -> Vec<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = text.rfind(')').map_or("", |i| &text[i + 2..]);
    after.split_whitespace().map(str::to_string).collect()
}

/// User plus system CPU seconds of a process.
fn cpu_seconds(pid: u32) -> f64 {
    let f = proc_fields(pid);
    let ticks = |n: usize| f.get(n - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(14) + ticks(15)) / 100.0
}

fn rss_bytes(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib * 1024.0)
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn collector_value(scrape: &Scrape, metric: &str, collector: &str) -> f64 {
    scrape.value(metric, &[("collector", collector)]).unwrap_or(f64::NAN)
}

fn all_but(keep: &[&str]) -> Vec<String> {
    neo4j_migration_exporter::collectors::REGISTRY
        .iter()
        .filter(|spec| !keep.contains(&spec.name))
        .map(|spec| format!("--no-collector.{}", spec.name))
        .collect()
}

fn start_exporter(server: &Neo4jServer, args: &[String]) -> Exporter {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let exporter = Exporter::start(&server.uri(), &args);
    exporter.wait_until(Duration::from_secs(120), "ready", |e| e.get("/ready").0 == 200);
    exporter
}

// ---------- 5. start-up ----------

fn startup(size: Size, rows: &mut Vec<Row>) {
    let server = Neo4jServer::start(&common::test_version());
    generate(&server, size.pick(2_000, 20_000), 20, 5, size.pick(100, 1_000));
    let mut times = Vec::new();
    for _ in 0..size.pick(3, 7) {
        let started = Instant::now();
        let exporter = Exporter::start(&server.uri(), &[]);
        exporter.wait_until(Duration::from_secs(30), "ready", |e| e.get("/ready").0 == 200);
        times.push(started.elapsed().as_secs_f64());
    }
    let t = median(&mut times);
    row(
        rows,
        "Start-up: process start to first complete snapshot (/ready), Neo4j reachable, default collectors, median",
        format!("{:.0} ms", t * 1000.0),
        "< 1 s",
        Some(t < 1.0),
    );
}

// ---------- 3. migrations at scale ----------

fn migrations_at_scale(size: Size, rows: &mut Vec<Row>) {
    let records = size.pick(10_000, 100_000);
    let server = Neo4jServer::start(&common::test_version());
    generate(&server, 10, 1, 1, records);
    let mut only_migrations = all_but(&["migrations"]);
    only_migrations.push("--collector.migrations.interval=2s".into());

    // The same exporter configuration against a label with no records gives the baseline.
    let mut empty = only_migrations.clone();
    empty.push(format!("--migrations.label={}", unique("NoRecords")));
    let idle = start_exporter(&server, &empty);
    std::thread::sleep(Duration::from_secs(5));
    let baseline = rss_bytes(idle.pid());
    drop(idle);

    let exporter = start_exporter(&server, &only_migrations);
    let mut durations = Vec::new();
    let mut peak = 0.0f64;
    let mut last = 0.0;
    let deadline = Instant::now() + Duration::from_secs(size.pick(15, 40));
    while Instant::now() < deadline {
        let scrape = exporter.scrape();
        let t = collector_value(&scrape, "neo4j_exporter_collector_last_success_timestamp_seconds", "migrations");
        if t != last {
            last = t;
            durations.push(collector_value(&scrape, "neo4j_exporter_collector_duration_seconds", "migrations"));
        }
        peak = peak.max(rss_bytes(exporter.pid()));
        std::thread::sleep(Duration::from_millis(200));
    }
    let d = median(&mut durations);
    row(
        rows,
        format!("Migrations: one poll over {records} records, median of {}", durations.len()),
        format!("{:.0} ms", d * 1000.0),
        "< 1 s",
        Some(d < 1.0),
    );
    let growth = peak - baseline;
    row(
        rows,
        format!("Migrations: resident memory, {records} records vs none (peak {})", mb(peak)),
        format!("+{}", mb(growth)),
        "< 50 MB",
        Some(growth < 50e6),
    );
}

// ---------- 1. scrapes ----------

/// What a load generator measured.
struct Load {
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    slowest_ms: f64,
    all_ok: bool,
}

/// Scrapes with oha (a load generator from crates.io) for `seconds`, at `rate` per second or
/// as fast as 16 connections go.
fn oha(port: u16, seconds: u64, rate: Option<u32>) -> Load {
    let mut args =
        vec!["-z".to_string(), format!("{seconds}s"), "-c".into(), "16".into(), "--no-tui".into(), "--output-format".into(), "json".into()];
    if let Some(rate) = rate {
        args.extend(["-q".to_string(), rate.to_string()]);
    }
    args.push(format!("http://127.0.0.1:{port}/metrics"));
    let out = Command::new("oha").args(&args).output().expect("oha (cargo install --locked oha)");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("oha's JSON report");
    let ms = |p: &str| report["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN) * 1000.0;
    let codes = &report["statusCodeDistribution"];
    Load {
        requests_per_second: report["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0),
        p50_ms: ms("p50"),
        p99_ms: ms("p99"),
        slowest_ms: report["summary"]["slowest"].as_f64().unwrap_or(f64::NAN) * 1000.0,
        all_ok: report["summary"]["successRate"].as_f64() == Some(1.0) && codes.as_object().is_some_and(|c| c.keys().all(|k| k == "200")),
    }
}

/// The fixed-rate run repeated `times` times; the run with the median p99. On two cores a
/// single run's tail moves with whatever else the machine does in those seconds.
fn oha_at_rate(port: u16, seconds: u64, times: usize) -> Load {
    let mut runs: Vec<Load> = (0..times).map(|_| oha(port, seconds, Some(5000))).collect();
    runs.sort_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms));
    let all_ok = runs.iter().all(|r| r.all_ok);
    let mut median = runs.swap_remove(times / 2);
    median.all_ok = all_ok;
    median
}

fn scrape_load(size: Size, rows: &mut Vec<Row>) {
    let server = big_server();
    let (labels, types) = (500, 100);
    generate(&server, size.pick(20_000, 50_000), labels, types, 1_000);
    settle(size);
    let custom = std::env::temp_dir().join(format!("{}.yml", unique("bench-custom")));
    std::fs::write(
        &custom,
        "queries:\n  - {name: users, help: Users per label L0., query: 'MATCH (n:L0) RETURN count(n) AS n', values: [n]}\n",
    )
    .unwrap();
    let args: Vec<String> = vec![
        "--orphans.by-label".into(),
        format!("--collector.custom.file={}", custom.display()),
        "--collector.orphans.interval=1h".into(),
    ];
    let exporter = start_exporter(&server, &args);
    exporter.scrape_until(Duration::from_secs(120), "every collector done", |s| {
        s.samples("neo4j_exporter_collector_success").iter().all(|(_, v)| *v == 1.0) && s.has("neo4j_nodes")
    });
    let scrape = exporter.scrape();
    let series = scrape.0.lines().filter(|l| !l.starts_with('#')).count();
    eprintln!("  snapshot: {series} series, {} bytes", scrape.0.len());
    let (seconds, runs) = (size.pick(5, 20), size.pick(1, 3));
    let at_rate = oha_at_rate(exporter.port, seconds, runs);
    row(
        rows,
        format!("Scrapes: p99 latency at 5,000 scrapes/s, {series} series ({} KB), median of {runs} runs", scrape.0.len() / 1024),
        format!("{:.2} ms (p50 {:.2} ms)", at_rate.p99_ms, at_rate.p50_ms),
        "< 2 ms",
        Some(at_rate.p99_ms < 2.0 && at_rate.all_ok),
    );
    let flat_out = oha(exporter.port, seconds, None);
    row(
        rows,
        "Scrapes: throughput, 16 connections as fast as they go",
        format!("{:.0} /s (p99 {:.2} ms)", flat_out.requests_per_second, flat_out.p99_ms),
        "> 5,000 /s",
        Some(flat_out.requests_per_second > 5000.0 && flat_out.all_ok),
    );
    drop(exporter);

    // The same while an orphan scan of a large graph runs the whole time.
    generate(&server, size.pick(100_000, 1_000_000), 10, 5, 0);
    settle(size);
    let mut scanning = args.clone();
    scanning.push("--collector.orphans.interval=100ms".into());
    scanning.push("--collector.orphans.timeout=60s".into());
    let exporter = start_exporter(&server, &scanning);
    exporter.scrape_until(Duration::from_secs(120), "a first orphan scan", |s| s.has("neo4j_orphan_scan_complete"));
    let busy = oha_at_rate(exporter.port, seconds, runs);
    let after = exporter.scrape();
    let scan = after.value("neo4j_orphan_scan_duration_seconds", &[]).unwrap_or(f64::NAN);
    row(
        rows,
        format!(
            "Scrapes: p99 latency at 5,000 scrapes/s while orphan scans ({scan:.1} s each, {} nodes) run back to back, median of {runs} runs",
            size.pick("100k", "1M")
        ),
        format!("{:.2} ms (p50 {:.2} ms)", busy.p99_ms, busy.p50_ms),
        format!("unchanged ({:.2} ms without)", at_rate.p99_ms),
        Some(busy.p99_ms < 2.0 && busy.all_ok),
    );
    drop(exporter);

    // The control: a second exporter runs the same scans, so Neo4j is just as busy but the
    // scraped process scans nothing. What differs from the row above is the exporter's own
    // doing; what both share with the first row is two cores split between Neo4j and oha.
    let scanner = start_exporter(&server, &scanning);
    scanner.scrape_until(Duration::from_secs(120), "the other exporter's first scan", |s| s.has("neo4j_orphan_scan_complete"));
    let exporter = start_exporter(&server, &args);
    exporter.scrape_until(Duration::from_secs(120), "the start-up orphan scan", |s| s.has("neo4j_orphan_scan_complete"));
    let control = oha_at_rate(exporter.port, seconds, runs);
    row(
        rows,
        format!("Scrapes: p99 latency at 5,000 scrapes/s while another process runs the same scans (control), median of {runs} runs"),
        format!("{:.2} ms (p50 {:.2} ms)", control.p99_ms, control.p50_ms),
        "-",
        None,
    );
}

/// Scrapes at 1,000/s with Neo4j answering, frozen by SIGSTOP (its collectors time out while
/// the scrapes go on) and stopped: the answer comes from what the exporter holds, so the
/// latency should not move. The tests check only that every such scrape is answered.
fn scrapes_through_outages(size: Size, rows: &mut Vec<Row>) {
    let server = Neo4jServer::start(&common::test_version());
    generate(&server, 10_000, 50, 10, 200);
    let fast: Vec<String> = ["--neo4j.check-interval=1s", "--neo4j.max-backoff=2s", "--neo4j.connect-timeout=2s"]
        .into_iter()
        .map(String::from)
        .chain(
            ["migrations", "transactions", "schema", "counts", "jvm"]
                .iter()
                .flat_map(|c| [format!("--collector.{c}.interval=1s"), format!("--collector.{c}.timeout=2s")]),
        )
        .collect();
    let exporter = start_exporter(&server, &fast);
    exporter.scrape_until(Duration::from_secs(60), "every collector done", |s| {
        s.samples("neo4j_exporter_collector_success").iter().all(|(_, v)| *v == 1.0)
    });
    let seconds = size.pick(5, 20);
    let mut measure = |state: &str, load: Load| {
        row(
            rows,
            format!("Outage: scrapes at 1,000/s for {seconds} s, Neo4j {state}"),
            format!(
                "p50 {:.2} ms, p99 {:.2} ms, slowest {:.1} ms{}",
                load.p50_ms,
                load.p99_ms,
                load.slowest_ms,
                if load.all_ok { "" } else { ", NOT all 200" }
            ),
            "p99 < 2 ms, all 200",
            Some(load.p99_ms < 2.0 && load.all_ok),
        );
    };
    measure("answering", oha(exporter.port, seconds, Some(1000)));
    server.signal("STOP");
    let frozen = oha(exporter.port, seconds, Some(1000));
    let during = exporter.scrape();
    server.signal("CONT");
    eprintln!("  neo4j_up at the end of the freeze: {:?}", during.value("neo4j_up", &[]));
    measure("frozen (SIGSTOP)", frozen);
    exporter.scrape_until(Duration::from_secs(60), "recovery after the freeze", |s| s.value("neo4j_up", &[]) == Some(1.0));
    server.stop();
    measure("stopped", oha(exporter.port, seconds, Some(1000)));
}

// ---------- 2. database cost per poll ----------

/// The cheap collectors' cost per cycle as one server's graph grows from the smallest size to
/// the largest: the same JVM throughout, left to settle after each load, so what changes
/// between the figures is the graph, not the server's warm-up.
fn db_cost(size: Size, rows: &mut Vec<Row>) {
    let sizes: Vec<usize> = size.pick(vec![1_000, 10_000, 100_000], vec![10_000, 100_000, 1_000_000]);
    let cheap = ["transactions", "schema", "counts", "migrations"];
    let server = big_server();
    let mut loaded = 0;
    let mut results = Vec::new();
    for (step, nodes) in sizes.iter().enumerate() {
        // Labels and migration records arrive with the first load; later loads add nodes.
        generate(&server, nodes - loaded, 50, 10, if step == 0 { 1_000 } else { 0 });
        loaded = *nodes;
        settle(size);

        let mut args = all_but(&cheap);
        for c in cheap {
            args.push(format!("--collector.{c}.interval=1s"));
        }
        let exporter = start_exporter(&server, &args);
        let mut per_collector: Vec<Vec<f64>> = vec![Vec::new(); cheap.len()];
        let mut statements = Vec::new();
        let mut last = 0.0;
        let mut seen = 0;
        let deadline = Instant::now() + Duration::from_secs(size.pick(10, 40));
        while Instant::now() < deadline {
            let s = exporter.scrape();
            let t = collector_value(&s, "neo4j_exporter_collector_last_success_timestamp_seconds", "counts");
            if t != last {
                last = t;
                seen += 1;
                // The first cycles plan the statements; the steady state is what repeats.
                if seen > 3 {
                    for (i, c) in cheap.iter().enumerate() {
                        per_collector[i].push(collector_value(&s, "neo4j_exporter_collector_duration_seconds", c));
                    }
                    statements.push(cheap.iter().map(|c| collector_value(&s, "neo4j_exporter_collector_statements", c)).sum::<f64>());
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        drop(exporter);
        let medians: Vec<f64> = per_collector.iter_mut().map(|v| median(v)).collect();
        let time: f64 = medians.iter().sum();
        let count = median(&mut statements);
        let breakdown: Vec<String> = cheap.iter().zip(&medians).map(|(c, t)| format!("{c} {:.1}", t * 1000.0)).collect();

        // The orphan scan on the same graph, with its default timeout.
        let mut orphan_args = all_but(&["orphans"]);
        orphan_args.push("--collector.orphans.interval=1h".into());
        let exporter = start_exporter(&server, &orphan_args);
        let scan = exporter.scrape_until(Duration::from_secs(120), "an orphan scan", |s| s.has("neo4j_orphan_scan_complete"));
        let scan_time = scan.value("neo4j_orphan_scan_duration_seconds", &[]).unwrap_or(f64::NAN);
        let complete = scan.value("neo4j_orphan_scan_complete", &[]) == Some(1.0);
        row(
            rows,
            format!("Database cost: cheap collectors' cycle on {nodes} nodes (ms: {})", breakdown.join(", ")),
            format!("{:.1} ms, {count:.0} statements", time * 1000.0),
            "-",
            None,
        );
        row(
            rows,
            format!("Database cost: orphan scan on {nodes} nodes"),
            format!("{:.0} ms, {}", scan_time * 1000.0, if complete { "complete" } else { "cut off at its timeout" }),
            "reported",
            None,
        );
        results.push((time, count));
    }
    let (first, last) = (results[0], results[results.len() - 1]);
    let time_growth = last.0 / first.0;
    let count_growth = last.1 / first.1;
    row(
        rows,
        format!("Database cost: cycle time growth {} -> {} nodes", sizes[0], sizes[sizes.len() - 1]),
        format!("x{time_growth:.2}"),
        "< x1.5",
        Some(time_growth < 1.5),
    );
    row(
        rows,
        format!("Database cost: statements growth {} -> {} nodes", sizes[0], sizes[sizes.len() - 1]),
        format!("x{count_growth:.2}"),
        "< x1.5",
        Some(count_growth < 1.5),
    );
}

// ---------- 4 and 6. footprint, and the load on Neo4j ----------

fn start_prometheus(exporter_port: u16) -> (Child, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(unique("bench-prometheus"));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    std::fs::write(
        dir.join("prometheus.yml"),
        format!("global: {{scrape_interval: 15s}}\nscrape_configs: [{{job_name: neo4j, static_configs: [{{targets: ['127.0.0.1:{exporter_port}']}}]}}]\n"),
    )
    .unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus (apt-get install prometheus)");
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(port, "/-/ready").map_or(0, |(s, _)| s) != 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, dir)
}

fn footprint_and_neo4j_load(size: Size, rows: &mut Vec<Row>) {
    let window = Duration::from_secs(size.pick(30, 600));
    let server = Neo4jServer::start(&common::test_version());
    generate(&server, 100_000, 50, 10, 1_000);
    let neo4j = server.pid();
    std::thread::sleep(Duration::from_secs(size.pick(5, 30)));

    let before = cpu_seconds(neo4j);
    std::thread::sleep(window);
    let idle_cpu = cpu_seconds(neo4j) - before;

    let exporter = start_exporter(&server, &[]);
    let (mut prometheus, dir) = start_prometheus(exporter.port);
    std::thread::sleep(Duration::from_secs(size.pick(5, 30)));
    let (neo4j_before, exporter_before) = (cpu_seconds(neo4j), cpu_seconds(exporter.pid()));
    let started = Instant::now();
    let mut rss = Vec::new();
    while started.elapsed() < window {
        rss.push(rss_bytes(exporter.pid()));
        std::thread::sleep(Duration::from_secs(1));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let watched_cpu = cpu_seconds(neo4j) - neo4j_before;
    let exporter_cpu = cpu_seconds(exporter.pid()) - exporter_before;
    let _ = prometheus.kill();
    let _ = prometheus.wait();
    let _ = std::fs::remove_dir_all(dir);

    let steady = median(&mut rss);
    let peak = rss.iter().copied().fold(0.0, f64::max);
    row(
        rows,
        format!("Footprint: resident memory at steady state, default collectors (peak {})", mb(peak)),
        mb(steady),
        "< 30 MB",
        Some(steady < 30e6),
    );
    let share = exporter_cpu / elapsed * 100.0;
    row(
        rows,
        format!("Footprint: CPU over {:.0} s, defaults, Prometheus scraping every 15 s", elapsed),
        format!("{share:.2} % of one core"),
        "< 1 %",
        Some(share < 1.0),
    );
    let minutes = window.as_secs_f64() / 60.0;
    row(
        rows,
        format!("Load on Neo4j: CPU over {minutes:.1} min, exporter at defaults + scrapes every 15 s, vs no exporter"),
        format!("{watched_cpu:.1} s vs {idle_cpu:.1} s ({:+.2} % of one core)", (watched_cpu - idle_cpu) / window.as_secs_f64() * 100.0),
        "reported",
        None,
    );
}
