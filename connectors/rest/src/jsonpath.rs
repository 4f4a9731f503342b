//! Our thin wrapper over `jsonpath-rust` (RFC 9535), so the crate's churning API stays in
//! one place: paths are parsed once when settings or mappings load, then evaluated many times.

use std::fmt;

use jsonpath_rust::parser::model::JpQuery;
use serde_json::Value as Json;

/// A parsed JSONPath expression (`$.name.family`, `$.items[*]`).
#[derive(Clone)]
pub struct JsonPath {
    text: String,
    query: JpQuery,
}

impl JsonPath {
    /// Parses `text`; the error names the path (paths are configuration, not personal data).
    pub fn parse(text: &str) -> Result<Self, String> {
        let query = jsonpath_rust::parser::parse_json_path(text)
            .map_err(|e| format!("invalid JSONPath `{text}`: {e}"))?;
        Ok(Self {
            text: text.to_owned(),
            query,
        })
    }

    /// Every node the path selects in `value`, in document order.
    pub fn select<'a>(&self, value: &'a Json) -> Vec<&'a Json> {
        match jsonpath_rust::query::js_path_process(&self.query, value) {
            Ok(refs) => refs.into_iter().map(|r| r.val).collect(),
            // Evaluation errors (a function applied to the wrong type) select nothing.
            Err(_) => Vec::new(),
        }
    }

    /// The first node the path selects, if any.
    pub fn first<'a>(&self, value: &'a Json) -> Option<&'a Json> {
        self.select(value).into_iter().next()
    }
}

impl fmt::Debug for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonPath({})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_selects() {
        let p = JsonPath::parse("$.a[*].b").unwrap();
        let v = serde_json::json!({"a": [{"b": 1}, {"b": 2}]});
        assert_eq!(
            p.select(&v),
            vec![&serde_json::json!(1), &serde_json::json!(2)]
        );
        assert_eq!(p.first(&v), Some(&serde_json::json!(1)));
        assert!(JsonPath::parse("$.a[").is_err());
        assert!(JsonPath::parse("name").is_err());
    }
}
