//! What `check` warns about: a deployment that works but will surprise someone (a
//! citizen shown a page in two languages, a DSD registration missing a field). Warnings
//! carry `OEA-W` codes and never fail `check`; each concern appends its own findings.

use crate::config::AdapterConfig;
use crate::diag::Diagnostic;
use crate::mapping::MappingSet;

/// Every warning for a deployment that loaded.
pub(super) fn collect(_cfg: &AdapterConfig, _set: &MappingSet) -> Vec<Diagnostic> {
    Vec::new()
}
