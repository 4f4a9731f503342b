//! Unit tests of the engine: spelling variants, homonyms, guards, vetoes, frequencies and
//! the problems `compile` reports.

use super::score::frequency_weight;
use super::*;
use crate::{Identity, MatchOutcome, MatchingSpec};

fn fields() -> FieldMap {
    [
        (
            Attribute::FamilyName,
            vec!["family_name".to_owned(), "birth_name".to_owned()],
        ),
        (Attribute::GivenName, vec!["given_name".to_owned()]),
        (Attribute::DateOfBirth, vec!["date_of_birth".to_owned()]),
        (Attribute::PlaceOfBirth, vec!["place_of_birth".to_owned()]),
        (Attribute::Gender, vec!["sex".to_owned()]),
    ]
    .into_iter()
    .collect()
}

fn engine() -> Engine {
    let spec = MatchingSpec {
        date_format: Some("%Y%m%d".to_owned()),
        ..MatchingSpec::default()
    };
    Engine::compile(&spec, &fields(), SubjectKind::NaturalPerson, None).unwrap()
}

fn rec(family: &str, given: &str, dob: &str, place: &str) -> Record {
    [
        ("family_name", family),
        ("given_name", given),
        ("date_of_birth", dob),
        ("place_of_birth", place),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), Value::Text(v.to_owned())))
    .collect()
}

fn who(family: &str, given: &str, dob: &str) -> Identity {
    let mut i = Identity::default();
    i.set(Attribute::FamilyName, Some(family));
    i.set(Attribute::GivenName, Some(given));
    i.set(Attribute::DateOfBirth, Some(dob));
    i
}

/// A stranger sharing the date of birth, so every decision has a competitor.
fn stranger() -> Record {
    rec("Okonkwo", "Chidi", "19700301", "Lagos")
}

fn matches(e: &Engine, id: &Identity, records: &[Record]) -> Option<usize> {
    match e.decide_identity(id, records) {
        MatchOutcome::Match { index, .. } => Some(index),
        _ => None,
    }
}

#[test]
fn transliterations_and_spelling_variants_find_the_person() {
    let e = engine();
    for (registry, request) in [
        ("Müller", "Mueller"),
        ("Müller", "Muller"),
        ("Mueller", "MÜLLER"),
        ("Straße", "Strasse"),
        ("Núñez", "Nunez"),
        ("Ærø", "AEroe"),
        ("Παπαδόπουλος", "Papadopoulos"),
    ] {
        let records = [stranger(), rec(registry, "Maria", "19700301", "X")];
        assert_eq!(
            matches(&e, &who(request, "Maria", "1970-03-01"), &records),
            Some(1),
            "{registry} / {request}"
        );
    }
    // Half of a compound family name: vouched for by the place of birth.
    let records = [
        stranger(),
        rec("García Márquez", "Maria", "19700301", "Sevilla"),
    ];
    let mut half = who("Garcia", "Maria", "1970-03-01");
    assert_eq!(matches(&e, &half, &records), None);
    half.set(Attribute::PlaceOfBirth, Some("Sevilla"));
    assert_eq!(matches(&e, &half, &records), Some(1));
    for (registry, request) in [
        ("Łukasz", "Lukasz"),
        ("Ярослав", "Iaroslav"),
        ("Ярослав", "Yaroslav"),
    ] {
        let records = [stranger(), rec("Nowak", registry, "19700301", "X")];
        assert_eq!(
            matches(&e, &who("Nowak", request, "1970-03-01"), &records),
            Some(1),
            "{registry} / {request}"
        );
    }
}

#[test]
fn maiden_name_swapped_order_and_unknown_day() {
    let e = engine();
    // Registry holds the birth name; the request the married name plus BirthName.
    let records = [stranger(), rec("Müller", "Anna", "19850615", "Köln")];
    let mut married = who("Schmidt", "Anna", "1985-06-15");
    assert_eq!(matches(&e, &married, &records), None);
    married.set(Attribute::BirthName, Some("Mueller"));
    assert_eq!(matches(&e, &married, &records), Some(1));
    // Family and given name exchanged.
    assert_eq!(
        matches(&e, &who("Anna", "Müller", "1985-06-15"), &records),
        Some(1)
    );
    // The registry does not know the day; or the request gives it as 00.
    let partial = [rec("Dupont", "Jean", "19921000", "Lyon")];
    assert_eq!(
        matches(&e, &who("Dupont", "Jean", "1992-10-22"), &partial),
        Some(0)
    );
    let full = [rec("Dupont", "Jean", "19921022", "Lyon")];
    assert_eq!(
        matches(&e, &who("Dupont", "Jean", "1992-10-00"), &full),
        Some(0)
    );
}

