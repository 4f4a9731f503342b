//! How each adversarial scenario's person differs from the registry record P: another
//! given name, another date of birth, another surname, look-alike letters or another
//! record's identifier. One function per kind of difference, so each scenario's
//! definition reads next to its siblings'.

use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::super::edits::distance;
use super::super::lookalike::lookalike;
use super::super::population::{Name, Person, Population, fold_name};
use super::Scenario;
use super::similarity::{
    digits_apart, first_token, shares_a_word, spelling, swapped, tokens, typo_close,
};
use crate::matching::Attribute;

/// What a request changes in P's data.
#[derive(Debug, Default)]
pub(super) struct Change {
    pub(super) family: Option<String>,
    pub(super) given: Option<String>,
    pub(super) birth: Option<NaiveDate>,
    pub(super) identifier: Option<String>,
}

impl Change {
    pub(super) fn family(v: &str) -> Change {
        Change {
            family: Some(v.to_owned()),
            ..Change::default()
        }
    }
    pub(super) fn given(v: &str) -> Change {
        Change {
            given: Some(v.to_owned()),
            ..Change::default()
        }
    }
    pub(super) fn birth(d: NaiveDate) -> Change {
        Change {
            birth: Some(d),
            ..Change::default()
        }
    }
}

/// The earliest date of birth a generated request carries.
const EARLIEST_BIRTH_YEAR: i32 = 1800;

/// Builds the near-namesakes of registry records from the registry's own names.
pub(super) struct Namesakes<'a> {
    pub(super) pop: &'a Population,
    /// The latest date of birth a generated request may carry (nobody is born later).
    pub(super) today: NaiveDate,
}

impl Namesakes<'_> {
    /// How the scenario's person differs from P, or `None` when P has no such
    /// near-namesake (no similar surname in the registry, a date without a swap…).
    pub(super) fn change(
        &self,
        scenario: Scenario,
        p: &Person,
        rng: &mut StdRng,
    ) -> Option<Change> {
        let birth = p.birth?;
        match scenario {
            Scenario::TwinOtherGiven
            | Scenario::TwinSimilarGiven
            | Scenario::TwinSharingFirstName
            | Scenario::SiblingGivenNames => self.other_given(scenario, p, rng),
            Scenario::HomonymOtherDate
            | Scenario::DobOneDigit
            | Scenario::DobOneDay
            | Scenario::DobSwapped => self.other_birth(scenario, birth, rng),
            Scenario::SimilarExistingSurname
            | Scenario::PhoneticSurname
            | Scenario::SurnamePrefixExtension
            | Scenario::CompoundSurnameHalf => self.other_family(scenario, p, rng),
            Scenario::MixedScriptLookalike => lookalike_change(p, rng),
            Scenario::IdentifierOfAnother => self.identifier_of_another(p, rng),
        }
    }

    /// The given name of the twin, sibling or namesake the scenario is about (P's family
    /// name and date of birth are kept).
    fn other_given(&self, scenario: Scenario, p: &Person, rng: &mut StdRng) -> Option<Change> {
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
            _ => None,
        }
    }

    /// The other date of birth of a homonym or of a date typo (P's names are kept).
    fn other_birth(
        &self,
        scenario: Scenario,
        birth: NaiveDate,
        rng: &mut StdRng,
    ) -> Option<Change> {
        match scenario {
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
            _ => None,
        }
    }

    /// The surname that resembles P's (P's given name and date of birth are kept).
    fn other_family(&self, scenario: Scenario, p: &Person, rng: &mut StdRng) -> Option<Change> {
        match scenario {
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
            _ => None,
        }
    }

    /// Another record's PersonIdentifier with P's names and date.
    fn identifier_of_another(&self, p: &Person, rng: &mut StdRng) -> Option<Change> {
        (0..50)
            .filter_map(|_| self.pop.persons.choose(rng))
            .find(|q| !q.identifier.is_empty() && q.identifier != p.identifier && q.id != p.id)
            .and_then(|q| q.values.get(&Attribute::PersonIdentifier))
            .map(|id| Change {
                identifier: Some(id.clone()),
                ..Change::default()
            })
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
    pub(super) fn compound_half(&self, p: &Person, rng: &mut StdRng) -> Option<String> {
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

/// P's family name, given name or both with letters replaced by look-alikes of another
/// script.
fn lookalike_change(p: &Person, rng: &mut StdRng) -> Option<Change> {
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
