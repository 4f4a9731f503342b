//! The audit journal's keys. A record's MAC (HMAC-SHA-256 under `audit.key`) is what an
//! insider who can write the database cannot recompute; a checkpoint's Ed25519 signature
//! is what an auditor can check with the public key alone. One secret gives both: the
//! signing key is derived from the MAC key, so rotating `audit.key` rotates both and
//! there is one secret to keep, never in the database.

use std::collections::BTreeMap;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair};
use base64::Engine;

/// The fewest bytes of key material accepted (`openssl rand -hex 32` gives 64).
pub const MIN_KEY_BYTES: usize = 32;

/// Why a key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Key material shorter than [`MIN_KEY_BYTES`].
    #[error(
        "OEA-A0010: audit key {id:?} is too short: at least {MIN_KEY_BYTES} characters (e.g. `openssl rand -hex 32`)"
    )]
    TooShort {
        /// The key id.
        id: String,
    },
    /// A key id outside the allowed alphabet or length.
    #[error("OEA-A0010: audit key id {id:?} must be 1-64 letters, digits, '-', '_' or '.'")]
    BadId {
        /// The id given.
        id: String,
    },
    /// Not a usable Ed25519 public key (`why` says what is wrong).
    #[error("OEA-A0011: not an Ed25519 public key in PEM: {why}")]
    BadPublicKey {
        /// What is wrong with it.
        why: String,
    },
}

impl KeyError {
    /// The stable error code, for operators and logs.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::TooShort { .. } | KeyError::BadId { .. } => "OEA-A0010",
            KeyError::BadPublicKey { .. } => "OEA-A0011",
        }
    }
}

fn good_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The key records are written with: MAC and checkpoint signature.
pub struct JournalKey {
    id: String,
    mac: hmac::Key,
    signer: Ed25519KeyPair,
}

impl std::fmt::Debug for JournalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material.
        f.debug_struct("JournalKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl JournalKey {
    /// A key from its id and secret (the secret's bytes, surrounding blanks ignored).
    pub fn new(id: &str, secret: &str) -> Result<Self, KeyError> {
        if !good_id(id) {
            return Err(KeyError::BadId { id: id.to_owned() });
        }
        let material = secret.trim().as_bytes();
        if material.len() < MIN_KEY_BYTES {
            return Err(KeyError::TooShort { id: id.to_owned() });
        }
        let mac = hmac::Key::new(hmac::HMAC_SHA256, material);
        // The signing seed: a MAC of a fixed label, so it is as secret as the key.
        let seed = hmac::sign(&mac, b"oots-audit/2 checkpoint signing key");
        let signer = Ed25519KeyPair::from_seed_unchecked(&seed.as_ref()[..32])
            .map_err(|_| KeyError::TooShort { id: id.to_owned() })?;
        Ok(Self {
            id: id.to_owned(),
            mac,
            signer,
        })
    }

    /// The key's id, recorded with every record it seals.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The MAC of record hash `hash` (hex).
    pub fn mac(&self, hash: &str) -> String {
        hex(hmac::sign(&self.mac, &mac_input(&self.id, hash)).as_ref())
    }

    /// The Ed25519 signature of `message` (hex).
    pub fn sign(&self, message: &[u8]) -> String {
        hex(self.signer.sign(message).as_ref())
    }

    /// The raw Ed25519 public key checkpoints are verified with.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.signer.public_key().as_ref().to_vec())
    }

    /// What verification needs of this key.
    pub fn verifying(&self) -> VerifyingKey {
        VerifyingKey {
            mac: self.mac.clone(),
            public: self.public_key(),
        }
    }
}

fn mac_input(id: &str, hash: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(96);
    for part in ["oots-audit/2", id, hash] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// A key as verification uses it.
#[derive(Clone)]
pub struct VerifyingKey {
    mac: hmac::Key,
    public: PublicKey,
}

/// The keys `audit verify` knows, by id: the current one and the retired ones.
#[derive(Clone, Default)]
pub struct KeyRing {
    keys: BTreeMap<String, VerifyingKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.keys.keys()).finish()
    }
}

