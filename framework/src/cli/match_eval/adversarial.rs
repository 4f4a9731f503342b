//! `match-eval --adversarial`: requests for persons who are **not** in the registry but
//! have a near-namesake in it (a twin with another given name, a homonym born on another
//! day, a look-alike surname…), built from the registry itself.
//!
//! Labelled data sets such as FEBRL cannot show the most serious defect of a matcher:
//! their absent persons have no near-namesake in the registry, so a matcher that hands
//! a twin's evidence to the other twin looks perfectly safe on them. Every scenario here
//! samples registry records P (the near-namesake, who stays in the registry), builds a
//! request for somebody else who resembles P in one defined way, checks that the
//! registry really does not hold that person, and sends the request down the same path
//! as every other request. Any match is a false match.
//!
//! Next to them, the typo-recall requests are P's own data with one typing error: what
//! the engine's typo tolerance buys, to be read against what the typo-like scenarios
//! cost.
//!
//! Similarity is decided here with this module's own edit distance (and Jaro–Winkler or
//! a sound code where the scenario is defined by them), never with the engine's
//! comparison levels, so the measurement does not move when the engine does.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate};
use indexmap::IndexMap;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use super::edits::{distance, one_edit};
use super::lookalike::lookalike;
use super::population::{Name, Person, Population, fold_name};
use super::{CliError, decide_one, identity_of};
use crate::matching::date::DateParts;
use crate::matching::phonetic::jaro_winkler;
use crate::matching::{Attribute, Engine, FieldMap, MatchOutcome, retrieve};

/// A kind of person who is absent from the registry but resembles a registry record P.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Scenario {
    /// P's family name and date of birth, a given name of P's gender from the registry
    /// that shares no token with P's and is at least three edits away.
    TwinOtherGiven,
    /// P's family name and date, another registry given name within one edit or
    /// Jaro–Winkler ≥ 0.88 of P's (Jan/Jana, Anna/Hanna).
    TwinSimilarGiven,
    /// P's family name and date, the given names of another record of P's family name
    /// (names that close to P's are `TwinSimilarGiven`'s, a shared first name
    /// `TwinSharingFirstName`'s).
    SiblingGivenNames,
    /// P's family name and date, only the first of P's given names: a twin named by the
    /// first of P's names alone, or P with the later names left out. The price of
    /// finding people whose eID leaves out a later given name.
    TwinSharingFirstName,
    /// P's names, a date of birth in another year, three or more of its eight digits
    /// different.
    HomonymOtherDate,
    /// P's names, a valid date one digit off.
    DobOneDigit,
    /// P's names, the day before or after.
    DobOneDay,
    /// P's names, day and month exchanged.
    DobSwapped,
    /// P's given name and date, another registry surname within one edit or
    /// Jaro–Winkler ≥ 0.92 of P's (Lindgren/Lundgren).
    SimilarExistingSurname,
    /// P's given name and date, another registry surname with the same Kölner Phonetik
    /// or Double Metaphone code, at least two edits away.
    PhoneticSurname,
    /// P's given name and date, P's surname extended or cut by two letters or more
    /// (not at a word boundary: that is `CompoundSurnameHalf`).
    SurnamePrefixExtension,
    /// P's given name and date, one half of P's compound surname (`García` for `García
    /// Márquez`), or P's surname with another surname added.
    CompoundSurnameHalf,
    /// P's names with letters replaced by look-alikes of another script, P's date.
    MixedScriptLookalike,
    /// P's names, date and extra attributes with another record's PersonIdentifier.
    IdentifierOfAnother,
}

impl Scenario {
    pub(super) const ALL: [Scenario; 14] = [
        Scenario::TwinOtherGiven,
        Scenario::TwinSimilarGiven,
        Scenario::SiblingGivenNames,
        Scenario::TwinSharingFirstName,
        Scenario::HomonymOtherDate,
        Scenario::DobOneDigit,
        Scenario::DobOneDay,
        Scenario::DobSwapped,
        Scenario::SimilarExistingSurname,
        Scenario::PhoneticSurname,
        Scenario::SurnamePrefixExtension,
        Scenario::CompoundSurnameHalf,
        Scenario::MixedScriptLookalike,
        Scenario::IdentifierOfAnother,
    ];

