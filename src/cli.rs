//! The one-shot commands for migration day: `status` prints what the exporter sees, `check`
//! turns it into a yes or no for a pipeline. Both run the same read-only collectors, with the
//! same timeouts, once.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::process::ExitCode;

use crate::bolt_uri::redacted;
use crate::collectors;
use crate::config::{CheckOptions, Config, OutputFormat};
use crate::neo4j::Neo4j;
use crate::report::{for_display, human_seconds, human_time, problems, Report, Server};

/// Connects, runs the reporting collectors once, and puts their findings together.
async fn collect_once(config: &Config) -> Result<Report, String> {
    let db = Neo4j::new(&config.neo4j).map_err(|e| e.to_string())?;
    let server = db.server_info(config.neo4j.connect_timeout).await.map_err(|e| e.to_string())?;
    let mut report = Report {
        generated_at: chrono::Utc::now().timestamp_micros() as f64 / 1e6,
        neo4j_up: true,
        server: Some(Server { version: server.version.clone(), edition: server.edition.clone() }),
        ..Report::default()
    };
    for spec in collectors::REGISTRY.iter().filter(|spec| spec.reports) {
        let timeout = config.schedule(spec.name).map_or(spec.timeout, |s| s.timeout);
        let collector = config.build(spec.name).expect("every registered collector is configured");
        let collection = collectors::run_once(collector.as_ref(), &db, timeout)
            .await
            .result
            .map_err(|e| format!("the {} collector failed: {e}", spec.name))?;
        if let Some(part) = collection.report {
            report.add(part);
        }
    }
    Ok(report)
}

fn run_once(config: &Config) -> Result<Report, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?
        .block_on(collect_once(config))
}

pub fn status(config: &Config, format: OutputFormat) -> ExitCode {
    let report = match run_once(config) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("neo4j-migration-exporter status: {error}");
            return ExitCode::from(2);
        }
    };
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report).expect("reports serialise")),
        OutputFormat::Table => print!("{}", render_table(&report, &redacted(&config.neo4j.uri), use_colour())),
    }
    ExitCode::SUCCESS
}

