//! Who is matched: a natural or a legal person. The mapping file says which one its
//! evidence type is about (`subject:`); the engine picks the attributes to require by it.

use serde::Deserialize;

/// The kind of subject an evidence type is about, as written in a mapping file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A natural person (`natural_person`, the default).
    #[default]
    NaturalPerson,
    /// A legal person: a company or organisation (`legal_person`).
    LegalPerson,
}
