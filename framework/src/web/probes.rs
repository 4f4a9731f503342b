//! The probes an orchestrator and a monitoring system read: `/healthz` (liveness and
//! the mapping generation), `/readyz` (the state store takes writes; its body also names
//! an access point that refuses our answers) and `/metrics`
//! (Prometheus text; a store that does not answer within its budget shows as
//! `oots_store_up 0`, see [`super::scrape`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

use super::scrape::StoreScrape;
use crate::exchange::Exchange;
use crate::store::Lifecycle;

/// The three probe routes of `exchange`.
pub fn router(exchange: &Exchange) -> Router {
    let health_gens = exchange.generations().clone();
    let metrics_gens = exchange.generations().clone();
    let ready_store = exchange.store().clone();
    let ready_ex = exchange.clone();
    let metrics_ex = exchange.clone();
    let store_scrape = Arc::new(StoreScrape::default());
    Router::new()
        .route(
            "/healthz",
            get(move || {
                let g = health_gens.clone();
                async move {
                    axum::Json(serde_json::json!({
                        "status": "ok",
                        "mappings": g.status(),
                    }))
                }
            }),
        )
        .route(
            "/readyz",
            get(move || {
                let store = ready_store.clone();
                let ex = ready_ex.clone();
                async move {
                    let (code, mut body) = readiness(store.as_ref()).await;
                    // Still ready (requests are taken, answers wait in the outbox), but said.
                    if let Some(problem) = ex.metrics().gateway().problem() {
                        body.push('\n');
                        body.push_str(&problem);
                    }
                    (code, body)
                }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let g = metrics_gens.clone();
                let ex = metrics_ex.clone();
                let scrape = store_scrape.clone();
                async move {
                    let own = scrape.render(ex.store().as_ref(), ex.metrics()).await;
                    format!("{}{own}", g.metrics())
                }
            }),
        )
}

/// `/readyz`: 200 while the state store takes writes; 503 otherwise, so a load balancer
/// sends nothing here and nothing is acknowledged.
async fn readiness(store: &dyn Lifecycle) -> (StatusCode, String) {
    match tokio::time::timeout(Duration::from_secs(2), store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready".to_owned()),
        Ok(Err(e)) => {
            tracing::warn!(code = e.code(), error = %e, "not ready: the state store refuses writes");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {}", e.code()),
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: STORE_TIMEOUT".to_owned(),
        ),
    }
}
