//! The landing page: links, and the same summary as `status`, built from the latest outcomes.
//! Filenames and error texts come from the database, so every value is escaped.

use std::fmt::Write as _;

use super::check::CheckOptions;
use super::checklist;
use super::text::{for_display, human_time};
use super::Report;
use crate::collectors::migrations::report::STUCK_AFTER;

/// How often the page reloads itself, in seconds.
const REFRESH_SECONDS: u32 = 10;

/// The most characters of a name and of an error text the page shows; the whole value is in the
/// element's tooltip, the JSON and the metrics.
pub const NAME_CHARS: usize = 80;
pub const ERROR_CHARS: usize = 240;

/// Database text as page text: control characters made visible, cut to `max` characters with
/// the whole value as a tooltip, and escaped.
pub fn shown(text: &str, max: usize) -> String {
    let cut = for_display(text, Some(max));
    if text.chars().count() > max {
        format!("<span title=\"{}\">{}</span>", escape(&for_display(text, None)), escape(&cut))
    } else {
        escape(&cut)
    }
}

/// Escapes text for HTML element content and attribute values.
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

/// Renders the whole page: the server, each part, and the collectors that are failing.
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
    if !report.parts.is_empty() || !report.outages.is_empty() {
        super::strip::page(report, &mut html);
    }
    if report.parts.is_empty() {
        html.push_str("<p class=\"muted\">Nothing collected yet.</p>\n");
    }
    for part in &report.parts {
        part.page_top(&mut html);
    }
    if !report.parts.is_empty() {
        let options = CheckOptions { conditions: Vec::new(), stuck_after: STUCK_AFTER, before: true };
        checklist::page(&checklist::items(report, &options), report.generated_at, &mut html);
    }
    for part in &report.parts {
        part.page(&mut html);
    }
    if !report.collectors.is_empty() {
        let failing: Vec<String> = report.collectors.iter().filter(|c| !c.success).map(|c| escape(&c.name)).collect();
        let _ = write!(
            html,
            "<h2>Collectors</h2>\n<p>{}</p>\n",
            if failing.is_empty() {
                "All collectors succeeded on their last run.".to_string()
            } else {
                format!("<span class=\"bad\">Failing: {}; what they show is last known.</span>", failing.join(", "))
            }
        );
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_text_is_escaped_and_bounded() {
        assert_eq!(escape("<b>\"x\" & 'y'</b>"), "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
        assert_eq!(shown("<script>", 80), "&lt;script&gt;");
        let long = "x".repeat(100);
        assert_eq!(shown(&long, 10), format!("<span title=\"{long}\">{}…</span>", "x".repeat(10)));
    }
}
