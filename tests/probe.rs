//! One exporter, many Neo4j servers: `/probe` reads the allowed target it is asked for, with a
//! module's credentials and collectors, and nothing else.

mod common;

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{http_get, test_version, unique, urlencode, Exporter, Neo4jServer, Scrape, PASSWORD};

fn probe(exporter: &Exporter, target: &str, module: &str) -> (u16, String) {
    http_get(exporter.port, &format!("/probe?target={}&module={module}", urlencode(target))).unwrap()
}

#[test]
fn probes_two_servers_and_only_allowed_targets() {
    let a = Neo4jServer::start(&test_version());
    let b = Neo4jServer::start(&test_version());
    a.write(&["UNWIND range(1, 2) AS i CREATE (:Migration {filename: 'A' + i + '.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: 1})"]);
    b.write(&["UNWIND range(1, 3) AS i CREATE (:Migration {filename: 'B' + i + '.cypher', status: 'FAILED', appliedAt: datetime(), description: 'FAILED: Neo.TransientError.Transaction.DeadlockDetected'})"]);

    // A port that counts the connections made to it: a refused probe must make none.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let forbidden = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    std::thread::spawn(move || {
        for _ in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let dead = common::free_port();

    let config = std::env::temp_dir().join(format!("{}.yml", unique("probe")));
    std::fs::write(
        &config,
        format!(
            "probe:
  allowed_targets: ['{}', 'bolt://127.0.0.1:{}', 'bolt://127.0.0.1:{dead}']
  modules:
    default:
      user: neo4j
      password_env: PROBE_PASSWORD
      collectors: [migrations, schema]
      timeout: 5s
    counting:
      user: neo4j
      password_env: PROBE_PASSWORD
      collectors: [counts]
",
            a.uri(),
            b.port
        ),
    )
    .unwrap();
    let flag = format!("--config.file={}", config.display());
    let exporter = Exporter::start_with_env(&a.uri(), &[&flag], &[("NEO4J_PASSWORD", PASSWORD), ("PROBE_PASSWORD", PASSWORD)]);

    let (status, body) = probe(&exporter, &a.uri(), "default");
    assert_eq!(status, 200, "{body}");
    let from_a = Scrape(body);
    assert_eq!(from_a.value("neo4j_up", &[]), Some(1.0));
    assert_eq!(from_a.value("neo4j_migrations", &[("status", "success")]), Some(2.0), "{}", from_a.0);
    assert_eq!(from_a.value("neo4j_probe_collector_success", &[("collector", "schema")]), Some(1.0));
    assert!(from_a.has("neo4j_indexes") && !from_a.has("neo4j_nodes"), "only the module's collectors");
    // The exporter's own metrics stay off the probe output.
    for own in ["neo4j_exporter_build_info", "neo4j_exporter_collector_success", "process_cpu_seconds_total"] {
        assert!(!from_a.has(own), "{own} in a probe");
    }
    common::promtool_check_metrics(&from_a.0).unwrap();

    let (_, body) = probe(&exporter, &b.uri(), "default");
    let from_b = Scrape(body);
    assert_eq!(from_b.value("neo4j_migrations", &[("status", "failed")]), Some(3.0), "{}", from_b.0);
    assert_eq!(from_b.value("neo4j_migration_failed", &[("filename", "B1.cypher"), ("error_class", "deadlock")]), Some(1.0));
    let (_, body) = probe(&exporter, &b.uri(), "counting");
    assert!(Scrape(body).has("neo4j_nodes"));

    // Refused before any connection: not allowed, unknown module, no target.
    let (status, body) = probe(&exporter, &format!("bolt://127.0.0.1:{forbidden}"), "default");
    assert_eq!((status, body.trim()), (400, format!("target 'bolt://127.0.0.1:{forbidden}' is not on the probe allow-list").as_str()));
    let (status, body) = probe(&exporter, &a.uri(), "nosuch");
    assert_eq!((status, body.trim()), (400, "unknown module 'nosuch'"));
    assert_eq!(http_get(exporter.port, "/probe").unwrap().0, 400);
    // No connection may follow: an absence, so a short window.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(connections.load(Ordering::Relaxed), 0, "a refused probe connected anyway");

    // An allowed target that is down answers at once with neo4j_up 0.
    let started = std::time::Instant::now();
    let (status, body) = probe(&exporter, &format!("bolt://127.0.0.1:{dead}"), "default");
    assert_eq!(status, 200);
    assert_eq!(Scrape(body).value("neo4j_up", &[]), Some(0.0));
    // Within the module's 4 s timeout, with room for a busy machine: the timeout is honoured.
    assert!(started.elapsed() < Duration::from_secs(6));

    // The exporter's own target is unaffected.
    let own = exporter.scrape_until(Duration::from_secs(10), "up", |s| s.value("neo4j_up", &[]) == Some(1.0));
    assert!(own.has("neo4j_exporter_build_info"));
    let _ = std::fs::remove_file(config);
}

