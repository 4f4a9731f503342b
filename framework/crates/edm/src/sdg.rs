//! Reading and writing of the SDG profile elements (`sdg:Agent`, `sdg:Person`, …).
//!
//! Readers take what is there (by namespace URI, in any order) and fail only when an element
//! the model cannot do without is missing; the EDM rules are checked separately (`rules.rs`).
//! Writers follow the element order of the SDG XSD.

use roxmltree::Node;

use crate::model::{
    Address, Agent, DistributionRequest, Evidence, EvidenceDistribution, EvidenceTypeRequest,
    Identifier, LegalPerson, LevelOfAssurance, LocalizedText, NaturalPerson,
    ProviderClassification, Requirement, SectorSpecificAttribute, Subject,
};
use crate::version::EdmVersion;
use crate::xml::{self, NS_SDG, XmlWriter};

/// A required element is absent (names the element, never a value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Missing(pub &'static str);

fn req(node: Node<'_, '_>, local: &'static str, what: &'static str) -> Result<String, Missing> {
    xml::child_text_nonempty(node, NS_SDG, local).ok_or(Missing(what))
}

fn opt(node: Node<'_, '_>, local: &'static str) -> Option<String> {
    xml::child_text_nonempty(node, NS_SDG, local)
}

/// `sdg:<local lang="…">` children.
pub(crate) fn read_localized(node: Node<'_, '_>, local: &'static str) -> Vec<LocalizedText> {
    xml::children(node, NS_SDG, local)
        .map(|n| LocalizedText {
            lang: n.attribute("lang").unwrap_or("").trim().to_string(),
            text: xml::text(n),
        })
        .collect()
}

/// An identifier element (`schemeID` attribute + text).
pub(crate) fn read_identifier(node: Node<'_, '_>) -> Identifier {
    Identifier {
        scheme_id: node.attribute("schemeID").map(|s| s.trim().to_string()),
        value: xml::text(node),
    }
}

/// `sdg:AddressType`.
pub(crate) fn read_address(node: Node<'_, '_>) -> Address {
    Address {
        full_address: opt(node, "FullAddress"),
        locator_designator: opt(node, "LocatorDesignator"),
        post_code: opt(node, "PostCode"),
        post_city_name: opt(node, "PostCityName"),
        thoroughfare: opt(node, "Thoroughfare"),
        admin_unit_level1: opt(node, "AdminUnitLevel1"),
        admin_unit_level2: opt(node, "AdminUnitLevel2"),
    }
}

/// `sdg:AgentType` (needs an `sdg:Identifier`).
pub(crate) fn read_agent(node: Node<'_, '_>) -> Result<Agent, Missing> {
    let identifier = xml::child(node, NS_SDG, "Identifier").ok_or(Missing("sdg:Identifier"))?;
    Ok(Agent {
        identifier: read_identifier(identifier),
        names: read_localized(node, "Name"),
        address: xml::child(node, NS_SDG, "Address").map(read_address),
        classification: opt(node, "Classification"),
    })
}

fn read_attributes(node: Node<'_, '_>) -> Vec<SectorSpecificAttribute> {
    xml::children(node, NS_SDG, "SectorSpecificAttribute")
        .map(|a| SectorSpecificAttribute {
            name: opt(a, "AttributeName").unwrap_or_default(),
            uri: opt(a, "AttributeURI").unwrap_or_default(),
            value: opt(a, "AttributeValue").unwrap_or_default(),
        })
        .collect()
}

