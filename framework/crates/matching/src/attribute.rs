//! The eIDAS attributes a request can carry about its subject.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A request attribute, named as in the EDM (`sdg:FamilyName` → `FamilyName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Attribute {
    /// `sdg:FamilyName`.
    FamilyName,
    /// `sdg:GivenName`.
    GivenName,
    /// `sdg:DateOfBirth`.
    DateOfBirth,
    /// `sdg:BirthName`.
    BirthName,
    /// `sdg:PlaceOfBirth`.
    PlaceOfBirth,
    /// `sdg:Gender`.
    Gender,
    /// `sdg:Identifier` of a natural person (eIDAS).
    PersonIdentifier,
    /// `sdg:LegalName`.
    LegalName,
    /// `sdg:LegalPersonIdentifier` (eIDAS).
    LegalPersonIdentifier,
    /// `sdg:CurrentAddress/sdg:FullAddress`.
    #[serde(rename = "CurrentAddress")]
    CurrentAddress,
    /// `sdg:CurrentAddress/sdg:PostCode`.
    #[serde(rename = "CurrentAddress.PostCode")]
    PostCode,
    /// `sdg:CurrentAddress/sdg:PostCityName`.
    #[serde(rename = "CurrentAddress.PostCityName")]
    PostCityName,
    /// `sdg:CurrentAddress/sdg:Thoroughfare` (street).
    #[serde(rename = "CurrentAddress.Thoroughfare")]
    Thoroughfare,
    /// `sdg:CurrentAddress/sdg:LocatorDesignator` (house number).
    #[serde(rename = "CurrentAddress.LocatorDesignator")]
    LocatorDesignator,
}

impl Attribute {
    /// Every attribute, in declaration order (for parsing and listings).
    pub const ALL: [Attribute; 14] = [
        Attribute::FamilyName,
        Attribute::GivenName,
        Attribute::DateOfBirth,
        Attribute::BirthName,
        Attribute::PlaceOfBirth,
        Attribute::Gender,
        Attribute::PersonIdentifier,
        Attribute::LegalName,
        Attribute::LegalPersonIdentifier,
        Attribute::CurrentAddress,
        Attribute::PostCode,
        Attribute::PostCityName,
        Attribute::Thoroughfare,
        Attribute::LocatorDesignator,
    ];

    /// The attribute named as in mapping files (`FamilyName`, `CurrentAddress.PostCode`).
    pub fn parse(name: &str) -> Option<Attribute> {
        Attribute::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The name as written in mapping files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Attribute::FamilyName => "FamilyName",
            Attribute::GivenName => "GivenName",
            Attribute::DateOfBirth => "DateOfBirth",
            Attribute::BirthName => "BirthName",
            Attribute::PlaceOfBirth => "PlaceOfBirth",
            Attribute::Gender => "Gender",
            Attribute::PersonIdentifier => "PersonIdentifier",
            Attribute::LegalName => "LegalName",
            Attribute::LegalPersonIdentifier => "LegalPersonIdentifier",
            Attribute::CurrentAddress => "CurrentAddress",
            Attribute::PostCode => "CurrentAddress.PostCode",
            Attribute::PostCityName => "CurrentAddress.PostCityName",
            Attribute::Thoroughfare => "CurrentAddress.Thoroughfare",
            Attribute::LocatorDesignator => "CurrentAddress.LocatorDesignator",
        }
    }

    /// Whether values are names (compared after normalisation) rather than codes or dates.
    pub fn is_name(self) -> bool {
        matches!(
            self,
            Attribute::FamilyName
                | Attribute::GivenName
                | Attribute::BirthName
                | Attribute::PlaceOfBirth
                | Attribute::LegalName
                | Attribute::CurrentAddress
                | Attribute::PostCityName
                | Attribute::Thoroughfare
        )
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The attributes a request states about its subject.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// The stated values, trimmed; empty values are left out.
    pub attributes: BTreeMap<Attribute, String>,
    /// How strongly the subject was identified (eIDAS level of assurance), when stated.
    pub level_of_assurance: Option<oots_edm::LevelOfAssurance>,
}

impl Identity {
    /// The value stated for `a`, if any.
    pub fn get(&self, a: Attribute) -> Option<&str> {
        self.attributes.get(&a).map(String::as_str)
    }

    /// Records `value` for `a` unless it is absent or blank.
    pub fn set(&mut self, a: Attribute, value: Option<&str>) {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.attributes.insert(a, v.to_owned());
        }
    }
}
