//! Faults against a real Neo4j: killed, frozen, refusing the password, a port that never
//! answers, a peer that hangs up, and a soak with restarts. Through all of them the exporter
//! keeps answering scrapes, never panics, and recovers by itself.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{http_get, test_version, Exporter, Neo4jServer, Scrape};

const FAST: &[&str] = &[
    "--neo4j.check-interval=1s",
    "--neo4j.max-backoff=2s",
    "--neo4j.connect-timeout=2s",
    "--collector.migrations.interval=1s",
    "--collector.migrations.timeout=2s",
    "--collector.transactions.interval=1s",
    "--collector.transactions.timeout=2s",
];

/// Prometheus's default scrape timeout: an answer later than this is a failed scrape. How
/// fast scrapes are while Neo4j is down or frozen is measured by `scripts/bench outage`.
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(10);

/// Scrapes in the background at a steady rate, counting failures (an error, or no answer within
/// [`SCRAPE_TIMEOUT`]) and noting the slowest answer.
struct Scraper {
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    slowest_ms: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Scraper {
    fn start(port: u16, per_second: u32) -> Scraper {
        let (stop, done, failed, slowest_ms) =
            (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (s, d, f, w) = (stop.clone(), done.clone(), failed.clone(), slowest_ms.clone());
        let period = Duration::from_secs(1) / per_second;
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let started = Instant::now();
                let answered = matches!(http_get(port, "/metrics"), Ok((200, body)) if body.contains("neo4j_up"));
                let took = started.elapsed();
                if !answered || took > SCRAPE_TIMEOUT {
                    f.fetch_add(1, Ordering::Relaxed);
                }
                d.fetch_add(1, Ordering::Relaxed);
                w.fetch_max(took.as_millis() as u64, Ordering::Relaxed);
                std::thread::sleep(period.saturating_sub(took));
            }
        });
        Scraper { stop, done, failed, slowest_ms, thread: Some(thread) }
    }

    /// Stops and returns (scrapes, failed, slowest in ms).
    fn finish(mut self) -> (u64, u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap();
        (self.done.load(Ordering::Relaxed), self.failed.load(Ordering::Relaxed), self.slowest_ms.load(Ordering::Relaxed))
    }
}

fn up(s: &Scrape) -> Option<f64> {
    s.value("neo4j_up", &[])
}

fn collector_ok(s: &Scrape, name: &str) -> bool {
    s.value("neo4j_exporter_collector_success", &[("collector", name)]) == Some(1.0)
}

fn assert_no_panic(exporter: &Exporter) {
    assert!(!exporter.logs().contains("panicked"), "the exporter panicked:\n{}", exporter.logs());
}

#[test]
fn neo4j_killed_and_started_again() {
    let server = Neo4jServer::start(&test_version());
    server.write(&["CREATE (:Migration {filename: 'V1.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: 5})"]);
    let exporter = Exporter::start(&server.uri(), FAST);
    let pid = exporter.pid();
    exporter.scrape_until(Duration::from_secs(15), "up", |s| up(s) == Some(1.0) && collector_ok(s, "migrations"));
    let scraper = Scraper::start(exporter.port, 20);

    server.signal("KILL");
    exporter.scrape_until(Duration::from_secs(10), "neo4j_up 0 after SIGKILL", |s| up(s) == Some(0.0));
    server.restart(&test_version());
    exporter.scrape_until(Duration::from_secs(30), "neo4j_up back to 1", |s| {
        up(s) == Some(1.0) && collector_ok(s, "migrations") && s.value("neo4j_migrations", &[("status", "success")]) == Some(1.0)
    });

    let (scrapes, failed, slowest) = scraper.finish();
    assert_eq!(failed, 0, "{failed} of {scrapes} scrapes failed");
    eprintln!("slowest scrape: {slowest} ms");
    assert_eq!(exporter.pid(), pid, "the exporter was not restarted");
    assert_no_panic(&exporter);
}

