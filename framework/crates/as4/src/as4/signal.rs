//! ebMS 3 signal messages (eDelivery AS4 1.15 §1.4.2.5, AS4 §5.1.8): the signed receipt
//! with non-repudiation information a receiver returns for a message it accepted, and the
//! error signal (`EBMS:0xxx`) for one it refused. Both travel synchronously, in the HTTP
//! response.

use roxmltree::Node;

use super::wss::{DS_NS, SignedReference};
use crate::ebms::EBMS_NS;
use crate::xml;

/// The namespace of `ebbp:NonRepudiationInformation` in receipts.
pub const EBBP_NS: &str = "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0";

/// An ebMS error, as the ebMS 3 core specification §6.7 and AS4 §3.6 define them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EbmsErrorKind {
    /// The error code (`EBMS:0101`).
    pub code: &'static str,
    /// Its short description (`FailedAuthentication`).
    pub short: &'static str,
    /// Its category (`Processing`, `Communication`, ...).
    pub category: &'static str,
}

/// The ebMS errors this handler raises.
pub const EBMS_ERRORS: &[EbmsErrorKind] = &[
    EbmsErrorKind {
        code: "EBMS:0001",
        short: "ValueNotRecognized",
        category: "Content",
    },
    EbmsErrorKind {
        code: "EBMS:0003",
        short: "ValueInconsistent",
        category: "Content",
    },
    EbmsErrorKind {
        code: "EBMS:0004",
        short: "Other",
        category: "Content",
    },
    EbmsErrorKind {
        code: "EBMS:0007",
        short: "MimeInconsistency",
        category: "Unpackaging",
    },
    EbmsErrorKind {
        code: "EBMS:0009",
        short: "InvalidHeader",
        category: "Unpackaging",
    },
    EbmsErrorKind {
        code: "EBMS:0010",
        short: "ProcessingModeMismatch",
        category: "Processing",
    },
    EbmsErrorKind {
        code: "EBMS:0101",
        short: "FailedAuthentication",
        category: "Processing",
    },
    EbmsErrorKind {
        code: "EBMS:0102",
        short: "FailedDecryption",
        category: "Processing",
    },
    EbmsErrorKind {
        code: "EBMS:0103",
        short: "PolicyNoncompliance",
        category: "Processing",
    },
    EbmsErrorKind {
        code: "EBMS:0202",
        short: "DeliveryFailure",
        category: "Communication",
    },
    EbmsErrorKind {
        code: "EBMS:0303",
        short: "DecompressionFailure",
        category: "Communication",
    },
];

/// The error kind of `code`, or `EBMS:0004 Other`.
pub fn kind(code: &str) -> EbmsErrorKind {
    EBMS_ERRORS
        .iter()
        .copied()
        .find(|k| k.code == code)
        .unwrap_or(EBMS_ERRORS[2])
}

fn message_info(message_id: &str, ref_to: Option<&str>, timestamp: &str) -> String {
    let e = xml::escape_text;
    let mut s = format!(
        "<eb:MessageInfo><eb:Timestamp>{}</eb:Timestamp><eb:MessageId>{}</eb:MessageId>",
        e(timestamp),
        e(message_id)
    );
    if let Some(r) = ref_to {
        s.push_str(&format!("<eb:RefToMessageId>{}</eb:RefToMessageId>", e(r)));
    }
    s.push_str("</eb:MessageInfo>");
    s
}

/// The `eb:Messaging` block of a receipt for the message `ref_to`, acknowledging each
/// signed reference (copied as received). `attrs` are the block's extra attributes.
pub fn receipt(
    attrs: &str,
    message_id: &str,
    ref_to: &str,
    timestamp: &str,
    references: &[SignedReference],
) -> String {
    let mut s = format!(
        "<eb:Messaging xmlns:eb=\"{EBMS_NS}\" {attrs}><eb:SignalMessage>{}<eb:Receipt><ebbp:NonRepudiationInformation xmlns:ebbp=\"{EBBP_NS}\">",
        message_info(message_id, Some(ref_to), timestamp)
    );
    for r in references {
        s.push_str("<ebbp:MessagePartNRInformation>");
        s.push_str(&r.xml);
        s.push_str("</ebbp:MessagePartNRInformation>");
    }
    s.push_str("</ebbp:NonRepudiationInformation></eb:Receipt></eb:SignalMessage></eb:Messaging>");
    s
}

