//! Evidence requests (`query:QueryRequest`): hardened parse with rule checks, and writer.

use roxmltree::Node;

use crate::model::{
    Agent, EvidenceRequest, EvidenceTypeRequest, ProviderClassification, Requirement, Subject,
};
use crate::parse_error::{RequestError, RequestErrorKind};
use crate::rim;
use crate::rule::Rule;
use crate::rules::{self, RequestSlots, Role, Violation, violation};
use crate::sdg::{self, AgentShape, PersonShape};
use crate::version::EdmVersion;
use crate::xml::{self, NS_SDG, ROOT_NAMESPACES, XmlLimits, XmlWriter};

/// Parses and rule-checks an evidence request.
///
/// The input is untrusted: see [`XmlLimits`] for the hardening. On failure the error
/// carries what could be recovered (request id, version, requester) so the caller can still
/// answer with `EDM:ERR:0003`.
// The error is large on purpose (it carries the recovered requester for the answer) and
// only travels the rare refusal path.
#[allow(clippy::result_large_err)]
pub fn parse_request(xml: &[u8], limits: &XmlLimits) -> Result<EvidenceRequest, RequestError> {
    let text = xml::decode(xml, limits).map_err(|e| RequestError::from_xml(e, None))?;
    let doc = xml::parse(text, limits)
        .map_err(|e| RequestError::from_xml(e, xml::sniff_request_id(text)))?;
    let root = doc.root_element();
    read_request(root).map_err(|v| {
        let (request_id, version, requester) = recover(root);
        RequestError {
            request_id,
            version,
            requester,
            kind: RequestErrorKind::Rule {
                rule: v.rule,
                detail: v.detail,
            },
        }
    })
}

/// Best-effort identification of a refused request, for the error answer.
fn recover(root: Node<'_, '_>) -> (Option<String>, Option<EdmVersion>, Option<Agent>) {
    if rules::check_root(root).is_err() {
        return (None, None, None);
    }
    let request_id = rules::check_request_id(root).ok();
    let version = rules::check_version(root).ok();
    let requester = rim::find_slot(root, "EvidenceRequester")
        .and_then(|s| s.value())
        .map(|v| {
            rim::agents_or_any(v)
                .into_iter()
                .filter(|a| xml::is(*a, NS_SDG, "Agent"))
                // Only an agent that passes its rules is echoed: the answer must not
                // repeat a bad scheme or country back (nor become invalid by it).
                .filter(|a| {
                    rules::check_requester_agent(*a, version.unwrap_or(EdmVersion::V2_0)).is_ok()
                })
                .filter_map(|a| sdg::read_agent(a).ok())
                .collect::<Vec<_>>()
        })
        .and_then(|agents| {
            let er = agents
                .iter()
                .position(|a| a.is_classified(Agent::EVIDENCE_REQUESTER))
                .unwrap_or(0);
            agents.into_iter().nth(er)
        });
    (request_id, version, requester)
}

/// Maps a missing element found while reading to a violation of `rule`.
fn missing(rule: Rule) -> impl Fn(sdg::Missing) -> Violation {
    move |m| violation(rule, format!("{} is missing", m.0))
}

/// Checks and reads a subject or representative: a person or a legal person.
fn read_subject(
    node: Node<'_, '_>,
    natural: bool,
    role: Role,
    version: EdmVersion,
) -> Result<Subject, Violation> {
    if natural {
        rules::check_person(node, role, version)?;
        sdg::read_person(node)
            .map(Subject::Natural)
            .map_err(missing(Rule::SdgXsdPersonType))
    } else {
        rules::check_legal_person(node, version)?;
        sdg::read_legal_person(node)
            .map(Subject::Legal)
            .map_err(missing(Rule::SdgXsdLegalPersonType))
    }
}

/// Reads a request, checking each rule before the value it governs is read; the first
/// violation ends the read, in the order the rules were always checked.
fn read_request(root: Node<'_, '_>) -> Result<EvidenceRequest, Violation> {
    rules::check_root(root)?;
    let version = rules::check_version(root)?;
    let id = rules::check_request_id(root)?;
    let lang = rules::check_root_lang(root, version)?;
    let slots = rules::check_request_slots(root, version)?;
    let header = read_header(&slots, version)?;
    let requirements = read_requirements(&slots)?;
    let requesters = read_requesters(&slots, version)?;
    let (provider, provider_classifications) = read_provider(&slots)?;
    let query = read_query(root, version)?;
    Ok(EvidenceRequest {
        id,
        version,
        issue_date_time: header.issue_date_time,
        procedure: Some(header.procedure),
        preview_location: header.preview_location,
        possibility_for_preview: header.possibility_for_preview,
        explicit_request_given: header.explicit_request_given,
        requirements,
        requesters,
        provider,
        return_location: header.return_location,
        lang,
        subject: query.subject,
        representative: query.representative,
        evidence_type: query.evidence_type,
        provider_classifications,
    })
}

