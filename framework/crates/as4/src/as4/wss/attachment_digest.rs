//! The Attachment-Content-Signature-Transform (SwA profile 1.1): the bytes of a MIME part
//! that are digested, the same on sealing and on opening. Separate because the rule
//! (XML canonicalised, text with CRLF line ends, the rest raw) is WSS4J's and is tested
//! on its own.

use roxmltree::Document;

use crate::as4::c14n;
use crate::xml;

/// The part's bytes as the Attachment-Content-Signature-Transform digests them, by the
/// rule WSS4J (Domibus) follows: XML types (`text/xml`, `application/xml`, `*/*+xml`)
/// as the exclusive C14N of the document, other `text/*` types with their line ends
/// made CRLF, everything else raw. A compressed part is `application/gzip`: raw.
pub(super) fn attachment_digest_input(content_type: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_xml = essence == "text/xml"
        || essence == "application/xml"
        || essence
            .split_once('/')
            .is_some_and(|(_, sub)| sub.ends_with("+xml"));
    if is_xml {
        let text = std::str::from_utf8(bytes).map_err(|_| "XML part is not UTF-8".to_owned())?;
        let doc = xml::parse(text, usize::MAX).map_err(|e| format!("XML part: {e}"))?;
        return canonical_document(&doc);
    }
    if essence.starts_with("text/") {
        return Ok(crlf(bytes));
    }
    Ok(bytes.to_vec())
}

/// Exclusive C14N of a whole document (without comments): the processing instructions
/// around the root element are kept, each on its own line, as C14N 1.0 section 2.1 says
/// and WSS4J does (it canonicalises the part as a document, not its root element).
fn canonical_document(doc: &Document<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut after_root = false;
    for node in doc.root().children() {
        if node.is_element() {
            out.extend(c14n::canonicalize(node, &[]).map_err(|e| e.to_string())?);
            after_root = true;
        } else if let Some(pi) = node.pi() {
            if after_root {
                out.push(b'\n');
            }
            out.extend_from_slice(b"<?");
            out.extend_from_slice(pi.target.as_bytes());
            if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                out.push(b' ');
                out.extend_from_slice(value.as_bytes());
            }
            out.extend_from_slice(b"?>");
            if !after_root {
                out.push(b'\n');
            }
        }
    }
    Ok(out)
}

/// Every line end (CR, LF or CRLF) as CRLF: WSS4J's `CRLFOutputStream`, through which
/// it digests `text/*` parts (a CR writes CRLF; an LF right after a CR writes nothing,
/// another LF writes CRLF).
pub(super) fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut after_cr = false;
    for &b in bytes {
        match b {
            b'\r' => out.extend_from_slice(b"\r\n"),
            b'\n' if after_cr => {}
            b'\n' => out.extend_from_slice(b"\r\n"),
            other => out.push(other),
        }
        after_cr = b == b'\r';
    }
    out
}
