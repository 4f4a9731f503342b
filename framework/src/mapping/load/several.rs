//! `evidence.several`: several evidences per subject need the registry's person key,
//! and a cap within reason.

use std::path::Path;

use super::Loader;
use crate::diag::{Diagnostic, codes};
use crate::mapping::{MAX_EVIDENCES_CEILING, MappingFile};

impl Loader<'_> {
    /// A `several` section names a person key among the connector's fields (when the
    /// mapping lists them) and a cap between 1 and [`MAX_EVIDENCES_CEILING`].
    pub(super) fn check_several(&mut self, path: &Path, spec: &MappingFile) {
        let Some(several) = &spec.evidence.several else {
            return;
        };
        match &several.value.person_key {
            None => self.problems.push(
                Diagnostic::new(
                    path,
                    codes::SEVERAL,
                    "evidence.several needs `person_key`: the registry field that tells one person's records from another's (equal names and date of birth do not)",
                )
                .at_location(several.referenced)
                .hint("several:\n    person_key: student_id"),
            ),
            Some(key) if key.value.trim().is_empty() => self.problems.push(
                Diagnostic::new(path, codes::SEVERAL, "evidence.several.person_key is empty")
                    .at_location(key.referenced),
            ),
            Some(key)
                if !spec.connector.fields.is_empty()
                    && !spec.connector.fields.contains_key(&key.value) =>
            {
                self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::SEVERAL,
                        format!(
                            "evidence.several.person_key uses `{}`, which is not among the connector's fields",
                            key.value
                        ),
                    )
                    .at_location(key.referenced)
                    .hint(crate::diag::suggest::record_field(
                        &key.value,
                        spec.connector.fields.keys(),
                    )),
                );
            }
            Some(_) => {}
        }
        if let Some(max) = &several.value.max
            && !(1..=MAX_EVIDENCES_CEILING).contains(&max.value)
        {
            self.problems.push(
                Diagnostic::new(
                    path,
                    codes::SEVERAL,
                    format!(
                        "evidence.several.max must be between 1 and {MAX_EVIDENCES_CEILING}, not {}",
                        max.value
                    ),
                )
                .at_location(max.referenced),
            );
        }
    }
}
