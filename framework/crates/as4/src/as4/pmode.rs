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
//!       party_type: urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots  # default: ours
//!       endpoint: https://ap.example.fr/as4
//!       certificate: keys/ap-fr.pem       # encrypt to it; its signatures must be its
//!       retry: { attempts: 5, initial_ms: 180000, max_ms: 180000 }   # optional
//!   agreement: {}                         # optional: the OOTS profile's (see `agreement`)
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::agreement::{AgreementSettings, Mismatch, TEST_ACTION, TEST_SERVICE};
use super::keys::{Certificate, Credentials, KeyError, TrustStore};
use crate::ebms::{self, UserMessage};

/// The `SpecificationId` of OOTS 2.0, whose messages carry `ExchangeId` too.
const SPEC_V2: &str = "oots-edm:v2.0";
use oots_connector::secret::SecretRef;

/// The `gateway:` section for `type: as4`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct As4Settings {
    /// Our PartyId.
    pub party_id: String,
    /// The type of our PartyId.
    #[serde(default = "default_party_type")]
    pub party_type: String,
    /// Our signing and decryption key (PEM), a secret reference.
    pub private_key: SecretRef,
    /// Our certificate (PEM).
    pub certificate: PathBuf,
    /// The CA certificates peers' signing certificates must chain to (PEM).
    pub trust_store: PathBuf,
    /// Encrypt what we send, and refuse unencrypted messages (eDelivery: yes).
    #[serde(default = "yes")]
    pub encrypt: bool,
    /// Compress payloads we send (gzip). Received payloads are decompressed either way.
    #[serde(default = "yes")]
    pub compress: bool,
    /// The access points we exchange with.
    #[serde(default)]
    pub peers: Vec<PeerSettings>,
    /// The default retry schedule of what we send.
    #[serde(default)]
    pub retry: RetrySettings,
    /// Timeout of one HTTP send, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Extra root certificates for the peers' https endpoints (a private PKI).
    #[serde(default)]
    pub tls_roots: Option<PathBuf>,
    /// What received user messages are held to (default: the OOTS profile's).
    #[serde(default)]
    pub agreement: AgreementSettings,
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
    /// Its PartyId.
    pub party_id: String,
    /// Its PartyId's type; by default our own `party_type`.
    #[serde(default)]
    pub party_type: Option<String>,
    /// Its `/as4` endpoint URL (http or https).
    pub endpoint: String,
    /// Its certificate (PEM): what it signs with and what we encrypt for.
    pub certificate: PathBuf,
    /// This peer's own retry schedule (its PMode's reception awareness); the
    /// gateway's `retry` when absent.
    #[serde(default)]
    pub retry: Option<RetrySettings>,
}

/// Reception awareness on the sending side: `attempts` sends in all (the first and its
/// resends), the pause after the n-th failed one `initial_ms`·2ⁿ⁻¹, at most `max_ms`.
/// Every attempt sends the same bytes (same MessageId, same signed digests), kept in
/// the state store, so the schedule survives a restart and is shared by replicas. The
/// defaults are Domibus's usual `retry="12;4;CONSTANT"`: 4 resends 3 minutes apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySettings {
    /// Sends in all, the first one included.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// The pause after the first failed send, in milliseconds.
    #[serde(default = "default_initial_ms")]
    pub initial_ms: u64,
    /// The longest pause, in milliseconds.
    #[serde(default = "default_max_ms")]
    pub max_ms: u64,
}

impl RetrySettings {
    /// The pause before the next attempt once `failed` attempts failed; `None` when the
    /// schedule has run out (`EBMS:0301` MissingReceipt).
    pub fn pause_after(&self, failed: u32) -> Option<std::time::Duration> {
        if failed >= self.attempts {
            return None;
        }
        let doublings = failed.saturating_sub(1).min(32);
        let ms = self
            .initial_ms
            .saturating_mul(1u64 << doublings)
            .min(self.max_ms);
        Some(std::time::Duration::from_millis(ms))
    }

