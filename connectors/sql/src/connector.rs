//! [`SqlConnector`]: read-only, bounded lookups against a SQL registry.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_core::stream::BoxStream;
use oots_connector::{
    CancellationToken, Connector, ConnectorError, FieldPaths, Limits, Lookup, Params, Record, Value,
};
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Executor, Row};

use crate::bind;
use crate::decode;
use crate::dsn::{self, Dialect};
use crate::errors::ErrorContext;
use crate::params::{NamedQuery, Positional};
use crate::sqlite::{SqliteLookups, Statement, Target};

/// How the connector talks to the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlOptions {
    /// Upper bound of pooled connections (the registry's capacity is someone else's).
    pub max_connections: u32,
    /// How long to wait for a connection (new or pooled) before the registry counts as
    /// unavailable.
    pub connect_timeout: Duration,
    /// Run every lookup read-only (the default). The adapter only ever reads a registry;
    /// turn this off only for engines or accounts where a read-only session is impossible.
    /// Lookups are rolled back either way.
    pub read_only: bool,
}

impl Default for SqlOptions {
    fn default() -> Self {
        Self {
            max_connections: 4,
            connect_timeout: Duration::from_secs(5),
            read_only: true,
        }
    }
}

/// How a MySQL-protocol server bounds a statement's run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MySqlTimeout {
    /// MariaDB: `max_statement_time`, in seconds (fractional).
    MaxStatementTime,
    /// MySQL ≥ 5.7.8: `max_execution_time`, in milliseconds (SELECT only).
    MaxExecutionTime,
    /// Neither variable exists: only the client-side timeout applies.
    None,
}

/// One pool per driver, so every column decodes with the driver's precise types.
#[derive(Clone)]
pub(crate) enum Pools {
    Sqlite(Arc<SqliteLookups>),
    Postgres(PgPool),
    MySql(MySqlPool, MySqlTimeout),
}

/// A registry reachable over SQL (SQLite, PostgreSQL, MySQL/MariaDB), queried with
/// named-parameter SQL from mapping files.
///
/// Every lookup is read-only, time-boxed, cancellable and row-capped; see
/// [`Connector::lookup`] on this type.
#[derive(Clone)]
pub struct SqlConnector {
    pub(crate) pools: Pools,
    dialect: Dialect,
    /// The URL as given; kept only to scrub its password out of driver messages.
    url: Arc<str>,
    pub(crate) options: SqlOptions,
    /// Query text → driver SQL and bind order, oldest first.
    translated: Arc<Mutex<Translations>>,
}

/// Mapping query texts with their driver form.
type Translations = Vec<(Box<str>, Arc<Positional>)>;

/// Distinct query texts whose translation is kept (a deployment's mappings have a few).
const TRANSLATED_QUERIES: usize = 64;

/// A poisoned lock holds plain data that is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl fmt::Debug for SqlConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the raw URL or the driver options: both can carry the password.
        f.debug_struct("SqlConnector")
            .field("dialect", &self.dialect)
            .field("url", &dsn::redact(&self.url))
            .field("options", &self.options)
            .finish()
    }
}

