//! Field paths inside one record: a CSV column name, a JSON dotted path (`name.family`,
//! `names[0].family`, optional `$.` prefix) or an XML child path (`name/family`, `@id`,
//! `name/@lang`).

use oots_connector::{ConnectorError, Value};

use crate::settings::FileFormat;

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Step {
    /// A JSON member, CSV column or XML child element (local name).
    Key(String),
    /// A JSON array element.
    Index(usize),
    /// An XML attribute (local name); only as the last step.
    Attr(String),
}

/// A parsed, syntax-checked path into a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct FieldPath(pub Vec<Step>);

/// A record (or part of one) as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Scalar(Value),
    /// Members in file order; XML keeps repeated children (the first wins on lookup),
    /// attributes as `@name` and mixed text as `#text`.
    Map(Vec<(String, Node)>),
    List(Vec<Node>),
}

/// Name under which an XML element's own text is kept when it also has attributes.
pub(crate) const TEXT_KEY: &str = "#text";

fn bad(path: &str, why: &str) -> ConnectorError {
    ConnectorError::Config(format!("invalid field path `{path}`: {why}"))
}

impl FieldPath {
    /// Parses `path` in the syntax of `format`.
    pub fn parse(format: FileFormat, path: &str) -> Result<Self, ConnectorError> {
        let trimmed = path.trim();
        if trimmed.is_empty() {
            return Err(bad(path, "empty"));
        }
        match format {
            FileFormat::Csv => Ok(Self(vec![Step::Key(trimmed.to_owned())])),
            FileFormat::Json => parse_json(path, trimmed),
            FileFormat::Xml => parse_xml(path, trimmed),
        }
    }

    /// The node this path selects in `node`, `None` when absent.
    pub fn resolve<'a>(&self, node: &'a Node) -> Option<&'a Node> {
        let mut cur = node;
        for step in &self.0 {
            cur = match (step, cur) {
                (Step::Key(k), Node::Map(m)) => m.iter().find(|(n, _)| n == k).map(|(_, v)| v)?,
                (Step::Attr(a), Node::Map(m)) => m
                    .iter()
                    .find(|(n, _)| n.strip_prefix('@') == Some(a.as_str()))
                    .map(|(_, v)| v)?,
                (Step::Index(i), Node::List(l)) => l.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }
}

/// The scalar a resolved node stands for: an XML element with attributes stands for its text.
pub(crate) fn scalar(node: &Node) -> Option<&Value> {
    match node {
        Node::Scalar(v) => Some(v),
        Node::Map(m) => m
            .iter()
            .find(|(n, _)| n == TEXT_KEY)
            .and_then(|(_, v)| scalar(v)),
        Node::List(_) => None,
    }
}

fn parse_json(orig: &str, p: &str) -> Result<FieldPath, ConnectorError> {
    let p = p.strip_prefix('$').unwrap_or(p);
    let p = p.strip_prefix('.').unwrap_or(p);
    let mut steps = Vec::new();
    let mut chars = p.chars().peekable();
    let mut name = String::new();
    let mut expect_name = true;
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if expect_name && name.is_empty() {
                    return Err(bad(orig, "empty segment"));
                }
                if !name.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut name)));
                }
                expect_name = true;
            }
            '[' => {
                if !name.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut name)));
                } else if steps.is_empty() && !p.starts_with('[') {
                    return Err(bad(orig, "empty segment"));
                }
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(d) if d.is_ascii_digit() => digits.push(d),
                        _ => return Err(bad(orig, "only [<number>] indexes are supported")),
                    }
                }
                let i = digits
                    .parse::<usize>()
                    .map_err(|_| bad(orig, "only [<number>] indexes are supported"))?;
                steps.push(Step::Index(i));
                expect_name = false;
                if let Some(&n) = chars.peek()
                    && n != '.'
                    && n != '['
                {
                    return Err(bad(orig, "expected `.` or `[` after `]`"));
                }
            }
            ']' | '*' | '?' | '@' | '\'' | '"' | '(' | ')' => {
                return Err(bad(
                    orig,
                    "only dotted names and [<number>] indexes are supported",
                ));
            }
            c => {
                name.push(c);
                expect_name = false;
            }
        }
    }
    if !name.is_empty() {
        steps.push(Step::Key(name));
    } else if expect_name {
        return Err(bad(orig, "empty segment"));
    }
    if steps.is_empty() {
        return Err(bad(orig, "empty"));
    }
    Ok(FieldPath(steps))
}

