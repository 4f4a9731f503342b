//! Encrypting the attachments for the recipient: AES-128-GCM per part under one content
//! key, the key wrapped with RSA-OAEP (SHA-256, MGF1-SHA256) in an `xenc:EncryptedKey`.

use aws_lc_rs::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::*;
use crate::as4::keys::Certificate;

/// Encrypts every part in place for `recipient`; returns the `EncryptedData` elements and
/// the `EncryptedKey`.
pub(super) fn encrypt(
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
