//! The one-shot commands for migration day: `status` prints what the exporter sees, `check`
//! turns it into a yes or no for a pipeline. Both run the same read-only collectors, with the
//! same timeouts, once.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::bolt_uri::redacted;
use crate::collectors;
use crate::config::{Config, OutputFormat};
use crate::neo4j::Neo4j;
use crate::timeline::{self, TimelineOptions};
use crate::views::check::{problems, CheckOptions};
use crate::views::checklist;
use crate::views::terminal;
use crate::views::text::for_display;
use crate::views::{Report, Server};

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
    // Every reporting collector, as before, except those that need a setting not given.
    for setup in config.collectors.iter().filter(|setup| setup.spec.reports && (setup.schedule.enabled || setup.spec.enabled_by.is_none()))
    {
        let collector = (setup.spec.build)(&setup.settings);
        let collection = collectors::run_once(collector.as_ref(), &db, setup.schedule.timeout)
            .await
            .result
            .map_err(|e| format!("the {} collector failed: {e}", setup.spec.name))?;
        report.parts.extend(collection.report);
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
        OutputFormat::Table => print!("{}", terminal::render(&report, &redacted(&config.neo4j.uri), use_colour())),
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
    if options.before {
        let items = checklist::items(&report, options);
        for line in checklist::lines(&items) {
            println!("{line}");
        }
        return if items.iter().any(|item| item.state == checklist::State::Failed) { ExitCode::from(1) } else { ExitCode::SUCCESS };
    }
    let found = problems(&report, options);
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

/// `timeline`: reads the window from Prometheus and prints its events in time order.
pub fn timeline(options: &TimelineOptions) -> ExitCode {
    let answers = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
        .and_then(|runtime| runtime.block_on(timeline::gather(&options.api, &options.job, &options.window, options.long_running)));
    let answers = match answers {
        Ok(answers) => answers,
        Err(error) => {
            eprintln!("neo4j-migration-exporter timeline: Prometheus: {error}");
            return ExitCode::from(2);
        }
    };
    let events = timeline::events(&answers, &options.window);
    match options.format {
        timeline::Format::Markdown => print!("{}", timeline::markdown(&events, &options.window, &options.job)),
        timeline::Format::Json => {
            let json = timeline::to_json(&events, &options.window, &options.job);
            println!("{}", serde_json::to_string_pretty(&json).expect("timelines serialise"));
        }
    }
    ExitCode::SUCCESS
}

fn conditions_text(options: &CheckOptions) -> String {
    let words: Vec<String> = options.conditions.iter().map(|c| format!("{c:?}").to_lowercase()).collect();
    words.join(", ")
}

/// Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org).
fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
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
    match crate::config::parse(args).map_err(|e| e.to_string())? {
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
    use std::sync::Arc;

    use super::*;
    use crate::collectors::migrations::report::{FailedMigration, MigrationLine, MigrationsReport};

    fn report() -> Report {
        let migrations = MigrationsReport {
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
        };
        Report {
            server: Some(Server { version: "5.26.30".into(), edition: "community".into() }),
            parts: vec![Arc::new(migrations)],
            ..Report::default()
        }
    }

    #[test]
    fn the_table_lines_up_and_names_the_failure() {
        let text = terminal::render(&report(), "bolt://db:7687", false);
        assert!(text.starts_with("Neo4j 5.26.30 (community) at bolt://db:7687\n"), "{text}");
        assert!(text.contains("Migrations: 2 success, 1 failed, 0 pending"), "{text}");
        assert!(text.contains("  FILE                STATUS  APPLIED AT            DURATION\n"), "{text}");
        assert!(text.contains("  V004__email.cypher  failed  2025-10-15 10:00:00Z  35 ms\n"), "{text}");
        assert!(text.contains("V004__email.cypher  schema_conflict  FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists"), "{text}");
        assert!(!text.contains('\x1b'), "no colour when asked for none");
    }

    #[test]
    fn colour_marks_failures_red() {
        let text = terminal::render(&report(), "bolt://db:7687", true);
        assert!(text.contains("\x1b[31;1mV004__email.cypher\x1b[0m"), "{text:?}");
    }

    #[test]
    fn json_keeps_each_part_under_its_key() {
        let json = serde_json::to_value(report()).unwrap();
        assert_eq!(json["migrations"]["failed"][0]["error_class"], "schema_conflict");
        assert_eq!(json["server"]["version"], "5.26.30");
    }
}
