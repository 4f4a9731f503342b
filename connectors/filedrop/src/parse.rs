//! Reading one dropped file into records. Error messages name the position and the kind
//! of problem only, never file contents (which hold personal data).

use chrono::{NaiveDate, NaiveDateTime};
use oots_connector::Value;

use crate::path::{FieldPath, Node, Step, TEXT_KEY};
use crate::settings::FileFormat;

/// Why a file could not be indexed; shown in `health()` with the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}{}", .line.map(|l| format!(" at line {l}")).unwrap_or_default())]
pub(crate) struct FileError {
    pub line: Option<u64>,
    pub what: String,
}

impl FileError {
    fn new(what: impl Into<String>, line: Option<u64>) -> Self {
        Self {
            what: what.into(),
            line,
        }
    }
}

/// How records are found in a file, fixed when the connector opens.
#[derive(Debug, Clone)]
pub(crate) enum Layout {
    Csv {
        delimiter: u8,
    },
    /// Steps from the document root to the record array (empty: the root is the array).
    Json {
        records: Vec<Step>,
    },
    /// Element names from the root; `None`: the root's element children.
    Xml {
        records: Option<Vec<String>>,
    },
}

impl Layout {
    pub fn new(
        format: FileFormat,
        records: Option<&str>,
        delimiter: u8,
    ) -> Result<Self, oots_connector::ConnectorError> {
        let records = records.map(str::trim).filter(|r| !r.is_empty());
        Ok(match format {
            FileFormat::Csv => Self::Csv { delimiter },
            FileFormat::Json => {
                let r = records.map(|r| r.strip_suffix("[*]").unwrap_or(r));
                let steps = match r {
                    None | Some("$") => Vec::new(),
                    Some(r) => FieldPath::parse(FileFormat::Json, r)?.0,
                };
                Self::Json { records: steps }
            }
            FileFormat::Xml => {
                let steps = match records {
                    None => None,
                    Some(r) => {
                        let r = r.strip_prefix('/').unwrap_or(r);
                        let p = FieldPath::parse(FileFormat::Xml, r)?;
                        let mut names = Vec::new();
                        for s in p.0 {
                            match s {
                                Step::Key(k) => names.push(k),
                                _ => {
                                    return Err(oots_connector::ConnectorError::Config(
                                        "filedrop records: an XML record path names elements only"
                                            .into(),
                                    ));
                                }
                            }
                        }
                        Some(names)
                    }
                };
                Self::Xml { records: steps }
            }
        })
    }

    /// Parses a whole file.
    pub fn parse(&self, bytes: &[u8]) -> Result<Vec<Node>, FileError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match self {
            Self::Csv { delimiter } => parse_csv(bytes, *delimiter),
            Self::Json { records } => parse_json(bytes, records),
            Self::Xml { records } => parse_xml(bytes, records.as_deref()),
        }
    }
}

/// A text value from a file: trimmed; empty → null; ISO dates and date-times typed.
pub(crate) fn typed_text(s: &str) -> Value {
    let t = s.trim();
    if t.is_empty() {
        return Value::Null;
    }
    typed_string(t)
}

fn typed_string(t: &str) -> Value {
    if t.len() == 10
        && let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
    {
        return Value::Date(d);
    }
    if t.len() >= 19
        && t.as_bytes().get(10) == Some(&b'T')
        && let Ok(d) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
    {
        return Value::DateTime(d);
    }
    Value::Text(t.to_owned())
}

fn parse_csv(bytes: &[u8], delimiter: u8) -> Result<Vec<Node>, FileError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(FileError::new("CSV header row missing", Some(1)));
    }
    if let Some(i) = headers.iter().position(String::is_empty) {
        return Err(FileError::new(
            format!("CSV header column {} is empty", i + 1),
            Some(1),
        ));
    }
    let mut out = Vec::new();
    for row in rdr.records() {
        let row = row.map_err(|e| csv_error(&e))?;
        let fields = headers
            .iter()
            .zip(row.iter())
            .map(|(h, v)| (h.clone(), Node::Scalar(typed_text(v))))
            .collect();
        out.push(Node::Map(fields));
    }
    Ok(out)
}

fn csv_error(e: &csv::Error) -> FileError {
    let line = e.position().map(|p| p.line());
    let what = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "CSV text is not valid UTF-8".to_owned(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("CSV row has {len} fields, the header has {expected_len}"),
        csv::ErrorKind::Io(_) => "CSV read error".to_owned(),
        _ => "CSV syntax error".to_owned(),
    };
    FileError::new(what, line)
}

