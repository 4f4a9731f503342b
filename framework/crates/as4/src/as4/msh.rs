//! The native AS4 message service handler as a [`Gateway`]: peers push signed and
//! encrypted ebMS 3 messages to `POST /as4`; we verify, decrypt, decompress and store
//! each request durably before answering with a signed receipt (or an ebMS error
//! signal), then hand it to the service. Answers go out the same way: sealed once, the
//! sealed bytes kept in the state store, and resent byte for byte on the peer's retry
//! schedule (one attempt per `submit`, the outbox keeps the schedule) until a receipt
//! that acknowledges them comes back.
//!
//! Received messages are already in the state store when the service hears of them, so
//! `retrieve` has nothing to fetch and `acknowledge` nothing to confirm: AS4 has no
//! access-point inbox to empty.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use tokio::sync::mpsc;

use super::pmode::{PMode, Peer};
use super::signal::{self, Signal};
use super::wss::{self, Attachment, Policy, Seal, SignedReference};
use super::{compress, mime};
use crate::ebms::{self, Property};
use crate::{
    Gateway, GatewayError, InboundMessage, Notification, OutboundMessage, Payload, Resend,
    Submitted,
};
use oots_edm::clock::edm_timestamp;
use oots_store::{Inbound, SealedMessage, Store, proof};

/// Largest payload after decompression.
const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;
/// The test service of the ebMS core specification: acknowledged, never delivered.
const TEST_SERVICE: &str = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/service";
/// A message as sent: resent byte for byte.
struct Sent {
    content_type: String,
    body: Vec<u8>,
    references: Vec<SignedReference>,
}

impl Sent {
    /// As the state store keeps it: the references as JSON (digests in base64).
    fn to_stored(&self) -> SealedMessage {
        let refs: Vec<serde_json::Value> = self
            .references
            .iter()
            .map(|r| {
                serde_json::json!({
                    "uri": r.uri,
                    "digest": B64.encode(&r.digest),
                    "xml": r.xml,
                })
            })
            .collect();
        SealedMessage {
            content_type: self.content_type.clone(),
            body: self.body.clone(),
            references: serde_json::Value::Array(refs).to_string(),
        }
    }

    fn from_stored(s: SealedMessage) -> Result<Self, GatewayError> {
        let bad = || GatewayError::Malformed("the stored sealed message cannot be read".into());
        let refs: Vec<serde_json::Value> =
            serde_json::from_str(&s.references).map_err(|_| bad())?;
        let references = refs
            .iter()
            .map(|r| {
                let text = |k: &str| r.get(k).and_then(|v| v.as_str()).ok_or_else(bad);
                Ok(SignedReference {
                    uri: text("uri")?.to_owned(),
                    digest: B64.decode(text("digest")?).map_err(|_| bad())?,
                    xml: text("xml")?.to_owned(),
                })
            })
            .collect::<Result<Vec<_>, GatewayError>>()?;
        Ok(Self {
            content_type: s.content_type,
            body: s.body,
            references,
        })
    }
}

/// A state store failure while keeping or reading the sealed bytes: nothing is sent
/// (bytes that might differ from a first attempt's must not go out).
fn store_failed(e: &oots_store::StoreError) -> GatewayError {
    GatewayError::Fault {
        code: e.code().to_owned(),
        message: "the sealed message cannot be kept in the state store".into(),
    }
}

