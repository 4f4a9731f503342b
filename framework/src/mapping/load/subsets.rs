//! 1.x subsets of a distribution (`sdg:Transformation`, e.g. a birth certificate's
//! `age-of-majority`): each becomes a distribution of its own, served only to a request
//! naming it, rendered by its own template.

use std::path::Path;

use super::Loader;
use crate::diag::{Diagnostic, codes};
use crate::edm::is_transformation_uri;
use crate::mapping::{Distribution, DistributionSpec, Source};
use crate::render::DocumentKind;

impl Loader<'_> {
    /// The subset distributions of distribution `i` (`whole`): the URI follows
    /// R-EDM-REQ-C035 and extends one of the distribution's `conforms_to`; its template
    /// renders the distribution's format (file:line:col otherwise).
    pub(super) fn subsets(
        &mut self,
        path: &Path,
        base: &Path,
        name: &str,
        i: usize,
        d: &DistributionSpec,
        whole: &Distribution,
    ) -> Vec<Distribution> {
        let mut out = Vec::new();
        for (j, s) in d.subsets.iter().enumerate() {
            let uri = s.transformation.value.trim();
            let extends = d.conforms_to.iter().any(|c| {
                let scheme = c.trim().trim_end_matches('/');
                let scheme = scheme.rsplit('/').next().unwrap_or(scheme);
                uri.rsplit('/')
                    .nth(1)
                    .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            });
            if !is_transformation_uri(uri) || !extends {
                self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::BAD_SUBSET,
                        format!(
                            "subset `{}` is not https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]/[Subset] (R-EDM-REQ-C035) with a DataModelScheme of this distribution's conforms_to",
                            crate::edm::echo(uri)
                        ),
                    )
                    .at_location(s.transformation.referenced),
                );
                continue;
            }
            let Some(kind) = DocumentKind::from_media_type(&whole.format) else {
                self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::BAD_SUBSET,
                        format!(
                            "format `{}` cannot be rendered from a template",
                            whole.format
                        ),
                    )
                    .at_location(s.template.referenced),
                );
                continue;
            };
            let source: Source =
                self.template(path, base, &s.template, kind, format!("{name}#{i}.{j}"));
            out.push(Distribution {
                source,
                transformation: Some(uri.to_owned()),
                ..whole.clone()
            });
        }
        out
    }
}
