//! The columns a mapping query returns, asked of SQL Server without running it, for
//! `check --live` ([`oots_connector::Connector::describe`]).
//!
//! `sp_describe_first_result_set` (SQL Server 2012 and later, Azure SQL) compiles the
//! query and returns one row per result column (`name`, `is_hidden`, types…) without
//! executing it. A column or table the server does not know makes it fail: a real server
//! sends error 207 ("Invalid column name 'x'.") or 208 ("Invalid object name 'x'."),
//! followed by 11501/11529 ("The metadata could not be determined…"); the first error is
//! reported. Query parameters are declared `nvarchar(4000)`: only names are asked, and
//! SQL Server converts implicitly where a parameter meets a column. The login needs no
//! permission beyond the `SELECT` a lookup needs.

use futures_util::TryStreamExt;
use oots_connector::ConnectorError;
use tiberius::{Query, QueryItem, error::Error};

use crate::connector::MssqlConnector;
use crate::errors::query_error;
use crate::tsql::TsqlQuery;

/// The statement sent (as `sp_executesql`): our own text, the query and its parameter
/// declarations bound as values.
pub(crate) const DESCRIBE: &str = "EXEC sp_describe_first_result_set @tsql = @P1, @params = @P2";

impl MssqlConnector {
    /// The result column names of `query` (`:name` parameters as `@P<n>`), hidden browse
    /// columns left out.
    pub async fn columns(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        let q = TsqlQuery::parse(query)?;
        let declared = (1..=q.names.len())
            .map(|i| format!("@P{i} nvarchar(4000)"))
            .collect::<Vec<_>>()
            .join(", ");
        let to = self.command_timeout;
        let mut lease = self.pool.acquire().await?;
        let work = async {
            let mut call = Query::new(DESCRIBE);
            call.bind(q.sql.trim_end().to_owned());
            call.bind(declared);
            let mut stream = call
                .query(&mut lease.client)
                .await
                .map_err(|e| describe_error(&e, to))?;
            let mut names = Vec::new();
            while let Some(item) = stream
                .try_next()
                .await
                .map_err(|e| describe_error(&e, to))?
            {
                if let QueryItem::Row(row) = item {
                    let hidden = row.try_get::<bool, _>("is_hidden").ok().flatten();
                    let name = row.try_get::<&str, _>("name").ok().flatten();
                    if let (Some(name), false) = (name, hidden.unwrap_or(false)) {
                        names.push(name.to_owned());
                    }
                }
            }
            Ok(names)
        };
        let names = tokio::time::timeout(to, work)
            .await
            .map_err(|_| ConnectorError::Timeout(to))??;
        self.pool.release(lease);
        Ok(names)
    }
}

/// Unlike a lookup's, a describe's server message is kept: no value is bound, so it can
/// only quote the mapping's own query (the column or table it does not know).
fn describe_error(e: &Error, to: std::time::Duration) -> ConnectorError {
    match e {
        Error::Server(t) => {
            ConnectorError::Query(format!("SQL Server error {}: {}", t.code(), t.message()))
        }
        other => query_error(other, to),
    }
}