pub fn check(config: &Config, options: &CheckOptions) -> ExitCode {
    let report = match run_once(config) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("neo4j-migration-exporter check: {error}");
            return ExitCode::from(2);
        }
    };
    let found = problems(&report, &options.conditions, options.stuck_after.as_secs_f64());
    for line in &found {
        println!("{}", for_display(line, None));
    }
    if found.is_empty() {
        println!("ok: no {} found", conditions_text(options));
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn conditions_text(options: &CheckOptions) -> String {
    let words: Vec<String> = options.conditions.iter().map(|c| format!("{c:?}").to_lowercase()).collect();
    words.join(", ")
}

/// Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org).
fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[derive(Clone, Copy)]
enum Tone {
    Good,
    Bad,
    Warn,
    Plain,
}

fn paint(text: &str, tone: Tone, colour: bool) -> String {
    let code = match (colour, tone) {
        (false, _) | (_, Tone::Plain) => return text.to_string(),
        (true, Tone::Good) => "32",
        (true, Tone::Bad) => "31;1",
        (true, Tone::Warn) => "33",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn status_tone(status: &str) -> Tone {
    match status {
        "success" => Tone::Good,
        "failed" => Tone::Bad,
        "pending" | "running" | "rolled_back" | "unknown" => Tone::Warn,
        _ => Tone::Plain,
    }
}

/// The most characters of a cell shown; the last column of a row may take more.
const CELL_CHARS: usize = 60;
const LAST_CELL_CHARS: usize = 160;

/// Columns padded to their widest cell; `tones` colours whole cells after padding. Cells hold
/// database text, so each is made safe for a terminal and cut to its column's width.
fn table(header: &[&str], rows: &[Vec<(String, Tone)>], colour: bool, out: &mut String) {
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
    let line = |cells: Vec<(String, Tone)>, out: &mut String| {
        let last = cells.len() - 1;
        let mut text = String::from("  ");
        for (i, (cell, tone)) in cells.into_iter().enumerate() {
            let pad = if i == last { 0 } else { widths[i] - cell.chars().count() + 2 };
            text.push_str(&paint(&cell, tone, colour));
            text.push_str(&" ".repeat(pad));
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(header.iter().map(|h| (h.to_string(), Tone::Plain)).collect(), out);
    for row in rows {
        line(row, out);
    }
}

fn plain(text: impl Into<String>) -> (String, Tone) {
    (text.into(), Tone::Plain)
}

/// The human-readable status report.
pub fn render_table(report: &Report, uri: &str, colour: bool) -> String {
    let mut out = String::new();
    match &report.server {
        Some(server) => {
            let _ = writeln!(
                out,
                "Neo4j {} ({}) at {}",
                for_display(&server.version, Some(40)),
                for_display(&server.edition, Some(40)),
                for_display(uri, None)
            );
        }
        None => {
            let _ = writeln!(out, "Neo4j at {}: {}", for_display(uri, None), paint("unreachable", Tone::Bad, colour));
        }
    }

    if let Some(m) = &report.migrations {
        let counts: Vec<String> = ["success", "failed", "pending", "running", "rolled_back", "unknown"]
            .iter()
            .map(|status| {
                let n = m.counts.get(*status).copied().unwrap_or(0);
                let tone = if n > 0 { status_tone(status) } else { Tone::Plain };
                paint(&format!("{n} {}", status.replace('_', " ")), tone, colour)
            })
            .collect();
        let _ = writeln!(out, "\nMigrations: {}", counts.join(", "));

        let _ = writeln!(out, "\nRecent migrations");
        if m.recent.is_empty() {
            let _ = writeln!(out, "  none");
        } else {
            let rows: Vec<Vec<(String, Tone)>> = m
                .recent
                .iter()
                .take(10)
                .map(|r| {
                    vec![
                        plain(r.filename.clone()),
                        (r.status.clone(), status_tone(&r.status)),
                        plain(r.applied_at.map_or("-".into(), human_time)),
                        plain(r.execution_seconds.map_or("-".into(), human_seconds)),
                    ]
                })
                .collect();
            table(&["FILE", "STATUS", "APPLIED AT", "DURATION"], &rows, colour, &mut out);
        }

        let _ = writeln!(out, "\nFailed migrations");
        if m.failed.is_empty() {
            let _ = writeln!(out, "  none");
        } else {
            let rows: Vec<Vec<(String, Tone)>> = m
                .failed
                .iter()
                .map(|f| vec![(f.filename.clone(), Tone::Bad), plain(f.error_class.clone()), plain(f.error.clone())])
                .collect();
            table(&["FILE", "ERROR CLASS", "ERROR"], &rows, colour, &mut out);
        }

        let _ = writeln!(out, "\nRunning or stuck");
        if m.in_progress.is_empty() {
            let _ = writeln!(out, "  none");
        } else {
            let rows: Vec<Vec<(String, Tone)>> = m
                .in_progress
                .iter()
                .map(|p| vec![plain(p.filename.clone()), (p.status.clone(), Tone::Warn), plain(human_seconds(p.age_seconds))])
                .collect();
            table(&["FILE", "STATUS", "FOR"], &rows, colour, &mut out);
        }

        if let Some(files) = &m.files {
            if !files.readable {
                let _ = writeln!(out, "\nMigration files: {}", paint("the directory could not be read", Tone::Bad, colour));
            } else {
                let _ = writeln!(
                    out,
                    "\nMigration files: {} in all, {} pending, {} modified after they were applied",
                    files.total,
                    files.pending.len(),
                    files.modified.len()
                );
                let matched: Vec<String> =
                    files.checksum_matches.iter().filter(|(_, n)| **n > 0).map(|(algorithm, n)| format!("{algorithm} ({n})")).collect();
                let _ = writeln!(
                    out,
                    "  records name files by {}; files applied: {}; checksums matched by {}",
                    for_display(&files.identity, None),
                    for_display(&files.include.join(", "), None),
                    if matched.is_empty() { "none".to_string() } else { matched.join(", ") }
                );
                if files.misaligned() {
                    let warning = format!(
                        "none of the {} records names a file here: check --migrations.runner-dir, --migrations.identity or --migrations.profile",
                        files.records_without_file
                    );
                    let _ = writeln!(out, "  {}", paint(&warning, Tone::Bad, colour));
                }
                for file in &files.pending {
                    let _ = writeln!(out, "  pending   {}", for_display(file, Some(LAST_CELL_CHARS)));
                }
                for file in &files.modified {
                    let _ = writeln!(out, "  {}  {}", paint("modified", Tone::Bad, colour), for_display(file, Some(LAST_CELL_CHARS)));
                }
            }
        }
    }

    if let Some(t) = &report.transactions {
        let _ = writeln!(
            out,
            "\nTransactions: {} running over {}, {} blocked on locks",
            t.long_running.len(),
            human_seconds(t.long_running_threshold_seconds),
            t.blocked.len()
        );
        let mut rows: Vec<Vec<(String, Tone)>> = Vec::new();
        for (kind, list, tone) in [("long-running", &t.long_running, Tone::Warn), ("blocked", &t.blocked, Tone::Bad)] {
            for line in list {
                rows.push(vec![
                    (kind.to_string(), tone),
                    plain(line.database.clone()),
                    plain(line.elapsed_seconds.map_or_else(|| "?".to_string(), human_seconds)),
                    plain(line.lock_wait_seconds.map_or_else(|| "?".to_string(), human_seconds)),
                    plain(line.active_locks.to_string()),
                ]);
            }
        }
        if !rows.is_empty() {
            table(&["KIND", "DATABASE", "RUNNING FOR", "LOCK WAIT", "LOCKS"], &rows, colour, &mut out);
        }
    }

    if let Some(i) = &report.indexes {
        let _ = writeln!(out, "\nIndexes: {} in all, {} not online", i.total, i.not_online.len());
        if !i.not_online.is_empty() {
            let rows: Vec<Vec<(String, Tone)>> = i
                .not_online
                .iter()
                .map(|index| {
                    let tone = if index.state == "failed" { Tone::Bad } else { Tone::Warn };
                    vec![
                        plain(index.name.clone()),
                        plain(index.kind.clone()),
                        (index.state.clone(), tone),
                        plain(format!("{:.0} %", index.population * 100.0)),
                    ]
                })
                .collect();
            table(&["INDEX", "TYPE", "STATE", "POPULATED"], &rows, colour, &mut out);
        }
    }
    out
}

/// `healthcheck`: asks `/healthz` of the exporter serving with the settings of process `of`
/// (or of PID 1 when that is an exporter, as in the image), else with `given`. A plain HTTP
/// request is enough either way: on a TLS port the exporter answers it with its 400, which
/// shows it is up as well as a 200 does, without the check needing a client certificate.
pub fn healthcheck(given: &Config, of: Option<u32>) -> ExitCode {
    let followed = match of.or_else(|| process_is_exporter(1).then_some(1)) {
        Some(pid) => match settings_of_process(pid) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("neo4j-migration-exporter healthcheck: {error}");
                return ExitCode::FAILURE;
            }
        },
        None => given.clone(),
    };
    let mut address = followed.web.listen_address;
    if address.ip().is_unspecified() {
        address.set_ip(if address.is_ipv4() { std::net::Ipv4Addr::LOCALHOST.into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    match ask_healthz(address) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("neo4j-migration-exporter healthcheck: {address}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn process_is_exporter(pid: u32) -> bool {
    std::process::id() != pid
        && std::fs::read(format!("/proc/{pid}/cmdline"))
            .ok()
            .and_then(|cmdline| cmdline.split(|b| *b == 0).next().map(|argv0| argv0.ends_with(b"neo4j-migration-exporter")))
            .unwrap_or(false)
}

/// The configuration a running exporter was started with: its arguments, and the
/// `NEO4J_EXPORTER_` variables of its environment in place of this process's own.
fn settings_of_process(pid: u32) -> Result<Config, String> {
    let read = |what: &str| std::fs::read(format!("/proc/{pid}/{what}")).map_err(|e| format!("cannot read /proc/{pid}/{what}: {e}"));
    let split = |bytes: Vec<u8>| -> Vec<String> {
        bytes.split(|b| *b == 0).filter(|part| !part.is_empty()).map(|part| String::from_utf8_lossy(part).into_owned()).collect()
    };
    let args = split(read("cmdline")?);
    let environ = split(read("environ")?);
    for (key, _) in std::env::vars().filter(|(key, _)| key.starts_with(crate::config::ENV_PREFIX)) {
        std::env::remove_var(key);
    }
    for (key, value) in environ.iter().filter_map(|entry| entry.split_once('=')) {
        if key.starts_with(crate::config::ENV_PREFIX) {
            std::env::set_var(key, value);
        }
    }
    match crate::config::parse_with_env(args, |_| None).map_err(|e| e.to_string())? {
        crate::config::Invocation::Run(config) => Ok(*config),
        _ => Err(format!("process {pid} is not a running exporter daemon")),
    }
}

fn ask_healthz(address: std::net::SocketAddr) -> Result<(), String> {
    use std::io::{Read, Write};
    let timeout = std::time::Duration::from_secs(3);
    let mut stream = std::net::TcpStream::connect_timeout(&address, timeout).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n").map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let _ = stream.take(4096).read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split_whitespace().nth(1).unwrap_or("none");
    match status {
        "200" => Ok(()),
        "400" if answer.contains("Client sent an HTTP request to an HTTPS server.") => Ok(()),
        other => Err(format!("/healthz answered {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FailedMigration, MigrationLine, MigrationsReport};

    fn report() -> Report {
        Report {
            server: Some(Server { version: "5.26.30".into(), edition: "community".into() }),
            migrations: Some(MigrationsReport {
                counts: [("success".to_string(), 2), ("failed".to_string(), 1)].into_iter().collect(),
                recent: vec![MigrationLine {
                    filename: "V004__email.cypher".into(),
                    status: "failed".into(),
                    applied_at: Some(1_760_522_400.0),
                    execution_seconds: Some(0.035),
                }],
                failed: vec![FailedMigration {
                    filename: "V004__email.cypher".into(),
                    error_class: "schema_conflict".into(),
                    error: "FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists".into(),
                    applied_at: None,
                }],
                ..MigrationsReport::default()
            }),
            ..Report::default()
        }
    }

    #[test]
    fn the_table_lines_up_and_names_the_failure() {
        let text = render_table(&report(), "bolt://db:7687", false);
        assert!(text.starts_with("Neo4j 5.26.30 (community) at bolt://db:7687\n"), "{text}");
        assert!(text.contains("Migrations: 2 success, 1 failed, 0 pending"), "{text}");
        assert!(text.contains("  FILE                STATUS  APPLIED AT            DURATION\n"), "{text}");
        assert!(text.contains("  V004__email.cypher  failed  2025-10-15 10:00:00Z  35 ms\n"), "{text}");
        assert!(text.contains("V004__email.cypher  schema_conflict  FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists"), "{text}");
        assert!(!text.contains('\x1b'), "no colour when asked for none");
    }

    #[test]
    fn colour_marks_failures_red() {
        let text = render_table(&report(), "bolt://db:7687", true);
        assert!(text.contains("\x1b[31;1mV004__email.cypher\x1b[0m"), "{text:?}");
    }
}
