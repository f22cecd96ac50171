//! The HTTP surface: a landing page with the status summary, the telemetry path, `/healthz`
//! and `/ready`.
//! Handlers only read what the scheduler has already collected; none of them talks to Neo4j.

use std::sync::Arc;

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::config::WebConfig;
use crate::exposition::{self, Exposition};
use crate::probe::{ProbeError, Prober};
use crate::scheduler::Scheduler;
use crate::snapshot::{self, Format};
use crate::views::page;

#[derive(Clone)]
struct AppState {
    scheduler: Arc<Scheduler>,
    exposition: Arc<Exposition>,
    prober: Arc<Prober>,
    telemetry_path: Arc<str>,
}

pub fn router(scheduler: Arc<Scheduler>, prober: Arc<Prober>, web: &WebConfig) -> Router {
    let exposition = Arc::new(Exposition::new(scheduler.clone(), !web.disable_exporter_metrics));
    let state = AppState { scheduler, exposition, prober, telemetry_path: web.telemetry_path.as_str().into() };
    Router::new()
        .route("/", get(landing))
        .route(&web.telemetry_path, get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/ready", get(ready))
        .route("/probe", get(probe))
        .with_state(state)
}

/// `/probe?target=<bolt uri>&module=<name>`: refused with 400 before any connection when the
/// target is not allowed or the module unknown.
async fn probe(State(state): State<AppState>, headers: HeaderMap, Query(params): Query<HashMap<String, String>>) -> Response {
    let prober = &state.prober;
    let target = params.get("target").map(String::as_str);
    let module_name = params.get("module").map_or("default", String::as_str);
    match prober.admit(target, Some(module_name)) {
        Err(error) => {
            let status = if error == ProbeError::NotConfigured { StatusCode::NOT_FOUND } else { StatusCode::BAD_REQUEST };
            (status, format!("{error}\n")).into_response()
        }
        Ok((target, module)) => match prober.probe(&target, module_name, module).await {
            Ok(families) => {
                let format = Format::negotiate(header_text(&headers, header::ACCEPT));
                let mut body = Vec::new();
                snapshot::render_as(format, &families, &mut body);
                if format == Format::OpenMetrics {
                    body.extend_from_slice(snapshot::OPENMETRICS_EOF);
                }
                ([(header::CONTENT_TYPE, format.content_type())], body).into_response()
            }
            Err(busy) => (StatusCode::SERVICE_UNAVAILABLE, format!("{busy}\n")).into_response(),
        },
    }
}

/// The exposition in the format the `Accept` header asks for, gzip-compressed when the
/// scraper accepts it.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let format = Format::negotiate(header_text(&headers, header::ACCEPT));
    let gzip = exposition::accepts_gzip(header_text(&headers, header::ACCEPT_ENCODING));
    let body = state.exposition.bytes(format, gzip);
    let vary = (header::VARY, "Accept, Accept-Encoding");
    if gzip {
        ([(header::CONTENT_TYPE, format.content_type()), (header::CONTENT_ENCODING, "gzip"), vary], body).into_response()
    } else {
        ([(header::CONTENT_TYPE, format.content_type()), vary], body).into_response()
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn ready(State(state): State<AppState>) -> Response {
    if state.scheduler.is_ready() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "waiting for the first poll cycle\n").into_response()
    }
}

async fn landing(State(state): State<AppState>) -> Html<String> {
    Html(page::render(&state.scheduler.report(), env!("CARGO_PKG_VERSION"), &state.telemetry_path))
}
