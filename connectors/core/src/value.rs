//! Typed values read from a registry.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

/// One typed value of a registry record or a query parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    /// Binary content (a stored PDF, an image). Serialised as its length only, so a
    /// template or log can never dump a document by accident.
    #[serde(serialize_with = "serialize_bytes_len")]
    Bytes(Vec<u8>),
}

fn serialize_bytes_len<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("<{} bytes>", b.len()))
}

impl Value {
    /// The value as text, the way a template or a comparison sees it (`None` for null and bytes).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null | Value::Bytes(_) => None,
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Text(t) => Some(t.clone()),
            Value::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
            Value::DateTime(d) => Some(d.format("%Y-%m-%dT%H:%M:%S").to_string()),
        }
    }

    /// The value as a calendar date, accepting ISO text (`1970-03-01`) and date-times.
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            Value::DateTime(d) => Some(d.date()),
            Value::Text(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok(),
            _ => None,
        }
    }
}

/// One registry record: field names in the order the registry returned them.
///
/// Names are shared (`Arc<str>`): every record of a lookup carries the same field names,
/// and a connector hands out one copy of each rather than one allocation per row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    fields: Vec<(Arc<str>, Value)>,
}

impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Fields<'a>(&'a [(Arc<str>, Value)]);
        impl Serialize for Fields<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|(n, v)| (&**n, v)))
            }
        }
        let mut st = s.serialize_struct("Record", 1)?;
        st.serialize_field("fields", &Fields(&self.fields))?;
        st.end()
    }
}

impl Record {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a field (a later field with the same name shadows nothing: first wins on `get`).
    pub fn push(&mut self, name: impl Into<Arc<str>>, value: Value) {
        self.fields.push((name.into(), value));
    }

    /// The value of field `name` (ASCII case-insensitive, as SQL column names are).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(n, v)| (&**n, v))
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl FromIterator<(String, Value)> for Record {
    fn from_iter<T: IntoIterator<Item = (String, Value)>>(iter: T) -> Self {
        Self {
            fields: iter.into_iter().map(|(n, v)| (Arc::from(n), v)).collect(),
        }
    }
}
