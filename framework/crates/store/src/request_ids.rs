//! The request-id part of the store: which request ids were already used, so that none
//! is answered twice (TDD 4.4).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Guards the one-use rule of request ids: an id is answered once, except again for the
/// gateway message that first used it.
#[async_trait]
pub trait RequestIds: Send + Sync {
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
}
