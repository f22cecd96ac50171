//! The status page's "Last 24 h" strip: what the exporter itself saw over the last day, with no
//! Prometheus needed: migration records (from the migrations collector's part) and the times
//! the connectivity check found Neo4j unreachable (remembered by the daemon), on a time axis.
//! An inline SVG without scripts or style attributes, scaled by its viewBox; every text from
//! the database is escaped as the rest of the page is.

use std::collections::VecDeque;
use std::fmt::Write as _;

use super::page::{escape, NAME_CHARS};
use super::text::{for_display, human_seconds, human_time};
use super::Report;

/// The span the strip covers, in seconds.
pub const SPAN_SECONDS: f64 = 24.0 * 3600.0;

/// Most outages remembered; an older one gives way to a newer one.
pub const MOST_OUTAGES: usize = 200;

/// Most migration marks drawn.
const MOST_MARKS: usize = 100;

/// The drawing's width and height in its own units.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 72.0;

/// A time Neo4j could not be reached: from the first failed check to the first one that passed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outage {
    pub down_at: f64,
    /// `None` while it lasts.
    pub up_at: Option<f64>,
}

/// One thing a collector's part puts on the strip.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub at: f64,
    /// What it is about (a filename), from the database.
    pub name: String,
    /// What happened to it: `applied`, `failed`, a status.
    pub what: String,
    pub bad: bool,
    pub seconds: Option<f64>,
}

/// The daemon's memory of Neo4j's outages: bounded in number, and kept for [`SPAN_SECONDS`].
#[derive(Debug, Default)]
pub struct Outages {
    kept: VecDeque<Outage>,
}

impl Outages {
    /// The connectivity check failed at `at`: an outage begins unless one is under way.
    pub fn went_down(&mut self, at: f64) {
        if self.kept.back().is_some_and(|o| o.up_at.is_none()) {
            return;
        }
        if self.kept.len() == MOST_OUTAGES {
            self.kept.pop_front();
        }
        self.kept.push_back(Outage { down_at: at, up_at: None });
    }

    /// The check passed at `at`: the outage under way, if any, ends.
    pub fn came_back(&mut self, at: f64) {
        if let Some(open) = self.kept.back_mut().filter(|o| o.up_at.is_none()) {
            open.up_at = Some(at);
        }
    }

    /// The outages that touch the last day before `now`; older ones are forgotten.
    pub fn recent(&mut self, now: f64) -> Vec<Outage> {
        self.kept.retain(|o| o.up_at.is_none_or(|up| up >= now - SPAN_SECONDS));
        self.kept.iter().copied().collect()
    }
}

fn x_of(at: f64, now: f64) -> f64 {
    ((at - (now - SPAN_SECONDS)) / SPAN_SECONDS * WIDTH).clamp(0.0, WIDTH)
}

/// Database text for an SVG `<title>`: inert, bounded and escaped.
fn title_text(text: &str) -> String {
    escape(&for_display(text, Some(NAME_CHARS)))
}

