//! The monitoring mixin in `mixin/` is the one source of the alert rules, the recording rules
//! and the dashboards: rendered by the real jsonnet (go-jsonnet, pinned in scripts/install-deps),
//! the checked-in files are exactly what it writes; another `_config` reaches every rule and
//! dashboard; every alert and every dashboard links the runbook; and each dashboard type-checks
//! with tsc against Grafana's own `@grafana/schema` types.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{exporter_binary, go_tool, repo_root, unique};
use serde_json::Value as Json;

fn scratch(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(prefix));
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn output(command: &mut Command) -> (bool, String) {
    let out = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The value of a jsonnet expression evaluated beside the mixin (`import 'mixin.libsonnet'`).
fn evaluate(code: &str) -> Json {
    let (ok, said) = output(Command::new(go_tool("jsonnet")).current_dir(repo_root().join("mixin")).args(["-e", code]));
    assert!(ok, "jsonnet -e {code}:\n{said}");
    serde_json::from_str(&said).unwrap_or_else(|e| panic!("jsonnet printed no JSON ({e}):\n{said}"))
}

/// Writes the repository's files as `mixin` renders them into `dir`; returns their paths.
fn render_files(mixin: &str, dir: &Path) -> Vec<String> {
    let code = format!("(import 'files.libsonnet')({mixin})");
    let (ok, said) = output(
        Command::new(go_tool("jsonnet")).current_dir(repo_root().join("mixin")).args(["-S", "-c", "-m"]).arg(dir).args(["-e", &code]),
    );
    assert!(ok, "jsonnet could not render the mixin:\n{said}");
    let mut files: Vec<String> =
        said.lines().map(|line| Path::new(line).strip_prefix(dir).unwrap().to_string_lossy().into_owned()).collect();
    files.sort();
    files
}

const SHIPPED: &str = "import 'mixin.libsonnet'";

/// A `_config` unlike the shipped one in every setting the issue names.
const CUSTOM: &str = r#"(import 'mixin.libsonnet') + { _config+:: {
    jobSelector: 'job="graph-exporter",env="prod"',
    slowMigrationSeconds: 42,
    longRunningQuerySeconds: 75,
    stuckMigrationSeconds: 2700,
    heapUsedRatio: 0.8,
    orphanGrowthNodes: 250,
    runbookURLPattern: 'https://wiki.example.org/neo4j/runbook#%s',
    dashboardTags: ['graph-team'],
    dashboardRefresh: '1m',
} }"#;

fn alert_rules(mixin: &str) -> Vec<Json> {
    let rules = evaluate(&format!("({mixin}).prometheusAlerts"));
    rules["groups"].as_array().unwrap().iter().flat_map(|g| g["rules"].as_array().unwrap().clone()).collect()
}

fn rule<'a>(rules: &'a [Json], alert: &str) -> &'a Json {
    rules.iter().find(|r| r["alert"] == alert).unwrap_or_else(|| panic!("no alert {alert}"))
}

fn dashboards(mixin: &str) -> Vec<(String, Json)> {
    let all = evaluate(&format!("({mixin}).grafanaDashboards"));
    all.as_object().unwrap().iter().map(|(name, d)| (name.clone(), d.clone())).collect()
}

fn panels(dashboard: &Json) -> Vec<&Json> {
    let mut out = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        out.push(panel);
        out.extend(panel["panels"].as_array().into_iter().flatten());
    }
    out
}

fn link_urls(node: &Json) -> Vec<&str> {
    node["links"].as_array().into_iter().flatten().filter_map(|l| l["url"].as_str()).collect()
}