impl SqlConnector {
    /// Opens a connection pool for `url` and checks that one connection can be made.
    ///
    /// Schemes: `sqlite:` (`sqlite:path.db`, `sqlite://relative.db`, `sqlite:///abs.db`,
    /// `sqlite::memory:`), `postgres://`/`postgresql://`, `mysql://`/`mariadb://`. A SQLite
    /// file must exist: a registry is never created by a lookup (see [`run_script`]).
    ///
    /// [`run_script`]: crate::run_script
    pub async fn connect(url: &str, options: SqlOptions) -> Result<Self, ConnectorError> {
        let dialect = Dialect::from_url(url)?;
        if options.max_connections == 0 {
            return Err(ConnectorError::Config(
                "max_connections must be at least 1".into(),
            ));
        }
        let ctx = ErrorContext {
            dialect,
            url,
            params: None,
            timeout: options.connect_timeout,
        };
        let driver_url = dsn::driver_url(url, dialect);
        let pools = match dialect {
            Dialect::Sqlite => {
                let target = Target::from_url(&driver_url, options.read_only).map_err(|e| {
                    ConnectorError::Config(format!(
                        "sqlite URL {}: {}",
                        dsn::redact(url),
                        ctx.scrub(&e)
                    ))
                })?;
                let pool =
                    SqliteLookups::open(target, options.max_connections, options.connect_timeout)
                        .await
                        .map_err(|e| {
                            ConnectorError::Unavailable(format!(
                                "cannot open SQLite database {}: {}",
                                dsn::redact(url),
                                ctx.scrub(&e.to_string())
                            ))
                        })?;
                Pools::Sqlite(Arc::new(pool))
            }
            Dialect::Postgres => {
                let mut opts =
                    PgConnectOptions::from_str(&driver_url).map_err(|e| ctx.connect_error(e))?;
                opts = opts.application_name("oots-adapter");
                if options.read_only {
                    // Session default as a second line of defence behind `BEGIN READ ONLY`.
                    opts = opts.options([("default_transaction_read_only", "on")]);
                }
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.connect_timeout)
                    .connect_with(opts)
                    .await
                    .map_err(|e| ctx.connect_error(e))?;
                Pools::Postgres(pool)
            }
            Dialect::MySql => {
                let opts =
                    MySqlConnectOptions::from_str(&driver_url).map_err(|e| ctx.connect_error(e))?;
                let pool = MySqlPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.connect_timeout)
                    .connect_with(opts)
                    .await
                    .map_err(|e| ctx.connect_error(e))?;
                let timeout = mysql_timeout_flavor(&pool)
                    .await
                    .map_err(|e| ctx.connect_error(e))?;
                if timeout == MySqlTimeout::None {
                    tracing::warn!(
                        url = %dsn::redact(url),
                        "MySQL server has no statement time limit; relying on the client-side timeout"
                    );
                }
                Pools::MySql(pool, timeout)
            }
        };
        Ok(Self {
            pools,
            dialect,
            url: Arc::from(url),
            options,
            translated: Arc::default(),
        })
    }

    /// The engine this connector talks to.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite(p) => p.close().await,
            Pools::Postgres(p) => p.close().await,
            Pools::MySql(p, _) => p.close().await,
        }
    }

    pub(crate) fn context<'a>(
        &'a self,
        params: Option<&'a Params>,
        timeout: Duration,
    ) -> ErrorContext<'a> {
        ErrorContext {
            dialect: self.dialect,
            url: &self.url,
            params,
            timeout,
        }
    }

    /// The lookup itself, without the outer timeout and cancellation. Records hold
    /// `fields` (every column under its own name when empty).
    async fn run(
        &self,
        sql: &str,
        values: &[&Value],
        fields: &FieldPaths,
        limits: Limits,
        cancel: &CancellationToken,
        ctx: &ErrorContext<'_>,
    ) -> Result<Vec<Record>, ConnectorError> {
        let qe = |e| ctx.query_error(e);
        let max_rows = limits.max_rows;
        let read_only = self.options.read_only;
        let rows = match &self.pools {
            Pools::Sqlite(pool) => {
                // The deadline covers waiting for a connection too.
                let deadline = Instant::now() + limits.timeout;
                let statement = Statement {
                    sql,
                    values,
                    max_rows,
                    fields,
                };
                return pool.lookup(&statement, deadline, cancel, ctx).await;
            }
            Pools::Postgres(pool) => {
                let ms = limits.timeout.as_millis().max(1);
                let begin = if read_only {
                    format!("BEGIN READ ONLY; SET LOCAL statement_timeout = {ms}")
                } else {
                    format!("BEGIN; SET LOCAL statement_timeout = {ms}")
                };
                // `begin` only holds our own keywords and an integer.
                let mut tx = pool.begin_with(AssertSqlSafe(begin)).await.map_err(qe)?;
                let query = bind::postgres(sqlx::query(AssertSqlSafe(sql.to_owned())), values);
                let rows =
                    collect(query.fetch(&mut *tx), max_rows, decode::postgres_row, ctx).await;
                finish(tx.rollback().await, rows)?
            }
            Pools::MySql(pool, flavor) => {
                let mut conn = pool.acquire().await.map_err(qe)?;
                let limit = match flavor {
                    MySqlTimeout::MaxStatementTime => Some(format!(
                        "SET SESSION max_statement_time = {:.3}",
                        limits.timeout.as_secs_f64().max(0.001)
                    )),
                    MySqlTimeout::MaxExecutionTime => Some(format!(
                        "SET SESSION max_execution_time = {}",
                        limits.timeout.as_millis().max(1)
                    )),
                    MySqlTimeout::None => None,
                };
                if let Some(stmt) = limit {
                    // Our own keywords and a number.
                    conn.execute(AssertSqlSafe(stmt)).await.map_err(qe)?;
                }
                let begin = if read_only {
                    "START TRANSACTION READ ONLY"
                } else {
                    "START TRANSACTION"
                };
                let mut tx = sqlx::Connection::begin_with(&mut *conn, begin)
                    .await
                    .map_err(qe)?;
                let query = bind::mysql(sqlx::query(AssertSqlSafe(sql.to_owned())), values);
                let rows = collect(query.fetch(&mut *tx), max_rows, decode::mysql_row, ctx).await;
                finish(tx.rollback().await, rows)?
            }
        };
        Ok(pick(rows, fields))
    }
}

