//! Durable adapter state: which request ids were already used, every exchange as a
//! persisted state machine with its outbox, the hash-chained audit journal and the
//! preview links handed out. Behind one trait: SQLite (embedded, one replica) and
//! PostgreSQL (several replicas sharing the work).

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod audit_key;
pub mod bundle;
#[cfg(feature = "test-support")]
pub mod conformance;
pub mod exchange;
pub mod journal;
mod open;
mod postgres;
pub mod proof;
pub mod sealed;
mod sqlite;

pub use audit_key::{JournalKey, KeyError, KeyRing, PublicKey};
pub use exchange::{Claim, Decision, ExchangeState, ExchangeSummary, OutboxEntry};
pub use journal::{Checkpoint, JournalEntry, JournalError, PurgeReport};
pub use open::{OpenError, PostgresSettings, StoreSettings, open};
pub use postgres::PostgresStore;
pub use sealed::SealedMessage;
pub use sqlite::{SqliteStore, Synchronous};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Why the state store failed. A store failure must stop the exchange before anything is
/// acknowledged, so nothing is lost.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be reached (connection, pool, I/O).
    #[error("state store unavailable: {0}")]
    Unavailable(String),
    /// The store refused a statement.
    #[error("state store query failed: {0}")]
    Query(String),
}

impl StoreError {
    /// The stable error code, for operators and logs.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "STORE_UNAVAILABLE",
            StoreError::Query(_) => "STORE_QUERY",
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Database(db) => StoreError::Query(db.message().to_owned()),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

/// A preview link issued in an `EDM:ERR:0002` answer, bound to one request.
#[derive(Clone, PartialEq, Eq)]
pub struct PreviewLink {
    /// Unguessable token (the last path segment of the PreviewLocation).
    pub token: String,
    /// The full PreviewLocation URL handed out.
    pub location: String,
    /// The request the link answers.
    pub request_id: String,
    /// The evidence type requested.
    pub evidence_type: String,
    /// The requester the link is bound to.
    pub requester_id: String,
    /// When the link was issued.
    pub created_at: DateTime<Utc>,
    /// What the preview needs until the follow-up is answered (the subject as requested,
    /// the evidence held for the user's decision), as JSON. Personal data: it is dropped
    /// with [`Store::forget_preview_data`] once the follow-up is answered.
    pub data: String,
}

impl std::fmt::Debug for PreviewLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a capability and `data` is personal data.
        f.debug_struct("PreviewLink")
            .field("request_id", &self.request_id)
            .field("evidence_type", &self.evidence_type)
            .field("requester_id", &self.requester_id)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// What [`Store::store_inbound_once`] did with a received message.
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

/// Persistent state used by the exchange.
///
/// Every inbound message moves `Received → (AwaitingPreview) → Decided → Answered →
/// Acknowledged` ([`ExchangeState`]). A worker (one task of one replica) works on a
/// message only while it holds its lease ([`Store::claim`]); a replica that dies simply
/// lets its leases run out. The answer is written to the outbox together with the audit
/// record ([`Store::decide`]) before it is submitted, so a crash between "decided" and
/// "sent" re-sends the same message (same MessageId, which the access point
/// deduplicates) instead of losing or re-deciding it.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Called once when `serve` starts. A store only one process may use (SQLite) voids
    /// the leases a killed run left behind; a shared one (PostgreSQL) lets them expire.
    async fn on_start(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Records a request id; `false` if it was seen before (TDD 4.4: ids are never reused).
    /// A request claimed by gateway message `message_id` stays claimable by that same
    /// message: answering a stored message again (after a crash, or a held preview
    /// follow-up) is not a reuse.
    async fn claim_request_id(
        &self,
        id: &str,
        message_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

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

    /// Stores a message received over AS4 as [`Store::store_inbound`] does, with
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

    /// Stores a message just fetched from the access point (as [`Store::store_inbound`])
    /// with its lease already taken by `worker`, and says what is to be done with it (as
    /// [`Store::claim`]): one write where the two would take two.
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
    /// sent it is answered ([`Store::mark_answered`]) or by the purge.
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

    /// [`Store::acknowledge_answer`] for several answers in one write; returns how many
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

    /// Moves audit records written with decisions into the hash chain, where a store
    /// writes them aside first (PostgreSQL: replicas' decisions never wait for each other
    /// on the chain); returns how many. `serve` calls it every 200 ms.
    async fn chain_journal(&self) -> Result<u64, StoreError> {
        Ok(0)
    }

    /// Journal entries with `seq > after`, in order, at most `limit` (reading from the
    /// start chains what is pending first).
    async fn journal(&self, after: i64, limit: u32) -> Result<Vec<JournalEntry>, StoreError>;

    /// Appends one record to the journal (outside a decision: purges, operator events).
    async fn append_journal(&self, record: &str, at: DateTime<Utc>) -> Result<i64, StoreError>;

    /// Whether journal records are sealed with an audit key (and checkpoints can be signed).
    fn seals_journal(&self) -> bool;

    /// The sequence number of the newest chained journal record.
    async fn journal_head(&self) -> Result<Option<i64>, StoreError>;

    /// Signs the journal's head with the store's audit key and appends the checkpoint as
    /// a record; `None` if the journal is empty. Fails without a key.
    async fn checkpoint(&self, at: DateTime<Utc>) -> Result<Option<Checkpoint>, StoreError>;

    /// Deletes journal entries, finished exchanges, used request ids and preview links
    /// older than `before`, and appends a purge record that vouches for the first
    /// entry kept (so `audit verify` still checks the chain from there).
    async fn purge(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<PurgeReport, StoreError>;

    /// The key the journal hashes subjects with: the one stored, or `fresh` stored now
    /// (all replicas of one database share it).
    async fn subject_key(&self, fresh: &[u8]) -> Result<Vec<u8>, StoreError>;

    /// Proves the store can be written now (readiness): a database that is gone or a disk
    /// that is full fails here, and nothing is acknowledged while it does.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Keeps a preview link issued (see [`PreviewLink`]).
    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError>;

    /// The preview link with this token, if it was issued and not purged.
    async fn find_preview(&self, token: &str) -> Result<Option<PreviewLink>, StoreError>;

    /// The preview session's state (JSON, see `preview::session::State`) and its version.
    async fn preview_state(&self, token: &str) -> Result<Option<(String, i64)>, StoreError>;

    /// Replaces the session's state if it is still at `version` (another replica or
    /// another click may have moved it); `false` if it was not.
    async fn update_preview_state(
        &self,
        token: &str,
        state: &str,
        version: i64,
    ) -> Result<bool, StoreError>;

    /// Like [`Store::update_preview_state`], and replaces the session's held data in the
    /// same step (the evidence found once the sign-in singled out the record); `false`
    /// also when the data was dropped meanwhile (the follow-up was answered).
    async fn update_preview_state_and_data(
        &self,
        token: &str,
        state: &str,
        data: &str,
        version: i64,
    ) -> Result<bool, StoreError>;

    /// Drops the personal data a preview kept, once its follow-up is answered.
    async fn forget_preview_data(&self, token: &str) -> Result<(), StoreError>;
}
