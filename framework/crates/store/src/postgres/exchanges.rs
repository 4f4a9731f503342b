//! The exchanges of the PostgreSQL store: each inbound message's state, lease and
//! outbox, leased by conditional updates (see [`Exchanges`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{PostgresStore, micros, state};
use crate::{
    Claim, Decision, ExchangeState, ExchangeSummary, Exchanges, Inbound, OutboxEntry,
    SealedMessage, StoreError,
};

#[async_trait]
impl Exchanges for PostgresStore {
    async fn store_inbound(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO inbound_message (message_id, header, raw, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(message_id)
        .bind(header)
        .bind(regrep)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn store_inbound_once(
        &self,
        message_id: &str,
        content: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<Inbound, StoreError> {
        let r = sqlx::query(
            "INSERT INTO inbound_message (message_id, header, raw, received_at, content_digest) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(message_id)
        .bind(header)
        .bind(regrep)
        .bind(at)
        .bind(content)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(Inbound::Stored);
        }
        // A row stored without a digest takes this one; then the digests are compared.
        let (known,): (Option<String>,) = sqlx::query_as(
            "UPDATE inbound_message SET content_digest = COALESCE(content_digest, $2) WHERE message_id = $1 RETURNING content_digest",
        )
        .bind(message_id)
        .bind(content)
        .fetch_one(&self.pool)
        .await?;
        Ok(if known.as_deref() == Some(content) {
            Inbound::Resent
        } else {
            Inbound::Conflict
        })
    }

    async fn claim(
        &self,
        message_id: &str,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        // One round trip: the lease is taken where it may be; otherwise the row as it
        // stands says why not.
        let row = sqlx::query(
            "WITH taken AS (UPDATE inbound_message SET lease_owner = $2, lease_until = $3 WHERE message_id = $1 AND state IN ('received', 'awaiting_preview', 'decided') AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until <= $4) RETURNING state, header, raw, answer_id, outbox, attempts) \
             SELECT true, state, header, raw, answer_id, outbox, attempts FROM taken \
             UNION ALL SELECT false, state, NULL, NULL, answer_id, NULL, 0 FROM inbound_message WHERE message_id = $1 AND NOT EXISTS (SELECT 1 FROM taken)",
        )
        .bind(message_id)
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(Claim::Unknown);
        };
        let st = state(row.get::<&str, _>(1))?;
        let answer_id = row.get::<Option<String>, _>(4);
        if !row.get::<bool, _>(0) {
            return Ok(if st.is_answered() {
                Claim::Answered(answer_id.unwrap_or_default())
            } else if st == ExchangeState::Failed {
                Claim::Failed(answer_id.unwrap_or_default())
            } else {
                Claim::Busy
            });
        }
        Ok(match st {
            ExchangeState::Decided => Claim::Send(OutboxEntry {
                answer_id: answer_id.unwrap_or_default(),
                message: row.get::<Option<Vec<u8>>, _>(5).unwrap_or_default(),
                attempts: u32::try_from(row.get::<i32, _>(6)).unwrap_or(0),
            }),
            st => Claim::Decide {
                header: row.get(2),
                regrep: row.get(3),
                state: st,
            },
        })
    }

    async fn store_and_claim(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let r = sqlx::query(
            "INSERT INTO inbound_message (message_id, header, raw, received_at, lease_owner, lease_until) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(message_id)
        .bind(header)
        .bind(regrep)
        .bind(now)
        .bind(worker)
        .bind(lease_until)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(Claim::Decide {
                header: header.to_owned(),
                regrep: regrep.to_vec(),
                state: ExchangeState::Received,
            });
        }
        // Stored before (a redelivery, or another replica was quicker).
        self.claim(message_id, worker, lease_until, now).await
    }

    async fn due(
        &self,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "UPDATE inbound_message SET lease_owner = $1, lease_until = $2 WHERE message_id IN (SELECT message_id FROM inbound_message WHERE state IN ('received', 'awaiting_preview', 'decided') AND (lease_owner IS NULL OR lease_until < $3) AND (next_attempt_at IS NULL OR next_attempt_at <= $3) ORDER BY received_at LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING message_id",
        )
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn hold(&self, message_id: &str, worker: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE inbound_message SET state = 'awaiting_preview', lease_owner = NULL, lease_until = NULL WHERE message_id = $1 AND lease_owner = $2 AND state IN ('received', 'awaiting_preview')",
        )
        .bind(message_id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn decide(
        &self,
        message_id: &str,
        worker: &str,
        d: &Decision,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // The decision and its audit record in one statement (one transaction); the
        // record joins the chain with the next `chain_journal`.
        let row = sqlx::query(
            "WITH decided AS (UPDATE inbound_message SET state = 'decided', answer_id = $1, outbox = $2, action = $3, code = $4, generation = $5, audit = $6, attempts = 0, next_attempt_at = NULL, last_error = NULL WHERE message_id = $7 AND lease_owner = $8 AND state IN ('received', 'awaiting_preview') RETURNING message_id) INSERT INTO audit_pending (at, record) SELECT $9, $6 FROM decided RETURNING id",
        )
        .bind(&d.answer_id)
        .bind(&d.message)
        .bind(&d.action)
        .bind(&d.code)
        .bind(&d.generation)
        .bind(&d.audit)
        .bind(message_id)
        .bind(worker)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    async fn defer(
        &self,
        message_id: &str,
        worker: &str,
        next_attempt: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE inbound_message SET lease_owner = NULL, lease_until = NULL, attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE message_id = $3 AND lease_owner = $4",
        )
        .bind(next_attempt)
        .bind(error)
        .bind(message_id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mark_answered(
        &self,
        message_id: &str,
        acknowledged: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE inbound_message SET state = CASE WHEN state = 'acknowledged' OR $1 THEN 'acknowledged' ELSE 'answered' END, answered_at = $2, acknowledged_at = CASE WHEN $1 THEN $2 ELSE acknowledged_at END, outbox = NULL, raw = ''::bytea, header = '', lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE message_id = $3 AND state IN ('decided', 'acknowledged')",
        )
        .bind(acknowledged)
        .bind(at)
        .bind(message_id)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "DELETE FROM outbound_sealed WHERE message_id = (SELECT answer_id FROM inbound_message WHERE message_id = $1 AND state IN ('answered', 'acknowledged'))",
        )
        .bind(message_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn fail(&self, message_id: &str, worker: &str, error: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE inbound_message SET state = 'failed', lease_owner = NULL, lease_until = NULL, attempts = attempts + 1, next_attempt_at = NULL, last_error = $1 WHERE message_id = $2 AND lease_owner = $3 AND state = 'decided'",
        )
        .bind(error)
        .bind(message_id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn keep_sealed(
        &self,
        message_id: &str,
        sealed: &SealedMessage,
        at: DateTime<Utc>,
    ) -> Result<SealedMessage, StoreError> {
        sqlx::query(
            "INSERT INTO outbound_sealed (message_id, content_type, body, refs, sealed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(message_id)
        .bind(&sealed.content_type)
        .bind(&sealed.body)
        .bind(&sealed.references)
        .bind(at)
        .execute(&self.pool)
        .await?;
        // The row that won: ours, or the one another replica inserted first.
        self.sealed(message_id)
            .await?
            .ok_or_else(|| StoreError::Query("sealed bytes not kept".into()))
    }

    async fn sealed(&self, message_id: &str) -> Result<Option<SealedMessage>, StoreError> {
        let row: Option<(String, Vec<u8>, String)> = sqlx::query_as(
            "SELECT content_type, body, refs FROM outbound_sealed WHERE message_id = $1",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(content_type, body, references)| SealedMessage {
            content_type,
            body,
            references,
        }))
    }

    async fn acknowledge_answer(
        &self,
        answer_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE inbound_message SET state = 'acknowledged', acknowledged_at = $1 WHERE answer_id = $2 AND state IN ('decided', 'answered')",
        )
        .bind(at)
        .bind(answer_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn acknowledge_answers(
        &self,
        answer_ids: &[String],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE inbound_message SET state = 'acknowledged', acknowledged_at = $1 WHERE answer_id = ANY($2) AND state IN ('decided', 'answered')",
        )
        .bind(at)
        .bind(answer_ids)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    async fn unanswered(&self, message_id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT header, raw FROM inbound_message WHERE message_id = $1 AND state IN ('received', 'awaiting_preview', 'decided')",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn answer_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT answer_id FROM inbound_message WHERE message_id = $1")
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(a,)| a))
    }

    async fn state_of(&self, message_id: &str) -> Result<Option<ExchangeState>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT state FROM inbound_message WHERE message_id = $1")
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(s,)| state(&s)).transpose()
    }

    async fn audit_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT audit FROM inbound_message WHERE message_id = $1")
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(a,)| a))
    }

    async fn recent_exchanges(&self, limit: u32) -> Result<Vec<ExchangeSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT message_id, state, received_at, answered_at, action, code, generation, attempts, last_error FROM inbound_message ORDER BY received_at DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ExchangeSummary {
                    message_id: r.get(0),
                    state: state(r.get::<&str, _>(1))?,
                    received_at: r.get(2),
                    answered_at: r.get(3),
                    action: r.get(4),
                    code: r.get(5),
                    generation: r.get(6),
                    attempts: u32::try_from(r.get::<i32, _>(7)).unwrap_or(0),
                    last_error: r.get(8),
                })
            })
            .collect()
    }

    async fn exchange_counts(&self) -> Result<Vec<(ExchangeState, i64)>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM inbound_message GROUP BY state")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(|(s, n)| Ok((state(&s)?, n))).collect()
    }
}