/// The value of a top-level slot the request must carry.
fn required<'a, 'i>(
    slots: &RequestSlots<'a, 'i>,
    name: &str,
    rule: Rule,
) -> Result<Node<'a, 'i>, Violation> {
    slots.get(name).ok_or_else(|| {
        violation(
            rule,
            format!("rim:Slot '{name}' must be present in the QueryRequest"),
        )
    })
}

/// The request's simple slots: when and under which procedure it was issued, and what it
/// says about a preview.
struct Header {
    issue_date_time: String,
    procedure: String,
    possibility_for_preview: bool,
    explicit_request_given: bool,
    preview_location: Option<String>,
    return_location: Option<String>,
}

/// Reads and checks the simple slots (C002, C003, S024/S025, C005/C120/S062).
fn read_header(slots: &RequestSlots<'_, '_>, version: EdmVersion) -> Result<Header, Violation> {
    let issue_date_time = rules::simple_text(
        required(slots, "IssueDateTime", Rule::ReqS006)?,
        "IssueDateTime",
    )?;
    rules::check_issue_date_time(&issue_date_time)?;
    let procedure = rules::procedure_code(required(slots, "Procedure", Rule::ReqS007)?)?;
    let possibility_for_preview = rules::boolean(
        required(slots, "PossibilityForPreview", Rule::ReqS009)?,
        "PossibilityForPreview",
        Rule::ReqS024,
    )?;
    let explicit_request_given = rules::boolean(
        required(slots, "ExplicitRequestGiven", Rule::ReqS010)?,
        "ExplicitRequestGiven",
        Rule::ReqS025,
    )?;
    let preview_location = slots
        .get("PreviewLocation")
        .map(|v| rules::simple_text(v, "PreviewLocation"))
        .transpose()?;
    let return_location = slots
        .get("ReturnLocation")
        .map(|v| rules::simple_text(v, "ReturnLocation"))
        .transpose()?;
    rules::check_preview_locations(
        preview_location.as_deref(),
        return_location.as_deref(),
        version,
    )?;
    Ok(Header {
        issue_date_time,
        procedure,
        possibility_for_preview,
        explicit_request_given,
        preview_location,
        return_location,
    })
}

/// The requirements the evidence is to prove, when the request names any (S027, S037).
fn read_requirements(slots: &RequestSlots<'_, '_>) -> Result<Vec<Requirement>, Violation> {
    Ok(match slots.get("Requirements") {
        Some(v) => rules::collection_content(
            v,
            "Requirements",
            "Requirement",
            Rule::ReqS027,
            Rule::ReqS037,
        )?
        .into_iter()
        .map(|r| sdg::read_requirement(r).map_err(missing(Rule::ReqS038)))
        .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    })
}

/// The requester agents, each checked, with an `ER` among them (S029, S039, C014).
fn read_requesters(
    slots: &RequestSlots<'_, '_>,
    version: EdmVersion,
) -> Result<Vec<Agent>, Violation> {
    let requester_nodes = rules::collection_content(
        required(slots, "EvidenceRequester", Rule::ReqS012)?,
        "EvidenceRequester",
        "Agent",
        Rule::ReqS029,
        Rule::ReqS039,
    )?;
    let mut requesters = Vec::with_capacity(requester_nodes.len());
    for node in requester_nodes {
        rules::check_requester_agent(node, version)?;
        requesters.push(sdg::read_agent(node).map_err(missing(Rule::ReqS040))?);
    }
    let classes: Vec<_> = requesters
        .iter()
        .map(|a| a.classification.clone())
        .collect();
    rules::check_requester_present(&classes)?;
    Ok(requesters)
}

/// The one provider agent (S042, S043) and the provider classification's shape (S032,
/// S041).
fn read_provider(
    slots: &RequestSlots<'_, '_>,
) -> Result<(Agent, Vec<ProviderClassification>), Violation> {
    let provider_value = required(slots, "EvidenceProvider", Rule::ReqS013)?;
    // Exactly one agent: a second one must not ride along unread.
    let provider_node = rim::any_content(provider_value)
        .filter(|a| xml::is(*a, NS_SDG, "Agent") && xml::elements(provider_value).nth(1).is_none())
        .ok_or_else(|| {
            violation(
                Rule::ReqS042,
                "rim:Slot 'EvidenceProvider' must contain exactly one sdg:Agent",
            )
        })?;
    rules::check_provider_agent(provider_node)?;
    let provider = sdg::read_agent(provider_node).map_err(missing(Rule::ReqS043))?;
    let mut classifications = Vec::new();
    if let Some(v) = slots.get("EvidenceProviderClassification") {
        let nodes = rules::collection_content(
            v,
            "EvidenceProviderClassification",
            "EvidenceProviderClassification",
            Rule::ReqS032,
            Rule::ReqS041,
        )?;
        classifications = nodes
            .into_iter()
            .filter_map(sdg::read_provider_classification)
            .collect();
    }
    Ok((provider, classifications))
}

