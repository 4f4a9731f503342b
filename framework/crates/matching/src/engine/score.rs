//! Scoring one candidate: its comparison level on every attribute (names in the stated
//! order or exchanged), the Fellegi–Sunter weight corrected by the registry's name
//! frequencies, the veto and guard that rule it out, and the rule that accepts it.

use std::collections::BTreeMap;

use oots_connector::Record;

use super::Engine;
use super::prepare::{Prep, Prepared};
use crate::Attribute;
use crate::SubjectKind;
use crate::compare::Level;
use crate::frequency::NameFrequencies;
use crate::guard::{self, Guard, RequestFacts};

/// One candidate's comparison result.
#[derive(Debug, Clone)]
pub(super) struct Scored {
    pub(super) index: usize,
    pub(super) levels: BTreeMap<Attribute, Level>,
    pub(super) weight: f64,
    pub(super) rule: Option<String>,
    /// A configured veto (`DateOfBirth.else`), or an identifier proved by the sign-in
    /// that this record does not hold.
    pub(super) veto: Option<(Attribute, Level)>,
    /// The guard that keeps this candidate from being accepted (or, for a veto guard,
    /// from competing at all).
    pub(super) guard: Option<Guard>,
    pub(super) swapped: bool,
}

impl Scored {
    /// Out of the decision altogether: not the subject and no competitor either.
    pub(super) fn out(&self) -> bool {
        self.veto.is_some() || self.guard.is_some_and(Guard::is_veto)
    }
}

/// The weight of an exact agreement on a name a `share` of the registry holds: log2 of
/// m/u with m = 0.95 and u = the share, never above the configured weight (a rare name
/// does not make a disagreement elsewhere matter less) and at most 4 below it.
pub(super) fn frequency_weight(configured: f64, share: f64) -> f64 {
    (0.95 / share.max(f64::MIN_POSITIVE))
        .log2()
        .clamp(configured - 4.0, configured)
}

/// Which request attribute a name slot was compared with: the family slot may hold the
/// request's family name, its birth name (a maiden name the registry still holds) or,
/// names exchanged, its given name.
#[derive(Debug, Clone, Copy)]
struct Sources {
    family: Attribute,
    given: Attribute,
}

/// How the name slots were filled: in the stated order or exchanged, and from which
/// request attributes.
struct Names {
    swapped: bool,
    sources: Sources,
}

const F: Attribute = Attribute::FamilyName;
const G: Attribute = Attribute::GivenName;

impl Engine {
    /// Compares, weighs, vetoes, guards and ranks one candidate.
    pub(super) fn score(
        &self,
        prepared: &Prepared,
        table: Option<&NameFrequencies>,
        index: usize,
        rec: &Record,
    ) -> Scored {
        let mut levels = self.other_levels(prepared, rec);
        let names = self.name_levels(prepared, rec, &mut levels);
        let mut weight: f64 = levels.iter().map(|(a, l)| self.weight(*a, *l)).sum();
        if names.swapped {
            weight += self.swapped_names;
        }
        if let Some(t) = table {
            weight = self.with_frequencies(weight, prepared, &levels, names.sources, t);
        }
        let veto = levels
            .iter()
            .map(|(a, l)| (*a, *l))
            .find(|v| self.vetoes.contains(v));
        let guard = self.guard(prepared, &levels, &names, table);
        let rule = self.rule(&levels, names.swapped, guard);
        Scored {
            index,
            levels,
            weight,
            rule,
            veto,
            guard,
            swapped: names.swapped,
        }
    }

    /// The levels of every mapped attribute but the two names, which may be exchanged.
    fn other_levels(&self, prepared: &Prepared, rec: &Record) -> BTreeMap<Attribute, Level> {
        let mut levels = BTreeMap::new();
        for (a, prep) in &prepared.values {
            if matches!(a, Attribute::FamilyName | Attribute::GivenName)
                || !self.fields.contains_key(a)
            {
                continue;
            }
            levels.insert(*a, self.level(prep, *a, *a, rec));
        }
        levels
    }

