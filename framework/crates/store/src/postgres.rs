//! The PostgreSQL state store: several `serve` replicas share one database. Leases are
//! taken by conditional updates (and with `SKIP LOCKED` when looking for work, so
//! replicas pick disjoint messages).
//!
//! A decision's audit record is written in the same statement as the decision, to
//! `audit_pending`; [`Store::chain_journal`] (run every 200 ms by `serve`, and before the
//! journal is read) moves pending records into the hash chain in batches, under a
//! transaction advisory lock so the chain stays one line. Decisions never wait for each
//! other on the chain.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use std::sync::Arc;

use super::audit_key::JournalKey;
use super::journal::{
    Checkpoint, GENESIS, JournalEntry, PurgeRecord, PurgeReport, Seal, key_change_record, link,
    needs_key_change, stamp,
};
use super::{
    Claim, Decision, ExchangeState, ExchangeSummary, Inbound, OutboxEntry, PreviewLink,
    SealedMessage, Store, StoreError,
};

/// Advisory lock keys (any constants, the same in every replica).
const MIGRATION_LOCK: i64 = 0x4f4f_5453_0001;
const JOURNAL_LOCK: i64 = 0x4f4f_5453_0002;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS seen_request (
    request_id TEXT PRIMARY KEY,
    received_at TIMESTAMPTZ NOT NULL,
    message_id TEXT
);
CREATE TABLE IF NOT EXISTS inbound_message (
    message_id TEXT PRIMARY KEY,
    header TEXT NOT NULL,
    raw BYTEA NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL DEFAULT 'received',
    lease_owner TEXT,
    lease_until TIMESTAMPTZ,
    answer_id TEXT,
    outbox BYTEA,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    last_error TEXT,
    action TEXT,
    code TEXT,
    generation TEXT,
    audit TEXT,
    answered_at TIMESTAMPTZ,
    acknowledged_at TIMESTAMPTZ,
    content_digest TEXT
);
ALTER TABLE inbound_message ADD COLUMN IF NOT EXISTS content_digest TEXT;
CREATE INDEX IF NOT EXISTS inbound_message_due ON inbound_message (state, received_at);
CREATE INDEX IF NOT EXISTS inbound_message_answer ON inbound_message (answer_id);
CREATE TABLE IF NOT EXISTS preview_link (
    token TEXT PRIMARY KEY,
    location TEXT NOT NULL,
    request_id TEXT NOT NULL,
    evidence_type TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL DEFAULT '{"state":"issued"}',
    version BIGINT NOT NULL DEFAULT 0,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS audit_journal (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    record TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
ALTER TABLE audit_journal ADD COLUMN IF NOT EXISTS alg TEXT;
ALTER TABLE audit_journal ADD COLUMN IF NOT EXISTS key_id TEXT;
ALTER TABLE audit_journal ADD COLUMN IF NOT EXISTS mac TEXT;
CREATE INDEX IF NOT EXISTS audit_journal_at ON audit_journal (at);
CREATE TABLE IF NOT EXISTS audit_pending (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS adapter_meta (
    key TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS outbound_sealed (
    message_id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    body BYTEA NOT NULL,
    refs TEXT NOT NULL,
    sealed_at TIMESTAMPTZ NOT NULL
);
"#;

/// State in a PostgreSQL database shared by the replicas.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The audit key records are sealed with; none: unkeyed records. Every replica must
    /// have the same one (each change of key is a record).
    key: Option<Arc<JournalKey>>,
}

impl PostgresStore {
    /// Connects (`url` without the password; `password` resolved from its reference)
    /// and creates the tables if they are missing, in `schema` when given.
    pub async fn connect(
        url: &str,
        password: Option<&str>,
        max_connections: u32,
        schema: Option<&str>,
    ) -> Result<Self, StoreError> {
        let mut opts: PgConnectOptions = url
            .parse()
            .map_err(|e: sqlx::Error| StoreError::Unavailable(format!("bad store url: {e}")))?;
        if let Some(p) = password {
            opts = opts.password(p);
        }
        if let Some(schema) = schema {
            if !plain_identifier(schema) {
                return Err(StoreError::Unavailable(format!(
                    "store schema {schema:?} must be letters, digits and _"
                )));
            }
            opts = opts.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect_with(opts)
            .await?;
        let mut tx = pool.begin().await?;
        // Replicas starting together would race on CREATE TABLE.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await?;
        if let Some(schema) = schema {
            // Checked above: letters, digits and _ only.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}"
            )))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::raw_sql(SCHEMA).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Self { pool, key: None })
    }

    /// Seals the journal records written from now on with `key` (docs/audit.md).
    pub fn with_journal_key(mut self, key: Option<Arc<JournalKey>>) -> Self {
        self.key = key;
        self
    }

    /// The pool (tests drop schemas with it).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Drops a schema with everything in it (test runs, decommissioning a deployment).
    pub async fn drop_schema(&self, schema: &str) -> Result<(), StoreError> {
        if !plain_identifier(schema) {
            return Err(StoreError::Query(format!("bad schema name {schema:?}")));
        }
        // Checked above: letters, digits and _ only.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Letters, digits and `_` only: a schema name that is safe to put into SQL text.
fn plain_identifier(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn state(s: &str) -> Result<ExchangeState, StoreError> {
    ExchangeState::parse(s)
        .ok_or_else(|| StoreError::Query(format!("unknown exchange state {s:?}")))
}

/// Timestamps as PostgreSQL keeps them (microseconds), so the journal hash is stable.
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&stamp(at))
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(at)
}

/// The newest journal record: its seq, hash and key id.
async fn head(
    tx: &mut sqlx::PgConnection,
) -> Result<Option<(i64, String, Option<String>)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT seq, hash, key_id FROM audit_journal ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?,
    )
}

