//! [`SqlConnector`]: read-only, bounded lookups against a SQL registry.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_core::stream::BoxStream;
use oots_connector::{
    CancellationToken, Connector, ConnectorError, Limits, Lookup, Params, Record, Value,
};
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Executor, Row};

use crate::bind;
use crate::decode;
use crate::dsn::{self, Dialect};
use crate::errors::ErrorContext;
use crate::params::NamedQuery;

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
enum MySqlTimeout {
    /// MariaDB: `max_statement_time`, in seconds (fractional).
    MaxStatementTime,
    /// MySQL ≥ 5.7.8: `max_execution_time`, in milliseconds (SELECT only).
    MaxExecutionTime,
    /// Neither variable exists: only the client-side timeout applies.
    None,
}

/// One pool per driver, so every column decodes with the driver's precise types.
#[derive(Clone)]
enum Pools {
    Sqlite(SqlitePool),
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
    pools: Pools,
    dialect: Dialect,
    /// The URL as given; kept only to scrub its password out of driver messages.
    url: Arc<str>,
    options: SqlOptions,
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
                let mut opts = SqliteConnectOptions::from_str(&driver_url)
                    .map_err(|e| ctx.connect_error(e))?;
                if options.read_only {
                    // The file is opened read-only; `query_only` also covers in-memory
                    // databases, which cannot be opened read-only.
                    opts = opts.read_only(true).pragma("query_only", "ON");
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.connect_timeout)
                    .connect_with(opts)
                    .await
                    .map_err(|e| ctx.connect_error(e))?;
                Pools::Sqlite(pool)
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

    fn context<'a>(&'a self, params: Option<&'a Params>, timeout: Duration) -> ErrorContext<'a> {
        ErrorContext {
            dialect: self.dialect,
            url: &self.url,
            params,
            timeout,
        }
    }

    /// The lookup itself, without the outer timeout and cancellation.
    async fn run(
        &self,
        sql: String,
        values: &[&Value],
        limits: Limits,
        cancel: &CancellationToken,
        ctx: &ErrorContext<'_>,
    ) -> Result<Vec<Record>, ConnectorError> {
        let qe = |e| ctx.query_error(e);
        let max_rows = limits.max_rows;
        let read_only = self.options.read_only;
        match &self.pools {
            Pools::Sqlite(pool) => {
                let mut conn = pool.acquire().await.map_err(qe)?;
                // SQLite runs on a worker thread that a dropped future does not stop: interrupt
                // the statement from inside at the deadline or on cancellation. Installed
                // before BEGIN, it also replaces any handler a timed-out lookup left behind.
                let deadline = Instant::now() + limits.timeout;
                let token = cancel.clone();
                conn.lock_handle()
                    .await
                    .map_err(qe)?
                    .set_progress_handler(1_000, move || {
                        Instant::now() < deadline && !token.is_cancelled()
                    });
                let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(qe)?;
                let query = bind::sqlite(sqlx::query(AssertSqlSafe(sql)), values);
                let rows = collect(query.fetch(&mut *tx), max_rows, decode::sqlite_row, ctx).await;
                let rolled_back = tx.rollback().await;
                if let Ok(mut handle) = conn.lock_handle().await {
                    handle.remove_progress_handler();
                }
                finish(rolled_back, rows)
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
                let query = bind::postgres(sqlx::query(AssertSqlSafe(sql)), values);
                let rows =
                    collect(query.fetch(&mut *tx), max_rows, decode::postgres_row, ctx).await;
                finish(tx.rollback().await, rows)
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
                let query = bind::mysql(sqlx::query(AssertSqlSafe(sql)), values);
                let rows = collect(query.fetch(&mut *tx), max_rows, decode::mysql_row, ctx).await;
                finish(tx.rollback().await, rows)
            }
        }
    }
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
        let named = NamedQuery::parse(query, self.dialect)?;
        let positional = named.positional(self.dialect);
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
        let work = self.run(positional.sql, &values, limits, cancel, &ctx);
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
        let rows = self
            .run_query(lookup.query, lookup.params, lookup.limits, cancel)
            .await?;
        if lookup.fields.is_empty() {
            return Ok(rows);
        }
        // Field paths are column names: pick and rename.
        Ok(rows
            .into_iter()
            .map(|row| {
                lookup
                    .fields
                    .iter()
                    .map(|(field, column)| {
                        (
                            field.clone(),
                            row.get(column).cloned().unwrap_or(Value::Null),
                        )
                    })
                    .collect()
            })
            .collect())
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        let timeout = self.options.connect_timeout;
        let ctx = self.context(None, timeout);
        let work = async {
            match &self.pools {
                Pools::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
                Pools::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
                Pools::MySql(p, _) => sqlx::query("SELECT 1").execute(p).await.map(drop),
            }
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => result.map_err(|e| ctx.query_error(e)),
            Err(_) => Err(ConnectorError::Timeout(timeout)),
        }
    }
}
