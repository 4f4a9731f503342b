//! Readiness and retention of the PostgreSQL store (see [`Lifecycle`]); its leases
//! simply expire, so start-up has nothing to do.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::PostgresStore;
use super::journal::{append, chain_all};
use crate::journal::{PurgeRecord, PurgeReport};
use crate::{Lifecycle, StoreError};

#[async_trait]
impl Lifecycle for PostgresStore {
    async fn purge(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<PurgeReport, StoreError> {
        let mut report = PurgeReport::default();
        let mut tx = self.pool.begin().await?;
        chain_all(&mut tx, self.key.as_deref()).await?;
        let last: Option<(i64, String)> = sqlx::query_as(
            "SELECT seq, hash FROM audit_journal WHERE at < $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(before)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((through, hash)) = last {
            report.journal_entries = sqlx::query("DELETE FROM audit_journal WHERE seq <= $1")
                .bind(through)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let record = PurgeRecord::new(through, hash, before).to_json();
            report.purge_record = Some(append(&mut tx, &record, now, self.key.as_deref()).await?);
        }
        report.exchanges = sqlx::query(
            "DELETE FROM inbound_message WHERE state IN ('answered', 'acknowledged', 'failed') AND COALESCE(answered_at, received_at) < $1",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Sealed bytes of messages no exchange still waits to send.
        sqlx::query(
            "DELETE FROM outbound_sealed WHERE sealed_at < $1 AND message_id NOT IN (SELECT answer_id FROM inbound_message WHERE answer_id IS NOT NULL AND state = 'decided')",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        report.request_ids = sqlx::query("DELETE FROM seen_request WHERE received_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        report.preview_links = sqlx::query("DELETE FROM preview_link WHERE created_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(report)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO adapter_meta (key, value) VALUES ('heartbeat', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(Utc::now().to_rfc3339().into_bytes())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
