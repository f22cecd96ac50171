//! The HTTP endpoint's security, through real clients: curl for HTTP and HTTPS, openssl for
//! the certificates, raw sockets for slow clients. Neo4j is not needed: the exporter points at
//! a port where nothing listens, and serves its probes and metrics all the same.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{exporter_binary, free_port, unique, Exporter};

/// The users of `tests/testdata/web/basic-auth.good.yml`.
const USER: &str = "prometheus:Scrape-Pa55-Otter";
const OTHER_USER: &str = "grafana:Panel-Pa55-Heron";
/// Hashed by htpasswd -nBC 4, for files written by the tests.
const USER_HASH: &str = "$2y$04$77j9izP6TFWu39RF7TWTpOWz4F.2gd7Ce1GVdX/wQfFwLp2zEyun.";

/// The exporter's header read timeout and TLS handshake timeout.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// The key part of every `openssl req` here: a new P-256 key, unencrypted.
const NEW_KEY: &[&str] = &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

fn testdata(name: &str) -> PathBuf {
    common::repo_root().join("tests/testdata/web").join(name)
}

/// A Neo4j URI where nothing listens.
fn nowhere() -> String {
    format!("bolt://127.0.0.1:{}", free_port())
}

fn web_config_flag(path: &Path) -> String {
    format!("--web.config.file={}", path.display())
}

// ---------------------------------------------------------------------------------------------
// Clients

/// What curl got: the status (0 when it got no HTTP answer at all), headers and body.
struct Reply {
    status: u16,
    head: String,
    body: String,
    error: String,
}

fn curl(url: &str, extra: &[&str]) -> Reply {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-D", "-", "-o", "-"])
        .args(extra)
        .arg(url)
        .output()
        .expect("curl is needed for this test (apt-get install curl)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Reply { status, head: head.to_string(), body: body.to_string(), error: String::from_utf8_lossy(&out.stderr).to_string() }
}

fn status(url: &str, extra: &[&str]) -> u16 {
    curl(url, extra).status
}

/// Holds a connection open, sending a request's first bytes one at a time, and reports how
/// long the server kept it open.
fn slowloris(port: u16, pace: Duration, give_up: Duration) -> std::thread::JoinHandle<Duration> {
    std::thread::spawn(move || {
        let started = Instant::now();
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return Duration::ZERO };
        let request = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ";
        let mut sent = 0;
        while started.elapsed() < give_up {
            let byte = if sent < request.len() { request[sent] } else { b'a' };
            if stream.write_all(&[byte]).is_err() {
                break;
            }
            sent += 1;
            std::thread::sleep(pace);
        }
        started.elapsed()
    })
}

/// Opens a connection that sends nothing and returns how long the server kept it open.
fn silent_connection(port: u16, give_up: Duration) -> std::thread::JoinHandle<Duration> {
    held_open(TcpStream::connect(("127.0.0.1", port)).unwrap(), give_up)
}

/// Reads whatever the server says on a connection (an answer, a 408, a TLS alert) until it
/// closes, and returns how long that took.
fn held_open(mut stream: TcpStream, give_up: Duration) -> std::thread::JoinHandle<Duration> {
    std::thread::spawn(move || {
        let started = Instant::now();
        stream.set_read_timeout(Some(give_up)).unwrap();
        let mut buf = [0u8; 1024];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
        }
        started.elapsed()
    })
}

// ---------------------------------------------------------------------------------------------
// Certificates

