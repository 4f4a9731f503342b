//! The simulator's SOAP answers: success envelopes, the faults Domibus gives (with their
//! `WS_PLUGIN` codes), and the opening of a body element as Domibus writes it.

use axum::http::StatusCode;
use oots_as4::domibus::soap::{self, FaultSide};
use oots_as4::domibus::wire;
use oots_as4::ebms::EBMS_NS;

/// One SOAP answer: status + envelope.
pub(super) type Answer = (StatusCode, String);

/// A successful answer.
pub(super) fn ok(envelope: String) -> Answer {
    (StatusCode::OK, envelope)
}

/// A SOAP fault answer (HTTP 500, as Domibus).
pub(super) fn fault(side: FaultSide, reason: &str, code: &str, message: &str) -> Answer {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        soap::fault_envelope(side, reason, code, message),
    )
}

/// The trimmed `messageID` child, or the WS_PLUGIN:0007 fault Domibus gives for an empty one.
pub(super) fn message_id(op: roxmltree::Node<'_, '_>) -> Result<String, Answer> {
    wire::unqualified_child(op, "messageID")
        .and_then(wire::text)
        .ok_or_else(|| {
            fault(
                FaultSide::Sender,
                "Message ID is empty",
                "WS_PLUGIN:0007",
                "MessageId is empty",
            )
        })
}

/// The WS_PLUGIN:0009 fault for a message that is not pending.
pub(super) fn not_found(id: &str) -> Answer {
    fault(
        FaultSide::Sender,
        &format!("Message not found, id [{id}]"),
        "WS_PLUGIN:0009",
        &format!("No message with id [{id}] pending for download"),
    )
}

/// The opening tag of an answer's body element, with the namespaces Domibus declares.
pub(super) fn body_open(local: &str) -> String {
    format!(
        "<ns2:{local} xmlns:ns2=\"{}\" xmlns:ns3=\"{EBMS_NS}\" xmlns:xmime=\"{}\" xmlns:ns5=\"{}\">",
        soap::WSPLUGIN_NS,
        soap::XMIME_NS,
        soap::SOAP12_NS
    )
}
