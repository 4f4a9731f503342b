//! WS-Security for AS4 (eDelivery AS4 1.15 §1.4.2.6): sign first, then encrypt.
//!
//! - **Signing:** RSA-SHA256 over exclusive C14N, detached references to the
//!   `eb:Messaging` block, the (empty) SOAP Body and every attachment (the SwA
//!   Attachment-Content-Signature-Transform: XML parts canonicalised, others raw), the key
//!   as a `wsse:BinarySecurityToken`.
//! - **Encryption:** every attachment with AES-128-GCM (`IV ‖ ciphertext ‖ tag`) under one
//!   key, wrapped with RSA-OAEP (MGF1-SHA256, SHA-256) for the recipient's certificate.
//! - **Opening:** decrypt, then check every digest, that the signature covers Messaging,
//!   Body and all parts (against wrapping), an algorithm allow-list, the signer's
//!   certificate path against the trust store, and the signature value.
//!
//! Failures carry the ebMS error they are reported as (`EBMS:0101` authentication,
//! `EBMS:0102` decryption, `EBMS:0103` policy).
//!
//! This module holds the vocabulary both directions share (namespaces, algorithm URIs,
//! errors, attachments, small XML helpers); sending is in `seal` and `encrypt`, receiving
//! in `open` with its steps `envelope`, `decrypt`, `reference` and `signer`, and the
//! attachment digest rule both use in `attachment_digest`.

mod attachment_digest;
mod decrypt;
mod encrypt;
mod envelope;
mod open;
mod reference;
mod seal;
mod signer;

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use roxmltree::{Document, Node};

use crate::xml;

pub use open::{Opened, Policy, open};
pub use seal::{Seal, Sealed, seal};

/// SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// WS-Security 1.0 `wsse:` namespace.
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security 1.1 `wsse11:` namespace.
pub const WSSE11_NS: &str = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
/// WS-Security utility `wsu:` namespace.
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// XML Signature `ds:` namespace.
pub const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// XML Encryption `xenc:` namespace.
pub const XENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";
/// XML Encryption 1.1 `xenc11:` namespace.
pub const XENC11_NS: &str = "http://www.w3.org/2009/xmlenc11#";
const EC_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SWA_CONTENT_SIGNATURE: &str = "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Signature-Transform";
const SWA_CIPHERTEXT: &str =
    "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Ciphertext-Transform";
const SWA_CONTENT_ONLY: &str =
    "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Only";
const AES128_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
const RSA_OAEP_11: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const MGF1_SHA256: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha256";
const X509V3: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
const SKI_TYPE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";
const BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
const ENCRYPTED_KEY_TOKEN: &str =
    "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey";

/// Largest SOAP envelope read (the payloads travel in MIME parts, not here).
const MAX_ENVELOPE_BYTES: usize = 4 * 1024 * 1024;

/// Why a message cannot be sealed or opened, with the ebMS error it is reported as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WssError {
    /// The envelope is not well-formed or lacks a required element.
    #[error("invalid header: {0}")]
    InvalidHeader(String),
    /// A digest or the signature does not verify, the signer is not trusted, or the
    /// signature does not cover the whole message.
    #[error("authentication failed: {0}")]
    FailedAuthentication(String),
    /// The encrypted key or a part cannot be decrypted.
    #[error("decryption failed: {0}")]
    FailedDecryption(String),
    /// The message does not meet the security policy (unsigned, unencrypted, an
    /// algorithm off the allow-list).
    #[error("security policy not met: {0}")]
    PolicyNoncompliance(String),
    /// Our own keys or inputs are unusable (sending side).
    #[error("cannot seal the message: {0}")]
    Sealing(String),
}

impl WssError {
    /// The stable error code, for logs.
    pub fn code(&self) -> &'static str {
        match self {
            WssError::InvalidHeader(_) => "AS4_INVALID_HEADER",
            WssError::FailedAuthentication(_) => "AS4_FAILED_AUTHENTICATION",
            WssError::FailedDecryption(_) => "AS4_FAILED_DECRYPTION",
            WssError::PolicyNoncompliance(_) => "AS4_POLICY_NONCOMPLIANCE",
            WssError::Sealing(_) => "AS4_SEALING",
        }
    }

    /// The ebMS error code a receiver answers with.
    pub fn ebms_code(&self) -> &'static str {
        match self {
            WssError::InvalidHeader(_) => "EBMS:0009",
            WssError::FailedAuthentication(_) => "EBMS:0101",
            WssError::FailedDecryption(_) => "EBMS:0102",
            WssError::PolicyNoncompliance(_) => "EBMS:0103",
            WssError::Sealing(_) => "EBMS:0004",
        }
    }
}

/// One attachment: its content id (no `cid:`), its MIME type and its bytes. On sealing,
/// the bytes as signed (compressed if the PMode compresses); after opening, decrypted.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Content id, without `cid:`.
    pub content_id: String,
    /// MIME type.
    pub content_type: String,
    /// The bytes (see above: as signed, or decrypted).
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("content_id", &self.content_id)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// One signed `ds:Reference`, kept for non-repudiation receipts: its URI, its digest and
/// the element itself (namespace-complete, ready to copy into a receipt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedReference {
    /// The reference URI (`cid:…` or `#id`).
    pub uri: String,
    /// The digest value (SHA-256).
    pub digest: Vec<u8>,
    /// The `ds:Reference` element as XML.
    pub xml: String,
}

/// A fresh `wsu:Id` / `Id` value with a readable prefix.
fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

/// SHA-256 of `bytes` (every digest here).
fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest(&SHA256, bytes).as_ref().to_vec()
}

/// Base64 that may be wrapped over lines, as senders write it.
fn b64(text: &str) -> Result<Vec<u8>, ()> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    B64.decode(compact).map_err(|_| ())
}

/// All text under `node`, concatenated.
fn node_text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

/// `node`'s first `{ns}local` child element.
fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| xml::is(*c, ns, local))
}

/// Every element whose `Id` / `wsu:Id` / `xml:id` is `id` (more than one is refused
/// by the callers: an ambiguous id is how a signature is wrapped).
fn find_by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| {
            n.is_element()
                && n.attributes().any(|a| {
                    a.value() == id
                        && (a.name() == "Id" || a.name() == "id")
                        && matches!(
                            a.namespace(),
                            None | Some(WSU_NS) | Some("http://www.w3.org/XML/1998/namespace")
                        )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests;
