//! The shipped alert rules and Alertmanager example, checked with Prometheus' own tools:
//! `promtool check rules`, `promtool test rules` (every alert fires and stays quiet as it
//! should), `amtool check-config` and `amtool config routes test`.

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

#[test]
fn rule_files_load_in_prometheus() {
    for file in files("alerts", ".rules.yml") {
        let (ok, said) = run("promtool", &["check", "rules", &file.to_string_lossy()], &root());
        assert!(ok, "{}:\n{said}", file.display());
    }
}

#[test]
fn every_alert_fires_and_stays_quiet_as_tested() {
    for file in files("tests/alerts", ".test.yml") {
        let (ok, said) = run("promtool", &["test", "rules", &file.file_name().unwrap().to_string_lossy()], file.parent().unwrap());
        assert!(ok, "{}:\n{said}", file.display());
        assert!(said.contains("SUCCESS"), "{said}");
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
