//! The README's "Adding a collector", kept true: its code block is `procedures.rs` word for
//! word, and registering that one file gives the flags, the config-file key and the schedule
//! the README promises.

mod procedures;

use std::time::Duration;

use crate::collectors::{backup, counts, custom, jvm, migrations, monitoring, orphans, schema, transactions, Spec, REGISTRY};
use crate::config::{parse_for, Config, ConfigError, Invocation};

/// The shipped registry with the walkthrough's line added.
const WITH_PROCEDURES: &[Spec] = &[
    migrations::SPEC,
    transactions::SPEC,
    jvm::SPEC,
    counts::SPEC,
    orphans::SPEC,
    schema::SPEC,
    backup::SPEC,
    monitoring::SPEC,
    custom::SPEC,
    procedures::SPEC,
];

fn parse(args: &[&str]) -> Result<Invocation, ConfigError> {
    parse_for(WITH_PROCEDURES, std::iter::once("neo4j-migration-exporter").chain(args.iter().copied()))
}

fn config(args: &[&str]) -> Config {
    match parse(args).unwrap() {
        Invocation::Run(config) => *config,
        other => panic!("unexpected invocation: {other:?}"),
    }
}

#[test]
fn the_readme_shows_this_file() {
    let readme = include_str!("../../../README.md");
    let start = readme.find("```rust\n// src/collectors/procedures.rs\n").expect("the walkthrough's code block") + "```rust\n".len();
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    assert_eq!(block, include_str!("procedures.rs"));
}

#[test]
fn the_test_registry_is_the_shipped_one_plus_the_walkthrough() {
    let names = |registry: &[Spec]| registry.iter().map(|spec| spec.name).collect::<Vec<_>>();
    assert_eq!(names(&WITH_PROCEDURES[..REGISTRY.len()]), names(REGISTRY));
}

#[test]
fn its_flags_come_from_the_spec() {
    let off = config(&[]);
    let schedule = off.schedule("procedures").unwrap();
    assert!(!schedule.enabled);
    assert_eq!(schedule.interval, Duration::from_secs(300));
    assert_eq!(off.settings_of::<String>("procedures").unwrap(), "apoc.");

    let on = config(&["--collector.procedures", "--procedures.namespace", "gds.", "--collector.procedures.interval", "1m"]);
    let schedule = on.schedule("procedures").unwrap();
    assert!(schedule.enabled);
    assert_eq!(schedule.interval, Duration::from_secs(60));
    assert_eq!(on.settings_of::<String>("procedures").unwrap(), "gds.");
    let setup = on.collectors.iter().find(|setup| setup.spec.name == "procedures").unwrap();
    let _built = (setup.spec.build)(&setup.settings);
    assert!(on.enabled().any(|schedule| schedule.name == "procedures"));
}

#[test]
fn its_mistakes_name_its_flag() {
    let err = parse(&["--procedures.namespace", " "]).unwrap_err().to_string();
    assert!(err.starts_with("invalid value ' ' for --procedures.namespace"), "{err}");
    let err = parse(&["--collector.procedures.timeout", "0s"]).unwrap_err().to_string();
    assert!(err.contains("--collector.procedures.timeout"), "{err}");
}

#[test]
fn its_setting_is_a_config_file_key_and_in_the_help() {
    let path = std::env::temp_dir().join(format!("walkthrough-{}.yml", std::process::id()));
    std::fs::write(&path, "collector.procedures: true\nprocedures.namespace: db.\n").unwrap();
    let from_file = config(&["--config.file", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert!(from_file.schedule("procedures").unwrap().enabled);
    assert_eq!(from_file.settings_of::<String>("procedures").unwrap(), "db.");

    let Invocation::Print(help) = parse(&["--help"]).unwrap() else { panic!("--help prints") };
    for flag in ["--collector.procedures\n", "--no-collector.procedures", "--collector.procedures.interval", "--procedures.namespace"] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}
