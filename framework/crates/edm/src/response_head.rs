//! What every `query:QueryResponse` opens with, read the same way for evidence and
//! deferrals: the header slots, and the deferral's status.

use roxmltree::Node;

use crate::model::Agent;
use crate::parse_error::EdmError;
use crate::rim;
use crate::sdg;
use crate::xml::{self, NS_SDG};

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
