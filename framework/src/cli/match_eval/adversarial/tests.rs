//! Tests of the adversarial requests: their shapes, near-namesakes and typos.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::super::edits::distance;
use super::super::population::{Population, fold_name};
use super::generator::held_by;
use super::similarity::{digits_apart, shares_a_word, spelling, swapped, typo_close};
use super::*;
use crate::matching::phonetic::{cologne, double_metaphone};

/// Twins (Anna and Erik Lindgren), their sister Sofia, a Lundgren, a Dupont and a
/// Dobanatti (one Kölner Phonetik code), Jan Novák and Jana Nowak, Вера Иванова,
/// an Andersson and an Anders.
const REGISTRY: &[[&str; 7]] = &[
    [
        "r1",
        "Lindgren",
        "Anna",
        "19800312",
        "F",
        "SE-1",
        "Stockholm",
    ],
    [
        "r2",
        "Lindgren",
        "Erik",
        "19800312",
        "M",
        "SE-2",
        "Stockholm",
    ],
    [
        "r3", "Lindgren", "Sofia", "19830909", "F", "SE-3", "Uppsala",
    ],
    ["r4", "Lundgren", "Maria", "19751103", "F", "", "Lund"],
    ["r5", "Dupont", "Jean", "19600101", "M", "FR-5", "Lyon"],
    ["r6", "Dobanatti", "Paolo", "19550505", "M", "IT-6", "Roma"],
    ["r7", "Novák", "Jan", "19900101", "M", "CZ-7", "Praha"],
    ["r8", "Nowak", "Jana", "19920202", "F", "PL-8", "Kraków"],
    ["r9", "Иванова", "Вера", "19850707", "F", "BG-9", "София"],
    [
        "r10",
        "Andersson",
        "Karl",
        "19700130",
        "M",
        "SE-10",
        "Malmö",
    ],
    ["r11", "Anders", "Lena", "19721224", "F", "SE-11", "Malmö"],
    [
        "r12",
        "García Márquez",
        "María José",
        "19880808",
        "F",
        "ES-12",
        "Sevilla",
    ],
];

fn fields() -> FieldMap {
    [
        (Attribute::FamilyName, "surname"),
        (Attribute::GivenName, "given_name"),
        (Attribute::DateOfBirth, "date_of_birth"),
        (Attribute::Gender, "sex"),
        (Attribute::PersonIdentifier, "pid"),
        (Attribute::PlaceOfBirth, "place"),
    ]
    .into_iter()
    .map(|(a, f)| (a, vec![f.to_owned()]))
    .collect()
}

