//! The fuzz harnesses: how one fuzz input becomes a call into a parser that reads network
//! input. Shared by the cargo-fuzz targets (`fuzz_targets/*.rs`) and the corpus replay
//! test (`framework/tests/fuzz_corpus.rs`, which includes this file by path), so a corpus
//! file means the same thing to both.
//!
//! Each harness returns whether the parser accepted the input (the replay test counts
//! acceptances); a panic, a hang or an abort is the only failure.
#![allow(dead_code)]

use std::sync::OnceLock;

use oots_framework::edm::{self, XmlLimits};
use oots_framework::gateway::as4::keys::{Certificate, Credentials, TrustStore};
use oots_framework::gateway::as4::mime::{self, MimeLimits};
use oots_framework::gateway::as4::wss::{self, Attachment, Policy};

/// The FUZZING-ONLY test PKI (see `keys/README.md`): a CA and two access points, fixed so
/// that sealed seed messages verify in every process.
pub const CA_CERT_PEM: &str = include_str!("../keys/fuzz-only-ca.cert.pem");
pub const SENDER_KEY_PEM: &str = include_str!("../keys/fuzz-only-sender.key.pem");
pub const SENDER_CERT_PEM: &str = include_str!("../keys/fuzz-only-sender.cert.pem");
pub const RECEIVER_KEY_PEM: &str = include_str!("../keys/fuzz-only-receiver.key.pem");
pub const RECEIVER_CERT_PEM: &str = include_str!("../keys/fuzz-only-receiver.cert.pem");

/// The clock `wss::open` checks certificate validity against (2027-01-15): fixed, so a
/// corpus file behaves the same whenever it is replayed.
pub const NOW: u64 = 1_800_000_000;

/// Content ids of the attachments `soap_open` hands to `wss::open`.
pub const REGREP_CID: &str = "regrep@oots.example";
pub const EVIDENCE_CID: &str = "evidence@oots.example";

/// Longest content type `mime_parse` takes from the first line.
pub const MAX_CONTENT_TYPE: usize = 512;

// ---------------------------------------------------------------------------------------
// mime_parse

/// Splits a `mime_parse` input: the first line (up to the first `\n`, at most 512 bytes)
/// is the Content-Type header value (lossy UTF-8), the rest is the HTTP body.
pub fn split_mime(data: &[u8]) -> (String, &[u8]) {
    let window = &data[..data.len().min(MAX_CONTENT_TYPE + 1)];
    let (head, body) = match window.iter().position(|&b| b == b'\n') {
        Some(nl) => (&data[..nl], &data[nl + 1..]),
        None => {
            let cut = data.len().min(MAX_CONTENT_TYPE);
            (&data[..cut], &data[cut..])
        }
    };
    (String::from_utf8_lossy(head).into_owned(), body)
}

/// Writes a `mime_parse` input (the inverse of [`split_mime`]).
pub fn encode_mime(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = content_type.as_bytes().to_vec();
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// `mime::parse` with the default limits.
pub fn mime_parse(data: &[u8]) -> bool {
    let (content_type, body) = split_mime(data);
    mime::parse(&content_type, body, &MimeLimits::default()).is_ok()
}

// ---------------------------------------------------------------------------------------
// soap_open

/// Flag bit: the policy requires encryption (signature is always required).
pub const FLAG_REQUIRE_ENCRYPTION: u8 = 1;
/// Flag bits 1–2: how many attachments (0, 1, 2; 3 means 2).
pub const FLAG_PARTS_SHIFT: u8 = 1;
/// Flag bit: the first attachment arrives typed `application/x-ebrs+xml` (digested
/// canonically) rather than `application/octet-stream` (digested raw).
pub const FLAG_REGREP_XML: u8 = 1 << 3;

/// The fixed keys, parsed once per process.
pub struct Pki {
    /// The receiving access point: `wss::open` decrypts with its key.
    pub receiver: Credentials,
    /// The sending access point (used to seal seed messages).
    pub sender: Credentials,
    pub trust: TrustStore,
    /// Peers' certificates for key references by SKI or issuer-serial.
    pub known: Vec<Certificate>,
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let receiver =
            Credentials::from_pem(RECEIVER_KEY_PEM.as_bytes(), RECEIVER_CERT_PEM.as_bytes())
                .expect("fuzz receiver credentials");
        let sender = Credentials::from_pem(SENDER_KEY_PEM.as_bytes(), SENDER_CERT_PEM.as_bytes())
            .expect("fuzz sender credentials");
        let trust = TrustStore::from_pem(CA_CERT_PEM.as_bytes()).expect("fuzz trust store");
        let known = vec![sender.certificate().clone()];
        Pki {
            receiver,
            sender,
            trust,
            known,
        }
    })
}

