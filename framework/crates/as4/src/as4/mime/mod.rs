//! SOAP with attachments: the `multipart/related` packaging of an AS4 message.
//!
//! eDelivery AS4 1.15 carries the SOAP envelope and each payload as one MIME part of a
//! `multipart/related; type="application/soap+xml"` HTTP body. Payload parts are named
//! by their `Content-ID`, which `eb:PartInfo/@href` references as `cid:…`.
//!
//! The parser follows what real senders do rather than the letter of RFC 2387: phase4
//! and the PyPI `as4` package send no `start` parameter and no `Content-ID` on the SOAP
//! part, so the SOAP part is the one `start` names when that matches, else the first
//! part typed `application/soap+xml`. It is lenient where it costs nothing (bare LF in
//! headers, folded headers, quoted or bare boundary) and strict where leniency would
//! blur what was signed (duplicate content ids, unterminated bodies, bad base64).
//!
//! Every refusal maps to `EBMS:0007` (MimeInconsistency) with a stable code for logs.
//! Input is hostile: sizes and part counts are capped by [`MimeLimits`], boundary search
//! is a single forward scan, and nothing here can panic.
//!
//! This file holds the types and `parse`; writing is in `write`, header values in
//! `content_type`, cutting the body at its delimiters in `split`, reading one part in `part`.

mod content_type;
mod part;
mod split;
mod write;

use std::fmt;

use content_type::{media_essence, param, parse_content_type, strip_content_id};
use part::{ParsedPart, decode_body, parse_part};
use split::split_parts;

pub use write::write;

/// The media type of a SOAP 1.2 envelope, the root part of every AS4 message.
const SOAP_MEDIA_TYPE: &str = "application/soap+xml";

/// RFC 2045 default for a part without `Content-Type`.
const DEFAULT_PART_TYPE: &str = "text/plain; charset=us-ascii";

/// RFC 2046 caps boundaries at 70 characters; we allow some slack for sloppy senders
/// while keeping the search cheap.
const MAX_BOUNDARY_LEN: usize = 200;

/// One MIME part of an AS4 message other than the SOAP envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct Part {
    /// Content id without `<>` and without `cid:`, as `eb:PartInfo/@href` names it
    /// (after stripping its `cid:`).
    pub content_id: String,
    /// The part's `Content-Type` header value, parameters included.
    pub content_type: String,
    /// The body after undoing any `Content-Transfer-Encoding`.
    pub body: Vec<u8>,
}

impl fmt::Debug for Part {
    // Payloads hold personal data: show their shape, never their content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("content_id", &self.content_id)
            .field("content_type", &self.content_type)
            .field("len", &self.body.len())
            .finish()
    }
}

/// A parsed multipart/related AS4 message: the SOAP envelope and the other parts in
/// the order they were sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Packaged {
    /// The SOAP envelope bytes, as received (a UTF-8 BOM, if any, is left for the XML
    /// layer).
    pub soap: Vec<u8>,
    /// The other parts, in the order sent.
    pub parts: Vec<Part>,
}

impl fmt::Debug for Packaged {
    // The envelope may carry personal data in properties: show only its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Packaged")
            .field("soap_len", &self.soap.len())
            .field("parts", &self.parts)
            .finish()
    }
}

/// Limits against hostile input, checked before any work proportional to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MimeLimits {
    /// Largest HTTP body accepted, in bytes.
    pub max_total_bytes: usize,
    /// Most MIME parts accepted, the SOAP part included.
    pub max_parts: usize,
    /// Largest header block of one part, in bytes.
    pub max_header_bytes: usize,
}

impl Default for MimeLimits {
    /// 64 MiB, 64 parts, 16 KiB of headers per part: far above what OOTS exchanges
    /// carry, far below what would hurt the service.
    fn default() -> Self {
        MimeLimits {
            max_total_bytes: 64 * 1024 * 1024,
            max_parts: 64,
            max_header_bytes: 16 * 1024,
        }
    }
}

/// Why an AS4 HTTP body could not be unpacked. All map to `EBMS:0007`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MimeError {
    /// The Content-Type is neither `multipart/related` nor `application/soap+xml`.
    #[error("not a multipart/related message: {0}")]
    NotMultipart(String),
    /// The multipart Content-Type has no usable `boundary` parameter.
    #[error("multipart Content-Type without a usable boundary")]
    NoBoundary,
    /// No part is the SOAP envelope (neither named by `start` nor typed
    /// `application/soap+xml`).
    #[error("no SOAP part in the multipart message")]
    NoSoapPart,
    /// The body or a part's header block exceeds its limit.
    #[error("{what} exceeds {limit} bytes")]
    TooLarge {
        /// What is too large (body, header block).
        what: &'static str,
        /// Its limit, in bytes.
        limit: usize,
    },
    /// More parts than the limit.
    #[error("more than {limit} MIME parts")]
    TooManyParts {
        /// The most parts accepted.
        limit: usize,
    },
    /// The multipart structure or a part's headers cannot be read.
    #[error("malformed multipart message: {0}")]
    Malformed(&'static str),
    /// Two parts share a Content-ID (compared case-insensitively), so a `cid:`
    /// reference would be ambiguous.
    #[error("duplicate Content-ID <{0}>")]
    DuplicateContentId(String),
    /// A part declared `Content-Transfer-Encoding: base64` but its body is not base64.
    #[error("part <{content_id}> is not valid base64")]
    BadBase64 {
        /// The part concerned.
        content_id: String,
    },
}

