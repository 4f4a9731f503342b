//! The embedded SQLite state store (WAL mode; one file under the state directory). One
//! replica only: several processes must share a PostgreSQL store instead.
//!
//! One thread owns the connection and runs every operation as a closure. Operations that
//! queue up while it works are committed together (group commit, each in its own
//! savepoint): under load one `fsync` covers many exchanges, and a caller hears back only
//! once its operation is durable.

use std::path::Path;
use std::sync::{Arc, mpsc};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::audit_key::JournalKey;
use super::journal::{
    Checkpoint, GENESIS, JournalEntry, PurgeRecord, PurgeReport, Seal, key_change_record, link,
    needs_key_change, stamp,
};
use super::{
    Claim, Decision, ExchangeState, ExchangeSummary, Inbound, OutboxEntry, PreviewLink,
    SealedMessage, Store, StoreError,
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

/// Most operations committed together.
const MAX_BATCH: usize = 256;

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

/// What the writer thread hands back once the batch's commit is known.
type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// One operation: runs on the connection, says whether to keep its changes.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Completion) + Send>;

/// State in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    jobs: mpsc::Sender<Job>,
    /// The audit key records are sealed with; none: unkeyed records.
    key: Option<Arc<JournalKey>>,
}

fn db_error(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode as C;
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                C::CannotOpen
                    | C::DiskFull
                    | C::SystemIoFailure
                    | C::ReadOnly
                    | C::DatabaseBusy
                    | C::DatabaseLocked
                    | C::NotADatabase
                    | C::DatabaseCorrupt
            ) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Query(e.to_string()),
    }
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
        let path = path.to_path_buf();
        Self::start(move || {
            let conn = Connection::open(&path).map_err(db_error)?;
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .map_err(db_error)?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(db_error)?;
            conn.pragma_update(
                None,
                "synchronous",
                match sync {
                    Synchronous::Full => "FULL",
                    Synchronous::Normal => "NORMAL",
                },
            )
            .map_err(db_error)?;
            Ok(conn)
        })
        .await
    }

    /// An in-memory store (tests, one-shot runs that must not leave files).
    pub async fn in_memory() -> Result<Self, StoreError> {
        Self::start(|| Connection::open_in_memory().map_err(db_error)).await
    }

    async fn start(
        open: impl FnOnce() -> Result<Connection, StoreError> + Send + 'static,
    ) -> Result<Self, StoreError> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("oots-store".into())
            .spawn(move || {
                let conn = match open().and_then(|c| migrate(&c).map(|()| c)) {
                    Ok(c) => {
                        let _ = ready_tx.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                writer(&conn, &rx);
            })
            .map_err(|e| StoreError::Unavailable(format!("cannot start the store thread: {e}")))?;
        ready_rx
            .await
            .map_err(|_| StoreError::Unavailable("the store thread stopped".into()))??;
        Ok(Self { jobs, key: None })
    }

    /// Seals the journal records written from now on with `key` (docs/audit.md).
    pub fn with_journal_key(mut self, key: Option<Arc<JournalKey>>) -> Self {
        self.key = key;
        self
    }

    /// Runs `f` on the connection; its changes are kept if it returns `Ok` and are
    /// durable when this returns.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let r = f(conn);
            let keep = r.is_ok();
            let done: Completion = Box::new(move |commit| {
                let _ = tx.send(commit.and(r));
            });
            (keep, done)
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Unavailable("the store thread stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the store thread stopped".into()))?
    }
}

impl SqliteStore {
    /// One nullable text column of a message's row (`sql` selects it by message id).
    async fn text_of(
        &self,
        message_id: &str,
        sql: &'static str,
    ) -> Result<Option<String>, StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| {
            c.query_row(sql, [&m], |r| r.get::<_, Option<String>>(0))
                .optional()
                .map(Option::flatten)
                .map_err(db_error)
        })
        .await
    }
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
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

