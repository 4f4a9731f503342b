//! Start-up, readiness and retention of the SQLite store (see [`Lifecycle`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use super::journal::append;
use super::{SqliteStore, db_error, ts};
use crate::journal::{PurgeRecord, PurgeReport, stamp};
use crate::{Lifecycle, StoreError};

#[async_trait]
impl Lifecycle for SqliteStore {
    async fn on_start(&self) -> Result<(), StoreError> {
        // One process per file: leases a killed run left behind are void.
        self.run(|c| {
            c.execute(
                "UPDATE inbound_message SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL",
                [],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn purge(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<PurgeReport, StoreError> {
        let key = self.key.clone();
        self.run(move |c| {
            let mut report = PurgeReport::default();
            let last: Option<(i64, String)> = c
                .query_row(
                    "SELECT seq, hash FROM audit_journal WHERE at < ? ORDER BY seq DESC LIMIT 1",
                    [stamp(before)],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db_error)?;
            if let Some((through, hash)) = last {
                report.journal_entries = c
                    .execute("DELETE FROM audit_journal WHERE seq <= ?", [through])
                    .map_err(db_error)? as u64;
                let record = PurgeRecord::new(through, hash, before).to_json();
                report.purge_record = Some(append(c, &record, now, key.as_deref())?);
            }
            let cutoff = ts(before);
            report.exchanges = c
                .execute(
                    "DELETE FROM inbound_message WHERE state IN ('answered', 'acknowledged', 'failed') AND COALESCE(answered_at, received_at) < ?",
                    [&cutoff],
                )
                .map_err(db_error)? as u64;
            // Sealed bytes of messages no exchange still waits to send (a requester's
            // own requests, purged exchanges).
            c.execute(
                "DELETE FROM outbound_sealed WHERE sealed_at < ? AND message_id NOT IN (SELECT answer_id FROM inbound_message WHERE answer_id IS NOT NULL AND state = 'decided')",
                [&cutoff],
            )
            .map_err(db_error)?;
            report.request_ids = c
                .execute("DELETE FROM seen_request WHERE received_at < ?", [&cutoff])
                .map_err(db_error)? as u64;
            report.preview_links = c
                .execute("DELETE FROM preview_link WHERE created_at < ?", [&cutoff])
                .map_err(db_error)? as u64;
            Ok(report)
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.run(|c| {
            c.execute(
                "INSERT INTO adapter_meta (key, value) VALUES ('heartbeat', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [ts(Utc::now()).into_bytes()],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }
}
