//! The Helm chart (charts/neo4j-migration-exporter), checked with the real tools that
//! scripts/install-deps builds from their Go modules: `helm lint` and `helm template` render it
//! in each mode, the tests read the rendered objects, and `kubeconform -strict` validates every
//! one of them (and deploy/kubernetes/*.yaml) against the Kubernetes 1.36 OpenAPI and the
//! Prometheus Operator's CRDs, turned into schemas offline by scripts/kube-schemas.
//! No cluster is needed, nor is one used: what the API server would do on apply is not tested.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value;

use common::{go_tool, repo_root, unique, PASSWORD};

const KUBERNETES_VERSION: &str = "1.36.3";

fn chart() -> PathBuf {
    repo_root().join("charts/neo4j-migration-exporter")
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(unique("helm"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn output_text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Runs helm with `values` (YAML) as the values file; Ok(stdout) or Err(all it printed).
fn helm(args: &[&str], values: &str) -> Result<String, String> {
    let dir = scratch();
    let file = dir.join("values.yaml");
    std::fs::write(&file, values).unwrap();
    let out = Command::new(go_tool("helm")).args(args).arg("--values").arg(&file).arg(chart()).output().expect("helm");
    let _ = std::fs::remove_dir_all(dir);
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(output_text(&out))
    }
}

/// `helm template` of the chart as release "rel" in namespace "db".
fn template(values: &str) -> String {
    helm(&["template", "rel", "--namespace", "db"], values).unwrap_or_else(|e| panic!("helm template failed:\n{e}"))
}

fn documents(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .map(|doc| serde::Deserialize::deserialize(doc).unwrap())
        .filter(|doc: &Value| !doc.is_null())
        .collect()
}

fn render(values: &str) -> Vec<Value> {
    documents(&template(values))
}

fn kinds(docs: &[Value]) -> Vec<String> {
    let mut kinds: Vec<String> = docs.iter().map(|d| d["kind"].as_str().unwrap().to_string()).collect();
    kinds.sort();
    kinds
}

fn object<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {:?}", kinds(docs)))
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_sequence().map(|s| s.iter().map(|v| v.as_str().unwrap()).collect()).unwrap_or_default()
}

/// The value of `--flag=value` among a container's arguments.
fn flag<'a>(container: &'a Value, name: &str) -> Option<&'a str> {
    strings(&container["args"]).into_iter().find_map(|a| a.strip_prefix(&format!("--{name}=")))
}

fn the_exporter(pod: &Value) -> &Value {
    pod["containers"].as_sequence().unwrap().iter().find(|c| c["name"] == "migration-exporter").expect("the exporter's container")
}

fn deployment_pod(docs: &[Value]) -> &Value {
    deployment_pod_named(docs, "rel-neo4j-migration-exporter")
}

fn deployment_pod_named<'a>(docs: &'a [Value], name: &str) -> &'a Value {
    &object(docs, "Deployment", name)["spec"]["template"]["spec"]
}

/// The volume a container mounts at `path`, from the pod's volumes.
fn volume_at<'a>(pod: &'a Value, container: &Value, path: &str) -> &'a Value {
    let mount = container["volumeMounts"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == path)
        .unwrap_or_else(|| panic!("nothing mounted at {path}"));
    assert_eq!(mount["readOnly"], true, "{path} is mounted read-only");
    pod["volumes"].as_sequence().unwrap().iter().find(|v| v["name"] == mount["name"]).expect("the mounted volume")
}