#[test]
fn neo4j_frozen_in_the_middle_of_a_poll() {
    let server = Neo4jServer::start(&test_version());
    // Enough records that a migrations poll takes a while, so the freeze lands inside one.
    // (Not so many that a loaded machine cannot finish one within FAST's 2 s timeout.)
    server.write(&["UNWIND range(1, 5000) AS i CREATE (:Migration {filename: 'V' + toString(i) + '.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: i})"]);
    let exporter = Exporter::start(&server.uri(), FAST);
    exporter.scrape_until(Duration::from_secs(60), "up", |s| up(s) == Some(1.0) && collector_ok(s, "migrations"));
    let scraper = Scraper::start(exporter.port, 20);

    server.signal("STOP");
    let frozen = Instant::now();
    let scrape = exporter.scrape_until(Duration::from_secs(15), "collectors giving up", |s| {
        !collector_ok(s, "migrations") && !collector_ok(s, "transactions") && up(s) == Some(0.0)
    });
    eprintln!("collectors gave up {:?} after the freeze", frozen.elapsed());
    assert!(scrape.value("neo4j_exporter_collector_duration_seconds", &[("collector", "migrations")]).unwrap() <= 3.0);
    assert!(
        exporter.logs().contains("run exceeded its timeout") || exporter.logs().contains("no answer from Neo4j"),
        "{}",
        exporter.logs()
    );

    server.signal("CONT");
    let thawed = Instant::now();
    exporter.scrape_until(Duration::from_secs(15), "recovery after SIGCONT", |s| {
        up(s) == Some(1.0) && collector_ok(s, "migrations") && collector_ok(s, "transactions")
    });
    eprintln!("recovered {:?} after SIGCONT", thawed.elapsed());
    let (scrapes, failed, slowest) = scraper.finish();
    assert_eq!(failed, 0, "{failed} of {scrapes} scrapes failed");
    eprintln!("slowest scrape: {slowest} ms");
    assert_no_panic(&exporter);
}

#[test]
fn a_wrong_password_backs_off_without_tripping_the_login_lock() {
    let server = Neo4jServer::start(&test_version());
    let exporter = Exporter::start_with_env(&server.uri(), &[], &[("NEO4J_PASSWORD", "not-the-password-42")]);
    // Attempts at 0 s, 6 s and 18 s (then 42 s): never two within Neo4j's 5 s lock, which
    // starts at the third failure.
    let attempts_in = |logs: &str| logs.matches("Neo4j check failed").count();
    exporter.wait_until(Duration::from_secs(40), "a third login attempt", |e| attempts_in(&e.logs()) >= 3);
    let logs = exporter.logs();
    let attempts: Vec<&str> = logs.lines().filter(|l| l.contains("Neo4j check failed")).collect();
    assert_eq!(attempts.len(), 3, "one line per attempt, no retry storm:\n{logs}");
    for (line, wait) in attempts.iter().zip(["retry_in=6s", "retry_in=12s", "retry_in=24s"]) {
        assert!(line.contains("authentication failed for user 'neo4j'"), "{line}");
        assert!(line.contains(wait), "expected {wait}: {line}");
    }
    assert!(!logs.contains("RateLimit"), "the login lock was tripped:\n{logs}");
    assert!(!logs.contains("not-the-password-42"));
    assert_eq!(up(&exporter.scrape()), Some(0.0));
    drop(exporter);
    // The account is not locked: the right password works at once.
    let good = Exporter::start(&server.uri(), &[]);
    good.scrape_until(Duration::from_secs(10), "a login with the right password", |s| up(s) == Some(1.0));
}

/// A TCP port that takes connections and then does `with_each` to them.
fn fake_peer(with_each: fn(std::net::TcpStream)) -> (u16, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while !stopping.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    let copy = stream.try_clone().unwrap();
                    with_each(stream);
                    held.push(copy);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    (port, stop)
}