    /// The name in the JSON report.
    pub(super) fn name(self) -> &'static str {
        match self {
            Scenario::TwinOtherGiven => "twin_other_given",
            Scenario::TwinSimilarGiven => "twin_similar_given",
            Scenario::SiblingGivenNames => "sibling_given_names",
            Scenario::TwinSharingFirstName => "twin_sharing_first_name",
            Scenario::HomonymOtherDate => "homonym_other_date",
            Scenario::DobOneDigit => "dob_one_digit",
            Scenario::DobOneDay => "dob_one_day",
            Scenario::DobSwapped => "dob_swapped",
            Scenario::SimilarExistingSurname => "similar_existing_surname",
            Scenario::PhoneticSurname => "phonetic_surname",
            Scenario::SurnamePrefixExtension => "surname_prefix_extension",
            Scenario::CompoundSurnameHalf => "compound_surname_half",
            Scenario::MixedScriptLookalike => "mixed_script_lookalike",
            Scenario::IdentifierOfAnother => "identifier_of_another",
        }
    }

    /// Whether the request is also what a typing error in P's own data, or a name
    /// recorded in part, looks like. For these, some false matches are the price of
    /// finding people despite such errors (the target is a small rate, read next to
    /// `typo_recall`); for the others the target is none at all.
    pub(super) fn typo_like(self) -> bool {
        matches!(
            self,
            Scenario::TwinSimilarGiven
                | Scenario::TwinSharingFirstName
                | Scenario::DobOneDigit
                | Scenario::DobOneDay
                | Scenario::DobSwapped
                | Scenario::SimilarExistingSurname
                | Scenario::CompoundSurnameHalf
        )
    }

    /// The scenarios a run can build: `identifier_of_another` only when `identity` maps
    /// PersonIdentifier and the run sends it.
    pub(super) fn applicable(fields: &FieldMap, sent: &[Attribute]) -> Vec<Scenario> {
        let identifier = fields.contains_key(&Attribute::PersonIdentifier)
            && sent.contains(&Attribute::PersonIdentifier);
        Scenario::ALL
            .into_iter()
            .filter(|s| *s != Scenario::IdentifierOfAnother || identifier)
            .collect()
    }
}

/// A typing error in the request of a person who *is* in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Typo {
    /// P's surname with one random edit.
    Surname,
    /// P's given name with one random edit.
    Given,
    /// P's date one digit off.
    DobOneDigit,
    /// P's date with day and month exchanged.
    DobSwapped,
    /// The first of P's given names only (P has two or more).
    GivenNamesDropped,
    /// One half of P's compound surname.
    CompoundSurnameHalf,
}

impl Typo {
    pub(super) const ALL: [Typo; 6] = [
        Typo::Surname,
        Typo::Given,
        Typo::DobOneDigit,
        Typo::DobSwapped,
        Typo::GivenNamesDropped,
        Typo::CompoundSurnameHalf,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Typo::Surname => "surname_typo",
            Typo::Given => "given_typo",
            Typo::DobOneDigit => "dob_one_digit",
            Typo::DobSwapped => "dob_swapped",
            Typo::GivenNamesDropped => "given_names_dropped",
            Typo::CompoundSurnameHalf => "compound_surname_half",
        }
    }
}

/// A generated request.
#[derive(Debug, Clone)]
pub(super) struct Request {
    /// P: the near-namesake (absent scenarios) or the person meant (typo recall), an
    /// index into the population.
    pub(super) near: usize,
    /// Every attribute the request could carry; the run sends those it sends.
    pub(super) values: BTreeMap<Attribute, String>,
}

