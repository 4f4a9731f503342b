//! Inbound EDM rule checks for evidence requests.
//!
//! Every failure names its rule id (`docs/oots-edm.md`, TDD Schematron, FR transcription of
//! 2.0.1). Details name elements and constraints only — never a received value, so they can
//! go back to the requester and into logs without carrying personal data. Where the doc
//! marks something unconfirmed the check is lenient (e.g. Requirements cardinality,
//! Procedure code list, slot order, eIDAS identifier shape).

use roxmltree::Node;

use super::rim::{self, Slot};
use super::version::EdmVersion;
use super::xml::{self, NS_QUERY, NS_SDG, NS_XML};

/// A failed rule: id plus a value-free explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub rule: &'static str,
    pub detail: String,
}

pub(crate) fn violation(rule: &'static str, detail: impl Into<String>) -> Violation {
    Violation {
        rule,
        detail: detail.into(),
    }
}

type Check<T = ()> = Result<T, Violation>;

fn ensure(cond: bool, rule: &'static str, detail: impl FnOnce() -> String) -> Check {
    if cond {
        Ok(())
    } else {
        Err(violation(rule, detail()))
    }
}

// ---------------------------------------------------------------------------------------
// Value validators.
// ---------------------------------------------------------------------------------------

/// `8-4-4-4-12` hexadecimal UUID (any case).
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `urn:uuid:` + UUID (case-insensitive, surrounding whitespace ignored) — R-EDM-REQ-S004.
pub fn is_urn_uuid(s: &str) -> bool {
    let s = s.trim();
    match (s.get(..9), s.get(9..)) {
        (Some(prefix), Some(uuid)) => prefix.eq_ignore_ascii_case("urn:uuid:") && is_uuid(uuid),
        _ => false,
    }
}

/// Value ends with a UUID (the unanchored R-EDM-REQ-C026 pattern).
fn ends_with_uuid(s: &str) -> bool {
    let s = s.trim();
    s.len() >= 36 && s.is_char_boundary(s.len() - 36) && is_uuid(&s[s.len() - 36..])
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Strict `YYYY-MM-DD` calendar date (xsd:date without time zone) — R-EDM-REQ-C043.
pub fn is_xsd_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&s[..4]), digits(&s[5..7]), digits(&s[8..])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

