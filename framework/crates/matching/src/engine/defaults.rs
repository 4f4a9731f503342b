//! The defaults a mapping's matching section starts from: the Fellegi–Sunter weights, the
//! rule ladder, the vetoes and the required attributes. They are data a registry owner
//! overrides in the mapping file, kept apart from the code that compiles and applies them.
//! [`DEFAULT_WEIGHTS`] is a long table and nothing else.

use std::collections::BTreeMap;

use super::Rule;
use crate::Attribute as A;
use crate::SubjectKind;
use crate::compare::Level as L;

/// Default weights (log2 of m/u), a starting point calibrated on FEBRL; a registry
/// owner tunes them in the mapping file.
const DEFAULT_WEIGHTS: &[(A, &[(L, f64)])] = &[
    (
        A::FamilyName,
        &[
            (L::Exact, 12.0),
            (L::Token, 9.0),
            (L::Jw92, 8.0),
            (L::Jw88, 5.0),
            (L::Phonetic, 2.0),
            (L::Jw80, -2.0),
            (L::Else, -10.0),
        ],
    ),
    (
        A::GivenName,
        &[
            (L::Exact, 9.0),
            (L::Token, 7.0),
            (L::Jw92, 6.0),
            (L::Jw88, 4.0),
            (L::Phonetic, 1.0),
            // Only vaguely similar given names (Jürgen / Jörg) are more likely
            // siblings than typos: never enough with exact family name and date.
            (L::Jw80, -3.0),
            (L::Else, -8.0),
        ],
    ),
    (
        A::DateOfBirth,
        &[
            (L::Exact, 14.0),
            (L::Swapped, 8.0),
            (L::UnknownDay, 6.0),
            (L::YearOnly, 2.0),
            (L::OneDigit, 7.0),
            (L::TwoDigits, 1.0),
            (L::Else, -16.0),
        ],
    ),
    (
        A::BirthName,
        &[
            (L::Exact, 4.0),
            (L::Token, 3.0),
            (L::Jw92, 3.0),
            (L::Jw88, 2.0),
        ],
    ),
    (
        A::PlaceOfBirth,
        &[
            (L::Exact, 6.0),
            (L::Token, 5.0),
            (L::Jw92, 5.0),
            (L::Jw88, 3.0),
            (L::Phonetic, 2.0),
            // A different place of birth is strong evidence of a different person
            // (homonyms born the same day): it must pull an exact name-and-date
            // agreement below the accept threshold.
            (L::Else, -12.0),
        ],
    ),
    (A::Gender, &[(L::Exact, 1.0), (L::Else, -12.0)]),
    (A::PersonIdentifier, &[(L::Exact, 24.0), (L::Else, -6.0)]),
    (
        A::LegalPersonIdentifier,
        &[(L::Exact, 30.0), (L::OneDigit, -10.0), (L::Else, -30.0)],
    ),
    (
        A::LegalName,
        &[
            (L::Exact, 6.0),
            (L::Token, 4.0),
            (L::Jw92, 4.0),
            (L::Jw88, 2.0),
            (L::Else, -2.0),
        ],
    ),
    (
        A::PostCode,
        &[(L::Exact, 5.0), (L::OneDigit, 2.0), (L::Else, -1.0)],
    ),
    (
        A::PostCityName,
        &[
            (L::Exact, 4.0),
            (L::Token, 3.0),
            (L::Jw92, 3.0),
            (L::Jw88, 2.0),
            (L::Phonetic, 1.0),
            (L::Else, -1.0),
        ],
    ),
    (
        A::Thoroughfare,
        &[
            (L::Exact, 6.0),
            (L::Token, 4.0),
            (L::Jw92, 4.0),
            (L::Jw88, 2.0),
            (L::Phonetic, 1.0),
            (L::Else, -1.0),
        ],
    ),
    (
        A::LocatorDesignator,
        &[(L::Exact, 3.0), (L::OneDigit, 1.0), (L::Else, -1.0)],
    ),
];

/// [`DEFAULT_WEIGHTS`] keyed by attribute and level, for the mapping's weights to override.
pub(super) fn default_weights() -> BTreeMap<(A, L), f64> {
    let mut w = BTreeMap::new();
    for (a, levels) in DEFAULT_WEIGHTS {
        for (l, v) in *levels {
            w.insert((*a, *l), *v);
        }
    }
    w
}

/// The rule ladder when the mapping declares none: all minimum data set attributes exact
/// for a person, the identifier or the exact name for a company.
pub(super) fn default_rules(subject: SubjectKind) -> Vec<Rule> {
    match subject {
        SubjectKind::NaturalPerson => vec![Rule {
            name: "exact-mds".to_owned(),
            require: vec![
                (A::FamilyName, vec![L::Exact]),
                (A::GivenName, vec![L::Exact]),
                (A::DateOfBirth, vec![L::Exact]),
            ],
        }],
        SubjectKind::LegalPerson => vec![
            Rule {
                name: "legal-person-identifier".to_owned(),
                require: vec![(A::LegalPersonIdentifier, vec![L::Exact])],
            },
            Rule {
                name: "legal-name".to_owned(),
                require: vec![(A::LegalName, vec![L::Exact])],
            },
        ],
    }
}

/// The vetoes when the mapping declares none: a different date of birth, gender or
/// company identifier rules a candidate out whatever else agrees.
pub(super) const DEFAULT_VETOES: [(A, L); 3] = [
    (A::DateOfBirth, L::Else),
    (A::Gender, L::Else),
    (A::LegalPersonIdentifier, L::Else),
];

/// The attributes a request must carry when the mapping does not say: the minimum data set
/// for a person, none for a company (which has several alternatives).
pub(super) fn default_required(subject: SubjectKind) -> Vec<A> {
    match subject {
        SubjectKind::NaturalPerson => vec![A::FamilyName, A::GivenName, A::DateOfBirth],
        SubjectKind::LegalPerson => Vec::new(),
    }
}
