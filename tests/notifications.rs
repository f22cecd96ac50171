//! The chat messages of alerts/notifications.tmpl as the real Alertmanager (Debian's 0.25)
//! renders them from the shipped alertmanager.yml, its Slack receivers and webhooks pointed at
//! a capture server here, for alerts a real Prometheus (Debian's, with the shipped rules) raises
//! about a run of migrations a real runner applies to a real Neo4j: the run under way, the
//! migration that fails with the error Neo4j really gave, and the run's end.

mod common;

use std::time::Duration;

use common::alertmanager::{rule_files, start_alertmanager, start_prometheus, Webhook};
use common::{recorders, unique, Exporter, Neo4jServer};
use serde_json::Value as Json;

const WAIT: Duration = Duration::from_secs(90);

/// The title and text of a Slack message Alertmanager posted.
fn message(body: &Json) -> (String, String) {
    let attachment = &body["attachments"][0];
    (attachment["title"].as_str().unwrap_or("").to_string(), attachment["text"].as_str().unwrap_or("").to_string())
}

fn slack_message(webhook: &Webhook, what: &str, title: &str) -> (String, String) {
    let body = webhook.wait_for_body("/slack", what, |b| message(b).0.contains(title), WAIT);
    message(&body)
}

/// The description a runner recorded for a file, read back from Neo4j.
fn recorded_description(server: &Neo4jServer, label: &str, file: &str) -> String {
    let graph = neo4rs::Graph::new(server.uri(), "neo4j", server.password.clone()).unwrap();
    let statement = format!("MATCH (m:`{label}`) WHERE m.filename ENDS WITH '{file}' RETURN m.description AS d");
    common::block_on(async {
        let mut rows = graph.execute(neo4rs::query(&statement)).await.unwrap();
        let row = rows.next().await.unwrap().expect("the runner recorded the file");
        row.get::<String>("d").unwrap()
    })
}

/// As the template writes database text into Slack's markup.
fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('`', "'")
}

/// A runner applies V1; while V2 and V3 are still to go the run is announced with its
/// progress. The runner goes on, V3 has a syntax error: the failure is posted with its file,
/// error class, Neo4j's error text, the impact and what to do, and the run's end is announced.
#[test]
fn chat_messages_for_a_run_under_way_a_failed_migration_and_the_end_of_the_run() {
    let server = Neo4jServer::shared();
    let dir = std::env::temp_dir().join(unique("notify"));
    let (label, data) = (unique("Notify"), unique("Mark"));
    let migrations = dir.join("migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let file = |name: &str, text: String| {
        let path = migrations.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let v1 = file("V1__first.cypher", format!("CREATE (:{data} {{step: 1}});\n"));
    let v2 = file("V2__second.cypher", format!("CREATE (:{data} {{step: 2}});\n"));
    let v3 = file("V3__typo.cypher", format!("CRATE (:{data} {{step: 3}});\n"));

    // V1 is applied: a run with V2 and V3 still to go, under way for --migrations.run-gap.
    let said = recorders::record("python", server, &label, &[], &[&v1]);
    assert_eq!(recorders::outcome(&said, &v1), Some("SUCCESS"), "{said}");
    let args = [
        format!("--migrations.label={label}"),
        format!("--migrations.dir={}", migrations.display()),
        "--migrations.profile=python".to_string(),
        "--migrations.run-gap=10m".to_string(),
        "--collector.migrations.interval=1s".to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let exporter = Exporter::start_with_env(&server.uri(), &args, &[("NEO4J_PASSWORD", &server.password)]);
    let webhook = Webhook::start();
    let alertmanager = start_alertmanager(&dir, webhook.port);
    // keep_firing_for cut down, so that the end of the run shows within the test.
    let scaled = [("keep_firing_for: \"5m\"", "keep_firing_for: 10s"), ("keep_firing_for: \"2m\"", "keep_firing_for: 3s")];
    let _prometheus = start_prometheus(&dir.join("prometheus"), exporter.port, alertmanager.port, &rule_files(&dir, &scaled));
    let instance = format!("127.0.0.1:{}", exporter.port);

    let (title, text) = slack_message(&webhook, "the run under way", "being applied");
    assert_eq!(title, format!(":rocket: Neo4j migrations being applied on {instance}"));
    assert!(text.starts_with(&format!("Migrations are being applied on {instance}: 1 applied, 2 to go, ")), "{text}");
    assert!(text.contains("No action needed") && text.contains("#neo4jmigrationruninprogress|Runbook>"), "{text}");
    // The generic webhook gets the same facts in the annotations.
    let announced = webhook.wait_for(
        "/announce",
        "the run under way",
        |a| a["labels"]["alertname"] == "Neo4jMigrationRunInProgress" && a["status"] == "firing",
        WAIT,
    );
    assert!(text.contains(announced["annotations"]["description"].as_str().unwrap()), "{announced}");

    // The runner carries on: V2 applies, V3 fails on Neo4j's parser and ends the run.
    let said = recorders::record("python", server, &label, &[], &[&v2, &v3]);
    assert_eq!(recorders::outcome(&said, &v3), Some("FAILED"), "{said}");
    let description = recorded_description(server, &label, "V3__typo.cypher");
    assert!(description.contains("CRATE"), "Neo4j's own words: {description}");
    let error: String = description.lines().next().unwrap().trim().chars().take(200).collect();

    let (title, text) = slack_message(&webhook, "the failed migration", "migration failed");
    assert_eq!(title, format!(":rotating_light: Neo4j migration failed on {instance}"));
    // The file as the runner recorded it: the path it was given.
    assert!(text.contains(&format!("*Migration:* {}\n", v3.display())), "{text}");
    assert!(text.contains(&format!("*Error:* syntax: `{}", slack_escaped(&error))), "the error Neo4j gave, {error:?}, in:\n{text}");
    assert!(text.contains("*Impact:* The database may be between two schema versions"), "{text}");
    assert!(text.contains("*What to do:* Do not rerun it as it is."), "{text}");
    assert!(text.contains("#neo4jmigrationfailed|Runbook>"), "{text}");
    let page = webhook.wait_for("/pager", "the page", |a| a["labels"]["alertname"] == "Neo4jMigrationFailed", WAIT);
    assert!(page["annotations"]["error"].as_str().unwrap().starts_with(&error), "{page}");
    for annotation in ["impact", "action", "runbook_url"] {
        assert!(page["annotations"][annotation].as_str().is_some_and(|a| !a.is_empty()), "{annotation}: {page}");
    }

    let (title, text) = slack_message(&webhook, "the end of the run", "run complete");
    assert_eq!(title, format!(":white_check_mark: Neo4j migration run complete on {instance}"));
    assert!(text.starts_with(&format!("The migration run on {instance} is over: under way from ")), "{text}");
    assert!(text.contains(" UTC, over by ") && text.contains("s, counting the alert's keep_firing_for)."), "{text}");
    assert!(text.contains("paged as Neo4jMigrationFailed"), "{text}");
    webhook.wait_for(
        "/announce",
        "the end of the run",
        |a| a["labels"]["alertname"] == "Neo4jMigrationRunInProgress" && a["status"] == "resolved",
        WAIT,
    );
}
