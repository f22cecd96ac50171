//! Flags, environment variables and an optional YAML file, validated into one typed [`Config`].
//!
//! Every setting has one name, its flag (`--web.listen-address`). The same name is the key in
//! the YAML file and, upper-cased with `NEO4J_EXPORTER_` in front and `.`/`-` turned into `_`,
//! the environment variable. A flag beats the environment, which beats the file, which beats
//! the default. The Neo4j password is the exception: only `NEO4J_PASSWORD` or a password file.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::collectors::{self, Facts, Settings, Spec};
use crate::probe::{ProbeConfig, ProbeSection};
use crate::timeline::TimelineOptions;
use crate::views::check::{CheckOptions, Condition};

pub const ENV_PREFIX: &str = "NEO4J_EXPORTER_";
pub const PASSWORD_ENV: &str = "NEO4J_PASSWORD";
const PASSWORD_ARG: &str = "neo4j.password";
pub const DEFAULT_PORT: u16 = 10687;

/// A flag the daemon understands, as listed by `--help`.
pub struct Setting {
    pub flag: &'static str,
    pub value_name: &'static str,
    pub default: Option<&'static str>,
    pub help: &'static str,
}

const SETTINGS: &[Setting] = &[
    Setting { flag: "config.file", value_name: "PATH", default: None, help: "YAML file with settings keyed by flag name" },
    Setting {
        flag: "web.listen-address",
        value_name: "ADDRESS",
        default: Some(":10687"),
        help: "Address to serve HTTP on, as host:port or :port",
    },
    Setting { flag: "web.telemetry-path", value_name: "PATH", default: Some("/metrics"), help: "Path under which to expose metrics" },
    Setting {
        flag: "web.config.file",
        value_name: "PATH",
        default: None,
        help: "Web configuration in the exporter-toolkit format: TLS and basic auth",
    },
    Setting {
        flag: "web.max-requests",
        value_name: "N",
        default: Some("40"),
        help: "Most HTTP requests served at once; more wait for a free place",
    },
    Setting {
        flag: "web.disable-exporter-metrics",
        value_name: "BOOL",
        default: Some("false"),
        help: "Leave the exporter's own process_* metrics out of the exposition",
    },
    Setting {
        flag: "collector.disable-defaults",
        value_name: "BOOL",
        default: Some("false"),
        help: "Turn off every collector that is on by default; enable the ones wanted with --collector.<name>",
    },
    Setting {
        flag: "log.level",
        value_name: "LEVEL",
        default: Some("info"),
        help: "Least severe log level to print: debug, info, warn or error",
    },
    Setting { flag: "log.format", value_name: "FORMAT", default: Some("logfmt"), help: "Log line format: logfmt or json" },
    Setting {
        flag: "neo4j.uri",
        value_name: "URI",
        default: Some("bolt://localhost:7687"),
        help: "Bolt URI of the Neo4j server (bolt, bolt+s, bolt+ssc, neo4j, neo4j+s, neo4j+ssc)",
    },
    Setting { flag: "neo4j.user", value_name: "USER", default: Some("neo4j"), help: "User to log in as" },
    Setting {
        flag: "neo4j.password-file",
        value_name: "PATH",
        default: None,
        help: "File holding the password; otherwise the NEO4J_PASSWORD environment variable",
    },
    Setting {
        flag: "neo4j.database",
        value_name: "NAME",
        default: None,
        help: "Database to read; the server's default database when unset",
    },
    Setting {
        flag: "neo4j.tls-ca-file",
        value_name: "PATH",
        default: None,
        help: "PEM file of the CA that signed Neo4j's certificate, for bolt+s and neo4j+s",
    },
    Setting {
        flag: "neo4j.connect-timeout",
        value_name: "DURATION",
        default: Some("5s"),
        help: "Bound on the connectivity check: a new connection, a login and one statement",
    },
    Setting {
        flag: "neo4j.check-interval",
        value_name: "DURATION",
        default: Some("5s"),
        help: "How often to check that Neo4j answers (neo4j_up)",
    },
    Setting {
        flag: "neo4j.max-backoff",
        value_name: "DURATION",
        default: Some("30s"),
        help: "Longest wait between connection attempts while Neo4j is unreachable",
    },
];

#[derive(Clone, Debug)]
pub struct Config {
    pub web: WebConfig,
    pub log: LogConfig,
    pub neo4j: Neo4jConfig,
    /// Every registered collector, in registry order, with its schedule and checked settings.
    pub collectors: Vec<CollectorSetup>,
    pub probe: ProbeConfig,
}

/// One collector as configured: when it runs, and the settings its spec checked.
#[derive(Clone)]
pub struct CollectorSetup {
    pub spec: &'static Spec,
    pub schedule: CollectorSchedule,
    pub settings: Settings,
}

