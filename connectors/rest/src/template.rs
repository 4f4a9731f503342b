//! Request templates: `/persons?birthDate={date_of_birth}&limit=50` or `GET /persons/{id}`.
//!
//! A placeholder `{name}` is replaced by the parameter's text, percent-encoded so that
//! only RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) stay as they are: a value
//! can never add a path segment, a query parameter or a fragment. Literal text is the
//! operator's and is kept as written.

use oots_connector::{ConnectorError, Params, Value};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters: safe in a path segment and in a query
/// component alike.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Param(String),
}

/// A parsed request template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// Parses `text`; an optional `GET ` prefix is accepted, other methods are refused.
    pub fn parse(text: &str) -> Result<Self, ConnectorError> {
        let text = text.trim();
        let rest = match text.split_once(char::is_whitespace) {
            Some((method, rest)) if method.chars().all(|c| c.is_ascii_alphabetic()) => {
                if !method.eq_ignore_ascii_case("GET") {
                    return Err(ConnectorError::Config(format!(
                        "REST query method {method} is not supported (only GET)"
                    )));
                }
                rest.trim_start()
            }
            _ => text,
        };
        if rest.contains('#') {
            return Err(ConnectorError::Config(
                "a REST query must not contain a fragment (#)".into(),
            ));
        }
        if rest.contains("://") {
            return Err(ConnectorError::Config(
                "a REST query is a path relative to base_url, not an absolute URL".into(),
            ));
        }
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for n in chars.by_ref() {
                        if n == '}' {
                            closed = true;
                            break;
                        }
                        name.push(n);
                    }
                    if !closed || !is_name(&name) {
                        return Err(ConnectorError::Config(format!(
                            "REST query has a malformed placeholder `{{{name}`: use {{name}} \
                             with letters, digits and _"
                        )));
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Param(name));
                }
                '}' => {
                    return Err(ConnectorError::Config(
                        "REST query has a `}` without a matching `{`".into(),
                    ));
                }
                c if c.is_whitespace() => {
                    return Err(ConnectorError::Config(
                        "REST query must not contain spaces (encode them as %20)".into(),
                    ));
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Self { pieces })
    }

    /// Placeholder names in order of first appearance.
    pub fn parameters(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &self.pieces {
            if let Piece::Param(n) = p
                && !out.contains(n)
            {
                out.push(n.clone());
            }
        }
        out
    }

    /// The relative request target with every placeholder bound and percent-encoded.
    pub fn render(&self, params: &Params) -> Result<String, ConnectorError> {
        let mut out = String::new();
        let mut in_query = false;
        for p in &self.pieces {
            match p {
                Piece::Literal(l) => {
                    in_query |= l.contains('?');
                    out.push_str(l);
                }
                Piece::Param(name) => {
                    let value = params
                        .get(name)
                        .ok_or_else(|| ConnectorError::UnboundParameter(name.clone()))?;
                    let text = match value {
                        Value::Null | Value::Bytes(_) => {
                            return Err(ConnectorError::Query(format!(
                                "parameter :{name} is null or binary and cannot go into a URL"
                            )));
                        }
                        other => other.as_text().unwrap_or_default(),
                    };
                    // `.`/`..` stay unencoded (and `%2E` is decoded by URL parsers): as a
                    // path segment they would climb the registry's path.
                    if !in_query && (text == "." || text == "..") {
                        return Err(ConnectorError::Query(format!(
                            "parameter :{name} cannot be `.` or `..` in a URL path"
                        )));
                    }
                    out.extend(utf8_percent_encode(&text, COMPONENT));
                }
            }
        }
        Ok(out)
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_renders_and_encodes() {
        let t = Template::parse("GET /persons/{id}/x?n={name}&d={id}&limit=5").unwrap();
        assert_eq!(t.parameters(), vec!["id".to_string(), "name".to_string()]);
        let mut p = Params::new();
        p.insert("id".into(), Value::Text("a/b?c".into()));
        p.insert("name".into(), Value::Text("O'Brien & Søn/..".into()));
        assert_eq!(
            t.render(&p).unwrap(),
            "/persons/a%2Fb%3Fc/x?n=O%27Brien%20%26%20S%C3%B8n%2F..&d=a%2Fb%3Fc&limit=5"
        );
        p.insert("id".into(), Value::Text("..".into()));
        assert!(matches!(t.render(&p), Err(ConnectorError::Query(_))));
        p.insert("id".into(), Value::Text("x".into()));
        p.remove("name");
        assert!(matches!(t.render(&p), Err(ConnectorError::UnboundParameter(n)) if n == "name"));
    }

    #[test]
    fn refuses_bad_templates() {
        for bad in [
            "POST /x",
            "/x/{",
            "/x/{a b}",
            "/x}",
            "/x#f",
            "http://other/x",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }
}
