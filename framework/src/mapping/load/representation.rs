//! The `representation:` section: its query's parameters bound, its identity complete,
//! its matching compiled (docs/mapping-files.md, `representation`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use oots_connector::Connector;

use super::Loader;
use crate::diag::{Diagnostic, codes};
use crate::mapping::{Bound, MappingFile, Representation, RepresentationSpec};
use crate::matching::{Attribute, Engine, FieldMap, SubjectKind};

/// What the sign-in compares and the row must state: the representative's eIDAS minimum
/// data set (R-EDM-REQ-C058/C059 ask it of the representative).
const NEEDED: [Attribute; 3] = [
    Attribute::FamilyName,
    Attribute::GivenName,
    Attribute::DateOfBirth,
];

impl Loader<'_> {
    /// The checked section (`None` inside when the file has none); problems recorded.
    pub(super) fn representation(
        &mut self,
        c: Option<&dyn Connector>,
        path: &Path,
        spec: &MappingFile,
    ) -> Option<Arc<Representation>> {
        let rep = spec.representation.as_ref()?;
        let parameters = self.representation_parameters(c, path, rep);
        for a in NEEDED {
            if !rep.identity.value.contains_key(&a) {
                self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::MISSING_IDENTITY,
                        format!("representation.identity has no registry field for {a}"),
                    )
                    .at_location(rep.identity.referenced)
                    .hint(format!(
                        "representation:\n  identity:\n    {a}: <row field>"
                    )),
                );
            }
        }
        let fields: FieldMap = rep
            .identity
            .value
            .iter()
            .map(|(a, f)| (*a, f.to_vec()))
            .collect();
        let engine = match Engine::compile(
            &rep.matching,
            &fields,
            SubjectKind::NaturalPerson,
            spec.policy.min_level_of_assurance,
        ) {
            Ok(e) => Some(Arc::new(e)),
            Err(found) => {
                for p in found {
                    let mut d = Diagnostic::new(
                        path,
                        codes::MATCHING,
                        format!("representation.matching: {}", p.message),
                    )
                    .hint("see docs/matching.md for the `matching:` section");
                    if let Some(loc) = p.location {
                        d = d.at_location(loc);
                    }
                    self.problems.push(d);
                }
                None
            }
        };
        Some(Arc::new(Representation {
            query: rep.query.value.clone(),
            parameters,
            subject_identifier: rep.subject_identifier.value.trim().to_owned(),
            engine: engine?,
        }))
    }

    /// Each parameter's binding read, and every parameter of the query bound.
    fn representation_parameters(
        &mut self,
        c: Option<&dyn Connector>,
        path: &Path,
        rep: &RepresentationSpec,
    ) -> BTreeMap<String, Bound> {
        let mut bound = BTreeMap::new();
        for (name, value) in &rep.parameters {
            match Bound::parse(&value.value) {
                Some(b) => {
                    bound.insert(name.clone(), b);
                }
                None => self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::UNKNOWN_ATTRIBUTE,
                        format!(
                            "representation parameter :{name} is bound to `{}`, which is neither subject.<Attribute>, representative.<Attribute> nor PowerOfRepresentationScope",
                            value.value
                        ),
                    )
                    .at_location(value.referenced)
                    .hint("parameters:\n  company: subject.LegalPersonIdentifier\n  family_name: representative.FamilyName\n  scope: PowerOfRepresentationScope"),
                ),
            }
        }
        let Some(c) = c else { return bound };
        match c.parameters(&rep.query.value) {
            Ok(params) => {
                for p in params {
                    if !rep.parameters.contains_key(&p) {
                        self.problems.push(
                            Diagnostic::new(
                                path,
                                codes::UNBOUND_PARAMETER,
                                format!("representation query parameter :{p} is not bound"),
                            )
                            .at_location(rep.query.referenced)
                            .hint(format!(
                                "representation:\n  parameters:\n    {p}: representative.FamilyName"
                            )),
                        );
                    }
                }
            }
            Err(e) => self.problems.push(
                Diagnostic::new(path, codes::CONNECTOR, e.to_string())
                    .at_location(rep.query.referenced),
            ),
        }
        bound
    }
}
