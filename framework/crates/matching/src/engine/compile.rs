//! Compiling a mapping's `matching:` section into an [`Engine`]: every part of the section
//! is read and checked against the identity fields, and every problem is collected (with
//! its YAML location when known) so the mapping author sees them all at once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::defaults::{DEFAULT_VETOES, default_required, default_rules, default_weights};
use super::{Blocking, Engine, Pass, Rule, SpecProblem};
use crate::SubjectKind;
use crate::blocking::KeySpec;
use crate::cache::{DEFAULT_CAPACITY, NameCache};
use crate::compare::Level;
use crate::frequency::FrequencyCell;
use crate::guard::Corroboration;
use crate::keys::DEFAULT_PARTICLES;
use crate::spec::{DecisionSpec, MatchingSpec, OnAmbiguous, PartialGivenNames};
use crate::{Attribute, FieldMap};
use oots_edm::LevelOfAssurance;

/// The problems found so far, in the order the section is read.
#[derive(Default)]
struct Problems(Vec<SpecProblem>);

impl Problems {
    /// Records one problem.
    fn push(&mut self, message: String, location: Option<serde_saphyr::Location>) {
        self.0.push(SpecProblem { message, location });
    }
}

impl Engine {
    /// Compiles a mapping's matching section over its identity fields.
    pub fn compile(
        spec: &MatchingSpec,
        fields: &FieldMap,
        subject: SubjectKind,
        min_loa: Option<LevelOfAssurance>,
    ) -> Result<Engine, Vec<SpecProblem>> {
        let mut problems = Problems::default();
        let weights = weights(spec, &mut problems);
        let vetoes = vetoes(spec, &mut problems);
        let rules = rules(spec, fields, subject, &mut problems);
        let required = spec
            .required
            .clone()
            .unwrap_or_else(|| default_required(subject));
        let decision = spec.decision.clone();
        check_decision(&decision, fields, subject, &mut problems);
        let keys = key_columns(spec, fields, &mut problems);
        let blocking = blocking(spec, &mut problems);
        let corroboration = corroboration(spec, fields, &mut problems);
        check_identifier_looked_up(fields, subject, blocking.as_ref(), &mut problems);
        check_frequencies(spec, &mut problems);
        if !problems.0.is_empty() {
            return Err(problems.0);
        }
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
            weight_table: weight_table(&weights),
            vetoes,
            required,
            swapped_names: spec.swapped_names.unwrap_or(-2.0),
            decision,
            min_loa,
            blocking,
            keys,
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
}

/// The default weights overridden by the mapping's; a weight must be a number.
fn weights(spec: &MatchingSpec, problems: &mut Problems) -> BTreeMap<(Attribute, Level), f64> {
    let mut weights = default_weights();
    for (a, levels) in &spec.weights {
        for (l, w) in levels {
            if !w.is_finite() {
                problems.push(format!("weight of {a}.{} is not a number", l.name()), None);
            }
            weights.insert((*a, *l), *w);
        }
    }
    weights
}

/// The vetoes, each written `<attribute>.<level>`, or the defaults.
fn vetoes(spec: &MatchingSpec, problems: &mut Problems) -> BTreeSet<(Attribute, Level)> {
    match &spec.vetoes {
        None => DEFAULT_VETOES.into_iter().collect(),
        Some(list) => list
            .iter()
            .filter_map(|v| {
                let parsed = v
                    .value
                    .rsplit_once('.')
                    .and_then(|(a, l)| Some((Attribute::parse(a)?, Level::parse(l)?)));
                if parsed.is_none() {
                    problems.push(
                        format!(
                            "veto `{}` is not `<attribute>.<level>` (e.g. DateOfBirth.else)",
                            v.value
                        ),
                        Some(v.referenced),
                    );
                }
                parsed
            })
            .collect(),
    }
}

/// The rule ladder (the defaults only over what this mapping can compare); a declared rule
/// may compare only mapped attributes.
fn rules(
    spec: &MatchingSpec,
    fields: &FieldMap,
    subject: SubjectKind,
    problems: &mut Problems,
) -> Vec<Rule> {
    let rules: Vec<Rule> = match &spec.rules {
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
                problems.push(
                    format!(
                        "rule `{}` compares {a}, which `identity` maps to no registry field",
                        r.name
                    ),
                    None,
                );
            }
        }
    }
    rules
}

