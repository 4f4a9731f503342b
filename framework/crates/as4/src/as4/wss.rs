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

use aws_lc_rs::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey};
use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use roxmltree::{Document, Node};
use subtle::ConstantTimeEq;

use super::c14n;
use super::keys::{self, Certificate, Credentials, TrustStore};
use crate::xml;

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

/// A sealed message: the envelope and the MIME parts to send.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The SOAP envelope with its security header.
    pub envelope: Vec<u8>,
    /// The attachments, encrypted if asked.
    pub parts: Vec<Attachment>,
    /// The references signed, for the receipt check.
    pub references: Vec<SignedReference>,
}

/// What to seal: the header block (written by `messaging`, given the attributes it must
/// carry: `wsu:Id` and `S12:mustUnderstand`), the attachments, our credentials and, to
/// encrypt, the recipient's certificate.
pub struct Seal<'a> {
    /// Our key and certificate, to sign.
    pub credentials: &'a Credentials,
    /// The recipient's certificate, to encrypt for; `None` sends in clear.
    pub encrypt_for: Option<&'a Certificate>,
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest(&SHA256, bytes).as_ref().to_vec()
}

/// The part's bytes as the Attachment-Content-Signature-Transform digests them, by the
/// rule WSS4J (Domibus) follows: XML types (`text/xml`, `application/xml`, `*/*+xml`)
/// as the exclusive C14N of the document, other `text/*` types with their line ends
/// made CRLF, everything else raw. A compressed part is `application/gzip`: raw.
fn attachment_digest_input(content_type: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_xml = essence == "text/xml"
        || essence == "application/xml"
        || essence
            .split_once('/')
            .is_some_and(|(_, sub)| sub.ends_with("+xml"));
    if is_xml {
        let text = std::str::from_utf8(bytes).map_err(|_| "XML part is not UTF-8".to_owned())?;
        let doc = xml::parse(text, usize::MAX).map_err(|e| format!("XML part: {e}"))?;
        return canonical_document(&doc);
    }
    if essence.starts_with("text/") {
        return Ok(crlf(bytes));
    }
    Ok(bytes.to_vec())
}

/// Exclusive C14N of a whole document (without comments): the processing instructions
/// around the root element are kept, each on its own line, as C14N 1.0 section 2.1 says
/// and WSS4J does (it canonicalises the part as a document, not its root element).
fn canonical_document(doc: &Document<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut after_root = false;
    for node in doc.root().children() {
        if node.is_element() {
            out.extend(c14n::canonicalize(node, &[]).map_err(|e| e.to_string())?);
            after_root = true;
        } else if let Some(pi) = node.pi() {
            if after_root {
                out.push(b'\n');
            }
            out.extend_from_slice(b"<?");
            out.extend_from_slice(pi.target.as_bytes());
            if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                out.push(b' ');
                out.extend_from_slice(value.as_bytes());
            }
            out.extend_from_slice(b"?>");
            if !after_root {
                out.push(b'\n');
            }
        }
    }
    Ok(out)
}

/// Every line end (CR, LF or CRLF) as CRLF: WSS4J's `CRLFOutputStream`, through which
/// it digests `text/*` parts (a CR writes CRLF; an LF right after a CR writes nothing,
/// another LF writes CRLF).
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut after_cr = false;
    for &b in bytes {
        match b {
            b'\r' => out.extend_from_slice(b"\r\n"),
            b'\n' if after_cr => {}
            b'\n' => out.extend_from_slice(b"\r\n"),
            other => out.push(other),
        }
        after_cr = b == b'\r';
    }
    out
}

/// The envelope around a security header and a `Messaging` block.
fn envelope(security: &str, messaging: &str, body_id: &str) -> String {
    format!(
        "<S12:Envelope xmlns:S12=\"{SOAP12_NS}\" xmlns:wsu=\"{WSU_NS}\"><S12:Header><wsse:Security xmlns:wsse=\"{WSSE_NS}\" S12:mustUnderstand=\"true\">{security}</wsse:Security>{messaging}</S12:Header><S12:Body wsu:Id=\"{body_id}\"></S12:Body></S12:Envelope>"
    )
}

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

fn reference_xml(uri: &str, transform: &str, digest: &[u8]) -> String {
    format!(
        "<ds:Reference URI=\"{}\"><ds:Transforms><ds:Transform Algorithm=\"{transform}\"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256_URI}\"></ds:DigestMethod><ds:DigestValue>{}</ds:DigestValue></ds:Reference>",
        xml::escape_attr(uri),
        B64.encode(digest)
    )
}

fn bst(id: &str, cert: &Certificate) -> String {
    format!(
        "<wsse:BinarySecurityToken EncodingType=\"{BASE64_BINARY}\" ValueType=\"{X509V3}\" wsu:Id=\"{id}\">{}</wsse:BinarySecurityToken>",
        B64.encode(cert.der())
    )
}

