//! Test harness: real Neo4j servers from testkit, the exporter binary as a child process,
//! a minimal HTTP client and a parser for the exposition text.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub mod alertmanager;
pub mod dashboards;
pub mod recorders;
pub mod service;

/// Distinctive enough that a test can search every output for it.
pub const PASSWORD: &str = "Tk-s3cret-Zebra-4417";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tool that scripts/install-deps builds from its Go module into .tools/bin (so that a
/// name shared with a Debian package, such as promtool, never picks the wrong one).
pub fn go_tool(name: &str) -> PathBuf {
    let path = repo_root().join(".tools/bin").join(name);
    assert!(path.is_file(), "{} is missing: run scripts/install-deps", path.display());
    path
}

/// Runs `openssl` in `dir` (keys and certificates for the TLS tests), failing the test on error.
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed for the TLS tests (apt-get install openssl)");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn launcher() -> PathBuf {
    repo_root().join("testkit/neo4j/neo4j-local")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A name no other test (or earlier run) uses, for labels and directories.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}_{}_{nanos}_{n}", std::process::id())
}

/// The Neo4j version tests run against: `NEO4J_TEST_VERSION`, 5.26 by default.
pub fn test_version() -> String {
    std::env::var("NEO4J_TEST_VERSION").unwrap_or_else(|_| "5.26".into())
}

/// A real Neo4j started through testkit.
pub struct Neo4jServer {
    pub port: u16,
    pub dir: PathBuf,
    pub password: String,
    owned: bool,
}

/// Servers of their own that tests of one process may run at once: each is a JVM, and the
/// machine has two cores.
const MAX_OWN_SERVERS: usize = 3;

static OWN_SERVERS: (std::sync::Mutex<usize>, std::sync::Condvar) = (std::sync::Mutex::new(0), std::sync::Condvar::new());

fn take_server_place() {
    let (count, freed) = &OWN_SERVERS;
    let mut running = count.lock().unwrap();
    while *running >= MAX_OWN_SERVERS {
        running = freed.wait(running).unwrap();
    }
    *running += 1;
}

fn give_back_server_place() {
    let (count, freed) = &OWN_SERVERS;
    *count.lock().unwrap() -= 1;
    freed.notify_one();
}

impl Neo4jServer {
    /// A server of this test's own, stopped when dropped (and when the test process ends).
    pub fn start(version: &str) -> Self {
        Self::start_with(version, &[])
    }

    pub fn start_with(version: &str, extra: &[&str]) -> Self {
        Self::launch_on(version, free_port(), extra)
    }

    /// A server of this test's own on a given port.
    pub fn on_port(version: &str, port: u16) -> Self {
        Self::launch_on(version, port, &[])
    }

    fn launch_on(version: &str, port: u16, extra: &[&str]) -> Self {
        take_server_place();
        let dir = std::env::temp_dir().join(unique("neo4j-test"));
        let server = Neo4jServer { port, dir, password: PASSWORD.into(), owned: true };
        server.launch(version, extra);
        server
    }

