//! Rendering of the preview pages (sign-in, review, outcome pages).
//!
//! The templates (`preview-ui/templates/*.hbs`), the stylesheet and the translations are
//! embedded in the binary; [`PreviewUi::with_overrides`] replaces any of them with a file
//! of the same name from the authority's directory (see `preview-ui/README.md`). Pages are
//! rendered by a strict Handlebars registry with HTML escaping; they need no JavaScript,
//! and have no inline script or style, so they work under the strict CSP of the routes.
//!
//! Templates see this data (every key is always present; absent values are `null`):
//! `lang`, `page_title`, `authority_name`, `base_path`, `current_path`, `stylesheet_url`,
//! `logo_url`, `languages` (`[{code, name, url, current}]`), `texts` (key → text) and
//! `page` (the fields of the [`Page`] variant). `{{t "key" name=value}}` writes the text of
//! `key` in the page language with its `{name}` placeholders filled (escaped as a whole).

//!
//! The files: `view` holds what a page shows, `text` the `t` helper, `values` how
//! request values and links are shown, and `logo` the override logo.

mod logo;
#[cfg(test)]
mod tests;
mod text;
mod values;
mod view;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono_tz::Tz;
use handlebars::{Handlebars, RenderErrorReason};
use serde_json::{Value, json};

use crate::preview::i18n::{Catalog, DEFAULT_TIME_ZONE, Lang};
pub use crate::preview::ui_files::PageError;
use crate::preview::ui_files::{override_files, read_text};
use logo::load_logo;
use text::TextHelper;
use values::language_url;
pub use view::{DocumentLink, EvidenceView, FieldView, Page, PageContext};

/// The embedded templates: the `layout` partial and one template per page.
const TEMPLATES: [(&str, &str); 9] = [
    (
        "layout",
        include_str!("../../../../../preview-ui/templates/layout.hbs"),
    ),
    (
        "sign_in",
        include_str!("../../../../../preview-ui/templates/sign_in.hbs"),
    ),
    (
        "review",
        include_str!("../../../../../preview-ui/templates/review.hbs"),
    ),
    (
        "decided",
        include_str!("../../../../../preview-ui/templates/decided.hbs"),
    ),
    (
        "expired",
        include_str!("../../../../../preview-ui/templates/expired.hbs"),
    ),
    (
        "identity_mismatch",
        include_str!("../../../../../preview-ui/templates/identity_mismatch.hbs"),
    ),
    (
        "unresolved",
        include_str!("../../../../../preview-ui/templates/unresolved.hbs"),
    ),
    (
        "invalid",
        include_str!("../../../../../preview-ui/templates/invalid.hbs"),
    ),
    (
        "failed",
        include_str!("../../../../../preview-ui/templates/failed.hbs"),
    ),
];

/// Name of the template every page template wraps itself in (`{{#> layout}}…{{/layout}}`).
const LAYOUT: &str = "layout";

/// The embedded stylesheet.
const STYLESHEET: &str = include_str!("../../../../../preview-ui/static/preview.css");

/// File name of the stylesheet (embedded and in an override directory).
const STYLESHEET_FILE: &str = "preview.css";

/// Where the page links the stylesheet, relative to [`PageContext::base_path`].
pub const STYLESHEET_PATH: &str = "/static/preview.css";

/// Where the page links the override logo (if any), relative to
/// [`PageContext::base_path`]; serve [`PreviewUi::logo`] there.
pub const LOGO_PATH: &str = "/static/logo";

/// The templates, stylesheet, translations and logo of the preview pages.
pub struct PreviewUi {
    registry: Handlebars<'static>,
    catalog: Catalog,
    css: String,
    logo: Option<(&'static str, Vec<u8>)>,
    time_zone: Tz,
}

impl fmt::Debug for PreviewUi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreviewUi")
            .field("languages", &self.catalog.languages())
            .field("stylesheet_bytes", &self.css.len())
            .field("logo", &self.logo.as_ref().map(|(t, b)| (*t, b.len())))
            .field("time_zone", &self.time_zone.name())
            .finish_non_exhaustive()
    }
}

