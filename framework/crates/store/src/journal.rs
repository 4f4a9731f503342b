//! The audit journal: append-only records in a hash chain, each record's hash also
//! MAC'd under `audit.key` (docs/audit.md).
//!
//! * Record *n*'s `hash` is SHA-256 over (its predecessor's hash, *n*, its time, the
//!   SHA-256 of its text): a plain hash chain, so anyone can follow it, and a record can be
//!   linked to a later head from its digest alone (audit bundles show one exchange's
//!   records, and only digests of the others).
//! * Its `mac` is HMAC-SHA-256 of that hash under the key named by `key_id`: whoever can
//!   write the database but lacks the key cannot change a record and re-chain the rest.
//! * A checkpoint signs a head (its hash, sequence number and time) with Ed25519; kept
//!   outside the database it also shows that the newest records were not removed.
//!
//! Records written before keys existed (no `alg`) verify as plain SHA-256 links over the
//! record text; once a sealed record is seen, an unsealed one after it fails.
//! Retention purges old records and leaves a purge record in the chain that vouches for
//! the first record kept.

mod store;

use std::collections::BTreeMap;

use aws_lc_rs::digest;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::audit_key::{JournalKey, KeyRing, PublicKey};

pub use store::Journal;

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The `alg` of sealed records: the v2 link hash, MAC'd with HMAC-SHA-256.
pub const ALG_HMAC: &str = "hmac-sha256/2";

/// One journal record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// The record's sequence number (1 for the first record ever written).
    pub seq: i64,
    /// When the record was appended.
    pub at: DateTime<Utc>,
    /// The record itself: JSON without personal data.
    pub record: String,
    /// The hash of the record before it ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// This record's link hash (hex).
    pub hash: String,
    /// The MAC; `None` for records written unkeyed (before keys, or without one).
    pub seal: Option<Seal>,
}

/// A record's MAC and what it was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    /// The sealing algorithm ([`ALG_HMAC`]).
    pub alg: String,
    /// The id of the audit key that sealed the record.
    pub key_id: String,
    /// The MAC of the record's hash (hex).
    pub mac: String,
}

impl Seal {
    /// From the three stored columns (all set, or none).
    pub fn from_columns(
        alg: Option<String>,
        key_id: Option<String>,
        mac: Option<String>,
    ) -> Option<Self> {
        match (alg, key_id, mac) {
            (None, None, None) => None,
            (alg, key_id, mac) => Some(Self {
                alg: alg.unwrap_or_default(),
                key_id: key_id.unwrap_or_default(),
                mac: mac.unwrap_or_default(),
            }),
        }
    }

    /// The three stored columns.
    pub fn columns(seal: &Option<Seal>) -> (Option<&str>, Option<&str>, Option<&str>) {
        match seal {
            Some(s) => (Some(&s.alg), Some(&s.key_id), Some(&s.mac)),
            None => (None, None, None),
        }
    }
}

/// The hash and seal of record `seq` after `prev`: sealed with `key`, or the unkeyed
/// (v1) link without one.
pub fn link(
    prev: &str,
    seq: i64,
    at: &str,
    record: &str,
    key: Option<&JournalKey>,
) -> (String, Option<Seal>) {
    match key {
        None => (chain_hash(prev, seq, at, record), None),
        Some(k) => {
            let hash = link_hash(prev, seq, at, &record_digest(record));
            let seal = Seal {
                alg: ALG_HMAC.to_owned(),
                key_id: k.id().to_owned(),
                mac: k.mac(&hash),
            };
            (hash, Some(seal))
        }
    }
}

/// The record written when the key records are sealed with changes (or sealing starts).
pub fn key_change_record(key_id: &str, previous: Option<&str>) -> String {
    serde_json::json!({"kind": "audit-key", "key_id": key_id, "previous_key_id": previous})
        .to_string()
}

/// Whether the next record sealed with `key` must be preceded by a key change record:
/// the head exists and was sealed with another key (or none).
pub fn needs_key_change(head_key_id: Option<&str>, key: Option<&JournalKey>, empty: bool) -> bool {
    match key {
        Some(k) => !empty && head_key_id != Some(k.id()),
        None => false,
    }
}

/// What a purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Journal records removed.
    pub journal_entries: u64,
    /// Exchanges removed.
    pub exchanges: u64,
    /// Used request ids removed.
    pub request_ids: u64,
    /// Preview links removed.
    pub preview_links: u64,
    /// Sequence number of the purge record appended, if anything was removed from the
    /// journal.
    pub purge_record: Option<i64>,
}

