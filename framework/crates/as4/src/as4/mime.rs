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

use std::fmt;

use base64::Engine as _;

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

/// One part after header parsing, before transfer decoding.
struct ParsedPart<'a> {
    content_id: Option<String>,
    content_type: String,
    transfer_encoding: TransferEncoding,
    body: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TransferEncoding {
    /// `binary`, `8bit`, `7bit` or absent: the bytes are the content.
    Identity,
    Base64,
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Splits a media type into its lower-cased essence and its parameters (names
/// lower-cased, values unquoted).
fn parse_content_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut pieces = split_params(value).into_iter();
    let essence = pieces
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let params = pieces
        .filter_map(|piece| {
            let (name, value) = piece.split_once('=')?;
            Some((name.trim().to_ascii_lowercase(), unquote(value.trim())))
        })
        .collect();
    (essence, params)
}

/// The lower-cased `type/subtype` of a media type.
fn media_essence(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Splits on `;` outside quoted strings.
fn split_params(value: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == ';' && !quoted {
            pieces.push(std::mem::take(&mut current));
            continue;
        }
        current.push(c);
    }
    pieces.push(current);
    pieces
}

/// Removes the quotes (and backslash escapes) of a quoted-string; bare tokens pass.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"') else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '"' => break,
            _ => out.push(c),
        }
    }
    out
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `<a@b>`, `cid:a@b` and `a@b` all name content id `a@b`.
fn strip_content_id(value: &str) -> &str {
    let value = value.trim();
    let value = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value)
        .trim();
    match value.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("cid:") => value.get(4..).unwrap_or(""),
        _ => value,
    }
}

/// Whether `needle` occurs in `haystack` (used only on our own output).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle, 0).is_some()
}

/// First occurrence of `needle` in `haystack` at or after `from`.
///
/// Naive, but the parser only searches for `\n--boundary` with a boundary free of
/// control characters: a partial match starting at one `\n` cannot overlap the next
/// `\n`, so the total work stays linear in the body length.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let rest = needle.get(1..).unwrap_or_default();
    let mut i = from;
    while let Some(tail) = haystack.get(i..) {
        let offset = tail.iter().position(|&b| b == first)?;
        let at = i + offset;
        let after = haystack.get(at + 1..).unwrap_or_default();
        if after.starts_with(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// What follows `--boundary` at some position.
enum DelimiterKind {
    /// A part starts after the returned offset (just past the line end).
    Open(usize),
    /// The closing delimiter `--boundary--`.
    Close,
    /// Not a delimiter line (the boundary text continues): keep searching.
    NotDelimiter,
}

/// Classifies the bytes right after `--boundary`; `at` is the index just past it.
fn delimiter_kind(body: &[u8], at: usize) -> DelimiterKind {
    let rest = body.get(at..).unwrap_or_default();
    if rest.starts_with(b"--") {
        return DelimiterKind::Close;
    }
    // Transport padding (RFC 2046 allows linear whitespace before the line end).
    let pad = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    match rest.get(pad..) {
        Some([b'\r', b'\n', ..]) => DelimiterKind::Open(at + pad + 2),
        Some([b'\n', ..]) => DelimiterKind::Open(at + pad + 1),
        _ => DelimiterKind::NotDelimiter,
    }
}

/// Cuts the body into raw parts (headers and content), between delimiter lines.
fn split_parts<'a>(
    body: &'a [u8],
    boundary: &[u8],
    max_parts: usize,
) -> Result<Vec<&'a [u8]>, MimeError> {
    let dash_boundary = [b"--", boundary].concat();
    let line_delimiter = [b"\n", dash_boundary.as_slice()].concat();

    // The first delimiter may open the body without a preceding line end.
    let mut search_from = 0;
    let mut part_start = None;
    if body.starts_with(&dash_boundary) {
        match delimiter_kind(body, dash_boundary.len()) {
            DelimiterKind::Open(next) => part_start = Some(next),
            DelimiterKind::Close => return Err(MimeError::NoSoapPart),
            DelimiterKind::NotDelimiter => {}
        }
    }
    while part_start.is_none() {
        let at = find(body, &line_delimiter, search_from)
            .ok_or(MimeError::Malformed("no boundary delimiter in the body"))?;
        match delimiter_kind(body, at + line_delimiter.len()) {
            DelimiterKind::Open(next) => part_start = Some(next),
            DelimiterKind::Close => return Err(MimeError::NoSoapPart),
            DelimiterKind::NotDelimiter => search_from = at + 1,
        }
    }

    let mut parts = Vec::new();
    let mut start = part_start.unwrap_or_default();
    // The line end closing the previous delimiter line sits at `start - 1`: searching
    // from there finds a delimiter right at `start` (an empty part).
    let mut search_from = start.saturating_sub(1);
    loop {
        let at = find(body, &line_delimiter, search_from)
            .ok_or(MimeError::Malformed("multipart body not terminated"))?;
        let next = match delimiter_kind(body, at + line_delimiter.len()) {
            DelimiterKind::NotDelimiter => {
                search_from = at + 1;
                continue;
            }
            DelimiterKind::Open(next) => Some(next),
            DelimiterKind::Close => None,
        };
        // The delimiter's CRLF (or bare LF) belongs to the delimiter, not the content.
        let mut end = at.max(start);
        if end > start && body.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        if parts.len() >= max_parts {
            return Err(MimeError::TooManyParts { limit: max_parts });
        }
        parts.push(body.get(start..end).unwrap_or_default());
        match next {
            Some(next) => {
                start = next;
                search_from = next.saturating_sub(1);
            }
            None => return Ok(parts),
        }
    }
}

