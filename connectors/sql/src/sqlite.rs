//! SQLite lookups: our own small pool of rusqlite connections, each statement run on the
//! calling thread.
//!
//! Why not sqlx here: sqlx runs every SQLite connection on a worker thread of its own and
//! each statement is a round trip between threads; measured on a 1,000,000-row registry,
//! that costs about 35 µs of CPU per statement and 5 µs per returned row, where the indexed
//! lookup itself takes a few microseconds. Identity matching runs several blocking lookups
//! per request, so that overhead was most of a decision's cost
//! (`cargo bench -p oots-framework --bench matching`). rusqlite links the same SQLite
//! library as sqlx (one `libsqlite3-sys`); writes (`run_script`, the state store) stay on
//! sqlx.
//!
//! Running on the calling thread (a runtime worker) is safe only because nothing in a
//! statement waits:
//! - a registry locked by a writer (an import holding `BEGIN EXCLUSIVE`) is not waited for
//!   by SQLite's busy handler, which would sleep on the worker: the busy timeout is 0, the
//!   statement fails at once with `SQLITE_BUSY`, the connection goes back to the pool and the
//!   lookup tries again after an async pause, until its deadline ([`busy_pause`]);
//! - connections are opened (file open, pragmas, the schema read of the first one) on the
//!   blocking pool, so a slow or hung file system holds a blocking thread, never a worker;
//! - each connection's progress handler (checked every [`PROGRESS_STEPS`] virtual-machine
//!   steps) interrupts a statement at the lookup's deadline or on cancellation, and one
//!   that has run on the worker for [`WORKER_BUDGET`] (an indexed lookup takes
//!   microseconds): that statement is run again from the start on the blocking pool, where
//!   the deadline and the cancellation still bound it.
//!
//! This file holds the pool and the lookup's attempts; opening a connection is in
//! `connection`, running one statement and decoding its rows in `statement`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use oots_connector::{CancellationToken, ConnectorError, FieldPaths, Record, Value};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::errors::ErrorContext;
use connection::{Conn, connect};
use statement::{Failure, run};

mod connection;
mod statement;

pub(crate) use connection::Target;
pub(crate) use statement::Statement;

/// Virtual-machine steps between two checks of the deadline and the cancellation token.
const PROGRESS_STEPS: i32 = 1_000;
/// Largest part of a registry file mapped into memory.
const MMAP_BYTES: i64 = 1 << 30;
/// First pause after the registry refused a read (locked by a writer); doubled after each
/// refusal up to [`BUSY_PAUSE_MAX`], so a commit of a few milliseconds costs little delay
/// and a long import costs a few attempts a second per waiting lookup.
const BUSY_PAUSE: Duration = Duration::from_millis(2);
/// Longest pause between two attempts on a locked registry.
const BUSY_PAUSE_MAX: Duration = Duration::from_millis(100);
/// Longest a statement runs on the calling thread (a runtime worker) before it is moved
/// to the blocking pool.
const WORKER_BUDGET: Duration = Duration::from_millis(20);
/// Prepared statements kept per connection (each blocking pass is one).
const STATEMENT_CACHE: usize = 64;

/// Pooled connections for lookups.
pub(crate) struct SqliteLookups {
    target: Arc<Target>,
    /// Shared with statements finishing on the blocking pool, which give their
    /// connection back themselves.
    idle: Arc<Mutex<Vec<Conn>>>,
    /// One permit per connection that may exist at once (also held by an open still under
    /// way on the blocking pool, so a hung file system cannot pile up opens).
    permits: Arc<Semaphore>,
    max_connections: u32,
    acquire_timeout: Duration,
    /// Lookups run without BEGIN/ROLLBACK: the file is opened read-only, so no statement
    /// can write and there is nothing to roll back.
    pub(crate) bare: bool,
}

/// A poisoned lock holds plain data that is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What one attempt at a lookup came to.
enum Attempt {
    Done(Vec<Record>),
    /// The registry is locked by a writer; nothing was read.
    Busy,
}

impl SqliteLookups {
    /// A pool for `target`; one connection is opened now, so a missing file or an
    /// unreadable database fails here. A registry locked by a writer is waited for (off the
    /// runtime's threads) up to `acquire_timeout`.
    pub(crate) async fn open(
        target: Target,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<SqliteLookups, rusqlite::Error> {
        let bare = target.read_only && !target.in_memory;
        let target = Arc::new(target);
        let deadline = Instant::now() + acquire_timeout;
        let mut pause = BUSY_PAUSE;
        let first = loop {
            let t = Arc::clone(&target);
            let opened = tokio::task::spawn_blocking(move || {
                let first = connect(&t)?;
                // Reading the schema proves the file is a database.
                first
                    .db
                    .query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
                Ok(first)
            });
            let result = match tokio::time::timeout_at(deadline.into(), opened).await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => return Err(refused("the SQLite open task failed")),
                Err(_) => return Err(refused("SQLite database too slow to open")),
            };
            match result {
                Err(e) if is_busy(&e) => match busy_pause(&mut pause, deadline) {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => return Err(e),
                },
                other => break other?,
            }
        };
        Ok(SqliteLookups {
            target,
            idle: Arc::new(Mutex::new(vec![first])),
            permits: Arc::new(Semaphore::new(max_connections as usize)),
            max_connections,
            acquire_timeout,
            bare,
        })
    }

