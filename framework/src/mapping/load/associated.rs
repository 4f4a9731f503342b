//! A distribution's associated documents (2.0) and the human-readable version that
//! structured evidence outside every OOTS data model must come with.

use std::path::Path;

use super::Loader;
use super::distributions::DocumentSource;
use crate::diag::{Diagnostic, codes};
use crate::edm::AssociatedKind;
use crate::mapping::{AssociatedDoc, DistributionSpec};

/// Hosts of the OOTS Semantic Repository: a `conforms_to` under one of them names an
/// OOTS data model (the current host and the older one 1.x messages still use).
const OOTS_SEMANTIC_REPOSITORY: &[&str] = &[
    "https://sr.oots.tech.ec.europa.eu/",
    "https://sr.oots.tech.europa.eu/",
];

/// Whether `uri` names a specification of the OOTS Semantic Repository.
pub(crate) fn is_oots_data_model(uri: &str) -> bool {
    let uri = uri.trim();
    OOTS_SEMANTIC_REPOSITORY.iter().any(|host| {
        uri.get(..host.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(host))
            && uri.len() > host.len()
    })
}

impl Loader<'_> {
    /// Loads the `associated:` documents of distribution `i`; refuses structured evidence
    /// that conforms to no OOTS data model and has no human-readable version ("Structured
    /// evidence that does not comply with any Once-Only Technical System data model must
    /// be accompanied by a human-readable version of the evidence", OOTS User Journey,
    /// step 6).
    pub(super) fn associated(
        &mut self,
        path: &Path,
        name: &str,
        i: usize,
        d: &DistributionSpec,
    ) -> Vec<AssociatedDoc> {
        let format = d.format.value.trim();
        let structured = matches!(format, "application/xml" | "application/json");
        if structured
            && d.associated.human_readable.is_none()
            && !d.conforms_to.iter().any(|c| is_oots_data_model(c))
        {
            self.problems.push(
                Diagnostic::new(
                    path,
                    codes::ASSOCIATED,
                    format!("structured evidence (`{format}`) that conforms to no OOTS data model needs a human-readable version"),
                )
                .at_location(d.format.referenced)
                .hint("conforms_to: [https://sr.oots.tech.ec.europa.eu/datamodels/…]\n      # or\n      associated:\n        human_readable: { format: application/pdf, template: templates/x.pdf.hbs }"),
            );
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let mut docs = Vec::new();
        for (k, (kind, spec)) in d.associated.all().enumerate() {
            let doc_format = spec.format.value.trim().to_owned();
            let language = spec.language.as_ref().map(|l| l.value.trim().to_owned());
            if kind == AssociatedKind::Translation && language.as_deref().unwrap_or("").is_empty() {
                self.problems.push(
                    Diagnostic::new(path, codes::ASSOCIATED, "a translation needs its `language`")
                        .at_location(spec.format.referenced)
                        .hint("translations:\n  - { language: EN, format: application/pdf, template: templates/x.en.pdf.hbs }"),
                );
                continue;
            }
            let neither = Diagnostic::new(
                path,
                codes::ASSOCIATED,
                format!(
                    "an associated {} needs exactly one of `template` and `document`",
                    kind.name()
                ),
            )
            .at_location(spec.format.referenced);
            let Some(source) = self.source(
                path,
                base,
                DocumentSource {
                    format: &doc_format,
                    at: spec.format.referenced,
                    template: spec.template.as_ref(),
                    document: spec.document.as_ref(),
                    template_name: format!("{name}#{i}/{}#{k}", kind.name()),
                    neither,
                },
            ) else {
                continue;
            };
            docs.push(AssociatedDoc {
                kind,
                format: doc_format,
                language,
                title: spec.title.clone().unwrap_or_else(|| kind.name().to_owned()),
                source,
            });
        }
        docs
    }
}

#[cfg(test)]
mod tests {
    use super::is_oots_data_model;

    #[test]
    fn oots_data_models_are_recognised_by_the_semantic_repository_hosts() {
        assert!(is_oots_data_model(
            "https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0"
        ));
        assert!(is_oots_data_model(
            " HTTPS://SR.OOTS.TECH.EUROPA.EU/distributions/birthcert-1.0.0"
        ));
        for other in [
            "https://sr.oots.tech.ec.europa.eu/",
            "https://sr.oots.tech.ec.europa.eu.evil.example/datamodels/x",
            "http://sr.oots.tech.ec.europa.eu/datamodels/x",
            "https://example.org/schemas/birth",
            "urn:x-national:birth",
        ] {
            assert!(!is_oots_data_model(other), "{other}");
        }
    }
}
