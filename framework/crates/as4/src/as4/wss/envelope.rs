//! The received envelope's structure, checked before anything is decrypted or verified
//! (against signature wrapping and header blocks we would silently ignore).

use roxmltree::{Document, Node};

use super::*;

/// The parts of an envelope a receiver processes.
pub(super) struct Blocks<'a, 'i> {
    /// The SOAP Body.
    pub(super) body: Node<'a, 'i>,
    /// The one `eb:Messaging` header block.
    pub(super) messaging: Node<'a, 'i>,
    /// The `wsse:Security` header block, if any.
    pub(super) security: Option<Node<'a, 'i>>,
}

/// Whether a SOAP 1.2 header block says the receiver must process it.
fn must_understand(node: Node<'_, '_>) -> bool {
    matches!(
        node.attribute((SOAP12_NS, "mustUnderstand")).map(str::trim),
        Some("true" | "1")
    )
}

/// The envelope's structure, checked before anything is decrypted or verified: a Header
/// then a Body; in the Header at most one `wsse:Security` and exactly one `eb:Messaging`,
/// which is the only ebMS element anywhere in the envelope (a second copy, in a header,
/// in `wsse:Security` or in the Body, is how a signature is wrapped); no other header
/// block the sender marks `mustUnderstand` (we would ignore what it says).
pub(super) fn header_blocks<'a, 'i>(doc: &'a Document<'i>) -> Result<Blocks<'a, 'i>, WssError> {
    let ebms_ns = crate::ebms::EBMS_NS;
    let envelope = doc.root_element();
    let elements: Vec<Node<'_, '_>> = envelope.children().filter(|c| c.is_element()).collect();
    let [header, body] = elements[..] else {
        return Err(WssError::InvalidHeader(
            "the envelope must hold a SOAP Header and a Body, nothing else".into(),
        ));
    };
    if !xml::is(header, SOAP12_NS, "Header") || !xml::is(body, SOAP12_NS, "Body") {
        return Err(WssError::InvalidHeader(
            "the envelope must hold a SOAP Header and a Body, in this order".into(),
        ));
    }
    let messagings: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| xml::is(*n, ebms_ns, "Messaging"))
        .collect();
    let messaging = match messagings[..] {
        [] => return Err(WssError::InvalidHeader("no eb:Messaging header".into())),
        [one] => one,
        _ => {
            return Err(WssError::FailedAuthentication(
                "more than one eb:Messaging in the envelope".into(),
            ));
        }
    };
    if messaging.parent() != Some(header) {
        return Err(WssError::FailedAuthentication(
            "eb:Messaging is not a block of the SOAP header".into(),
        ));
    }
    if let Some(stray) = doc.descendants().find(|n| {
        n.is_element()
            && n.tag_name().namespace() == Some(ebms_ns)
            && !n.ancestors().any(|a| a == messaging)
    }) {
        return Err(WssError::FailedAuthentication(format!(
            "eb:{} outside the eb:Messaging header",
            stray.tag_name().name()
        )));
    }
    let mut security = None;
    for block in header.children().filter(|c| c.is_element()) {
        if xml::is(block, WSSE_NS, "Security") {
            if security.replace(block).is_some() {
                return Err(WssError::PolicyNoncompliance(
                    "more than one wsse:Security header".into(),
                ));
            }
        } else if block != messaging && must_understand(block) {
            return Err(WssError::PolicyNoncompliance(format!(
                "header block {{{}}}{} must be understood and is not processed here",
                block.tag_name().namespace().unwrap_or(""),
                block.tag_name().name()
            )));
        }
    }
    Ok(Blocks {
        body,
        messaging,
        security,
    })
}
