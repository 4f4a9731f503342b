//! `submitRequest`: what the backend sends to the network. Checked as Domibus checks it
//! (the `eb:Messaging` header, every payload named and base64, every `PartInfo` with its
//! payload, no message id twice), then handed to [`DomibusSimulator::next_submitted`]
//! and reported with a `sendSuccess` push.
//!
//! [`DomibusSimulator::next_submitted`]: super::DomibusSimulator::next_submitted

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use oots_as4::OutboundMessage;
use oots_as4::domibus::soap::{self, FaultSide};
use oots_as4::domibus::wire::{self, decode_base64, read_payloads};
use oots_as4::ebms::{self, EBMS_NS, UserMessage};
use oots_edm::escape_text;

use super::SimState;
use super::push::spawn_push;
use super::reply::{Answer, body_open, fault, ok};

/// Answers one `submitRequest`.
pub(super) fn submit(
    state: &Arc<SimState>,
    doc: &roxmltree::Document<'_>,
    op: roxmltree::Node<'_, '_>,
) -> Answer {
    if refuse_one(state) {
        return (StatusCode::SERVICE_UNAVAILABLE, String::new());
    }
    let header = match read_header(doc) {
        Ok(h) => h,
        Err(f) => return f,
    };
    if let Err(f) = check_payloads(op, &header) {
        return f;
    }
    let payloads = match read_payloads(op, &header) {
        Ok(p) => p,
        Err(e) => return fault(FaultSide::Sender, "Invalid request", "WS_PLUGIN:0005", &e),
    };
    let id = header.message_id.clone();
    if let Err(f) = record_sent(state, &id) {
        return f;
    }
    report(state, OutboundMessage { header, payloads });
    ok(soap::envelope_no_header(&format!(
        "{}<messageID>{}</messageID></ns2:submitResponse>",
        body_open("submitResponse"),
        escape_text(&id)
    )))
}

/// True when this submission is one of those to refuse ([`super::DomibusSimulator::fail_submits`]).
fn refuse_one(state: &SimState) -> bool {
    state
        .refuse_submits
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// The submitted `eb:Messaging` header, with the message id and time Domibus fills in
/// when the backend leaves them out.
fn read_header(doc: &roxmltree::Document<'_>) -> Result<UserMessage, Answer> {
    let Some(messaging) = soap::header(doc).and_then(|h| wire::child(h, EBMS_NS, "Messaging"))
    else {
        return Err(fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0007",
            "Missing Messaging header",
        ));
    };
    ebms::parse_submitted_messaging(messaging, || {
        (format!("{}@domibus.simulator", uuid::Uuid::new_v4()), now())
    })
    .map_err(|e| {
        fault(
            FaultSide::Sender,
            "Message submission failed",
            "EBMS:0009",
            &e.to_string(),
        )
    })
}

/// Every `payload` has a `payloadId` and a base64 value, and every `PartInfo` of the
/// header has its payload: the WS_PLUGIN:0005 faults otherwise.
fn check_payloads(op: roxmltree::Node<'_, '_>, header: &UserMessage) -> Result<(), Answer> {
    for p in wire::unqualified_children(op, "payload") {
        if p.attribute("payloadId").is_none_or(|v| v.trim().is_empty()) {
            return Err(fault(
                FaultSide::Sender,
                "Invalid request",
                "WS_PLUGIN:0005",
                "Attribute 'payloadId' of the 'payload' element must not be empty",
            ));
        }
        let value = wire::unqualified_child(p, "value")
            .and_then(|v| v.text())
            .unwrap_or_default();
        if decode_base64(value).is_err() {
            return Err(fault(
                FaultSide::Sender,
                "Invalid request",
                "WS_PLUGIN:0005",
                "Payload value is not base64",
            ));
        }
    }
    let hrefs: Vec<&str> = wire::unqualified_children(op, "payload")
        .filter_map(|p| p.attribute("payloadId"))
        .map(str::trim)
        .collect();
    if let Some(missing) = header
        .parts
        .iter()
        .find(|part| !hrefs.iter().any(|h| h.eq_ignore_ascii_case(&part.href)))
    {
        return Err(fault(
            FaultSide::Sender,
            &format!("No payload found for PartInfo with href: {}", missing.href),
            "WS_PLUGIN:0005",
            &missing.href,
        ));
    }
    Ok(())
}

/// Records the message as sent (`ACKNOWLEDGED`); a message id already submitted is the
/// EBMS:0004 fault.
fn record_sent(state: &SimState, id: &str) -> Result<(), Answer> {
    let mut store = state.store();
    if store.sent.contains_key(id) {
        return Err(fault(
            FaultSide::Receiver,
            "Message submission failed",
            "EBMS:0004",
            &format!("Message with id [{id}] already exists"),
        ));
    }
    store.sent.insert(id.to_owned(), "ACKNOWLEDGED");
    Ok(())
}

/// Hands the message to [`super::DomibusSimulator::next_submitted`] and pushes its
/// delivery report, or holds the report while reports are held.
fn report(state: &Arc<SimState>, message: OutboundMessage) {
    let id = message.header.message_id.clone();
    // The receiver may have gone away (test finished): the submission still succeeded.
    let _ = state.submitted_tx.send(message);
    let held = {
        let mut held = state.held_reports.lock().unwrap_or_else(|e| e.into_inner());
        held.as_mut().map(|h| h.push(id.clone())).is_some()
    };
    if !held {
        spawn_push(state.clone(), "sendSuccess", id);
    }
}

/// The time Domibus stamps on a submission that has none.
fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}