/// Journal rows about to be inserted together.
#[derive(Default)]
struct Rows {
    seqs: Vec<i64>,
    ats: Vec<DateTime<Utc>>,
    records: Vec<String>,
    prevs: Vec<String>,
    hashes: Vec<String>,
    algs: Vec<Option<String>>,
    key_ids: Vec<Option<String>>,
    macs: Vec<Option<String>>,
}

impl Rows {
    /// Links `record` after `prev` as `seq`; returns its hash.
    fn push(
        &mut self,
        seq: i64,
        at: DateTime<Utc>,
        record: String,
        prev: String,
        key: Option<&JournalKey>,
    ) -> String {
        let (hash, seal) = link(&prev, seq, &stamp(at), &record, key);
        let (alg, key_id, mac) = Seal::columns(&seal);
        self.seqs.push(seq);
        self.ats.push(at);
        self.records.push(record);
        self.prevs.push(prev);
        self.hashes.push(hash.clone());
        self.algs.push(alg.map(str::to_owned));
        self.key_ids.push(key_id.map(str::to_owned));
        self.macs.push(mac.map(str::to_owned));
        hash
    }

    /// Starts after the head: a key change record first if the key changed. Returns the
    /// seq and hash to chain to.
    fn start(
        &mut self,
        head: Option<(i64, String, Option<String>)>,
        at: DateTime<Utc>,
        key: Option<&JournalKey>,
    ) -> (i64, String) {
        match head {
            Some((seq, hash, key_id)) => {
                if needs_key_change(key_id.as_deref(), key, false) {
                    let record =
                        key_change_record(key.map(|k| k.id()).unwrap_or(""), key_id.as_deref());
                    let hash = self.push(seq + 1, at, record, hash, key);
                    (seq + 1, hash)
                } else {
                    (seq, hash)
                }
            }
            None => (0, GENESIS.to_owned()),
        }
    }

    async fn insert(self, tx: &mut sqlx::PgConnection) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_journal (seq, at, record, prev_hash, hash, alg, key_id, mac) SELECT * FROM UNNEST($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])",
        )
        .bind(&self.seqs)
        .bind(&self.ats)
        .bind(&self.records)
        .bind(&self.prevs)
        .bind(&self.hashes)
        .bind(&self.algs)
        .bind(&self.key_ids)
        .bind(&self.macs)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

/// Appends the record `make` writes for the head it follows directly to the chain; the
/// caller holds the journal lock in `tx`.
async fn append_with(
    tx: &mut sqlx::PgConnection,
    make: impl FnOnce(i64, &str) -> String,
    at: DateTime<Utc>,
    key: Option<&JournalKey>,
) -> Result<i64, StoreError> {
    let at = micros(at);
    let mut rows = Rows::default();
    let (seq, prev) = rows.start(head(tx).await?, at, key);
    let record = make(seq, &prev);
    rows.push(seq + 1, at, record, prev, key);
    rows.insert(tx).await?;
    Ok(seq + 1)
}

/// Appends one record directly to the chain; the caller holds the journal lock in `tx`.
async fn append(
    tx: &mut sqlx::PgConnection,
    record: &str,
    at: DateTime<Utc>,
    key: Option<&JournalKey>,
) -> Result<i64, StoreError> {
    append_with(tx, |_, _| record.to_owned(), at, key).await
}

/// Moves up to `limit` pending records into the chain; the caller holds the journal lock
/// in `tx`. Returns how many were chained.
async fn chain(
    tx: &mut sqlx::PgConnection,
    limit: i64,
    key: Option<&JournalKey>,
) -> Result<u64, StoreError> {
    let pending: Vec<(i64, DateTime<Utc>, String)> =
        sqlx::query_as("SELECT id, at, record FROM audit_pending ORDER BY id LIMIT $1 FOR UPDATE")
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
    let Some((_, first_at, _)) = pending.first() else {
        return Ok(0);
    };
    let n = pending.len();
    let mut rows = Rows::default();
    let (mut seq, mut prev) = rows.start(head(tx).await?, micros(*first_at), key);
    let mut ids = Vec::with_capacity(n);
    for (id, at, record) in pending {
        seq += 1;
        prev = rows.push(seq, micros(at), record, prev, key);
        ids.push(id);
    }
    rows.insert(tx).await?;
    sqlx::query("DELETE FROM audit_pending WHERE id = ANY($1)")
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    Ok(n as u64)
}