    /// One server shared by every test in this process: the one the test command started
    /// (`NEO4J_TEST_DIR`), or else one started here on first use.
    pub fn shared() -> &'static Neo4jServer {
        static SHARED: OnceLock<Neo4jServer> = OnceLock::new();
        SHARED.get_or_init(|| match std::env::var("NEO4J_TEST_DIR") {
            Ok(dir) => {
                let dir = PathBuf::from(dir);
                let port = std::fs::read_to_string(dir.join("port")).expect("NEO4J_TEST_DIR has a port file");
                Neo4jServer {
                    port: port.trim().parse().unwrap(),
                    dir,
                    password: std::env::var("NEO4J_TEST_PASSWORD").unwrap_or_else(|_| PASSWORD.into()),
                    owned: false,
                }
            }
            Err(_) => {
                let mut server = Neo4jServer::start(&test_version());
                // Statics are never dropped; the watched pid stops it when the tests end.
                server.owned = false;
                give_back_server_place();
                server
            }
        })
    }

    fn launch(&self, version: &str, extra: &[&str]) {
        let pid = std::process::id().to_string();
        let port = self.port.to_string();
        let mut args = vec!["start", "--version", version, "--port", &port, "--password", &self.password];
        let dir = self.dir.to_string_lossy().to_string();
        args.extend(["--dir", &dir, "--watch-pid", &pid]);
        args.extend(extra);
        let out = Command::new(launcher()).args(&args).output().expect("run neo4j-local");
        assert!(
            out.status.success(),
            "neo4j-local start failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn uri(&self) -> String {
        format!("bolt://127.0.0.1:{}", self.port)
    }

    /// The exact version testkit started, e.g. 5.26.30.
    pub fn version(&self) -> String {
        std::fs::read_to_string(self.dir.join("version")).unwrap().trim().to_string()
    }

    pub fn pid(&self) -> u32 {
        std::fs::read_to_string(self.dir.join("pid")).unwrap().trim().parse().unwrap()
    }

    pub fn stop(&self) {
        let out = Command::new(launcher()).args(["stop", "--dir"]).arg(&self.dir).output().unwrap();
        assert!(out.status.success(), "neo4j-local stop: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Starts the same server again on the same port and data.
    pub fn restart(&self, version: &str) {
        self.launch(version, &[]);
    }

    /// Starts the same server again with other testkit options (e.g. `--read-only`).
    pub fn restart_with(&self, version: &str, extra: &[&str]) {
        self.launch(version, extra);
    }

    /// Runs one write statement and says whether Neo4j accepted it.
    pub fn try_write(&self, statement: &str) -> Result<(), String> {
        let graph = neo4rs::Graph::new(self.uri(), "neo4j", self.password.clone()).unwrap();
        block_on(async { graph.run(neo4rs::query(statement)).await.map(|_| ()).map_err(|e| e.to_string()) })
    }

    /// The exporter's own read-only client on this server, for tests of its decoding.
    pub fn exporter_client(&self) -> neo4j_migration_exporter::neo4j::Neo4j {
        let five = Duration::from_secs(5);
        neo4j_migration_exporter::neo4j::Neo4j::new(&neo4j_migration_exporter::config::Neo4jConfig {
            uri: self.uri(),
            user: "neo4j".into(),
            password: neo4j_migration_exporter::config::Secret::new(self.password.clone()),
            database: None,
            tls_ca_file: None,
            connect_timeout: five,
            check_interval: five,
            max_backoff: five,
        })
        .unwrap()
    }

    /// Stops the server, dumps its database into `to` with Neo4j's own neo4j-admin, and
    /// starts it again.
    pub fn dump(&self, to: &Path) {
        self.stop();
        let out = Command::new(launcher())
            .args(["dump", "--dir", &self.dir.to_string_lossy(), "--to-path", &to.to_string_lossy()])
            .output()
            .unwrap();
        assert!(out.status.success(), "neo4j-local dump: {}", String::from_utf8_lossy(&out.stderr));
        self.restart(&self.version());
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill").arg(format!("-{signal}")).arg(self.pid().to_string()).status().unwrap();
        assert!(status.success());
    }

    /// Runs write statements as the test's setup (the exporter itself only reads).
    pub fn write(&self, statements: &[&str]) {
        let graph = neo4rs::Graph::new(self.uri(), "neo4j", self.password.clone()).unwrap();
        block_on(async {
            for statement in statements {
                graph.run(neo4rs::query(statement)).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
        });
    }

    /// Runs a write statement with parameters.
    pub fn write_with(&self, statement: &str, params: Vec<(&str, neo4rs::BoltType)>) {
        let graph = neo4rs::Graph::new(self.uri(), "neo4j", self.password.clone()).unwrap();
        block_on(async {
            graph.run(neo4rs::query(statement).params(params)).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
        });
    }

    /// Runs a read statement and returns one integer column of every row.
    pub fn read_ints(&self, statement: &str, column: &str) -> Vec<i64> {
        let graph = neo4rs::Graph::new(self.uri(), "neo4j", self.password.clone()).unwrap();
        block_on(async {
            let mut rows = graph.execute(neo4rs::query(statement)).await.unwrap();
            let mut out = Vec::new();
            while let Some(row) = rows.next().await.unwrap() {
                out.push(row.get::<i64>(column).unwrap());
            }
            out
        })
    }
}

impl Drop for Neo4jServer {
    fn drop(&mut self) {
        if self.owned {
            let _ = Command::new(launcher()).args(["stop", "--dir"]).arg(&self.dir).output();
            let _ = std::fs::remove_dir_all(&self.dir);
            give_back_server_place();
        }
    }
}

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// The exporter binary running as a child process.
pub struct Exporter {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

pub fn exporter_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_neo4j-migration-exporter"))
}

impl Exporter {
    /// Starts the exporter against `uri` with the test password and the given extra flags,
    /// and waits until it serves `/healthz`.
    pub fn start(uri: &str, args: &[&str]) -> Self {
        Self::start_with_env(uri, args, &[("NEO4J_PASSWORD", PASSWORD)])
    }

    pub fn start_with_env(uri: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::launch(free_port(), uri, args, env, |e| e.get("/healthz").0 == 200)
    }

    /// Starts the exporter on a given port (to stand in for one that was killed).
    pub fn start_on_port(port: u16, uri: &str, args: &[&str]) -> Self {
        Self::launch(port, uri, args, &[("NEO4J_PASSWORD", PASSWORD)], |e| e.get("/healthz").0 == 200)
    }

    /// Kills the exporter with SIGKILL: no shutdown, no last word.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the exporter and waits only until its port accepts connections: a TLS port
    /// does not answer plain HTTP.
    pub fn start_listening(uri: &str, args: &[&str]) -> Self {
        Self::launch(free_port(), uri, args, &[("NEO4J_PASSWORD", PASSWORD)], |e| TcpStream::connect(("127.0.0.1", e.port)).is_ok())
    }

    fn launch(port: u16, uri: &str, args: &[&str], env: &[(&str, &str)], serving: fn(&Exporter) -> bool) -> Self {
        let log = std::env::temp_dir().join(format!("{}.log", unique("exporter")));
        let mut command = Command::new(exporter_binary());
        command
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!("--neo4j.uri={uri}"))
            .args(args)
            .env_remove("NEO4J_PASSWORD")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start the exporter");
        let mut exporter = Exporter { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !serving(&exporter) {
            if let Some(status) = exporter.child.try_wait().unwrap() {
                panic!("the exporter exited with {status} before serving:\n{}", exporter.logs());
            }
            assert!(Instant::now() < deadline, "the exporter was not serving within 10s:\n{}", exporter.logs());
            std::thread::sleep(Duration::from_millis(50));
        }
        exporter
    }

    pub fn https_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        http_get(self.port, path).unwrap_or((0, String::new()))
    }

    pub fn scrape(&self) -> Scrape {
        let (status, body) = self.get("/metrics");
        assert_eq!(status, 200, "scrape failed: {body}");
        Scrape(body)
    }

    /// Polls until `ready` holds, failing the test with `what` after `timeout`.
    pub fn wait_until(&self, timeout: Duration, what: &str, ready: impl Fn(&Exporter) -> bool) {
        let deadline = Instant::now() + timeout;
        while !ready(self) {
            assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for: {what}\nlogs:\n{}", self.logs());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Scrapes until `check` holds for the scrape, and returns that scrape.
    pub fn scrape_until(&self, timeout: Duration, what: &str, check: impl Fn(&Scrape) -> bool) -> Scrape {
        let deadline = Instant::now() + timeout;
        loop {
            let scrape = self.scrape();
            if check(&scrape) {
                return scrape;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for: {what}\nlast scrape:\n{}\nlogs:\n{}",
                scrape.0,
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn terminate(mut self) -> (ExitStatus, Duration) {
        let started = Instant::now();
        Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        let status = self.child.wait().unwrap();
        (status, started.elapsed())
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A blocking HTTP/1.1 GET on 127.0.0.1, returning status and body.
pub fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    http_request(port, "GET", path, None)
}

/// A blocking HTTP/1.1 request on 127.0.0.1; a body is sent as JSON.
pub fn http_request(port: u16, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")?;
    match body {
        Some(body) => write!(stream, "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())?,
        None => write!(stream, "\r\n")?,
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    Ok((status, if chunked { dechunk(body) } else { body.to_string() }))
}

/// Percent-encodes a query-string value.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// One scrape's text, with lookups by metric name and labels.
pub struct Scrape(pub String);

pub type Labels = BTreeMap<String, String>;

impl Scrape {
    /// Every sample of `name` with its labels.
    pub fn samples(&self, name: &str) -> Vec<(Labels, f64)> {
        self.0
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(parse_sample)
            .filter(|(sample_name, _, _)| sample_name == name)
            .map(|(_, labels, value)| (labels, value))
            .collect()
    }

    /// The value of the one sample of `name` whose labels include all of `labels`.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let matching: Vec<f64> = self
            .samples(name)
            .into_iter()
            .filter(|(have, _)| labels.iter().all(|(k, v)| have.get(*k).map(String::as_str) == Some(*v)))
            .map(|(_, value)| value)
            .collect();
        assert!(matching.len() <= 1, "{name}{labels:?} matches {} samples", matching.len());
        matching.first().copied()
    }

    pub fn has(&self, name: &str) -> bool {
        !self.samples(name).is_empty()
    }
}

fn parse_sample(line: &str) -> Option<(String, Labels, f64)> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (name, rest) = match line.find('{') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => {
            let (name, value) = line.split_once(' ')?;
            return Some((name.to_string(), Labels::new(), parse_value(value)?));
        }
    };
    let mut labels = Labels::new();
    let mut chars = rest.char_indices().peekable();
    let mut key = String::new();
    let end;
    loop {
        let (i, c) = chars.next()?;
        match c {
            '}' => {
                end = i;
                break;
            }
            '=' => {
                chars.next(); // opening quote
                let mut value = String::new();
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => match chars.next()?.1 {
                            'n' => value.push('\n'),
                            other => value.push(other),
                        },
                        '"' => break,
                        other => value.push(other),
                    }
                }
                labels.insert(std::mem::take(&mut key), value);
            }
            ',' => {}
            other => key.push(other),
        }
    }
    Some((name.to_string(), labels, parse_value(rest[end + 1..].trim())?))
}

fn parse_value(text: &str) -> Option<f64> {
    match text.split_whitespace().next()? {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        value => value.parse().ok(),
    }
}

/// The page as Chromium renders it: its DOM after loading, and a screenshot.
pub fn chromium(url: &str, screenshot: &Path) -> String {
    let profile = std::env::temp_dir().join(unique("chromium-profile"));
    let base = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=412,915",
    ];
    let profile_flag = format!("--user-data-dir={}", profile.display());
    let out = Command::new("chromium")
        .args(base)
        .arg(&profile_flag)
        .args(["--dump-dom", url])
        .output()
        .expect("chromium is needed for this test (apt-get install chromium)");
    let dom = String::from_utf8_lossy(&out.stdout).to_string();
    let _ = Command::new("chromium").args(base).arg(&profile_flag).arg(format!("--screenshot={}", screenshot.display())).arg(url).output();
    let _ = std::fs::remove_dir_all(&profile);
    assert!(dom.contains("</html>"), "Chromium showed nothing: {}", String::from_utf8_lossy(&out.stderr));
    dom
}

/// What a reader sees of some HTML: the text, tags removed and entities decoded.
pub fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs Debian's `promtool check metrics` on an exposition and returns its complaints, if any.
pub fn promtool_check_metrics(text: &str) -> Result<(), String> {
    check_metrics_with(Path::new("promtool"), text)
}

/// Runs `check metrics` of the given promtool on an exposition.
pub fn check_metrics_with(promtool: &Path, text: &str) -> Result<(), String> {
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("promtool is needed for this test (apt-get install prometheus): {e}"))?;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.success() && said.trim().is_empty() {
        Ok(())
    } else {
        Err(said)
    }
}

pub fn path_str(path: &Path) -> String {
    path.to_string_lossy().to_string()
}

/// SHA-256 of a file as lower-case hex, computed by coreutils rather than by the exporter.
pub fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().expect("a digest").to_string()
}
