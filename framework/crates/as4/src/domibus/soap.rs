//! SOAP 1.2 envelopes and faults as the Domibus WS plugin writes and reads them.

use roxmltree::{Document, Node};

use crate::xml::{self, XmlError};

/// SOAP 1.2 envelope namespace (what Domibus speaks).
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1 envelope namespace (accepted on input from lenient peers).
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// Namespace of the WS plugin's body elements (`tns`); their children are unqualified.
pub const WSPLUGIN_NS: &str = "http://eu.domibus.wsplugin/";
/// Namespace of the push (backend) interface: literally `eu.domibus`, not a URI.
pub const BACKEND_NS: &str = "eu.domibus";
/// HTTP content type of a SOAP 1.2 message.
pub const SOAP12_CONTENT_TYPE: &str = "application/soap+xml;charset=UTF-8";
/// XOP/MTOM namespace Domibus declares on its answers.
pub const XMIME_NS: &str = "http://www.w3.org/2005/05/xmlmime";

/// A SOAP 1.2 envelope with prefix `soap`; `header` and `body` are already-escaped XML.
pub fn envelope(header: &str, body: &str) -> String {
    let mut s = String::with_capacity(header.len() + body.len() + 200);
    s.push_str("<soap:Envelope xmlns:soap=\"");
    s.push_str(SOAP12_NS);
    s.push_str("\">");
    if header.is_empty() {
        s.push_str("<soap:Header/>");
    } else {
        s.push_str("<soap:Header>");
        s.push_str(header);
        s.push_str("</soap:Header>");
    }
    s.push_str("<soap:Body>");
    s.push_str(body);
    s.push_str("</soap:Body></soap:Envelope>");
    s
}

/// A SOAP 1.2 envelope without `soap:Header`, as Domibus writes most answers.
pub fn envelope_no_header(body: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP12_NS}\"><soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

/// Why a SOAP message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SoapError {
    /// Not well-formed or refused XML.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The root is not a SOAP envelope.
    #[error("not a SOAP envelope")]
    NotEnvelope,
    /// The SOAP body has no element.
    #[error("SOAP body is empty")]
    EmptyBody,
}

/// Parses a SOAP envelope (1.2, or 1.1 for leniency) with the hardened reader.
pub fn parse(text: &str, max_bytes: usize) -> Result<Document<'_>, SoapError> {
    let doc = xml::parse(text, max_bytes)?;
    let root = doc.root_element();
    if !(xml::is(root, SOAP12_NS, "Envelope") || xml::is(root, SOAP11_NS, "Envelope")) {
        return Err(SoapError::NotEnvelope);
    }
    Ok(doc)
}

fn envelope_ns<'a>(doc: &'a Document<'_>) -> &'a str {
    doc.root_element()
        .tag_name()
        .namespace()
        .unwrap_or(SOAP12_NS)
}

/// The `soap:Header` element, if any.
pub fn header<'a, 'i>(doc: &'a Document<'i>) -> Option<Node<'a, 'i>> {
    xml::child(doc.root_element(), envelope_ns(doc), "Header")
}

/// The first element inside `soap:Body` (the operation element).
pub fn body_element<'a, 'i>(doc: &'a Document<'i>) -> Result<Node<'a, 'i>, SoapError> {
    xml::child(doc.root_element(), envelope_ns(doc), "Body")
        .and_then(xml::first_element)
        .ok_or(SoapError::EmptyBody)
}

/// A SOAP fault, with the WS plugin's `FaultDetail` when present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `FaultDetail/code` (e.g. `WS_PLUGIN:0009`, `EBMS:0003`), else the SOAP fault code.
    pub code: String,
    /// `FaultDetail/message`, else the fault reason.
    pub message: String,
}

