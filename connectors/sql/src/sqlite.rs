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

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use oots_connector::{CancellationToken, ConnectorError, FieldPaths, Record, Value};
use rusqlite::types::ValueRef;
use rusqlite::{OpenFlags, ToSql};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::bind::{SQLITE_DATE, SQLITE_DATETIME};
use crate::errors::ErrorContext;

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

/// Distinguishes the in-memory databases of several connectors in one process.
static MEMORY_DATABASES: AtomicU64 = AtomicU64::new(0);

/// Where and how connections are opened.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// A file path, or a shared-cache in-memory URI.
    name: String,
    flags: OpenFlags,
    read_only: bool,
    in_memory: bool,
}

impl Target {
    /// The target of a `sqlite:` URL as sqlx parses it (`sqlite:path.db`,
    /// `sqlite:///abs.db`, `sqlite::memory:`, `?mode=memory`). A file must exist: a
    /// registry is never created by a lookup.
    pub(crate) fn from_url(url: &str, read_only: bool) -> Result<Target, String> {
        use std::str::FromStr;
        let options =
            sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|e| e.to_string())?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let base = OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if in_memory {
            // All connections of one connector share one in-memory database.
            let n = MEMORY_DATABASES.fetch_add(1, Ordering::Relaxed);
            return Ok(Target {
                name: format!(
                    "file:oots-registry-{}-{n}?mode=memory&cache=shared",
                    std::process::id()
                ),
                flags: base | OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_URI,
                read_only,
                in_memory,
            });
        }
        let path: &Path = options.get_filename();
        let access = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        Ok(Target {
            name: path.to_string_lossy().into_owned(),
            flags: base | access,
            read_only,
            in_memory,
        })
    }
}

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

/// A connection and the watch its progress handler enforces.
struct Conn {
    db: rusqlite::Connection,
    watch: Arc<Watch>,
}

/// The deadline and cancellation of the lookup in flight on one connection, and until when
/// it may run on a runtime worker; none while the connection is idle, so a statement
/// outside a lookup is never interrupted.
#[derive(Default)]
struct Watch(Mutex<Option<Armed>>);

struct Armed {
    deadline: Instant,
    cancel: CancellationToken,
    /// On a runtime worker: the end of its [`WORKER_BUDGET`].
    on_worker_until: Option<Instant>,
}

impl Watch {
    fn arm(&self, deadline: Instant, cancel: &CancellationToken, on_worker_until: Option<Instant>) {
        *lock(&self.0) = Some(Armed {
            deadline,
            cancel: cancel.clone(),
            on_worker_until,
        });
    }

    fn disarm(&self) {
        *lock(&self.0) = None;
    }

    /// Whether the running statement may go on.
    fn allows(&self) -> bool {
        match &*lock(&self.0) {
            Some(a) => {
                let now = Instant::now();
                now < a.deadline
                    && a.on_worker_until.is_none_or(|until| now < until)
                    && !a.cancel.is_cancelled()
            }
            None => true,
        }
    }
}

/// A poisoned lock holds plain data that is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One statement to run: SQL with positional parameters, and what to return.
pub(crate) struct Statement<'a> {
    pub sql: &'a str,
    pub values: &'a [&'a Value],
    pub max_rows: usize,
    /// Field name → column; empty: every column under its own name.
    pub fields: &'a FieldPaths,
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

