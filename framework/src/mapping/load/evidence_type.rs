//! The evidence type a mapping serves.

use std::path::Path;

use super::Loader;
use crate::diag::{Diagnostic, codes};
use crate::edm::normalize_classification;
use crate::mapping::MappingFile;

impl Loader<'_> {
    /// The evidence type's classification keys; each key may be served by one file only,
    /// or requests for it would be ambiguous.
    pub(super) fn classification_keys(&mut self, path: &Path, spec: &MappingFile) -> Vec<String> {
        let mut keys = Vec::new();
        for c in &spec.evidence_type.classifications {
            match normalize_classification(&c.value) {
                Some(k) => {
                    if let Some(other) = self.seen_keys.get(&k) {
                        self.problems.push(
                            Diagnostic::new(
                                path,
                                codes::DUPLICATE_CLASSIFICATION,
                                format!("evidence type is already served by {}", other.display()),
                            )
                            .at_location(c.referenced),
                        );
                    } else {
                        self.seen_keys.insert(k.clone(), path.to_path_buf());
                    }
                    keys.push(k);
                }
                None => self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::BAD_CLASSIFICATION,
                        "not an evidence type classification URI",
                    )
                    .at_location(c.referenced)
                    .hint(
                        "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/<CC>/<uuid>",
                    ),
                ),
            }
        }
        if spec.evidence_type.classifications.is_empty() {
            self.problems.push(
                Diagnostic::new(
                    path,
                    codes::BAD_CLASSIFICATION,
                    "evidence_type.classifications is empty",
                )
                .hint("list at least one evidence type classification URI"),
            );
        }
        keys
    }
}
