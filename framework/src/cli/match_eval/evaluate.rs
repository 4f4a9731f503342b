//! The timed part of a `match-eval` run: every labelled request down the path `serve`
//! takes, each answer compared with the true links (correct, wrong person, a namesake's
//! record, refused, incomplete).

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use super::CliError;
use super::decide::{Decided, Run, decide_one, request_identity};
use super::labelled::Labelled;
use super::namesake;
use super::report::{Report, Tally};
use crate::matching::{Identity, MatchOutcome};

/// How a request's answer compares with the true links.
#[derive(Debug, Default, Clone, Copy)]
struct Verdict {
    /// No true partner is in the registry.
    absent: bool,
    /// Another person's record was answered.
    wrong: bool,
    /// ... and it is a namesake of the person's own record.
    namesake: bool,
}

/// Sends every labelled request and counts the answers; `registry_records` is the size
/// of the registry, for the report.
pub(super) async fn evaluate(
    run: &Run<'_>,
    data: &Labelled,
    registry_records: usize,
) -> Result<Report, CliError> {
    let requests = data.requests();
    // Every registry row by id, removed ones too (a wrong answer is compared with the
    // person's own record, present or not).
    let row_of: HashMap<&str, usize> = data
        .registry
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r[data.reg_id].as_str(), i))
        .collect();
    let mut tally = Tally {
        report: Report {
            registry_records,
            ..Report::default()
        },
        ..Tally::default()
    };
    let started = Instant::now();
    for row in &requests.rows {
        let rid = row[data.req_id].as_str();
        if !data.is_request(rid) {
            continue;
        }
        let Some(truth) = data.partners.get(rid) else {
            continue;
        };
        let present: BTreeSet<&String> = truth
            .iter()
            .filter(|p| !data.removed.contains(*p))
            .collect();
        let mut verdict = Verdict {
            absent: present.is_empty(),
            ..Verdict::default()
        };
        tally.report.requests += 1;
        if verdict.absent {
            tally.report.absent_requests += 1;
        }
        let engine = run.engine;
        let identity = request_identity(
            row,
            requests,
            engine.fields(),
            run.sent,
            engine.date_format(),
        );
        let t = Instant::now();
        let decided = decide_one(engine, run.source, &identity, run.id_column).await?;
        tally.count_candidates(&decided, &present, verdict.absent);
        if let Some(got) = decided.matched() {
            if present.iter().any(|p| p.as_str() == got) {
                tally.report.correct += 1;
            } else {
                verdict.wrong = true;
                verdict.namesake = namesake_answered(run, data, &row_of, &identity, got, truth);
                tally.count_wrong(verdict);
            }
        }
        tally.latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        let incomplete = tally.count_outcome(&decided.outcome, verdict.absent);
        if run.explain && !incomplete {
            explain(rid, &decided.outcome, verdict);
        }
    }
    Ok(tally.finish(started.elapsed().as_secs_f64()))
}

/// Whether the record answered and one of the person's own records are namesakes on
/// every attribute the request carried.
fn namesake_answered(
    run: &Run<'_>,
    data: &Labelled,
    row_of: &HashMap<&str, usize>,
    identity: &Identity,
    got: &str,
    truth: &BTreeSet<String>,
) -> bool {
    let registry = &data.registry;
    row_of.get(got).is_some_and(|g| {
        truth
            .iter()
            .filter_map(|t| row_of.get(t.as_str()))
            .any(|t| {
                namesake::namesakes(
                    registry,
                    &registry.rows[*g],
                    &registry.rows[*t],
                    run.engine.fields(),
                    &identity.attributes.keys().copied().collect::<Vec<_>>(),
                    run.engine.date_format(),
                )
            })
    })
}

impl Tally {
    /// Counts the candidates of a request that was looked up, and whether its partner
    /// was among them.
    fn count_candidates(&mut self, decided: &Decided, present: &BTreeSet<&String>, absent: bool) {
        if let Some(n) = decided.candidates {
            self.candidates_total += n;
            self.report.candidates_max = self.report.candidates_max.max(n);
            if !absent && decided.ids.iter().any(|i| present.contains(i)) {
                self.blocked_ok += 1;
            }
        }
    }

    /// Counts an answer with another person's record.
    fn count_wrong(&mut self, verdict: Verdict) {
        self.report.wrong_person += 1;
        if verdict.namesake {
            self.report.wrong_person_namesakes += 1;
        }
        if verdict.absent {
            self.report.absent_matched += 1;
        }
    }

    /// Counts the outcome (refused, incomplete, per name); returns whether the request
    /// was incomplete.
    fn count_outcome(&mut self, outcome: &MatchOutcome, absent: bool) -> bool {
        let incomplete = matches!(
            outcome,
            MatchOutcome::InvalidInput { .. } | MatchOutcome::NeedsMoreAttributes { .. }
        ) && !matches!(outcome, MatchOutcome::NeedsMoreAttributes { missing } if missing.is_empty());
        if incomplete {
            self.report.incomplete += 1;
            if !absent {
                self.incomplete_present += 1;
            }
        }
        if !matches!(outcome, MatchOutcome::Match { .. }) {
            self.report.refused += 1;
        }
        *self.report.outcomes.entry(outcome.name()).or_default() += 1;
        incomplete
    }
}

/// With `--explain`: prints a request that was not answered correctly, with the
/// decision's explanation (masked).
fn explain(rid: &str, outcome: &MatchOutcome, verdict: Verdict) {
    let Verdict {
        absent,
        wrong,
        namesake,
    } = verdict;
    if !(wrong || absent == matches!(outcome, MatchOutcome::Match { .. })) {
        return;
    }
    eprintln!(
        "{rid} ({}): {} {}",
        match (absent, wrong, namesake) {
            (true, _, true) => "absent, a namesake's record",
            (true, _, false) => "absent",
            (false, true, true) => "present, WRONG PERSON, a namesake",
            (false, true, false) => "present, WRONG PERSON",
            (false, false, _) => "present",
        },
        outcome.name(),
        outcome
            .explanation()
            .map(|e| e.summary())
            .unwrap_or_default()
    );
}