/// Parses a raw part's header block and returns it with the content.
fn parse_part(raw: &[u8], max_header_bytes: usize) -> Result<ParsedPart<'_>, MimeError> {
    let (header_block, content) = split_headers(raw, max_header_bytes)?;
    let mut content_id = None;
    let mut content_type = None;
    let mut transfer_encoding = None;
    for (name, value) in parse_headers(header_block)? {
        let slot = match name.as_str() {
            "content-id" => &mut content_id,
            "content-type" => &mut content_type,
            "content-transfer-encoding" => &mut transfer_encoding,
            _ => continue,
        };
        // Two values for one of these would leave the part's meaning to chance.
        if slot.replace(value).is_some() {
            return Err(MimeError::Malformed("repeated part header"));
        }
    }
    let content_id = content_id
        .map(|cid| strip_content_id(&cid).to_owned())
        .filter(|cid| !cid.is_empty());
    let transfer_encoding = match transfer_encoding.map(|v| v.to_ascii_lowercase()) {
        None => TransferEncoding::Identity,
        Some(v) if matches!(v.as_str(), "binary" | "8bit" | "7bit") => TransferEncoding::Identity,
        Some(v) if v == "base64" => TransferEncoding::Base64,
        Some(_) => {
            return Err(MimeError::Malformed(
                "unsupported Content-Transfer-Encoding",
            ));
        }
    };
    Ok(ParsedPart {
        content_id,
        content_type: content_type.unwrap_or_else(|| DEFAULT_PART_TYPE.to_owned()),
        transfer_encoding,
        body: content,
    })
}

/// Splits a raw part at its first empty line (CRLF or bare LF).
fn split_headers(raw: &[u8], max_header_bytes: usize) -> Result<(&[u8], &[u8]), MimeError> {
    let too_large = MimeError::TooLarge {
        what: "part header block",
        limit: max_header_bytes,
    };
    // A part may start with its empty line: no headers at all.
    if let Some(content) = raw
        .strip_prefix(b"\r\n")
        .or_else(|| raw.strip_prefix(b"\n"))
    {
        return Ok((&[], content));
    }
    let mut line_start = 0;
    while let Some(offset) = raw
        .get(line_start..)
        .and_then(|r| r.iter().position(|&b| b == b'\n'))
    {
        let line_end = line_start + offset + 1;
        if line_end > max_header_bytes {
            return Err(too_large);
        }
        let next = raw.get(line_end..).unwrap_or_default();
        let blank = if next.starts_with(b"\r\n") {
            Some(2)
        } else if next.starts_with(b"\n") {
            Some(1)
        } else {
            None
        };
        if let Some(len) = blank {
            let headers = raw.get(..line_end).unwrap_or_default();
            let content = raw.get(line_end + len..).unwrap_or_default();
            return Ok((headers, content));
        }
        line_start = line_end;
    }
    if raw.len() > max_header_bytes {
        return Err(too_large);
    }
    Err(MimeError::Malformed(
        "part headers not followed by an empty line",
    ))
}