/// Signs (and, with a recipient, encrypts) a message. `messaging` writes the
/// `eb:Messaging` element with the attributes it is given.
pub fn seal(
    with: &Seal<'_>,
    messaging: impl FnOnce(&str) -> String,
    attachments: Vec<Attachment>,
) -> Result<Sealed, WssError> {
    let messaging_id = new_id("_messaging");
    let body_id = new_id("_body");
    let messaging = messaging(&format!(
        "wsu:Id=\"{messaging_id}\" S12:mustUnderstand=\"true\""
    ));

    // The digests of Messaging and Body do not depend on the security header.
    let draft = envelope("", &messaging, &body_id);
    let doc = xml::parse(&draft, MAX_ENVELOPE_BYTES)
        .map_err(|e| WssError::Sealing(format!("the header does not parse: {e}")))?;
    let mut references = Vec::new();
    for id in [&messaging_id, &body_id] {
        let [node] = find_by_id(&doc, id)[..] else {
            return Err(WssError::Sealing(format!("no element with id {id}")));
        };
        let canonical =
            c14n::canonicalize(node, &[]).map_err(|e| WssError::Sealing(e.to_string()))?;
        let d = sha256(&canonical);
        let uri = format!("#{id}");
        references.push(SignedReference {
            xml: reference_xml(&uri, EXC_C14N, &d),
            uri,
            digest: d,
        });
    }
    for a in &attachments {
        let input =
            attachment_digest_input(&a.content_type, &a.bytes).map_err(WssError::Sealing)?;
        let d = sha256(&input);
        let uri = format!("cid:{}", a.content_id);
        references.push(SignedReference {
            xml: reference_xml(&uri, SWA_CONTENT_SIGNATURE, &d),
            uri,
            digest: d,
        });
    }

    let mut security = String::new();
    let mut parts = attachments;
    if let Some(recipient) = with.encrypt_for.filter(|_| !parts.is_empty()) {
        let recipient_bst = new_id("X509");
        security.push_str(&bst(&recipient_bst, recipient));
        let (encrypted, ek) = encrypt(&recipient_bst, recipient, &mut parts)?;
        security.push_str(&ek);
        security.push_str(&encrypted);
    }
    let signer_bst = new_id("X509");
    security.push_str(&bst(&signer_bst, with.credentials.certificate()));
    let signed_info = format!(
        "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm=\"{RSA_SHA256}\"></ds:SignatureMethod>{}</ds:SignedInfo>",
        references
            .iter()
            .map(|r| r.xml.as_str())
            .collect::<String>()
    );
    const PLACEHOLDER: &str = "@@SIGNATURE-VALUE@@";
    security.push_str(&format!(
        "<ds:Signature xmlns:ds=\"{DS_NS}\" Id=\"{}\">{signed_info}<ds:SignatureValue>{PLACEHOLDER}</ds:SignatureValue><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI=\"#{signer_bst}\" ValueType=\"{X509V3}\"></wsse:Reference></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>",
        new_id("SIG")
    ));
    let full = envelope(&security, &messaging, &body_id);
    let doc = xml::parse(&full, MAX_ENVELOPE_BYTES)
        .map_err(|e| WssError::Sealing(format!("the envelope does not parse: {e}")))?;
    let info = doc
        .descendants()
        .find(|n| xml::is(*n, DS_NS, "SignedInfo"))
        .ok_or_else(|| WssError::Sealing("no SignedInfo".into()))?;
    let canonical = c14n::canonicalize(info, &[]).map_err(|e| WssError::Sealing(e.to_string()))?;
    let rng = SystemRandom::new();
    let key = with.credentials.signing_key();
    let mut signature = vec![0u8; key.public_modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &rng, &canonical, &mut signature)
        .map_err(|_| WssError::Sealing("RSA signing failed".into()))?;
    // The namespace-complete form of each reference, for receipts.
    for r in &mut references {
        r.xml = r.xml.replacen(
            "<ds:Reference ",
            &format!("<ds:Reference xmlns:ds=\"{DS_NS}\" "),
            1,
        );
    }
    Ok(Sealed {
        envelope: full
            .replacen(PLACEHOLDER, &B64.encode(&signature), 1)
            .into_bytes(),
        parts,
        references,
    })
}