/// The AS4 gateway.
pub struct As4Gateway {
    pmode: Arc<PMode>,
    store: Arc<dyn Store>,
    http: reqwest::Client,
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

/// A digest of what a message says (its header and every payload, inflated): a resend
/// has the same, another message under the same MessageId has not.
fn content_digest(header: &ebms::UserMessage, payloads: &[Payload]) -> String {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut field = |bytes: &[u8]| {
        ctx.update(&(bytes.len() as u64).to_be_bytes());
        ctx.update(bytes);
    };
    field(header.to_xml().as_bytes());
    for p in payloads {
        field(p.content_id.as_bytes());
        field(p.mime_type.as_bytes());
        field(&p.bytes);
    }
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
    /// A gateway for `pmode` that keeps its state (received ids, sealed messages) in `store`.
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
        // Unverified: only names the message in an error signal until the signature is
        // checked; the header processed is the one the signature covers (below).
        let claimed =
            ebms::from_xml(&soap).map_err(|e| Refused::new("EBMS:0009", e.to_string()))?;
        let claimed_ref = |code: &'static str, detail: String| Refused {
            code,
            detail,
            ref_to: Some(claimed.message_id.clone()),
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
        .map_err(|e| claimed_ref(e.ebms_code(), e.to_string()))?;
        let header = ebms::from_xml(&opened.messaging)
            .map_err(|e| claimed_ref("EBMS:0009", e.to_string()))?;
        let with_ref = |code: &'static str, detail: String| Refused {
            code,
            detail,
            ref_to: Some(header.message_id.clone()),
        };
        // Only a configured peer, signing with its own certificate, within the agreement.
        pm.check_agreement(&header, opened.signer.as_ref())
            .map_err(|e| with_ref(e.ebms_code(), e.to_string()))?;
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
        // acknowledge it. A resend (same MessageId, same content) is acknowledged again,
        // not stored; the same MessageId with another content is refused, and the
        // message stored first stays as it was.
        let stored = self
            .store
            .store_inbound_once(
                &header.message_id,
                &content_digest(&header, &inbound.payloads),
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
        let fresh = match stored {
            Inbound::Stored => true,
            Inbound::Resent => false,
            Inbound::Conflict => {
                tracing::warn!(
                    message_id = %header.message_id,
                    "AS4 message refused: its MessageId was received before with another content"
                );
                return Err(with_ref(
                    "EBMS:0004",
                    "this MessageId was received before with another content".to_owned(),
                ));
            }
        };
        // The receipt is the proof of what this access point acknowledged: journaled
        // before it leaves (a resend gets a new receipt, journaled too).
        self.store
            .append_journal(
                &proof::receipt_given(&header.message_id, &receipt),
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| {
                with_ref(
                    "EBMS:0202",
                    format!("cannot journal the receipt ({})", e.code()),
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

    /// The outgoing message as first sealed: read from the state store, or sealed now
    /// and kept there (when another replica kept its bytes first, those are sent).
    async fn sealed(&self, msg: &OutboundMessage) -> Result<Sent, GatewayError> {
        let id = &msg.header.message_id;
        if let Some(kept) = self.store.sealed(id).await.map_err(|e| store_failed(&e))? {
            return Sent::from_stored(kept);
        }
        let fresh = self.seal(msg)?.to_stored();
        let kept = self
            .store
            .keep_sealed(id, &fresh, chrono::Utc::now())
            .await
            .map_err(|e| store_failed(&e))?;
        Sent::from_stored(kept)
    }

    /// Seals and packages an outgoing message.
    fn seal(&self, msg: &OutboundMessage) -> Result<Sent, GatewayError> {
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
        Ok(Sent {
            content_type,
            body,
            references: sealed.references,
        })
    }

    /// One attempt: the peer's signal, verified.
    /// One post of `sent`; the peer's signal and its SOAP envelope as received.
    async fn attempt(&self, peer: &Peer, sent: &Sent) -> Result<(Signal, String), GatewayError> {
        let answer = self
            .http
            .post(&peer.endpoint)
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
        let opened = wss::open(
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
        // Only the peer we sent to may sign its signal: another certificate of the trust
        // store does not speak for it.
        if opened.signer.as_ref().map(|c| c.der()) != Some(peer.certificate.der()) {
            return Err(GatewayError::Malformed(format!(
                "the signal is not signed with {}'s certificate",
                peer.party_id
            )));
        }
        // The signal is read from the signed eb:Messaging, not from whatever comes first.
        let doc = crate::xml::parse(&opened.messaging, usize::MAX)
            .map_err(|e| GatewayError::Malformed(e.to_string()))?;
        let signal = signal::parse(doc.root_element())
            .ok_or_else(|| GatewayError::Malformed("no ebMS signal in the answer".into()))?;
        Ok((signal, soap))
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

    /// One attempt: the sealed bytes posted once. [`Gateway::resend`] says when the
    /// next is due; the outbox keeps that schedule across restarts and replicas.
    async fn submit(&self, msg: &OutboundMessage) -> Result<String, GatewayError> {
        Ok(self.submit_confirmed(msg).await?.message_id)
    }

    /// [`Gateway::submit`], keeping the signed receipt that acknowledged it.
    async fn submit_confirmed(&self, msg: &OutboundMessage) -> Result<Submitted, GatewayError> {
        let peer = self.pmode.peer(&msg.header.to.party_id).ok_or_else(|| {
            GatewayError::Config(format!(
                "no peer {} in the AS4 PMode",
                msg.header.to.party_id
            ))
        })?;
        let sent = self.sealed(msg).await?;
        let (answer, envelope) = self.attempt(peer, &sent).await?;
        match answer {
            s if signal::acknowledges(&s, &msg.header.message_id, &sent.references) => {
                Ok(Submitted {
                    message_id: msg.header.message_id.clone(),
                    receipt: Some(envelope.into_bytes()),
                })
            }
            Signal::Error { code, detail, .. } => Err(GatewayError::Fault {
                code,
                message: detail,
            }),
            other => Err(GatewayError::Fault {
                code: "EBMS:0302".into(),
                message: format!("InvalidReceipt: {other:?}"),
            }),
        }
    }

    /// The peer's schedule: resent after its pause until its attempts are used up.
    fn resend(&self, msg: &OutboundMessage, failed: u32) -> Resend {
        match self
            .pmode
            .peer(&msg.header.to.party_id)
            .and_then(|p| p.retry.pause_after(failed))
        {
            Some(pause) => Resend::After(pause),
            None => Resend::GiveUp,
        }
    }

    async fn pending(&self) -> Result<Vec<String>, GatewayError> {
        Ok(Vec::new())
    }

    fn confirms_delivery(&self) -> bool {
        true
    }
}