/// What a request changes in P's data.
#[derive(Debug, Default)]
struct Change {
    family: Option<String>,
    given: Option<String>,
    birth: Option<NaiveDate>,
    identifier: Option<String>,
}

impl Change {
    fn family(v: &str) -> Change {
        Change {
            family: Some(v.to_owned()),
            ..Change::default()
        }
    }
    fn given(v: &str) -> Change {
        Change {
            given: Some(v.to_owned()),
            ..Change::default()
        }
    }
    fn birth(d: NaiveDate) -> Change {
        Change {
            birth: Some(d),
            ..Change::default()
        }
    }
}

/// Draws per P before P is given up (a draw may name somebody the registry holds).
const DRAWS: usize = 3;

/// The earliest date of birth a generated request carries.
const EARLIEST_BIRTH_YEAR: i32 = 1800;

/// Builds the requests of each scenario from a population.
pub(super) struct Generator<'a> {
    pop: &'a Population,
    /// The latest date of birth a generated request may carry (nobody is born later).
    today: NaiveDate,
    seed: u64,
}

impl<'a> Generator<'a> {
    pub(super) fn new(pop: &'a Population, today: NaiveDate, seed: u64) -> Self {
        Self { pop, today, seed }
    }

    /// Each scenario and typo kind draws from its own random stream, so adding one
    /// leaves the others' requests as they were.
    fn rng(&self, stream: u64) -> StdRng {
        StdRng::seed_from_u64(self.seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The complete records in random order: the candidates for P.
    fn order(&self, rng: &mut StdRng) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.pop.persons.len())
            .filter(|i| self.pop.persons[*i].complete())
            .collect();
        order.shuffle(rng);
        order
    }

    /// Up to `n` requests of `scenario`, each for a person the registry does not hold
    /// (no record with the same normalised family name, given name and date of birth,
    /// in either name order; for `identifier_of_another`, none that also holds the
    /// identifier), and how many generated persons were dropped because it does.
    pub(super) fn absent(&self, scenario: Scenario, n: usize) -> (Vec<Request>, usize) {
        let mut rng = self.rng(1 + scenario as u64);
        let mut out = Vec::new();
        let mut skipped = 0;
        for p in self.order(&mut rng) {
            if out.len() >= n {
                break;
            }
            let person = &self.pop.persons[p];
            for _ in 0..DRAWS {
                let Some(change) = self.change(scenario, person, &mut rng) else {
                    break;
                };
                // An absent person's own identifier would be unknown to the registry and
                // count against every candidate; leaving it out is the worse case.
                let values = apply(person, change, scenario == Scenario::IdentifierOfAnother);
                let held = held_by(self.pop, &values);
                let held = match values.get(&Attribute::PersonIdentifier) {
                    Some(id) if scenario == Scenario::IdentifierOfAnother => {
                        let holders = self.pop.identified(id);
                        held.iter().any(|h| holders.contains(h))
                    }
                    _ => !held.is_empty(),
                };
                if held {
                    skipped += 1;
                    continue;
                }
                out.push(Request { near: p, values });
                break;
            }
        }
        (out, skipped)
    }

    /// Up to `n` requests for registry persons with one typing error, and how many were
    /// dropped because the error made them name another record exactly.
    pub(super) fn typos(&self, typo: Typo, n: usize) -> (Vec<Request>, usize) {
        let mut rng = self.rng(100 + typo as u64);
        let mut out = Vec::new();
        let mut skipped = 0;
        for p in self.order(&mut rng) {
            if out.len() >= n {
                break;
            }
            let person = &self.pop.persons[p];
            for _ in 0..DRAWS {
                let change = match typo {
                    Typo::Surname => one_edit(spelling(person, Attribute::FamilyName), &mut rng)
                        .map(|f| Change::family(&f)),
                    Typo::Given => one_edit(spelling(person, Attribute::GivenName), &mut rng)
                        .map(|g| Change::given(&g)),
                    Typo::DobOneDigit => self.change(Scenario::DobOneDigit, person, &mut rng),
                    Typo::DobSwapped => self.change(Scenario::DobSwapped, person, &mut rng),
                    Typo::GivenNamesDropped => {
                        self.change(Scenario::TwinSharingFirstName, person, &mut rng)
                    }
                    Typo::CompoundSurnameHalf => {
                        let half = self.compound_half(person, &mut rng);
                        half.filter(|h| {
                            !h.contains(' ') && shares_a_word(&fold_name(h), &person.family)
                        })
                        .map(|h| Change::family(&h))
                    }
                };
                let Some(change) = change else { break };
                let values = apply(person, change, true);
                if held_by(self.pop, &values).iter().any(|h| *h != p) {
                    skipped += 1;
                    continue;
                }
                out.push(Request { near: p, values });
                break;
            }
        }
        (out, skipped)
    }

