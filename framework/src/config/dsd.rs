//! `dsd:` of `adapter.yaml`: the access service the DSD registration names
//! (`oots-adapter dsd export`, docs/dsd.md). Every key is optional; `check` warns when the
//! DSD would miss one.

use std::collections::BTreeMap;

use serde::Deserialize;

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
