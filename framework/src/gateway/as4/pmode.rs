//! The processing mode of the native AS4 gateway (`gateway: type: as4` in `adapter.yaml`):
//! who we are, our keys, whom we trust, and each peer access point's endpoint and
//! certificate. eDelivery AS4 1.15 fixes the rest (one-way push, synchronous signed
//! receipts and errors, RSA-SHA256, AES-128-GCM with RSA-OAEP, gzip).
//!
//! ```yaml
//! gateway:
//!   type: as4
//!   party_id: AP_DE                       # our access point's PartyId
//!   private_key: file:keys/ap.key         # PKCS#8 PEM, a secret reference
//!   certificate: keys/ap.pem
//!   trust_store: keys/ca.pem              # signers' certificates must chain to these
//!   peers:
//!     - party_id: AP_FR
//!       endpoint: https://ap.example.fr/as4
//!       certificate: keys/ap-fr.pem       # encrypt to it; its signatures must be its
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::keys::{Certificate, Credentials, KeyError, TrustStore};
use crate::secret::SecretRef;

/// The `gateway:` section for `type: as4`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct As4Settings {
    pub party_id: String,
    #[serde(default = "default_party_type")]
    pub party_type: String,
    pub private_key: SecretRef,
    pub certificate: PathBuf,
    pub trust_store: PathBuf,
    /// Encrypt what we send, and refuse unencrypted messages (eDelivery: yes).
    #[serde(default = "yes")]
    pub encrypt: bool,
    /// Compress payloads we send (gzip). Received payloads are decompressed either way.
    #[serde(default = "yes")]
    pub compress: bool,
    #[serde(default)]
    pub peers: Vec<PeerSettings>,
    #[serde(default)]
    pub retry: RetrySettings,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Extra root certificates for the peers' https endpoints (a private PKI).
    #[serde(default)]
    pub tls_roots: Option<PathBuf>,
    /// Revocation lists (PEM or DER) of the `trust_store` CAs: a message signed with a
    /// revoked certificate is refused (`EBMS:0101`).
    #[serde(default)]
    pub trust_crls: Vec<PathBuf>,
    /// The TLS client certificate (PEM chain) presented to peers that ask for one
    /// (mutual TLS); with `tls_client_key`.
    #[serde(default)]
    pub tls_client_certificate: Option<PathBuf>,
    /// Its private key (PEM), a secret reference.
    #[serde(default)]
    pub tls_client_key: Option<SecretRef>,
}

/// One peer access point.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSettings {
    pub party_id: String,
    pub endpoint: String,
    pub certificate: PathBuf,
}

/// Reception awareness on the sending side: attempts with exponential backoff; every
/// attempt sends the same bytes (same MessageId, same signed digests).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySettings {
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    #[serde(default = "default_initial_ms")]
    pub initial_ms: u64,
    #[serde(default = "default_max_ms")]
    pub max_ms: u64,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            attempts: default_attempts(),
            initial_ms: default_initial_ms(),
            max_ms: default_max_ms(),
        }
    }
}

fn yes() -> bool {
    true
}
fn default_party_type() -> String {
    "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots".to_owned()
}
fn default_timeout_ms() -> u64 {
    30_000
}
fn default_attempts() -> u32 {
    5
}
fn default_initial_ms() -> u64 {
    1_000
}
fn default_max_ms() -> u64 {
    60_000
}

impl As4Settings {
    /// Paths relative to the configuration file's folder.
    pub fn relative_to(mut self, base: &Path) -> Self {
        self.private_key = self.private_key.relative_to(base);
        self.certificate = base.join(&self.certificate);
        self.trust_store = base.join(&self.trust_store);
        self.tls_roots = self.tls_roots.map(|p| base.join(p));
        for crl in &mut self.trust_crls {
            *crl = base.join(&*crl);
        }
        self.tls_client_certificate = self.tls_client_certificate.map(|p| base.join(p));
        self.tls_client_key = self.tls_client_key.map(|k| k.relative_to(base));
        for p in &mut self.peers {
            p.certificate = base.join(&p.certificate);
        }
        self
    }
}

