//! Exclusive XML Canonicalization 1.0, without comments
//! (<http://www.w3.org/2001/10/xml-exc-c14n#>), of an element and its descendants: what
//! every AS4 signature digests (the `eb:Messaging` block, the SOAP Body, `ds:SignedInfo`,
//! XML attachments).
//!
//! Works on a `roxmltree` document, reading element and attribute prefixes from the source
//! text (the tree keeps only namespace URIs, and the canonical form keeps the prefixes).
//! An `InclusiveNamespaces PrefixList` is honoured, including prefixes declared only on
//! ancestors of the subtree (phase4 signs `eb:Messaging` with `PrefixList="S12"` while the
//! Envelope declares `S12`).

use std::collections::BTreeMap;

use roxmltree::{Node, NodeType};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Deepest element nesting canonicalised (the apex is depth 1). The walk recurses once
/// per level and its input comes from the network: without a cap, a deeply nested
/// element (the parsers cap nodes, not depth) overflows the stack and aborts the whole
/// process. Real AS4 headers and EDM payloads nest fewer than 30 levels.
pub const MAX_DEPTH: usize = 256;

/// Why a subtree cannot be canonicalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum C14nError {
    /// The node is not an element.
    #[error("only an element can be canonicalised")]
    NotAnElement,
    /// A prefix is used without a declaration in scope (the parser normally refuses it).
    #[error("prefix `{0}` is not declared")]
    UndeclaredPrefix(String),
    /// The subtree nests deeper than [`MAX_DEPTH`].
    #[error("elements nest deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

impl C14nError {
    /// The stable error code, for logs.
    pub fn code(&self) -> &'static str {
        match self {
            C14nError::NotAnElement => "C14N_NOT_ELEMENT",
            C14nError::UndeclaredPrefix(_) => "C14N_UNDECLARED_PREFIX",
            C14nError::TooDeep => "C14N_TOO_DEEP",
        }
    }
}

/// The canonical form of `apex` and its descendants. `inclusive` is the
/// `InclusiveNamespaces PrefixList` (`#default` names the default namespace).
pub fn canonicalize(apex: Node<'_, '_>, inclusive: &[&str]) -> Result<Vec<u8>, C14nError> {
    if !apex.is_element() {
        return Err(C14nError::NotAnElement);
    }
    let mut out = Vec::with_capacity(apex.range().len() + 64);
    let source = apex.document().input_text();
    let inclusive: Vec<&str> = inclusive
        .iter()
        .map(|p| if *p == "#default" { "" } else { *p })
        .collect();
    element(apex, source, &inclusive, &BTreeMap::new(), 1, &mut out)?;
    Ok(out)
}

/// The prefix of a qualified name (`""` for none).
fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map(|(p, _)| p).unwrap_or("")
}

/// The element's qualified name as written in the source.
fn element_qname<'a>(node: Node<'_, '_>, source: &'a str) -> &'a str {
    let start = node.range().start + 1;
    let rest = source.get(start..).unwrap_or("");
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The namespace a prefix is bound to in the element's scope (`""` for the default
/// namespace when none is declared).
fn in_scope<'a>(node: Node<'a, '_>, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        Some(node.lookup_namespace_uri(None).unwrap_or(""))
    } else {
        node.lookup_namespace_uri(Some(prefix))
    }
}

fn element(
    node: Node<'_, '_>,
    source: &str,
    inclusive: &[&str],
    rendered: &BTreeMap<String, String>,
    depth: usize,
    out: &mut Vec<u8>,
) -> Result<(), C14nError> {
    if depth > MAX_DEPTH {
        return Err(C14nError::TooDeep);
    }
    let qname = element_qname(node, source);
    // Namespaces visibly utilised here, and the ones the prefix list asks for.
    let mut wanted: BTreeMap<&str, &str> = BTreeMap::new();
    let own = prefix_of(qname);
    let uri = in_scope(node, own).ok_or_else(|| C14nError::UndeclaredPrefix(own.to_owned()))?;
    wanted.insert(own, uri);
    let mut attributes = Vec::new();
    for a in node.attributes() {
        let range = a.range_qname();
        let name = source.get(range).unwrap_or(a.name());
        let prefix = prefix_of(name);
        if !prefix.is_empty() && prefix != "xml" {
            let uri = in_scope(node, prefix)
                .ok_or_else(|| C14nError::UndeclaredPrefix(prefix.to_owned()))?;
            wanted.insert(prefix, uri);
        }
        let ns = if prefix == "xml" {
            XML_NS
        } else {
            a.namespace().unwrap_or("")
        };
        attributes.push((ns, a.name(), name, a.value()));
    }
    for p in inclusive {
        if let Some(uri) = in_scope(node, p)
            && !(p.is_empty() && uri.is_empty())
        {
            wanted.entry(p).or_insert(uri);
        }
    }
    let mut now = rendered.clone();
    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    // Default namespace first, then by prefix: a BTreeMap over &str sorts "" first.
    for (prefix, uri) in &wanted {
        let before = rendered.get(*prefix).map(String::as_str).unwrap_or("");
        let shown = rendered.contains_key(*prefix);
        let needed = if prefix.is_empty() {
            // xmlns="" only undoes a default namespace an output ancestor declared.
            before != *uri
        } else {
            !shown || before != *uri
        };
        if needed {
            if prefix.is_empty() {
                out.extend_from_slice(b" xmlns=\"");
            } else {
                out.extend_from_slice(b" xmlns:");
                out.extend_from_slice(prefix.as_bytes());
                out.extend_from_slice(b"=\"");
            }
            escape_attribute(uri, out);
            out.push(b'"');
            now.insert((*prefix).to_owned(), (*uri).to_owned());
        }
    }
    attributes.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, _, name, value) in attributes {
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attribute(value, out);
        out.push(b'"');
    }
    out.push(b'>');
    for child in node.children() {
        match child.node_type() {
            NodeType::Element => element(child, source, inclusive, &now, depth + 1, out)?,
            NodeType::Text => escape_text(child.text().unwrap_or(""), out),
            NodeType::PI => {
                if let Some(pi) = child.pi() {
                    out.extend_from_slice(b"<?");
                    out.extend_from_slice(pi.target.as_bytes());
                    if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                        out.push(b' ');
                        out.extend_from_slice(value.as_bytes());
                    }
                    out.extend_from_slice(b"?>");
                }
            }
            NodeType::Comment | NodeType::Root => {}
        }
    }
    out.extend_from_slice(b"</");
    out.extend_from_slice(qname.as_bytes());
    out.push(b'>');
    Ok(())
}