#[test]
fn without_modules_probing_is_off() {
    let exporter = Exporter::start(&format!("bolt://127.0.0.1:{}", common::free_port()), &[]);
    let (status, body) = probe(&exporter, "bolt://127.0.0.1:7687", "default");
    assert_eq!(status, 404);
    assert!(body.contains("multi-target probing is not configured"));
}

/// A port that takes connections and never answers; it counts them.
fn silent_port() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::Relaxed);
            held.push(stream);
        }
    });
    (port, connections)
}

fn probe_config(allowed: &[String], module_timeout: &str, user: &str) -> std::path::PathBuf {
    let config = std::env::temp_dir().join(format!("{}.yml", unique("probe")));
    let allowed: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    std::fs::write(
        &config,
        format!(
            "probe:\n  allowed_targets: [{}]\n  modules:\n    default:\n      user: {user}\n      password_env: PROBE_PASSWORD\n      collectors: [migrations]\n      timeout: {module_timeout}\n",
            allowed.join(", ")
        ),
    )
    .unwrap();
    config
}

/// The allow-list is matched on the parsed scheme, host and port: text after `?` or `#`
/// cannot pass for part of the host, credentials never come back in an answer, and a
/// 60 KB target is refused before any matching.
#[test]
fn the_allow_list_cannot_be_talked_around() {
    let (port, connections) = silent_port();
    let config = probe_config(&[format!("bolt://*.neo4j.test:{port}")], "5s", "neo4j");
    let exporter = Exporter::start_with_env(
        &format!("bolt://127.0.0.1:{}", common::free_port()),
        &[&format!("--config.file={}", config.display())],
        &[("PROBE_PASSWORD", PASSWORD)],
    );
    for hostile in [
        format!("bolt://127.0.0.1?.neo4j.test:{port}"),
        format!("bolt://127.0.0.1#.neo4j.test:{port}"),
        format!("bolt://127.0.0.1:{port}/.neo4j.test:{port}"),
        format!("bolt://127.0.0.1:{port}"),
    ] {
        let (status, body) = probe(&exporter, &hostile, "default");
        assert_eq!(status, 400, "{hostile}: {body}");
    }
    let (status, body) = probe(&exporter, &format!("bolt://neo4j:Probe-Pa55-Egret@x.neo4j.test:{port}"), "default");
    assert_eq!(status, 400);
    assert!(!body.contains("Probe-Pa55-Egret"), "{body}");
    let (status, body) = probe(&exporter, &format!("bolt://{}.neo4j.test:{port}", "a".repeat(5_000)), "default");
    assert_eq!(status, 400);
    assert!(body.contains("longer than 2048 characters"), "{body}");
    // 60 KB: the HTTP server refuses the request line itself.
    let (status, _) = probe(&exporter, &format!("bolt://{}.neo4j.test:{port}", "*a".repeat(30_000)), "default");
    assert!(status == 400 || status == 414, "{status}");
    assert!(exporter.get("/metrics").0 == 200);
    // No connection may follow: an absence, so a short window.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(connections.load(Ordering::Relaxed), 0, "a refused probe connected");
    let _ = std::fs::remove_file(config);
}