/// The timestamp as it enters the hash (fixed precision, so both stores agree).
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn sha256_parts(parts: &[&str]) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    hex(ctx.finish().as_ref())
}

/// The unkeyed (v1) hash of record `seq`, chained to `prev`, over the record's text.
pub fn chain_hash(prev: &str, seq: i64, at: &str, record: &str) -> String {
    sha256_parts(&[prev, &seq.to_string(), at, record])
}

/// The v2 hash of record `seq`, chained to `prev`, over the record's digest.
pub fn link_hash(prev: &str, seq: i64, at: &str, record_digest: &str) -> String {
    sha256_parts(&["oots-audit/2", prev, &seq.to_string(), at, record_digest])
}

/// SHA-256 of a record's text (hex).
pub fn record_digest(record: &str) -> String {
    hex(digest::digest(&digest::SHA256, record.as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    super::audit_key::hex(bytes)
}

/// The expected hash of `e` from its own fields.
pub fn expected_hash(e: &JournalEntry) -> String {
    match &e.seal {
        None => chain_hash(&e.prev_hash, e.seq, &stamp(e.at), &e.record),
        Some(_) => link_hash(&e.prev_hash, e.seq, &stamp(e.at), &record_digest(&e.record)),
    }
}

/// A signed head: the journal up to record `seq` is the chain ending in `head`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Always [`Checkpoint::KIND`].
    pub kind: String,
    /// The last record covered.
    pub seq: i64,
    /// The hash of that record.
    pub head: String,
    /// When it was signed.
    pub at: String,
    /// The audit key whose derived Ed25519 key signed.
    pub key_id: String,
    /// Ed25519 signature (hex) of [`Checkpoint::message`].
    pub sig: String,
}

impl Checkpoint {
    /// The `kind` of a checkpoint.
    pub const KIND: &'static str = "checkpoint";

    /// Signs head `head` at `seq`.
    pub fn sign(key: &JournalKey, seq: i64, head: &str, at: DateTime<Utc>) -> Self {
        let mut c = Self {
            kind: Self::KIND.to_owned(),
            seq,
            head: head.to_owned(),
            at: stamp(at),
            key_id: key.id().to_owned(),
            sig: String::new(),
        };
        c.sig = key.sign(&c.message());
        c
    }

    /// What is signed.
    pub fn message(&self) -> Vec<u8> {
        let seq = self.seq.to_string();
        let parts = [
            "oots-audit-checkpoint/1",
            seq.as_str(),
            self.head.as_str(),
            self.at.as_str(),
            self.key_id.as_str(),
        ];
        let mut out = Vec::new();
        for part in parts {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }

    /// Whether `key` signed it.
    pub fn verify(&self, key: &PublicKey) -> bool {
        self.kind == Self::KIND && key.verify(&self.message(), &self.sig)
    }

    /// The checkpoint as JSON (a file, a journal record).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a checkpoint from its JSON (a file, a journal record).
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str::<Self>(text)
            .ok()
            .filter(|c| c.kind == Self::KIND)
    }
}

/// The body of a purge record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PurgeRecord {
    /// Always [`PurgeRecord::KIND`].
    pub kind: String,
    /// The last sequence number removed.
    pub through_seq: i64,
    /// Its hash: the `prev_hash` of the first record kept.
    pub last_hash: String,
    /// The cut-off: records older than this were removed.
    pub before: String,
}

impl PurgeRecord {
    /// The `kind` of a purge record.
    pub const KIND: &'static str = "purge";

    /// The purge record for records through `through_seq` older than `before`.
    pub fn new(through_seq: i64, last_hash: String, before: DateTime<Utc>) -> Self {
        Self {
            kind: Self::KIND.to_owned(),
            through_seq,
            last_hash,
            before: stamp(before),
        }
    }

