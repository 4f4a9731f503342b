//! Opening a received message: decrypt, check every reference, that the signature covers
//! the whole message, the signer's trust and the signature value.

use roxmltree::Node;

use super::decrypt::decrypt;
use super::envelope::header_blocks;
use super::reference::{Target, check_reference, inclusive_prefixes, method};
use super::signer::signer_certificate;
use super::*;
use crate::as4::c14n;
use crate::as4::keys::{self, Certificate, Credentials, TrustStore};

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
    decrypt_parts(security, credentials, policy, &mut parts)?;

    let signature = security.and_then(|s| child(s, DS_NS, "Signature"));
    let Some(signature) = signature else {
        return unsigned(messaging, parts, policy);
    };
    only_one_signature(security)?;
    let info = signed_info(signature)?;
    let (references, targets) = check_references(&doc, info, &parts)?;
    let signed_messaging = covered(&targets, messaging, body)?;
    every_part_signed(&parts, &references)?;
    let signer = signer_certificate(&doc, signature, known)?;
    trust
        .check(&signer, &[], now)
        .map_err(|e| WssError::FailedAuthentication(e.to_string()))?;
    verify_signature_value(signature, info, &signer)?;
    Ok(Opened {
        parts,
        signer: Some(signer),
        references,
        messaging: signed_messaging,
    })
}

/// Decrypts the parts if the header carries an `EncryptedKey`; without one, refuses
/// clear parts when the policy requires encryption.
fn decrypt_parts(
    security: Option<Node<'_, '_>>,
    credentials: &Credentials,
    policy: Policy,
    parts: &mut [Attachment],
) -> Result<(), WssError> {
    let encrypted_key = security.and_then(|s| child(s, XENC_NS, "EncryptedKey"));
    match encrypted_key {
        Some(ek) => decrypt(security, ek, credentials, parts)?,
        None if policy.require_encryption && !parts.is_empty() => {
            return Err(WssError::PolicyNoncompliance(
                "the parts must be encrypted".into(),
            ));
        }
        None => {}
    }
    Ok(())
}

/// An unsigned message: refused if the policy requires a signature, else opened with its
/// `eb:Messaging` canonicalised as it stands.
fn unsigned(
    messaging: Node<'_, '_>,
    parts: Vec<Attachment>,
    policy: Policy,
) -> Result<Opened, WssError> {
    if policy.require_signature {
        return Err(WssError::PolicyNoncompliance(
            "the message must be signed".into(),
        ));
    }
    let canonical =
        c14n::canonicalize(messaging, &[]).map_err(|e| WssError::InvalidHeader(e.to_string()))?;
    Ok(Opened {
        parts,
        signer: None,
        references: Vec::new(),
        messaging: String::from_utf8(canonical)
            .map_err(|_| WssError::InvalidHeader("eb:Messaging is not UTF-8".into()))?,
    })
}

/// Refuses a second `ds:Signature` (which one would be checked is ambiguous).
fn only_one_signature(security: Option<Node<'_, '_>>) -> Result<(), WssError> {
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
    Ok(())
}

/// The signature's `ds:SignedInfo`, once its canonicalisation and signature methods are
/// checked against the allow-list.
fn signed_info<'a, 'i>(signature: Node<'a, 'i>) -> Result<Node<'a, 'i>, WssError> {
    let info = child(signature, DS_NS, "SignedInfo")
        .ok_or_else(|| WssError::InvalidHeader("no ds:SignedInfo".into()))?;
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
    Ok(info)
}

/// Checks every `ds:Reference` of `info`: the references as signed, and each
/// same-document reference's element, resolved once, with its digested bytes.
fn check_references(
    doc: &roxmltree::Document<'_>,
    info: Node<'_, '_>,
    parts: &[Attachment],
) -> Result<(Vec<SignedReference>, Vec<Target>), WssError> {
    let mut references = Vec::new();
    let mut targets = Vec::new();
    for r in info.children().filter(|c| xml::is(*c, DS_NS, "Reference")) {
        let (reference, target) = check_reference(doc, r, parts)?;
        references.push(reference);
        targets.extend(target);
    }
    Ok((references, targets))
}

/// The signature must cover the one eb:Messaging and the Body (no wrapping); the header
/// is then read from exactly the bytes whose digest was checked, which this returns.
fn covered(
    targets: &[Target],
    messaging: Node<'_, '_>,
    body: Node<'_, '_>,
) -> Result<String, WssError> {
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
    String::from_utf8(signed_messaging.clone())
        .map_err(|_| WssError::InvalidHeader("eb:Messaging is not UTF-8".into()))
}

/// The signature must cover every part (no unsigned attachment).
fn every_part_signed(parts: &[Attachment], references: &[SignedReference]) -> Result<(), WssError> {
    for p in parts {
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
    Ok(())
}

/// Verifies the `ds:SignatureValue` over the canonical `SignedInfo` with the signer's key.
fn verify_signature_value(
    signature: Node<'_, '_>,
    info: Node<'_, '_>,
    signer: &Certificate,
) -> Result<(), WssError> {
    let c14n_node = child(info, DS_NS, "CanonicalizationMethod");
    let prefixes = inclusive_prefixes(c14n_node);
    let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let canonical = c14n::canonicalize(info, &prefixes)
        .map_err(|e| WssError::FailedAuthentication(e.to_string()))?;
    let value = child(signature, DS_NS, "SignatureValue")
        .map(node_text)
        .ok_or_else(|| WssError::InvalidHeader("no ds:SignatureValue".into()))?;
    let value =
        b64(&value).map_err(|_| WssError::InvalidHeader("SignatureValue is not base64".into()))?;
    keys::verify_rsa_sha256(signer, &canonical, &value)
        .map_err(|_| WssError::FailedAuthentication("the signature value does not verify".into()))
}
