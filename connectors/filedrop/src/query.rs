//! The file-drop query language: `field = :param [and field = :param]...`.

use oots_connector::ConnectorError;

use crate::path::FieldPath;
use crate::settings::FileFormat;

/// One `field = :param` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    pub field: FieldPath,
    pub param: String,
}

fn bad(why: &str) -> ConnectorError {
    ConnectorError::Config(format!(
        "filedrop query must be `field = :param [and field = :param]...`: {why}"
    ))
}

/// Parses a query; every field path is checked in the syntax of `format`.
pub(crate) fn parse(format: FileFormat, query: &str) -> Result<Vec<Condition>, ConnectorError> {
    let mut out = Vec::new();
    for part in split_and(query) {
        let part = part.trim();
        if part.is_empty() {
            return Err(bad("empty condition"));
        }
        let (field, param) = part.split_once('=').ok_or_else(|| bad("missing `=`"))?;
        let param = param
            .trim()
            .strip_prefix(':')
            .ok_or_else(|| bad("the right-hand side must be a :parameter"))?;
        if param.is_empty()
            || !param
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            || !param.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(bad("parameter names are letters, digits and `_`"));
        }
        out.push(Condition {
            field: FieldPath::parse(format, field)?,
            param: param.to_owned(),
        });
    }
    Ok(out)
}

/// Splits on the word `and` (any case) surrounded by whitespace.
fn split_and(query: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = query.as_bytes();
    let mut i = 0;
    while i + 3 <= bytes.len() {
        let before_ws = i > 0 && bytes[i - 1].is_ascii_whitespace();
        let after_ws = bytes.get(i + 3).is_some_and(u8::is_ascii_whitespace);
        if before_ws && after_ws && bytes[i..i + 3].eq_ignore_ascii_case(b"and") {
            parts.push(&query[start..i]);
            start = i + 3;
            i += 3;
        } else {
            i += 1;
        }
    }
    parts.push(&query[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_conditions() {
        let c = parse(
            FileFormat::Csv,
            "date_of_birth = :dob AND family_name=:family_name",
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].param, "dob");
        assert_eq!(c[1].param, "family_name");
        for q in [
            "",
            "a = b",
            "a = :",
            "a = :x and",
            "= :x",
            "a = :1x",
            "a :x",
        ] {
            assert!(parse(FileFormat::Csv, q).is_err(), "{q}");
        }
    }
}