impl fmt::Debug for CollectorSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectorSetup").field("schedule", &self.schedule).finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
pub struct WebConfig {
    pub listen_address: SocketAddr,
    pub telemetry_path: String,
    /// The exporter-toolkit web configuration file, checked when the daemon starts.
    pub config_file: Option<PathBuf>,
    pub max_requests: usize,
    /// Leave the exporter's own process_* metrics out of the exposition.
    pub disable_exporter_metrics: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Logfmt,
    Json,
}

#[derive(Clone, Debug)]
pub struct LogConfig {
    pub level: tracing::Level,
    pub format: LogFormat,
}

#[derive(Clone, Debug)]
pub struct Neo4jConfig {
    pub uri: String,
    pub user: String,
    pub password: Secret,
    pub database: Option<String>,
    pub tls_ca_file: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub check_interval: Duration,
    pub max_backoff: Duration,
}

/// When and for how long one collector runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectorSchedule {
    pub name: &'static str,
    pub enabled: bool,
    pub interval: Duration,
    pub timeout: Duration,
}

/// A value that must never be printed: its `Debug` and `Display` show a placeholder.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A message from the flag parser, already one sentence.
    #[error("{0}")]
    Usage(String),
    #[error("invalid value '{}' for --{flag}{origin}: {reason}", crate::bolt_uri::redacted(.value))]
    Invalid { flag: String, value: String, origin: Origin, reason: String },
    #[error("cannot read {what} {path}: {reason}")]
    Unreadable { what: &'static str, path: String, reason: String },
    #[error("config file {path}: {reason}")]
    File { path: String, reason: String },
}

/// Where a value came from, so an error can say where to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env(String),
    File(String),
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag | Origin::Default => Ok(()),
            Origin::Env(name) => write!(f, " (from environment variable {name})"),
            Origin::File(path) => write!(f, " (in config file {path})"),
        }
    }
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Invocation {
    /// The daemon.
    Run(Box<Config>),
    /// `status`: print what the collectors see, once.
    Status(Box<Config>, OutputFormat),
    /// `check`: exit 1 if any of the conditions holds.
    Check(Box<Config>, CheckOptions),
    /// `timeline`: what the user's Prometheus saw over a window, in time order.
    Timeline(Box<Config>, Box<TimelineOptions>),
    /// `healthcheck`: ask the running exporter's own `/healthz`, for a container's HEALTHCHECK;
    /// with the process whose settings to follow, if given.
    Healthcheck(Box<Config>, Option<u32>),
    /// `--help` or `--version`: print this and exit 0.
    Print(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
}

/// Parses arguments (the first is the program name) and the process environment, which clap
/// reads for every setting, the password included.
pub fn parse<I, T>(args: I) -> Result<Invocation, ConfigError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    parse_for(collectors::REGISTRY, args)
}

/// As [`parse`], for the collectors of the given registry (a test adds its own).
pub fn parse_for<I, T>(registry: &'static [Spec], args: I) -> Result<Invocation, ConfigError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = match command(registry).try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => {
            return Ok(Invocation::Print(e.render().to_string()));
        }
        Err(e) => return Err(ConfigError::Usage(first_sentence(&e.render().to_string()))),
    };
    let subcommand = matches.subcommand().map(|(name, sub)| (name.to_string(), sub.clone()));
    let values = Values::new(registry, matches)?;
    let config = Box::new(Config::from_values(&values)?);
    match subcommand {
        None => Ok(Invocation::Run(config)),
        Some((name, sub)) if name == "healthcheck" => {
            let of = sub.get_one::<String>("of-process");
            let pid = of.map(|text| text.parse::<u32>().map_err(|_| invalid("of-process", text, "expected a process id"))).transpose()?;
            Ok(Invocation::Healthcheck(config, pid))
        }
        Some((name, sub)) if name == "timeline" => {
            let options = timeline_options(&values, &sub)?;
            Ok(Invocation::Timeline(config, Box::new(options)))
        }
        Some((name, sub)) if name == "status" => {
            let format = match sub.get_one::<String>("output").map(String::as_str) {
                Some("json") => OutputFormat::Json,
                Some("table") | None => OutputFormat::Table,
                Some(other) => return Err(invalid("output", other, "expected table or json")),
            };
            Ok(Invocation::Status(config, format))
        }
        Some((_, sub)) => {
            let fail_on = sub.get_one::<String>("fail-on").map_or(Condition::DEFAULT, String::as_str);
            let conditions = Condition::parse_list(fail_on).map_err(|reason| invalid("fail-on", fail_on, &reason))?;
            let stuck_after = match sub.get_one::<String>("stuck-after") {
                None => crate::collectors::migrations::report::STUCK_AFTER,
                Some(stuck) => parse_positive_duration(stuck).map_err(|reason| invalid("stuck-after", stuck, &reason))?,
            };
            let before = sub.get_flag("before");
            if before && sub.get_one::<String>("fail-on").is_some() {
                return Err(ConfigError::Usage(
                    "--before checks the pre-migration checklist, which already holds the quiet-database conditions; leave out --fail-on"
                        .into(),
                ));
            }
            Ok(Invocation::Check(config, CheckOptions { conditions, stuck_after, before }))
        }
    }
}