/// `YYYY-MM-DDThh:mm:ss` prefix of an xsd:dateTime — R-EDM-REQ-C002.
pub(crate) fn is_issue_datetime(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() >= 19
        && b[..19].iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// xsd:boolean (`true`/`false`/`1`/`0`).
pub(crate) fn parse_boolean(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn is_https(s: &str) -> bool {
    s.trim().starts_with("https://")
}

/// Semantic Repository hosts: production, acceptance and the early-2023 host.
const SR_HOSTS: [&str; 3] = [
    "sr.oots.tech.ec.europa.eu",
    "sr.acc.oots.tech.ec.europa.eu",
    "sr.oots.tech.europa.eu",
];

/// Host-independent key of an evidence type classification URI,
/// `<SEGMENT upper-case>/<uuid lower-case>` (e.g. `DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e`),
/// so the same classification published on any SR host (`sr.oots.tech.ec.europa.eu`,
/// `sr.acc.…`, early `sr.oots.tech.europa.eu`) maps to one key. `None` when the URI is
/// not an SR `evidencetypeclassifications/<CC>/<uuid>` URI.
pub fn normalize_classification(uri: &str) -> Option<String> {
    let uri = uri.trim();
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    if !SR_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return None;
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut parts = path.split('/');
    let (kind, segment, id) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !kind.eq_ignore_ascii_case("evidencetypeclassifications") {
        return None;
    }
    // Country code in production; test systems use tokens such as `oots` (FR captures).
    if !(2..=10).contains(&segment.len())
        || !segment.bytes().all(|c| c.is_ascii_alphanumeric())
        || !is_uuid(id)
    {
        return None;
    }
    Some(format!(
        "{}/{}",
        segment.to_ascii_uppercase(),
        id.to_ascii_lowercase()
    ))
}

/// Slot names are attacker-chosen: keep a short, name-like excerpt for the detail text.
fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(40)
        .collect();
    if s.is_empty() { "(unnamed)".into() } else { s }
}

// ---------------------------------------------------------------------------------------
// Envelope and slots.
// ---------------------------------------------------------------------------------------

/// R-EDM-REQ-S001/S002.
pub(crate) fn check_root(root: Node<'_, '_>) -> Check {
    ensure(
        root.tag_name().name() == "QueryRequest",
        "R-EDM-REQ-S001",
        || "the root element must be query:QueryRequest".into(),
    )?;
    ensure(
        root.tag_name().namespace() == Some(NS_QUERY),
        "R-EDM-REQ-S002",
        || format!("the root element must be in namespace {NS_QUERY}"),
    )
}

/// R-EDM-REQ-S004.
pub(crate) fn check_request_id(root: Node<'_, '_>) -> Check<String> {
    match root.attribute("id") {
        Some(id) if is_urn_uuid(id) => Ok(id.trim().to_string()),
        _ => Err(violation(
            "R-EDM-REQ-S004",
            "QueryRequest/@id must be 'urn:uuid:' followed by an RFC 4122 UUID",
        )),
    }
}

/// The single `rim:SlotValue` of a slot (R-EDM-REQ-S050), not empty (S051).
pub(crate) fn slot_value<'a, 'i>(slot: &Slot<'a, 'i>) -> Check<Node<'a, 'i>> {
    let values = slot.values();
    let [value] = values.as_slice() else {
        return Err(violation(
            "R-EDM-REQ-S050",
            format!(
                "rim:Slot '{}' must have exactly one rim:SlotValue",
                safe_name(slot.name)
            ),
        ));
    };
    ensure(
        xml::elements(*value).next().is_some(),
        "R-EDM-REQ-S051",
        || {
            format!(
                "rim:SlotValue of rim:Slot '{}' must not be empty",
                safe_name(slot.name)
            )
        },
    )?;
    Ok(*value)
}

fn expect_type(value: Node<'_, '_>, slot: &str, accepted: &[&str], rule: &'static str) -> Check {
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
    type_rule: &'static str,
    count_rule: &'static str,
    required: bool,
}

const REQUEST_SLOTS: [SlotSpec; 11] = [
    SlotSpec {
        name: "SpecificationIdentifier",
        type_rule: "R-EDM-REQ-S020",
        count_rule: "R-EDM-REQ-S005",
        required: true,
    },
    SlotSpec {
        name: "IssueDateTime",
        type_rule: "R-EDM-REQ-S021",
        count_rule: "R-EDM-REQ-S006",
        required: true,
    },
    SlotSpec {
        name: "Procedure",
        type_rule: "R-EDM-REQ-S022",
        count_rule: "R-EDM-REQ-S007",
        required: true,
    },
    SlotSpec {
        name: "PreviewLocation",
        type_rule: "R-EDM-REQ-S023",
        count_rule: "R-EDM-REQ-S008",
        required: false,
    },
    SlotSpec {
        name: "PossibilityForPreview",
        type_rule: "R-EDM-REQ-S024",
        count_rule: "R-EDM-REQ-S009",
        required: true,
    },
    SlotSpec {
        name: "ExplicitRequestGiven",
        type_rule: "R-EDM-REQ-S025",
        count_rule: "R-EDM-REQ-S010",
        required: true,
    },
    SlotSpec {
        name: "Requirements",
        type_rule: "R-EDM-REQ-S026",
        count_rule: "R-EDM-REQ-S011",
        required: false,
    },
    SlotSpec {
        name: "EvidenceRequester",
        type_rule: "R-EDM-REQ-S028",
        count_rule: "R-EDM-REQ-S012",
        required: true,
    },
    SlotSpec {
        name: "EvidenceProvider",
        type_rule: "R-EDM-REQ-S030",
        count_rule: "R-EDM-REQ-S013",
        required: true,
    },
    SlotSpec {
        name: "EvidenceProviderClassification",
        type_rule: "R-EDM-REQ-S031",
        count_rule: "R-EDM-REQ-S014",
        required: false,
    },
    SlotSpec {
        name: "ReturnLocation",
        type_rule: "R-EDM-REQ-S061",
        count_rule: "R-EDM-REQ-S060",
        required: false,
    },
];

fn admitted_types(name: &str, version: EdmVersion) -> &'static [&'static str] {
    match name {
        "SpecificationIdentifier" | "PreviewLocation" | "ReturnLocation" => &["StringValueType"],
        "IssueDateTime" => &["DateTimeValueType"],
        // S022 is the only slot type that changed in 2.0; 1.x is read leniently.
        "Procedure" if version.is_v2() => &["StringValueType"],
        "Procedure" => &["InternationalStringValueType", "StringValueType"],
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
            "R-EDM-REQ-S005",
            "exactly one rim:Slot 'SpecificationIdentifier' must be present in the QueryRequest",
        ));
    };
    let value = slot_value(slot)?;
    expect_type(
        value,
        "SpecificationIdentifier",
        &["StringValueType"],
        "R-EDM-REQ-S020",
    )?;
    rim::simple_value(value)
        .and_then(|v| EdmVersion::from_spec_id(&v))
        .ok_or_else(|| {
            violation(
                "R-EDM-REQ-C001",
                "SpecificationIdentifier must be one of oots-edm:v1.0, oots-edm:v1.1, oots-edm:v1.2, oots-edm:v2.0",
            )
        })
}