/// Encrypts every part in place for `recipient`; returns the `EncryptedData` elements and
/// the `EncryptedKey`.
fn encrypt(
    recipient_bst: &str,
    recipient: &Certificate,
    parts: &mut [Attachment],
) -> Result<(String, String), WssError> {
    let rng = SystemRandom::new();
    let mut key = [0u8; 16];
    rng.fill(&mut key)
        .map_err(|_| WssError::Sealing("no randomness".into()))?;
    let aead = LessSafeKey::new(
        UnboundKey::new(&AES_128_GCM, &key).map_err(|_| WssError::Sealing("AES key".into()))?,
    );
    let ek_id = new_id("EK");
    let mut data = String::new();
    let mut refs = String::new();
    for p in parts.iter_mut() {
        let ed_id = new_id("ED");
        let mut iv = [0u8; 12];
        rng.fill(&mut iv)
            .map_err(|_| WssError::Sealing("no randomness".into()))?;
        let mut sealed = p.bytes.clone();
        aead.seal_in_place_append_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut sealed)
            .map_err(|_| WssError::Sealing("AES-GCM failed".into()))?;
        let mut wire = iv.to_vec();
        wire.extend_from_slice(&sealed);
        data.push_str(&format!(
            "<xenc:EncryptedData xmlns:xenc=\"{XENC_NS}\" Id=\"{ed_id}\" Type=\"{SWA_CONTENT_ONLY}\" MimeType=\"{}\"><xenc:EncryptionMethod Algorithm=\"{AES128_GCM}\"></xenc:EncryptionMethod><ds:KeyInfo xmlns:ds=\"{DS_NS}\"><wsse:SecurityTokenReference xmlns:wsse11=\"{WSSE11_NS}\" wsse11:TokenType=\"{ENCRYPTED_KEY_TOKEN}\"><wsse:Reference URI=\"#{ek_id}\"></wsse:Reference></wsse:SecurityTokenReference></ds:KeyInfo><xenc:CipherData><xenc:CipherReference URI=\"cid:{}\"><xenc:Transforms><ds:Transform xmlns:ds=\"{DS_NS}\" Algorithm=\"{SWA_CIPHERTEXT}\"></ds:Transform></xenc:Transforms></xenc:CipherReference></xenc:CipherData></xenc:EncryptedData>",
            xml::escape_attr(&p.content_type),
            xml::escape_attr(&p.content_id),
        ));
        refs.push_str(&format!(
            "<xenc:DataReference URI=\"#{ed_id}\"></xenc:DataReference>"
        ));
        p.bytes = wire;
        p.content_type = "application/octet-stream".into();
    }
    let public = PublicEncryptingKey::from_der(recipient.spki())
        .map_err(|_| WssError::Sealing("the recipient's key is not RSA".into()))?;
    let oaep = OaepPublicEncryptingKey::new(public)
        .map_err(|_| WssError::Sealing("the recipient's key is not usable".into()))?;
    let mut wrapped = vec![0u8; oaep.ciphertext_size()];
    let wrapped = oaep
        .encrypt(&OAEP_SHA256_MGF1SHA256, &key, &mut wrapped, None)
        .map_err(|_| WssError::Sealing("RSA-OAEP failed".into()))?;
    let ek = format!(
        "<xenc:EncryptedKey xmlns:xenc=\"{XENC_NS}\" Id=\"{ek_id}\"><xenc:EncryptionMethod Algorithm=\"{RSA_OAEP_11}\"><ds:DigestMethod xmlns:ds=\"{DS_NS}\" Algorithm=\"{SHA256_URI}\"></ds:DigestMethod><xenc11:MGF xmlns:xenc11=\"{XENC11_NS}\" Algorithm=\"{MGF1_SHA256}\"></xenc11:MGF></xenc:EncryptionMethod><ds:KeyInfo xmlns:ds=\"{DS_NS}\"><wsse:SecurityTokenReference><wsse:Reference URI=\"#{recipient_bst}\" ValueType=\"{X509V3}\"></wsse:Reference></wsse:SecurityTokenReference></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData><xenc:ReferenceList>{refs}</xenc:ReferenceList></xenc:EncryptedKey>",
        B64.encode(wrapped)
    );
    Ok((data, ek))
}

/// What the receiver requires (the PMode's security section).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Refuse an unsigned message.
    pub require_signature: bool,
    /// Refuse a message whose attachments are not encrypted.
    pub require_encryption: bool,
}

/// An opened message: the decrypted parts, the signer and what the signature covered.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The attachments, decrypted.
    pub parts: Vec<Attachment>,
    /// The certificate that signed, if signed.
    pub signer: Option<Certificate>,
    /// The references the signature covers.
    pub references: Vec<SignedReference>,
    /// The `eb:Messaging` element the signature references, exactly as its digest was
    /// computed (exclusive C14N, namespace-complete). The header is read from this and
    /// nothing else, so what is processed is what was signed (no signature wrapping).
    pub messaging: String,
}

fn b64(text: &str) -> Result<Vec<u8>, ()> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    B64.decode(compact).map_err(|_| ())
}

fn node_text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| xml::is(*c, ns, local))
}

