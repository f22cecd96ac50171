//! The landing page: links, and the same summary as `status`, built from the latest snapshots.
//! Filenames and error texts come from the database, so every value is escaped.

use std::fmt::Write as _;

use crate::report::{for_display, human_seconds, human_time, Report};

/// How often the page reloads itself, in seconds.
const REFRESH_SECONDS: u32 = 10;

/// Escapes text for HTML element content and attribute values.
/// The most characters of a name and of an error text the page shows; the whole value is in the
/// element's tooltip, the JSON and the metrics.
const NAME_CHARS: usize = 80;
const ERROR_CHARS: usize = 240;

/// Database text as page text: control characters made visible, cut to `max` characters with
/// the whole value as a tooltip, and escaped.
fn shown(text: &str, max: usize) -> String {
    let cut = for_display(text, Some(max));
    if text.chars().count() > max {
        format!("<span title=\"{}\">{}</span>", escape(&for_display(text, None)), escape(&cut))
    } else {
        escape(&cut)
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:0.75rem;line-height:1.4;color:#1d1d1f}\
h1{font-size:1.3rem;margin:0.2rem 0}h2{font-size:1.05rem;margin:1.2rem 0 0.4rem}\
table{border-collapse:collapse;width:100%;font-size:0.9rem}td,th{text-align:left;padding:0.25rem 0.4rem;border-bottom:1px solid #ddd;vertical-align:top}\
td.wrap{word-break:break-word}.scroll{overflow-x:auto}\
.counts{display:flex;flex-wrap:wrap;gap:0.4rem}.count{border:1px solid #ccc;border-radius:0.4rem;padding:0.3rem 0.6rem}\
.bad{color:#b00020;font-weight:600}.good{color:#1b7f3b}.warn{color:#9a6700}.muted{color:#666}nav a{margin-right:1rem}";

fn tone(status: &str) -> &'static str {
    match status {
        "success" => "good",
        "failed" => "bad",
        "pending" | "running" | "rolled_back" | "unknown" => "warn",
        _ => "",
    }
}

/// Renders the whole page.
pub fn render(report: &Report, version: &str, telemetry_path: &str) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"{REFRESH_SECONDS}\">\
         <title>Neo4j Migration Exporter</title><style>{STYLE}</style></head>\n<body>\n\
         <h1>Neo4j Migration Exporter</h1>\n<p class=\"muted\">Version {version}. Updated {}, refreshes every {REFRESH_SECONDS} s.</p>\n\
         <nav><a href=\"{path}\">Metrics</a><a href=\"/healthz\">Health</a><a href=\"/ready\">Readiness</a></nav>\n",
        human_time(report.generated_at),
        path = escape(telemetry_path),
    );

    let _ = write!(html, "<h2>Neo4j</h2>\n<p id=\"neo4j\">");
    match (&report.server, report.neo4j_up) {
        (Some(server), true) => {
            let _ = write!(html, "<span class=\"good\">up</span>, {} {}", escape(&server.version), escape(&server.edition));
        }
        (Some(server), false) => {
            let _ =
                write!(html, "<span class=\"bad\">unreachable</span> (last seen: {} {})", escape(&server.version), escape(&server.edition));
        }
        (None, _) => html.push_str("<span class=\"bad\">unreachable</span>"),
    }
    html.push_str("</p>\n");

    match &report.migrations {
        None => html.push_str("<h2>Migrations</h2>\n<p class=\"muted\">No migrations collected yet.</p>\n"),
        Some(m) => {
            html.push_str("<h2>Migrations</h2>\n<div class=\"counts\" id=\"counts\">");
            for status in ["success", "failed", "pending", "running", "rolled_back", "unknown"] {
                let n = m.counts.get(status).copied().unwrap_or(0);
                let class = if n > 0 { tone(status) } else { "muted" };
                let _ = write!(html, "<span class=\"count {class}\" data-status=\"{status}\">{n} {}</span>", status.replace('_', " "));
            }
            html.push_str("</div>\n");

            html.push_str("<h2>Failed</h2>\n");
            if m.failed.is_empty() {
                html.push_str("<p class=\"muted\" id=\"failed\">None.</p>\n");
            } else {
                html.push_str(
                    "<div class=\"scroll\"><table id=\"failed\"><tr><th>File</th><th>Error class</th><th>Error</th><th>Applied</th></tr>",
                );
                for f in &m.failed {
                    let _ = write!(
                        html,
                        "<tr><td class=\"bad wrap\">{}</td><td>{}</td><td class=\"wrap\">{}</td><td>{}</td></tr>",
                        shown(&f.filename, NAME_CHARS),
                        escape(&f.error_class),
                        shown(&f.error, ERROR_CHARS),
                        f.applied_at.map_or("-".into(), human_time)
                    );
                }
                html.push_str("</table></div>\n");
            }

            html.push_str("<h2>Running or stuck</h2>\n");
            if m.in_progress.is_empty() {
                html.push_str("<p class=\"muted\">None.</p>\n");
            } else {
                html.push_str("<div class=\"scroll\"><table id=\"in-progress\"><tr><th>File</th><th>Status</th><th>For</th></tr>");
                for p in &m.in_progress {
                    let _ = write!(
                        html,
                        "<tr><td class=\"wrap\">{}</td><td class=\"warn\">{}</td><td>{}</td></tr>",
                        shown(&p.filename, NAME_CHARS),
                        escape(&p.status),
                        human_seconds(p.age_seconds)
                    );
                }
                html.push_str("</table></div>\n");
            }

            html.push_str("<h2>Recent</h2>\n");
            if m.recent.is_empty() {
                html.push_str("<p class=\"muted\">None.</p>\n");
            } else {
                html.push_str(
                    "<div class=\"scroll\"><table id=\"recent\"><tr><th>File</th><th>Status</th><th>Applied</th><th>Took</th></tr>",
                );
                for r in m.recent.iter().take(20) {
                    let _ = write!(
                        html,
                        "<tr><td class=\"wrap\">{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
                        shown(&r.filename, NAME_CHARS),
                        tone(&r.status),
                        escape(&r.status),
                        r.applied_at.map_or("-".into(), human_time),
                        r.execution_seconds.map_or("-".into(), human_seconds)
                    );
                }
                html.push_str("</table></div>\n");
            }

            if let Some(files) = &m.files {
                html.push_str("<h2>Migration files</h2>\n");
                if files.readable {
                    let _ = writeln!(
                        html,
                        "<p id=\"files\">{} files, {} pending, <span class=\"{}\">{} modified after they were applied</span>.</p>",
                        files.total,
                        files.pending.len(),
                        if files.modified.is_empty() { "good" } else { "bad" },
                        files.modified.len()
                    );
                    if files.misaligned() {
                        let _ = writeln!(
                            html,
                            "<p class=\"bad\" id=\"misaligned\">None of the {} records names a file here (records name files by {}): \
                             check --migrations.runner-dir, --migrations.identity or --migrations.profile.</p>",
                            files.records_without_file,
                            escape(&files.identity)
                        );
                    }
                    for (kind, list) in [("Modified", &files.modified), ("Pending", &files.pending)] {
                        if !list.is_empty() {
                            let items: Vec<String> = list.iter().map(|f| format!("<li>{}</li>", shown(f, NAME_CHARS))).collect();
                            let _ = writeln!(html, "<p>{kind}:</p><ul>{}</ul>", items.join(""));
                        }
                    }
                } else {
                    html.push_str("<p class=\"bad\">The migrations directory could not be read.</p>\n");
                }
            }
        }
    }

    if let Some(t) = &report.transactions {
        let _ = write!(
            html,
            "<h2>Transactions</h2>\n<p id=\"transactions\">{} running over {}, <span class=\"{}\">{} blocked on locks</span>.</p>\n",
            t.long_running.len(),
            human_seconds(t.long_running_threshold_seconds),
            if t.blocked.is_empty() { "good" } else { "bad" },
            t.blocked.len()
        );
    }
    if let Some(i) = &report.indexes {
        let _ = write!(html, "<h2>Indexes</h2>\n<p id=\"indexes\">{} in all, {} not online.</p>\n", i.total, i.not_online.len());
        if !i.not_online.is_empty() {
            html.push_str("<div class=\"scroll\"><table><tr><th>Index</th><th>Type</th><th>State</th><th>Populated</th></tr>");
            for index in &i.not_online {
                let _ = write!(
                    html,
                    "<tr><td class=\"wrap\">{}</td><td>{}</td><td class=\"{}\">{}</td><td>{:.0} %</td></tr>",
                    shown(&index.name, NAME_CHARS),
                    escape(&index.kind),
                    if index.state == "failed" { "bad" } else { "warn" },
                    escape(&index.state),
                    index.population * 100.0
                );
            }
            html.push_str("</table></div>\n");
        }
    }
    if !report.collectors.is_empty() {
        let failing: Vec<String> = report.collectors.iter().filter(|c| !c.success).map(|c| escape(&c.name)).collect();
        let _ = write!(
            html,
            "<h2>Collectors</h2>\n<p>{}</p>\n",
            if failing.is_empty() {
                "All collectors succeeded on their last run.".to_string()
            } else {
                format!("<span class=\"bad\">Failing: {}</span>", failing.join(", "))
            }
        );
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FailedMigration, MigrationsReport};

    #[test]
    fn database_text_is_escaped() {
        assert_eq!(escape("<b>\"x\" & 'y'</b>"), "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
        let report = Report {
            migrations: Some(MigrationsReport {
                failed: vec![FailedMigration {
                    filename: "<script>alert(1)</script>.cypher".into(),
                    error_class: "other".into(),
                    error: "<img src=x onerror=alert(2)>".into(),
                    applied_at: None,
                }],
                ..MigrationsReport::default()
            }),
            ..Report::default()
        };
        let page = render(&report, "0.1.0", "/metrics");
        assert!(!page.contains("<script>") && !page.contains("<img"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;.cypher"));
    }
}
