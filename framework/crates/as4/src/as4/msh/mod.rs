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
//!
//! This file holds the gateway, its endpoint and its [`Gateway`] face; receiving (verify,
//! store, answer) is in `receive`, sending (seal once, keep, post) in `send`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::mpsc;

use super::mime;
use super::pmode::PMode;
use super::signal::{self, Signal};
use crate::{
    Gateway, GatewayError, InboundMessage, Notification, OutboundMessage, Resend, Submitted,
};
use oots_store::Store;

mod receive;
mod send;

/// Largest payload after decompression.
const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;
/// The test service of the ebMS core specification: acknowledged, never delivered.
const TEST_SERVICE: &str = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/service";
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
