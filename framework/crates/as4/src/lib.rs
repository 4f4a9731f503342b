//! Gateways carry EDM messages to and from the eDelivery network.
//!
//! A [`Gateway`] only moves messages: it fetches what the access point received, confirms
//! it once stored, and submits answers. What to answer is the exchange's business. The
//! first implementation is the Domibus WS plugin ([`domibus::DomibusWsPlugin`]); an
//! in-process fake of it, for demos and tests, is in the `oots-devkit` crate.
//! The native AS4 access point is [`as4`]; [`tls`] is the adapter's own https listener
//! and the certificate revocation lists the AS4 trust store reads.
//!
//! The framework re-exports this crate as `oots_framework::gateway` (and [`tls`] as
//! `oots_framework::tls`).

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod as4;
pub mod domibus;
pub mod ebms;
pub mod tls;
mod xml;

use std::fmt::Debug;

use async_trait::async_trait;

/// One payload (MIME part) of a message.
#[derive(Clone, PartialEq, Eq)]
pub struct Payload {
    /// Content id without the `cid:` scheme, as referenced by `eb:PartInfo/@href`.
    pub content_id: String,
    /// Its media type (`Content-Type`).
    pub mime_type: String,
    /// Its bytes, decompressed and decrypted.
    pub bytes: Vec<u8>,
}

impl Debug for Payload {
    // Payloads hold personal data: show their shape, never their content.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payload")
            .field("content_id", &self.content_id)
            .field("mime_type", &self.mime_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

// The journal records digests of the parts exchanged (`store::proof::parts`).
impl oots_store::proof::Part for Payload {
    fn content_id(&self) -> &str {
        &self.content_id
    }
    fn mime_type(&self) -> &str {
        &self.mime_type
    }
    fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A message received from the network, as fetched from the access point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// The ebMS header.
    pub header: ebms::UserMessage,
    /// The payloads, in the order received.
    pub payloads: Vec<Payload>,
}

impl InboundMessage {
    /// The payload with this content id (`cid:` optional, compared case-insensitively
    /// like Domibus does).
    pub fn payload(&self, cid: &str) -> Option<&Payload> {
        let cid = ebms::strip_cid(cid);
        self.payloads
            .iter()
            .find(|p| p.content_id.eq_ignore_ascii_case(cid))
    }

    /// The RegRep business document: the part whose MIME type is
    /// `application/x-ebrs+xml`, from the payload itself or its `PartInfo` `MimeType`.
    pub fn regrep_payload(&self) -> Option<&Payload> {
        self.payloads
            .iter()
            .find(|p| is_ebrs(&p.mime_type))
            .or_else(|| {
                self.header
                    .parts
                    .iter()
                    .filter(|part| part.mime_type().is_some_and(is_ebrs))
                    .find_map(|part| self.payload(part.content_id()))
            })
    }
}

fn is_ebrs(mime: &str) -> bool {
    mime.split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(ebms::MIME_EBRS))
}

/// A message to send to the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// The ebMS header.
    pub header: ebms::UserMessage,
    /// The payloads, in the order to send.
    pub payloads: Vec<Payload>,
}

impl OutboundMessage {
    /// The message as the outbox keeps it until it is sent: the header XML and every
    /// payload, so a resend after a crash carries exactly the decided answer.
    pub fn to_outbox(&self) -> Vec<u8> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        serde_json::json!({
            "header": self.header.to_xml(),
            "payloads": self.payloads.iter().map(|p| serde_json::json!({
                "content_id": p.content_id,
                "mime_type": p.mime_type,
                "bytes": b64.encode(&p.bytes),
            })).collect::<Vec<_>>(),
        })
        .to_string()
        .into_bytes()
    }

    /// Reads back what [`OutboundMessage::to_outbox`] wrote.
    pub fn from_outbox(bytes: &[u8]) -> Result<Self, GatewayError> {
        use base64::Engine as _;
        #[derive(serde::Deserialize)]
        struct Part {
            content_id: String,
            mime_type: String,
            bytes: String,
        }
        #[derive(serde::Deserialize)]
        struct Stored {
            header: String,
            payloads: Vec<Part>,
        }
        let bad = |e: &dyn std::fmt::Display| GatewayError::Malformed(format!("outbox entry: {e}"));
        let stored: Stored = serde_json::from_slice(bytes).map_err(|e| bad(&e))?;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(Self {
            header: ebms::UserMessage::from_xml(&stored.header).map_err(|e| bad(&e))?,
            payloads: stored
                .payloads
                .into_iter()
                .map(|p| {
                    Ok(Payload {
                        content_id: p.content_id,
                        mime_type: p.mime_type,
                        bytes: b64.decode(p.bytes).map_err(|e| bad(&e))?,
                    })
                })
                .collect::<Result<_, GatewayError>>()?,
        })
    }
}