    /// How the scenario's person differs from P, or `None` when P has no such
    /// near-namesake (no similar surname in the registry, a date without a swap…).
    fn change(&self, scenario: Scenario, p: &Person, rng: &mut StdRng) -> Option<Change> {
        let birth = p.birth?;
        match scenario {
            Scenario::TwinOtherGiven => {
                let pool = self.pop.given_names_of(&p.gender);
                let mine = tokens(&p.given);
                (0..50)
                    .filter_map(|_| pool.choose(rng))
                    .find(|g| distance(&g.key, &p.given) >= 3 && tokens(&g.key).is_disjoint(&mine))
                    .map(|g| Change::given(&g.spelling))
            }
            Scenario::TwinSimilarGiven => {
                let similar: Vec<&Name> = self
                    .pop
                    .given_names
                    .iter()
                    .filter(|g| {
                        g.key != p.given
                            && first_token(&g.key) != first_token(&p.given)
                            && typo_close(&g.key, &p.given, 0.88)
                    })
                    .collect();
                similar.choose(rng).map(|g| Change::given(&g.spelling))
            }
            Scenario::TwinSharingFirstName => {
                let given = spelling(p, Attribute::GivenName);
                let words: Vec<&str> = given.split_whitespace().collect();
                (words.len() >= 2).then(|| Change::given(words[0]))
            }
            Scenario::SiblingGivenNames => {
                let kin: Vec<&Person> = self
                    .pop
                    .family(&p.family)
                    .iter()
                    .map(|i| &self.pop.persons[*i])
                    .filter(|q| {
                        !q.given.is_empty()
                            && q.given != p.given
                            && first_token(&q.given) != first_token(&p.given)
                            && !typo_close(&q.given, &p.given, 0.88)
                    })
                    .collect();
                kin.choose(rng)
                    .map(|q| Change::given(spelling(q, Attribute::GivenName)))
            }
            Scenario::HomonymOtherDate => {
                let swapped = swapped(birth);
                (0..50)
                    .filter_map(|_| {
                        let years =
                            rng.random_range(1..=40) * if rng.random_bool(0.5) { 1 } else { -1 };
                        let month = rng.random_range(1..=12);
                        let day = rng.random_range(1..=31);
                        NaiveDate::from_ymd_opt(birth.year() + years, month, day)
                    })
                    .find(|d| {
                        self.plausible(*d) && digits_apart(*d, birth) >= 3 && Some(*d) != swapped
                    })
                    .map(Change::birth)
            }
            Scenario::DobOneDigit => {
                let digits: Vec<char> = birth.format("%Y%m%d").to_string().chars().collect();
                let mut dates = Vec::new();
                for at in 0..digits.len() {
                    for d in '0'..='9' {
                        if d == digits[at] {
                            continue;
                        }
                        let mut other = digits.clone();
                        other[at] = d;
                        let other: String = other.into_iter().collect();
                        if let Ok(date) = NaiveDate::parse_from_str(&other, "%Y%m%d")
                            && self.plausible(date)
                        {
                            dates.push(date);
                        }
                    }
                }
                dates.choose(rng).copied().map(Change::birth)
            }
            Scenario::DobOneDay => {
                let day = Days::new(1);
                let (before, after) = (birth.checked_sub_days(day), birth.checked_add_days(day));
                let options: Vec<NaiveDate> = [before, after]
                    .into_iter()
                    .flatten()
                    .filter(|d| self.plausible(*d))
                    .collect();
                options.choose(rng).copied().map(Change::birth)
            }
            Scenario::DobSwapped => swapped(birth)
                .filter(|d| self.plausible(*d))
                .map(Change::birth),
            Scenario::SimilarExistingSurname => {
                let similar: Vec<&Name> = self
                    .pop
                    .surnames
                    .iter()
                    .filter(|s| s.key != p.family && typo_close(&s.key, &p.family, 0.92))
                    .collect();
                similar.choose(rng).map(|s| Change::family(&s.spelling))
            }
            Scenario::PhoneticSurname => {
                let alike: Vec<&Name> = self
                    .pop
                    .sounding_like(&p.family)
                    .into_iter()
                    .filter(|s| distance(&s.key, &p.family) >= 2)
                    .collect();
                alike.choose(rng).map(|s| Change::family(&s.spelling))
            }
            Scenario::SurnamePrefixExtension => self
                .prefix_or_extension(p, rng)
                .filter(|s| !shares_a_word(&fold_name(s), &p.family))
                .map(|s| Change::family(&s)),
            Scenario::CompoundSurnameHalf => self.compound_half(p, rng).map(|s| Change::family(&s)),
            Scenario::MixedScriptLookalike => {
                let family = lookalike(spelling(p, Attribute::FamilyName), rng);
                let given = lookalike(spelling(p, Attribute::GivenName), rng);
                match (rng.random_range(0..3), family, given) {
                    (_, None, None) => None,
                    (0, Some(f), _) | (_, Some(f), None) => Some(Change::family(&f)),
                    (1, _, Some(g)) | (_, None, Some(g)) => Some(Change::given(&g)),
                    (_, Some(f), Some(g)) => Some(Change {
                        family: Some(f),
                        given: Some(g),
                        ..Change::default()
                    }),
                }
            }
            Scenario::IdentifierOfAnother => (0..50)
                .filter_map(|_| self.pop.persons.choose(rng))
                .find(|q| !q.identifier.is_empty() && q.identifier != p.identifier && q.id != p.id)
                .and_then(|q| q.values.get(&Attribute::PersonIdentifier))
                .map(|id| Change {
                    identifier: Some(id.clone()),
                    ..Change::default()
                }),
        }
    }