    /// The name levels in the stated order, or swapped (given name in the family name
    /// field) when that agrees better despite the swap's cost; inserted into `levels`.
    fn name_levels(
        &self,
        prepared: &Prepared,
        rec: &Record,
        levels: &mut BTreeMap<Attribute, Level>,
    ) -> Names {
        let mut names = Names {
            swapped: false,
            sources: Sources {
                family: F,
                given: G,
            },
        };
        let (Some(fam), Some(giv)) = (prepared.values.get(&F), prepared.values.get(&G)) else {
            return names;
        };
        let (family, family_from) =
            self.family_level((fam, F), prepared.values.get(&Attribute::BirthName), rec);
        let straight = (family, self.level(giv, G, G, rec));
        names.sources.family = family_from;
        let weigh = |(x, y): (Level, Level)| self.weight(F, x) + self.weight(G, y);
        let mut chosen = straight;
        if straight != (Level::Exact, Level::Exact) {
            let crossed = (
                self.family_level((giv, G), None, rec).0,
                self.level(fam, G, G, rec),
            );
            if weigh(crossed) + self.swapped_names > weigh(straight) {
                chosen = crossed;
                names.swapped = true;
                names.sources = Sources {
                    family: G,
                    given: F,
                };
            }
        }
        levels.insert(F, chosen.0);
        levels.insert(G, chosen.1);
        names
    }

    /// `weight` corrected by term frequencies: an exact agreement on a common name proves
    /// less.
    fn with_frequencies(
        &self,
        mut weight: f64,
        prepared: &Prepared,
        levels: &BTreeMap<Attribute, Level>,
        sources: Sources,
        t: &NameFrequencies,
    ) -> f64 {
        for (slot, source) in [(F, sources.family), (G, sources.given)] {
            if levels.get(&slot) == Some(&Level::Exact)
                && let Some(Prep::Name(k)) = prepared.values.get(&source)
                && let Some(share) = t.share(slot, k)
            {
                let configured = self.weight(slot, Level::Exact);
                weight += frequency_weight(configured, share) - configured;
            }
        }
        weight
    }

    /// The guard that keeps a person's record from being accepted (none for companies).
    fn guard(
        &self,
        prepared: &Prepared,
        levels: &BTreeMap<Attribute, Level>,
        names: &Names,
        table: Option<&NameFrequencies>,
    ) -> Option<Guard> {
        match self.subject {
            SubjectKind::NaturalPerson => {
                // Is the requested spelling a name this registry holds? Asked only of a
                // near spelling or part of a compound family name, where it decides.
                let known = |slot: Attribute, source: Attribute| {
                    let near = levels
                        .get(&slot)
                        .is_some_and(|l| l.is_near_spelling() || (slot == F && *l == Level::Token));
                    match (near, table, prepared.values.get(&source)) {
                        (true, Some(t), Some(Prep::Name(k))) => Some(t.known(slot, k)),
                        _ => None,
                    }
                };
                let facts = RequestFacts {
                    family_known: known(F, names.sources.family),
                    given_known: known(G, names.sources.given),
                };
                guard::assess(levels, names.swapped, facts, &self.corroboration)
            }
            SubjectKind::LegalPerson => None,
        }
    }

    /// The first rule of the ladder the levels satisfy. A rule says "these agree and
    /// nothing disagrees": any comparison at `else` (a different place of birth, say), a
    /// swap or a guard leaves the decision to the score.
    fn rule(
        &self,
        levels: &BTreeMap<Attribute, Level>,
        swapped: bool,
        guard: Option<Guard>,
    ) -> Option<String> {
        let disagreement = levels.values().any(|l| *l == Level::Else);
        if swapped || disagreement || guard.is_some() {
            return None;
        }
        self.rules
            .iter()
            .find(|r| {
                r.require
                    .iter()
                    .all(|(a, ok)| levels.get(a).is_some_and(|l| ok.contains(l)))
            })
            .map(|r| r.name.clone())
    }
}
