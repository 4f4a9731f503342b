//! SQL registry connector: PostgreSQL and MySQL/MariaDB over sqlx, SQLite over rusqlite
//! (the same SQLite library, without sqlx's per-statement thread hop; see `sqlite`).
//!
//! Mapping files hold SQL with named parameters (`WHERE dob = :date_of_birth`). The
//! connector translates them to the driver's placeholders, binds every value (never
//! splices), and runs each lookup in a read-only, time-boxed, cancellable, row-capped
//! transaction that is always rolled back. Columns decode to typed [`Value`]s.
//!
//! Type mapping (see `decode`): integers → `Int`; floats → `Float`; `NUMERIC`/`DECIMAL` →
//! `Text` holding the exact decimal (no silent rounding of identifiers or amounts); text,
//! enums, JSON, UUID, TIME → `Text`; booleans (MySQL `TINYINT(1)`) → `Bool`; `DATE` → `Date`;
//! `TIMESTAMP`/`DATETIME` → `DateTime` (`TIMESTAMPTZ` in UTC); binary → `Bytes`; MySQL zero
//! dates → `Null`. SQLite decodes by storage class, so its `DATE` columns stay `Text`.
//! Other types fail the lookup with a `Query` error naming the column and type.
//!
//! Parameters bind with their own SQL type (`Date` as `date`, or ISO text on SQLite). A NULL
//! parameter is untyped on PostgreSQL so the server infers it; where it cannot
//! (`:p IS NULL` alone) the query needs a cast (`:p::text IS NULL`).
//!
//! [`Value`]: oots_connector::Value
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod bind;
mod connector;
mod decode;
mod describe;
mod dsn;
mod errors;
mod factory;
mod params;
mod script;
mod settings;
mod sqlite;

pub use connector::{SqlConnector, SqlOptions};
pub use dsn::{Dialect, redact};
pub use factory::SqlFactory;
pub use script::run_script;
pub use settings::SqlSettings;

/// The named parameters of `query` for a connection URL's dialect, without connecting:
/// lets `oots-adapter check` find unbound parameters offline.
pub fn query_parameters(
    url: &str,
    query: &str,
) -> Result<Vec<String>, oots_connector::ConnectorError> {
    let dialect = Dialect::from_url(url)?;
    Ok(params::NamedQuery::parse(query, dialect)?.names().to_vec())
}
