//! The used request ids of the SQLite store (see [`RequestIds`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, db_error, ts};
use crate::{RequestIds, StoreError};

#[async_trait]
impl RequestIds for SqliteStore {
    async fn claim_request_id(
        &self,
        id: &str,
        message_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_ascii_lowercase();
        let message_id = message_id.map(str::to_owned);
        self.run(move |c| {
            let n = c
                .execute(
                    "INSERT INTO seen_request (request_id, received_at, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    params![id, ts(at), message_id],
                )
                .map_err(db_error)?;
            if n == 1 {
                return Ok(true);
            }
            let Some(message_id) = message_id else {
                return Ok(false);
            };
            let by: Option<Option<String>> = c
                .query_row(
                    "SELECT message_id FROM seen_request WHERE request_id = ?",
                    [&id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error)?;
            Ok(by.flatten().as_deref() == Some(message_id.as_str()))
        })
        .await
    }
}
