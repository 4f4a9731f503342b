//! Prometheus metrics (`/metrics`): a small hand-rolled registry of atomics.
//!
//! Hand-rolled because the adapter needs a dozen series and nothing else from a metrics
//! library. Every label value comes from a closed set (outcomes, preview steps) or from
//! configuration (connection names), and each labelled family is capped, so a bug can
//! never turn a request's content into a new series. No personal data is ever a label.
//!
//! Family names are all `oots_*` and none starts with `oots_mapping_`, which is
//! [`crate::mapping::Generations::metrics`]'s namespace: both texts are concatenated on
//! `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::edm::ErrorCode;
use crate::gateway_health::{GatewayHealth, GatewayStatus};

/// The preview funnel's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewStep {
    /// An `EDM:ERR:0002` with a link went out.
    Issued,
    /// The user opened the link.
    Visited,
    /// The user signed in and the identity fitted.
    SignedIn,
    Approved,
    Declined,
    /// The sign-in did not fit the request.
    Mismatch,
    /// Several records fitted and the sign-in did not single one out.
    Unresolved,
    /// A deadline passed.
    Expired,
}

impl PreviewStep {
    /// Every step, in funnel order (the order they are rendered in).
    pub const ALL: [PreviewStep; 8] = [
        PreviewStep::Issued,
        PreviewStep::Visited,
        PreviewStep::SignedIn,
        PreviewStep::Approved,
        PreviewStep::Declined,
        PreviewStep::Mismatch,
        PreviewStep::Unresolved,
        PreviewStep::Expired,
    ];

