//! The WS plugin's wire codec shared by the client ([`super::client`]) and the
//! in-process fake Domibus of `oots-devkit`: base64 payload values, `payload` elements,
//! and the namespace-aware element lookups a plugin document needs.
//!
//! Public so the simulator reads submissions exactly as the client reads downloads,
//! without a second copy of the codec. The SOAP envelope itself is in [`super::soap`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use roxmltree::Node;

use crate::Payload;
use crate::ebms::{self, UserMessage};
use crate::xml;

/// Element lookups by namespace and local name (Domibus re-prefixes freely), the
/// unqualified children of WS plugin body elements, and trimmed text.
pub use crate::xml::{child, text, unqualified_child, unqualified_children};

/// Decodes `xs:base64Binary` leniently (XML whitespace allowed, as the schema permits).
pub fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64.decode(compact)
}

/// Reads `payload` elements (`payloadId`, `contentType`, `<value>` base64) of a
/// `retrieveMessageResponse` or `submitRequest`; a part's MIME type falls back to its
/// `PartInfo` `MimeType`, then to `application/octet-stream`.
pub fn read_payloads(el: Node<'_, '_>, header: &UserMessage) -> Result<Vec<Payload>, String> {
    let mut out = Vec::new();
    for p in xml::unqualified_children(el, "payload") {
        let href = p
            .attribute("payloadId")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or("payload without payloadId")?;
        let content_id = ebms::strip_cid(href).to_string();
        let declared = header
            .parts
            .iter()
            .find(|part| part.content_id().eq_ignore_ascii_case(&content_id))
            .and_then(|part| part.mime_type());
        let mime_type = p
            .attribute("contentType")
            .or_else(|| p.attribute("mimeType"))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .or(declared)
            .unwrap_or("application/octet-stream")
            .to_string();
        let value = xml::unqualified_child(p, "value")
            .map(|v| {
                v.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect::<String>()
            })
            .unwrap_or_default();
        let bytes = decode_base64(&value)
            .map_err(|_| format!("payload {content_id} is not valid base64"))?;
        out.push(Payload {
            content_id,
            mime_type,
            bytes,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_base64_accepts_line_breaks() {
        assert_eq!(decode_base64("JVBE\r\nRi0=").unwrap(), b"%PDF-");
        assert!(decode_base64("***").is_err());
    }
}
