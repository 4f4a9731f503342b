//! Journal records that prove what was received and sent (IR (EU) 2022/1463 Art. 17,
//! non-repudiation), without personal data: digests of the parts exchanged, message
//! ids, and the signed AS4 receipts, given and obtained, exactly as they went over the
//! wire. A receipt holds ids, timestamps, digests, a signature and the signer's
//! certificate: nothing about the person.

use aws_lc_rs::digest;
use base64::Engine as _;
use serde_json::{Value, json};

/// Kind of the record of a receipt this access point gave for a received message.
pub const RECEIPT_GIVEN: &str = "receipt_given";
/// Kind of the record of the receipt obtained for an answer delivered.
pub const DELIVERY: &str = "delivery";

/// The SHA-256 of `bytes`, base64 as in `ds:DigestValue`.
pub fn sha256(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(digest::digest(&digest::SHA256, bytes))
}

/// A part of an exchanged message, as the journal records it. The gateway's message
/// parts implement it, so the store needs not know the gateway (which depends on it).
pub trait Part {
    /// The part's content id, without the `cid:` scheme.
    fn content_id(&self) -> &str;
    /// The part's media type.
    fn mime_type(&self) -> &str;
    /// The part's bytes, as exchanged.
    fn bytes(&self) -> &[u8];
}

/// Each part of a message: its content id, media type, size and SHA-256.
pub fn parts<P: Part>(payloads: &[P]) -> Value {
    Value::Array(
        payloads
            .iter()
            .map(|p| {
                json!({
                    "content_id": p.content_id(),
                    "mime_type": p.mime_type(),
                    "bytes": p.bytes().len(),
                    "sha256": sha256(p.bytes()),
                })
            })
            .collect(),
    )
}

/// The record of the signed receipt given for message `message_id`.
pub fn receipt_given(message_id: &str, receipt: &[u8]) -> String {
    json!({
        "kind": RECEIPT_GIVEN,
        "message_id": message_id,
        "receipt": base64::engine::general_purpose::STANDARD.encode(receipt),
    })
    .to_string()
}

/// The record of the signed receipt obtained for answer `answer_id` to request
/// `message_id`.
pub fn delivery(message_id: &str, answer_id: &str, receipt: &[u8]) -> String {
    json!({
        "kind": DELIVERY,
        "message_id": message_id,
        "answer_id": answer_id,
        "receipt": base64::engine::general_purpose::STANDARD.encode(receipt),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message part as the gateway has it.
    struct Payload {
        content_id: String,
        mime_type: String,
        bytes: Vec<u8>,
    }

    impl Part for Payload {
        fn content_id(&self) -> &str {
            &self.content_id
        }
        fn mime_type(&self) -> &str {
            &self.mime_type
        }
        fn bytes(&self) -> &[u8] {
            &self.bytes
        }
    }

    #[test]
    fn digests_are_sha256_in_base64() {
        // SHA-256("abc"), as FIPS 180-2 gives it.
        assert_eq!(
            sha256(b"abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        let p = parts(&[Payload {
            content_id: "a@x".into(),
            mime_type: "application/pdf".into(),
            bytes: b"abc".to_vec(),
        }]);
        assert_eq!(p[0]["sha256"], sha256(b"abc"));
        assert_eq!(p[0]["bytes"], 3);
    }
}