/// The hardening the issue asks for, on a container and (standalone) its pod.
fn assert_hardened(container: &Value) {
    let security = &container["securityContext"];
    assert_eq!(security["runAsNonRoot"], true);
    assert_eq!(security["runAsUser"], 10001, "the image's user");
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["privileged"], false);
    assert_eq!(strings(&security["capabilities"]["drop"]), ["ALL"]);
    assert!(security["capabilities"]["add"].is_null(), "no capability added");
    assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["livenessProbe"]["httpGet"]["port"], "metrics");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/ready");
    assert_eq!(container["readinessProbe"]["httpGet"]["port"], "metrics");
    assert_eq!(container["ports"][0]["name"], "metrics");
    assert_eq!(container["ports"][0]["containerPort"], 10687);
    assert_eq!(flag(container, "web.listen-address"), Some(":10687"));
    assert!(container["resources"]["requests"]["memory"].is_string() && container["resources"]["limits"]["memory"].is_string());
}

/// No argument or literal environment value holds the password, and the password file comes
/// from `secret` (with its password under `key`).
fn assert_password_is_a_file(pod: &Value, secret: &str, key: &str) {
    let exporter = the_exporter(pod);
    for arg in strings(&exporter["args"]) {
        assert!(!arg.contains(PASSWORD), "the password in an argument: {arg}");
    }
    for env in exporter["env"].as_sequence().into_iter().flatten() {
        assert!(env["name"] != "NEO4J_PASSWORD" && !env["value"].as_str().unwrap_or("").contains(PASSWORD), "{env:?}");
    }
    let file = flag(exporter, "neo4j.password-file").expect("--neo4j.password-file");
    let (dir, name) = file.rsplit_once('/').unwrap();
    let volume = volume_at(pod, exporter, dir);
    assert_eq!(volume["secret"]["secretName"], secret);
    assert_eq!(volume["secret"]["items"][0]["key"], key);
    assert_eq!(volume["secret"]["items"][0]["path"], name);
}

#[test]
fn helm_lint_passes_in_every_mode() {
    for (mode, values) in scenarios() {
        if let Err(e) = helm(&["lint", "--strict"], values) {
            panic!("helm lint ({mode}):\n{e}");
        }
    }
}

#[test]
fn the_chart_is_released_with_the_exporter() {
    let chart: Value = serde_norway::from_str(&std::fs::read_to_string(chart().join("Chart.yaml")).unwrap()).unwrap();
    let cargo = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let version = cargo.lines().find_map(|l| l.strip_prefix("version = ")).unwrap().trim_matches('"');
    assert_eq!(chart["version"], version);
    assert_eq!(chart["appVersion"], version);
    let docs = render("");
    assert_eq!(the_exporter(deployment_pod(&docs))["image"], format!("neo4j-migration-exporter:{version}"));
}

#[test]
fn default_values_render_a_hardened_standalone_deployment() {
    let docs = render("");
    assert_eq!(kinds(&docs), ["Deployment", "Service"], "nothing else without being asked for");
    let deployment = object(&docs, "Deployment", "rel-neo4j-migration-exporter");
    assert_eq!(deployment["spec"]["replicas"], 1, "one exporter per database");
    assert_eq!(deployment["spec"]["strategy"]["type"], "Recreate", "and never two during a rollout");
    let pod = deployment_pod(&docs);
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
    assert_eq!(pod["automountServiceAccountToken"], false, "the exporter never talks to the API server");
    let exporter = the_exporter(pod);
    assert_hardened(exporter);
    assert_eq!(flag(exporter, "neo4j.uri"), Some("bolt://neo4j:7687"));
    assert_eq!(flag(exporter, "neo4j.password-file"), None, "no password given, none read");
    assert_eq!(flag(exporter, "migrations.dir"), None);

    // The Service reaches this pod's metrics port.
    let service = object(&docs, "Service", "rel-neo4j-migration-exporter");
    let pod_labels = &deployment["spec"]["template"]["metadata"]["labels"];
    for (key, value) in service["spec"]["selector"].as_mapping().unwrap() {
        assert_eq!(&pod_labels[key.as_str().unwrap()], value, "the Service selects the Deployment's pods");
    }
    assert_eq!(service["spec"]["ports"][0]["port"], 10687);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], exporter["ports"][0]["containerPort"]);
}

