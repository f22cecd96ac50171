//! The shipped alert rules and Alertmanager example, checked with Prometheus' own tools:
//! `promtool check rules`, `promtool test rules` (every alert fires and stays quiet as it
//! should), `amtool check-config` (with the chat templates), `amtool template render` and
//! `amtool config routes test`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> =
        std::fs::read_dir(root().join(dir)).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(suffix)).collect();
    found.sort();
    assert!(!found.is_empty(), "no {suffix} files in {dir}");
    found
}

fn run(program: &str, args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed for this test (apt-get install prometheus prometheus-alertmanager): {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The promtools of Debian's Prometheus 2.42 and of Prometheus 3 (built by scripts/install-deps).
fn promtools() -> [String; 2] {
    ["promtool".to_string(), common::go_tool("promtool").to_string_lossy().to_string()]
}

#[test]
fn rule_files_load_in_prometheus() {
    for promtool in promtools() {
        for file in files("alerts", ".rules.yml") {
            let (ok, said) = run(&promtool, &["check", "rules", &file.to_string_lossy()], &root());
            assert!(ok, "{promtool} {}:\n{said}", file.display());
            // Prometheus 3 also warns (and still succeeds) about what it will refuse later.
            assert!(!said.to_lowercase().contains("warn"), "{promtool} {}:\n{said}", file.display());
        }
    }
}

#[test]
fn every_alert_fires_and_stays_quiet_as_tested() {
    for promtool in promtools() {
        for file in files("tests/alerts", ".test.yml") {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            let (ok, said) = run(&promtool, &["test", "rules", &name], file.parent().unwrap());
            assert!(ok, "{promtool} {}:\n{said}", file.display());
            assert!(said.contains("SUCCESS"), "{promtool}: {said}");
        }
    }
}

/// Every alert of the rules, with its labels and annotations.
fn alerts() -> Vec<serde_norway::Mapping> {
    let mut all = Vec::new();
    for file in files("alerts", ".rules.yml") {
        let doc: serde_norway::Value = serde_norway::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for group in doc["groups"].as_sequence().unwrap() {
            for rule in group["rules"].as_sequence().unwrap() {
                if rule.get("alert").is_some() {
                    all.push(rule.as_mapping().unwrap().clone());
                }
            }
        }
    }
    all
}

fn text<'a>(rule: &'a serde_norway::Mapping, path: &[&str]) -> &'a str {
    let mut value = rule.get(path[0]).unwrap_or_else(|| panic!("{:?} has no {}", rule.get("alert"), path[0]));
    for key in &path[1..] {
        value = value.get(*key).unwrap_or_else(|| panic!("{:?} has no {key}", rule.get("alert")));
    }
    value.as_str().unwrap()
}

#[test]
fn every_alert_the_project_promises_exists_with_conventional_annotations() {
    let alerts = alerts();
    let names: Vec<&str> = alerts.iter().map(|r| text(r, &["alert"])).collect();
    for promised in [
        "Neo4jMigrationFailed",
        "Neo4jMigrationPartiallyApplied",
        "Neo4jMigrationLockTimeout",
        "Neo4jMigrationSlow",
        "Neo4jMigrationStuck",
        "Neo4jMigrationChecksumMismatch",
        "Neo4jLongRunningQuery",
        "Neo4jTransactionsBlocked",
        "Neo4jHeapNearlyFull",
        "Neo4jIndexFailed",
        "Neo4jIndexPopulationStalled",
        "Neo4jOrphanedNodesIncreasing",
        "Neo4jDown",
        "Neo4jExporterCollectorFailing",
        "Neo4jExporterDown",
        "Neo4jMigrationRunInProgress",
        "Neo4jMigrationSchemaMissing",
    ] {
        assert!(names.contains(&promised), "{promised} is missing");
    }
    let runbook = std::fs::read_to_string(root().join("docs/runbook.md")).expect("docs/runbook.md");
    let tests = files("tests/alerts", ".test.yml").iter().map(|f| std::fs::read_to_string(f).unwrap()).collect::<String>();
    for rule in &alerts {
        let name = text(rule, &["alert"]);
        assert!(name.starts_with("Neo4j"), "{name}: one prefix for every alert");
        let severity = text(rule, &["labels", "severity"]);
        assert!(["critical", "warning", "info"].contains(&severity), "{name}: severity {severity}");
        let summary = text(rule, &["annotations", "summary"]);
        assert!(summary.ends_with('.') && summary.chars().next().unwrap().is_uppercase(), "{name}: summary '{summary}'");
        assert!(!summary.contains("{{"), "{name}: the summary is static");
        let description = text(rule, &["annotations", "description"]);
        assert!(description.contains("$labels.instance"), "{name}: the description names the instance");
        let url = text(rule, &["annotations", "runbook_url"]);
        let anchor = url.rsplit_once('#').map(|(_, a)| a).unwrap_or_else(|| panic!("{name}: no anchor in {url}"));
        assert_eq!(anchor, name.to_lowercase(), "{name}: runbook anchor");
        assert!(runbook.contains(&format!("\n## {name}\n")), "{name}: no section in docs/runbook.md");
        // promtool test cases for both outcomes.
        assert!(tests.contains(&format!("alertname: {name}\n        exp_alerts: []")), "{name}: no quiet case");
        assert!(tests.contains(&format!("alertname: {name}\n        exp_alerts:\n")), "{name}: no firing case");
    }
    // Templates that Prometheus 2.42 cannot run.
    let rules = files("alerts", ".rules.yml").iter().map(|f| std::fs::read_to_string(f).unwrap()).collect::<String>();
    for unsupported in ["query_offset", "toDuration", "now "] {
        assert!(!rules.contains(unsupported), "{unsupported} does not exist in Prometheus 2.42");
    }
}

