//! The persisted shape of one exchange (its state, its lease and its outbox) and the
//! exchange part of the store ([`Exchanges`]): the lease and outbox state machine.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{SealedMessage, StoreError};

/// Where an inbound message stands. Only these points are durable: a crash anywhere
/// between two of them repeats the work from the earlier one, which is safe because
/// nothing left the adapter in between (matching is repeated, never the sending of a
/// different answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeState {
    /// Stored (and so acknowledged to the access point); no answer decided yet.
    Received,
    /// A preview follow-up waiting for the user's decision or the deadline.
    AwaitingPreview,
    /// The answer is decided and waits in the outbox.
    Decided,
    /// The answer was submitted to the access point.
    Answered,
    /// The access point confirmed delivery (an AS4 receipt, Domibus `sendSuccess`).
    Acknowledged,
    /// Every attempt the retry schedule allows failed (`EBMS:0301` MissingReceipt): not
    /// sent again; the outbox keeps the answer for the operator.
    Failed,
}

impl ExchangeState {
    /// Every state, in the order an exchange goes through them.
    pub const ALL: [ExchangeState; 6] = [
        ExchangeState::Received,
        ExchangeState::AwaitingPreview,
        ExchangeState::Decided,
        ExchangeState::Answered,
        ExchangeState::Acknowledged,
        ExchangeState::Failed,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeState::Received => "received",
            ExchangeState::AwaitingPreview => "awaiting_preview",
            ExchangeState::Decided => "decided",
            ExchangeState::Answered => "answered",
            ExchangeState::Acknowledged => "acknowledged",
            ExchangeState::Failed => "failed",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The answer has left the adapter.
    pub fn is_answered(self) -> bool {
        matches!(self, ExchangeState::Answered | ExchangeState::Acknowledged)
    }
}

/// What a worker that took the lease on a message is to do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The message is not in the store: fetch it from the access point first.
    Unknown,
    /// Another worker holds the lease.
    Busy,
    /// Already answered with this answer id: only acknowledge it again.
    Answered(String),
    /// Decide the answer to this request (its ebMS header XML and RegRep document).
    Decide {
        /// The ebMS header, as XML.
        header: String,
        /// The RegRep query document.
        regrep: Vec<u8>,
        /// The state the message is in.
        state: ExchangeState,
    },
    /// The answer is decided: send what the outbox holds.
    Send(OutboxEntry),
    /// The answer with this id could not be delivered ([`ExchangeState::Failed`]): only
    /// acknowledge the request again, never answer it anew.
    Failed(String),
}

/// An answer decided and not yet submitted.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The MessageId of the answer.
    pub answer_id: String,
    /// The outbound message, serialised (see `service::outbox`).
    pub message: Vec<u8>,
    /// Send attempts that failed so far.
    pub attempts: u32,
}

impl std::fmt::Debug for OutboxEntry {
    // The message holds the evidence: personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxEntry")
            .field("answer_id", &self.answer_id)
            .field("len", &self.message.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// A decided answer and its audit record, written together.
#[derive(Clone)]
pub struct Decision {
    /// The MessageId of the answer.
    pub answer_id: String,
    /// The outbound message, serialised.
    pub message: Vec<u8>,
    /// `ExecuteQueryResponse` or `ExceptionResponse`.
    pub action: String,
    /// The EDM error code, when the answer is an error.
    pub code: Option<String>,
    /// The generation of the configuration that decided it.
    pub generation: String,
    /// The journal record (JSON without personal data).
    pub audit: String,
}

impl std::fmt::Debug for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decision")
            .field("answer_id", &self.answer_id)
            .field("action", &self.action)
            .field("code", &self.code)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// One exchange as the operator page shows it: identifiers and outcome, no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct ExchangeSummary {
    /// The MessageId of the request received.
    pub message_id: String,
    /// Where the exchange stands.
    pub state: ExchangeState,
    /// When the request was stored.
    pub received_at: DateTime<Utc>,
    /// When the answer left, if it did.
    pub answered_at: Option<DateTime<Utc>>,
    /// `ExecuteQueryResponse` or `ExceptionResponse`, once decided.
    pub action: Option<String>,
    /// The EDM error code, when the answer is an error.
    pub code: Option<String>,
    /// The generation of the configuration that decided the answer.
    pub generation: Option<String>,
    /// Send attempts that failed so far.
    pub attempts: u32,
    /// The last send error (a code, no personal data).
    pub last_error: Option<String>,
}

/// What [`Exchanges::store_inbound_once`] did with a received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbound {
    /// Stored now: new work.
    Stored,
    /// Stored before with the same content: a resend, acknowledged again.
    Resent,
    /// Stored before with another content under the same MessageId: refused, the stored
    /// message stays as it was.
    Conflict,
}

