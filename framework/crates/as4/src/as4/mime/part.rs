//! One raw part read: its header block parsed (folded lines, bare LF tolerated) and its
//! content decoded from its transfer encoding.

use base64::Engine as _;

use super::content_type::strip_content_id;
use super::{DEFAULT_PART_TYPE, MimeError, truncate};

/// One part after header parsing, before transfer decoding.
pub(super) struct ParsedPart<'a> {
    /// Its `Content-ID`, without the angle brackets.
    pub(super) content_id: Option<String>,
    /// Its `Content-Type` (the RFC 2045 default if absent).
    pub(super) content_type: String,
    /// How its content is encoded.
    pub(super) transfer_encoding: TransferEncoding,
    /// The content, still encoded.
    pub(super) body: &'a [u8],
}

/// A part's `Content-Transfer-Encoding`, as far as it changes the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TransferEncoding {
    /// `binary`, `8bit`, `7bit` or absent: the bytes are the content.
    Identity,
    /// `base64`, possibly wrapped over lines.
    Base64,
}

/// Parses a raw part's header block and returns it with the content.
pub(super) fn parse_part(raw: &[u8], max_header_bytes: usize) -> Result<ParsedPart<'_>, MimeError> {
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
pub(super) fn split_headers(
    raw: &[u8],
    max_header_bytes: usize,
) -> Result<(&[u8], &[u8]), MimeError> {
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
pub(super) fn parse_headers(block: &[u8]) -> Result<Vec<(String, String)>, MimeError> {
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
pub(super) fn decode_body(
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