#[test]
fn alertmanager_example_is_valid_and_routes_by_severity() {
    let config = root().join("alerts/alertmanager.yml");
    let config = config.to_string_lossy();
    let (ok, said) = run("amtool", &["check-config", &config], &root());
    assert!(ok, "{said}");
    for (labels, receiver) in [
        (vec!["alertname=Neo4jMigrationFailed", "severity=critical"], "pager"),
        (vec!["alertname=Neo4jDown", "severity=critical"], "pager"),
        (vec!["alertname=Neo4jMigrationSlow", "severity=warning"], "ticket"),
        (vec!["alertname=Neo4jHeapNearlyFull", "severity=warning"], "ticket"),
        (vec!["alertname=Neo4jMigrationSchemaMissing", "severity=warning"], "ticket"),
        (vec!["alertname=Neo4jMigrationRunInProgress", "severity=info"], "announce"),
    ] {
        let flag = format!("--config.file={config}");
        let verify = format!("--verify.receivers={receiver}");
        let mut args = vec!["config", "routes", "test", flag.as_str(), verify.as_str()];
        args.extend(labels.iter().copied());
        let (ok, said) = run("amtool", &args, &root());
        assert!(ok, "{labels:?} should reach {receiver}: {said}");
        assert_eq!(said.lines().find(|l| !l.starts_with("Warning")).unwrap_or("").trim(), receiver, "{said}");
    }
}

/// `templates:` of the shipped Alertmanager example, as paths beside the configuration file.
fn shipped_templates() -> Vec<PathBuf> {
    let config: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(root().join("alerts/alertmanager.yml")).unwrap()).unwrap();
    config["templates"]
        .as_sequence()
        .expect("alertmanager.yml has templates")
        .iter()
        .map(|t| root().join("alerts").join(t.as_str().unwrap()))
        .collect()
}

