//! Domibus's push calls to the backend (`receiveSuccess` for delivered messages,
//! `sendSuccess` for submitted ones): a few tries with back-off, a bounded number in
//! flight, as a Domibus push rule would.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use oots_as4::domibus::soap;
use oots_edm::escape_text;

use super::{PUSH_ATTEMPTS, SimState};

/// Pushes one notification with a few retries, as a Domibus push rule would.
pub(super) fn spawn_push(state: Arc<SimState>, operation: &'static str, message_id: String) {
    let Some(endpoint) = state.cfg.push_endpoint.clone() else {
        return;
    };
    let envelope = soap::envelope(
        "",
        &format!(
            "<ns2:{operation} xmlns:ns2=\"{}\"><messageID>{}</messageID></ns2:{operation}>",
            soap::BACKEND_NS,
            escape_text(&message_id)
        ),
    );
    tokio::spawn(async move {
        for attempt in 1..=PUSH_ATTEMPTS {
            let Ok(slot) = state.pushes.clone().acquire_owned().await else {
                return;
            };
            let mut req = state
                .http
                .post(&endpoint)
                .header(header::CONTENT_TYPE.as_str(), soap::SOAP12_CONTENT_TYPE)
                .body(envelope.clone());
            if !state.cfg.push_username.is_empty() {
                req = req.basic_auth(&state.cfg.push_username, Some(&state.cfg.push_password));
            }
            let outcome = tokio::select! {
                r = req.send() => r,
                () = state.cancel.cancelled() => return,
            };
            drop(slot);
            match outcome {
                Ok(resp) if resp.status().is_success() => return,
                // Like Domibus: a 4xx will not get better by retrying the same body.
                Ok(resp) if resp.status().is_client_error() => {
                    tracing::warn!(
                        operation,
                        status = resp.status().as_u16(),
                        "simulator push refused"
                    );
                    return;
                }
                Ok(resp) => {
                    tracing::warn!(
                        operation,
                        attempt,
                        status = resp.status().as_u16(),
                        "simulator push failed"
                    )
                }
                Err(e) => tracing::warn!(operation, attempt, error = %e, "simulator push failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))) => {}
                () = state.cancel.cancelled() => return,
            }
        }
    });
}
