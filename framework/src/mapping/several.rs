//! Several evidences for one subject (`evidence.several`): a person may hold two
//! diplomas or several vehicle registrations, and the answer then carries each of them
//! (TDD 1.x one `ExtrinsicObjectType` per evidence, R-EDM-RESP-S015/S033–S035; 2.0.1 one
//! `RegistryPackageType` per evidence, R-EDM-RESP-S066/S046/S047).
//!
//! Records are taken for one person only when the registry says so: they carry the same
//! value in the registry's own person key (`person_key`). Equal names and date of birth
//! never make two records one person (twins, namesakes); records of the same look whose
//! keys differ stay several candidate persons, refused as ambiguous.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// How many evidences one answer carries at most when the mapping does not say.
pub const DEFAULT_MAX_EVIDENCES: usize = 20;
/// The highest `max` a mapping may set: every evidence is rendered, held and attached.
pub const MAX_EVIDENCES_CEILING: usize = 100;

/// `evidence.several`: the subject may have several evidences of this type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeveralSpec {
    /// The record field holding the registry's own key of the person (a student number,
    /// a national identifier): records with the same value are one person's evidences.
    /// Required: `check` refuses `several` without it.
    #[serde(default)]
    pub person_key: Option<Spanned<String>>,
    /// The most evidences one answer carries ([`DEFAULT_MAX_EVIDENCES`] when absent);
    /// a subject with more is refused, nothing is truncated.
    #[serde(default)]
    pub max: Option<Spanned<usize>>,
}

impl SeveralSpec {
    /// The cap on evidences per answer.
    pub fn max(&self) -> usize {
        self.max.as_ref().map_or(DEFAULT_MAX_EVIDENCES, |m| m.value)
    }

    /// The person key field, once `check` has accepted the mapping.
    pub fn person_key(&self) -> Option<&str> {
        self.person_key.as_ref().map(|k| k.value.as_str())
    }
}