    /// Refuses a schedule that cannot work, naming the rule.
    fn check(&self, whose: &str) -> Result<(), PModeError> {
        let refuse = |rule: &str| Err(PModeError::Retry(format!("{whose}: {rule}")));
        if self.attempts == 0 {
            return refuse("attempts must be at least 1 (the first send)");
        }
        if self.initial_ms == 0 {
            return refuse("initial_ms must be at least 1");
        }
        if self.max_ms < self.initial_ms {
            return refuse("max_ms must not be below initial_ms");
        }
        Ok(())
    }
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
    180_000
}
fn default_max_ms() -> u64 {
    180_000
}

impl As4Settings {
    /// Refuses a retry schedule that cannot work (the gateway's, or a peer's own).
    pub fn check_retry(&self) -> Result<(), PModeError> {
        self.retry.check("the gateway")?;
        for p in &self.peers {
            if let Some(r) = &p.retry {
                r.check(&format!("peer {}", p.party_id))?;
            }
        }
        Ok(())
    }

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
    /// A file of the PMode cannot be read.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why it cannot be read.
        reason: String,
    },
    /// The private key's secret reference cannot be resolved.
    #[error("private_key: {0}")]
    Secret(String),
    /// A key or certificate cannot be used.
    #[error("{0}")]
    Key(#[from] KeyError),
    /// A peer's endpoint is not an http(s) URL.
    #[error("peer {0}: the endpoint must be an http(s) URL")]
    Endpoint(String),
    /// A retry schedule is not usable.
    #[error("retry of {0}")]
    Retry(String),
    /// The agreement section is not usable.
    #[error("agreement: {0}")]
    Agreement(String),
    /// Half of the TLS client identity is given.
    #[error("tls_client_certificate and tls_client_key go together: {0} is missing")]
    ClientIdentity(&'static str),
}

/// A peer, ready to use.
#[derive(Debug, Clone)]
pub struct Peer {
    /// Its PartyId.
    pub party_id: String,
    /// The type its PartyId must carry.
    pub party_type: String,
    /// Its `/as4` endpoint URL.
    pub endpoint: String,
    /// Its certificate: what it signs with and what we encrypt for.
    pub certificate: Certificate,
    /// Its retry schedule (its own, or the gateway's).
    pub retry: RetrySettings,
}

/// The loaded PMode: keys read, certificates parsed.
#[derive(Debug)]
pub struct PMode {
    /// Our PartyId.
    pub party_id: String,
    /// The type of our PartyId.
    pub party_type: String,
    /// Our key and certificate.
    pub credentials: Credentials,
    /// The CAs peers' certificates must chain to, with their revocation lists.
    pub trust: TrustStore,
    /// Encrypt what we send, and refuse unencrypted messages.
    pub encrypt: bool,
    /// Compress the payloads we send.
    pub compress: bool,
    /// The access points we exchange with.
    pub peers: Vec<Peer>,
    /// The default retry schedule of what we send.
    pub retry: RetrySettings,
    /// Timeout of one HTTP send, in milliseconds.
    pub timeout_ms: u64,
    /// Extra root certificates (PEM) for the peers' https endpoints.
    pub tls_roots: Option<Vec<u8>>,
    /// What received user messages are held to.
    pub agreement: AgreementSettings,
    /// The TLS client certificate chain and key, PEM (for `reqwest::Identity`).
    pub tls_identity: Option<oots_connector::secret::Secret>,
}

fn read(path: &Path) -> Result<Vec<u8>, PModeError> {
    std::fs::read(path).map_err(|e| PModeError::File {
        path: path.to_path_buf(),
        reason: e.kind().to_string(),
    })
}

impl PMode {
    /// Reads the keys, certificates and revocation lists `s` names and checks the peers.
    pub fn load(s: &As4Settings) -> Result<PMode, PModeError> {
        let key = s
            .private_key
            .resolve()
            .map_err(|e| PModeError::Secret(e.to_string()))?;
        let credentials = Credentials::from_pem(key.expose().as_bytes(), &read(&s.certificate)?)?;
        s.check_retry()?;
        s.agreement.validate().map_err(PModeError::Agreement)?;
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
                Some(oots_connector::secret::Secret::new(format!(
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
            let retry = p.retry.unwrap_or(s.retry);
            peers.push(Peer {
                party_id: p.party_id.clone(),
                party_type: p.party_type.clone().unwrap_or_else(|| s.party_type.clone()),
                endpoint: p.endpoint.clone(),
                certificate: Certificate::from_pem(&read(&p.certificate)?)?,
                retry,
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
            agreement: s.agreement.clone(),
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

impl PMode {
    /// Holds a received user message to this P-Mode's agreement; `signer` is the certificate
    /// whose signature was verified. Checked in the order a receiving Domibus matches a
    /// leg: parties, roles, collaboration, MPC, then the property set.
    pub fn check_agreement(
        &self,
        header: &UserMessage,
        signer: Option<&Certificate>,
    ) -> Result<(), Mismatch> {
        let pm = self;
        let agreed = &pm.agreement;
        let from = &header.from;
        let peer = pm
            .peer(&from.party_id)
            .ok_or_else(|| Mismatch::UnknownSender(from.party_id.clone()))?;
        // A trusted certificate is not enough: it must be this peer's own.
        match signer {
            None => return Err(Mismatch::Unsigned),
            Some(s) if s.der() != peer.certificate.der() => {
                return Err(Mismatch::NotTheSigner(peer.party_id.clone()));
            }
            Some(_) => {}
        }
        if from.party_id_type.as_deref() != Some(peer.party_type.as_str()) {
            return Err(Mismatch::SenderType {
                party: peer.party_id.clone(),
                expected: peer.party_type.clone(),
            });
        }
        if header.to.party_id != pm.party_id {
            return Err(Mismatch::NotUs(header.to.party_id.clone()));
        }
        if header.to.party_id_type.as_deref() != Some(pm.party_type.as_str()) {
            return Err(Mismatch::RecipientType(pm.party_type.clone()));
        }
        for (side, role) in [("From", &from.role), ("To", &header.to.role)] {
            if *role != agreed.role {
                return Err(Mismatch::Role {
                    side,
                    expected: agreed.role.clone(),
                });
            }
        }
        let test = header.service.value == TEST_SERVICE && header.action == TEST_ACTION;
        if !test {
            if header.service.value != agreed.service
                || header.service.service_type.as_deref() != Some(agreed.service_type.as_str())
            {
                return Err(Mismatch::Service {
                    expected: agreed.service.clone(),
                    expected_type: agreed.service_type.clone(),
                });
            }
            if !agreed.actions.contains(&header.action) {
                return Err(Mismatch::Action(header.action.clone()));
            }
        }
        // No `@mpc` means the default MPC (ebMS 3 §5.2.2).
        let mpc = header.mpc.as_deref().unwrap_or(ebms::DEFAULT_MPC);
        if mpc != agreed.mpc {
            return Err(Mismatch::Mpc(agreed.mpc.clone()));
        }
        if test {
            return Ok(());
        }
        // The four OOTS properties are read by name, first one wins elsewhere: never twice.
        for name in [
            ebms::PROP_ORIGINAL_SENDER,
            ebms::PROP_FINAL_RECIPIENT,
            ebms::PROP_EXCHANGE_ID,
            ebms::PROP_SPECIFICATION_ID,
        ]
        .into_iter()
        .chain(agreed.required_properties.iter().map(String::as_str))
        {
            if header.properties.iter().filter(|p| p.name == name).count() > 1 {
                return Err(Mismatch::RepeatedProperty(name.to_owned()));
            }
        }
        let v2 = header.specification_id().map(str::trim) == Some(SPEC_V2);
        let v2_required = [ebms::PROP_EXCHANGE_ID, ebms::PROP_SPECIFICATION_ID];
        let required = agreed
            .required_properties
            .iter()
            .map(String::as_str)
            .chain(v2_required.into_iter().filter(|_| v2));
        for name in required {
            if header
                .property(name)
                .is_none_or(|p| p.value.trim().is_empty())
            {
                return Err(Mismatch::MissingProperty(name.to_owned()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::as4::keys::tests::pki;
    use std::time::Duration;

    /// Settings with two peers, AP_A with its own schedule (when `a_retry`), AP_B without.
    fn load(gateway_retry: &str, a_retry: &str) -> Result<PMode, PModeError> {
        let p = pki();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("me.key"), &p.sender.0).unwrap();
        std::fs::write(dir.path().join("me.pem"), &p.sender.1).unwrap();
        std::fs::write(dir.path().join("peer.pem"), &p.receiver.1).unwrap();
        std::fs::write(dir.path().join("ca.pem"), &p.ca_pem).unwrap();
        let yaml = [
            "party_id: AP_ME\nprivate_key: file:me.key\ncertificate: me.pem\ntrust_store: ca.pem\n",
            gateway_retry,
            "peers:\n  - party_id: AP_A\n    endpoint: http://127.0.0.1:1/as4\n    certificate: peer.pem\n",
            a_retry,
            "  - party_id: AP_B\n    endpoint: http://127.0.0.1:2/as4\n    certificate: peer.pem\n",
        ]
        .concat();
        let settings: As4Settings = serde_saphyr::from_str(&yaml).unwrap();
        PMode::load(&settings.relative_to(dir.path()))
    }

    #[test]
    fn the_default_schedule_is_domibus_12_minutes_4_retries_constant() {
        let pm = load("", "").unwrap();
        let retry = pm.peer("AP_B").unwrap().retry;
        let pauses: Vec<_> = (1..=5).map(|n| retry.pause_after(n)).collect();
        let three_minutes = Some(Duration::from_secs(180));
        assert_eq!(
            pauses,
            [three_minutes; 4]
                .into_iter()
                .chain([None])
                .collect::<Vec<_>>()
        );
        let total: Duration = (1..5).filter_map(|n| retry.pause_after(n)).sum();
        assert_eq!(total, Duration::from_secs(12 * 60));
    }

    #[test]
    fn a_peer_keeps_its_own_schedule_and_bad_ones_are_refused() {
        let pm = load(
            "retry: { attempts: 2, initial_ms: 50 }\n",
            "    retry: { attempts: 4, initial_ms: 100, max_ms: 300 }\n",
        )
        .unwrap();
        let a = pm.peer("AP_A").unwrap().retry;
        let pauses: Vec<_> = (1..=4).map(|n| a.pause_after(n)).collect();
        let ms = |m| Some(Duration::from_millis(m));
        assert_eq!(pauses, [ms(100), ms(200), ms(300), None]);
        // AP_B has none of its own: the gateway's.
        let b = pm.peer("AP_B").unwrap().retry;
        assert_eq!((b.pause_after(1), b.pause_after(2)), (ms(50), None));

        let e = load("", "    retry: { attempts: 0 }\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("peer AP_A: attempts must be at least 1"),
            "{e}"
        );
        let e = load("", "    retry: { initial_ms: 0 }\n").unwrap_err();
        assert!(
            e.to_string().contains("initial_ms must be at least 1"),
            "{e}"
        );
        let e = load("retry: { initial_ms: 500, max_ms: 100 }\n", "").unwrap_err();
        assert!(
            e.to_string()
                .contains("max_ms must not be below initial_ms"),
            "{e}"
        );
        let unknown = "party_id: X\nprivate_key: file:k\ncertificate: c\ntrust_store: t\npeers:\n  - party_id: A\n    endpoint: http://x\n    certificate: c\n    retry: { tries: 3 }\n";
        assert!(serde_saphyr::from_str::<As4Settings>(unknown).is_err());
    }
}
