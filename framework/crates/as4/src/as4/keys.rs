//! The keys and certificates of an AS4 party: our signing and decryption key with its
//! certificate, the peers' certificates, and the trust anchors a signer's certificate must
//! chain to. All cryptography is `aws-lc-rs` (through `rustls-webpki` for certificate
//! paths), never the `rsa` crate.

use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use rustls::pki_types::TrustAnchor;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivatePkcs8KeyDer, UnixTime,
};
use webpki::{EndEntityCert, KeyPurposeIdIter};

/// Why a key, a certificate or a trust decision failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A PEM or DER input does not hold what it should.
    #[error("{0}")]
    Unreadable(String),
    /// The certificate does not chain to a trust anchor, is expired or not yet valid, or
    /// is otherwise unacceptable.
    #[error("certificate not trusted: {0}")]
    Untrusted(String),
    /// The RSA key is shorter than 2048 bits.
    #[error("RSA keys must have at least 2048 bits")]
    WeakKey,
}

impl KeyError {
    /// The stable error code, for logs.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::Unreadable(_) => "AS4_KEY_UNREADABLE",
            KeyError::Untrusted(_) => "AS4_CERT_UNTRUSTED",
            KeyError::WeakKey => "AS4_KEY_WEAK",
        }
    }
}

/// One certificate with the facts WS-Security references it by.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    /// The issuer's distinguished name, DER.
    issuer: Vec<u8>,
    /// The serial number, big-endian magnitude.
    serial: Vec<u8>,
    /// The subject key identifier, if the certificate states one.
    ski: Option<Vec<u8>>,
    /// The SubjectPublicKeyInfo, DER (for RSA-OAEP encryption to this certificate).
    spki: Vec<u8>,
    /// The subject's common name, for logs.
    common_name: String,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("common_name", &self.common_name)
            .finish_non_exhaustive()
    }
}

impl Certificate {
    /// Parses a DER certificate and keeps what signing and encryption need of it.
    pub fn from_der(der: Vec<u8>) -> Result<Certificate, KeyError> {
        let (_, cert) = x509_parser::parse_x509_certificate(&der)
            .map_err(|e| KeyError::Unreadable(format!("not an X.509 certificate: {e}")))?;
        let ski = cert
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => {
                    Some(k.0.to_vec())
                }
                _ => None,
            });
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .unwrap_or("")
            .to_owned();
        let issuer = cert.issuer().as_raw().to_vec();
        let serial = cert.raw_serial().to_vec();
        let spki = cert.public_key().raw.to_vec();
        Ok(Certificate {
            der,
            issuer,
            serial,
            ski,
            spki,
            common_name,
        })
    }

    /// The first certificate of a PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Certificate, KeyError> {
        let der = CertificateDer::from_pem_slice(pem)
            .map_err(|e| KeyError::Unreadable(format!("no PEM certificate: {e}")))?;
        Certificate::from_der(der.as_ref().to_vec())
    }

    /// The certificate as DER, as sent in `wsse:BinarySecurityToken`.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject's common name (empty if none), for logs and messages.
    pub fn common_name(&self) -> &str {
        &self.common_name
    }

    /// The DER SubjectPublicKeyInfo: the key encryption for this certificate uses.
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// Whether an `X509IssuerSerial` reference (the issuer's RFC 4514 name and the
    /// decimal serial) names this certificate. Both must match: serials are unique only
    /// per issuer, and the trust store may hold several CAs.
    pub fn has_issuer_serial(&self, issuer: &str, serial_decimal: &str) -> bool {
        let trimmed = self
            .serial
            .iter()
            .skip_while(|b| **b == 0)
            .copied()
            .collect::<Vec<u8>>();
        decimal(&trimmed) == serial_decimal.trim() && super::dn::matches(issuer, &self.issuer)
    }

    /// Whether a `KeyIdentifier` of type `X509SubjectKeyIdentifier` names this certificate.
    pub fn has_ski(&self, ski: &[u8]) -> bool {
        self.ski.as_deref() == Some(ski)
    }

    /// The issuer DN, DER.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer
    }
}

