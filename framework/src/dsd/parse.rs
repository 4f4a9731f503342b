//! Reading a DSD query answer (`query:QueryResponse` of
//! `dataservices-by-evidencetype-and-jurisdiction`) into the registration model, so it
//! can be compared with the export. Parsed under the EDM hardening (no DTD, no entities,
//! size, depth and node limits); nothing in it is trusted beyond being compared.

use roxmltree::Node;

use super::model::{AccessService, Distribution, Publisher, ServiceType};
use super::{DsdError, MAX_ANSWER_BYTES};
use crate::edm::{NS_QUERY, NS_RIM, NS_RS, NS_SDG, XmlLimits, echo, parse_hardened};
use crate::mapping::JurisdictionSpec;

/// What a DSD answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsdAnswer {
    /// Every `sdg:DataServiceEvidenceType`, in document order.
    pub types: Vec<ServiceType>,
    /// `code: message` of an exception answer (`DSD:ERR:0001`: nothing found).
    pub exception: Option<String>,
}

/// Parses a DSD answer.
pub fn parse_answer(bytes: &[u8]) -> Result<DsdAnswer, DsdError> {
    let limits = XmlLimits {
        max_bytes: MAX_ANSWER_BYTES,
        ..XmlLimits::default()
    };
    if bytes.len() > MAX_ANSWER_BYTES {
        return Err(DsdError::Unreadable(format!(
            "the DSD answer is larger than {MAX_ANSWER_BYTES} bytes"
        )));
    }
    let doc = parse_hardened(bytes, &limits).map_err(DsdError::NotXml)?;
    let root = doc.root_element();
    if !is(root, NS_QUERY, "QueryResponse") {
        return Err(DsdError::NotQueryResponse(format!(
            "the root element is `{}`, not a RegRep query:QueryResponse",
            echo(root.tag_name().name())
        )));
    }
    let exception = root
        .children()
        .find(|c| is(*c, NS_RS, "Exception"))
        .map(|e| {
            format!(
                "{}: {}",
                echo(e.attribute("code").unwrap_or("no code")),
                echo(e.attribute("message").unwrap_or(""))
            )
        });
    let mut types = Vec::new();
    for list in root
        .children()
        .filter(|c| is(*c, NS_RIM, "RegistryObjectList"))
    {
        for object in list.children().filter(|c| is(*c, NS_RIM, "RegistryObject")) {
            for slot in object.children().filter(|c| {
                is(*c, NS_RIM, "Slot") && c.attribute("name") == Some("DataServiceEvidenceType")
            }) {
                for value in slot.children().filter(|c| is(*c, NS_RIM, "SlotValue")) {
                    for t in value
                        .children()
                        .filter(|c| is(*c, NS_SDG, "DataServiceEvidenceType"))
                    {
                        types.push(service_type(t)?);
                    }
                }
            }
        }
    }
    Ok(DsdAnswer { types, exception })
}

fn is(node: Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local && node.tag_name().namespace() == Some(ns)
}

fn sdg<'a, 'i>(node: Node<'a, 'i>, local: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| is(*c, NS_SDG, local))
}

fn text(node: Node<'_, '_>) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect::<String>()
        .trim()
        .to_owned()
}

fn first(node: Node<'_, '_>, local: &'static str) -> Option<String> {
    sdg(node, local).next().map(text).filter(|t| !t.is_empty())
}

fn texts(node: Node<'_, '_>, local: &'static str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = sdg(node, local)
        .map(|n| {
            (
                n.attribute("lang")
                    .unwrap_or("")
                    .trim()
                    .to_ascii_uppercase(),
                text(n),
            )
        })
        .collect();
    out.sort();
    out
}

fn service_type(t: Node<'_, '_>) -> Result<ServiceType, DsdError> {
    let identifier = first(t, "Identifier").ok_or_else(|| {
        DsdError::BadEntry("a DataServiceEvidenceType has no sdg:Identifier".into())
    })?;
    let classification = first(t, "EvidenceTypeClassification").ok_or_else(|| {
        DsdError::BadEntry(format!(
            "DataServiceEvidenceType {} has no sdg:EvidenceTypeClassification",
            echo(&identifier)
        ))
    })?;
    let mut distributions = Vec::new();
    for d in sdg(t, "DistributedAs") {
        let format = first(d, "Format").ok_or_else(|| {
            DsdError::BadEntry(format!(
                "DataServiceEvidenceType {} has a DistributedAs without sdg:Format",
                echo(&identifier)
            ))
        })?;
        let mut languages: Vec<Option<String>> = sdg(d, "Language").map(text).map(Some).collect();
        if languages.is_empty() {
            languages.push(None);
        }
        for language in languages {
            distributions.push(Distribution {
                format: format.clone(),
                conforms_to: first(d, "ConformsTo"),
                language,
                transformation: first(d, "Transformation"),
            });
        }
    }
    distributions.sort();
    let access_services = sdg(t, "AccessService").flat_map(access_services).collect();
    let jurisdiction = sdg(t, "EvidenceProviderJurisdictionDetermination")
        .next()
        .map(|j| JurisdictionSpec {
            context_id: first(j, "JurisdictionContextId").unwrap_or_default(),
            context: texts(j, "JurisdictionContext").into_iter().collect(),
            level: first(j, "JurisdictionLevel").unwrap_or_default(),
        });
    let mut provider_classifications: Vec<String> = sdg(t, "EvidenceProviderClassification")
        .filter_map(|c| first(c, "Identifier"))
        .collect();
    provider_classifications.sort();
    Ok(ServiceType {
        identifier,
        identifier_derived: false,
        classification,
        titles: texts(t, "Title"),
        descriptions: texts(t, "Description"),
        distributions,
        access_services,
        level_of_assurance: first(t, "AuthenticationLevelOfAssurance"),
        jurisdiction,
        provider_classifications,
        source: Default::default(),
    })
}

/// One access service per `sdg:ConformsTo` it lists.
fn access_services(a: Node<'_, '_>) -> Vec<AccessService> {
    let id = sdg(a, "Identifier").next();
    let identifier = id.map(text).unwrap_or_default();
    let scheme = id
        .and_then(|n| n.attribute("schemeID"))
        .unwrap_or("")
        .trim()
        .to_owned();
    let names = texts(a, "Name");
    let publisher = sdg(a, "Publisher")
        .next()
        .map(publisher)
        .unwrap_or(Publisher {
            identifier: String::new(),
            scheme: String::new(),
            names: Vec::new(),
            descriptions: Vec::new(),
            country: String::new(),
        });
    let versions: Vec<String> = sdg(a, "ConformsTo").map(text).collect();
    let versions = if versions.is_empty() {
        vec![String::new()]
    } else {
        versions
    };
    versions
        .into_iter()
        .map(|conforms_to| AccessService {
            identifier: identifier.clone(),
            scheme: scheme.clone(),
            names: names.clone(),
            conforms_to,
            publisher: publisher.clone(),
        })
        .collect()
}

fn publisher(p: Node<'_, '_>) -> Publisher {
    let id = sdg(p, "Identifier").next();
    Publisher {
        identifier: id.map(text).unwrap_or_default(),
        scheme: id
            .and_then(|n| n.attribute("schemeID"))
            .unwrap_or("")
            .trim()
            .to_owned(),
        names: texts(p, "Name"),
        descriptions: texts(p, "Description"),
        country: sdg(p, "Address")
            .next()
            .and_then(|a| first(a, "AdminUnitLevel1"))
            .unwrap_or_default(),
    }
}
