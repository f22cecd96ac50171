//! The accept loop: every connection within the bounds on requests, connections and slow
//! clients, through TLS and basic auth when the web configuration file asks for them.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use super::auth::{needs_credentials, unauthorized};
use super::connections::{Connections, Tracked};
use super::{WebConfigSource, WebSecurity};

/// How long a client may take over the TLS handshake before its connection is closed.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's headers; it also bounds how long an idle
/// connection stays open, since waiting for the next request is reading its headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Open connections allowed per place in `--web.max-requests`: enough for keep-alive clients
/// between scrapes, few enough that idle sockets cannot pile up.
pub const CONNECTIONS_PER_REQUEST: usize = 4;

/// How long a connection closed to make room may take to finish writing its last response.
const EVICTION_GRACE: Duration = Duration::from_secs(2);

/// What every connection task shares.
struct Shared {
    app: Router,
    security: Arc<WebConfigSource>,
    /// Places for requests being answered; a request waits for one.
    requests: Semaphore,
    connections: Mutex<Connections>,
}

impl Shared {
    fn connections(&self) -> MutexGuard<'_, Connections> {
        self.connections.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Serves `app` on `listener` until `stop` completes, then stops accepting, lets requests
/// being answered finish and returns once every connection is closed.
///
/// At most `max_requests` requests are answered at once (more wait), and at most
/// [`CONNECTIONS_PER_REQUEST`] times as many connections stay open: when that many are open,
/// an idle one is closed to make room, or, when none is idle, accepting waits.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    security: Arc<WebConfigSource>,
    max_requests: usize,
    stop: impl Future<Output = ()>,
) {
    let max_requests = max_requests.max(1);
    let shared = Arc::new(Shared {
        app,
        security,
        requests: Semaphore::new(max_requests),
        connections: Mutex::new(Connections::new(max_requests.saturating_mul(CONNECTIONS_PER_REQUEST))),
    });
    let (stopping, stop_seen) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(stop);
    'accepting: loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: give closing connections a moment.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            // Reaps finished connections so the set holds only open ones.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
        };
        let tracked = loop {
            let admitted = shared.connections().admit(Instant::now());
            let next_chance = match admitted {
                Ok(tracked) => break tracked,
                Err(next_chance) => next_chance,
            };
            // No open connection can be closed yet: this client waits rather than being
            // turned away, and later ones wait in the listen backlog, since nothing is
            // accepted meanwhile.
            let room = shared.connections().room.clone();
            let matured = async {
                match next_chance {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut stop => break 'accepting,
                () = room.notified() => {}
                () = matured => {}
            }
        };
        tasks.spawn(connection(stream, peer, shared.clone(), tracked, stop_seen.clone()));
    }
    drop(listener);
    stopping.send_replace(true);
    while tasks.join_next().await.is_some() {}
}

async fn connection(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>, tracked: Arc<Tracked>, mut stop: watch::Receiver<bool>) {
    let _open = Open { shared: shared.clone(), tracked: tracked.clone() };
    let _ = stream.set_nodelay(true);
    // Each connection is served with the configuration in force when it came in.
    let security = shared.security.current();
    let Some(acceptor) = security.tls.clone() else {
        return speak_http(stream, peer, &shared, security, &tracked, &mut stop).await;
    };
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
        if sends_plain_http(&stream).await {
            answer_plain_http_with_400(stream).await;
            return None;
        }
        Some(acceptor.accept(stream).await)
    });
    let tls = tokio::select! {
        done = handshake => match done {
            Ok(Some(Ok(tls))) => tls,
            Ok(None) => return,
            Ok(Some(Err(error))) => {
                tracing::debug!(%peer, %error, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(%peer, "TLS handshake timed out");
                return;
            }
        },
        () = stopped(&mut stop) => return,
        () = tracked.evict.notified() => return,
    };
    speak_http(tls, peer, &shared, security, &tracked, &mut stop).await
}

/// A TLS client opens with a handshake record (byte 0x16); an HTTP client with a method name.
async fn sends_plain_http(stream: &TcpStream) -> bool {
    let mut first = [0u8; 1];
    matches!(stream.peek(&mut first).await, Ok(1) if first[0].is_ascii_uppercase())
}

/// What exporter-toolkit (Go's net/http) answers plain HTTP on a TLS port with, instead of
/// TLS alert bytes a browser or curl cannot read.
async fn answer_plain_http_with_400(mut stream: TcpStream) {
    use tokio::io::AsyncWriteExt as _;
    let body = "Client sent an HTTP request to an HTTPS server.\n";
    let response = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

async fn speak_http<IO>(
    io: IO,
    peer: SocketAddr,
    shared: &Arc<Shared>,
    security: Arc<WebSecurity>,
    tracked: &Arc<Tracked>,
    stop: &mut watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = {
        let (shared, tracked) = (shared.clone(), tracked.clone());
        hyper::service::service_fn(move |request| answer(shared.clone(), security.clone(), tracked.clone(), request))
    };
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let conn = http.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let closing = tokio::select! {
        result = conn.as_mut() => return log_end(peer, result),
        () = stopped(stop) => None,
        () = tracked.evict.notified() => Some(EVICTION_GRACE),
    };
    // A connection that never got a whole request holds nothing worth waiting for; otherwise
    // hyper closes it once the response being answered or written is out.
    if !tracked.has_served() && !tracked.is_busy() {
        return;
    }
    conn.as_mut().graceful_shutdown();
    match closing {
        // Stopping: the daemon bounds the whole shutdown.
        None => log_end(peer, conn.await),
        Some(grace) => {
            if let Ok(result) = tokio::time::timeout(grace, conn).await {
                log_end(peer, result)
            }
        }
    }
}

fn log_end(peer: SocketAddr, result: Result<(), hyper::Error>) {
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    // A dropped sender also means the server is going away.
    let _ = stop.wait_for(|stopping| *stopping).await;
}

/// Paths whose handlers bound their own work, queueing included (`/probe` waits on other
/// servers): they take no place among `--web.max-requests`, so `/metrics` and `/healthz`
/// never queue behind them.
const SELF_BOUNDED_PATHS: &[&str] = &["/probe"];

async fn answer(
    shared: Arc<Shared>,
    security: Arc<WebSecurity>,
    tracked: Arc<Tracked>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let _busy = tracked.begin_request();
    // Credentials are checked before a place is taken: requests waiting for a password check
    // (a flood of wrong ones, say) then hold no place an authenticated scrape needs.
    if let Some(auth) = &security.auth {
        if needs_credentials(request.uri().path()) && !auth.admits(request.headers()).await {
            return Ok(unauthorized());
        }
    }
    let _place = match SELF_BOUNDED_PATHS.contains(&request.uri().path()) {
        true => None,
        false => Some(shared.requests.acquire().await),
    };
    let mut app = shared.app.clone();
    // A Router is always ready, so calling it without poll_ready is fine.
    let response = tower_service::Service::call(&mut app, request.map(Body::new)).await;
    Ok(response.unwrap_or_else(|never| match never {}))
}

/// Takes a connection out of the table when its task ends, however it ends.
struct Open {
    shared: Arc<Shared>,
    tracked: Arc<Tracked>,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.shared.connections().close(self.tracked.id);
    }
}
