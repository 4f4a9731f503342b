//! Durable adapter state: which request ids were already used, every exchange as a
//! persisted state machine with its outbox, the hash-chained audit journal and the
//! preview links handed out. Behind one trait, [`Store`], made of one part per concern
//! ([`RequestIds`], [`Exchanges`], [`Journal`], [`PreviewSessions`] and the store's
//! [`Lifecycle`]): SQLite (embedded, one replica) and PostgreSQL (several replicas
//! sharing the work), one module folder each.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod audit_key;
pub mod bundle;
#[cfg(feature = "test-support")]
pub mod conformance;
pub mod exchange;
pub mod journal;
pub mod lifecycle;
mod open;
mod postgres;
pub mod preview;
pub mod proof;
pub mod request_ids;
pub mod sealed;
mod sqlite;

pub use audit_key::{JournalKey, KeyError, KeyRing, PublicKey};
pub use exchange::{
    Claim, Decision, ExchangeState, ExchangeSummary, Exchanges, Inbound, OutboxEntry,
};
pub use journal::{Checkpoint, Journal, JournalEntry, JournalError, PurgeReport};
pub use lifecycle::Lifecycle;
pub use open::{OpenError, PostgresSettings, StoreSettings, open};
pub use postgres::PostgresStore;
pub use preview::{PreviewDoc, PreviewDocs, PreviewLink, PreviewSessions, Revision, Swap};
pub use request_ids::RequestIds;
pub use sealed::SealedMessage;
pub use sqlite::{SqliteStore, Synchronous};

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

/// Persistent state used by the adapter: every concern's part in one object, as `serve`
/// holds it (`Arc<dyn Store>`). Implemented for every type that implements the parts; a
/// caller that needs one concern only may take that part instead.
pub trait Store:
    RequestIds + Exchanges + Journal + PreviewSessions + Lifecycle + Send + Sync + std::fmt::Debug
{
}

impl<T> Store for T where
    T: RequestIds
        + Exchanges
        + Journal
        + PreviewSessions
        + Lifecycle
        + Send
        + Sync
        + std::fmt::Debug
        + ?Sized
{
}