#[test]
fn the_password_is_a_file_from_the_charts_secret_and_never_an_argument() {
    let text = template(&format!("auth:\n  password: {PASSWORD}\n"));
    let docs = documents(&text);
    let secret = object(&docs, "Secret", "rel-neo4j-migration-exporter");
    use base64::Engine as _;
    let stored = base64::engine::general_purpose::STANDARD.decode(secret["data"]["password"].as_str().unwrap()).unwrap();
    assert_eq!(stored, PASSWORD.as_bytes());
    assert!(!text.contains(PASSWORD), "the password in plain text in the rendered objects");
    let pod = deployment_pod(&docs);
    assert_password_is_a_file(pod, "rel-neo4j-migration-exporter", "password");
    let exporter = the_exporter(pod);
    let volume = volume_at(pod, exporter, "/etc/neo4j-migration-exporter/auth");
    assert_eq!(volume["secret"]["defaultMode"], 0o440, "readable by the exporter's group only");
    // A new password restarts the exporter, which reads the file once.
    let other = render("auth:\n  password: another-one\n");
    let checksum = |docs: &[Value]| {
        object(docs, "Deployment", "rel-neo4j-migration-exporter")["spec"]["template"]["metadata"]["annotations"]["checksum/config"].clone()
    };
    assert_ne!(checksum(&docs), checksum(&other));
}

#[test]
fn an_existing_secret_is_mounted_and_no_secret_is_made() {
    let docs = render("auth:\n  existingSecret: neo4j-auth\n  existingSecretKey: exporter-password\n  password: ignored\n");
    assert!(!kinds(&docs).contains(&"Secret".to_string()), "the chart makes no Secret of its own");
    assert_password_is_a_file(deployment_pod(&docs), "neo4j-auth", "exporter-password");
}

#[test]
fn migrations_and_custom_metrics_come_from_configmaps() {
    let docs = render(
        "migrations:\n  files:\n    V001__user_id.cypher: |\n      CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE;\n\
         customMetrics:\n  queries:\n    - name: users_by_segment\n      help: Users per segment.\n      type: gauge\n      \
         query: MATCH (u:User) RETURN u.segment AS segment, count(*) AS users\n      labels: [segment]\n      values: [users]\n",
    );
    let pod = deployment_pod(&docs);
    let exporter = the_exporter(pod);
    assert_eq!(flag(exporter, "migrations.dir"), Some("/migrations"));
    let migrations = volume_at(pod, exporter, "/migrations");
    let files = object(&docs, "ConfigMap", migrations["configMap"]["name"].as_str().unwrap());
    assert!(files["data"]["V001__user_id.cypher"].as_str().unwrap().starts_with("CREATE CONSTRAINT user_id"));

    let custom = flag(exporter, "collector.custom.file").expect("--collector.custom.file");
    let (dir, file) = custom.rsplit_once('/').unwrap();
    let volume = volume_at(pod, exporter, dir);
    let config = object(&docs, "ConfigMap", volume["configMap"]["name"].as_str().unwrap());
    let queries: Value = serde_norway::from_str(config["data"][file].as_str().expect("the file the flag names")).unwrap();
    assert_eq!(queries["queries"][0]["name"], "users_by_segment");
    assert_eq!(strings(&queries["queries"][0]["labels"]), ["segment"]);

    // The migration Job's own ConfigMap instead: mounted, and no copy made.
    let docs = render("migrations:\n  existingConfigMap: neo4j-migrations\n");
    assert!(!kinds(&docs).contains(&"ConfigMap".to_string()));
    let pod = deployment_pod(&docs);
    assert_eq!(volume_at(pod, the_exporter(pod), "/migrations")["configMap"]["name"], "neo4j-migrations");
}

