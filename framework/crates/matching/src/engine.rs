//! The matching engine: compare every candidate on every mapped attribute, apply the
//! guards (which no weight overrides), the rule ladder and the Fellegi–Sunter score with
//! vetoes, then accept only a unique candidate clearly ahead of the runner-up
//! (docs/matching.md, "The steps of one decision").

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use oots_connector::{Record, Value};

use crate::SubjectKind;
use crate::blocking::KeySpec;
use crate::cache::{DEFAULT_CAPACITY, NameCache};
use crate::compare::{
    Kind, Level, NameKeys, NameRole, compare_codes, compare_date, compare_gender,
};
use crate::date::DateParts;
use crate::explain::{CandidateExplanation, Explanation, mask};
use crate::frequency::{FrequencyCell, NameFrequencies};
use crate::guard::{self, Corroboration, Guard, RequestFacts};
use crate::keys::DEFAULT_PARTICLES;
use crate::script::scripts;
use crate::spec::{DecisionSpec, FrequencySpec, MatchingSpec, OnAmbiguous, PartialGivenNames};
use crate::{Attribute, FieldMap, Identity, MatchOutcome};
use oots_edm::LevelOfAssurance;

/// A problem in the `matching:` section, with the YAML location when known.
#[derive(Debug, Clone)]
pub struct SpecProblem {
    /// What is wrong, for the mapping author.
    pub message: String,
    /// Where in the YAML, when known.
    pub location: Option<serde_saphyr::Location>,
}

/// One blocking pass, compiled.
#[derive(Debug, Clone)]
pub struct Pass {
    /// The pass name (for explanations and metrics).
    pub name: String,
    /// `None`: the connector's query.
    pub query: Option<String>,
    /// Query parameters and the request key bound to each.
    pub parameters: Vec<(String, KeySpec)>,
}

/// Candidate retrieval, compiled.
#[derive(Debug, Clone)]
pub struct Blocking {
    /// More candidates than this from all passes: the request is too unspecific.
    pub max_candidates: usize,
    /// The passes, run in order.
    pub passes: Vec<Pass>,
}

#[derive(Debug, Clone)]
struct Rule {
    name: String,
    require: Vec<(Attribute, Vec<Level>)>,
}

/// The compiled matching configuration of one mapping.
#[derive(Debug, Clone)]
pub struct Engine {
    subject: SubjectKind,
    fields: FieldMap,
    date_format: Option<String>,
    particles: Vec<String>,
    record_id: Option<String>,
    rules: Vec<Rule>,
    /// The weights with every level resolved (see [`Engine::weight`]), indexed by
    /// `attribute × level`: the score is summed for every candidate.
    weight_table: Vec<f64>,
    vetoes: BTreeSet<(Attribute, Level)>,
    required: Vec<Attribute>,
    swapped_names: f64,
    decision: DecisionSpec,
    min_loa: Option<LevelOfAssurance>,
    blocking: Option<Blocking>,
    /// Registry key columns (`surname_cologne` → `FamilyName.cologne`).
    keys: Vec<(String, KeySpec)>,
    /// Registry names prepared once (shared by clones of this engine).
    names: Arc<NameCache>,
    /// What may vouch for a name or date that is not exactly the record's.
    corroboration: Corroboration,
    /// Where the registry's name frequencies come from, when the mapping says.
    frequency_spec: Option<FrequencySpec>,
    /// Fewer persons than this in the frequency table: it is not used.
    min_population: u64,
    /// The registry's name frequencies, loaded in the background (shared by clones).
    frequencies: Arc<FrequencyCell>,
}

/// The person's own names, which must be written in one script.
const PERSON_NAMES: [Attribute; 3] = [
    Attribute::FamilyName,
    Attribute::GivenName,
    Attribute::BirthName,
];

/// Attributes compared, in a fixed order.
const COMPARED: [Attribute; 13] = [
    Attribute::FamilyName,
    Attribute::GivenName,
    Attribute::DateOfBirth,
    Attribute::BirthName,
    Attribute::PlaceOfBirth,
    Attribute::Gender,
    Attribute::PersonIdentifier,
    Attribute::LegalPersonIdentifier,
    Attribute::LegalName,
    Attribute::PostCode,
    Attribute::PostCityName,
    Attribute::Thoroughfare,
    Attribute::LocatorDesignator,
];

/// The weight of a level; a level without its own weight counts like the next weaker
/// one that has one, and a missing value counts nothing.
fn resolve_weight(weights: &BTreeMap<(Attribute, Level), f64>, a: Attribute, l: Level) -> f64 {
    if l == Level::Missing {
        return 0.0;
    }
    weights.get(&(a, l)).copied().unwrap_or_else(|| {
        Level::ALL
            .iter()
            .skip_while(|x| **x != l)
            .find_map(|x| weights.get(&(a, *x)).copied())
            .unwrap_or(0.0)
    })
}