    /// Runs one statement read-only on a pooled connection, within `deadline`. While the
    /// registry is locked by a writer, the lookup waits (asynchronously, holding no
    /// connection) and tries again until `deadline`, then fails with `Timeout`.
    pub(crate) async fn lookup(
        &self,
        statement: &Statement<'_>,
        deadline: Instant,
        cancel: &CancellationToken,
        ctx: &ErrorContext<'_>,
    ) -> Result<Vec<Record>, ConnectorError> {
        let mut pause = BUSY_PAUSE;
        loop {
            if let Attempt::Done(records) = self.attempt(statement, deadline, cancel, ctx).await? {
                return Ok(records);
            }
            match busy_pause(&mut pause, deadline) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(ConnectorError::Timeout(ctx.timeout)),
            }
            if cancel.is_cancelled() {
                return Err(ConnectorError::Cancelled);
            }
        }
    }

    /// One try: a connection (pooled or newly opened), the statement, the connection back.
    async fn attempt(
        &self,
        statement: &Statement<'_>,
        deadline: Instant,
        cancel: &CancellationToken,
        ctx: &ErrorContext<'_>,
    ) -> Result<Attempt, ConnectorError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let wait = self.acquire_timeout.min(remaining);
        let permits = Arc::clone(&self.permits);
        let permit = match tokio::time::timeout(wait, permits.acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err(ConnectorError::Unavailable("SQLite pool closed".into())),
            // The lookup's own deadline came first.
            Err(_) if wait < self.acquire_timeout => {
                return Err(ConnectorError::Timeout(ctx.timeout));
            }
            Err(_) => {
                return Err(ConnectorError::Unavailable(
                    "no SQLite connection available (pool exhausted)".into(),
                ));
            }
        };
        let idle = lock(&self.idle).pop();
        let (conn, permit) = match idle {
            Some(c) => (c, permit),
            None => match self.open_conn(permit, deadline, ctx).await? {
                Some(opened) => opened,
                None => return Ok(Attempt::Busy),
            },
        };
        conn.watch
            .arm(deadline, cancel, Some(Instant::now() + WORKER_BUDGET));
        let result = run(self.bare, &conn.db, statement);
        conn.watch.disarm();
        if let Err(Failure::Sqlite(e)) = &result
            && e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted)
            && !cancel.is_cancelled()
            && Instant::now() < deadline
        {
            return self
                .off_worker(conn, permit, statement, deadline, cancel, ctx)
                .await;
        }
        give_back(&self.idle, conn, &result);
        drop(permit);
        outcome(result, statement.max_rows, cancel, ctx)
    }

    /// Runs a statement that outlasted [`WORKER_BUDGET`] again on the blocking pool, within
    /// the same deadline. Past the deadline the lookup gives up; the statement, interrupted
    /// by then, gives its connection back and releases its permit on its own.
    async fn off_worker(
        &self,
        conn: Conn,
        permit: OwnedSemaphorePermit,
        statement: &Statement<'_>,
        deadline: Instant,
        cancel: &CancellationToken,
        ctx: &ErrorContext<'_>,
    ) -> Result<Attempt, ConnectorError> {
        let sql = statement.sql.to_owned();
        let values: Vec<Value> = statement.values.iter().map(|v| (*v).clone()).collect();
        let fields = statement.fields.clone();
        let max_rows = statement.max_rows;
        let bare = self.bare;
        let idle = Arc::clone(&self.idle);
        let token = cancel.clone();
        let task = tokio::task::spawn_blocking(move || {
            let refs: Vec<&Value> = values.iter().collect();
            let statement = Statement {
                sql: &sql,
                values: &refs,
                max_rows,
                fields: &fields,
            };
            conn.watch.arm(deadline, &token, None);
            let result = run(bare, &conn.db, &statement);
            conn.watch.disarm();
            give_back(&idle, conn, &result);
            drop(permit);
            result
        });
        match tokio::time::timeout_at(deadline.into(), task).await {
            Ok(Ok(result)) => outcome(result, max_rows, cancel, ctx),
            Ok(Err(_)) => Err(ConnectorError::Unavailable(
                "the SQLite lookup task failed".into(),
            )),
            Err(_) => Err(ConnectorError::Timeout(ctx.timeout)),
        }
    }

    /// A new connection, opened on the blocking pool; `None` if the registry is locked.
    /// Past `deadline` the lookup gives up; the open finishes on its own thread and only
    /// then releases its permit.
    async fn open_conn(
        &self,
        permit: OwnedSemaphorePermit,
        deadline: Instant,
        ctx: &ErrorContext<'_>,
    ) -> Result<Option<(Conn, OwnedSemaphorePermit)>, ConnectorError> {
        let target = Arc::clone(&self.target);
        let opened = tokio::task::spawn_blocking(move || (connect(&target), permit));
        match tokio::time::timeout_at(deadline.into(), opened).await {
            Ok(Ok((Ok(conn), permit))) => Ok(Some((conn, permit))),
            Ok(Ok((Err(e), _))) if is_busy(&e) => Ok(None),
            Ok(Ok((Err(e), _))) => Err(ctx.sqlite_error(e, false)),
            Ok(Err(_)) => Err(ConnectorError::Unavailable(
                "the SQLite open task failed".into(),
            )),
            Err(_) => Err(ConnectorError::Timeout(ctx.timeout)),
        }
    }

    /// A cheap statement on a pooled connection.
    pub(crate) async fn probe(
        &self,
        timeout: Duration,
        ctx: &ErrorContext<'_>,
    ) -> Result<(), ConnectorError> {
        let fields = FieldPaths::new();
        let statement = Statement {
            sql: "SELECT 1",
            values: &[],
            max_rows: 1,
            fields: &fields,
        };
        self.lookup(
            &statement,
            Instant::now() + timeout,
            &CancellationToken::new(),
            ctx,
        )
        .await
        .map(drop)
    }

    /// The result column names of `sql`, prepared (never stepped) on a pooled
    /// connection (an in-memory registry exists only there), with a permit like a lookup.
    pub(crate) async fn describe(
        &self,
        sql: &str,
        ctx: &ErrorContext<'_>,
    ) -> Result<Vec<String>, ConnectorError> {
        let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
            return Err(ConnectorError::Unavailable("SQLite pool closed".into()));
        };
        let target = Arc::clone(&self.target);
        let idle = Arc::clone(&self.idle);
        let pooled = lock(&self.idle).pop();
        let sql = sql.to_owned();
        let task = tokio::task::spawn_blocking(move || {
            let conn = match pooled {
                Some(c) => c,
                None => connect(&target)?,
            };
            let names = conn.db.prepare(&sql).map(|statement| {
                statement
                    .column_names()
                    .into_iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            });
            lock(&idle).push(conn);
            drop(permit);
            names
        });
        match task.await {
            Ok(result) => result.map_err(|e| ctx.sqlite_error(e, false)),
            Err(_) => Err(ConnectorError::Unavailable(
                "the SQLite describe task failed".into(),
            )),
        }
    }

    /// Waits for the connections in use to be returned, then closes every connection.
    pub(crate) async fn close(&self) {
        let all = self.permits.acquire_many(self.max_connections).await;
        self.permits.close();
        drop(all);
        lock(&self.idle).clear();
    }

    #[cfg(test)]
    pub(crate) fn idle(&self) -> usize {
        lock(&self.idle).len()
    }
}