    /// The record as JSON, as the journal stores it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why the chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// A record's hash does not match its content.
    #[error("OEA-A0001: record {seq} was changed: its hash does not match its content")]
    Altered {
        /// The record changed.
        seq: i64,
    },
    /// A record does not chain to the one before it.
    #[error(
        "OEA-A0002: record {seq} does not follow record {prev}: a record was removed or inserted"
    )]
    Broken {
        /// The record that does not follow.
        seq: i64,
        /// The record before it.
        prev: i64,
    },
    /// The journal starts after record 1 without a purge record for the gap.
    #[error(
        "OEA-A0003: the journal starts at record {first}, and no purge record vouches for the records before it"
    )]
    Unanchored {
        /// The first record present.
        first: i64,
    },
    /// A record is not JSON.
    #[error("OEA-A0004: record {seq} is not JSON: {reason}")]
    Unreadable {
        /// The record.
        seq: i64,
        /// Why it does not parse.
        reason: String,
    },
    /// A record's MAC does not match under its key.
    #[error(
        "OEA-A0005: record {seq}'s MAC does not match: it was changed (and the chain recomputed) by someone without the audit key"
    )]
    BadMac {
        /// The record.
        seq: i64,
    },
    /// A record is sealed with a key that is not configured.
    #[error(
        "OEA-A0006: record {seq} is sealed with audit key {key_id:?}, which is not configured (add it to audit.retired_keys)"
    )]
    UnknownKey {
        /// The record.
        seq: i64,
        /// The key it names.
        key_id: String,
    },
    /// An unsealed record follows a sealed one.
    #[error(
        "OEA-A0007: record {seq} is not sealed although record {sealed} before it is: records were rewritten without the key"
    )]
    Downgraded {
        /// The unsealed record.
        seq: i64,
        /// The sealed record before it.
        sealed: i64,
    },
    /// The record a checkpoint signed was changed.
    #[error(
        "OEA-A0008: record {seq} is not the one the checkpoint signed: the journal was changed up to the checkpoint"
    )]
    CheckpointMismatch {
        /// The record the checkpoint signed.
        seq: i64,
    },
    /// The journal ends before the record the checkpoint covers.
    #[error(
        "OEA-A0009: the journal ends at record {last}, but the checkpoint covers record {checkpoint}: the newest records were removed"
    )]
    Truncated {
        /// The last record present.
        last: i64,
        /// The record the checkpoint covers.
        checkpoint: i64,
    },
    /// A checkpoint's signature does not verify.
    #[error(
        "OEA-A0012: checkpoint {what}: its signature does not verify with the audit key's public key"
    )]
    BadCheckpoint {
        /// Which checkpoint (where it came from).
        what: String,
    },
}

impl JournalError {
    /// The stable error code, for operators and logs.
    pub fn code(&self) -> &'static str {
        match self {
            JournalError::Altered { .. } => "OEA-A0001",
            JournalError::Broken { .. } => "OEA-A0002",
            JournalError::Unanchored { .. } => "OEA-A0003",
            JournalError::Unreadable { .. } => "OEA-A0004",
            JournalError::BadMac { .. } => "OEA-A0005",
            JournalError::UnknownKey { .. } => "OEA-A0006",
            JournalError::Downgraded { .. } => "OEA-A0007",
            JournalError::CheckpointMismatch { .. } => "OEA-A0008",
            JournalError::Truncated { .. } => "OEA-A0009",
            JournalError::BadCheckpoint { .. } => "OEA-A0012",
        }
    }
}

/// What an external checkpoint showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointOutcome {
    /// The record it signed is in the journal with that hash.
    Matched,
    /// Its records were purged since (retention); nothing to compare.
    Purged,
}

/// Checks the chain record by record (feed it pages in order).
#[derive(Debug, Default)]
pub struct Verifier {
    last: Option<(i64, String)>,
    /// A chain that does not start at 1 must be vouched for by a later purge record.
    pending_anchor: Option<(i64, String)>,
    keys: KeyRing,
    /// The first sealed record seen: no unsealed one may follow.
    sealed_since: Option<i64>,
    expect: Option<Checkpoint>,
    /// What the expected checkpoint showed, if one was given.
    pub checkpoint: Option<CheckpointOutcome>,
    /// Records checked.
    pub records: u64,
    /// Records written unkeyed.
    pub unsealed: u64,
    /// Records by `kind`.
    pub kinds: BTreeMap<String, u64>,
    /// The first record seen.
    pub first: Option<i64>,
    /// The hash of the newest record seen.
    pub head: Option<String>,
    /// The key the newest record is sealed with.
    pub head_key: Option<String>,
}

impl Verifier {
    /// A verifier without keys: sealed records fail (`OEA-A0006`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A verifier that checks MACs and journal checkpoints with `keys`.
    pub fn with_keys(keys: KeyRing) -> Self {
        Self {
            keys,
            ..Self::default()
        }
    }

