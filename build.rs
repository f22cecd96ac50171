//! Records the git revision and the compiler version for neo4j_exporter_build_info.

use std::process::Command;

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    // A build without the repository (an image build) is told its revision instead.
    let given = std::env::var("EXPORTER_REVISION").ok().filter(|r| !r.trim().is_empty() && r != "unknown");
    let revision = given.or_else(|| output_of("git", &["rev-parse", "--short=12", "HEAD"])).unwrap_or_else(|| "unknown".into());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rust_version =
        output_of(&rustc, &["--version"]).and_then(|v| v.split_whitespace().nth(1).map(str::to_string)).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=EXPORTER_REVISION={revision}");
    println!("cargo:rustc-env=EXPORTER_RUSTC_VERSION={rust_version}");
    println!("cargo:rerun-if-env-changed=EXPORTER_REVISION");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