/// `timeline`'s window, step, threshold and output, and the Prometheus it reads.
fn timeline_options(values: &Values, sub: &ArgMatches) -> Result<TimelineOptions, ConfigError> {
    use crate::timeline::{parse_time, Format, Window, DEFAULT_SINCE, LONG_RUNNING};
    let Some(url) = values.parse("prometheus.url", crate::prometheus_api::parse_url)? else {
        return Err(ConfigError::Usage("timeline reads Prometheus: give --prometheus.url".into()));
    };
    fn given<'a>(sub: &'a ArgMatches, flag: &'a str) -> Option<(&'a str, &'a str)> {
        sub.get_one::<String>(flag).map(|text| (flag, text.as_str()))
    }
    let given = |flag: &'static str| given(sub, flag);
    let duration = |flag: &'static str| {
        given(flag).map(|(flag, text)| parse_positive_duration(text).map_err(|reason| invalid(flag, text, &reason))).transpose()
    };
    let time =
        |flag: &'static str| given(flag).map(|(flag, text)| parse_time(text).map_err(|reason| invalid(flag, text, &reason))).transpose();
    let now = chrono::Utc::now().timestamp_micros() as f64 / 1e6;
    let (from, to) = match (duration("since")?, time("from")?, time("to")?) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(ConfigError::Usage("--since counts back from now; give it, or --from and --to, not both".into()))
        }
        (None, None, Some(_)) => return Err(ConfigError::Usage("--to needs --from".into())),
        (since, None, None) => (now - since.unwrap_or(DEFAULT_SINCE).as_secs_f64(), now),
        (None, Some(from), to) => (from, to.unwrap_or(now)),
    };
    if from >= to {
        let (_, text) = given("from").unwrap_or(("from", ""));
        return Err(invalid("from", text, "must be before --to"));
    }
    let step = duration("step")?;
    if let (Some((_, text)), Some(step)) = (given("step"), step) {
        if (to - from) / step.as_secs_f64() > crate::timeline::MOST_POINTS {
            return Err(invalid("step", text, "too fine for the window: Prometheus returns at most 11,000 points a series"));
        }
    }
    let format = match given("output") {
        Some((_, "json")) => Format::Json,
        Some((_, "markdown")) | None => Format::Markdown,
        Some((flag, other)) => return Err(invalid(flag, other, "expected markdown or json")),
    };
    Ok(TimelineOptions {
        api: crate::prometheus_api::PrometheusApi::new(url),
        job: values.required("prometheus.job", parse_non_empty)?,
        window: Window::new(from, to, step),
        long_running: duration("long-running")?.unwrap_or(LONG_RUNNING),
        format,
    })
}

fn invalid(flag: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid { flag: flag.to_string(), value: value.to_string(), origin: Origin::Flag, reason: reason.to_string() }
}

/// Clap's errors run over several lines with tips and usage; the first line names the flag.
fn first_sentence(rendered: &str) -> String {
    let line = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid arguments");
    let line = line.trim().trim_start_matches("error: ");
    format!("{line}; see --help")
}

pub fn env_name(flag: &str) -> String {
    let mut name = String::from(ENV_PREFIX);
    name.extend(flag.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }));
    name
}