fn escape_text(text: &str, out: &mut Vec<u8>) {
    for b in text.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'\r' => out.extend_from_slice(b"&#xD;"),
            other => out.push(other),
        }
    }
}

fn escape_attribute(value: &str, out: &mut Vec<u8>) {
    for b in value.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\t' => out.extend_from_slice(b"&#x9;"),
            b'\n' => out.extend_from_slice(b"&#xA;"),
            b'\r' => out.extend_from_slice(b"&#xD;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, id: &str, inclusive: &[&str]) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let node = doc
            .descendants()
            .find(|n| n.attributes().any(|a| a.name() == "Id" && a.value() == id))
            .unwrap();
        String::from_utf8(canonicalize(node, inclusive).unwrap()).unwrap()
    }

    #[test]
    fn only_visibly_utilised_namespaces_from_ancestors_are_rendered() {
        let xml = r#"<S12:Envelope xmlns:S12="http://www.w3.org/2003/05/soap-envelope" xmlns:wsu="urn:wsu" xmlns:unused="urn:x"><S12:Header><eb:Messaging xmlns:eb="urn:eb" S12:mustUnderstand="true" wsu:Id="m"><eb:A b="2" a="1"/><eb:T>x &amp; &lt;y&gt;&#13;</eb:T><!-- gone --></eb:Messaging></S12:Header></S12:Envelope>"#;
        assert_eq!(
            c14n(xml, "m", &[]),
            r#"<eb:Messaging xmlns:S12="http://www.w3.org/2003/05/soap-envelope" xmlns:eb="urn:eb" xmlns:wsu="urn:wsu" S12:mustUnderstand="true" wsu:Id="m"><eb:A a="1" b="2"></eb:A><eb:T>x &amp; &lt;y&gt;&#xD;</eb:T></eb:Messaging>"#
        );
    }

    #[test]
    fn the_prefix_list_forces_an_ancestor_s_declaration() {
        // phase4: Messaging uses ns6 for SOAP itself, the PrefixList forces S12 as well.
        let xml = r#"<S12:Envelope xmlns:S12="http://www.w3.org/2003/05/soap-envelope"><S12:Header><eb:Messaging xmlns:eb="urn:eb" xmlns:ns6="http://www.w3.org/2003/05/soap-envelope" xmlns:wsu="urn:wsu" ns6:mustUnderstand="true" wsu:Id="m"/></S12:Header></S12:Envelope>"#;
        assert_eq!(
            c14n(xml, "m", &["S12"]),
            r#"<eb:Messaging xmlns:S12="http://www.w3.org/2003/05/soap-envelope" xmlns:eb="urn:eb" xmlns:ns6="http://www.w3.org/2003/05/soap-envelope" xmlns:wsu="urn:wsu" ns6:mustUnderstand="true" wsu:Id="m"></eb:Messaging>"#
        );
    }

    #[test]
    fn default_namespaces_are_declared_once_and_undone_when_needed() {
        let xml = r#"<r xmlns="urn:d" xmlns:w="urn:wsu" w:Id="a"><c><e xmlns=""><f attr="v&#9;&quot;"/></e></c></r>"#;
        assert_eq!(
            c14n(xml, "a", &[]),
            "<r xmlns=\"urn:d\" xmlns:w=\"urn:wsu\" w:Id=\"a\"><c><e xmlns=\"\"><f attr=\"v&#x9;&quot;\"></f></e></c></r>"
        );
        // Without a default namespace anywhere, no xmlns="" appears.
        let xml = r#"<r xmlns:w="urn:wsu" w:Id="a"><c/></r>"#;
        assert_eq!(
            c14n(xml, "a", &[]),
            "<r xmlns:w=\"urn:wsu\" w:Id=\"a\"><c></c></r>"
        );
    }

    #[test]
    fn attributes_sort_by_namespace_then_local_name() {
        let xml = r#"<r xmlns:b="urn:b" xmlns:a="urn:a" xmlns:w="urn:w" w:Id="x" z="1" b:y="2" a:y="3" xml:lang="en"/>"#;
        assert_eq!(
            c14n(xml, "x", &[]),
            "<r xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns:w=\"urn:w\" z=\"1\" xml:lang=\"en\" a:y=\"3\" b:y=\"2\" w:Id=\"x\"></r>"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let nested = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let ok = nested(MAX_DEPTH);
        let doc = roxmltree::Document::parse(&ok).unwrap();
        assert!(canonicalize(doc.root_element(), &[]).is_ok());
        // Before the cap, an XML attachment nested 60,000 deep given to `wss::open`
        // overflowed the stack (process abort) before any signature was checked.
        for depth in [MAX_DEPTH + 1, 100_000] {
            let deep = nested(depth);
            let doc = roxmltree::Document::parse(&deep).unwrap();
            let err = canonicalize(doc.root_element(), &[]).unwrap_err();
            assert_eq!(err.code(), "C14N_TOO_DEEP");
        }
    }
}
