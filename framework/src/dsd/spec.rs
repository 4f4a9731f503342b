//! The optional settings a DSD registration needs that serving does not: the `dsd:`
//! section of a mapping file (the data service evidence type) and of `adapter.yaml` (the
//! access service). Every key is optional; `check` warns when the DSD would miss one.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::edm::LevelOfAssurance;

/// `dsd:` of a mapping file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingDsd {
    /// `sdg:Identifier` of the data service evidence type (a UUID). Requesters send it
    /// back in every request, so it must not change; absent: a UUIDv5 of provider and
    /// classification is used (stable, but `check` warns, OEA-W0201).
    #[serde(default)]
    pub identifier: Option<String>,
    /// `sdg:AuthenticationLevelOfAssurance`; absent: `policy.min_level_of_assurance`.
    #[serde(default)]
    pub level_of_assurance: Option<LevelOfAssurance>,
    /// `sdg:EvidenceProviderJurisdictionDetermination`, when the user must choose the
    /// provider's jurisdiction at the DSD (a municipality, a region).
    #[serde(default)]
    pub jurisdiction: Option<JurisdictionSpec>,
}

/// `dsd.jurisdiction` of a mapping file.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionSpec {
    /// `sdg:JurisdictionContextId`.
    pub context_id: String,
    /// `sdg:JurisdictionContext` by language.
    pub context: BTreeMap<String, String>,
    /// `sdg:JurisdictionLevel` (`NUTS1`, `LAU`…).
    pub level: String,
}

/// `dsd:` of `adapter.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsdConfig {
    /// The access point requesters address (`sdg:AccessService/sdg:Identifier`, the
    /// ebMS `To` PartyId). Absent: the AS4 gateway's `party_id`/`party_type`; with a
    /// Domibus gateway it must be given (OEA-W0204).
    #[serde(default)]
    pub access_service: Option<AccessServiceSpec>,
    /// EDM versions the access service speaks (`sdg:ConformsTo`), one access service each.
    #[serde(default = "default_conforms_to")]
    pub conforms_to: Vec<String>,
    /// `sdg:Publisher/sdg:Description` by language.
    #[serde(default)]
    pub publisher_description: BTreeMap<String, String>,
}

impl Default for DsdConfig {
    fn default() -> Self {
        Self {
            access_service: None,
            conforms_to: default_conforms_to(),
            publisher_description: BTreeMap::new(),
        }
    }
}

fn default_conforms_to() -> Vec<String> {
    vec!["oots-edm:v2.0".to_owned()]
}

/// `dsd.access_service` of `adapter.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessServiceSpec {
    /// The access point's PartyId (`AP_FI_03`).
    pub identifier: String,
    /// Its type (`urn:oasis:names:tc:ebcore:partyid-type:unregistered:FI`).
    pub scheme: String,
    /// `sdg:Name` by language.
    #[serde(default)]
    pub name: BTreeMap<String, String>,
}