/// Every setting the daemon knows: the static ones, each collector's own, and the schedule
/// flags generated from the collector registry.
fn all_settings(registry: &'static [Spec]) -> impl Iterator<Item = &'static Setting> {
    SETTINGS.iter().chain(registry.iter().flat_map(|spec| spec.settings.iter()))
}

fn command(registry: &'static [Spec]) -> Command {
    let mut cmd = Command::new("neo4j-migration-exporter")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Prometheus exporter for Neo4j migrations, database activity and graph health")
        .after_help(format!(
            "Every flag can also be set with an environment variable named {ENV_PREFIX}<FLAG> \
             (for example {}), or in the --config.file YAML under its own name. \
             The password comes only from {PASSWORD_ENV} or --neo4j.password-file.",
            env_name("web.listen-address")
        ))
        .disable_help_subcommand(true)
        .dont_collapse_args_in_usage(true)
        .subcommand(
            Command::new("healthcheck")
                .about(
                    "Exit 0 when the running exporter answers /healthz, 1 when not (for a container's HEALTHCHECK); \
                     it follows the settings of the exporter running as PID 1, if that is one, else its own",
                )
                .arg(
                    Arg::new("of-process")
                        .long("of-process")
                        .value_name("PID")
                        .help("Follow the settings (arguments and environment) of this exporter process"),
                ),
        )
        .subcommand(
            Command::new("status")
                .about("Print, once, what the exporter sees: migrations, failures, drift, transactions, indexes")
                .arg(Arg::new("output").long("output").value_name("FORMAT").help("table (default) or json")),
        )
        .subcommand(
            Command::new("timeline")
                .about("Print, for a post-incident review, what the Prometheus at --prometheus.url saw in time order: migrations applied and failed, alerts firing and resolved, Neo4j and the exporter down, lock waits and long transactions")
                .arg(Arg::new("since").long("since").value_name("DURATION").help("Read this far back from now [default: 24h]"))
                .arg(Arg::new("from").long("from").value_name("TIME").help("Start of the window: RFC 3339 (2026-12-02T21:30:00Z) or seconds since the Unix epoch"))
                .arg(Arg::new("to").long("to").value_name("TIME").help("End of the window, as --from [default: now]"))
                .arg(Arg::new("step").long("step").value_name("DURATION").help("Resolution of the range queries; keep it no coarser than the scrape interval [default: 15s, coarser for windows over 45h]"))
                .arg(
                    Arg::new("long-running")
                        .long("long-running")
                        .value_name("DURATION")
                        .help("A transaction open longer than this is long, as Neo4jLongRunningQuery's threshold [default: 30s]"),
                )
                .arg(Arg::new("output").long("output").value_name("FORMAT").help("markdown (default) or json")),
        )
        .subcommand(
            Command::new("check")
                .about("Exit 0 when healthy, 1 when a selected condition holds, 2 on configuration or connection errors")
                .arg(
                    Arg::new("fail-on")
                        .long("fail-on")
                        .value_name("CONDITIONS")
                        .help("Comma-separated: failed, checksum, stuck, pending, blocked, long-running, index-failed, index-not-online, schema [default: failed,checksum,stuck]"),
                )
                .arg(
                    Arg::new("before")
                        .long("before")
                        .action(clap::ArgAction::SetTrue)
                        .help("Check the pre-migration checklist instead: backup, rollback plan, staging, monitoring, quiet database"),
                )
                .arg(
                    Arg::new("stuck-after")
                        .long("stuck-after")
                        .value_name("DURATION")
                        .help("A PENDING or RUNNING migration older than this is stuck [default: 30m]"),
                ),
        );
    for setting in all_settings(registry) {
        cmd = cmd.arg(value_arg(setting));
    }
    for spec in registry {
        let on = format!("collector.{}", spec.name);
        let off = format!("no-collector.{}", spec.name);
        let default_word = if spec.enabled_by_default { "enabled" } else { "disabled" };
        cmd = cmd
            .arg(
                Arg::new(on.clone())
                    .long(on.clone())
                    .global(true)
                    .action(ArgAction::SetTrue)
                    // `true`/`false` (or 1/0, yes/no, on/off) in the environment.
                    .value_parser(clap::builder::BoolishValueParser::new())
                    .env(env_name(&on))
                    .hide_env(true)
                    .help(format!("Enable the {} collector ({default_word} by default): {}", spec.name, spec.help))
                    .overrides_with(off.clone()),
            )
            .arg(
                Arg::new(off.clone())
                    .long(off.clone())
                    .global(true)
                    .action(ArgAction::SetTrue)
                    .value_parser(clap::builder::BoolishValueParser::new())
                    .env(env_name(&off))
                    .hide_env(true)
                    .help(format!("Disable the {} collector", spec.name))
                    .overrides_with(on),
            );
        for (suffix, default, what) in [("interval", spec.interval, "How often to run"), ("timeout", spec.timeout, "Bound on one run")] {
            let flag = format!("collector.{}.{suffix}", spec.name);
            cmd = cmd.arg(
                Arg::new(flag.clone())
                    .long(flag.clone())
                    .value_name("DURATION")
                    .help(format!("{what} of the {} collector [default: {}]", spec.name, humantime::format_duration(default)))
                    .env(env_name(&flag))
                    .hide_env(true)
                    .global(true)
                    .overrides_with(flag.clone()),
            );
        }
    }
    // The password is read from the environment only; the flag exists to refuse it by name.
    cmd.arg(Arg::new(PASSWORD_ARG).long(PASSWORD_ARG).env(PASSWORD_ENV).hide(true).hide_env_values(true).global(true))
}

fn value_arg(setting: &'static Setting) -> Arg {
    let mut help = setting.help.to_string();
    if let Some(default) = setting.default {
        help.push_str(&format!(" [default: {default}]"));
    }
    let arg = Arg::new(setting.flag)
        .long(setting.flag)
        .value_name(setting.value_name)
        .help(help)
        .env(env_name(setting.flag))
        .hide_env(true)
        .global(true)
        // Given twice, the last one wins, so scripts can append overrides.
        .overrides_with(setting.flag);
    // A yes/no setting may be given as a bare flag.
    if setting.value_name == "BOOL" {
        return arg.num_args(0..=1).default_missing_value("true").require_equals(true);
    }
    arg
}

/// Raw values with their origin: flag or environment, then file, then default.
pub struct Values {
    registry: &'static [Spec],
    matches: ArgMatches,
    file: BTreeMap<String, String>,
    file_path: String,
    /// The `probe` section of the config file, which is not a flag, checked.
    probe: ProbeConfig,
}

impl Values {
    fn new(registry: &'static [Spec], matches: ArgMatches) -> Result<Self, ConfigError> {
        let mut values = Values { registry, matches, file: BTreeMap::new(), file_path: String::new(), probe: ProbeConfig::default() };
        if let Some((path, _)) = values.explicit("config.file") {
            let (settings, probe) = read_settings_file(registry, Path::new(&path))?;
            values.file = settings;
            if let Some(section) = probe {
                values.probe = ProbeConfig::from_section(registry, section)
                    .map_err(|reason| ConfigError::File { path: path.clone(), reason: format!("probe: {reason}") })?;
            }
            values.file_path = path;
        }
        Ok(values)
    }

    /// A value given on the command line or in the environment.
    fn explicit(&self, flag: &str) -> Option<(String, Origin)> {
        let value = self.matches.get_one::<String>(flag)?.clone();
        match self.matches.value_source(flag) {
            Some(ValueSource::CommandLine) => Some((value, Origin::Flag)),
            Some(ValueSource::EnvVariable) => Some((value, Origin::Env(env_name(flag)))),
            _ => None,
        }
    }

    /// The value of a setting and where it came from, if it has one.
    pub fn get(&self, flag: &str) -> Option<(String, Origin)> {
        self.explicit(flag).or_else(|| self.file.get(flag).map(|v| (v.clone(), Origin::File(self.file_path.clone())))).or_else(|| {
            all_settings(self.registry).find(|s| s.flag == flag).and_then(|s| s.default).map(|d| (d.to_string(), Origin::Default))
        })
    }

    /// Parses a setting that has a default or is optional.
    pub fn parse<T>(&self, flag: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, ConfigError> {
        match self.get(flag) {
            None => Ok(None),
            Some((value, origin)) => {
                parse(&value).map(Some).map_err(|reason| ConfigError::Invalid { flag: flag.to_string(), value, origin, reason })
            }
        }
    }

    /// Parses a setting that always has a default.
    pub fn required<T>(&self, flag: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<T, ConfigError> {
        Ok(self.parse(flag, parse)?.expect("settings parsed with `required` have a default"))
    }

    fn collector_enabled(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        let on = format!("collector.{name}");
        let off = format!("no-collector.{name}");
        let given = |id: &str| self.matches.get_flag(id) && self.matches.value_source(id) == Some(ValueSource::CommandLine);
        // The two flags override each other, so at most one is set.
        if given(&off) {
            return Ok(false);
        }
        if given(&on) {
            return Ok(true);
        }
        let from_env = |id: &str| self.matches.value_source(id) == Some(ValueSource::EnvVariable);
        if from_env(&off) && self.matches.get_flag(&off) {
            return Ok(false);
        }
        if from_env(&on) {
            return Ok(self.matches.get_flag(&on));
        }
        match self.file.get(&on) {
            Some(value) => parse_bool(value).map_err(|reason| ConfigError::Invalid {
                flag: on,
                value: value.clone(),
                origin: Origin::File(self.file_path.clone()),
                reason,
            }),
            None => Ok(default),
        }
    }
}

/// Reads the YAML settings file into scalar values by setting name, and the probe section.
type SettingsAndProbe = (BTreeMap<String, String>, Option<ProbeSection>);

fn read_settings_file(registry: &'static [Spec], path: &Path) -> Result<SettingsAndProbe, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
        what: "--config.file",
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let file_error = |reason: String| ConfigError::File { path: shown.clone(), reason };
    let tree: serde_norway::Value = serde_norway::from_str(&text).map_err(|e| file_error(format!("not valid YAML: {e}")))?;
    let entries = match tree {
        // An empty file, or one of comments only, sets nothing.
        serde_norway::Value::Null => return Ok((BTreeMap::new(), None)),
        serde_norway::Value::Mapping(entries) => entries,
        _ => return Err(file_error("expected a mapping of setting names to values".into())),
    };
    let known_flag = |key: &str| {
        all_settings(registry).any(|s| s.flag == key)
            || registry.iter().any(|spec| {
                key == format!("collector.{}", spec.name)
                    || key == format!("collector.{}.interval", spec.name)
                    || key == format!("collector.{}.timeout", spec.name)
            })
    };
    let mut settings = BTreeMap::new();
    let mut probe = None;
    for (key, value) in entries {
        let serde_norway::Value::String(key) = key else {
            let what = match key {
                serde_norway::Value::Sequence(_) => "a list".to_string(),
                serde_norway::Value::Mapping(_) => "a mapping".to_string(),
                scalar => format!("'{}'", serde_norway::to_string(&scalar).unwrap_or_default().trim()),
            };
            return Err(file_error(format!("setting name {what} is not text")));
        };
        if key == "probe" {
            let section = serde_norway::from_value(value).map_err(|e| file_error(format!("probe: {e}")))?;
            probe = Some(section);
            continue;
        }
        if key == "config.file" {
            return Err(file_error("config.file cannot be set inside a config file".into()));
        }
        if key.starts_with("neo4j.password") && key != "neo4j.password-file" {
            return Err(file_error(format!(
                "'{key}' is not allowed: keep the password out of config files and use {PASSWORD_ENV} or neo4j.password-file"
            )));
        }
        if !known_flag(&key) {
            return Err(file_error(format!("unknown setting '{key}'")));
        }
        let value = match value {
            serde_norway::Value::String(s) => s,
            serde_norway::Value::Bool(b) => b.to_string(),
            serde_norway::Value::Number(n) => n.to_string(),
            _ => return Err(file_error(format!("setting '{key}' must be a single value"))),
        };
        settings.insert(key, value);
    }
    Ok((settings, probe))
}

impl Config {
    fn from_values(values: &Values) -> Result<Config, ConfigError> {
        let check_interval = values.required("neo4j.check-interval", parse_positive_duration)?;
        let neo4j = Neo4jConfig {
            uri: values.required("neo4j.uri", parse_uri)?,
            user: values.required("neo4j.user", parse_non_empty)?,
            password: read_password(values)?,
            database: values.parse("neo4j.database", parse_non_empty)?,
            tls_ca_file: values.parse("neo4j.tls-ca-file", parse_readable_file)?,
            connect_timeout: values.required("neo4j.connect-timeout", parse_positive_duration)?,
            check_interval,
            max_backoff: values.required("neo4j.max-backoff", |s| {
                let backoff = parse_positive_duration(s)?;
                if backoff < check_interval.min(Duration::from_secs(1)) {
                    return Err("must be at least 1s".into());
                }
                Ok(backoff)
            })?,
        };
        let mut facts = Facts::default();
        for spec in values.registry {
            (spec.tells)(values, &mut facts)?;
        }
        let mut setups = Vec::new();
        let defaults_on = !values.required("collector.disable-defaults", parse_bool)?;
        for spec in values.registry {
            let duration = |what: &str, default| {
                Ok::<_, ConfigError>(values.parse(&format!("collector.{}.{what}", spec.name), parse_positive_duration)?.unwrap_or(default))
            };
            let (interval, timeout) = (duration("interval", spec.interval)?, duration("timeout", spec.timeout)?);
            // Giving the setting that turns a collector on is asking for the collector.
            let turned_on = spec.enabled_by.is_some_and(|setting| values.get(setting).is_some());
            let enabled = values.collector_enabled(spec.name, (spec.enabled_by_default && defaults_on) || turned_on)?;
            if let Some(setting) = spec.enabled_by.filter(|_| enabled && !turned_on) {
                return Err(ConfigError::Usage(format!("--collector.{} needs --{setting}", spec.name)));
            }
            let settings = (spec.configure)(values, &facts)?;
            setups.push(CollectorSetup { spec, schedule: CollectorSchedule { name: spec.name, enabled, interval, timeout }, settings });
        }
        Ok(Config {
            web: WebConfig {
                listen_address: values.required("web.listen-address", parse_listen_address)?,
                telemetry_path: values.required("web.telemetry-path", parse_telemetry_path)?,
                config_file: values.parse("web.config.file", |s| Ok(PathBuf::from(s.trim())))?,
                max_requests: values.required("web.max-requests", parse_positive_integer)?,
                disable_exporter_metrics: values.required("web.disable-exporter-metrics", parse_bool)?,
            },
            log: LogConfig {
                level: values.required("log.level", parse_log_level)?,
                format: values.required("log.format", parse_log_format)?,
            },
            neo4j,
            collectors: setups,
            probe: values.probe.clone(),
        })
    }

    pub fn schedule(&self, name: &str) -> Option<&CollectorSchedule> {
        self.setup(name).map(|setup| &setup.schedule)
    }

    fn setup(&self, name: &str) -> Option<&CollectorSetup> {
        self.collectors.iter().find(|setup| setup.schedule.name == name)
    }

    /// A collector's checked settings, as the type its spec made them.
    pub fn settings_of<T: 'static>(&self, name: &str) -> Option<&T> {
        self.setup(name).and_then(|setup| setup.settings.downcast_ref::<T>())
    }

    /// The schedules of the collectors that run.
    pub fn enabled(&self) -> impl Iterator<Item = &CollectorSchedule> {
        self.collectors.iter().map(|setup| &setup.schedule).filter(|schedule| schedule.enabled)
    }
}

pub const STAGING_PASSWORD_ENV: &str = "NEO4J_STAGING_PASSWORD";

/// The staging server read beside the main one: its URI from `--staging.uri`, its user from
/// `--staging.user` or the main one's, its password from `--staging.password-file` or
/// `NEO4J_STAGING_PASSWORD` (never the main one's: production's password is not sent to
/// another server); the other settings as for the main target. `None` without a URI.
pub fn staging_target(values: &Values) -> Result<Option<Neo4jConfig>, ConfigError> {
    let Some(uri) = values.parse("staging.uri", parse_uri)? else { return Ok(None) };
    let password = match values.get("staging.password-file") {
        Some((path, _)) => {
            let content = std::fs::read_to_string(&path).map_err(|e| ConfigError::Unreadable {
                what: "--staging.password-file",
                path: path.clone(),
                reason: e.to_string(),
            })?;
            Secret::new(content.trim_end_matches(['\r', '\n']))
        }
        None => match std::env::var(STAGING_PASSWORD_ENV) {
            Ok(password) => Secret::new(password),
            Err(_) => {
                return Err(ConfigError::Usage(format!(
                    "--staging.uri needs staging's password: set {STAGING_PASSWORD_ENV} or --staging.password-file"
                )))
            }
        },
    };
    Ok(Some(Neo4jConfig {
        uri,
        user: match values.parse("staging.user", parse_non_empty)? {
            Some(user) => user,
            None => values.required("neo4j.user", parse_non_empty)?,
        },
        password,
        database: values.parse("staging.database", parse_non_empty)?,
        tls_ca_file: values.parse("neo4j.tls-ca-file", parse_readable_file)?,
        connect_timeout: values.required("neo4j.connect-timeout", parse_positive_duration)?,
        check_interval: values.required("neo4j.check-interval", parse_positive_duration)?,
        max_backoff: values.required("neo4j.max-backoff", parse_positive_duration)?,
    }))
}

fn read_password(values: &Values) -> Result<Secret, ConfigError> {
    if let Some((path, _)) = values.get("neo4j.password-file") {
        let content = std::fs::read_to_string(&path).map_err(|e| ConfigError::Unreadable {
            what: "--neo4j.password-file",
            path: path.clone(),
            reason: e.to_string(),
        })?;
        // Files written by editors and `echo` end with a newline that is not part of the password.
        return Ok(Secret::new(content.trim_end_matches(['\r', '\n'])));
    }
    if values.matches.value_source(PASSWORD_ARG) == Some(ValueSource::CommandLine) {
        return Err(ConfigError::Usage(format!(
            "--{PASSWORD_ARG} is refused: process arguments are visible to every user; set {PASSWORD_ENV} or --neo4j.password-file"
        )));
    }
    Ok(Secret::new(values.matches.get_one::<String>(PASSWORD_ARG).cloned().unwrap_or_default()))
}

fn parse_readable_file(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s.trim());
    std::fs::File::open(&path).map(|_| path).map_err(|e| format!("cannot read it: {e}"))
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|_| "expected a duration such as 500ms, 15s or 2m".to_string())
}

