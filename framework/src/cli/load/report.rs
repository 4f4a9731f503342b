//! What a load run saw: per request, when it was sent and what came back; summed up as
//! throughput, latency percentiles and errors by kind, in text or JSON.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::json;

/// The state of one request of the run.
#[derive(Debug)]
pub struct Sent {
    /// Index of its mapping test.
    pub case: usize,
    pub at: Instant,
    /// Arrival of the first answer, and whether it was the expected outcome.
    pub answered: Option<(Instant, Result<(), String>)>,
    /// Answers after the first.
    pub extra: usize,
    /// The send itself failed (AS4: no receipt after the retries).
    pub send_failed: Option<String>,
}

/// Everything recorded during a run, by request message id.
#[derive(Debug, Default)]
pub struct Tally {
    pub sent: HashMap<String, Sent>,
    /// Answers to no request of this run.
    pub unknown: usize,
    pub first_send: Option<Instant>,
    pub last_answer: Option<Instant>,
}

impl Tally {
    /// Requests sent whose answer has not arrived (send failures excluded).
    pub fn outstanding(&self) -> usize {
        self.sent
            .values()
            .filter(|s| s.answered.is_none() && s.send_failed.is_none())
            .count()
    }

    pub fn answered(&self) -> usize {
        self.sent.values().filter(|s| s.answered.is_some()).count()
    }
}

/// The summary printed at the end.
#[derive(Debug)]
pub struct Summary {
    pub mode: &'static str,
    pub requests: usize,
    pub sent: usize,
    pub answered: usize,
    pub correct: usize,
    pub missing: usize,
    pub wrong: usize,
    pub duplicates: usize,
    pub send_failed: usize,
    pub unknown: usize,
    /// Wrong outcomes: (mapping test, what differed) → count.
    pub wrong_by_case: BTreeMap<(String, String), usize>,
    /// Send failures by reason.
    pub send_errors: BTreeMap<String, usize>,
    pub elapsed: Duration,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Summary {
    /// True when every request got exactly one answer, and the expected one.
    pub fn passed(&self) -> bool {
        self.correct == self.requests
            && self.missing == 0
            && self.wrong == 0
            && self.duplicates == 0
            && self.send_failed == 0
    }

    pub fn new(mode: &'static str, requests: usize, tally: &Tally, titles: &[String]) -> Self {
        let mut s = Summary {
            mode,
            requests,
            sent: tally.sent.len(),
            answered: 0,
            correct: 0,
            missing: 0,
            wrong: 0,
            duplicates: 0,
            send_failed: 0,
            unknown: tally.unknown,
            wrong_by_case: BTreeMap::new(),
            send_errors: BTreeMap::new(),
            elapsed: Duration::ZERO,
            per_second: 0.0,
            p50_ms: f64::NAN,
            p99_ms: f64::NAN,
            max_ms: f64::NAN,
        };
        let mut latencies = Vec::new();
        for r in tally.sent.values() {
            s.duplicates += r.extra;
            if let Some(why) = &r.send_failed {
                s.send_failed += 1;
                *s.send_errors.entry(why.clone()).or_default() += 1;
                continue;
            }
            match &r.answered {
                None => s.missing += 1,
                Some((at, outcome)) => {
                    s.answered += 1;
                    latencies.push(at.saturating_duration_since(r.at));
                    match outcome {
                        Ok(()) => s.correct += 1,
                        Err(why) => {
                            s.wrong += 1;
                            let title = titles.get(r.case).cloned().unwrap_or_default();
                            *s.wrong_by_case.entry((title, why.clone())).or_default() += 1;
                        }
                    }
                }
            }
        }
        // Requests never sent (the run was cut short) are missing too.
        s.missing += requests.saturating_sub(s.sent);
        latencies.sort();
        if let (Some(first), Some(last)) = (tally.first_send, tally.last_answer) {
            s.elapsed = last.saturating_duration_since(first);
            if s.elapsed > Duration::ZERO {
                s.per_second = s.answered as f64 / s.elapsed.as_secs_f64();
            }
        }
        s.p50_ms = percentile(&latencies, 0.50);
        s.p99_ms = percentile(&latencies, 0.99);
        s.max_ms = latencies
            .last()
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
        s
    }

    /// Errors by kind, zero counts left out.
    fn errors(&self) -> BTreeMap<&'static str, usize> {
        [
            ("missing", self.missing),
            ("wrong_outcome", self.wrong),
            ("duplicate", self.duplicates),
            ("send_failed", self.send_failed),
            ("unknown_answer", self.unknown),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        let ms = |v: f64| {
            if v.is_finite() {
                json!(round(v))
            } else {
                json!(null)
            }
        };
        json!({
            "mode": self.mode,
            "requests": self.requests,
            "sent": self.sent,
            "answered": self.answered,
            "correct": self.correct,
            "missing": self.missing,
            "wrong": self.wrong,
            "duplicates": self.duplicates,
            "send_failed": self.send_failed,
            "unknown_answers": self.unknown,
            "errors": self.errors(),
            "wrong_outcomes": self.wrong_by_case.iter().map(|((test, detail), n)| json!({"test": test, "detail": detail, "count": n})).collect::<Vec<_>>(),
            "send_errors": self.send_errors,
            "elapsed_s": round(self.elapsed.as_secs_f64()),
            "throughput_per_s": round(self.per_second),
            "latency_ms": {"p50": ms(self.p50_ms), "p99": ms(self.p99_ms), "max": ms(self.max_ms)},
            "passed": self.passed(),
        })
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "{} requests ({}): {} answered, {} correct, {} missing, {} wrong, {} duplicate(s), {} send failure(s)\n",
            self.requests,
            self.mode,
            self.answered,
            self.correct,
            self.missing,
            self.wrong,
            self.duplicates,
            self.send_failed
        );
        out.push_str(&format!(
            "throughput {:.1} answers/s over {:.2} s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms\n",
            self.per_second,
            self.elapsed.as_secs_f64(),
            self.p50_ms,
            self.p99_ms,
            self.max_ms
        ));
        let errors = self.errors();
        if errors.is_empty() {
            out.push_str("errors: none\n");
        } else {
            let list: Vec<String> = errors.iter().map(|(k, n)| format!("{k} {n}")).collect();
            out.push_str(&format!("errors: {}\n", list.join(", ")));
        }
        for ((test, detail), n) in &self.wrong_by_case {
            out.push_str(&format!("  wrong  {n} × {test}: {detail}\n"));
        }
        for (why, n) in &self.send_errors {
            out.push_str(&format!("  send   {n} × {why}\n"));
        }
        out
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The progress line on stderr, redrawn in place (only on a terminal).
pub fn progress(requests: usize, tally: &Tally, started: Instant) -> String {
    const WIDTH: usize = 30;
    let answered = tally.answered();
    let done = (answered * WIDTH).checked_div(requests).unwrap_or(WIDTH);
    format!(
        "\r[{}{}] sent {}/{requests}, answered {answered}, {:.1} s ",
        "#".repeat(done.min(WIDTH)),
        "-".repeat(WIDTH - done.min(WIDTH)),
        tally.sent.len(),
        started.elapsed().as_secs_f64()
    )
}