#[test]
fn a_birth_name_stands_in_only_where_the_registry_never_recorded_a_marriage() {
    let e = engine();
    let mut married = rec("Nieminen", "Helena", "19700301", "Lahti");
    married.push("birth_name", Value::Text("Mattila".to_owned()));
    let unrecorded = rec("Mattila", "Helena", "19700301", "Lahti");
    let mut id = who("Virtanen", "Helena", "1970-03-01");
    id.set(Attribute::BirthName, Some("Mattila"));
    // The registry still holds her birth name as her family name.
    assert_eq!(matches(&e, &id, std::slice::from_ref(&unrecorded)), Some(0));
    // The registry knows another married name: another Helena née Mattila.
    assert_eq!(matches(&e, &id, std::slice::from_ref(&married)), None);
    // Her own married name, with her birth name: found.
    let mut own = who("Nieminen", "Helena", "1970-03-01");
    own.set(Attribute::BirthName, Some("Mattila"));
    assert_eq!(matches(&e, &own, &[married]), Some(0));
}

#[test]
fn twins_and_homonyms_are_ambiguous_until_place_of_birth_tells_them_apart() {
    let e = engine();
    let records = [
        rec("Schmidt", "Anna", "19850615", "Leipzig"),
        rec("Schmidt", "Anna", "19850615", "Dresden"),
    ];
    let mut anna = who("Schmidt", "Anna", "1985-06-15");
    assert!(matches!(
        e.decide_identity(&anna, &records),
        MatchOutcome::Ambiguous { .. }
    ));
    anna.set(Attribute::PlaceOfBirth, Some("Dresden"));
    assert_eq!(matches(&e, &anna, &records), Some(1));
    anna.set(Attribute::PlaceOfBirth, Some("LEIPZIG"));
    assert_eq!(matches(&e, &anna, &records), Some(0));
    // Born elsewhere: neither homonym is her, and nobody is released.
    anna.set(Attribute::PlaceOfBirth, Some("München"));
    assert_eq!(matches(&e, &anna, &records), None);
    // A twin with another given name is no competitor.
    let twins = [
        rec("Schmidt", "Anna", "19850615", "Leipzig"),
        rec("Schmidt", "Maria", "19850615", "Leipzig"),
    ];
    assert_eq!(
        matches(&e, &who("Schmidt", "Maria", "1985-06-15"), &twins),
        Some(1)
    );
    // The other twin is absent from the registry: Maria's request is refused.
    assert_eq!(
        matches(&e, &who("Schmidt", "Maria", "1985-06-15"), &twins[..1]),
        None
    );
}

/// The record of the quickstart's Jean Dupont, with every extra attribute.
fn jean_dupont() -> Record {
    let mut r = rec("Dupont", "Jean", "19921022", "Berlin");
    r.push("sex", Value::Text("M".to_owned()));
    r
}

/// A request copying every extra attribute of `r` (place of birth, gender): the
/// worst case, and what a twin or a namesake at the same address sends.
fn with_extras(mut id: Identity, place: &str, gender: &str) -> Identity {
    id.set(Attribute::PlaceOfBirth, Some(place));
    id.set(Attribute::Gender, Some(gender));
    id
}

