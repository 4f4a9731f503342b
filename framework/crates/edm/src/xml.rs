//! Hardened XML reading and canonical XML writing for EDM messages.
//!
//! Inbound documents come from other Member States through the access point; they are
//! untrusted. Before any tree is built the input is size-checked, UTF-8 checked and
//! pre-scanned (DTD, nesting depth, attributes per element, element count) in one linear,
//! non-recursive pass; only then does `roxmltree` (DTD disabled, node limit set) build
//! the tree. Everything after that walks the tree along the known EDM structure, so no
//! reader recursion depends on the input.

use roxmltree::{Document, Node, ParsingOptions};

/// `query` namespace (RegRep 4 query protocol).
pub const NS_QUERY: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0";
/// `rim` namespace (RegRep 4 information model).
pub const NS_RIM: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0";
/// `rs` namespace (RegRep 4 registry services).
pub const NS_RS: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0";
/// `sdg` namespace (SDG Generic Metadata Profile).
pub const NS_SDG: &str = "http://data.europa.eu/p4s";
/// `xsi` namespace.
pub const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// `xlink` namespace.
pub const NS_XLINK: &str = "http://www.w3.org/1999/xlink";
/// The predeclared `xml` namespace (for `xml:lang`).
pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Limits applied to every inbound document before and while its tree is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Maximum document size in bytes (default 10 MiB).
    pub max_bytes: usize,
    /// Maximum element nesting depth (default 64; real EDM messages stay below 20).
    pub max_depth: usize,
    /// Maximum attributes (namespace declarations included) on one element (default 32).
    pub max_attributes: usize,
    /// Maximum number of nodes in the document (default 200 000).
    pub max_nodes: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_depth: 64,
            max_attributes: 32,
            max_nodes: 200_000,
        }
    }
}

/// Why an inbound document was refused before any EDM rule could be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// A hardening limit was hit (`max_bytes`, `max_depth`, `max_attributes`, `max_nodes`,
    /// `dtd`, `entities`).
    Hostile(&'static str),
    /// Not well-formed (message carries position and a fixed label, never input content).
    Malformed(String),
}

/// Size check, UTF-8 check, BOM removal.
pub(crate) fn decode<'a>(bytes: &'a [u8], limits: &XmlLimits) -> Result<&'a str, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(XmlError::Hostile("max_bytes"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        XmlError::Malformed(format!(
            "input is not valid UTF-8 (byte {})",
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(XmlError::Malformed("empty document".into()));
    }
    Ok(text)
}

/// Decodes, pre-scans and parses a document under `limits`.
pub(crate) fn parse<'a>(text: &'a str, limits: &XmlLimits) -> Result<Document<'a>, XmlError> {
    prescan(text, limits)?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: u32::try_from(limits.max_nodes).unwrap_or(u32::MAX),
        entity_resolver: None,
    };
    Document::parse_with_options(text, options).map_err(map_parse_error)
}

/// Parses any other inbound document (a DSD answer) under the same hardening as EDM
/// messages: size, DTD/entity refusal, depth, attributes, node count. The error is a fixed
/// label with a position, never input content.
pub fn parse_hardened<'a>(bytes: &'a [u8], limits: &XmlLimits) -> Result<Document<'a>, String> {
    let refused = |e: XmlError| match e {
        XmlError::Hostile(limit) => format!("refused as hostile XML ({limit})"),
        XmlError::Malformed(m) => m,
    };
    let text = decode(bytes, limits).map_err(refused)?;
    parse(text, limits).map_err(refused)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One linear pass over the markup: rejects any `<!DOCTYPE`/`<!ENTITY` (so no entity can
/// ever be expanded or fetched), and enforces depth, attributes-per-element and element
/// count before the tree builder allocates anything. Well-formedness is left to the parser:
/// on anything odd the scan stops and lets `roxmltree` report the error.
fn prescan(text: &str, limits: &XmlLimits) -> Result<(), XmlError> {
    let b = text.as_bytes();
    let mut i = 0usize;
    let mut depth = 0usize;
    let mut elements = 0usize;
    while let Some(off) = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'<'))
    {
        let s = i + off;
        let rest = &b[s..];
        if rest.starts_with(b"<!--") {
            match find(&rest[4..], b"-->") {
                Some(e) => i = s + 4 + e + 3,
                None => return Ok(()),
            }
        } else if rest.starts_with(b"<![CDATA[") {
            match find(&rest[9..], b"]]>") {
                Some(e) => i = s + 9 + e + 3,
                None => return Ok(()),
            }
        } else if rest.starts_with(b"<!") {
            return Err(XmlError::Hostile("dtd"));
        } else if rest.starts_with(b"<?") {
            match find(&rest[2..], b"?>") {
                Some(e) => i = s + 2 + e + 2,
                None => return Ok(()),
            }
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = s + 2;
        } else {
            elements += 1;
            if elements > limits.max_nodes {
                return Err(XmlError::Hostile("max_nodes"));
            }
            let mut j = s + 1;
            let mut quote: Option<u8> = None;
            let mut attributes = 0usize;
            let mut end = None;
            while let Some(&c) = b.get(j) {
                match quote {
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None if c == b'"' || c == b'\'' => {
                        quote = Some(c);
                        attributes += 1;
                        if attributes > limits.max_attributes {
                            return Err(XmlError::Hostile("max_attributes"));
                        }
                    }
                    None if c == b'>' => {
                        end = Some(j);
                        break;
                    }
                    None if c == b'<' => break,
                    None => {}
                }
                j += 1;
            }
            let Some(end) = end else {
                return Ok(());
            };
            let self_closing = end > s + 1 && b[end - 1] == b'/';
            if depth + 1 > limits.max_depth {
                return Err(XmlError::Hostile("max_depth"));
            }
            if !self_closing {
                depth += 1;
            }
            i = end + 1;
        }
    }
    Ok(())
}