/// An event reported by the access point (push notification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A message arrived and waits to be retrieved.
    Received(String),
    /// A message we submitted was delivered (receipt obtained).
    SendSuccess(String),
    /// A message we submitted could not be delivered.
    SendFailure(String),
    /// A message changed status (e.g. `WAITING_FOR_RETRY`, `SEND_FAILURE`).
    StatusChange {
        /// The message concerned.
        message_id: String,
        /// Its new status.
        status: String,
    },
    /// Any other notification; carries the operation name (e.g. `receiveFailure`).
    Other(String),
}

/// Why a gateway operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The access point could not be reached (connection refused, timeout, TLS).
    #[error("access point unreachable: {0}")]
    Unreachable(String),
    /// The access point answered with an unexpected HTTP status and no SOAP fault.
    #[error("access point answered HTTP {status}")]
    Http {
        /// The HTTP status.
        status: u16,
    },
    /// The access point refused the call with a SOAP fault (e.g. `WS_PLUGIN:0009`).
    #[error("access point fault {code}: {message}")]
    Fault {
        /// The fault code.
        code: String,
        /// The fault reason.
        message: String,
    },
    /// The access point's answer could not be read.
    #[error("malformed answer from the access point: {0}")]
    Malformed(String),
    /// The access point refused our credentials.
    #[error("access point refused the credentials: {0}")]
    Auth(String),
    /// The gateway configuration is unusable (e.g. an invalid endpoint URL).
    #[error("invalid gateway configuration: {0}")]
    Config(String),
}

impl GatewayError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            GatewayError::Unreachable(_) => "gateway.unreachable",
            GatewayError::Http { .. } => "gateway.http",
            GatewayError::Fault { .. } => "gateway.fault",
            GatewayError::Malformed(_) => "gateway.malformed",
            GatewayError::Auth(_) => "gateway.auth",
            GatewayError::Config(_) => "gateway.config",
        }
    }

    /// The access point already has a message with this MessageId: a resend after a
    /// crash found the first send had arrived.
    pub fn is_duplicate(&self) -> bool {
        matches!(self, GatewayError::Fault { code, message }
            if code == "EBMS:0004" && message.to_ascii_lowercase().contains("already exists"))
    }

    /// True when retrying later may succeed (network trouble, server-side 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            GatewayError::Unreachable(_) => true,
            GatewayError::Http { status } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

impl From<ebms::EbmsError> for GatewayError {
    fn from(e: ebms::EbmsError) -> Self {
        GatewayError::Malformed(e.to_string())
    }
}

/// What follows a failed send attempt ([`Gateway::resend`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// The outbox's own doubling pause (`exchange.max_backoff_seconds`), without end:
    /// the access point behind the gateway keeps its own schedule (Domibus).
    Outbox,
    /// The gateway's schedule: the next attempt after this pause.
    After(std::time::Duration),
    /// The schedule ran out: the send failed for good (`EBMS:0301` MissingReceipt).
    GiveUp,
}

/// A submission the access point took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The message id the access point uses for it.
    pub message_id: String,
    /// The peer's signed receipt for it, the SOAP envelope as received, when the gateway
    /// itself obtained one (native AS4): the proof of delivery kept in the journal.
    pub receipt: Option<Vec<u8>>,
}

