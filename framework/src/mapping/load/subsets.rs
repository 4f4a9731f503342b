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
            let shown = std::fs::read_to_string(base.join(&s.template.value))
                .ok()
                .and_then(|src| fields_read(&src));
            out.push(Distribution {
                source,
                transformation: Some(uri.to_owned()),
                shown,
                ..whole.clone()
            });
        }
        out
    }
}

/// The record fields a template reads, each written `record.<field>`; `None` when it
/// reaches the record any other way (`{{#with record}}`, `lookup record …`): the preview
/// then shows every labelled field rather than hide one the subset sends.
fn fields_read(template: &str) -> Option<Vec<String>> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut fields = Vec::new();
    for (at, _) in template.match_indices("record") {
        let before = template[..at].chars().next_back();
        let after = &template[at + "record".len()..];
        if before.is_some_and(|c| is_ident(c) || c == '.') || after.starts_with(is_ident) {
            continue; // part of another word (`records`, `my_record`, `x.record`)
        }
        let field: String = after
            .strip_prefix('.')?
            .chars()
            .take_while(|c| is_ident(*c))
            .collect();
        if field.is_empty() {
            return None;
        }
        if !fields.contains(&field) {
            fields.push(field);
        }
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::fields_read;

    #[test]
    fn a_subset_template_s_fields_are_those_it_reads_from_the_record() {
        let t = "<N>{{record.registration_number}}</N>{{#if record.city}}{{record.city}}{{/if}}{{records}}";
        assert_eq!(
            fields_read(t),
            Some(vec!["registration_number".to_owned(), "city".to_owned()])
        );
        // Any other way to the record: every labelled field is shown.
        assert_eq!(fields_read("{{#with record}}{{city}}{{/with}}"), None);
        assert_eq!(fields_read("{{lookup record \"city\"}}"), None);
    }
}
