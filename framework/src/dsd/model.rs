//! What the DSD registration holds, built from a deployment: one data service evidence
//! type per mapping file, each reached through the deployment's access service(s) and
//! published by the provider.

use std::path::PathBuf;

use uuid::Uuid;

use crate::config::{AdapterConfig, GatewaySettings};
use crate::edm::normalize_classification;
use crate::mapping::JurisdictionSpec;
use crate::mapping::{Mapping, MappingSet};

/// The provider's whole registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub publisher: Publisher,
    /// Ordered by classification.
    pub types: Vec<ServiceType>,
}

/// `sdg:Publisher`: the evidence provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    pub identifier: String,
    pub scheme: String,
    /// `(language, text)`, ordered by language.
    pub names: Vec<(String, String)>,
    pub descriptions: Vec<(String, String)>,
    /// `AdminUnitLevel1` of address and jurisdiction.
    pub country: String,
}

/// `sdg:AccessService`: the access point, the EDM version it speaks, its publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessService {
    pub identifier: String,
    pub scheme: String,
    pub names: Vec<(String, String)>,
    pub conforms_to: String,
    pub publisher: Publisher,
}

/// `sdg:DistributedAs`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Distribution {
    pub format: String,
    pub conforms_to: Option<String>,
    pub language: Option<String>,
    pub transformation: Option<String>,
}

/// `sdg:DataServiceEvidenceType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceType {
    pub identifier: String,
    /// The identifier was derived (UUIDv5), not written in the mapping file.
    pub identifier_derived: bool,
    pub classification: String,
    pub titles: Vec<(String, String)>,
    pub descriptions: Vec<(String, String)>,
    pub distributions: Vec<Distribution>,
    pub access_services: Vec<AccessService>,
    pub level_of_assurance: Option<String>,
    pub jurisdiction: Option<JurisdictionSpec>,
    /// `sdg:EvidenceProviderClassification/sdg:Identifier` values, sorted.
    pub provider_classifications: Vec<String>,
    /// The mapping file it comes from (empty for a parsed DSD answer).
    pub source: PathBuf,
}

impl ServiceType {
    /// Host-independent key of the classification (the URI itself when not an SR one).
    pub fn key(&self) -> String {
        normalize_classification(&self.classification)
            .unwrap_or_else(|| self.classification.trim().to_owned())
    }
}

/// Namespace of every UUIDv5 the export derives, so ids are stable across runs and
/// machines and never collide with another tool's.
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x5d1c_6e0a_8f3b_4c52_9a7e_0b2d_d5d0_0001);

/// A stable `urn:uuid:` for `what`.
pub(super) fn derived_id(what: &str) -> String {
    Uuid::new_v5(&ID_NAMESPACE, what.as_bytes()).to_string()
}

/// The registration a deployment's configuration and loaded mapping files give.
pub fn registration(cfg: &AdapterConfig, set: &MappingSet) -> Registration {
    let publisher = publisher(cfg);
    let access = access_services(cfg, &publisher);
    let mut types: Vec<ServiceType> = set
        .mappings()
        .iter()
        .flat_map(|m| service_types(cfg, m, &access))
        .collect();
    types.sort_by(|a, b| a.classification.cmp(&b.classification));
    Registration { publisher, types }
}

fn publisher(cfg: &AdapterConfig) -> Publisher {
    let p = &cfg.provider;
    Publisher {
        identifier: p.identifier.clone(),
        scheme: p.scheme.clone(),
        names: pairs(&p.name),
        descriptions: pairs(&cfg.dsd.publisher_description),
        country: p.country.clone(),
    }
}

/// The access point requesters address: PartyId, its type, names by language.
pub(super) struct AccessPoint {
    identifier: String,
    scheme: String,
    names: Vec<(String, String)>,
}

/// The access point from `dsd.access_service`, else the AS4 gateway's PartyId; none with
/// a Domibus gateway or no gateway (OEA-W0204).
pub(super) fn access_point(cfg: &AdapterConfig) -> Option<AccessPoint> {
    if let Some(a) = &cfg.dsd.access_service {
        return Some(AccessPoint {
            identifier: a.identifier.clone(),
            scheme: a.scheme.clone(),
            names: pairs(&a.name),
        });
    }
    match &cfg.gateway {
        Some(GatewaySettings::As4(s)) => Some(AccessPoint {
            identifier: s.party_id.clone(),
            scheme: s.party_type.clone(),
            names: Vec::new(),
        }),
        _ => None,
    }
}

