//! The JSON report of a `match-eval` run: the counts, and the rates and latency
//! percentiles computed from them.

use std::collections::BTreeMap;

use super::adversarial::{ScenarioCounts, TypoCounts};

/// Counts of one run.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct Report {
    pub(super) requests: usize,
    pub(super) correct: usize,
    pub(super) wrong_person: usize,
    pub(super) refused: usize,
    pub(super) precision: f64,
    pub(super) recall: f64,
    pub(super) false_match_rate_absent: Option<f64>,
    /// Requests lacking a required attribute or with an invalid date (refused before
    /// any look-up; OOTS requests always carry the minimum data set).
    pub(super) incomplete: usize,
    /// Correct over every request whose partner is present, incomplete ones included.
    pub(super) recall_all: f64,
    /// Wrong-person answers where the record answered and the person's own record are
    /// namesakes on every attribute the request carried ([`namesake`]): no rule over
    /// those attributes could have told them apart.
    pub(super) wrong_person_namesakes: usize,
    pub(super) absent_requests: usize,
    pub(super) absent_matched: usize,
    pub(super) outcomes: BTreeMap<&'static str, usize>,
    /// Share of complete requests whose partner was among the candidates.
    pub(super) blocking_recall: f64,
    pub(super) candidates_mean: f64,
    pub(super) candidates_max: usize,
    pub(super) registry_records: usize,
    pub(super) decisions_per_s: f64,
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
    /// Per adversarial scenario: requests for absent persons and how many were matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) adversarial: Option<indexmap::IndexMap<&'static str, ScenarioCounts>>,
    /// Per typo kind: requests for present persons with one typing error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) typo_recall: Option<indexmap::IndexMap<&'static str, TypoCounts>>,
    /// Generated requests dropped because they named a registry person exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) adversarial_skipped: Option<usize>,
}

/// `x` to four places.
pub(super) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// `a / b` to four places; 0 when `b` is 0.
pub(super) fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        round4(a as f64 / b as f64)
    }
}

/// What the timed run counts beyond the report's own fields.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) report: Report,
    /// Milliseconds per request.
    pub(super) latencies: Vec<f64>,
    /// Complete requests whose partner was among the candidates.
    pub(super) blocked_ok: usize,
    /// Incomplete requests whose partner is present.
    pub(super) incomplete_present: usize,
    pub(super) candidates_total: usize,
}

impl Tally {
    /// The report with its rates, speed and latency percentiles, `elapsed` being the
    /// seconds the run took.
    pub(super) fn finish(mut self, elapsed: f64) -> Report {
        let report = &mut self.report;
        let present_requests = report.requests - report.absent_requests;
        report.precision = ratio(report.correct, report.correct + report.wrong_person);
        report.recall = ratio(
            report.correct,
            present_requests.saturating_sub(self.incomplete_present),
        );
        report.recall_all = ratio(report.correct, present_requests);
        report.false_match_rate_absent = (report.absent_requests > 0)
            .then(|| ratio(report.absent_matched, report.absent_requests));
        let complete = report.requests - report.incomplete;
        report.blocking_recall = ratio(self.blocked_ok, present_requests - self.incomplete_present);
        report.candidates_mean = ratio(self.candidates_total, complete);
        report.decisions_per_s = (report.requests as f64 / elapsed).round();
        let latencies = &mut self.latencies;
        latencies.sort_by(f64::total_cmp);
        let pct = |p: f64| {
            latencies
                .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .map(round4)
                .unwrap_or(0.0)
        };
        report.p50_ms = pct(0.50);
        report.p99_ms = pct(0.99);
        self.report
    }
}