/// `sdg:PersonType` (request `sdg:Person`, response `sdg:NaturalPerson`).
pub(crate) fn read_person(node: Node<'_, '_>) -> Result<NaturalPerson, Missing> {
    Ok(NaturalPerson {
        level_of_assurance: opt(node, "LevelOfAssurance").and_then(|l| LevelOfAssurance::parse(&l)),
        identifier: xml::child(node, NS_SDG, "Identifier").map(read_identifier),
        family_name: req(node, "FamilyName", "sdg:FamilyName")?,
        given_name: req(node, "GivenName", "sdg:GivenName")?,
        date_of_birth: req(node, "DateOfBirth", "sdg:DateOfBirth")?,
        birth_name: opt(node, "BirthName"),
        place_of_birth: opt(node, "PlaceOfBirth"),
        current_address: xml::child(node, NS_SDG, "CurrentAddress").map(read_address),
        gender: opt(node, "Gender"),
        nationality: opt(node, "Nationality"),
        country_of_birth: opt(node, "CountryOfBirth"),
        country_of_residence: opt(node, "CountryOfResidence"),
        sector_specific_attributes: read_attributes(node),
    })
}

/// `sdg:LegalPersonType`.
pub(crate) fn read_legal_person(node: Node<'_, '_>) -> Result<LegalPerson, Missing> {
    Ok(LegalPerson {
        level_of_assurance: opt(node, "LevelOfAssurance").and_then(|l| LevelOfAssurance::parse(&l)),
        identifiers: xml::children(node, NS_SDG, "Identifier")
            .map(read_identifier)
            .collect(),
        legal_person_identifier: xml::child(node, NS_SDG, "LegalPersonIdentifier")
            .map(read_identifier),
        legal_name: req(node, "LegalName", "sdg:LegalName")?,
        registered_address: xml::child(node, NS_SDG, "RegisteredAddress").map(read_address),
        sector_specific_attributes: read_attributes(node),
    })
}

/// `sdg:Requirement`.
pub(crate) fn read_requirement(node: Node<'_, '_>) -> Result<Requirement, Missing> {
    Ok(Requirement {
        identifier: req(node, "Identifier", "sdg:Identifier")?,
        names: read_localized(node, "Name"),
        descriptions: read_localized(node, "Description"),
    })
}

/// `sdg:DistributedAs` (`EvidenceTypeDistributionType`).
pub(crate) fn read_distribution_request(
    node: Node<'_, '_>,
) -> Result<DistributionRequest, Missing> {
    Ok(DistributionRequest {
        format: req(node, "Format", "sdg:Format")?,
        conforms_to: opt(node, "ConformsTo"),
        transformation: opt(node, "Transformation"),
        languages: xml::children(node, NS_SDG, "Language")
            .map(xml::text)
            .collect(),
        associated_documents: xml::children(node, NS_SDG, "AssociatedDocumentRequest")
            .map(xml::text)
            .collect(),
    })
}

/// `sdg:DataServiceEvidenceType`.
pub(crate) fn read_evidence_type(node: Node<'_, '_>) -> Result<EvidenceTypeRequest, Missing> {
    Ok(EvidenceTypeRequest {
        identifier: req(node, "Identifier", "sdg:Identifier")?,
        classification: req(
            node,
            "EvidenceTypeClassification",
            "sdg:EvidenceTypeClassification",
        )?,
        titles: read_localized(node, "Title"),
        descriptions: read_localized(node, "Description"),
        distributed_as: xml::children(node, NS_SDG, "DistributedAs")
            .map(read_distribution_request)
            .collect::<Result<_, _>>()?,
    })
}

