//! The shipped Alertmanager configuration in a real Alertmanager (Debian's), with every
//! receiver pointed at a capture server run here.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::service::Service;
use super::{free_port, repo_root};

/// An HTTP endpoint that records every notification Alertmanager posts to it.
pub struct Webhook {
    pub port: u16,
    pub received: Arc<Mutex<Vec<(String, Json)>>>,
}

impl Webhook {
    pub fn start() -> Webhook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_ok() {
                    if let Ok(json) = serde_json::from_slice::<Json>(&body) {
                        sink.lock().unwrap().push((path, json));
                    }
                }
                let _ = reader.get_mut().write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        Webhook { port, received }
    }

    /// Waits for a notification to `path` holding an alert that `matches`.
    pub fn wait_for(&self, path: &str, what: &str, matches: impl Fn(&Json) -> bool, timeout: Duration) -> Json {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self
                .received
                .lock()
                .unwrap()
                .iter()
                .filter(|(p, _)| p == path)
                .find_map(|(_, body)| body["alerts"].as_array().and_then(|alerts| alerts.iter().find(|a| matches(a)).cloned()));
            if let Some(alert) = found {
                return alert;
            }
            assert!(Instant::now() < deadline, "no {what} at {path} within {timeout:?}; received: {:#?}", self.received.lock().unwrap());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits for a body posted to `path` that `matches` (a chat message, say), and returns it.
    pub fn wait_for_body(&self, path: &str, what: &str, matches: impl Fn(&Json) -> bool, timeout: Duration) -> Json {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.received.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, body)| body).find(|b| matches(b)).cloned();
            if let Some(body) = found {
                return body;
            }
            assert!(Instant::now() < deadline, "no {what} at {path} within {timeout:?}; received: {:#?}", self.received.lock().unwrap());
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The shipped Alertmanager configuration, sending to the webhook and with test-sized timers.
pub fn alertmanager_config(webhook: u16) -> String {
    std::fs::read_to_string(repo_root().join("alerts/alertmanager.yml"))
        .unwrap()
        .replace("http://pager.example.internal/alerts", &format!("http://127.0.0.1:{webhook}/pager"))
        .replace("http://tickets.example.internal/alerts", &format!("http://127.0.0.1:{webhook}/ticket"))
        .replace("http://chat.example.internal/migrations", &format!("http://127.0.0.1:{webhook}/announce"))
        .replace("https://chat.example.internal/hooks/migrations", &format!("http://127.0.0.1:{webhook}/slack"))
        .replace("group_wait: 30s", "group_wait: 1s")
        .replace("group_interval: 5m", "group_interval: 1s")
        .replace("group_interval: 30s", "group_interval: 1s")
}

/// A real Alertmanager with [`alertmanager_config`] and the shipped templates beside it, as
/// `templates:` names them relative to the configuration file.
pub fn start_alertmanager(dir: &Path, webhook: u16) -> Service {
    let port = free_port();
    let config = dir.join("alertmanager.yml");
    std::fs::write(&config, alertmanager_config(webhook)).unwrap();
    for template in std::fs::read_dir(repo_root().join("alerts")).unwrap().map(|e| e.unwrap().path()) {
        if template.extension().is_some_and(|e| e == "tmpl") {
            std::fs::copy(&template, dir.join(template.file_name().unwrap())).unwrap();
        }
    }
    Service::start(
        "alertmanager",
        "prometheus-alertmanager",
        &[
            format!("--config.file={}", config.display()),
            format!("--storage.path={}", dir.join("am-data").display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--cluster.listen-address=".to_string(),
        ],
        port,
        dir,
    )
}

/// The shipped rule files, as Prometheus loads them: verbatim, or copied into `dir` with each
/// `(from, to)` of `scaled` replaced (`keep_firing_for` cut down, as the Alertmanager timers
/// are, for tests of a resolution).
pub fn rule_files(dir: &Path, scaled: &[(&str, &str)]) -> Vec<PathBuf> {
    let shipped: Vec<PathBuf> = std::fs::read_dir(repo_root().join("alerts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".rules.yml"))
        .collect();
    // A duration that is no longer written as the test expects would silently stay unscaled.
    let all: String = shipped.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    for (from, _) in scaled {
        assert!(all.contains(from), "no rule file in alerts/ has {from:?}: scale its new form");
    }
    shipped
        .into_iter()
        .map(|path| {
            if scaled.is_empty() {
                return path;
            }
            let copy = dir.join(path.file_name().unwrap());
            let text = scaled.iter().fold(std::fs::read_to_string(&path).unwrap(), |text, (from, to)| text.replace(from, to));
            std::fs::write(&copy, text).unwrap();
            copy
        })
        .collect()
}

fn prometheus_config(exporter: u16, alertmanager: u16, rule_files: &[PathBuf]) -> String {
    let rules: Vec<String> = rule_files.iter().map(|p| format!("  - {}", p.display())).collect();
    format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
         rule_files:\n{}\n\
         alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{alertmanager}']\n\
         scrape_configs:\n  - job_name: neo4j\n    static_configs:\n      - targets: ['127.0.0.1:{exporter}']\n",
        rules.join("\n")
    )
}

/// A real Prometheus scraping the exporter every second, evaluating `rules` and sending to the
/// Alertmanager.
pub fn start_prometheus(dir: &Path, exporter: u16, alertmanager: u16, rules: &[PathBuf]) -> Service {
    Service::prometheus(dir, &prometheus_config(exporter, alertmanager, rules))
}