pub fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

pub fn parse_non_empty(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    Ok(s.to_string())
}

pub fn parse_positive_integer(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err("expected a whole number greater than zero".into()),
    }
}

fn parse_listen_address(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    let with_host = if s.starts_with(':') { format!("0.0.0.0{s}") } else { s.to_string() };
    with_host
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| "expected host:port or :port, for example :10687 or 127.0.0.1:10687".to_string())
}

fn parse_telemetry_path(s: &str) -> Result<String, String> {
    let s = s.trim();
    if !s.starts_with('/') || s.len() < 2 || s.contains(char::is_whitespace) {
        return Err("expected a path such as /metrics".into());
    }
    if ["/healthz", "/ready", "/probe"].contains(&s) {
        return Err(format!("{s} is already served by the exporter"));
    }
    Ok(s.to_string())
}

fn parse_log_level(s: &str) -> Result<tracing::Level, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "debug" => Ok(tracing::Level::DEBUG),
        "info" => Ok(tracing::Level::INFO),
        "warn" => Ok(tracing::Level::WARN),
        "error" => Ok(tracing::Level::ERROR),
        _ => Err("expected debug, info, warn or error".into()),
    }
}

fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    match s.trim() {
        "logfmt" => Ok(LogFormat::Logfmt),
        "json" => Ok(LogFormat::Json),
        _ => Err("expected logfmt or json".into()),
    }
}