fn parse_json(bytes: &[u8], records: &[Step]) -> Result<Vec<Node>, FileError> {
    let doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let kind = match e.classify() {
            serde_json::error::Category::Eof => "JSON ends early",
            serde_json::error::Category::Io => "JSON read error",
            _ => "JSON syntax error",
        };
        FileError::new(kind, Some(e.line() as u64))
    })?;
    let mut cur = &doc;
    for step in records {
        cur = match (step, cur) {
            (Step::Key(k), serde_json::Value::Object(m)) => m.get(k),
            (Step::Index(i), serde_json::Value::Array(a)) => a.get(*i),
            _ => None,
        }
        .ok_or_else(|| FileError::new("JSON record path not found", None))?;
    }
    let serde_json::Value::Array(items) = cur else {
        return Err(FileError::new(
            "JSON record path does not select an array",
            None,
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            serde_json::Value::Object(_) => Ok(json_node(item)),
            _ => Err(FileError::new(
                format!("JSON record {} is not an object", i + 1),
                None,
            )),
        })
        .collect()
}

fn json_node(v: &serde_json::Value) -> Node {
    use serde_json::Value as J;
    match v {
        J::Null => Node::Scalar(Value::Null),
        J::Bool(b) => Node::Scalar(Value::Bool(*b)),
        J::Number(n) => Node::Scalar(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) => Value::Float(f),
            // u64 above i64::MAX: keep every digit rather than round.
            (None, None) => Value::Text(n.to_string()),
        }),
        J::String(s) => Node::Scalar(if s.trim().is_empty() {
            Value::Text(s.clone())
        } else {
            typed_string(s.trim())
        }),
        J::Array(a) => Node::List(a.iter().map(json_node).collect()),
        J::Object(m) => Node::Map(m.iter().map(|(k, v)| (k.clone(), json_node(v))).collect()),
    }
}

fn parse_xml(bytes: &[u8], records: Option<&[String]>) -> Result<Vec<Node>, FileError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| FileError::new("XML text is not valid UTF-8", None))?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let pos = e.pos();
        FileError::new(
            format!("XML syntax error (column {})", pos.col),
            Some(u64::from(pos.row)),
        )
    })?;
    let root = doc.root_element();
    let mut current: Vec<roxmltree::Node<'_, '_>> = vec![root];
    match records {
        None => current = root.children().filter(|n| n.is_element()).collect(),
        Some(names) => {
            // The root's own name may be given first (`register/person`) or left out.
            let rest = match names.split_first() {
                Some((first, rest)) if *first == root.tag_name().name() => rest,
                _ => names,
            };
            for name in rest {
                current = current
                    .iter()
                    .flat_map(|n| n.children())
                    .filter(|c| c.is_element() && c.tag_name().name() == name)
                    .collect();
            }
        }
    }
    Ok(current.into_iter().map(xml_node).collect())
}

fn xml_node(el: roxmltree::Node<'_, '_>) -> Node {
    let children: Vec<_> = el.children().filter(|c| c.is_element()).collect();
    let text: String = el
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    if children.is_empty() && el.attributes().len() == 0 {
        return Node::Scalar(typed_text(&text));
    }
    let mut m: Vec<(String, Node)> = el
        .attributes()
        .map(|a| {
            (
                format!("@{}", a.name()),
                Node::Scalar(typed_text(a.value())),
            )
        })
        .collect();
    if !text.trim().is_empty() || children.is_empty() {
        m.push((TEXT_KEY.to_owned(), Node::Scalar(typed_text(&text))));
    }
    m.extend(
        children
            .into_iter()
            .map(|c| (c.tag_name().name().to_owned(), xml_node(c))),
    );
    Node::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_errors_name_the_line_not_the_content() {
        let l = Layout::new(FileFormat::Csv, None, b',').unwrap();
        let e = l
            .parse("id,name\n1,Mäki\n2,Secret,extra\n".as_bytes())
            .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(!e.to_string().contains("Secret"));
    }

    #[test]
    fn xml_attributes_and_text() {
        let l = Layout::new(FileFormat::Xml, Some("r/p"), b',').unwrap();
        let recs = l
            .parse(br#"<r><p id="7"><name lang="fi">M</name><dob>1970-03-01</dob></p></r>"#)
            .unwrap();
        assert_eq!(recs.len(), 1);
        let p = FieldPath::parse(FileFormat::Xml, "name/@lang").unwrap();
        assert_eq!(
            p.resolve(&recs[0]).and_then(crate::path::scalar),
            Some(&Value::Text("fi".into()))
        );
        let p = FieldPath::parse(FileFormat::Xml, "name").unwrap();
        assert_eq!(
            p.resolve(&recs[0]).and_then(crate::path::scalar),
            Some(&Value::Text("M".into()))
        );
    }
}