/// A CA, a server certificate for 127.0.0.1 and client certificates, made by openssl in a
/// directory of their own.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(unique("web-pki"));
        std::fs::create_dir_all(&dir).unwrap();
        let pki = Pki { dir };
        pki.ca("ca");
        pki.ca("other-ca");
        pki.leaf("server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        pki.leaf("client", "ca", "extendedKeyUsage=clientAuth\n");
        pki.leaf("stranger", "other-ca", "extendedKeyUsage=clientAuth\n");
        pki
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// Writes a web config file into the directory; it names the certificates relative to it.
    fn web_config(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The exporter over TLS with the server certificate, plus `extra` settings: indented ones
    /// add to `tls_server_config`, the others stand beside it.
    fn serve(&self, extra: &str) -> Exporter {
        let config = self.web_config(
            &format!("{}.yml", unique("web")),
            &format!("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n{extra}"),
        );
        served(&config, &[])
    }

    fn ca(&self, name: &str) {
        let (key, pem, subject) = (format!("{name}.key"), format!("{name}.pem"), format!("/CN=web security test {name}"));
        let rest = ["-keyout", &key, "-out", &pem, "-days", "2", "-subj", &subject];
        let extensions = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
        self.openssl(&[&["req", "-x509"], NEW_KEY, &rest, &extensions].concat());
    }

    fn leaf(&self, name: &str, ca: &str, extensions: &str) {
        std::fs::write(self.dir.join(format!("{name}.ext")), format!("basicConstraints=CA:FALSE\n{extensions}")).unwrap();
        let (key, csr, subject) = (format!("{name}.key"), format!("{name}.csr"), format!("/CN={name}"));
        self.openssl(&[&["req", "-new"], NEW_KEY, &["-keyout", &key, "-out", &csr, "-subj", &subject]].concat());
        let (ca_pem, ca_key, pem, ext) = (format!("{ca}.pem"), format!("{ca}.key"), format!("{name}.pem"), format!("{name}.ext"));
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "2",
            "-extfile",
            &ext,
        ]);
    }

    fn openssl(&self, args: &[&str]) {
        common::openssl(&self.dir, args);
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

// ---------------------------------------------------------------------------------------------
// The exporter over TLS

/// The exporter started with a web config file, ready once its port accepts connections.
fn served(web_config: &Path, extra: &[&str]) -> Exporter {
    let mut args = vec![web_config_flag(web_config)];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Exporter::start_listening(&nowhere(), &args)
}

fn plain_url(exporter: &Exporter, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", exporter.port)
}

// ---------------------------------------------------------------------------------------------
// Basic auth

#[test]
fn basic_auth_guards_every_path_but_the_probes() {
    let exporter = Exporter::start(&nowhere(), &[&web_config_flag(&testdata("basic-auth.good.yml"))]);
    let metrics = plain_url(&exporter, "/metrics");

    let refused = curl(&metrics, &[]);
    assert_eq!(refused.status, 401, "{}", refused.head);
    let challenge = refused.head.lines().find(|l| l.to_ascii_lowercase().starts_with("www-authenticate:"));
    assert_eq!(challenge.map(str::trim), Some("www-authenticate: Basic realm=\"neo4j-migration-exporter\""));
    assert!(!refused.body.contains("neo4j_up"), "{}", refused.body);

    assert_eq!(status(&metrics, &["-u", "prometheus:wrong"]), 401, "wrong password");
    assert_eq!(status(&metrics, &["-u", "nobody:Scrape-Pa55-Otter"]), 401, "unknown user");
    assert_eq!(status(&metrics, &["-u", "grafana:Scrape-Pa55-Otter"]), 401, "another user's password");

    let scrape = curl(&metrics, &["-u", USER]);
    assert_eq!(scrape.status, 200, "{}{}", scrape.head, scrape.error);
    assert!(scrape.body.contains("neo4j_up"), "{}", scrape.body);
    assert_eq!(status(&metrics, &["-u", USER]), 200, "a remembered verification still admits");
    assert_eq!(status(&metrics, &["-u", OTHER_USER]), 200);

    assert_eq!(status(&plain_url(&exporter, "/"), &[]), 401, "the status page needs credentials");
    assert_eq!(status(&plain_url(&exporter, "/"), &["-u", USER]), 200);
    assert_eq!(status(&plain_url(&exporter, "/no-such-page"), &[]), 401, "unknown paths reveal nothing");

    assert_eq!(status(&plain_url(&exporter, "/healthz"), &[]), 200, "probes stay open");
    let ready = status(&plain_url(&exporter, "/ready"), &[]);
    assert!(ready == 200 || ready == 503, "/ready answered {ready}");
    assert!(!exporter.logs().contains("Scrape-Pa55-Otter"), "{}", exporter.logs());
}

#[test]
fn requests_beyond_max_requests_wait_instead_of_failing() {
    let exporter = Exporter::start(&nowhere(), &[&web_config_flag(&testdata("basic-auth.good.yml")), "--web.max-requests=1"]);
    let metrics = plain_url(&exporter, "/metrics");
    let clients: Vec<_> = (0..16)
        .map(|n| {
            let (url, user) = (metrics.clone(), if n % 2 == 0 { USER } else { OTHER_USER });
            std::thread::spawn(move || status(&url, &["-u", user]))
        })
        .collect();
    let statuses: Vec<u16> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
}

// ---------------------------------------------------------------------------------------------
// TLS

#[test]
fn https_works_with_the_ca_and_plain_http_to_the_tls_port_gets_a_400() {
    let pki = Pki::new();
    let exporter = pki.serve(&format!("basic_auth_users:\n  prometheus: {USER_HASH}\n"));
    let ca = pki.path("ca.pem");

    let health = curl(&exporter.https_url("/healthz"), &["--cacert", &ca]);
    assert_eq!(health.status, 200, "{}\n{}", health.error, exporter.logs());
    let scrape = curl(&exporter.https_url("/metrics"), &["--cacert", &ca, "-u", USER]);
    assert_eq!(scrape.status, 200, "{}", scrape.error);
    assert!(scrape.body.contains("neo4j_up"));
    assert_eq!(status(&exporter.https_url("/metrics"), &["--cacert", &ca]), 401, "TLS does not replace basic auth");

    // As exporter-toolkit answers it: an HTTP error a person can read, not TLS alert bytes.
    let plain = curl(&format!("http://127.0.0.1:{}/metrics", exporter.port), &[]);
    assert_eq!(plain.status, 400, "{}{}", plain.head, plain.error);
    assert_eq!(plain.body.trim(), "Client sent an HTTP request to an HTTPS server.");
    assert!(!plain.body.contains("neo4j_up"));
    assert_eq!(status(&exporter.https_url("/healthz"), &[]), 0, "a client that does not trust the CA got an answer");
    let other_ca = pki.path("other-ca.pem");
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &other_ca]), 0);
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &ca]), 200, "failed handshakes leave the server serving");
}

