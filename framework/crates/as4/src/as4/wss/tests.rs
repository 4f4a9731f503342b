//! Sealing and opening round trips, tampering, and the attachment digest rule.

use super::attachment_digest::{attachment_digest_input, crlf};
use super::*;
use crate::as4::keys::tests::pki;
use crate::as4::keys::{Credentials, TrustStore};

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
    let receiver = Credentials::from_pem(p.receiver.0.as_bytes(), p.receiver.1.as_bytes()).unwrap();
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
