//! Writable script execution, for creating and seeding a demo registry.
//!
//! **Not for registry lookups**: this opens a *writable* connection (SQLite `mode=rwc`,
//! creating the file if needed) and runs arbitrary statements. The adapter uses it only to
//! create the quickstart's SQLite database on first start; lookups go through
//! [`SqlConnector`](crate::SqlConnector), which is read-only.

use std::str::FromStr;

use oots_connector::ConnectorError;
use sqlx::mysql::MySqlConnectOptions;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

use crate::dsn::{self, Dialect};
use crate::errors::ErrorContext;

/// How long the script may take to connect (it may take as long as it needs to run).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Executes a multi-statement SQL `script` over a single writable connection.
///
/// The script runs inside one transaction, so a failing seed leaves no half-built database
/// behind on engines with transactional DDL (SQLite, PostgreSQL; MySQL commits DDL
/// implicitly). The script must therefore not contain its own `BEGIN`/`COMMIT`.
/// Must not be used for registry lookups.
pub async fn run_script(url: &str, script: &str) -> Result<(), ConnectorError> {
    let dialect = Dialect::from_url(url)?;
    let ctx = ErrorContext {
        dialect,
        url,
        params: None,
        timeout: CONNECT_TIMEOUT,
    };
    let driver_url = dsn::driver_url(url, dialect);
    // The script is trusted configuration shipped with the adapter, not request data.
    let script = AssertSqlSafe(script.to_owned());
    match dialect {
        Dialect::Sqlite => {
            let opts = SqliteConnectOptions::from_str(&driver_url)
                .map_err(|e| ctx.connect_error(e))?
                .read_only(false)
                .create_if_missing(true);
            let mut conn = connect(opts, &ctx).await?;
            let mut tx = conn.begin().await.map_err(|e| ctx.query_error(e))?;
            sqlx::raw_sql(script)
                .execute(&mut *tx)
                .await
                .map_err(|e| ctx.query_error(e))?;
            tx.commit().await.map_err(|e| ctx.query_error(e))?;
            conn.close().await.map_err(|e| ctx.query_error(e))
        }
        Dialect::Postgres => {
            let opts = PgConnectOptions::from_str(&driver_url).map_err(|e| ctx.connect_error(e))?;
            let mut conn = connect(opts, &ctx).await?;
            let mut tx = conn.begin().await.map_err(|e| ctx.query_error(e))?;
            sqlx::raw_sql(script)
                .execute(&mut *tx)
                .await
                .map_err(|e| ctx.query_error(e))?;
            tx.commit().await.map_err(|e| ctx.query_error(e))?;
            conn.close().await.map_err(|e| ctx.query_error(e))
        }
        Dialect::MySql => {
            let opts =
                MySqlConnectOptions::from_str(&driver_url).map_err(|e| ctx.connect_error(e))?;
            let mut conn = connect(opts, &ctx).await?;
            let mut tx = conn.begin().await.map_err(|e| ctx.query_error(e))?;
            sqlx::raw_sql(script)
                .execute(&mut *tx)
                .await
                .map_err(|e| ctx.query_error(e))?;
            tx.commit().await.map_err(|e| ctx.query_error(e))?;
            conn.close().await.map_err(|e| ctx.query_error(e))
        }
    }
}

async fn connect<O: ConnectOptions>(
    opts: O,
    ctx: &ErrorContext<'_>,
) -> Result<O::Connection, ConnectorError>
where
    O::Connection: Sized,
{
    match tokio::time::timeout(CONNECT_TIMEOUT, opts.connect()).await {
        Ok(result) => result.map_err(|e| ctx.connect_error(e)),
        Err(_) => Err(ConnectorError::Unavailable(format!(
            "cannot connect to {} at {}: timed out",
            ctx.dialect.name(),
            dsn::redact(ctx.url)
        ))),
    }
}