fn kind(a: Attribute) -> Kind {
    match a {
        Attribute::DateOfBirth => Kind::Date,
        Attribute::Gender => Kind::Gender,
        Attribute::PersonIdentifier
        | Attribute::LegalPersonIdentifier
        | Attribute::PostCode
        | Attribute::LocatorDesignator => Kind::Code,
        _ => Kind::Name,
    }
}

/// Default weights (log2 of m/u), a starting point calibrated on FEBRL; a registry
/// owner tunes them in the mapping file.
fn default_weights() -> BTreeMap<(Attribute, Level), f64> {
    use Attribute as A;
    use Level as L;
    let table: &[(A, &[(L, f64)])] = &[
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
    let mut w = BTreeMap::new();
    for (a, levels) in table {
        for (l, v) in *levels {
            w.insert((*a, *l), *v);
        }
    }
    w
}

fn default_rules(subject: SubjectKind) -> Vec<Rule> {
    match subject {
        SubjectKind::NaturalPerson => vec![Rule {
            name: "exact-mds".to_owned(),
            require: vec![
                (Attribute::FamilyName, vec![Level::Exact]),
                (Attribute::GivenName, vec![Level::Exact]),
                (Attribute::DateOfBirth, vec![Level::Exact]),
            ],
        }],
        SubjectKind::LegalPerson => vec![
            Rule {
                name: "legal-person-identifier".to_owned(),
                require: vec![(Attribute::LegalPersonIdentifier, vec![Level::Exact])],
            },
            Rule {
                name: "legal-name".to_owned(),
                require: vec![(Attribute::LegalName, vec![Level::Exact])],
            },
        ],
    }
}

const DEFAULT_VETOES: [(Attribute, Level); 3] = [
    (Attribute::DateOfBirth, Level::Else),
    (Attribute::Gender, Level::Else),
    (Attribute::LegalPersonIdentifier, Level::Else),
];

/// The prepared request: keys computed once for all candidates.
#[derive(Debug)]
pub struct Prepared {
    values: BTreeMap<Attribute, Prep>,
    identity: Identity,
}

#[derive(Debug)]
enum Prep {
    Name(NameKeys),
    Date(DateParts),
    Text(String),
}

/// One candidate's comparison result.
#[derive(Debug, Clone)]
struct Scored {
    index: usize,
    levels: BTreeMap<Attribute, Level>,
    weight: f64,
    rule: Option<String>,
    /// A configured veto (`DateOfBirth.else`), or an identifier proved by the sign-in
    /// that this record does not hold.
    veto: Option<(Attribute, Level)>,
    /// The guard that keeps this candidate from being accepted (or, for a veto guard,
    /// from competing at all).
    guard: Option<Guard>,
    swapped: bool,
}

impl Scored {
    /// Out of the decision altogether: not the subject and no competitor either.
    fn out(&self) -> bool {
        self.veto.is_some() || self.guard.is_some_and(Guard::is_veto)
    }
}

/// The weight of an exact agreement on a name a `share` of the registry holds: log2 of
/// m/u with m = 0.95 and u = the share, never above the configured weight (a rare name
/// does not make a disagreement elsewhere matter less) and at most 4 below it.
fn frequency_weight(configured: f64, share: f64) -> f64 {
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

impl Engine {
    /// Compiles a mapping's matching section over its identity fields.
    pub fn compile(
        spec: &MatchingSpec,
        fields: &FieldMap,
        subject: SubjectKind,
        min_loa: Option<LevelOfAssurance>,
    ) -> Result<Engine, Vec<SpecProblem>> {
        let mut problems = Vec::new();
        let problem = |message: String, location: Option<serde_saphyr::Location>| SpecProblem {
            message,
            location,
        };
        let mut weights = default_weights();
        for (a, levels) in &spec.weights {
            for (l, w) in levels {
                if !w.is_finite() {
                    problems.push(problem(
                        format!("weight of {a}.{} is not a number", l.name()),
                        None,
                    ));
                }
                weights.insert((*a, *l), *w);
            }
        }
        let vetoes: BTreeSet<(Attribute, Level)> = match &spec.vetoes {
            None => DEFAULT_VETOES.into_iter().collect(),
            Some(list) => list
                .iter()
                .filter_map(|v| {
                    let parsed = v
                        .value
                        .rsplit_once('.')
                        .and_then(|(a, l)| Some((Attribute::parse(a)?, Level::parse(l)?)));
                    if parsed.is_none() {
                        problems.push(problem(
                            format!(
                                "veto `{}` is not `<attribute>.<level>` (e.g. DateOfBirth.else)",
                                v.value
                            ),
                            Some(v.referenced),
                        ));
                    }
                    parsed
                })
                .collect(),
        };
        let rules: Vec<Rule> = match &spec.rules {
            // Default rules only over what this mapping can compare.
            None => default_rules(subject)
                .into_iter()
                .filter(|r| r.require.iter().all(|(a, _)| fields.contains_key(a)))
                .collect(),
            Some(list) => list
                .iter()
                .map(|r| Rule {
                    name: r.name.clone(),
                    require: r.require.iter().map(|(a, l)| (*a, l.to_vec())).collect(),
                })
                .collect(),
        };
        for r in &rules {
            for (a, _) in &r.require {
                if !fields.contains_key(a) {
                    problems.push(problem(
                        format!(
                            "rule `{}` compares {a}, which `identity` maps to no registry field",
                            r.name
                        ),
                        None,
                    ));
                }
            }
        }
        let required = spec.required.clone().unwrap_or_else(|| match subject {
            SubjectKind::NaturalPerson => vec![
                Attribute::FamilyName,
                Attribute::GivenName,
                Attribute::DateOfBirth,
            ],
            SubjectKind::LegalPerson => Vec::new(),
        });
        let d = spec.decision.clone();
        if !(d.accept.is_finite() && d.possible.is_finite() && d.margin.is_finite())
            || d.possible > d.accept
            || d.margin < 0.0
        {
            problems.push(problem(
                "decision thresholds must satisfy possible <= accept and margin >= 0".to_owned(),
                None,
            ));
        }
        if d.on_ambiguous.value == OnAmbiguous::Preview {
            let at = Some(d.on_ambiguous.referenced);
            if subject == SubjectKind::LegalPerson {
                problems.push(problem(
                    "decision.on_ambiguous: preview is for natural persons: whoever signs in for a company does not single out its record".to_owned(),
                    at,
                ));
            } else if !fields.contains_key(&Attribute::PersonIdentifier) {
                problems.push(problem(
                    "decision.on_ambiguous: preview needs `identity` to map PersonIdentifier to a registry field: the identifier the person signs in with in the preview space is what singles out their record".to_owned(),
                    at,
                ));
            }
        }
        let mut key_columns = Vec::new();
        for (column, key) in &spec.keys {
            match KeySpec::parse(&key.value) {
                Ok(k) if fields.contains_key(&k.attribute) => key_columns.push((column.clone(), k)),
                Ok(k) => problems.push(problem(
                    format!(
                        "key column `{column}` uses {}, which `identity` maps to no registry field",
                        k.attribute
                    ),
                    Some(key.referenced),
                )),
                Err(e) => problems.push(problem(e, Some(key.referenced))),
            }
        }
        let blocking = spec.blocking.as_ref().map(|b| {
            if b.passes.is_empty() {
                problems.push(problem("blocking has no passes".to_owned(), None));
            }
            Blocking {
                max_candidates: b.max_candidates,
                passes: b
                    .passes
                    .iter()
                    .map(|p| Pass {
                        name: p.name.clone(),
                        query: p.query.as_ref().map(|q| q.value.clone()),
                        parameters: p
                            .parameters
                            .iter()
                            .filter_map(|(name, key)| match KeySpec::parse(&key.value) {
                                Ok(k) => Some((name.clone(), k)),
                                Err(e) => {
                                    problems.push(problem(e, Some(key.referenced)));
                                    None
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            }
        });
        let mut corroboration = Corroboration {
            partial_given_names: spec.partial_given_names == PartialGivenNames::Corroborate,
            ..Corroboration::default()
        };
        for (a, list) in &spec.corroboration {
            let at = Some(list.referenced);
            if !matches!(
                a,
                Attribute::FamilyName | Attribute::GivenName | Attribute::DateOfBirth
            ) {
                problems.push(problem(
                    format!("corroboration is for FamilyName, GivenName and DateOfBirth, not {a}"),
                    at,
                ));
                continue;
            }
            for c in &list.value {
                if *a == Attribute::GivenName && *c != Attribute::PersonIdentifier {
                    problems.push(problem(
                        format!("corroboration of GivenName by {c}: twins share every attribute but their given names and identifiers, so only PersonIdentifier may vouch for a given name"),
                        at,
                    ));
                } else if c == a || !fields.contains_key(c) {
                    problems.push(problem(
                        format!("corroboration of {a} by {c}, which `identity` maps to no registry field"),
                        at,
                    ));
                }
            }
            corroboration.by.insert(*a, list.value.clone());
        }
        // An identifier the registry holds points at its holder, who may be born on
        // another day: a pass must look it up, or the holder is never a candidate and a
        // request carrying another person's identifier is answered for the look-alike
        // of its names.
        if subject == SubjectKind::NaturalPerson
            && fields.contains_key(&Attribute::PersonIdentifier)
        {
            let looked_up = blocking.as_ref().is_some_and(|b| {
                b.passes.iter().any(|p| {
                    p.parameters
                        .iter()
                        .any(|(_, k)| k.attribute == Attribute::PersonIdentifier)
                })
            });
            if !looked_up {
                problems.push(problem(
                    "`identity` maps PersonIdentifier, but no blocking pass looks it up: add a pass with a parameter bound to PersonIdentifier (the record holding the request's identifier must be a candidate, or a request carrying another person's identifier is answered for whoever its names resemble)".to_owned(),
                    None,
                ));
            }
        }
        if let Some(f) = &spec.frequencies {
            if f.queries.is_empty() {
                problems.push(problem(
                    "frequencies has no queries (FamilyName, GivenName)".to_owned(),
                    None,
                ));
            }
            for (a, q) in &f.queries {
                if !matches!(a, Attribute::FamilyName | Attribute::GivenName) {
                    problems.push(problem(
                        format!("frequencies are counted for FamilyName and GivenName, not {a}"),
                        Some(q.referenced),
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let weight_table = Attribute::ALL
            .iter()
            .flat_map(|a| Level::ALL.iter().map(|l| resolve_weight(&weights, *a, *l)))
            .collect();
        Ok(Engine {
            subject,
            fields: fields.clone(),
            date_format: spec.date_format.clone(),
            particles: spec
                .particles
                .clone()
                .unwrap_or_else(|| DEFAULT_PARTICLES.iter().map(|s| (*s).to_owned()).collect()),
            record_id: spec.record_id.clone(),
            rules,
            weight_table,
            vetoes,
            required,
            swapped_names: spec.swapped_names.unwrap_or(-2.0),
            decision: d,
            min_loa,
            blocking,
            keys: key_columns,
            names: Arc::new(NameCache::new(DEFAULT_CAPACITY)),
            corroboration,
            min_population: spec
                .frequencies
                .as_ref()
                .map_or(10_000, |f| f.min_population),
            frequency_spec: spec.frequencies.clone(),
            frequencies: Arc::new(FrequencyCell::default()),
        })
    }

    /// Candidate retrieval, when the mapping declares blocking passes.
    pub fn blocking(&self) -> Option<&Blocking> {
        self.blocking.as_ref()
    }

    /// The `date_format` registry dates are read with, when not ISO.
    pub fn date_format(&self) -> Option<&str> {
        self.date_format.as_deref()
    }

    /// The registry field holding a record's id, when the mapping names one.
    pub fn record_id(&self) -> Option<&str> {
        self.record_id.as_deref()
    }

    /// Which registry fields hold each request attribute.
    pub fn fields(&self) -> &FieldMap {
        &self.fields
    }

    /// Registry columns holding precomputed keys, with the key each holds.
    pub fn key_columns(&self) -> &[(String, KeySpec)] {
        &self.keys
    }

    /// Where the registry's name frequencies come from, if the mapping says.
    pub fn frequency_spec(&self) -> Option<&FrequencySpec> {
        self.frequency_spec.as_ref()
    }

    /// The cell holding the name frequencies (loaded by [`super::retrieve`], or set by
    /// `match-eval` and the benchmark).
    pub fn frequency_cell(&self) -> &FrequencyCell {
        &self.frequencies
    }

    /// The same engine for another registry (a test's fixtures): without the frequency
    /// source, whose counts describe the mapping's registry, not that one.
    pub fn without_frequencies(&self) -> Engine {
        Engine {
            frequency_spec: None,
            frequencies: Arc::new(FrequencyCell::default()),
            ..self.clone()
        }
    }

    /// Installs name frequencies built elsewhere (`match-eval`, the benchmark).
    pub fn set_frequencies(&self, table: NameFrequencies) {
        self.frequencies.set(table);
    }

    /// The name frequencies decisions use now: none until loaded, and none for a
    /// registry smaller than `min_population`.
    pub fn frequencies(&self) -> Option<Arc<NameFrequencies>> {
        self.frequencies
            .current()
            .filter(|t| t.population() >= self.min_population)
    }

    /// Whether the registry may hold names in Greek or Cyrillic script: unknown until its
    /// name frequencies are read (then yes), else what they show. Blocking sends the keys
    /// of such names only when it may.
    pub fn registry_may_hold_native_scripts(&self) -> bool {
        self.frequencies
            .current()
            .is_none_or(|t| t.holds_native_scripts())
    }

    /// The name particles (`van`, `de`…), as frequency tables must key names.
    pub fn name_particles(&self) -> Vec<&str> {
        self.particles()
    }

    /// What an ambiguous result becomes when the requester allows a preview.
    pub fn on_ambiguous(&self) -> OnAmbiguous {
        self.decision.on_ambiguous.value
    }

    /// Where `decision.on_ambiguous` is written in the mapping file (unknown if it is not).
    pub fn on_ambiguous_location(&self) -> serde_saphyr::Location {
        self.decision.on_ambiguous.referenced
    }

    fn particles(&self) -> Vec<&str> {
        self.particles.iter().map(String::as_str).collect()
    }

    fn weight(&self, a: Attribute, l: Level) -> f64 {
        self.weight_table[a as usize * Level::ALL.len() + l as usize]
    }

    /// Checks the request before any registry is read: assurance, required attributes,
    /// parsable values. Computes the request's keys once.
    pub fn prepare(&self, identity: &Identity) -> Result<Prepared, Box<MatchOutcome>> {
        if let Some(min) = self.min_loa
            && identity.level_of_assurance.is_none_or(|l| l < min)
        {
            return Err(Box::new(MatchOutcome::InsufficientAssurance {
                required: min,
            }));
        }
        let missing: Vec<Attribute> = self
            .required
            .iter()
            .copied()
            .filter(|a| identity.get(*a).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(Box::new(MatchOutcome::NeedsMoreAttributes { missing }));
        }
        if self.subject == SubjectKind::LegalPerson
            && ![Attribute::LegalPersonIdentifier, Attribute::LegalName]
                .iter()
                .any(|a| self.fields.contains_key(a) && identity.get(*a).is_some())
        {
            return Err(Box::new(MatchOutcome::NeedsMoreAttributes {
                missing: vec![Attribute::LegalPersonIdentifier, Attribute::LegalName],
            }));
        }
        // The person's names in one script: a word mixing scripts (`Dupоnt` with a
        // Cyrillic `о`), or a Cyrillic given name beside a Latin family name, is written
        // by no document ([`super::script`]).
        let names: Vec<(Attribute, &str)> = PERSON_NAMES
            .iter()
            .filter_map(|a| Some((*a, identity.get(*a)?)))
            .collect();
        if scripts(names.iter().map(|(_, v)| *v)).len() > 1 {
            // Name the attribute that mixes scripts itself, or else breaks with the first.
            let first = names.first().map(|(_, v)| scripts([*v]));
            let odd = names
                .iter()
                .find(|(_, v)| scripts([*v]).len() > 1)
                .or_else(|| names.iter().find(|(_, v)| Some(scripts([*v])) != first))
                .map_or(Attribute::FamilyName, |(a, _)| *a);
            return Err(Box::new(MatchOutcome::InvalidInput {
                attribute: odd,
                reason: "a name written in more than one script".to_owned(),
            }));
        }
        let particles = self.particles();
        let mut values = BTreeMap::new();
        for a in COMPARED {
            let Some(v) = identity.get(a) else { continue };
            let maiden = a == Attribute::BirthName;
            if !self.fields.contains_key(&a) && !maiden {
                continue;
            }
            let prep = match kind(a) {
                Kind::Date => match DateParts::parse_request(v) {
                    Some(d) => Prep::Date(d),
                    None => {
                        return Err(Box::new(MatchOutcome::InvalidInput {
                            attribute: a,
                            reason: "not a calendar date (YYYY-MM-DD)".to_owned(),
                        }));
                    }
                },
                Kind::Name => {
                    let k = NameKeys::new(v, &particles);
                    if k.is_empty() {
                        return Err(Box::new(MatchOutcome::InvalidInput {
                            attribute: a,
                            reason: "not a name (no letters)".to_owned(),
                        }));
                    }
                    Prep::Name(k)
                }
                Kind::Code | Kind::Gender => Prep::Text(v.to_owned()),
            };
            values.insert(a, prep);
        }
        Ok(Prepared {
            values,
            identity: identity.clone(),
        })
    }

    /// Compares one request attribute with the registry fields mapped to `fields_of`.
    fn level(&self, prep: &Prep, a: Attribute, fields_of: Attribute, rec: &Record) -> Level {
        let Some(fields) = self.fields.get(&fields_of) else {
            return Level::Missing;
        };
        self.level_in(prep, a, fields_of, fields, rec)
    }

    /// [`Engine::level`] over some of the registry fields of `fields_of`.
    fn level_in(
        &self,
        prep: &Prep,
        a: Attribute,
        fields_of: Attribute,
        fields: &[String],
        rec: &Record,
    ) -> Level {
        let role = match fields_of {
            Attribute::FamilyName | Attribute::BirthName => NameRole::Family,
            Attribute::GivenName => NameRole::Given,
            _ => NameRole::Other,
        };
        let mut best = Level::Missing;
        for f in fields {
            let Some(v) = rec.get(f) else { continue };
            let l = match prep {
                Prep::Date(d) => {
                    compare_date(d, DateParts::from_value(v, self.date_format()).as_ref())
                }
                Prep::Name(k) => match v {
                    Value::Text(t) => k.compare_as(&self.registry_name(t), role),
                    other => match other.as_text() {
                        Some(t) => k.compare_as(&self.registry_name(&t), role),
                        None => Level::Missing,
                    },
                },
                Prep::Text(s) => match v.as_text() {
                    Some(t) if kind(a) == Kind::Gender => compare_gender(s, &t),
                    Some(t) => compare_codes(s, &t),
                    None => Level::Missing,
                },
            };
            // An empty alternative field (no birth name) says nothing: it must not hide
            // a disagreement of a field that has a value.
            if l != Level::Missing
                && (best == Level::Missing || self.weight(a, l) > self.weight(a, best))
            {
                best = l;
            }
        }
        best
    }

    /// A registry name, prepared once per distinct spelling.
    fn registry_name(&self, raw: &str) -> Arc<NameKeys> {
        self.names
            .get_or_prepare(raw, || NameKeys::new(raw, &self.particles()))
    }

    /// The family-name slot: the request's family name, or its birth name where the
    /// registry still holds it as the family name (a marriage it never recorded),
    /// whichever agrees better, and which one it was. The birth name is compared with
    /// the first family field only: a record that knows a current name of its own must
    /// agree with the request's, or a woman with the same maiden name, given name and
    /// date but another married name would pass for her.
    fn family_level(
        &self,
        name: (&Prep, Attribute),
        birth_name: Option<&Prep>,
        rec: &Record,
    ) -> (Level, Attribute) {
        let f = Attribute::FamilyName;
        let a = self.level(name.0, f, f, rec);
        let current = self
            .fields
            .get(&f)
            .and_then(|v| v.first())
            .map(std::slice::from_ref);
        match (birth_name, current) {
            (Some(b), Some(current)) if a != Level::Exact => {
                let b = self.level_in(b, f, f, current, rec);
                if self.weight(f, b) > self.weight(f, a) {
                    (b, Attribute::BirthName)
                } else {
                    (a, name.1)
                }
            }
            _ => (a, name.1),
        }
    }

    fn score(
        &self,
        prepared: &Prepared,
        table: Option<&NameFrequencies>,
        index: usize,
        rec: &Record,
    ) -> Scored {
        let mut levels = BTreeMap::new();
        for (a, prep) in &prepared.values {
            if matches!(a, Attribute::FamilyName | Attribute::GivenName)
                || !self.fields.contains_key(a)
            {
                continue;
            }
            levels.insert(*a, self.level(prep, *a, *a, rec));
        }
        // Names in the stated order, and swapped (given name in the family name field).
        let (f, g) = (Attribute::FamilyName, Attribute::GivenName);
        let mut swapped = false;
        let mut sources = Sources {
            family: f,
            given: g,
        };
        if let (Some(fam), Some(giv)) = (prepared.values.get(&f), prepared.values.get(&g)) {
            let (family, family_from) =
                self.family_level((fam, f), prepared.values.get(&Attribute::BirthName), rec);
            let straight = (family, self.level(giv, g, g, rec));
            sources.family = family_from;
            let weigh = |(x, y): (Level, Level)| self.weight(f, x) + self.weight(g, y);
            let mut chosen = straight;
            if straight != (Level::Exact, Level::Exact) {
                let crossed = (
                    self.family_level((giv, g), None, rec).0,
                    self.level(fam, g, g, rec),
                );
                if weigh(crossed) + self.swapped_names > weigh(straight) {
                    chosen = crossed;
                    swapped = true;
                    sources = Sources {
                        family: g,
                        given: f,
                    };
                }
            }
            levels.insert(f, chosen.0);
            levels.insert(g, chosen.1);
        }
        let mut weight: f64 = levels.iter().map(|(a, l)| self.weight(*a, *l)).sum();
        if swapped {
            weight += self.swapped_names;
        }
        // Term frequencies: an exact agreement on a common name proves less.
        if let Some(t) = table {
            for (slot, source) in [(f, sources.family), (g, sources.given)] {
                if levels.get(&slot) == Some(&Level::Exact)
                    && let Some(Prep::Name(k)) = prepared.values.get(&source)
                    && let Some(share) = t.share(slot, k)
                {
                    let configured = self.weight(slot, Level::Exact);
                    weight += frequency_weight(configured, share) - configured;
                }
            }
        }
        let veto = levels
            .iter()
            .map(|(a, l)| (*a, *l))
            .find(|v| self.vetoes.contains(v));
        let guard = match self.subject {
            SubjectKind::NaturalPerson => {
                // Is the requested spelling a name this registry holds? Asked only of a
                // near spelling or part of a compound family name, where it decides.
                let known = |slot: Attribute, source: Attribute| {
                    let near = levels
                        .get(&slot)
                        .is_some_and(|l| l.is_near_spelling() || (slot == f && *l == Level::Token));
                    match (near, table, prepared.values.get(&source)) {
                        (true, Some(t), Some(Prep::Name(k))) => Some(t.known(slot, k)),
                        _ => None,
                    }
                };
                let facts = RequestFacts {
                    family_known: known(f, sources.family),
                    given_known: known(g, sources.given),
                };
                guard::assess(&levels, swapped, facts, &self.corroboration)
            }
            SubjectKind::LegalPerson => None,
        };
        // A rule says "these agree and nothing disagrees": any comparison at `else`
        // (a different place of birth, say) leaves the decision to the score.
        let disagreement = levels.values().any(|l| *l == Level::Else);
        let rule = if swapped || disagreement || guard.is_some() {
            None
        } else {
            self.rules
                .iter()
                .find(|r| {
                    r.require
                        .iter()
                        .all(|(a, ok)| levels.get(a).is_some_and(|l| ok.contains(l)))
                })
                .map(|r| r.name.clone())
        };
        Scored {
            index,
            levels,
            weight,
            rule,
            veto,
            guard,
            swapped,
        }
    }

    /// Decides among the candidates for a prepared request.
    pub fn decide(&self, prepared: &Prepared, candidates: &[Record]) -> MatchOutcome {
        self.decide_with(prepared, candidates, None)
    }

    /// Like [`Engine::decide`], but a candidate whose `key` does not compare exactly (or
    /// is missing) is ruled out: an identifier the person proved by signing in leaves no
    /// room for a near match, and tells apart homonyms whose other attributes all agree.
    pub fn decide_requiring_exact(
        &self,
        prepared: &Prepared,
        candidates: &[Record],
        key: Attribute,
    ) -> MatchOutcome {
        self.decide_with(prepared, candidates, Some(key))
    }

    fn decide_with(
        &self,
        prepared: &Prepared,
        candidates: &[Record],
        exact: Option<Attribute>,
    ) -> MatchOutcome {
        let table = self.frequencies();
        let mut scored: Vec<Scored> = candidates
            .iter()
            .enumerate()
            .map(|(i, r)| self.score(prepared, table.as_deref(), i, r))
            .collect();
        if let Some(key) = exact {
            for s in &mut scored {
                let level = s.levels.get(&key).copied().unwrap_or(Level::Missing);
                if level != Level::Exact && s.veto.is_none() {
                    s.veto = Some((key, level));
                }
            }
        }
        // An identifier the registry knows points at its holder: whoever else the names
        // and date resemble is not the subject (a request carrying another person's
        // identifier is refused, not answered for the look-alike).
        let id = Attribute::PersonIdentifier;
        if self.subject == SubjectKind::NaturalPerson
            && scored
                .iter()
                .any(|s| s.levels.get(&id) == Some(&Level::Exact))
        {
            for s in &mut scored {
                if s.levels.get(&id) != Some(&Level::Exact) && !s.out() {
                    s.guard = Some(Guard::IdentifierHeldByAnother);
                    s.rule = None;
                }
            }
        }
        scored.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.index.cmp(&b.index)));
        let d = &self.decision;
        let live: Vec<&Scored> = scored.iter().filter(|s| !s.out()).collect();
        let accepted: Vec<&Scored> = live
            .iter()
            .copied()
            .filter(|s| s.guard.is_none() && (s.rule.is_some() || s.weight >= d.accept))
            .collect();
        let possible: Vec<&Scored> = live
            .iter()
            .copied()
            .filter(|s| s.rule.is_some() || s.weight >= d.possible)
            .collect();
        // The margin of the accepted candidate (or, without one, of the best) over the
        // strongest other competitor; none when nobody else is even possible.
        let lead = accepted.first().or(live.first()).copied();
        let margin = lead.and_then(|a| {
            possible
                .iter()
                .filter(|s| s.index != a.index)
                .map(|s| a.weight - s.weight)
                .reduce(f64::min)
        });
        // A record with the same names whose date agrees as far as it is known (a
        // registry that knows only the year), and nothing else disagreeing, may be the
        // person as much as the accepted one: whatever the weights, it is ambiguous.
        let could_be = |s: &Scored| {
            let level = |a| s.levels.get(&a).copied().unwrap_or(Level::Missing);
            self.subject == SubjectKind::NaturalPerson
                && level(Attribute::FamilyName).is_same_name()
                && level(Attribute::GivenName).is_same_name()
                && matches!(
                    level(Attribute::DateOfBirth),
                    Level::Exact | Level::UnknownDay | Level::YearOnly
                )
                && !s.levels.values().any(|l| *l == Level::Else)
        };
        let namesake = accepted
            .first()
            .is_some_and(|one| live.iter().any(|s| s.index != one.index && could_be(s)));
        let mut explanation = self.explain(prepared, candidates, &scored, accepted.len(), margin);
        explanation.frequencies = table.map(|t| t.population());
        match accepted.as_slice() {
            [one] if !namesake && margin.is_none_or(|m| m >= d.margin) => MatchOutcome::Match {
                index: one.index,
                explanation,
            },
            [] if possible.is_empty() => MatchOutcome::NoMatch { explanation },
            _ => MatchOutcome::Ambiguous { explanation },
        }
    }

    /// Prepares and decides in one step.
    pub fn decide_identity(&self, identity: &Identity, candidates: &[Record]) -> MatchOutcome {
        match self.prepare(identity) {
            Ok(p) => self.decide(&p, candidates),
            Err(o) => *o,
        }
    }

    fn explain(
        &self,
        prepared: &Prepared,
        candidates: &[Record],
        scored: &[Scored],
        accepted: usize,
        margin: Option<f64>,
    ) -> Explanation {
        let request_keys = prepared
            .values
            .iter()
            .map(|(a, p)| {
                let shown = match p {
                    Prep::Name(k) => k.keys.iter().take(6).map(|k| mask(k)).collect(),
                    Prep::Date(_) => vec!["****-**-**".to_owned()],
                    Prep::Text(t) => vec![mask(t)],
                };
                (*a, shown)
            })
            .collect();
        let top = scored
            .iter()
            .take(5)
            .map(|s| CandidateExplanation {
                record: self
                    .record_id
                    .as_deref()
                    .and_then(|f| candidates.get(s.index)?.get(f)?.as_text())
                    .map(|id| mask(&id)),
                levels: s.levels.clone(),
                weight: s.weight,
                rule: s.rule.clone(),
                veto: s.veto.map(|(a, l)| format!("{a}.{}", l.name())),
                guard: s.guard.map(Guard::name),
                swapped_names: s.swapped,
            })
            .collect();
        Explanation {
            matcher: "guards+rules+fellegi-sunter",
            candidates: candidates.len(),
            compared: prepared.values.keys().copied().collect(),
            matching_candidates: accepted,
            request_keys,
            top,
            margin,
            accept: self.decision.accept,
            possible: self.decision.possible,
            required_margin: self.decision.margin,
            passes: Vec::new(),
            frequencies: None,
        }
    }

    /// The value a registry key column holds for a record (`surname_cologne` of its
    /// first FamilyName field), as `match-eval` and `match-keys` compute them.
    pub fn key_value(&self, key: &KeySpec, rec: &Record) -> Value {
        let field = self
            .fields
            .get(&key.attribute)
            .and_then(|f| f.first())
            .and_then(|f| rec.get(f))
            .cloned()
            .unwrap_or(Value::Null);
        key.registry_value(&field, self.date_format())
    }

    /// The identity of a registry record, for merging the candidates of several passes.
    pub fn record_key(&self, rec: &Record) -> Option<String> {
        let f = self.record_id.as_deref()?;
        rec.get(f).and_then(Value::as_text)
    }

    /// The written spellings (no particle left out) of a prepared request name, as
    /// blocking keys are made of them.
    pub fn written_keys(&self, prepared: &Prepared, a: Attribute) -> Option<Vec<String>> {
        match prepared.values.get(&a)? {
            Prep::Name(k) => Some(k.written_keys()),
            _ => None,
        }
    }

    /// Borrows the prepared request's identity (for blocking parameters).
    pub fn identity<'a>(&self, prepared: &'a Prepared) -> &'a Identity {
        &prepared.identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let problems =
            Engine::compile(&spec, &fields(), SubjectKind::NaturalPerson, None).unwrap_err();
        let text: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(problems.len(), 4, "{text:?}");
        assert!(problems.iter().filter(|p| p.location.is_some()).count() >= 3);
    }

    #[test]
    fn bad_corroborations_and_frequencies_are_reported_where_written() {
        let yaml = "corroboration:\n  GivenName: [PlaceOfBirth]\n  DateOfBirth: [PersonIdentifier]\n  Gender: [PlaceOfBirth]\nfrequencies:\n  queries:\n    PlaceOfBirth: SELECT 1\n";
        let spec: MatchingSpec = serde_saphyr::from_str(yaml).unwrap();
        let problems =
            Engine::compile(&spec, &fields(), SubjectKind::NaturalPerson, None).unwrap_err();
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
}
