//! Basic auth against the bcrypt hashes of the web configuration file, with a short memory of
//! credentials that passed, so a scrape every few seconds costs one bcrypt check a minute.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::queue::BoundedQueue;

use super::config::Problem;

/// The answer to a request without the right credentials names the realm they are for.
const CHALLENGE: &str = "Basic realm=\"neo4j-migration-exporter\"";

/// Probes answer without credentials: they reveal nothing, and kubelets carry no password.
const OPEN_PATHS: &[&str] = &["/healthz", "/ready"];

/// How long a successful password check is trusted. A bcrypt check costs tens of
/// milliseconds of CPU and Prometheus scrapes every few seconds with the same credentials.
const VERIFIED_FOR: Duration = Duration::from_secs(60);

/// bcrypt checks run at once: the cores of a small machine.
const CHECKS_AT_ONCE: usize = 2;

/// bcrypt checks running or waiting beyond which unknown credentials are refused at once.
const MOST_CHECKS_WAITING: usize = 8;

/// Most remembered verifications; only right passwords are remembered, so a full cache means
/// many real users, and forgetting them costs one bcrypt check each.
const VERIFIED_CAPACITY: usize = 256;

pub(super) struct BasicAuth {
    /// User name to bcrypt hash.
    users: BTreeMap<String, String>,
    /// Checked against when the user is unknown, so that a wrong name costs as long as a
    /// wrong password and response times do not tell which names exist.
    decoy: String,
    /// Mixed into fingerprints so that remembered verifications cannot be checked offline
    /// against guessed passwords.
    key: [u8; 32],
    verified: Mutex<Verified>,
    /// Places for bcrypt checks running at once, so that a flood of wrong passwords uses no
    /// more than this many cores.
    checks: Semaphore,
    /// Checks running or waiting for a place; past [`MOST_CHECKS_WAITING`] a request with
    /// unknown credentials is refused at once instead of queueing.
    waiting: BoundedQueue,
}

/// Fingerprints of credentials that passed a bcrypt check, and when.
#[derive(Default)]
struct Verified(HashMap<[u8; 32], Instant>);

impl BasicAuth {
    pub(super) fn new(users: BTreeMap<String, String>) -> Result<Self, Problem> {
        let decoy = users.values().next().cloned().unwrap_or_default();
        let mut key = [0u8; 32];
        rustls::crypto::ring::default_provider().secure_random.fill(&mut key).map_err(|_| Problem::NoRandomness)?;
        Ok(BasicAuth {
            users,
            decoy,
            key,
            verified: Mutex::default(),
            checks: Semaphore::new(CHECKS_AT_ONCE),
            waiting: BoundedQueue::new(MOST_CHECKS_WAITING),
        })
    }

    /// Whether the request carries the name and password of a configured user.
    pub(super) async fn admits(&self, headers: &HeaderMap) -> bool {
        let Some((user, password)) = credentials(headers) else { return false };
        let fingerprint = self.fingerprint(&user, &password);
        let now = Instant::now();
        if self.remembered().contains(&fingerprint, now) {
            // Each use renews it: a scraper that comes back within the minute never waits
            // for bcrypt again, whatever floods the port meanwhile.
            self.remembered().insert(fingerprint, now);
            return true;
        }
        let Some(_in_line) = self.waiting.join() else { return false };
        let known = self.users.get(&user);
        let hash = known.unwrap_or(&self.decoy).clone();
        let matches = {
            let _place = self.checks.acquire().await;
            // bcrypt is deliberately slow: it runs off the async workers so other requests go on.
            tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false)).await.unwrap_or(false)
        };
        let admitted = matches && known.is_some();
        if admitted {
            self.remembered().insert(fingerprint, Instant::now());
        }
        admitted
    }

    fn fingerprint(&self, user: &str, password: &[u8]) -> [u8; 32] {
        let mut digest = Sha256::new();
        digest.update(self.key);
        digest.update((user.len() as u64).to_le_bytes());
        digest.update(user.as_bytes());
        digest.update(password);
        digest.finalize().into()
    }

    fn remembered(&self) -> MutexGuard<'_, Verified> {
        // The map stays consistent whatever panicked while holding it.
        self.verified.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Verified {
    fn contains(&self, fingerprint: &[u8; 32], now: Instant) -> bool {
        self.0.get(fingerprint).is_some_and(|at| now.duration_since(*at) < VERIFIED_FOR)
    }

    fn insert(&mut self, fingerprint: [u8; 32], now: Instant) {
        if self.0.len() >= VERIFIED_CAPACITY {
            self.0.retain(|_, at| now.duration_since(*at) < VERIFIED_FOR);
        }
        if self.0.len() >= VERIFIED_CAPACITY {
            self.0.clear();
        }
        self.0.insert(fingerprint, now);
    }
}

/// The user name and password of an `Authorization: Basic` header.
fn credentials(headers: &HeaderMap) -> Option<(String, Vec<u8>)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    let user = String::from_utf8(decoded[..colon].to_vec()).ok()?;
    Some((user, decoded[colon + 1..].to_vec()))
}

pub(super) fn needs_credentials(path: &str) -> bool {
    !OPEN_PATHS.contains(&path)
}

pub(super) fn unauthorized() -> Response<Body> {
    let mut response = Response::new(Body::from("401 Unauthorized\n"));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_from_a_basic_authorization_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(credentials(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic YWxpY2U6b3BlbjpzZXNhbWU="));
        assert_eq!(credentials(&headers), Some(("alice".into(), b"open:sesame".to_vec())));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer YWxpY2U6b3BlbjpzZXNhbWU="));
        assert_eq!(credentials(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic not-base64!"));
        assert_eq!(credentials(&headers), None);
    }

    #[test]
    fn probes_are_the_only_open_paths() {
        assert!(!needs_credentials("/healthz"));
        assert!(!needs_credentials("/ready"));
        for path in ["/", "/metrics", "/healthz/", "/ready/x", "/nothing"] {
            assert!(needs_credentials(path), "{path}");
        }
    }

    #[tokio::test]
    async fn right_passwords_are_admitted_and_remembered_by_fingerprint_only() {
        let auth = BasicAuth::new(BTreeMap::from([("alice".to_string(), bcrypt::hash("s3cret", 4).unwrap())])).unwrap();
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            let encoded = base64::engine::general_purpose::STANDARD.encode(value);
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Basic {encoded}")).unwrap());
            headers
        };
        assert!(!auth.admits(&with("alice:wrong")).await);
        assert!(!auth.admits(&with("bob:s3cret")).await);
        assert!(auth.remembered().0.is_empty(), "failures are not remembered");
        assert!(auth.admits(&with("alice:s3cret")).await);
        assert!(auth.remembered().contains(&auth.fingerprint("alice", b"s3cret"), Instant::now()));
        assert!(auth.admits(&with("alice:s3cret")).await);
        assert_eq!(auth.remembered().0.len(), 1);
    }

    #[test]
    fn remembered_verifications_expire_and_stay_bounded() {
        let mut verified = Verified::default();
        let start = Instant::now();
        verified.insert([1; 32], start);
        assert!(verified.contains(&[1; 32], start + VERIFIED_FOR / 2));
        assert!(!verified.contains(&[1; 32], start + VERIFIED_FOR));
        for n in 0..VERIFIED_CAPACITY * 2 {
            let mut fingerprint = [0u8; 32];
            fingerprint[..8].copy_from_slice(&(n as u64).to_le_bytes());
            verified.insert(fingerprint, start);
        }
        assert!(verified.0.len() <= VERIFIED_CAPACITY);
    }
}
