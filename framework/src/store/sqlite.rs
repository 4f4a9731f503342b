//! The embedded SQLite state store (WAL mode; one file under the state directory).

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use super::{PreviewLink, Store, StoreError};

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
"#;

/// Columns added after a table first shipped: files written by an earlier version gain
/// them on open; nothing else changes.
const ADDED_COLUMNS: [(&str, &str, &str); 5] = [
    ("inbound_message", "audit", "TEXT"),
    ("seen_request", "message_id", "TEXT"),
    (
        "preview_link",
        "state",
        "TEXT NOT NULL DEFAULT '{\"state\":\"issued\"}'",
    ),
    ("preview_link", "version", "INTEGER NOT NULL DEFAULT 0"),
    ("preview_link", "data", "TEXT NOT NULL DEFAULT '{}'"),
];

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
            }
        }
        Ok(Self { pool })
    }
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[async_trait]
impl Store for SqliteStore {
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
