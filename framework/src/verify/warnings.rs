//! What `check` warns about: a deployment that works but will surprise someone (a
//! citizen shown a page in two languages, a DSD registration missing a field). Warnings
//! carry `OEA-W` codes and never fail `check`; each concern appends its own findings.

use crate::config::AdapterConfig;
use crate::diag::Diagnostic;
use crate::mapping::MappingSet;

/// Every warning for a deployment that loaded.
pub(super) fn collect(cfg: &AdapterConfig, set: &MappingSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(crate::dsd::warnings(cfg, set));
    out
}