/// R-EDM-REQ-S059 (2.0 forbids `xml:lang` on the root).
pub(crate) fn check_root_lang(root: Node<'_, '_>, version: EdmVersion) -> Check<Option<String>> {
    let lang = root
        .attribute((NS_XML, "lang"))
        .map(|l| l.trim().to_string());
    ensure(
        !(version.is_v2() && lang.is_some()),
        "R-EDM-REQ-S059",
        || {
            "oots-edm:v2.0 requests must not carry xml:lang on query:QueryRequest (use sdg:DistributedAs/sdg:Language)".into()
        },
    )?;
    Ok(if version.is_v2() { None } else { lang })
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
                    "R-EDM-REQ-S019",
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

/// Text of a simple (`rim:Value`) slot, required non-empty.
pub(crate) fn simple_text(value: Node<'_, '_>, slot: &str) -> Check<String> {
    rim::simple_value(value)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            violation(
                "R-EDM-REQ-S051",
                format!("rim:Slot '{slot}' must carry a non-empty rim:Value"),
            )
        })
}

/// C002.
pub(crate) fn check_issue_date_time(value: &str) -> Check {
    ensure(is_issue_datetime(value), "R-EDM-REQ-C002", || {
        "IssueDateTime must be an xsd:dateTime (YYYY-MM-DDThh:mm:ss…)".into()
    })
}

/// Procedure code: 2.0 `rim:Value`, 1.x `rim:LocalizedString/@value` (C003, lenient: any
/// short alphanumeric code, since the 2.0.1 list is unconfirmed; `00` is the system check).
pub(crate) fn procedure_code(value: Node<'_, '_>) -> Check<String> {
    let code = if xml::xsi_type(value) == Some("InternationalStringValueType") {
        rim::intl_values(value)
            .into_iter()
            .map(|l| l.text.trim().to_string())
            .find(|t| !t.is_empty())
    } else {
        rim::simple_value(value)
    };
    code.filter(|c| (1..=8).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric()))
        .ok_or_else(|| {
            violation(
                "R-EDM-REQ-C003",
                "Procedure must carry a code of the Procedures code list",
            )
        })
}

/// Boolean slots (S024/S025 value space xsd:boolean).
pub(crate) fn boolean(value: Node<'_, '_>, slot: &str, rule: &'static str) -> Check<bool> {
    rim::simple_value(value)
        .and_then(|v| parse_boolean(&v))
        .ok_or_else(|| {
            violation(
                rule,
                format!("rim:Slot '{slot}' must carry an xsd:boolean (true/false/1/0)"),
            )
        })
}