    /// The `step` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            PreviewStep::Issued => "issued",
            PreviewStep::Visited => "visited",
            PreviewStep::SignedIn => "signed_in",
            PreviewStep::Approved => "approved",
            PreviewStep::Declined => "declined",
            PreviewStep::Mismatch => "mismatch",
            PreviewStep::Unresolved => "unresolved",
            PreviewStep::Expired => "expired",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Upper bounds (seconds) of the latency histograms: 1 ms to 10 s, roughly ×2.5 apart.
pub const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The `outcome` label of anything that is neither `evidence` nor a known EDM code.
const OTHER: &str = "other";

/// Most distinct `code` values of `oots_send_failures_total`; later ones count as `other`.
const MAX_SEND_CODES: usize = 32;
/// Most distinct connections of the registry families; later ones count as `other`.
const MAX_CONNECTIONS: usize = 64;

/// A latency histogram with the fixed [`BUCKETS`]. Buckets are stored per bucket (not
/// cumulative) and summed when rendered, so an observation touches one bucket only.
#[derive(Debug, Default)]
struct Histogram {
    /// One slot per bound, then `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|&le| secs <= le)
            .unwrap_or(BUCKETS.len());
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes `_bucket`, `_sum` and `_count` lines; `labels` is `k="v"` pairs or empty.
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0u64;
        for (i, slot) in self.buckets.iter().enumerate() {
            cumulative += slot.load(Ordering::Relaxed);
            let le = BUCKETS
                .get(i)
                .map(|b| b.to_string())
                .unwrap_or_else(|| "+Inf".to_owned());
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        // The count is the +Inf bucket, read once, so the two always agree.
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

/// One registry connection's lookups.
#[derive(Debug, Default)]
struct Lookups {
    ok: AtomicU64,
    error: AtomicU64,
    latency: Histogram,
}

/// A family keyed by one label whose values are not known in advance, capped at `max`
/// distinct values (then `other`).
#[derive(Debug)]
struct Capped<T> {
    max: usize,
    series: RwLock<BTreeMap<String, Arc<T>>>,
}

impl<T: Default> Capped<T> {
    fn new(max: usize) -> Self {
        Self {
            max,
            series: RwLock::new(BTreeMap::new()),
        }
    }

    fn get(&self, key: &str) -> Arc<T> {
        if let Some(s) = self
            .series
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
        {
            return s.clone();
        }
        let mut map = self.series.write().unwrap_or_else(|p| p.into_inner());
        let key = if map.len() >= self.max && !map.contains_key(key) {
            OTHER
        } else {
            key
        };
        map.entry(key.to_owned()).or_default().clone()
    }

    fn snapshot(&self) -> Vec<(String, Arc<T>)> {
        self.series
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Counters and histograms of one process.
#[derive(Debug)]
pub struct Metrics {
    received: AtomicU64,
    /// `evidence`, then the EDM codes in [`ErrorCode::ALL`] order, then `declined`,
    /// `deferred`, then `other`.
    outcomes: [AtomicU64; ErrorCode::ALL.len() + 4],
    send_failures: Capped<AtomicU64>,
    /// Answers given up, by ebMS code (`EBMS:0301`).
    given_up: Capped<AtomicU64>,
    preview: [AtomicU64; PreviewStep::ALL.len()],
    lookups: Capped<Lookups>,
    decision: Histogram,
    answer: Histogram,
    /// Delivery confirmations held in memory because the store did not take them yet.
    deliveries_unrecorded: AtomicU64,
    /// Delivery confirmations dropped because too many were held.
    deliveries_dropped: AtomicU64,
    /// Whether the access point takes answers, for `/readyz` and the operator page.
    gateway: GatewayHealth,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            received: AtomicU64::new(0),
            outcomes: Default::default(),
            send_failures: Capped::new(MAX_SEND_CODES),
            given_up: Capped::new(MAX_SEND_CODES),
            preview: Default::default(),
            lookups: Capped::new(MAX_CONNECTIONS),
            decision: Histogram::default(),
            answer: Histogram::default(),
            deliveries_unrecorded: AtomicU64::new(0),
            deliveries_dropped: AtomicU64::new(0),
            gateway: GatewayHealth::default(),
        }
    }
}

/// What a scrape shows of the state store, read by the caller (this registry holds no
/// state of its own).
#[derive(Debug, Clone, Copy)]
pub struct StoreReading<'a> {
    /// The store answered this scrape's read in time.
    pub up: bool,
    /// Exchange counts by state: read now, or the last known ones.
    pub counts: &'a [(String, i64)],
    /// Seconds since `counts` were read (0 when read now); `None` if never read.
    pub age_seconds: Option<f64>,
}

impl<'a> StoreReading<'a> {
    /// Counts read just now.
    pub fn fresh(counts: &'a [(String, i64)]) -> Self {
        Self {
            up: true,
            counts,
            age_seconds: Some(0.0),
        }
    }
}

/// The `outcome` label values, in the order of `Metrics::outcomes`.
fn outcome_label(i: usize) -> &'static str {
    match i {
        0 => "evidence",
        i if i == DECLINED_INDEX => DECLINED,
        i if i == DEFERRED_INDEX => DEFERRED,
        i => ErrorCode::ALL.get(i - 1).map(|c| c.code()).unwrap_or(OTHER),
    }
}

/// The outcome of a follow-up whose user declined in the preview (an evidence response
/// without evidence, not an error).
const DECLINED: &str = "declined";
/// Where `declined` counts: after the EDM codes, before `other`.
const DECLINED_INDEX: usize = ErrorCode::ALL.len() + 1;
/// A deferral (evidence available later, TDD 4.5.2): a response, not an error.
const DEFERRED: &str = "deferred";
/// Where `deferred` counts: after `declined`, before `other`.
const DEFERRED_INDEX: usize = DECLINED_INDEX + 1;

fn outcome_index(outcome: &str) -> usize {
    match outcome {
        "evidence" => 0,
        DECLINED => DECLINED_INDEX,
        DEFERRED => DEFERRED_INDEX,
        _ => ErrorCode::ALL
            .iter()
            .position(|c| c.code() == outcome)
            .map(|i| i + 1)
            .unwrap_or(DEFERRED_INDEX + 1),
    }
}

/// A `code` label value as given when it looks like a stable code (`GATEWAY_TIMEOUT`,
/// `EDM:ERR:0005`, `gateway.unreachable`), else `other`: an error message must never
/// become a label.
fn code_label(code: &str) -> &str {
    let stable = !code.is_empty()
        && code.len() <= 48
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.'));
    if stable { code } else { OTHER }
}

/// Escapes a label value per the text exposition format: `\`, `"` and newline.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// A request message was stored (before its acknowledgement).
    pub fn received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }

    /// An answer was decided: `outcome` is `evidence`, `declined` or the EDM error code; `latency`
    /// runs from storing the request to the decision. Anything else counts as `other`.
    pub fn decided(&self, outcome: &str, latency: Duration) {
        self.outcomes[outcome_index(outcome)].fetch_add(1, Ordering::Relaxed);
        self.decision.observe(latency);
    }

    /// An answer was submitted; `latency` runs from storing the request.
    pub fn sent(&self, latency: Duration) {
        self.answer.observe(latency);
        self.gateway.ok();
    }

    /// Whether the access point takes answers now (from the newest submissions).
    pub fn gateway(&self) -> GatewayStatus {
        self.gateway.status()
    }

    /// A send attempt failed (the outbox retries). `code` is a stable error code; a
    /// value that does not look like one counts as `other`.
    pub fn send_failed(&self, code: &str) {
        self.gateway.failed(code_label(code));
        self.send_failures
            .get(code_label(code))
            .fetch_add(1, Ordering::Relaxed);
    }

    /// An answer is given up: every attempt its retry schedule allows failed (`code`:
    /// `EBMS:0301` MissingReceipt). The exchange stays in state `failed`.
    pub fn send_given_up(&self, code: &str) {
        self.given_up
            .get(code_label(code))
            .fetch_add(1, Ordering::Relaxed);
    }

    /// One step of a preview session.
    pub fn preview(&self, step: PreviewStep) {
        self.preview[step.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// `n` delivery confirmations are held in memory until the store takes them.
    pub fn deliveries_unrecorded(&self, n: usize) {
        self.deliveries_unrecorded
            .store(n as u64, Ordering::Relaxed);
    }

    /// `n` delivery confirmations were dropped: more were held than the bound allows.
    pub fn deliveries_dropped(&self, n: usize) {
        self.deliveries_dropped
            .fetch_add(n as u64, Ordering::Relaxed);
    }

    /// One registry lookup of connection `connection` (a name from `adapter.yaml`).
    pub fn lookup(&self, connection: &str, ok: bool, latency: Duration) {
        let series = self.lookups.get(connection);
        if ok {
            series.ok.fetch_add(1, Ordering::Relaxed);
        } else {
            series.error.fetch_add(1, Ordering::Relaxed);
        }
        series.latency.observe(latency);
    }

    /// The text exposition (format 0.0.4) of every family, plus the store's gauges from
    /// `store`: `oots_store_up`, `oots_exchanges_in_state{state}` and their age.
    pub fn render(&self, store: StoreReading<'_>) -> String {
        let mut out = String::with_capacity(4096);
        self.render_exchanges(&mut out);
        self.render_preview(&mut out);
        let lookups = self.lookups.snapshot();
        render_lookup_counts(&mut out, &lookups);
        self.render_latencies(&mut out, &lookups);
        render_store(&mut out, store);
        self.render_deliveries(&mut out);
        out
    }

    /// Requests received, answers by outcome, failed and given-up sends.
    fn render_exchanges(&self, out: &mut String) {
        let name = "oots_requests_received_total";
        header(
            out,
            name,
            "counter",
            "Request messages stored, before their acknowledgement.",
        );
        let _ = writeln!(out, "{name} {}", self.received.load(Ordering::Relaxed));

        let name = "oots_exchanges_total";
        header(
            out,
            name,
            "counter",
            "Answers decided, by outcome (evidence, declined, deferred or the EDM error code).",
        );
        for (i, c) in self.outcomes.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}{{outcome=\"{}\"}} {}",
                escape_label(outcome_label(i)),
                c.load(Ordering::Relaxed)
            );
        }

        let name = "oots_send_failures_total";
        header(
            out,
            name,
            "counter",
            "Failed attempts to submit an answer, by error code (the outbox retries).",
        );
        for (code, c) in self.send_failures.snapshot() {
            let _ = writeln!(
                out,
                "{name}{{code=\"{}\"}} {}",
                escape_label(&code),
                c.load(Ordering::Relaxed)
            );
        }

        let name = "oots_sends_given_up_total";
        header(
            out,
            name,
            "counter",
            "Answers not sent again after every attempt of the retry schedule failed, by ebMS code.",
        );
        for (code, c) in self.given_up.snapshot() {
            let _ = writeln!(
                out,
                "{name}{{code=\"{}\"}} {}",
                escape_label(&code),
                c.load(Ordering::Relaxed)
            );
        }
    }

    /// The preview funnel.
    fn render_preview(&self, out: &mut String) {
        let name = "oots_preview_total";
        header(
            out,
            name,
            "counter",
            "Preview sessions reaching each step of the funnel.",
        );
        for step in PreviewStep::ALL {
            let _ = writeln!(
                out,
                "{name}{{step=\"{}\"}} {}",
                step.as_str(),
                self.preview[step.index()].load(Ordering::Relaxed)
            );
        }
    }

    /// Decision, answer and registry lookup durations.
    fn render_latencies(&self, out: &mut String, lookups: &[(String, Arc<Lookups>)]) {
        let name = "oots_decision_seconds";
        header(
            out,
            name,
            "histogram",
            "Time from storing a request to deciding its answer.",
        );
        self.decision.render(out, name, "");

        let name = "oots_answer_seconds";
        header(
            out,
            name,
            "histogram",
            "Time from storing a request to submitting its answer.",
        );
        self.answer.render(out, name, "");

        let name = "oots_registry_lookup_seconds";
        header(
            out,
            name,
            "histogram",
            "Duration of registry lookups, by connection.",
        );
        for (conn, s) in lookups {
            let labels = format!("connection=\"{}\"", escape_label(conn));
            s.latency.render(out, name, &labels);
        }
    }

    /// Delivery confirmations held and dropped while the store was away.
    fn render_deliveries(&self, out: &mut String) {
        let name = "oots_deliveries_unrecorded";
        header(
            out,
            name,
            "gauge",
            "Delivery confirmations held in memory until the state store takes them.",
        );
        let _ = writeln!(
            out,
            "{name} {}",
            self.deliveries_unrecorded.load(Ordering::Relaxed)
        );

        let name = "oots_deliveries_dropped_total";
        header(
            out,
            name,
            "counter",
            "Delivery confirmations dropped while the state store was away, beyond the number held in memory (their exchanges stay answered).",
        );
        let _ = writeln!(
            out,
            "{name} {}",
            self.deliveries_dropped.load(Ordering::Relaxed)
        );
    }
}

