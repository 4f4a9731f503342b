//! SQL Server registry connector (`type: mssql`) over tiberius.
//!
//! Mapping queries use `:name` parameters like every SQL connector; they are translated to
//! `@P1…` and sent as RPC parameters of `sp_executesql`, so request values are never part
//! of the SQL text. Lookups are read-only by construction (single SELECT/WITH, rolled-back
//! transaction) and by grant (the login must only have SELECT permission).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod connector;
mod decode;
mod describe;
mod errors;
mod factory;
mod pool;
mod settings;
mod tsql;

pub use connector::MssqlConnector;
pub use factory::MssqlFactory;
pub use settings::{Encrypt, MssqlSettings};

/// The named parameters of a mapping query, without connecting (for offline checks).
pub fn query_parameters(query: &str) -> Result<Vec<String>, oots_connector::ConnectorError> {
    Ok(tsql::TsqlQuery::parse(query)?.names)
}