fn access_services(cfg: &AdapterConfig, publisher: &Publisher) -> Vec<AccessService> {
    let Some(AccessPoint {
        identifier,
        scheme,
        names,
    }) = access_point(cfg)
    else {
        return Vec::new();
    };
    cfg.dsd
        .conforms_to
        .iter()
        .map(|v| AccessService {
            identifier: identifier.clone(),
            scheme: scheme.clone(),
            names: names.clone(),
            conforms_to: v.clone(),
            publisher: publisher.clone(),
        })
        .collect()
}

/// One data service evidence type per classification the mapping serves.
fn service_types(cfg: &AdapterConfig, m: &Mapping, access: &[AccessService]) -> Vec<ServiceType> {
    let spec = &m.spec;
    let mut distributions: Vec<Distribution> = m
        .distributions
        .iter()
        .flat_map(|d| {
            let models: Vec<Option<String>> = if d.conforms_to.is_empty() {
                vec![None]
            } else {
                d.conforms_to.iter().cloned().map(Some).collect()
            };
            models.into_iter().map(|c| Distribution {
                format: d.format.clone(),
                conforms_to: c,
                language: d.language.clone(),
                transformation: d.transformation.clone(),
            })
        })
        .collect();
    distributions.sort();
    distributions.dedup();
    let loa = spec
        .dsd
        .level_of_assurance
        .or(spec.policy.min_level_of_assurance)
        .map(|l| l.as_str().to_owned());
    let mut classifications: Vec<String> = spec
        .provider_classifications
        .values()
        .map(|c| c.identifier.value.trim().to_owned())
        .collect();
    classifications.sort();
    spec.evidence_type
        .classifications
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let classification = c.value.trim().to_owned();
            let key =
                normalize_classification(&classification).unwrap_or_else(|| classification.clone());
            // An identifier names one data service evidence type: a mapping serving
            // several classifications gives its own to the first only.
            let (identifier, identifier_derived) = match &spec.dsd.identifier {
                Some(id) if i == 0 => (id.trim().to_owned(), false),
                _ => (
                    derived_id(&format!(
                        "data-service-evidence-type|{}|{}|{key}",
                        cfg.provider.scheme, cfg.provider.identifier
                    )),
                    true,
                ),
            };
            ServiceType {
                identifier,
                identifier_derived,
                classification,
                titles: pairs(&spec.evidence_type.title),
                descriptions: pairs(&spec.evidence_type.description),
                distributions: distributions.clone(),
                access_services: access.to_vec(),
                level_of_assurance: loa.clone(),
                jurisdiction: spec.dsd.jurisdiction.clone(),
                provider_classifications: classifications.clone(),
                source: m.file.clone(),
            }
        })
        .collect()
}

fn pairs(map: &std::collections::BTreeMap<String, String>) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> AdapterConfig {
        let text = format!(
            "provider:\n  identifier: DE1\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: {{ EN: Office }}\n  country: DE\n  domain: office.example\nmappings: mapping\npreview:\n  public_url: https://preview.example/p\n{extra}"
        );
        AdapterConfig::from_str(std::path::Path::new("adapter.yaml"), &text).unwrap()
    }

    const AS4: &str = "gateway:\n  type: as4\n  party_id: AP_DE_01\n  private_key: env:AP_KEY\n  certificate: ap.pem\n  trust_store: ca.pem\n";

    #[test]
    fn the_access_point_is_the_as4_party_unless_dsd_names_one() {
        let a = access_point(&config(AS4)).unwrap();
        assert_eq!(a.identifier, "AP_DE_01");
        assert_eq!(
            a.scheme,
            "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots"
        );
        let named = config(&format!(
            "{AS4}dsd:\n  access_service: {{ identifier: AP_X, scheme: urn:x, name: {{ EN: X }} }}\n"
        ));
        let a = access_point(&named).unwrap();
        assert_eq!(
            (a.identifier.as_str(), a.scheme.as_str()),
            ("AP_X", "urn:x")
        );
        assert_eq!(a.names, vec![("EN".to_owned(), "X".to_owned())]);
        assert!(access_point(&config("")).is_none());
        let p = publisher(&named);
        let services = access_services(&named, &p);
        assert_eq!(services.len(), 1);
        assert_eq!(services[0].conforms_to, "oots-edm:v2.0");
    }

    #[test]
    fn a_derived_identifier_is_stable_and_differs_by_input() {
        assert_eq!(derived_id("a"), derived_id("a"));
        assert_ne!(derived_id("a"), derived_id("b"));
        assert_eq!(
            uuid::Uuid::parse_str(&derived_id("a"))
                .unwrap()
                .get_version_num(),
            5
        );
    }
}
