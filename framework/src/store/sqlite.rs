//! The embedded SQLite state store (WAL mode; one file under the state directory). One
//! replica only: several processes must share a PostgreSQL store instead.

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::journal::{GENESIS, JournalEntry, PurgeRecord, PurgeReport, chain_hash, stamp};
use super::{
    Claim, Decision, ExchangeState, ExchangeSummary, OutboxEntry, PreviewLink, Store, StoreError,
};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS seen_request (
    request_id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    message_id TEXT
);
CREATE TABLE IF NOT EXISTS inbound_message (
    message_id TEXT PRIMARY KEY,
    header TEXT NOT NULL,
    raw BLOB NOT NULL,
    received_at TEXT NOT NULL,
    answer_id TEXT,
    answered_at TEXT,
    generation TEXT,
    audit TEXT
);
CREATE TABLE IF NOT EXISTS preview_link (
    token TEXT PRIMARY KEY,
    location TEXT NOT NULL,
    request_id TEXT NOT NULL,
    evidence_type TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '{"state":"issued"}',
    version INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS audit_journal (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    record TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS adapter_meta (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"#;

/// Columns added after a table first shipped: files written by an earlier version gain
/// them on open; nothing else changes.
const ADDED_COLUMNS: [(&str, &str, &str); 16] = [
    ("inbound_message", "audit", "TEXT"),
    ("seen_request", "message_id", "TEXT"),
    (
        "preview_link",
        "state",
        "TEXT NOT NULL DEFAULT '{\"state\":\"issued\"}'",
    ),
    ("preview_link", "version", "INTEGER NOT NULL DEFAULT 0"),
    ("preview_link", "data", "TEXT NOT NULL DEFAULT '{}'"),
    (
        "inbound_message",
        "state",
        "TEXT NOT NULL DEFAULT 'received'",
    ),
    ("inbound_message", "lease_owner", "TEXT"),
    ("inbound_message", "lease_until", "TEXT"),
    ("inbound_message", "outbox", "BLOB"),
    ("inbound_message", "attempts", "INTEGER NOT NULL DEFAULT 0"),
    ("inbound_message", "next_attempt_at", "TEXT"),
    ("inbound_message", "last_error", "TEXT"),
    ("inbound_message", "action", "TEXT"),
    ("inbound_message", "code", "TEXT"),
    ("inbound_message", "acknowledged_at", "TEXT"),
    ("inbound_message", "conversation_id", "TEXT"),
];

const INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS inbound_message_due ON inbound_message (state, received_at);
CREATE INDEX IF NOT EXISTS inbound_message_answer ON inbound_message (answer_id);
CREATE INDEX IF NOT EXISTS audit_journal_at ON audit_journal (at);
"#;

/// How hard SQLite pushes each commit to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// Every commit is on disk before it returns: survives a power cut (the default).
    #[default]
    Full,
    /// Commits survive a crash of the adapter (even SIGKILL), not of the machine.
    Normal,
}

/// State in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the store file `path`, every commit synchronous.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, Synchronous::Full).await
    }

    /// Opens (creating if needed) the store file `path`.
    pub async fn open_with(path: &Path, sync: Synchronous) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match sync {
                Synchronous::Full => SqliteSynchronous::Full,
                Synchronous::Normal => SqliteSynchronous::Normal,
            })
            .busy_timeout(std::time::Duration::from_secs(5));
        Self::with_options(opts).await
    }

    /// An in-memory store (tests, one-shot runs that must not leave files).
    pub async fn in_memory() -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")?;
        Self::with_options(opts).await
    }

    async fn with_options(opts: SqliteConnectOptions) -> Result<Self, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        for (table, column, ty) in ADDED_COLUMNS {
            let present: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?")
                    .bind(table)
                    .bind(column)
                    .fetch_one(&pool)
                    .await?;
            if present == 0 {
                // Our own constant identifiers and types.
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "ALTER TABLE {table} ADD COLUMN {column} {ty}"
                )))
                .execute(&pool)
                .await?;
                if (table, column) == ("inbound_message", "state") {
                    // Files from before the state machine: what had an answer was sent.
                    sqlx::query(
                        "UPDATE inbound_message SET state = 'answered' WHERE answer_id IS NOT NULL",
                    )
                    .execute(&pool)
                    .await?;
                }
            }
        }
        sqlx::raw_sql(INDEXES).execute(&pool).await?;
        Ok(Self { pool })
    }
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_ts(s: &str, what: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Query(format!("bad timestamp in {what}: {e}")))
}

fn state(s: &str) -> Result<ExchangeState, StoreError> {
    ExchangeState::parse(s)
        .ok_or_else(|| StoreError::Query(format!("unknown exchange state {s:?}")))
}