fn population() -> Population {
    let csv = super::super::Csv {
        header: [
            "rec_id",
            "surname",
            "given_name",
            "date_of_birth",
            "sex",
            "pid",
            "place",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: REGISTRY
            .iter()
            .map(|r| r.map(str::to_owned).to_vec())
            .collect(),
    };
    Population::new(&csv, 0, |_| true, &fields(), Some("%Y%m%d"))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date")
}

fn get(r: &Request, a: Attribute) -> &str {
    r.values.get(&a).map(String::as_str).unwrap_or_default()
}

fn date(r: &Request) -> NaiveDate {
    NaiveDate::parse_from_str(get(r, Attribute::DateOfBirth), "%Y-%m-%d").expect("a date")
}

/// Whether a registry record has the request's normalised names and date.
fn in_registry(pop: &Population, r: &Request) -> bool {
    pop.persons.iter().any(|p| {
        p.family == fold_name(get(r, Attribute::FamilyName))
            && p.given == fold_name(get(r, Attribute::GivenName))
            && p.birth == Some(date(r))
    })
}

#[test]
fn every_scenario_builds_requests_of_its_shape_for_persons_not_in_the_registry() {
    let pop = population();
    let surnames: Vec<&str> = pop.surnames.iter().map(|n| n.key.as_str()).collect();
    let given_names: Vec<&str> = pop.given_names.iter().map(|n| n.key.as_str()).collect();
    let generator = Generator::new(&pop, today(), 42);
    let sent = [Attribute::FamilyName, Attribute::PersonIdentifier];
    assert_eq!(Scenario::applicable(&fields(), &sent).len(), 14);
    assert!(!Scenario::applicable(&fields(), &sent[..1]).contains(&Scenario::IdentifierOfAnother));
    for scenario in Scenario::ALL {
        let (requests, _) = generator.absent(scenario, 50);
        assert!(!requests.is_empty(), "{}", scenario.name());
        for r in &requests {
            let p = &pop.persons[r.near];
            let (family, given) = (
                fold_name(get(r, Attribute::FamilyName)),
                fold_name(get(r, Attribute::GivenName)),
            );
            let birth = date(r);
            let p_birth = p.birth.expect("P has a date");
            let what = format!("{} from {}: {:?}", scenario.name(), p.id, r.values);
            // Extras are P's; the identifier only where the scenario is about it.
            assert_eq!(
                get(r, Attribute::PlaceOfBirth),
                p.values[&Attribute::PlaceOfBirth],
                "{what}"
            );
            assert_eq!(
                get(r, Attribute::Gender),
                p.values[&Attribute::Gender],
                "{what}"
            );
            if scenario == Scenario::IdentifierOfAnother {
                let id = get(r, Attribute::PersonIdentifier);
                assert!(
                    !id.is_empty()
                        && id
                            != p.values
                                .get(&Attribute::PersonIdentifier)
                                .map(String::as_str)
                                .unwrap_or_default(),
                    "{what}"
                );
                assert!(
                    pop.persons.iter().any(|q| q.id != p.id
                        && q.values
                            .get(&Attribute::PersonIdentifier)
                            .map(String::as_str)
                            == Some(id)),
                    "{what}"
                );
                assert_eq!(
                    (family.as_str(), given.as_str(), birth),
                    (p.family.as_str(), p.given.as_str(), p_birth),
                    "{what}"
                );
                continue;
            }
            assert!(
                !r.values.contains_key(&Attribute::PersonIdentifier),
                "{what}"
            );
            assert!(!in_registry(&pop, r), "{what}");
            let same_family = family == p.family;
            let same_given = given == p.given;
            let same_birth = birth == p_birth;
            match scenario {
                Scenario::TwinOtherGiven => {
                    assert!(same_family && same_birth, "{what}");
                    assert!(distance(&given, &p.given) >= 3, "{what}");
                    assert!(given_names.contains(&given.as_str()), "{what}");
                    // Of P's gender.
                    assert!(
                        pop.persons
                            .iter()
                            .any(|q| q.given == given && q.gender == p.gender),
                        "{what}"
                    );
                }
                Scenario::TwinSimilarGiven => {
                    assert!(same_family && same_birth && !same_given, "{what}");
                    assert!(typo_close(&given, &p.given, 0.88), "{what}");
                    assert!(given_names.contains(&given.as_str()), "{what}");
                }
                Scenario::SiblingGivenNames => {
                    assert!(same_family && same_birth && !same_given, "{what}");
                    assert!(
                        pop.persons
                            .iter()
                            .any(|q| q.id != p.id && q.family == p.family && q.given == given),
                        "{what}"
                    );
                }
                Scenario::HomonymOtherDate => {
                    assert!(same_family && same_given, "{what}");
                    assert_ne!(birth.year(), p_birth.year(), "{what}");
                    assert!(digits_apart(birth, p_birth) >= 3, "{what}");
                }
                Scenario::DobOneDigit => {
                    assert!(same_family && same_given, "{what}");
                    assert_eq!(digits_apart(birth, p_birth), 1, "{what}");
                }
                Scenario::DobOneDay => {
                    assert!(same_family && same_given, "{what}");
                    assert_eq!((birth - p_birth).num_days().abs(), 1, "{what}");
                }
                Scenario::DobSwapped => {
                    assert!(same_family && same_given, "{what}");
                    assert_eq!(
                        (birth.day(), birth.month()),
                        (p_birth.month(), p_birth.day()),
                        "{what}"
                    );
                    assert_ne!(birth, p_birth, "{what}");
                }
                Scenario::SimilarExistingSurname => {
                    assert!(same_given && same_birth && !same_family, "{what}");
                    assert!(surnames.contains(&family.as_str()), "{what}");
                    assert!(typo_close(&family, &p.family, 0.92), "{what}");
                }
                Scenario::PhoneticSurname => {
                    assert!(same_given && same_birth, "{what}");
                    assert!(surnames.contains(&family.as_str()), "{what}");
                    assert!(distance(&family, &p.family) >= 2, "{what}");
                    let (a, b) = (double_metaphone(&family), double_metaphone(&p.family));
                    assert!(
                        cologne(&family) == cologne(&p.family)
                            || [&a.0, &a.1]
                                .iter()
                                .any(|c| !c.is_empty() && (**c == b.0 || **c == b.1)),
                        "{what}"
                    );
                }
                Scenario::SurnamePrefixExtension => {
                    assert!(same_given && same_birth, "{what}");
                    let (l, pl) = (family.chars().count(), p.family.chars().count());
                    assert!(
                        (family.starts_with(&p.family) && l >= pl + 2)
                            || (p.family.starts_with(&family) && l + 2 <= pl && l >= 3),
                        "{what}"
                    );
                }
                Scenario::MixedScriptLookalike => {
                    assert!(same_birth && !(same_family && same_given), "{what}");
                    for (a, b) in [
                        (
                            get(r, Attribute::FamilyName),
                            spelling(p, Attribute::FamilyName),
                        ),
                        (
                            get(r, Attribute::GivenName),
                            spelling(p, Attribute::GivenName),
                        ),
                    ] {
                        assert_eq!(a.chars().count(), b.chars().count(), "{what}");
                    }
                }
                Scenario::TwinSharingFirstName => {
                    assert!(same_family && same_birth && !same_given, "{what}");
                    assert_eq!(Some(given.as_str()), p.given.split(' ').next(), "{what}");
                }
                Scenario::CompoundSurnameHalf => {
                    assert!(same_given && same_birth && !same_family, "{what}");
                    assert!(shares_a_word(&family, &p.family), "{what}");
                }
                Scenario::IdentifierOfAnother => unreachable!(),
            }
        }
    }
}

#[test]
fn the_near_namesakes_are_the_intended_ones() {
    let pop = population();
    let generator = Generator::new(&pop, today(), 7);
    let pairs = |s: Scenario| -> BTreeSet<(String, String)> {
        generator
            .absent(s, 50)
            .0
            .iter()
            .map(|r| {
                let p = &pop.persons[r.near];
                let changed = if s == Scenario::TwinSimilarGiven || s == Scenario::SiblingGivenNames
                {
                    (
                        spelling(p, Attribute::GivenName),
                        get(r, Attribute::GivenName),
                    )
                } else {
                    (
                        spelling(p, Attribute::FamilyName),
                        get(r, Attribute::FamilyName),
                    )
                };
                (changed.0.to_owned(), changed.1.to_owned())
            })
            .collect()
    };
    let similar = pairs(Scenario::SimilarExistingSurname);
    assert!(
        similar.contains(&("Lindgren".into(), "Lundgren".into())),
        "{similar:?}"
    );
    assert!(
        similar.contains(&("Nowak".into(), "Novák".into())),
        "{similar:?}"
    );
    let phonetic = pairs(Scenario::PhoneticSurname);
    assert!(
        phonetic.contains(&("Dupont".into(), "Dobanatti".into())),
        "{phonetic:?}"
    );
    let twins = pairs(Scenario::TwinSimilarGiven);
    assert!(twins.contains(&("Jana".into(), "Jan".into())), "{twins:?}");
    let prefix = pairs(Scenario::SurnamePrefixExtension);
    assert!(
        prefix.contains(&("Andersson".into(), "Anders".into())),
        "{prefix:?}"
    );
    assert!(
        prefix.contains(&("Anders".into(), "Andersson".into())),
        "{prefix:?}"
    );
    // Вера Иванова is read as Latin look-alikes (В → B, р → p…; И has none).
    let (lookalikes, _) = generator.absent(Scenario::MixedScriptLookalike, 50);
    let vera: Vec<(&str, &str)> = lookalikes
        .iter()
        .filter(|r| pop.persons[r.near].id == "r9")
        .map(|r| (get(r, Attribute::FamilyName), get(r, Attribute::GivenName)))
        .collect();
    assert!(!vera.is_empty());
    for (f, g) in &vera {
        assert!(
            [
                ("Иbahoba", "Вера"),
                ("Иванова", "Bepa"),
                ("Иbahoba", "Bepa")
            ]
            .contains(&(*f, *g)),
            "{vera:?}"
        );
    }
    // Sofia's sister Anna is born on another day: Anna Lindgren born on Sofia's day
    // is nobody; Erik Lindgren born on Anna's day is her twin, in the registry.
    let (siblings, skipped) = generator.absent(Scenario::SiblingGivenNames, 50);
    assert!(siblings.iter().all(|r| !in_registry(&pop, r)));
    assert!(skipped > 0, "the twin was generated and dropped");
}

#[test]
fn typo_requests_name_the_person_with_one_error() {
    let pop = population();
    let generator = Generator::new(&pop, today(), 3);
    for typo in Typo::ALL {
        let (requests, _) = generator.typos(typo, 50);
        assert!(!requests.is_empty(), "{}", typo.name());
        for r in &requests {
            let p = &pop.persons[r.near];
            let what = format!("{} from {}: {:?}", typo.name(), p.id, r.values);
            assert_eq!(
                r.values.get(&Attribute::PersonIdentifier),
                p.values.get(&Attribute::PersonIdentifier),
                "{what}"
            );
            let (family, given) = (
                fold_name(get(r, Attribute::FamilyName)),
                fold_name(get(r, Attribute::GivenName)),
            );
            let p_birth = p.birth.expect("P has a date");
            let edits = distance(&family, &p.family) + distance(&given, &p.given);
            match typo {
                Typo::Surname => assert!(
                    distance(&family, &p.family) == 1 && given == p.given,
                    "{what}"
                ),
                Typo::Given => assert!(
                    distance(&given, &p.given) == 1 && family == p.family,
                    "{what}"
                ),
                Typo::DobOneDigit => {
                    assert!(edits == 0 && digits_apart(date(r), p_birth) == 1, "{what}")
                }
                Typo::DobSwapped => {
                    assert!(edits == 0 && swapped(p_birth) == Some(date(r)), "{what}")
                }
                Typo::GivenNamesDropped => assert!(
                    family == p.family && p.given.starts_with(&format!("{given} ")),
                    "{what}"
                ),
                Typo::CompoundSurnameHalf => assert!(
                    given == p.given && !family.contains(' ') && shares_a_word(&family, &p.family),
                    "{what}"
                ),
            }
            // Nobody else in the registry is named so.
            assert!(
                held_by(&pop, &r.values).iter().all(|h| *h == r.near),
                "{what}"
            );
        }
    }
}
