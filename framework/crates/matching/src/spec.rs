//! The `matching:` section of a mapping file, as the authority writes it. Every number has
//! a default (docs/matching.md), so a mapping only states what it changes.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::Attribute;
use crate::compare::Level;

/// How the registry record of the subject is found and decided on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingSpec {
    /// Record field identifying a registry record, so the candidates of several blocking
    /// passes are merged. Without it, identical records are merged.
    #[serde(default)]
    pub record_id: Option<String>,
    /// How the registry writes dates held as text (`%Y%m%d`, `%d.%m.%Y`); ISO dates and
    /// database date columns are always understood. A day or month written as `00` is unknown.
    #[serde(default)]
    pub date_format: Option<String>,
    /// Name particles that may be left out (`van`, `de`, `von`…); default: a common list.
    #[serde(default)]
    pub particles: Option<Vec<String>>,
    /// Registry key columns derived from fields, for blocking on indexed columns
    /// (`surname_cologne: FamilyName.cologne`). `oots-adapter match-eval` builds them; a
    /// live registry keeps them up to date itself (a view, a trigger or a nightly job).
    #[serde(default)]
    pub keys: BTreeMap<String, Spanned<String>>,
    /// Candidate retrieval: indexed look-ups whose union is compared. Without it, the
    /// connector's query is the only pass.
    #[serde(default)]
    pub blocking: Option<BlockingSpec>,
    /// Deterministic rules, tried in order; a rule that fires accepts the candidate
    /// (uniqueness and margin still apply). Default: exact keys on the minimum data set.
    #[serde(default)]
    pub rules: Option<Vec<RuleSpec>>,
    /// Fellegi–Sunter weights (log2 m/u) per attribute and comparison level, merged over
    /// the defaults.
    #[serde(default)]
    pub weights: BTreeMap<Attribute, BTreeMap<Level, f64>>,
    /// Comparison results that rule a candidate out whatever its score
    /// (`DateOfBirth.else`). Default: a different date of birth or gender.
    #[serde(default)]
    pub vetoes: Option<Vec<Spanned<String>>>,
    /// Attributes the request must carry (default: the eIDAS minimum data set).
    #[serde(default)]
    pub required: Option<Vec<Attribute>>,
    /// Penalty (a weight, normally negative) when family and given name are swapped.
    #[serde(default)]
    pub swapped_names: Option<f64>,
    #[serde(default)]
    /// Thresholds and what ambiguity becomes.
    pub decision: DecisionSpec,
    /// What may vouch for a name or date of birth that is not exactly the record's: per
    /// attribute (`FamilyName`, `GivenName`, `DateOfBirth`), attributes that must then
    /// agree exactly. Replaces the default list of each attribute it names
    /// (docs/matching.md, "Threat model").
    #[serde(default)]
    pub corroboration: BTreeMap<Attribute, Spanned<Vec<Attribute>>>,
    /// Whether a request giving only the first of the record's given names (`Anna` for
    /// `Anna Maria`) is the same person (`accept`, the default) or needs the person
    /// identifier to vouch for it (`corroborate`): a twin named by the first of her
    /// sister's names looks the same.
    #[serde(default)]
    pub partial_given_names: PartialGivenNames,
    /// Where the registry's own name frequencies come from (docs/matching.md, "Name
    /// frequencies"). Without them, near spellings need corroboration.
    #[serde(default)]
    pub frequencies: Option<FrequencySpec>,
}

/// The registry's name frequencies: one query per name attribute, run through the
/// mapping's connector, each returning one row per distinct registry value with its
/// `name` and `n` (persons holding it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequencySpec {
    /// `FamilyName` and/or `GivenName` → query (`SELECT surname AS name, COUNT(*) AS n
    /// FROM people GROUP BY surname`).
    pub queries: BTreeMap<Attribute, Spanned<String>>,
    /// A query returning the number of persons as `n` (`SELECT COUNT(*) AS n FROM
    /// people`); without it, the largest total of `n` among `queries`.
    #[serde(default)]
    pub population: Option<Spanned<String>>,
    /// A registry of fewer persons says too little by its names: below this the
    /// frequencies are not used.
    #[serde(default = "default_min_population")]
    pub min_population: u64,
    /// How often the counts are read again, in minutes.
    #[serde(default = "default_refresh_minutes")]
    pub refresh_minutes: u64,
    /// Most rows one query may return (distinct names).
    #[serde(default = "default_max_names")]
    pub max_names: usize,
    /// How long one query may take, in seconds (counting a large registry takes longer
    /// than a lookup).
    #[serde(default = "default_frequency_timeout")]
    pub timeout_seconds: u64,
}

