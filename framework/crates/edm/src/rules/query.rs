//! The query slots: admitted names (S049), one value each of the right type
//! (S033–S036/S055), cardinalities (S015/S016) and their content elements
//! (S044/S046/S047/S048/S056).

use roxmltree::Node;

use super::{Check, ensure, violation};
use crate::rim::{self};
use crate::rule::Rule;
use crate::xml::{self, NS_SDG};

use super::slots::{expect_type, slot_value};
use super::values::safe_name;

/// Content of the query slots.
pub(crate) struct QuerySlots<'a, 'i> {
    pub evidence_request: Node<'a, 'i>,
    /// Subject element and whether it is a natural person.
    pub subject: (Node<'a, 'i>, bool),
    pub representative: Option<(Node<'a, 'i>, bool)>,
}

/// S049 (admitted names), S050/S051, S033–S036/S055 types, S015/S016 cardinalities,
/// S044/S046/S047/S048/S056 content elements.
pub(crate) fn check_query_slots<'a, 'i>(query: Node<'a, 'i>) -> Check<QuerySlots<'a, 'i>> {
    let mut evidence = Vec::new();
    let mut subjects = Vec::new();
    let mut representatives = Vec::new();
    for slot in rim::slots(query) {
        let (type_rule, content_rule, element, natural) = match slot.name {
            "EvidenceRequest" => (
                Rule::ReqS033,
                Rule::ReqS044,
                "DataServiceEvidenceType",
                false,
            ),
            "LegalPerson" => (Rule::ReqS034, Rule::ReqS047, "LegalPerson", false),
            "NaturalPerson" => (Rule::ReqS035, Rule::ReqS046, "Person", true),
            "AuthorizedRepresentative" => (Rule::ReqS036, Rule::ReqS048, "Person", true),
            "AuthorizedRepresentativeLegalPerson" => {
                (Rule::ReqS055, Rule::ReqS056, "LegalPerson", false)
            }
            other => {
                return Err(violation(
                    Rule::ReqS049,
                    format!(
                        "rim:Slot '{}' is not admitted in query:Query",
                        safe_name(other)
                    ),
                ));
            }
        };
        let value = slot_value(&slot)?;
        expect_type(value, slot.name, &["AnyValueType"], type_rule)?;
        // Exactly one element: a second sdg:Person must not ride along unread.
        let content = rim::any_content(value)
            .filter(|c| xml::is(*c, NS_SDG, element) && xml::elements(value).nth(1).is_none())
            .ok_or_else(|| {
                violation(
                    content_rule,
                    format!(
                        "rim:Slot '{}' must contain exactly one sdg:{element}",
                        slot.name
                    ),
                )
            })?;
        match slot.name {
            "EvidenceRequest" => evidence.push(content),
            "LegalPerson" | "NaturalPerson" => subjects.push((content, natural)),
            _ => representatives.push((content, natural)),
        }
    }
    let [evidence_request] = evidence.as_slice() else {
        return Err(violation(
            Rule::ReqS015,
            "query:Query must contain exactly one rim:Slot 'EvidenceRequest'",
        ));
    };
    let [subject] = subjects.as_slice() else {
        return Err(violation(
            Rule::ReqS016,
            "query:Query must contain exactly one of rim:Slot 'NaturalPerson' or 'LegalPerson'",
        ));
    };
    ensure(representatives.len() <= 1, Rule::ReqS049, || {
        "query:Query must contain at most one authorized representative slot".into()
    })?;
    Ok(QuerySlots {
        evidence_request: *evidence_request,
        subject: *subject,
        representative: representatives.first().copied(),
    })
}