/// Records holding `fields` (field name → column), or the rows as they are when none
/// are named.
fn pick(rows: Vec<Record>, fields: &FieldPaths) -> Vec<Record> {
    if fields.is_empty() {
        return rows;
    }
    rows.into_iter()
        .map(|row| {
            fields
                .iter()
                .map(|(field, column)| {
                    (
                        field.clone(),
                        row.get(column).cloned().unwrap_or(Value::Null),
                    )
                })
                .collect()
        })
        .collect()
}

/// Which statement time limit a MySQL-protocol server supports.
async fn mysql_timeout_flavor(pool: &MySqlPool) -> Result<MySqlTimeout, sqlx::Error> {
    let version: String = sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(pool)
        .await?;
    if version.to_ascii_lowercase().contains("mariadb") {
        return Ok(MySqlTimeout::MaxStatementTime);
    }
    match sqlx::query("SELECT @@SESSION.max_execution_time")
        .fetch_one(pool)
        .await
    {
        Ok(_) => Ok(MySqlTimeout::MaxExecutionTime),
        Err(sqlx::Error::Database(_)) => Ok(MySqlTimeout::None),
        Err(e) => Err(e),
    }
}

/// Streams at most `max_rows + 1` rows, decoding each; one row too many is an error.
async fn collect<R: Row>(
    mut stream: BoxStream<'_, Result<R, sqlx::Error>>,
    max_rows: usize,
    decode_row: fn(&R, &[String]) -> Result<Record, ConnectorError>,
    ctx: &ErrorContext<'_>,
) -> Result<Vec<Record>, ConnectorError> {
    let mut records = Vec::new();
    let mut names: Option<Vec<String>> = None;
    while let Some(row) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        let row = row.map_err(|e| ctx.query_error(e))?;
        if records.len() == max_rows {
            return Err(ConnectorError::TooManyRows(max_rows));
        }
        let names = names.get_or_insert_with(|| decode::column_names(&row));
        records.push(decode_row(&row, names)?);
    }
    Ok(records)
}

/// The lookup's result once the transaction is rolled back. A failed rollback of a
/// read-only transaction loses nothing; the pool discards the broken connection.
fn finish(
    rollback: Result<(), sqlx::Error>,
    rows: Result<Vec<Record>, ConnectorError>,
) -> Result<Vec<Record>, ConnectorError> {
    if rollback.is_err() {
        tracing::debug!("rollback after a lookup failed; the connection will be discarded");
    }
    rows
}

impl SqlConnector {
    /// Runs `query` read-only with `params` bound.
    ///
    /// Fails with `UnboundParameter` before touching the registry if a parameter is missing,
    /// `Timeout` after `limits.timeout` (also enforced server-side where the engine can),
    /// `Cancelled` when `cancel` fires, `TooManyRows` beyond `limits.max_rows`. The
    /// transaction is always rolled back.
    pub async fn run_query(
        &self,
        query: &str,
        params: &Params,
        limits: Limits,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        self.run_lookup(query, params, &FieldPaths::new(), limits, cancel)
            .await
    }