/// Takes the journal lock in `tx` and chains everything pending.
async fn chain_all(
    tx: &mut sqlx::PgConnection,
    key: Option<&JournalKey>,
) -> Result<u64, StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(JOURNAL_LOCK)
        .execute(&mut *tx)
        .await?;
    let mut total = 0;
    loop {
        let n = chain(tx, 10_000, key).await?;
        total += n;
        if n == 0 {
            return Ok(total);
        }
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn chain_journal(&self) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Another replica chaining now does the same work: leave it to that one.
        let (locked,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_xact_lock($1)")
            .bind(JOURNAL_LOCK)
            .fetch_one(&mut *tx)
            .await?;
        if !locked {
            return Ok(0);
        }
        let n = chain(&mut tx, 2_000, self.key.as_deref()).await?;
        tx.commit().await?;
        Ok(n)
    }

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

    async fn journal(&self, after: i64, limit: u32) -> Result<Vec<JournalEntry>, StoreError> {
        if after == 0 {
            // Whoever reads the journal from the start sees every decision chained.
            let mut tx = self.pool.begin().await?;
            chain_all(&mut tx, self.key.as_deref()).await?;
            tx.commit().await?;
        }
        type Row = (
            i64,
            DateTime<Utc>,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT seq, at, record, prev_hash, hash, alg, key_id, mac FROM audit_journal WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(seq, at, record, prev_hash, hash, alg, key_id, mac)| JournalEntry {
                    seq,
                    at,
                    record,
                    prev_hash,
                    hash,
                    seal: Seal::from_columns(alg, key_id, mac),
                },
            )
            .collect())
    }

    async fn append_journal(&self, record: &str, at: DateTime<Utc>) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        chain_all(&mut tx, self.key.as_deref()).await?;
        let seq = append(&mut tx, record, at, self.key.as_deref()).await?;
        tx.commit().await?;
        Ok(seq)
    }

    fn seals_journal(&self) -> bool {
        self.key.is_some()
    }

    async fn journal_head(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT MAX(seq) FROM audit_journal")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn checkpoint(&self, at: DateTime<Utc>) -> Result<Option<Checkpoint>, StoreError> {
        let Some(key) = self.key.clone() else {
            return Err(StoreError::Query(
                "OEA-A0013: no audit key is configured, so no checkpoint can be signed".into(),
            ));
        };
        let mut tx = self.pool.begin().await?;
        chain_all(&mut tx, Some(&key)).await?;
        if head(&mut tx).await?.is_none() {
            return Ok(None);
        }
        let at = micros(at);
        let mut signed = None;
        append_with(
            &mut tx,
            |seq, hash| {
                let cp = Checkpoint::sign(&key, seq, hash, at);
                let json = cp.to_json();
                signed = Some(cp);
                json
            },
            at,
            Some(&key),
        )
        .await?;
        tx.commit().await?;
        Ok(signed)
    }

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

    async fn subject_key(&self, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        sqlx::query(
            "INSERT INTO adapter_meta (key, value) VALUES ('subject_key', $1) ON CONFLICT DO NOTHING",
        )
        .bind(fresh)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM adapter_meta WHERE key = 'subject_key'")
                .fetch_one(&self.pool)
                .await?,
        )
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

    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO preview_link (token, location, request_id, evidence_type, requester_id, created_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&link.token)
        .bind(&link.location)
        .bind(&link.request_id)
        .bind(&link.evidence_type)
        .bind(&link.requester_id)
        .bind(link.created_at)
        .bind(&link.data)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_preview(&self, token: &str) -> Result<Option<PreviewLink>, StoreError> {
        let row = sqlx::query(
            "SELECT token, location, request_id, evidence_type, requester_id, created_at, data FROM preview_link WHERE token = $1",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| PreviewLink {
            token: r.get(0),
            location: r.get(1),
            request_id: r.get(2),
            evidence_type: r.get(3),
            requester_id: r.get(4),
            created_at: r.get(5),
            data: r.get(6),
        }))
    }

    async fn preview_state(&self, token: &str) -> Result<Option<(String, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT state, version FROM preview_link WHERE token = $1")
                .bind(token)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn update_preview_state(
        &self,
        token: &str,
        state: &str,
        version: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE preview_link SET state = $1, version = version + 1 WHERE token = $2 AND version = $3",
        )
        .bind(state)
        .bind(token)
        .bind(version)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn update_preview_state_and_data(
        &self,
        token: &str,
        state: &str,
        data: &str,
        version: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE preview_link SET state = $1, data = $2, version = version + 1 WHERE token = $3 AND version = $4 AND data <> '{}'",
        )
        .bind(state)
        .bind(data)
        .bind(token)
        .bind(version)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn forget_preview_data(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE preview_link SET data = '{}' WHERE token = $1")
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
