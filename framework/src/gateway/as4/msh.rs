//! The native AS4 message service handler as a [`Gateway`]: peers push signed and
//! encrypted ebMS 3 messages to `POST /as4`; we verify, decrypt, decompress and store
//! each request durably before answering with a signed receipt (or an ebMS error
//! signal), then hand it to the service. Answers go out the same way, resent with the
//! same bytes until a receipt that acknowledges them comes back.
//!
//! Received messages are already in the state store when the service hears of them, so
//! `retrieve` has nothing to fetch and `acknowledge` nothing to confirm: AS4 has no
//! access-point inbox to empty.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::mpsc;

use super::pmode::PMode;
use super::signal::{self, Signal};
use super::wss::{self, Attachment, Policy, Seal, SignedReference};
use super::{compress, mime};
use crate::clock::edm_timestamp;
use crate::gateway::ebms::{self, Property};
use crate::gateway::{
    Gateway, GatewayError, InboundMessage, Notification, OutboundMessage, Payload,
};
use crate::store::Store;

/// Largest payload after decompression.
const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;
/// The test service of the ebMS core specification: acknowledged, never delivered.
const TEST_SERVICE: &str = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/service";
/// How many sent messages keep their sealed bytes for a resend.
const SENT_KEPT: usize = 1024;

/// A message as sent: resent byte for byte.
#[derive(Clone)]
struct Sent {
    content_type: String,
    body: Vec<u8>,
    references: Vec<SignedReference>,
}

/// The AS4 gateway.
pub struct As4Gateway {
    pmode: Arc<PMode>,
    store: Arc<dyn Store>,
    http: reqwest::Client,
    sent: Mutex<HashMap<String, Sent>>,
    /// Where every newly stored message also goes whole (all payloads, inflated): a
    /// requester's side, which reads evidence documents, not only the RegRep part.
    inbox: Option<mpsc::UnboundedSender<InboundMessage>>,
}

impl std::fmt::Debug for As4Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("As4Gateway")
            .field("party_id", &self.pmode.party_id)
            .field("peers", &self.pmode.peers.len())
            .finish_non_exhaustive()
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Why a received message is refused, as the ebMS error it is answered with.
struct Refused {
    code: &'static str,
    detail: String,
    ref_to: Option<String>,
}

impl Refused {
    fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            ref_to: None,
        }
    }
}