    /// The driver's form of a mapping query, translated once per distinct text (a
    /// mapping's few queries run many times; the bound keeps a stream of ad-hoc texts
    /// from growing it).
    ///
    /// A short list compared text by text rather than a hash map: blocking statements run
    /// to kilobytes, hashing one costs a microsecond, and comparing it with a text of
    /// another length costs nothing.
    pub(crate) fn positional(&self, query: &str) -> Result<Arc<Positional>, ConnectorError> {
        let found = lock(&self.translated)
            .iter()
            .find(|(text, _)| **text == *query)
            .map(|(_, p)| Arc::clone(p));
        if let Some(p) = found {
            return Ok(p);
        }
        let p = Arc::new(NamedQuery::parse(query, self.dialect)?.positional(self.dialect));
        let mut cache = lock(&self.translated);
        if cache.len() >= TRANSLATED_QUERIES {
            cache.remove(0);
        }
        cache.push((query.into(), Arc::clone(&p)));
        Ok(p)
    }

    /// [`SqlConnector::run_query`], returning `fields` (field name → column).
    async fn run_lookup(
        &self,
        query: &str,
        params: &Params,
        fields: &FieldPaths,
        limits: Limits,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        let positional = self.positional(query)?;
        let mut values = Vec::with_capacity(positional.binds.len());
        for name in &positional.binds {
            let value = params
                .get(name)
                .ok_or_else(|| ConnectorError::UnboundParameter(name.clone()))?;
            values.push(value);
        }
        if cancel.is_cancelled() {
            return Err(ConnectorError::Cancelled);
        }
        let ctx = self.context(Some(params), limits.timeout);
        let work = self.run(&positional.sql, &values, fields, limits, cancel, &ctx);
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(ConnectorError::Cancelled),
            result = tokio::time::timeout(limits.timeout, work) => match result {
                Ok(Err(ConnectorError::Timeout(_))) | Err(_) => {
                    // An interrupt raised by our own progress handler on cancellation.
                    if cancel.is_cancelled() {
                        Err(ConnectorError::Cancelled)
                    } else {
                        Err(ConnectorError::Timeout(limits.timeout))
                    }
                }
                Ok(other) => other,
            },
        }
    }
}