#[test]
fn phonetic_look_alikes_and_other_given_names_are_refused() {
    let e = engine();
    let records = [jean_dupont(), stranger()];
    for (family, given) in [
        ("Dupont", "Jane"),
        ("Dupont", "John"),
        ("Dupont", "Juan"),
        ("Tibuntu", "Jean"),
        ("Dobanatti", "Jean"),
    ] {
        for id in [
            who(family, given, "1992-10-22"),
            with_extras(who(family, given, "1992-10-22"), "Berlin", "Male"),
        ] {
            let out = e.decide_identity(&id, &records);
            assert!(
                !matches!(out, MatchOutcome::Match { .. }),
                "{given} {family}: {}",
                out.explanation().map(|x| x.summary()).unwrap_or_default()
            );
        }
    }
    // A one-letter surname difference alone is refused; an agreeing place of birth
    // vouches for a typing error (without name frequencies, see below).
    let dupond = who("Dupond", "Jean", "1992-10-22");
    assert_eq!(matches(&e, &dupond, &records), None);
    let placed = with_extras(dupond, "Berlin", "Male");
    assert_eq!(matches(&e, &placed, &records), Some(0));
    let elif = [rec("Öztürk", "Elif", "19880514", "Izmir"), stranger()];
    for family in ["Ostrich", "Astoria", "Ozdurk"] {
        assert_eq!(matches(&e, &who(family, "Elif", "1988-05-14"), &elif), None);
    }
    // The person herself, in the spellings an eID gives.
    for family in ["Öztürk", "OZTURK", "Oeztuerk"] {
        assert_eq!(
            matches(&e, &who(family, "Elif", "1988-05-14"), &elif),
            Some(0)
        );
    }
}

#[test]
fn more_attributes_never_lift_a_sibling_over_the_threshold() {
    let e = engine();
    let twin = |given: &str, sex: &str| {
        let mut r = rec("Novak", given, "19900101", "Praha");
        r.push("sex", Value::Text(sex.to_owned()));
        r
    };
    // Only one twin registered; the other asks, with every extra attribute.
    for (registered, sex, asking, asks_sex) in [
        ("Petr", "M", "Pavel", "Male"),
        ("Jan", "M", "Jana", "Female"),
        ("Jana", "F", "Jan", "Male"),
        ("Anna", "F", "Hanna", "Female"),
        ("Hanna", "F", "Anna", "Female"),
        ("Ivana", "F", "Ivan", "Female"),
    ] {
        let records = [twin(registered, sex)];
        let id = with_extras(who("Novak", asking, "1990-01-01"), "Praha", asks_sex);
        let out = e.decide_identity(&id, &records);
        assert!(
            !matches!(out, MatchOutcome::Match { .. }),
            "{asking} for {registered}: {}",
            out.explanation().map(|x| x.summary()).unwrap_or_default()
        );
    }
    // Both twins registered: each is found.
    let both = [twin("Anna", "F"), twin("Hanna", "F")];
    let anna = with_extras(who("Novak", "Anna", "1990-01-01"), "Praha", "Female");
    assert_eq!(matches(&e, &anna, &both), Some(0));
}

/// An engine over the test fields and PersonIdentifier, with the identifier pass
/// every mapping of an identifier needs, and `extra` YAML of the matching section.
fn identified(extra: &str) -> Engine {
    let mut f = fields();
    f.insert(Attribute::PersonIdentifier, vec!["person_id".to_owned()]);
    let yaml = format!(
        "date_format: \"%Y%m%d\"\nblocking:\n  passes:\n    - name: date\n      parameters: {{ d: DateOfBirth }}\n    - name: id\n      parameters: {{ p: PersonIdentifier }}\n{extra}"
    );
    let spec: MatchingSpec = serde_saphyr::from_str(&yaml).unwrap();
    Engine::compile(&spec, &f, SubjectKind::NaturalPerson, None).unwrap()
}

#[test]
fn an_identifier_needs_a_pass_that_looks_it_up() {
    let mut f = fields();
    f.insert(Attribute::PersonIdentifier, vec!["person_id".to_owned()]);
    let problems = Engine::compile(
        &MatchingSpec::default(),
        &f,
        SubjectKind::NaturalPerson,
        None,
    )
    .unwrap_err();
    assert!(
        problems[0].message.contains("no blocking pass looks it up"),
        "{problems:?}"
    );
}

#[test]
fn a_nearby_date_needs_an_identifier() {
    let e = identified("");
    let mut r = jean_dupont();
    r.push("person_id", Value::Text("DE/FR/123".to_owned()));
    let records = [r];
    for date in ["1992-10-23", "1992-10-12", "1992-01-22", "1993-10-22"] {
        let id = with_extras(who("Dupont", "Jean", date), "Berlin", "Male");
        assert_eq!(matches(&e, &id, &records), None, "{date}");
        let mut proved = id.clone();
        proved.set(Attribute::PersonIdentifier, Some("DE/FR/123"));
        assert_eq!(matches(&e, &proved, &records), Some(0), "{date}");
        // Another identifier the registry does not know says nothing.
        proved.set(Attribute::PersonIdentifier, Some("DE/FR/999"));
        assert_eq!(matches(&e, &proved, &records), None, "{date}");
    }
}

