//! TLS for the HTTP port: the rustls server configuration the web configuration file asks for.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::config::{ClientAuth, Problem, TlsSettings, TlsVersion};

pub(super) fn server_config(settings: &TlsSettings) -> Result<rustls::ServerConfig, Problem> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = read_certificates("tls_server_config.cert_file", &settings.cert_file)?;
    let key = PrivateKeyDer::from_pem_file(&settings.key_file)
        .map_err(|e| pem_problem("tls_server_config.key_file", &settings.key_file, e, "no private key"))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&protocol_versions(settings.min_version, settings.max_version))
        .map_err(|e| Problem::Tls(e.to_string()))?;
    let builder = match (settings.client_auth, &settings.client_ca_file) {
        (ClientAuth::None, _) | (_, None) => builder.with_no_client_auth(),
        (client_auth, Some(ca_file)) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in read_certificates("tls_server_config.client_ca_file", ca_file)? {
                roots.add(cert).map_err(|e| Problem::Pem {
                    key: "tls_server_config.client_ca_file",
                    path: ca_file.display().to_string(),
                    reason: format!("not a usable CA certificate: {e}"),
                })?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = match client_auth {
                ClientAuth::IfGiven => verifier.allow_unauthenticated(),
                _ => verifier,
            };
            builder.with_client_cert_verifier(verifier.build().map_err(|e| Problem::Tls(e.to_string()))?)
        }
    };
    let mut config = builder.with_single_cert(certs, key).map_err(|e| match e {
        rustls::Error::InconsistentKeys(_) => Problem::KeyMismatch,
        other => Problem::Tls(other.to_string()),
    })?;
    // Only HTTP/1.1 is served; saying so lets clients skip offering HTTP/2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn protocol_versions(min: TlsVersion, max: TlsVersion) -> Vec<&'static rustls::SupportedProtocolVersion> {
    [(TlsVersion::Tls12, &rustls::version::TLS12), (TlsVersion::Tls13, &rustls::version::TLS13)]
        .into_iter()
        .filter(|(version, _)| (min..=max).contains(version))
        .map(|(_, supported)| supported)
        .collect()
}

fn read_certificates(key: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, Problem> {
    let problem = |e| pem_problem(key, path, e, "no certificate");
    let certs = CertificateDer::pem_file_iter(path).map_err(problem)?.collect::<Result<Vec<_>, _>>().map_err(problem)?;
    match certs.is_empty() {
        true => Err(problem(pem::Error::NoItemsFound)),
        false => Ok(certs),
    }
}

fn pem_problem(key: &'static str, path: &Path, error: pem::Error, missing: &str) -> Problem {
    let reason = match error {
        pem::Error::Io(e) => e.to_string(),
        pem::Error::NoItemsFound => format!("{missing} in PEM format found in it"),
        other => format!("not valid PEM: {other}"),
    };
    Problem::Pem { key, path: path.display().to_string(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_12_and_13_are_offered_as_the_range_says() {
        assert_eq!(protocol_versions(TlsVersion::Tls12, TlsVersion::Tls12).len(), 1);
        assert_eq!(protocol_versions(TlsVersion::Tls12, TlsVersion::Tls13).len(), 2);
        assert_eq!(protocol_versions(TlsVersion::Tls13, TlsVersion::Tls13).len(), 1);
    }
}
