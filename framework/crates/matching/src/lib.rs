//! Identity record matching: deciding whether exactly one registry record is the person
//! (or company) named in the request.
//!
//! The rule is absolute: evidence about the wrong person must never leave. The engine
//! therefore answers [`MatchOutcome::Match`] only when exactly one candidate is
//! confidently the subject and clearly ahead of any other; everything else becomes an
//! EDM error chosen by the exchange (docs/matching.md).
//!
//! Pipeline: [`Engine::prepare`] (assurance, required attributes, request keys) →
//! blocking passes run by the connector ([`blocking`]) → [`Engine::decide`]
//! (comparison levels, the [`guard`]s that no weight overrides, rule ladder,
//! Fellegi–Sunter weights with vetoes and the registry's own name [`frequency`],
//! uniqueness and margin) → an [`Explanation`] free of personal data.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod attribute;
pub mod blocking;
mod cache;
pub mod compare;
pub mod date;
mod engine;
mod explain;
pub mod frequency;
pub mod guard;
pub mod keys;
pub mod level;
mod normalize;
pub mod phonetic;
pub mod retrieve;
pub mod script;
mod search;
mod spec;
mod subject;
pub mod translit;

pub use attribute::{Attribute, Identity};
pub use blocking::{Candidates, KeyFn, KeySpec, pass_parameters, pass_parameters_for};
pub use compare::Level;
pub use engine::{Blocking, Engine, Pass, Prepared, SpecProblem};
pub use explain::{CandidateExplanation, Explanation, mask};
pub use frequency::NameFrequencies;
pub use guard::Guard;
pub use normalize::normalize_name;
pub use search::{Matching, matching};
pub use spec::{DecisionSpec, FrequencySpec, MatchingConfig, MatchingSpec, OnAmbiguous, OneOrMany};
pub use subject::SubjectKind;

use serde::Serialize;

use oots_edm::LevelOfAssurance;

/// Which registry fields hold each request attribute (`FamilyName → [family_name,
/// birth_name]`); a request value agreeing with any of them counts.
pub type FieldMap = std::collections::BTreeMap<Attribute, Vec<String>>;

/// The decision about one request, with the reason in terms free of personal data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MatchOutcome {
    /// Exactly one candidate is the subject.
    Match {
        /// Position of the matching record in the candidate list.
        index: usize,
        /// Why, without personal data.
        explanation: Explanation,
    },
    /// No candidate is the subject.
    NoMatch {
        /// Why, without personal data.
        explanation: Explanation,
    },
    /// More than one candidate fits, or the best is not clearly the subject: releasing
    /// any of them could hand out a stranger's data.
    Ambiguous {
        /// Why, without personal data.
        explanation: Explanation,
    },
    /// The request lacks an attribute the mapping needs to decide, or is so unspecific
    /// that too many records are candidates.
    NeedsMoreAttributes {
        /// The attributes to ask for (empty when the request was too unspecific).
        missing: Vec<Attribute>,
    },
    /// An attribute in the request cannot be compared (e.g. a date that is not a date).
    InvalidInput {
        /// The attribute that cannot be compared.
        attribute: Attribute,
        /// What is wrong with it (no value from the request).
        reason: String,
    },
    /// The subject was identified with a lower eIDAS level of assurance than the
    /// evidence type requires.
    InsufficientAssurance {
        /// The level the evidence type requires.
        required: LevelOfAssurance,
    },
}

impl MatchOutcome {
    /// Stable name of the outcome, for metrics and reports.
    pub fn name(&self) -> &'static str {
        match self {
            MatchOutcome::Match { .. } => "match",
            MatchOutcome::NoMatch { .. } => "no_match",
            MatchOutcome::Ambiguous { .. } => "ambiguous",
            MatchOutcome::NeedsMoreAttributes { .. } => "needs_more_attributes",
            MatchOutcome::InvalidInput { .. } => "invalid_input",
            MatchOutcome::InsufficientAssurance { .. } => "insufficient_assurance",
        }
    }

    /// The explanation, for the outcomes that compared candidates.
    pub fn explanation(&self) -> Option<&Explanation> {
        match self {
            MatchOutcome::Match { explanation, .. }
            | MatchOutcome::NoMatch { explanation }
            | MatchOutcome::Ambiguous { explanation } => Some(explanation),
            _ => None,
        }
    }
}