/// Appends `record` within the transaction `tx` (one connection: already serialised).
async fn append(
    tx: &mut sqlx::SqliteConnection,
    record: &str,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_journal ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let at = stamp(at);
    let hash = chain_hash(&prev, seq, &at, record);
    sqlx::query(
        "INSERT INTO audit_journal (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(&at)
    .bind(record)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    Ok(seq)
}

#[async_trait]
impl Store for SqliteStore {
    async fn on_start(&self) -> Result<(), StoreError> {
        // One process per file: leases a killed run left behind are void.
        sqlx::query(
            "UPDATE inbound_message SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn claim_request_id(
        &self,
        id: &str,
        message_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_ascii_lowercase();
        let r = sqlx::query(
            "INSERT INTO seen_request (request_id, received_at, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(ts(at))
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
            sqlx::query_as("SELECT message_id FROM seen_request WHERE request_id = ?")
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
            "INSERT INTO inbound_message (message_id, header, raw, received_at, state) VALUES (?, ?, ?, ?, 'received') ON CONFLICT DO NOTHING",
        )
        .bind(message_id)
        .bind(header)
        .bind(regrep)
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn claim(
        &self,
        message_id: &str,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT state, lease_owner, lease_until, header, raw, answer_id, outbox, attempts FROM inbound_message WHERE message_id = ?",
        )
        .bind(message_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Claim::Unknown);
        };
        let st = state(row.get::<&str, _>(0))?;
        if st.is_answered() {
            return Ok(Claim::Answered(
                row.get::<Option<String>, _>(5).unwrap_or_default(),
            ));
        }
        let owner: Option<String> = row.get(1);
        let until: Option<String> = row.get(2);
        if let (Some(owner), Some(until)) = (owner, until)
            && owner != worker
            && until > ts(now)
        {
            return Ok(Claim::Busy);
        }
        sqlx::query(
            "UPDATE inbound_message SET lease_owner = ?, lease_until = ? WHERE message_id = ?",
        )
        .bind(worker)
        .bind(ts(lease_until))
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(match st {
            ExchangeState::Decided => Claim::Send(OutboxEntry {
                answer_id: row.get::<Option<String>, _>(5).unwrap_or_default(),
                message: row.get::<Option<Vec<u8>>, _>(6).unwrap_or_default(),
                attempts: u32::try_from(row.get::<i64, _>(7)).unwrap_or(0),
            }),
            st => Claim::Decide {
                header: row.get(3),
                regrep: row.get(4),
                state: st,
            },
        })
    }

    async fn due(
        &self,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        let now = ts(now);
        let mut tx = self.pool.begin().await?;
        let ids: Vec<(String,)> = sqlx::query_as(
            "SELECT message_id FROM inbound_message WHERE state IN ('received', 'awaiting_preview', 'decided') AND (lease_owner IS NULL OR lease_until < ?) AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY received_at LIMIT ?",
        )
        .bind(&now)
        .bind(&now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        for (id,) in &ids {
            sqlx::query(
                "UPDATE inbound_message SET lease_owner = ?, lease_until = ? WHERE message_id = ?",
            )
            .bind(worker)
            .bind(ts(lease_until))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ids.into_iter().map(|(id,)| id).collect())
    }

    async fn hold(&self, message_id: &str, worker: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE inbound_message SET state = 'awaiting_preview', lease_owner = NULL, lease_until = NULL WHERE message_id = ? AND lease_owner = ? AND state IN ('received', 'awaiting_preview')",
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
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE inbound_message SET state = 'decided', answer_id = ?, outbox = ?, action = ?, code = ?, generation = ?, audit = ?, attempts = 0, next_attempt_at = NULL, last_error = NULL WHERE message_id = ? AND lease_owner = ? AND state IN ('received', 'awaiting_preview')",
        )
        .bind(&d.answer_id)
        .bind(&d.message)
        .bind(&d.action)
        .bind(&d.code)
        .bind(&d.generation)
        .bind(&d.audit)
        .bind(message_id)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        append(&mut tx, &d.audit, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn defer(
        &self,
        message_id: &str,
        worker: &str,
        next_attempt: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE inbound_message SET lease_owner = NULL, lease_until = NULL, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE message_id = ? AND lease_owner = ?",
        )
        .bind(ts(next_attempt))
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
            "UPDATE inbound_message SET state = CASE WHEN state = 'acknowledged' OR ? THEN 'acknowledged' ELSE 'answered' END, answered_at = ?, acknowledged_at = CASE WHEN ? THEN ? ELSE acknowledged_at END, outbox = NULL, raw = x'', header = '', lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE message_id = ? AND state IN ('decided', 'acknowledged')",
        )
        .bind(acknowledged)
        .bind(ts(at))
        .bind(acknowledged)
        .bind(ts(at))
        .bind(message_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn acknowledge_answer(
        &self,
        answer_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE inbound_message SET state = 'acknowledged', acknowledged_at = ? WHERE answer_id = ? AND state IN ('decided', 'answered')",
        )
        .bind(ts(at))
        .bind(answer_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn answer_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT answer_id FROM inbound_message WHERE message_id = ?")
            .bind(message_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|r| r.get::<Option<String>, _>(0)))
    }

    async fn state_of(&self, message_id: &str) -> Result<Option<ExchangeState>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT state FROM inbound_message WHERE message_id = ?")
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(s,)| state(&s)).transpose()
    }

    async fn unanswered(&self, message_id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT header, raw FROM inbound_message WHERE message_id = ? AND state IN ('received', 'awaiting_preview', 'decided')",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn audit_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT audit FROM inbound_message WHERE message_id = ?")
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(a,)| a))
    }

    async fn recent_exchanges(&self, limit: u32) -> Result<Vec<ExchangeSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT message_id, state, received_at, answered_at, action, code, generation, attempts, last_error FROM inbound_message ORDER BY received_at DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ExchangeSummary {
                    message_id: r.get(0),
                    state: state(r.get::<&str, _>(1))?,
                    received_at: parse_ts(r.get::<&str, _>(2), "inbound_message")?,
                    answered_at: r
                        .get::<Option<String>, _>(3)
                        .map(|s| parse_ts(&s, "inbound_message"))
                        .transpose()?,
                    action: r.get(4),
                    code: r.get(5),
                    generation: r.get(6),
                    attempts: u32::try_from(r.get::<i64, _>(7)).unwrap_or(0),
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
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT seq, at, record, prev_hash, hash FROM audit_journal WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(seq, at, record, prev_hash, hash)| {
                Ok(JournalEntry {
                    seq,
                    at: parse_ts(&at, "audit_journal")?,
                    record,
                    prev_hash,
                    hash,
                })
            })
            .collect()
    }

    async fn append_journal(&self, record: &str, at: DateTime<Utc>) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let seq = append(&mut tx, record, at).await?;
        tx.commit().await?;
        Ok(seq)
    }

    async fn purge(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<PurgeReport, StoreError> {
        let mut report = PurgeReport::default();
        let mut tx = self.pool.begin().await?;
        let last: Option<(i64, String)> = sqlx::query_as(
            "SELECT seq, hash FROM audit_journal WHERE at < ? ORDER BY seq DESC LIMIT 1",
        )
        .bind(stamp(before))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((through, hash)) = last {
            report.journal_entries = sqlx::query("DELETE FROM audit_journal WHERE seq <= ?")
                .bind(through)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let record = PurgeRecord::new(through, hash, before).to_json();
            report.purge_record = Some(append(&mut tx, &record, now).await?);
        }
        let cutoff = ts(before);
        report.exchanges = sqlx::query(
            "DELETE FROM inbound_message WHERE state IN ('answered', 'acknowledged') AND COALESCE(answered_at, received_at) < ?",
        )
        .bind(&cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        report.request_ids = sqlx::query("DELETE FROM seen_request WHERE received_at < ?")
            .bind(&cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        report.preview_links = sqlx::query("DELETE FROM preview_link WHERE created_at < ?")
            .bind(&cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(report)
    }

    async fn subject_key(&self, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        sqlx::query(
            "INSERT INTO adapter_meta (key, value) VALUES ('subject_key', ?) ON CONFLICT DO NOTHING",
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
            "INSERT INTO adapter_meta (key, value) VALUES ('heartbeat', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(ts(Utc::now()).into_bytes())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO preview_link (token, location, request_id, evidence_type, requester_id, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&link.token)
        .bind(&link.location)
        .bind(&link.request_id)
        .bind(&link.evidence_type)
        .bind(&link.requester_id)
        .bind(ts(link.created_at))
        .bind(&link.data)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_preview(&self, token: &str) -> Result<Option<PreviewLink>, StoreError> {
        let row = sqlx::query(
            "SELECT token, location, request_id, evidence_type, requester_id, created_at, data FROM preview_link WHERE token = ?",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let created: String = r.get(5);
        let created_at = DateTime::parse_from_rfc3339(&created)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| StoreError::Query(format!("bad timestamp in preview_link: {e}")))?;
        Ok(Some(PreviewLink {
            token: r.get(0),
            location: r.get(1),
            request_id: r.get(2),
            evidence_type: r.get(3),
            requester_id: r.get(4),
            created_at,
            data: r.get(6),
        }))
    }

    async fn preview_state(&self, token: &str) -> Result<Option<(String, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT state, version FROM preview_link WHERE token = ?")
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
            "UPDATE preview_link SET state = ?, version = version + 1 WHERE token = ? AND version = ?",
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
            "UPDATE preview_link SET state = ?, data = ?, version = version + 1 WHERE token = ? AND version = ? AND data <> '{}'",
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
        sqlx::query("UPDATE preview_link SET data = '{}' WHERE token = ?")
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn request_ids_are_claimed_once_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/adapter.db");
        let now = Utc::now();
        {
            let s = SqliteStore::open(&path).await.unwrap();
            assert!(
                s.claim_request_id("urn:uuid:AB", Some("m1"), now)
                    .await
                    .unwrap()
            );
            assert!(!s.claim_request_id("urn:uuid:ab", None, now).await.unwrap());
        }
        let s = SqliteStore::open(&path).await.unwrap();
        assert!(
            !s.claim_request_id("urn:uuid:ab", Some("m2"), now)
                .await
                .unwrap()
        );
        // The message that claimed it may be answered again (crash, held follow-up).
        assert!(
            s.claim_request_id("urn:uuid:ab", Some("m1"), now)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn inbound_messages_are_deduplicated_and_answers_remembered() {
        let s = SqliteStore::in_memory().await.unwrap();
        let now = Utc::now();
        let later = now + chrono::Duration::seconds(60);
        assert!(s.store_inbound("m1", "<h/>", b"<x/>", now).await.unwrap());
        assert!(!s.store_inbound("m1", "<h/>", b"<x/>", now).await.unwrap());
        assert_eq!(s.answer_of("m1").await.unwrap(), None);
        let (h, body) = s.unanswered("m1").await.unwrap().unwrap();
        assert_eq!((h.as_str(), body.as_slice()), ("<h/>", b"<x/>".as_slice()));
        assert!(matches!(
            s.claim("m1", "w", later, now).await.unwrap(),
            Claim::Decide { .. }
        ));
        let d = Decision {
            answer_id: "a1".into(),
            message: b"out".to_vec(),
            action: "ExecuteQueryResponse".into(),
            code: None,
            generation: "g1".into(),
            audit: "{}".into(),
        };
        assert!(s.decide("m1", "w", &d, now).await.unwrap());
        s.mark_answered("m1", false, now).await.unwrap();
        assert!(s.unanswered("m1").await.unwrap().is_none());
        assert_eq!(s.answer_of("m1").await.unwrap().as_deref(), Some("a1"));
        let link = PreviewLink {
            token: "t".into(),
            location: "https://x/t".into(),
            request_id: "r".into(),
            evidence_type: "e".into(),
            requester_id: "q".into(),
            created_at: now,
            data: r#"{"held":1}"#.into(),
        };
        s.save_preview(&link).await.unwrap();
        let back = s.find_preview("t").await.unwrap().unwrap();
        assert_eq!(back.request_id, "r");
        assert_eq!(back.data, r#"{"held":1}"#);
        assert!(s.find_preview("nope").await.unwrap().is_none());
        // Compare-and-set on the session state.
        let (state, v) = s.preview_state("t").await.unwrap().unwrap();
        assert_eq!((state.as_str(), v), (r#"{"state":"issued"}"#, 0));
        assert!(s.update_preview_state("t", "{}", 0).await.unwrap());
        assert!(!s.update_preview_state("t", "{}", 0).await.unwrap());
        // State and data move together, at the expected version only.
        assert!(
            !s.update_preview_state_and_data("t", "{}", r#"{"held":2}"#, 0)
                .await
                .unwrap()
        );
        assert!(
            s.update_preview_state_and_data("t", r#"{"state":"x"}"#, r#"{"held":2}"#, 1)
                .await
                .unwrap()
        );
        assert_eq!(
            s.find_preview("t").await.unwrap().unwrap().data,
            r#"{"held":2}"#
        );
        assert_eq!(
            s.preview_state("t").await.unwrap().unwrap(),
            (r#"{"state":"x"}"#.to_owned(), 2)
        );
        s.forget_preview_data("t").await.unwrap();
        assert_eq!(s.find_preview("t").await.unwrap().unwrap().data, "{}");
        // Once the data is dropped, nothing puts it back.
        assert!(
            !s.update_preview_state_and_data("t", "{}", r#"{"held":3}"#, 2)
                .await
                .unwrap()
        );
        assert_eq!(s.find_preview("t").await.unwrap().unwrap().data, "{}");
    }
}