/// Thresholds in order, and a preview on ambiguity only where the signed-in person's
/// identifier can single out a record.
fn check_decision(
    d: &DecisionSpec,
    fields: &FieldMap,
    subject: SubjectKind,
    problems: &mut Problems,
) {
    if !(d.accept.is_finite() && d.possible.is_finite() && d.margin.is_finite())
        || d.possible > d.accept
        || d.margin < 0.0
    {
        problems.push(
            "decision thresholds must satisfy possible <= accept and margin >= 0".to_owned(),
            None,
        );
    }
    if d.on_ambiguous.value == OnAmbiguous::Preview {
        let at = Some(d.on_ambiguous.referenced);
        if subject == SubjectKind::LegalPerson {
            problems.push(
                "decision.on_ambiguous: preview is for natural persons: whoever signs in for a company does not single out its record".to_owned(),
                at,
            );
        } else if !fields.contains_key(&Attribute::PersonIdentifier) {
            problems.push(
                "decision.on_ambiguous: preview needs `identity` to map PersonIdentifier to a registry field: the identifier the person signs in with in the preview space is what singles out their record".to_owned(),
                at,
            );
        }
    }
}

/// The registry's key columns, each a key over a mapped attribute.
fn key_columns(
    spec: &MatchingSpec,
    fields: &FieldMap,
    problems: &mut Problems,
) -> Vec<(String, KeySpec)> {
    let mut key_columns = Vec::new();
    for (column, key) in &spec.keys {
        match KeySpec::parse(&key.value) {
            Ok(k) if fields.contains_key(&k.attribute) => key_columns.push((column.clone(), k)),
            Ok(k) => problems.push(
                format!(
                    "key column `{column}` uses {}, which `identity` maps to no registry field",
                    k.attribute
                ),
                Some(key.referenced),
            ),
            Err(e) => problems.push(e, Some(key.referenced)),
        }
    }
    key_columns
}

/// The blocking passes, with their parameters' keys parsed; a blocking section needs a pass.
fn blocking(spec: &MatchingSpec, problems: &mut Problems) -> Option<Blocking> {
    spec.blocking.as_ref().map(|b| {
        if b.passes.is_empty() {
            problems.push("blocking has no passes".to_owned(), None);
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
                                problems.push(e, Some(key.referenced));
                                None
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    })
}

/// What may vouch for a name or date that is not exactly the record's: only mapped
/// attributes, and only the identifier for a given name (twins differ in nothing else).
fn corroboration(spec: &MatchingSpec, fields: &FieldMap, problems: &mut Problems) -> Corroboration {
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
            problems.push(
                format!("corroboration is for FamilyName, GivenName and DateOfBirth, not {a}"),
                at,
            );
            continue;
        }
        for c in &list.value {
            if *a == Attribute::GivenName && *c != Attribute::PersonIdentifier {
                problems.push(
                    format!("corroboration of GivenName by {c}: twins share every attribute but their given names and identifiers, so only PersonIdentifier may vouch for a given name"),
                    at,
                );
            } else if c == a || !fields.contains_key(c) {
                problems.push(
                    format!(
                        "corroboration of {a} by {c}, which `identity` maps to no registry field"
                    ),
                    at,
                );
            }
        }
        corroboration.by.insert(*a, list.value.clone());
    }
    corroboration
}

/// An identifier the registry holds points at its holder, who may be born on another day:
/// a pass must look it up, or the holder is never a candidate and a request carrying
/// another person's identifier is answered for the look-alike of its names.
fn check_identifier_looked_up(
    fields: &FieldMap,
    subject: SubjectKind,
    blocking: Option<&Blocking>,
    problems: &mut Problems,
) {
    if subject != SubjectKind::NaturalPerson || !fields.contains_key(&Attribute::PersonIdentifier) {
        return;
    }
    let looked_up = blocking.is_some_and(|b| {
        b.passes.iter().any(|p| {
            p.parameters
                .iter()
                .any(|(_, k)| k.attribute == Attribute::PersonIdentifier)
        })
    });
    if !looked_up {
        problems.push(
            "`identity` maps PersonIdentifier, but no blocking pass looks it up: add a pass with a parameter bound to PersonIdentifier (the record holding the request's identifier must be a candidate, or a request carrying another person's identifier is answered for whoever its names resemble)".to_owned(),
            None,
        );
    }
}

/// Name frequencies are counted by at least one query, for family and given names only.
fn check_frequencies(spec: &MatchingSpec, problems: &mut Problems) {
    let Some(f) = &spec.frequencies else { return };
    if f.queries.is_empty() {
        problems.push(
            "frequencies has no queries (FamilyName, GivenName)".to_owned(),
            None,
        );
    }
    for (a, q) in &f.queries {
        if !matches!(a, Attribute::FamilyName | Attribute::GivenName) {
            problems.push(
                format!("frequencies are counted for FamilyName and GivenName, not {a}"),
                Some(q.referenced),
            );
        }
    }
}

/// Every `attribute × level` weight resolved once, as [`Engine::weight`] reads them.
fn weight_table(weights: &BTreeMap<(Attribute, Level), f64>) -> Vec<f64> {
    Attribute::ALL
        .iter()
        .flat_map(|a| Level::ALL.iter().map(|l| resolve_weight(weights, *a, *l)))
        .collect()
}

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
