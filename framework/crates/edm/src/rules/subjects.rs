//! The subjects of a request: `sdg:Person` (subject or representative, C036–C045,
//! C058–C067, C075–C077) and `sdg:LegalPerson` (C047–C056).

use roxmltree::Node;

use super::{Check, ensure};
use crate::codelist;
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::{self, NS_SDG};

use super::elements::{at_most_once, check_country, check_names};
use super::values::{is_eidas_identifier, is_xsd_date};

/// Elements of an `sdg:Person` that may occur at most once (XSD PersonType).
const PERSON_SINGLE: [&str; 12] = [
    "LevelOfAssurance",
    "Identifier",
    "FamilyName",
    "GivenName",
    "DateOfBirth",
    "BirthName",
    "PlaceOfBirth",
    "CurrentAddress",
    "Gender",
    "Nationality",
    "CountryOfBirth",
    "CountryOfResidence",
];

/// Elements of an `sdg:LegalPerson` that may occur at most once (XSD LegalPersonType).
const LEGAL_PERSON_SINGLE: [&str; 4] = [
    "LevelOfAssurance",
    "LegalPersonIdentifier",
    "LegalName",
    "RegisteredAddress",
];

/// Which subject slot a person comes from (rule ids differ).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Subject,
    Representative,
}

/// LevelOfAssurance present (`present_rule`) and a code of the list (`value_rule`).
fn check_loa(person: Node<'_, '_>, present_rule: Rule, value_rule: Rule) -> Check {
    let loa = xml::child_text(person, NS_SDG, "LevelOfAssurance").unwrap_or_default();
    ensure(!loa.is_empty(), present_rule, || {
        "sdg:LevelOfAssurance must be provided".into()
    })?;
    ensure(
        matches!(loa.as_str(), "Low" | "Substantial" | "High"),
        value_rule,
        || {
            "sdg:LevelOfAssurance must be Low, Substantial or High (LevelsOfAssurance code list)"
                .into()
        },
    )
}

/// `sdg:Person`: each element once (XSD PersonType), LoA (C036/C037, representative
/// C058/C059), Identifier schemeID (C041/C062) and format (C039/C040, C061),
/// FamilyName/GivenName (XSD PersonType) without invisible characters, DateOfBirth
/// xsd:date (C043/C064), address and (subject) nationality and birth/residence countries
/// from the country code list (C045/C067, C075–C077).
pub(crate) fn check_person(person: Node<'_, '_>, role: Role, version: EdmVersion) -> Check {
    let (loa_present, loa_value, (scheme, eidas), format, dob, address) = match role {
        Role::Subject => (
            Rule::ReqC036,
            Rule::ReqC037,
            (Rule::ReqC041, Rule::ReqC042),
            if version.is_v2() {
                Rule::ReqC040
            } else {
                Rule::ReqC039
            },
            Rule::ReqC043,
            Rule::ReqC045,
        ),
        Role::Representative => (
            Rule::ReqC058,
            Rule::ReqC059,
            (Rule::ReqC062, Rule::ReqC063),
            Rule::ReqC061,
            Rule::ReqC064,
            Rule::ReqC067,
        ),
    };
    at_most_once(person, &PERSON_SINGLE, Rule::SdgXsdPersonType, "sdg:Person")?;
    check_loa(person, loa_present, loa_value)?;
    if let Some(id) = xml::child(person, NS_SDG, "Identifier") {
        ensure(id.attribute("schemeID").is_some(), scheme, || {
            "the 'schemeID' attribute of the person sdg:Identifier must be present".into()
        })?;
        ensure(
            id.attribute("schemeID").map(str::trim) == Some("eidas"),
            eidas,
            || "the 'schemeID' attribute of the person sdg:Identifier must be 'eidas'".into(),
        )?;
        ensure(is_eidas_identifier(&xml::text(id), version), format, || {
            if version.is_v2() {
                "the person sdg:Identifier must be <OOTS country>/<OOTS country>/<6 to 256 characters without spaces> (Greece is EL)".into()
            } else {
                "the person sdg:Identifier must be <country>/<country>/<identifier without spaces>"
                    .into()
            }
        })?;
    }
    check_names(
        person,
        &["FamilyName", "GivenName", "BirthName", "PlaceOfBirth"],
        "sdg:Person",
    )?;
    if let Some(a) = xml::child(person, NS_SDG, "CurrentAddress") {
        check_country(a, address, "sdg:Person/sdg:CurrentAddress", version)?;
    }
    if role == Role::Subject {
        for (element, rule) in [
            ("Nationality", Rule::ReqC075),
            ("CountryOfBirth", Rule::ReqC076),
            ("CountryOfResidence", Rule::ReqC077),
        ] {
            if let Some(code) = xml::child_text(person, NS_SDG, element) {
                ensure(codelist::is_country(&code), rule, || {
                    format!(
                        "sdg:{element} must be a code of the CountryIdentificationCode list (Greece is EL)"
                    )
                })?;
            }
        }
    }
    for field in ["FamilyName", "GivenName"] {
        ensure(
            xml::child_text(person, NS_SDG, field).is_some_and(|t| !t.is_empty()),
            Rule::SdgXsdPersonType,
            || format!("sdg:Person must contain a non-empty sdg:{field}"),
        )?;
    }
    ensure(
        xml::child_text(person, NS_SDG, "DateOfBirth").is_some_and(|d| is_xsd_date(&d)),
        dob,
        || "sdg:DateOfBirth must be present and use the format YYYY-MM-DD (xsd:date)".into(),
    )
}

