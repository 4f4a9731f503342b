//! Evidence responses (`query:QueryResponse`): reader for both outcomes, writer for success.

use roxmltree::Node;

use crate::association;
use crate::error::STATUS_FAILURE;
use crate::error_xml::read_error_response;
use crate::model::{EvidenceItem, EvidenceResponse};
use crate::parse_error::EdmError;
use crate::query_response::QueryResponse;
use crate::response_head::{Head, open_response, slot_agent, slot_text};
use crate::rim;
use crate::sdg;
use crate::version::EdmVersion;
use crate::xml::{self, NS_QUERY, NS_RIM, NS_RS, NS_SDG, NS_XLINK, XmlLimits, XmlWriter};

/// `status` of a successful response.
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success";
pub use crate::response_head::STATUS_UNAVAILABLE;
pub use crate::supplement::{EDM_CLASSIFICATION_SCHEME, MAIN_EVIDENCE};

/// Parses an evidence response or an error response (same hardening as requests).
///
/// Lenient on peers' shapes: 1.x flat and 2.0 packaged object lists, `EvidenceProvider` as
/// collection or bare agent, missing `SpecificationIdentifier` (taken as 2.0, whose header
/// carries the version) and exceptions without `@code` (derived from `xsi:type`). 2.0
/// supplementary objects (Annex, Translation…) are not read as evidences: each is given
/// to the item its association targets ([`EvidenceItem::supplements`]).
pub fn parse_response(xml: &[u8], limits: &XmlLimits) -> Result<QueryResponse, EdmError> {
    let text = xml::decode(xml, limits)?;
    let doc = xml::parse(text, limits)?;
    let root = doc.root_element();
    if !xml::is(root, NS_QUERY, "QueryResponse") {
        return Err(EdmError::Invalid(
            "the root element must be query:QueryResponse".into(),
        ));
    }
    let version = match rim::find_slot(root, "SpecificationIdentifier")
        .and_then(|s| s.value())
        .and_then(rim::simple_value)
    {
        Some(v) => EdmVersion::from_spec_id(&v)
            .ok_or_else(|| EdmError::Invalid("unknown SpecificationIdentifier".into()))?,
        None => EdmVersion::V2_0,
    };
    let status = root.attribute("status").map(str::trim).unwrap_or("");
    if status == STATUS_FAILURE || xml::child(root, NS_RS, "Exception").is_some() {
        return read_error_response(root, version).map(QueryResponse::Error);
    }
    if status == STATUS_UNAVAILABLE {
        return crate::deferred::read_deferred(root, version).map(QueryResponse::Deferred);
    }
    if status != STATUS_SUCCESS {
        return Err(EdmError::Invalid(
            "QueryResponse/@status is not a known ResponseStatusType".into(),
        ));
    }
    read_evidence_response(root, version).map(QueryResponse::Evidence)
}

fn registry_objects<'a, 'i>(list: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    xml::children(list, NS_RIM, "RegistryObject")
}

fn read_item(object: Node<'_, '_>, package_id: &str) -> Result<EvidenceItem, EdmError> {
    let object_id = object
        .attribute("id")
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    let evidence = rim::find_slot(object, "EvidenceMetadata")
        .and_then(|s| s.value())
        .and_then(rim::any_content)
        .filter(|e| xml::is(*e, NS_SDG, "Evidence"))
        .ok_or_else(|| {
            EdmError::Invalid("evidence object without EvidenceMetadata/sdg:Evidence".into())
        })?;
    let evidence = sdg::read_evidence(evidence)
        .map_err(|m| EdmError::Invalid(format!("sdg:Evidence lacks {}", m.0)))?;
    let reference = xml::child(object, NS_RIM, "RepositoryItemRef");
    let href = reference
        .and_then(|r| r.attribute((NS_XLINK, "href")))
        .map(str::trim)
        .unwrap_or("");
    Ok(EvidenceItem {
        package_id: package_id.to_owned(),
        object_id,
        classification_id: xml::child(object, NS_RIM, "Classification")
            .and_then(|c| c.attribute("id"))
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        evidence,
        content_id: href.strip_prefix("cid:").unwrap_or(href).to_string(),
        title: reference
            .and_then(|r| r.attribute((NS_XLINK, "title")))
            .unwrap_or("")
            .to_string(),
        supplements: Vec::new(),
    })
}

fn is_main_evidence(object: Node<'_, '_>) -> bool {
    let classifications: Vec<_> = xml::children(object, NS_RIM, "Classification").collect();
    classifications.is_empty()
        || classifications
            .iter()
            .any(|c| c.attribute("classificationNode").map(str::trim) == Some(MAIN_EVIDENCE))
}

/// Gives each supplement of a package to the main evidence its association targets.
fn attach_supplements(items: &mut [EvidenceItem], list: Node<'_, '_>) {
    for (target, supplement) in association::read_supplements(list) {
        if let Some(item) = items.iter_mut().find(|i| i.object_id == target) {
            item.supplements.push(supplement);
        }
    }
}