#[test]
fn an_identifier_of_another_record_rules_the_look_alike_out() {
    let e = identified("");
    let with_id = |mut r: Record, id: &str| {
        r.push("person_id", Value::Text(id.to_owned()));
        r
    };
    let records = [
        with_id(jean_dupont(), "DE/FR/111"),
        with_id(rec("Weber", "Anna", "19700301", "Bonn"), "DE/FR/222"),
    ];
    let mut id = who("Dupont", "Jean", "1992-10-22");
    id.set(Attribute::PersonIdentifier, Some("DE/FR/222"));
    let out = e.decide_identity(&id, &records);
    assert!(matches!(out, MatchOutcome::NoMatch { .. }), "{out:?}");
    assert_eq!(
        out.explanation().unwrap().top[0].guard,
        Some("identifier_held_by_another")
    );
}

#[test]
fn near_spelled_surnames_are_typos_only_where_the_registry_says_so() {
    let e = engine();
    let lundgren = [rec("Lundgren", "Erik", "19750612", "Uppsala")];
    let id = who("Lindgren", "Erik", "1975-06-12");
    // No frequencies, nothing vouching: refused.
    assert_eq!(matches(&e, &id, &lundgren), None);
    // The place of birth vouches for a typing error.
    let mut placed = id.clone();
    placed.set(Attribute::PlaceOfBirth, Some("Uppsala"));
    assert_eq!(matches(&e, &placed, &lundgren), Some(0));
    // A registry of Swedes that knows Lindgrens: another person, whatever agrees.
    let mut table = NameFrequencies::new(20_000);
    table.add(Attribute::FamilyName, "Lundgren", 40, &[]);
    table.add(Attribute::FamilyName, "Lindgren", 55, &[]);
    table.add(Attribute::GivenName, "Erik", 300, &[]);
    e.set_frequencies(table);
    let out = e.decide_identity(&placed, &lundgren);
    assert!(!matches!(out, MatchOutcome::Match { .. }), "{out:?}");
    assert_eq!(
        out.explanation().unwrap().top[0].guard,
        Some("family_name_known")
    );
    // A spelling the registry has never seen is a typing error.
    let typo = who("Lundgern", "Erik", "1975-06-12");
    let out = e.decide_identity(&typo, &lundgren);
    assert!(matches!(out, MatchOutcome::Match { .. }), "{out:?}");
    assert_eq!(out.explanation().unwrap().frequencies, Some(20_000));
    // …but not two weak points at once.
    let partial = [rec("Lundgren", "Erik", "19750600", "Uppsala")];
    assert_eq!(matches(&e, &typo, &partial), None);
}

#[test]
fn frequencies_of_a_small_registry_are_not_used() {
    let e = engine();
    let mut table = NameFrequencies::new(500);
    table.add(Attribute::FamilyName, "Lundgren", 4, &[]);
    e.set_frequencies(table);
    assert!(e.frequencies().is_none());
    let lundgren = [rec("Lundgren", "Erik", "19750612", "Uppsala")];
    assert_eq!(
        matches(&e, &who("Lundgern", "Erik", "1975-06-12"), &lundgren),
        None
    );
}

#[test]
fn a_common_name_proves_less_than_a_rare_one() {
    let e = engine();
    let records = [rec("Müller", "Anna", "19850600", "Köln")];
    let id = who("Müller", "Anna", "1985-06-15");
    // Day unknown to the registry: a rare name still matches.
    assert_eq!(matches(&e, &id, &records), Some(0));
    // In a registry where every tenth person is a Müller and every fifth an Anna,
    // a partial date no longer singles her out.
    let mut table = NameFrequencies::new(100_000);
    table.add(Attribute::FamilyName, "Müller", 10_000, &[]);
    table.add(Attribute::GivenName, "Anna", 20_000, &[]);
    e.set_frequencies(table);
    let out = e.decide_identity(&id, &records);
    assert!(matches!(out, MatchOutcome::Ambiguous { .. }), "{out:?}");
    // A full date does.
    let full = [rec("Müller", "Anna", "19850615", "Köln")];
    assert_eq!(matches(&e, &id, &full), Some(0));
}

