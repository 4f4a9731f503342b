//! Binding [`Value`]s as typed query parameters, per driver.
//!
//! Values are always bound, never spliced into SQL text. Each driver gets the SQL type that
//! compares naturally with its columns: PostgreSQL is strict (a `date` column needs a `date`
//! parameter), SQLite stores dates as ISO text, MySQL converts freely.

use chrono::{NaiveDate, NaiveDateTime};
use oots_connector::Value;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::mysql::MySqlArguments;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgArguments, PgTypeInfo};
use sqlx::query::Query;
use sqlx::{Encode, MySql, Postgres, Type};

/// How SQLite stores dates (`YYYY-MM-DD`), matching `date()` and `Value::as_date`.
pub(crate) const SQLITE_DATE: &str = "%Y-%m-%d";
/// How SQLite stores date-times, matching `datetime()` (fractional seconds only when present).
pub(crate) const SQLITE_DATETIME: &str = "%Y-%m-%d %H:%M:%S%.f";

pub(crate) fn postgres<'q>(
    mut q: Query<'q, Postgres, PgArguments>,
    values: &[&Value],
) -> Query<'q, Postgres, PgArguments> {
    for v in values {
        q = match v {
            Value::Null => q.bind(UntypedNull),
            Value::Bool(b) => q.bind(*b),
            Value::Int(i) => q.bind(*i),
            Value::Float(f) => q.bind(*f),
            Value::Text(t) => q.bind(t.clone()),
            Value::Date(d) => q.bind::<NaiveDate>(*d),
            Value::DateTime(d) => q.bind::<NaiveDateTime>(*d),
            Value::Bytes(b) => q.bind(b.clone()),
        };
    }
    q
}

pub(crate) fn mysql<'q>(
    mut q: Query<'q, MySql, MySqlArguments>,
    values: &[&Value],
) -> Query<'q, MySql, MySqlArguments> {
    for v in values {
        q = match v {
            Value::Null => q.bind(None::<String>),
            Value::Bool(b) => q.bind(*b),
            Value::Int(i) => q.bind(*i),
            Value::Float(f) => q.bind(*f),
            Value::Text(t) => q.bind(t.clone()),
            Value::Date(d) => q.bind::<NaiveDate>(*d),
            Value::DateTime(d) => q.bind::<NaiveDateTime>(*d),
            Value::Bytes(b) => q.bind(b.clone()),
        };
    }
    q
}

/// A PostgreSQL NULL with an unspecified type (OID 0), so the server infers the type from
/// the context (`WHERE dob = $1` makes it a `date`) instead of failing on `date = text`.
struct UntypedNull;

impl Type<Postgres> for UntypedNull {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(0))
    }
}

impl Encode<'_, Postgres> for UntypedNull {
    fn encode_by_ref(&self, _buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Ok(IsNull::Yes)
    }
}
