//! Inbound EDM rule checks for evidence requests.
//!
//! Every failure names its rule id (`docs/oots-edm.md`, TDD Schematron, FR transcription of
//! 2.0.1). Details name elements and constraints only — never a received value, so they can
//! go back to the requester and into logs without carrying personal data. Code lists
//! (Procedures, EAS, countries) and formats (dates, eIDAS identifiers) are checked
//! strictly, since a value outside them would otherwise be served and echoed; where the
//! doc marks something unconfirmed the check is lenient (e.g. Requirements cardinality,
//! slot order).
//!
//! One file per rule family: [`values`] (formats and code-list values), [`envelope`] (the
//! root element and the query envelope), [`slots`] (the request's top-level slots, their
//! types and cardinalities), [`slot_content`] (what those slots carry), [`query`] (the
//! query slots), [`agents`] (requester and provider), [`subjects`] (persons and legal
//! persons), [`evidence_type`] (the requested evidence type), and the element checks they
//! share ([`elements`]).

mod agents;
mod elements;
mod envelope;
mod evidence_type;
mod query;
mod slot_content;
mod slots;
mod subjects;
mod values;

pub(crate) use agents::{
    check_provider_agent, check_requester_agent, check_requester_present, collection_content,
};
pub(crate) use envelope::{check_query_envelope, check_request_id, check_root, check_root_lang};
pub(crate) use evidence_type::check_evidence_type;
pub use evidence_type::{TRANSFORMATION_PREFIX, is_transformation_uri};
pub(crate) use query::check_query_slots;
pub(crate) use slot_content::{
    boolean, check_issue_date_time, check_preview_locations, procedure_code, simple_text,
};
#[cfg(test)]
pub(crate) use slots::slot_value;
pub(crate) use slots::{RequestSlots, check_request_slots, check_version};
pub(crate) use subjects::{Role, check_legal_person, check_person};
pub use values::{is_xsd_date, normalize_classification};

use crate::rule::Rule;

/// A failed rule: id plus a value-free explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub rule: Rule,
    pub detail: String,
}

pub(crate) fn violation(rule: Rule, detail: impl Into<String>) -> Violation {
    Violation {
        rule,
        detail: detail.into(),
    }
}

type Check<T = ()> = Result<T, Violation>;

/// `Ok` when `cond` holds, else a violation of `rule` with the detail written lazily.
fn ensure(cond: bool, rule: Rule, detail: impl FnOnce() -> String) -> Check {
    if cond {
        Ok(())
    } else {
        Err(violation(rule, detail()))
    }
}