/// The fault carried by the body, if the body is a fault.
pub fn fault(doc: &Document<'_>) -> Option<Fault> {
    let ns = envelope_ns(doc);
    let body = xml::child(doc.root_element(), ns, "Body")?;
    let fault = xml::child(body, ns, "Fault")?;
    let reason = if ns == SOAP12_NS {
        xml::child(fault, ns, "Reason")
            .and_then(|r| xml::child(r, ns, "Text"))
            .and_then(xml::text)
    } else {
        xml::unqualified_child(fault, "faultstring").and_then(xml::text)
    };
    let soap_code = if ns == SOAP12_NS {
        xml::child(fault, ns, "Code")
            .and_then(|c| xml::child(c, ns, "Value"))
            .and_then(xml::text)
    } else {
        xml::unqualified_child(fault, "faultcode").and_then(xml::text)
    };
    // FaultDetail (WS plugin) or BackendFaultDetail (push side); children unqualified.
    let detail = fault.descendants().find(|n| {
        n.is_element() && matches!(n.tag_name().name(), "FaultDetail" | "BackendFaultDetail")
    });
    let detail_code = detail
        .and_then(|d| xml::unqualified_child(d, "code"))
        .and_then(xml::text);
    let detail_message = detail
        .and_then(|d| xml::unqualified_child(d, "message"))
        .and_then(xml::text);
    Some(Fault {
        code: detail_code
            .or(soap_code)
            .unwrap_or_else(|| "soap:Fault".to_string()),
        message: detail_message.or(reason).unwrap_or_default(),
    })
}

/// Who is at fault, as SOAP 1.2 says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultSide {
    /// The caller (`env:Sender`).
    Sender,
    /// The service (`env:Receiver`).
    Receiver,
}

/// A fault envelope shaped like Domibus 5.2 writes it (`ns2:FaultDetail` with unqualified
/// `code` and `message`).
pub fn fault_envelope(side: FaultSide, reason: &str, code: &str, message: &str) -> String {
    let value = match side {
        FaultSide::Sender => "soap:Sender",
        FaultSide::Receiver => "soap:Receiver",
    };
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP12_NS}\"><soap:Body><soap:Fault><soap:Code><soap:Value>{value}</soap:Value></soap:Code>\
<soap:Reason><soap:Text xml:lang=\"en\">{reason}</soap:Text></soap:Reason><soap:Detail>\
<ns2:FaultDetail xmlns:xmime=\"{XMIME_NS}\" xmlns:ns5=\"{SOAP12_NS}\" xmlns:ns3=\"{ebms}\" xmlns:ns2=\"{WSPLUGIN_NS}\">\
<code>{code}</code><message>{message}</message></ns2:FaultDetail></soap:Detail></soap:Fault></soap:Body></soap:Envelope>",
        reason = xml::escape_text(reason),
        code = xml::escape_text(code),
        message = xml::escape_text(message),
        ebms = crate::ebms::EBMS_NS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_domibus_fault() {
        // Shape of a real 5.2 submission refusal.
        let text = r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">Message submission failed</soap:Text></soap:Reason><soap:Detail><ns2:FaultDetail xmlns:ns2="http://eu.domibus.wsplugin/"><code>EBMS:0003</code><message>ValueInconsistent detail: Receiver party could not be found</message></ns2:FaultDetail></soap:Detail></soap:Fault></soap:Body></soap:Envelope>"#;
        let doc = parse(text, 1 << 20).unwrap();
        let f = fault(&doc).unwrap();
        assert_eq!(f.code, "EBMS:0003");
        assert!(f.message.starts_with("ValueInconsistent"));
    }

    #[test]
    fn fault_envelope_round_trips() {
        let text = fault_envelope(
            FaultSide::Sender,
            "bad <id>",
            "WS_PLUGIN:0009",
            "No message with id [a&b]",
        );
        let doc = parse(&text, 1 << 20).unwrap();
        assert_eq!(
            fault(&doc),
            Some(Fault {
                code: "WS_PLUGIN:0009".into(),
                message: "No message with id [a&b]".into()
            })
        );
    }

    #[test]
    fn fault_without_detail_uses_soap_code_and_reason() {
        let text = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault><faultcode>S:Client</faultcode><faultstring>nope</faultstring></S:Fault></S:Body></S:Envelope>"#;
        let doc = parse(text, 1 << 20).unwrap();
        assert_eq!(
            fault(&doc),
            Some(Fault {
                code: "S:Client".into(),
                message: "nope".into()
            })
        );
    }

    #[test]
    fn envelope_is_soap12_and_body_element_is_found() {
        let text = envelope("", "<ws:x xmlns:ws=\"http://eu.domibus.wsplugin/\"/>");
        let doc = parse(&text, 1 << 20).unwrap();
        let el = body_element(&doc).unwrap();
        assert!(xml::is(el, WSPLUGIN_NS, "x"));
        assert!(fault(&doc).is_none());
        assert!(matches!(parse("<x/>", 100), Err(SoapError::NotEnvelope)));
    }
}
