//! Property tests over what comes from outside: migration records of any shape, command lines,
//! config files and custom-metrics files. None of them may panic, and what comes out keeps its
//! invariants. Inputs that once mattered live in tests/fuzz-corpus/ and run every time.

use std::path::{Path, PathBuf};
use std::time::Duration;

use neo4j_migration_exporter::collectors::custom;
use neo4j_migration_exporter::collectors::migrations::files::{ChecksumAlgorithm, Checksums, Identity, Include};
use neo4j_migration_exporter::collectors::migrations::profile::Profile;
use neo4j_migration_exporter::collectors::migrations::record::{self, execution_seconds, timestamp_seconds, Status, StatusWords};
use neo4j_migration_exporter::collectors::migrations::{summarize, MigrationsConfig, Schema, Seen};
use neo4j_migration_exporter::config;
use neo4j_migration_exporter::neo4j::Value;
use proptest::prelude::*;

/// The exporter's clock in these tests.
const NOW: f64 = 1_800_000_000.0;

const WORDS: StatusWords = &[("SUCCESS", Status::Success), ("FAILED", Status::Failed), ("PENDING", Status::Pending)];

/// Any value Cypher could hand back, nested a little.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        ".{0,40}".prop_map(Value::Str),
        "(SUCCESS|FAILED|PENDING|success|2025-10-15T10:00:00Z|[0-9]{1,20}|-?[0-9]+\\.[0-9]*e?[0-9]{0,3})".prop_map(Value::Str),
        any::<f64>().prop_map(Value::Time),
        any::<f64>().prop_map(Value::Duration),
        Just(Value::Other("node")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::btree_map(".{0,8}", inner, 0..4).prop_map(Value::Map),
        ]
    })
}

fn config() -> MigrationsConfig {
    MigrationsConfig {
        profile: Profile::Runbook,
        schema: Schema::Runbook,
        label: "Migration".into(),
        recent: 5,
        window: Duration::from_secs(3600),
        max_series: 7,
        dir: None,
        checksums: Checksums::only(ChecksumAlgorithm::Sha256),
        identity: Identity::Tail,
        include: Include::parse("**").unwrap(),
        run_gap: Duration::from_secs(60),
        staging: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_record_decodes_without_panic_and_within_its_invariants(row in prop::collection::vec(any_value(), 0..10)) {
        let (m, problems) = record::decode(&row, WORDS, NOW);
        prop_assert!(m.execution_seconds.is_none_or(|s| s.is_finite() && s >= 0.0));
        // Whatever the record holds, a time read from it is a plausible one.
        prop_assert!(m.applied_at.is_none_or(|t| (946_684_800.0..=NOW + 86_400.0).contains(&t)), "{:?}", m.applied_at);
        prop_assert!(m.execution_seconds.is_none_or(|s| s <= 31.0 * 86_400.0));
        prop_assert!(problems.len() <= 8);
    }

    #[test]
    fn any_set_of_records_summarises_within_the_series_cap(rows in prop::collection::vec(prop::collection::vec(any_value(), 0..9), 0..40)) {
        let migrations: Vec<_> = rows.iter().map(|row| record::decode(row, WORDS, NOW).0).collect();
        let collection = summarize(&migrations, None, &Seen::default(), &config(), NOW);
        let per_file: usize = collection
            .families
            .iter()
            .filter(|f| ["neo4j_migration_failed", "neo4j_migration_in_progress_seconds", "neo4j_migration_recent_execution_seconds"].contains(&f.name.as_ref()))
            .map(|f| f.samples.len())
            .sum();
        prop_assert!(per_file <= 7, "{per_file} per-file series over a cap of 7");
        let counted: f64 = collection.families.iter().find(|f| f.name == "neo4j_migrations").unwrap().samples.iter()
            .map(|s| match s.value { neo4j_migration_exporter::snapshot::Value::Number(v) => v, _ => 0.0 }).sum();
        prop_assert_eq!(counted as usize, migrations.len(), "every record counts once");
        let mut text = Vec::new();
        neo4j_migration_exporter::snapshot::render(&collection.families, &mut text);
    }

    #[test]
    fn time_and_duration_text_never_panics(text in ".{0,60}") {
        let _ = timestamp_seconds(&Value::Str(text.clone()));
        let _ = execution_seconds(&Value::Str(text.clone()));
        let _ = record::classify_error(&text);
    }

    #[test]
    fn any_command_line_gives_a_config_or_one_sentence(args in prop::collection::vec(prop_oneof![
        "--(web\\.listen-address|web\\.telemetry-path|neo4j\\.uri|log\\.level|migrations\\.window|collector\\.migrations\\.interval|migrations\\.max-series|counts\\.max-labels|orphans\\.by-label)=.{0,20}",
        "--(no-)?collector\\.(migrations|counts|orphans|custom)",
        "(status|check|--output|--fail-on|json|table).{0,6}",
        ".{0,20}",
    ], 0..6)) {
        let argv = std::iter::once("neo4j-migration-exporter".to_string()).chain(args);
        if let Err(error) = config::parse(argv) {
            let text = error.to_string();
            prop_assert_eq!(text.lines().count(), 1, "{}", text);
        }
    }

    #[test]
    fn any_custom_metrics_text_parses_or_says_why(text in "(queries:\n  - \\{name: [a-z_0-9]{0,6}, help: .{0,5}, query: '.{0,30}', values: \\[[a-z]{0,3}\\]\\}\n){0,2}|.{0,80}") {
        if let Err(reason) = custom::parse(&text) {
            prop_assert!(!reason.is_empty());
        }
        let _ = custom::write_clause(&text);
    }
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Each corpus file goes through the parser its name says: record values, custom metrics
/// files, or config files. None may panic, and bad ones are refused with one sentence.
#[test]
fn the_corpus_of_interesting_inputs_still_passes() {
    let files = corpus();
    assert!(files.len() >= 10);
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).trim_end_matches('\n').to_string();
        if name.starts_with("custom-") {
            if let Err(reason) = custom::parse(&text) {
                assert_eq!(reason.lines().count(), 1, "{name}: {reason}");
            }
        } else if name.starts_with("config-") {
            let flag = format!("--config.file={}", path.display());
            if let Err(error) = config::parse(["neo4j-migration-exporter", flag.as_str()]) {
                assert_eq!(error.to_string().lines().count(), 1, "{name}: {error}");
            }
        } else {
            for value in [Value::Str(text.clone()), Value::Float(text.parse().unwrap_or(f64::NAN))] {
                let mut row = vec![Value::Str(name.clone()), Value::Null, Value::Str(text.clone()), value.clone(), value];
                row.resize(9, Value::Null);
                let (m, _) = record::decode(&row, WORDS, NOW);
                assert!(m.execution_seconds.is_none_or(|s| s.is_finite() && s >= 0.0), "{name}");
                assert!(m.applied_at.is_none_or(f64::is_finite), "{name}: {:?}", m.applied_at);
            }
        }
    }
}
