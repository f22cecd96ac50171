//! The daemon against a real Neo4j: connectivity, server identity, faults, flags, HTTP surface.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{exporter_binary, promtool_check_metrics, test_version, Exporter, Neo4jServer, PASSWORD};

#[test]
fn reports_up_and_the_true_server_version() {
    let server = Neo4jServer::shared();
    let exporter = Exporter::start(&server.uri(), &[]);
    let scrape = exporter.scrape_until(Duration::from_secs(10), "neo4j_up 1", |s| s.value("neo4j_up", &[]) == Some(1.0));
    let version = server.version();
    assert_eq!(scrape.value("neo4j_server_info", &[("version", &version), ("edition", "community")]), Some(1.0), "{}", scrape.0);
    eprintln!("exporter reports Neo4j {version} over Bolt at {}", server.uri());
    assert_eq!(scrape.value("neo4j_exporter_build_info", &[("version", env!("CARGO_PKG_VERSION"))]), Some(1.0));
}

#[test]
fn promtool_accepts_the_exposition() {
    let server = Neo4jServer::shared();
    let exporter = Exporter::start(&server.uri(), &[]);
    exporter.wait_until(Duration::from_secs(15), "ready", |e| e.get("/ready").0 == 200);
    let scrape = exporter.scrape();
    assert!(scrape.has("neo4j_migrations"), "{}", scrape.0);
    if let Err(complaints) = promtool_check_metrics(&scrape.0) {
        panic!("promtool check metrics complained:\n{complaints}\n--- exposition ---\n{}", scrape.0);
    }
}

#[test]
fn collector_metrics_report_each_run() {
    let server = Neo4jServer::shared();
    let exporter = Exporter::start(&server.uri(), &["--collector.migrations.interval=1s"]);
    let scrape = exporter.scrape_until(Duration::from_secs(10), "a successful migrations run", |s| {
        s.value("neo4j_exporter_collector_success", &[("collector", "migrations")]) == Some(1.0)
    });
    let last = scrape.value("neo4j_exporter_collector_last_success_timestamp_seconds", &[("collector", "migrations")]).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    assert!((now - last).abs() < 30.0, "last success {last} is not recent (now {now})");
    assert!(scrape.value("neo4j_exporter_collector_duration_seconds", &[("collector", "migrations")]).unwrap() > 0.0);
    // It runs again on its interval: the timestamp moves.
    exporter.scrape_until(Duration::from_secs(10), "a later run", |s| {
        s.value("neo4j_exporter_collector_last_success_timestamp_seconds", &[("collector", "migrations")]).is_some_and(|t| t > last)
    });
}

#[test]
fn a_disabled_collector_exports_nothing() {
    let server = Neo4jServer::shared();
    let exporter = Exporter::start(&server.uri(), &["--no-collector.migrations"]);
    exporter.wait_until(Duration::from_secs(10), "ready", |e| e.get("/ready").0 == 200);
    let scrape = exporter.scrape();
    assert!(!scrape.has("neo4j_migrations"));
    assert_eq!(scrape.value("neo4j_exporter_collector_success", &[("collector", "migrations")]), None);
    assert_eq!(scrape.value("neo4j_up", &[]), Some(1.0));
}

