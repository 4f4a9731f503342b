//! The SQLite schema, and the migration that brings an older file up to it (columns
//! added since, indexes).

use rusqlite::{Connection, params};

use super::db_error;
use crate::StoreError;

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
    hash TEXT NOT NULL,
    alg TEXT,
    key_id TEXT,
    mac TEXT
);
CREATE TABLE IF NOT EXISTS adapter_meta (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS outbound_sealed (
    message_id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    refs TEXT NOT NULL,
    sealed_at TEXT NOT NULL
);
"#;

/// Columns added after a table first shipped: files written by an earlier version gain
/// them on open; nothing else changes.
const ADDED_COLUMNS: [(&str, &str, &str); 20] = [
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
    ("inbound_message", "content_digest", "TEXT"),
    ("audit_journal", "alg", "TEXT"),
    ("audit_journal", "key_id", "TEXT"),
    ("audit_journal", "mac", "TEXT"),
];

const INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS inbound_message_due ON inbound_message (state, received_at);
CREATE INDEX IF NOT EXISTS inbound_message_answer ON inbound_message (answer_id);
CREATE INDEX IF NOT EXISTS audit_journal_at ON audit_journal (at);
"#;

/// Creates what is missing, adds the columns added since, and the indexes.
pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA).map_err(db_error)?;
    for (table, column, ty) in ADDED_COLUMNS {
        let present: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?",
                params![table, column],
                |r| r.get(0),
            )
            .map_err(db_error)?;
        if present == 0 {
            // Our own constant identifiers and types.
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"))
                .map_err(db_error)?;
            if (table, column) == ("inbound_message", "state") {
                // Files from before the state machine: what had an answer was sent.
                conn.execute(
                    "UPDATE inbound_message SET state = 'answered' WHERE answer_id IS NOT NULL",
                    [],
                )
                .map_err(db_error)?;
            }
        }
    }
    conn.execute_batch(INDEXES).map_err(db_error)
}