#[test]
fn checked_in_rules_and_dashboards_are_what_the_mixin_renders() {
    let dir = scratch("mixin_render");
    let rendered = render_files(SHIPPED, &dir);
    for expected in ["alerts/neo4j.rules.yml", "alerts/neo4j.recording.rules.yml", "dashboards/neo4j-migrations.json"] {
        assert!(rendered.iter().any(|f| f == expected), "the mixin renders no {expected}: {rendered:?}");
    }
    let mut drifted = Vec::new();
    for file in &rendered {
        let want = fs::read(dir.join(file)).unwrap();
        match fs::read(repo_root().join(file)) {
            Ok(have) if have == want => {}
            Ok(_) => drifted.push(format!("{file} differs from the mixin")),
            Err(e) => drifted.push(format!("{file}: {e}")),
        }
    }
    // Nothing ships beside the mixin's files that it does not render.
    for (folder, suffix) in [("alerts", ".rules.yml"), ("dashboards", ".json")] {
        for entry in fs::read_dir(repo_root().join(folder)).unwrap() {
            let name = format!("{folder}/{}", entry.unwrap().file_name().to_string_lossy());
            if name.ends_with(suffix) && !rendered.contains(&name) {
                drifted.push(format!("{name} is not rendered by the mixin"));
            }
        }
    }
    assert!(drifted.is_empty(), "{}\nEdit mixin/ and run mixin/generate, then commit what it writes.", drifted.join("\n"));
    fs::remove_dir_all(dir).ok();
}

#[test]
fn the_mixin_is_formatted_as_jsonnetfmt_writes_it() {
    let mut sources = Vec::new();
    let mut folders = vec![repo_root().join("mixin")];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "libsonnet" || e == "jsonnet") {
                sources.push(path);
            }
        }
    }
    assert!(sources.len() > 5, "{sources:?}");
    let (ok, said) = output(Command::new(go_tool("jsonnetfmt")).arg("--test").args(&sources));
    assert!(ok, "jsonnetfmt --test: not formatted (run .tools/bin/jsonnetfmt -i on them):\n{said}");
}