/// `sdg:Evidence` (response metadata).
pub(crate) fn read_evidence(node: Node<'_, '_>) -> Result<Evidence, Missing> {
    let about = xml::child(node, NS_SDG, "IsAbout").ok_or(Missing("sdg:IsAbout"))?;
    let is_about = if let Some(p) = xml::child(about, NS_SDG, "NaturalPerson") {
        Subject::Natural(read_person(p)?)
    } else if let Some(p) = xml::child(about, NS_SDG, "LegalPerson") {
        Subject::Legal(read_legal_person(p)?)
    } else {
        return Err(Missing("sdg:NaturalPerson or sdg:LegalPerson"));
    };
    let authority =
        xml::child(node, NS_SDG, "IssuingAuthority").ok_or(Missing("sdg:IssuingAuthority"))?;
    let conformant =
        xml::child(node, NS_SDG, "IsConformantTo").ok_or(Missing("sdg:IsConformantTo"))?;
    let distribution =
        xml::child(node, NS_SDG, "Distribution").ok_or(Missing("sdg:Distribution"))?;
    let validity = xml::child(node, NS_SDG, "ValidityPeriod")
        .and_then(|v| Some((opt(v, "StartDate")?, opt(v, "EndDate")?)));
    Ok(Evidence {
        identifier: req(node, "Identifier", "sdg:Identifier")?,
        is_about,
        issuing_authority: read_agent(authority)?,
        classification: req(
            conformant,
            "EvidenceTypeClassification",
            "sdg:EvidenceTypeClassification",
        )?,
        titles: read_localized(conformant, "Title"),
        descriptions: read_localized(conformant, "Description"),
        issuing_date: opt(node, "IssuingDate"),
        distribution: EvidenceDistribution {
            format: req(distribution, "Format", "sdg:Format")?,
            language: opt(distribution, "Language"),
            conforms_to: opt(distribution, "ConformsTo"),
            transformation: opt(distribution, "Transformation"),
        },
        validity,
    })
}

// ---------------------------------------------------------------------------------------
// Writers.
// ---------------------------------------------------------------------------------------

/// How much of an agent to write.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AgentShape {
    /// Identifier, Name, Address, Classification.
    Full,
    /// Identifier and Name only (requester echoed in responses, provider in requests).
    IdentifierAndName,
}

/// How much of a person to write.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PersonShape {
    /// Everything the model holds (request subject).
    Full,
    /// Only the matched minimum data set (response `IsAbout`, R-EDM-RESP-S041/S042).
    IsAbout,
}

pub(crate) fn write_identifier(w: &mut XmlWriter, name: &str, id: &Identifier) {
    match &id.scheme_id {
        Some(scheme) => w.leaf(name, &[("schemeID", scheme)], &id.value),
        None => w.leaf(name, &[], &id.value),
    }
}

pub(crate) fn write_localized(w: &mut XmlWriter, name: &str, values: &[LocalizedText]) {
    for v in values {
        if v.lang.is_empty() {
            w.leaf(name, &[], &v.text);
        } else {
            w.leaf(name, &[("lang", &v.lang)], &v.text);
        }
    }
}

pub(crate) fn write_address(w: &mut XmlWriter, name: &str, a: &Address) {
    w.open(name, &[]);
    w.opt_leaf("sdg:FullAddress", a.full_address.as_deref());
    w.opt_leaf("sdg:LocatorDesignator", a.locator_designator.as_deref());
    w.opt_leaf("sdg:PostCode", a.post_code.as_deref());
    w.opt_leaf("sdg:PostCityName", a.post_city_name.as_deref());
    w.opt_leaf("sdg:Thoroughfare", a.thoroughfare.as_deref());
    w.opt_leaf("sdg:AdminUnitLevel1", a.admin_unit_level1.as_deref());
    w.opt_leaf("sdg:AdminUnitLevel2", a.admin_unit_level2.as_deref());
    w.close(name);
}

/// Writes the agent's children inside an element `name` (`sdg:Agent`, `sdg:IssuingAuthority`).
/// `classification` overrides the model's classification when given.
pub(crate) fn write_agent(
    w: &mut XmlWriter,
    name: &str,
    agent: &Agent,
    shape: AgentShape,
    classification: Option<&str>,
) {
    w.open(name, &[]);
    write_identifier(w, "sdg:Identifier", &agent.identifier);
    write_localized(w, "sdg:Name", &agent.names);
    if shape == AgentShape::Full {
        if let Some(a) = &agent.address {
            write_address(w, "sdg:Address", a);
        }
        w.opt_leaf(
            "sdg:Classification",
            classification.or(agent.classification.as_deref()),
        );
    }
    w.close(name);
}

