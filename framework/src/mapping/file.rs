//! The YAML shape of a mapping file, exactly as an authority writes it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::matching::Attribute;

/// One mapping file: how one evidence type is read from the registry and rendered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    pub evidence_type: EvidenceTypeSpec,
    /// Whether the evidence is about a natural or a legal person.
    #[serde(default)]
    pub subject: SubjectKind,
    pub connector: ConnectorSpec,
    /// Registry field holding each request attribute (`FamilyName: family_name`).
    pub identity: BTreeMap<Attribute, String>,
    pub evidence: EvidenceSpec,
}

/// Which evidence type(s) this file serves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceTypeSpec {
    /// Evidence type classification URIs from the Semantic Repository; both the
    /// `sr.oots.tech.ec.europa.eu` and the older `sr.oots.tech.europa.eu` host match.
    pub classifications: Vec<Spanned<String>>,
    /// Title by language, written into `sdg:IsConformantTo`.
    pub title: BTreeMap<String, String>,
    #[serde(default)]
    pub description: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    #[default]
    NaturalPerson,
    LegalPerson,
}

/// Where candidate records come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorSpec {
    /// Name of a connection declared in `adapter.yaml`.
    pub connection: Spanned<String>,
    /// Query text in the connector's language, with `:name` parameters.
    pub query: Spanned<String>,
    /// Request attribute bound to each query parameter (`date_of_birth: DateOfBirth`).
    #[serde(default)]
    pub parameters: BTreeMap<String, Attribute>,
    /// Record fields by name, each read from a connector-specific path: a column name
    /// (SQL), a JSONPath (REST, JSON files) or a dotted path (XML, CSV files). Empty:
    /// every field the source returns, under its own name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// How a matched record becomes evidence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSpec {
    /// Record field holding the evidence's issuing date (`sdg:IssuingDate`).
    #[serde(default)]
    pub issuing_date: Option<String>,
    /// `xlink:title` of the attached document.
    #[serde(default = "default_title")]
    pub title: String,
    /// The forms this evidence can be delivered in; the request picks one by format.
    pub distributions: Vec<DistributionSpec>,
}

fn default_title() -> String {
    "Evidence".to_owned()
}

/// One deliverable form of the evidence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionSpec {
    /// Media type (`application/xml`, `application/json`, `application/pdf`).
    pub format: Spanned<String>,
    /// Data-model URIs a structured distribution conforms to (`sdg:ConformsTo`).
    #[serde(default)]
    pub conforms_to: Vec<String>,
    /// Language of the document (`sdg:Language`).
    #[serde(default)]
    pub language: Option<String>,
    /// Handlebars template, relative to the mapping file.
    pub template: Spanned<String>,
}
