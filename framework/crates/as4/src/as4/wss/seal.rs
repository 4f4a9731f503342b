//! Sealing a message for sending: the signed references, the security header with its
//! `ds:Signature` and the envelope around it (encryption is in `encrypt`).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::attachment_digest::attachment_digest_input;
use super::encrypt::encrypt;
use super::*;
use crate::as4::c14n;
use crate::as4::keys::{Certificate, Credentials};

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

/// The envelope around a security header and a `Messaging` block.
fn envelope(security: &str, messaging: &str, body_id: &str) -> String {
    format!(
        "<S12:Envelope xmlns:S12=\"{SOAP12_NS}\" xmlns:wsu=\"{WSU_NS}\"><S12:Header><wsse:Security xmlns:wsse=\"{WSSE_NS}\" S12:mustUnderstand=\"true\">{security}</wsse:Security>{messaging}</S12:Header><S12:Body wsu:Id=\"{body_id}\"></S12:Body></S12:Envelope>"
    )
}

/// One `ds:Reference` element (digest SHA-256, one transform).
fn reference_xml(uri: &str, transform: &str, digest: &[u8]) -> String {
    format!(
        "<ds:Reference URI=\"{}\"><ds:Transforms><ds:Transform Algorithm=\"{transform}\"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256_URI}\"></ds:DigestMethod><ds:DigestValue>{}</ds:DigestValue></ds:Reference>",
        xml::escape_attr(uri),
        B64.encode(digest)
    )
}

/// A `wsse:BinarySecurityToken` carrying `cert`.
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