impl MimeError {
    /// Stable machine-readable code, for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            MimeError::NotMultipart(_) => "MIME_NOT_MULTIPART",
            MimeError::NoBoundary => "MIME_NO_BOUNDARY",
            MimeError::NoSoapPart => "MIME_NO_SOAP_PART",
            MimeError::TooLarge { .. } => "MIME_TOO_LARGE",
            MimeError::TooManyParts { .. } => "MIME_TOO_MANY_PARTS",
            MimeError::Malformed(_) => "MIME_MALFORMED",
            MimeError::DuplicateContentId(_) => "MIME_DUPLICATE_CONTENT_ID",
            MimeError::BadBase64 { .. } => "MIME_BAD_BASE64",
        }
    }

    /// The ebMS 3 error to answer with: `EBMS:0007` (MimeInconsistency) for every
    /// packaging problem.
    pub fn ebms_code(&self) -> &'static str {
        "EBMS:0007"
    }
}

/// Unpacks an AS4 HTTP body given its `Content-Type` header value.
///
/// A body typed `application/soap+xml` is a message without attachments (typically a
/// signal) and comes back as the envelope alone. Otherwise the body must be
/// `multipart/related` with a boundary; see the module documentation for how the SOAP
/// part is found. The preamble and epilogue are ignored.
pub fn parse(content_type: &str, body: &[u8], limits: &MimeLimits) -> Result<Packaged, MimeError> {
    if body.len() > limits.max_total_bytes {
        return Err(MimeError::TooLarge {
            what: "message body",
            limit: limits.max_total_bytes,
        });
    }
    let (essence, params) = parse_content_type(content_type);
    if essence == SOAP_MEDIA_TYPE {
        return Ok(Packaged {
            soap: body.to_vec(),
            parts: Vec::new(),
        });
    }
    if essence != "multipart/related" {
        return Err(MimeError::NotMultipart(truncate(&essence, 100)));
    }
    let boundary = param(&params, "boundary").ok_or(MimeError::NoBoundary)?;
    if boundary.is_empty()
        || boundary.len() > MAX_BOUNDARY_LEN
        || boundary.bytes().any(|b| b.is_ascii_control())
    {
        return Err(MimeError::NoBoundary);
    }
    let start = param(&params, "start").map(|s| strip_content_id(s).to_owned());

    let raw_parts = split_parts(body, boundary.as_bytes(), limits.max_parts)?;
    let mut parsed: Vec<ParsedPart> = Vec::with_capacity(raw_parts.len());
    for raw in raw_parts {
        let part = parse_part(raw, limits.max_header_bytes)?;
        if let Some(cid) = &part.content_id
            && parsed
                .iter()
                .filter_map(|p| p.content_id.as_deref())
                .any(|other| other.eq_ignore_ascii_case(cid))
        {
            return Err(MimeError::DuplicateContentId(truncate(cid, 200)));
        }
        parsed.push(part);
    }

    let by_start = start.as_deref().and_then(|start| {
        parsed.iter().position(|p| {
            p.content_id
                .as_deref()
                .is_some_and(|cid| cid.eq_ignore_ascii_case(start))
        })
    });
    let soap_index = by_start
        .or_else(|| {
            parsed
                .iter()
                .position(|p| media_essence(&p.content_type) == SOAP_MEDIA_TYPE)
        })
        .ok_or(MimeError::NoSoapPart)?;

    let mut soap = None;
    let mut parts = Vec::with_capacity(parsed.len().saturating_sub(1));
    for (index, part) in parsed.into_iter().enumerate() {
        let ParsedPart {
            content_id,
            content_type,
            transfer_encoding,
            body,
        } = part;
        let label = content_id.as_deref().unwrap_or("soap");
        let body = decode_body(transfer_encoding, body, label)?;
        if index == soap_index {
            soap = Some(body);
            continue;
        }
        // A payload nothing can reference cannot be matched to its PartInfo.
        let content_id =
            content_id.ok_or(MimeError::Malformed("payload part without Content-ID"))?;
        parts.push(Part {
            content_id,
            content_type,
            body,
        });
    }
    let soap = soap.ok_or(MimeError::NoSoapPart)?;
    Ok(Packaged { soap, parts })
}

/// At most `max` characters of `s`, for error messages.
fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests;