fn map_parse_error(e: roxmltree::Error) -> XmlError {
    use roxmltree::Error as E;
    let label = match &e {
        E::DtdDetected => return XmlError::Hostile("dtd"),
        E::NodesLimitReached => return XmlError::Hostile("max_nodes"),
        E::AttributesLimitReached => return XmlError::Hostile("max_attributes"),
        E::NamespacesLimitReached => return XmlError::Hostile("max_attributes"),
        E::EntityReferenceLoop(_) => return XmlError::Hostile("entities"),
        E::NoRootNode => "no root element",
        E::UnclosedRootNode | E::UnexpectedEndOfStream => "document is truncated",
        E::UnexpectedCloseTag(..) => "mismatched close tag",
        E::UnknownNamespace(..) => "undeclared namespace prefix",
        E::DuplicatedAttribute(..) => "duplicated attribute",
        E::DuplicatedNamespace(..) => "duplicated namespace declaration",
        E::UnknownEntityReference(..) | E::MalformedEntityReference(_) => "bad entity reference",
        E::NonXmlChar(..) => "character not allowed in XML",
        E::InvalidAttributeValue(_) => "invalid attribute value",
        E::InvalidName(_) => "invalid name",
        E::InvalidComment(_) => "invalid comment",
        _ => "syntax error",
    };
    XmlError::Malformed(format!("not well-formed XML ({label}) at {}", e.pos()))
}

/// Best-effort `@id` of a `QueryRequest` root in a document that failed to parse, so an
/// error answer can still carry `requestId`. Only a well-formed `urn:uuid:` value is kept.
pub(crate) fn sniff_request_id(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0usize;
    loop {
        let s = i + b.get(i..)?.iter().position(|&c| c == b'<')?;
        let rest = b.get(s..)?;
        if rest.starts_with(b"<?") {
            i = s + 2 + find(&rest[2..], b"?>")? + 2;
            continue;
        }
        if rest.starts_with(b"<!--") {
            i = s + 4 + find(&rest[4..], b"-->")? + 3;
            continue;
        }
        if rest.starts_with(b"<!") {
            return None;
        }
        let end = s + rest.iter().position(|&c| c == b'>')?;
        let tag = text.get(s + 1..end)?;
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next()?;
        if name.rsplit(':').next()? != "QueryRequest" {
            return None;
        }
        let mut search = tag;
        while let Some(pos) = search.find("id=") {
            let before = search[..pos].chars().last();
            let after = &search[pos + 3..];
            if before.is_some_and(char::is_whitespace) {
                let quote = after.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let value = after[1..].split(quote).next()?;
                    let value = value.trim();
                    return crate::lexical::is_urn_uuid(value).then(|| value.to_string());
                }
            }
            search = after;
        }
        return None;
    }
}

// ---------------------------------------------------------------------------------------
// Reading helpers (namespace-URI based, never prefix based).
// ---------------------------------------------------------------------------------------

/// True when `node` is the element `{ns}local`.
pub(crate) fn is(node: Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local && node.tag_name().namespace() == Some(ns)
}

/// Element children named `{ns}local`.
pub(crate) fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'static str,
    local: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| is(*c, ns, local))
}

/// First element child named `{ns}local`.
pub(crate) fn child<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'static str,
    local: &'static str,
) -> Option<Node<'a, 'i>> {
    children(node, ns, local).next()
}

/// All element children.
pub(crate) fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|c| c.is_element())
}

