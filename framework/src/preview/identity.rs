//! The re-authentication check: the person who signed in in the preview space must be
//! the person the request names, before any evidence is shown.
//!
//! The eIDAS minimum data set is compared: family name, given name and date of birth,
//! each required on both sides. Names are compared as identity matching compares them
//! (case, accents, transliteration, punctuation and particle variants agree: `MÜLLER`,
//! `Mueller` and `Müller` are the same name), but nothing weaker: a typo is a different
//! person here, since the provider vouches for this identity.

use serde::Serialize;

use crate::matching::compare::{Level, NameKeys};
use crate::matching::date::DateParts;
use crate::matching::{Attribute, Identity};

/// What a sign-in asserted, in the request's terms.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Claimed {
    pub family_name: Option<String>,
    pub given_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

impl std::fmt::Debug for Claimed {
    // Personal data: only which attributes are present.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claimed")
            .field("family_name", &self.family_name.is_some())
            .field("given_name", &self.given_name.is_some())
            .field("date_of_birth", &self.date_of_birth.is_some())
            .finish()
    }
}

/// The check's verdict; it names attributes, never values, so it can be logged and
/// audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Same,
    /// These attributes differ.
    Different {
        attributes: Vec<Attribute>,
    },
    /// These attributes are missing from the request or from the sign-in.
    Missing {
        attributes: Vec<Attribute>,
    },
}

impl Verdict {
    pub fn is_same(&self) -> bool {
        matches!(self, Verdict::Same)
    }
}

/// Compares the request's subject with the signed-in person.
pub fn check(requested: &Identity, claimed: &Claimed) -> Verdict {
    let pairs = [
        (Attribute::FamilyName, claimed.family_name.as_deref()),
        (Attribute::GivenName, claimed.given_name.as_deref()),
        (Attribute::DateOfBirth, claimed.date_of_birth.as_deref()),
    ];
    let mut missing = Vec::new();
    let mut different = Vec::new();
    for (attribute, signed_in) in pairs {
        let (Some(asked), Some(signed_in)) = (requested.get(attribute), signed_in) else {
            missing.push(attribute);
            continue;
        };
        let agree = match attribute {
            Attribute::DateOfBirth => {
                match (
                    DateParts::parse_request(asked),
                    DateParts::parse_request(signed_in),
                ) {
                    (Some(a), Some(b)) => a.year.is_some() && a == b,
                    _ => false,
                }
            }
            _ => {
                let (a, b) = (NameKeys::new(asked, &[]), NameKeys::new(signed_in, &[]));
                !a.is_empty() && a.compare(&b) == Level::Exact
            }
        };
        if !agree {
            different.push(attribute);
        }
    }
    if !missing.is_empty() {
        Verdict::Missing {
            attributes: missing,
        }
    } else if !different.is_empty() {
        Verdict::Different {
            attributes: different,
        }
    } else {
        Verdict::Same
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requested(family: &str, given: &str, dob: &str) -> Identity {
        let mut id = Identity::default();
        id.set(Attribute::FamilyName, Some(family));
        id.set(Attribute::GivenName, Some(given));
        id.set(Attribute::DateOfBirth, Some(dob));
        id
    }

    fn claimed(family: &str, given: &str, dob: &str) -> Claimed {
        Claimed {
            family_name: Some(family.into()),
            given_name: Some(given.into()),
            date_of_birth: Some(dob.into()),
        }
    }

    #[test]
    fn spelling_variants_are_the_same_person_typos_are_not() {
        let asked = requested("Müller", "Jürgen", "1970-03-01");
        assert_eq!(
            check(&asked, &claimed("MUELLER", "Jurgen", "1970-03-01")),
            Verdict::Same
        );
        assert_eq!(
            check(&asked, &claimed("Muller", "Jörg", "1970-03-01")),
            Verdict::Different {
                attributes: vec![Attribute::GivenName]
            }
        );
        assert_eq!(
            check(&asked, &claimed("Müller", "Jürgen", "1970-01-03")),
            Verdict::Different {
                attributes: vec![Attribute::DateOfBirth]
            }
        );
        // Cyrillic transliterates to the Latin spelling.
        let ukr = requested("Shevchenko", "Taras", "1990-01-31");
        assert!(check(&ukr, &claimed("Шевченко", "Тарас", "1990-01-31")).is_same());
    }

    #[test]
    fn a_missing_attribute_is_never_a_match() {
        let asked = requested("Pop", "Ana", "1990-01-31");
        let mut c = claimed("Pop", "Ana", "1990-01-31");
        c.date_of_birth = None;
        assert_eq!(
            check(&asked, &c),
            Verdict::Missing {
                attributes: vec![Attribute::DateOfBirth]
            }
        );
        assert!(!format!("{c:?}").contains("Pop"));
    }
}