/// Returns a connection to the pool after its statement, unless its file broke: that one is
/// dropped rather than risked again (a statement error such as a syntax error or an
/// interrupt leaves a connection as good as before).
fn give_back(idle: &Mutex<Vec<Conn>>, conn: Conn, result: &Result<Vec<Record>, Failure>) {
    let broken = matches!(
        result,
        Err(Failure::Sqlite(e)) if matches!(
            e.sqlite_error_code(),
            Some(
                rusqlite::ErrorCode::DatabaseCorrupt
                    | rusqlite::ErrorCode::NotADatabase
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::SystemIoFailure
            )
        )
    );
    if !broken {
        lock(idle).push(conn);
    }
}

/// What a statement's result means for the lookup.
fn outcome(
    result: Result<Vec<Record>, Failure>,
    max_rows: usize,
    cancel: &CancellationToken,
    ctx: &ErrorContext<'_>,
) -> Result<Attempt, ConnectorError> {
    match result {
        Ok(records) => Ok(Attempt::Done(records)),
        Err(Failure::TooManyRows) => Err(ConnectorError::TooManyRows(max_rows)),
        Err(Failure::Decode(e)) => Err(e),
        Err(Failure::Sqlite(e)) if is_busy(&e) => Ok(Attempt::Busy),
        Err(Failure::Sqlite(e)) => Err(ctx.sqlite_error(e, cancel.is_cancelled())),
    }
}

/// Whether SQLite refused because another connection holds a lock (a writer's
/// transaction), which passes by itself.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// The pause before the next attempt on a locked registry (doubling `pause` for the one
/// after), cut to what is left before `deadline`; `None` once the deadline has passed.
fn busy_pause(pause: &mut Duration, deadline: Instant) -> Option<Duration> {
    let left = deadline.checked_duration_since(Instant::now())?;
    if left.is_zero() {
        return None;
    }
    let wait = (*pause).min(left);
    *pause = (*pause * 2).min(BUSY_PAUSE_MAX);
    Some(wait)
}

/// A failure to open the registry that SQLite itself did not name (reported like a
/// locked database: it is transient, and the connection is opened again on use).
fn refused(why: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
        Some(why.to_owned()),
    )
}