/// Parses header lines into (lower-cased name, unfolded trimmed value) pairs.
fn parse_headers(block: &[u8]) -> Result<Vec<(String, String)>, MimeError> {
    let text = String::from_utf8_lossy(block);
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // Folded continuation of the previous header.
            let (_, value) = headers.last_mut().ok_or(MimeError::Malformed(
                "part headers start with a continuation line",
            ))?;
            value.push(' ');
            value.push_str(line.trim());
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or(MimeError::Malformed("part header line without a colon"))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(MimeError::Malformed("part header without a name"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(headers)
}

/// Undoes the transfer encoding of a part's content.
fn decode_body(
    encoding: TransferEncoding,
    body: &[u8],
    content_id: &str,
) -> Result<Vec<u8>, MimeError> {
    match encoding {
        TransferEncoding::Identity => Ok(body.to_vec()),
        TransferEncoding::Base64 => {
            // MIME base64 is wrapped at 76 characters: drop the line ends first.
            let compact: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(&compact)
                .map_err(|_| MimeError::BadBase64 {
                    content_id: truncate(content_id, 200),
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> MimeLimits {
        MimeLimits::default()
    }

    const ENVELOPE: &[u8] =
        b"<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\"/>";

    fn as4_style_message() -> (String, Vec<u8>) {
        let content_type = "multipart/related; boundary=\"===============123==\"; \
                            type=\"application/soap+xml\""
            .to_owned();
        let mut body = Vec::new();
        body.extend_from_slice(b"--===============123==\r\n");
        body.extend_from_slice(b"Content-Type: application/soap+xml; charset=UTF-8\r\n");
        body.extend_from_slice(b"MIME-Version: 1.0\r\n\r\n");
        body.extend_from_slice(b"\xEF\xBB\xBF");
        body.extend_from_slice(ENVELOPE);
        body.extend_from_slice(b"\r\n--===============123==\r\n");
        body.extend_from_slice(b"Content-Type: application/octet-stream\r\n");
        body.extend_from_slice(b"Content-Transfer-Encoding: binary\r\n");
        body.extend_from_slice(b"Content-ID: <regrep@oots.example>\r\n\r\n");
        body.extend_from_slice(b"\x00\x01\r\n\xFFbytes");
        body.extend_from_slice(b"\r\n--===============123==--\r\n");
        (content_type, body)
    }

    #[test]
    fn round_trip_preserves_parts_ids_and_order() {
        let xml = Part {
            content_id: "regrep@oots.example".into(),
            content_type: "application/x-ebrs+xml".into(),
            body: b"<query:QueryRequest/>".to_vec(),
        };
        let mut binary = b"\r\n--MIMEBoundary_\r\n--\r\n\x00\xFF".to_vec();
        binary.extend((0..=255u8).cycle().take(5000));
        binary.extend_from_slice(b"\r\n");
        let binary = Part {
            content_id: "evidence@oots.example".into(),
            content_type: "application/octet-stream".into(),
            body: binary,
        };
        let (content_type, body) = write(ENVELOPE, &[xml.clone(), binary.clone()]);
        assert!(content_type.starts_with("multipart/related; boundary=\"MIMEBoundary_"));
        assert!(content_type.contains("type=\"application/soap+xml\""));
        assert!(!content_type.contains("start="));
        let parsed = parse(&content_type, &body, &limits()).unwrap();
        assert_eq!(parsed.soap, ENVELOPE);
        assert_eq!(parsed.parts, vec![xml, binary]);
    }

    #[test]
    fn round_trip_with_empty_bodies_and_no_parts() {
        let (ct, body) = write(b"", &[]);
        let parsed = parse(&ct, &body, &limits()).unwrap();
        assert!(parsed.soap.is_empty());
        assert!(parsed.parts.is_empty());

        let empty = Part {
            content_id: "empty@x".into(),
            content_type: "application/octet-stream".into(),
            body: Vec::new(),
        };
        let (ct, body) = write(ENVELOPE, std::slice::from_ref(&empty));
        let parsed = parse(&ct, &body, &limits()).unwrap();
        assert_eq!(parsed.parts, vec![empty]);
    }

    #[test]
    fn write_drops_control_characters_from_headers() {
        let part = Part {
            content_id: "a@x>\r\nX-Injected: 1".into(),
            content_type: "text/plain\r\nContent-ID: <evil@x>".into(),
            body: b"hello".to_vec(),
        };
        let (ct, body) = write(ENVELOPE, &[part]);
        let parsed = parse(&ct, &body, &limits()).unwrap();
        assert_eq!(parsed.parts.len(), 1);
        assert!(!String::from_utf8_lossy(&body).contains("\nX-Injected"));
    }

    #[test]
    fn parses_pypi_as4_and_phase4_shape() {
        let (ct, body) = as4_style_message();
        let parsed = parse(&ct, &body, &limits()).unwrap();
        // The BOM is left for the XML layer.
        assert!(parsed.soap.starts_with(b"\xEF\xBB\xBF<S12:Envelope"));
        assert!(parsed.soap.ends_with(b"/>"));
        assert_eq!(parsed.parts.len(), 1);
        let part = &parsed.parts[0];
        assert_eq!(part.content_id, "regrep@oots.example");
        assert_eq!(part.content_type, "application/octet-stream");
        assert_eq!(part.body, b"\x00\x01\r\n\xFFbytes");
    }

    #[test]
    fn accepts_bare_soap_body_without_attachments() {
        let parsed = parse(
            "application/soap+xml; charset=UTF-8; action=\"\"",
            ENVELOPE,
            &limits(),
        )
        .unwrap();
        assert_eq!(parsed.soap, ENVELOPE);
        assert!(parsed.parts.is_empty());
    }

    #[test]
    fn start_parameter_selects_the_soap_part() {
        // The root comes second and is typed generically: only `start` finds it.
        let ct = "Multipart/Related; type=\"application/soap+xml\"; \
                  start=\"<root@x>\"; boundary=b1";
        let body = b"preamble to ignore\r\n\
            --b1\r\n\
            Content-Type: application/soap+xml\r\n\
            Content-ID: <other@x>\r\n\
            \r\n\
            <not-the-root/>\r\n\
            --b1\r\n\
            content-type: application/xop+xml; type=\"application/soap+xml\"\r\n\
            CONTENT-ID: <root@x>\r\n\
            \r\n\
            <root/>\r\n\
            --b1--\r\nepilogue";
        let parsed = parse(ct, body, &limits()).unwrap();
        assert_eq!(parsed.soap, b"<root/>");
        assert_eq!(parsed.parts.len(), 1);
        assert_eq!(parsed.parts[0].content_id, "other@x");

        // A `start` naming no part falls back to the first SOAP-typed part.
        let ct = "multipart/related; boundary=b1; start=\"<missing@x>\"";
        let parsed = parse(ct, body, &limits()).unwrap();
        assert_eq!(parsed.soap, b"<not-the-root/>");
        assert_eq!(parsed.parts[0].content_id, "root@x");
    }

    #[test]
    fn decodes_base64_parts_and_folded_headers() {
        let ct = "multipart/related; boundary=\"b\"";
        let body = b"--b\r\n\
            Content-Type: application/soap+xml\r\n\
            \r\n\
            <e/>\r\n\
            --b\r\n\
            Content-Type: application/gzip;\r\n\
            \tname=\"payload.gz\"\r\n\
            Content-Transfer-Encoding: BASE64\r\n\
            Content-ID:\r\n <cid:payload@x>\r\n\
            \r\n\
            aGVsbG8g\r\nd29ybGQ=\r\n\
            --b--";
        let parsed = parse(ct, body, &limits()).unwrap();
        assert_eq!(parsed.soap, b"<e/>");
        let part = &parsed.parts[0];
        assert_eq!(part.content_id, "payload@x");
        assert_eq!(part.content_type, "application/gzip; name=\"payload.gz\"");
        assert_eq!(part.body, b"hello world");
    }

    #[test]
    fn accepts_lf_only_lines() {
        let ct = "multipart/related; boundary=lf";
        let body = b"--lf\n\
            Content-Type: application/soap+xml\n\
            \n\
            <e/>\n\
            --lf \t\n\
            Content-Type: text/plain\n\
            Content-ID: <t@x>\n\
            \n\
            line1\nline2\n\
            --lf--\n";
        let parsed = parse(ct, body, &limits()).unwrap();
        assert_eq!(parsed.soap, b"<e/>");
        assert_eq!(parsed.parts[0].body, b"line1\nline2");
    }

    #[test]
    fn boundary_lookalikes_inside_content_are_content() {
        let ct = "multipart/related; boundary=b";
        let body = b"--b\r\n\
            Content-Type: application/soap+xml\r\n\
            \r\n\
            <e/>\r\n--bb\r\n--b-\r\n\
            --b\r\n\
            Content-ID: <x@x>\r\n\
            \r\n\
            --bx\r\n\
            --b--\r\n";
        let parsed = parse(ct, body, &limits()).unwrap();
        assert_eq!(parsed.soap, b"<e/>\r\n--bb\r\n--b-");
        assert_eq!(parsed.parts[0].body, b"--bx");
        assert_eq!(parsed.parts[0].content_type, DEFAULT_PART_TYPE);
    }

    #[test]
    fn refusals_have_stable_codes() {
        let (ct, body) = as4_style_message();
        let code = |ct: &str, body: &[u8], limits: &MimeLimits| {
            parse(ct, body, limits).unwrap_err().code()
        };
        assert_eq!(code("text/xml", &body, &limits()), "MIME_NOT_MULTIPART");
        assert_eq!(code("", &body, &limits()), "MIME_NOT_MULTIPART");
        assert_eq!(
            code(
                "multipart/related; type=\"application/soap+xml\"",
                &body,
                &limits()
            ),
            "MIME_NO_BOUNDARY"
        );
        assert_eq!(
            code("multipart/related; boundary=\"\"", &body, &limits()),
            "MIME_NO_BOUNDARY"
        );

        let body_no_soap = String::from_utf8_lossy(&body)
            .replace("application/soap+xml; charset", "text/xml; charset")
            .into_bytes();
        assert_eq!(code(&ct, &body_no_soap, &limits()), "MIME_NO_SOAP_PART");
        assert_eq!(
            code("multipart/related; boundary=b", b"--b--\r\n", &limits()),
            "MIME_NO_SOAP_PART"
        );

        let few = MimeLimits {
            max_parts: 1,
            ..limits()
        };
        assert_eq!(code(&ct, &body, &few), "MIME_TOO_MANY_PARTS");

        let small = MimeLimits {
            max_total_bytes: body.len() - 1,
            ..limits()
        };
        assert_eq!(code(&ct, &body, &small), "MIME_TOO_LARGE");
        let short_headers = MimeLimits {
            max_header_bytes: 20,
            ..limits()
        };
        assert_eq!(code(&ct, &body, &short_headers), "MIME_TOO_LARGE");

        let dup = Part {
            content_id: "same@x".into(),
            content_type: "text/plain".into(),
            body: b"1".to_vec(),
        };
        let dup2 = Part {
            content_id: "SAME@x".into(),
            ..dup.clone()
        };
        let (dct, dbody) = write(ENVELOPE, &[dup, dup2]);
        assert_eq!(code(&dct, &dbody, &limits()), "MIME_DUPLICATE_CONTENT_ID");

        let unterminated = body.get(..body.len() - 30).unwrap();
        assert_eq!(code(&ct, unterminated, &limits()), "MIME_MALFORMED");
        assert_eq!(code(&ct, b"no delimiter here", &limits()), "MIME_MALFORMED");

        let bad64 = b"--b\r\nContent-Type: application/soap+xml\r\n\r\n<e/>\r\n\
            --b\r\nContent-ID: <p@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n\
            not*base64!\r\n--b--";
        let err = parse("multipart/related; boundary=b", bad64, &limits()).unwrap_err();
        assert_eq!(err.code(), "MIME_BAD_BASE64");
        assert_eq!(err.ebms_code(), "EBMS:0007");

        let no_cid = b"--b\r\nContent-Type: application/soap+xml\r\n\r\n<e/>\r\n\
            --b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--";
        assert_eq!(
            code("multipart/related; boundary=b", no_cid, &limits()),
            "MIME_MALFORMED"
        );
        let quoted_printable = b"--b\r\nContent-Type: application/soap+xml\r\n\
            Content-Transfer-Encoding: quoted-printable\r\n\r\n<e/>\r\n--b--";
        assert_eq!(
            code("multipart/related; boundary=b", quoted_printable, &limits()),
            "MIME_MALFORMED"
        );
    }

    #[test]
    fn every_error_maps_to_mime_inconsistency() {
        let errors = [
            MimeError::NotMultipart("x".into()),
            MimeError::NoBoundary,
            MimeError::NoSoapPart,
            MimeError::TooLarge {
                what: "body",
                limit: 1,
            },
            MimeError::TooManyParts { limit: 1 },
            MimeError::Malformed("x"),
            MimeError::DuplicateContentId("x".into()),
            MimeError::BadBase64 {
                content_id: "x".into(),
            },
        ];
        for error in errors {
            assert_eq!(error.ebms_code(), "EBMS:0007");
            assert!(error.code().starts_with("MIME_"));
        }
    }

    #[test]
    fn debug_hides_content() {
        let (ct, body) = as4_style_message();
        let parsed = parse(&ct, &body, &limits()).unwrap();
        let shown = format!("{parsed:?}");
        assert!(!shown.contains("Envelope"), "{shown}");
        assert!(shown.contains("regrep@oots.example"));
    }

    #[test]
    fn pathological_bodies_stay_fast() {
        // Many near-miss delimiters: each costs a few bytes, not a boundary length.
        let boundary = "x".repeat(70);
        let ct = format!("multipart/related; boundary=\"{boundary}\"");
        let mut body = Vec::new();
        for _ in 0..200_000 {
            body.extend_from_slice(b"\n--");
            body.extend_from_slice(&boundary.as_bytes()[..69]);
        }
        let started = std::time::Instant::now();
        assert!(parse(&ct, &body, &limits()).is_err());
        let headers_only = vec![b'\n'; 1_000_000];
        assert!(parse(&ct, &headers_only, &limits()).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    /// Deterministic pseudo-fuzzing: byte flips, insertions and truncations of valid
    /// messages must never panic.
    #[test]
    fn mutated_messages_never_panic() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let (ct, base) = as4_style_message();
        let b64 = b"--b\r\nContent-Type: application/soap+xml\r\n\r\n<e/>\r\n\
            --b\r\nContent-Type: application/gzip;\r\n\tname=x\r\nContent-ID: <p@x>\r\n\
            Content-Transfer-Encoding: base64\r\n\r\naGVsbG8g\r\n--b--\r\n"
            .to_vec();
        let seeds = [
            (ct, base),
            ("multipart/related; boundary=b".to_owned(), b64),
        ];
        let interesting: &[&[u8]] = &[b"\r\n", b"\n", b"--", b":", b"\"", b"--b", b" ", b"\r"];
        let small = MimeLimits {
            max_total_bytes: 1 << 20,
            max_parts: 3,
            max_header_bytes: 128,
        };
        let default = limits();
        let mut outcomes = [0usize; 2];
        for round in 0..2000 {
            let (ct, seed) = &seeds[round % seeds.len()];
            let mut body = seed.clone();
            let mut ct = ct.clone();
            for _ in 0..1 + next() % 4 {
                let len = body.len().max(1) as u64;
                let at = (next() % len) as usize;
                match next() % 6 {
                    0 => {
                        if let Some(b) = body.get_mut(at) {
                            *b ^= 1 << (next() % 8);
                        }
                    }
                    1 => body.truncate(at),
                    2 => {
                        let piece = interesting[(next() as usize) % interesting.len()];
                        let at = at.min(body.len());
                        body.splice(at..at, piece.iter().copied());
                    }
                    3 => {
                        let end = (at + (next() % 16) as usize).min(body.len());
                        body.drain(at.min(end)..end);
                    }
                    4 => {
                        let cut = (next() as usize) % (ct.len() + 1);
                        ct = ct.chars().take(cut).collect();
                    }
                    _ => {
                        if let Some(b) = body.get_mut(at) {
                            *b = (next() % 256) as u8;
                        }
                    }
                }
            }
            let result = parse(&ct, &body, if round % 3 == 0 { &small } else { &default });
            outcomes[usize::from(result.is_ok())] += 1;
        }
        // The mutations must exercise both acceptance and refusal paths.
        assert!(outcomes[0] > 100 && outcomes[1] > 100, "{outcomes:?}");
    }
}