impl KeyRing {
    /// An empty ring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key` (current or retired), replacing one with the same id.
    pub fn add(&mut self, key: &JournalKey) {
        self.keys.insert(key.id.clone(), key.verifying());
    }

    /// Whether no key is known.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The ids known, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// `Some(true)` if `mac` is the MAC of `hash` under key `id`, `None` if `id` is unknown.
    pub fn check_mac(&self, id: &str, hash: &str, mac: &str) -> Option<bool> {
        let key = self.keys.get(id)?;
        let Some(mac) = unhex(mac) else {
            return Some(false);
        };
        Some(hmac::verify(&key.mac, &mac_input(id, hash), &mac).is_ok())
    }

    /// The public key of key `id`.
    pub fn public_key(&self, id: &str) -> Option<&PublicKey> {
        self.keys.get(id).map(|k| &k.public)
    }
}

/// An Ed25519 public key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(Vec<u8>);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", hex(&self.0))
    }
}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410) before the 32 key bytes.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

impl PublicKey {
    /// Whether `signature` (hex) is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        let Some(sig) = unhex(signature) else {
            return false;
        };
        signature::UnparsedPublicKey::new(&signature::ED25519, &self.0)
            .verify(message, &sig)
            .is_ok()
    }

    /// PEM (`-----BEGIN PUBLIC KEY-----`, RFC 8410), as `openssl pkey -pubin` reads it.
    pub fn to_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0);
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str("-----END PUBLIC KEY-----\n");
        out
    }

    /// Reads the first `PUBLIC KEY` block of `pem`.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let bad = |why: &str| KeyError::BadPublicKey {
            why: why.to_owned(),
        };
        let start = pem
            .find("-----BEGIN PUBLIC KEY-----")
            .ok_or_else(|| bad("no BEGIN PUBLIC KEY line"))?;
        let rest = &pem[start + "-----BEGIN PUBLIC KEY-----".len()..];
        let end = rest
            .find("-----END PUBLIC KEY-----")
            .ok_or_else(|| bad("no END PUBLIC KEY line"))?;
        let b64: String = rest[..end].split_whitespace().collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| bad("not base64"))?;
        match der.strip_prefix(&SPKI_PREFIX[..]) {
            Some(key) if key.len() == 32 => Ok(Self(key.to_vec())),
            _ => Err(bad("not an Ed25519 key")),
        }
    }

    /// A short name for logs and reports: the first 16 hex digits of its SHA-256.
    pub fn fingerprint(&self) -> String {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &self.0);
        hex(&d.as_ref()[..8])
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_and_odd_ids_are_refused_and_debug_shows_no_material() {
        assert!(matches!(
            JournalKey::new("k1", "short"),
            Err(KeyError::TooShort { .. })
        ));
        assert!(matches!(
            JournalKey::new("a b", &"x".repeat(40)),
            Err(KeyError::BadId { .. })
        ));
        let k = JournalKey::new("k1", &"secret-".repeat(6)).unwrap();
        assert!(!format!("{k:?}").contains("secret"));
    }

    #[test]
    fn macs_and_signatures_check_only_with_the_right_key() {
        let k1 = JournalKey::new("k1", &"a".repeat(32)).unwrap();
        let k2 = JournalKey::new("k2", &"b".repeat(32)).unwrap();
        let mut ring = KeyRing::new();
        ring.add(&k1);
        let mac = k1.mac("00ff");
        assert_eq!(ring.check_mac("k1", "00ff", &mac), Some(true));
        assert_eq!(ring.check_mac("k1", "00fe", &mac), Some(false));
        assert_eq!(ring.check_mac("k2", "00ff", &k2.mac("00ff")), None);
        let sig = k1.sign(b"m");
        assert!(k1.public_key().verify(b"m", &sig));
        assert!(!k2.public_key().verify(b"m", &sig));
        let pem = k1.public_key().to_pem();
        assert_eq!(PublicKey::from_pem(&pem).unwrap(), k1.public_key());
        assert!(PublicKey::from_pem("nothing").is_err());
    }
}
