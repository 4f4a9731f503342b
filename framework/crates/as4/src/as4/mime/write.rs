//! Writing the `multipart/related` body of an outgoing AS4 message.

use super::split::find;
use super::{Part, SOAP_MEDIA_TYPE};

/// Writes the HTTP body of an AS4 message; returns the `Content-Type` header value and
/// the body.
///
/// The SOAP part comes first with no Content-ID and the header value carries no `start`
/// parameter, as phase4 and Domibus expect. Payload parts are sent
/// `Content-Transfer-Encoding: binary` under `Content-ID: <cid>`. The boundary is random
/// (128 bits) and checked against every body, so payload bytes can never end a part
/// early. Control characters in content ids and types are dropped: they would let a
/// caller-supplied value inject headers. The HTTP layer adds `MIME-Version: 1.0`.
pub fn write(soap: &[u8], parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = loop {
        let candidate = format!("MIMEBoundary_{:032x}", rand::random::<u128>());
        let delimiter = [b"--", candidate.as_bytes()].concat();
        let collides =
            contains(soap, &delimiter) || parts.iter().any(|p| contains(&p.body, &delimiter));
        if !collides {
            break candidate;
        }
    };
    let content_type =
        format!("multipart/related; boundary=\"{boundary}\"; type=\"{SOAP_MEDIA_TYPE}\"");

    let size = soap.len() + parts.iter().map(|p| p.body.len() + 200).sum::<usize>() + 300;
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"\r\nContent-Type: application/soap+xml; charset=UTF-8\r\n");
    body.extend_from_slice(b"Content-Transfer-Encoding: binary\r\n\r\n");
    body.extend_from_slice(soap);
    for part in parts {
        body.extend_from_slice(b"\r\n--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"\r\nContent-Type: ");
        body.extend_from_slice(header_safe(&part.content_type).as_bytes());
        body.extend_from_slice(b"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <");
        body.extend_from_slice(header_safe(&part.content_id).as_bytes());
        body.extend_from_slice(b">\r\n\r\n");
        body.extend_from_slice(&part.body);
    }
    body.extend_from_slice(b"\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    (content_type, body)
}

/// Drops control characters so a header value stays on its line.
fn header_safe(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// Whether `needle` occurs in `haystack` (used only on our own output).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle, 0).is_some()
}
