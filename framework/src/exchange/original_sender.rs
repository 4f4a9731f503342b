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
    // A blank sender names nobody, not even a blank identifier.
    !sender.value.trim().is_empty()
        && request
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

#[cfg(test)]
mod tests {
    use super::*;

    const EAS: &str = "urn:cef.eu:names:identifier:EAS:0009";

    #[test]
    fn a_typeless_sender_may_carry_the_scheme_in_its_value() {
        let typed = Property::typed("originalSender", "00000000000002", EAS);
        assert!(names(&typed, Some(EAS), "00000000000002"));
        assert!(!names(
            &typed,
            Some("urn:cef.eu:names:identifier:EAS:9930"),
            "00000000000002"
        ));
        let whole = Property::new("originalSender", format!("{EAS}:00000000000002"));
        assert!(names(&whole, Some(EAS), "00000000000002"));
        assert!(!names(&whole, Some(EAS), "00000000000003"));
    }

    #[test]
    fn a_blank_sender_names_no_intermediary() {
        let blank = Property::typed("originalSender", " ", EAS);
        let request = crate::requester::build_request(
            &crate::requester::RequestSpec::quickstart_birth(
                "A",
                "B",
                "2000-01-01",
                "application/xml",
            ),
            &crate::clock::RandomIds,
            chrono::Utc::now(),
        );
        let blank_platform = [Intermediary {
            scheme: EAS.into(),
            identifier: String::new(),
        }];
        assert!(!agrees(&blank, &request, &blank_platform));
        let requester = Property::typed("originalSender", "00000000000002", EAS);
        assert!(agrees(&requester, &request, &[]));
    }
}