impl PreviewUi {
    /// The shipped templates, stylesheet and translations.
    pub fn embedded() -> Result<PreviewUi, PageError> {
        PreviewUi::with_overrides(None)
    }

    /// The shipped assets, with any file of `dir` (flat, or in `templates/`, `static/`,
    /// `i18n/` subfolders) replacing the shipped file of the same name: `<page>.hbs`,
    /// `layout.hbs`, `preview.css`, `<lang>.json` (which may also add a language), and an
    /// optional `logo.svg` or `logo.png`. `None` = embedded only. Every page is rendered
    /// once in every language as a check, so a broken override fails here, not in front
    /// of a citizen.
    pub fn with_overrides(dir: Option<&Path>) -> Result<PreviewUi, PageError> {
        let catalog = match dir {
            Some(d) => Catalog::with_overrides(d)?,
            None => Catalog::embedded(),
        };
        let mut sources: BTreeMap<&'static str, (String, String)> = TEMPLATES
            .iter()
            .map(|(name, src)| (*name, ((*src).to_owned(), format!("embedded:{name}.hbs"))))
            .collect();
        let mut css = STYLESHEET.to_owned();
        let mut logo = None;
        if let Some(dir) = dir {
            for (file_name, path) in override_files(dir, "templates", ".hbs")? {
                let stem = file_name.strip_suffix(".hbs").unwrap_or(&file_name);
                let Some((name, _)) = TEMPLATES.iter().find(|(n, _)| *n == stem) else {
                    return Err(PageError::UnknownTemplate {
                        file: path.display().to_string(),
                        expected: TEMPLATES
                            .iter()
                            .map(|(n, _)| format!("{n}.hbs"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                };
                sources.insert(*name, (read_text(&path)?, path.display().to_string()));
            }
            for (file_name, path) in override_files(dir, "static", ".css")? {
                if file_name != STYLESHEET_FILE {
                    return Err(PageError::UnknownFile {
                        file: path.display().to_string(),
                        expected: STYLESHEET_FILE.to_owned(),
                    });
                }
                css = read_text(&path)?;
            }
            logo = load_logo(dir)?;
        }

        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::html_escape);
        registry.register_helper("t", Box::new(TextHelper));
        for (name, (source, file)) in &sources {
            let result = if *name == LAYOUT {
                registry.register_partial(name, source)
            } else {
                registry.register_template_string(name, source)
            };
            result.map_err(|e| {
                let (line, column) = e.pos().unwrap_or((0, 0));
                PageError::TemplateSyntax {
                    template: (*name).to_owned(),
                    file: file.clone(),
                    line,
                    column,
                    reason: e.reason().to_string(),
                }
            })?;
        }
        let ui = PreviewUi {
            registry,
            catalog,
            css,
            logo,
            time_zone: DEFAULT_TIME_ZONE,
        };
        ui.self_check()?;
        Ok(ui)
    }

    /// Shows times (the decision deadline) in `zone` (`preview.time_zone`), named on the
    /// page, rather than in [`DEFAULT_TIME_ZONE`] (Europe/Brussels).
    pub fn with_time_zone(mut self, zone: Tz) -> PreviewUi {
        self.time_zone = zone;
        self
    }

    /// The translations.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The stylesheet to serve at `{base_path}/static/preview.css` ([`STYLESHEET_PATH`]).
    pub fn stylesheet(&self) -> &str {
        &self.css
    }

    /// The override logo (`image/svg+xml` or `image/png`, and its bytes), to serve at
    /// `{base_path}/static/logo` ([`LOGO_PATH`]); the header shows it only when present.
    pub fn logo(&self) -> Option<(&'static str, &[u8])> {
        self.logo.as_ref().map(|(t, b)| (*t, b.as_slice()))
    }

    /// Renders `page` as a complete HTML document.
    pub fn render(&self, page: &Page, ctx: &PageContext) -> Result<String, PageError> {
        let template = page.template();
        let lang = if self.catalog.supports(&ctx.lang) {
            ctx.lang.clone()
        } else {
            Lang("en".to_owned())
        };
        let base = ctx.base_path.trim_end_matches('/');
        let languages: Vec<Value> = self
            .catalog
            .languages()
            .into_iter()
            .map(|l| {
                json!({
                    "code": l.as_str(),
                    "name": self.catalog.text(&l, "lang_name"),
                    "url": language_url(&ctx.current_path, l.as_str()),
                    "current": l == lang,
                })
            })
            .collect();
        let data = json!({
            "lang": lang.as_str(),
            "page_title": self.catalog.text(&lang, page.title_key()),
            "authority_name": ctx.authority_name,
            "base_path": base,
            "current_path": ctx.current_path,
            "stylesheet_url": format!("{base}{STYLESHEET_PATH}"),
            "logo_url": self.logo.as_ref().map(|_| format!("{base}{LOGO_PATH}")),
            "languages": languages,
            "texts": self.catalog.texts(&lang),
            "page": page.data(lang.as_str(), self.time_zone)?,
        });
        self.registry
            .render(template, &data)
            .map_err(|e| render_error(template, &e))
    }

    /// Renders every page variant in every language with sample data.
    fn self_check(&self) -> Result<(), PageError> {
        let pages = sample_pages();
        for lang in self.catalog.languages() {
            let ctx = PageContext {
                lang,
                base_path: "/preview".to_owned(),
                current_path: "/preview/check".to_owned(),
                authority_name: "Authority".to_owned(),
            };
            for page in &pages {
                self.render(page, &ctx)?;
            }
        }
        Ok(())
    }
}

/// One page of each variant, with the optional parts both present and absent.
fn sample_pages() -> Vec<Page> {
    let evidence = |document: bool, fields: bool| EvidenceView {
        title: "Evidence".to_owned(),
        title_lang: fields.then(|| "en".to_owned()),
        fields: if fields {
            vec![
                FieldView::new("Label", "Value"),
                FieldView {
                    label: "Date".to_owned(),
                    label_lang: Some("en".to_owned()),
                    value: "2030-01-01".to_owned(),
                },
                FieldView::new("Empty", ""),
            ]
        } else {
            Vec::new()
        },
        document: document.then(|| DocumentLink {
            url: "/preview/check/document/0".to_owned(),
            media_type: "application/pdf".to_owned(),
            label: "Document".to_owned(),
        }),
        associated: Vec::new(),
        choice: document.then(|| "e1".to_owned()),
    };
    let back = Some("https://requester.example/back".to_owned());
    vec![
        Page::SignIn {
            requester_name: "Requester".to_owned(),
            evidence_titles: vec!["Evidence".to_owned()],
            sign_in_url: "/preview/check/sign-in".to_owned(),
            expires_at: "2030-01-01T00:00:00Z".to_owned(),
        },
        Page::Review {
            requester_name: "Requester".to_owned(),
            subject_name: "Subject".to_owned(),
            evidences: vec![evidence(true, true), evidence(false, false)],
            action_url: "/preview/check/decision".to_owned(),
            csrf_token: "token".to_owned(),
            expires_at: "2030-01-01T00:00:00Z".to_owned(),
        },
        Page::Decided {
            approved: true,
            return_url: back.clone(),
        },
        Page::Decided {
            approved: false,
            return_url: None,
        },
        Page::Expired {
            return_url: back.clone(),
        },
        Page::Expired { return_url: None },
        Page::IdentityMismatch {
            return_url: back.clone(),
        },
        Page::IdentityMismatch { return_url: None },
        Page::Unresolved { return_url: back },
        Page::Unresolved { return_url: None },
        Page::Invalid,
        Page::Failed {
            reference: "ref".to_owned(),
        },
    ]
}

fn render_error(template: &str, e: &handlebars::RenderError) -> PageError {
    let detail = match e.reason() {
        RenderErrorReason::MissingVariable(path) => format!(
            "missing field `{}`",
            path.clone().unwrap_or_else(|| "?".to_owned())
        ),
        RenderErrorReason::PartialNotFound(name) => format!("unknown partial `{name}`"),
        RenderErrorReason::HelperNotFound(name) => format!("unknown helper `{name}`"),
        RenderErrorReason::Other(detail) => detail.clone(),
        other => other.to_string(),
    };
    PageError::Render {
        template: template.to_owned(),
        detail,
        line: e.line_no,
        column: e.column_no,
    }
}
