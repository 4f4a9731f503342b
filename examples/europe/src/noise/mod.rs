//! The registry's rows and the requests' rows, and every way the two differ.
//!
//! A registry row is a person as the national register writes them: native script,
//! sometimes in capitals, sometimes a partial date, an identifier for half of them. A
//! request row is the same person as their eID states them, always in Latin script,
//! transliterated by one of the schemes documents really use. On top of these honest
//! differences come mistakes, each drawn independently at the rate stated in [`NOISE`],
//! on whichever side real data put them: a typing error is sometimes the registry's, a
//! marriage the registry has not recorded is the registry's, a name given swapped is the
//! requester's. Most requests stay clean, as eID data mostly are.
//!
//! One file per concept: `row` (the output row), `registry` (the registry's row of a
//! person), `spelling` (how a request writes text), `request` (the request and the noise
//! drawn on it), `typos` (keyboard and date mistakes), `exonyms` (other names of
//! places); this file holds the noise kinds and rates, the counts, and the build.

mod exonyms;
mod registry;
mod request;
mod row;
mod spelling;
mod typos;

use crate::population::Population;
use crate::rng::Rng;

pub use registry::eidas_id;
pub use row::{COLUMNS, Row};
pub use typos::{date_typo, typo};

/// The kinds of noise, each applied independently at its stated rate to the requests
/// that can show it ("eligible").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Noise {
    SurnameTypo,
    GivenNameTypo,
    NamesSwapped,
    SecondGivenNameDropped,
    CompoundSurnameHalf,
    MarriageNotRegistered,
    EidBeforeMarriage,
    DateOfBirthTypo,
    MissingDiacritics,
    Casing,
    PlaceOfBirthExonym,
    AddressMoved,
}

/// Every kind: name in `summary.json`, rate, and what it is eligible for.
pub const NOISE: [(Noise, &str, f64, &str); 12] = [
    (
        Noise::SurnameTypo,
        "surname_typo",
        0.03,
        "all requests; one substitution (a neighbouring key), insertion, deletion or transposition; on the registry's side in a third of cases",
    ),
    (
        Noise::GivenNameTypo,
        "given_name_typo",
        0.03,
        "all requests; as surname_typo, in the given name",
    ),
    (
        Noise::NamesSwapped,
        "names_swapped",
        0.015,
        "all requests; family and given name exchanged in the request",
    ),
    (
        Noise::SecondGivenNameDropped,
        "second_given_name_dropped",
        0.15,
        "persons with two or more given names; the request carries only the first",
    ),
    (
        Noise::CompoundSurnameHalf,
        "compound_surname_half",
        0.10,
        "ES/PT persons with two or more surnames; the request carries one of them (ES mostly the first, PT mostly the last)",
    ),
    (
        Noise::MarriageNotRegistered,
        "marriage_not_registered",
        0.08,
        "persons whose surname changed by marriage; the registry still holds the birth surname and no birth name, the request the married surname (with birth_name in 80 % of cases)",
    ),
    (
        Noise::EidBeforeMarriage,
        "eid_before_marriage",
        0.04,
        "persons whose surname changed by marriage (and not marriage_not_registered); the eID still carries the birth surname",
    ),
    (
        Noise::DateOfBirthTypo,
        "date_of_birth_typo",
        0.01,
        "all requests; one digit wrong, two neighbouring digits exchanged, or day and month exchanged; on the registry's side in half of cases (a calendar date either way)",
    ),
    (
        Noise::MissingDiacritics,
        "missing_diacritics",
        0.05,
        "requests whose names carry diacritics; the request has none",
    ),
    (
        Noise::Casing,
        "casing",
        0.03,
        "all requests; the names' case changed (capitals, lower case or title case)",
    ),
    (
        Noise::PlaceOfBirthExonym,
        "place_of_birth_exonym",
        0.15,
        "requests carrying a place of birth that has another usual name; the request uses that (Munich, Åbo, La Coruña, Athens)",
    ),
    (
        Noise::AddressMoved,
        "address_moved",
        0.10,
        "requests carrying an address; the registry holds an older one",
    ),
];

