//! What can be checked of the packaging without a container engine or a cluster: the
//! Dockerfile's shape, the Kubernetes manifests' wiring, and the scrape config (with promtool).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_dockerfile_is_multi_stage_and_runs_small_and_unprivileged() {
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let stages = dockerfile.lines().filter(|l| l.starts_with("FROM ")).count();
    assert!(stages >= 2, "multi-stage: {stages} stage(s)");
    assert!(dockerfile.contains("cargo build --release --locked"));
    let runtime = &dockerfile[dockerfile.rfind("\nFROM ").unwrap()..];
    assert!(runtime.contains("-slim") || runtime.contains("distroless"), "a small runtime image");
    let user = runtime.lines().find_map(|l| l.strip_prefix("USER ")).expect("a USER in the runtime stage");
    assert!(user.trim() != "root" && user.trim() != "0", "runs as {user}");
    assert!(runtime.contains("HEALTHCHECK") && runtime.contains("/healthz"));
    assert!(runtime.contains("EXPOSE 10687"));
    for line in dockerfile.lines().filter(|l| l.starts_with("ENV") || l.starts_with("ARG")) {
        assert!(!line.to_uppercase().contains("PASSWORD"), "a secret baked in: {line}");
    }
    // bolt+s:// to a public certificate needs the system roots in the image.
    assert!(runtime.contains("ca-certificates"), "no CA certificates in the runtime image");
    // The revision reaches the build (build.rs reads EXPORTER_REVISION), since .git does not.
    assert!(dockerfile.contains("ARG REVISION") && dockerfile.contains("EXPORTER_REVISION=\"$REVISION\" cargo build"));
    assert!(std::fs::read_to_string(root().join("build.rs")).unwrap().contains("std::env::var(\"EXPORTER_REVISION\")"));
    // The health check is the exporter's own, so it follows the address and TLS it was given.
    let check = runtime.lines().find(|l| l.starts_with("HEALTHCHECK")).unwrap();
    assert!(check.contains(r#"CMD ["/usr/local/bin/neo4j-migration-exporter", "healthcheck"]"#), "{check}");
}

fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_norway::Deserializer::from_str(&text).map(|doc| serde::Deserialize::deserialize(doc).unwrap()).collect()
}

fn kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter().find(|d| d["kind"] == kind).unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn the_sidecar_manifest_wires_secret_migrations_and_probes() {
    let docs = documents(&root().join("deploy/kubernetes/neo4j-with-exporter.yaml"));
    let pod = &kind(&docs, "StatefulSet")["spec"]["template"]["spec"];
    let exporter = pod["containers"].as_sequence().unwrap().iter().find(|c| c["name"] == "migration-exporter").expect("the sidecar");
    let env = exporter["env"].as_sequence().unwrap();
    let password = env.iter().find(|e| e["name"] == "NEO4J_PASSWORD").expect("NEO4J_PASSWORD");
    assert_eq!(password["valueFrom"]["secretKeyRef"]["name"], "neo4j-auth", "the password comes from the Secret");
    let args: Vec<&str> = exporter["args"].as_sequence().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(args.contains(&"--migrations.dir=/migrations"));
    assert!(!args.iter().any(|a| a.contains("password")), "no password in the arguments");
    assert_eq!(exporter["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(exporter["readinessProbe"]["httpGet"]["path"], "/ready");
    assert_eq!(exporter["securityContext"]["runAsNonRoot"], true);

    // The exporter reads the same migrations the Job applies.
    let volume_of = |spec: &Value, mount_path: &str, container: &Value| {
        let mount = container["volumeMounts"].as_sequence().unwrap().iter().find(|m| m["mountPath"] == mount_path).unwrap();
        let volume = spec["volumes"].as_sequence().unwrap().iter().find(|v| v["name"] == mount["name"]).unwrap().clone();
        volume["configMap"]["name"].as_str().unwrap().to_string()
    };
    let job = &kind(&docs, "Job")["spec"]["template"]["spec"];
    let runner = &job["containers"][0];
    assert_eq!(volume_of(pod, "/migrations", exporter), volume_of(job, "/migrations", runner));
    let service = kind(&docs, "Service");
    assert!(service["spec"]["ports"].as_sequence().unwrap().iter().any(|p| p["port"] == 10687));
}

#[test]
fn the_scrape_configs_name_the_job_the_alerts_expect() {
    let monitor = documents(&root().join("deploy/kubernetes/servicemonitor.yaml"));
    let endpoint = &monitor[0]["spec"]["endpoints"][0];
    assert_eq!(endpoint["port"], "metrics");
    assert_eq!(endpoint["relabelings"][0]["replacement"], "neo4j");

    // promtool wants the rule file to exist: point it at the shipped one.
    let dir = std::env::temp_dir().join(format!("scrape-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = std::fs::read_to_string(root().join("deploy/prometheus-scrape.yml"))
        .unwrap()
        .replace("/etc/prometheus/rules/neo4j.rules.yml", &root().join("alerts/neo4j.rules.yml").to_string_lossy());
    let file = dir.join("prometheus.yml");
    std::fs::write(&file, config).unwrap();
    let out = Command::new("promtool").args(["check", "config"]).arg(&file).output().expect("promtool");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&file).unwrap().contains("job_name: neo4j"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Without a container engine, the build stage is checked by doing what it does: only the
/// files it copies, and `cargo` with the lock file.
#[test]
fn the_files_the_dockerfile_copies_are_enough_to_build() {
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let context = std::env::temp_dir().join(format!("docker-context-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&context);
    std::fs::create_dir_all(&context).unwrap();
    for line in dockerfile.lines().filter(|l| l.starts_with("COPY ") && !l.contains("--from=")) {
        let parts: Vec<&str> = line.split_whitespace().skip(1).collect();
        let (sources, _) = parts.split_at(parts.len() - 1);
        for source in sources {
            let status = Command::new("cp").arg("-r").arg(root().join(source)).arg(&context).status().unwrap();
            assert!(status.success(), "COPY {source}");
        }
    }
    let out = Command::new("cargo")
        .args(["check", "--locked", "--offline", "--quiet"])
        .current_dir(&context)
        .env("CARGO_TARGET_DIR", root().join("target/docker-context"))
        .output()
        .unwrap();
    assert!(out.status.success(), "the build stage would fail:\n{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(context);
}