/// C005 / C120 and (2.0) S062.
pub(crate) fn check_preview_locations(
    preview: Option<&str>,
    ret: Option<&str>,
    version: EdmVersion,
) -> Check {
    if let Some(p) = preview {
        ensure(is_https(p), "R-EDM-REQ-C005", || {
            "PreviewLocation must be a URI starting with 'https://'".into()
        })?;
    }
    if let Some(r) = ret {
        ensure(is_https(r), "R-EDM-REQ-C120", || {
            "ReturnLocation must be a URI starting with 'https://'".into()
        })?;
    }
    if version.is_v2() {
        ensure(preview.is_some() == ret.is_some(), "R-EDM-REQ-S062", || {
            "ReturnLocation must be present if and only if PreviewLocation is present".into()
        })?;
    }
    Ok(())
}

/// C024/C025; returns the `query:Query` element.
pub(crate) fn check_query_envelope<'a, 'i>(root: Node<'a, 'i>) -> Check<Node<'a, 'i>> {
    let option = xml::child(root, NS_QUERY, "ResponseOption");
    ensure(
        option
            .and_then(|o| o.attribute("returnType"))
            .map(str::trim)
            == Some("LeafClassWithRepositoryItem"),
        "R-EDM-REQ-C024",
        || "query:ResponseOption/@returnType must be 'LeafClassWithRepositoryItem'".into(),
    )?;
    let query = xml::child(root, NS_QUERY, "Query");
    ensure(
        query
            .and_then(|q| q.attribute("queryDefinition"))
            .map(str::trim)
            == Some("DocumentQuery"),
        "R-EDM-REQ-C025",
        || "query:Query/@queryDefinition must be 'DocumentQuery'".into(),
    )?;
    query.ok_or_else(|| violation("R-EDM-REQ-C025", "query:Query is missing"))
}

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
                "R-EDM-REQ-S033",
                "R-EDM-REQ-S044",
                "DataServiceEvidenceType",
                false,
            ),
            "LegalPerson" => ("R-EDM-REQ-S034", "R-EDM-REQ-S047", "LegalPerson", false),
            "NaturalPerson" => ("R-EDM-REQ-S035", "R-EDM-REQ-S046", "Person", true),
            "AuthorizedRepresentative" => ("R-EDM-REQ-S036", "R-EDM-REQ-S048", "Person", true),
            "AuthorizedRepresentativeLegalPerson" => {
                ("R-EDM-REQ-S055", "R-EDM-REQ-S056", "LegalPerson", false)
            }
            other => {
                return Err(violation(
                    "R-EDM-REQ-S049",
                    format!(
                        "rim:Slot '{}' is not admitted in query:Query",
                        safe_name(other)
                    ),
                ));
            }
        };
        let value = slot_value(&slot)?;
        expect_type(value, slot.name, &["AnyValueType"], type_rule)?;
        let content = rim::any_content(value)
            .filter(|c| xml::is(*c, NS_SDG, element))
            .ok_or_else(|| {
                violation(
                    content_rule,
                    format!("rim:Slot '{}' must contain sdg:{element}", slot.name),
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
            "R-EDM-REQ-S015",
            "query:Query must contain exactly one rim:Slot 'EvidenceRequest'",
        ));
    };
    let [subject] = subjects.as_slice() else {
        return Err(violation(
            "R-EDM-REQ-S016",
            "query:Query must contain exactly one of rim:Slot 'NaturalPerson' or 'LegalPerson'",
        ));
    };
    ensure(representatives.len() <= 1, "R-EDM-REQ-S049", || {
        "query:Query must contain at most one authorized representative slot".into()
    })?;
    Ok(QuerySlots {
        evidence_request: *evidence_request,
        subject: *subject,
        representative: representatives.first().copied(),
    })
}

// ---------------------------------------------------------------------------------------
// Collections and agents.
// ---------------------------------------------------------------------------------------

