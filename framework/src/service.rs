//! The long-running sidecar: receives gateway notifications, fetches each message, stores
//! it, acknowledges it, answers it through the exchange and submits the answer.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::clock::edm_timestamp;
use crate::exchange::{Answer, Exchange, ExchangeError, Reply};
use crate::gateway::domibus::push;
use crate::gateway::ebms::{PartInfo, Property, UserMessage};
use crate::gateway::{Gateway, GatewayError, Notification, OutboundMessage, Payload};

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
    #[error("stored message cannot be read back: {0}")]
    Stored(String),
}

/// The sidecar's moving parts.
#[derive(Debug, Clone)]
pub struct Service {
    pub exchange: Exchange,
    pub gateway: Arc<dyn Gateway>,
    pub reports: Option<mpsc::UnboundedSender<Report>>,
    /// Message ids being processed now: a push and the start-up sweep may name the same
    /// message at once, and only one of them may answer it.
    pub in_flight: Arc<Mutex<HashSet<String>>>,
}

impl Service {
    pub fn new(
        exchange: Exchange,
        gateway: Arc<dyn Gateway>,
        reports: Option<mpsc::UnboundedSender<Report>>,
    ) -> Self {
        Self {
            exchange,
            gateway,
            reports,
            in_flight: Arc::default(),
        }
    }
}

/// Holds a message id in the in-flight set until dropped.
struct InFlight {
    set: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl InFlight {
    fn enter(set: &Arc<Mutex<HashSet<String>>>, id: &str) -> Option<Self> {
        let mut s = set.lock().unwrap_or_else(|p| p.into_inner());
        if !s.insert(id.to_owned()) {
            return None;
        }
        Some(Self {
            set: set.clone(),
            id: id.to_owned(),
        })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut s = self.set.lock().unwrap_or_else(|p| p.into_inner());
        s.remove(&self.id);
    }
}

const SUBMIT_ATTEMPTS: u32 = 5;

impl Service {
    /// Fetches, stores, acknowledges, answers and submits one message.
    ///
    /// Order matters for durability: the message is stored before the access point is told
    /// it may forget it, so a crash after the acknowledgement still finds it in the store
    /// (it is answered from there on the next start). A message already answered (a
    /// redelivery) is only acknowledged again.
    pub async fn process(&self, message_id: &str) -> Result<Option<Report>, ServiceError> {
        let Some(_guard) = InFlight::enter(&self.in_flight, message_id) else {
            tracing::debug!(message_id, "already being processed");
            return Ok(None);
        };
        let store = &self.exchange.store;
        if let Some(answer_id) = store.answer_of(message_id).await? {
            tracing::info!(message_id, answer_id = %answer_id, "already answered; acknowledged again");
            self.acknowledge(message_id).await?;
            return Ok(None);
        }
        let (header, regrep) = match store.unanswered(message_id).await? {
            Some((header_xml, regrep)) => {
                let header = UserMessage::from_xml(&header_xml)
                    .map_err(|e| ServiceError::Stored(e.to_string()))?;
                self.acknowledge(message_id).await?;
                (header, regrep)
            }
            None => {
                let inbound = self.gateway.retrieve(message_id).await?;
                let regrep = inbound
                    .regrep_payload()
                    .ok_or(ServiceError::NoRegrep)?
                    .bytes
                    .clone();
                let now = self.exchange.clock.now();
                store
                    .store_inbound(message_id, &inbound.header.to_xml(), &regrep, now)
                    .await?;
                // Only now that it is stored may the access point forget it.
                self.acknowledge(message_id).await?;
                (inbound.header, regrep)
            }
        };

        let answer = match self.exchange.reply(&regrep, Some(&header)).await? {
            Reply::Answer(a) => *a,
            Reply::Held { until } => {
                // Stored and acknowledged: answered when the user decides or at the
                // deadline (see `run`).
                tracing::info!(message_id, %until, "preview follow-up held until the user decides");
                return Ok(None);
            }
        };
        let outbound = self.outbound(&header, &answer);
        let answer_id = self.submit_with_retry(&outbound).await?;
        store
            .mark_answered(
                message_id,
                &answer_id,
                &answer.generation,
                &answer.audit_json(),
                self.exchange.clock.now(),
            )
            .await?;
        tracing::info!(
            message_id,
            answer_id = %answer_id,
            action = answer.action(),
            code = answer.code().unwrap_or("-"),
            generation = %answer.generation,
            "answered"
        );
        Ok(Some(Report {
            message_id: message_id.to_owned(),
            answer_id: Some(answer_id),
            answer: Some(answer),
            error: None,
        }))
    }

