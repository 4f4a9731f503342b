//! The YAML shape of a mapping file, exactly as an authority writes it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::matching::{Attribute, MatchingSpec, OneOrMany, SubjectKind};

/// One mapping file: how one evidence type is read from the registry and rendered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    pub evidence_type: EvidenceTypeSpec,
    /// Whether the evidence is about a natural or a legal person.
    #[serde(default)]
    pub subject: SubjectKind,
    pub connector: ConnectorSpec,
    /// Registry field(s) holding each request attribute (`FamilyName: family_name`, or a
    /// list such as `FamilyName: [family_name, birth_name]`: any of them may agree).
    pub identity: BTreeMap<Attribute, OneOrMany<String>>,
    /// How the subject's record is found and decided on (docs/matching.md); every
    /// setting has a default.
    #[serde(default)]
    pub matching: MatchingSpec,
    pub evidence: EvidenceSpec,
    /// Per-evidence-type release rules.
    #[serde(default)]
    pub policy: Policy,
    /// How the registry shows the request's representative may act for the subject
    /// (`super::representation`); absent: the power is not checked here.
    #[serde(default)]
    pub representation: Option<super::representation::RepresentationSpec>,
    /// The evidence provider classifications (chosen by the user at the DSD) this mapping
    /// uses, by a name of the mapping's choosing.
    #[serde(default)]
    pub provider_classifications: BTreeMap<String, super::classification::ClassificationSpec>,
    /// Labels of record fields by language, for the preview page (`family_name: {EN: Family name}`),
    /// shown in the order written.
    #[serde(default)]
    pub labels: indexmap::IndexMap<String, BTreeMap<String, String>>,
    /// What the DSD registration needs beyond serving (`oots-adapter dsd export`,
    /// docs/dsd.md): the data service identifier, level of assurance, jurisdiction.
    #[serde(default)]
    pub dsd: super::dsd::MappingDsd,
    /// Offline tests: a request, registry fixtures and what the answer must be
    /// (`oots-adapter test`).
    #[serde(default)]
    pub tests: Vec<TestCase>,
}

/// Rules an evidence type is released under.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The lowest eIDAS level of assurance of the subject's identification accepted
    /// (`Low`, `Substantial`, `High`); below it the answer is `EDM:ERR:0001`.
    #[serde(default)]
    pub min_level_of_assurance: Option<crate::edm::LevelOfAssurance>,
    #[serde(default)]
    pub preview: PreviewPolicy,
    /// The only evidence requesters this evidence type is released to; absent: any.
    /// Others get `EDM:ERR:0002` (docs/mapping-files.md, `policy`).
    #[serde(default, deserialize_with = "super::policy::allow_list")]
    pub requesters: Option<Vec<super::policy::AllowedRequester>>,
    /// What a request with `ExplicitRequestGiven=false` gets (`required`: refused).
    #[serde(default)]
    pub explicit_request: super::policy::ExplicitRequestPolicy,
}

/// Whether the user previews the evidence before it is released.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewPolicy {
    /// Preview when the requester allows it (`PossibilityForPreview=true`).
    #[default]
    Allowed,
    /// Only release after a preview: a request that does not allow one is refused.
    Required,
    /// Never preview: answer directly even when the requester allows a preview.
    Never,
}

/// One mapping test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: String,
    pub request: TestRequest,
    /// Registry records the connector returns, by field name (after field mapping).
    #[serde(default)]
    pub records: Vec<BTreeMap<String, serde_json::Value>>,
    /// Recorded registry answers (REST response bodies), decoded like a live lookup:
    /// record selection and the `fields` JSONPaths are exercised too.
    #[serde(default)]
    pub responses: Vec<serde_json::Value>,
    /// Rows the `representation` query returns (after field mapping).
    #[serde(default)]
    pub representation_records: Vec<BTreeMap<String, serde_json::Value>>,
    pub expect: TestExpectation,
}

/// The request of a test, as an evidence requester would send it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    /// `v1.0`, `v1.1`, `v1.2` or `v2.0` (default).
    #[serde(default = "default_version")]
    pub version: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub date_of_birth: String,
    /// For a company: its legal name (the person fields are then not used).
    #[serde(default)]
    pub legal_name: Option<String>,
    /// For a company: its eIDAS legal person identifier (`XX/YY/…`).
    #[serde(default)]
    pub legal_person_identifier: Option<String>,
    /// Requested format; default: the mapping's first distribution.
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub conforms_to: Option<String>,
    #[serde(default)]
    pub preview: bool,
    /// `Low`, `Substantial` or `High` (default).
    #[serde(default)]
    pub level_of_assurance: Option<crate::edm::LevelOfAssurance>,
    /// Optional eIDAS attributes: `birth_name`, `place_of_birth`, `gender`, and the
    /// current address as `post_code`, `post_city_name`, `thoroughfare`, `locator_designator`.
    #[serde(default)]
    pub birth_name: Option<String>,
    #[serde(default)]
    pub place_of_birth: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub post_code: Option<String>,
    #[serde(default)]
    pub post_city_name: Option<String>,
    #[serde(default)]
    pub thoroughfare: Option<String>,
    #[serde(default)]
    pub locator_designator: Option<String>,
    /// The request's `AuthorizedRepresentative` (a natural person).
    #[serde(default)]
    pub representative: Option<crate::requester::RepresentativeSpec>,
    /// 2.0: the `sdg:AssociatedDocumentRequest` values asked for (`HumanReadableVersion`,
    /// `Translation`, `Annex`).
    #[serde(default)]
    pub associated: Vec<String>,
    /// 2.0: the `sdg:Language` values of the request (default: `EN`).
    #[serde(default)]
    pub languages: Vec<String>,
    /// 1.x: the subset asked for (`sdg:Transformation`).
    #[serde(default)]
    pub transformation: Option<String>,
    /// `EvidenceProviderClassification` values sent, by the concept's identifier.
    #[serde(default)]
    pub provider_classifications: BTreeMap<String, String>,
}