/// The writer thread: takes what is queued, runs it in one transaction (a savepoint per
/// operation), commits, then answers every caller.
fn writer(conn: &Connection, rx: &mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            let e = db_error(e);
            tracing::error!(code = e.code(), error = %e, "the state store cannot start a transaction");
            // Dropping a job drops its reply channel: its caller gets `Unavailable`.
            drop(batch);
            continue;
        }
        let mut completions = Vec::with_capacity(batch.len());
        for job in batch {
            let saved = conn.execute_batch("SAVEPOINT op").is_ok();
            let (keep, done) = job(conn);
            if saved {
                let end = if keep {
                    "RELEASE op"
                } else {
                    "ROLLBACK TO op; RELEASE op"
                };
                if let Err(e) = conn.execute_batch(end) {
                    tracing::warn!(error = %e, "savepoint could not be closed");
                }
            }
            completions.push(done);
        }
        let commit = conn.execute_batch("COMMIT").map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            db_error(e)
        });
        for done in completions {
            done(match &commit {
                Ok(()) => Ok(()),
                Err(StoreError::Unavailable(m)) => Err(StoreError::Unavailable(m.clone())),
                Err(StoreError::Query(m)) => Err(StoreError::Query(m.clone())),
            });
        }
    }
}

/// Takes the lease on message `m` for `w` if it may (see [`Store::claim`]).
fn claim_on(
    c: &Connection,
    m: &str,
    w: &str,
    lease_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Claim, StoreError> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        String,
        Vec<u8>,
        Option<String>,
        Option<Vec<u8>>,
        i64,
    );
    let row: Option<Row> = c
            .query_row(
                "SELECT state, lease_owner, lease_until, header, raw, answer_id, outbox, attempts FROM inbound_message WHERE message_id = ?",
                [m],
                |r| r.try_into(),
            )
            .optional()
            .map_err(db_error)?;
    let Some((st, owner, until, header, raw, answer_id, outbox, attempts)) = row else {
        return Ok(Claim::Unknown);
    };
    let st = state(&st)?;
    if st.is_answered() {
        return Ok(Claim::Answered(answer_id.unwrap_or_default()));
    }
    if st == ExchangeState::Failed {
        return Ok(Claim::Failed(answer_id.unwrap_or_default()));
    }
    if let (Some(owner), Some(until)) = (owner, until)
        && owner != w
        && until > ts(now)
    {
        return Ok(Claim::Busy);
    }
    c.execute(
        "UPDATE inbound_message SET lease_owner = ?, lease_until = ? WHERE message_id = ?",
        params![w, ts(lease_until), m],
    )
    .map_err(db_error)?;
    Ok(match st {
        ExchangeState::Decided => Claim::Send(OutboxEntry {
            answer_id: answer_id.unwrap_or_default(),
            message: outbox.unwrap_or_default(),
            attempts: u32::try_from(attempts).unwrap_or(0),
        }),
        st => Claim::Decide {
            header,
            regrep: raw,
            state: st,
        },
    })
}

