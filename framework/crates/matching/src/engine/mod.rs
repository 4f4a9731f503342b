//! The matching engine: compare every candidate on every mapped attribute, apply the
//! guards (which no weight overrides), the rule ladder and the Fellegi–Sunter score with
//! vetoes, then accept only a unique candidate clearly ahead of the runner-up
//! (docs/matching.md, "The steps of one decision").
//!
//! The engine is compiled once per mapping ([`compile`]) from the mapping's section and the
//! [`defaults`]; each request is then [`prepare`]d, every candidate compared attribute by
//! attribute ([`levels`]) and [`score`]d, and the [`verdict`] taken over all of them.

mod compile;
mod defaults;
mod levels;
mod prepare;
mod score;
mod verdict;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::Arc;

use oots_connector::{Record, Value};

use crate::SubjectKind;
use crate::blocking::KeySpec;
use crate::cache::NameCache;
use crate::compare::Level;
use crate::frequency::{FrequencyCell, NameFrequencies};
use crate::guard::Corroboration;
use crate::spec::{DecisionSpec, FrequencySpec, OnAmbiguous};
use crate::{Attribute, FieldMap};
use oots_edm::LevelOfAssurance;

pub use prepare::Prepared;

/// A problem in the `matching:` section, with the YAML location when known.
#[derive(Debug, Clone)]
pub struct SpecProblem {
    /// What is wrong, for the mapping author.
    pub message: String,
    /// Where in the YAML, when known.
    pub location: Option<serde_saphyr::Location>,
}

/// One blocking pass, compiled.
#[derive(Debug, Clone)]
pub struct Pass {
    /// The pass name (for explanations and metrics).
    pub name: String,
    /// `None`: the connector's query.
    pub query: Option<String>,
    /// Query parameters and the request key bound to each.
    pub parameters: Vec<(String, KeySpec)>,
}

/// Candidate retrieval, compiled.
#[derive(Debug, Clone)]
pub struct Blocking {
    /// More candidates than this from all passes: the request is too unspecific.
    pub max_candidates: usize,
    /// The passes, run in order.
    pub passes: Vec<Pass>,
}

/// One rung of the rule ladder: the levels each attribute must reach for the rule to accept.
#[derive(Debug, Clone)]
struct Rule {
    name: String,
    require: Vec<(Attribute, Vec<Level>)>,
}

/// The compiled matching configuration of one mapping.
#[derive(Debug, Clone)]
pub struct Engine {
    subject: SubjectKind,
    fields: FieldMap,
    date_format: Option<String>,
    particles: Vec<String>,
    record_id: Option<String>,
    rules: Vec<Rule>,
    /// The weights with every level resolved (see [`Engine::weight`]), indexed by
    /// `attribute × level`: the score is summed for every candidate.
    weight_table: Vec<f64>,
    vetoes: BTreeSet<(Attribute, Level)>,
    required: Vec<Attribute>,
    swapped_names: f64,
    decision: DecisionSpec,
    min_loa: Option<LevelOfAssurance>,
    blocking: Option<Blocking>,
    /// Registry key columns (`surname_cologne` → `FamilyName.cologne`).
    keys: Vec<(String, KeySpec)>,
    /// Registry names prepared once (shared by clones of this engine).
    names: Arc<NameCache>,
    /// What may vouch for a name or date that is not exactly the record's.
    corroboration: Corroboration,
    /// Where the registry's name frequencies come from, when the mapping says.
    frequency_spec: Option<FrequencySpec>,
    /// Fewer persons than this in the frequency table: it is not used.
    min_population: u64,
    /// The registry's name frequencies, loaded in the background (shared by clones).
    frequencies: Arc<FrequencyCell>,
}

impl Engine {
    /// Candidate retrieval, when the mapping declares blocking passes.
    pub fn blocking(&self) -> Option<&Blocking> {
        self.blocking.as_ref()
    }

    /// The `date_format` registry dates are read with, when not ISO.
    pub fn date_format(&self) -> Option<&str> {
        self.date_format.as_deref()
    }

    /// The registry field holding a record's id, when the mapping names one.
    pub fn record_id(&self) -> Option<&str> {
        self.record_id.as_deref()
    }

    /// Which registry fields hold each request attribute.
    pub fn fields(&self) -> &FieldMap {
        &self.fields
    }

    /// Registry columns holding precomputed keys, with the key each holds.
    pub fn key_columns(&self) -> &[(String, KeySpec)] {
        &self.keys
    }

    /// Where the registry's name frequencies come from, if the mapping says.
    pub fn frequency_spec(&self) -> Option<&FrequencySpec> {
        self.frequency_spec.as_ref()
    }

    /// The cell holding the name frequencies (loaded by [`super::retrieve`], or set by
    /// `match-eval` and the benchmark).
    pub fn frequency_cell(&self) -> &FrequencyCell {
        &self.frequencies
    }

    /// The same engine for another registry (a test's fixtures): without the frequency
    /// source, whose counts describe the mapping's registry, not that one.
    pub fn without_frequencies(&self) -> Engine {
        Engine {
            frequency_spec: None,
            frequencies: Arc::new(FrequencyCell::default()),
            ..self.clone()
        }
    }

    /// Installs name frequencies built elsewhere (`match-eval`, the benchmark).
    pub fn set_frequencies(&self, table: NameFrequencies) {
        self.frequencies.set(table);
    }

    /// The name frequencies decisions use now: none until loaded, and none for a
    /// registry smaller than `min_population`.
    pub fn frequencies(&self) -> Option<Arc<NameFrequencies>> {
        self.frequencies
            .current()
            .filter(|t| t.population() >= self.min_population)
    }

    /// Whether the registry may hold names in Greek or Cyrillic script: unknown until its
    /// name frequencies are read (then yes), else what they show. Blocking sends the keys
    /// of such names only when it may.
    pub fn registry_may_hold_native_scripts(&self) -> bool {
        self.frequencies
            .current()
            .is_none_or(|t| t.holds_native_scripts())
    }

    /// The name particles (`van`, `de`…), as frequency tables must key names.
    pub fn name_particles(&self) -> Vec<&str> {
        self.particles()
    }

    /// What an ambiguous result becomes when the requester allows a preview.
    pub fn on_ambiguous(&self) -> OnAmbiguous {
        self.decision.on_ambiguous.value
    }

    /// Where `decision.on_ambiguous` is written in the mapping file (unknown if it is not).
    pub fn on_ambiguous_location(&self) -> serde_saphyr::Location {
        self.decision.on_ambiguous.referenced
    }

    /// The name particles, borrowed.
    fn particles(&self) -> Vec<&str> {
        self.particles.iter().map(String::as_str).collect()
    }

    /// The resolved weight of level `l` of attribute `a` (see `weight_table`).
    fn weight(&self, a: Attribute, l: Level) -> f64 {
        self.weight_table[a as usize * Level::ALL.len() + l as usize]
    }

    /// The value a registry key column holds for a record (`surname_cologne` of its
    /// first FamilyName field), as `match-eval` and `match-keys` compute them.
    pub fn key_value(&self, key: &KeySpec, rec: &Record) -> Value {
        let field = self
            .fields
            .get(&key.attribute)
            .and_then(|f| f.first())
            .and_then(|f| rec.get(f))
            .cloned()
            .unwrap_or(Value::Null);
        key.registry_value(&field, self.date_format())
    }

    /// The identity of a registry record, for merging the candidates of several passes.
    pub fn record_key(&self, rec: &Record) -> Option<String> {
        let f = self.record_id.as_deref()?;
        rec.get(f).and_then(Value::as_text)
    }
}
