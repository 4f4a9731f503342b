//! Turning a JSON response into [`Record`]s: select the records, then map fields by JSONPath.

use oots_connector::{Record, Value};
use serde_json::Value as Json;

use crate::jsonpath::JsonPath;

/// Selects the records of one response page.
///
/// Without a `records` path a top-level array is the list of records and anything else is
/// one record. With a path, each selected node is a record, except that a single selected
/// array is the list itself (so `$.items` and `$.items[*]` both work).
pub fn select<'a>(records: Option<&JsonPath>, body: &'a Json) -> Vec<&'a Json> {
    let nodes = match records {
        None => vec![body],
        Some(p) => p.select(body),
    };
    match nodes.as_slice() {
        [Json::Array(items)] => items.iter().collect(),
        _ => nodes.into_iter().filter(|n| !n.is_null()).collect(),
    }
}

/// Builds a record: each named field is the first node its path selects in `record`
/// (no match → `Null`); without fields, every top-level scalar member of an object (or
/// the scalar itself as `value`).
pub fn to_record(record: &Json, fields: &[(String, JsonPath)]) -> Record {
    let mut out = Record::new();
    if fields.is_empty() {
        match record {
            Json::Object(members) => {
                for (name, v) in members {
                    if !matches!(v, Json::Array(_) | Json::Object(_)) {
                        out.push(name.clone(), to_value(v));
                    }
                }
            }
            scalar => out.push("value", to_value(scalar)),
        }
        return out;
    }
    for (name, path) in fields {
        let value = path.first(record).map(to_value).unwrap_or(Value::Null);
        out.push(name.clone(), value);
    }
    out
}

/// JSON → typed value: strings stay text (dates are recognised downstream), integers that
/// fit `i64` are `Int`, other numbers `Float` (or exact text when a float would round),
/// arrays and objects become their JSON text.
pub fn to_value(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if n.is_u64() {
                // Beyond i64: an identifier, keep every digit.
                Value::Text(n.to_string())
            } else {
                n.as_f64()
                    .map_or_else(|| Value::Text(n.to_string()), Value::Float)
            }
        }
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_and_maps() {
        let body = json!({"items": [{"n": {"f": "Ñ"}, "a": 3, "x": [1]}, {"a": 1.5}]});
        let p = JsonPath::parse("$.items").unwrap();
        let recs = select(Some(&p), &body);
        assert_eq!(recs.len(), 2);
        let p2 = JsonPath::parse("$.items[*]").unwrap();
        assert_eq!(select(Some(&p2), &body).len(), 2);
        assert_eq!(select(None, &json!({"a": 1})).len(), 1);
        assert_eq!(select(None, &json!([1, 2, 3])).len(), 3);
        let fields = vec![
            ("family".to_string(), JsonPath::parse("$.n.f").unwrap()),
            ("x".to_string(), JsonPath::parse("$.x").unwrap()),
            ("none".to_string(), JsonPath::parse("$.zz").unwrap()),
        ];
        let r = to_record(recs[0], &fields);
        assert_eq!(r.get("family"), Some(&Value::Text("Ñ".into())));
        assert_eq!(r.get("x"), Some(&Value::Text("[1]".into())));
        assert_eq!(r.get("none"), Some(&Value::Null));
        let all = to_record(recs[0], &[]);
        assert_eq!(all.len(), 1);
        assert_eq!(all.get("a"), Some(&Value::Int(3)));
        assert_eq!(
            to_value(&json!(18446744073709551615u64)),
            Value::Text("18446744073709551615".into())
        );
        assert_eq!(to_value(&json!(true)), Value::Bool(true));
    }
}
