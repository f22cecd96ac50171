//! The `monitoring` collector: whether the user's Prometheus is ready for migration day, read
//! through its HTTP API: the shipped migration alert rules are loaded, and the exporter's job
//! is scraped with `up == 1`. It asks Prometheus, never Neo4j.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{parse_non_empty, ConfigError, Setting, Values};
use crate::prometheus_api::{parse_url, PrometheusApi};
use crate::snapshot::Family;
use crate::views::checklist::Item;
use crate::views::page::{shown, ERROR_CHARS, NAME_CHARS};
use crate::views::terminal::{Terminal, Tone};
use crate::views::text::{for_display, LIST_CAP};
use crate::views::Part;

pub const SPEC: Spec = Spec {
    name: "monitoring",
    help: "whether Prometheus has loaded the alert rules and scrapes the exporter (--prometheus.url)",
    keeps_state: false,
    enabled_by_default: false,
    interval: Duration::from_secs(60),
    timeout: Duration::from_secs(10),
    reports: true,
    enabled_by: Some("prometheus.url"),
    settings: SETTINGS,
    tells: tells_nothing,
    configure: |values, _| Ok(Arc::new(MonitoringConfig::from_values(values)?)),
    build: |settings| Box::new(Monitoring { config: settings_as::<MonitoringConfig>(settings).clone() }),
};

const SETTINGS: &[Setting] = &[
    Setting {
        flag: "prometheus.url",
        value_name: "URL",
        default: None,
        help: "Base URL of the Prometheus that scrapes this exporter, read through its HTTP API (turns the monitoring collector on)",
    },
    Setting {
        flag: "prometheus.job",
        value_name: "JOB",
        default: Some("neo4j"),
        help: "The job label Prometheus gives this exporter's targets, as the shipped alert rules expect",
    },
];

/// The alert rules the project ships; each must be loaded.
const SHIPPED_RULES: &str = include_str!("../../alerts/neo4j.rules.yml");

/// The names of the alerts in the shipped rules file.
pub fn shipped_alerts() -> Vec<String> {
    let rules: serde_norway::Value = serde_norway::from_str(SHIPPED_RULES).expect("the shipped rules file is YAML");
    let mut names = BTreeSet::new();
    for group in rules["groups"].as_sequence().into_iter().flatten() {
        for rule in group["rules"].as_sequence().into_iter().flatten() {
            if let Some(name) = rule["alert"].as_str() {
                names.insert(name.to_string());
            }
        }
    }
    names.into_iter().collect()
}

#[derive(Clone, Debug)]
pub struct MonitoringConfig {
    pub api: Option<PrometheusApi>,
    pub url: String,
    pub job: String,
}

impl MonitoringConfig {
    pub fn from_values(values: &Values) -> Result<Self, ConfigError> {
        let url = values.parse("prometheus.url", parse_url)?;
        Ok(MonitoringConfig {
            url: url.as_ref().map(|u| u.to_string()).unwrap_or_default(),
            api: url.map(PrometheusApi::new),
            job: values.required("prometheus.job", parse_non_empty)?,
        })
    }
}

struct Monitoring {
    config: MonitoringConfig,
}

/// A PromQL string literal.
pub fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Monitoring {
    /// Both questions within `timeout` in all.
    async fn look(&self, api: &PrometheusApi, timeout: Duration) -> Result<(Vec<String>, usize, Vec<String>), String> {
        let deadline = Instant::now() + timeout;
        let left = || deadline.saturating_duration_since(Instant::now());
        let rules = api.get("/api/v1/rules", &[("type", "alert")], left()).await?;
        let mut loaded = BTreeSet::new();
        for group in rules["groups"].as_array().into_iter().flatten() {
            for rule in group["rules"].as_array().into_iter().flatten() {
                if let Some(name) = rule["name"].as_str() {
                    loaded.insert(name.to_string());
                }
            }
        }
        let missing: Vec<String> = shipped_alerts().into_iter().filter(|name| !loaded.contains(name)).collect();
        let query = format!("up{{job={}}}", quoted(&self.config.job));
        let up = api.get("/api/v1/query", &[("query", &query)], left()).await?;
        let (mut scraped, mut down) = (0, Vec::new());
        for series in up["result"].as_array().into_iter().flatten() {
            let instance = series["metric"]["instance"].as_str().unwrap_or("(no instance)").to_string();
            if series["value"][1].as_str() == Some("1") {
                scraped += 1;
            } else {
                down.push(instance);
            }
        }
        Ok((missing, scraped, down))
    }
}

