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

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderErrorReason, ScopedJson,
};
use serde_json::{Value, json};

use crate::preview::i18n::{Catalog, Lang, placeholders};
pub use crate::preview::ui_files::PageError;
use crate::preview::ui_files::{override_files, read_text};

/// The embedded templates: the `layout` partial and one template per page.
const TEMPLATES: [(&str, &str); 9] = [
    (
        "layout",
        include_str!("../../../../preview-ui/templates/layout.hbs"),
    ),
    (
        "sign_in",
        include_str!("../../../../preview-ui/templates/sign_in.hbs"),
    ),
    (
        "review",
        include_str!("../../../../preview-ui/templates/review.hbs"),
    ),
    (
        "decided",
        include_str!("../../../../preview-ui/templates/decided.hbs"),
    ),
    (
        "expired",
        include_str!("../../../../preview-ui/templates/expired.hbs"),
    ),
    (
        "identity_mismatch",
        include_str!("../../../../preview-ui/templates/identity_mismatch.hbs"),
    ),
    (
        "unresolved",
        include_str!("../../../../preview-ui/templates/unresolved.hbs"),
    ),
    (
        "invalid",
        include_str!("../../../../preview-ui/templates/invalid.hbs"),
    ),
    (
        "failed",
        include_str!("../../../../preview-ui/templates/failed.hbs"),
    ),
];

/// Name of the template every page template wraps itself in (`{{#> layout}}…{{/layout}}`).
const LAYOUT: &str = "layout";

/// The embedded stylesheet.
const STYLESHEET: &str = include_str!("../../../../preview-ui/static/preview.css");

/// File name of the stylesheet (embedded and in an override directory).
const STYLESHEET_FILE: &str = "preview.css";

/// Where the page links the stylesheet, relative to [`PageContext::base_path`].
pub const STYLESHEET_PATH: &str = "/static/preview.css";

/// Where the page links the override logo (if any), relative to
/// [`PageContext::base_path`]; serve [`PreviewUi::logo`] there.
pub const LOGO_PATH: &str = "/static/logo";

/// Largest accepted override logo.
const MAX_LOGO_BYTES: usize = 512 * 1024;

/// Where the page is shown and for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageContext {
    /// The page language (usually from [`Catalog::negotiate`]); an unsupported one is
    /// shown in English.
    pub lang: Lang,
    /// Base path of the preview routes, e.g. "/preview"; used to build the stylesheet link
    /// `{base}/static/preview.css` and the language switcher links.
    pub base_path: String,
    /// The current page path (e.g. "/preview/abc123") for language switcher links `?lang=xx`.
    pub current_path: String,
    /// The evidence provider's name, shown in the header.
    pub authority_name: String,
}

/// One piece of evidence on the review page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceView {
    /// The evidence title (e.g. "Birth certificate"), a heading on the page.
    pub title: String,
    /// Label and value of each field, in order.
    pub fields: Vec<(String, String)>,
    /// The rendered document, if it can be opened.
    pub document: Option<DocumentLink>,
}

/// A link to a rendered evidence document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    /// Where the document is served (same origin, or http(s)).
    pub url: String,
    /// Its media type, e.g. `application/pdf` (the page shows a short form such as "PDF").
    pub media_type: String,
    /// The link text.
    pub label: String,
}

/// The pages of the preview space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// Before sign-in: explains what is requested and offers the sign-in button (a plain link).
    SignIn {
        /// Who asks (the evidence requester's name).
        requester_name: String,
        /// Titles of the requested evidence.
        evidence_titles: Vec<String>,
        /// Where the sign-in starts.
        sign_in_url: String,
        /// When the link expires (RFC 3339 is shown as `YYYY-MM-DD HH:MM UTC`; any other
        /// text as given).
        expires_at: String,
    },
    /// After sign-in: the evidence and the two buttons.
    Review {
        /// Who asks.
        requester_name: String,
        /// The person the evidence is about.
        subject_name: String,
        /// The evidence to check.
        evidences: Vec<EvidenceView>,
        /// Where the decision form is posted.
        action_url: String,
        /// The anti-forgery token, sent back as the hidden field `csrf`.
        csrf_token: String,
        /// When the link expires (as for `SignIn`).
        expires_at: String,
    },
    /// The decision was recorded; the link back to the requester (may be absent).
    Decided {
        /// Whether the citizen approved the release.
        approved: bool,
        /// Link back to the requester's service (left out unless http(s) or `/…`).
        return_url: Option<String>,
    },
    /// The link or session expired before a decision.
    Expired {
        /// Link back to the requester's service (left out unless http(s) or `/…`).
        return_url: Option<String>,
    },
    /// The signed-in identity is not the subject of the request.
    IdentityMismatch {
        /// Link back to the requester's service (left out unless http(s) or `/…`).
        return_url: Option<String>,
    },
    /// Several registry records fit the subject and the sign-in did not single one out.
    Unresolved {
        /// Link back to the requester's service (left out unless http(s) or `/…`).
        return_url: Option<String>,
    },
    /// Unknown, tampered, replayed or already used link, or wrong browser session.
    Invalid,
    /// Anything else: a generic message, plus an incident reference (no details).
    Failed {
        /// The incident reference to quote to the authority.
        reference: String,
    },
}