/// Registry lookups by connection and result.
fn render_lookup_counts(out: &mut String, lookups: &[(String, Arc<Lookups>)]) {
    let name = "oots_registry_lookups_total";
    header(
        out,
        name,
        "counter",
        "Registry lookups, by connection and result.",
    );
    for (conn, s) in lookups {
        let conn = escape_label(conn);
        for (result, c) in [("ok", &s.ok), ("error", &s.error)] {
            let _ = writeln!(
                out,
                "{name}{{connection=\"{conn}\",result=\"{result}\"}} {}",
                c.load(Ordering::Relaxed)
            );
        }
    }
}

/// The state store's gauges, as read by the caller.
fn render_store(out: &mut String, store: StoreReading<'_>) {
    let name = "oots_exchanges_in_state";
    header(
        out,
        name,
        "gauge",
        "Exchanges in the state store, by state.",
    );
    for (state, n) in store.counts {
        let _ = writeln!(out, "{name}{{state=\"{}\"}} {n}", escape_label(state));
    }

    let name = "oots_exchanges_in_state_age_seconds";
    header(
        out,
        name,
        "gauge",
        "Seconds since oots_exchanges_in_state was read from the state store (0: by this scrape; growing: the last known values, the store does not answer).",
    );
    if let Some(age) = store.age_seconds {
        let _ = writeln!(out, "{name} {age:.3}");
    }

    let name = "oots_store_up";
    header(
        out,
        name,
        "gauge",
        "1 if the state store answered this scrape within its budget, else 0.",
    );
    let _ = writeln!(out, "{name} {}", u8::from(store.up));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One parsed sample line: name, labels in order, value.
    #[derive(Debug, PartialEq)]
    struct Sample {
        name: String,
        labels: Vec<(String, String)>,
        value: f64,
    }

    /// A strict reader of the text format: every line is a HELP, a TYPE (each once per
    /// family, before its samples) or a sample of the family last typed.
    fn parse(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
        let mut types = BTreeMap::new();
        let mut helps = BTreeMap::new();
        let mut samples = Vec::new();
        let mut current: Option<(String, String)> = None;
        assert!(text.ends_with('\n'), "the text ends with a newline");
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect("help text");
                assert!(!help.is_empty());
                assert!(helps.insert(name.to_owned(), ()).is_none(), "HELP twice");
                continue;
            }
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("type");
                assert!(helps.contains_key(name), "HELP before TYPE for {name}");
                assert!(
                    ["counter", "gauge", "histogram"].contains(&kind),
                    "type {kind}"
                );
                assert!(
                    types.insert(name.to_owned(), kind.to_owned()).is_none(),
                    "TYPE twice for {name}"
                );
                current = Some((name.to_owned(), kind.to_owned()));
                continue;
            }
            assert!(!line.starts_with('#'), "unexpected comment {line}");
            let s = parse_sample(line);
            let (family, kind) = current.clone().expect("sample before any TYPE");
            let ok = match kind.as_str() {
                "histogram" => [
                    format!("{family}_bucket"),
                    format!("{family}_sum"),
                    format!("{family}_count"),
                ]
                .contains(&s.name),
                _ => s.name == family,
            };
            assert!(ok, "sample {} outside its family {family}", s.name);
            samples.push(s);
        }
        (types, samples)
    }

    fn parse_sample(line: &str) -> Sample {
        let (head, value) = line.rsplit_once(' ').expect("value");
        let value = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value in {line}")),
        };
        let Some((name, rest)) = head.split_once('{') else {
            return Sample {
                name: head.to_owned(),
                labels: Vec::new(),
                value,
            };
        };
        let body = rest.strip_suffix('}').expect("closing brace");
        let mut labels = Vec::new();
        let mut chars = body.chars().peekable();
        while chars.peek().is_some() {
            let key: String = chars.by_ref().take_while(|&c| c != '=').collect();
            assert_eq!(chars.next(), Some('"'), "quoted value in {line}");
            let mut v = String::new();
            loop {
                match chars.next().expect("unterminated value") {
                    '\\' => match chars.next().expect("escape") {
                        '\\' => v.push('\\'),
                        '"' => v.push('"'),
                        'n' => v.push('\n'),
                        c => panic!("bad escape \\{c} in {line}"),
                    },
                    '"' => break,
                    '\n' => panic!("raw newline"),
                    c => v.push(c),
                }
            }
            labels.push((key, v));
            match chars.next() {
                Some(',') | None => {}
                Some(c) => panic!("unexpected {c} in {line}"),
            }
        }
        Sample {
            name: name.to_owned(),
            labels,
            value,
        }
    }

    fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> &'a Sample {
        samples
            .iter()
            .find(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(a, b)| a == k && b == v))
            })
            .unwrap_or_else(|| panic!("no {name} {labels:?}"))
    }

    #[test]
    fn renders_every_family_with_help_type_and_values() {
        let m = Metrics::new();
        m.received();
        m.received();
        m.decided("evidence", Duration::from_millis(3));
        m.decided("EDM:ERR:0004", Duration::from_millis(40));
        m.decided("declined", Duration::from_millis(50));
        m.decided("deferred", Duration::from_millis(30));
        m.decided("Dupont Jean 1990-01-01", Duration::from_secs(20));
        m.sent(Duration::from_millis(700));
        m.send_failed("GATEWAY_UNAVAILABLE");
        m.send_failed("connection refused to 10.0.0.1");
        m.send_given_up("EBMS:0301");
        m.preview(PreviewStep::Visited);
        m.preview(PreviewStep::Approved);
        m.lookup("civil-registry", true, Duration::from_micros(900));
        m.lookup("civil-registry", false, Duration::from_secs(11));
        let text = m.render(StoreReading::fresh(&[
            ("received".into(), 2),
            ("answered".into(), 5),
        ]));
        let (types, samples) = parse(&text);

        let expected = [
            ("oots_requests_received_total", "counter"),
            ("oots_exchanges_total", "counter"),
            ("oots_send_failures_total", "counter"),
            ("oots_sends_given_up_total", "counter"),
            ("oots_preview_total", "counter"),
            ("oots_registry_lookups_total", "counter"),
            ("oots_decision_seconds", "histogram"),
            ("oots_answer_seconds", "histogram"),
            ("oots_registry_lookup_seconds", "histogram"),
            ("oots_exchanges_in_state", "gauge"),
            ("oots_exchanges_in_state_age_seconds", "gauge"),
            ("oots_store_up", "gauge"),
            ("oots_deliveries_unrecorded", "gauge"),
            ("oots_deliveries_dropped_total", "counter"),
        ];
        for (name, kind) in expected {
            assert_eq!(types.get(name).map(String::as_str), Some(kind), "{name}");
            // reload.rs owns `oots_mapping_*`; both texts share `/metrics`.
            assert!(!name.starts_with("oots_mapping_"));
        }
        assert_eq!(types.len(), expected.len());

        assert_eq!(
            find(&samples, "oots_requests_received_total", &[]).value,
            2.0
        );
        let outcome = |o| find(&samples, "oots_exchanges_total", &[("outcome", o)]).value;
        assert_eq!(outcome("evidence"), 1.0);
        assert_eq!(outcome("EDM:ERR:0004"), 1.0);
        assert_eq!(outcome("EDM:ERR:0001"), 0.0);
        // A declined preview is neither evidence nor an error.
        assert_eq!(outcome("declined"), 1.0);
        // Nor is a deferral (evidence available later).
        assert_eq!(outcome("deferred"), 1.0);
        // Free text never becomes a label value.
        assert_eq!(outcome("other"), 1.0);
        assert!(!text.contains("Dupont"));
        assert!(!text.contains("10.0.0.1"));
        let code = |c| find(&samples, "oots_send_failures_total", &[("code", c)]).value;
        assert_eq!(code("GATEWAY_UNAVAILABLE"), 1.0);
        assert_eq!(code("other"), 1.0);
        let given_up = |c| find(&samples, "oots_sends_given_up_total", &[("code", c)]).value;
        assert_eq!(given_up("EBMS:0301"), 1.0);
        let step = |s| find(&samples, "oots_preview_total", &[("step", s)]).value;
        assert_eq!(step("visited"), 1.0);
        assert_eq!(step("approved"), 1.0);
        assert_eq!(step("expired"), 0.0);
        let lookups = |r| {
            find(
                &samples,
                "oots_registry_lookups_total",
                &[("connection", "civil-registry"), ("result", r)],
            )
            .value
        };
        assert_eq!((lookups("ok"), lookups("error")), (1.0, 1.0));
        let state = |s| find(&samples, "oots_exchanges_in_state", &[("state", s)]).value;
        assert_eq!((state("received"), state("answered")), (2.0, 5.0));
        assert_eq!(find(&samples, "oots_store_up", &[]).value, 1.0);
        assert_eq!(
            find(&samples, "oots_exchanges_in_state_age_seconds", &[]).value,
            0.0
        );
    }

    #[test]
    fn a_store_that_does_not_answer_shows_as_down_with_the_last_counts_and_their_age() {
        let m = Metrics::new();
        m.deliveries_unrecorded(44);
        m.deliveries_dropped(3);
        let counts = [("answered".to_owned(), 7)];
        let (_, samples) = parse(&m.render(StoreReading {
            up: false,
            counts: &counts,
            age_seconds: Some(12.5),
        }));
        assert_eq!(find(&samples, "oots_store_up", &[]).value, 0.0);
        assert_eq!(
            find(
                &samples,
                "oots_exchanges_in_state",
                &[("state", "answered")]
            )
            .value,
            7.0
        );
        assert_eq!(
            find(&samples, "oots_exchanges_in_state_age_seconds", &[]).value,
            12.5
        );
        assert_eq!(
            find(&samples, "oots_deliveries_unrecorded", &[]).value,
            44.0
        );
        assert_eq!(
            find(&samples, "oots_deliveries_dropped_total", &[]).value,
            3.0
        );
        // Never read: no counts, no age, but still an explicit 0.
        let (_, samples) = parse(&m.render(StoreReading {
            up: false,
            counts: &[],
            age_seconds: None,
        }));
        assert_eq!(find(&samples, "oots_store_up", &[]).value, 0.0);
        assert!(
            !samples
                .iter()
                .any(|s| s.name == "oots_exchanges_in_state_age_seconds")
        );
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_agree_with_count_and_sum() {
        let m = Metrics::new();
        for ms in [0.5, 1.0, 2.0, 30.0, 30.0, 400.0, 9_000.0, 60_000.0] {
            m.decided("evidence", Duration::from_secs_f64(ms / 1000.0));
        }
        let (_, samples) = parse(&m.render(StoreReading::fresh(&[])));
        let buckets: Vec<(f64, f64)> = samples
            .iter()
            .filter(|s| s.name == "oots_decision_seconds_bucket")
            .map(|s| {
                let le = &s.labels.iter().find(|(k, _)| k == "le").expect("le").1;
                let le = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().expect("le")
                };
                (le, s.value)
            })
            .collect();
        assert_eq!(buckets.len(), BUCKETS.len() + 1);
        assert!(buckets.windows(2).all(|w| w[0].0 < w[1].0), "le ascending");
        assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "cumulative");
        let at = |le: f64| buckets.iter().find(|b| b.0 == le).expect("bucket").1;
        assert_eq!(at(0.001), 2.0, "0.5 ms and exactly 1 ms are <= 1 ms");
        assert_eq!(at(0.0025), 3.0);
        assert_eq!(at(0.05), 5.0);
        assert_eq!(at(0.5), 6.0);
        assert_eq!(at(10.0), 7.0);
        assert_eq!(at(f64::INFINITY), 8.0);
        assert_eq!(
            find(&samples, "oots_decision_seconds_count", &[]).value,
            8.0
        );
        let sum = find(&samples, "oots_decision_seconds_sum", &[]).value;
        assert!((sum - 69.4635).abs() < 1e-6, "{sum}");
        // An untouched histogram still renders its zero buckets.
        assert_eq!(find(&samples, "oots_answer_seconds_count", &[]).value, 0.0);
        let inf = find(&samples, "oots_answer_seconds_bucket", &[("le", "+Inf")]);
        assert_eq!(inf.value, 0.0);
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::new();
        let odd = "reg \"a\"\\b\nc";
        m.lookup(odd, true, Duration::from_millis(1));
        let text = m.render(StoreReading::fresh(&[("weird\"state".into(), 1)]));
        assert!(text.contains(r#"connection="reg \"a\"\\b\nc""#), "{text}");
        let (_, samples) = parse(&text);
        let s = find(
            &samples,
            "oots_registry_lookup_seconds_count",
            &[("connection", odd)],
        );
        assert_eq!(s.value, 1.0);
        assert_eq!(
            find(
                &samples,
                "oots_exchanges_in_state",
                &[("state", "weird\"state")]
            )
            .value,
            1.0
        );
    }

    #[test]
    fn label_cardinality_is_capped() {
        let m = Metrics::new();
        for i in 0..(MAX_CONNECTIONS + 10) {
            m.lookup(&format!("c{i}"), true, Duration::from_millis(1));
        }
        for i in 0..(MAX_SEND_CODES + 10) {
            m.send_failed(&format!("CODE_{i}"));
        }
        let (_, samples) = parse(&m.render(StoreReading::fresh(&[])));
        let conns: std::collections::BTreeSet<&str> = samples
            .iter()
            .filter(|s| s.name == "oots_registry_lookups_total")
            .filter_map(|s| s.labels.iter().find(|(k, _)| k == "connection"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(conns.len(), MAX_CONNECTIONS + 1);
        assert_eq!(
            find(
                &samples,
                "oots_registry_lookups_total",
                &[("connection", "other"), ("result", "ok")]
            )
            .value,
            10.0
        );
        let codes = samples
            .iter()
            .filter(|s| s.name == "oots_send_failures_total")
            .count();
        assert_eq!(codes, MAX_SEND_CODES + 1);
    }
}
