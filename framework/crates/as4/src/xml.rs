//! Hardened XML reading and escaping shared by the gateway modules.
//!
//! Everything the gateway reads comes from the network (Domibus answers, push calls), so
//! documents are parsed with DTDs refused, a byte limit and a node limit. Elements are
//! matched by namespace URI and local name, never by prefix: Domibus re-prefixes freely.

use roxmltree::{Document, Node, ParsingOptions};

/// Node limit for any gateway document: generous for SOAP envelopes, low enough to stop
/// a hostile document from exhausting memory.
const MAX_NODES: u32 = 200_000;

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// The text is larger than the caller allows.
    #[error("document of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// The text is not well-formed XML (or carries a DTD).
    #[error("not well-formed XML: {0}")]
    Syntax(#[from] roxmltree::Error),
}

/// Parses `text` with DTDs disallowed, a size limit and a node limit; tolerates a BOM.
pub fn parse(text: &str, max_bytes: usize) -> Result<Document<'_>, XmlError> {
    if text.len() > max_bytes {
        return Err(XmlError::TooLarge {
            size: text.len(),
            limit: max_bytes,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    Ok(Document::parse_with_options(text, opts)?)
}

/// True when `node` is the element `{ns}local`.
pub fn is(node: Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local && node.tag_name().namespace() == Some(ns)
}

/// First child element `{ns}local`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, ns, local))
}

/// All child elements `{ns}local`.
pub fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'a str,
    local: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| is(*c, ns, local))
}

/// First child element named `local` without a namespace (Domibus body children are
/// unqualified), also accepting a qualified one from lenient peers.
pub fn unqualified_child<'a, 'i>(node: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == local)
}

/// All child elements named `local`, qualified or not (see [`unqualified_child`]).
pub fn unqualified_children<'a, 'i>(
    node: Node<'a, 'i>,
    local: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == local)
}

/// First element child, whatever its name.
pub fn first_element<'a, 'i>(node: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.is_element())
}

/// The element's text content (all descendant text), trimmed; `None` when empty.
pub fn text(node: Node<'_, '_>) -> Option<String> {
    let mut out = String::new();
    for d in node.descendants().filter(|d| d.is_text()) {
        out.push_str(d.text().unwrap_or_default());
    }
    let trimmed = out.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

// One XML escaper for the whole crate: the EDM writer's (it also drops characters XML
// cannot carry).
pub use oots_edm::{escape_attr, escape_text};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dtd_and_oversize() {
        let dtd = "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>";
        assert!(matches!(parse(dtd, 1024), Err(XmlError::Syntax(_))));
        assert!(matches!(
            parse("<x/>", 2),
            Err(XmlError::TooLarge { size: 4, limit: 2 })
        ));
        assert!(parse("\u{feff}<x/>", 1024).is_ok());
    }

    #[test]
    fn escaping_round_trips_through_the_parser() {
        let nasty = "a<b>&c\"d'e\r\n\tf";
        let xml = format!("<x a=\"{}\">{}</x>", escape_attr(nasty), escape_text(nasty));
        let doc = parse(&xml, 1024).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("a"), Some(nasty));
        assert_eq!(root.text(), Some(nasty));
    }
}