impl Page {
    /// The template rendering this page.
    fn template(&self) -> &'static str {
        match self {
            Page::SignIn { .. } => "sign_in",
            Page::Review { .. } => "review",
            Page::Decided { .. } => "decided",
            Page::Expired { .. } => "expired",
            Page::IdentityMismatch { .. } => "identity_mismatch",
            Page::Unresolved { .. } => "unresolved",
            Page::Invalid => "invalid",
            Page::Failed { .. } => "failed",
        }
    }

    /// The text key of the page title (also the `<h1>` of the shipped templates).
    fn title_key(&self) -> &'static str {
        match self {
            Page::SignIn { .. } => "sign_in_title",
            Page::Review { .. } => "review_title",
            Page::Decided { approved: true, .. } => "decided_approved_title",
            Page::Decided {
                approved: false, ..
            } => "decided_declined_title",
            Page::Expired { .. } => "expired_title",
            Page::IdentityMismatch { .. } => "mismatch_title",
            Page::Unresolved { .. } => "unresolved_title",
            Page::Invalid => "invalid_title",
            Page::Failed { .. } => "failed_title",
        }
    }

    /// The `page` object the template sees.
    fn data(&self) -> Result<Value, PageError> {
        let template = self.template();
        let required = |field: &str, url: &str| -> Result<String, PageError> {
            if is_safe_url(url) {
                Ok(url.to_owned())
            } else {
                Err(PageError::UnsafeUrl {
                    template: template.to_owned(),
                    field: field.to_owned(),
                })
            }
        };
        let optional = |url: &Option<String>| -> Value {
            match url {
                Some(u) if is_safe_url(u) => Value::String(u.clone()),
                _ => Value::Null,
            }
        };
        Ok(match self {
            Page::SignIn {
                requester_name,
                evidence_titles,
                sign_in_url,
                expires_at,
            } => json!({
                "requester_name": shown(requester_name),
                "evidence_titles": evidence_titles,
                "sign_in_url": required("sign_in_url", sign_in_url)?,
                "expires_at": display_time(expires_at),
            }),
            Page::Review {
                requester_name,
                subject_name,
                evidences,
                action_url,
                csrf_token,
                expires_at,
            } => {
                let mut list = Vec::with_capacity(evidences.len());
                for evidence in evidences {
                    let fields: Vec<Value> = evidence
                        .fields
                        .iter()
                        .map(|(label, value)| json!({ "label": label, "value": value }))
                        .collect();
                    let document = match &evidence.document {
                        Some(d) => json!({
                            "url": required("document.url", &d.url)?,
                            "media_type": d.media_type,
                            "label": d.label,
                            "format": short_format(&d.media_type),
                        }),
                        None => Value::Null,
                    };
                    list.push(json!({
                        "title": evidence.title,
                        "fields": fields,
                        "document": document,
                    }));
                }
                json!({
                    "requester_name": shown(requester_name),
                    "subject_name": shown(subject_name),
                    "evidences": list,
                    "action_url": required("action_url", action_url)?,
                    "csrf_token": csrf_token,
                    "expires_at": display_time(expires_at),
                })
            }
            Page::Decided {
                approved,
                return_url,
            } => json!({ "approved": approved, "return_url": optional(return_url) }),
            Page::Expired { return_url }
            | Page::IdentityMismatch { return_url }
            | Page::Unresolved { return_url } => {
                json!({ "return_url": optional(return_url) })
            }
            Page::Invalid => json!({}),
            Page::Failed { reference } => json!({ "reference": reference }),
        })
    }
}

