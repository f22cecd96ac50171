//! The `status` table: a header, then each collector's part in its own words, in colour only on
//! a terminal. Every cell holds database text, so each is made inert and cut to its column.

use std::fmt::Write as _;

use super::text::for_display;
use super::Report;

/// The most characters of a cell shown; the last column of a row may take more.
const CELL_CHARS: usize = 60;
pub const LAST_CELL_CHARS: usize = 160;

#[derive(Clone, Copy)]
pub enum Tone {
    Good,
    Bad,
    Warn,
    Plain,
}

impl Tone {
    /// The page's class for the same tone.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Bad => "bad",
            Tone::Warn => "warn",
            Tone::Plain => "",
        }
    }
}

/// What `status` prints, being written.
pub struct Terminal {
    out: String,
    colour: bool,
}

impl Terminal {
    pub fn new(colour: bool) -> Self {
        Terminal { out: String::new(), colour }
    }

    pub fn paint(&self, text: &str, tone: Tone) -> String {
        let code = match (self.colour, tone) {
            (false, _) | (_, Tone::Plain) => return text.to_string(),
            (true, Tone::Good) => "32",
            (true, Tone::Bad) => "31;1",
            (true, Tone::Warn) => "33",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// A line of the exporter's own words (database text in it goes through `for_display`).
    pub fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    /// Columns padded to their widest cell; tones colour whole cells after padding.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<(String, Tone)>]) {
        let rows: Vec<Vec<(String, Tone)>> = rows
            .iter()
            .map(|row| {
                let last = row.len().saturating_sub(1);
                row.iter()
                    .enumerate()
                    .map(|(i, (cell, tone))| (for_display(cell, Some(if i == last { LAST_CELL_CHARS } else { CELL_CHARS })), *tone))
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (i, (cell, _)) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut line = |cells: Vec<(String, Tone)>| {
            let last = cells.len() - 1;
            let mut text = String::from("  ");
            for (i, (cell, tone)) in cells.into_iter().enumerate() {
                let pad = if i == last { 0 } else { widths[i] - cell.chars().count() + 2 };
                text.push_str(&self.paint(&cell, tone));
                text.push_str(&" ".repeat(pad));
            }
            let _ = writeln!(self.out, "{}", text.trim_end());
        };
        line(header.iter().map(|h| (h.to_string(), Tone::Plain)).collect());
        for row in rows {
            line(row);
        }
    }

    pub fn finish(self) -> String {
        self.out
    }
}

pub fn plain(text: impl Into<String>) -> (String, Tone) {
    (text.into(), Tone::Plain)
}

/// The human-readable status report: the server, then each part.
pub fn render(report: &Report, uri: &str, colour: bool) -> String {
    let mut out = Terminal::new(colour);
    match &report.server {
        Some(server) => {
            let line = format!(
                "Neo4j {} ({}) at {}",
                for_display(&server.version, Some(40)),
                for_display(&server.edition, Some(40)),
                for_display(uri, None)
            );
            out.line(&line);
        }
        None => {
            let line = format!("Neo4j at {}: {}", for_display(uri, None), out.paint("unreachable", Tone::Bad));
            out.line(&line);
        }
    }
    for part in &report.parts {
        part.terminal_top(&mut out);
    }
    for part in &report.parts {
        part.terminal(&mut out);
    }
    out.finish()
}