    /// A registry surname that starts with P's and is two or more letters longer, or
    /// that P's starts with and is two or more letters shorter (three or more left);
    /// failing that, P's surname with a common suffix, or cut.
    fn prefix_or_extension(&self, p: &Person, rng: &mut StdRng) -> Option<String> {
        let len = p.family.chars().count();
        let found: Vec<&Name> = self
            .pop
            .surnames
            .iter()
            .filter(|s| {
                let l = s.key.chars().count();
                (l >= len + 2 && s.key.starts_with(&p.family))
                    || (l + 2 <= len && l >= 3 && p.family.starts_with(&s.key))
            })
            .collect();
        if let Some(s) = found.choose(rng) {
            return Some(s.spelling.clone());
        }
        let spelling = spelling(p, Attribute::FamilyName);
        let chars: Vec<char> = spelling.chars().collect();
        if chars.len() >= 5 && rng.random_bool(0.5) {
            let cut = rng.random_range(2..=(chars.len() - 3).min(4));
            let kept: String = chars[..chars.len() - cut].iter().collect();
            // A cut that ends in punctuation or a space is no surname.
            return kept
                .chars()
                .last()
                .filter(|c| c.is_alphabetic())
                .map(|_| kept.clone());
        }
        let &suffix = SUFFIXES.choose(rng)?;
        let upper = chars.iter().all(|c| !c.is_lowercase());
        Some(if upper {
            format!("{spelling}{}", suffix.to_uppercase())
        } else {
            format!("{spelling}{suffix}")
        })
    }

