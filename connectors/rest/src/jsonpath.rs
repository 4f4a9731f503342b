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
            .map_err(|e| format!("invalid JSONPath `{text}`: {}", one_line(&e.to_string())))?;
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

/// The parser's multi-line report (a source excerpt with a caret) as one line, so a
/// diagnostic stays `file:line:col: code: message`: "expected selector at character 8".
fn one_line(report: &str) -> String {
    let reason = report
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("= "))
        .map(str::trim);
    let at = report.split_once("--> ").and_then(|(_, p)| {
        let pos = p.split_whitespace().next()?;
        pos.rsplit(':').next()
    });
    match (reason, at) {
        (Some(r), Some(c)) => format!("{r} at character {c}"),
        (Some(r), None) => r.to_owned(),
        _ => report.split_whitespace().collect::<Vec<_>>().join(" "),
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
        assert_eq!(
            JsonPath::parse("$.a[").unwrap_err(),
            "invalid JSONPath `$.a[`: expected selector at character 5"
        );
    }
}
