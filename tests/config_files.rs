//! Config testdata: every `*.good.yml` loads; every `*.bad.yml` is refused with the message on
//! its first line (`# expect: ...`, `{path}` standing for the file's path), and the binary
//! exits 2 with that message.

use std::path::{Path, PathBuf};
use std::process::Command;

use neo4j_migration_exporter::collectors::migrations::MigrationsConfig;
use neo4j_migration_exporter::config::{self, Config, Invocation};

fn testdata(suffix: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/config");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(suffix)).collect();
    files.sort();
    assert!(!files.is_empty(), "no {suffix} files");
    files
}

fn migrations(config: &Config) -> &MigrationsConfig {
    config.settings_of::<MigrationsConfig>("migrations").expect("the migrations collector's settings")
}

fn load(path: &Path) -> Result<Invocation, config::ConfigError> {
    let flag = format!("--config.file={}", path.display());
    config::parse(["neo4j-migration-exporter", flag.as_str()])
}

#[test]
fn good_files_load() {
    for path in testdata(".good.yml") {
        if let Err(e) = load(&path) {
            panic!("{} was refused: {e}", path.display());
        }
    }
}

#[test]
fn the_full_example_sets_what_it_says() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/config/full.good.yml");
    let Ok(Invocation::Run(config)) = load(&path) else { panic!("full.good.yml did not load") };
    assert_eq!(config.web.listen_address.to_string(), "127.0.0.1:10687");
    assert_eq!(config.neo4j.uri, "bolt+s://neo4j.internal:7687");
    assert_eq!(config.neo4j.user, "exporter");
    assert_eq!(config.neo4j.max_backoff.as_secs(), 60);
    let schedule = config.schedule("migrations").unwrap();
    assert_eq!((schedule.interval.as_secs(), schedule.timeout.as_secs()), (30, 20));
    assert_eq!(migrations(&config).label, "SchemaMigration");
    assert_eq!(migrations(&config).window.as_secs(), 7200);
}

#[test]
fn flags_override_the_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/config/full.good.yml");
    let file = format!("--config.file={}", path.display());
    let args = ["neo4j-migration-exporter", file.as_str(), "--migrations.label=FromFlag", "--collector.migrations.interval=5s"];
    let Ok(Invocation::Run(config)) = config::parse(args) else { panic!() };
    assert_eq!(migrations(&config).label, "FromFlag");
    assert_eq!(config.schedule("migrations").unwrap().interval.as_secs(), 5);
    assert_eq!(migrations(&config).recent, 50, "unset flags keep the file's value");
}

fn expectation(path: &Path) -> (String, bool) {
    let text = std::fs::read_to_string(path).unwrap();
    let first = text.lines().next().unwrap();
    let shown = path.display().to_string();
    if let Some(prefix) = first.strip_prefix("# expect-prefix: ") {
        (prefix.replace("{path}", &shown), true)
    } else {
        let exact = first.strip_prefix("# expect: ").unwrap_or_else(|| panic!("{shown} has no expectation line"));
        (exact.replace("{path}", &shown), false)
    }
}

#[test]
fn bad_files_are_refused_with_their_expected_message() {
    for path in testdata(".bad.yml") {
        let (expected, prefix_only) = expectation(&path);
        let message = match load(&path) {
            Ok(_) => panic!("{} was accepted", path.display()),
            Err(e) => e.to_string(),
        };
        if prefix_only {
            assert!(message.starts_with(&expected), "{}:\n  got: {message}\n want: {expected}...", path.display());
        } else {
            assert_eq!(message, expected, "{}", path.display());
        }
        assert!(!message.contains("hunter22"), "{} echoed a password", path.display());
    }
}

#[test]
fn the_binary_exits_2_on_a_bad_file() {
    for path in testdata(".bad.yml") {
        let out =
            Command::new(env!("CARGO_BIN_EXE_neo4j-migration-exporter")).arg(format!("--config.file={}", path.display())).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let (expected, _) = expectation(&path);
        assert!(stderr.starts_with(&format!("neo4j-migration-exporter: {expected}")), "{}: {stderr}", path.display());
        assert_eq!(stderr.trim_end().lines().count(), 1, "{}: {stderr}", path.display());
    }
}

#[test]
fn a_profile_sets_the_runners_rules_and_single_flags_still_win() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/config/node-profile.good.yml");
    let file = format!("--config.file={}", path.display());
    let Ok(Invocation::Run(config)) = config::parse(["neo4j-migration-exporter", file.as_str()]) else { panic!() };
    let m = migrations(&config);
    assert_eq!(m.checksums.names(), ["sha256-text"]);
    assert_eq!(m.identity.describe(), "path under /srv/app/current/migrations");
    assert_eq!(m.include.patterns(), ["common/**", "production/**"]);

    let args = ["neo4j-migration-exporter", file.as_str(), "--migrations.checksum-algorithm=sha256", "--migrations.include=**"];
    let Ok(Invocation::Run(config)) = config::parse(args) else { panic!() };
    assert_eq!(migrations(&config).checksums.names(), ["sha256"]);
    assert_eq!(migrations(&config).include.patterns(), ["**"]);
    assert_eq!(migrations(&config).identity.describe(), "path under /srv/app/current/migrations");

    // The schema of a tool, given alone, brings that tool's profile.
    let Ok(Invocation::Run(config)) = config::parse(["x", "--migrations.schema=neo4j-migrations"]) else { panic!() };
    assert_eq!(migrations(&config).checksums.names(), ["neo4j-migrations"]);
    let Ok(Invocation::Run(config)) = config::parse(["x"]) else { panic!() };
    assert_eq!(migrations(&config).checksums.names(), ["sha256", "sha256-text"]);
    assert_eq!(migrations(&config).identity.describe(), "tail");
}
