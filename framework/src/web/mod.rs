//! Every HTTP face of the adapter beside the gateways' own endpoints: the preview pages
//! ([`preview`]), the operator page ([`operator`]) and the probes (`/healthz`, `/readyz`,
//! `/metrics`: [`probes`]). This layer sits on top: it reads the exchange, the store and
//! the metrics; nothing below imports it.

pub mod operator;
pub mod preview;
pub mod probes;
mod scrape;

use axum::Router;
use tokio::sync::mpsc;

use crate::exchange::Exchange;

/// Every HTTP face of `exchange`'s configuration: the probes always, the operator page
/// when enabled, the preview pages when a sign-in is configured. A face that cannot
/// start is logged and left out; the others are served. `decided` is told after each
/// preview decision.
pub async fn router(exchange: &Exchange, decided: mpsc::UnboundedSender<()>) -> Router {
    let mut app = probes::router(exchange);
    let operator = &exchange.config().operator;
    if operator.enabled {
        match operator.token.as_ref().map(|t| t.resolve()).transpose() {
            Ok(token) => {
                app = app.merge(operator::router(
                    exchange.clone(),
                    token.map(|t| t.expose().to_owned()),
                ));
            }
            Err(e) => {
                tracing::error!(error = %e, "operator.token cannot be read: the operator page is not served");
            }
        }
    }
    match preview::space(exchange, decided).await {
        Ok(Some(preview)) => app.merge(preview),
        Ok(None) => {
            tracing::warn!(
                "preview.authentication is not configured: preview pages are not served"
            );
            app
        }
        Err(e) => {
            tracing::error!(error = %e, "the preview space cannot start: preview pages are not served");
            app
        }
    }
}
