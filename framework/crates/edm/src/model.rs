//! Typed EDM messages: what a request asks for, what a response carries.
//!
//! The types mirror the SDG profile elements of `docs/oots-edm.md`; they carry values as
//! received (no normalisation) so that answers can echo them exactly.

use serde::Serialize;

use crate::supplement::Supplement;
use crate::version::EdmVersion;

/// A multilingual `sdg:Name`/`sdg:Title`/`sdg:Description` value (`lang` attribute, may be empty).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LocalizedText {
    /// Language code as written (samples use upper-case `EN`, some use `en`).
    pub lang: String,
    /// The text itself.
    pub text: String,
}

impl LocalizedText {
    /// Convenience constructor.
    pub fn new(lang: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            lang: lang.into(),
            text: text.into(),
        }
    }
}

/// An `sdg:Identifier` (or `LegalPersonIdentifier`) with its optional `schemeID`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Identifier {
    /// `schemeID` attribute (EAS URN, `eidas`, `VAT`…).
    pub scheme_id: Option<String>,
    /// The identifier value.
    pub value: String,
}

impl Identifier {
    /// Identifier with a scheme.
    pub fn new(scheme_id: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            scheme_id: Some(scheme_id.into()),
            value: value.into(),
        }
    }
}

/// `sdg:AddressType` (element order of the SDG XSD).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Address {
    /// Whole address as one line, when the sender gives it so.
    pub full_address: Option<String>,
    /// House number or similar locator.
    pub locator_designator: Option<String>,
    /// Postal code.
    pub post_code: Option<String>,
    /// City (post name).
    pub post_city_name: Option<String>,
    /// Street.
    pub thoroughfare: Option<String>,
    /// Country code (ISO 3166-1 alpha-2); required by the XSD.
    pub admin_unit_level1: Option<String>,
    /// NUTS code.
    pub admin_unit_level2: Option<String>,
}

/// `sdg:Agent`: evidence requester, intermediary platform, evidence or error provider.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Agent {
    /// The agent's identifier (EAS scheme for requesters and providers).
    pub identifier: Identifier,
    /// Names by language.
    pub names: Vec<LocalizedText>,
    /// Postal address, when the agent gives one.
    pub address: Option<Address>,
    /// `ER`, `IP`, `EP` or `ERRP` (AgentClassification code list).
    pub classification: Option<String>,
}

impl Agent {
    /// Classification code of the evidence requester.
    pub const EVIDENCE_REQUESTER: &'static str = "ER";
    /// Classification code of an intermediary platform.
    pub const INTERMEDIARY_PLATFORM: &'static str = "IP";
    /// Classification code of the evidence provider.
    pub const EVIDENCE_PROVIDER: &'static str = "EP";
    /// Classification code of the error provider.
    pub const ERROR_PROVIDER: &'static str = "ERRP";

    /// True when the agent carries the given classification code.
    pub fn is_classified(&self, code: &str) -> bool {
        self.classification.as_deref().map(str::trim) == Some(code)
    }
}

/// eIDAS level of assurance of the subject's authentication, ordered Low < Substantial < High.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
pub enum LevelOfAssurance {
    /// eIDAS "low".
    Low,
    /// eIDAS "substantial".
    Substantial,
    /// eIDAS "high".
    High,
}

impl LevelOfAssurance {
    /// Code-list value as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Substantial => "Substantial",
            Self::High => "High",
        }
    }

    /// Parses a code-list value (exact, whitespace trimmed).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "Low" => Some(Self::Low),
            "Substantial" => Some(Self::Substantial),
            "High" => Some(Self::High),
            _ => None,
        }
    }
}

/// `sdg:SectorSpecificAttribute` (eIDAS-style key/value pair).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SectorSpecificAttribute {
    /// Attribute name.
    pub name: String,
    /// URI naming the attribute.
    pub uri: String,
    /// Attribute value as received.
    pub value: String,
}

/// `sdg:Person` in a request, `sdg:NaturalPerson` in a response's `IsAbout`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NaturalPerson {
    /// Level of assurance of the authentication the requester asserts.
    pub level_of_assurance: Option<LevelOfAssurance>,
    /// eIDAS person identifier (`schemeID="eidas"`, `XX/YY/…`).
    pub identifier: Option<Identifier>,
    /// Current family name, as received.
    pub family_name: String,
    /// Current given name(s), as received.
    pub given_name: String,
    /// `YYYY-MM-DD`; validated (R-EDM-REQ-C043) when a request is parsed.
    pub date_of_birth: String,
    /// Family name at birth.
    pub birth_name: Option<String>,
    /// Place of birth (free text).
    pub place_of_birth: Option<String>,
    /// Current address.
    pub current_address: Option<Address>,
    /// Gender code as received.
    pub gender: Option<String>,
    /// 2.0 only.
    pub nationality: Option<String>,
    /// 2.0 only.
    pub country_of_birth: Option<String>,
    /// 2.0 only.
    pub country_of_residence: Option<String>,
    /// Further eIDAS-style attributes some sectors add.
    pub sector_specific_attributes: Vec<SectorSpecificAttribute>,
}