/// Why the PMode cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PModeError {
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("private_key: {0}")]
    Secret(String),
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("peer {0}: the endpoint must be an http(s) URL")]
    Endpoint(String),
    #[error("tls_client_certificate and tls_client_key go together: {0} is missing")]
    ClientIdentity(&'static str),
}

/// A peer, ready to use.
#[derive(Debug, Clone)]
pub struct Peer {
    pub party_id: String,
    pub endpoint: String,
    pub certificate: Certificate,
}

/// The loaded PMode: keys read, certificates parsed.
#[derive(Debug)]
pub struct PMode {
    pub party_id: String,
    pub party_type: String,
    pub credentials: Credentials,
    pub trust: TrustStore,
    pub encrypt: bool,
    pub compress: bool,
    pub peers: Vec<Peer>,
    pub retry: RetrySettings,
    pub timeout_ms: u64,
    pub tls_roots: Option<Vec<u8>>,
    /// The TLS client certificate chain and key, PEM (for `reqwest::Identity`).
    pub tls_identity: Option<crate::secret::Secret>,
}

fn read(path: &Path) -> Result<Vec<u8>, PModeError> {
    std::fs::read(path).map_err(|e| PModeError::File {
        path: path.to_path_buf(),
        reason: e.kind().to_string(),
    })
}

impl PMode {
    pub fn load(s: &As4Settings) -> Result<PMode, PModeError> {
        let key = s
            .private_key
            .resolve()
            .map_err(|e| PModeError::Secret(e.to_string()))?;
        let credentials = Credentials::from_pem(key.expose().as_bytes(), &read(&s.certificate)?)?;
        let mut crls = Vec::new();
        for path in &s.trust_crls {
            crls.extend(
                crate::tls::read_crls(path).map_err(|reason| PModeError::File {
                    path: path.clone(),
                    reason,
                })?,
            );
        }
        let trust = TrustStore::from_pem(&read(&s.trust_store)?)?.with_crls(crls)?;
        let tls_identity = match (&s.tls_client_certificate, &s.tls_client_key) {
            (None, None) => None,
            (Some(_), None) => return Err(PModeError::ClientIdentity("tls_client_key")),
            (None, Some(_)) => return Err(PModeError::ClientIdentity("tls_client_certificate")),
            (Some(cert), Some(key)) => {
                let key = key
                    .resolve()
                    .map_err(|e| PModeError::Secret(e.to_string()))?;
                let cert = String::from_utf8(read(cert)?).map_err(|_| PModeError::File {
                    path: cert.clone(),
                    reason: "not a PEM text".into(),
                })?;
                Some(crate::secret::Secret::new(format!(
                    "{}\n{cert}",
                    key.expose()
                )))
            }
        };
        let mut peers = Vec::new();
        for p in &s.peers {
            if !(p.endpoint.starts_with("https://") || p.endpoint.starts_with("http://")) {
                return Err(PModeError::Endpoint(p.party_id.clone()));
            }
            peers.push(Peer {
                party_id: p.party_id.clone(),
                endpoint: p.endpoint.clone(),
                certificate: Certificate::from_pem(&read(&p.certificate)?)?,
            });
        }
        Ok(PMode {
            party_id: s.party_id.clone(),
            party_type: s.party_type.clone(),
            credentials,
            trust,
            encrypt: s.encrypt,
            compress: s.compress,
            peers,
            retry: s.retry,
            timeout_ms: s.timeout_ms,
            tls_roots: s.tls_roots.as_deref().map(read).transpose()?,
            tls_identity,
        })
    }

    /// The peer with this PartyId.
    pub fn peer(&self, party_id: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.party_id == party_id)
    }

    /// The peers' certificates (for key references by subject key identifier).
    pub fn peer_certificates(&self) -> Vec<Certificate> {
        self.peers.iter().map(|p| p.certificate.clone()).collect()
    }
}