    /// Marks the message downloaded; "no such message" means it already was, which is
    /// fine when we hold it in the store.
    async fn acknowledge(&self, message_id: &str) -> Result<(), GatewayError> {
        match self.gateway.acknowledge(message_id).await {
            Err(GatewayError::Fault { code, .. }) if code == "WS_PLUGIN:0009" => Ok(()),
            other => other,
        }
    }

    fn outbound(&self, request: &UserMessage, answer: &Answer) -> OutboundMessage {
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
        let header = request.answer_header(
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

    /// Answers again every stored message still unanswered: held preview follow-ups whose
    /// user decided or whose deadline passed get their answer; the others stay held.
    async fn recheck_held(&self, tasks: &mut tokio::task::JoinSet<()>) {
        match self.exchange.store.unanswered_ids().await {
            Ok(ids) => {
                for id in ids {
                    let s = self.clone();
                    tasks.spawn(async move { s.handle(id).await });
                }
            }
            Err(e) => tracing::error!(code = e.code(), error = %e, "reading held messages failed"),
        }
    }

    async fn handle(&self, message_id: String) {
        let report = match self.process(&message_id).await {
            Ok(Some(r)) => r,
            Ok(None) => return,
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
        self.run_with(listener, |tx| push::router(push_auth, tx), shutdown)
            .await
    }

    /// Like [`Service::run`], with the gateway's own inbound routes (`inbound` gets the
    /// channel on which they announce received messages): Domibus push notifications, or
    /// the AS4 endpoint peers push to.
    pub async fn run_with<L>(
        self,
        listener: L,
        inbound: impl FnOnce(mpsc::Sender<Notification>) -> Router,
        shutdown: CancellationToken,
    ) -> std::io::Result<()>
    where
        L: axum::serve::Listener,
        L::Addr: std::fmt::Debug,
    {
        let (tx, mut rx) = mpsc::channel::<Notification>(1024);
        let gens = self.exchange.generations().clone();
        let health_gens = gens.clone();
        let metrics_gens = gens.clone();
        let app: Router = inbound(tx)
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
            .route("/readyz", get(|| async { "ready" }))
            .route(
                "/metrics",
                get(move || {
                    let g = metrics_gens.clone();
                    async move { g.metrics() }
                }),
            );
        // The preview space: its decisions (and a periodic look for passed deadlines)
        // bring held follow-up requests back.
        let (decided_tx, mut decided_rx) = mpsc::unbounded_channel::<()>();
        let app = match crate::preview::space(&self.exchange, decided_tx).await {
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
        };
        let recheck = Duration::from_secs(u64::from(
            self.exchange.config.preview.recheck_seconds.max(1),
        ));
        let mut deadlines = tokio::time::interval(recheck);
        deadlines.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let reload_cfg = self.exchange.config.reload.clone();
        if reload_cfg.enabled {
            tokio::spawn(crate::reload::watch(
                self.exchange.config.clone(),
                gens,
                Duration::from_millis(reload_cfg.poll_ms),
                shutdown.clone(),
            ));
        }
        let http_shutdown = shutdown.clone();
        let http = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { http_shutdown.cancelled().await })
                .await
        });

        // Start-up sweep: messages stored but not answered before a stop, then messages
        // Domibus still holds (their push may have been lost while we were down).
        let mut tasks = tokio::task::JoinSet::new();
        let stored = self
            .exchange
            .store
            .unanswered_ids()
            .await
            .unwrap_or_else(|e| {
                tracing::error!(code = e.code(), error = %e, "reading unanswered messages failed");
                Vec::new()
            });
        let pending = self.gateway.pending().await.unwrap_or_else(|e| {
            tracing::warn!(code = e.code(), error = %e, "start-up sweep of pending messages failed");
            Vec::new()
        });
        for id in stored.into_iter().chain(pending) {
            let s = self.clone();
            tasks.spawn(async move { s.handle(id).await });
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
                Some(()) = decided_rx.recv() => self.recheck_held(&mut tasks).await,
                _ = deadlines.tick() => self.recheck_held(&mut tasks).await,
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