/// The strip for the report's parts and outages, ending at the report's time.
pub fn page(report: &Report, html: &mut String) {
    let now = report.generated_at;
    let mut marks: Vec<Mark> =
        report.parts.iter().flat_map(|part| part.marks()).filter(|m| m.at >= now - SPAN_SECONDS && m.at <= now).collect();
    marks.sort_by(|a, b| b.at.total_cmp(&a.at));
    marks.truncate(MOST_MARKS);
    let outages: Vec<&Outage> = report.outages.iter().filter(|o| o.up_at.is_none_or(|up| up >= now - SPAN_SECONDS)).collect();
    let failed = marks.iter().filter(|m| m.bad).count();
    let summary = format!("Last 24 h: {} migration records ({failed} failed), {} Neo4j outages", marks.len(), outages.len());
    let _ = write!(
        html,
        "<h2>Last 24 h</h2>\n<div id=\"last-24h\"><svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"100%\" role=\"img\" \
         aria-label=\"{summary}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{summary}</title>\
         <rect x=\"0\" y=\"10\" width=\"{WIDTH}\" height=\"32\" fill=\"#f2f2f2\"/>"
    );
    for outage in &outages {
        let (start, end) = (x_of(outage.down_at, now), x_of(outage.up_at.unwrap_or(now), now));
        let lasted = outage.up_at.map_or_else(|| "still unreachable".to_string(), |up| format!("back at {}", human_time(up)));
        let how_long = human_seconds(outage.up_at.unwrap_or(now) - outage.down_at);
        let _ = write!(
            html,
            "<rect class=\"outage\" x=\"{:.1}\" y=\"6\" width=\"{:.1}\" height=\"40\" fill=\"#b00020\" fill-opacity=\"0.45\">\
             <title>Neo4j unreachable from {}, {lasted} ({how_long})</title></rect>",
            start.min(WIDTH - 3.0),
            (end - start).max(3.0),
            human_time(outage.down_at),
        );
    }
    for mark in &marks {
        let took = mark.seconds.map_or(String::new(), |s| format!(", took {}", human_seconds(s)));
        let _ = write!(
            html,
            "<circle class=\"migration\" cx=\"{:.1}\" cy=\"26\" r=\"6\" fill=\"{}\"><title>{} {} at {}{took}</title></circle>",
            // A mark at the very edge is still drawn whole.
            x_of(mark.at, now).clamp(6.0, WIDTH - 6.0),
            if mark.bad { "#b00020" } else { "#1b7f3b" },
            title_text(&mark.name),
            escape(&mark.what),
            human_time(mark.at),
        );
    }
    for (hours, anchor) in [(24, "start"), (18, "middle"), (12, "middle"), (6, "middle"), (0, "end")] {
        let x = WIDTH - f64::from(hours) / 24.0 * WIDTH;
        let label = if hours == 0 { "now".to_string() } else { format!("-{hours} h") };
        let _ = write!(
            html,
            "<line x1=\"{x}\" y1=\"42\" x2=\"{x}\" y2=\"50\" stroke=\"#999\"/>\
             <text x=\"{x}\" y=\"68\" font-size=\"16\" fill=\"#666\" text-anchor=\"{anchor}\">{label}</text>"
        );
    }
    let _ = writeln!(html, "</svg><p class=\"muted\">{summary}.</p></div>");
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::views::terminal::Terminal;
    use crate::views::Part;

    #[derive(Debug)]
    struct Marked(Vec<Mark>);

    impl Part for Marked {
        fn key(&self) -> &'static str {
            "marked"
        }
        fn json(&self) -> serde_json::Value {
            serde_json::Value::Null
        }
        fn terminal(&self, _: &mut Terminal) {}
        fn page(&self, _: &mut String) {}
        fn marks(&self) -> Vec<Mark> {
            self.0.clone()
        }
    }

    const NOW: f64 = 1_800_000_000.0;

    fn strip(marks: Vec<Mark>, outages: Vec<Outage>) -> String {
        let report = Report { generated_at: NOW, parts: vec![Arc::new(Marked(marks))], outages, ..Report::default() };
        let mut html = String::new();
        page(&report, &mut html);
        html
    }

    #[test]
    fn a_hostile_filename_is_a_title_and_never_markup() {
        let hostile = "V1__</title></svg><script>alert(1)</script>\u{1b}[2J\n.cypher";
        let html =
            strip(vec![Mark { at: NOW - 60.0, name: hostile.into(), what: "failed".into(), bad: true, seconds: Some(0.035) }], vec![]);
        assert!(!html.contains("<script>") && !html.contains("</title></svg><"), "{html}");
        assert!(!html.contains('\u{1b}'), "{html}");
        assert!(
            html.contains("<title>V1__&lt;/title&gt;&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;\\u{1b}[2J\\n.cypher failed at"),
            "{html}"
        );
        assert!(html.contains("fill=\"#b00020\""), "a failure is red: {html}");
        assert!(!html.contains("style=") && !html.contains("<style"), "the strip needs no inline style: {html}");
    }

    #[test]
    fn marks_and_outages_are_placed_on_the_day_and_older_ones_left_out() {
        let marks = vec![
            Mark { at: NOW - 12.0 * 3600.0, name: "V1.cypher".into(), what: "applied".into(), bad: false, seconds: None },
            Mark { at: NOW - 30.0 * 3600.0, name: "V0.cypher".into(), what: "applied".into(), bad: false, seconds: None },
        ];
        let outages =
            vec![Outage { down_at: NOW - 6.0 * 3600.0, up_at: Some(NOW - 5.0 * 3600.0) }, Outage { down_at: NOW - 60.0, up_at: None }];
        let html = strip(marks, outages);
        assert!(html.contains("<circle class=\"migration\" cx=\"300.0\""), "{html}");
        assert!(!html.contains("V0.cypher"), "{html}");
        assert!(html.contains("<rect class=\"outage\" x=\"450.0\" y=\"6\" width=\"25.0\""), "{html}");
        assert!(html.contains("still unreachable (1m 0s)"), "{html}");
        assert!(html.contains("Last 24 h: 1 migration records (0 failed), 2 Neo4j outages"), "{html}");
        assert!(html.contains("viewBox=\"0 0 600 72\""), "{html}");
    }

    #[test]
    fn the_outage_memory_is_bounded_and_forgets_after_a_day() {
        let mut outages = Outages::default();
        outages.went_down(100.0);
        outages.went_down(101.0);
        outages.came_back(110.0);
        outages.came_back(111.0);
        assert_eq!(outages.recent(200.0), [Outage { down_at: 100.0, up_at: Some(110.0) }]);
        for i in 0..(MOST_OUTAGES + 10) {
            outages.went_down(1000.0 + i as f64 * 10.0);
            outages.came_back(1005.0 + i as f64 * 10.0);
        }
        assert_eq!(outages.recent(5000.0).len(), MOST_OUTAGES);
        outages.went_down(100_000.0);
        assert_eq!(outages.recent(100_000.0 + SPAN_SECONDS), [Outage { down_at: 100_000.0, up_at: None }], "an open outage stays");
    }
}
