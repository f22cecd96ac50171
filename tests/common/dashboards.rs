//! The shipped dashboards' queries, as Prometheus runs them, for the tests that check each
//! panel has data.

use std::path::PathBuf;

use serde_json::Value as Json;

use super::{http_get, repo_root, urlencode};

/// An instant query against the Prometheus on `prometheus`.
pub fn query(prometheus: u16, promql: &str) -> Json {
    let (status, body) = http_get(prometheus, &format!("/api/v1/query?query={}", urlencode(promql))).unwrap();
    assert_eq!(status, 200, "{promql}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Every (dashboard, panel title, expression) of the shipped dashboards.
pub fn dashboard_queries() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("dashboards"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let dashboard: Json = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let mut panels: Vec<Json> = dashboard["panels"].as_array().cloned().unwrap_or_default();
        let mut i = 0;
        while i < panels.len() {
            if let Some(nested) = panels[i]["panels"].as_array() {
                panels.extend(nested.clone());
            }
            i += 1;
        }
        for panel in panels {
            for target in panel["targets"].as_array().cloned().unwrap_or_default() {
                if let Some(expr) = target["expr"].as_str() {
                    let title = panel["title"].as_str().unwrap_or("").to_string();
                    out.push((file.file_name().unwrap().to_string_lossy().to_string(), title, expr.to_string()));
                }
            }
        }
    }
    assert!(!out.is_empty(), "no dashboard queries found");
    out
}

pub fn as_prometheus_would_run(expr: &str) -> String {
    expr.replace("$__rate_interval", "1m")
        .replace("$__range", "1h")
        .replace("$__interval", "1m")
        .replace("${job}", ".*")
        .replace("$job", ".*")
        .replace("${instance}", ".*")
        .replace("$instance", ".*")
}