/// Guards every inbound message's way through its states, and its outbox.
///
/// Every inbound message moves `Received → (AwaitingPreview) → Decided → Answered →
/// Acknowledged` ([`ExchangeState`]). A worker (one task of one replica) works on a
/// message only while it holds its lease ([`Exchanges::claim`]); a replica that dies
/// simply lets its leases run out. The answer is written to the outbox together with the
/// audit record ([`Exchanges::decide`]) before it is submitted, so a crash between
/// "decided" and "sent" re-sends the same message (same MessageId, which the access point
/// deduplicates) instead of losing or re-deciding it.
#[async_trait]
pub trait Exchanges: Send + Sync {
    /// Stores a received gateway message (its ebMS header XML and RegRep document) before
    /// it is acknowledged, in state `Received`; `false` if it was already stored (a
    /// redelivery).
    async fn store_inbound(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Stores a message received over AS4 as [`Exchanges::store_inbound`] does, with
    /// `content`, a digest of its header and payloads, so that a later message with the
    /// same MessageId is told apart: the same content is a resend ([`Inbound::Resent`]),
    /// another content is [`Inbound::Conflict`] and changes nothing. A message stored
    /// without a digest (before this existed) takes the first one it is resent with.
    async fn store_inbound_once(
        &self,
        message_id: &str,
        content: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<Inbound, StoreError>;

    /// Stores a message just fetched from the access point (as [`Exchanges::store_inbound`])
    /// with its lease already taken by `worker`, and says what is to be done with it (as
    /// [`Exchanges::claim`]): one write where the two would take two.
    async fn store_and_claim(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        self.store_inbound(message_id, header, regrep, now).await?;
        self.claim(message_id, worker, lease_until, now).await
    }

    /// Takes the lease on a message for `worker` until `lease_until` and says what is to
    /// be done with it. A lease held by another worker and not expired gives
    /// [`Claim::Busy`]; the same worker may claim again (renewal).
    async fn claim(
        &self,
        message_id: &str,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError>;

    /// Leases up to `limit` messages that need work now, oldest first, for `worker`:
    /// received or held messages whose lease ran out, and decided ones whose next send
    /// attempt is due. Replicas calling this at once get disjoint sets (PostgreSQL
    /// `FOR UPDATE SKIP LOCKED`).
    async fn due(
        &self,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<String>, StoreError>;

    /// The message is a preview follow-up whose user has not decided: it waits in
    /// `AwaitingPreview`, its lease given up.
    async fn hold(&self, message_id: &str, worker: &str) -> Result<(), StoreError>;

    /// Writes the decided answer to the outbox and appends `decision.audit` to the
    /// journal, in one transaction; `false` (nothing written) if `worker` lost the
    /// lease meanwhile, so two workers never both decide.
    async fn decide(
        &self,
        message_id: &str,
        worker: &str,
        decision: &Decision,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// A send attempt failed: the lease is given up and the next attempt is due at
    /// `next_attempt` (the outbox keeps the message).
    async fn defer(
        &self,
        message_id: &str,
        worker: &str,
        next_attempt: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// The answer in the outbox was submitted (`Answered`), or submitted and already
    /// acknowledged by a receipt (`Acknowledged`). The request and the answer's contents
    /// are dropped: only identifiers and the audit record stay.
    async fn mark_answered(
        &self,
        message_id: &str,
        acknowledged: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The answer in the outbox could not be delivered for good (its retry schedule ran
    /// out; `error` is the code, e.g. `EBMS:0301`): `Failed`, the lease given up, never
    /// due again. The outbox and the sealed bytes stay (nothing is lost) until the purge.
    async fn fail(&self, message_id: &str, worker: &str, error: &str) -> Result<(), StoreError>;

    /// Keeps the sealed bytes of outgoing message `message_id` unless bytes are kept for
    /// it already, and returns the bytes kept: whoever seals first (a replica, a run
    /// before a restart) fixes what every attempt sends. Dropped once the exchange that
    /// sent it is answered ([`Exchanges::mark_answered`]) or by the purge.
    async fn keep_sealed(
        &self,
        message_id: &str,
        sealed: &SealedMessage,
        at: DateTime<Utc>,
    ) -> Result<SealedMessage, StoreError>;

    /// The sealed bytes kept for outgoing message `message_id`.
    async fn sealed(&self, message_id: &str) -> Result<Option<SealedMessage>, StoreError>;

    /// The access point reports the answer `answer_id` delivered (Domibus
    /// `sendSuccess`); `false` if no exchange sent it.
    async fn acknowledge_answer(
        &self,
        answer_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// [`Exchanges::acknowledge_answer`] for several answers in one write; returns how many
    /// exchanges it moved to `Acknowledged`.
    async fn acknowledge_answers(
        &self,
        answer_ids: &[String],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut n = 0;
        for id in answer_ids {
            n += u64::from(self.acknowledge_answer(id, at).await?);
        }
        Ok(n)
    }

    /// A stored message not answered yet: its header XML and RegRep document.
    async fn unanswered(&self, message_id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError>;

    /// The id of the answer decided for an inbound message, if any.
    async fn answer_of(&self, message_id: &str) -> Result<Option<String>, StoreError>;

    /// Where an exchange stands.
    async fn state_of(&self, message_id: &str) -> Result<Option<ExchangeState>, StoreError>;

    /// The audit record kept with the answer to `message_id` (JSON free of personal
    /// data: outcome, generation, the matching decision and its explanation).
    async fn audit_of(&self, message_id: &str) -> Result<Option<String>, StoreError>;

    /// The most recent exchanges, newest first, without personal data (operator page).
    async fn recent_exchanges(&self, limit: u32) -> Result<Vec<ExchangeSummary>, StoreError>;

    /// How many exchanges are in each state (metrics).
    async fn exchange_counts(&self) -> Result<Vec<(ExchangeState, i64)>, StoreError>;
}