/// Runs `statement`: bare on a read-only file, else in a transaction rolled back after.
fn run(
    bare: bool,
    db: &rusqlite::Connection,
    statement: &Statement<'_>,
) -> Result<Vec<Record>, Failure> {
    if bare {
        return select(db, statement);
    }
    db.execute_batch("BEGIN")?;
    let rows = select(db, statement);
    // A failed rollback of a read-only transaction loses nothing.
    if db.execute_batch("ROLLBACK").is_err() {
        tracing::debug!("rollback after a SQLite lookup failed");
    }
    rows
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

/// Opens one connection to `target` (blocking: call it on the blocking pool).
fn connect(target: &Target) -> Result<Conn, rusqlite::Error> {
    let db = rusqlite::Connection::open_with_flags(&target.name, target.flags)?;
    db.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Never wait for a lock inside SQLite: its busy handler sleeps on the calling thread
    // (a runtime worker) and no deadline interrupts it. A locked registry fails the
    // statement at once and the lookup waits asynchronously ([`busy_pause`]).
    db.busy_timeout(Duration::ZERO)?;
    if target.read_only {
        // Also covers in-memory databases, which cannot be opened read-only.
        db.pragma_update(None, "query_only", "ON")?;
    }
    if !target.in_memory {
        // Pages are read through a memory map rather than one read() per page:
        // candidate rows lie scattered over the file, and a blocking lookup touches
        // dozens of them (address space, not memory: the OS shares the file's pages).
        db.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    }
    let watch = Arc::new(Watch::default());
    let enforced = Arc::clone(&watch);
    db.progress_handler(PROGRESS_STEPS, Some(move || !enforced.allows()))?;
    Ok(Conn { db, watch })
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

/// Why a statement failed.
enum Failure {
    Sqlite(rusqlite::Error),
    TooManyRows,
    Decode(ConnectorError),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sqlite(e)
    }
}

/// Binds, steps and decodes at most `max_rows` rows (one more is an error).
fn select(db: &rusqlite::Connection, s: &Statement<'_>) -> Result<Vec<Record>, Failure> {
    let mut stmt = db.prepare_cached(s.sql)?;
    let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    // Which column each returned field reads (`None`: a field the query does not select).
    // Each name is allocated once per statement and shared by every row's record.
    let picks: Vec<(Arc<str>, Option<usize>)> = if s.fields.is_empty() {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (Arc::from(n.as_str()), Some(i)))
            .collect()
    } else {
        s.fields
            .iter()
            .map(|(field, column)| {
                let i = names.iter().position(|n| n.eq_ignore_ascii_case(column));
                (Arc::from(field.as_str()), i)
            })
            .collect()
    };
    let params: Vec<Bound<'_>> = s.values.iter().map(|v| Bound(v)).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut records = Vec::new();
    while let Some(row) = rows.next()? {
        if records.len() == s.max_rows {
            return Err(Failure::TooManyRows);
        }
        let mut record = Record::new();
        for (field, index) in &picks {
            let value = match index {
                Some(i) => decode(row.get_ref(*i)?, &names[*i])?,
                None => Value::Null,
            };
            record.push(Arc::clone(field), value);
        }
        records.push(record);
    }
    Ok(records)
}

/// A value by its storage class (SQLite is dynamically typed: a column declared `DATE`
/// holds text, which `Value::as_date` converts).
fn decode(v: ValueRef<'_>, column: &str) -> Result<Value, Failure> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Float(f),
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => Value::Text(s.to_owned()),
            Err(_) => {
                return Err(Failure::Decode(ConnectorError::Query(format!(
                    "cannot decode column `{column}` of type TEXT (not UTF-8)"
                ))));
            }
        },
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    })
}

/// A parameter bound as SQLite compares it: dates and date-times as ISO text.
struct Bound<'a>(&'a Value);

impl ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as Owned};
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Owned(Owned::Null),
            Value::Bool(b) => ToSqlOutput::Owned(Owned::Integer(i64::from(*b))),
            Value::Int(i) => ToSqlOutput::Owned(Owned::Integer(*i)),
            Value::Float(f) => ToSqlOutput::Owned(Owned::Real(*f)),
            Value::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Value::Date(d) => ToSqlOutput::Owned(Owned::Text(d.format(SQLITE_DATE).to_string())),
            Value::DateTime(d) => {
                ToSqlOutput::Owned(Owned::Text(d.format(SQLITE_DATETIME).to_string()))
            }
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}
