//! SQL Server column values → [`Value`], and registry parameters → bound RPC values.

use chrono::{NaiveDate, NaiveDateTime};
use oots_connector::{ConnectorError, Value};
use tiberius::{ColumnData, ColumnType, FromSql, Query};

/// Binds one parameter; every request value travels as an RPC parameter of `sp_executesql`.
pub(crate) fn bind<'a>(query: &mut Query<'a>, value: &'a Value) {
    match value {
        Value::Null => query.bind(Option::<&str>::None),
        Value::Bool(b) => query.bind(*b),
        Value::Int(i) => query.bind(*i),
        Value::Float(f) => query.bind(*f),
        Value::Text(t) => query.bind(t.as_str()),
        Value::Date(d) => query.bind(*d),
        Value::DateTime(d) => query.bind(*d),
        Value::Bytes(b) => query.bind(b.as_slice()),
    }
}

fn undecodable(column: &str) -> ConnectorError {
    ConnectorError::Query(format!(
        "column {column} holds a value that cannot be decoded"
    ))
}

/// Types one cell. Exact numerics stay text so no digit is lost; money likewise.
pub(crate) fn decode(
    column: &str,
    ty: ColumnType,
    data: &ColumnData<'static>,
) -> Result<Value, ConnectorError> {
    let value = match data {
        ColumnData::U8(v) => v.map(|x| Value::Int(i64::from(x))),
        ColumnData::I16(v) => v.map(|x| Value::Int(i64::from(x))),
        ColumnData::I32(v) => v.map(|x| Value::Int(i64::from(x))),
        ColumnData::I64(v) => v.map(Value::Int),
        ColumnData::F32(v) => v.map(|x| Value::Float(f64::from(x))),
        ColumnData::F64(v) if matches!(ty, ColumnType::Money | ColumnType::Money4) => {
            // tiberius hands money over as f64 of value/10^4; four decimals restore it.
            v.map(|x| Value::Text(format!("{x:.4}")))
        }
        ColumnData::F64(v) => v.map(Value::Float),
        ColumnData::Bit(v) => v.map(Value::Bool),
        ColumnData::String(v) => v.as_ref().map(|s| Value::Text(s.to_string())),
        ColumnData::Guid(v) => v.map(|g| Value::Text(g.to_string())),
        ColumnData::Binary(v) => v.as_ref().map(|b| Value::Bytes(b.to_vec())),
        ColumnData::Numeric(v) => v.map(|n| Value::Text(n.to_string())),
        ColumnData::Xml(v) => v.as_ref().map(|x| Value::Text(x.to_string())),
        ColumnData::Date(_) => NaiveDate::from_sql(data)
            .map_err(|_| undecodable(column))?
            .map(Value::Date),
        ColumnData::DateTime(_) | ColumnData::SmallDateTime(_) | ColumnData::DateTime2(_) => {
            NaiveDateTime::from_sql(data)
                .map_err(|_| undecodable(column))?
                .map(Value::DateTime)
        }
        ColumnData::Time(_) => chrono::NaiveTime::from_sql(data)
            .map_err(|_| undecodable(column))?
            .map(|t| Value::Text(t.format("%H:%M:%S%.f").to_string())),
        ColumnData::DateTimeOffset(_) => chrono::DateTime::<chrono::FixedOffset>::from_sql(data)
            .map_err(|_| undecodable(column))?
            .map(|t| Value::Text(t.to_rfc3339())),
    };
    Ok(value.unwrap_or(Value::Null))
}
