//! The `representation:` section of a mapping file: how the registry shows that the
//! request's `AuthorizedRepresentative` may act for the subject (a company's director, a
//! child's parent), checked before anything is released (docs/mapping-files.md,
//! `representation`; docs/preview.md, "Representatives").
//!
//! TDD 2.0.1 chapter 2.3 (FR glossary): the representative "is added to the subject in
//! the request instead of replacing it"; its `PowerOfRepresentationScope`
//! (R-EDM-REQ-C081 natural, C091 legal) names the procedures it acts for. The TDD leaves
//! it to the provider whether and how the power is checked.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::matching::{Attribute, MatchingSpec, OneOrMany};

/// The name of the `sdg:SectorSpecificAttribute` carrying the representation's scope
/// (R-EDM-REQ-C081/C091).
pub const SCOPE_ATTRIBUTE: &str = "PowerOfRepresentationScope";

/// `representation:` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepresentationSpec {
    /// A query run through the mapping's connection, with `:name` parameters bound as
    /// `parameters` says: it returns the registry's rows granting a power to act for the
    /// subject (a company's directors).
    pub query: Spanned<String>,
    /// What each query parameter is bound to: `subject.<Attribute>` (the subject's),
    /// `representative.<Attribute>` (the representative's) or
    /// `PowerOfRepresentationScope`. Bound parameters only: a request's values never
    /// become query text.
    #[serde(default)]
    pub parameters: BTreeMap<String, Spanned<String>>,
    /// The row field holding the subject's identifier (the company's
    /// `LegalPersonIdentifier`, a child's `PersonIdentifier`), compared exactly with the
    /// request's: a row of another subject never grants a power.
    pub subject_identifier: Spanned<String>,
    /// The row fields holding the representative's attributes (`FamilyName: surname`),
    /// matched with the request's representative by the matching rules
    /// (docs/matching.md); FamilyName, GivenName and DateOfBirth are required.
    pub identity: Spanned<BTreeMap<Attribute, OneOrMany<String>>>,
    /// How the representative's row is decided on (docs/matching.md); defaults apply.
    #[serde(default)]
    pub matching: MatchingSpec,
}

/// What a `representation.parameters` value binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// An attribute of the request's subject.
    Subject(Attribute),
    /// An attribute of the request's (natural-person) representative.
    Representative(Attribute),
    /// The representative's `PowerOfRepresentationScope` (empty when absent).
    Scope,
}

impl Bound {
    /// Reads `subject.X`, `representative.X` or `PowerOfRepresentationScope`.
    pub fn parse(text: &str) -> Option<Bound> {
        let text = text.trim();
        if text == SCOPE_ATTRIBUTE {
            return Some(Bound::Scope);
        }
        let (side, attribute) = text.split_once('.')?;
        let attribute = Attribute::parse(attribute)?;
        match side {
            "subject" => Some(Bound::Subject(attribute)),
            "representative" => Some(Bound::Representative(attribute)),
            _ => None,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Subject(a) => write!(f, "subject.{a}"),
            Bound::Representative(a) => write!(f, "representative.{a}"),
            Bound::Scope => f.write_str(SCOPE_ATTRIBUTE),
        }
    }
}

/// The checked section, as the exchange runs it.
#[derive(Debug, Clone)]
pub struct Representation {
    pub query: String,
    pub parameters: BTreeMap<String, Bound>,
    pub subject_identifier: String,
    /// The engine matching the representative against the rows (over `identity`).
    pub engine: std::sync::Arc<crate::matching::Engine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_name_a_side_and_an_attribute_or_the_scope() {
        assert_eq!(
            Bound::parse("subject.LegalPersonIdentifier"),
            Some(Bound::Subject(Attribute::LegalPersonIdentifier))
        );
        assert_eq!(
            Bound::parse(" representative.DateOfBirth "),
            Some(Bound::Representative(Attribute::DateOfBirth))
        );
        assert_eq!(
            Bound::parse("PowerOfRepresentationScope"),
            Some(Bound::Scope)
        );
        for bad in ["FamilyName", "child.FamilyName", "subject.Surname", ""] {
            assert_eq!(Bound::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Bound::Representative(Attribute::FamilyName).to_string(),
            "representative.FamilyName"
        );
    }
}
