//! The endpoint Domibus pushes notifications to (`POST /domibus/notifications`).
//!
//! Domibus calls it (rule `wsplugin.push.rules.<rule>.endpoint`) with a SOAP 1.2 body in
//! the backend namespace `eu.domibus`. We answer as soon as the notification is queued,
//! so a slow exchange never costs a lost notification:
//! - 200 + empty SOAP envelope when queued;
//! - 401 without valid Basic credentials (compared in constant time);
//! - 400 on a body we cannot read (Domibus retries a 500 with the same body, in vain);
//! - 503 when the queue is full or closed (a retry later may succeed).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use super::config::PushAuth;
use super::soap;
use crate::Notification;
use crate::xml;

/// Path Domibus is configured to push to.
pub const PUSH_PATH: &str = "/domibus/notifications";
/// Largest notification body accepted; notifications are a few hundred bytes.
const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
struct PushState {
    auth: PushAuth,
    tx: mpsc::Sender<Notification>,
}

/// Router serving `POST /domibus/notifications`; notifications go to `tx`.
pub fn router(cfg: PushAuth, tx: mpsc::Sender<Notification>) -> Router {
    if cfg.username.is_empty() || cfg.password.is_empty() {
        tracing::warn!("push endpoint has no credentials configured: every call will be refused");
    }
    Router::new()
        .route(PUSH_PATH, post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(PushState { auth: cfg, tx })
}

async fn receive(State(state): State<PushState>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&state.auth, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"domibus-notifications\""),
            )],
        )
            .into_response();
    }
    let notification = match std::str::from_utf8(&body)
        .map_err(|_| "body is not UTF-8".to_string())
        .and_then(parse_notification)
    {
        Ok(n) => n,
        Err(why) => {
            tracing::warn!(reason = %why, "unreadable push notification refused");
            return (StatusCode::BAD_REQUEST, why).into_response();
        }
    };
    match state.tx.try_send(notification) {
        Ok(()) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, soap::SOAP12_CONTENT_TYPE)],
            soap::envelope("", ""),
        )
            .into_response(),
        Err(TrySendError::Full(_)) => {
            tracing::warn!("notification queue full: asking Domibus to retry");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        Err(TrySendError::Closed(_)) => {
            tracing::warn!("notification queue closed: asking Domibus to retry");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Basic credentials match the configured ones (constant time; fails closed when none
/// are configured).
fn authorized(auth: &PushAuth, headers: &HeaderMap) -> bool {
    if auth.username.is_empty() || auth.password.is_empty() {
        return false;
    }
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then_some(rest.trim())
        })
    else {
        return false;
    };
    let Ok(decoded) = BASE64.decode(encoded) else {
        return false;
    };
    let Some(colon) = decoded.iter().position(|b| *b == b':') else {
        return false;
    };
    let (user, pass) = (&decoded[..colon], &decoded[colon + 1..]);
    let user_ok = user.ct_eq(auth.username.as_bytes());
    let pass_ok = pass.ct_eq(auth.password.expose().as_bytes());
    bool::from(user_ok & pass_ok)
}

/// Reads one push call. The operation element must be in the backend namespace
/// `eu.domibus` (or the WS plugin's, which some test doubles use); children are read
/// by local name since they are unqualified.
pub fn parse_notification(text: &str) -> Result<Notification, String> {
    let doc = soap::parse(text, MAX_BODY_BYTES).map_err(|e| e.to_string())?;
    let op = soap::body_element(&doc).map_err(|e| e.to_string())?;
    let ns = op.tag_name().namespace().unwrap_or_default();
    if ns != soap::BACKEND_NS && ns != soap::WSPLUGIN_NS {
        return Err(format!("unexpected namespace {ns:?}"));
    }
    let name = op.tag_name().name();
    let message_id = || {
        xml::unqualified_child(op, "messageID")
            .and_then(xml::text)
            .ok_or_else(|| format!("{name} without messageID"))
    };
    Ok(match name {
        "receiveSuccess" => Notification::Received(message_id()?),
        "sendSuccess" => Notification::SendSuccess(message_id()?),
        "sendFailure" => Notification::SendFailure(message_id()?),
        "messageStatusChange" => Notification::StatusChange {
            message_id: message_id()?,
            status: xml::unqualified_child(op, "messageStatus")
                .and_then(xml::text)
                .ok_or("messageStatusChange without messageStatus")?,
        },
        other => Notification::Other(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(op: &str, ns: &str, inner: &str) -> String {
        soap::envelope(
            "",
            &format!("<ns2:{op} xmlns:ns2=\"{ns}\">{inner}</ns2:{op}>"),
        )
    }

    #[test]
    fn reads_every_notification_kind() {
        let id = "<messageID> 45fa@oots.eu </messageID>";
        assert_eq!(
            parse_notification(&push("receiveSuccess", "eu.domibus", id)),
            Ok(Notification::Received("45fa@oots.eu".into()))
        );
        assert_eq!(
            parse_notification(&push("sendSuccess", "eu.domibus", id)),
            Ok(Notification::SendSuccess("45fa@oots.eu".into()))
        );
        assert_eq!(
            parse_notification(&push("sendFailure", "http://eu.domibus.wsplugin/", id)),
            Ok(Notification::SendFailure("45fa@oots.eu".into()))
        );
        assert_eq!(
            parse_notification(&push(
                "messageStatusChange",
                "eu.domibus",
                "<messageID>8a1c@oots.eu</messageID><messageStatus>WAITING_FOR_RETRY</messageStatus>"
            )),
            Ok(Notification::StatusChange {
                message_id: "8a1c@oots.eu".into(),
                status: "WAITING_FOR_RETRY".into()
            })
        );
        assert_eq!(
            parse_notification(&push(
                "deleteBatch",
                "eu.domibus",
                "<messageID>a</messageID><messageID>b</messageID>"
            )),
            Ok(Notification::Other("deleteBatch".into()))
        );
    }

    #[test]
    fn refuses_unreadable_bodies() {
        assert!(parse_notification("pas du xml <").is_err());
        assert!(parse_notification(&push("receiveSuccess", "eu.domibus", "")).is_err());
        assert!(
            parse_notification(&push(
                "receiveSuccess",
                "urn:other",
                "<messageID>a</messageID>"
            ))
            .is_err()
        );
        assert!(parse_notification(&soap::envelope("", "")).is_err());
    }

    #[test]
    fn basic_auth_is_checked() {
        let auth = PushAuth::new("domibus", "s3cret");
        let mut h = HeaderMap::new();
        assert!(!authorized(&auth, &h));
        let good = format!("Basic {}", BASE64.encode("domibus:s3cret"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&good).unwrap());
        assert!(authorized(&auth, &h));
        let bad = format!("Basic {}", BASE64.encode("domibus:s3creT"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&bad).unwrap());
        assert!(!authorized(&auth, &h));
        // No credentials configured: refuse even an empty pair.
        let none = PushAuth::new("", "");
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {}", BASE64.encode(":"))).unwrap(),
        );
        assert!(!authorized(&none, &h));
    }
}
