//! The used request ids of the PostgreSQL store (see [`RequestIds`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::PostgresStore;
use crate::{RequestIds, StoreError};

#[async_trait]
impl RequestIds for PostgresStore {
    async fn claim_request_id(
        &self,
        id: &str,
        message_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_ascii_lowercase();
        let r = sqlx::query(
            "INSERT INTO seen_request (request_id, received_at, message_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(at)
        .bind(message_id)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(true);
        }
        let Some(message_id) = message_id else {
            return Ok(false);
        };
        let by: Option<(Option<String>,)> =
            sqlx::query_as("SELECT message_id FROM seen_request WHERE request_id = $1")
                .bind(&id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(by.and_then(|(m,)| m).as_deref() == Some(message_id))
    }
}
