//! Decrypting the received attachments: unwrapping the content key with our private key,
//! then opening every part an `xenc:EncryptedData` names.

use aws_lc_rs::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
};
use roxmltree::Node;

use super::*;
use crate::as4::keys::Credentials;

/// Unwraps the content key with our private key and decrypts every referenced part.
pub(super) fn decrypt(
    security: Option<Node<'_, '_>>,
    ek: Node<'_, '_>,
    credentials: &Credentials,
    parts: &mut [Attachment],
) -> Result<(), WssError> {
    let aead = content_key(ek, credentials)?;
    let data: Vec<Node<'_, '_>> = security
        .map(|s| {
            s.children()
                .filter(|c| xml::is(*c, XENC_NS, "EncryptedData"))
                .collect()
        })
        .unwrap_or_default();
    let mut done = vec![false; parts.len()];
    for ed in data {
        let index = decrypt_part(ed, &aead, parts)?;
        done[index] = true;
    }
    if done.iter().any(|d| !d) {
        return Err(WssError::PolicyNoncompliance(
            "every part must be encrypted".into(),
        ));
    }
    Ok(())
}

/// The key transport of the `EncryptedKey`, from the allow-list: RSA-OAEP 1.1 with
/// SHA-256 and MGF1-SHA256, or RSA-OAEP-MGF1P.
fn key_transport(method: Node<'_, '_>) -> Result<&'static OaepAlgorithm, WssError> {
    match method.attribute("Algorithm") {
        Some(RSA_OAEP_11) => {
            let mgf = child(method, XENC11_NS, "MGF").and_then(|m| m.attribute("Algorithm"));
            let dm = child(method, DS_NS, "DigestMethod").and_then(|m| m.attribute("Algorithm"));
            if mgf != Some(MGF1_SHA256) || dm != Some(SHA256_URI) {
                return Err(WssError::PolicyNoncompliance(
                    "RSA-OAEP must use SHA-256 and MGF1-SHA256".into(),
                ));
            }
            Ok(&OAEP_SHA256_MGF1SHA256)
        }
        Some(RSA_OAEP_MGF1P) => Ok(&OAEP_SHA1_MGF1SHA1),
        _ => Err(WssError::PolicyNoncompliance(
            "the key transport must be RSA-OAEP".into(),
        )),
    }
}

/// The AES-128-GCM content key, unwrapped from the `EncryptedKey` with our private key.
fn content_key(ek: Node<'_, '_>, credentials: &Credentials) -> Result<LessSafeKey, WssError> {
    let method = child(ek, XENC_NS, "EncryptionMethod")
        .ok_or_else(|| WssError::InvalidHeader("EncryptedKey without method".into()))?;
    let algorithm = key_transport(method)?;
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
    Ok(LessSafeKey::new(
        UnboundKey::new(&AES_128_GCM, key)
            .map_err(|_| WssError::FailedDecryption("AES key".into()))?,
    ))
}

/// Decrypts the part one `xenc:EncryptedData` names (`IV ‖ ciphertext ‖ tag`) in place,
/// restoring its MIME type; returns the part's index.
fn decrypt_part(
    ed: Node<'_, '_>,
    aead: &LessSafeKey,
    parts: &mut [Attachment],
) -> Result<usize, WssError> {
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
        .ok_or_else(|| WssError::InvalidHeader("EncryptedData without a cid: reference".into()))?;
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
    Ok(index)
}