/// The templates, stylesheet, translations and logo of the preview pages.
pub struct PreviewUi {
    registry: Handlebars<'static>,
    catalog: Catalog,
    css: String,
    logo: Option<(&'static str, Vec<u8>)>,
}

impl fmt::Debug for PreviewUi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreviewUi")
            .field("languages", &self.catalog.languages())
            .field("stylesheet_bytes", &self.css.len())
            .field("logo", &self.logo.as_ref().map(|(t, b)| (*t, b.len())))
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
        };
        ui.self_check()?;
        Ok(ui)
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
            "page": page.data()?,
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
        fields: if fields {
            vec![("Label".to_owned(), "Value".to_owned())]
        } else {
            Vec::new()
        },
        document: document.then(|| DocumentLink {
            url: "/preview/check/document/0".to_owned(),
            media_type: "application/pdf".to_owned(),
            label: "Document".to_owned(),
        }),
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

/// `{{t "key" name=value …}}`: the text of `key` in the page language (from the `texts`
/// of the root data) with each `{name}` placeholder replaced by the hash value `name`.
/// An unknown key or a placeholder without value is an error.
struct TextHelper;

impl HelperDef for TextHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let param = h
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("t", 0))?;
        if param.is_value_missing() {
            return Err(RenderErrorReason::MissingVariable(param.relative_path().cloned()).into());
        }
        let key = param.value().as_str().ok_or_else(|| {
            RenderErrorReason::Other("`t` needs a text key (a string) as first parameter".into())
        })?;
        let text = ctx
            .data()
            .get("texts")
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .ok_or_else(|| RenderErrorReason::Other(format!("no text for key `{key}`")))?;
        let mut out = text.to_owned();
        for name in placeholders(text) {
            let value = h.hash_get(name).ok_or_else(|| {
                RenderErrorReason::Other(format!(
                    "text `{key}` needs `{name}=…` (placeholder {{{name}}})"
                ))
            })?;
            if value.is_value_missing() {
                return Err(
                    RenderErrorReason::MissingVariable(value.relative_path().cloned()).into(),
                );
            }
            let value = match value.value() {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        Ok(ScopedJson::Derived(Value::String(out)))
    }
}

/// `current_path` with its `lang` query parameter set to `code` (other parameters kept,
/// fragment dropped).
fn language_url(current_path: &str, code: &str) -> String {
    let without_fragment = current_path.split('#').next().unwrap_or("");
    let (path, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && *p != "lang" && !p.starts_with("lang="))
        .collect();
    let lang_param = format!("lang={code}");
    params.push(&lang_param);
    format!("{path}?{}", params.join("&"))
}

/// An http(s) URL or an absolute path, without spaces or control characters (so never
/// `javascript:`, `data:` and the like).
fn is_safe_url(url: &str) -> bool {
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || url.starts_with('/')
}

/// RFC 3339 → `YYYY-MM-DD HH:MM UTC`; any other text unchanged.
fn display_time(value: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(value.trim()) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
        Err(_) => value.to_owned(),
    }
}

/// A short, language-neutral format name for a media type (`application/pdf` → `PDF`).
fn short_format(media_type: &str) -> String {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/pdf" => "PDF".to_owned(),
        "application/xml" | "text/xml" => "XML".to_owned(),
        "application/json" => "JSON".to_owned(),
        "text/html" => "HTML".to_owned(),
        "text/plain" => "TXT".to_owned(),
        "image/png" => "PNG".to_owned(),
        "image/jpeg" => "JPEG".to_owned(),
        _ if essence.is_empty() => "?".to_owned(),
        _ => essence,
    }
}