/// `sdg:LegalPerson`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LegalPerson {
    /// Level of assurance of the authentication the requester asserts.
    pub level_of_assurance: Option<LevelOfAssurance>,
    /// `sdg:Identifier` elements (`VAT`, `TAX`, `LEI`… schemes).
    pub identifiers: Vec<Identifier>,
    /// eIDAS legal person identifier (`schemeID="eidas"`).
    pub legal_person_identifier: Option<Identifier>,
    /// Registered name of the company or organisation.
    pub legal_name: String,
    /// Registered office address.
    pub registered_address: Option<Address>,
    /// Further eIDAS-style attributes some sectors add.
    pub sector_specific_attributes: Vec<SectorSpecificAttribute>,
}

/// The subject of a request (or of an evidence): a natural or a legal person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Subject {
    /// A natural person (`sdg:Person`/`sdg:NaturalPerson`).
    Natural(NaturalPerson),
    /// A legal person (`sdg:LegalPerson`).
    Legal(LegalPerson),
}

impl Subject {
    /// The level of assurance the requester asserted for this subject.
    pub fn level_of_assurance(&self) -> Option<LevelOfAssurance> {
        match self {
            Self::Natural(p) => p.level_of_assurance,
            Self::Legal(p) => p.level_of_assurance,
        }
    }
}

/// `sdg:Requirement` (Semantic Repository requirement the evidence proves).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Requirement {
    /// Semantic Repository URI of the requirement.
    pub identifier: String,
    /// Names by language.
    pub names: Vec<LocalizedText>,
    /// Written for 2.0 only (the 1.0 XSD has no Description on requirements).
    pub descriptions: Vec<LocalizedText>,
}

/// `sdg:DistributedAs`: one distribution the requester accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DistributionRequest {
    /// Media type (OOTSMediaTypes), e.g. `application/pdf`.
    pub format: String,
    /// SR data-model URI for structured formats.
    pub conforms_to: Option<String>,
    /// 1.x only (removed in 2.0).
    pub transformation: Option<String>,
    /// 2.0 only: requested languages.
    pub languages: Vec<String>,
    /// 2.0 only: `Annex`, `HumanReadableVersion`, `Translation`.
    pub associated_documents: Vec<String>,
}

/// `sdg:DataServiceEvidenceType`: the evidence type requested.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EvidenceTypeRequest {
    /// DSD data-service evidence type UUID.
    pub identifier: String,
    /// `https://sr…/evidencetypeclassifications/<CC>/<uuid>`.
    pub classification: String,
    /// Titles by language.
    pub titles: Vec<LocalizedText>,
    /// Descriptions by language.
    pub descriptions: Vec<LocalizedText>,
    /// Distributions the requester accepts.
    pub distributed_as: Vec<DistributionRequest>,
}

/// A parsed, rule-checked evidence request (`query:QueryRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRequest {
    /// `urn:uuid:…` exactly as received (the response's `requestId` echoes it).
    pub id: String,
    /// EDM version of the request (the response is written in the same one).
    pub version: EdmVersion,
    /// `IssueDateTime` slot (xsd:dateTime) as received.
    pub issue_date_time: String,
    /// Procedure code (`T3`, `R1`, `00` for a system check…).
    pub procedure: Option<String>,
    /// Present in the second request after a preview.
    pub preview_location: Option<String>,
    /// `PossibilityForPreview`: whether the requester can show a preview.
    pub possibility_for_preview: bool,
    /// `ExplicitRequestGiven`: whether the user explicitly asked for the evidence.
    pub explicit_request_given: bool,
    /// Requirements the evidence is to prove.
    pub requirements: Vec<Requirement>,
    /// The `EvidenceRequester` agents (ER, optionally IP).
    pub requesters: Vec<Agent>,
    /// The evidence provider the request is addressed to.
    pub provider: Agent,
    /// 2.0 only: where the preview space sends the user back.
    pub return_location: Option<String>,
    /// 1.x only: `xml:lang` preferred language on the root.
    pub lang: Option<String>,
    /// Whom the evidence is about.
    pub subject: Subject,
    /// Who acts for the subject, when someone does.
    pub representative: Option<Subject>,
    /// The evidence type asked for.
    pub evidence_type: EvidenceTypeRequest,
    /// `EvidenceProviderClassification` values the user chose at the DSD (R-EDM-REQ-S014:
    /// optional), in request order; entries without identifier or value are left out.
    pub provider_classifications: Vec<ProviderClassification>,
}

