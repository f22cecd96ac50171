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
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(connections.load(Ordering::Relaxed), 0, "a refused probe connected anyway");

    // An allowed target that is down answers at once with neo4j_up 0.
    let started = std::time::Instant::now();
    let (status, body) = probe(&exporter, &format!("bolt://127.0.0.1:{dead}"), "default");
    assert_eq!(status, 200);
    assert_eq!(Scrape(body).value("neo4j_up", &[]), Some(0.0));
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
