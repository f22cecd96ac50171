//! The runbook-schema runners of testkit/recorders, one per official driver.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::{repo_root, Neo4jServer};

/// The drivers testkit/recorders has a runner for.
pub const DRIVERS: [&str; 4] = ["js", "python", "java", "go"];

/// The runner profile that matches each driver's runner.
pub fn profile(driver: &str) -> &'static str {
    match driver {
        "js" => "node",
        "python" => "python",
        "java" => "java",
        "go" => "go",
        other => panic!("no recorder for {other}"),
    }
}

/// Starts a runner on `files` (absolute paths, applied in this order) with records labelled `label`.
pub fn spawn(driver: &str, server: &Neo4jServer, label: &str, extra: &[&str], files: &[&Path]) -> Child {
    Command::new(repo_root().join("testkit/recorders/record"))
        .arg(driver)
        .args(["--uri", &server.uri(), "--label", label])
        .args(extra)
        .args(files)
        .env("NEO4J_PASSWORD", &server.password)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run testkit/recorders/record")
}

/// Waits for a runner and returns what it printed. A runner prints one line per file it was
/// given (`SUCCESS`, `FAILED` or `UNCHANGED`, then the path); a run that did not get through
/// every file broke, and fails the test.
pub fn finish(driver: &str, child: Child, files: &[&Path]) -> String {
    let out = child.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    for file in files {
        assert!(outcome(&said, file).is_some(), "the {driver} recorder did not get to {}: ({:?}):\n{said}", file.display(), out.status);
    }
    said
}

/// Runs a runner to its end; see [`finish`].
pub fn record(driver: &str, server: &Neo4jServer, label: &str, extra: &[&str], files: &[&Path]) -> String {
    finish(driver, spawn(driver, server, label, extra, files), files)
}

/// What a runner said it did with `file`: `SUCCESS`, `FAILED` or `UNCHANGED`.
pub fn outcome<'s>(said: &'s str, file: &Path) -> Option<&'s str> {
    let file = file.to_string_lossy();
    said.lines().find_map(|line| {
        let (word, rest) = line.split_once(' ')?;
        let named = rest == file || rest.strip_prefix(&*file).is_some_and(|tail| tail.starts_with(' '));
        (named && ["SUCCESS", "FAILED", "UNCHANGED"].contains(&word)).then_some(word)
    })
}
