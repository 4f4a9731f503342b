//! Deferred answers (`status=…:Unavailable`): the evidence exists for the subject but can
//! only be served from the date announced in `ResponseAvailableDateTime`; the exchange
//! ends there and the requester comes back with a new request (TDD 4.5.2; R-EDM-RESP-S006).

use roxmltree::Node;

use crate::model::DeferredResponse;
use crate::parse_error::EdmError;
use crate::response_head::{Head, STATUS_UNAVAILABLE, open_response, slot_agent, slot_text};
use crate::version::EdmVersion;
use crate::xml::XmlWriter;

/// Serialises a deferral, as France's `reponseDifferee.xml`: status `Unavailable`; the
/// slots SpecificationIdentifier, EvidenceResponseIdentifier, IssueDateTime,
/// `ResponseAvailableDateTime` (once, only here: R-EDM-RESP-S014/S045, a
/// `rim:DateTimeValueType`), EvidenceProvider, EvidenceRequester and nothing else
/// (R-EDM-RESP-S016); then an empty `<rim:RegistryObjectList/>` (R-EDM-RESP-S007 requires
/// it in 2.0, 1.x allows it). No `rs:Exception`, no `RepositoryItemRef`.
pub fn write_deferred(resp: &DeferredResponse) -> String {
    let mut w = XmlWriter::new();
    open_response(
        &mut w,
        &Head {
            version: resp.version,
            request_id: &resp.request_id,
            status: STATUS_UNAVAILABLE,
            response_id: &resp.response_id,
            issue_date_time: &resp.issue_date_time,
            available_date_time: Some(&resp.available_date_time),
            provider: &resp.provider,
            requester: &resp.requester,
        },
    );
    w.empty("rim:RegistryObjectList", &[]);
    w.close("query:QueryResponse");
    w.finish()
}

/// Reads a deferral (the root's status is `Unavailable`): `ResponseAvailableDateTime` is
/// required (R-EDM-RESP-S045).
pub(crate) fn read_deferred(
    root: Node<'_, '_>,
    version: EdmVersion,
) -> Result<DeferredResponse, EdmError> {
    let missing = |name: &str| EdmError::Invalid(format!("rim:Slot '{name}' is missing"));
    Ok(DeferredResponse {
        version,
        request_id: root
            .attribute("requestId")
            .map(|s| s.trim().to_string())
            .ok_or_else(|| EdmError::Invalid("QueryResponse/@requestId is missing".into()))?,
        response_id: slot_text(root, "EvidenceResponseIdentifier")
            .ok_or_else(|| missing("EvidenceResponseIdentifier"))?,
        issue_date_time: slot_text(root, "IssueDateTime")
            .ok_or_else(|| missing("IssueDateTime"))?,
        available_date_time: slot_text(root, "ResponseAvailableDateTime")
            .ok_or_else(|| missing("ResponseAvailableDateTime"))?,
        provider: slot_agent(root, "EvidenceProvider")?,
        requester: slot_agent(root, "EvidenceRequester")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Agent, Identifier, LocalizedText};
    use crate::xml::XmlLimits;
    use crate::{QueryResponse, parse_response};

    fn agent(id: &str, name: &str) -> Agent {
        Agent {
            identifier: Identifier {
                scheme_id: Some("urn:cef.eu:names:identifier:EAS:9930".into()),
                value: id.into(),
            },
            names: vec![LocalizedText {
                lang: "EN".into(),
                text: name.into(),
            }],
            address: None,
            classification: None,
        }
    }

    fn deferral(version: EdmVersion) -> DeferredResponse {
        DeferredResponse {
            version,
            request_id: "urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797".into(),
            response_id: "0d5bd6a4-3b5c-4d3b-9a06-8d1f1a7c0001".into(),
            issue_date_time: "2026-08-06T10:00:00.000Z".into(),
            available_date_time: "2026-08-07T10:00:00.000Z".into(),
            provider: Agent {
                classification: Some(Agent::EVIDENCE_PROVIDER.into()),
                ..agent("DE12345", "Registry")
            },
            requester: agent("FR67890", "Portal"),
        }
    }

    #[test]
    fn a_deferral_has_frances_shape_and_reads_back_in_both_versions() {
        for version in [EdmVersion::V1_2, EdmVersion::V2_0] {
            let d = deferral(version);
            let xml = write_deferred(&d);
            assert!(
                xml.contains(
                    "status=\"urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable\""
                ),
                "{xml}"
            );
            // Slot order: …IssueDateTime, ResponseAvailableDateTime, EvidenceProvider…
            let pos = |s: &str| xml.find(s).unwrap_or_else(|| panic!("{s} in {xml}"));
            assert!(pos("\"IssueDateTime\"") < pos("\"ResponseAvailableDateTime\""));
            assert!(pos("\"ResponseAvailableDateTime\"") < pos("\"EvidenceProvider\""));
            assert!(pos("\"EvidenceRequester\"") < pos("<rim:RegistryObjectList/>"));
            assert_eq!(xml.matches("ResponseAvailableDateTime").count(), 1);
            assert!(xml.contains("rim:DateTimeValueType"), "{xml}");
            for absent in ["rs:Exception", "RepositoryItemRef", "EvidenceMetadata"] {
                assert!(!xml.contains(absent), "{absent}: {xml}");
            }
            match parse_response(xml.as_bytes(), &XmlLimits::default()).unwrap() {
                QueryResponse::Deferred(back) => assert_eq!(back, d),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn an_unavailable_response_without_its_date_is_not_read() {
        let xml = write_deferred(&deferral(EdmVersion::V2_0));
        let start = xml
            .find("<rim:Slot name=\"ResponseAvailableDateTime\"")
            .unwrap();
        let end = start + xml[start..].find("</rim:Slot>").unwrap() + "</rim:Slot>".len();
        let without = format!("{}{}", &xml[..start], &xml[end..]);
        let err = parse_response(without.as_bytes(), &XmlLimits::default()).unwrap_err();
        assert!(
            err.to_string().contains("ResponseAvailableDateTime"),
            "{err}"
        );
    }
}
