//! The verdict over all candidates of a request: rule out whoever a proved identifier
//! excludes, rank by weight, then accept only a unique candidate clearly ahead of every
//! competitor with no namesake that may be the person as much; and the explanation of it,
//! free of personal data.

use oots_connector::Record;

use super::Engine;
use super::prepare::{Prep, Prepared};
use super::score::Scored;
use crate::SubjectKind;
use crate::compare::Level;
use crate::explain::{CandidateExplanation, Explanation, mask};
use crate::guard::Guard;
use crate::{Attribute, Identity, MatchOutcome};

impl Engine {
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

    /// Scores every candidate, rules out those an `exact` key or another's identifier
    /// excludes, and accepts a unique candidate clearly ahead of every competitor.
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

    /// The explanation of a decision: masked request keys and the five best candidates.
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
}
