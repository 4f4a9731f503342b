//! The WS plugin's HTTP face: Basic auth, the SOAP envelope read with the hardened
//! reader, and each operation passed to its handler ([`super::submit`], [`super::inbox`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use oots_as4::domibus::soap::{self, FaultSide};
use subtle::ConstantTimeEq;

use super::inbox::{get_status, list_pending, mark_downloaded, retrieve};
use super::reply::{Answer, fault, ok};
use super::submit::submit;
use super::{MAX_REQUEST_BYTES, SimState, SimulatorConfig};

/// One WS plugin call: the answer to it, as Domibus's HTTP response.
pub(super) async fn handle(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (status, envelope) = answer(&state, &headers, &body);
    (
        status,
        [(header::CONTENT_TYPE, soap::SOAP12_CONTENT_TYPE)],
        envelope,
    )
        .into_response()
}

/// Checks the caller and the envelope, then runs the operation the body names.
fn answer(state: &Arc<SimState>, headers: &HeaderMap, body: &[u8]) -> Answer {
    if !authorized(&state.cfg, headers) {
        return fault(
            FaultSide::Sender,
            "Authentication failed",
            "WS_PLUGIN:0002",
            "Invalid or missing plugin user credentials",
        );
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0007",
            "Body is not UTF-8",
        );
    };
    let doc = match soap::parse(text, MAX_REQUEST_BYTES) {
        Ok(doc) => doc,
        Err(e) => {
            return fault(
                FaultSide::Sender,
                "Invalid request",
                "WS_PLUGIN:0007",
                &e.to_string(),
            );
        }
    };
    let Ok(op) = soap::body_element(&doc) else {
        return fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0007",
            "Empty SOAP body",
        );
    };
    if op.tag_name().namespace() != Some(soap::WSPLUGIN_NS) {
        return fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0001",
            "Unknown operation",
        );
    }
    match op.tag_name().name() {
        "submitRequest" => submit(state, &doc, op),
        "retrieveMessageRequest" => retrieve(state, op),
        "markMessageAsDownloadedRequest" => mark_downloaded(state, op),
        "listPendingMessagesRequest" => ok(list_pending(state)),
        "statusRequest" => get_status(state, op),
        _ => fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0001",
            "Unknown operation",
        ),
    }
}

/// True when the request's Basic credentials are the plugin user's (constant time).
fn authorized(cfg: &SimulatorConfig, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = BASE64.decode(value.trim()) else {
        return false;
    };
    let expected = format!("{}:{}", cfg.username, cfg.password);
    bool::from(decoded.as_slice().ct_eq(expected.as_bytes()))
}