/// The access point seen from the backend (corner 4 of the four-corner model).
#[async_trait]
pub trait Gateway: Send + Sync + Debug {
    /// Short name for logs and metrics (e.g. `domibus-ws`).
    fn name(&self) -> &'static str;
    /// Fetches a received message. Must NOT mark it as downloaded: the caller
    /// acknowledges only after storing it durably (at-least-once delivery).
    async fn retrieve(&self, message_id: &str) -> Result<InboundMessage, GatewayError>;
    /// Marks a retrieved message as downloaded, after durable storage.
    async fn acknowledge(&self, message_id: &str) -> Result<(), GatewayError>;
    /// Submits a message; returns the message id the access point uses for it.
    async fn submit(&self, msg: &OutboundMessage) -> Result<String, GatewayError>;
    /// [`Gateway::submit`], with the peer's signed receipt when this gateway obtains one
    /// (Domibus keeps its receipts itself).
    async fn submit_confirmed(&self, msg: &OutboundMessage) -> Result<Submitted, GatewayError> {
        Ok(Submitted {
            message_id: self.submit(msg).await?,
            receipt: None,
        })
    }
    /// Ids of received messages not yet acknowledged (sweep after missed pushes).
    async fn pending(&self) -> Result<Vec<String>, GatewayError>;
    /// Whether a successful [`Gateway::submit`] already means delivered (the native AS4
    /// gateway returns only once a signed receipt came back); otherwise delivery is
    /// reported later (Domibus `sendSuccess`).
    fn confirms_delivery(&self) -> bool {
        false
    }
    /// Whether a message announced by a push ([`Notification::Received`]) is, as a
    /// rule, not stored yet and must be fetched (Domibus); the native AS4 endpoint
    /// announces messages it already stored.
    fn push_needs_retrieve(&self) -> bool {
        false
    }
    /// What follows when `failed` attempts to send `msg` failed. A gateway with its own
    /// schedule (the native AS4 gateway, per peer) makes one attempt per
    /// [`Gateway::submit`] and the outbox keeps the schedule durable.
    fn resend(&self, _msg: &OutboundMessage, _failed: u32) -> Resend {
        Resend::Outbox
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebms::{PartInfo, Party, Service, UserMessage};

    fn msg(payload_mime: &str) -> InboundMessage {
        let party = Party {
            party_id: "AP".into(),
            party_id_type: None,
            role: ebms::OOTS_ROLE.into(),
        };
        InboundMessage {
            header: UserMessage {
                mpc: None,
                message_id: "m".into(),
                timestamp: "t".into(),
                ref_to_message_id: None,
                from: party.clone(),
                to: party,
                service: Service::oots(),
                action: ebms::ACTION_EXECUTE_QUERY_REQUEST.into(),
                conversation_id: "c".into(),
                properties: vec![],
                parts: vec![
                    PartInfo::new("pdf@x", "application/pdf"),
                    PartInfo::new("Reg@X", ebms::MIME_EBRS),
                ],
            },
            payloads: vec![
                Payload {
                    content_id: "pdf@x".into(),
                    mime_type: "application/pdf".into(),
                    bytes: b"%PDF".to_vec(),
                },
                Payload {
                    content_id: "reg@x".into(),
                    mime_type: payload_mime.into(),
                    bytes: b"<q/>".to_vec(),
                },
            ],
        }
    }

    #[test]
    fn finds_payloads_by_cid_and_regrep_by_mime_type() {
        let m = msg("application/x-ebrs+xml; charset=UTF-8");
        assert_eq!(
            m.payload("cid:PDF@x").map(|p| p.bytes.as_slice()),
            Some(&b"%PDF"[..])
        );
        assert!(m.payload("nope").is_none());
        assert_eq!(
            m.regrep_payload().map(|p| p.content_id.as_str()),
            Some("reg@x")
        );
        // Payload typed generically: fall back to the PartInfo MimeType.
        let m = msg("application/octet-stream");
        assert_eq!(
            m.regrep_payload().map(|p| p.content_id.as_str()),
            Some("reg@x")
        );
    }

    #[test]
    fn payload_debug_hides_content() {
        let p = Payload {
            content_id: "a".into(),
            mime_type: "text/plain".into(),
            bytes: b"Jean Dupont".to_vec(),
        };
        let shown = format!("{p:?}");
        assert!(!shown.contains("Jean"), "{shown}");
        assert!(shown.contains("len: 11"));
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(GatewayError::Http { status: 502 }.code(), "gateway.http");
        assert!(GatewayError::Http { status: 502 }.is_transient());
        let fault = GatewayError::Fault {
            code: "WS_PLUGIN:0009".into(),
            message: "no message".into(),
        };
        assert_eq!(fault.code(), "gateway.fault");
        assert!(!fault.is_transient());
    }
}