/// The exporter over TLS, checking client certificates against the test CA as told.
fn served_with_client_auth(pki: &Pki, client_auth_type: &str) -> Exporter {
    pki.serve(&format!("  client_auth_type: {client_auth_type}\n  client_ca_file: ca.pem\n"))
}

/// What curl gets over TLS trusting the test CA, showing the named client certificate if any.
fn curl_as(pki: &Pki, url: &str, client: Option<&str>) -> Reply {
    let mut args = vec!["--cacert".to_string(), pki.path("ca.pem")];
    if let Some(name) = client {
        args.extend(["--cert".to_string(), pki.path(&format!("{name}.pem")), "--key".to_string(), pki.path(&format!("{name}.key"))]);
    }
    curl(url, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn required_client_certificates_must_be_signed_by_the_client_ca() {
    let pki = Pki::new();
    let exporter = served_with_client_auth(&pki, "RequireAndVerifyClientCert");
    let url = exporter.https_url("/healthz");

    assert_eq!(curl_as(&pki, &url, None).status, 0, "no client certificate was accepted");
    assert_eq!(curl_as(&pki, &url, Some("stranger")).status, 0, "a certificate from another CA was accepted");
    let reply = curl_as(&pki, &url, Some("client"));
    assert_eq!(reply.status, 200, "{}\n{}", reply.error, exporter.logs());
    assert_eq!(curl_as(&pki, &exporter.https_url("/metrics"), Some("client")).status, 200);
}

#[test]
fn optional_client_certificates_are_checked_when_given() {
    let pki = Pki::new();
    let exporter = served_with_client_auth(&pki, "VerifyClientCertIfGiven");
    let url = exporter.https_url("/healthz");

    assert_eq!(curl_as(&pki, &url, None).status, 200, "{}", exporter.logs());
    assert_eq!(curl_as(&pki, &url, Some("client")).status, 200);
    assert_eq!(curl_as(&pki, &url, Some("stranger")).status, 0, "a certificate from another CA was accepted");
}

#[test]
fn tls_version_bounds_refuse_clients_outside_them() {
    let pki = Pki::new();
    let ca = pki.path("ca.pem");
    let exporter = pki.serve("  min_version: TLS13\n");
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &ca, "--tls-max", "1.2"]), 0, "a TLS 1.2 client got in");
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &ca]), 200, "{}", exporter.logs());

    let exporter = pki.serve("  max_version: TLS12\n");
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &ca, "--tlsv1.3"]), 0, "a TLS 1.3-only client got in");
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &ca, "--tls-max", "1.2"]), 200, "{}", exporter.logs());
}

