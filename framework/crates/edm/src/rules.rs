//! Inbound EDM rule checks for evidence requests.
//!
//! Every failure names its rule id (`docs/oots-edm.md`, TDD Schematron, FR transcription of
//! 2.0.1). Details name elements and constraints only — never a received value, so they can
//! go back to the requester and into logs without carrying personal data. Code lists
//! (Procedures, EAS, countries) and formats (dates, eIDAS identifiers) are checked
//! strictly, since a value outside them would otherwise be served and echoed; where the
//! doc marks something unconfirmed the check is lenient (e.g. Requirements cardinality,
//! slot order).

use roxmltree::Node;

use crate::codelist;
use crate::lexical::{is_invisible, is_urn_uuid, is_uuid};
use crate::rim::{self, Slot};
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::{self, NS_QUERY, NS_SDG, NS_XML};

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

fn ensure(cond: bool, rule: Rule, detail: impl FnOnce() -> String) -> Check {
    if cond {
        Ok(())
    } else {
        Err(violation(rule, detail()))
    }
}

// ---------------------------------------------------------------------------------------
// Value validators.
// ---------------------------------------------------------------------------------------

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

/// A whole xsd:dateTime that is a real instant — R-EDM-REQ-C002: a calendar date,
/// `T`, `hh:mm:ss` in range, optional fraction, optional `Z` or `±hh:mm` offset. The
/// Schematron's unanchored pattern would let `2026-13-45T25:61:00 and more` through.
pub(crate) fn is_issue_datetime(s: &str) -> bool {
    let s = s.trim();
    if !s.is_ascii() {
        return false;
    }
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    if !is_xsd_date(date) || time.len() < 8 {
        return false;
    }
    let b = time.as_bytes();
    if b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) =
        (digits(&time[..2]), digits(&time[3..5]), digits(&time[6..8]))
    else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    let mut rest = &time[8..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => {
            matches!((digits(&rest[1..3]), digits(&rest[4..6])), (Some(oh), Some(om)) if oh <= 14 && om <= 59)
        }
        _ => false,
    }
}

/// An eIDAS person identifier `CC/CC/…` (R-EDM-REQ-C039/C040/C050/C061): two country
/// codes and a value without spaces. 2.0.1 (C040) admits only OOTS countries (Greece is
/// `EL`) and 6–256 characters; 1.x only the shape.
fn is_eidas_identifier(value: &str, version: EdmVersion) -> bool {
    let mut parts = value.trim().splitn(3, '/');
    let (Some(from), Some(to), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let country = |c: &str| {
        c.len() == 2
            && c.bytes().all(|b| b.is_ascii_alphabetic())
            && (!version.is_v2() || codelist::is_oots_country(&c.to_ascii_uppercase()))
    };
    let len = rest.chars().count();
    let min = if version.is_v2() { 6 } else { 1 };
    country(from)
        && country(to)
        && (min..=256).contains(&len)
        && !rest.chars().any(|c| c.is_whitespace() || is_invisible(c))
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
        Rule::ReqS001,
        || "the root element must be query:QueryRequest".into(),
    )?;
    ensure(
        root.tag_name().namespace() == Some(NS_QUERY),
        Rule::ReqS002,
        || format!("the root element must be in namespace {NS_QUERY}"),
    )
}

/// R-EDM-REQ-S004.
pub(crate) fn check_request_id(root: Node<'_, '_>) -> Check<String> {
    match root.attribute("id") {
        Some(id) if is_urn_uuid(id) => Ok(id.trim().to_string()),
        _ => Err(violation(
            Rule::ReqS004,
            "QueryRequest/@id must be 'urn:uuid:' followed by an RFC 4122 UUID",
        )),
    }
}

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

fn expect_type(value: Node<'_, '_>, slot: &str, accepted: &[&str], rule: Rule) -> Check {
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

/// R-EDM-REQ-S059 (2.0 forbids `xml:lang` on the root).
pub(crate) fn check_root_lang(root: Node<'_, '_>, version: EdmVersion) -> Check<Option<String>> {
    let lang = root
        .attribute((NS_XML, "lang"))
        .map(|l| l.trim().to_string());
    ensure(!(version.is_v2() && lang.is_some()), Rule::ReqS059, || {
        "oots-edm:v2.0 requests must not carry xml:lang on query:QueryRequest (use sdg:DistributedAs/sdg:Language)".into()
    })?;
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

/// Text of a simple (`rim:Value`) slot, required non-empty.
pub(crate) fn simple_text(value: Node<'_, '_>, slot: &str) -> Check<String> {
    rim::simple_value(value)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            violation(
                Rule::ReqS051,
                format!("rim:Slot '{slot}' must carry a non-empty rim:Value"),
            )
        })
}