    /// One half of P's compound surname, or P's surname with another registry surname
    /// added (`García` → `García Gómez`).
    fn compound_half(&self, p: &Person, rng: &mut StdRng) -> Option<String> {
        let spelling = spelling(p, Attribute::FamilyName);
        let words: Vec<&str> = spelling
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
            .collect();
        if words.len() >= 2 && rng.random_bool(0.7) {
            return words.choose(rng).map(|w| (*w).to_owned());
        }
        let other = (0..20)
            .filter_map(|_| self.pop.surnames.choose(rng))
            .find(|s| !s.key.contains(' ') && s.key != p.family)?;
        Some(format!("{spelling} {}", other.spelling))
    }

    /// Whether a date could be somebody's date of birth (not in the future, not before
    /// 1800).
    fn plausible(&self, d: NaiveDate) -> bool {
        d <= self.today && d.year() >= EARLIEST_BIRTH_YEAR
    }
}

/// Surname endings of two letters or more (one letter would be a typo).
const SUFFIXES: &[&str] = &["son", "sen", "er", "ová", "mann", "ski", "ic", "ini"];

/// P's data with the change applied; P's identifier only when `identifier` is set.
fn apply(p: &Person, change: Change, identifier: bool) -> BTreeMap<Attribute, String> {
    let mut values = p.values.clone();
    if !identifier {
        values.remove(&Attribute::PersonIdentifier);
    }
    if let Some(f) = change.family {
        values.insert(Attribute::FamilyName, f);
    }
    if let Some(g) = change.given {
        values.insert(Attribute::GivenName, g);
    }
    if let Some(b) = change.birth {
        values.insert(Attribute::DateOfBirth, b.format("%Y-%m-%d").to_string());
    }
    if let Some(i) = change.identifier {
        values.insert(Attribute::PersonIdentifier, i);
    }
    values
}

/// The records holding the request's names and date of birth.
fn held_by<'p>(pop: &'p Population, values: &BTreeMap<Attribute, String>) -> &'p [usize] {
    let get = |a| values.get(&a).map(String::as_str).unwrap_or_default();
    match NaiveDate::parse_from_str(get(Attribute::DateOfBirth), "%Y-%m-%d") {
        Ok(birth) => pop.holders(get(Attribute::FamilyName), get(Attribute::GivenName), birth),
        Err(_) => &[],
    }
}

fn spelling(p: &Person, a: Attribute) -> &str {
    p.values.get(&a).map(String::as_str).unwrap_or_default()
}

fn tokens(key: &str) -> BTreeSet<&str> {
    key.split(' ').filter(|t| !t.is_empty()).collect()
}

fn first_token(key: &str) -> &str {
    key.split(' ').find(|t| !t.is_empty()).unwrap_or_default()
}

/// Whether two folded names share a word (a compound's half).
fn shares_a_word(a: &str, b: &str) -> bool {
    let (a, b) = (tokens(a), tokens(b));
    (a.len() > 1 || b.len() > 1) && !a.is_disjoint(&b)
}

/// Close enough to be a typing error: one edit, or Jaro–Winkler at least `jw`.
fn typo_close(a: &str, b: &str, jw: f64) -> bool {
    distance(a, b) <= 1 || jaro_winkler(a, b) >= jw
}

fn swapped(d: NaiveDate) -> Option<NaiveDate> {
    DateParts::from_date(d).swapped().and_then(|s| s.to_date())
}

/// How many of the eight digits (`YYYYMMDD`) differ.
fn digits_apart(a: NaiveDate, b: NaiveDate) -> usize {
    let (a, b) = (
        a.format("%Y%m%d").to_string(),
        b.format("%Y%m%d").to_string(),
    );
    a.chars().zip(b.chars()).filter(|(x, y)| x != y).count()
}

/// Counts of one scenario.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct ScenarioCounts {
    pub(super) requests: usize,
    pub(super) false_matches: usize,
    pub(super) false_match_rate: f64,
    pub(super) typo_like: bool,
}

