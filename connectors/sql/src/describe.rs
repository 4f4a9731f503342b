//! The columns a mapping query returns, asked of the database without running the query:
//! `check --live` compares them with the mapping's `fields:`, so a misspelt column shows
//! before the first request instead of as `EDM:ERR:0004`/`0008` in production.
//!
//! Each engine prepares the statement and reports its result columns: SQLite
//! (`sqlite3_prepare` + column names), PostgreSQL (Parse + Describe), MySQL/MariaDB
//! (`COM_STMT_PREPARE`). Nothing is executed, so no row is read and nothing is written.

use oots_connector::ConnectorError;
use sqlx::{AssertSqlSafe, Column, Executor, SqlSafeStr, Statement};

use crate::connector::{Pools, SqlConnector};

impl SqlConnector {
    /// The result column names of `query` (`:name` parameters translated, none bound),
    /// in order. A query the database refuses (unknown column or table, syntax) is a
    /// [`ConnectorError::Query`] carrying the database's message.
    pub async fn columns(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        let positional = self.positional(query)?;
        let timeout = self.options.connect_timeout;
        let ctx = self.context(None, timeout);
        let sql = positional.sql.clone();
        let work = async {
            match &self.pools {
                Pools::Sqlite(pool) => pool.describe(&sql, &ctx).await,
                Pools::Postgres(pool) => {
                    let statement = pool
                        .prepare(AssertSqlSafe(sql.clone()).into_sql_str())
                        .await
                        .map_err(|e| ctx.query_error(e))?;
                    Ok(names(statement.columns()))
                }
                Pools::MySql(pool, _) => {
                    let statement = pool
                        .prepare(AssertSqlSafe(sql.clone()).into_sql_str())
                        .await
                        .map_err(|e| ctx.query_error(e))?;
                    Ok(names(statement.columns()))
                }
            }
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(ConnectorError::Timeout(timeout)),
        }
    }
}

fn names<C: Column>(columns: &[C]) -> Vec<String> {
    columns.iter().map(|c| c.name().to_owned()).collect()
}