impl Collector for Monitoring {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
            let mut report =
                MonitoringReport { url: self.config.url.clone(), job: self.config.job.clone(), checked_at: now, ..Default::default() };
            if let Some(api) = &self.config.api {
                match self.look(api, cx.remaining()).await {
                    Ok((missing, scraped, down)) => {
                        report.missing_rules = missing;
                        report.targets_up = scraped;
                        report.targets_down = down.into_iter().take(LIST_CAP).collect();
                    }
                    Err(error) => report.error = Some(error),
                }
            }
            Ok(Collection { families: report.families(), report: Some(Arc::new(report)), ..Collection::default() })
        })
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct MonitoringReport {
    pub url: String,
    pub job: String,
    /// Why Prometheus could not be asked, if it could not.
    pub error: Option<String>,
    /// Shipped alerts Prometheus has not loaded.
    pub missing_rules: Vec<String>,
    /// Targets of the job with `up == 1`, and those without.
    pub targets_up: usize,
    pub targets_down: Vec<String>,
    pub checked_at: f64,
}

impl MonitoringReport {
    pub fn ready(&self) -> bool {
        self.error.is_none() && self.missing_rules.is_empty() && self.targets_up > 0
    }

    fn families(&self) -> Vec<Family> {
        let mut read = Family::gauge("neo4j_exporter_prometheus_read_success", "1 when --prometheus.url answered on the last run.", &[]);
        read.set(if self.error.is_none() { 1.0 } else { 0.0 });
        let mut ready = Family::gauge(
            "neo4j_exporter_monitoring_ready",
            "1 when Prometheus has loaded every shipped migration alert and scrapes --prometheus.job with up == 1.",
            &[],
        );
        ready.set(if self.ready() { 1.0 } else { 0.0 });
        let mut missing = Family::gauge("neo4j_exporter_prometheus_rules_missing", "Shipped alert rules Prometheus has not loaded.", &[]);
        if self.error.is_none() {
            missing.set(self.missing_rules.len() as f64);
        }
        vec![read, ready, missing]
    }

    fn summary(&self) -> String {
        if let Some(error) = &self.error {
            return format!("cannot ask Prometheus at {}: {error}", self.url);
        }
        let rules = if self.missing_rules.is_empty() {
            "every shipped alert rule is loaded".to_string()
        } else {
            format!("{} shipped alert rules are not loaded", self.missing_rules.len())
        };
        let targets = match (self.targets_up, self.targets_down.len()) {
            (0, 0) => format!("no target of job {} is scraped", self.job),
            (0, down) => format!("job {}: {down} targets down", self.job),
            (up, 0) => format!("job {}: {up} targets up", self.job),
            (up, down) => format!("job {}: {up} targets up, {down} down", self.job),
        };
        format!("{rules}; {targets}")
    }
}

impl Part for MonitoringReport {
    fn key(&self) -> &'static str {
        "monitoring"
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("reports serialise")
    }

    fn terminal(&self, out: &mut Terminal) {
        let painted = out.paint(&for_display(&self.summary(), None), if self.ready() { Tone::Good } else { Tone::Bad });
        out.line(&format!("\nMonitoring: {painted}"));
    }

    fn page(&self, html: &mut String) {
        let _ = writeln!(
            html,
            "<h2>Monitoring</h2>\n<p id=\"monitoring\" class=\"{}\">{}</p>",
            if self.ready() { "good" } else { "bad" },
            shown(&self.summary(), ERROR_CHARS)
        );
        if !self.missing_rules.is_empty() {
            let names: Vec<String> = self.missing_rules.iter().map(|n| shown(n, NAME_CHARS)).collect();
            let _ = writeln!(html, "<p class=\"muted\">Not loaded: {}</p>", names.join(", "));
        }
    }

    fn checklist(&self) -> Vec<Item> {
        let mut details: Vec<String> = self.missing_rules.iter().map(|name| format!("rule not loaded: {name}")).collect();
        details.extend(self.targets_down.iter().map(|instance| format!("target down: {instance}")));
        vec![Item::new("monitoring", self.ready(), self.summary(), details, self.checked_at)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_alerts_are_read_from_the_rules_file() {
        let names = shipped_alerts();
        assert!(names.contains(&"Neo4jMigrationFailed".to_string()), "{names:?}");
        assert!(names.len() >= 15, "{names:?}");
    }

    #[test]
    fn a_job_name_is_quoted_for_promql() {
        assert_eq!(quoted("ne\"o\\4j"), "\"ne\\\"o\\\\4j\"");
    }
}
