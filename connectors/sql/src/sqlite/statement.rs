//! Running one statement on a connection: bound parameters, at most `max_rows` rows,
//! each column decoded by its storage class.

use std::sync::Arc;

use oots_connector::{ConnectorError, FieldPaths, Record, Value};
use rusqlite::ToSql;
use rusqlite::types::ValueRef;

use crate::bind::{SQLITE_DATE, SQLITE_DATETIME};

/// One statement to run: SQL with positional parameters, and what to return.
pub(crate) struct Statement<'a> {
    pub sql: &'a str,
    pub values: &'a [&'a Value],
    pub max_rows: usize,
    /// Field name → column; empty: every column under its own name.
    pub fields: &'a FieldPaths,
}

/// Runs `statement`: bare on a read-only file, else in a transaction rolled back after.
pub(super) fn run(
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

/// Why a statement failed.
pub(super) enum Failure {
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
