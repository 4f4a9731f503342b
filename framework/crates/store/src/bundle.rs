//! An audit bundle (IR 2022/1463 Art. 17(5)): the journal records of one exchange (or a
//! request id, or a time range) with what a third party needs to check them with the
//! public key alone.
//!
//! Design: the journal's `hash` is a plain SHA-256 chain over each record's *digest*
//! (the MAC is stored beside it and is not needed here), and a signed checkpoint names
//! the hash at some sequence number. A bundle carries every link from the first selected
//! record to that checkpoint: the selected records in full, every other record as its
//! time and digest only (records written before keys existed, `alg` absent, in full,
//! since their hash covers the text). The verifier recomputes the chain from the first
//! link's predecessor hash and must arrive at the checkpoint's head; the checkpoint's
//! Ed25519 signature must verify with the public key. Changing, removing or inserting a
//! record breaks the chain; a checkpoint made without the private key does not verify.

use serde::{Deserialize, Serialize};

use super::audit_key::PublicKey;
use super::journal::{Checkpoint, JournalEntry, chain_hash, link_hash, record_digest, stamp};

/// The bundle format's name and version.
pub const FORMAT: &str = "oots-audit-bundle/1";

/// One journal record as a bundle carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The record's sequence number in the journal.
    pub seq: i64,
    /// The record's timestamp, as it enters the hash.
    pub at: String,
    /// Whether the record belongs to the selection.
    pub selected: bool,
    /// `true` for records written before keys existed: their hash covers the text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legacy: bool,
    /// SHA-256 of the record's text (sealed records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The record's text: selected records, and legacy ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

impl Link {
    /// The link for `e`, with its text if `selected` (or legacy).
    pub fn of(e: &JournalEntry, selected: bool) -> Self {
        let legacy = e.seal.is_none();
        Self {
            seq: e.seq,
            at: stamp(e.at),
            selected,
            legacy,
            digest: (!legacy).then(|| record_digest(&e.record)),
            record: (selected || legacy).then(|| e.record.clone()),
        }
    }
}

/// A self-contained, verifiable extract of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// The bundle format ([`FORMAT`]).
    pub format: String,
    /// What was asked for (exchange, request id, time range), for the reader.
    pub selection: serde_json::Value,
    /// The hash of the record before the first link.
    pub prev_hash: String,
    /// The records from the first selected one to the checkpoint, in order.
    pub links: Vec<Link>,
    /// Signs the hash of the last link.
    pub checkpoint: Checkpoint,
}

/// Why a bundle does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The checkpoint's signature does not verify.
    #[error("OEA-A0014: the bundle's checkpoint is not signed by this public key")]
    ForgedCheckpoint,
    /// A record's text does not match its digest.
    #[error(
        "OEA-A0015: record {seq} in the bundle was changed: its text does not match its digest"
    )]
    Altered {
        /// The record changed.
        seq: i64,
    },
    /// The chain of links does not lead to the checkpoint.
    #[error(
        "OEA-A0016: the bundle's records do not lead to the signed checkpoint (at record {seq}): a record was changed, removed or inserted"
    )]
    Unconnected {
        /// The link where the chain breaks.
        seq: i64,
    },
    /// Not a readable bundle of this format.
    #[error("OEA-A0017: not an audit bundle: {0}")]
    Malformed(String),
}

impl BundleError {
    /// The stable error code, for operators and logs.
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::ForgedCheckpoint => "OEA-A0014",
            BundleError::Altered { .. } => "OEA-A0015",
            BundleError::Unconnected { .. } => "OEA-A0016",
            BundleError::Malformed(_) => "OEA-A0017",
        }
    }
}

/// What a verified bundle holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The selected records, in order.
    pub records: Vec<(i64, String)>,
    /// How many links were checked.
    pub links: usize,
    /// The record the checkpoint signed.
    pub checkpoint_seq: i64,
    /// When the checkpoint was signed.
    pub checkpoint_at: String,
}

impl Bundle {
    /// Reads a bundle from its JSON text, refusing other formats.
    pub fn parse(text: &str) -> Result<Self, BundleError> {
        let b: Self =
            serde_json::from_str(text).map_err(|e| BundleError::Malformed(e.to_string()))?;
        if b.format != FORMAT {
            return Err(BundleError::Malformed(format!(
                "format {:?}, expected {FORMAT:?}",
                b.format
            )));
        }
        Ok(b)
    }