/// Content elements of a collection slot value: each `rim:Element` of type AnyValueType
/// (`type_rule`) containing `sdg:<element>` (`content_rule`).
pub(crate) fn collection_content<'a, 'i>(
    value: Node<'a, 'i>,
    slot: &str,
    element: &'static str,
    type_rule: &'static str,
    content_rule: &'static str,
) -> Check<Vec<Node<'a, 'i>>> {
    rim::collection_elements(value)
        .into_iter()
        .map(|e| {
            ensure(xml::xsi_type(e) == Some("AnyValueType"), type_rule, || {
                format!("rim:Element of rim:Slot '{slot}' must be of xsi:type rim:AnyValueType")
            })?;
            xml::elements(e)
                .next()
                .filter(|c| xml::is(*c, NS_SDG, element))
                .ok_or_else(|| {
                    violation(
                        content_rule,
                        format!("rim:Element of rim:Slot '{slot}' must contain sdg:{element}"),
                    )
                })
        })
        .collect()
}

/// Requester agents: Identifier+Name (S040), schemeID (C010), Classification (C013) from
/// the code list and not EP/ERRP (C014), and an `ER` among them.
pub(crate) fn check_requester_agent(agent: Node<'_, '_>) -> Check {
    let id = xml::child(agent, NS_SDG, "Identifier");
    ensure(
        id.is_some_and(|i| !xml::text(i).is_empty()) && xml::child(agent, NS_SDG, "Name").is_some(),
        "R-EDM-REQ-S040",
        || "an EvidenceRequester sdg:Agent must contain sdg:Identifier and sdg:Name".into(),
    )?;
    ensure(
        id.is_some_and(|i| i.attribute("schemeID").is_some()),
        "R-EDM-REQ-C010",
        || {
            "the 'schemeID' attribute of the EvidenceRequester sdg:Identifier must be present"
                .into()
        },
    )?;
    let class = xml::child_text(agent, NS_SDG, "Classification").unwrap_or_default();
    ensure(!class.is_empty(), "R-EDM-REQ-C013", || {
        "the EvidenceRequester sdg:Agent/sdg:Classification must be provided".into()
    })?;
    ensure(class == "ER" || class == "IP", "R-EDM-REQ-C014", || {
        "EvidenceRequester sdg:Classification must be 'ER' or 'IP' (AgentClassification; EP and ERRP not allowed)".into()
    })
}

/// At least one requester classified `ER` (C014: an `IP` needs an accompanying `ER`).
pub(crate) fn check_requester_present(classes: &[Option<String>]) -> Check {
    ensure(
        classes.iter().any(|c| c.as_deref() == Some("ER")),
        "R-EDM-REQ-C014",
        || "EvidenceRequester must contain an sdg:Agent classified 'ER'".into(),
    )
}

/// Provider agent: Identifier+Name (S043), schemeID (C017).
pub(crate) fn check_provider_agent(agent: Node<'_, '_>) -> Check {
    let id = xml::child(agent, NS_SDG, "Identifier");
    ensure(
        id.is_some_and(|i| !xml::text(i).is_empty()) && xml::child(agent, NS_SDG, "Name").is_some(),
        "R-EDM-REQ-S043",
        || "the EvidenceProvider sdg:Agent must contain sdg:Identifier and sdg:Name".into(),
    )?;
    ensure(
        id.is_some_and(|i| i.attribute("schemeID").is_some()),
        "R-EDM-REQ-C017",
        || "the 'schemeID' attribute of the EvidenceProvider sdg:Identifier must be present".into(),
    )
}

// ---------------------------------------------------------------------------------------
// Subjects.
// ---------------------------------------------------------------------------------------

/// Which subject slot a person comes from (rule ids differ).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Subject,
    Representative,
}

fn check_loa(person: Node<'_, '_>, present_rule: &'static str, value_rule: &'static str) -> Check {
    let loa = xml::child_text(person, NS_SDG, "LevelOfAssurance").unwrap_or_default();
    ensure(!loa.is_empty(), present_rule, || {
        "sdg:LevelOfAssurance must be provided".into()
    })?;
    ensure(
        matches!(loa.as_str(), "Low" | "Substantial" | "High"),
        value_rule,
        || {
            "sdg:LevelOfAssurance must be Low, Substantial or High (LevelsOfAssurance code list)"
                .into()
        },
    )
}

