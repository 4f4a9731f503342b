//! Sends the adversarial and typo-recall requests down the same path as every other
//! request ([`decide_one`]) and counts false matches and recall per scenario.

use indexmap::IndexMap;

use super::super::CliError;
use super::super::decide::{Run, decide_one, identity_of};
use super::super::report::ratio;
use super::{Generator, Scenario, Typo};
use crate::matching::MatchOutcome;

/// Counts of one scenario.
#[derive(Debug, Default, serde::Serialize)]
pub(in crate::cli::match_eval) struct ScenarioCounts {
    pub(in crate::cli::match_eval) requests: usize,
    pub(in crate::cli::match_eval) false_matches: usize,
    pub(in crate::cli::match_eval) false_match_rate: f64,
    pub(in crate::cli::match_eval) typo_like: bool,
}

/// Counts of one typo kind.
#[derive(Debug, Default, serde::Serialize)]
pub(in crate::cli::match_eval) struct TypoCounts {
    pub(in crate::cli::match_eval) requests: usize,
    pub(in crate::cli::match_eval) correct: usize,
    pub(in crate::cli::match_eval) wrong_person: usize,
    pub(in crate::cli::match_eval) recall: f64,
}

/// The safety part of a run.
#[derive(Debug, Default)]
pub(in crate::cli::match_eval) struct Safety {
    pub(in crate::cli::match_eval) adversarial: IndexMap<&'static str, ScenarioCounts>,
    pub(in crate::cli::match_eval) typo_recall: IndexMap<&'static str, TypoCounts>,
    pub(in crate::cli::match_eval) skipped: usize,
}

impl Safety {
    /// Whether a scenario that is not typo-like produced a false match.
    pub(in crate::cli::match_eval) fn unsafe_beyond_typos(&self) -> bool {
        self.adversarial
            .values()
            .any(|c| !c.typo_like && c.false_matches > 0)
    }
}

/// Builds and sends the adversarial and typo-recall requests.
pub(in crate::cli::match_eval) async fn measure(
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
        counts.false_match_rate = ratio(counts.false_matches, counts.requests);
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
        counts.recall = ratio(counts.correct, counts.requests);
        safety.typo_recall.insert(typo.name(), counts);
    }
    Ok(safety)
}

/// The decision's explanation, masked, for `--explain`.
fn summary(outcome: &MatchOutcome) -> String {
    outcome
        .explanation()
        .map(|e| e.summary())
        .unwrap_or_default()
}
