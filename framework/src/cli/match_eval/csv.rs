//! The CSV files `match-eval` and `match-keys` read (registry, requests, true links):
//! RFC 4180 quoting, a header row, blank rows skipped. Small enough to keep here rather
//! than add a CSV dependency.

use std::path::Path;

use super::CliError;

/// A CSV file: header and rows (RFC 4180 quoting).
pub(in crate::cli) struct Csv {
    pub(in crate::cli) header: Vec<String>,
    pub(in crate::cli) rows: Vec<Vec<String>>,
}

impl Csv {
    /// Reads a CSV file; every row must have the header's number of fields.
    pub(in crate::cli) fn read(path: &Path) -> Result<Csv, CliError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
        let mut rows = parse_csv(&text).into_iter();
        let header = rows
            .next()
            .ok_or_else(|| CliError::other(format!("{}: empty CSV", path.display())))?;
        let rows: Vec<Vec<String>> = rows.filter(|r| r.iter().any(|c| !c.is_empty())).collect();
        if let Some((i, r)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != header.len())
        {
            return Err(CliError::other(format!(
                "{}:{}: {} fields, the header has {}",
                path.display(),
                i + 2,
                r.len(),
                header.len()
            )));
        }
        Ok(Csv { header, rows })
    }

    /// The index of a column, by name (ASCII case ignored).
    pub(in crate::cli) fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }
}

/// The rows of a CSV text, quoted fields unquoted.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