fn write_attributes(w: &mut XmlWriter, attributes: &[SectorSpecificAttribute]) {
    for a in attributes {
        w.open("sdg:SectorSpecificAttribute", &[]);
        w.leaf("sdg:AttributeName", &[], &a.name);
        w.leaf("sdg:AttributeURI", &[], &a.uri);
        w.leaf("sdg:AttributeValue", &[], &a.value);
        w.close("sdg:SectorSpecificAttribute");
    }
}

pub(crate) fn write_person(
    w: &mut XmlWriter,
    name: &str,
    p: &NaturalPerson,
    version: EdmVersion,
    shape: PersonShape,
) {
    w.open(name, &[]);
    let full = shape == PersonShape::Full;
    if full {
        w.opt_leaf(
            "sdg:LevelOfAssurance",
            p.level_of_assurance.map(LevelOfAssurance::as_str),
        );
    }
    if let Some(id) = &p.identifier {
        write_identifier(w, "sdg:Identifier", id);
    }
    w.leaf("sdg:FamilyName", &[], &p.family_name);
    w.leaf("sdg:GivenName", &[], &p.given_name);
    w.leaf("sdg:DateOfBirth", &[], &p.date_of_birth);
    if full {
        w.opt_leaf("sdg:BirthName", p.birth_name.as_deref());
    }
    w.opt_leaf("sdg:PlaceOfBirth", p.place_of_birth.as_deref());
    if full {
        if let Some(a) = &p.current_address {
            write_address(w, "sdg:CurrentAddress", a);
        }
        w.opt_leaf("sdg:Gender", p.gender.as_deref());
        if version.is_v2() {
            // Position inside PersonType unconfirmed for 2.0.1 (docs/oots-edm.md §10.1).
            w.opt_leaf("sdg:Nationality", p.nationality.as_deref());
            w.opt_leaf("sdg:CountryOfBirth", p.country_of_birth.as_deref());
            w.opt_leaf("sdg:CountryOfResidence", p.country_of_residence.as_deref());
        }
        write_attributes(w, &p.sector_specific_attributes);
    }
    w.close(name);
}

pub(crate) fn write_legal_person(
    w: &mut XmlWriter,
    name: &str,
    p: &LegalPerson,
    shape: PersonShape,
) {
    w.open(name, &[]);
    let full = shape == PersonShape::Full;
    if full {
        w.opt_leaf(
            "sdg:LevelOfAssurance",
            p.level_of_assurance.map(LevelOfAssurance::as_str),
        );
        for id in &p.identifiers {
            write_identifier(w, "sdg:Identifier", id);
        }
    }
    if let Some(id) = &p.legal_person_identifier {
        write_identifier(w, "sdg:LegalPersonIdentifier", id);
    }
    w.leaf("sdg:LegalName", &[], &p.legal_name);
    if full {
        if let Some(a) = &p.registered_address {
            write_address(w, "sdg:RegisteredAddress", a);
        }
        write_attributes(w, &p.sector_specific_attributes);
    }
    w.close(name);
}

/// Writes a subject as `person_name` (natural) or `sdg:LegalPerson`.
pub(crate) fn write_subject(
    w: &mut XmlWriter,
    person_name: &str,
    s: &Subject,
    version: EdmVersion,
    shape: PersonShape,
) {
    match s {
        Subject::Natural(p) => write_person(w, person_name, p, version, shape),
        Subject::Legal(p) => write_legal_person(w, "sdg:LegalPerson", p, shape),
    }
}

pub(crate) fn write_requirement(w: &mut XmlWriter, r: &Requirement, version: EdmVersion) {
    w.open("sdg:Requirement", &[]);
    w.leaf("sdg:Identifier", &[], &r.identifier);
    write_localized(w, "sdg:Name", &r.names);
    if version.is_v2() {
        write_localized(w, "sdg:Description", &r.descriptions);
    }
    w.close("sdg:Requirement");
}