    /// Also checks the journal against `checkpoint`, kept outside the database: its
    /// signature now, the record it signed while walking, and at the end that the journal
    /// reaches it.
    pub fn expect(&mut self, checkpoint: Checkpoint) -> Result<(), JournalError> {
        let signed = self
            .keys
            .public_key(&checkpoint.key_id)
            .is_some_and(|k| checkpoint.verify(k));
        if !signed {
            return Err(JournalError::BadCheckpoint {
                what: format!("for record {}", checkpoint.seq),
            });
        }
        self.expect = Some(checkpoint);
        Ok(())
    }

    /// Checks the next entry.
    pub fn push(&mut self, e: &JournalEntry) -> Result<(), JournalError> {
        if expected_hash(e) != e.hash {
            return Err(JournalError::Altered { seq: e.seq });
        }
        match &e.seal {
            Some(seal) => {
                if seal.alg != ALG_HMAC {
                    return Err(JournalError::Altered { seq: e.seq });
                }
                match self.keys.check_mac(&seal.key_id, &e.hash, &seal.mac) {
                    None => {
                        return Err(JournalError::UnknownKey {
                            seq: e.seq,
                            key_id: seal.key_id.clone(),
                        });
                    }
                    Some(false) => return Err(JournalError::BadMac { seq: e.seq }),
                    Some(true) => {}
                }
                self.sealed_since.get_or_insert(e.seq);
            }
            None => {
                if let Some(sealed) = self.sealed_since {
                    return Err(JournalError::Downgraded { seq: e.seq, sealed });
                }
                self.unsealed += 1;
            }
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
        if self.last.is_none()
            && let Some(cp) = &self.expect
            && cp.seq < e.seq
        {
            // Purged since (a purge record must still vouch for the start).
            self.checkpoint = Some(CheckpointOutcome::Purged);
        }
        if let Some(cp) = &self.expect
            && cp.seq == e.seq
        {
            if cp.head != e.hash {
                return Err(JournalError::CheckpointMismatch { seq: e.seq });
            }
            self.checkpoint = Some(CheckpointOutcome::Matched);
        }
        let value: serde_json::Value =
            serde_json::from_str(&e.record).map_err(|err| JournalError::Unreadable {
                seq: e.seq,
                reason: err.to_string(),
            })?;
        let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        *self.kinds.entry(kind.to_owned()).or_default() += 1;
        if kind == PurgeRecord::KIND
            && let Some((first, prev)) = &self.pending_anchor
            && let Ok(p) = serde_json::from_value::<PurgeRecord>(value.clone())
            && p.through_seq + 1 == *first
            && &p.last_hash == prev
        {
            self.pending_anchor = None;
        }
        if kind == Checkpoint::KIND && e.seal.is_some() {
            // A checkpoint in the journal signs the record just before it.
            let cp = serde_json::from_value::<Checkpoint>(value).ok();
            let ok = cp.as_ref().is_some_and(|cp| {
                cp.seq + 1 == e.seq
                    && cp.head == e.prev_hash
                    && self
                        .keys
                        .public_key(&cp.key_id)
                        .is_some_and(|k| cp.verify(k))
            });
            if !ok {
                return Err(JournalError::BadCheckpoint {
                    what: format!("record {}", e.seq),
                });
            }
        }
        self.first.get_or_insert(e.seq);
        self.last = Some((e.seq, e.hash.clone()));
        self.head = Some(e.hash.clone());
        self.head_key = e.seal.as_ref().map(|s| s.key_id.clone());
        self.records += 1;
        Ok(())
    }

    /// The newest record seen.
    pub fn last_seq(&self) -> Option<i64> {
        self.last.as_ref().map(|(s, _)| *s)
    }

    /// Ends the walk: a chain whose start nobody vouched for fails, and so does one that
    /// ends before the expected checkpoint.
    pub fn finish(self) -> Result<Self, JournalError> {
        if let Some((first, _)) = self.pending_anchor {
            return Err(JournalError::Unanchored { first });
        }
        if let Some(cp) = &self.expect
            && self.checkpoint.is_none()
        {
            return Err(JournalError::Truncated {
                last: self.last_seq().unwrap_or(0),
                checkpoint: cp.seq,
            });
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
                    seal: None,
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

    fn at() -> DateTime<Utc> {
        "2026-11-24T10:00:00Z".parse().unwrap()
    }

    fn key(id: &str) -> JournalKey {
        JournalKey::new(id, &format!("{id}:0123456789abcdef0123456789abcdef")).unwrap()
    }

    fn ring(keys: &[&JournalKey]) -> KeyRing {
        let mut r = KeyRing::new();
        for k in keys {
            r.add(k);
        }
        r
    }

    /// Appends `record` to `c` as a store does, sealed with `key`.
    fn append(c: &mut Vec<JournalEntry>, record: &str, key: Option<&JournalKey>) {
        let (seq, prev) = c
            .last()
            .map(|e| (e.seq + 1, e.hash.clone()))
            .unwrap_or((1, GENESIS.to_owned()));
        let (hash, seal) = link(&prev, seq, &stamp(at()), record, key);
        c.push(JournalEntry {
            seq,
            at: at(),
            record: record.to_owned(),
            prev_hash: prev,
            hash,
            seal,
        });
    }

    fn sealed(n: i64, key: &JournalKey) -> Vec<JournalEntry> {
        let mut c = Vec::new();
        for i in 1..=n {
            append(
                &mut c,
                &format!(r#"{{"kind":"decision","n":{i}}}"#),
                Some(key),
            );
        }
        c
    }

    /// Recomputes every link from `from` on, as an insider who can write the database
    /// would: plain SHA-256 links, MACs (if `key`) with the key they have.
    fn rechain(c: &mut [JournalEntry], from: usize, key: Option<&JournalKey>) {
        for i in from..c.len() {
            let prev = if i == 0 {
                GENESIS.to_owned()
            } else {
                c[i - 1].hash.clone()
            };
            let e = &mut c[i];
            e.prev_hash = prev.clone();
            match key {
                Some(k) => {
                    let (hash, seal) = link(&prev, e.seq, &stamp(e.at), &e.record, Some(k));
                    e.hash = hash;
                    e.seal = seal;
                }
                None => {
                    // Keeps the seal as it was; only the hash is recomputed.
                    e.hash = link_hash(&prev, e.seq, &stamp(e.at), &record_digest(&e.record));
                }
            }
        }
    }

    fn verify_with(
        keys: &[&JournalKey],
        checkpoint: Option<Checkpoint>,
        entries: &[JournalEntry],
    ) -> Result<Verifier, JournalError> {
        let mut v = Verifier::with_keys(ring(keys));
        if let Some(cp) = checkpoint {
            v.expect(cp)?;
        }
        for e in entries {
            v.push(e)?;
        }
        v.finish()
    }

    #[test]
    fn a_sealed_record_edited_is_caught_and_so_is_recomputing_the_chain_without_the_key() {
        let k = key("k1");
        let c = sealed(5, &k);
        assert_eq!(verify_with(&[&k], None, &c).unwrap().records, 5);
        // Edited in place.
        let mut e = c.clone();
        e[2].record = r#"{"kind":"decision","n":9}"#.into();
        assert_eq!(
            verify_with(&[&k], None, &e).err(),
            Some(JournalError::Altered { seq: 3 })
        );
        // Edited and every later hash recomputed with SHA-256: the MAC gives it away.
        rechain(&mut e, 2, None);
        assert_eq!(
            verify_with(&[&k], None, &e).err(),
            Some(JournalError::BadMac { seq: 3 })
        );
        // Recomputed with a key of the attacker's own under the same id.
        let forged = JournalKey::new("k1", &"attacker-".repeat(5)).unwrap();
        rechain(&mut e, 2, Some(&forged));
        assert_eq!(
            verify_with(&[&k], None, &e).err(),
            Some(JournalError::BadMac { seq: 3 })
        );
        // A record removed and the rest renumbered and recomputed.
        let mut e = c.clone();
        e.remove(1);
        for (i, r) in e.iter_mut().enumerate() {
            r.seq = i as i64 + 1;
        }
        rechain(&mut e, 1, None);
        assert_eq!(
            verify_with(&[&k], None, &e).err(),
            Some(JournalError::BadMac { seq: 2 })
        );
        // Rewritten as unkeyed (v1) records after a sealed one.
        let mut e = c.clone();
        e[3].seal = None;
        e[3].hash = chain_hash(&e[3].prev_hash, 4, &stamp(e[3].at), &e[3].record);
        e[4].prev_hash = e[3].hash.clone();
        e[4].seal = None;
        e[4].hash = chain_hash(&e[4].prev_hash, 5, &stamp(e[4].at), &e[4].record);
        assert_eq!(
            verify_with(&[&k], None, &e).err(),
            Some(JournalError::Downgraded { seq: 4, sealed: 1 })
        );
    }

    #[test]
    fn the_oldest_records_removed_without_a_purge_record_are_caught_and_a_purge_verifies() {
        let k = key("k1");
        let mut c = sealed(4, &k);
        assert_eq!(
            verify_with(&[&k], None, &c[2..]).err(),
            Some(JournalError::Unanchored { first: 3 })
        );
        let purge = PurgeRecord::new(2, c[1].hash.clone(), at()).to_json();
        append(&mut c, &purge, Some(&k));
        assert_eq!(verify_with(&[&k], None, &c[2..]).unwrap().records, 3);
    }

    #[test]
    fn the_newest_records_removed_are_caught_against_a_kept_checkpoint() {
        let k = key("k1");
        let c = sealed(6, &k);
        let cp = Checkpoint::sign(&k, 5, &c[4].hash, at());
        let v = verify_with(&[&k], Some(cp.clone()), &c).unwrap();
        assert_eq!(v.checkpoint, Some(CheckpointOutcome::Matched));
        // Without the checkpoint, removing the newest records cannot be seen.
        assert_eq!(verify_with(&[&k], None, &c[..3]).unwrap().records, 3);
        assert_eq!(
            verify_with(&[&k], Some(cp.clone()), &c[..3]).err(),
            Some(JournalError::Truncated {
                last: 3,
                checkpoint: 5
            })
        );
        // Rewritten up to the checkpoint with the key (an insider who has it).
        let mut e = c.clone();
        e[1].record = r#"{"kind":"decision","n":0}"#.into();
        rechain(&mut e, 1, Some(&k));
        assert_eq!(verify_with(&[&k], None, &e).unwrap().records, 6);
        assert_eq!(
            verify_with(&[&k], Some(cp.clone()), &e).err(),
            Some(JournalError::CheckpointMismatch { seq: 5 })
        );
        // A checkpoint not signed by the key (or edited) is refused before the walk.
        let mut forged = cp.clone();
        forged.seq = 3;
        assert!(matches!(
            verify_with(&[&k], Some(forged), &c).err(),
            Some(JournalError::BadCheckpoint { .. })
        ));
        let other = Checkpoint::sign(&key("k2"), 5, &c[4].hash, at());
        assert!(matches!(
            verify_with(&[&k], Some(other), &c).err(),
            Some(JournalError::BadCheckpoint { .. })
        ));
    }

    #[test]
    fn checkpoints_in_the_journal_are_checked_with_the_public_key() {
        let k = key("k1");
        let mut c = sealed(3, &k);
        let cp = Checkpoint::sign(&k, 3, &c[2].hash, at());
        append(&mut c, &cp.to_json(), Some(&k));
        assert_eq!(verify_with(&[&k], None, &c).unwrap().kinds["checkpoint"], 1);
        // A checkpoint record naming another head, MAC'd by someone with the MAC key.
        let mut c = sealed(3, &k);
        let wrong = Checkpoint::sign(&k, 2, &c[1].hash, at());
        append(&mut c, &wrong.to_json(), Some(&k));
        assert!(matches!(
            verify_with(&[&k], None, &c).err(),
            Some(JournalError::BadCheckpoint { .. })
        ));
    }

    #[test]
    fn rotated_keys_verify_together_and_a_missing_retired_key_is_named() {
        let (k1, k2) = (key("k1"), key("k2"));
        let mut c = sealed(2, &k1);
        append(&mut c, &key_change_record("k2", Some("k1")), Some(&k2));
        append(&mut c, r#"{"kind":"decision","n":3}"#, Some(&k2));
        assert_eq!(verify_with(&[&k1, &k2], None, &c).unwrap().records, 4);
        assert_eq!(
            verify_with(&[&k2], None, &c).err(),
            Some(JournalError::UnknownKey {
                seq: 1,
                key_id: "k1".into()
            })
        );
    }

    #[test]
    fn an_unkeyed_journal_still_verifies_and_sealing_can_start_after_it() {
        let k = key("k1");
        let mut c = chain(&[r#"{"a":1}"#, r#"{"a":2}"#]);
        assert_eq!(verify_with(&[], None, &c).unwrap().unsealed, 2);
        assert!(needs_key_change(None, Some(&k), false));
        append(&mut c, &key_change_record("k1", None), Some(&k));
        append(&mut c, r#"{"kind":"decision"}"#, Some(&k));
        let v = verify_with(&[&k], None, &c).unwrap();
        assert_eq!((v.records, v.unsealed), (4, 2));
        assert_eq!(v.head_key.as_deref(), Some("k1"));
        // Without the key the sealed records are named, not passed.
        assert_eq!(
            verify_with(&[], None, &c).err(),
            Some(JournalError::UnknownKey {
                seq: 3,
                key_id: "k1".into()
            })
        );
    }
}
