//! The immutable in-memory index one rebuild produces; lookups read a shared snapshot.

use std::collections::HashMap;
use std::sync::Arc;

use oots_connector::Value;

use crate::path::{FieldPath, Node, scalar};

/// Normalised comparison form of a value: dates as `YYYY-MM-DD`, text trimmed; `None` for
/// null and binary values, which never match.
pub(crate) fn norm(v: &Value) -> Option<String> {
    match v {
        Value::Null | Value::Bytes(_) => None,
        Value::Text(t) => {
            let t = t.trim();
            Some(
                Value::Text(t.to_owned())
                    .as_date()
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| t.to_owned()),
            )
        }
        other => other.as_text(),
    }
}

/// The normalised value `path` selects in `record`.
pub(crate) fn norm_at(path: &FieldPath, record: &Node) -> Option<String> {
    path.resolve(record).and_then(scalar).and_then(norm)
}

/// One consistent view of all complete files.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// Per file (in file-name order), its records.
    pub files: Vec<Arc<Vec<Node>>>,
    /// Normalised key values (in `key` order) → (file, record) positions.
    pub by_key: HashMap<Vec<String>, Vec<(usize, usize)>>,
    pub records: usize,
}

impl Snapshot {
    pub fn build(files: Vec<Arc<Vec<Node>>>, key: &[FieldPath]) -> Self {
        let mut by_key: HashMap<Vec<String>, Vec<(usize, usize)>> = HashMap::new();
        let mut records = 0;
        for (fi, recs) in files.iter().enumerate() {
            records += recs.len();
            for (ri, rec) in recs.iter().enumerate() {
                let k: Option<Vec<String>> = key.iter().map(|p| norm_at(p, rec)).collect();
                if let Some(k) = k {
                    by_key.entry(k).or_default().push((fi, ri));
                }
            }
        }
        Self {
            files,
            by_key,
            records,
        }
    }

    pub fn record(&self, at: (usize, usize)) -> Option<&Node> {
        self.files.get(at.0).and_then(|f| f.get(at.1))
    }
}
