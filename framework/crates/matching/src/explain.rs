//! Why a matching decision was taken, in terms an auditor can check and that carry no
//! personal data: comparison levels and weights, masked keys, counts.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Attribute;
use crate::compare::Level;

/// The explanation of one decision, stored with the exchange and shown by `oots-adapter test`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Explanation {
    /// Which decision procedure decided.
    pub matcher: &'static str,
    /// Candidates compared (the union of the blocking passes).
    pub candidates: usize,
    /// The attributes the request stated and the engine compared.
    pub compared: Vec<Attribute>,
    /// Candidates accepted by a rule or the accept threshold.
    pub matching_candidates: usize,
    /// The request's normalised keys, masked (`m*****`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub request_keys: BTreeMap<Attribute, Vec<String>>,
    /// The best candidates (at most five), strongest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top: Vec<CandidateExplanation>,
    /// Best minus runner-up weight, when a runner-up was at least possible.
    pub margin: Option<f64>,
    /// The accept threshold decided with.
    pub accept: f64,
    /// The "possible" threshold decided with.
    pub possible: f64,
    /// The margin required over the runner-up.
    pub required_margin: f64,
    /// Candidates found by each blocking pass.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passes: Vec<(String, usize)>,
    /// The population of the registry name frequencies decided with, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequencies: Option<u64>,
}

/// One compared candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateExplanation {
    /// The registry record id (masked), when the mapping names the id field.
    pub record: Option<String>,
    /// The comparison level of each attribute.
    pub levels: BTreeMap<Attribute, Level>,
    /// Its Fellegi–Sunter weight.
    pub weight: f64,
    /// The deterministic rule that accepted it.
    pub rule: Option<String>,
    /// The comparison that ruled it out (`DateOfBirth.else`).
    pub veto: Option<String>,
    /// The guard that kept it from being accepted (`sibling`, `date_uncorroborated`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<&'static str>,
    /// Whether it agreed only with family and given name swapped.
    pub swapped_names: bool,
}

impl Explanation {
    /// One line for `oots-adapter test` and the exchange trace.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} candidate(s), {} accepted (accept ≥ {}, possible ≥ {}, margin ≥ {})",
            self.candidates,
            self.matching_candidates,
            self.accept,
            self.possible,
            self.required_margin
        );
        if let Some(m) = self.margin {
            s.push_str(&format!(", margin {}", round2(m)));
        }
        if let Some(n) = self.frequencies {
            s.push_str(&format!(", name frequencies of {n} persons"));
        }
        for (i, c) in self.top.iter().take(3).enumerate() {
            let levels: Vec<String> = c
                .levels
                .iter()
                .map(|(a, l)| format!("{a}={}", l.name()))
                .collect();
            s.push_str(&format!(
                "; #{} weight {}{}{}{}{} [{}]",
                i + 1,
                round2(c.weight),
                c.rule
                    .as_ref()
                    .map(|r| format!(" rule {r}"))
                    .unwrap_or_default(),
                c.veto
                    .as_ref()
                    .map(|v| format!(" veto {v}"))
                    .unwrap_or_default(),
                c.guard.map(|g| format!(" guard {g}")).unwrap_or_default(),
                if c.swapped_names {
                    " names swapped"
                } else {
                    ""
                },
                levels.join(" ")
            ));
        }
        s
    }
}

/// Two decimals: term-frequency weights are not whole numbers.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Masks a value: its first character, then stars, so lengths and variants stay visible.
pub fn mask(v: &str) -> String {
    let mut chars = v.chars();
    match chars.next() {
        None => String::new(),
        Some(c) => {
            let mut out = String::with_capacity(v.len());
            out.push(c);
            out.extend(chars.map(|_| '*'));
            out
        }
    }
}