    /// Checks the bundle with `key` only.
    pub fn verify(&self, key: &PublicKey) -> Result<Verified, BundleError> {
        if !self.checkpoint.verify(key) {
            return Err(BundleError::ForgedCheckpoint);
        }
        let Some(first) = self.links.first() else {
            return Err(BundleError::Malformed("no records".into()));
        };
        let mut prev = self.prev_hash.clone();
        let mut records = Vec::new();
        for (i, l) in self.links.iter().enumerate() {
            if l.seq != first.seq + i as i64 {
                return Err(BundleError::Unconnected { seq: l.seq });
            }
            prev = if l.legacy {
                let Some(record) = &l.record else {
                    return Err(BundleError::Malformed(format!(
                        "legacy record {} without its text",
                        l.seq
                    )));
                };
                chain_hash(&prev, l.seq, &l.at, record)
            } else {
                let Some(digest) = &l.digest else {
                    return Err(BundleError::Malformed(format!(
                        "record {} without its digest",
                        l.seq
                    )));
                };
                if let Some(record) = &l.record
                    && &record_digest(record) != digest
                {
                    return Err(BundleError::Altered { seq: l.seq });
                }
                link_hash(&prev, l.seq, &l.at, digest)
            };
            if l.selected {
                let Some(record) = &l.record else {
                    return Err(BundleError::Malformed(format!(
                        "selected record {} without its text",
                        l.seq
                    )));
                };
                records.push((l.seq, record.clone()));
            }
        }
        let last = first.seq + self.links.len() as i64 - 1;
        if last != self.checkpoint.seq || prev != self.checkpoint.head {
            return Err(BundleError::Unconnected { seq: last });
        }
        if records.is_empty() {
            return Err(BundleError::Malformed("no selected record".into()));
        }
        Ok(Verified {
            records,
            links: self.links.len(),
            checkpoint_seq: self.checkpoint.seq,
            checkpoint_at: self.checkpoint.at.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::audit_key::JournalKey;
    use super::super::journal::{GENESIS, link};
    use super::*;
    use chrono::{DateTime, Utc};

    fn key(id: &str) -> JournalKey {
        JournalKey::new(id, &format!("{id}-0123456789abcdef0123456789abcdef")).unwrap()
    }

    /// Five sealed records; records 2 and 4 are the exchange's.
    fn bundle(k: &JournalKey) -> Bundle {
        let at: DateTime<Utc> = "2026-11-24T10:00:00Z".parse().unwrap();
        let mut prev = GENESIS.to_owned();
        let mut entries = Vec::new();
        for seq in 1..=5 {
            let record = format!(r#"{{"kind":"decision","message_id":"m{}"}}"#, seq % 2);
            let (hash, seal) = link(&prev, seq, &stamp(at), &record, Some(k));
            entries.push(JournalEntry {
                seq,
                at,
                record,
                prev_hash: prev.clone(),
                hash: hash.clone(),
                seal,
            });
            prev = hash;
        }
        let cp = Checkpoint::sign(k, 5, &prev, at);
        Bundle {
            format: FORMAT.into(),
            selection: serde_json::json!({"exchange": "m0"}),
            prev_hash: entries[1].prev_hash.clone(),
            links: entries[1..]
                .iter()
                .map(|e| Link::of(e, e.record.contains("m0")))
                .collect(),
            checkpoint: cp,
        }
    }

    #[test]
    fn a_bundle_verifies_with_the_public_key_alone() {
        let k = key("k1");
        let b = bundle(&k);
        let text = serde_json::to_string(&b).unwrap();
        let v = Bundle::parse(&text)
            .unwrap()
            .verify(&k.public_key())
            .unwrap();
        assert_eq!(v.records.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(v.links, 4);
        // Other exchanges' records are digests only.
        assert!(!text.contains("\"m1\""), "{text}");
    }

    #[test]
    fn an_edited_or_removed_record_or_a_forged_checkpoint_fails() {
        let k = key("k1");
        let pk = k.public_key();
        let mut b = bundle(&k);
        b.links[0].record = Some(r#"{"kind":"decision","message_id":"m9"}"#.into());
        assert_eq!(b.verify(&pk), Err(BundleError::Altered { seq: 2 }));
        // Changing the digest along with the text leads elsewhere.
        let d = record_digest(b.links[0].record.as_deref().unwrap());
        b.links[0].digest = Some(d);
        assert_eq!(b.verify(&pk), Err(BundleError::Unconnected { seq: 5 }));
        let mut b = bundle(&k);
        b.links.remove(2);
        assert_eq!(b.verify(&pk), Err(BundleError::Unconnected { seq: 5 }));
        let mut b = bundle(&k);
        b.links.pop();
        assert_eq!(b.verify(&pk), Err(BundleError::Unconnected { seq: 4 }));
        // A checkpoint signed with another key (or edited) is refused.
        let mut b = bundle(&k);
        let head = b.checkpoint.head.clone();
        b.checkpoint = Checkpoint::sign(&key("k1x"), 5, &head, Utc::now());
        assert_eq!(b.verify(&pk), Err(BundleError::ForgedCheckpoint));
        let mut b = bundle(&k);
        b.checkpoint.seq = 4;
        assert_eq!(b.verify(&pk), Err(BundleError::ForgedCheckpoint));
    }
}
