//! The forms a mapping delivers its evidence in, and their templates.

use std::path::Path;

use serde_saphyr::Spanned;

use super::Loader;
use crate::diag::{Diagnostic, codes};
use crate::mapping::{Distribution, MappingFile, Source};
use crate::render::DocumentKind;

/// One document of a mapping (a distribution, or one of its associated documents) as
/// written: its format and where it is written, its `template` or `document`.
pub(super) struct DocumentSource<'a> {
    pub format: &'a str,
    pub at: serde_saphyr::Location,
    pub template: Option<&'a Spanned<String>>,
    pub document: Option<&'a Spanned<String>>,
    /// The name the template is registered under.
    pub template_name: String,
    /// What is reported when both or neither of `template` and `document` are given.
    pub neither: Diagnostic,
}

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
            let neither = Diagnostic::new(
                path,
                codes::NO_DISTRIBUTION,
                "a distribution needs exactly one of `template` and `document`",
            )
            .at_location(d.format.referenced)
            .hint("template: templates/x.xml.hbs   # render the record\n    # or\n    document: pdf_blob              # pass a stored document through");
            let Some(source) = self.source(
                path,
                base,
                DocumentSource {
                    format: &format,
                    at: d.format.referenced,
                    template: d.template.as_ref(),
                    document: d.document.as_ref(),
                    template_name: format!("{name}#{i}"),
                    neither,
                },
            ) else {
                continue;
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

    /// Where a document comes from: a template rendering `format` (compiled now), or a
    /// record field passed through; `None` once the reason neither can be used is
    /// reported (`doc.neither` when both or none are given).
    pub(super) fn source(
        &mut self,
        path: &Path,
        base: &Path,
        doc: DocumentSource<'_>,
    ) -> Option<Source> {
        match (doc.template, doc.document) {
            (Some(t), None) => {
                let Some(kind) = DocumentKind::from_media_type(doc.format) else {
                    self.problems.push(
                        Diagnostic::new(
                            path,
                            codes::BAD_FORMAT,
                            format!("format `{}` cannot be rendered from a template", doc.format),
                        )
                        .at_location(doc.at)
                        .hint("one of application/xml, application/json, text/html, application/pdf; or pass a stored document through with `document: <field>`"),
                    );
                    return None;
                };
                Some(self.template(path, base, t, kind, doc.template_name))
            }
            (None, Some(field)) => {
                if !OOTS_MEDIA_TYPES.contains(&doc.format) {
                    self.problems.push(
                        Diagnostic::new(
                            path,
                            codes::BAD_FORMAT,
                            format!("format `{}` is not an OOTS media type", doc.format),
                        )
                        .at_location(doc.at)
                        .hint(OOTS_MEDIA_TYPES.join(", ")),
                    );
                }
                Some(Source::Document {
                    field: field.value.clone(),
                })
            }
            _ => {
                self.problems.push(doc.neither);
                None
            }
        }
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
                    let blocks = super::super::template_blocks::problems(&src);
                    if blocks.is_empty() {
                        self.problems.push(
                            Diagnostic::new(path, codes::TEMPLATE, e.to_string())
                                .at_location(t.referenced),
                        );
                    }
                    self.problems.extend(blocks.into_iter().map(|b| {
                        Diagnostic::new(&tpath, codes::TEMPLATE, b.message).at(b.line, b.column)
                    }));
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
