use std::process::ExitCode;

use neo4j_migration_exporter::{config, daemon, logging};

fn main() -> ExitCode {
    let config = match config::parse(std::env::args_os()) {
        Ok(config::Invocation::Run(config)) => config,
        Ok(config::Invocation::Print(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("neo4j-migration-exporter: {error}");
            return ExitCode::from(2);
        }
    };
    logging::init(&config.log);
    match daemon::run(*config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "exporter stopped");
            ExitCode::FAILURE
        }
    }
}
