//! The guards: what keeps a candidate from being accepted whatever its weight.
//!
//! Weights add up, so without guards every extra attribute a request carries (place of
//! birth, address, gender) can lift a candidate over the threshold although one of the
//! names says it is somebody else: a twin, a namesake born on another day, a look-alike
//! surname. The guards decide on the *kind* of each disagreement instead, each one
//! defending a case of the threat model (docs/matching.md, "Threat model"):
//!
//! | guard | defends against |
//! |---|---|
//! | `sibling` (veto) | a twin or sibling: same family name and date, given names that are not the same name |
//! | `identifier_held_by_another` (veto) | a request whose identifier the registry knows as another person's |
//! | `name_differs` (veto) | another person whose other attributes happen to agree |
//! | `family_name_known` / `given_name_known` | a near spelling (or part of a compound family name) that is a real name in this registry (Lindgren / Lundgren, García / García Márquez) |
//! | `family_name_uncorroborated` / `given_name_uncorroborated` | a near spelling nothing vouches for, where the registry's name frequencies are unknown |
//! | `date_uncorroborated` | a namesake born on a nearby day (a date one digit off, day and month swapped) |
//! | `several_deviations` | two weak points at once (a near spelling and a partial date…) |
//! | `record_incomplete` | a record that cannot show it is the person (no date, no name) |
//!
//! A *veto* takes the candidate out altogether; the other guards only keep it from being
//! accepted, and it still competes (a near-identical record makes a match ambiguous).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Attribute;
use crate::compare::Level;

/// Why a candidate cannot be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    /// Same family name and date of birth, given names that are not the same name.
    Sibling,
    /// The request's person identifier is another candidate's.
    IdentifierHeldByAnother,
    /// A name is another name (not the same, not a near spelling).
    NameDiffers,
    /// The family name is a near spelling of the record's (or part of its compound), and
    /// the requested spelling is a name this registry holds: another person's name, not
    /// a typing error.
    FamilyNameKnown,
    /// The given name is a near spelling that is a name this registry holds.
    GivenNameKnown,
    /// The family name is a near spelling and no configured attribute vouches for it.
    FamilyNameUncorroborated,
    /// The given name is a near spelling and no configured attribute vouches for it.
    GivenNameUncorroborated,
    /// The date of birth is not the record's and no configured attribute vouches for it.
    DateUncorroborated,
    /// More than one of the names, the date and their order deviates.
    SeveralDeviations,
    /// The record lacks a name or the date of birth.
    RecordIncomplete,
}

impl Guard {
    /// The name shown in explanations and metrics (`sibling`…).
    pub fn name(self) -> &'static str {
        match self {
            Guard::Sibling => "sibling",
            Guard::IdentifierHeldByAnother => "identifier_held_by_another",
            Guard::NameDiffers => "name_differs",
            Guard::FamilyNameKnown => "family_name_known",
            Guard::GivenNameKnown => "given_name_known",
            Guard::FamilyNameUncorroborated => "family_name_uncorroborated",
            Guard::GivenNameUncorroborated => "given_name_uncorroborated",
            Guard::DateUncorroborated => "date_uncorroborated",
            Guard::SeveralDeviations => "several_deviations",
            Guard::RecordIncomplete => "record_incomplete",
        }
    }

    /// Whether the candidate is out altogether (not even a competitor).
    pub fn is_veto(self) -> bool {
        matches!(
            self,
            Guard::Sibling | Guard::IdentifierHeldByAnother | Guard::NameDiffers
        )
    }
}

/// What may vouch for a minimum-data-set attribute that is not exactly the record's
/// (`matching.corroboration`): each listed attribute must agree exactly. And whether the
/// first of the record's given names alone needs vouching for
/// (`matching.partial_given_names: corroborate`).
#[derive(Debug, Clone)]
pub struct Corroboration {
    /// Per attribute, the attributes that must agree exactly to vouch for it.
    pub by: BTreeMap<Attribute, Vec<Attribute>>,
    /// Whether the first of the record's given names alone needs vouching for.
    pub partial_given_names: bool,
}

impl Default for Corroboration {
    fn default() -> Self {
        use Attribute as A;
        let by = BTreeMap::from([
            // A nearby date is exactly what a namesake born a day apart looks like; only
            // an identifier tells them apart.
            (A::DateOfBirth, vec![A::PersonIdentifier]),
            // A one-letter surname difference with the same given name and date: a
            // maiden name or a place of birth that agrees makes a typing error likely.
            (
                A::FamilyName,
                vec![A::PersonIdentifier, A::BirthName, A::PlaceOfBirth],
            ),
            // Twins share everything but their given names and identifiers.
            (A::GivenName, vec![A::PersonIdentifier]),
        ]);
        Self {
            by,
            partial_given_names: false,
        }
    }
}