impl As4Gateway {
    pub fn new(pmode: Arc<PMode>, store: Arc<dyn Store>) -> Result<Self, GatewayError> {
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_millis(pmode.timeout_ms))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &pmode.tls_roots {
            for cert in reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| GatewayError::Config(format!("tls_roots: {e}")))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(identity) = &pmode.tls_identity {
            let identity = reqwest::Identity::from_pem(identity.expose().as_bytes())
                .map_err(|_| GatewayError::Config("tls_client_certificate: unusable".into()))?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|e| GatewayError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            pmode,
            store,
            http,
            sent: Mutex::new(HashMap::new()),
            inbox: None,
        })
    }

    /// Also hands every newly stored message, whole, to `inbox`.
    pub fn with_inbox(mut self, inbox: mpsc::UnboundedSender<InboundMessage>) -> Self {
        self.inbox = Some(inbox);
        self
    }

    /// `POST /as4`, the endpoint peers push to; each stored request is announced on `tx`.
    pub fn router(self: &Arc<Self>, tx: mpsc::Sender<Notification>) -> Router {
        Router::new()
            .route("/as4", post(receive))
            // axum's 2 MB default would refuse a message with a scanned certificate; the
            // MIME parser enforces its own ceiling.
            .layer(axum::extract::DefaultBodyLimit::max(
                mime::MimeLimits::default().max_total_bytes,
            ))
            .with_state((self.clone(), tx))
    }

    /// Processes one received HTTP body: the signal to answer with, and the id of a
    /// newly stored request.
    pub async fn accept(&self, content_type: &str, body: &[u8]) -> (Vec<u8>, Option<String>) {
        match self.accept_inner(content_type, body).await {
            Ok((receipt, stored)) => (receipt, stored),
            Err(r) => {
                tracing::warn!(code = r.code, detail = %r.detail, "AS4 message refused");
                (self.error_signal(&r), None)
            }
        }
    }

    async fn accept_inner(
        &self,
        content_type: &str,
        body: &[u8],
    ) -> Result<(Vec<u8>, Option<String>), Refused> {
        let packaged = mime::parse(content_type, body, &mime::MimeLimits::default())
            .map_err(|e| Refused::new("EBMS:0007", e.to_string()))?;
        let soap = String::from_utf8(packaged.soap)
            .map_err(|_| Refused::new("EBMS:0009", "the SOAP envelope is not UTF-8"))?;
        let parts = packaged
            .parts
            .into_iter()
            .map(|p| Attachment {
                content_id: p.content_id,
                content_type: p.content_type,
                bytes: p.body,
            })
            .collect();
        let header = ebms::from_xml(&soap).map_err(|e| Refused::new("EBMS:0009", e.to_string()))?;
        let with_ref = |code: &'static str, detail: String| Refused {
            code,
            detail,
            ref_to: Some(header.message_id.clone()),
        };
        let pm = &self.pmode;
        let opened = wss::open(
            &soap,
            parts,
            &pm.credentials,
            &pm.trust,
            &pm.peer_certificates(),
            Policy {
                require_signature: true,
                require_encryption: pm.encrypt,
            },
            now_secs(),
        )
        .map_err(|e| with_ref(e.ebms_code(), e.to_string()))?;
        if header.to.party_id != pm.party_id {
            return Err(with_ref(
                "EBMS:0010",
                format!(
                    "addressed to {}, not to this access point",
                    header.to.party_id
                ),
            ));
        }
        // The sender signs with its own certificate, when the PMode knows it.
        if let (Some(peer), Some(signer)) = (pm.peer(&header.from.party_id), &opened.signer)
            && peer.certificate.der() != signer.der()
        {
            return Err(with_ref(
                "EBMS:0101",
                format!("signed with another certificate than {}'s", peer.party_id),
            ));
        }
        let mut payloads = Vec::new();
        for part in opened.parts {
            let info = header
                .parts
                .iter()
                .find(|i| i.content_id().eq_ignore_ascii_case(&part.content_id));
            let compressed = info.is_some_and(|i| {
                i.properties
                    .iter()
                    .any(|p| p.name == "CompressionType" && p.value == "application/gzip")
            });
            let bytes = if compressed {
                compress::gunzip(&part.bytes, MAX_PAYLOAD_BYTES)
                    .map_err(|e| with_ref("EBMS:0303", e.to_string()))?
            } else {
                part.bytes
            };
            let mime_type = info
                .and_then(|i| i.mime_type())
                .map(str::to_owned)
                .unwrap_or(part.content_type);
            payloads.push(Payload {
                content_id: part.content_id,
                mime_type,
                bytes,
            });
        }
        let receipt = self.receipt(&header.message_id, &opened.references)?;
        if header.service.value == TEST_SERVICE {
            return Ok((receipt, None));
        }
        let inbound = InboundMessage {
            header: header.clone(),
            payloads,
        };
        let regrep = inbound
            .regrep_payload()
            .ok_or_else(|| with_ref("EBMS:0004", "no RegRep payload".to_owned()))?;
        // Durable before the receipt: a receiver that cannot keep the message must not
        // acknowledge it. A duplicate (same MessageId) is acknowledged again, not stored.
        let fresh = self
            .store
            .store_inbound(
                &header.message_id,
                &header.to_xml(),
                &regrep.bytes,
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| {
                with_ref(
                    "EBMS:0202",
                    format!("cannot store the message ({})", e.code()),
                )
            })?;
        if fresh && let Some(inbox) = &self.inbox {
            let _ = inbox.send(inbound.clone());
        }
        Ok((receipt, fresh.then(|| header.message_id.clone())))
    }

    /// A signed receipt for `ref_to`, acknowledging what its signature covered.
    fn receipt(&self, ref_to: &str, references: &[SignedReference]) -> Result<Vec<u8>, Refused> {
        let id = format!("{}@{}", uuid::Uuid::new_v4(), self.pmode.party_id);
        let now = edm_timestamp(chrono::Utc::now());
        wss::seal(
            &Seal {
                credentials: &self.pmode.credentials,
                encrypt_for: None,
            },
            |attrs| signal::receipt(attrs, &id, ref_to, &now, references),
            Vec::new(),
        )
        .map(|s| s.envelope)
        .map_err(|e| Refused::new("EBMS:0004", e.to_string()))
    }

    /// A signed error signal (unsigned only if signing itself failed).
    fn error_signal(&self, r: &Refused) -> Vec<u8> {
        let id = format!("{}@{}", uuid::Uuid::new_v4(), self.pmode.party_id);
        let now = edm_timestamp(chrono::Utc::now());
        let write =
            |attrs: &str| signal::error(attrs, &id, r.ref_to.as_deref(), &now, r.code, &r.detail);
        match wss::seal(
            &Seal {
                credentials: &self.pmode.credentials,
                encrypt_for: None,
            },
            write,
            Vec::new(),
        ) {
            Ok(s) => s.envelope,
            Err(_) => format!(
                "<S12:Envelope xmlns:S12=\"{}\"><S12:Header>{}</S12:Header><S12:Body/></S12:Envelope>",
                wss::SOAP12_NS,
                write(&format!("xmlns:S12=\"{}\" S12:mustUnderstand=\"true\"", wss::SOAP12_NS))
            )
            .into_bytes(),
        }
    }

    /// Seals (once per MessageId) and packages an outgoing message.
    fn sealed(&self, msg: &OutboundMessage) -> Result<Sent, GatewayError> {
        if let Some(s) = lock(&self.sent).get(&msg.header.message_id) {
            return Ok(s.clone());
        }
        let pm = &self.pmode;
        let peer = pm.peer(&msg.header.to.party_id).ok_or_else(|| {
            GatewayError::Config(format!(
                "no peer {} in the AS4 PMode",
                msg.header.to.party_id
            ))
        })?;
        let mut header = msg.header.clone();
        let mut attachments = Vec::new();
        for p in &msg.payloads {
            let (content_type, bytes) = if pm.compress {
                ("application/gzip".to_owned(), compress::gzip(&p.bytes))
            } else {
                (p.mime_type.clone(), p.bytes.clone())
            };
            if pm.compress
                && let Some(info) = header
                    .parts
                    .iter_mut()
                    .find(|i| i.content_id().eq_ignore_ascii_case(&p.content_id))
                && !info.properties.iter().any(|x| x.name == "CompressionType")
            {
                info.properties
                    .push(Property::new("CompressionType", "application/gzip"));
            }
            attachments.push(Attachment {
                content_id: p.content_id.clone(),
                content_type,
                bytes,
            });
        }
        let sealed = wss::seal(
            &Seal {
                credentials: &pm.credentials,
                encrypt_for: pm.encrypt.then_some(&peer.certificate),
            },
            |attrs| header.to_xml_with_prefix("eb", attrs),
            attachments,
        )
        .map_err(|e| GatewayError::Config(e.to_string()))?;
        let parts: Vec<mime::Part> = sealed
            .parts
            .into_iter()
            .map(|a| mime::Part {
                content_id: a.content_id,
                content_type: a.content_type,
                body: a.bytes,
            })
            .collect();
        let (content_type, body) = mime::write(&sealed.envelope, &parts);
        let sent = Sent {
            content_type,
            body,
            references: sealed.references,
        };
        let mut kept = lock(&self.sent);
        if kept.len() >= SENT_KEPT {
            kept.clear();
        }
        kept.insert(msg.header.message_id.clone(), sent.clone());
        Ok(sent)
    }

    /// One attempt: the peer's signal, verified.
    async fn attempt(&self, endpoint: &str, sent: &Sent) -> Result<Signal, GatewayError> {
        let answer = self
            .http
            .post(endpoint)
            .header(header::CONTENT_TYPE, &sent.content_type)
            .body(sent.body.clone())
            .send()
            .await
            .map_err(|e| GatewayError::Unreachable(e.without_url().to_string()))?;
        let status = answer.status().as_u16();
        let content_type = answer
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = answer
            .bytes()
            .await
            .map_err(|e| GatewayError::Unreachable(e.without_url().to_string()))?;
        let Ok(packaged) = mime::parse(&content_type, &body, &mime::MimeLimits::default()) else {
            return Err(if status >= 500 {
                GatewayError::Http { status }
            } else {
                GatewayError::Malformed(format!("HTTP {status} without an ebMS signal"))
            });
        };
        let soap = String::from_utf8(packaged.soap)
            .map_err(|_| GatewayError::Malformed("signal is not UTF-8".into()))?;
        let pm = &self.pmode;
        wss::open(
            &soap,
            Vec::new(),
            &pm.credentials,
            &pm.trust,
            &pm.peer_certificates(),
            Policy {
                require_signature: true,
                require_encryption: false,
            },
            now_secs(),
        )
        .map_err(|e| GatewayError::Malformed(format!("the peer's signal: {e}")))?;
        let doc = crate::gateway::xml::parse(&soap, usize::MAX)
            .map_err(|e| GatewayError::Malformed(e.to_string()))?;
        doc.descendants()
            .find(|n| crate::gateway::xml::is(*n, ebms::EBMS_NS, "Messaging"))
            .and_then(signal::parse)
            .ok_or_else(|| GatewayError::Malformed("no ebMS signal in the answer".into()))
    }
}