/// Counts of one typo kind.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct TypoCounts {
    pub(super) requests: usize,
    pub(super) correct: usize,
    pub(super) wrong_person: usize,
    pub(super) recall: f64,
}

/// The safety part of a run.
#[derive(Debug, Default)]
pub(super) struct Safety {
    pub(super) adversarial: IndexMap<&'static str, ScenarioCounts>,
    pub(super) typo_recall: IndexMap<&'static str, TypoCounts>,
    pub(super) skipped: usize,
}

impl Safety {
    /// Whether a scenario that is not typo-like produced a false match.
    pub(super) fn unsafe_beyond_typos(&self) -> bool {
        self.adversarial
            .values()
            .any(|c| !c.typo_like && c.false_matches > 0)
    }
}

/// What the run needs to send a generated request.
pub(super) struct Run<'a> {
    pub(super) engine: &'a Engine,
    pub(super) source: &'a retrieve::Source<'a>,
    pub(super) id_column: &'a str,
    pub(super) sent: &'a [Attribute],
    pub(super) explain: bool,
}

/// Builds and sends the adversarial and typo-recall requests.
pub(super) async fn measure(
    run: &Run<'_>,
    generator: &Generator<'_>,
    per_scenario: usize,
) -> Result<Safety, CliError> {
    let mut safety = Safety::default();
    for scenario in Scenario::applicable(run.engine.fields(), run.sent) {
        let (requests, skipped) = generator.absent(scenario, per_scenario);
        safety.skipped += skipped;
        let mut counts = ScenarioCounts {
            requests: requests.len(),
            typo_like: scenario.typo_like(),
            ..ScenarioCounts::default()
        };
        for r in &requests {
            let decided = decide_one(
                run.engine,
                run.source,
                &identity_of(&r.values, run.sent),
                run.id_column,
            )
            .await?;
            if let MatchOutcome::Match { .. } = decided.outcome {
                counts.false_matches += 1;
                if run.explain {
                    eprintln!(
                        "adversarial {} (near-namesake {}): matched {}: {}",
                        scenario.name(),
                        generator.pop.persons[r.near].id,
                        decided.matched().unwrap_or_default(),
                        summary(&decided.outcome)
                    );
                }
            }
        }
        counts.false_match_rate = super::ratio(counts.false_matches, counts.requests);
        safety.adversarial.insert(scenario.name(), counts);
    }
    for typo in Typo::ALL {
        let (requests, skipped) = generator.typos(typo, per_scenario);
        safety.skipped += skipped;
        let mut counts = TypoCounts {
            requests: requests.len(),
            ..TypoCounts::default()
        };
        for r in &requests {
            let decided = decide_one(
                run.engine,
                run.source,
                &identity_of(&r.values, run.sent),
                run.id_column,
            )
            .await?;
            let meant = &generator.pop.persons[r.near].id;
            match decided.matched() {
                Some(got) if got == meant => counts.correct += 1,
                Some(got) => {
                    counts.wrong_person += 1;
                    if run.explain {
                        eprintln!(
                            "typo {} ({meant}): matched {got}: {}",
                            typo.name(),
                            summary(&decided.outcome)
                        );
                    }
                }
                None => {}
            }
        }
        counts.recall = super::ratio(counts.correct, counts.requests);
        safety.typo_recall.insert(typo.name(), counts);
    }
    Ok(safety)
}

fn summary(outcome: &MatchOutcome) -> String {
    outcome
        .explanation()
        .map(|e| e.summary())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::population::fold_name;
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
        assert!(
            !Scenario::applicable(&fields(), &sent[..1]).contains(&Scenario::IdentifierOfAnother)
        );
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
                    let changed =
                        if s == Scenario::TwinSimilarGiven || s == Scenario::SiblingGivenNames {
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
                        given == p.given
                            && !family.contains(' ')
                            && shares_a_word(&family, &p.family),
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
}