/// `sdg:Person`: LoA (C036/C037, representative C058/C059), Identifier schemeID
/// (C041/C062), FamilyName/GivenName (XSD PersonType), DateOfBirth xsd:date (C043/C064).
pub(crate) fn check_person(person: Node<'_, '_>, role: Role) -> Check {
    let (loa_present, loa_value, scheme, dob) = match role {
        Role::Subject => (
            "R-EDM-REQ-C036",
            "R-EDM-REQ-C037",
            "R-EDM-REQ-C041",
            "R-EDM-REQ-C043",
        ),
        Role::Representative => (
            "R-EDM-REQ-C058",
            "R-EDM-REQ-C059",
            "R-EDM-REQ-C062",
            "R-EDM-REQ-C064",
        ),
    };
    check_loa(person, loa_present, loa_value)?;
    if let Some(id) = xml::child(person, NS_SDG, "Identifier") {
        ensure(id.attribute("schemeID").is_some(), scheme, || {
            "the 'schemeID' attribute of the person sdg:Identifier must be present".into()
        })?;
    }
    for field in ["FamilyName", "GivenName"] {
        ensure(
            xml::child_text(person, NS_SDG, field).is_some_and(|t| !t.is_empty()),
            "SDG-XSD-PersonType",
            || format!("sdg:Person must contain a non-empty sdg:{field}"),
        )?;
    }
    ensure(
        xml::child_text(person, NS_SDG, "DateOfBirth").is_some_and(|d| is_xsd_date(&d)),
        dob,
        || "sdg:DateOfBirth must be present and use the format YYYY-MM-DD (xsd:date)".into(),
    )
}

/// `sdg:LegalPerson`: LoA (C047/C048), identifier schemeIDs (C052/C054), LegalName (XSD).
pub(crate) fn check_legal_person(person: Node<'_, '_>) -> Check {
    check_loa(person, "R-EDM-REQ-C047", "R-EDM-REQ-C048")?;
    if let Some(id) = xml::child(person, NS_SDG, "LegalPersonIdentifier") {
        ensure(id.attribute("schemeID").is_some(), "R-EDM-REQ-C052", || {
            "the 'schemeID' attribute of sdg:LegalPersonIdentifier must be present".into()
        })?;
    }
    ensure(
        xml::children(person, NS_SDG, "Identifier").all(|i| i.attribute("schemeID").is_some()),
        "R-EDM-REQ-C054",
        || "the 'schemeID' attribute of every legal person sdg:Identifier must be present".into(),
    )?;
    ensure(
        xml::child_text(person, NS_SDG, "LegalName").is_some_and(|t| !t.is_empty()),
        "SDG-XSD-LegalPersonType",
        || "sdg:LegalPerson must contain a non-empty sdg:LegalName".into(),
    )
}

// ---------------------------------------------------------------------------------------
// Requested evidence type.
// ---------------------------------------------------------------------------------------

const EVIDENCE_TYPE_CHILDREN: [&str; 5] = [
    "Identifier",
    "EvidenceTypeClassification",
    "Title",
    "Description",
    "DistributedAs",
];

const ASSOCIATED_DOCUMENTS: [&str; 3] = ["Annex", "HumanReadableVersion", "Translation"];