/// The optional `logo.svg` / `logo.png` of the override directory (or its `static/`).
fn load_logo(dir: &Path) -> Result<Option<(&'static str, Vec<u8>)>, PageError> {
    let mut found: Vec<(&'static str, PathBuf)> = Vec::new();
    for (ext, media_type) in [(".svg", "image/svg+xml"), (".png", "image/png")] {
        for (name, path) in override_files(dir, "static", ext)? {
            if name == format!("logo{ext}") {
                found.push((media_type, path));
            }
        }
    }
    for ext in [".jpg", ".jpeg", ".gif", ".webp"] {
        if let Some((_, path)) = override_files(dir, "static", ext)?
            .into_iter()
            .find(|(name, _)| name.starts_with("logo."))
        {
            return Err(PageError::UnknownFile {
                file: path.display().to_string(),
                expected: "logo.svg or logo.png".to_owned(),
            });
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [(media_type, path)] => {
            let file = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|source| PageError::Read {
                file: file.clone(),
                source,
            })?;
            if bytes.len() > MAX_LOGO_BYTES {
                return Err(PageError::BadLogo {
                    file,
                    reason: format!("larger than {} KiB", MAX_LOGO_BYTES / 1024),
                });
            }
            let looks_right = if *media_type == "image/png" {
                bytes.starts_with(b"\x89PNG\r\n\x1a\n")
            } else {
                std::str::from_utf8(&bytes).is_ok_and(|s| s.contains("<svg"))
            };
            if !looks_right {
                return Err(PageError::BadLogo {
                    file,
                    reason: format!("not a {media_type} file"),
                });
            }
            Ok(Some((media_type, bytes)))
        }
        [(_, a), (_, b), ..] => Err(PageError::Duplicate {
            file: a.display().to_string(),
            other: b.display().to_string(),
        }),
    }
}

/// A name from the request as shown to the citizen: bidirectional overrides, zero-width
/// and other invisible characters become U+FFFD, so the page cannot show one name while
/// the request carries another.
fn shown(name: &str) -> String {
    name.chars()
        .map(|c| {
            if crate::edm::is_invisible(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(lang: &str) -> PageContext {
        PageContext {
            lang: Lang(lang.to_owned()),
            base_path: "/preview".to_owned(),
            current_path: "/preview/abc123".to_owned(),
            authority_name: "Registry <Office> & Co".to_owned(),
        }
    }

    fn review() -> Page {
        Page::Review {
            requester_name: "Ministry <i>X</i>".to_owned(),
            subject_name: "Jane \"Q\" Doe".to_owned(),
            evidences: vec![
                EvidenceView {
                    title: "Birth certificate".to_owned(),
                    fields: vec![
                        ("Family name".to_owned(), "<b>x</b>".to_owned()),
                        ("Date of birth".to_owned(), "1990-04-01".to_owned()),
                    ],
                    document: Some(DocumentLink {
                        url: "/preview/abc123/document/0".to_owned(),
                        media_type: "application/pdf".to_owned(),
                        label: "Birth certificate (document)".to_owned(),
                    }),
                },
                EvidenceView {
                    title: "Empty one".to_owned(),
                    fields: Vec::new(),
                    document: None,
                },
            ],
            action_url: "/preview/abc123/decision".to_owned(),
            csrf_token: "tok\"en<1>".to_owned(),
            expires_at: "2030-05-06T07:08:09+02:00".to_owned(),
        }
    }

    fn all_pages() -> Vec<Page> {
        let back = Some("https://requester.example/back?x=1&y=2".to_owned());
        vec![
            Page::SignIn {
                requester_name: "<b>x</b>".to_owned(),
                evidence_titles: vec!["Birth certificate".to_owned(), "<b>x</b>".to_owned()],
                sign_in_url: "/preview/abc123/sign-in".to_owned(),
                expires_at: "2030-05-06T07:08:09Z".to_owned(),
            },
            review(),
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
            Page::Unresolved {
                return_url: back.clone(),
            },
            Page::Unresolved { return_url: None },
            Page::Invalid,
            Page::Failed {
                reference: "<b>x</b>".to_owned(),
            },
        ]
    }

    fn ui() -> PreviewUi {
        PreviewUi::embedded().unwrap()
    }

    #[test]
    fn preview_ui_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<PreviewUi>();
    }

    #[test]
    fn every_page_renders_in_every_language() {
        let ui = ui();
        let langs = ui.catalog().languages();
        assert_eq!(langs.len(), 7);
        for lang in langs {
            for page in all_pages() {
                let html = ui
                    .render(&page, &ctx(lang.as_str()))
                    .unwrap_or_else(|e| panic!("{lang} {page:?}: {e}"));
                let what = format!("{lang} {}", page.template());
                assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
                assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{what}");
                assert_eq!(html.matches("<h1").count(), 1, "{what}");
                assert_eq!(html.matches("<title>").count(), 1, "{what}");
                assert_eq!(html.matches("<main").count(), 1, "{what}");
                assert_eq!(html.matches("<header").count(), 1, "{what}");
                assert_eq!(html.matches("<footer").count(), 1, "{what}");
                assert!(!html.to_lowercase().contains("<script"), "{what}");
                assert!(!html.contains(" style="), "{what}");
                assert!(!html.contains("<style"), "{what}");
                assert!(!html.contains("<b>"), "{what}: unescaped markup");
                assert!(!html.contains("<i>"), "{what}: unescaped markup");
                assert!(html.contains("href=\"#main\""), "{what}: skip link");
                // No untranslated placeholder or text key left.
                assert!(!html.contains("{requester}"), "{what}");
                assert!(!html.contains("{authority}"), "{what}");
                assert!(!html.contains("{expires_at}"), "{what}");
                // The page title is the text of the heading.
                let title = ui.catalog().text(&lang, page.title_key());
                let title = handlebars::html_escape(&title);
                assert!(html.contains(&format!("<h1>{title}</h1>")), "{what}");
                assert!(html.contains(&format!("<title>{title} – ")), "{what}");
            }
        }
    }

    /// A requester's name (or the subject's) with a right-to-left override would show the
    /// citizen another name than the one sent ("Ministry" spelt backwards is "yrtsiniM").
    #[test]
    fn bidi_and_invisible_characters_of_request_names_are_shown_as_replacement_marks() {
        let ui = ui();
        let page = Page::SignIn {
            requester_name: "Bank\u{202E}yrtsiniM\u{200B}".to_owned(),
            evidence_titles: vec!["Birth certificate".to_owned()],
            sign_in_url: "/preview/abc123/sign-in".to_owned(),
            expires_at: "2030-05-06T07:08:09+02:00".to_owned(),
        };
        let html = ui.render(&page, &ctx("en")).unwrap();
        assert!(
            !html.contains('\u{202E}') && !html.contains('\u{200B}'),
            "{html}"
        );
        assert!(html.contains("Bank\u{FFFD}yrtsiniM\u{FFFD}"), "{html}");
        let mut review = review();
        if let Page::Review { subject_name, .. } = &mut review {
            *subject_name = "Jane\u{2066}Doe".to_owned();
        }
        let html = ui.render(&review, &ctx("en")).unwrap();
        assert!(!html.contains('\u{2066}'), "{html}");
    }

    #[test]
    fn user_values_are_escaped() {
        let ui = ui();
        for page in all_pages() {
            let html = ui.render(&page, &ctx("en")).unwrap();
            assert!(html.contains("Registry &lt;Office&gt; &amp; Co"));
            if matches!(
                page,
                Page::SignIn { .. } | Page::Review { .. } | Page::Failed { .. }
            ) {
                assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{}", page.template());
            }
        }
        let html = ui.render(&review(), &ctx("en")).unwrap();
        assert!(html.contains("Ministry &lt;i&gt;X&lt;/i&gt;"));
        assert!(html.contains("Jane &quot;Q&quot; Doe"));
    }

    #[test]
    fn review_has_the_form_the_fields_and_the_document() {
        let html = ui().render(&review(), &ctx("fr")).unwrap();
        assert!(html.contains("<form method=\"post\" action=\"/preview/abc123/decision\">"));
        assert!(
            html.contains("<input type=\"hidden\" name=\"csrf\" value=\"tok&quot;en&lt;1&gt;\">")
        );
        assert!(
            html.contains(
                "name=\"decision\" value=\"approve\">Utiliser ces justificatifs</button>"
            )
        );
        assert!(html.contains("name=\"decision\" value=\"decline\">Ne pas utiliser</button>"));
        assert!(html.contains("<dt>Family name</dt>"));
        assert!(html.contains("<dd>&lt;b&gt;x&lt;/b&gt;</dd>"));
        assert!(html.contains("<dt>Date of birth</dt>"));
        assert!(html.contains("<dd>1990-04-01</dd>"));
        assert!(html.contains(
            "<a href=\"/preview/abc123/document/0\" type=\"application/pdf\">Birth certificate (document)</a>"
        ));
        assert!(html.contains("(PDF)"));
        assert!(html.contains("<h2 id=\"evidence-0\">Birth certificate</h2>"));
        assert!(html.contains("aria-labelledby=\"evidence-1\""));
        assert!(html.contains("Aucun détail à afficher pour ce justificatif."));
        assert!(html.contains("Ministry &lt;i&gt;X&lt;/i&gt; demande les justificatifs"));
        // RFC 3339 expiry shown in UTC.
        assert!(html.contains("jusqu’à 2030-05-06 05:08 UTC"));
        assert_eq!(html.matches("<form").count(), 1);
        assert_eq!(html.matches("type=\"submit\"").count(), 2);
    }

    #[test]
    fn header_has_stylesheet_and_labelled_language_switcher() {
        let html = ui().render(&Page::Invalid, &ctx("de")).unwrap();
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/preview/static/preview.css\">"));
        assert!(html.contains("<nav class=\"languages\" aria-label=\"Sprache\">"));
        assert!(html.contains(
            "<a href=\"/preview/abc123?lang&#x3D;de\" lang=\"de\" hreflang=\"de\" aria-current=\"true\">Deutsch</a>"
        ));
        assert!(html.contains(
            "<a href=\"/preview/abc123?lang&#x3D;fr\" lang=\"fr\" hreflang=\"fr\">Français</a>"
        ));
        assert_eq!(html.matches("aria-current").count(), 1);
        assert_eq!(html.matches("hreflang=").count(), 7);
        assert!(!html.contains("<img"), "no logo unless overridden");
        assert!(html.contains("<title>Dieser Link kann nicht verwendet werden – Registry"));
    }

    #[test]
    fn unsupported_context_language_renders_in_english() {
        let html = ui().render(&Page::Invalid, &ctx("cs")).unwrap();
        assert!(html.contains("<html lang=\"en\""));
        assert!(html.contains("This link cannot be used"));
    }

    #[test]
    fn decided_pages_differ_and_return_link_is_optional() {
        let ui = ui();
        let approved = ui
            .render(
                &Page::Decided {
                    approved: true,
                    return_url: Some("https://req.example/back".into()),
                },
                &ctx("en"),
            )
            .unwrap();
        assert!(approved.contains("Your evidence will be sent"));
        assert!(approved.contains("href=\"https://req.example/back\""));
        let declined = ui
            .render(
                &Page::Decided {
                    approved: false,
                    return_url: None,
                },
                &ctx("en"),
            )
            .unwrap();
        assert!(declined.contains("Your evidence will not be sent"));
        assert!(declined.contains("You can now close this page"));
        // A dangerous return link is left out rather than shown.
        let js = ui
            .render(
                &Page::Decided {
                    approved: false,
                    return_url: Some("javascript:alert(1)".into()),
                },
                &ctx("en"),
            )
            .unwrap();
        assert!(!js.contains("javascript"));
        assert!(js.contains("You can now close this page"));
    }

    #[test]
    fn mismatch_and_failed_texts() {
        let ui = ui();
        let html = ui
            .render(&Page::IdentityMismatch { return_url: None }, &ctx("en"))
            .unwrap();
        assert!(html.contains(
            "The identity you signed in with does not match the person named in the request. No evidence was sent."
        ));
        let html = ui
            .render(
                &Page::Failed {
                    reference: "INC-42".into(),
                },
                &ctx("en"),
            )
            .unwrap();
        assert!(html.contains("<code>INC-42</code>"));
        assert!(html.contains("If you contact Registry &lt;Office&gt; &amp; Co, please quote"));
    }

    #[test]
    fn unsafe_required_links_are_refused() {
        let page = Page::SignIn {
            requester_name: "R".into(),
            evidence_titles: vec![],
            sign_in_url: "javascript:alert(1)".into(),
            expires_at: "soon".into(),
        };
        let err = ui().render(&page, &ctx("en")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "page `sign_in`: `sign_in_url` is not a safe link (expected https://, http:// or a path starting with /)"
        );
    }

    #[test]
    fn non_rfc3339_expiry_is_shown_as_given() {
        let page = Page::SignIn {
            requester_name: "R".into(),
            evidence_titles: vec!["E".into()],
            sign_in_url: "https://idp.example/auth?a=1".into(),
            expires_at: "in 15 minutes".into(),
        };
        let html = ui().render(&page, &ctx("en")).unwrap();
        assert!(html.contains("valid until in 15 minutes."));
        assert!(html.contains(
            "class=\"button button-primary\" href=\"https://idp.example/auth?a&#x3D;1\""
        ));
    }

    #[test]
    fn language_urls_replace_the_lang_parameter() {
        assert_eq!(language_url("/p/abc", "fr"), "/p/abc?lang=fr");
        assert_eq!(language_url("/p/abc?lang=de", "fr"), "/p/abc?lang=fr");
        assert_eq!(
            language_url("/p/abc?x=1&lang=de#top", "fr"),
            "/p/abc?x=1&lang=fr"
        );
    }

    #[test]
    fn short_formats() {
        assert_eq!(short_format("application/pdf"), "PDF");
        assert_eq!(short_format("Application/XML; charset=utf-8"), "XML");
        assert_eq!(short_format("image/tiff"), "image/tiff");
    }

    // ---------------------------------------------------------------- overrides

    fn write(dir: &Path, name: &str, text: &str) {
        if let Some(parent) = dir.join(name).parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(dir.join(name), text).unwrap();
    }

    fn czech(without: Option<&str>) -> String {
        let en: BTreeMap<String, String> =
            serde_json::from_str(include_str!("../../../../preview-ui/i18n/en.json")).unwrap();
        let mut cs: BTreeMap<String, String> = en
            .into_iter()
            .map(|(k, v)| (k, format!("[cs] {v}")))
            .collect();
        cs.insert("lang_name".into(), "Čeština".into());
        cs.insert("invalid_title".into(), "Tento odkaz nelze použít".into());
        if let Some(key) = without {
            cs.remove(key);
        }
        serde_json::to_string_pretty(&cs).unwrap()
    }

    #[test]
    fn override_template_and_incomplete_language_is_an_error_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "review.hbs",
            "{{#> layout}}<h1>Custom {{page.subject_name}}</h1>{{/layout}}",
        );
        write(dir.path(), "cs.json", &czech(Some("decline_button")));
        let err = PreviewUi::with_overrides(Some(dir.path())).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, PageError::MissingKey { ref key, .. } if key == "decline_button"));
        assert!(msg.contains("cs.json"), "{msg}");
        assert!(msg.contains("missing key `decline_button`"), "{msg}");
    }

    #[test]
    fn override_template_and_complete_language_adds_czech() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "review.hbs",
            "{{#> layout}}<h1>Custom {{page.subject_name}}</h1>{{/layout}}",
        );
        write(dir.path(), "cs.json", &czech(None));
        let ui = PreviewUi::with_overrides(Some(dir.path())).unwrap();
        let codes: Vec<String> = ui.catalog().languages().into_iter().map(|l| l.0).collect();
        assert_eq!(codes, ["en", "cs", "de", "es", "fr", "it", "nl", "pl"]);
        let html = ui.render(&review(), &ctx("en")).unwrap();
        assert!(html.contains("<h1>Custom Jane &quot;Q&quot; Doe</h1>"));
        assert!(!html.contains("<form"));
        let html = ui.render(&Page::Invalid, &ctx("cs")).unwrap();
        assert!(html.contains("<html lang=\"cs\""));
        assert!(html.contains("<h1>Tento odkaz nelze použít</h1>"));
        assert!(html.contains(">Čeština</a>"));
        let lang = ui.catalog().negotiate(None, Some("cs-CZ,en;q=0.5"), &[]);
        assert_eq!(lang.as_str(), "cs");
    }

    #[test]
    fn override_subfolders_css_and_logo() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "static/preview.css", "body { color: #000000; }");
        write(
            dir.path(),
            "static/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"></svg>",
        );
        write(
            dir.path(),
            "templates/invalid.hbs",
            "{{#> layout}}<h1>Nope</h1>{{/layout}}",
        );
        write(dir.path(), "i18n/fr.json", &czech(None));
        write(dir.path(), "README.md", "ignored");
        let ui = PreviewUi::with_overrides(Some(dir.path())).unwrap();
        assert_eq!(ui.stylesheet(), "body { color: #000000; }");
        let (media_type, bytes) = ui.logo().unwrap();
        assert_eq!(media_type, "image/svg+xml");
        assert!(bytes.starts_with(b"<svg"));
        let html = ui.render(&Page::Invalid, &ctx("fr")).unwrap();
        assert!(html.contains("<h1>Nope</h1>"));
        assert!(html.contains("<img class=\"logo\" src=\"/preview/static/logo\" alt=\"\">"));
        // fr.json was replaced as a whole.
        assert!(html.contains("[cs] Aller") || html.contains("[cs] Skip to main content"));
    }

    #[test]
    fn override_errors_are_clear() {
        let case = |files: &[(&str, &str)]| -> String {
            let dir = tempfile::tempdir().unwrap();
            for (name, text) in files {
                write(dir.path(), name, text);
            }
            let err = PreviewUi::with_overrides(Some(dir.path())).unwrap_err();
            err.to_string()
                .replace(&dir.path().display().to_string(), "DIR")
        };
        assert_eq!(
            case(&[("reviw.hbs", "x")]),
            "DIR/reviw.hbs: not a preview template (expected one of: layout.hbs, sign_in.hbs, \
             review.hbs, decided.hbs, expired.hbs, identity_mismatch.hbs, unresolved.hbs, invalid.hbs, \
             failed.hbs)"
        );
        assert!(
            case(&[("review.hbs", "{{#> layout}}{{#if}}{{/layout}}")])
                .starts_with("DIR/review.hbs:1:")
        );
        assert_eq!(
            case(&[("review.hbs", "{{#> layout}}{{page.nope}}{{/layout}}")]),
            "template `review` at 1:14: missing field `page.nope`"
        );
        assert_eq!(
            case(&[("invalid.hbs", "{{t \"no_such_key\"}}")]),
            "template `invalid` at 1:1: no text for key `no_such_key`"
        );
        assert_eq!(
            case(&[("English.json", "{}")]),
            "DIR/English.json: translation files are named after a 2- or 3-letter lowercase \
             language code, e.g. cs.json"
        );
        assert!(case(&[("cs.json", "[1, 2]")]).starts_with("DIR/cs.json: not a flat JSON object"));
        let mut with_empty: BTreeMap<String, String> = serde_json::from_str(&czech(None)).unwrap();
        with_empty.insert("skip_link".into(), " ".into());
        assert_eq!(
            case(&[("cs.json", &serde_json::to_string(&with_empty).unwrap())]),
            "DIR/cs.json: key `skip_link` has an empty text"
        );
        let mut bad_placeholder: BTreeMap<String, String> =
            serde_json::from_str(&czech(None)).unwrap();
        bad_placeholder.insert("review_intro".into(), "{requestor} žádá".into());
        assert_eq!(
            case(&[("cs.json", &serde_json::to_string(&bad_placeholder).unwrap())]),
            "DIR/cs.json: key `review_intro` uses placeholder `{requestor}`, which the English \
             text does not have"
        );
        assert_eq!(
            case(&[("style.css", "")]),
            "DIR/style.css: not a preview UI file (expected preview.css)"
        );
        assert_eq!(
            case(&[("preview.css", "a"), ("static/preview.css", "b")]),
            "DIR/preview.css and DIR/static/preview.css: the same file is given twice; keep one"
        );
        assert_eq!(
            case(&[("logo.png", "not a png")]),
            "DIR/logo.png: not a image/png file"
        );
        assert_eq!(
            case(&[("logo.jpg", "x")]),
            "DIR/logo.jpg: not a preview UI file (expected logo.svg or logo.png)"
        );
        let missing = Path::new("/nonexistent/preview-ui-overrides");
        let err = PreviewUi::with_overrides(Some(missing)).unwrap_err();
        assert!(err.to_string().starts_with(
            "preview UI override directory /nonexistent/preview-ui-overrides: cannot be read"
        ));
    }

    // ---------------------------------------------------------------- stylesheet

    /// `--name: #rrggbb;` custom properties of the stylesheet.
    fn css_colours() -> BTreeMap<String, (f64, f64, f64)> {
        let mut colours = BTreeMap::new();
        for line in STYLESHEET.lines() {
            let line = line.trim();
            let Some(rest) = line.strip_prefix("--") else {
                continue;
            };
            let (name, value) = rest.split_once(':').unwrap();
            let hex = value.trim().trim_end_matches(';').trim_start_matches('#');
            assert_eq!(hex.len(), 6, "--{name} must be #rrggbb");
            let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
            colours.insert(
                name.trim().to_owned(),
                (
                    f64::from(channel(0)),
                    f64::from(channel(2)),
                    f64::from(channel(4)),
                ),
            );
        }
        colours
    }

    /// WCAG 2.1 contrast ratio.
    fn contrast(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
        fn lum((r, g, b): (f64, f64, f64)) -> f64 {
            let c = |v: f64| {
                let s = v / 255.0;
                if s <= 0.039_28 {
                    s / 12.92
                } else {
                    ((s + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b)
        }
        let (la, lb) = (lum(a), lum(b));
        let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
        (hi + 0.05) / (lo + 0.05)
    }

    #[test]
    fn stylesheet_colours_have_enough_contrast() {
        let c = css_colours();
        let text_pairs = [
            ("text", "background"),
            ("muted", "background"),
            ("link", "background"),
            ("link-visited", "background"),
            ("link-hover", "background"),
            ("header-text", "header-background"),
            ("footer-text", "footer-background"),
            ("link", "footer-background"),
            ("text", "notice-background"),
            ("primary-text", "primary-background"),
            ("primary-text", "primary-hover"),
            ("secondary-text", "secondary-background"),
            ("secondary-text", "secondary-hover"),
            ("focus-text", "focus"),
        ];
        for (fg, bg) in text_pairs {
            let ratio = contrast(c[fg], c[bg]);
            assert!(ratio >= 4.5, "--{fg} on --{bg}: {ratio:.2} < 4.5");
        }
        // Non-text contrast (focus ring, borders, button outline): at least 3:1.
        let ui_pairs = [
            ("focus", "header-background"),
            ("focus-text", "background"),
            ("border", "background"),
            ("notice-border", "notice-background"),
            ("primary-background", "background"),
        ];
        for (fg, bg) in ui_pairs {
            let ratio = contrast(c[fg], c[bg]);
            assert!(ratio >= 3.0, "--{fg} on --{bg}: {ratio:.2} < 3");
        }
    }

    #[test]
    fn stylesheet_is_self_contained_with_large_buttons_and_focus_styles() {
        assert!(!STYLESHEET.contains("@import"));
        assert!(!STYLESHEET.contains("url("));
        assert!(STYLESHEET.contains("min-height: 44px"));
        assert!(STYLESHEET.contains(":focus"));
        assert!(STYLESHEET.contains("@media (max-width"));
    }
}
