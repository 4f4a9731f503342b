//! The lifecycle part of the store: what `serve` does with it as a whole (start-up,
//! readiness, retention), across every concern.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;
use crate::journal::PurgeReport;

/// Guards the store as a whole: what is left over from a killed run, whether it can be
/// written now, and how long anything is kept (the purge spans every concern).
#[async_trait]
pub trait Lifecycle: Send + Sync {
    /// Called once when `serve` starts. A store only one process may use (SQLite) voids
    /// the leases a killed run left behind; a shared one (PostgreSQL) lets them expire.
    async fn on_start(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Proves the store can be written now (readiness): a database that is gone or a disk
    /// that is full fails here, and nothing is acknowledged while it does.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Deletes journal entries, finished exchanges, used request ids and preview links
    /// older than `before`, and appends a purge record that vouches for the first
    /// entry kept (so `audit verify` still checks the chain from there).
    async fn purge(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<PurgeReport, StoreError>;
}