fn default_version() -> String {
    "v2.0".to_owned()
}

/// What the answer must be.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestExpectation {
    /// `ExecuteQueryResponse` or `ExceptionResponse`.
    #[serde(default)]
    pub action: Option<String>,
    /// `EDM:ERR:000x` for an error answer.
    #[serde(default)]
    pub code: Option<String>,
    /// Media type of the attached evidence.
    #[serde(default)]
    pub attachment: Option<String>,
    /// How many evidences the answer carries (`evidence.several`).
    #[serde(default)]
    pub evidences: Option<usize>,
    /// Values in the rendered evidence: an element path from the root (`Child/FamilyName`)
    /// for XML, a dotted path (`child.family_name`) for JSON.
    #[serde(default)]
    pub evidence: BTreeMap<String, String>,
    /// A file (relative to the mapping file) the EDM answer must equal byte for byte;
    /// `oots-adapter test --update` writes it.
    #[serde(default)]
    pub golden: Option<String>,
    /// The matching outcome: `match`, `no_match`, `ambiguous`, `needs_more_attributes`,
    /// `invalid_input` or `insufficient_assurance`.
    #[serde(default)]
    pub matching: Option<String>,
    /// The kinds of the associated documents sent with the evidence, in package order
    /// (`[]`: none).
    #[serde(default)]
    pub associated: Option<Vec<String>>,
    /// A deferral: its `ResponseAvailableDateTime` (the test's clock is
    /// 2026-01-01T12:00:00Z).
    #[serde(default)]
    pub deferred_until: Option<String>,
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
    /// Query parameters bound to a declared provider classification's value
    /// (`municipality: municipality`).
    #[serde(default)]
    pub classifications: BTreeMap<String, Spanned<String>>,
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
    /// Record fields naming the authority that issued the evidence (`sdg:IssuingAuthority`);
    /// absent: the provider.
    #[serde(default)]
    pub issuing_authority: Option<Spanned<super::metadata::AuthoritySpec>>,
    /// Record fields holding the evidence's validity period (`sdg:ValidityPeriod`).
    #[serde(default)]
    pub validity: Option<super::metadata::ValiditySpec>,
    /// `xlink:title` of the attached document.
    #[serde(default = "default_title")]
    pub title: String,
    /// The forms this evidence can be delivered in; the request picks one by format.
    pub distributions: Vec<DistributionSpec>,
    /// The subject may have several evidences of this type, told apart from other
    /// persons by the registry's person key (docs/mapping-files.md, `several`).
    #[serde(default)]
    pub several: Option<Spanned<super::SeveralSpec>>,
    /// When a matched record's evidence is not available yet (a deferral, TDD 4.5.2).
    #[serde(default)]
    pub deferred: Option<Spanned<super::DeferralSpec>>,
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
    /// Handlebars template, relative to the mapping file, rendering the record.
    #[serde(default)]
    pub template: Option<Spanned<String>>,
    /// Instead of a template: the record field holding the document itself (a stored PDF
    /// in a BLOB column) or a reference the connector fetches (a file name, a download
    /// path), passed through unchanged as the evidence.
    #[serde(default)]
    pub document: Option<Spanned<String>>,
    /// 2.0 associated documents sent with it when the request asks for them.
    #[serde(default)]
    pub associated: super::associated::AssociatedSpec,
    /// 1.x subsets of this distribution (`sdg:Transformation`), each rendered by its own
    /// template; a request naming another subset is not served (`EDM:ERR:0007`).
    #[serde(default)]
    pub subsets: Vec<SubsetSpec>,
}

/// One subset a distribution serves (e.g. `…/certificate-of-birth-1.0.0/age-of-majority`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsetSpec {
    /// `https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]/[Subset]`
    /// (R-EDM-REQ-C035), its scheme one of the distribution's `conforms_to`.
    pub transformation: Spanned<String>,
    /// Handlebars template, relative to the mapping file, rendering the subset.
    pub template: Spanned<String>,
}