/// The sidecar's pod-spec snippet from its ConfigMap, merged into a Neo4j pod as the notes say.
fn sidecar_pod(docs: &[Value]) -> Value {
    let config = object(docs, "ConfigMap", "rel-neo4j-migration-exporter-sidecar");
    let snippet: Value = serde_norway::from_str(config["data"]["pod-spec.yaml"].as_str().unwrap()).unwrap();
    let mut containers = vec![serde_norway::from_str::<Value>("{name: neo4j, image: 'neo4j:5.26-community'}").unwrap()];
    containers.extend(snippet["containers"].as_sequence().unwrap().iter().cloned());
    let pod = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "neo4j-0", "labels": {"app": "neo4j"}},
        "spec": {"containers": containers, "volumes": snippet["volumes"]},
    });
    serde_json::from_value(pod).unwrap()
}

#[test]
fn sidecar_mode_renders_the_container_for_the_neo4j_pod_and_a_service_that_finds_it() {
    let docs = render(&format!("mode: sidecar\nauth:\n  password: {PASSWORD}\nmigrations:\n  existingConfigMap: neo4j-migrations\n"));
    assert!(!kinds(&docs).contains(&"Deployment".to_string()), "the exporter runs in Neo4j's pod, not its own");
    let pod = sidecar_pod(&docs);
    let exporter = the_exporter(&pod["spec"]);
    assert_hardened(exporter);
    assert_eq!(flag(exporter, "neo4j.uri"), Some("bolt://127.0.0.1:7687"), "Neo4j in the same pod");
    assert_password_is_a_file(&pod["spec"], "rel-neo4j-migration-exporter", "password");
    let volume = volume_at(&pod["spec"], exporter, "/etc/neo4j-migration-exporter/auth");
    assert_eq!(volume["secret"]["defaultMode"], 0o444, "Neo4j's pod has Neo4j's fsGroup, not the exporter's");
    assert_eq!(volume_at(&pod["spec"], exporter, "/migrations")["configMap"]["name"], "neo4j-migrations");
    object(&docs, "Secret", "rel-neo4j-migration-exporter");

    let service = object(&docs, "Service", "rel-neo4j-migration-exporter");
    for (key, value) in service["spec"]["selector"].as_mapping().unwrap() {
        assert_eq!(&pod["metadata"]["labels"][key.as_str().unwrap()], value, "the Service selects the Neo4j pods");
    }
    // The merged pod is a valid Pod for the API, down to the last field.
    let dir = scratch();
    let file = dir.join("pod.yaml");
    std::fs::write(&file, serde_norway::to_string(&pod).unwrap()).unwrap();
    assert_eq!(kubeconform(&[&file]), Ok(1));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_operator_objects_are_rendered_on_request_and_match_the_service_and_the_alerts() {
    let docs = render("serviceMonitor:\n  enabled: true\n  labels: {release: prometheus}\nprometheusRule:\n  enabled: true\n");
    let monitor = object(&docs, "ServiceMonitor", "rel-neo4j-migration-exporter");
    assert_eq!(monitor["metadata"]["labels"]["release"], "prometheus", "labels a Prometheus selects monitors by");
    let service = object(&docs, "Service", "rel-neo4j-migration-exporter");
    for (key, value) in monitor["spec"]["selector"]["matchLabels"].as_mapping().unwrap() {
        assert_eq!(&service["metadata"]["labels"][key.as_str().unwrap()], value, "the ServiceMonitor selects the Service");
    }
    assert_eq!(strings(&monitor["spec"]["namespaceSelector"]["matchNames"]), ["db"]);
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert_eq!(endpoint["port"], service["spec"]["ports"][0]["name"]);
    assert_eq!(endpoint["path"], "/metrics");
    assert_eq!(endpoint["relabelings"][0]["targetLabel"], "job");
    assert_eq!(endpoint["relabelings"][0]["replacement"], "neo4j", "the job the alerts select on");

    let rule = object(&docs, "PrometheusRule", "rel-neo4j-migration-exporter");
    let groups = |file: &str| -> Vec<Value> {
        let shipped: Value = serde_norway::from_str(&std::fs::read_to_string(repo_root().join("alerts").join(file)).unwrap()).unwrap();
        shipped["groups"].as_sequence().unwrap().clone()
    };
    let shipped = [groups(RULE_FILES[0]), groups(RULE_FILES[1])].concat();
    assert_eq!(rule["spec"]["groups"].as_sequence().unwrap(), &shipped, "the PrometheusRule holds the shipped rules, templates untouched");
}

/// The shipped rule files the chart's PrometheusRule carries: alerts, then recording rules.
const RULE_FILES: [&str; 2] = ["neo4j.rules.yml", "neo4j.recording.rules.yml"];

#[test]
fn the_charts_rules_are_a_copy_of_the_shipped_rules() {
    for file in RULE_FILES {
        let shipped = std::fs::read_to_string(repo_root().join("alerts").join(file)).unwrap();
        let copy = std::fs::read_to_string(chart().join("files").join(file)).unwrap();
        assert!(copy == shipped, "charts/neo4j-migration-exporter/files/{file} differs from alerts/{file}: run mixin/generate");
    }
}

#[test]
fn the_values_schema_refuses_what_the_chart_cannot_render() {
    for (values, expected) in [
        ("mode: daemonset\n", "mode"),
        ("serviceMonitr:\n  enabled: true\n", "serviceMonitr"),
        ("neo4j:\n  uri: bolt://neo4j:secret@db:7687\n", "uri"),
        ("port: \"10687\"\n", "port"),
        ("extraArgs: [\"log.level=debug\"]\n", "extraArgs"),
    ] {
        let error = helm(&["template", "rel"], values).expect_err(values);
        assert!(error.contains("values don't meet the specifications") && error.contains(expected), "{values}: {error}");
    }
}

/// What the kubelet would give the container: each mounted Secret or ConfigMap as files, below
/// `root` instead of `/`. Returns the container's arguments with those paths moved under `root`.
fn materialise(docs: &[Value], pod: &Value, root: &Path) -> Vec<String> {
    use base64::Engine as _;
    let exporter = the_exporter(pod);
    let mut moved = Vec::new();
    for mount in exporter["volumeMounts"].as_sequence().into_iter().flatten() {
        let path = mount["mountPath"].as_str().unwrap();
        let dir = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(&dir).unwrap();
        let volume = volume_at(pod, exporter, path);
        let (kind, name, decode) = if volume["secret"].is_mapping() {
            ("Secret", volume["secret"]["secretName"].as_str().unwrap(), true)
        } else {
            ("ConfigMap", volume["configMap"]["name"].as_str().unwrap(), false)
        };
        let source = &volume[if decode { "secret" } else { "configMap" }];
        let data = &object(docs, kind, name)["data"];
        let files: Vec<(String, String)> = match source["items"].as_sequence() {
            Some(items) => items.iter().map(|i| (i["key"].as_str().unwrap().into(), i["path"].as_str().unwrap().into())).collect(),
            None => data.as_mapping().unwrap().keys().map(|k| (k.as_str().unwrap().into(), k.as_str().unwrap().into())).collect(),
        };
        for (key, file) in files {
            let text = data[key.as_str()].as_str().unwrap();
            let bytes = if decode { base64::engine::general_purpose::STANDARD.decode(text).unwrap() } else { text.as_bytes().to_vec() };
            std::fs::write(dir.join(file), bytes).unwrap();
        }
        moved.push((path.to_string(), dir));
    }
    strings(&exporter["args"])
        .into_iter()
        .map(|arg| match moved.iter().find(|(path, _)| arg.contains(&format!("={path}"))) {
            Some((path, dir)) => arg.replace(&format!("={path}"), &format!("={}", dir.display())),
            None => arg.to_string(),
        })
        .collect()
}

/// The chart's container, as rendered, configures the real exporter: it logs in to a real Neo4j
/// with the password file from the Secret, reads the migrations from the ConfigMap and runs
/// the custom query from the other one.
#[test]
fn the_rendered_container_runs_the_real_exporter_against_real_neo4j() {
    let server = common::Neo4jServer::shared();
    let values = format!(
        "auth:\n  password: {}\nmigrations:\n  files:\n    V001__a.cypher: RETURN 1;\n    V002__b.cypher: RETURN 2;\n\
         customMetrics:\n  queries:\n    - {{name: helm_nodes, help: Nodes., query: 'MATCH (n) RETURN count(n) AS nodes', values: [nodes]}}\n",
        server.password
    );
    let docs = render(&values);
    let root = scratch();
    let args: Vec<String> = materialise(&docs, deployment_pod(&docs), &root)
        .into_iter()
        .filter(|a| !a.starts_with("--neo4j.uri=") && !a.starts_with("--web.listen-address="))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // No NEO4J_PASSWORD: the file is the only way in.
    let exporter = common::Exporter::start_with_env(&server.uri(), &args, &[]);
    exporter.scrape_until(std::time::Duration::from_secs(60), "logged in, migrations read, custom query run", |s| {
        s.value("neo4j_up", &[]) == Some(1.0) && s.value("neo4j_migration_files", &[]) == Some(2.0) && s.has("neo4j_custom_helm_nodes")
    });
    drop(exporter);
    let _ = std::fs::remove_dir_all(root);
}

/// The README's `helm install` line, as `helm template`: the values it sets exist and render.
#[test]
fn the_readmes_install_command_renders_what_it_says() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = &readme[readme.find("### Install with Helm").expect("an Install with Helm section")..];
    let command: String = section
        .lines()
        .skip_while(|l| !l.starts_with("helm install "))
        .scan(true, |more, line| {
            let this = more.then(|| line.trim_end_matches('\\').to_string());
            *more = line.ends_with('\\');
            this
        })
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words[..4], ["helm", "install", "migrations", "charts/neo4j-migration-exporter"], "{command}");
    let mut args = vec!["template", "migrations"];
    args.extend(&words[4..]);
    let out = Command::new(go_tool("helm")).args(&args).arg(chart()).output().unwrap();
    assert!(out.status.success(), "{command}:\n{}", output_text(&out));
    let docs = documents(&String::from_utf8_lossy(&out.stdout));
    let pod = deployment_pod_named(&docs, "migrations-neo4j-migration-exporter");
    let exporter = the_exporter(pod);
    assert_eq!(exporter["image"], "registry.example.com/neo4j-migration-exporter:0.1.0");
    assert_eq!(flag(exporter, "neo4j.uri"), Some("bolt://neo4j.db.svc:7687"));
    assert_password_is_a_file(pod, "neo4j-exporter", "password");
    assert_eq!(volume_at(pod, exporter, "/migrations")["configMap"]["name"], "neo4j-migrations");
    assert_eq!(kinds(&docs), ["Deployment", "PrometheusRule", "Service", "ServiceMonitor"]);
}

