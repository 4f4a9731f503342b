//! The generator of `match-eval --adversarial`: draws registry records P in random order
//! and keeps each generated request only when the registry does not hold the person it
//! names (absent scenarios) or no other record (typo recall). Kept apart from the
//! scenarios' definitions ([`Namesakes`]) so the "really absent" check is in one place.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::super::edits::one_edit;
use super::super::population::{Person, Population, fold_name};
use super::change::{Change, Namesakes};
use super::similarity::{shares_a_word, spelling};
use super::{Request, Scenario, Typo};
use crate::matching::Attribute;

/// Draws per P before P is given up (a draw may name somebody the registry holds).
const DRAWS: usize = 3;

/// Builds the requests of each scenario from a population.
pub(in crate::cli::match_eval) struct Generator<'a> {
    pub(super) pop: &'a Population,
    /// How each scenario's person differs from P.
    namesakes: Namesakes<'a>,
    seed: u64,
}

impl<'a> Generator<'a> {
    pub(in crate::cli::match_eval) fn new(
        pop: &'a Population,
        today: NaiveDate,
        seed: u64,
    ) -> Self {
        Self {
            pop,
            namesakes: Namesakes { pop, today },
            seed,
        }
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
                let Some(change) = self.namesakes.change(scenario, person, &mut rng) else {
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
                    Typo::DobOneDigit => {
                        self.namesakes
                            .change(Scenario::DobOneDigit, person, &mut rng)
                    }
                    Typo::DobSwapped => {
                        self.namesakes
                            .change(Scenario::DobSwapped, person, &mut rng)
                    }
                    Typo::GivenNamesDropped => {
                        self.namesakes
                            .change(Scenario::TwinSharingFirstName, person, &mut rng)
                    }
                    Typo::CompoundSurnameHalf => {
                        let half = self.namesakes.compound_half(person, &mut rng);
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
}

/// P's data with the change applied; P's identifier only when `identifier` is set.
pub(super) fn apply(p: &Person, change: Change, identifier: bool) -> BTreeMap<Attribute, String> {
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
pub(super) fn held_by<'p>(
    pop: &'p Population,
    values: &BTreeMap<Attribute, String>,
) -> &'p [usize] {
    let get = |a| values.get(&a).map(String::as_str).unwrap_or_default();
    match NaiveDate::parse_from_str(get(Attribute::DateOfBirth), "%Y-%m-%d") {
        Ok(birth) => pop.holders(get(Attribute::FamilyName), get(Attribute::GivenName), birth),
        Err(_) => &[],
    }
}
