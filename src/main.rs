use std::process::ExitCode;

use neo4j_migration_exporter::config::Invocation;
use neo4j_migration_exporter::{cli, config, daemon, logging};

fn main() -> ExitCode {
    let config = match config::parse(std::env::args_os()) {
        Ok(Invocation::Run(config)) => config,
        Ok(Invocation::Status(config, format)) => {
            logging::init(&config.log);
            return cli::status(&config, format);
        }
        Ok(Invocation::Check(config, options)) => {
            logging::init(&config.log);
            return cli::check(&config, &options);
        }
        Ok(Invocation::Timeline(config, options)) => {
            logging::init(&config.log);
            return cli::timeline(&options);
        }
        Ok(Invocation::Healthcheck(config, of)) => return cli::healthcheck(&config, of),
        Ok(Invocation::Print(text)) => {
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
        Err(error @ daemon::DaemonError::WebConfig(_)) => {
            eprintln!("neo4j-migration-exporter: {error}");
            ExitCode::from(2)
        }
        Err(error) => {
            tracing::error!(error = %error, "exporter stopped");
            ExitCode::FAILURE
        }
    }
}
