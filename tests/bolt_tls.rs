//! Encrypted Bolt: bolt+s and neo4j+s verified against a CA given with --neo4j.tls-ca-file,
//! bolt+ssc for self-signed servers, against a testkit Neo4j that requires TLS with a
//! certificate made in the test.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{openssl, test_version, unique, Exporter, Neo4jServer};

/// A CA, and a server certificate for 127.0.0.1 signed by it, as Neo4j wants them.
fn certificates(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=neo4j-test-ca",
        ],
    );
    openssl(dir, &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "private.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
    std::fs::write(dir.join("server.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "public.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
}

fn up_within(exporter: &Exporter, seconds: u64) -> Option<f64> {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        let value = exporter.scrape().value("neo4j_up", &[]);
        if value == Some(1.0) || std::time::Instant::now() > deadline {
            return value;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn tls_bolt_with_a_custom_ca_and_self_signed_modes() {
    let dir = std::env::temp_dir().join(unique("bolt-tls"));
    certificates(&dir);
    let server = Neo4jServer::start_with(&test_version(), &["--tls", &dir.to_string_lossy()]);
    let port = server.port;
    let ca = format!("--neo4j.tls-ca-file={}", dir.join("ca.crt").display());
    let fast = ["--neo4j.check-interval=1s", "--neo4j.max-backoff=1s"];

    for (uri, extra) in [
        (format!("bolt+s://127.0.0.1:{port}"), vec![ca.as_str()]),
        (format!("neo4j+s://127.0.0.1:{port}"), vec![ca.as_str()]),
        (format!("bolt+ssc://127.0.0.1:{port}"), vec![]),
    ] {
        let mut args = fast.to_vec();
        args.extend(extra);
        let exporter = Exporter::start(&uri, &args);
        assert_eq!(up_within(&exporter, 20), Some(1.0), "{uri}:\n{}", exporter.logs());
        let scrape = exporter.scrape_until(Duration::from_secs(20), "collectors over TLS", |s| {
            s.value("neo4j_exporter_collector_success", &[("collector", "migrations")]) == Some(1.0)
        });
        assert!(scrape.value("neo4j_server_info", &[("version", &server.version())]).is_some(), "{uri}");
    }

    // Without the CA the certificate is not trusted, and plain Bolt is refused: both say why.
    for (uri, hint) in [(format!("bolt+s://127.0.0.1:{port}"), "certificate"), (format!("bolt://127.0.0.1:{port}"), "")] {
        let exporter = Exporter::start(&uri, &fast);
        exporter.wait_until(Duration::from_secs(20), "a failed check", |e| e.logs().contains("Neo4j check failed"));
        assert_eq!(exporter.scrape().value("neo4j_up", &[]), Some(0.0), "{uri}");
        let line = exporter.logs().lines().find(|l| l.contains("Neo4j check failed")).unwrap().to_string();
        assert!(line.to_lowercase().contains(hint), "{uri}: {line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
