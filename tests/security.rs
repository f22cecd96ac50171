//! The password stays secret on every path, the exporter needs nothing but reads, and every
//! label-producing collector caps its series and says what it cut.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{exporter_binary, http_get, test_version, unique, Exporter, Neo4jServer, PASSWORD};

/// Everything a process lets out: its log and arguments, and what it serves.
fn exposed_by(exporter: &Exporter) -> String {
    let mut all = exporter.logs();
    for path in ["/", "/metrics", "/healthz", "/ready", "/nothing"] {
        all.push_str(&http_get(exporter.port, path).map(|(_, body)| body).unwrap_or_default());
    }
    all.push_str(&std::fs::read_to_string(format!("/proc/{}/cmdline", exporter.pid())).unwrap_or_default());
    all
}

fn one_shot(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(exporter_binary());
    command.args(args).env_remove("NEO4J_PASSWORD");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_password_never_appears_in_any_output() {
    let server = Neo4jServer::start(&test_version());
    let wrong = "Wrong-Quokka-Pass-5150";
    let secret_file = std::env::temp_dir().join(unique("password"));
    std::fs::write(&secret_file, format!("{PASSWORD}\n")).unwrap();
    let file_flag = format!("--neo4j.password-file={}", secret_file.display());
    let fast = ["--log.level=debug", "--neo4j.check-interval=1s", "--neo4j.max-backoff=1s", "--collector.migrations.interval=1s"];
    let mut seen = String::new();

    // Working, from the environment and from a file, in both log formats.
    let env_login = Exporter::start(&server.uri(), &fast);
    let mut with_file = fast.to_vec();
    with_file.extend([file_flag.as_str(), "--log.format=json"]);
    let file_login = Exporter::start_with_env(&server.uri(), &with_file, &[]);
    for exporter in [&env_login, &file_login] {
        exporter.scrape_until(Duration::from_secs(20), "up", |s| s.value("neo4j_up", &[]) == Some(1.0));
        seen.push_str(&exposed_by(exporter));
    }
    // Refused: a wrong password, and the right one as another user.
    let refused = Exporter::start_with_env(&server.uri(), &fast, &[("NEO4J_PASSWORD", wrong)]);
    let mut other_user = fast.to_vec();
    other_user.push("--neo4j.user=intruder");
    let unknown_user = Exporter::start(&server.uri(), &other_user);
    for exporter in [&refused, &unknown_user] {
        exporter.wait_until(Duration::from_secs(20), "an authentication failure", |e| e.logs().contains("authentication failed"));
        seen.push_str(&exposed_by(exporter));
    }
    // Neo4j goes away under the working exporter: the unreachable and timeout paths.
    server.stop();
    env_login.wait_until(Duration::from_secs(20), "the failure logged", |e| e.logs().contains("Neo4j check failed"));
    seen.push_str(&exposed_by(&env_login));
    // The one-shot commands and configuration errors.
    let uri = format!("--neo4j.uri={}", server.uri());
    seen.push_str(&one_shot(&["status", &uri, "--neo4j.connect-timeout=1s"], &[("NEO4J_PASSWORD", PASSWORD)]));
    seen.push_str(&one_shot(&["check", &uri, &file_flag, "--neo4j.connect-timeout=1s"], &[]));
    seen.push_str(&one_shot(&[&format!("--neo4j.uri=bolt://neo4j:{PASSWORD}@127.0.0.1:7687")], &[]));
    seen.push_str(&one_shot(&[&format!("--neo4j.password={PASSWORD}")], &[]));
    // A password in the URI's query (routing context), in status and in the daemon's log.
    let query_uri = format!("--neo4j.uri=neo4j://127.0.0.1:{}?password={PASSWORD}", server.port);
    seen.push_str(&one_shot(&["status", &query_uri, "--neo4j.connect-timeout=1s"], &[("NEO4J_PASSWORD", "x")]));
    let query_login =
        Exporter::start_with_env(&format!("neo4j://127.0.0.1:{}?password={PASSWORD}", server.port), &fast, &[("NEO4J_PASSWORD", "x")]);
    query_login.wait_until(Duration::from_secs(20), "the failure logged", |e| e.logs().contains("Neo4j check failed"));
    // (Its arguments hold the password because this test put it there.)
    let mut served = query_login.logs();
    for path in ["/", "/metrics"] {
        served.push_str(&query_login.get(path).1);
    }
    seen.push_str(&served);
    // Credentials in a probe allow-list, refused at start; and a probe target carrying them.
    let probe_file = std::env::temp_dir().join(format!("{}.yml", unique("probe")));
    std::fs::write(
        &probe_file,
        format!("probe:\n  allowed_targets: ['bolt://neo4j:{PASSWORD}@127.0.0.1:7687']\n  modules: {{m: {{user: neo4j, password_env: P, collectors: []}}}}\n"),
    )
    .unwrap();
    seen.push_str(&one_shot(&[&format!("--config.file={}", probe_file.display())], &[("P", "x")]));
    std::fs::write(
        &probe_file,
        "probe:\n  allowed_targets: ['bolt://127.0.0.1:7687']\n  modules: {m: {user: neo4j, password_env: P, collectors: []}}\n",
    )
    .unwrap();
    let prober = Exporter::start_with_env(&server.uri(), &[&format!("--config.file={}", probe_file.display())], &[("P", "x")]);
    let probed =
        http_get(prober.port, &format!("/probe?module=m&target={}", common::urlencode(&format!("bolt://neo4j:{PASSWORD}@127.0.0.1:7687"))));
    let (status, body) = probed.unwrap();
    assert_eq!(status, 400, "{body}");
    seen.push_str(&body);
    seen.push_str(&exposed_by(&prober));
    // Neither the exporter nor testkit's Neo4j carries it in its arguments.
    seen.push_str(&std::fs::read_to_string(format!("/proc/{}/cmdline", env_login.pid())).unwrap_or_default());

    assert!(seen.contains("authentication failed") && seen.contains("Neo4j check failed"), "the error paths ran");
    for secret in [PASSWORD, wrong] {
        if let Some(at) = seen.find(secret) {
            panic!("the password appeared: ...{}...", &seen[at.saturating_sub(200)..(at + 50).min(seen.len())]);
        }
    }
    let _ = std::fs::remove_file(secret_file);
}

#[test]
fn the_default_collectors_need_nothing_but_reads() {
    let server = Neo4jServer::start(&test_version());
    server.write(&[
        "UNWIND range(1, 5) AS i CREATE (:User {id: i})-[:PLACED]->(:Order {id: i})",
        "CREATE (:Lonely)",
        "CREATE INDEX order_id IF NOT EXISTS FOR (o:Order) ON (o.id)",
        "CREATE (:Migration {filename: 'V1.cypher', status: 'SUCCESS', appliedAt: datetime(), executionTime: 3})",
    ]);
    server.stop();
    server.restart_with(&test_version(), &["--read-only"]);
    assert!(server.try_write("CREATE (:Intruder)").is_err(), "the database is not read-only");

    let exporter = Exporter::start(&server.uri(), &["--orphans.by-label", "--collector.orphans.interval=1s"]);
    let scrape = exporter.scrape_until(Duration::from_secs(30), "every collector done", |s| {
        let runs = s.samples("neo4j_exporter_collector_success");
        runs.len() == 6 && runs.iter().all(|(_, v)| *v == 1.0)
    });
    assert_eq!(scrape.value("neo4j_nodes", &[("label", "User")]), Some(5.0));
    assert_eq!(scrape.value("neo4j_migrations", &[("status", "success")]), Some(1.0));
    assert_eq!(scrape.value("neo4j_orphaned_nodes_by_label", &[("label", "Lonely")]), Some(1.0));
    assert!(!exporter.logs().contains("collector run failed"), "{}", exporter.logs());
}

#[test]
fn label_producing_collectors_cap_their_series_with_ten_thousand_labels() {
    let server = Neo4jServer::start(&test_version());
    // 10,000 labels, each on one orphan node, plus one relationship type.
    let batches: Vec<String> = (0..10)
        .map(|b| {
            let nodes: Vec<String> = (0..1000).map(|i| format!("(:Many{})", b * 1000 + i)).collect();
            format!("CREATE {}", nodes.join(", "))
        })
        .collect();
    let mut statements: Vec<&str> = batches.iter().map(String::as_str).collect();
    statements.push("CREATE (:A)-[:LINKS]->(:B)");
    server.write(&statements);
    let custom = std::env::temp_dir().join(format!("{}.yml", unique("custom")));
    std::fs::write(
        &custom,
        "queries:\n  - {name: per_label, help: Nodes per label., query: 'CALL db.labels() YIELD label RETURN label, 1 AS n', labels: [label], values: [n], max_series: 250}\n",
    )
    .unwrap();
    let custom_flag = format!("--collector.custom.file={}", custom.display());
    let exporter = Exporter::start(
        &server.uri(),
        &[
            "--orphans.by-label",
            "--collector.orphans.interval=2s",
            "--collector.counts.interval=2s",
            "--collector.counts.timeout=60s",
            &custom_flag,
        ],
    );
    let truncated = |s: &common::Scrape, c: &str| s.value("neo4j_exporter_series_truncated", &[("collector", c)]);
    let scrape = exporter.scrape_until(Duration::from_secs(90), "all three capped", |s| {
        truncated(s, "counts").is_some_and(|t| t > 0.0)
            && truncated(s, "orphans").is_some_and(|t| t > 0.0)
            && truncated(s, "custom").is_some_and(|t| t > 0.0)
    });
    assert_eq!(scrape.value("neo4j_labels", &[]), Some(10_002.0));
    assert_eq!(scrape.samples("neo4j_nodes").len(), 500);
    assert_eq!(truncated(&scrape, "counts"), Some(9_502.0));
    assert_eq!(scrape.samples("neo4j_orphaned_nodes_by_label").len(), 500);
    assert_eq!(truncated(&scrape, "orphans"), Some(9_500.0));
    assert_eq!(scrape.value("neo4j_orphaned_nodes", &[]), Some(10_000.0), "the total is never capped");
    assert_eq!(scrape.samples("neo4j_custom_per_label").len(), 250);
    assert_eq!(truncated(&scrape, "custom"), Some(9_752.0));
    let series = scrape.0.lines().filter(|l| !l.starts_with('#')).count();
    assert!(series < 2_000, "{series} series exported with 10,000 labels");
    common::promtool_check_metrics(&scrape.0).unwrap();
    let _ = std::fs::remove_file(custom);
}