#[test]
fn a_port_that_never_answers_then_a_real_neo4j_on_it() {
    // Accepts, reads nothing, says nothing.
    let (port, stop) = fake_peer(|_| {});
    let uri = format!("bolt://127.0.0.1:{port}");
    let exporter = Exporter::start(&uri, &["--neo4j.check-interval=1s", "--neo4j.max-backoff=2s", "--neo4j.connect-timeout=1s"]);
    let started = Instant::now();
    exporter.wait_until(Duration::from_secs(10), "a failed check", |e| e.logs().contains("Neo4j check failed"));
    // The 1 s --neo4j.connect-timeout bounds the check (a timeout honoured, with room for a busy machine).
    assert!(started.elapsed() < Duration::from_secs(5), "the check was not bounded");
    let line = exporter.logs().lines().find(|l| l.contains("Neo4j check failed")).unwrap().to_string();
    assert!(line.contains("no answer from Neo4j within 1s"), "the error should say it timed out: {line}");
    assert_eq!(up(&exporter.scrape()), Some(0.0));
    // Three seconds of scrapes against the silent peer: a window, not a wait.
    let scraper = Scraper::start(exporter.port, 10);
    std::thread::sleep(Duration::from_secs(3));
    let (_, failed, slowest) = scraper.finish();
    assert_eq!(failed, 0);
    eprintln!("slowest scrape: {slowest} ms");

    // The silent peer goes away and a real Neo4j takes its port: the exporter recovers.
    stop.store(true, Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpListener::bind(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the silent peer kept its port");
        std::thread::sleep(Duration::from_millis(20));
    }
    let server = Neo4jServer::on_port(&test_version(), port);
    exporter.scrape_until(Duration::from_secs(20), "recovery on a real Neo4j", |s| up(s) == Some(1.0));
    drop(server);
    assert_no_panic(&exporter);
}

#[test]
fn a_peer_that_hangs_up_mid_handshake_gives_a_clear_error() {
    // Reads the Bolt handshake, then closes the connection.
    let (port, _stop) = fake_peer(|mut stream| {
        let mut handshake = [0u8; 20];
        let _ = stream.read_exact(&mut handshake);
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let exporter = Exporter::start(
        &format!("bolt://127.0.0.1:{port}"),
        &["--neo4j.check-interval=1s", "--neo4j.max-backoff=1s", "--neo4j.connect-timeout=2s"],
    );
    let started = Instant::now();
    exporter.wait_until(Duration::from_secs(10), "a failed check", |e| e.logs().contains("Neo4j check failed"));
    // Bounded by the 2 s --neo4j.connect-timeout, with room for a busy machine.
    assert!(started.elapsed() < Duration::from_secs(5));
    let line = exporter.logs().lines().find(|l| l.contains("Neo4j check failed")).unwrap().to_string();
    assert!(line.contains("unreachable") || line.contains("unexpected"), "{line}");
    assert_eq!(up(&exporter.scrape()), Some(0.0));
    assert_no_panic(&exporter);
}

fn rss_bytes(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib * 1024.0)
}

/// Scrapes at 50 per second while Neo4j restarts on a schedule. The test run uses a short
/// variant; `NEO4J_EXPORTER_SOAK_SECONDS=600` (scripts/soak) gives the full ten minutes.
#[test]
fn soak_with_restarts() {
    let total = std::env::var("NEO4J_EXPORTER_SOAK_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60u64);
    let restart_every = Duration::from_secs((total / 5).clamp(15, 120));
    let server = Neo4jServer::start(&test_version());
    server.write(&["UNWIND range(1, 200) AS i CREATE (:Migration {filename: 'V' + toString(i) + '.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: i})"]);
    let exporter = Exporter::start(&server.uri(), FAST);
    exporter.scrape_until(Duration::from_secs(20), "up", |s| up(s) == Some(1.0));
    let scraper = Scraper::start(exporter.port, 50);
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut next_restart = started + restart_every;
    let mut restarts = 0;
    while started.elapsed() < Duration::from_secs(total) {
        if Instant::now() >= next_restart {
            server.stop();
            server.restart(&test_version());
            restarts += 1;
            next_restart = Instant::now() + restart_every;
        }
        samples.push((started.elapsed().as_secs_f64(), rss_bytes(exporter.pid())));
        // One memory sample a second for the soak's length.
        std::thread::sleep(Duration::from_secs(1));
    }
    let (scrapes, failed, slowest) = scraper.finish();
    exporter.scrape_until(Duration::from_secs(20), "up after the last restart", |s| up(s) == Some(1.0));
    assert!(restarts >= 2, "only {restarts} restarts");
    assert_eq!(failed, 0, "{failed} of {scrapes} scrapes failed");
    assert!(scrapes as f64 >= total as f64 * 50.0 * 0.8, "only {scrapes} scrapes in {total} s");
    assert_no_panic(&exporter);
    // Memory is flat: after the first fifth (warm-up), within 10 % of its level then.
    let warm: Vec<f64> = samples.iter().filter(|(t, _)| *t >= total as f64 / 5.0).map(|(_, r)| *r).collect();
    let baseline = warm[..warm.len().min(5)].iter().sum::<f64>() / warm.len().min(5) as f64;
    let peak = warm.iter().copied().fold(0.0, f64::max);
    eprintln!("soak: {scrapes} scrapes in {total} s, {restarts} restarts, slowest {slowest} ms, RSS {baseline:.0} -> peak {peak:.0} bytes");
    assert!(peak <= baseline * 1.10, "resident memory grew from {baseline} to {peak} bytes");
}

/// A statement may take as long as its collector's timeout, however long a network read of it
/// waits: Neo4j frozen for 7 s while a custom query with a 50 s timeout is running, and the query
/// finishes once it thaws. (The driver's own read bound of 5 s once cut such statements off as
/// "Neo4j is unreachable", an orphan scan of a big graph among them.) A scan cut off by its own
/// timeout says so with `neo4j_orphan_scan_complete 0` instead of vanishing.
#[test]
fn a_statement_gets_its_collectors_whole_timeout() {
    let server = Neo4jServer::start(&test_version());
    let dir = std::env::temp_dir().join(common::unique("custom"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("custom.yml");
    // A second or two of work, run once: long enough to be caught running.
    std::fs::write(
        &file,
        "queries:\n  - name: slow\n    help: A slow constant.\n    \
         query: UNWIND range(1, 40000000) AS x WITH x WHERE x % 7 = 100 RETURN count(x) AS v /* slow custom */\n    \
         values: [v]\n    interval: 1h\n    timeout: 50s\n",
    )
    .unwrap();
    let custom = format!("--collector.custom.file={}", file.display());
    // A connectivity check bounded well below the freeze: it may fail meanwhile, the query may not.
    let exporter = Exporter::start(&server.uri(), &[&custom, "--neo4j.check-interval=2s", "--neo4j.connect-timeout=2s"]);
    let graph = neo4rs::Graph::new(server.uri(), "neo4j", server.password.clone()).unwrap();
    common::block_on(async {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let statement = "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS 'slow custom' RETURN count(*) AS n";
            let mut rows = graph.execute(neo4rs::query(statement)).await.unwrap();
            let running: i64 = rows.next().await.unwrap().unwrap().get("n").unwrap();
            if running > 0 {
                break;
            }
            assert!(Instant::now() < deadline, "the custom query was never seen running");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    // Frozen for longer than any network read bound: a duration, not a wait.
    server.signal("STOP");
    std::thread::sleep(Duration::from_secs(7));
    server.signal("CONT");
    let scrape = exporter.scrape_until(Duration::from_secs(30), "the custom query's run, through the freeze", |s| {
        s.value("neo4j_custom_query_success", &[("query", "slow")]).is_some()
    });
    assert_eq!(scrape.value("neo4j_custom_query_success", &[("query", "slow")]), Some(1.0), "{}\n{}", scrape.0, exporter.logs());
    let took = scrape.value("neo4j_custom_query_duration_seconds", &[("query", "slow")]).unwrap();
    assert!(took > 7.0, "the query ran through the freeze: {took} s");
    assert!(!exporter.logs().contains("unreachable"), "{}", exporter.logs());
    drop(exporter);

    // A query's own timeout never reaches past its collector's: cut at the collector's 1 s,
    // the slow query is a failed answer, and the query after it runs at the next turn.
    std::fs::write(
        &file,
        "queries:\n  - name: slower\n    help: A slower constant.\n    \
         query: UNWIND range(1, 400000000) AS x WITH x WHERE x % 7 = 100 RETURN count(x) AS v\n    \
         values: [v]\n    interval: 1h\n    timeout: 50s\n  \
         - name: quick\n    help: A quick constant.\n    query: RETURN 1 AS v\n    values: [v]\n    interval: 1s\n",
    )
    .unwrap();
    let exporter = Exporter::start(&server.uri(), &[&custom, "--collector.custom.interval=1s", "--collector.custom.timeout=1s"]);
    let scrape = exporter.scrape_until(Duration::from_secs(30), "both queries answered", |s| {
        s.value("neo4j_custom_query_success", &[("query", "quick")]) == Some(1.0)
    });
    assert_eq!(scrape.value("neo4j_custom_query_success", &[("query", "slower")]), Some(0.0), "{}", scrape.0);
    let took = scrape.value("neo4j_custom_query_duration_seconds", &[("query", "slower")]).unwrap();
    assert!(took < 5.0, "the slow query ran for {took} s, past its collector's 1 s");
    assert_eq!(scrape.value("neo4j_exporter_collector_success", &[("collector", "custom")]), Some(1.0), "{}", scrape.0);
    drop(exporter);

    // Its own timeout does cut a scan off, and that is an answer, not a missing series.
    let exporter = Exporter::start(
        &server.uri(),
        &[
            "--neo4j.check-interval=10s",
            "--neo4j.connect-timeout=9s",
            "--collector.orphans.interval=300ms",
            "--collector.orphans.timeout=2s",
        ],
    );
    exporter.scrape_until(Duration::from_secs(20), "a complete scan", |s| s.value("neo4j_orphan_scan_complete", &[]) == Some(1.0));
    server.signal("STOP");
    let scrape = exporter.scrape_until(Duration::from_secs(20), "a scan cut off by its timeout", |s| {
        s.value("neo4j_orphan_scan_complete", &[]) == Some(0.0)
    });
    server.signal("CONT");
    assert!(!scrape.has("neo4j_orphaned_nodes"), "a cut-off scan has no total: {}", scrape.0);
    assert!(scrape.has("neo4j_orphan_scan_duration_seconds"));
}

/// The password changes in Neo4j while the exporter's pooled connections stay logged in: the
/// next connectivity check logs in afresh and says Neo4j is not usable with these credentials.
#[test]
fn a_changed_password_shows_at_the_next_check() {
    let server = Neo4jServer::start(&test_version());
    let admin = |statement: &str| {
        let config = neo4rs::ConfigBuilder::default()
            .uri(server.uri())
            .user("neo4j")
            .password(server.password.clone())
            .db("system")
            .build()
            .unwrap();
        let graph = neo4rs::Graph::connect(config).unwrap();
        common::block_on(async { graph.run(neo4rs::query(statement)).await.unwrap() });
    };
    admin("CREATE USER rotator SET PASSWORD 'First-Pa55word-1' CHANGE NOT REQUIRED");
    let exporter = Exporter::start_with_env(
        &server.uri(),
        &["--neo4j.user=rotator", "--neo4j.check-interval=1s", "--collector.migrations.interval=500ms"],
        &[("NEO4J_PASSWORD", "First-Pa55word-1")],
    );
    exporter.scrape_until(Duration::from_secs(20), "up as rotator", |s| up(s) == Some(1.0) && collector_ok(s, "migrations"));
    admin("ALTER USER rotator SET PASSWORD 'Second-Pa55word-2' CHANGE NOT REQUIRED");
    exporter.scrape_until(Duration::from_secs(10), "neo4j_up 0 after the password changed", |s| up(s) == Some(0.0));
    assert!(exporter.logs().contains("authentication failed for user 'rotator'"), "{}", exporter.logs());
    assert!(!exporter.logs().contains("Pa55word"));
}

/// Neo4j stops cleanly: the moment the exporter sees it gone, no collector claims success,
/// even one whose next run is ten minutes off; what it last read of the graph stays, last known.
#[test]
fn a_stopped_neo4j_leaves_no_collector_claiming_success() {
    let server = Neo4jServer::start(&test_version());
    server.write(&["UNWIND range(1, 3) AS i CREATE (:Lonely {i: i})"]);
    let exporter = Exporter::start(&server.uri(), &["--neo4j.check-interval=1s", "--collector.transactions.interval=1s"]);
    exporter.scrape_until(Duration::from_secs(30), "a first run of each", |s| {
        ["migrations", "counts", "orphans", "schema"].iter().all(|c| collector_ok(s, c)) && s.has("neo4j_orphaned_nodes")
    });
    server.stop();
    let scrape = exporter.scrape_until(Duration::from_secs(20), "Neo4j seen gone", |s| up(s) == Some(0.0));
    for collector in ["migrations", "transactions", "jvm", "counts", "orphans", "schema"] {
        assert!(!collector_ok(&scrape, collector), "{collector} still claims success with Neo4j gone:\n{}", scrape.0);
    }
    assert_eq!(scrape.value("neo4j_orphaned_nodes", &[]), Some(3.0), "the last orphan count stays, last known");
    for kept in ["neo4j_migrations", "neo4j_indexes", "neo4j_graph_nodes"] {
        assert!(scrape.has(kept), "{kept} is gone:\n{}", scrape.0);
    }
    assert!(!scrape.has("neo4j_transactions") && !scrape.has("neo4j_jvm_memory_used_bytes"), "activity is gone with the server");
}
