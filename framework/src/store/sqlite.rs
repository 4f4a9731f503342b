//! The embedded SQLite state store (WAL mode; one file under the state directory).

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use super::{PreviewLink, Store, StoreError};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS seen_request (
    request_id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
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
    created_at TEXT NOT NULL
);
";

/// State in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the store file `path`.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
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
        // Files written before the audit column existed gain it; nothing else changes.
        let has_audit: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pragma_table_info('inbound_message') WHERE name = 'audit'",
        )
        .fetch_one(&pool)
        .await?;
        if has_audit == 0 {
            sqlx::raw_sql("ALTER TABLE inbound_message ADD COLUMN audit TEXT")
                .execute(&pool)
                .await?;
        }
        Ok(Self { pool })
    }
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[async_trait]
impl Store for SqliteStore {
    async fn claim_request_id(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO seen_request (request_id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(id.to_ascii_lowercase())
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn store_inbound(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO inbound_message (message_id, header, raw, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(message_id)
        .bind(header)
        .bind(regrep)
        .bind(ts(at))
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

    async fn unanswered(&self, message_id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT header, raw FROM inbound_message WHERE message_id = ? AND answer_id IS NULL",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn unanswered_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT message_id FROM inbound_message WHERE answer_id IS NULL ORDER BY received_at",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }

    async fn mark_answered(
        &self,
        message_id: &str,
        answer_id: &str,
        generation: &str,
        audit: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE inbound_message SET answer_id = ?, answered_at = ?, generation = ?, audit = ?, raw = x'', header = '' WHERE message_id = ?",
        )
        .bind(answer_id)
        .bind(ts(at))
        .bind(generation)
        .bind(audit)
        .bind(message_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT audit FROM inbound_message WHERE message_id = ?")
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(a,)| a))
    }

    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO preview_link (token, location, request_id, evidence_type, requester_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&link.token)
        .bind(&link.location)
        .bind(&link.request_id)
        .bind(&link.evidence_type)
        .bind(&link.requester_id)
        .bind(ts(link.created_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_preview(&self, token: &str) -> Result<Option<PreviewLink>, StoreError> {
        let row = sqlx::query(
            "SELECT token, location, request_id, evidence_type, requester_id, created_at FROM preview_link WHERE token = ?",
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
        }))
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
            assert!(s.claim_request_id("urn:uuid:AB", now).await.unwrap());
            assert!(!s.claim_request_id("urn:uuid:ab", now).await.unwrap());
        }
        let s = SqliteStore::open(&path).await.unwrap();
        assert!(!s.claim_request_id("urn:uuid:ab", now).await.unwrap());
    }

    #[tokio::test]
    async fn inbound_messages_are_deduplicated_and_answers_remembered() {
        let s = SqliteStore::in_memory().await.unwrap();
        let now = Utc::now();
        assert!(s.store_inbound("m1", "<h/>", b"<x/>", now).await.unwrap());
        assert!(!s.store_inbound("m1", "<h/>", b"<x/>", now).await.unwrap());
        assert_eq!(s.answer_of("m1").await.unwrap(), None);
        assert_eq!(s.unanswered_ids().await.unwrap(), vec!["m1".to_owned()]);
        let (h, body) = s.unanswered("m1").await.unwrap().unwrap();
        assert_eq!((h.as_str(), body.as_slice()), ("<h/>", b"<x/>".as_slice()));
        s.mark_answered("m1", "a1", "g1", "{}", now).await.unwrap();
        assert!(s.unanswered("m1").await.unwrap().is_none());
        assert!(s.unanswered_ids().await.unwrap().is_empty());
        assert_eq!(s.answer_of("m1").await.unwrap().as_deref(), Some("a1"));
        let link = PreviewLink {
            token: "t".into(),
            location: "https://x/t".into(),
            request_id: "r".into(),
            evidence_type: "e".into(),
            requester_id: "q".into(),
            created_at: now,
        };
        s.save_preview(&link).await.unwrap();
        let back = s.find_preview("t").await.unwrap().unwrap();
        assert_eq!(back.request_id, "r");
        assert!(s.find_preview("nope").await.unwrap().is_none());
    }
}
