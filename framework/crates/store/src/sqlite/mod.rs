//! The embedded SQLite state store (WAL mode; one file under the state directory). One
//! replica only: several processes must share a PostgreSQL store instead.
//!
//! One thread owns the connection and runs every operation as a closure. Operations that
//! queue up while it works are committed together (group commit, each in its own
//! savepoint): under load one `fsync` covers many exchanges, and a caller hears back only
//! once its operation is durable.
//!
//! One file per part of the store: `ids`, `exchanges`, `journal`, `preview`,
//! `lifecycle`; the schema and its migration in `schema`.

mod exchanges;
mod ids;
mod journal;
mod lifecycle;
mod preview;
mod schema;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::{Arc, mpsc};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::audit_key::JournalKey;
use crate::{ExchangeState, StoreError};
use schema::migrate;

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