fn parse_uri(s: &str) -> Result<String, String> {
    let s = s.trim();
    let (scheme, rest) = s.split_once("://").ok_or("expected a URI such as bolt://localhost:7687")?;
    if !crate::bolt_uri::SCHEMES.contains(&scheme) {
        return Err(format!("unsupported scheme '{scheme}'; use one of {}", crate::bolt_uri::SCHEMES.join(", ")));
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        // Never echo the value back: it may carry a password.
        return Err("credentials in the URI are not allowed; use --neo4j.user and NEO4J_PASSWORD".into());
    }
    if authority.is_empty() {
        return Err("the URI names no host".into());
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disable_defaults_leaves_only_the_collectors_asked_for() {
        let enabled =
            |config: &Config| -> Vec<&str> { config.collectors.iter().filter(|c| c.schedule.enabled).map(|c| c.schedule.name).collect() };
        let defaults = parse_args(&[]).unwrap();
        assert!(enabled(&defaults).len() > 2, "{:?}", enabled(&defaults));
        let none = parse_args(&["--collector.disable-defaults"]).unwrap();
        assert_eq!(enabled(&none), Vec::<&str>::new());
        let some = parse_args(&["--collector.disable-defaults", "--collector.migrations", "--collector.transactions"]).unwrap();
        assert_eq!(enabled(&some), ["migrations", "transactions"]);
        let err = parse_args(&["--collector.disable-defaults=maybe"]).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { .. }), "{err}");
        assert!(err.to_string().contains("--collector.disable-defaults"), "{err}");
        assert!(!parse_args(&[]).unwrap().web.disable_exporter_metrics);
        assert!(parse_args(&["--web.disable-exporter-metrics"]).unwrap().web.disable_exporter_metrics);
    }

    fn parse_args(args: &[&str]) -> Result<Config, ConfigError> {
        let argv = std::iter::once("neo4j-migration-exporter").chain(args.iter().copied());
        match parse(argv)? {
            Invocation::Run(config) => Ok(*config),
            other => panic!("unexpected invocation: {other:?}"),
        }
    }

    #[test]
    fn defaults_are_sensible() {
        let config = parse_args(&[]).unwrap();
        assert_eq!(config.web.listen_address.port(), DEFAULT_PORT);
        assert_eq!(config.web.telemetry_path, "/metrics");
        assert_eq!(config.neo4j.uri, "bolt://localhost:7687");
        assert_eq!(config.neo4j.user, "neo4j");
    }

    #[test]
    fn bad_duration_names_the_flag_and_value() {
        let err = parse_args(&["--neo4j.check-interval", "soon"]).unwrap_err();
        assert_eq!(err.to_string(), "invalid value 'soon' for --neo4j.check-interval: expected a duration such as 500ms, 15s or 2m");
    }

    #[test]
    fn the_telemetry_path_cannot_take_another_routes_place() {
        for taken in ["/healthz", "/ready", "/probe"] {
            let err = parse_args(&["--web.telemetry-path", taken]).unwrap_err().to_string();
            assert_eq!(err, format!("invalid value '{taken}' for --web.telemetry-path: {taken} is already served by the exporter"));
        }
    }

    #[test]
    fn a_zero_collector_interval_is_refused_where_it_was_written() {
        let path = std::env::temp_dir().join(format!("zero-interval-{}.yml", std::process::id()));
        std::fs::write(&path, "collector.migrations.interval: 0ms\n").unwrap();
        let err = parse_args(&["--config.file", path.to_str().unwrap()]).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            err,
            format!(
                "invalid value '0ms' for --collector.migrations.interval (in config file {}): must be longer than zero",
                path.display()
            )
        );
    }

    #[test]
    fn unknown_flag_is_one_sentence_naming_it() {
        let err = parse_args(&["--web.listen-adress", ":1"]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("--web.listen-adress"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    }

    #[test]
    fn the_second_targets_refuse_credentials_in_their_uris_too() {
        for (flag, uri) in [("staging.uri", "bolt://neo4j:hunter22@staging:7687"), ("prometheus.url", "http://admin:hunter22@prom:9090")] {
            let text = parse_args(&[&format!("--{flag}"), uri]).unwrap_err().to_string();
            assert!(text.contains(&format!("for --{flag}")) && text.contains("credentials"), "{text}");
            assert!(!text.contains("hunter22"), "{text}");
        }
    }

    #[test]
    fn credentials_in_uri_are_refused_without_echoing_them() {
        let err = parse_args(&["--neo4j.uri", "bolt://neo4j:hunter22@db:7687"]).unwrap_err();
        let text = err.to_string();
        assert_eq!(
            text,
            "invalid value 'bolt://***@db:7687' for --neo4j.uri: credentials in the URI are not allowed; \
             use --neo4j.user and NEO4J_PASSWORD"
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(format!("{:?}", Secret::new("hunter22")), "<redacted>");
    }

    #[test]
    fn env_names_follow_the_flag() {
        assert_eq!(env_name("web.listen-address"), "NEO4J_EXPORTER_WEB_LISTEN_ADDRESS");
        assert_eq!(env_name("collector.migrations.interval"), "NEO4J_EXPORTER_COLLECTOR_MIGRATIONS_INTERVAL");
    }
}