// ---- kubeconform ----------------------------------------------------------------------------

/// The values of each mode and option the chart has, all rendered and validated.
fn scenarios() -> Vec<(&'static str, &'static str)> {
    vec![
        ("defaults", ""),
        ("password", "auth:\n  password: Tk-s3cret-Zebra-4417\n"),
        ("existing secret", "auth:\n  existingSecret: neo4j-auth\n"),
        ("migrations", "migrations:\n  files:\n    V001__a.cypher: \"CREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.id);\"\n"),
        ("existing migrations", "migrations:\n  existingConfigMap: neo4j-migrations\n"),
        (
            "custom metrics",
            "customMetrics:\n  queries:\n    - {name: nodes, help: Nodes., query: 'MATCH (n) RETURN count(n) AS nodes', values: [nodes]}\n",
        ),
        ("operator", "serviceMonitor:\n  enabled: true\nprometheusRule:\n  enabled: true\n"),
        (
            "sidecar, everything",
            "mode: sidecar\nauth:\n  password: Tk-s3cret-Zebra-4417\nmigrations:\n  files:\n    V001__a.cypher: RETURN 1;\n\
             customMetrics:\n  queries:\n    - {name: nodes, help: Nodes., query: 'MATCH (n) RETURN count(n) AS nodes', values: [nodes]}\n\
             serviceMonitor:\n  enabled: true\nprometheusRule:\n  enabled: true\nextraArgs: [--log.format=json]\n\
             extraEnv:\n  - {name: NEO4J_EXPORTER_LOG_LEVEL, value: debug}\n",
        ),
    ]
}

