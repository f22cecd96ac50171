//! A small client of the Prometheus HTTP API (`/api/v1/...`): GET requests over HTTP or HTTPS
//! (verified by the platform's roots, as neo4rs verifies Bolt), each bounded by a timeout,
//! answers read as JSON. Credentials never go in the URL.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use url::Url;

/// Answers larger than this are refused: a rules list of a big Prometheus is a few MiB.
const MOST_BYTES: usize = 32 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct PrometheusApi {
    base: Url,
}

/// Checks `--prometheus.url`: http or https, a host, no credentials.
pub fn parse_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|_| "expected a URL such as http://prometheus:9090".to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("unsupported scheme '{}'; use http or https", url.scheme()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Never echo the value back: it carries a password.
        return Err("credentials in the URL are not allowed".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL names no host".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        // A query may carry a token; the API paths are added to the base.
        return Err("give the base URL only, without a query or fragment".into());
    }
    Ok(url)
}

impl PrometheusApi {
    pub fn new(base: Url) -> Self {
        PrometheusApi { base }
    }

    /// The URL of an API path under the base (which may have a path prefix of its own).
    fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        let prefix = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{prefix}{path}"));
        url.set_query(None);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// GETs an API path and gives its `data`; an error names what went wrong in one sentence.
    pub async fn get(&self, path: &str, query: &[(&str, &str)], timeout: Duration) -> Result<serde_json::Value, String> {
        let url = self.url(path, query);
        let body = tokio::time::timeout(timeout, fetch(&url))
            .await
            .map_err(|_| format!("no answer within {}", humantime::format_duration(timeout)))??;
        let answer: serde_json::Value = serde_json::from_slice(&body).map_err(|_| "the answer is not JSON".to_string())?;
        if answer["status"] != "success" {
            let error: String =
                answer["error"].as_str().unwrap_or("no error given").lines().next().unwrap_or_default().chars().take(300).collect();
            return Err(format!("Prometheus answered {}: {error}", answer["status"].as_str().unwrap_or("without a status")));
        }
        Ok(answer["data"].clone())
    }
}

async fn fetch(url: &Url) -> Result<Bytes, String> {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await.map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let request = hyper::Request::get(&url[url::Position::BeforePath..])
        .header(hyper::header::HOST, url.authority())
        .header(hyper::header::ACCEPT, "application/json")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    if url.scheme() == "https" {
        let tls = tls_config()?;
        let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|_| format!("'{host}' is not a valid server name"))?;
        let stream = tokio_rustls::TlsConnector::from(tls).connect(name, tcp).await.map_err(|e| format!("TLS with {host}: {e}"))?;
        send(TokioIo::new(stream), request).await
    } else {
        send(TokioIo::new(tcp), request).await
    }
}

async fn send<S>(io: S, request: hyper::Request<Empty<Bytes>>) -> Result<Bytes, String>
where
    S: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await.map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let response = sender.send_request(request).await.map_err(|e| format!("the request failed: {e}"))?;
    let status = response.status();
    let body = Limited::new(response.into_body(), MOST_BYTES).collect().await.map_err(|e| format!("reading the answer: {e}"))?.to_bytes();
    // The API answers errors with JSON bodies too (400, 422, 503); other statuses are not the API.
    if !status.is_success() && !matches!(status.as_u16(), 400 | 422 | 503) {
        return Err(format!("answered HTTP {status}"));
    }
    Ok(body)
}

fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_their_prefix_and_refuse_credentials() {
        let api = PrometheusApi::new(parse_url("http://prom.internal:9090/prometheus/").unwrap());
        assert_eq!(
            api.url("/api/v1/query", &[("query", "up{job=\"neo4j\"}")]).as_str(),
            "http://prom.internal:9090/prometheus/api/v1/query?query=up%7Bjob%3D%22neo4j%22%7D"
        );
        let refused = parse_url("http://admin:hunter2@prom:9090").unwrap_err();
        assert!(!refused.contains("hunter2"), "{refused}");
        assert!(parse_url("ftp://prom").is_err());
        assert!(parse_url("http://prom:9090/?token=s3cret").unwrap_err().contains("without a query"));
    }
}
