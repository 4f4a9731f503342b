//! Identity record matching: deciding whether exactly one registry record is the person
//! (or company) named in the request.
//!
//! The rule is absolute: evidence about the wrong person must never leave. A matcher
//! therefore answers [`MatchOutcome::Match`] only when exactly one candidate is
//! confidently the subject; everything else becomes an EDM error chosen by the exchange.
//! This first matcher compares normalised names and the date of birth exactly; the full
//! engine (transliteration, phonetic keys, scores) plugs in behind the same trait.

mod attribute;
mod exact;
mod normalize;

pub use attribute::{Attribute, Identity};
pub use exact::ExactMatcher;
pub use normalize::normalize_name;

use oots_connector::Record;
use serde::Serialize;

/// Which registry field holds each request attribute (`FamilyName → family_name`).
pub type FieldMap = std::collections::BTreeMap<Attribute, String>;

/// The decision about one request, with the reason in terms free of personal data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MatchOutcome {
    /// Exactly one candidate is the subject.
    Match {
        index: usize,
        explanation: Explanation,
    },
    /// No candidate is the subject.
    NoMatch { explanation: Explanation },
    /// More than one candidate fits: releasing any of them could hand out a stranger's data.
    Ambiguous { explanation: Explanation },
    /// The request lacks an attribute the mapping needs to decide.
    NeedsMoreAttributes { missing: Vec<Attribute> },
    /// An attribute in the request cannot be compared (e.g. a date that is not a date).
    InvalidInput {
        attribute: Attribute,
        reason: String,
    },
}

/// Why a decision was taken: counts and compared attributes, never names or dates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Explanation {
    pub matcher: &'static str,
    pub candidates: usize,
    pub compared: Vec<Attribute>,
    pub matching_candidates: usize,
}

/// A strategy deciding which registry record, if any, is the requested subject.
pub trait Matcher: Send + Sync + std::fmt::Debug {
    /// Decides among `candidates` (as returned by the connector) for `identity`.
    fn decide(&self, identity: &Identity, candidates: &[Record], fields: &FieldMap)
    -> MatchOutcome;
}