/// One `wss::open` call decoded from a fuzz input.
pub struct SoapInput {
    pub soap: String,
    pub parts: Vec<Attachment>,
    pub policy: Policy,
}

/// Decodes a `soap_open` input: `flags`, the SOAP envelope (lossy UTF-8) up to the first
/// NUL byte, then the attachment bytes. With two attachments the first two bytes after
/// the NUL are the first attachment's length (little-endian, clamped), the second takes
/// the rest.
pub fn split_soap(data: &[u8]) -> SoapInput {
    let (flags, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let (soap, tail) = match rest.iter().position(|&b| b == 0) {
        Some(nul) => (&rest[..nul], &rest[nul + 1..]),
        None => (rest, &[][..]),
    };
    let count = ((flags >> FLAG_PARTS_SHIFT) & 3).min(2);
    let regrep_type = if flags & FLAG_REGREP_XML != 0 {
        "application/x-ebrs+xml"
    } else {
        "application/octet-stream"
    };
    let part = |cid: &str, content_type: &str, bytes: &[u8]| Attachment {
        content_id: cid.to_owned(),
        content_type: content_type.to_owned(),
        bytes: bytes.to_vec(),
    };
    let parts = match count {
        0 => Vec::new(),
        1 => vec![part(REGREP_CID, regrep_type, tail)],
        _ => {
            let (len, tail) = match tail {
                [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
                _ => (0, &[][..]),
            };
            let (first, second) = tail.split_at(len.min(tail.len()));
            vec![
                part(REGREP_CID, regrep_type, first),
                part(EVIDENCE_CID, "application/octet-stream", second),
            ]
        }
    };
    SoapInput {
        soap: String::from_utf8_lossy(soap).into_owned(),
        parts,
        policy: Policy {
            require_signature: true,
            require_encryption: flags & FLAG_REQUIRE_ENCRYPTION != 0,
        },
    }
}

/// Writes a `soap_open` input (the inverse of [`split_soap`]); `parts` holds 0 to 2
/// attachment bodies, the first shorter than 64 KiB when there are two.
pub fn encode_soap(
    require_encryption: bool,
    regrep_xml: bool,
    soap: &[u8],
    parts: &[&[u8]],
) -> Vec<u8> {
    assert!(parts.len() <= 2, "at most two attachments");
    let mut flags = (parts.len() as u8) << FLAG_PARTS_SHIFT;
    if require_encryption {
        flags |= FLAG_REQUIRE_ENCRYPTION;
    }
    if regrep_xml {
        flags |= FLAG_REGREP_XML;
    }
    let mut out = vec![flags];
    out.extend_from_slice(soap);
    out.push(0);
    match parts {
        [] => {}
        [one] => out.extend_from_slice(one),
        [first, second] => {
            let len = u16::try_from(first.len()).expect("first attachment under 64 KiB");
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(first);
            out.extend_from_slice(second);
        }
        _ => unreachable!(),
    }
    out
}

/// `wss::open` as the receiving access point, trusting the fuzzing CA.
pub fn soap_open(data: &[u8]) -> bool {
    let input = split_soap(data);
    let pki = pki();
    wss::open(
        &input.soap,
        input.parts,
        &pki.receiver,
        &pki.trust,
        &pki.known,
        input.policy,
        NOW,
    )
    .is_ok()
}

// ---------------------------------------------------------------------------------------
// EDM

/// `edm::parse_request` with the default limits.
pub fn edm_request(data: &[u8]) -> bool {
    edm::parse_request(data, &XmlLimits::default()).is_ok()
}

/// `edm::parse_response` with the default limits.
pub fn edm_response(data: &[u8]) -> bool {
    edm::parse_response(data, &XmlLimits::default()).is_ok()
}