/// How often a request carries each optional attribute (the minimum data set, gender
/// aside, is always there; eIDAS makes the rest optional).
pub const PRESENCE: [(&str, f64); 5] = [
    ("birth_name", 0.4),
    ("place_of_birth", 0.35),
    ("gender", 0.7),
    ("address", 0.25),
    ("person_id", 1.0),
];

/// Share of registry rows holding the person identifier.
pub const REGISTRY_HOLDS_ID: f64 = 0.5;
/// Share of Romanian registry rows written with cedillas (ş, ţ).
pub const ROMANIAN_CEDILLA: f64 = 0.35;

/// Counts of one noise kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoiseCount {
    pub eligible: usize,
    pub applied: usize,
    /// Of `applied`, the cases where the registry holds the wrong value.
    pub on_registry: usize,
}

/// What the build counted, for `summary.json`.
#[derive(Debug, Clone)]
pub struct Counts {
    pub noise: [NoiseCount; 12],
    /// (name, count) in a fixed order.
    pub spelling: Vec<(&'static str, usize)>,
    pub presence: Vec<(&'static str, usize)>,
    pub registry: Vec<(&'static str, usize)>,
}

impl Counts {
    /// Every key present from the start, so that `summary.json` lists them in one order
    /// whatever the seed.
    fn new() -> Counts {
        let zero = |keys: &[&'static str]| keys.iter().map(|k| (*k, 0)).collect();
        Counts {
            noise: [NoiseCount::default(); 12],
            spelling: zero(&[
                "latin_as_written",
                "latin_capitals",
                "latin_icao9303_capitals",
                "greek_elot743",
                "greek_popular",
                "bulgarian_2009",
                "bulgarian_icao9303",
                "bulgarian_legacy",
            ]),
            presence: zero(&[
                "person_id",
                "gender",
                "place_of_birth",
                "birth_name",
                "address",
            ]),
            registry: zero(&[
                "person_id_held",
                "birth_name_set",
                "partial_date_of_birth",
                "names_in_capitals",
                "surname_in_capitals",
                "romanian_cedilla",
            ]),
        }
    }
}

/// Counts one more `key` in `list`.
fn bump(list: &mut Vec<(&'static str, usize)>, key: &'static str) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key, 1)),
    }
}

/// The registry rows of every person (in population order) and the requests for a
/// sample of them, with the person each request is about.
pub struct Built {
    pub registry: Vec<Row>,
    pub requests: Vec<(usize, Row)>,
    pub counts: Counts,
}

/// Every registry row, then the requests about a sample of persons (each on its own
/// stream, forked by the person's index).
pub fn build(pop: &Population, n_requests: usize, rng: &mut Rng) -> Built {
    let mut counts = Counts::new();
    let mut reg_rng = rng.fork(0xBEEF);
    let mut registry: Vec<Row> = pop
        .persons
        .iter()
        .map(|p| registry::registry_row(pop, p, &mut reg_rng, &mut counts))
        .collect();

    // A sample without replacement: a partial Fisher–Yates shuffle.
    let mut order: Vec<usize> = (0..pop.persons.len()).collect();
    let n = n_requests.min(order.len());
    let mut pick_rng = rng.fork(0x0A11);
    for i in 0..n {
        let j = i + pick_rng.below(order.len() - i);
        order.swap(i, j);
    }
    let mut requests = Vec::with_capacity(n);
    let mut req_rng = rng.fork(0x4E01);
    for &pi in &order[..n] {
        let mut r = req_rng.fork(pi as u64);
        let row = request::request(pop, pi, &mut registry[pi], &mut r, &mut counts);
        requests.push((pi, row));
    }
    Built {
        registry,
        requests,
        counts,
    }
}
