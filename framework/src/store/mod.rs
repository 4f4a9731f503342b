//! Durable adapter state: which request ids were already used, which inbound messages were
//! stored (so they can be acknowledged to the gateway safely) and answered, and the
//! preview links handed out. Behind a trait so PostgreSQL can join SQLite for replicas.

mod sqlite;

pub use sqlite::SqliteStore;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Why the state store failed. A store failure must stop the exchange before anything is
/// acknowledged, so nothing is lost.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state store unavailable: {0}")]
    Unavailable(String),
    #[error("state store query failed: {0}")]
    Query(String),
}

impl StoreError {
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
    pub location: String,
    pub request_id: String,
    pub evidence_type: String,
    pub requester_id: String,
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

/// Persistent state used by the exchange.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
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
    /// it is acknowledged; `false` if it was already stored (a redelivery).
    async fn store_inbound(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// A stored message not answered yet: its header XML and RegRep document. After a
    /// crash between acknowledgement and answer this is the only copy left.
    async fn unanswered(&self, message_id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError>;

    /// Ids of all stored messages still waiting for an answer, oldest first.
    async fn unanswered_ids(&self) -> Result<Vec<String>, StoreError>;

    /// The id of the answer already sent for an inbound message, if any.
    async fn answer_of(&self, message_id: &str) -> Result<Option<String>, StoreError>;

    /// Records that `message_id` was answered with `answer_id` by mapping `generation`,
    /// with the decision's audit record (JSON free of personal data).
    async fn mark_answered(
        &self,
        message_id: &str,
        answer_id: &str,
        generation: &str,
        audit: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The audit record kept with the answer to `message_id` (JSON free of personal
    /// data: outcome, generation, the matching decision and its explanation).
    async fn audit_of(&self, message_id: &str) -> Result<Option<String>, StoreError>;

    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError>;

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
