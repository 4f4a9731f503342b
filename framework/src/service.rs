//! The long-running sidecar: receives gateway notifications, fetches each message, stores
//! it, acknowledges it, answers it through the exchange and submits the answer.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::clock::edm_timestamp;
use crate::exchange::{Answer, Exchange, ExchangeError};
use crate::gateway::domibus::push;
use crate::gateway::ebms::{PartInfo, Property};
use crate::gateway::{
    Gateway, GatewayError, InboundMessage, Notification, OutboundMessage, Payload,
};

/// What happened to one inbound message (for `demo` and tests; logs carry the same).
#[derive(Debug, Clone)]
pub struct Report {
    pub message_id: String,
    pub answer_id: Option<String>,
    pub answer: Option<Answer>,
    pub error: Option<String>,
}

/// Why processing one message stopped before an answer was sent.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("message has no RegRep payload (application/x-ebrs+xml)")]
    NoRegrep,
}

/// The sidecar's moving parts.
#[derive(Debug, Clone)]
pub struct Service {
    pub exchange: Exchange,
    pub gateway: Arc<dyn Gateway>,
    pub reports: Option<mpsc::UnboundedSender<Report>>,
}

const SUBMIT_ATTEMPTS: u32 = 5;

impl Service {
    /// Fetches, stores, acknowledges, answers and submits one message. A message already
    /// answered (a redelivery) is only acknowledged again.
    pub async fn process(&self, message_id: &str) -> Result<Report, ServiceError> {
        let store = &self.exchange.store;
        if let Some(answer_id) = store.answer_of(message_id).await? {
            self.gateway.acknowledge(message_id).await?;
            return Ok(Report {
                message_id: message_id.to_owned(),
                answer_id: Some(answer_id),
                answer: None,
                error: Some("already answered; acknowledged again".to_owned()),
            });
        }
        let inbound = self.gateway.retrieve(message_id).await?;
        let regrep = inbound
            .regrep_payload()
            .ok_or(ServiceError::NoRegrep)?
            .bytes
            .clone();
        let now = self.exchange.clock.now();
        store.store_inbound(message_id, &regrep, now).await?;
        // Only now that it is stored may the access point forget it.
        self.gateway.acknowledge(message_id).await?;

        let answer = self.exchange.answer(&regrep, Some(&inbound.header)).await?;
        let outbound = self.outbound(&inbound, &answer);
        let answer_id = self.submit_with_retry(&outbound).await?;
        store
            .mark_answered(message_id, &answer_id, self.exchange.clock.now())
            .await?;
        tracing::info!(
            message_id,
            answer_id = %answer_id,
            action = answer.action(),
            code = answer.code().unwrap_or("-"),
            "answered"
        );
        Ok(Report {
            message_id: message_id.to_owned(),
            answer_id: Some(answer_id),
            answer: Some(answer),
            error: None,
        })
    }

    fn outbound(&self, inbound: &InboundMessage, answer: &Answer) -> OutboundMessage {
        let domain = &self.exchange.config.provider.domain;
        let ids = &self.exchange.ids;
        let regrep_cid = format!("{}@{domain}", ids.uuid());
        let mut payloads = vec![Payload {
            content_id: regrep_cid,
            mime_type: "application/x-ebrs+xml".to_owned(),
            bytes: answer.document.clone().into_bytes(),
        }];
        payloads.extend(answer.attachments.iter().map(|a| Payload {
            content_id: a.content_id.clone(),
            mime_type: a.mime_type.clone(),
            bytes: a.bytes.clone(),
        }));
        let parts = payloads
            .iter()
            .map(|p| PartInfo {
                href: format!("cid:{}", p.content_id),
                properties: vec![Property {
                    name: "MimeType".to_owned(),
                    value: p.mime_type.clone(),
                    property_type: None,
                }],
            })
            .collect();
        let header = inbound.header.answer_header(
            answer.action(),
            format!("{}@{domain}", ids.uuid()),
            edm_timestamp(self.exchange.clock.now()),
            parts,
        );
        OutboundMessage { header, payloads }
    }

    async fn submit_with_retry(&self, msg: &OutboundMessage) -> Result<String, GatewayError> {
        let mut delay = Duration::from_millis(200);
        let mut attempt = 1;
        loop {
            match self.gateway.submit(msg).await {
                Ok(id) => return Ok(id),
                Err(e) if attempt < SUBMIT_ATTEMPTS && e.is_transient() => {
                    tracing::warn!(attempt, code = e.code(), "submit failed, retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn handle(&self, message_id: String) {
        let report = match self.process(&message_id).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(message_id = %message_id, error = %e, "message not answered");
                Report {
                    message_id,
                    answer_id: None,
                    answer: None,
                    error: Some(e.to_string()),
                }
            }
        };
        if let Some(tx) = &self.reports {
            let _ = tx.send(report);
        }
    }

    /// Runs until `shutdown` fires: serves the push endpoint and health checks on
    /// `listener`, sweeps messages still pending at the access point at start-up, and
    /// answers each received message. In-flight messages finish before it returns.
    pub async fn run(
        self,
        listener: TcpListener,
        push_auth: crate::gateway::domibus::PushAuth,
        shutdown: CancellationToken,
    ) -> std::io::Result<()> {
        let (tx, mut rx) = mpsc::channel::<Notification>(1024);
        let app: Router = push::router(push_auth, tx)
            .route("/healthz", get(|| async { "ok" }))
            .route("/readyz", get(|| async { "ready" }));
        let http_shutdown = shutdown.clone();
        let http = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { http_shutdown.cancelled().await })
                .await
        });

        let mut tasks = tokio::task::JoinSet::new();
        match self.gateway.pending().await {
            Ok(ids) => {
                for id in ids {
                    let s = self.clone();
                    tasks.spawn(async move { s.handle(id).await });
                }
            }
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "start-up sweep of pending messages failed")
            }
        }
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                n = rx.recv() => match n {
                    Some(Notification::Received(id)) => {
                        let s = self.clone();
                        tasks.spawn(async move { s.handle(id).await });
                    }
                    Some(other) => tracing::debug!(?other, "notification"),
                    None => break,
                },
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        while tasks.join_next().await.is_some() {}
        match http.await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}