#[test]
fn neo4j_stopped_and_started_again_without_restarting_the_exporter() {
    let server = Neo4jServer::start(&test_version());
    let exporter = Exporter::start(
        &server.uri(),
        &["--neo4j.check-interval=1s", "--neo4j.max-backoff=2s", "--neo4j.connect-timeout=2s", "--collector.migrations.interval=1s"],
    );
    exporter.scrape_until(Duration::from_secs(10), "neo4j_up 1", |s| s.value("neo4j_up", &[]) == Some(1.0));

    server.stop();
    let stopped = Instant::now();
    let scrape = exporter.scrape_until(Duration::from_secs(6), "neo4j_up 0 after the stop", |s| s.value("neo4j_up", &[]) == Some(0.0));
    eprintln!("neo4j_up fell to 0 {:?} after the stop", stopped.elapsed());
    // While Neo4j is down, a scrape still answers from what the exporter holds (how fast is
    // measured by `scripts/bench outage`).
    let (status, _) = exporter.get("/metrics");
    assert_eq!(status, 200);
    assert!(scrape.has("neo4j_server_info"), "the last known server stays visible");

    server.restart(&test_version());
    exporter.scrape_until(Duration::from_secs(15), "neo4j_up back to 1", |s| {
        s.value("neo4j_up", &[]) == Some(1.0) && s.value("neo4j_exporter_collector_success", &[("collector", "migrations")]) == Some(1.0)
    });
}

#[test]
fn neo4j_down_at_start_still_gets_ready() {
    let port = common::free_port();
    let exporter = Exporter::start(
        &format!("bolt://127.0.0.1:{port}"),
        &["--neo4j.check-interval=1s", "--neo4j.max-backoff=1s", "--neo4j.connect-timeout=1s"],
    );
    exporter.wait_until(Duration::from_secs(10), "ready even though Neo4j is down", |e| e.get("/ready").0 == 200);
    let scrape = exporter.scrape();
    assert_eq!(scrape.value("neo4j_up", &[]), Some(0.0));
    assert_eq!(scrape.value("neo4j_exporter_collector_success", &[("collector", "migrations")]), Some(0.0));
    assert!(exporter.logs().contains("Neo4j check failed"), "{}", exporter.logs());
}

#[test]
fn wrong_password_reports_down_and_says_authentication_failed() {
    let server = Neo4jServer::shared();
    let wrong = "Wrong-Pa55word-Quokka";
    // Another user than the one the other tests log in as: failed logins lock the user.
    let exporter = Exporter::start_with_env(
        &server.uri(),
        &["--neo4j.check-interval=1s", "--neo4j.max-backoff=2s", "--neo4j.user=intruder"],
        &[("NEO4J_PASSWORD", wrong)],
    );
    exporter.wait_until(Duration::from_secs(10), "an authentication failure in the log", |e| e.logs().contains("authentication failed"));
    let scrape = exporter.scrape();
    assert_eq!(scrape.value("neo4j_up", &[]), Some(0.0));
    let logs = exporter.logs();
    assert!(!logs.contains(wrong), "the password leaked into the log:\n{logs}");
    assert!(!logs.contains(PASSWORD));
    assert!(!scrape.0.contains(wrong));
    let (_, page) = exporter.get("/");
    assert!(!page.contains(wrong));
}

#[test]
fn ready_waits_for_the_first_cycle_and_the_other_pages_answer() {
    let server = Neo4jServer::shared();
    let exporter = Exporter::start(&server.uri(), &[]);
    exporter.wait_until(Duration::from_secs(10), "ready", |e| e.get("/ready").0 == 200);
    assert_eq!(exporter.get("/healthz"), (200, "ok\n".to_string()));
    let (status, page) = exporter.get("/");
    assert_eq!(status, 200);
    assert!(page.contains("Neo4j Migration Exporter") && page.contains("href=\"/metrics\""), "{page}");
    assert!(page.contains(env!("CARGO_PKG_VERSION")));
    assert_eq!(exporter.get("/nothing-here").0, 404);
}

#[test]
fn a_custom_telemetry_path_is_served() {
    let server = Neo4jServer::shared();
    let exporter = Exporter::start(&server.uri(), &["--web.telemetry-path=/custom"]);
    let (status, body) = exporter.get("/custom");
    assert_eq!(status, 200);
    assert!(body.contains("neo4j_up"));
    assert_eq!(exporter.get("/metrics").0, 404);
}