fn read_evidence_response(
    root: Node<'_, '_>,
    version: EdmVersion,
) -> Result<EvidenceResponse, EdmError> {
    let mut items = Vec::new();
    if let Some(list) = xml::child(root, NS_RIM, "RegistryObjectList") {
        for object in registry_objects(list) {
            match xml::xsi_type(object) {
                // 2.0: one package per evidence (R-EDM-RESP-S066), each with its own
                // nested list holding its MainEvidence (S046, S047).
                Some("RegistryPackageType") => {
                    let package_id = object.attribute("id").map(str::trim).unwrap_or("");
                    let inner = xml::child(object, NS_RIM, "RegistryObjectList")
                        .into_iter()
                        .flat_map(registry_objects);
                    for o in inner {
                        if xml::xsi_type(o) == Some("ExtrinsicObjectType") && is_main_evidence(o) {
                            items.push(read_item(o, package_id)?);
                        }
                    }
                    if let Some(inner) = xml::child(object, NS_RIM, "RegistryObjectList") {
                        attach_supplements(&mut items, inner);
                    }
                }
                Some("ExtrinsicObjectType") => items.push(read_item(object, "")?),
                _ => {}
            }
        }
    }
    Ok(EvidenceResponse {
        version,
        request_id: root
            .attribute("requestId")
            .map(|s| s.trim().to_string())
            .ok_or_else(|| EdmError::Invalid("QueryResponse/@requestId is missing".into()))?,
        response_id: slot_text(root, "EvidenceResponseIdentifier").ok_or_else(|| {
            EdmError::Invalid("rim:Slot 'EvidenceResponseIdentifier' is missing".into())
        })?,
        issue_date_time: slot_text(root, "IssueDateTime")
            .ok_or_else(|| EdmError::Invalid("rim:Slot 'IssueDateTime' is missing".into()))?,
        provider: slot_agent(root, "EvidenceProvider")?,
        requester: slot_agent(root, "EvidenceRequester")?,
        items,
    })
}

fn write_object(w: &mut XmlWriter, item: &EvidenceItem, version: EdmVersion) {
    w.open(
        "rim:RegistryObject",
        &[
            ("xsi:type", "rim:ExtrinsicObjectType"),
            ("id", &item.object_id),
        ],
    );
    rim::write_any(w, "EvidenceMetadata", |w| {
        sdg::write_evidence(w, &item.evidence, version)
    });
    if version.is_v2() {
        w.empty(
            "rim:Classification",
            &[
                ("id", &item.classification_id),
                ("classificationScheme", EDM_CLASSIFICATION_SCHEME),
                ("classificationNode", MAIN_EVIDENCE),
            ],
        );
    }
    let href = format!("cid:{}", item.content_id);
    w.empty(
        "rim:RepositoryItemRef",
        &[("xlink:href", &href), ("xlink:title", &item.title)],
    );
    w.close("rim:RegistryObject");
}

/// Serialises a successful response: 1.x a flat list, one `ExtrinsicObjectType` per item
/// (R-EDM-RESP-S015, S033–S035); 2.0 one `RegistryPackageType` per item at the top level
/// (R-EDM-RESP-S066), each with one nested list (S046) holding the item classified
/// `MainEvidence` (S047). Without items (the user declined in the preview, TDD 2.0.1 4.9
/// §1) both write an empty `<rim:RegistryObjectList/>`, with no package.
pub fn write_response(resp: &EvidenceResponse) -> String {
    let v = resp.version;
    let mut w = XmlWriter::new();
    open_response(
        &mut w,
        &Head {
            version: v,
            request_id: &resp.request_id,
            status: STATUS_SUCCESS,
            response_id: &resp.response_id,
            issue_date_time: &resp.issue_date_time,
            available_date_time: None,
            provider: &resp.provider,
            requester: &resp.requester,
        },
    );
    if resp.items.is_empty() {
        w.empty("rim:RegistryObjectList", &[]);
    } else {
        write_objects(&mut w, resp);
    }
    w.close("query:QueryResponse");
    w.finish()
}

/// The top-level `rim:RegistryObjectList` of a response with at least one item.
fn write_objects(w: &mut XmlWriter, resp: &EvidenceResponse) {
    let v = resp.version;
    w.open("rim:RegistryObjectList", &[]);
    for item in &resp.items {
        if v.is_v2() {
            write_package(w, item, v);
        } else {
            write_object(w, item, v);
        }
    }
    w.close("rim:RegistryObjectList");
}

/// One 2.0 package: the item's own nested list around its main evidence object, then
/// its associated documents and their associations (R-EDM-RESP-S050–S061).
fn write_package(w: &mut XmlWriter, item: &EvidenceItem, v: EdmVersion) {
    w.open(
        "rim:RegistryObject",
        &[
            ("xsi:type", "rim:RegistryPackageType"),
            ("id", &item.package_id),
        ],
    );
    w.open("rim:RegistryObjectList", &[]);
    write_object(w, item, v);
    association::write_supplements(w, &item.object_id, &item.supplements);
    w.close("rim:RegistryObjectList");
    w.close("rim:RegistryObject");
}
