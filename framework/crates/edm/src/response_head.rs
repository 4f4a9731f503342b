//! What every `query:QueryResponse` opens with, read and written the same way for
//! evidence and deferrals: the header slots, and the deferral's status.

use roxmltree::Node;

use crate::model::Agent;
use crate::parse_error::EdmError;
use crate::rim;
use crate::sdg::{self, AgentShape};
use crate::version::EdmVersion;
use crate::xml::{self, NS_SDG, ROOT_NAMESPACES, XmlWriter};

/// `status` of a deferred response (evidence available later, `crate::deferred`).
pub const STATUS_UNAVAILABLE: &str =
    "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable";

/// A slot's simple value, if not empty.
pub(crate) fn slot_text(root: Node<'_, '_>, name: &str) -> Option<String> {
    rim::find_slot(root, name)
        .and_then(|s| s.value())
        .and_then(rim::simple_value)
        .filter(|v| !v.is_empty())
}

/// The `sdg:Agent` of a slot.
pub(crate) fn slot_agent(root: Node<'_, '_>, name: &str) -> Result<Agent, EdmError> {
    let node = rim::find_slot(root, name)
        .and_then(|s| s.value())
        .and_then(|v| {
            rim::agents_or_any(v)
                .into_iter()
                .find(|a| xml::is(*a, NS_SDG, "Agent"))
        })
        .ok_or_else(|| {
            EdmError::Invalid(format!("rim:Slot '{name}' with an sdg:Agent is missing"))
        })?;
    sdg::read_agent(node).map_err(|m| EdmError::Invalid(format!("{name} agent lacks {}", m.0)))
}

/// The opening of a response, up to its object list.
pub(crate) struct Head<'a> {
    pub version: EdmVersion,
    pub request_id: &'a str,
    pub status: &'a str,
    pub response_id: &'a str,
    pub issue_date_time: &'a str,
    /// `ResponseAvailableDateTime`: a deferral's only (R-EDM-RESP-S014/S045).
    pub available_date_time: Option<&'a str>,
    pub provider: &'a Agent,
    pub requester: &'a Agent,
}

/// Opens `query:QueryResponse` and writes its slots in the order of the samples:
/// SpecificationIdentifier, EvidenceResponseIdentifier, IssueDateTime,
/// [ResponseAvailableDateTime], EvidenceProvider, EvidenceRequester (R-EDM-RESP-S016).
pub(crate) fn open_response(w: &mut XmlWriter, head: &Head<'_>) {
    let mut attrs: Vec<(&str, &str)> = ROOT_NAMESPACES.to_vec();
    attrs.push(("requestId", head.request_id));
    attrs.push(("status", head.status));
    w.open("query:QueryResponse", &attrs);
    rim::write_string(w, "SpecificationIdentifier", head.version.spec_id());
    rim::write_string(w, "EvidenceResponseIdentifier", head.response_id);
    rim::write_datetime(w, "IssueDateTime", head.issue_date_time);
    if let Some(available) = head.available_date_time {
        rim::write_datetime(w, "ResponseAvailableDateTime", available);
    }
    rim::write_collection(
        w,
        "EvidenceProvider",
        std::slice::from_ref(head.provider),
        |w, a| {
            sdg::write_agent(
                w,
                "sdg:Agent",
                a,
                AgentShape::Full,
                Some(Agent::EVIDENCE_PROVIDER),
            );
        },
    );
    rim::write_any(w, "EvidenceRequester", |w| {
        sdg::write_agent(
            w,
            "sdg:Agent",
            head.requester,
            AgentShape::IdentifierAndName,
            None,
        );
    });
}
