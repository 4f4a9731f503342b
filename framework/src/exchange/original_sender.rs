//! The four-corner check between envelope and body: the ebMS `originalSender` (C1) of a
//! request names the authority that sent it, and must be one of the agents of its EDM
//! `EvidenceRequester` slot (the requester, or the intermediary platform the request
//! names), or an intermediary platform the configuration names (`exchange.intermediaries`).
//! An access point may carry requests for many authorities; without this check it could
//! claim one authority in the envelope and ask as another in the body.

use crate::config::Intermediary;
use crate::edm::EvidenceRequest;
use crate::gateway::ebms::Property;

/// Whether `sender` (the `originalSender` property) agrees with `request`.
pub(super) fn agrees(
    sender: &Property,
    request: &EvidenceRequest,
    intermediaries: &[Intermediary],
) -> bool {
    request
        .requesters
        .iter()
        .map(|a| {
            (
                a.identifier.scheme_id.as_deref(),
                a.identifier.value.as_str(),
            )
        })
        .chain(
            intermediaries
                .iter()
                .map(|i| (Some(i.scheme.as_str()), i.identifier.as_str())),
        )
        .any(|(scheme, value)| names(sender, scheme, value))
}

/// `sender` names `value` under `scheme`: same value, and the same scheme when both
/// say one. A `type`-less property may carry `scheme:value` whole, as some 1.x access
/// points write it (`docs/oots-edm.md` §6.2).
fn names(sender: &Property, scheme: Option<&str>, value: &str) -> bool {
    let (sent, value) = (sender.value.trim(), value.trim());
    match (sender.property_type.as_deref().map(str::trim), scheme) {
        (Some(t), Some(s)) => t == s.trim() && sent == value,
        (None, Some(s)) => sent == value || sent == format!("{}:{value}", s.trim()),
        (_, None) => sent == value,
    }
}
