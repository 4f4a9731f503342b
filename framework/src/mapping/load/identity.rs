//! Who a mapping matches: the identity fields and the matching engine over them.

use std::path::Path;
use std::sync::Arc;

use super::Loader;
use crate::diag::{Diagnostic, codes};
use crate::mapping::{MappingFile, SubjectKind};
use crate::matching::{Attribute, Engine, FieldMap};

impl Loader<'_> {
    /// Identity fields the matcher needs for the subject kind.
    pub(super) fn check_identity(&mut self, path: &Path, spec: &MappingFile) {
        let needed: &[Attribute] = match spec.subject {
            SubjectKind::NaturalPerson => &[
                Attribute::FamilyName,
                Attribute::GivenName,
                Attribute::DateOfBirth,
            ],
            SubjectKind::LegalPerson => &[],
        };
        for a in needed {
            if !spec.identity.contains_key(a) {
                self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::MISSING_IDENTITY,
                        format!("identity has no registry field for {a}"),
                    )
                    .hint(format!("identity:\n  {a}: <registry column>")),
                );
            }
        }
        if spec.subject == SubjectKind::LegalPerson
            && !spec
                .identity
                .contains_key(&Attribute::LegalPersonIdentifier)
            && !spec.identity.contains_key(&Attribute::LegalName)
        {
            self.problems.push(
                Diagnostic::new(
                    path,
                    codes::MISSING_IDENTITY,
                    "identity needs LegalPersonIdentifier or LegalName for a legal person",
                )
                .hint("identity:\n  LegalPersonIdentifier: <registry column>"),
            );
        }
    }

    /// The matching engine over the identity fields.
    pub(super) fn compile_engine(
        &mut self,
        path: &Path,
        spec: &MappingFile,
        fields: &FieldMap,
    ) -> Option<Arc<Engine>> {
        match Engine::compile(
            &spec.matching,
            fields,
            spec.subject,
            spec.policy.min_level_of_assurance,
        ) {
            Ok(e) => Some(Arc::new(e)),
            Err(found) => {
                for p in found {
                    let mut d = Diagnostic::new(path, codes::MATCHING, p.message)
                        .hint("see docs/matching.md for the `matching:` section");
                    if let Some(loc) = p.location {
                        d = d.at_location(loc);
                    }
                    self.problems.push(d);
                }
                None
            }
        }
    }
}