async fn receive(
    State((gateway, tx)): State<(Arc<As4Gateway>, mpsc::Sender<Notification>)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (signal, stored) = gateway.accept(content_type, &body).await;
    if let Some(id) = stored {
        let _ = tx.send(Notification::Received(id)).await;
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=UTF-8")],
        signal,
    )
        .into_response()
}

#[async_trait]
impl Gateway for As4Gateway {
    fn name(&self) -> &'static str {
        "as4"
    }

    async fn retrieve(&self, message_id: &str) -> Result<InboundMessage, GatewayError> {
        Err(GatewayError::Fault {
            code: "AS4_NOT_STORED".into(),
            message: format!("{message_id} was not received (AS4 messages arrive stored)"),
        })
    }

    async fn acknowledge(&self, _message_id: &str) -> Result<(), GatewayError> {
        Ok(())
    }

    async fn submit(&self, msg: &OutboundMessage) -> Result<String, GatewayError> {
        let sent = self.sealed(msg)?;
        let endpoint = self
            .pmode
            .peer(&msg.header.to.party_id)
            .map(|p| p.endpoint.clone())
            .ok_or_else(|| GatewayError::Config("no peer endpoint".into()))?;
        let retry = self.pmode.retry;
        let mut delay = Duration::from_millis(retry.initial_ms.max(1));
        let mut last = GatewayError::Unreachable("not sent".into());
        for attempt in 1..=retry.attempts.max(1) {
            match self.attempt(&endpoint, &sent).await {
                Ok(s) if signal::acknowledges(&s, &msg.header.message_id, &sent.references) => {
                    return Ok(msg.header.message_id.clone());
                }
                Ok(Signal::Error { code, detail, .. }) if code != "EBMS:0202" => {
                    return Err(GatewayError::Fault {
                        code,
                        message: detail,
                    });
                }
                Ok(other) => {
                    last = GatewayError::Fault {
                        code: "EBMS:0302".into(),
                        message: format!("InvalidReceipt: {other:?}"),
                    };
                }
                Err(e) => last = e,
            }
            if attempt < retry.attempts {
                tracing::warn!(
                    attempt,
                    code = last.code(),
                    "AS4 send not acknowledged, retrying"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_millis(retry.max_ms));
            }
        }
        tracing::error!(code = last.code(), error = %last, "EBMS:0301 MissingReceipt");
        Err(last)
    }

    async fn pending(&self) -> Result<Vec<String>, GatewayError> {
        Ok(Vec::new())
    }

    fn confirms_delivery(&self) -> bool {
        true
    }
}