impl Corroboration {
    fn vouched(&self, a: Attribute, levels: &BTreeMap<Attribute, Level>) -> bool {
        self.by
            .get(&a)
            .into_iter()
            .flatten()
            .any(|c| levels.get(c) == Some(&Level::Exact))
    }
}

/// What the guards know about one request, beyond the candidate's levels.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestFacts {
    /// Whether the requested family-name spelling (the one compared) is a name the
    /// registry holds; `None` without usable name frequencies.
    pub family_known: Option<bool>,
    /// The same for the given name.
    pub given_known: Option<bool>,
}

/// The guard that applies to a natural person's candidate with these comparison levels,
/// if any. `swapped`: family and given name were compared exchanged.
pub fn assess(
    levels: &BTreeMap<Attribute, Level>,
    swapped: bool,
    facts: RequestFacts,
    corroboration: &Corroboration,
) -> Option<Guard> {
    let level = |a: Attribute| levels.get(&a).copied().unwrap_or(Level::Missing);
    let (family, given, date) = (
        level(Attribute::FamilyName),
        level(Attribute::GivenName),
        level(Attribute::DateOfBirth),
    );
    let identified = level(Attribute::PersonIdentifier) == Level::Exact;
    let date_agrees = matches!(date, Level::Exact | Level::UnknownDay);

    // A near spelling is tolerated as a typing error when an identifier vouches for it,
    // or when the registry does not know the requested spelling as a name, or — without
    // frequencies — when a configured attribute agrees.
    let tolerated = |a: Attribute, known: Option<bool>| match known {
        _ if identified => Ok(()),
        Some(true) => Err(true),
        Some(false) => Ok(()),
        None if corroboration.vouched(a, levels) => Ok(()),
        None => Err(false),
    };
    // The first of the record's given names alone, where the mapping wants it vouched
    // for, is read like a near spelling.
    let given_partial = given == Level::Token && corroboration.partial_given_names;
    let given_near = given.is_near_spelling() || given_partial;
    let given_tolerated = (given.is_same_name() && !given_partial)
        || (given_near && tolerated(Attribute::GivenName, facts.given_known).is_ok());

    if family.is_same_name() && date_agrees && given != Level::Missing && !given_tolerated {
        return Some(Guard::Sibling);
    }
    if [family, given, date].contains(&Level::Missing) {
        return Some(Guard::RecordIncomplete);
    }
    let other = |l: Level| !l.is_same_name() && !l.is_near_spelling();
    if other(family) || other(given) {
        return Some(Guard::NameDiffers);
    }
    // Part of the record's compound family name (`García` for `García Márquez`) is what
    // another family's name looks like too (`García López`): vouched for like a near
    // spelling.
    let family_partial = family == Level::Token;
    if family.is_near_spelling() || family_partial {
        match tolerated(Attribute::FamilyName, facts.family_known) {
            Ok(()) => {}
            Err(true) => return Some(Guard::FamilyNameKnown),
            Err(false) => return Some(Guard::FamilyNameUncorroborated),
        }
    }
    if given_near {
        match tolerated(Attribute::GivenName, facts.given_known) {
            Ok(()) => {}
            Err(true) => return Some(Guard::GivenNameKnown),
            Err(false) => return Some(Guard::GivenNameUncorroborated),
        }
    }
    if !date_agrees && !corroboration.vouched(Attribute::DateOfBirth, levels) {
        return Some(Guard::DateUncorroborated);
    }
    let deviations = usize::from(family.is_near_spelling() || family_partial)
        + usize::from(given_near)
        + usize::from(date != Level::Exact)
        + usize::from(swapped);
    if deviations > 1 && !identified {
        return Some(Guard::SeveralDeviations);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Attribute as A;
    use Level as L;

    fn levels(pairs: &[(Attribute, Level)]) -> BTreeMap<Attribute, Level> {
        pairs.iter().copied().collect()
    }

    fn guard(pairs: &[(Attribute, Level)], facts: RequestFacts) -> Option<Guard> {
        assess(&levels(pairs), false, facts, &Corroboration::default())
    }

    const NONE: RequestFacts = RequestFacts {
        family_known: None,
        given_known: None,
    };

    #[test]
    fn the_sibling_veto_holds_whatever_else_agrees() {
        let extras = [
            (A::PlaceOfBirth, L::Exact),
            (A::Gender, L::Exact),
            (A::PostCode, L::Exact),
            (A::Thoroughfare, L::Exact),
            (A::BirthName, L::Exact),
        ];
        for given in [L::Else, L::Jw80, L::Jw92, L::Phonetic] {
            let mut p = vec![
                (A::FamilyName, L::Exact),
                (A::GivenName, given),
                (A::DateOfBirth, L::Exact),
            ];
            p.extend(extras);
            assert_eq!(guard(&p, NONE), Some(Guard::Sibling), "{given:?}");
            // A registry that knows the requested given name: still a sibling.
            let known = RequestFacts {
                given_known: Some(true),
                ..NONE
            };
            assert_eq!(guard(&p, known), Some(Guard::Sibling), "{given:?}");
        }
        // An identifier vouches for a typing error, never for another name.
        let p = [
            (A::FamilyName, L::Exact),
            (A::GivenName, L::Jw92),
            (A::DateOfBirth, L::Exact),
            (A::PersonIdentifier, L::Exact),
        ];
        assert_eq!(guard(&p, NONE), None);
        let p = [
            (A::FamilyName, L::Exact),
            (A::GivenName, L::Else),
            (A::DateOfBirth, L::Exact),
            (A::PersonIdentifier, L::Exact),
        ];
        assert_eq!(guard(&p, NONE), Some(Guard::Sibling));
    }

    #[test]
    fn near_spellings_need_an_unknown_spelling_or_corroboration() {
        let base = [
            (A::FamilyName, L::Jw92),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::Exact),
        ];
        assert_eq!(guard(&base, NONE), Some(Guard::FamilyNameUncorroborated));
        let mut with_place = base.to_vec();
        with_place.push((A::PlaceOfBirth, L::Exact));
        assert_eq!(guard(&with_place, NONE), None);
        let unknown = RequestFacts {
            family_known: Some(false),
            ..NONE
        };
        assert_eq!(guard(&base, unknown), None);
        // A real name of this registry: the place of birth no longer vouches.
        let known = RequestFacts {
            family_known: Some(true),
            ..NONE
        };
        assert_eq!(guard(&with_place, known), Some(Guard::FamilyNameKnown));
    }

    #[test]
    fn a_nearby_date_needs_an_identifier_and_one_deviation_at_most() {
        let p = [
            (A::FamilyName, L::Exact),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::OneDigit),
            (A::PlaceOfBirth, L::Exact),
            (A::PostCode, L::Exact),
        ];
        assert_eq!(guard(&p, NONE), Some(Guard::DateUncorroborated));
        let mut id = p.to_vec();
        id.push((A::PersonIdentifier, L::Exact));
        assert_eq!(guard(&id, NONE), None);
        // A partial registry date is not a deviation to vouch for, but it is one.
        let partial = [
            (A::FamilyName, L::Exact),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::UnknownDay),
        ];
        assert_eq!(guard(&partial, NONE), None);
        let two = [
            (A::FamilyName, L::Jw92),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::UnknownDay),
        ];
        let unknown = RequestFacts {
            family_known: Some(false),
            ..NONE
        };
        assert_eq!(guard(&two, unknown), Some(Guard::SeveralDeviations));
        let year_only = [
            (A::FamilyName, L::Exact),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::YearOnly),
        ];
        assert_eq!(guard(&year_only, NONE), Some(Guard::DateUncorroborated));
    }

    #[test]
    fn part_of_a_compound_family_name_is_vouched_for_like_a_near_spelling() {
        let base = [
            (A::FamilyName, L::Token),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::Exact),
        ];
        assert_eq!(guard(&base, NONE), Some(Guard::FamilyNameUncorroborated));
        let known = RequestFacts {
            family_known: Some(true),
            ..NONE
        };
        assert_eq!(guard(&base, known), Some(Guard::FamilyNameKnown));
        let mut placed = base.to_vec();
        placed.push((A::PlaceOfBirth, L::Exact));
        assert_eq!(guard(&placed, NONE), None);
    }

    #[test]
    fn the_first_given_name_alone_is_vouched_for_where_the_mapping_wants_it() {
        let p = [
            (A::FamilyName, L::Exact),
            (A::GivenName, L::Token),
            (A::DateOfBirth, L::Exact),
        ];
        assert_eq!(guard(&p, NONE), None);
        let strict = Corroboration {
            partial_given_names: true,
            ..Corroboration::default()
        };
        // Same family name and date: a twin named by her sister's first name.
        assert_eq!(
            assess(&levels(&p), false, NONE, &strict),
            Some(Guard::Sibling)
        );
        let mut id = p.to_vec();
        id.push((A::PersonIdentifier, L::Exact));
        assert_eq!(assess(&levels(&id), false, NONE, &strict), None);
    }

    #[test]
    fn other_names_and_incomplete_records() {
        let p = [
            (A::FamilyName, L::Else),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::Exact),
            (A::PlaceOfBirth, L::Exact),
            (A::PersonIdentifier, L::Exact),
        ];
        assert_eq!(guard(&p, NONE), Some(Guard::NameDiffers));
        let p = [
            (A::FamilyName, L::Exact),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::Missing),
        ];
        assert_eq!(guard(&p, NONE), Some(Guard::RecordIncomplete));
        let p = [
            (A::FamilyName, L::Exact),
            (A::GivenName, L::Exact),
            (A::DateOfBirth, L::Exact),
        ];
        assert_eq!(guard(&p, NONE), None);
        assert_eq!(
            assess(&levels(&p), true, NONE, &Corroboration::default()),
            None,
            "names exchanged, nothing else"
        );
    }
}