#[async_trait]
impl Connector for SqlConnector {
    fn kind(&self) -> &'static str {
        "sql"
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        Ok(NamedQuery::parse(query, self.dialect)?.names().to_vec())
    }

    async fn lookup(
        &self,
        lookup: &Lookup<'_>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        self.run_lookup(
            lookup.query,
            lookup.params,
            lookup.fields,
            lookup.limits,
            cancel,
        )
        .await
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        let timeout = self.options.connect_timeout;
        let ctx = self.context(None, timeout);
        let work = async {
            match &self.pools {
                Pools::Sqlite(p) => return p.probe(timeout, &ctx).await,
                Pools::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
                Pools::MySql(p, _) => sqlx::query("SELECT 1").execute(p).await.map(drop),
            }
            .map_err(|e| ctx.query_error(e))
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(ConnectorError::Timeout(timeout)),
        }
    }

    async fn describe(&self, query: &str) -> Result<Option<Vec<String>>, ConnectorError> {
        self.columns(query).await.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tens of millions of VM steps: far longer than any test timeout.
    const SLOW: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) \
                        SELECT count(*) AS n FROM c";
    /// A few hundred thousand VM steps: long enough for the progress handler to be asked.
    const MEDIUM: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000) \
                          SELECT count(*) AS n FROM c";

    async fn file_connector(max_connections: u32) -> (tempfile::TempDir, SqlConnector) {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        crate::run_script(
            &url,
            "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);",
        )
        .await
        .expect("seed");
        let c = SqlConnector::connect(
            &url,
            SqlOptions {
                max_connections,
                ..SqlOptions::default()
            },
        )
        .await
        .expect("connect");
        (dir, c)
    }

    fn sqlite(c: &SqlConnector) -> &SqliteLookups {
        match &c.pools {
            Pools::Sqlite(p) => p,
            _ => panic!("not SQLite"),
        }
    }

    fn limits(ms: u64) -> Limits {
        Limits {
            timeout: Duration::from_millis(ms),
            max_rows: 10,
        }
    }

    #[tokio::test]
    async fn read_only_files_run_bare_other_databases_in_a_rolled_back_transaction() {
        let (_dir, c) = file_connector(1).await;
        assert!(sqlite(&c).bare);
        let memory = SqlConnector::connect("sqlite::memory:", SqlOptions::default())
            .await
            .expect("memory");
        assert!(!sqlite(&memory).bare);
        let url = format!("sqlite://{}", _dir.path().join("r.db").display());
        let writable = SqlConnector::connect(
            &url,
            SqlOptions {
                read_only: false,
                ..SqlOptions::default()
            },
        )
        .await
        .expect("writable");
        assert!(!sqlite(&writable).bare);
    }

    #[tokio::test]
    async fn a_finished_lookup_leaves_its_connection_unwatched() {
        let (_dir, c) = file_connector(1).await;
        let cancel = CancellationToken::new();
        c.run_query("SELECT x FROM t", &Params::new(), limits(50), &cancel)
            .await
            .expect("quick lookup");
        // Past that lookup's deadline, and with its token cancelled, the connection must
        // still run the next lookup to its end.
        cancel.cancel();
        tokio::time::sleep(Duration::from_millis(80)).await;
        let rows = c
            .run_query(
                MEDIUM,
                &Params::new(),
                limits(10_000),
                &CancellationToken::new(),
            )
            .await
            .expect("not interrupted by a stale watch");
        assert_eq!(rows[0].get("n"), Some(&Value::Int(50_000)));
        assert_eq!(sqlite(&c).idle(), 1);
    }

    #[tokio::test]
    async fn a_statement_past_its_deadline_is_interrupted_and_its_connection_reused() {
        let (_dir, c) = file_connector(1).await;
        let started = Instant::now();
        let err = c
            .run_query(SLOW, &Params::new(), limits(50), &CancellationToken::new())
            .await
            .expect_err("times out");
        assert!(matches!(err, ConnectorError::Timeout(_)), "{err:?}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        // Past the deadline the lookup gives up at once; the interrupted statement gives
        // its connection back on its own thread.
        let back = Instant::now();
        while sqlite(&c).idle() != 1 && back.elapsed() < Duration::from_secs(2) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(sqlite(&c).idle(), 1, "the connection went back to the pool");
        let rows = c
            .run_query(
                "SELECT 7 AS seven",
                &Params::new(),
                limits(3_000),
                &CancellationToken::new(),
            )
            .await
            .expect("next lookup");
        assert_eq!(rows[0].get("seven"), Some(&Value::Int(7)));
        assert_eq!(sqlite(&c).idle(), 1);
    }

    #[tokio::test]
    async fn a_cancelled_statement_is_interrupted() {
        let (_dir, c) = file_connector(1).await;
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        // The statement runs on this thread: the cancellation comes from another one.
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            trigger.cancel();
        });
        let started = Instant::now();
        let err = c
            .run_query(SLOW, &Params::new(), limits(30_000), &cancel)
            .await
            .expect_err("cancelled");
        assert!(matches!(err, ConnectorError::Cancelled), "{err:?}");
        // The connection is free again well before the 30 s deadline.
        c.probe().await.expect("probe after cancellation");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    /// The longest time the (single) runtime thread went without running a 5 ms ticker, once
    /// the returned handle is stopped: a thread blocked inside SQLite shows as a long gap.
    fn ticker() -> (Arc<Mutex<Duration>>, tokio::task::JoinHandle<()>) {
        let gap = Arc::new(Mutex::new(Duration::ZERO));
        let g = Arc::clone(&gap);
        // Counted from now, even if the ticker first runs only after a stall.
        let mut last = Instant::now();
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(5)).await;
                let mut max = lock(&g);
                *max = (*max).max(last.elapsed());
                last = Instant::now();
            }
        });
        (gap, task)
    }

    /// Lets the ticker notice the last gap, then stops it.
    async fn stop(ticking: tokio::task::JoinHandle<()>) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        ticking.abort();
    }

    // A current-thread runtime: were a lookup to wait on this thread, nothing else would run.
    #[tokio::test]
    async fn a_locked_registry_is_waited_for_off_the_thread_until_the_deadline() {
        let (dir, c) = file_connector(2).await;
        let import = rusqlite::Connection::open(dir.path().join("r.db")).expect("writer");
        import.execute_batch("BEGIN EXCLUSIVE").expect("lock");
        let (gap, ticking) = ticker();
        let started = Instant::now();
        let err = c
            .run_query(
                "SELECT x FROM t",
                &Params::new(),
                limits(600),
                &CancellationToken::new(),
            )
            .await
            .expect_err("locked");
        let took = started.elapsed();
        stop(ticking).await;
        assert!(matches!(err, ConnectorError::Timeout(_)), "{err:?}");
        assert!(
            took >= Duration::from_millis(600) && took < Duration::from_secs(3),
            "{took:?}"
        );
        let gap = *lock(&gap);
        assert!(
            gap < Duration::from_millis(150),
            "the thread stalled {gap:?}"
        );
        assert!(
            (1..=2).contains(&sqlite(&c).idle()),
            "connections went back to the pool"
        );

        // A lookup waiting on the lock is served once the writer is done.
        let c2 = c.clone();
        let waiting = tokio::spawn(async move {
            c2.run_query(
                "SELECT x FROM t",
                &Params::new(),
                limits(5_000),
                &CancellationToken::new(),
            )
            .await
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        import.execute_batch("ROLLBACK").expect("unlock");
        let rows = waiting.await.expect("task").expect("served after the lock");
        assert_eq!(rows[0].get("x"), Some(&Value::Int(1)));
    }

    // A current-thread runtime: a statement computing on this thread would stop the ticker.
    #[tokio::test]
    async fn a_long_statement_leaves_the_thread_and_still_ends_at_its_deadline() {
        let (_dir, c) = file_connector(1).await;
        let (gap, ticking) = ticker();
        // Far more work than the worker budget, well within the deadline.
        let rows = c
            .run_query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) \
                 SELECT count(*) AS n FROM c",
                &Params::new(),
                limits(30_000),
                &CancellationToken::new(),
            )
            .await
            .expect("finished off the thread");
        assert_eq!(rows[0].get("n"), Some(&Value::Int(1_000_000)));
        // A runaway one is interrupted at its deadline all the same.
        let started = Instant::now();
        let err = c
            .run_query(SLOW, &Params::new(), limits(600), &CancellationToken::new())
            .await
            .expect_err("times out");
        let took = started.elapsed();
        stop(ticking).await;
        assert!(matches!(err, ConnectorError::Timeout(_)), "{err:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
        let gap = *lock(&gap);
        assert!(
            gap < Duration::from_millis(150),
            "the thread stalled {gap:?}"
        );
    }

    #[tokio::test]
    async fn a_registry_locked_at_start_is_waited_for_then_reported_unavailable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        crate::run_script(&url, "CREATE TABLE t (x INTEGER);")
            .await
            .expect("seed");
        let import = rusqlite::Connection::open(dir.path().join("r.db")).expect("writer");
        import.execute_batch("BEGIN EXCLUSIVE").expect("lock");
        let (gap, ticking) = ticker();
        let started = Instant::now();
        let options = SqlOptions {
            connect_timeout: Duration::from_millis(400),
            ..SqlOptions::default()
        };
        let err = SqlConnector::connect(&url, options.clone())
            .await
            .expect_err("locked");
        stop(ticking).await;
        assert!(err.is_transient(), "{err:?}");
        assert!(started.elapsed() >= Duration::from_millis(400));
        let gap = *lock(&gap);
        assert!(
            gap < Duration::from_millis(150),
            "the thread stalled {gap:?}"
        );
        import.execute_batch("ROLLBACK").expect("unlock");
        SqlConnector::connect(&url, options)
            .await
            .expect("opens once unlocked");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_lookups_share_at_most_max_connections() {
        let (_dir, c) = file_connector(2).await;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                c.run_query(
                    MEDIUM,
                    &Params::new(),
                    limits(10_000),
                    &CancellationToken::new(),
                )
                .await
            }));
        }
        for t in tasks {
            let rows = t.await.expect("task").expect("lookup");
            assert_eq!(rows[0].get("n"), Some(&Value::Int(50_000)));
        }
        assert!(
            (1..=2).contains(&sqlite(&c).idle()),
            "{}",
            sqlite(&c).idle()
        );
        // Too many rows: an error, and the connection is reused.
        let err = c
            .run_query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) SELECT x FROM c",
                &Params::new(),
                limits(3_000),
                &CancellationToken::new(),
            )
            .await
            .expect_err("too many rows");
        assert!(matches!(err, ConnectorError::TooManyRows(10)), "{err:?}");
        c.probe().await.expect("probe");
        c.close().await;
        assert_eq!(sqlite(&c).idle(), 0);
    }
}
