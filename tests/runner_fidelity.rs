//! "Modified" and "pending" as the runner itself sees them. Real runbook-schema runners on the
//! official drivers (testkit/recorders) apply real files; the exporter, with the runner's
//! profile, must call a file modified exactly when the runner refuses it as modified, and
//! pending exactly when the runner would apply it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{exporter_binary, recorders, unique, Exporter, Neo4jServer, Scrape};

const WAIT: Duration = Duration::from_secs(20);

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(name));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    path.to_path_buf()
}

/// `status --output json` once, for records labelled `label`.
fn status_json(server: &Neo4jServer, args: &[String]) -> serde_json::Value {
    let out = Command::new(exporter_binary())
        .arg("status")
        .arg("--output=json")
        .arg(format!("--neo4j.uri={}", server.uri()))
        .args(args)
        .env("NEO4J_PASSWORD", &server.password)
        .output()
        .unwrap();
    assert!(out.status.success(), "status failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn files_report(server: &Neo4jServer, args: &[String]) -> serde_json::Value {
    status_json(server, args)["migrations"]["files"].clone()
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

/// Files whose text each runtime reads in its own way: line endings, a BOM, bytes that are not
/// UTF-8 (a Latin-1 comment, an encoded surrogate, a truncated sequence).
fn awkward_files(dir: &Path) -> Vec<PathBuf> {
    vec![
        write(&dir.join("V1__plain.cypher"), b"// users\nRETURN 1;\n"),
        write(&dir.join("V2__windows.cypher"), b"// written on Windows\r\nRETURN 2;\r\n"),
        write(&dir.join("V3__bom.cypher"), b"\xef\xbb\xbf// saved with a BOM\r\nRETURN 3;\n"),
        write(&dir.join("V4__latin1.cypher"), b"// caf\xe9 cr\xe8me br\xfbl\xe9e\nRETURN 4;\n"),
        write(&dir.join("V5__odd_bytes.cypher"), b"// \xed\xa0\x80 \xf0\x9f\x98 \xc0\xaf \xe2\x82\rRETURN 5;\n"),
    ]
}

/// For each runner: every awkward file, once applied, matches under the runner's profile; then
/// three edits, each judged by the exporter and by the runner itself, which must agree.
#[test]
fn modified_means_what_each_runner_means() {
    let server = Neo4jServer::shared();
    for driver in recorders::DRIVERS {
        let dir = dir(&format!("checksums-{driver}"));
        let label = unique(&format!("Sums{driver}"));
        let files = awkward_files(&dir);
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let said = recorders::record(driver, server, &label, &["--keep-going"], &paths);
        // Neo4j refuses a statement that starts with U+FEFF. JavaScript's trim() drops it;
        // Python's strip(), Java's strip() and Go's TrimSpace keep it, so those runners fail.
        let bom_applies = driver == "js";
        for path in &paths {
            let applies = bom_applies || !path.ends_with("V3__bom.cypher");
            assert_eq!(recorders::outcome(&said, path), Some(if applies { "SUCCESS" } else { "FAILED" }), "{driver}:\n{said}");
        }
        let applied = if bom_applies { 5 } else { 4 };

        let args = vec![
            format!("--migrations.label={label}"),
            format!("--migrations.dir={}", dir.display()),
            format!("--migrations.profile={}", recorders::profile(driver)),
        ];
        let report = files_report(server, &args);
        assert_eq!(strings(&report["modified"]), Vec::<String>::new(), "{driver}: {report}");
        let pending: &[&str] = if bom_applies { &[] } else { &["V3__bom.cypher"] };
        assert_eq!(strings(&report["pending"]), pending, "{driver}: {report}");
        let matched: u64 = report["checksum_matches"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(matched, applied, "{driver}: {report}");
        if !bom_applies {
            let failed = &status_json(server, &args)["migrations"]["failed"][0];
            assert_eq!(failed["error_class"], "syntax", "{driver}: {failed}");
        }

        // 1: LF to CRLF. 2: one Latin-1 letter for another (both undecodable). 3: a new line.
        std::fs::write(&files[0], b"// users\r\nRETURN 1;\r\n").unwrap();
        std::fs::write(&files[3], b"// caf\xe8 cr\xe8me br\xfbl\xe9e\nRETURN 4;\n").unwrap();
        std::fs::write(&files[1], b"// written on Windows\r\nRETURN 2;\r\n// and edited\r\n").unwrap();
        // The records name files by their absolute paths, and so does the list.
        let exporter_says = strings(&files_report(server, &args)["modified"]);
        for file in [&files[0], &files[3], &files[1]] {
            let name = file.to_string_lossy().to_string();
            let runner_says = recorders::record(driver, server, &label, &[], &[file]);
            let runner_modified = recorders::outcome(&runner_says, file) == Some("FAILED");
            assert_eq!(
                exporter_says.contains(&name),
                runner_modified,
                "{driver}, {name}: the exporter says modified = {}, the runner said:\n{runner_says}",
                exporter_says.contains(&name)
            );
        }
        // Each runtime differs somewhere, so the test above compares real disagreements.
        let expected: &[&str] = match driver {
            "js" | "java" => &["V1__plain.cypher", "V2__windows.cypher"],
            "python" => &["V2__windows.cypher"],
            _ => &["V1__plain.cypher", "V2__windows.cypher", "V4__latin1.cypher"],
        };
        let mut sorted: Vec<String> =
            exporter_says.iter().map(|p| Path::new(p).file_name().unwrap().to_string_lossy().to_string()).collect();
        sorted.sort();
        assert_eq!(sorted, expected, "{driver}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The runbook profile accepts a file hashed as bytes or as decoded text, so the Latin-1 file a
/// Node runner applied is not "modified" (the first releases flagged it for good).
#[test]
fn the_default_profile_accepts_a_node_runners_checksum_of_a_latin1_file() {
    let server = Neo4jServer::shared();
    let dir = dir("latin1-default");
    let label = unique("Latin1");
    let file = write(&dir.join("V1__latin1.cypher"), b"// caf\xe9\nRETURN 1;\n");
    recorders::record("js", server, &label, &[], &[&file]);
    let exporter = Exporter::start(
        &server.uri(),
        &[&format!("--migrations.label={label}"), &format!("--migrations.dir={}", dir.display()), "--collector.migrations.interval=1s"],
    );
    let scrape = exporter.scrape_until(WAIT, "a migrations run with the directory", |s| s.has("neo4j_migration_checksum_matches"));
    assert_eq!(scrape.value("neo4j_migration_checksum_mismatches", &[]), Some(0.0), "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migration_checksum_matches", &[("algorithm", "sha256-text")]), Some(1.0));
    assert_eq!(scrape.value("neo4j_migration_checksum_matches", &[("algorithm", "sha256")]), Some(0.0));
    let report = files_report(server, &[format!("--migrations.label={label}"), format!("--migrations.dir={}", dir.display())]);
    assert_eq!(report["checksum_matches"]["sha256-text"], 1, "{report}");
}

/// A release layout: `releases/<n>/migrations/{common,production,dev}`. A Node runner applies
/// `common/` and the folder of its environment, and keys records by the absolute path.
struct Release {
    root: PathBuf,
}

impl Release {
    fn new() -> Self {
        Release { root: dir("releases") }
    }

    fn migrations(&self, release: &str) -> PathBuf {
        self.root.join(release).join("migrations")
    }

    /// Lays out a release and returns the files a production deployment applies, in order.
    fn lay_out(&self, release: &str) -> Vec<PathBuf> {
        let m = self.migrations(release);
        let applied = vec![
            write(&m.join("common/V1__users.cypher"), b"RETURN 1;\n"),
            write(&m.join("common/V2__orders.cypher"), b"RETURN 2;\n"),
            write(&m.join("common/V3__index.cypher"), b"RETURN 3;\n"),
            write(&m.join("production/V4__backfill.cypher"), b"RETURN 4;\n"),
            write(&m.join("production/V5__cleanup.cypher"), b"RETURN 5;\n"),
        ];
        write(&m.join("dev/V4__seed_test_users.cypher"), b"RETURN 'dev';\n");
        write(&m.join("dev/V5__fixtures.cypher"), b"RETURN 'dev';\n");
        applied
    }
}

fn pending_of(scrape: &Scrape) -> Option<f64> {
    scrape.value("neo4j_migration_files_pending", &[])
}

#[test]
fn pending_follows_the_runners_folders_and_its_paths() {
    let server = Neo4jServer::shared();
    let label = unique("Release");
    let releases = Release::new();
    let v1 = releases.lay_out("v1");
    let paths: Vec<&Path> = v1.iter().map(PathBuf::as_path).collect();
    recorders::record("js", server, &label, &[], &paths);

    let label_flag = format!("--migrations.label={label}");
    let dir_v1 = format!("--migrations.dir={}", releases.migrations("v1").display());
    let run = |extra: &[&str]| {
        let mut args = vec![label_flag.as_str(), "--collector.migrations.interval=1s", "--migrations.profile=node"];
        args.extend(extra);
        let exporter = Exporter::start(&server.uri(), &args);
        let scrape = exporter.scrape_until(WAIT, "a migrations run with the directory", |s| pending_of(s).is_some());
        (exporter, scrape)
    };

    // Every folder counted, as the first releases did: the dev files look pending in production.
    let (_e, scrape) = run(&[&dir_v1]);
    assert_eq!(pending_of(&scrape), Some(2.0), "{}", scrape.0);
    // The deployment's own folders: nothing is pending.
    let (_e, scrape) = run(&[&dir_v1, "--migrations.environment=production"]);
    assert_eq!(pending_of(&scrape), Some(0.0), "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migration_files", &[]), Some(5.0));
    let (_e, scrape) = run(&[&dir_v1, "--migrations.include=common/**,production/*.cypher"]);
    assert_eq!(pending_of(&scrape), Some(0.0), "{}", scrape.0);

    // A new release directory: the runner keys records by path, so for it all five are new.
    let v2 = releases.lay_out("v2");
    let dir_v2 = format!("--migrations.dir={}", releases.migrations("v2").display());
    let (exporter, scrape) = run(&[&dir_v2, "--migrations.environment=production"]);
    assert_eq!(pending_of(&scrape), Some(5.0), "{}", scrape.0);
    assert_eq!(scrape.value("neo4j_migration_records_with_file", &[]), Some(0.0));
    assert_eq!(scrape.value("neo4j_migration_records_without_file", &[]), Some(5.0));
    exporter.wait_until(WAIT, "a warning that the paths do not line up", |e| e.logs().contains("no migration record names a file"));
    let status_args =
        [label_flag.clone(), dir_v2.clone(), "--migrations.profile=node".into(), "--migrations.environment=production".into()];
    let out = Command::new(exporter_binary())
        .arg("status")
        .arg(format!("--neo4j.uri={}", server.uri()))
        .args(&status_args)
        .env("NEO4J_PASSWORD", &server.password)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("none of the 5 records names a file here"), "{text}");
    assert!(text.contains(&format!("records name files by path under {}", releases.migrations("v2").display())), "{text}");
    // The runner agrees: from the new directory it applies all five again.
    let paths: Vec<&Path> = v2.iter().map(PathBuf::as_path).collect();
    let said = recorders::record("js", server, &label, &[], &paths);
    assert!(paths.iter().all(|p| recorders::outcome(&said, p) == Some("SUCCESS")), "{said}");
    let scrape = exporter.scrape_until(WAIT, "nothing pending after the runner ran", |s| pending_of(s) == Some(0.0));
    assert_eq!(scrape.value("neo4j_migration_records_with_file", &[]), Some(5.0));

    // The sidecar mounts the runner's directory elsewhere: --migrations.runner-dir maps it.
    let mounted = releases.root.join("mnt");
    std::os::unix::fs::symlink(releases.migrations("v2"), &mounted).unwrap();
    let runner_dir = format!("--migrations.runner-dir={}", releases.migrations("v2").display());
    let (_e, scrape) = run(&[&format!("--migrations.dir={}", mounted.display()), &runner_dir, "--migrations.environment=production"]);
    assert_eq!(pending_of(&scrape), Some(0.0), "{}", scrape.0);
    let _ = std::fs::remove_dir_all(&releases.root);
}
