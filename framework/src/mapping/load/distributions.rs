//! The forms a mapping delivers its evidence in, and their templates.

use std::path::Path;

use serde_saphyr::Spanned;

use super::Loader;
use crate::diag::{Diagnostic, codes};
use crate::mapping::{Distribution, MappingFile, Source};
use crate::render::DocumentKind;

impl Loader<'_> {
    /// Distributions: each is rendered from a template (compiled now, so template errors
    /// show at load time) or passed through from a record field.
    pub(super) fn distributions(
        &mut self,
        path: &Path,
        name: &str,
        spec: &MappingFile,
    ) -> Vec<Distribution> {
        if let Some(deferred) = &spec.evidence.deferred {
            let problems = deferred.value.problems(path, deferred.referenced);
            self.problems.extend(problems);
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let mut distributions = Vec::new();
        if spec.evidence.distributions.is_empty() {
            self.problems.push(
                Diagnostic::new(path, codes::NO_DISTRIBUTION, "evidence.distributions is empty")
                    .hint("distributions:\n  - format: application/pdf\n    template: templates/x.pdf.hbs"),
            );
        }
        for (i, d) in spec.evidence.distributions.iter().enumerate() {
            let format = d.format.value.trim().to_owned();
            let source = match (&d.template, &d.document) {
                (Some(t), None) => {
                    let Some(kind) = DocumentKind::from_media_type(&format) else {
                        self.problems.push(
                            Diagnostic::new(
                                path,
                                codes::BAD_FORMAT,
                                format!("format `{format}` cannot be rendered from a template"),
                            )
                            .at_location(d.format.referenced)
                            .hint("one of application/xml, application/json, text/html, application/pdf; or pass a stored document through with `document: <field>`"),
                        );
                        continue;
                    };
                    let template_name = format!("{name}#{i}");
                    self.template(path, base, t, kind, template_name)
                }
                (None, Some(field)) => {
                    if !OOTS_MEDIA_TYPES.contains(&format.as_str()) {
                        self.problems.push(
                            Diagnostic::new(
                                path,
                                codes::BAD_FORMAT,
                                format!("format `{format}` is not an OOTS media type"),
                            )
                            .at_location(d.format.referenced)
                            .hint(OOTS_MEDIA_TYPES.join(", ")),
                        );
                    }
                    Source::Document {
                        field: field.value.clone(),
                    }
                }
                _ => {
                    self.problems.push(
                        Diagnostic::new(
                            path,
                            codes::NO_DISTRIBUTION,
                            "a distribution needs exactly one of `template` and `document`",
                        )
                        .at_location(d.format.referenced)
                        .hint("template: templates/x.xml.hbs   # render the record\n    # or\n    document: pdf_blob              # pass a stored document through"),
                    );
                    continue;
                }
            };
            let associated = self.associated(path, name, i, d);
            let base_distribution = Distribution {
                format,
                conforms_to: d.conforms_to.clone(),
                language: d.language.clone(),
                source,
                associated,
                transformation: None,
                shown: None,
            };
            let subsets = self.subsets(path, base, name, i, d, &base_distribution);
            distributions.push(base_distribution);
            distributions.extend(subsets);
        }
        distributions
    }

    /// Reads and registers one distribution's template (its path relative to the mapping
    /// file); a template that cannot be read or compiled is reported, not fatal here.
    pub(super) fn template(
        &mut self,
        path: &Path,
        base: &Path,
        t: &Spanned<String>,
        kind: DocumentKind,
        template_name: String,
    ) -> Source {
        let tpath = base.join(&t.value);
        match std::fs::read_to_string(&tpath) {
            Ok(src) => {
                self.hasher.write(src.as_bytes());
                if let Err(e) =
                    self.renderer
                        .register(&template_name, kind, &src, &tpath.display().to_string())
                {
                    self.problems.push(
                        Diagnostic::new(path, codes::TEMPLATE, e.to_string())
                            .at_location(t.referenced),
                    );
                }
            }
            Err(e) => self.problems.push(
                Diagnostic::new(
                    path,
                    codes::TEMPLATE,
                    format!("template {} cannot be read: {}", tpath.display(), e.kind()),
                )
                .at_location(t.referenced),
            ),
        }
        Source::Template {
            kind,
            name: template_name,
            file: tpath,
        }
    }
}

/// The OOTSMediaTypes code list: what an evidence may be delivered as.
pub(super) const OOTS_MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/svg+xml",
    "application/xml",
    "application/json",
];