/// Verifies and decrypts a received message. `known` are the peers' certificates (for
/// signatures that reference their key by issuer-serial or subject key identifier).
pub fn open(
    soap: &str,
    parts: Vec<Attachment>,
    credentials: &Credentials,
    trust: &TrustStore,
    known: &[Certificate],
    policy: Policy,
    now: u64,
) -> Result<Opened, WssError> {
    let doc =
        xml::parse(soap, MAX_ENVELOPE_BYTES).map_err(|e| WssError::InvalidHeader(e.to_string()))?;
    let envelope = doc.root_element();
    if !xml::is(envelope, SOAP12_NS, "Envelope") {
        return Err(WssError::InvalidHeader("not a SOAP 1.2 envelope".into()));
    }
    let blocks = header_blocks(&doc)?;
    let (body, messaging, security) = (blocks.body, blocks.messaging, blocks.security);
    let mut parts = parts;

    // Decrypt first: the signature covers the plaintext.
    let encrypted_key = security.and_then(|s| child(s, XENC_NS, "EncryptedKey"));
    match encrypted_key {
        Some(ek) => decrypt(security, ek, credentials, &mut parts)?,
        None if policy.require_encryption && !parts.is_empty() => {
            return Err(WssError::PolicyNoncompliance(
                "the parts must be encrypted".into(),
            ));
        }
        None => {}
    }

    let signature = security.and_then(|s| child(s, DS_NS, "Signature"));
    let Some(signature) = signature else {
        if policy.require_signature {
            return Err(WssError::PolicyNoncompliance(
                "the message must be signed".into(),
            ));
        }
        let canonical = c14n::canonicalize(messaging, &[])
            .map_err(|e| WssError::InvalidHeader(e.to_string()))?;
        return Ok(Opened {
            parts,
            signer: None,
            references: Vec::new(),
            messaging: String::from_utf8(canonical)
                .map_err(|_| WssError::InvalidHeader("eb:Messaging is not UTF-8".into()))?,
        });
    };
    if security
        .map(|s| {
            s.children()
                .filter(|c| xml::is(*c, DS_NS, "Signature"))
                .count()
        })
        .unwrap_or(0)
        > 1
    {
        return Err(WssError::PolicyNoncompliance(
            "more than one ds:Signature in wsse:Security".into(),
        ));
    }
    let info = child(signature, DS_NS, "SignedInfo")
        .ok_or_else(|| WssError::InvalidHeader("no ds:SignedInfo".into()))?;
    let c14n_node = child(info, DS_NS, "CanonicalizationMethod");
    if method(info, "CanonicalizationMethod") != Some(EXC_C14N) {
        return Err(WssError::PolicyNoncompliance(
            "SignedInfo must be canonicalised with exclusive C14N".into(),
        ));
    }
    if method(info, "SignatureMethod") != Some(RSA_SHA256) {
        return Err(WssError::PolicyNoncompliance(
            "the signature method must be RSA-SHA256".into(),
        ));
    }
    let mut references = Vec::new();
    // Each same-document reference's element, resolved once, with its digested bytes.
    let mut targets = Vec::new();
    for r in info.children().filter(|c| xml::is(*c, DS_NS, "Reference")) {
        let (reference, target) = check_reference(&doc, r, &parts)?;
        references.push(reference);
        targets.extend(target);
    }
    // The signature must cover the one eb:Messaging, the Body and every part (no
    // wrapping, no unsigned attachment); the header is then read from exactly the bytes
    // whose digest was checked.
    let signed = |node: Node<'_, '_>| {
        targets
            .iter()
            .find(|(id, _)| *id == node.id())
            .map(|(_, bytes)| bytes)
    };
    let (Some(signed_messaging), Some(_)) = (signed(messaging), signed(body)) else {
        return Err(WssError::FailedAuthentication(
            "the signature does not cover eb:Messaging and the SOAP Body".into(),
        ));
    };
    let signed_messaging = String::from_utf8(signed_messaging.clone())
        .map_err(|_| WssError::InvalidHeader("eb:Messaging is not UTF-8".into()))?;
    for p in &parts {
        if !references
            .iter()
            .any(|r| r.uri.eq_ignore_ascii_case(&format!("cid:{}", p.content_id)))
        {
            return Err(WssError::FailedAuthentication(format!(
                "part {} is not signed",
                p.content_id
            )));
        }
    }
    let signer = signer_certificate(&doc, signature, known)?;
    trust
        .check(&signer, &[], now)
        .map_err(|e| WssError::FailedAuthentication(e.to_string()))?;
    let prefixes = inclusive_prefixes(c14n_node);
    let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let canonical = c14n::canonicalize(info, &prefixes)
        .map_err(|e| WssError::FailedAuthentication(e.to_string()))?;
    let value = child(signature, DS_NS, "SignatureValue")
        .map(node_text)
        .ok_or_else(|| WssError::InvalidHeader("no ds:SignatureValue".into()))?;
    let value =
        b64(&value).map_err(|_| WssError::InvalidHeader("SignatureValue is not base64".into()))?;
    keys::verify_rsa_sha256(&signer, &canonical, &value).map_err(|_| {
        WssError::FailedAuthentication("the signature value does not verify".into())
    })?;
    Ok(Opened {
        parts,
        signer: Some(signer),
        references,
        messaging: signed_messaging,
    })
}

/// The parts of an envelope a receiver processes.
struct Blocks<'a, 'i> {
    body: Node<'a, 'i>,
    messaging: Node<'a, 'i>,
    security: Option<Node<'a, 'i>>,
}

/// Whether a SOAP 1.2 header block says the receiver must process it.
fn must_understand(node: Node<'_, '_>) -> bool {
    matches!(
        node.attribute((SOAP12_NS, "mustUnderstand")).map(str::trim),
        Some("true" | "1")
    )
}

/// The envelope's structure, checked before anything is decrypted or verified: a Header
/// then a Body; in the Header at most one `wsse:Security` and exactly one `eb:Messaging`,
/// which is the only ebMS element anywhere in the envelope (a second copy, in a header,
/// in `wsse:Security` or in the Body, is how a signature is wrapped); no other header
/// block the sender marks `mustUnderstand` (we would ignore what it says).
fn header_blocks<'a, 'i>(doc: &'a Document<'i>) -> Result<Blocks<'a, 'i>, WssError> {
    let ebms_ns = super::super::ebms::EBMS_NS;
    let envelope = doc.root_element();
    let elements: Vec<Node<'_, '_>> = envelope.children().filter(|c| c.is_element()).collect();
    let [header, body] = elements[..] else {
        return Err(WssError::InvalidHeader(
            "the envelope must hold a SOAP Header and a Body, nothing else".into(),
        ));
    };
    if !xml::is(header, SOAP12_NS, "Header") || !xml::is(body, SOAP12_NS, "Body") {
        return Err(WssError::InvalidHeader(
            "the envelope must hold a SOAP Header and a Body, in this order".into(),
        ));
    }
    let messagings: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| xml::is(*n, ebms_ns, "Messaging"))
        .collect();
    let messaging = match messagings[..] {
        [] => return Err(WssError::InvalidHeader("no eb:Messaging header".into())),
        [one] => one,
        _ => {
            return Err(WssError::FailedAuthentication(
                "more than one eb:Messaging in the envelope".into(),
            ));
        }
    };
    if messaging.parent() != Some(header) {
        return Err(WssError::FailedAuthentication(
            "eb:Messaging is not a block of the SOAP header".into(),
        ));
    }
    if let Some(stray) = doc.descendants().find(|n| {
        n.is_element()
            && n.tag_name().namespace() == Some(ebms_ns)
            && !n.ancestors().any(|a| a == messaging)
    }) {
        return Err(WssError::FailedAuthentication(format!(
            "eb:{} outside the eb:Messaging header",
            stray.tag_name().name()
        )));
    }
    let mut security = None;
    for block in header.children().filter(|c| c.is_element()) {
        if xml::is(block, WSSE_NS, "Security") {
            if security.replace(block).is_some() {
                return Err(WssError::PolicyNoncompliance(
                    "more than one wsse:Security header".into(),
                ));
            }
        } else if block != messaging && must_understand(block) {
            return Err(WssError::PolicyNoncompliance(format!(
                "header block {{{}}}{} must be understood and is not processed here",
                block.tag_name().namespace().unwrap_or(""),
                block.tag_name().name()
            )));
        }
    }
    Ok(Blocks {
        body,
        messaging,
        security,
    })
}