/// The sealed bytes kept for outgoing message `m`.
fn sealed_on(c: &Connection, m: &str) -> Result<Option<SealedMessage>, StoreError> {
    c.query_row(
        "SELECT content_type, body, refs FROM outbound_sealed WHERE message_id = ?",
        [m],
        |r| {
            Ok(SealedMessage {
                content_type: r.get(0)?,
                body: r.get(1)?,
                references: r.get(2)?,
            })
        },
    )
    .optional()
    .map_err(db_error)
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

/// The newest journal record: its seq, hash and key id.
fn head(conn: &Connection) -> Result<Option<(i64, String, Option<String>)>, StoreError> {
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
fn append_with(
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
fn append(
    conn: &Connection,
    record: &str,
    at: DateTime<Utc>,
    key: Option<&JournalKey>,
) -> Result<i64, StoreError> {
    append_with(conn, |_, _| record.to_owned(), at, key)
}

#[async_trait]
impl Store for SqliteStore {
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

    async fn claim_request_id(
        &self,
        id: &str,
        message_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_ascii_lowercase();
        let message_id = message_id.map(str::to_owned);
        self.run(move |c| {
            let n = c
                .execute(
                    "INSERT INTO seen_request (request_id, received_at, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    params![id, ts(at), message_id],
                )
                .map_err(db_error)?;
            if n == 1 {
                return Ok(true);
            }
            let Some(message_id) = message_id else {
                return Ok(false);
            };
            let by: Option<Option<String>> = c
                .query_row(
                    "SELECT message_id FROM seen_request WHERE request_id = ?",
                    [&id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error)?;
            Ok(by.flatten().as_deref() == Some(message_id.as_str()))
        })
        .await
    }

    async fn store_inbound(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (m, h, r) = (message_id.to_owned(), header.to_owned(), regrep.to_vec());
        self.run(move |c| {
            let n = c
                .execute(
                    "INSERT INTO inbound_message (message_id, header, raw, received_at, state) VALUES (?, ?, ?, ?, 'received') ON CONFLICT DO NOTHING",
                    params![m, h, r, ts(at)],
                )
                .map_err(db_error)?;
            Ok(n == 1)
        })
        .await
    }

    async fn store_inbound_once(
        &self,
        message_id: &str,
        content: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<Inbound, StoreError> {
        let (m, d, h, r) = (
            message_id.to_owned(),
            content.to_owned(),
            header.to_owned(),
            regrep.to_vec(),
        );
        self.run(move |c| {
            let n = c
                .execute(
                    "INSERT INTO inbound_message (message_id, header, raw, received_at, state, content_digest) VALUES (?, ?, ?, ?, 'received', ?) ON CONFLICT DO NOTHING",
                    params![m, h, r, ts(at), d],
                )
                .map_err(db_error)?;
            if n == 1 {
                return Ok(Inbound::Stored);
            }
            let known: Option<String> = c
                .query_row(
                    "SELECT content_digest FROM inbound_message WHERE message_id = ?",
                    [&m],
                    |row| row.get(0),
                )
                .map_err(db_error)?;
            match known {
                Some(k) if k == d => Ok(Inbound::Resent),
                Some(_) => Ok(Inbound::Conflict),
                None => {
                    c.execute(
                        "UPDATE inbound_message SET content_digest = ? WHERE message_id = ? AND content_digest IS NULL",
                        params![d, m],
                    )
                    .map_err(db_error)?;
                    Ok(Inbound::Resent)
                }
            }
        })
        .await
    }

    async fn claim(
        &self,
        message_id: &str,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let (m, w) = (message_id.to_owned(), worker.to_owned());
        self.run(move |c| claim_on(c, &m, &w, lease_until, now))
            .await
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
        let (m, h, r, w) = (
            message_id.to_owned(),
            header.to_owned(),
            regrep.to_vec(),
            worker.to_owned(),
        );
        self.run(move |c| {
            let n = c
                .execute(
                    "INSERT INTO inbound_message (message_id, header, raw, received_at, state, lease_owner, lease_until) VALUES (?, ?, ?, ?, 'received', ?, ?) ON CONFLICT DO NOTHING",
                    params![m, h, r, ts(now), w, ts(lease_until)],
                )
                .map_err(db_error)?;
            if n == 1 {
                return Ok(Claim::Decide {
                    header: h,
                    regrep: r,
                    state: ExchangeState::Received,
                });
            }
            // Stored before (a redelivery).
            claim_on(c, &m, &w, lease_until, now)
        })
        .await
    }

    async fn due(
        &self,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        let w = worker.to_owned();
        self.run(move |c| {
            let now = ts(now);
            let mut stmt = c
                .prepare_cached(
                    "SELECT message_id FROM inbound_message WHERE state IN ('received', 'awaiting_preview', 'decided') AND (lease_owner IS NULL OR lease_until < ?) AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY received_at LIMIT ?",
                )
                .map_err(db_error)?;
            let ids = stmt
                .query_map(params![now, now, i64::from(limit)], |r| r.get::<_, String>(0))
                .map_err(db_error)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_error)?;
            for id in &ids {
                c.execute(
                    "UPDATE inbound_message SET lease_owner = ?, lease_until = ? WHERE message_id = ?",
                    params![w, ts(lease_until), id],
                )
                .map_err(db_error)?;
            }
            Ok(ids)
        })
        .await
    }

    async fn hold(&self, message_id: &str, worker: &str) -> Result<(), StoreError> {
        let (m, w) = (message_id.to_owned(), worker.to_owned());
        self.run(move |c| {
            c.execute(
                "UPDATE inbound_message SET state = 'awaiting_preview', lease_owner = NULL, lease_until = NULL WHERE message_id = ? AND lease_owner = ? AND state IN ('received', 'awaiting_preview')",
                params![m, w],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn decide(
        &self,
        message_id: &str,
        worker: &str,
        d: &Decision,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (m, w, d) = (message_id.to_owned(), worker.to_owned(), d.clone());
        let key = self.key.clone();
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE inbound_message SET state = 'decided', answer_id = ?, outbox = ?, action = ?, code = ?, generation = ?, audit = ?, attempts = 0, next_attempt_at = NULL, last_error = NULL WHERE message_id = ? AND lease_owner = ? AND state IN ('received', 'awaiting_preview')",
                    params![d.answer_id, d.message, d.action, d.code, d.generation, d.audit, m, w],
                )
                .map_err(db_error)?;
            if n != 1 {
                return Ok(false);
            }
            append(c, &d.audit, now, key.as_deref())?;
            Ok(true)
        })
        .await
    }

    async fn defer(
        &self,
        message_id: &str,
        worker: &str,
        next_attempt: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let (m, w, e) = (message_id.to_owned(), worker.to_owned(), error.to_owned());
        self.run(move |c| {
            c.execute(
                "UPDATE inbound_message SET lease_owner = NULL, lease_until = NULL, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE message_id = ? AND lease_owner = ?",
                params![ts(next_attempt), e, m, w],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn mark_answered(
        &self,
        message_id: &str,
        acknowledged: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| {
            c.execute(
                "UPDATE inbound_message SET state = CASE WHEN state = 'acknowledged' OR ?1 THEN 'acknowledged' ELSE 'answered' END, answered_at = ?2, acknowledged_at = CASE WHEN ?1 THEN ?2 ELSE acknowledged_at END, outbox = NULL, raw = x'', header = '', lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE message_id = ?3 AND state IN ('decided', 'acknowledged')",
                params![acknowledged, ts(at), m],
            )
            .map_err(db_error)?;
            c.execute(
                "DELETE FROM outbound_sealed WHERE message_id = (SELECT answer_id FROM inbound_message WHERE message_id = ? AND state IN ('answered', 'acknowledged'))",
                [&m],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn fail(&self, message_id: &str, worker: &str, error: &str) -> Result<(), StoreError> {
        let (m, w, e) = (message_id.to_owned(), worker.to_owned(), error.to_owned());
        self.run(move |c| {
            c.execute(
                "UPDATE inbound_message SET state = 'failed', lease_owner = NULL, lease_until = NULL, attempts = attempts + 1, next_attempt_at = NULL, last_error = ? WHERE message_id = ? AND lease_owner = ? AND state = 'decided'",
                params![e, m, w],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn keep_sealed(
        &self,
        message_id: &str,
        sealed: &SealedMessage,
        at: DateTime<Utc>,
    ) -> Result<SealedMessage, StoreError> {
        let (m, s) = (message_id.to_owned(), sealed.clone());
        self.run(move |c| {
            c.execute(
                "INSERT INTO outbound_sealed (message_id, content_type, body, refs, sealed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                params![m, s.content_type, s.body, s.references, ts(at)],
            )
            .map_err(db_error)?;
            sealed_on(c, &m)?
                .ok_or_else(|| StoreError::Query("sealed bytes not kept".into()))
        })
        .await
    }

    async fn sealed(&self, message_id: &str) -> Result<Option<SealedMessage>, StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| sealed_on(c, &m)).await
    }

    async fn acknowledge_answer(
        &self,
        answer_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let a = answer_id.to_owned();
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE inbound_message SET state = 'acknowledged', acknowledged_at = ? WHERE answer_id = ? AND state IN ('decided', 'answered')",
                    params![ts(at), a],
                )
                .map_err(db_error)?;
            Ok(n == 1)
        })
        .await
    }

    async fn acknowledge_answers(
        &self,
        answer_ids: &[String],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let ids = answer_ids.to_vec();
        self.run(move |c| {
            let mut st = c
                .prepare_cached(
                    "UPDATE inbound_message SET state = 'acknowledged', acknowledged_at = ? WHERE answer_id = ? AND state IN ('decided', 'answered')",
                )
                .map_err(db_error)?;
            let at = ts(at);
            let mut n = 0u64;
            for id in &ids {
                n += st.execute(params![at, id]).map_err(db_error)? as u64;
            }
            Ok(n)
        })
        .await
    }

    async fn answer_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        self.text_of(
            message_id,
            "SELECT answer_id FROM inbound_message WHERE message_id = ?",
        )
        .await
    }

    async fn state_of(&self, message_id: &str) -> Result<Option<ExchangeState>, StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| {
            let s: Option<String> = c
                .query_row(
                    "SELECT state FROM inbound_message WHERE message_id = ?",
                    [&m],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error)?;
            s.map(|s| state(&s)).transpose()
        })
        .await
    }

    async fn unanswered(&self, message_id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT header, raw FROM inbound_message WHERE message_id = ? AND state IN ('received', 'awaiting_preview', 'decided')",
                [&m],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_error)
        })
        .await
    }

    async fn audit_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        self.text_of(
            message_id,
            "SELECT audit FROM inbound_message WHERE message_id = ?",
        )
        .await
    }

    async fn recent_exchanges(&self, limit: u32) -> Result<Vec<ExchangeSummary>, StoreError> {
        self.run(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT message_id, state, received_at, answered_at, action, code, generation, attempts, last_error FROM inbound_message ORDER BY received_at DESC LIMIT ?",
                )
                .map_err(db_error)?;
            type Row = (
                String,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                i64,
                Option<String>,
            );
            let rows = stmt
                .query_map([i64::from(limit)], |r| r.try_into())
                .map_err(db_error)?
                .collect::<Result<Vec<Row>, _>>()
                .map_err(db_error)?;
            rows.into_iter()
                .map(|(message_id, st, received, answered, action, code, generation, attempts, last_error)| {
                    Ok(ExchangeSummary {
                        message_id,
                        state: state(&st)?,
                        received_at: parse_ts(&received, "inbound_message")?,
                        answered_at: answered
                            .map(|s| parse_ts(&s, "inbound_message"))
                            .transpose()?,
                        action,
                        code,
                        generation,
                        attempts: u32::try_from(attempts).unwrap_or(0),
                        last_error,
                    })
                })
                .collect()
        })
        .await
    }

    async fn exchange_counts(&self) -> Result<Vec<(ExchangeState, i64)>, StoreError> {
        self.run(|c| {
            let mut stmt = c
                .prepare_cached("SELECT state, COUNT(*) FROM inbound_message GROUP BY state")
                .map_err(db_error)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(db_error)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_error)?;
            rows.into_iter().map(|(s, n)| Ok((state(&s)?, n))).collect()
        })
        .await
    }

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

    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError> {
        let l = link.clone();
        self.run(move |c| {
            c.execute(
                "INSERT INTO preview_link (token, location, request_id, evidence_type, requester_id, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![l.token, l.location, l.request_id, l.evidence_type, l.requester_id, ts(l.created_at), l.data],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn find_preview(&self, token: &str) -> Result<Option<PreviewLink>, StoreError> {
        let t = token.to_owned();
        self.run(move |c| {
            let row: Option<(String, String, String, String, String, String, String)> = c
                .query_row(
                    "SELECT token, location, request_id, evidence_type, requester_id, created_at, data FROM preview_link WHERE token = ?",
                    [&t],
                    |r| r.try_into(),
                )
                .optional()
                .map_err(db_error)?;
            let Some((token, location, request_id, evidence_type, requester_id, created, data)) =
                row
            else {
                return Ok(None);
            };
            Ok(Some(PreviewLink {
                token,
                location,
                request_id,
                evidence_type,
                requester_id,
                created_at: parse_ts(&created, "preview_link")?,
                data,
            }))
        })
        .await
    }

    async fn preview_state(&self, token: &str) -> Result<Option<(String, i64)>, StoreError> {
        let t = token.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT state, version FROM preview_link WHERE token = ?",
                [&t],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_error)
        })
        .await
    }

    async fn update_preview_state(
        &self,
        token: &str,
        state: &str,
        version: i64,
    ) -> Result<bool, StoreError> {
        let (t, s) = (token.to_owned(), state.to_owned());
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE preview_link SET state = ?, version = version + 1 WHERE token = ? AND version = ?",
                    params![s, t, version],
                )
                .map_err(db_error)?;
            Ok(n == 1)
        })
        .await
    }

    async fn update_preview_state_and_data(
        &self,
        token: &str,
        state: &str,
        data: &str,
        version: i64,
    ) -> Result<bool, StoreError> {
        let (t, s, d) = (token.to_owned(), state.to_owned(), data.to_owned());
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE preview_link SET state = ?, data = ?, version = version + 1 WHERE token = ? AND version = ? AND data <> '{}'",
                    params![s, d, t, version],
                )
                .map_err(db_error)?;
            Ok(n == 1)
        })
        .await
    }

    async fn forget_preview_data(&self, token: &str) -> Result<(), StoreError> {
        let t = token.to_owned();
        self.run(move |c| {
            c.execute("UPDATE preview_link SET data = '{}' WHERE token = ?", [&t])
                .map_err(db_error)?;
            Ok(())
        })
        .await
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