/// `sdg:DataServiceEvidenceType`: children (S045), Identifier UUID (C026), classification
/// URI (C027), DistributedAs count (C032: 1.x exactly one, 2.0 at least one), Format
/// present (C033), associated documents (C119, 2.0).
pub(crate) fn check_evidence_type(node: Node<'_, '_>, version: EdmVersion) -> Check {
    for c in xml::elements(node) {
        ensure(
            c.tag_name().namespace() == Some(NS_SDG)
                && EVIDENCE_TYPE_CHILDREN.contains(&c.tag_name().name()),
            "R-EDM-REQ-S045",
            || {
                "sdg:DataServiceEvidenceType may only contain sdg:Identifier, sdg:EvidenceTypeClassification, \
                 sdg:Title, sdg:Description and sdg:DistributedAs"
                    .into()
            },
        )?;
    }
    ensure(
        xml::child_text(node, NS_SDG, "Identifier").is_some_and(|i| ends_with_uuid(&i)),
        "R-EDM-REQ-C026",
        || "the sdg:Identifier of sdg:DataServiceEvidenceType must be a UUID (RFC 4122)".into(),
    )?;
    ensure(
        xml::child_text(node, NS_SDG, "EvidenceTypeClassification")
            .is_some_and(|c| is_https(&c) && normalize_classification(&c).is_some()),
        "R-EDM-REQ-C027",
        || {
            "sdg:EvidenceTypeClassification must be https://<Semantic Repository host>/evidencetypeclassifications/<CC>/<UUID>"
                .into()
        },
    )?;
    ensure(
        xml::child(node, NS_SDG, "Title").is_some(),
        "R-EDM-REQ-S045",
        || "sdg:DataServiceEvidenceType must contain at least one sdg:Title".into(),
    )?;
    let distributions: Vec<_> = xml::children(node, NS_SDG, "DistributedAs").collect();
    let count_ok = if version.is_v2() {
        !distributions.is_empty()
    } else {
        distributions.len() == 1
    };
    ensure(count_ok, "R-EDM-REQ-C032", || {
        if version.is_v2() {
            "sdg:DataServiceEvidenceType must contain at least one sdg:DistributedAs".into()
        } else {
            "sdg:DataServiceEvidenceType must contain exactly one sdg:DistributedAs".into()
        }
    })?;
    for d in distributions {
        ensure(
            xml::child_text(d, NS_SDG, "Format").is_some_and(|f| f.contains('/')),
            "R-EDM-REQ-C033",
            || "every sdg:DistributedAs must contain sdg:Format with a media type".into(),
        )?;
        if version.is_v2() {
            ensure(
                xml::children(d, NS_SDG, "AssociatedDocumentRequest")
                    .all(|a| ASSOCIATED_DOCUMENTS.contains(&xml::text(a).as_str())),
                "R-EDM-REQ-C119",
                || {
                    "sdg:AssociatedDocumentRequest must be Annex, HumanReadableVersion or Translation".into()
                },
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        assert!(is_urn_uuid("urn:uuid:4FFB5281-179d-4578-adf2-39fd13ccc797"));
        assert!(!is_urn_uuid("4ffb5281-179d-4578-adf2-39fd13ccc797"));
        assert!(!is_urn_uuid("urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc79"));
        assert!(!is_urn_uuid(
            "urn:uui\u{e9}4ffb5281-179d-4578-adf2-39fd13ccc79"
        ));
        assert!(!is_urn_uuid(
            "urn:uuid\u{e9}ffb5281-179d-4578-adf2-39fd13ccc797"
        ));
        assert!(is_xsd_date("2000-02-29"));
        assert!(!is_xsd_date("1900-02-29"));
        assert!(!is_xsd_date("1992-13-01"));
        assert!(!is_xsd_date("1992-10-22Z"));
        assert!(!is_xsd_date("22/10/1992"));
        assert!(is_issue_datetime("2026-08-06T10:00:00.000Z"));
        assert!(!is_issue_datetime("2026-08-06"));
        assert_eq!(parse_boolean(" 1 "), Some(true));
        assert_eq!(parse_boolean("yes"), None);
        assert!(ends_with_uuid("41170824-15d9-4c16-984e-63b75b937b8c"));
        assert!(!ends_with_uuid("é41170824-15d9-4c16-984e-63b75b937b8"));
    }

    #[test]
    fn classification_keys_are_host_independent() {
        let id = "ca8afed6-2dc0-422a-a931-d21c3d8d370e";
        let a = normalize_classification(&format!(
            "https://sr.oots.tech.europa.eu/evidencetypeclassifications/DE/{id}"
        ));
        let b = normalize_classification(&format!(
            "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/de/{}",
            id.to_uppercase()
        ));
        let c = normalize_classification(&format!(
            "https://sr.acc.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/{id}/"
        ));
        assert_eq!(
            a.as_deref(),
            Some("DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e")
        );
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(
            normalize_classification(&format!(
                "https://evil.example/evidencetypeclassifications/DE/{id}"
            )),
            None
        );
        assert_eq!(
            normalize_classification(&format!(
                "https://sr.oots.tech.ec.europa.eu/requirements/{id}"
            )),
            None
        );
        assert_eq!(
            normalize_classification(
                "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/x"
            ),
            None
        );
    }
}