// ---------------------------------------------------------------------------------------------
// Refused files

/// The message a bad file expects (first line `# expect: ...` or `# expect-prefix: ...`),
/// with `{path}` for the file and `{dir}` for its directory.
fn expectation(path: &Path) -> (String, bool) {
    let text = std::fs::read_to_string(path).unwrap();
    let first = text.lines().next().unwrap_or_default();
    let fill = |s: &str| s.replace("{path}", &path.display().to_string()).replace("{dir}", &path.parent().unwrap().display().to_string());
    match (first.strip_prefix("# expect-prefix: "), first.strip_prefix("# expect: ")) {
        (Some(prefix), _) => (fill(prefix), true),
        (None, Some(exact)) => (fill(exact), false),
        (None, None) => panic!("{} has no expectation line", path.display()),
    }
}

/// Runs the binary with a web config file and returns its exit code and standard error.
fn refused(web_config: &Path) -> (Option<i32>, String) {
    let out = Command::new(exporter_binary())
        .arg(format!("--web.listen-address=127.0.0.1:{}", free_port()))
        .arg(format!("--neo4j.uri={}", nowhere()))
        .arg(web_config_flag(web_config))
        .env_remove("NEO4J_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
}

fn assert_refused_with(web_config: &Path, expected: &str, prefix_only: bool) {
    let (code, stderr) = refused(web_config);
    let shown = web_config.display();
    assert_eq!(code, Some(2), "{shown}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{shown} printed more than one line: {stderr}");
    let message = stderr.trim_end().strip_prefix("neo4j-migration-exporter: ").unwrap_or_else(|| panic!("{shown}: {stderr}"));
    if prefix_only {
        assert!(message.starts_with(expected), "{shown}:\n  got: {message}\n want: {expected}...");
    } else {
        assert_eq!(message, expected, "{shown}");
    }
}

#[test]
fn bad_web_config_files_exit_2_with_their_expected_message() {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(testdata("")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(".bad.yml")).collect();
    files.sort();
    assert!(files.len() >= 10, "only {} bad files", files.len());
    for path in files {
        let (expected, prefix_only) = expectation(&path);
        assert_refused_with(&path, &expected, prefix_only);
        assert!(!refused(&path).1.contains("hunter22"), "{} echoed a password", path.display());
    }
}

#[test]
fn good_web_config_files_start_the_exporter() {
    for name in ["empty.good.yml", "basic-auth.good.yml"] {
        let exporter = Exporter::start(&nowhere(), &[&web_config_flag(&testdata(name))]);
        assert_eq!(exporter.get("/healthz").0, 200, "{name}");
    }
}

#[test]
fn a_missing_web_config_file_is_refused() {
    let path = std::env::temp_dir().join(unique("no-such-web-config")).join("web.yml");
    let expected = format!("web config file {}: cannot read it: No such file or directory (os error 2)", path.display());
    assert_refused_with(&path, &expected, false);
}

#[test]
fn a_key_that_does_not_belong_to_the_certificate_is_refused() {
    let pki = Pki::new();
    let config = pki.web_config("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: client.key\n");
    let expected = format!(
        "web config file {}: the key in tls_server_config.key_file does not belong to the certificate in tls_server_config.cert_file",
        config.display()
    );
    assert_refused_with(&config, &expected, false);
}

// ---------------------------------------------------------------------------------------------
// Slow clients and shutdown

#[test]
fn slow_and_silent_clients_do_not_keep_a_scrape_waiting() {
    let exporter = Exporter::start(&nowhere(), &["--web.max-requests=2"]);
    let port = exporter.port;
    // 50 sockets that send nothing, far more than the 8 connections 2 requests allow...
    let silent: Vec<TcpStream> = (0..50).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    // ...and clients that send their headers a byte at a time, reconnecting when closed.
    let stop_at = Instant::now() + Duration::from_secs(8);
    let attacking = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let attackers: Vec<_> = (0..10)
        .map(|_| {
            let attacking = attacking.clone();
            std::thread::spawn(move || {
                while Instant::now() < stop_at {
                    let attack = slowloris(port, Duration::from_millis(100), stop_at.saturating_duration_since(Instant::now()));
                    attacking.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    attack.join().unwrap();
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while attacking.load(std::sync::atomic::Ordering::Relaxed) < 10 {
        assert!(Instant::now() < deadline, "the attackers did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Five scrapes spread over the attack's first seconds.
    for round in 0..5 {
        let started = Instant::now();
        let scrape = curl(&plain_url(&exporter, "/metrics"), &[]);
        let took = started.elapsed();
        assert_eq!(scrape.status, 200, "round {round}: {}\n{}", scrape.error, exporter.logs());
        // A scrape queued behind the silent sockets would wait for their 10 s timeout.
        assert!(took < Duration::from_secs(4), "round {round}: the scrape took {took:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
    for attacker in attackers {
        attacker.join().unwrap();
    }
    drop(silent);
}

#[test]
fn idle_and_slow_connections_are_closed_after_the_timeouts() {
    let exporter = Exporter::start(&nowhere(), &[]);
    let pki = Pki::new();
    let tls = pki.serve("");
    let give_up = CLIENT_TIMEOUT * 2;

    let silent = silent_connection(exporter.port, give_up);
    let slow = slowloris(exporter.port, Duration::from_millis(500), give_up);
    let silent_tls = silent_connection(tls.port, give_up);
    // A keep-alive connection idles between requests; the same timeout closes it.
    let mut kept = TcpStream::connect(("127.0.0.1", exporter.port)).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let kept = held_open(kept, give_up);

    let window = CLIENT_TIMEOUT - Duration::from_secs(1)..CLIENT_TIMEOUT + Duration::from_secs(4);
    for (what, held) in [("silent", silent), ("slowloris", slow), ("silent TLS", silent_tls), ("idle keep-alive", kept)] {
        let held = held.join().unwrap();
        assert!(window.contains(&held), "the {what} connection was held open for {held:?}");
    }
    assert_eq!(exporter.get("/healthz").0, 200);
}

#[test]
fn sigterm_stops_promptly_with_slow_connections_open() {
    let pki = Pki::new();
    let tls = pki.serve(&format!("basic_auth_users:\n  prometheus: {USER_HASH}\n"));
    let _silent_tls = TcpStream::connect(("127.0.0.1", tls.port)).unwrap();
    let mut half_hello = TcpStream::connect(("127.0.0.1", tls.port)).unwrap();
    half_hello.write_all(&[0x16, 0x03, 0x01, 0x00]).unwrap();
    assert_eq!(status(&tls.https_url("/metrics"), &["--cacert", &pki.path("ca.pem"), "-u", USER]), 200);

    let plain = Exporter::start(&nowhere(), &[]);
    let _silent = TcpStream::connect(("127.0.0.1", plain.port)).unwrap();
    let mut half_request = TcpStream::connect(("127.0.0.1", plain.port)).unwrap();
    half_request.write_all(b"GET /metrics HTTP/1.1\r\nHost: 1").unwrap();
    let mut kept = TcpStream::connect(("127.0.0.1", plain.port)).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    // Connections are taken in the order they came: once a later one is answered, the server
    // holds all of the above.
    assert_eq!(plain.get("/healthz").0, 200);

    // Well inside the daemon's 1.5 s grace: nothing in flight holds the stop up.
    for (name, (status, took)) in [("TLS", tls.terminate()), ("plain", plain.terminate())] {
        assert!(status.success(), "{name}: exit status {status:?}");
        assert!(took < Duration::from_millis(1400), "{name}: shutdown took {took:?}");
    }
}

/// A certificate is rotated on disk (as cert-manager or a Kubernetes secret update does): new
/// connections get the new one without a restart. A web config file that no longer loads
/// leaves the previous configuration serving. SIGHUP reads the file again; SIGUSR1 and
/// SIGUSR2 do not end the process.
#[test]
fn a_rotated_certificate_is_served_without_a_restart() {
    let pki = Pki::new();
    pki.leaf("renewed", "other-ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    let config = pki.web_config("rotating.yml", "tls_server_config:\n  cert_file: current.pem\n  key_file: current.key\n");
    std::fs::copy(pki.dir.join("server.pem"), pki.dir.join("current.pem")).unwrap();
    std::fs::copy(pki.dir.join("server.key"), pki.dir.join("current.key")).unwrap();
    let exporter = served(&config, &[]);
    let (ca, other_ca) = (pki.path("ca.pem"), pki.path("other-ca.pem"));
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &ca]), 200);

    // The key first, then the certificate, as a rotation writes them.
    std::fs::copy(pki.dir.join("renewed.key"), pki.dir.join("current.key")).unwrap();
    std::fs::copy(pki.dir.join("renewed.pem"), pki.dir.join("current.pem")).unwrap();
    exporter.wait_until(Duration::from_secs(10), "the renewed certificate served", |e| {
        status(&e.https_url("/healthz"), &["--cacert", &other_ca]) == 200
    });
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &ca]), 0, "the old certificate is gone");

    // A broken file: the renewed configuration stays in force, with a warning.
    std::fs::write(&config, "tls_server_config:\n  cert_file: missing.pem\n  key_file: current.key\n").unwrap();
    // The files are looked at when connections come in.
    exporter.wait_until(Duration::from_secs(10), "a warning about the broken file", |e| {
        status(&e.https_url("/healthz"), &["--cacert", &other_ca]);
        e.logs().contains("web config file not loaded again; the previous one stays in force")
    });
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &other_ca]), 200);
    assert!(exporter.logs().contains("missing.pem"), "the warning names the problem:\n{}", exporter.logs());

    for signal in ["USR1", "USR2", "HUP"] {
        Command::new("kill").arg(format!("-{signal}")).arg(exporter.pid().to_string()).status().unwrap();
    }
    exporter.wait_until(Duration::from_secs(10), "SIGHUP handled", |e| e.logs().contains("reading the configuration files again"));
    assert!(exporter.logs().contains("ignored: this exporter gives SIGUSR1 no meaning"), "{}", exporter.logs());
    assert_eq!(status(&exporter.https_url("/healthz"), &["--cacert", &other_ca]), 200, "still serving after the signals");
}

/// A flood of wrong passwords (each one a bcrypt check) from many clients at once: an
/// authenticated scraper and /healthz are answered throughout, and the flood is refused.
#[test]
fn a_flood_of_wrong_passwords_does_not_starve_authenticated_scrapes() {
    let exporter = Exporter::start(&nowhere(), &[&web_config_flag(&testdata("basic-auth.good.yml"))]);
    let metrics = plain_url(&exporter, "/metrics");
    assert_eq!(status(&metrics, &["-u", USER]), 200);
    let flooding = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let flood: Vec<_> = (0..48)
        .map(|n| {
            let (flooding, sent, port) = (flooding.clone(), sent.clone(), exporter.port);
            std::thread::spawn(move || {
                let mut refused = 0;
                while flooding.load(std::sync::atomic::Ordering::Relaxed) {
                    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { continue };
                    let auth = base64_of(&format!("prometheus:wrong-{n}-{refused}"));
                    let _ = write!(stream, "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nConnection: close\r\n\r\n");
                    sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut answer = String::new();
                    let _ = stream.read_to_string(&mut answer);
                    refused += u32::from(answer.starts_with("HTTP/1.1 401"));
                }
                refused
            })
        })
        .collect();
    // Until every flooding client has a wrong password in flight.
    let deadline = Instant::now() + Duration::from_secs(10);
    while sent.load(std::sync::atomic::Ordering::Relaxed) < 48 {
        assert!(Instant::now() < deadline, "the flood did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    // While the flood goes on: twenty scrapes and twenty health checks, one after another.
    let mut answered = 0;
    for _ in 0..20 {
        answered += u32::from(status(&metrics, &["-u", USER]) == 200);
        answered += u32::from(status(&plain_url(&exporter, "/healthz"), &[]) == 200);
    }
    let still_flooding = flood.iter().all(|f| !f.is_finished());
    flooding.store(false, std::sync::atomic::Ordering::Relaxed);
    let refused: u32 = flood.into_iter().map(|f| f.join().unwrap()).sum();
    assert!(still_flooding, "the flood ended before the scrapes did");
    assert_eq!(answered, 40, "every scrape and health check was answered during the flood");
    assert!(refused > 48, "the flood was answered too, with 401: {refused}");
}

fn base64_of(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char } else { '=' });
        }
    }
    out
}