/// `sdg:LegalPerson`: each element once (XSD), LoA (C047/C048), identifier schemeIDs
/// (C052/C054) and format (C050), LegalName (XSD) without invisible characters,
/// registered address country (C056).
pub(crate) fn check_legal_person(person: Node<'_, '_>, version: EdmVersion) -> Check {
    at_most_once(
        person,
        &LEGAL_PERSON_SINGLE,
        Rule::SdgXsdLegalPersonType,
        "sdg:LegalPerson",
    )?;
    check_loa(person, Rule::ReqC047, Rule::ReqC048)?;
    if let Some(id) = xml::child(person, NS_SDG, "LegalPersonIdentifier") {
        ensure(id.attribute("schemeID").is_some(), Rule::ReqC052, || {
            "the 'schemeID' attribute of sdg:LegalPersonIdentifier must be present".into()
        })?;
        ensure(
            id.attribute("schemeID").map(str::trim) == Some("eidas"),
            Rule::ReqC053,
            || "the 'schemeID' attribute of sdg:LegalPersonIdentifier must be 'eidas'".into(),
        )?;
        ensure(
            is_eidas_identifier(&xml::text(id), version),
            Rule::ReqC050,
            || {
                "sdg:LegalPersonIdentifier must be <country>/<country>/<identifier without spaces> (Greece is EL)".into()
            },
        )?;
    }
    check_names(person, &["LegalName"], "sdg:LegalPerson")?;
    if let Some(a) = xml::child(person, NS_SDG, "RegisteredAddress") {
        check_country(
            a,
            Rule::ReqC056,
            "sdg:LegalPerson/sdg:RegisteredAddress",
            version,
        )?;
    }
    ensure(
        xml::children(person, NS_SDG, "Identifier").all(|i| i.attribute("schemeID").is_some()),
        Rule::ReqC054,
        || "the 'schemeID' attribute of every legal person sdg:Identifier must be present".into(),
    )?;
    ensure(
        xml::child_text(person, NS_SDG, "LegalName").is_some_and(|t| !t.is_empty()),
        Rule::SdgXsdLegalPersonType,
        || "sdg:LegalPerson must contain a non-empty sdg:LegalName".into(),
    )
}