#[test]
fn alertmanager_example_finds_its_templates_and_a_broken_template_is_caught() {
    // Alertmanager takes templates as globs, and a glob that matches nothing is no error: each
    // must name a file next to the configuration, and each template it uses must be defined.
    let templates = shipped_templates();
    assert!(!templates.is_empty());
    let mut defined = String::new();
    for template in &templates {
        defined.push_str(&std::fs::read_to_string(template).unwrap_or_else(|e| panic!("{}: {e}", template.display())));
    }
    let config = std::fs::read_to_string(root().join("alerts/alertmanager.yml")).unwrap();
    let used: Vec<&str> = config.split("{{ template \"").skip(1).map(|rest| rest.split('"').next().unwrap()).collect();
    assert!(used.len() >= 3, "the chat receivers use the templates: {used:?}");
    for name in used {
        assert!(defined.contains(&format!("{{{{ define \"{name}\" ")), "{name} is used but not defined");
    }

    // A copy of the shipped pair, elsewhere: amtool check-config loads the template with it.
    let dir = std::env::temp_dir().join(format!("alerting-templates-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root().join("alerts/alertmanager.yml"), dir.join("alertmanager.yml")).unwrap();
    for template in &templates {
        std::fs::copy(template, dir.join(template.file_name().unwrap())).unwrap();
    }
    let copy = dir.join("alertmanager.yml").to_string_lossy().to_string();
    let (ok, said) = run("amtool", &["check-config", &copy], &root());
    assert!(ok && said.contains(&format!(" - {} templates", templates.len())), "{said}");
    // A syntax error in a template fails the check, naming the file.
    let broken = dir.join(templates[0].file_name().unwrap());
    let text = std::fs::read_to_string(&broken).unwrap();
    std::fs::write(&broken, text.replacen("{{- end }}", "{{- end", 1)).unwrap();
    let (ok, said) = run("amtool", &["check-config", &copy], &root());
    assert!(!ok && said.contains("notifications.tmpl"), "a broken template passed: {said}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_chat_templates_render_every_message_with_amtool() {
    // Sample alerts in Alertmanager's template data; tests/notifications.rs renders the real
    // ones in a real Alertmanager.
    let dir = std::env::temp_dir().join(format!("alerting-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data.json");
    std::fs::write(
        &data,
        r#"{"receiver": "pager", "status": "firing", "externalURL": "http://am",
            "groupLabels": {"instance": "db-1:10687"}, "commonLabels": {"instance": "db-1:10687", "severity": "critical"}, "commonAnnotations": {},
            "alerts": [
              {"status": "firing", "startsAt": "2026-03-02T09:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
               "labels": {"alertname": "Neo4jMigrationFailed", "instance": "db-1:10687", "filename": "V4__<b>&.cypher", "error_class": "syntax", "severity": "critical"},
               "annotations": {"error": "Invalid input `CRATE` <here>", "impact": "It hurts.", "action": "Fix it.", "runbook_url": "https://example/runbook.md#neo4jmigrationfailed"}},
              {"status": "firing", "startsAt": "2026-03-02T09:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
               "labels": {"alertname": "Neo4jMigrationLockTimeout", "instance": "db-1:10687", "severity": "critical"},
               "annotations": {"summary": "A lock timeout.", "description": "Waited.", "runbook_url": "https://example/runbook.md#neo4jmigrationlocktimeout"}}
            ]}"#,
    )
    .unwrap();
    let glob = format!("--template.glob={}", shipped_templates()[0].display());
    let data_flag = format!("--template.data={}", data.display());
    let render = |text: &str| {
        let (ok, said) = run("amtool", &["template", "render", &glob, &data_flag, &format!("--template.text={text}")], &root());
        assert!(ok, "{text}: {said}");
        said
    };
    assert_eq!(render(r#"{{ template "neo4j.slack.title" . }}"#).trim(), ":rotating_light: Neo4j migration failed on db-1:10687");
    assert_eq!(render(r#"{{ template "neo4j.slack.color" . }}"#).trim(), "danger");
    let text = render(r#"{{ template "neo4j.slack.text" . }}"#);
    for part in [
        "*Migration:* V4__&lt;b&gt;&amp;.cypher\n",
        "*Error:* syntax: `Invalid input 'CRATE' &lt;here&gt;`\n",
        "*Impact:* It hurts.\n",
        "*What to do:* Fix it.\n",
        "<https://example/runbook.md#neo4jmigrationfailed|Runbook>",
        "*A lock timeout.*\nWaited.\n<https://example/runbook.md#neo4jmigrationlocktimeout|Runbook>",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
    // The end of a run: the resolved info alert.
    std::fs::write(
        &data,
        r#"{"receiver": "announce", "status": "resolved", "externalURL": "http://am",
            "groupLabels": {}, "commonLabels": {"alertname": "Neo4jMigrationRunInProgress", "instance": "db-1:10687", "severity": "info"}, "commonAnnotations": {},
            "alerts": [
              {"status": "resolved", "startsAt": "2026-03-02T09:00:00.250Z", "endsAt": "2026-03-02T09:04:13.5Z",
               "labels": {"alertname": "Neo4jMigrationRunInProgress", "instance": "db-1:10687", "severity": "info"},
               "annotations": {"description": "Migrations are being applied on db-1:10687: 4 applied, 1 to go, no ETA yet.", "runbook_url": "https://example/runbook.md#neo4jmigrationruninprogress"}}
            ]}"#,
    )
    .unwrap();
    assert_eq!(render(r#"{{ template "neo4j.slack.title" . }}"#).trim(), ":white_check_mark: Neo4j migration run complete on db-1:10687");
    assert_eq!(render(r#"{{ template "neo4j.slack.color" . }}"#).trim(), "good");
    let text = render(r#"{{ template "neo4j.slack.text" . }}"#);
    assert!(
        text.starts_with("The migration run on db-1:10687 is over: under way from 09:00:00 UTC, over by 09:04:13 UTC (4m13s, counting"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
