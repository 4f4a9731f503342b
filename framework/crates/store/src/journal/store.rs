//! The journal part of the store: the hash-chained audit journal as a backend keeps it
//! (the chain's rules themselves are in the parent module).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Checkpoint, JournalEntry};
use crate::StoreError;

/// Guards the audit journal: one unbroken hash chain, appended to and read in order,
/// sealed and checkpointed with the store's audit key when it has one.
#[async_trait]
pub trait Journal: Send + Sync {
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

    /// The key the journal hashes subjects with: the one stored, or `fresh` stored now
    /// (all replicas of one database share it).
    async fn subject_key(&self, fresh: &[u8]) -> Result<Vec<u8>, StoreError>;
}