fn parse_xml(orig: &str, p: &str) -> Result<FieldPath, ConnectorError> {
    let segs: Vec<&str> = p.split('/').collect();
    let mut steps = Vec::with_capacity(segs.len());
    for (i, seg) in segs.iter().enumerate() {
        let seg = seg.trim();
        let (attr, name) = match seg.strip_prefix('@') {
            Some(a) => (true, a),
            None => (false, seg),
        };
        // A namespace prefix is ignored: elements match by local name.
        let local = name.rsplit(':').next().unwrap_or(name);
        if local.is_empty() || !local.chars().all(is_xml_name_char) {
            return Err(bad(orig, "segments must be element names or `@attribute`"));
        }
        if attr {
            if i + 1 != segs.len() {
                return Err(bad(orig, "an `@attribute` must be the last segment"));
            }
            steps.push(Step::Attr(local.to_owned()));
        } else {
            steps.push(Step::Key(local.to_owned()));
        }
    }
    Ok(FieldPath(steps))
}

fn is_xml_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Every scalar in `node`, named by the path that selects it (`name.family`, `name/@lang`).
pub(crate) fn flatten(format: FileFormat, node: &Node) -> Vec<(String, Value)> {
    let sep = if format == FileFormat::Xml { "/" } else { "." };
    let mut out = Vec::new();
    walk(node, String::new(), sep, &mut out);
    out
}

fn walk(node: &Node, prefix: String, sep: &str, out: &mut Vec<(String, Value)>) {
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}{sep}{name}")
        }
    };
    match node {
        Node::Scalar(v) => out.push((prefix.clone(), v.clone())),
        Node::Map(m) => {
            for (i, (name, child)) in m.iter().enumerate() {
                // Repeated XML children: only the first is reachable by path.
                if m[..i].iter().any(|(n, _)| n == name) {
                    continue;
                }
                if name == TEXT_KEY {
                    walk(child, prefix.clone(), sep, out);
                } else {
                    walk(child, join(name), sep, out);
                }
            }
        }
        Node::List(l) => {
            for (i, child) in l.iter().enumerate() {
                let p = if prefix.is_empty() {
                    format!("[{i}]")
                } else {
                    format!("{prefix}[{i}]")
                };
                walk(child, p, sep, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Step {
        Step::Key(s.into())
    }

    #[test]
    fn json_paths() {
        let p = FieldPath::parse(FileFormat::Json, "$.name.family").unwrap();
        assert_eq!(p.0, vec![key("name"), key("family")]);
        let p = FieldPath::parse(FileFormat::Json, "names[1].given").unwrap();
        assert_eq!(p.0, vec![key("names"), Step::Index(1), key("given")]);
        for badp in ["", "a..b", "a.", "$..a", "a[*]", "a[x]", "a[0]b", "$"] {
            assert!(FieldPath::parse(FileFormat::Json, badp).is_err(), "{badp}");
        }
    }

    #[test]
    fn xml_paths() {
        let p = FieldPath::parse(FileFormat::Xml, "name/@lang").unwrap();
        assert_eq!(p.0, vec![key("name"), Step::Attr("lang".into())]);
        let p = FieldPath::parse(FileFormat::Xml, "p:name/p:family").unwrap();
        assert_eq!(p.0, vec![key("name"), key("family")]);
        for badp in ["", "a//b", "@a/b", "a b", "/a"] {
            assert!(FieldPath::parse(FileFormat::Xml, badp).is_err(), "{badp}");
        }
    }

    #[test]
    fn flatten_names_match_paths() {
        let n = Node::Map(vec![
            ("id".into(), Node::Scalar(Value::Int(1))),
            (
                "name".into(),
                Node::Map(vec![(
                    "family".into(),
                    Node::Scalar(Value::Text("Ö".into())),
                )]),
            ),
        ]);
        let flat = flatten(FileFormat::Json, &n);
        assert_eq!(flat[1].0, "name.family");
        let p = FieldPath::parse(FileFormat::Json, &flat[1].0).unwrap();
        assert_eq!(
            p.resolve(&n).and_then(scalar),
            Some(&Value::Text("Ö".into()))
        );
    }
}
