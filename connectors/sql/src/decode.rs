//! Decoding result rows into typed [`Record`]s, per driver.
//!
//! PostgreSQL and MySQL columns are decoded by their declared type (SQLite rows are
//! decoded by storage class in [`crate::sqlite`]).
//!
//! Exact decimals (`NUMERIC`/`DECIMAL`) become `Text` holding the exact decimal string
//! (`"1234.50"`), not `Float`: registry identifiers and amounts are often stored as decimals,
//! and a binary float would silently change them.
//!
//! Errors name the column and its type, never the value.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use oots_connector::{ConnectorError, Record, Value};
use sqlx::mysql::{MySqlRow, MySqlValueRef};
use sqlx::postgres::{PgRow, PgTypeKind, PgValueFormat, PgValueRef};
use sqlx::{Column, Decode, Row, TypeInfo, ValueRef};

fn cannot_decode(column: &str, ty: &str) -> ConnectorError {
    ConnectorError::Query(format!("cannot decode column `{column}` of type {ty}"))
}

fn unsupported(column: &str, ty: &str) -> ConnectorError {
    ConnectorError::Query(format!("column `{column}` has unsupported type {ty}"))
}

fn raw_error(column: &str) -> ConnectorError {
    ConnectorError::Query(format!("cannot read column `{column}`"))
}

/// Decodes one value with sqlx's decoder for `T`, naming the column on failure.
fn dec<'r, DB, T>(v: DB::ValueRef<'r>, column: &str, ty: &str) -> Result<T, ConnectorError>
where
    DB: sqlx::Database,
    T: Decode<'r, DB>,
{
    T::decode(v).map_err(|_| cannot_decode(column, ty))
}

/// Column names of a row, in result order.
pub(crate) fn column_names<R: Row>(row: &R) -> Vec<String> {
    row.columns().iter().map(|c| c.name().to_owned()).collect()
}

/// A row of a PostgreSQL result, typed by each column's declared type.
pub(crate) fn postgres_row(row: &PgRow, names: &[String]) -> Result<Record, ConnectorError> {
    let mut record = Record::new();
    for (i, name) in names.iter().enumerate() {
        let v = row.try_get_raw(i).map_err(|_| raw_error(name))?;
        let value = if v.is_null() {
            Value::Null
        } else {
            postgres_value(v, name)?
        };
        record.push(name.clone(), value);
    }
    Ok(record)
}

fn postgres_value(v: PgValueRef<'_>, name: &str) -> Result<Value, ConnectorError> {
    type Pg = sqlx::Postgres;
    let info = v.type_info().into_owned();
    let ty = info.name().to_ascii_uppercase();
    Ok(match ty.as_str() {
        "BOOL" => Value::Bool(dec::<Pg, bool>(v, name, &ty)?),
        "INT2" => Value::Int(dec::<Pg, i16>(v, name, &ty)?.into()),
        "INT4" => Value::Int(dec::<Pg, i32>(v, name, &ty)?.into()),
        "INT8" => Value::Int(dec::<Pg, i64>(v, name, &ty)?),
        "OID" => Value::Int(
            dec::<Pg, sqlx::postgres::types::Oid>(v, name, &ty)?
                .0
                .into(),
        ),
        "FLOAT4" => Value::Float(dec::<Pg, f32>(v, name, &ty)?.into()),
        "FLOAT8" => Value::Float(dec::<Pg, f64>(v, name, &ty)?),
        "NUMERIC" => Value::Text(match v.format() {
            PgValueFormat::Text => dec::<Pg, &str>(v, name, &ty)?.to_owned(),
            PgValueFormat::Binary => {
                let raw = v.as_bytes().map_err(|_| raw_error(name))?;
                pg_numeric_text(raw).ok_or_else(|| cannot_decode(name, &ty))?
            }
        }),
        "TEXT" | "VARCHAR" | "CHAR" | "NAME" | "CITEXT" | "UNKNOWN" | "JSON" | "XML" => {
            Value::Text(dec::<Pg, &str>(v, name, &ty)?.to_owned())
        }
        "JSONB" => Value::Text(match v.format() {
            PgValueFormat::Text => dec::<Pg, &str>(v, name, &ty)?.to_owned(),
            PgValueFormat::Binary => {
                let raw = v.as_bytes().map_err(|_| raw_error(name))?;
                // Binary jsonb is a version byte (1) followed by the JSON text.
                match raw.split_first() {
                    Some((1, json)) => {
                        String::from_utf8(json.to_vec()).map_err(|_| cannot_decode(name, &ty))?
                    }
                    _ => return Err(cannot_decode(name, &ty)),
                }
            }
        }),
        "UUID" => Value::Text(match v.format() {
            PgValueFormat::Text => dec::<Pg, &str>(v, name, &ty)?.to_owned(),
            PgValueFormat::Binary => {
                let raw = v.as_bytes().map_err(|_| raw_error(name))?;
                uuid_text(raw).ok_or_else(|| cannot_decode(name, &ty))?
            }
        }),
        "DATE" => Value::Date(dec::<Pg, NaiveDate>(v, name, &ty)?),
        "TIMESTAMP" => Value::DateTime(dec::<Pg, NaiveDateTime>(v, name, &ty)?),
        // Instants are reported in UTC (the record type has no offset).
        "TIMESTAMPTZ" => Value::DateTime(dec::<Pg, DateTime<Utc>>(v, name, &ty)?.naive_utc()),
        "TIME" => Value::Text(dec::<Pg, NaiveTime>(v, name, &ty)?.to_string()),
        "BYTEA" => Value::Bytes(dec::<Pg, Vec<u8>>(v, name, &ty)?),
        "VOID" => Value::Null,
        _ if matches!(info.kind(), PgTypeKind::Enum(_)) => {
            Value::Text(dec::<Pg, &str>(v, name, &ty)?.to_owned())
        }
        _ => return Err(unsupported(name, &ty)),
    })
}