/// What the query asks: about whom, for whom acting, and which evidence type.
struct Query {
    subject: Subject,
    representative: Option<Subject>,
    evidence_type: EvidenceTypeRequest,
}

/// Reads and checks the query envelope and its slots: subject, representative, evidence
/// type.
fn read_query(root: Node<'_, '_>, version: EdmVersion) -> Result<Query, Violation> {
    let query = rules::check_query_envelope(root)?;
    let q = rules::check_query_slots(query)?;
    let (subject_node, natural) = q.subject;
    let subject = read_subject(subject_node, natural, Role::Subject, version)?;
    let representative = q
        .representative
        .map(|(node, natural)| read_subject(node, natural, Role::Representative, version))
        .transpose()?;
    rules::check_evidence_type(q.evidence_request, version)?;
    let evidence_type =
        sdg::read_evidence_type(q.evidence_request).map_err(missing(Rule::ReqS045))?;
    Ok(Query {
        subject,
        representative,
        evidence_type,
    })
}

/// Serialises a request in canonical form for its version (used by the demo requester).
///
/// 1.x: `xml:lang` on the root, `Procedure` as InternationalString, `Transformation`;
/// 2.0: `Procedure` as String, `ReturnLocation`, `Language`/`AssociatedDocumentRequest`.
pub fn write_request(req: &EvidenceRequest) -> String {
    let v = req.version;
    let mut w = XmlWriter::new();
    let mut attrs: Vec<(&str, &str)> = ROOT_NAMESPACES.to_vec();
    if !v.is_v2()
        && let Some(lang) = &req.lang
    {
        attrs.push(("xml:lang", lang));
    }
    attrs.push(("id", &req.id));
    w.open("query:QueryRequest", &attrs);
    rim::write_string(&mut w, "SpecificationIdentifier", v.spec_id());
    rim::write_datetime(&mut w, "IssueDateTime", &req.issue_date_time);
    if let Some(p) = &req.procedure {
        if v.is_v2() {
            rim::write_string(&mut w, "Procedure", p);
        } else {
            rim::write_intl(
                &mut w,
                "Procedure",
                &[crate::model::LocalizedText::new("EN", p.clone())],
            );
        }
    }
    if let Some(p) = &req.preview_location {
        rim::write_string(&mut w, "PreviewLocation", p);
    }
    rim::write_boolean(&mut w, "PossibilityForPreview", req.possibility_for_preview);
    rim::write_boolean(&mut w, "ExplicitRequestGiven", req.explicit_request_given);
    if !req.requirements.is_empty() {
        rim::write_collection(&mut w, "Requirements", &req.requirements, |w, r| {
            sdg::write_requirement(w, r, v);
        });
    }
    rim::write_collection(&mut w, "EvidenceRequester", &req.requesters, |w, a| {
        sdg::write_agent(w, "sdg:Agent", a, AgentShape::Full, None);
    });
    rim::write_any(&mut w, "EvidenceProvider", |w| {
        sdg::write_agent(
            w,
            "sdg:Agent",
            &req.provider,
            AgentShape::IdentifierAndName,
            None,
        );
    });
    if !req.provider_classifications.is_empty() {
        rim::write_collection(
            &mut w,
            "EvidenceProviderClassification",
            &req.provider_classifications,
            sdg::write_provider_classification,
        );
    }
    if v.is_v2()
        && let Some(r) = &req.return_location
    {
        rim::write_string(&mut w, "ReturnLocation", r);
    }
    w.empty(
        "query:ResponseOption",
        &[("returnType", "LeafClassWithRepositoryItem")],
    );
    w.open("query:Query", &[("queryDefinition", "DocumentQuery")]);
    let (slot, person) = match &req.subject {
        Subject::Natural(_) => ("NaturalPerson", "sdg:Person"),
        Subject::Legal(_) => ("LegalPerson", "sdg:LegalPerson"),
    };
    rim::write_any(&mut w, slot, |w| {
        sdg::write_subject(w, person, &req.subject, v, PersonShape::Full)
    });
    if let Some(rep) = &req.representative {
        let slot = match rep {
            Subject::Natural(_) => "AuthorizedRepresentative",
            Subject::Legal(_) => "AuthorizedRepresentativeLegalPerson",
        };
        rim::write_any(&mut w, slot, |w| {
            sdg::write_subject(w, "sdg:Person", rep, v, PersonShape::Full)
        });
    }
    rim::write_any(&mut w, "EvidenceRequest", |w| {
        sdg::write_evidence_type(w, &req.evidence_type, v)
    });
    w.close("query:Query");
    w.close("query:QueryRequest");
    w.finish()
}