fn schemas() -> PathBuf {
    let dir = repo_root().join(".tools/kube-schemas");
    assert!(dir.join(".version").is_file(), "{} is missing: run scripts/install-deps", dir.display());
    dir
}

/// `kubeconform -strict` on the files: Ok(how many objects were valid) or Err(its report).
/// A kind without a schema is an error, never skipped.
fn kubeconform(files: &[&Path]) -> Result<usize, String> {
    let out = Command::new(go_tool("kubeconform"))
        .args(["-strict", "-summary", "-kubernetes-version", KUBERNETES_VERSION, "-schema-location"])
        .arg(schemas())
        .args(files)
        .output()
        .expect("kubeconform");
    let report = output_text(&out);
    if !out.status.success() {
        return Err(report);
    }
    let summary = report.lines().find(|l| l.starts_with("Summary:")).ok_or_else(|| report.clone())?;
    assert!(summary.ends_with("Skipped: 0"), "{summary}");
    let valid = summary.split("Valid: ").nth(1).and_then(|s| s.split(',').next()).unwrap();
    Ok(valid.parse().unwrap())
}

#[test]
fn kubeconform_accepts_every_object_the_chart_renders() {
    let dir = scratch();
    for (i, (mode, values)) in scenarios().into_iter().enumerate() {
        let text = template(values);
        let file = dir.join(format!("{i}.yaml"));
        std::fs::write(&file, &text).unwrap();
        let count = documents(&text).len();
        assert_eq!(kubeconform(&[&file]), Ok(count), "{mode}: every rendered object is valid");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn kubeconform_accepts_the_deploy_manifests() {
    let manifests: Vec<PathBuf> = std::fs::read_dir(repo_root().join("deploy/kubernetes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let count: usize = manifests.iter().map(|p| documents(&std::fs::read_to_string(p).unwrap()).len()).sum();
    assert!(count >= 6, "{manifests:?}");
    let files: Vec<&Path> = manifests.iter().map(PathBuf::as_path).collect();
    assert_eq!(kubeconform(&files), Ok(count));
}

/// The validation has teeth: a misspelt field, a wrong type or an unknown kind is refused.
#[test]
fn kubeconform_refuses_what_the_api_server_would_drop_or_reject() {
    let text = template("serviceMonitor:\n  enabled: true\n");
    let dir = scratch();
    for (broken, expected) in [
        (text.replace("readOnlyRootFilesystem", "readOnlyRootFileSystem"), "readOnlyRootFileSystem"),
        (text.replace("containerPort: 10687", "containerPort: \"10687\""), "containerPort"),
        (text.replace("scrapeTimeout:", "scrapeTimout:"), "scrapeTimout"),
        (text.replace("kind: Service\n", "kind: Servic\n"), "Servic"),
    ] {
        assert_ne!(broken, text, "the change applies");
        let file = dir.join("broken.yaml");
        std::fs::write(&file, broken).unwrap();
        let report = kubeconform(&[&file]).expect_err(expected);
        assert!(report.contains(expected), "{expected}: {report}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
