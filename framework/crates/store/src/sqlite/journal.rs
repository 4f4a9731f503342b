//! The audit journal of the SQLite store: the hash chain appended in the caller's
//! transaction (see [`Journal`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, db_error, parse_ts};
use crate::audit_key::JournalKey;
use crate::journal::{
    Checkpoint, GENESIS, JournalEntry, Seal, key_change_record, link, needs_key_change, stamp,
};
use crate::{Journal, StoreError};

/// The newest journal record: its seq, hash and key id.
pub(super) fn head(conn: &Connection) -> Result<Option<(i64, String, Option<String>)>, StoreError> {
    conn.query_row(
        "SELECT seq, hash, key_id FROM audit_journal ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
    .map_err(db_error)
}

fn insert(
    conn: &Connection,
    seq: i64,
    at: &str,
    record: &str,
    prev: &str,
    key: Option<&JournalKey>,
) -> Result<String, StoreError> {
    let (hash, seal) = link(prev, seq, at, record, key);
    let (alg, key_id, mac) = Seal::columns(&seal);
    conn.execute(
        "INSERT INTO audit_journal (seq, at, record, prev_hash, hash, alg, key_id, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![seq, at, record, prev, hash, alg, key_id, mac],
    )
    .map_err(db_error)?;
    Ok(hash)
}

/// Appends the record `make` writes for the head it follows (seq and hash; a key change
/// record first if the key changed), inside the caller's transaction.
pub(super) fn append_with(
    conn: &Connection,
    make: impl FnOnce(i64, &str) -> String,
    at: DateTime<Utc>,
    key: Option<&JournalKey>,
) -> Result<i64, StoreError> {
    let last = head(conn)?;
    let at = stamp(at);
    let (seq, prev) = match &last {
        Some((seq, hash, key_id)) => {
            if needs_key_change(key_id.as_deref(), key, false) {
                let record =
                    key_change_record(key.map(|k| k.id()).unwrap_or(""), key_id.as_deref());
                let hash = insert(conn, seq + 1, &at, &record, hash, key)?;
                (seq + 1, hash)
            } else {
                (*seq, hash.clone())
            }
        }
        None => (0, GENESIS.to_owned()),
    };
    let record = make(seq, &prev);
    insert(conn, seq + 1, &at, &record, &prev, key)?;
    Ok(seq + 1)
}

/// Appends `record` to the journal (inside the caller's transaction).
pub(super) fn append(
    conn: &Connection,
    record: &str,
    at: DateTime<Utc>,
    key: Option<&JournalKey>,
) -> Result<i64, StoreError> {
    append_with(conn, |_, _| record.to_owned(), at, key)
}

#[async_trait]
impl Journal for SqliteStore {
    async fn journal(&self, after: i64, limit: u32) -> Result<Vec<JournalEntry>, StoreError> {
        self.run(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT seq, at, record, prev_hash, hash, alg, key_id, mac FROM audit_journal WHERE seq > ? ORDER BY seq LIMIT ?",
                )
                .map_err(db_error)?;
            type Row = (i64, String, String, String, String, Option<String>, Option<String>, Option<String>);
            let rows = stmt
                .query_map(params![after, i64::from(limit)], |r| r.try_into())
                .map_err(db_error)?
                .collect::<Result<Vec<Row>, _>>()
                .map_err(db_error)?;
            rows.into_iter()
                .map(|(seq, at, record, prev_hash, hash, alg, key_id, mac)| {
                    Ok(JournalEntry {
                        seq,
                        at: parse_ts(&at, "audit_journal")?,
                        record,
                        prev_hash,
                        hash,
                        seal: Seal::from_columns(alg, key_id, mac),
                    })
                })
                .collect()
        })
        .await
    }

    async fn append_journal(&self, record: &str, at: DateTime<Utc>) -> Result<i64, StoreError> {
        let record = record.to_owned();
        let key = self.key.clone();
        self.run(move |c| append(c, &record, at, key.as_deref()))
            .await
    }

    fn seals_journal(&self) -> bool {
        self.key.is_some()
    }

    async fn journal_head(&self) -> Result<Option<i64>, StoreError> {
        self.run(|c| Ok(head(c)?.map(|h| h.0))).await
    }

    async fn checkpoint(&self, at: DateTime<Utc>) -> Result<Option<Checkpoint>, StoreError> {
        let Some(key) = self.key.clone() else {
            return Err(StoreError::Query(
                "OEA-A0013: no audit key is configured, so no checkpoint can be signed".into(),
            ));
        };
        self.run(move |c| {
            if head(c)?.is_none() {
                return Ok(None);
            }
            let mut signed = None;
            append_with(
                c,
                |seq, hash| {
                    let cp = Checkpoint::sign(&key, seq, hash, at);
                    let json = cp.to_json();
                    signed = Some(cp);
                    json
                },
                at,
                Some(&key),
            )?;
            Ok(signed)
        })
        .await
    }

    async fn subject_key(&self, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        let fresh = fresh.to_vec();
        self.run(move |c| {
            c.execute(
                "INSERT INTO adapter_meta (key, value) VALUES ('subject_key', ?) ON CONFLICT DO NOTHING",
                [&fresh],
            )
            .map_err(db_error)?;
            c.query_row(
                "SELECT value FROM adapter_meta WHERE key = 'subject_key'",
                [],
                |r| r.get(0),
            )
            .map_err(db_error)
        })
        .await
    }
}