#[test]
fn sigterm_stops_inside_its_grace_with_an_idle_connection_open() {
    let server = Neo4jServer::shared();
    let exporter = Exporter::start(&server.uri(), &[]);
    exporter.wait_until(Duration::from_secs(10), "ready", |e| e.get("/ready").0 == 200);
    // An idle keep-alive connection must not hold the shutdown up.
    let _idle = std::net::TcpStream::connect(("127.0.0.1", exporter.port)).unwrap();
    let (status, took) = exporter.terminate();
    assert!(status.success(), "exit status {status:?}");
    // Inside the daemon's 1.5 s shutdown grace: the idle connection did not hold the stop up.
    assert!(took < Duration::from_millis(1400), "shutdown took {took:?}");
}

fn run_with_args(args: &[&str]) -> (i32, String) {
    let out = Command::new(exporter_binary()).args(args).env_remove("NEO4J_PASSWORD").output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn bad_flags_exit_2_with_one_sentence_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["--web.listen-adress=:1"], "--web.listen-adress"),
        (&["--collector.migrations.interval=often"], "--collector.migrations.interval"),
        (&["--web.listen-address=nowhere"], "--web.listen-address"),
        (&["--neo4j.uri=http://localhost:7474"], "--neo4j.uri"),
        (&["--log.level=loud"], "--log.level"),
        (&["--migrations.schema=flyway"], "--migrations.schema"),
        (&["--neo4j.password-file=/does/not/exist"], "--neo4j.password-file"),
        (&["--neo4j.password=secret"], "--neo4j.password"),
    ];
    for (args, flag) in cases {
        let (code, stderr) = run_with_args(args);
        assert_eq!(code, 2, "{args:?} exited {code}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?} printed more than one line: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
        assert!(stderr.starts_with("neo4j-migration-exporter: "), "{stderr}");
    }
}

#[test]
fn environment_variables_set_flags_and_name_themselves_in_errors() {
    let out = Command::new(exporter_binary()).env("NEO4J_EXPORTER_NEO4J_CHECK_INTERVAL", "sometimes").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--neo4j.check-interval (from environment variable NEO4J_EXPORTER_NEO4J_CHECK_INTERVAL)"), "{stderr}");
}

#[test]
fn help_lists_the_collector_flags_from_the_registry() {
    let out = Command::new(exporter_binary()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--collector.migrations", "--no-collector.migrations", "--collector.migrations.interval", "--web.listen-address"] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[test]
fn collectors_are_switched_by_environment_variables_too() {
    let server = Neo4jServer::shared();
    let enabled = |env: &[(&str, &str)]| {
        let mut env = env.to_vec();
        env.push(("NEO4J_PASSWORD", PASSWORD));
        let exporter = Exporter::start_with_env(&server.uri(), &[], &env);
        let scrape = exporter.scrape();
        ["orphans", "counts"].map(|c| scrape.value("neo4j_exporter_collector_success", &[("collector", c)]).is_some())
    };
    assert_eq!(enabled(&[("NEO4J_EXPORTER_COLLECTOR_ORPHANS", "false")]), [false, true]);
    assert_eq!(enabled(&[("NEO4J_EXPORTER_NO_COLLECTOR_ORPHANS", "true"), ("NEO4J_EXPORTER_COLLECTOR_COUNTS", "0")]), [false, false]);
    assert_eq!(enabled(&[("NEO4J_EXPORTER_COLLECTOR_CUSTOM", "off")]), [true, true]);
    // A flag beats the environment.
    let exporter = Exporter::start_with_env(
        &server.uri(),
        &["--collector.orphans"],
        &[("NEO4J_EXPORTER_COLLECTOR_ORPHANS", "false"), ("NEO4J_PASSWORD", PASSWORD)],
    );
    assert!(exporter.scrape().value("neo4j_exporter_collector_success", &[("collector", "orphans")]).is_some());
    let out = Command::new(exporter_binary()).env("NEO4J_EXPORTER_COLLECTOR_ORPHANS", "maybe").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--collector.orphans"));
}