/// The exact decimal text of a binary PostgreSQL `numeric`
/// (header: ndigits, weight, sign, dscale; then base-10000 digits).
pub(crate) fn pg_numeric_text(raw: &[u8]) -> Option<String> {
    let word =
        |i: usize| -> Option<u16> { Some(u16::from_be_bytes([*raw.get(i)?, *raw.get(i + 1)?])) };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(2)? as i16);
    let sign = word(4)?;
    let dscale = usize::from(word(6)?);
    if raw.len() != 8 + 2 * ndigits {
        return None;
    }
    let negative = match sign {
        0x0000 => false,
        0x4000 => true,
        0xC000 => return Some("NaN".into()),
        0xD000 => return Some("Infinity".into()),
        0xF000 => return Some("-Infinity".into()),
        _ => return None,
    };
    let digits = (0..ndigits)
        .map(|k| word(8 + 2 * k).filter(|d| *d < 10_000))
        .collect::<Option<Vec<u16>>>()?;
    // Digit group `idx` has exponent `weight - idx` (base 10000).
    let group = |idx: i32| -> u16 {
        usize::try_from(idx)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for idx in 0..=weight {
            if idx == 0 {
                out.push_str(&group(idx).to_string());
            } else {
                out.push_str(&format!("{:04}", group(idx)));
            }
        }
    }
    if dscale > 0 {
        let mut frac = String::new();
        let groups = dscale.div_ceil(4);
        for j in 1..=groups {
            let j = i32::try_from(j).ok()?;
            frac.push_str(&format!("{:04}", group(weight + j)));
        }
        frac.truncate(dscale);
        out.push('.');
        out.push_str(&frac);
    }
    Some(out)
}