/// The `Algorithm` of `node`'s `ds:{local}` child.
fn method<'a>(node: Node<'a, '_>, local: &str) -> Option<&'a str> {
    child(node, DS_NS, local).and_then(|m| m.attribute("Algorithm"))
}

fn inclusive_prefixes(transform: Option<Node<'_, '_>>) -> Vec<String> {
    transform
        .and_then(|t| {
            t.children()
                .find(|c| xml::is(*c, EC_NS, "InclusiveNamespaces"))
        })
        .and_then(|n| n.attribute("PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Recomputes one reference's digest; the reference as signed if it matches.
/// The element a same-document reference resolved to, and the bytes digested.
type Target = (roxmltree::NodeId, Vec<u8>);

/// A same-document reference also gives its [`Target`].
fn check_reference(
    doc: &Document<'_>,
    reference: Node<'_, '_>,
    parts: &[Attachment],
) -> Result<(SignedReference, Option<Target>), WssError> {
    let uri = reference.attribute("URI").unwrap_or("");
    let digest_method =
        child(reference, DS_NS, "DigestMethod").and_then(|m| m.attribute("Algorithm"));
    if digest_method != Some(SHA256_URI) {
        return Err(WssError::PolicyNoncompliance(format!(
            "reference {uri}: the digest must be SHA-256"
        )));
    }
    let transforms: Vec<Node<'_, '_>> = child(reference, DS_NS, "Transforms")
        .map(|t| {
            t.children()
                .filter(|c| xml::is(*c, DS_NS, "Transform"))
                .collect()
        })
        .unwrap_or_default();
    let expected = child(reference, DS_NS, "DigestValue")
        .map(node_text)
        .and_then(|t| b64(&t).ok())
        .ok_or_else(|| WssError::InvalidHeader(format!("reference {uri}: no DigestValue")))?;
    let mut resolved = None;
    let input = if let Some(id) = uri.strip_prefix('#') {
        let [target] = find_by_id(doc, id)[..] else {
            return Err(WssError::FailedAuthentication(format!(
                "reference {uri}: no single element with this id"
            )));
        };
        let mut prefixes = Vec::new();
        for t in &transforms {
            if t.attribute("Algorithm") != Some(EXC_C14N) {
                return Err(WssError::PolicyNoncompliance(format!(
                    "reference {uri}: only exclusive C14N may transform it"
                )));
            }
            prefixes = inclusive_prefixes(Some(*t));
        }
        let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        let canonical = c14n::canonicalize(target, &prefixes)
            .map_err(|e| WssError::FailedAuthentication(format!("reference {uri}: {e}")))?;
        resolved = Some(target.id());
        canonical
    } else if let Some(cid) = uri.strip_prefix("cid:") {
        if transforms.len() != 1
            || transforms[0].attribute("Algorithm") != Some(SWA_CONTENT_SIGNATURE)
        {
            return Err(WssError::PolicyNoncompliance(format!(
                "reference {uri}: attachments are signed with the Attachment-Content-Signature-Transform"
            )));
        }
        let part = parts
            .iter()
            .find(|p| p.content_id.eq_ignore_ascii_case(cid))
            .ok_or_else(|| {
                WssError::FailedAuthentication(format!("reference {uri}: no such part"))
            })?;
        attachment_digest_input(&part.content_type, &part.bytes)
            .map_err(|e| WssError::FailedAuthentication(format!("reference {uri}: {e}")))?
    } else {
        return Err(WssError::PolicyNoncompliance(format!(
            "reference `{uri}` is neither a same-document nor an attachment reference"
        )));
    };
    let actual = sha256(&input);
    if !bool::from(actual.as_slice().ct_eq(expected.as_slice())) {
        return Err(WssError::FailedAuthentication(format!(
            "reference {uri}: digest mismatch"
        )));
    }
    // Canonical, so the copy declares the namespaces it uses (the sender's `ds` prefix is
    // bound on an ancestor) and a receipt can carry it as it is.
    let xml = c14n::canonicalize(reference, &[])
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let target = resolved.map(|id| (id, input));
    Ok((
        SignedReference {
            uri: uri.to_owned(),
            digest: actual,
            xml,
        },
        target,
    ))
}

/// The signer's certificate, from the signature's `SecurityTokenReference`: a
/// BinarySecurityToken in the message, or a known certificate by subject key identifier
/// or issuer and serial.
fn signer_certificate(
    doc: &Document<'_>,
    signature: Node<'_, '_>,
    known: &[Certificate],
) -> Result<Certificate, WssError> {
    let str_node = child(signature, DS_NS, "KeyInfo")
        .and_then(|k| child(k, WSSE_NS, "SecurityTokenReference"))
        .ok_or_else(|| WssError::InvalidHeader("the signature names no key".into()))?;
    if let Some(r) = child(str_node, WSSE_NS, "Reference") {
        let id = r
            .attribute("URI")
            .and_then(|u| u.strip_prefix('#'))
            .ok_or_else(|| WssError::InvalidHeader("token reference without #id".into()))?;
        let [token] = find_by_id(doc, id)[..] else {
            return Err(WssError::FailedAuthentication(
                "the signing token is missing or ambiguous".into(),
            ));
        };
        if !xml::is(token, WSSE_NS, "BinarySecurityToken") {
            return Err(WssError::FailedAuthentication(
                "the signing token is not a BinarySecurityToken".into(),
            ));
        }
        let der = b64(&node_text(token))
            .map_err(|_| WssError::InvalidHeader("BinarySecurityToken is not base64".into()))?;
        return Certificate::from_der(der)
            .map_err(|e| WssError::FailedAuthentication(e.to_string()));
    }
    if let Some(k) = child(str_node, WSSE_NS, "KeyIdentifier")
        && k.attribute("ValueType") == Some(SKI_TYPE)
    {
        let ski = b64(&node_text(k))
            .map_err(|_| WssError::InvalidHeader("KeyIdentifier is not base64".into()))?;
        return known
            .iter()
            .find(|c| c.has_ski(&ski))
            .cloned()
            .ok_or_else(|| WssError::FailedAuthentication("unknown signing key".into()));
    }
    if let Some(issuer_serial) =
        child(str_node, DS_NS, "X509Data").and_then(|d| child(d, DS_NS, "X509IssuerSerial"))
    {
        let field = |local: &str| child(issuer_serial, DS_NS, local).map(node_text);
        let (Some(issuer), Some(serial)) = (field("X509IssuerName"), field("X509SerialNumber"))
        else {
            return Err(WssError::InvalidHeader(
                "X509IssuerSerial needs X509IssuerName and X509SerialNumber".into(),
            ));
        };
        return known
            .iter()
            .find(|c| c.has_issuer_serial(&issuer, &serial))
            .cloned()
            .ok_or_else(|| {
                WssError::FailedAuthentication(
                    "no known certificate has this issuer and serial".into(),
                )
            });
    }
    Err(WssError::PolicyNoncompliance(
        "unsupported key reference".into(),
    ))
}

/// Unwraps the content key with our private key and decrypts every referenced part.
fn decrypt(
    security: Option<Node<'_, '_>>,
    ek: Node<'_, '_>,
    credentials: &Credentials,
    parts: &mut [Attachment],
) -> Result<(), WssError> {
    let method = child(ek, XENC_NS, "EncryptionMethod")
        .ok_or_else(|| WssError::InvalidHeader("EncryptedKey without method".into()))?;
    let algorithm = match method.attribute("Algorithm") {
        Some(RSA_OAEP_11) => {
            let mgf = child(method, XENC11_NS, "MGF").and_then(|m| m.attribute("Algorithm"));
            let dm = child(method, DS_NS, "DigestMethod").and_then(|m| m.attribute("Algorithm"));
            if mgf != Some(MGF1_SHA256) || dm != Some(SHA256_URI) {
                return Err(WssError::PolicyNoncompliance(
                    "RSA-OAEP must use SHA-256 and MGF1-SHA256".into(),
                ));
            }
            &OAEP_SHA256_MGF1SHA256
        }
        Some(RSA_OAEP_MGF1P) => &OAEP_SHA1_MGF1SHA1,
        _ => {
            return Err(WssError::PolicyNoncompliance(
                "the key transport must be RSA-OAEP".into(),
            ));
        }
    };
    let wrapped = child(ek, XENC_NS, "CipherData")
        .and_then(|c| child(c, XENC_NS, "CipherValue"))
        .map(node_text)
        .and_then(|t| b64(&t).ok())
        .ok_or_else(|| WssError::FailedDecryption("no wrapped key".into()))?;
    let oaep = OaepPrivateDecryptingKey::new(credentials.decrypting_key().clone())
        .map_err(|_| WssError::FailedDecryption("our key cannot decrypt".into()))?;
    let mut buf = vec![0u8; oaep.min_output_size()];
    let key = oaep
        .decrypt(algorithm, &wrapped, &mut buf, None)
        .map_err(|_| WssError::FailedDecryption("the content key does not unwrap".into()))?;
    if key.len() != 16 {
        return Err(WssError::FailedDecryption(
            "the content key is not AES-128".into(),
        ));
    }
    let aead = LessSafeKey::new(
        UnboundKey::new(&AES_128_GCM, key)
            .map_err(|_| WssError::FailedDecryption("AES key".into()))?,
    );
    let data: Vec<Node<'_, '_>> = security
        .map(|s| {
            s.children()
                .filter(|c| xml::is(*c, XENC_NS, "EncryptedData"))
                .collect()
        })
        .unwrap_or_default();
    let mut done = vec![false; parts.len()];
    for ed in data {
        if child(ed, XENC_NS, "EncryptionMethod").and_then(|m| m.attribute("Algorithm"))
            != Some(AES128_GCM)
        {
            return Err(WssError::PolicyNoncompliance(
                "parts must be encrypted with AES-128-GCM".into(),
            ));
        }
        let cid = child(ed, XENC_NS, "CipherData")
            .and_then(|c| child(c, XENC_NS, "CipherReference"))
            .and_then(|r| r.attribute("URI"))
            .and_then(|u| u.strip_prefix("cid:"))
            .ok_or_else(|| {
                WssError::InvalidHeader("EncryptedData without a cid: reference".into())
            })?;
        let Some(index) = parts
            .iter()
            .position(|p| p.content_id.eq_ignore_ascii_case(cid))
        else {
            return Err(WssError::FailedDecryption(format!("no part {cid}")));
        };
        let part = &mut parts[index];
        if part.bytes.len() < 12 + 16 {
            return Err(WssError::FailedDecryption(format!(
                "part {cid} is too short"
            )));
        }
        let (iv, sealed) = part.bytes.split_at(12);
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(iv);
        let mut sealed = sealed.to_vec();
        let plain = aead
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut sealed,
            )
            .map_err(|_| WssError::FailedDecryption(format!("part {cid} does not decrypt")))?;
        part.bytes = plain.to_vec();
        if let Some(mime) = ed.attribute("MimeType") {
            part.content_type = mime.to_owned();
        }
        done[index] = true;
    }
    if done.iter().any(|d| !d) {
        return Err(WssError::PolicyNoncompliance(
            "every part must be encrypted".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::as4::keys::tests::pki;

    fn messaging(attrs: &str) -> String {
        format!(
            "<eb:Messaging xmlns:eb=\"http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/\" {attrs}><eb:UserMessage><eb:MessageInfo><eb:MessageId>m1@x</eb:MessageId></eb:MessageInfo></eb:UserMessage></eb:Messaging>"
        )
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn sealed_messages_open_and_tampering_is_refused() {
        let p = pki();
        let sender = Credentials::from_pem(p.sender.0.as_bytes(), p.sender.1.as_bytes()).unwrap();
        let receiver =
            Credentials::from_pem(p.receiver.0.as_bytes(), p.receiver.1.as_bytes()).unwrap();
        let trust = TrustStore::from_pem(p.ca_pem.as_bytes()).unwrap();
        let parts = vec![
            Attachment {
                content_id: "regrep@x".into(),
                content_type: "application/x-ebrs+xml".into(),
                bytes: b"<q:Q xmlns:q=\"urn:q\"  b='1' a='2'/>".to_vec(),
            },
            Attachment {
                content_id: "pdf@x".into(),
                content_type: "application/gzip".into(),
                bytes: vec![0x1f, 0x8b, 0, 1, 2, 3],
            },
        ];
        let policy = Policy {
            require_signature: true,
            require_encryption: true,
        };
        let sealed = seal(
            &Seal {
                credentials: &sender,
                encrypt_for: Some(receiver.certificate()),
            },
            messaging,
            parts.clone(),
        )
        .unwrap();
        assert_eq!(sealed.references.len(), 4);
        assert!(
            sealed
                .parts
                .iter()
                .all(|p| p.content_type == "application/octet-stream")
        );
        let soap = String::from_utf8(sealed.envelope.clone()).unwrap();
        let opened = open(
            &soap,
            sealed.parts.clone(),
            &receiver,
            &trust,
            &[],
            policy,
            now(),
        )
        .unwrap();
        assert_eq!(opened.parts, parts);
        assert_eq!(opened.signer.unwrap().common_name(), "AP_SENDER");
        assert_eq!(
            opened
                .references
                .iter()
                .map(|r| r.digest.clone())
                .collect::<Vec<_>>(),
            sealed
                .references
                .iter()
                .map(|r| r.digest.clone())
                .collect::<Vec<_>>()
        );

        // A changed header, a flipped ciphertext byte, an unencrypted message, a stranger.
        let tampered = soap.replacen("m1@x", "m2@x", 1);
        let e = open(
            &tampered,
            sealed.parts.clone(),
            &receiver,
            &trust,
            &[],
            policy,
            now(),
        )
        .unwrap_err();
        assert_eq!(e.ebms_code(), "EBMS:0101", "{e}");
        let mut flipped = sealed.parts.clone();
        flipped[1].bytes[20] ^= 1;
        let e = open(&soap, flipped, &receiver, &trust, &[], policy, now()).unwrap_err();
        assert_eq!(e.ebms_code(), "EBMS:0102", "{e}");
        let signed_only = seal(
            &Seal {
                credentials: &sender,
                encrypt_for: None,
            },
            messaging,
            parts.clone(),
        )
        .unwrap();
        let so = String::from_utf8(signed_only.envelope).unwrap();
        let e = open(
            &so,
            signed_only.parts.clone(),
            &receiver,
            &trust,
            &[],
            policy,
            now(),
        )
        .unwrap_err();
        assert_eq!(e.ebms_code(), "EBMS:0103", "{e}");
        let lenient = Policy {
            require_signature: true,
            require_encryption: false,
        };
        open(
            &so,
            signed_only.parts.clone(),
            &receiver,
            &trust,
            &[],
            lenient,
            now(),
        )
        .unwrap();
        // An XML part is digested canonically: re-serialising it changes nothing.
        let mut reformatted = signed_only.parts.clone();
        reformatted[0].bytes = b"<q:Q xmlns:q=\"urn:q\" a=\"2\" b=\"1\"></q:Q>".to_vec();
        open(&so, reformatted, &receiver, &trust, &[], lenient, now()).unwrap();
        let mut dropped = signed_only.parts.clone();
        dropped[1].bytes.push(0);
        assert_eq!(
            open(&so, dropped, &receiver, &trust, &[], lenient, now())
                .unwrap_err()
                .ebms_code(),
            "EBMS:0101"
        );
        // The receiver's signed receipt acknowledges exactly what was signed.
        let receipt = seal(
            &Seal {
                credentials: &receiver,
                encrypt_for: None,
            },
            |attrs| {
                super::super::signal::receipt(
                    attrs,
                    "r1@x",
                    "m1@x",
                    "2026-11-24T10:00:00Z",
                    &opened.references,
                )
            },
            Vec::new(),
        )
        .unwrap();
        let receipt = String::from_utf8(receipt.envelope).unwrap();
        let checked = open(&receipt, Vec::new(), &sender, &trust, &[], lenient, now()).unwrap();
        assert_eq!(checked.signer.unwrap().common_name(), "AP_RECEIVER");
        let doc = roxmltree::Document::parse(&receipt).unwrap();
        let messaging = doc
            .descendants()
            .find(|n| n.tag_name().name() == "Messaging")
            .unwrap();
        let signal = super::super::signal::parse(messaging).unwrap();
        assert!(super::super::signal::acknowledges(
            &signal,
            "m1@x",
            &sealed.references
        ));
        assert!(!super::super::signal::acknowledges(
            &signal,
            "m1@x",
            &signed_only.references
        ));
        let other = pki();
        let strangers = TrustStore::from_pem(other.ca_pem.as_bytes()).unwrap();
        let e = open(
            &so,
            signed_only.parts,
            &receiver,
            &strangers,
            &[],
            lenient,
            now(),
        )
        .unwrap_err();
        assert_eq!(e.ebms_code(), "EBMS:0101", "{e}");
    }

    /// WSS4J's Attachment-Content-Signature-Transform: an uncompressed `text/*` part is
    /// digested with its line ends made CRLF, a `*/*+xml` part canonicalised. The expected
    /// digests are SHA-256 of the normalised bytes, computed outside this code
    /// (`printf 'line one\r\nline two\r\nline three\r\nend' | sha256sum`, and of
    /// `<svg xmlns="http://www.w3.org/2000/svg" height="1" width="2"></svg>`).
    #[test]
    fn uncompressed_text_and_xml_parts_are_digested_as_wss4j_does() {
        let p = pki();
        let sender = Credentials::from_pem(p.sender.0.as_bytes(), p.sender.1.as_bytes()).unwrap();
        let trust = TrustStore::from_pem(p.ca_pem.as_bytes()).unwrap();
        let text = b"line one\nline two\r\nline three\rend".to_vec();
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg' height='1'  width='2'/>".to_vec();
        let parts = vec![
            Attachment {
                content_id: "text@x".into(),
                content_type: "text/plain; charset=UTF-8".into(),
                bytes: text.clone(),
            },
            Attachment {
                content_id: "csv@x".into(),
                content_type: "TEXT/CSV".into(),
                bytes: text.clone(),
            },
            Attachment {
                content_id: "svg@x".into(),
                content_type: "image/svg+xml".into(),
                bytes: svg.clone(),
            },
        ];
        let sealed = seal(
            &Seal {
                credentials: &sender,
                encrypt_for: None,
            },
            messaging,
            parts.clone(),
        )
        .unwrap();
        let hex = |r: &SignedReference| {
            r.digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let by_uri = |uri: &str| {
            sealed
                .references
                .iter()
                .find(|r| r.uri == uri)
                .map(hex)
                .unwrap()
        };
        let normalised = "690a88c9a1b43a4e3ed4cd92759399c61742288678f4941231a1e81605f110e1";
        assert_eq!(by_uri("cid:text@x"), normalised);
        assert_eq!(by_uri("cid:csv@x"), normalised);
        assert_eq!(
            by_uri("cid:svg@x"),
            "930120bb37fb77364a140abad0e5ad5bb3af29f908a355064af5bafb795eb091"
        );
        // The bytes go out as they are; the receiver normalises the same way.
        assert_eq!(sealed.parts[0].bytes, text);
        let soap = String::from_utf8(sealed.envelope.clone()).unwrap();
        let policy = Policy {
            require_signature: true,
            require_encryption: false,
        };
        open(&soap, parts.clone(), &sender, &trust, &[], policy, now()).unwrap();
        // A part whose line ends were rewritten in transit (a mail-style gateway) still
        // verifies, as under WSS4J; a changed character does not.
        let mut rewritten = parts.clone();
        rewritten[0].bytes = b"line one\r\nline two\r\nline three\r\nend".to_vec();
        open(&soap, rewritten, &sender, &trust, &[], policy, now()).unwrap();
        let mut tampered = parts;
        tampered[0].bytes = b"line one\nline two\r\nline three\rEnd".to_vec();
        let e = open(&soap, tampered, &sender, &trust, &[], policy, now()).unwrap_err();
        assert_eq!(e.ebms_code(), "EBMS:0101", "{e}");
        // WSS4J's CRLFOutputStream, byte by byte: CR CR LF is two line ends.
        assert_eq!(crlf(b"a\r\r\nb\n\nc\r"), b"a\r\n\r\nb\r\n\r\nc\r\n");
        // An XML part is canonicalised as a document: processing instructions around
        // the root stay, comments and the declaration go (as lxml's C14N of the tree).
        assert_eq!(
            attachment_digest_input(
                "text/xml",
                b"<?xml version='1.0'?>\n<?xml-stylesheet href='s.xsl'?><!-- c -->\n<r b='2'  a='1'>\n<x/></r><?tail  t ?>"
            )
            .unwrap(),
            b"<?xml-stylesheet href='s.xsl'?>\n<r a=\"1\" b=\"2\">\n<x></x></r>\n<?tail t ?>"
        );
    }
}