/// A big-endian unsigned integer in decimal.
fn decimal(bytes: &[u8]) -> String {
    let mut digits = vec![0u8];
    for b in bytes {
        let mut carry = u32::from(*b);
        for d in digits.iter_mut() {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

/// Our own key pair: signs what we send, decrypts what is encrypted for us.
pub struct Credentials {
    signing: RsaKeyPair,
    decrypting: PrivateDecryptingKey,
    certificate: Certificate,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// From a PKCS#8 PEM private key (RSA, at least 2048 bits) and its PEM certificate.
    pub fn from_pem(key_pem: &[u8], cert_pem: &[u8]) -> Result<Credentials, KeyError> {
        let key = PrivatePkcs8KeyDer::from_pem_slice(key_pem)
            .map_err(|e| KeyError::Unreadable(format!("no PKCS#8 PEM private key: {e}")))?;
        let signing = RsaKeyPair::from_pkcs8(key.secret_pkcs8_der())
            .map_err(|e| KeyError::Unreadable(format!("not an RSA private key: {e}")))?;
        if signing.public_modulus_len() < 256 {
            return Err(KeyError::WeakKey);
        }
        let decrypting = PrivateDecryptingKey::from_pkcs8(key.secret_pkcs8_der())
            .map_err(|e| KeyError::Unreadable(format!("not an RSA private key: {e}")))?;
        if decrypting.key_size_bits() < KeySize::Rsa2048.len() * 8 {
            return Err(KeyError::WeakKey);
        }
        let certificate = Certificate::from_pem(cert_pem)?;
        if certificate.spki.is_empty() || !spki_matches(&certificate, &signing) {
            return Err(KeyError::Unreadable(
                "the certificate is not the private key's".into(),
            ));
        }
        Ok(Credentials {
            signing,
            decrypting,
            certificate,
        })
    }

    /// Our certificate, sent with what we sign.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    pub(crate) fn signing_key(&self) -> &RsaKeyPair {
        &self.signing
    }

    pub(crate) fn decrypting_key(&self) -> &PrivateDecryptingKey {
        &self.decrypting
    }
}

/// Whether the certificate's public key is the key pair's (its modulus appears in the
/// SubjectPublicKeyInfo: the RSA public key DER is embedded verbatim there).
fn spki_matches(cert: &Certificate, key: &RsaKeyPair) -> bool {
    let public = key.public_key().as_ref();
    cert.spki.windows(public.len()).any(|w| w == public)
}

/// The trust anchors a signer's certificate must chain to (the PMode's trust store), and
/// the revocation lists of their CAs.
#[derive(Debug, Clone)]
pub struct TrustStore {
    anchors: Vec<CertificateDer<'static>>,
    /// Once any is given, every signer's issuer needs one: an unknown revocation status
    /// is refused, like a revoked certificate.
    crls: Vec<CertificateRevocationListDer<'static>>,
}

/// AS4 signing is not TLS: a certificate's extended key usages do not restrict it here.
struct AnyUsage;

impl webpki::ExtendedKeyUsageValidator for AnyUsage {
    fn validate(&self, _: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        Ok(())
    }
}

impl TrustStore {
    /// Every certificate of a PEM text is an anchor.
    pub fn from_pem(pem: &[u8]) -> Result<TrustStore, KeyError> {
        let anchors: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|e| KeyError::Unreadable(format!("trust store: {e}")))?;
        if anchors.is_empty() {
            return Err(KeyError::Unreadable(
                "trust store holds no certificate".into(),
            ));
        }
        for a in &anchors {
            webpki::anchor_from_trusted_cert(a)
                .map_err(|e| KeyError::Unreadable(format!("trust anchor: {e}")))?;
        }
        Ok(TrustStore {
            anchors,
            crls: Vec::new(),
        })
    }

    /// Also refuses the certificates these revocation lists (DER) revoke.
    pub fn with_crls(
        mut self,
        crls: Vec<CertificateRevocationListDer<'static>>,
    ) -> Result<TrustStore, KeyError> {
        for crl in &crls {
            webpki::OwnedCertRevocationList::from_der(crl.as_ref()).map_err(|e| {
                KeyError::Unreadable(format!("not a certificate revocation list: {e:?}"))
            })?;
        }
        self.crls.extend(crls);
        Ok(self)
    }

    /// Checks that `cert` chains to an anchor (through `intermediates`) and is valid at
    /// `now` (seconds since the epoch).
    pub fn check(
        &self,
        cert: &Certificate,
        intermediates: &[Certificate],
        now: u64,
    ) -> Result<(), KeyError> {
        let anchors: Vec<TrustAnchor<'_>> = self
            .anchors
            .iter()
            .filter_map(|a| webpki::anchor_from_trusted_cert(a).ok())
            .collect();
        let der = CertificateDer::from(cert.der.as_slice());
        let ee = EndEntityCert::try_from(&der)
            .map_err(|e| KeyError::Untrusted(format!("unusable certificate: {e}")))?;
        let intermediates: Vec<CertificateDer<'_>> = intermediates
            .iter()
            .map(|c| CertificateDer::from(c.der.as_slice()))
            .collect();
        let crls: Vec<webpki::CertRevocationList<'_>> = self
            .crls
            .iter()
            .filter_map(|c| webpki::BorrowedCertRevocationList::from_der(c.as_ref()).ok())
            .map(webpki::CertRevocationList::from)
            .collect();
        let crl_refs: Vec<&webpki::CertRevocationList<'_>> = crls.iter().collect();
        let revocation = match webpki::RevocationOptionsBuilder::new(&crl_refs) {
            Ok(b) => Some(b.build()),
            // No revocation lists configured: no revocation check.
            Err(_) => None,
        };
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &anchors,
            &intermediates,
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(now)),
            AnyUsage,
            revocation,
            None,
        )
        .map(|_| ())
        .map_err(|e| KeyError::Untrusted(e.to_string()))
    }
}

/// Verifies an RSA-SHA256 (PKCS#1 v1.5) signature by `cert`'s key.
pub(crate) fn verify_rsa_sha256(
    cert: &Certificate,
    message: &[u8],
    signature: &[u8],
) -> Result<(), KeyError> {
    let der = CertificateDer::from(cert.der.as_slice());
    let ee = EndEntityCert::try_from(&der)
        .map_err(|e| KeyError::Untrusted(format!("unusable certificate: {e}")))?;
    ee.verify_signature(
        webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
        message,
        signature,
    )
    .map_err(|e| KeyError::Untrusted(format!("signature: {e}")))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A test CA and two access points (RSA-2048), made with rcgen.
    pub(crate) struct TestPki {
        pub ca_pem: String,
        pub sender: (String, String),
        pub receiver: (String, String),
    }

    pub(crate) fn pki() -> TestPki {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let ca_key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Test OOTS CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let leaf = |cn: &str| {
            let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.distinguished_name.push(rcgen::DnType::CommonName, cn);
            let cert = p.signed_by(&key, &issuer).unwrap();
            (key.serialize_pem(), cert.pem())
        };
        TestPki {
            ca_pem: ca.pem(),
            sender: leaf("AP_SENDER"),
            receiver: leaf("AP_RECEIVER"),
        }
    }

    #[test]
    fn decimal_serials() {
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[1, 0]), "256");
        assert_eq!(decimal(&[0xff, 0xff, 0xff, 0xff]), "4294967295");
    }
}