fn uuid_text(raw: &[u8]) -> Option<String> {
    if raw.len() != 16 {
        return None;
    }
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// A row of a MySQL/MariaDB result, typed by each column's declared type.
pub(crate) fn mysql_row(row: &MySqlRow, names: &[String]) -> Result<Record, ConnectorError> {
    let mut record = Record::new();
    for (i, name) in names.iter().enumerate() {
        let v = row.try_get_raw(i).map_err(|_| raw_error(name))?;
        let value = if v.is_null() {
            Value::Null
        } else {
            mysql_value(v, name)?
        };
        record.push(name.clone(), value);
    }
    Ok(record)
}

fn mysql_value(v: MySqlValueRef<'_>, name: &str) -> Result<Value, ConnectorError> {
    type My = sqlx::MySql;
    let ty = v.type_info().name().to_owned();
    Ok(match ty.as_str() {
        // TINYINT(1) is MySQL's BOOLEAN.
        "BOOLEAN" => Value::Bool(dec::<My, i8>(v, name, &ty)? != 0),
        "TINYINT" | "SMALLINT" | "INT" | "MEDIUMINT" | "BIGINT" => {
            Value::Int(dec::<My, i64>(v, name, &ty)?)
        }
        "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "INT UNSIGNED" | "MEDIUMINT UNSIGNED"
        | "BIGINT UNSIGNED" | "BIT" | "YEAR" => {
            let u = dec::<My, u64>(v, name, &ty)?;
            // Above i64::MAX cannot be an Int; refuse rather than wrap.
            Value::Int(i64::try_from(u).map_err(|_| cannot_decode(name, &ty))?)
        }
        "FLOAT" => Value::Float(dec::<My, f32>(v, name, &ty)?.into()),
        "DOUBLE" => Value::Float(dec::<My, f64>(v, name, &ty)?),
        "DECIMAL" | "CHAR" | "VARCHAR" | "TEXT" | "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT"
        | "ENUM" | "SET" | "JSON" => Value::Text(dec::<My, &str>(v, name, &ty)?.to_owned()),
        "BINARY" | "VARBINARY" | "BLOB" | "TINYBLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
            Value::Bytes(dec::<My, Vec<u8>>(v, name, &ty)?)
        }
        "DATE" if mysql_zero_date(&v) => Value::Null,
        "DATE" => Value::Date(dec::<My, NaiveDate>(v, name, &ty)?),
        "DATETIME" | "TIMESTAMP" if mysql_zero_date(&v) => Value::Null,
        "DATETIME" | "TIMESTAMP" => Value::DateTime(dec::<My, NaiveDateTime>(v, name, &ty)?),
        "TIME" => Value::Text(dec::<My, sqlx::mysql::types::MySqlTime>(v, name, &ty)?.to_string()),
        "NULL" => Value::Null,
        _ => return Err(unsupported(name, &ty)),
    })
}

/// MySQL's "zero date" (`0000-00-00`), common in legacy registries for "unknown": read as
/// NULL rather than failing the lookup.
fn mysql_zero_date(v: &MySqlValueRef<'_>) -> bool {
    match <&[u8] as Decode<sqlx::MySql>>::decode(v.clone()) {
        // Text protocol: ISO text.
        Ok(raw) if raw.starts_with(b"0000-00-00") => true,
        // Binary protocol: a length byte (0, 4, 7 or 11, never an ASCII digit) then the
        // fields; a zero date has length 0 or all-zero fields.
        Ok(raw) => match raw.split_first() {
            None => true,
            Some((len, fields)) if *len <= 11 => fields.iter().all(|b| *b == 0),
            Some(_) => false,
        },
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(ndigits: u16, weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [ndigits, weight as u16, sign, dscale] {
            v.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            v.extend_from_slice(&d.to_be_bytes());
        }
        v
    }

    #[test]
    fn numeric_binary_to_exact_text() {
        assert_eq!(
            pg_numeric_text(&numeric(0, 0, 0, 0, &[])).as_deref(),
            Some("0")
        );
        assert_eq!(
            pg_numeric_text(&numeric(3, 1, 0, 3, &[1, 2345, 6780])).as_deref(),
            Some("12345.678")
        );
        assert_eq!(
            pg_numeric_text(&numeric(1, -2, 0x4000, 5, &[1000])).as_deref(),
            Some("-0.00001")
        );
        assert_eq!(
            pg_numeric_text(&numeric(1, 2, 0, 2, &[1])).as_deref(),
            Some("100000000.00")
        );
        assert_eq!(
            pg_numeric_text(&numeric(0, 0, 0xC000, 0, &[])).as_deref(),
            Some("NaN")
        );
        assert_eq!(pg_numeric_text(&[0, 1]), None);
    }

    #[test]
    fn uuid_formatting() {
        let raw: Vec<u8> = (0u8..16).collect();
        assert_eq!(
            uuid_text(&raw).as_deref(),
            Some("00010203-0405-0607-0809-0a0b0c0d0e0f")
        );
    }
}
