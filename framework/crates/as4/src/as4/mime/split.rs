//! Cutting a body into its raw parts at the delimiter lines, in one forward scan (the
//! input is hostile: no backtracking, a cap on the part count).

use super::MimeError;

/// First occurrence of `needle` in `haystack` at or after `from`.
///
/// Naive, but the parser only searches for `\n--boundary` with a boundary free of
/// control characters: a partial match starting at one `\n` cannot overlap the next
/// `\n`, so the total work stays linear in the body length.
pub(super) fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
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
pub(super) enum DelimiterKind {
    /// A part starts after the returned offset (just past the line end).
    Open(usize),
    /// The closing delimiter `--boundary--`.
    Close,
    /// Not a delimiter line (the boundary text continues): keep searching.
    NotDelimiter,
}

/// Classifies the bytes right after `--boundary`; `at` is the index just past it.
pub(super) fn delimiter_kind(body: &[u8], at: usize) -> DelimiterKind {
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
pub(super) fn split_parts<'a>(
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