pub(crate) fn write_evidence_type(w: &mut XmlWriter, t: &EvidenceTypeRequest, version: EdmVersion) {
    w.open("sdg:DataServiceEvidenceType", &[]);
    w.leaf("sdg:Identifier", &[], &t.identifier);
    w.leaf("sdg:EvidenceTypeClassification", &[], &t.classification);
    write_localized(w, "sdg:Title", &t.titles);
    write_localized(w, "sdg:Description", &t.descriptions);
    for d in &t.distributed_as {
        w.open("sdg:DistributedAs", &[]);
        w.leaf("sdg:Format", &[], &d.format);
        w.opt_leaf("sdg:ConformsTo", d.conforms_to.as_deref());
        if version.is_v2() {
            for l in &d.languages {
                w.leaf("sdg:Language", &[], l);
            }
            for a in &d.associated_documents {
                w.leaf("sdg:AssociatedDocumentRequest", &[], a);
            }
        } else {
            w.opt_leaf("sdg:Transformation", d.transformation.as_deref());
        }
        w.close("sdg:DistributedAs");
    }
    w.close("sdg:DataServiceEvidenceType");
}

pub(crate) fn write_evidence(w: &mut XmlWriter, e: &Evidence, version: EdmVersion) {
    w.open("sdg:Evidence", &[]);
    w.leaf("sdg:Identifier", &[], &e.identifier);
    w.open("sdg:IsAbout", &[]);
    write_subject(
        w,
        "sdg:NaturalPerson",
        &e.is_about,
        version,
        PersonShape::IsAbout,
    );
    w.close("sdg:IsAbout");
    write_agent(
        w,
        "sdg:IssuingAuthority",
        &e.issuing_authority,
        AgentShape::Full,
        None,
    );
    w.open("sdg:IsConformantTo", &[]);
    w.leaf("sdg:EvidenceTypeClassification", &[], &e.classification);
    write_localized(w, "sdg:Title", &e.titles);
    write_localized(w, "sdg:Description", &e.descriptions);
    w.close("sdg:IsConformantTo");
    w.opt_leaf("sdg:IssuingDate", e.issuing_date.as_deref());
    w.open("sdg:Distribution", &[]);
    w.leaf("sdg:Format", &[], &e.distribution.format);
    w.opt_leaf("sdg:Language", e.distribution.language.as_deref());
    // R-EDM-RESP-C022: the data model in the answered version's spelling.
    let conforms_to = e
        .distribution
        .conforms_to
        .as_deref()
        .map(|uri| crate::data_model_uri(version, uri));
    w.opt_leaf("sdg:ConformsTo", conforms_to.as_deref());
    if !version.is_v2() {
        w.opt_leaf(
            "sdg:Transformation",
            e.distribution.transformation.as_deref(),
        );
    }
    w.close("sdg:Distribution");
    if let Some((start, end)) = &e.validity {
        w.open("sdg:ValidityPeriod", &[]);
        w.leaf("sdg:StartDate", &[], start);
        w.leaf("sdg:EndDate", &[], end);
        w.close("sdg:ValidityPeriod");
    }
    w.close("sdg:Evidence");
}

/// An `sdg:EvidenceProviderClassification` of a request: its identifier and the value
/// chosen (`SupportedValue/StringValue`); `None` when either is missing.
pub(crate) fn read_provider_classification(node: Node<'_, '_>) -> Option<ProviderClassification> {
    let identifier = opt(node, "Identifier")?;
    let value = xml::child(node, NS_SDG, "SupportedValue")
        .and_then(|s| xml::child_text_nonempty(s, NS_SDG, "StringValue"))?;
    Some(ProviderClassification { identifier, value })
}

/// Writes one `sdg:EvidenceProviderClassification` (XSD InformationConceptType order).
pub(crate) fn write_provider_classification(w: &mut XmlWriter, c: &ProviderClassification) {
    w.open("sdg:EvidenceProviderClassification", &[]);
    w.leaf("sdg:Identifier", &[], &c.identifier);
    w.leaf("sdg:Type", &[], "Codelist");
    w.open("sdg:SupportedValue", &[]);
    w.leaf("sdg:StringValue", &[], &c.value);
    w.close("sdg:SupportedValue");
    w.close("sdg:EvidenceProviderClassification");
}
