//! The audit journal of the PostgreSQL store: decisions' records wait aside in
//! `audit_pending` and are chained in batches under the journal lock (see [`Journal`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{JOURNAL_LOCK, PostgresStore, micros};
use crate::audit_key::JournalKey;
use crate::journal::{
    Checkpoint, GENESIS, JournalEntry, Seal, key_change_record, link, needs_key_change, stamp,
};
use crate::{Journal, StoreError};

/// The newest journal record: its seq, hash and key id.
pub(super) async fn head(
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
pub(super) async fn append_with(
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
pub(super) async fn append(
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
pub(super) async fn chain_all(
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
impl Journal for PostgresStore {
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
}