#[test]
fn a_custom_config_reaches_every_rule_and_dashboard() {
    let rules = alert_rules(CUSTOM);
    assert_eq!(rules.len(), 17);
    for rule in &rules {
        let name = rule["alert"].as_str().unwrap();
        let expr = rule["expr"].as_str().unwrap();
        assert!(expr.contains(r#"job="graph-exporter",env="prod""#), "{name} ignores the job selector: {expr}");
        assert!(!expr.contains(r#"job="neo4j""#), "{name} still hard-codes the job: {expr}");
        let url = rule["annotations"]["runbook_url"].as_str().unwrap();
        assert_eq!(url, format!("https://wiki.example.org/neo4j/runbook#{}", name.to_lowercase()), "{name}");
    }
    for (alert, threshold) in [
        ("Neo4jMigrationSlow", "> 42"),
        ("Neo4jLongRunningQuery", "> 75"),
        ("Neo4jMigrationStuck", "> 2700"),
        ("Neo4jHeapNearlyFull", "> 0.8"),
        ("Neo4jOrphanedNodesIncreasing", "> 250"),
    ] {
        let expr = rule(&rules, alert)["expr"].as_str().unwrap();
        assert!(expr.contains(threshold), "{alert}: no {threshold:?} in {expr}");
    }
    assert!(rule(&rules, "Neo4jMigrationSlow")["annotations"]["description"].as_str().unwrap().contains("more than 42s"));

    let recording = evaluate(&format!("({CUSTOM}).prometheusRules"));
    for rule in recording["groups"][0]["rules"].as_array().unwrap() {
        assert!(rule["expr"].as_str().unwrap().contains(r#"job="graph-exporter",env="prod""#), "{rule}");
    }

    for (name, dashboard) in dashboards(CUSTOM) {
        assert_eq!(dashboard["tags"], serde_json::json!(["graph-team"]), "{name}");
        assert_eq!(dashboard["refresh"], "1m", "{name}");
        let job = dashboard["templating"]["list"].as_array().unwrap().iter().find(|v| v["name"] == "job").unwrap();
        assert_eq!(job["query"], r#"label_values(neo4j_up{job="graph-exporter",env="prod"}, job)"#, "{name}");
        let urls: Vec<&str> = panels(&dashboard).into_iter().flat_map(link_urls).chain(link_urls(&dashboard)).collect();
        assert!(urls.iter().any(|u| u.starts_with("https://wiki.example.org/neo4j/runbook#")), "{name}: {urls:?}");
        assert!(!urls.iter().any(|u| u.contains("github.com")), "{name} still links the default runbook: {urls:?}");
    }

    // The panels that mark an alert's threshold mark the configured one.
    let activity = dashboards(CUSTOM).into_iter().find(|(name, _)| name == "neo4j-database-activity.json").unwrap().1;
    for (title, threshold) in [("Oldest open transaction", 75.0), ("Heap used / max", 0.8)] {
        let panel = panels(&activity).into_iter().find(|p| p["title"] == title).unwrap_or_else(|| panic!("no panel {title}"));
        let steps = &panel["fieldConfig"]["defaults"]["thresholds"]["steps"];
        let marked: Vec<f64> = steps.as_array().unwrap().iter().filter_map(|s| s["value"].as_f64()).collect();
        assert_eq!(marked, vec![threshold], "{title}: {steps}");
    }

    // What it renders still loads in Prometheus.
    let dir = scratch("mixin_custom");
    for file in render_files(CUSTOM, &dir).iter().filter(|f| f.ends_with(".yml")) {
        let (ok, said) = output(Command::new("promtool").args(["check", "rules"]).arg(dir.join(file)));
        assert!(ok, "{file} of the custom config:\n{said}");
    }
    fs::remove_dir_all(dir).ok();
}

#[test]
fn every_alert_and_dashboard_links_its_runbook_section() {
    let config = evaluate("(import 'mixin.libsonnet')._config");
    let pattern = config["runbookURLPattern"].as_str().unwrap();
    let runbook = fs::read_to_string(repo_root().join("docs/runbook.md")).unwrap();
    let anchors: BTreeSet<String> =
        runbook.lines().filter_map(|l| l.strip_prefix("## ")).map(|h| h.trim().to_lowercase().replace(' ', "-")).collect();
    let section = |url: &str| -> String {
        let anchor = url.strip_prefix(&pattern.replace("%s", "")).unwrap_or_else(|| panic!("{url} is not from {pattern}"));
        assert!(anchors.contains(anchor), "{url}: docs/runbook.md has no section #{anchor}");
        anchor.to_string()
    };

    // The checked-in rules, which the drift test ties to the mixin.
    let shipped: serde_norway::Value =
        serde_norway::from_str(&fs::read_to_string(repo_root().join("alerts/neo4j.rules.yml")).unwrap()).unwrap();
    let mut alerts = BTreeSet::new();
    for group in shipped["groups"].as_sequence().unwrap() {
        for rule in group["rules"].as_sequence().unwrap() {
            let name = rule["alert"].as_str().unwrap();
            assert_eq!(section(rule["annotations"]["runbook_url"].as_str().unwrap()), name.to_lowercase());
            alerts.insert(name.to_string());
        }
    }

    let mut linked = BTreeSet::new();
    for (name, dashboard) in dashboards(SHIPPED) {
        let top = link_urls(&dashboard);
        assert!(top.iter().any(|u| u.starts_with(&pattern.replace("%s", ""))), "{name}: no link to the runbook in {top:?}");
        top.iter().filter(|u| u.contains('#')).for_each(|u| drop(section(u)));
        let mut panel_links = 0;
        for panel in panels(&dashboard) {
            for url in link_urls(panel) {
                let anchor = section(url);
                let alert = alerts.iter().find(|a| a.to_lowercase() == anchor);
                let alert = alert.unwrap_or_else(|| panic!("{name}, panel {}: {url} names no alert", panel["title"]));
                linked.insert(alert.clone());
                panel_links += 1;
            }
        }
        assert!(panel_links > 0, "{name}: no panel links a runbook section");
    }
    let unlinked: Vec<&String> = alerts.difference(&linked).collect();
    assert!(unlinked.is_empty(), "no panel links the runbook section of {unlinked:?}");
}

/// `--NAME`'s default in `neo4j-migration-exporter --help`.
fn flag_default(flag: &str) -> String {
    let (ok, help) = output(Command::new(exporter_binary()).arg("--help"));
    assert!(ok, "{help}");
    let after = help.split_once(&format!("--{flag} ")).unwrap_or_else(|| panic!("--help has no --{flag}:\n{help}")).1;
    let default = after.split_once("[default: ").unwrap().1;
    default.split_once(']').unwrap().0.to_string()
}

#[test]
fn the_shipped_thresholds_match_the_exporters_own_defaults() {
    let config = evaluate("(import 'mixin.libsonnet')._config");
    // Neo4jLongRunningQuery and neo4j_transactions_long_running count the same transactions.
    let flag = flag_default("transactions.long-running-threshold");
    assert_eq!(format!("{}s", config["longRunningQuerySeconds"]), flag, "longRunningQuerySeconds and the flag's default");
    assert_eq!(config["longRunningQuerySeconds"].as_u64(), Some(neo4j_migration_exporter::timeline::LONG_RUNNING.as_secs()));
    // `check --stuck-after` and Neo4jMigrationStuck call the same record stuck.
    let stuck = neo4j_migration_exporter::collectors::migrations::report::STUCK_AFTER;
    assert_eq!(config["stuckMigrationSeconds"].as_u64(), Some(stuck.as_secs()));
}

// ---- the dashboards against @grafana/schema -------------------------------------------------

/// Type-checks each (name, dashboard JSON) with tsc as a `ShippedDashboard` literal; returns
/// tsc's report when it finds errors.
fn type_check(dashboards: &[(String, String)]) -> Result<(), String> {
    let npm = repo_root().join(".tools/npm");
    let tsc = npm.join("node_modules/typescript/bin/tsc");
    assert!(tsc.is_file() && npm.join("node_modules/@grafana/schema").is_dir(), "{} is missing: run scripts/install-deps", npm.display());
    let dir = scratch("grafana_schema");
    std::os::unix::fs::symlink(npm.join("node_modules"), dir.join("node_modules")).unwrap();
    fs::copy(repo_root().join("tests/testdata/grafana_dashboard.ts"), dir.join("grafana_dashboard.ts")).unwrap();
    for (name, json) in dashboards {
        let source =
            format!("import type {{ ShippedDashboard }} from './grafana_dashboard';\nexport const dashboard: ShippedDashboard = {json};\n");
        fs::write(dir.join(format!("{}.ts", name.trim_end_matches(".json"))), source).unwrap();
    }
    let config = r#"{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022", "module": "esnext",
        "moduleResolution": "bundler", "skipLibCheck": true, "types": []}, "include": ["*.ts"]}"#;
    fs::write(dir.join("tsconfig.json"), config).unwrap();
    let (ok, said) = output(Command::new("node").arg(&tsc).args(["-p", "."]).current_dir(&dir));
    fs::remove_dir_all(&dir).ok();
    if ok {
        Ok(())
    } else {
        Err(said)
    }
}

fn shipped_dashboard_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(repo_root().join("dashboards"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn every_dashboard_type_checks_against_grafana_schema() {
    let files = shipped_dashboard_files();
    assert_eq!(files.len(), 3, "{:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
    if let Err(report) = type_check(&files) {
        panic!("tsc against @grafana/schema:\n{report}");
    }
}

/// Breaks a dashboard in one way.
type Break = fn(&mut Json);

#[test]
fn the_schema_check_rejects_what_it_was_added_for() {
    let (_, json) = shipped_dashboard_files().remove(0);
    let dashboard: Json = serde_json::from_str(&json).unwrap();
    let broken = |change: Break| {
        let mut copy = dashboard.clone();
        change(&mut copy);
        ("broken.json".to_string(), serde_json::to_string_pretty(&copy).unwrap())
    };
    let cases: [(&str, Break); 3] = [
        ("'\"expr\"' does not exist", |d| {
            let annotation = &mut d["annotations"]["list"][0];
            annotation["expr"] = annotation["target"]["expr"].take();
            annotation.as_object_mut().unwrap().remove("target");
        }),
        ("missing the following properties", |d| d["templating"]["list"][0]["current"] = serde_json::json!({})),
        ("Type 'null' is not assignable", |d| d["templating"]["list"][1]["allValue"] = Json::Null),
    ];
    for (expected, change) in cases {
        let report = type_check(&[broken(change)]).expect_err(expected);
        assert!(report.contains(expected), "expected {expected:?} from tsc, got:\n{report}");
    }
}