/// The `eb:Messaging` block of an error signal about `ref_to` (when known).
pub fn error(
    attrs: &str,
    message_id: &str,
    ref_to: Option<&str>,
    timestamp: &str,
    code: &str,
    detail: &str,
) -> String {
    let k = kind(code);
    let a = xml::escape_attr;
    let mut s = format!(
        "<eb:Messaging xmlns:eb=\"{EBMS_NS}\" {attrs}><eb:SignalMessage>{}<eb:Error category=\"{}\" errorCode=\"{}\" origin=\"ebMS\" severity=\"failure\" shortDescription=\"{}\"",
        message_info(message_id, None, timestamp),
        k.category,
        k.code,
        k.short
    );
    if let Some(r) = ref_to {
        s.push_str(&format!(" refToMessageInError=\"{}\"", a(r)));
    }
    s.push_str(&format!(
        "><eb:Description xml:lang=\"en\">{}</eb:Description><eb:ErrorDetail>{}</eb:ErrorDetail></eb:Error></eb:SignalMessage></eb:Messaging>",
        xml::escape_text(k.short),
        xml::escape_text(detail)
    ));
    s
}

/// A received signal message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// A receipt: the acknowledged message and the digests it acknowledges, by URI.
    Receipt {
        /// The MessageId of the message acknowledged.
        ref_to: String,
        /// The digests it acknowledges, by reference URI.
        acknowledged: Vec<(String, Vec<u8>)>,
    },
    /// An error signal.
    Error {
        /// The MessageId of the message in error, if given.
        ref_to: Option<String>,
        /// The error code (`EBMS:0004`).
        code: String,
        /// Its short description.
        short: String,
        /// What went wrong, as the sender says it.
        detail: String,
    },
}

/// Reads the signal in `messaging` (an `eb:Messaging` element), or `None` if it holds
/// none.
pub fn parse(messaging: Node<'_, '_>) -> Option<Signal> {
    let signal = messaging
        .children()
        .find(|c| xml::is(*c, EBMS_NS, "SignalMessage"))?;
    let info = signal
        .children()
        .find(|c| xml::is(*c, EBMS_NS, "MessageInfo"));
    let ref_to = info
        .and_then(|i| {
            i.children()
                .find(|c| xml::is(*c, EBMS_NS, "RefToMessageId"))
        })
        .and_then(xml::text);
    if let Some(e) = signal.children().find(|c| xml::is(*c, EBMS_NS, "Error")) {
        return Some(Signal::Error {
            ref_to: e
                .attribute("refToMessageInError")
                .map(str::to_owned)
                .or(ref_to),
            code: e.attribute("errorCode").unwrap_or("").to_owned(),
            short: e.attribute("shortDescription").unwrap_or("").to_owned(),
            detail: e
                .children()
                .find(|c| xml::is(*c, EBMS_NS, "ErrorDetail"))
                .and_then(xml::text)
                .unwrap_or_default(),
        });
    }
    let receipt = signal
        .children()
        .find(|c| xml::is(*c, EBMS_NS, "Receipt"))?;
    let acknowledged = receipt
        .descendants()
        .filter(|d| xml::is(*d, DS_NS, "Reference"))
        .map(|r| {
            let digest = r
                .children()
                .find(|c| xml::is(*c, DS_NS, "DigestValue"))
                .and_then(xml::text)
                .and_then(|t| {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD.decode(t).ok()
                })
                .unwrap_or_default();
            (r.attribute("URI").unwrap_or("").to_owned(), digest)
        })
        .collect();
    Some(Signal::Receipt {
        ref_to: ref_to.unwrap_or_default(),
        acknowledged,
    })
}

/// Whether a receipt acknowledges exactly what was sent: the message id and every signed
/// reference's digest (non-repudiation of receipt).
pub fn acknowledges(signal: &Signal, message_id: &str, sent: &[SignedReference]) -> bool {
    match signal {
        Signal::Receipt {
            ref_to,
            acknowledged,
        } => {
            ref_to == message_id
                && sent.iter().all(|s| {
                    acknowledged
                        .iter()
                        .any(|(uri, d)| uri == &s.uri && d == &s.digest)
                })
        }
        Signal::Error { .. } => false,
    }
}