/// Concatenated text content of the direct text children, trimmed (comments are skipped).
pub(crate) fn text(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    for c in node.children().filter(|c| c.is_text()) {
        if let Some(t) = c.text() {
            out.push_str(t);
        }
    }
    out.trim().to_string()
}

/// Text of the first child `{ns}local`, if present.
pub(crate) fn child_text(
    node: Node<'_, '_>,
    ns: &'static str,
    local: &'static str,
) -> Option<String> {
    child(node, ns, local).map(text)
}

/// Text of the first child `{ns}local`, if present and not blank.
pub(crate) fn child_text_nonempty(
    node: Node<'_, '_>,
    ns: &'static str,
    local: &'static str,
) -> Option<String> {
    child_text(node, ns, local).filter(|t| !t.is_empty())
}

/// `substring-after(@xsi:type, ':')` (or the whole value when it has no prefix).
pub(crate) fn xsi_type<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.attribute((NS_XSI, "type"))
        .map(|t| t.trim())
        .map(|t| t.split_once(':').map_or(t, |(_, local)| local))
}

// ---------------------------------------------------------------------------------------
// Writing helpers.
// ---------------------------------------------------------------------------------------

/// Replaces characters XML 1.0 cannot carry at all, so the output is always well-formed.
fn push_clean(out: &mut String, c: char, attr: bool) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' if attr => out.push_str("&quot;"),
        '\t' if attr => out.push_str("&#9;"),
        '\n' if attr => out.push_str("&#10;"),
        '\r' => out.push_str("&#13;"),
        '\t' | '\n' => out.push(c),
        c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
        c => out.push(c),
    }
}

/// Escapes character data.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_clean(&mut out, c, false);
    }
    out
}

/// Escapes an attribute value (double-quoted; whitespace kept via character references).
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_clean(&mut out, c, true);
    }
    out
}

/// Minimal indenting writer; element names are static, prefixed names (`rim:Slot`).
pub(crate) struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// Starts a document with the XML declaration.
    pub(crate) fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.out.push_str(&escape_attr(v));
            self.out.push('"');
        }
    }

    /// `<name attrs>` on its own line; children follow.
    pub(crate) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// `</name>`.
    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs>text</name>`.
    pub(crate) fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        self.out.push_str(&escape_text(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs/>`.
    pub(crate) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// Optional leaf: written only when `text` is `Some`.
    pub(crate) fn opt_leaf(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.leaf(name, &[], t);
        }
    }

    /// The finished document.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Namespace declarations of every document we write (prefixes `query rim rs sdg xsi xlink`).
pub(crate) const ROOT_NAMESPACES: [(&str, &str); 6] = [
    ("xmlns:query", NS_QUERY),
    ("xmlns:rim", NS_RIM),
    ("xmlns:rs", NS_RS),
    ("xmlns:sdg", NS_SDG),
    ("xmlns:xsi", NS_XSI),
    ("xmlns:xlink", NS_XLINK),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_whitespace() {
        assert_eq!(escape_text("a<b>&c\r"), "a&lt;b&gt;&amp;c&#13;");
        assert_eq!(escape_attr("\"x\"\t\n"), "&quot;x&quot;&#9;&#10;");
        assert_eq!(escape_text("bell\u{7}"), "bell\u{fffd}");
    }

    #[test]
    fn prescan_rejects_dtd_depth_and_attributes() {
        let l = XmlLimits::default();
        assert_eq!(
            prescan("<!DOCTYPE a><a/>", &l),
            Err(XmlError::Hostile("dtd"))
        );
        let deep = "<a>".repeat(65);
        assert_eq!(prescan(&deep, &l), Err(XmlError::Hostile("max_depth")));
        let ok = format!("{}{}", "<a>".repeat(64), "</a>".repeat(64));
        assert_eq!(prescan(&ok, &l), Ok(()));
        let attrs: String = (0..33).map(|i| format!(" a{i}='1'")).collect();
        assert_eq!(
            prescan(&format!("<a{attrs}/>"), &l),
            Err(XmlError::Hostile("max_attributes"))
        );
        // Markup-like content in comments, CDATA and attribute values is not counted.
        assert_eq!(
            prescan("<a b='<c>'><!-- <x><x> --><![CDATA[<y><y>]]></a>", &l),
            Ok(())
        );
    }

    #[test]
    fn sniffs_request_id_of_truncated_document() {
        let t = "<?xml version='1.0'?><query:QueryRequest xmlns:query='q' id=\"urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797\"><rim:Slot";
        assert_eq!(
            sniff_request_id(t).as_deref(),
            Some("urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797")
        );
        assert_eq!(
            sniff_request_id("<other id='urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797'>"),
            None
        );
        assert_eq!(
            sniff_request_id("<QueryRequest xid='urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797'>"),
            None
        );
    }
}
