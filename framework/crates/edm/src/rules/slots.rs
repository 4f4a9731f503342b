//! The request's top-level slots: the closed list of names (S019), one non-empty value
//! each (S050/S051), their types and cardinalities, and `SpecificationIdentifier` (C001)
//! read first since the other checks depend on the version.

use roxmltree::Node;

use super::{Check, ensure, violation};
use crate::rim::{self, Slot};
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::{self};

use super::values::safe_name;

/// The single `rim:SlotValue` of a slot (R-EDM-REQ-S050), not empty (S051).
pub(crate) fn slot_value<'a, 'i>(slot: &Slot<'a, 'i>) -> Check<Node<'a, 'i>> {
    let values = slot.values();
    let [value] = values.as_slice() else {
        return Err(violation(
            Rule::ReqS050,
            format!(
                "rim:Slot '{}' must have exactly one rim:SlotValue",
                safe_name(slot.name)
            ),
        ));
    };
    ensure(
        xml::elements(*value).next().is_some(),
        Rule::ReqS051,
        || {
            format!(
                "rim:SlotValue of rim:Slot '{}' must not be empty",
                safe_name(slot.name)
            )
        },
    )?;
    Ok(*value)
}

/// The slot value is of one of the `accepted` `xsi:type`s, under `rule`.
pub(super) fn expect_type(value: Node<'_, '_>, slot: &str, accepted: &[&str], rule: Rule) -> Check {
    let actual = xml::xsi_type(value).unwrap_or("");
    ensure(accepted.contains(&actual), rule, || {
        format!(
            "rim:SlotValue of rim:Slot '{slot}' must be of xsi:type rim:{}",
            accepted.join(" or rim:")
        )
    })
}

/// (name, type rule, presence/cardinality rule, admitted types) of the top-level slots.
struct SlotSpec {
    name: &'static str,
    type_rule: Rule,
    count_rule: Rule,
    required: bool,
}

/// The top-level slots a request admits, with their rules.
const REQUEST_SLOTS: [SlotSpec; 11] = [
    SlotSpec {
        name: "SpecificationIdentifier",
        type_rule: Rule::ReqS020,
        count_rule: Rule::ReqS005,
        required: true,
    },
    SlotSpec {
        name: "IssueDateTime",
        type_rule: Rule::ReqS021,
        count_rule: Rule::ReqS006,
        required: true,
    },
    SlotSpec {
        name: "Procedure",
        type_rule: Rule::ReqS022,
        count_rule: Rule::ReqS007,
        required: true,
    },
    SlotSpec {
        name: "PreviewLocation",
        type_rule: Rule::ReqS023,
        count_rule: Rule::ReqS008,
        required: false,
    },
    SlotSpec {
        name: "PossibilityForPreview",
        type_rule: Rule::ReqS024,
        count_rule: Rule::ReqS009,
        required: true,
    },
    SlotSpec {
        name: "ExplicitRequestGiven",
        type_rule: Rule::ReqS025,
        count_rule: Rule::ReqS010,
        required: true,
    },
    SlotSpec {
        name: "Requirements",
        type_rule: Rule::ReqS026,
        count_rule: Rule::ReqS011,
        required: false,
    },
    SlotSpec {
        name: "EvidenceRequester",
        type_rule: Rule::ReqS028,
        count_rule: Rule::ReqS012,
        required: true,
    },
    SlotSpec {
        name: "EvidenceProvider",
        type_rule: Rule::ReqS030,
        count_rule: Rule::ReqS013,
        required: true,
    },
    SlotSpec {
        name: "EvidenceProviderClassification",
        type_rule: Rule::ReqS031,
        count_rule: Rule::ReqS014,
        required: false,
    },
    SlotSpec {
        name: "ReturnLocation",
        type_rule: Rule::ReqS061,
        count_rule: Rule::ReqS060,
        required: false,
    },
];

/// The `xsi:type`s a top-level slot value may have in `version`.
fn admitted_types(name: &str, version: EdmVersion) -> &'static [&'static str] {
    match name {
        "SpecificationIdentifier" | "PreviewLocation" | "ReturnLocation" => &["StringValueType"],
        "IssueDateTime" => &["DateTimeValueType"],
        // S022 is the only slot type that changed in 2.0: each label gets its own shape.
        "Procedure" if version.is_v2() => &["StringValueType"],
        "Procedure" => &["InternationalStringValueType"],
        "PossibilityForPreview" | "ExplicitRequestGiven" => &["BooleanValueType"],
        "Requirements" | "EvidenceRequester" | "EvidenceProviderClassification" => {
            &["CollectionValueType"]
        }
        _ => &["AnyValueType"],
    }
}

/// The top-level slots of a request, checked; values indexed by slot name.
pub(crate) struct RequestSlots<'a, 'i> {
    values: Vec<(&'static str, Node<'a, 'i>)>,
}

impl<'a, 'i> RequestSlots<'a, 'i> {
    pub(crate) fn get(&self, name: &str) -> Option<Node<'a, 'i>> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// Reads and checks `SpecificationIdentifier` (S005, S050, S020, C001) first, since the
/// other checks depend on the version.
pub(crate) fn check_version(root: Node<'_, '_>) -> Check<EdmVersion> {
    let slots: Vec<_> = rim::slots(root)
        .into_iter()
        .filter(|s| s.name == "SpecificationIdentifier")
        .collect();
    let [slot] = slots.as_slice() else {
        return Err(violation(
            Rule::ReqS005,
            "exactly one rim:Slot 'SpecificationIdentifier' must be present in the QueryRequest",
        ));
    };
    let value = slot_value(slot)?;
    expect_type(
        value,
        "SpecificationIdentifier",
        &["StringValueType"],
        Rule::ReqS020,
    )?;
    rim::simple_value(value)
        .and_then(|v| EdmVersion::from_spec_id(&v))
        .ok_or_else(|| {
            violation(
                Rule::ReqC001,
                "SpecificationIdentifier must be one of oots-edm:v1.0, oots-edm:v1.1, oots-edm:v1.2, oots-edm:v2.0",
            )
        })
}

/// S019 (closed list), S050/S051, slot types, cardinalities.
pub(crate) fn check_request_slots<'a, 'i>(
    root: Node<'a, 'i>,
    version: EdmVersion,
) -> Check<RequestSlots<'a, 'i>> {
    let mut values = Vec::new();
    for slot in rim::slots(root) {
        let spec = REQUEST_SLOTS
            .iter()
            .find(|s| s.name == slot.name && (s.name != "ReturnLocation" || version.is_v2()))
            .ok_or_else(|| {
                violation(
                    Rule::ReqS019,
                    format!(
                        "rim:Slot '{}' is not admitted in a {version} QueryRequest",
                        safe_name(slot.name)
                    ),
                )
            })?;
        ensure(
            values.iter().all(|(n, _)| *n != spec.name),
            spec.count_rule,
            || format!("rim:Slot '{}' must not occur more than once", spec.name),
        )?;
        let value = slot_value(&slot)?;
        expect_type(
            value,
            spec.name,
            admitted_types(spec.name, version),
            spec.type_rule,
        )?;
        values.push((spec.name, value));
    }
    for spec in REQUEST_SLOTS.iter().filter(|s| s.required) {
        ensure(
            values.iter().any(|(n, _)| *n == spec.name),
            spec.count_rule,
            || {
                format!(
                    "rim:Slot '{}' must be present in the QueryRequest",
                    spec.name
                )
            },
        )?;
    }
    Ok(RequestSlots { values })
}
