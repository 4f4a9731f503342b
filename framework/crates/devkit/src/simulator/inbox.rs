//! What the backend downloads: retrieving a delivered message, marking it downloaded,
//! the pending list, and message status.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use oots_as4::domibus::soap;
use oots_as4::ebms::EBMS_NS;
use oots_edm::{escape_attr, escape_text};

use super::reply::{Answer, body_open, message_id, not_found, ok};
use super::{SimState, pending};

/// `retrieveMessage`: a pending message's header and payloads (base64), marked as
/// downloaded unless `markAsDownloaded="false"`.
pub(super) fn retrieve(state: &Arc<SimState>, op: roxmltree::Node<'_, '_>) -> Answer {
    let id = match message_id(op) {
        Ok(id) => id,
        Err(f) => return f,
    };
    let mark = op
        .attribute("markAsDownloaded")
        .is_none_or(|v| v.trim() != "false");
    let mut store = state.store();
    let Some(msg) = store.find_mut(&id).filter(|r| !r.downloaded) else {
        return not_found(&id);
    };
    if mark {
        msg.downloaded = true;
    }
    let header = msg.header.to_xml_with_prefix(
        "ns5",
        &format!(
            "xmlns:xmime=\"{}\" xmlns:ns4=\"{}\"",
            soap::XMIME_NS,
            soap::WSPLUGIN_NS
        ),
    );
    let mut body = body_open("retrieveMessageResponse");
    for p in &msg.payloads {
        body.push_str(&format!(
            "<payload payloadId=\"cid:{}\" contentType=\"{}\"><value>{}</value></payload>",
            escape_attr(&p.content_id),
            escape_attr(&p.mime_type),
            BASE64.encode(&p.bytes)
        ));
    }
    body.push_str("</ns2:retrieveMessageResponse>");
    ok(soap::envelope(&header, &body))
}

/// `markMessageAsDownloaded`: the message leaves the pending list.
pub(super) fn mark_downloaded(state: &Arc<SimState>, op: roxmltree::Node<'_, '_>) -> Answer {
    let id = match message_id(op) {
        Ok(id) => id,
        Err(f) => return f,
    };
    let mut store = state.store();
    let Some(msg) = store.find_mut(&id).filter(|r| !r.downloaded) else {
        return not_found(&id);
    };
    msg.downloaded = true;
    ok(soap::envelope_no_header(&format!(
        "{}<messageID>{}</messageID></ns2:markMessageAsDownloadedResponse>",
        body_open("markMessageAsDownloadedResponse"),
        escape_text(&id)
    )))
}

/// `listPendingMessages`: the ids not yet downloaded, in arrival order.
pub(super) fn list_pending(state: &Arc<SimState>) -> String {
    let mut body = body_open("listPendingMessagesResponse");
    for id in pending(&state.store()) {
        body.push_str(&format!("<messageID>{}</messageID>", escape_text(&id)));
    }
    body.push_str("</ns2:listPendingMessagesResponse>");
    soap::envelope_no_header(&body)
}

/// `getStatus`: a submitted message's status, or a received one's.
pub(super) fn get_status(state: &Arc<SimState>, op: roxmltree::Node<'_, '_>) -> Answer {
    let id = match message_id(op) {
        Ok(id) => id,
        Err(f) => return f,
    };
    let store = state.store();
    let status = store
        .sent
        .get(&id)
        .copied()
        .unwrap_or_else(|| match store.find(&id) {
            Some(r) if r.downloaded => "DOWNLOADED",
            Some(_) => "RECEIVED",
            None => "NOT_FOUND",
        });
    ok(soap::envelope_no_header(&format!(
        "<ns2:getStatusResponse xmlns:ns2=\"{}\" xmlns:ns3=\"{EBMS_NS}\">{status}</ns2:getStatusResponse>",
        soap::WSPLUGIN_NS
    )))
}