fn default_frequency_timeout() -> u64 {
    120
}

fn default_min_population() -> u64 {
    10_000
}
fn default_refresh_minutes() -> u64 {
    24 * 60
}
fn default_max_names() -> usize {
    2_000_000
}

/// Thresholds on the total weight.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionSpec {
    /// A candidate at or above this weight is the subject (if unique).
    #[serde(default = "default_accept")]
    pub accept: f64,
    /// A candidate at or above this weight could be the subject: it makes another one
    /// ambiguous unless the margin is met.
    #[serde(default = "default_possible")]
    pub possible: f64,
    /// How far the best candidate must be ahead of the runner-up.
    #[serde(default = "default_margin")]
    pub margin: f64,
    /// What an ambiguous result becomes when the requester allows a preview:
    /// `preview` (the sign-in's person identifier may resolve it) or `error`. Spanned, so
    /// a deployment that cannot honour it is told where it is written.
    #[serde(default = "default_on_ambiguous")]
    pub on_ambiguous: Spanned<OnAmbiguous>,
}

impl Default for DecisionSpec {
    fn default() -> Self {
        Self {
            accept: default_accept(),
            possible: default_possible(),
            margin: default_margin(),
            on_ambiguous: default_on_ambiguous(),
        }
    }
}

fn default_on_ambiguous() -> Spanned<OnAmbiguous> {
    let nowhere = serde_saphyr::Location::UNKNOWN;
    Spanned::new(OnAmbiguous::default(), nowhere, nowhere)
}

fn default_accept() -> f64 {
    24.0
}
fn default_possible() -> f64 {
    12.0
}
fn default_margin() -> f64 {
    8.0
}

/// How a request giving only the first of the record's given names is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartialGivenNames {
    /// The same person: eIDs and registries often differ so.
    #[default]
    Accept,
    /// Vouched for like a near spelling (only the person identifier may).
    Corroborate,
}

/// What happens to an ambiguous result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnAmbiguous {
    /// `EDM:ERR:0004`.
    #[default]
    Error,
    /// `EDM:ERR:0002` when the requester allows a preview: the user re-authenticates in
    /// the preview space, which may resolve it; otherwise `EDM:ERR:0004`.
    Preview,
}

/// Candidate retrieval.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingSpec {
    /// More candidates than this: the request is too unspecific (needs more attributes).
    #[serde(default = "default_max_candidates")]
    pub max_candidates: usize,
    pub passes: Vec<PassSpec>,
}

fn default_max_candidates() -> usize {
    200
}

/// One indexed look-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassSpec {
    pub name: String,
    /// Query in the connector's language; default: the connector's query.
    #[serde(default)]
    pub query: Option<Spanned<String>>,
    /// Key of the request bound to each query parameter: an attribute, optionally with a
    /// key function (`DateOfBirth`, `DateOfBirth.swapped`, `DateOfBirth.year`,
    /// `FamilyName.cologne`, `FamilyName.metaphone`, `FamilyName.key`).
    pub parameters: BTreeMap<String, Spanned<String>>,
}

/// A deterministic rule: every listed attribute compares at one of the listed levels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    pub require: BTreeMap<Attribute, OneOrMany<Level>>,
}

/// One value or a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A list.
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    /// The value(s) as a list.
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// The matching part of a mapping file on its own: `subject`, `identity` and `matching`
/// (a whole mapping file reads as one too). Used by `match-eval`, `match-keys` and the
/// matching benchmark.
#[derive(Debug, Clone, Deserialize)]
pub struct MatchingConfig {
    #[serde(default)]
    /// Natural or legal person.
    pub subject: crate::SubjectKind,
    /// Registry field(s) holding each request attribute.
    pub identity: BTreeMap<Attribute, OneOrMany<String>>,
    #[serde(default)]
    /// The `matching:` section.
    pub matching: MatchingSpec,
}

impl MatchingConfig {
    /// The engine for this configuration (no level-of-assurance minimum).
    pub fn compile(&self) -> Result<super::Engine, Vec<super::SpecProblem>> {
        let fields: super::FieldMap = self
            .identity
            .iter()
            .map(|(a, f)| (*a, f.to_vec()))
            .collect();
        super::Engine::compile(&self.matching, &fields, self.subject, None)
    }
}