#[test]
fn a_namesake_whose_date_is_partly_known_makes_a_match_ambiguous() {
    let e = engine();
    let records = [
        rec("Dupont", "Jean", "19921022", "Lyon"),
        rec("Dupont", "Jean", "19920000", "Lyon"),
    ];
    let out = e.decide_identity(&who("Dupont", "Jean", "1992-10-22"), &records);
    assert!(matches!(out, MatchOutcome::Ambiguous { .. }), "{out:?}");
    // Another date altogether is another person.
    let records = [
        rec("Dupont", "Jean", "19921022", "Lyon"),
        rec("Dupont", "Jean", "19930000", "Lyon"),
    ];
    let out = e.decide_identity(&who("Dupont", "Jean", "1992-10-22"), &records);
    assert!(
        matches!(out, MatchOutcome::Match { index: 0, .. }),
        "{out:?}"
    );
}

#[test]
fn frequency_weights_as_documented() {
    // docs/matching.md, "Name frequencies": one in a thousand 9.9, one in a hundred 8
    // (the floor, 4 below the configured 12), never above the configured weight.
    let w = |share| (frequency_weight(12.0, share) * 10.0).round() / 10.0;
    assert_eq!(w(0.001), 9.9);
    assert_eq!(w(0.01), 8.0);
    assert_eq!(w(0.000_001), 12.0);
}

#[test]
fn partial_registry_dates() {
    let e = engine();
    let id = who("Dupont", "Jean", "1992-10-22");
    let month = [rec("Dupont", "Jean", "19921000", "Lyon")];
    assert_eq!(matches(&e, &id, &month), Some(0));
    let year = [rec("Dupont", "Jean", "19920000", "Lyon")];
    let out = e.decide_identity(&id, &year);
    assert!(!matches!(out, MatchOutcome::Match { .. }), "{out:?}");
    assert_eq!(
        out.explanation().unwrap().top[0].guard,
        Some("date_uncorroborated")
    );
}

#[test]
fn names_mixing_scripts_are_invalid() {
    let e = engine();
    // `Dupоnt` with a Cyrillic о; `Ρapadopoulos` with a Greek Ρ.
    for family in ["Dup\u{43e}nt", "\u{3a1}apadopoulos"] {
        assert!(matches!(
            e.decide_identity(&who(family, "Jean", "1992-10-22"), &[jean_dupont()]),
            MatchOutcome::InvalidInput {
                attribute: Attribute::FamilyName,
                ..
            }
        ));
    }
    // A Cyrillic given name beside a Latin family name (`Каі` reads `Kai` by its
    // look and its sound alike): refused too.
    let out = e.decide_identity(
        &who("Dupont", "\u{41a}\u{430}\u{456}", "1992-10-22"),
        &[jean_dupont()],
    );
    assert!(
        matches!(
            out,
            MatchOutcome::InvalidInput {
                attribute: Attribute::GivenName,
                ..
            }
        ),
        "{out:?}"
    );
    // A name wholly in another script is no mix: Greek names find a Greek record.
    let greek = [rec("Παπαδόπουλος", "Ελένη", "19700301", "Αθήνα")];
    assert_eq!(
        matches(&e, &who("Παπαδόπουλος", "Ελένη", "1970-03-01"), &greek),
        Some(0)
    );
}

#[test]
fn an_empty_alternative_field_does_not_hide_a_disagreement() {
    let e = engine();
    let mut r = rec("Durand", "Jean", "19921022", "Lyon");
    r.push("birth_name", Value::Null);
    let out = e.decide_identity(&who("Dupont", "Jean", "1992-10-22"), &[r]);
    assert!(!matches!(out, MatchOutcome::Match { .. }), "{out:?}");
    let explanation = out.explanation().unwrap();
    assert_eq!(
        explanation.top[0].levels.get(&Attribute::FamilyName),
        Some(&Level::Else)
    );
}

#[test]
fn a_wrong_date_of_birth_or_gender_vetoes() {
    let e = engine();
    let mut r = rec("Dupont", "Jean", "19481218", "Lyon");
    assert!(matches!(
        e.decide_identity(
            &who("Dupont", "Jean", "1992-10-22"),
            std::slice::from_ref(&r)
        ),
        MatchOutcome::NoMatch { .. }
    ));
    r.push("sex", Value::Text("F".to_owned()));
    let r2 = {
        let mut x = rec("Dupont", "Jean", "19921022", "Lyon");
        x.push("sex", Value::Text("W".to_owned()));
        x
    };
    let mut jean = who("Dupont", "Jean", "1992-10-22");
    jean.set(Attribute::Gender, Some("Male"));
    assert_eq!(matches(&e, &jean, &[r2]), None);
}

