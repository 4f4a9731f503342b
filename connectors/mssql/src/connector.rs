//! The `mssql` connector: pooled tiberius connections, bound parameters, typed rows.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::TryStreamExt;
use oots_connector::{
    CancellationToken, Connector, ConnectorError, FieldPaths, Health, Lookup, Record, Value,
};
use tiberius::{Query, QueryItem, Row};

use crate::decode::{bind, decode};
use crate::errors::query_error;
use crate::pool::{Conn, Pool};
use crate::settings::MssqlSettings;
use crate::tsql::TsqlQuery;

/// A SQL Server registry connection (`type: mssql`).
///
/// SQL Server has no per-session read-only switch: lookups are refused unless they are a
/// single `SELECT`/`WITH`, run inside a transaction that is always rolled back, and the
/// authority must give a login with only `SELECT` permission (`db_datareader`).
pub struct MssqlConnector {
    pub(crate) pool: Pool,
    target: String,
    pub(crate) command_timeout: Duration,
}

impl fmt::Debug for MssqlConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MssqlConnector")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl MssqlConnector {
    /// Resolves the password, opens one connection to prove the settings work (an
    /// unreachable server or a wrong password is `Unavailable` at startup) and keeps it pooled.
    pub async fn connect(settings: &MssqlSettings) -> Result<Self, ConnectorError> {
        let config = settings.to_config()?;
        let target = config.get_addr();
        let pool = Pool::new(config, settings.max_connections, settings.connect_timeout());
        let first = pool.acquire().await?;
        pool.release(first);
        Ok(Self {
            pool,
            target,
            command_timeout: Duration::from_millis(settings.timeout_ms),
        })
    }

    async fn run(
        &self,
        query: &TsqlQuery,
        binds: &[&Value],
        fields: &FieldPaths,
        max_rows: usize,
    ) -> Result<Vec<Record>, ConnectorError> {
        let mut lease = self.pool.acquire().await?;
        // On any error the lease is dropped, closing a connection in an unknown state.
        let records = self
            .execute(&mut lease.client, query, binds, fields, max_rows)
            .await?;
        self.pool.release(lease);
        Ok(records)
    }

    async fn execute(
        &self,
        client: &mut Conn,
        query: &TsqlQuery,
        binds: &[&Value],
        fields: &FieldPaths,
        max_rows: usize,
    ) -> Result<Vec<Record>, ConnectorError> {
        let mut q = Query::new(query.wrapped());
        for value in binds {
            bind(&mut q, value);
        }
        let to = self.command_timeout;
        let mut stream = q.query(client).await.map_err(|e| query_error(&e, to))?;
        let mut records = Vec::new();
        while let Some(item) = stream.try_next().await.map_err(|e| query_error(&e, to))? {
            if let QueryItem::Row(row) = item {
                if records.len() == max_rows {
                    return Err(ConnectorError::TooManyRows(max_rows));
                }
                records.push(to_record(&row, fields)?);
            }
        }
        Ok(records)
    }
}

/// One row as a record: every column, or the lookup's fields (field → column).
fn to_record(row: &Row, fields: &FieldPaths) -> Result<Record, ConnectorError> {
    let cell = |i: usize| -> Result<Value, ConnectorError> {
        let column = &row.columns()[i];
        let data = row
            .get_column_data(i)
            .map_err(|_| ConnectorError::Query("row shorter than its metadata".into()))?;
        decode(column.name(), column.column_type(), data)
    };
    let mut record = Record::new();
    if fields.is_empty() {
        for (i, column) in row.columns().iter().enumerate() {
            record.push(column.name(), cell(i)?);
        }
    } else {
        for (field, column) in fields {
            let i = row
                .columns()
                .iter()
                .position(|c| c.name().eq_ignore_ascii_case(column))
                .ok_or_else(|| {
                    ConnectorError::Query(format!("column {column} is not in the result"))
                })?;
            record.push(field.clone(), cell(i)?);
        }
    }
    Ok(record)
}

#[async_trait]
impl Connector for MssqlConnector {
    fn kind(&self) -> &'static str {
        "mssql"
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        Ok(TsqlQuery::parse(query)?.names)
    }

    async fn lookup(
        &self,
        lookup: &Lookup<'_>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        let query = TsqlQuery::parse(lookup.query)?;
        let binds = query
            .names
            .iter()
            .map(|n| {
                lookup
                    .params
                    .get(n)
                    .ok_or_else(|| ConnectorError::UnboundParameter(n.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let budget = lookup.limits.timeout;
        let work = self.run(&query, &binds, lookup.fields, lookup.limits.max_rows);
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(ConnectorError::Cancelled),
            r = tokio::time::timeout(budget, work) => {
                r.unwrap_or(Err(ConnectorError::Timeout(budget)))
            }
        }
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        let mut lease = self.pool.acquire().await?;
        let to = self.command_timeout;
        let row = tokio::time::timeout(to, async {
            let stream = lease
                .client
                .simple_query("SELECT 1")
                .await
                .map_err(|e| query_error(&e, to))?;
            stream.into_row().await.map_err(|e| query_error(&e, to))
        })
        .await
        .map_err(|_| ConnectorError::Timeout(to))??;
        match row {
            Some(_) => {
                self.pool.release(lease);
                Ok(())
            }
            None => Err(ConnectorError::Query("SELECT 1 returned no row".into())),
        }
    }

    async fn describe(&self, query: &str) -> Result<Option<Vec<String>>, ConnectorError> {
        self.columns(query).await.map(Some)
    }

    fn health(&self) -> Health {
        Health {
            degraded: false,
            detail: Some(format!(
                "SQL Server {}, {} idle connection(s)",
                self.target,
                self.pool.idle_count()
            )),
            refreshed_at: None,
        }
    }
}