/// One `sdg:EvidenceProviderClassification` of a request: the DSD concept's identifier
/// and the value the user picked (`SupportedValue/StringValue`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ProviderClassification {
    /// `sdg:Identifier` (a UUID naming the classification concept in the DSD).
    pub identifier: String,
    /// The first `sdg:SupportedValue/sdg:StringValue`.
    pub value: String,
}

/// Placeholder returned by [`EvidenceRequest::requester`] for hand-built requests without agents.
static NO_AGENT: Agent = Agent {
    identifier: Identifier {
        scheme_id: None,
        value: String::new(),
    },
    names: Vec::new(),
    address: None,
    classification: None,
};

impl EvidenceRequest {
    /// The evidence requester: the agent classified `ER`, else the first one.
    ///
    /// Parsed requests always contain an `ER` agent; only a hand-built request without any
    /// agent yields an empty placeholder agent.
    pub fn requester(&self) -> &Agent {
        self.requesters
            .iter()
            .find(|a| a.is_classified(Agent::EVIDENCE_REQUESTER))
            .or_else(|| self.requesters.first())
            .unwrap_or(&NO_AGENT)
    }
}

/// `sdg:Distribution` of a returned evidence.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EvidenceDistribution {
    /// Media type; equals the MIME type of the AS4 payload part.
    pub format: String,
    /// Language of the document, when it has one.
    pub language: Option<String>,
    /// Data-model URI for structured formats.
    pub conforms_to: Option<String>,
    /// 1.x only: the subset served (`sdg:Transformation`, R-EDM-RESP-C043), echoing the
    /// request's; removed in 2.0.
    pub transformation: Option<String>,
}

/// `sdg:Evidence` metadata of one returned evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Evidence UUID.
    pub identifier: String,
    /// Only Identifier/FamilyName/GivenName/DateOfBirth/PlaceOfBirth (natural) or
    /// LegalPersonIdentifier/LegalName (legal) are written (R-EDM-RESP-S041/S042).
    pub is_about: Subject,
    /// The authority that issued the evidence.
    pub issuing_authority: Agent,
    /// `EvidenceTypeClassification` inside `IsConformantTo`.
    pub classification: String,
    /// Titles by language.
    pub titles: Vec<LocalizedText>,
    /// Descriptions by language.
    pub descriptions: Vec<LocalizedText>,
    /// xsd:date.
    pub issuing_date: Option<String>,
    /// Format of the content.
    pub distribution: EvidenceDistribution,
    /// `(StartDate, EndDate)`, xsd:date each.
    pub validity: Option<(String, String)>,
}

/// One evidence object of a response and the AS4 part carrying its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceItem {
    /// 2.0 only: `urn:uuid:…` id of the `rim:RegistryPackageType` wrapping this evidence
    /// (one package per evidence, R-EDM-RESP-S066/S046/S047); empty for 1.x.
    pub package_id: String,
    /// `urn:uuid:…` id of the `rim:RegistryObject`.
    pub object_id: String,
    /// `urn:uuid:…` id of the 2.0 `rim:Classification` (ignored for 1.x).
    pub classification_id: String,
    /// Metadata of the evidence.
    pub evidence: Evidence,
    /// Content-ID of the payload part, without the `cid:` prefix.
    pub content_id: String,
    /// `xlink:title` of the repository item reference.
    pub title: String,
    /// 2.0: its annexes, human-readable version and translations, written after it in
    /// its package with their associations (TDD 2.0.1 4.5.2 §2.6); 1.x writes none.
    pub supplements: Vec<Supplement>,
}

/// A successful evidence response (`status=…:Success`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceResponse {
    /// EDM version of the request answered (decides the XML shape).
    pub version: EdmVersion,
    /// The request's `@id` (`urn:uuid:…`).
    pub request_id: String,
    /// `EvidenceResponseIdentifier` (plain UUID).
    pub response_id: String,
    /// `IssueDateTime` slot (xsd:dateTime).
    pub issue_date_time: String,
    /// Written with `Classification` `EP`.
    pub provider: Agent,
    /// Written with Identifier and Name only.
    pub requester: Agent,
    /// The evidences returned, one per payload part.
    pub items: Vec<EvidenceItem>,
}

/// A deferral: no evidence now, evidence from `available_date_time`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeferredResponse {
    /// EDM version of the request answered.
    pub version: EdmVersion,
    /// The request's `@id`.
    pub request_id: String,
    /// `EvidenceResponseIdentifier` (plain UUID).
    pub response_id: String,
    /// `IssueDateTime` slot (xsd:dateTime).
    pub issue_date_time: String,
    /// `ResponseAvailableDateTime` slot (xsd:dateTime): when the requester may ask again.
    pub available_date_time: String,
    /// Written with `Classification` `EP`.
    pub provider: Agent,
    /// Written with Identifier and Name only.
    pub requester: Agent,
}