#[test]
fn outcomes_before_any_lookup() {
    let mut spec = MatchingSpec::default();
    spec.decision.accept = 24.0;
    let e = Engine::compile(
        &spec,
        &fields(),
        SubjectKind::NaturalPerson,
        Some(LevelOfAssurance::High),
    )
    .unwrap();
    let mut id = who("Dupont", "Jean", "1992-10-22");
    id.level_of_assurance = Some(LevelOfAssurance::Substantial);
    assert_eq!(
        e.decide_identity(&id, &[]),
        MatchOutcome::InsufficientAssurance {
            required: LevelOfAssurance::High
        }
    );
    id.level_of_assurance = Some(LevelOfAssurance::High);
    id.attributes.remove(&Attribute::GivenName);
    assert_eq!(
        e.decide_identity(&id, &[]),
        MatchOutcome::NeedsMoreAttributes {
            missing: vec![Attribute::GivenName]
        }
    );
    let mut bad = who("Dupont", "Jean", "1992-02-30");
    bad.level_of_assurance = Some(LevelOfAssurance::High);
    assert!(matches!(
        e.decide_identity(&bad, &[]),
        MatchOutcome::InvalidInput {
            attribute: Attribute::DateOfBirth,
            ..
        }
    ));
    let mut punct = who("--", "Jean", "1992-10-22");
    punct.level_of_assurance = Some(LevelOfAssurance::High);
    assert!(matches!(
        e.decide_identity(&punct, &[]),
        MatchOutcome::InvalidInput {
            attribute: Attribute::FamilyName,
            ..
        }
    ));
}

