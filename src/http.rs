//! The HTTP surface: a landing page with the status summary, the telemetry path, `/healthz`
//! and `/ready`.
//! Handlers only read what the scheduler has already collected; none of them talks to Neo4j.

use std::sync::Arc;

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::exposition::Exposition;
use crate::probe::{ProbeError, Prober};
use crate::scheduler::Scheduler;
use crate::snapshot::CONTENT_TYPE;
use crate::views::page;

#[derive(Clone)]
struct AppState {
    scheduler: Arc<Scheduler>,
    exposition: Arc<Exposition>,
    prober: Arc<Prober>,
    telemetry_path: Arc<str>,
}

pub fn router(scheduler: Arc<Scheduler>, prober: Arc<Prober>, telemetry_path: &str) -> Router {
    let exposition = Arc::new(Exposition::new(scheduler.clone()));
    let state = AppState { scheduler, exposition, prober, telemetry_path: telemetry_path.into() };
    Router::new()
        .route("/", get(landing))
        .route(telemetry_path, get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/ready", get(ready))
        .route("/probe", get(probe))
        .with_state(state)
}

/// `/probe?target=<bolt uri>&module=<name>`: refused with 400 before any connection when the
/// target is not allowed or the module unknown.
async fn probe(State(state): State<AppState>, Query(params): Query<HashMap<String, String>>) -> Response {
    let prober = &state.prober;
    let target = params.get("target").map(String::as_str);
    let module_name = params.get("module").map_or("default", String::as_str);
    match prober.admit(target, Some(module_name)) {
        Err(error) => {
            let status = if error == ProbeError::NotConfigured { StatusCode::NOT_FOUND } else { StatusCode::BAD_REQUEST };
            (status, format!("{error}\n")).into_response()
        }
        Ok((target, module)) => match prober.probe(&target, module_name, module).await {
            Ok(body) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response(),
            Err(busy) => (StatusCode::SERVICE_UNAVAILABLE, format!("{busy}\n")).into_response(),
        },
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], state.exposition.bytes()).into_response()
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
