//! The audit journal: append-only records chained by SHA-256, so that changing, inserting
//! or removing a record anywhere but at the very end breaks the chain
//! (`oots-adapter audit verify`). Retention purges old records and leaves a purge record
//! in the chain that vouches for the first record kept.

use aws_lc_rs::digest;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One journal record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// The record itself: JSON without personal data.
    pub record: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What a purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub journal_entries: u64,
    pub exchanges: u64,
    pub request_ids: u64,
    pub preview_links: u64,
    /// Sequence number of the purge record appended, if anything was removed from the
    /// journal.
    pub purge_record: Option<i64>,
}

/// The timestamp as it enters the hash (fixed precision, so both stores agree).
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The hash of record `seq`, chained to `prev`.
pub fn chain_hash(prev: &str, seq: i64, at: &str, record: &str) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in [prev, &seq.to_string(), at, record] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    hex(ctx.finish().as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The body of a purge record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PurgeRecord {
    pub kind: String,
    /// The last sequence number removed.
    pub through_seq: i64,
    /// Its hash: the `prev_hash` of the first record kept.
    pub last_hash: String,
    pub before: String,
}

impl PurgeRecord {
    pub const KIND: &'static str = "purge";

    pub fn new(through_seq: i64, last_hash: String, before: DateTime<Utc>) -> Self {
        Self {
            kind: Self::KIND.to_owned(),
            through_seq,
            last_hash,
            before: stamp(before),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why the chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    #[error("OEA-A0001: record {seq} was changed: its hash does not match its content")]
    Altered { seq: i64 },
    #[error(
        "OEA-A0002: record {seq} does not follow record {prev}: a record was removed or inserted"
    )]
    Broken { seq: i64, prev: i64 },
    #[error(
        "OEA-A0003: the journal starts at record {first}, and no purge record vouches for the records before it"
    )]
    Unanchored { first: i64 },
    #[error("OEA-A0004: record {seq} is not JSON: {reason}")]
    Unreadable { seq: i64, reason: String },
}

impl JournalError {
    pub fn code(&self) -> &'static str {
        match self {
            JournalError::Altered { .. } => "OEA-A0001",
            JournalError::Broken { .. } => "OEA-A0002",
            JournalError::Unanchored { .. } => "OEA-A0003",
            JournalError::Unreadable { .. } => "OEA-A0004",
        }
    }
}

/// Checks the chain record by record (feed it pages in order).
#[derive(Debug, Default)]
pub struct Verifier {
    last: Option<(i64, String)>,
    /// A chain that does not start at 1 must be vouched for by a later purge record.
    pending_anchor: Option<(i64, String)>,
    pub records: u64,
    pub head: Option<String>,
}

impl Verifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next entry.
    pub fn push(&mut self, e: &JournalEntry) -> Result<(), JournalError> {
        let expected = chain_hash(&e.prev_hash, e.seq, &stamp(e.at), &e.record);
        if expected != e.hash {
            return Err(JournalError::Altered { seq: e.seq });
        }
        match &self.last {
            None if e.seq == 1 && e.prev_hash == GENESIS => {}
            None => self.pending_anchor = Some((e.seq, e.prev_hash.clone())),
            Some((seq, hash)) => {
                if e.seq != seq + 1 || &e.prev_hash != hash {
                    return Err(JournalError::Broken {
                        seq: e.seq,
                        prev: *seq,
                    });
                }
            }
        }
        let value: serde_json::Value =
            serde_json::from_str(&e.record).map_err(|err| JournalError::Unreadable {
                seq: e.seq,
                reason: err.to_string(),
            })?;
        if value.get("kind").and_then(|k| k.as_str()) == Some(PurgeRecord::KIND)
            && let Some((first, prev)) = &self.pending_anchor
            && let Ok(p) = serde_json::from_value::<PurgeRecord>(value)
            && p.through_seq + 1 == *first
            && &p.last_hash == prev
        {
            self.pending_anchor = None;
        }
        self.last = Some((e.seq, e.hash.clone()));
        self.head = Some(e.hash.clone());
        self.records += 1;
        Ok(())
    }

    /// Ends the walk: a chain whose start nobody vouched for fails.
    pub fn finish(self) -> Result<Self, JournalError> {
        if let Some((first, _)) = self.pending_anchor {
            return Err(JournalError::Unanchored { first });
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(records: &[&str]) -> Vec<JournalEntry> {
        let at = DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut prev = GENESIS.to_owned();
        records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let seq = i as i64 + 1;
                let hash = chain_hash(&prev, seq, &stamp(at), r);
                let e = JournalEntry {
                    seq,
                    at,
                    record: (*r).to_owned(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn verify(entries: &[JournalEntry]) -> Result<u64, JournalError> {
        let mut v = Verifier::new();
        for e in entries {
            v.push(e)?;
        }
        Ok(v.finish()?.records)
    }

    #[test]
    fn an_intact_chain_verifies_and_any_change_is_named() {
        let mut c = chain(&[r#"{"a":1}"#, r#"{"a":2}"#, r#"{"a":3}"#]);
        assert_eq!(verify(&c), Ok(3));
        c[1].record = r#"{"a":9}"#.into();
        assert_eq!(verify(&c), Err(JournalError::Altered { seq: 2 }));
        let mut c = chain(&[r#"{"a":1}"#, r#"{"a":2}"#, r#"{"a":3}"#]);
        c.remove(1);
        assert_eq!(verify(&c), Err(JournalError::Broken { seq: 3, prev: 1 }));
    }

    #[test]
    fn a_purged_start_needs_a_purge_record_that_vouches_for_it() {
        let c = chain(&[r#"{"a":1}"#, r#"{"a":2}"#, r#"{"a":3}"#]);
        // Removing the first record without a purge record is caught.
        assert_eq!(verify(&c[1..]), Err(JournalError::Unanchored { first: 2 }));
        let purge = PurgeRecord::new(1, c[0].hash.clone(), Utc::now()).to_json();
        let records = [r#"{"a":1}"#, r#"{"a":2}"#, r#"{"a":3}"#, purge.as_str()];
        let c = chain(&records);
        assert_eq!(verify(&c[1..]), Ok(3));
        // A purge record naming another hash does not vouch.
        let forged = PurgeRecord::new(1, GENESIS.into(), Utc::now()).to_json();
        let c = chain(&[r#"{"a":1}"#, r#"{"a":2}"#, forged.as_str()]);
        assert_eq!(verify(&c[1..]), Err(JournalError::Unanchored { first: 2 }));
    }
}
