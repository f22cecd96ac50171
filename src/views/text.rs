//! Text for people: durations and times as they read them, and database text made inert and
//! bounded before any terminal or page shows it.

use std::fmt::Write as _;

/// Most entries in any list a view shows, whatever the size of the database.
pub const LIST_CAP: usize = 50;

/// Longest error text kept per failed migration (its first line only).
const ERROR_CHARS: usize = 300;

/// The first line of an error text, shortened to a readable length.
pub fn first_line(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() <= ERROR_CHARS {
        return line.to_string();
    }
    let mut short: String = line.chars().take(ERROR_CHARS).collect();
    short.push('…');
    short
}

/// Seconds as `1h 2m`, `3m 4s`, `5.2s` or `35 ms`.
pub fn human_seconds(seconds: f64) -> String {
    let whole = seconds.max(0.0).round() as u64;
    match whole {
        _ if seconds < 1.0 => format!("{:.0} ms", seconds.max(0.0) * 1000.0),
        0..=59 if seconds < 10.0 => format!("{seconds:.1}s"),
        0..=59 => format!("{whole}s"),
        60..=3599 => format!("{}m {}s", whole / 60, whole % 60),
        _ => format!("{}h {}m", whole / 3600, (whole % 3600) / 60),
    }
}

/// Bytes as `512 B`, `3.4 KiB`, `1.2 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Database text made safe to show a person: control characters (which could clear a
/// terminal, retitle it or start a new line that looks like the exporter's own) and the
/// bidirectional overrides that reorder what is read are written as escapes, and at most
/// `max` characters are kept, ending in `…`. JSON and metrics keep the value whole.
pub fn for_display(text: &str, max: Option<usize>) -> String {
    let mut out = String::with_capacity(text.len().min(max.unwrap_or(usize::MAX).saturating_mul(4)));
    for (kept, c) in text.chars().enumerate() {
        if max.is_some_and(|max| kept >= max) {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn human_seconds_or_unknown(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "an unknown time".to_string(), human_seconds)
}

/// An epoch time as `2026-11-24 03:50:01Z`.
pub fn human_time(epoch_seconds: f64) -> String {
    chrono::DateTime::from_timestamp(epoch_seconds as i64, 0)
        .map_or_else(|| "-".to_string(), |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_text_cannot_drive_a_terminal_or_forge_a_line() {
        assert_eq!(for_display("V1\x1b]0;owned\x07\nok: no failed found", None), "V1\\u{1b}]0;owned\\u{7}\\nok: no failed found");
        assert_eq!(for_display("abc\u{202e}fed", None), "abc\\u{202e}fed");
        assert_eq!(for_display("héllo wörld", Some(5)), "héllo…");
        assert_eq!(for_display("short", Some(5)), "short");
    }

    #[test]
    fn error_texts_keep_their_first_line_only() {
        assert_eq!(first_line("\n  FAILED: boom\n  at line 2"), "FAILED: boom");
        assert_eq!(first_line(&"x".repeat(1000)).chars().count(), ERROR_CHARS + 1);
    }
}
