//! Log lines in logfmt or JSON, one line per event, with the event's fields as keys.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::config::{LogConfig, LogFormat};

pub fn init(config: &LogConfig) {
    tracing_subscriber::fmt().with_max_level(config.level).with_writer(std::io::stderr).event_format(Line { format: config.format }).init();
}

struct Line {
    format: LogFormat,
}

/// The fields of one event, in the order they were written.
#[derive(Default)]
struct Fields(Vec<(&'static str, String)>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name(), value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
}

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _cx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let level = event.metadata().level().as_str().to_ascii_lowercase();
        let mut pairs = vec![("ts", time), ("level", level)];
        for (name, value) in fields.0 {
            pairs.push((if name == "message" { "msg" } else { name }, value));
        }
        writeln!(writer, "{}", render(self.format, &pairs))
    }
}

fn render(format: LogFormat, pairs: &[(&str, String)]) -> String {
    let mut line = String::new();
    match format {
        LogFormat::Logfmt => {
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    line.push(' ');
                }
                let needs_quotes = value.is_empty() || value.contains([' ', '"', '=']) || value.contains(char::is_control);
                if needs_quotes {
                    let _ = write!(line, "{key}=\"{}\"", escape(value));
                } else {
                    let _ = write!(line, "{key}={value}");
                }
            }
        }
        LogFormat::Json => {
            line.push('{');
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                let _ = write!(line, "\"{}\":\"{}\"", escape(key), escape(value));
            }
            line.push('}');
        }
    }
    line
}

/// Escapes for a double-quoted string; the same rules serve logfmt and JSON.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs() -> Vec<(&'static str, String)> {
        vec![("level", "warn".into()), ("msg", "Neo4j check failed".into()), ("error", "a \"b\"\nc".into())]
    }

    #[test]
    fn logfmt_quotes_only_what_needs_it() {
        assert_eq!(render(LogFormat::Logfmt, &pairs()), "level=warn msg=\"Neo4j check failed\" error=\"a \\\"b\\\"\\nc\"");
    }

    #[test]
    fn json_is_one_object_per_line() {
        assert_eq!(render(LogFormat::Json, &pairs()), "{\"level\":\"warn\",\"msg\":\"Neo4j check failed\",\"error\":\"a \\\"b\\\"\\nc\"}");
    }
}