/// Sixty probes of a target that never answers, each bounded by its module's 4 s, more than
/// the 40 request places: /metrics and /healthz are answered while every one of them is still
/// waiting, and each probe ends within its bound, the wait for a place included.
#[test]
fn slow_probes_do_not_hold_metrics_or_healthz() {
    let (port, reached) = silent_port();
    let target = format!("bolt://127.0.0.1:{port}");
    let config = probe_config(std::slice::from_ref(&target), "4s", "neo4j");
    let exporter = Exporter::start_with_env(
        &format!("bolt://127.0.0.1:{}", common::free_port()),
        &[&format!("--config.file={}", config.display())],
        &[("PROBE_PASSWORD", PASSWORD)],
    );
    let exporter = Arc::new(exporter);
    let done = Arc::new(AtomicUsize::new(0));
    let probes: Vec<_> = (0..60)
        .map(|_| {
            let (exporter, target, done) = (exporter.clone(), target.clone(), done.clone());
            std::thread::spawn(move || {
                let answer = probe(&exporter, &target, "default");
                done.fetch_add(1, Ordering::Relaxed);
                answer
            })
        })
        .collect();
    // Until the probes are waiting on the silent target.
    exporter.wait_until(Duration::from_secs(3), "a probe reaching the target", |_| reached.load(Ordering::Relaxed) > 0);
    for _ in 0..10 {
        assert_eq!(exporter.get("/metrics").0, 200);
        assert_eq!(exporter.get("/healthz").0, 200);
    }
    assert_eq!(done.load(Ordering::Relaxed), 0, "the probes ended before /metrics and /healthz were answered");
    for answer in probes {
        let (status, body) = answer.join().unwrap();
        assert_eq!(status, 200, "{body}");
        let scrape = Scrape(body);
        assert_eq!(scrape.value("neo4j_up", &[]), Some(0.0));
        let took = scrape.value("neo4j_probe_duration_seconds", &[]).unwrap();
        assert!(took <= 4.5, "a probe took {took} s against its 4 s bound");
    }
    let _ = std::fs::remove_file(config);
}

/// A module with a wrong password, probed again and again: Neo4j never locks the user, so the
/// right password still logs in at once afterwards.
#[test]
fn a_wrong_module_password_backs_off_and_never_locks_the_user() {
    let server = Neo4jServer::start(&test_version());
    let config =
        neo4rs::ConfigBuilder::default().uri(server.uri()).user("neo4j").password(server.password.clone()).db("system").build().unwrap();
    let admin = neo4rs::Graph::connect(config).unwrap();
    common::block_on(admin.run(neo4rs::query("CREATE USER prober SET PASSWORD 'Right-Pa55-Tern' CHANGE NOT REQUIRED"))).unwrap();
    let probe_config = probe_config(&[server.uri()], "3s", "prober");
    let exporter = Exporter::start_with_env(
        &server.uri(),
        &[&format!("--config.file={}", probe_config.display())],
        &[("NEO4J_PASSWORD", PASSWORD), ("PROBE_PASSWORD", "Wrong-Pa55-Tern")],
    );
    for _ in 0..10 {
        let (status, body) = probe(&exporter, &server.uri(), "default");
        assert_eq!(status, 200);
        assert_eq!(Scrape(body).value("neo4j_up", &[]), Some(0.0));
        // Probes paced over two seconds, inside the back-off: a rate, not a wait.
        std::thread::sleep(Duration::from_millis(200));
    }
    let logs = exporter.logs();
    assert_eq!(logs.matches("authentication failed for user 'prober'").count(), 1, "{logs}");
    assert!(logs.contains("not trying again"), "{logs}");
    let right = neo4rs::Graph::new(server.uri(), "prober", "Right-Pa55-Tern").unwrap();
    common::block_on(right.run(neo4rs::query("RETURN 1"))).expect("the user is not locked");
    assert!(!logs.contains("Wrong-Pa55-Tern"));
    let _ = std::fs::remove_file(probe_config);
}