/// C002.
pub(crate) fn check_issue_date_time(value: &str) -> Check {
    ensure(is_issue_datetime(value), Rule::ReqC002, || {
        "IssueDateTime must be an xsd:dateTime (YYYY-MM-DDThh:mm:ss…)".into()
    })
}

/// Procedure code: 2.0 `rim:Value`, 1.x `rim:LocalizedString/@value`, from the Procedures
/// code list or `00`, the system check (C003).
pub(crate) fn procedure_code(value: Node<'_, '_>) -> Check<String> {
    let code = if xml::xsi_type(value) == Some("InternationalStringValueType") {
        rim::intl_values(value)
            .into_iter()
            .map(|l| l.text.trim().to_string())
            .find(|t| !t.is_empty())
    } else {
        rim::simple_value(value)
    };
    code.filter(|c| codelist::is_procedure(c)).ok_or_else(|| {
        violation(
            Rule::ReqC003,
            "Procedure must carry a code of the Procedures code list",
        )
    })
}

/// Boolean slots (S024/S025 value space xsd:boolean).
pub(crate) fn boolean(value: Node<'_, '_>, slot: &str, rule: Rule) -> Check<bool> {
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
        ensure(is_https(p), Rule::ReqC005, || {
            "PreviewLocation must be a URI starting with 'https://'".into()
        })?;
    }
    if let Some(r) = ret {
        ensure(is_https(r), Rule::ReqC120, || {
            "ReturnLocation must be a URI starting with 'https://'".into()
        })?;
    }
    if version.is_v2() {
        ensure(preview.is_some() == ret.is_some(), Rule::ReqS062, || {
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
        Rule::ReqC024,
        || "query:ResponseOption/@returnType must be 'LeafClassWithRepositoryItem'".into(),
    )?;
    let query = xml::child(root, NS_QUERY, "Query");
    ensure(
        query
            .and_then(|q| q.attribute("queryDefinition"))
            .map(str::trim)
            == Some("DocumentQuery"),
        Rule::ReqC025,
        || "query:Query/@queryDefinition must be 'DocumentQuery'".into(),
    )?;
    query.ok_or_else(|| violation(Rule::ReqC025, "query:Query is missing"))
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

// ---------------------------------------------------------------------------------------
// Collections and agents.
// ---------------------------------------------------------------------------------------

/// Content elements of a collection slot value: each `rim:Element` of type AnyValueType
/// (`type_rule`) containing `sdg:<element>` (`content_rule`).
pub(crate) fn collection_content<'a, 'i>(
    value: Node<'a, 'i>,
    slot: &str,
    element: &'static str,
    type_rule: Rule,
    content_rule: Rule,
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
pub(crate) fn check_requester_agent(agent: Node<'_, '_>, version: EdmVersion) -> Check {
    let id = xml::child(agent, NS_SDG, "Identifier");
    ensure(
        id.is_some_and(|i| !xml::text(i).is_empty()) && xml::child(agent, NS_SDG, "Name").is_some(),
        Rule::ReqS040,
        || "an EvidenceRequester sdg:Agent must contain sdg:Identifier and sdg:Name".into(),
    )?;
    at_most_once(
        agent,
        &["Identifier", "Address", "Classification"],
        Rule::ReqS040,
        "an EvidenceRequester sdg:Agent",
    )?;
    ensure(
        id.is_some_and(|i| i.attribute("schemeID").is_some()),
        Rule::ReqC010,
        || {
            "the 'schemeID' attribute of the EvidenceRequester sdg:Identifier must be present"
                .into()
        },
    )?;
    ensure(
        id.and_then(|i| i.attribute("schemeID"))
            .is_some_and(codelist::is_agent_scheme),
        Rule::ReqC012,
        || {
            "the 'schemeID' of the EvidenceRequester sdg:Identifier must be urn:cef.eu:names:identifier:EAS:<code of the EAS code list> or urn:oasis:names:tc:ebcore:partyid-type:unregistered…".into()
        },
    )?;
    if let Some(address) = xml::child(agent, NS_SDG, "Address") {
        check_country(
            address,
            Rule::ReqC015,
            "EvidenceRequester sdg:Address",
            version,
        )?;
    }
    let class = xml::child_text(agent, NS_SDG, "Classification").unwrap_or_default();
    ensure(!class.is_empty(), Rule::ReqC013, || {
        "the EvidenceRequester sdg:Agent/sdg:Classification must be provided".into()
    })?;
    ensure(class == "ER" || class == "IP", Rule::ReqC014, || {
        "EvidenceRequester sdg:Classification must be 'ER' or 'IP' (AgentClassification; EP and ERRP not allowed)".into()
    })
}

/// At least one requester classified `ER` (C014: an `IP` needs an accompanying `ER`).
pub(crate) fn check_requester_present(classes: &[Option<String>]) -> Check {
    ensure(
        classes.iter().any(|c| c.as_deref() == Some("ER")),
        Rule::ReqC014,
        || "EvidenceRequester must contain an sdg:Agent classified 'ER'".into(),
    )
}

/// Provider agent: Identifier+Name (S043), schemeID (C017).
pub(crate) fn check_provider_agent(agent: Node<'_, '_>) -> Check {
    let id = xml::child(agent, NS_SDG, "Identifier");
    ensure(
        id.is_some_and(|i| !xml::text(i).is_empty()) && xml::child(agent, NS_SDG, "Name").is_some(),
        Rule::ReqS043,
        || "the EvidenceProvider sdg:Agent must contain sdg:Identifier and sdg:Name".into(),
    )?;
    at_most_once(
        agent,
        &["Identifier"],
        Rule::ReqS043,
        "the EvidenceProvider sdg:Agent",
    )?;
    ensure(
        id.is_some_and(|i| i.attribute("schemeID").is_some()),
        Rule::ReqC017,
        || "the 'schemeID' attribute of the EvidenceProvider sdg:Identifier must be present".into(),
    )?;
    ensure(
        id.and_then(|i| i.attribute("schemeID"))
            .is_some_and(codelist::is_agent_scheme),
        Rule::ReqC018,
        || {
            "the 'schemeID' of the EvidenceProvider sdg:Identifier must be urn:cef.eu:names:identifier:EAS:<code of the EAS code list> or urn:oasis:names:tc:ebcore:partyid-type:unregistered…".into()
        },
    )
}

/// `AdminUnitLevel1` of an address, when present: a code of the CountryIdentificationCode
/// list (Greece is `EL`). The Commission's own 1.0 samples write `GR`, so 1.x requests
/// may; a 2.0 request may not.
fn check_country(address: Node<'_, '_>, rule: Rule, what: &str, version: EdmVersion) -> Check {
    match xml::child_text(address, NS_SDG, "AdminUnitLevel1") {
        Some(code) => ensure(
            codelist::is_country(&code) || (!version.is_v2() && code == "GR"),
            rule,
            || {
                format!(
                    "{what}/sdg:AdminUnitLevel1 must be a code of the CountryIdentificationCode list (Greece is EL)"
                )
            },
        ),
        None => Ok(()),
    }
}

/// Each of `elements` at most once (the XSD sequence), under `rule`.
fn at_most_once(node: Node<'_, '_>, elements: &[&'static str], rule: Rule, parent: &str) -> Check {
    for &e in elements {
        ensure(
            xml::children(node, NS_SDG, e).nth(1).is_none(),
            rule,
            || format!("{parent} must not contain sdg:{e} more than once"),
        )?;
    }
    Ok(())
}

/// Names free of invisible and bidirectional control characters.
fn check_names(node: Node<'_, '_>, elements: &[&'static str], parent: &str) -> Check {
    for &e in elements {
        for n in xml::children(node, NS_SDG, e) {
            ensure(
                !xml::text(n).chars().any(is_invisible),
                Rule::IdentityMatching,
                || {
                    format!(
                        "{parent}/sdg:{e} contains invisible formatting or bidirectional control characters"
                    )
                },
            )?;
        }
    }
    Ok(())
}

const PERSON_SINGLE: [&str; 12] = [
    "LevelOfAssurance",
    "Identifier",
    "FamilyName",
    "GivenName",
    "DateOfBirth",
    "BirthName",
    "PlaceOfBirth",
    "CurrentAddress",
    "Gender",
    "Nationality",
    "CountryOfBirth",
    "CountryOfResidence",
];

const LEGAL_PERSON_SINGLE: [&str; 4] = [
    "LevelOfAssurance",
    "LegalPersonIdentifier",
    "LegalName",
    "RegisteredAddress",
];

// ---------------------------------------------------------------------------------------
// Subjects.
// ---------------------------------------------------------------------------------------

/// Which subject slot a person comes from (rule ids differ).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Subject,
    Representative,
}

fn check_loa(person: Node<'_, '_>, present_rule: Rule, value_rule: Rule) -> Check {
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

/// `sdg:Person`: each element once (XSD PersonType), LoA (C036/C037, representative
/// C058/C059), Identifier schemeID (C041/C062) and format (C039/C040, C061),
/// FamilyName/GivenName (XSD PersonType) without invisible characters, DateOfBirth
/// xsd:date (C043/C064), address and (subject) nationality and birth/residence countries
/// from the country code list (C045/C067, C075–C077).
pub(crate) fn check_person(person: Node<'_, '_>, role: Role, version: EdmVersion) -> Check {
    let (loa_present, loa_value, (scheme, eidas), format, dob, address) = match role {
        Role::Subject => (
            Rule::ReqC036,
            Rule::ReqC037,
            (Rule::ReqC041, Rule::ReqC042),
            if version.is_v2() {
                Rule::ReqC040
            } else {
                Rule::ReqC039
            },
            Rule::ReqC043,
            Rule::ReqC045,
        ),
        Role::Representative => (
            Rule::ReqC058,
            Rule::ReqC059,
            (Rule::ReqC062, Rule::ReqC063),
            Rule::ReqC061,
            Rule::ReqC064,
            Rule::ReqC067,
        ),
    };
    at_most_once(person, &PERSON_SINGLE, Rule::SdgXsdPersonType, "sdg:Person")?;
    check_loa(person, loa_present, loa_value)?;
    if let Some(id) = xml::child(person, NS_SDG, "Identifier") {
        ensure(id.attribute("schemeID").is_some(), scheme, || {
            "the 'schemeID' attribute of the person sdg:Identifier must be present".into()
        })?;
        ensure(
            id.attribute("schemeID").map(str::trim) == Some("eidas"),
            eidas,
            || "the 'schemeID' attribute of the person sdg:Identifier must be 'eidas'".into(),
        )?;
        ensure(is_eidas_identifier(&xml::text(id), version), format, || {
            if version.is_v2() {
                "the person sdg:Identifier must be <OOTS country>/<OOTS country>/<6 to 256 characters without spaces> (Greece is EL)".into()
            } else {
                "the person sdg:Identifier must be <country>/<country>/<identifier without spaces>"
                    .into()
            }
        })?;
    }
    check_names(
        person,
        &["FamilyName", "GivenName", "BirthName", "PlaceOfBirth"],
        "sdg:Person",
    )?;
    if let Some(a) = xml::child(person, NS_SDG, "CurrentAddress") {
        check_country(a, address, "sdg:Person/sdg:CurrentAddress", version)?;
    }
    if role == Role::Subject {
        for (element, rule) in [
            ("Nationality", Rule::ReqC075),
            ("CountryOfBirth", Rule::ReqC076),
            ("CountryOfResidence", Rule::ReqC077),
        ] {
            if let Some(code) = xml::child_text(person, NS_SDG, element) {
                ensure(codelist::is_country(&code), rule, || {
                    format!(
                        "sdg:{element} must be a code of the CountryIdentificationCode list (Greece is EL)"
                    )
                })?;
            }
        }
    }
    for field in ["FamilyName", "GivenName"] {
        ensure(
            xml::child_text(person, NS_SDG, field).is_some_and(|t| !t.is_empty()),
            Rule::SdgXsdPersonType,
            || format!("sdg:Person must contain a non-empty sdg:{field}"),
        )?;
    }
    ensure(
        xml::child_text(person, NS_SDG, "DateOfBirth").is_some_and(|d| is_xsd_date(&d)),
        dob,
        || "sdg:DateOfBirth must be present and use the format YYYY-MM-DD (xsd:date)".into(),
    )
}

/// `sdg:LegalPerson`: each element once (XSD), LoA (C047/C048), identifier schemeIDs
/// (C052/C054) and format (C050), LegalName (XSD) without invisible characters,
/// registered address country (C056).
pub(crate) fn check_legal_person(person: Node<'_, '_>, version: EdmVersion) -> Check {
    at_most_once(
        person,
        &LEGAL_PERSON_SINGLE,
        Rule::SdgXsdLegalPersonType,
        "sdg:LegalPerson",
    )?;
    check_loa(person, Rule::ReqC047, Rule::ReqC048)?;
    if let Some(id) = xml::child(person, NS_SDG, "LegalPersonIdentifier") {
        ensure(id.attribute("schemeID").is_some(), Rule::ReqC052, || {
            "the 'schemeID' attribute of sdg:LegalPersonIdentifier must be present".into()
        })?;
        ensure(
            id.attribute("schemeID").map(str::trim) == Some("eidas"),
            Rule::ReqC053,
            || "the 'schemeID' attribute of sdg:LegalPersonIdentifier must be 'eidas'".into(),
        )?;
        ensure(
            is_eidas_identifier(&xml::text(id), version),
            Rule::ReqC050,
            || {
                "sdg:LegalPersonIdentifier must be <country>/<country>/<identifier without spaces> (Greece is EL)".into()
            },
        )?;
    }
    check_names(person, &["LegalName"], "sdg:LegalPerson")?;
    if let Some(a) = xml::child(person, NS_SDG, "RegisteredAddress") {
        check_country(
            a,
            Rule::ReqC056,
            "sdg:LegalPerson/sdg:RegisteredAddress",
            version,
        )?;
    }
    ensure(
        xml::children(person, NS_SDG, "Identifier").all(|i| i.attribute("schemeID").is_some()),
        Rule::ReqC054,
        || "the 'schemeID' attribute of every legal person sdg:Identifier must be present".into(),
    )?;
    ensure(
        xml::child_text(person, NS_SDG, "LegalName").is_some_and(|t| !t.is_empty()),
        Rule::SdgXsdLegalPersonType,
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
            Rule::ReqS045,
            || {
                "sdg:DataServiceEvidenceType may only contain sdg:Identifier, sdg:EvidenceTypeClassification, \
                 sdg:Title, sdg:Description and sdg:DistributedAs"
                    .into()
            },
        )?;
    }
    at_most_once(
        node,
        &["Identifier", "EvidenceTypeClassification"],
        Rule::SdgXsdDataServiceEvidenceType,
        "sdg:DataServiceEvidenceType",
    )?;
    ensure(
        xml::child_text(node, NS_SDG, "Identifier").is_some_and(|i| ends_with_uuid(&i)),
        Rule::ReqC026,
        || "the sdg:Identifier of sdg:DataServiceEvidenceType must be a UUID (RFC 4122)".into(),
    )?;
    ensure(
        xml::child_text(node, NS_SDG, "EvidenceTypeClassification")
            .is_some_and(|c| is_https(&c) && normalize_classification(&c).is_some()),
        Rule::ReqC027,
        || {
            "sdg:EvidenceTypeClassification must be https://<Semantic Repository host>/evidencetypeclassifications/<CC>/<UUID>"
                .into()
        },
    )?;
    ensure(
        xml::child(node, NS_SDG, "Title").is_some(),
        Rule::ReqS045,
        || "sdg:DataServiceEvidenceType must contain at least one sdg:Title".into(),
    )?;
    let distributions: Vec<_> = xml::children(node, NS_SDG, "DistributedAs").collect();
    let count_ok = if version.is_v2() {
        !distributions.is_empty()
    } else {
        distributions.len() == 1
    };
    ensure(count_ok, Rule::ReqC032, || {
        if version.is_v2() {
            "sdg:DataServiceEvidenceType must contain at least one sdg:DistributedAs".into()
        } else {
            "sdg:DataServiceEvidenceType must contain exactly one sdg:DistributedAs".into()
        }
    })?;
    let admitted: &[&str] = if version.is_v2() {
        &[
            "Format",
            "ConformsTo",
            "Language",
            "AssociatedDocumentRequest",
        ]
    } else {
        &["Format", "ConformsTo", "Transformation"]
    };
    for d in distributions {
        ensure(
            xml::elements(d).all(|c| {
                c.tag_name().namespace() == Some(NS_SDG) && admitted.contains(&c.tag_name().name())
            }),
            Rule::SdgXsdDistributionType,
            || {
                format!(
                    "sdg:DistributedAs of a {version} request may only contain sdg:{}",
                    admitted.join(", sdg:")
                )
            },
        )?;
        ensure(
            xml::child_text(d, NS_SDG, "Format").is_some_and(|f| f.contains('/')),
            Rule::ReqC033,
            || "every sdg:DistributedAs must contain sdg:Format with a media type".into(),
        )?;
        if version.is_v2() {
            ensure(
                xml::children(d, NS_SDG, "AssociatedDocumentRequest")
                    .all(|a| ASSOCIATED_DOCUMENTS.contains(&xml::text(a).as_str())),
                Rule::ReqC119,
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