/// `healthcheck`, as the image's HEALTHCHECK runs it: it follows the address and TLS of the
/// exporter process it is pointed at (PID 1 in a container), whatever port it was given by
/// flag or environment, and fails when nothing answers there.
#[test]
fn the_healthcheck_follows_the_running_exporters_address_and_tls() {
    let healthcheck = |pid: u32| {
        Command::new(exporter_binary())
            .args(["healthcheck", "--of-process", &pid.to_string()])
            .env_remove("NEO4J_EXPORTER_WEB_LISTEN_ADDRESS")
            .output()
            .unwrap()
    };
    // Plain HTTP on a port given by flag.
    let plain = Exporter::start(&nowhere(), &[]);
    let out = healthcheck(plain.pid());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // TLS with client certificates required, the port given in the environment.
    let pki = Pki::new();
    let config = pki.web_config(
        "mtls.yml",
        "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n",
    );
    let port = free_port();
    let mut daemon = Command::new(exporter_binary())
        .arg(web_config_flag(&config))
        .arg(format!("--neo4j.uri={}", nowhere()))
        .env("NEO4J_EXPORTER_WEB_LISTEN_ADDRESS", format!(":{port}"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the TLS exporter did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = healthcheck(daemon.id());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let out = healthcheck(plain.pid());
    assert!(out.status.success());
    let gone = plain.pid();
    drop(plain);
    let out = healthcheck(gone);
    assert_eq!(out.status.code(), Some(1), "a health check of a process that is gone fails");
    // Its own flags, when pointed at no process: a port where nothing listens fails.
    let out =
        Command::new(exporter_binary()).args(["healthcheck", &format!("--web.listen-address=127.0.0.1:{}", free_port())]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}
