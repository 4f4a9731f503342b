//! `dsd:` of a mapping file: what the Data Service Directory registration needs beyond
//! serving (`oots-adapter dsd export`, docs/dsd.md). Every key is optional; `check` warns
//! when the DSD would miss one.

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
