//! The long-running sidecar: receives gateway notifications, fetches each message, stores
//! it, acknowledges it, answers it through the exchange and submits the answer.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::exchange::{Answer, Exchange, ExchangeError, Reply};
use crate::gateway::domibus::push;
use crate::gateway::ebms::UserMessage;
use crate::gateway::{Gateway, GatewayError, Notification, OutboundMessage};
use crate::store::{Claim, Decision, ExchangeState, OutboxEntry, proof};

mod background;
mod in_flight;
mod send;

use in_flight::{InFlight, lock};

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
    /// Messages this process stopped working on while their lease could not be given
    /// back (the store was away): the next sweep gives them back, so they are taken up
    /// again as soon as the store is, not when the lease runs out.
    stranded: Arc<Mutex<HashSet<String>>>,
    /// This process's name on the leases it takes (unique per start).
    worker: Arc<str>,
    /// Bounds the messages worked on at once (the rest wait, stored).
    workers: Arc<tokio::sync::Semaphore>,
}

impl Service {
    pub fn new(
        exchange: Exchange,
        gateway: Arc<dyn Gateway>,
        reports: Option<mpsc::UnboundedSender<Report>>,
    ) -> Self {
        let workers = exchange.config.exchange.workers.max(1) as usize;
        Self {
            exchange,
            gateway,
            reports,
            in_flight: Arc::default(),
            stranded: Arc::default(),
            worker: Arc::from(format!(
                "{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            )),
            workers: Arc::new(tokio::sync::Semaphore::new(workers)),
        }
    }
}

impl Service {
    /// Fetches, stores, acknowledges, answers and submits one message, as far as its
    /// persisted state says is still to be done.
    ///
    /// Order matters for durability: the message is stored before the access point is told
    /// it may forget it; the answer is stored in the outbox (with its audit record) before
    /// it is submitted, and resent from there, never decided again. A message already
    /// answered (a redelivery) is only acknowledged again.
    pub async fn process(&self, message_id: &str) -> Result<Option<Report>, ServiceError> {
        let Some(_guard) = InFlight::enter(&self.in_flight, message_id) else {
            tracing::debug!(message_id, "already being processed");
            return Ok(None);
        };
        self.process_entered(message_id, false).await
    }

    /// [`Service::process`] for a message this task already holds in the in-flight set.
    /// `pushed`: the access point just announced it, so it is most likely new and is
    /// fetched before the store is asked about it (one store operation less).
    async fn process_entered(
        &self,
        message_id: &str,
        pushed: bool,
    ) -> Result<Option<Report>, ServiceError> {
        let fetch_first = pushed && self.gateway.push_needs_retrieve();
        let mut claim = if fetch_first {
            self.fetch_and_claim(message_id).await?
        } else {
            self.claim(message_id).await?
        };
        if claim == Claim::Unknown && !fetch_first {
            claim = self.fetch_and_claim(message_id).await?;
        }
        let result = match claim {
            Claim::Unknown | Claim::Busy => return Ok(None),
            Claim::Answered(answer_id) => {
                tracing::info!(message_id, answer_id = %answer_id, "already answered; acknowledged again");
                self.acknowledge(message_id).await?;
                return Ok(None);
            }
            Claim::Failed(answer_id) => {
                tracing::warn!(message_id, answer_id = %answer_id, "its answer could not be delivered (EBMS:0301); acknowledged again, not answered anew");
                self.acknowledge(message_id).await?;
                return Ok(None);
            }
            Claim::Decide {
                header,
                regrep,
                state,
            } => self.decide(message_id, &header, &regrep, state).await,
            Claim::Send(entry) => self.send(message_id, entry, None).await,
        };
        if let Err(e) = &result {
            // Give the message back (lease released) and look at it again later.
            let code = match e {
                ServiceError::Gateway(g) => g.code(),
                ServiceError::Exchange(x) => x.code(),
                ServiceError::Store(s) => s.code(),
                ServiceError::NoRegrep => "NO_REGREP",
                ServiceError::Stored(_) => "STORED",
            };
            let later = self.exchange.clock.now()
                + chrono::Duration::seconds(i64::from(self.sweep_seconds()));
            if let Err(s) = self
                .exchange
                .store
                .defer(message_id, &self.worker, later, code)
                .await
            {
                tracing::warn!(
                    message_id,
                    code = s.code(),
                    "cannot give the message back; the next sweep tries again"
                );
                lock(&self.stranded).insert(message_id.to_owned());
            }
        }
        result
    }

    /// Gives back the leases of messages this process stopped working on while the store
    /// was away ([`Service::process`] could not): due at once, the same sweep takes them
    /// up. Those worked on again meanwhile are left alone.
    pub(super) async fn give_back_stranded(&self) {
        let ids: Vec<String> = {
            let in_flight = lock(&self.in_flight);
            lock(&self.stranded)
                .iter()
                .filter(|id| !in_flight.contains(*id))
                .cloned()
                .collect()
        };
        let now = self.exchange.clock.now();
        for id in ids {
            match self
                .exchange
                .store
                .defer(&id, &self.worker, now, "STORE_UNAVAILABLE")
                .await
            {
                Ok(()) => {
                    lock(&self.stranded).remove(&id);
                    tracing::info!(message_id = %id, "lease given back after the store returned");
                }
                Err(e) => {
                    tracing::debug!(code = e.code(), "stranded leases not given back yet");
                    return;
                }
            }
        }
    }

    /// Fetches a message from the access point, stores it and takes its lease. A
    /// message the access point no longer holds may be stored already (acknowledged
    /// before a restart): the store then says what is left to do.
    async fn fetch_and_claim(&self, message_id: &str) -> Result<Claim, ServiceError> {
        let inbound = match self.gateway.retrieve(message_id).await {
            Ok(m) => m,
            Err(e @ GatewayError::Fault { .. }) => {
                return match self.claim(message_id).await? {
                    Claim::Unknown => Err(e.into()),
                    known => Ok(known),
                };
            }
            Err(e) => return Err(e.into()),
        };
        let regrep = inbound
            .regrep_payload()
            .ok_or(ServiceError::NoRegrep)?
            .bytes
            .clone();
        let (lease_until, now) = self.lease();
        let claim = self
            .exchange
            .store
            .store_and_claim(
                message_id,
                &inbound.header.to_xml(),
                &regrep,
                &self.worker,
                lease_until,
                now,
            )
            .await?;
        self.exchange.metrics.received();
        Ok(claim)
    }

    fn sweep_seconds(&self) -> u32 {
        self.exchange.config.exchange.sweep_seconds.max(1)
    }

    /// Until when a lease taken now runs (`exchange.lease_seconds`), and now.
    fn lease(&self) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
        let now = self.exchange.clock.now();
        let lease = chrono::Duration::seconds(i64::from(
            self.exchange.config.exchange.lease_seconds.max(1),
        ));
        (now + lease, now)
    }

    async fn claim(&self, message_id: &str) -> Result<Claim, ServiceError> {
        let (lease_until, now) = self.lease();
        Ok(self
            .exchange
            .store
            .claim(message_id, &self.worker, lease_until, now)
            .await?)
    }

    /// Answers a stored request and sends the answer.
    async fn decide(
        &self,
        message_id: &str,
        header_xml: &str,
        regrep: &[u8],
        state: ExchangeState,
    ) -> Result<Option<Report>, ServiceError> {
        let header =
            UserMessage::from_xml(header_xml).map_err(|e| ServiceError::Stored(e.to_string()))?;
        tracing::Span::current().record("conversation_id", header.conversation_id.as_str());
        if state == ExchangeState::Received {
            // Stored, perhaps not yet acknowledged (a crash in between): now it may be.
            self.acknowledge(message_id).await?;
        }
        let started = std::time::Instant::now();
        let answer = match self.exchange.reply(regrep, Some(&header)).await? {
            Reply::Answer(a) => *a,
            Reply::Held { until } => {
                // Stored and acknowledged: answered when the user decides or at the
                // deadline (the sweep brings it back).
                self.exchange.store.hold(message_id, &self.worker).await?;
                tracing::info!(message_id, %until, "preview follow-up held until the user decides");
                return Ok(None);
            }
        };
        let outbound = self.outbound(&header, &answer);
        let answer_id = outbound.header.message_id.clone();
        let decision = Decision {
            answer_id: answer_id.clone(),
            message: outbound.to_outbox(),
            action: answer.action().to_owned(),
            code: answer.code().map(str::to_owned),
            generation: answer.generation.clone(),
            audit: audit_record(message_id, &header, regrep, &outbound, &answer),
        };
        let now = self.exchange.clock.now();
        if !self
            .exchange
            .store
            .decide(message_id, &self.worker, &decision, now)
            .await?
        {
            tracing::warn!(
                message_id,
                "lease lost before the decision was stored; another worker answers"
            );
            return Ok(None);
        }
        let span = tracing::Span::current();
        span.record("request_id", answer.request_id.as_deref().unwrap_or("-"));
        span.record("outcome", answer.outcome_label());
        self.exchange
            .metrics
            .decided(answer.outcome_label(), started.elapsed());
        let entry = OutboxEntry {
            answer_id,
            message: decision.message,
            attempts: 0,
        };
        self.send_decoded(message_id, entry, outbound, Some(answer))
            .await
    }

    /// Marks the message downloaded; "no such message" means it already was, which is
    /// fine when we hold it in the store.
    async fn acknowledge(&self, message_id: &str) -> Result<(), GatewayError> {
        match self.gateway.acknowledge(message_id).await {
            Err(GatewayError::Fault { code, .. }) if code == "WS_PLUGIN:0009" => Ok(()),
            other => other,
        }
    }

    async fn handle(&self, message_id: String, pushed: bool) {
        use tracing::Instrument as _;
        // Named once while queued or worked on: a push, the access point's pending list
        // and the store's due list often name the same message during a burst.
        let Some(_guard) = InFlight::enter(&self.in_flight, &message_id) else {
            return;
        };
        let Ok(_permit) = self.workers.clone().acquire_owned().await else {
            return;
        };
        let span = tracing::info_span!(
            "exchange",
            message_id = %message_id,
            conversation_id = tracing::field::Empty,
            request_id = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let report = match self
            .process_entered(&message_id, pushed)
            .instrument(span)
            .await
        {
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
        if let Err(e) = self.exchange.store.on_start().await {
            tracing::error!(code = e.code(), error = %e, "the state store cannot be prepared");
        }
        let gens = self.exchange.generations().clone();
        // The preview space's decisions (and a periodic look for passed deadlines) bring
        // held follow-up requests back.
        let (decided_tx, decided_rx) = mpsc::unbounded_channel::<()>();
        let app: Router = inbound(tx).merge(crate::web::router(&self.exchange, decided_tx).await);
        let reload_cfg = self.exchange.config.reload.clone();
        if reload_cfg.enabled {
            tokio::spawn(crate::reload::watch(
                self.exchange.config.clone(),
                gens,
                Duration::from_millis(reload_cfg.poll_ms),
                shutdown.clone(),
            ));
        }
        let http = tokio::spawn(crate::listener::serve(
            listener,
            app,
            self.exchange.config.http.limits.clone(),
            shutdown.clone(),
        ));

        // Housekeeping runs beside this loop, never in it: a slow store or access point
        // must not hold up the dispatch of new messages. It names stored work that is due
        // (start-up, every `sweep_seconds`, preview decisions and deadlines) and messages
        // the access point still holds; this loop starts a task for each.
        let (work_tx, mut work_rx) = mpsc::unbounded_channel::<String>();
        let duties = background::Duties::start(&self, work_tx, decided_rx, &shutdown);
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                n = rx.recv() => match n {
                    Some(Notification::Received(id)) => {
                        let s = self.clone();
                        tasks.spawn(async move { s.handle(id, true).await });
                    }
                    Some(Notification::SendSuccess(id)) => duties.delivered(id),
                    Some(other) => tracing::debug!(?other, "notification"),
                    None => break,
                },
                Some(id) = work_rx.recv() => {
                    let s = self.clone();
                    tasks.spawn(async move { s.handle(id, false).await });
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        duties.stop().await;
        while tasks.join_next().await.is_some() {}
        match http.await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

/// The journal record of one decision: who asked for which evidence type about which
/// (hashed) subject, the outcome, the matching explanation or the preview sign-in's
/// verdict (the reason a neutral refusal does not tell), the mapping generation and the
/// answer's id.
///
/// What proves what was received and sent goes with it: the SHA-256 of the request
/// document as stored and of every part of the answer as submitted, with both message
/// ids ([`proof`]).
fn audit_record(
    message_id: &str,
    header: &UserMessage,
    regrep: &[u8],
    outbound: &OutboundMessage,
    answer: &Answer,
) -> String {
    let answer_id = outbound.header.message_id.as_str();
    let f = &answer.facts;
    let mut record = serde_json::json!({
        "kind": "decision",
        "message_id": message_id,
        "conversation_id": header.conversation_id,
        "from_party": header.from.party_id,
        "request_id": f.request_id.as_ref().or(answer.request_id.as_ref()),
        "requester": f.requester,
        "evidence_type": f.evidence_type,
        "procedure": f.procedure,
        "subject": f.subject,
        "action": answer.action(),
        "code": answer.code(),
        "outcome": &answer.outcome,
        "generation": answer.generation,
        "matching": &answer.matching,
        "answer_id": answer_id,
        "request_sha256": proof::sha256(regrep),
        "answer_parts": proof::parts(&outbound.payloads),
    });
    // Why the preview's sign-in ended the session (attribute names only), when it did.
    if let Some(why) = &answer.sign_in {
        record["sign_in"] = serde_json::json!(why);
    }
    record.to_string()
}