#[test]
fn explanations_carry_no_personal_data() {
    let e = engine();
    let out = e.decide_identity(
        &who("Papadopoulos", "Eleni", "1970-03-01"),
        &[
            stranger(),
            rec("Παπαδόπουλος", "Ελένη", "19700301", "Athen"),
        ],
    );
    let json = serde_json::to_string(&out).unwrap();
    for secret in ["apadopoulos", "leni", "1970", "Okonkwo", "thina"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
    assert!(json.contains("\"outcome\":\"match\""), "{json}");
    assert!(json.contains("DateOfBirth"), "{json}");
}

#[test]
fn an_accepted_candidate_must_lead_every_competitor() {
    // A candidate the guards let through must still lead one they hold back: a
    // stronger look-alike makes the result ambiguous, it is not overtaken.
    let e = engine();
    let mut id = who("Dupont", "Jean", "1992-10-22");
    id.set(Attribute::PlaceOfBirth, Some("Lyon"));
    let records = [
        rec("Dupont", "Jean Pierre", "19921022", ""),
        rec("Dupont", "Jean", "19921023", "Lyon"),
    ];
    let out = e.decide_identity(&id, &records);
    let MatchOutcome::Ambiguous { explanation } = &out else {
        panic!("{out:?}")
    };
    assert_eq!(explanation.matching_candidates, 1, "{out:?}");
    assert!(explanation.margin.is_some_and(|m| m < 0.0), "{out:?}");
    assert_eq!(explanation.top[0].guard, Some("date_uncorroborated"));
}

#[test]
fn bad_sections_are_reported() {
    let yaml = "vetoes: [DateOfBirth.maybe]\nkeys: { k: FamilyName.year }\nblocking:\n  passes:\n    - name: x\n      parameters: { p: Surname }\ndecision: { accept: 5, possible: 10 }\n";
    let spec: MatchingSpec = serde_saphyr::from_str(yaml).unwrap();
    let problems = Engine::compile(&spec, &fields(), SubjectKind::NaturalPerson, None).unwrap_err();
    let text: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(problems.len(), 4, "{text:?}");
    assert!(problems.iter().filter(|p| p.location.is_some()).count() >= 3);
}

#[test]
fn bad_corroborations_and_frequencies_are_reported_where_written() {
    let yaml = "corroboration:\n  GivenName: [PlaceOfBirth]\n  DateOfBirth: [PersonIdentifier]\n  Gender: [PlaceOfBirth]\nfrequencies:\n  queries:\n    PlaceOfBirth: SELECT 1\n";
    let spec: MatchingSpec = serde_saphyr::from_str(yaml).unwrap();
    let problems = Engine::compile(&spec, &fields(), SubjectKind::NaturalPerson, None).unwrap_err();
    let text: Vec<String> = problems
        .iter()
        .map(|p| {
            let l = p.location.unwrap();
            format!("{}:{} {}", l.line(), l.column(), p.message)
        })
        .collect();
    assert_eq!(problems.len(), 4, "{text:#?}");
    assert!(
        text[0].starts_with("2:") && text[0].contains("twins"),
        "{text:#?}"
    );
    // PersonIdentifier is not mapped by these fields.
    assert!(
        text[1].starts_with("3:") && text[1].contains("PersonIdentifier"),
        "{text:#?}"
    );
    assert!(
        text[2].starts_with("4:") && text[2].contains("not Gender"),
        "{text:#?}"
    );
    assert!(
        text[3].starts_with("7:") && text[3].contains("PlaceOfBirth"),
        "{text:#?}"
    );
}

#[test]
fn a_proved_identifier_tells_homonyms_apart_and_never_a_near_one() {
    let e = identified("decision: { on_ambiguous: preview }\n");
    assert_eq!(e.on_ambiguous(), OnAmbiguous::Preview);
    let twin = |id: Option<&str>| {
        let mut r = rec("Wimmer", "Lukas", "1995-05-21", "Wien");
        r.push(
            "person_id",
            id.map_or(Value::Null, |v| Value::Text(v.to_owned())),
        );
        r
    };
    let records = [
        twin(Some("AT/AT/1111")),
        twin(Some("AT/AT/2222")),
        twin(None),
    ];
    let mut id = who("Wimmer", "Lukas", "1995-05-21");
    assert!(matches!(
        e.decide_identity(&id, &records),
        MatchOutcome::Ambiguous { .. }
    ));
    id.set(Attribute::PersonIdentifier, Some("AT/AT/2222"));
    let prepared = e.prepare(&id).unwrap();
    // An identifier the registry knows points at its holder…
    assert!(matches!(
        e.decide(&prepared, &records),
        MatchOutcome::Match { index: 1, .. }
    ));
    // …and as proved by the sign-in, only the record holding it can be the subject.
    let MatchOutcome::Match { index, explanation } =
        e.decide_requiring_exact(&prepared, &records, Attribute::PersonIdentifier)
    else {
        panic!("one record holds the identifier");
    };
    assert_eq!(index, 1);
    assert_eq!(
        explanation
            .top
            .iter()
            .filter_map(|c| c.veto.as_deref())
            .collect::<Vec<_>>(),
        vec!["PersonIdentifier.missing", "PersonIdentifier.else"]
    );
    // One character off is another person, not a typo.
    id.set(Attribute::PersonIdentifier, Some("AT/AT/2223"));
    let prepared = e.prepare(&id).unwrap();
    assert!(matches!(
        e.decide_requiring_exact(&prepared, &records, Attribute::PersonIdentifier),
        MatchOutcome::NoMatch { .. }
    ));
    // Another date of birth is still another person (its veto stands).
    let mut other = who("Wimmer", "Lukas", "1971-02-03");
    other.set(Attribute::PersonIdentifier, Some("AT/AT/2222"));
    let prepared = e.prepare(&other).unwrap();
    assert!(!matches!(
        e.decide_requiring_exact(&prepared, &records, Attribute::PersonIdentifier),
        MatchOutcome::Match { .. }
    ));
}

#[test]
fn on_ambiguous_preview_needs_a_person_identifier_and_a_natural_person() {
    let spec: MatchingSpec =
        serde_saphyr::from_str("decision:\n  on_ambiguous: preview\n").unwrap();
    let problems = Engine::compile(&spec, &fields(), SubjectKind::NaturalPerson, None)
        .err()
        .unwrap();
    assert!(
        problems[0].message.contains("PersonIdentifier"),
        "{problems:?}"
    );
    let at = problems[0].location.unwrap();
    assert_eq!((at.line(), at.column()), (2, 17));
    let problems = Engine::compile(&spec, &fields(), SubjectKind::LegalPerson, None)
        .err()
        .unwrap();
    assert!(
        problems[0].message.contains("natural persons"),
        "{problems:?}"
    );
}
