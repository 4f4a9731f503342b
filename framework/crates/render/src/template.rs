//! Handlebars templates → evidence documents, with per-kind escaping and output checks.
//!
//! Why one Handlebars registry per [`DocumentKind`]: Handlebars has a single escape
//! function per registry, and the right escaping depends on the output format (XML
//! entities, JSON string escapes, HTML, PDF markup). Each template lives in the registry
//! of its kind; partials are registered in all of them and so inherit the escaping of the
//! template that includes them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, PathAndJson, RenderContext, RenderErrorReason,
    ScopedJson,
};
use serde_json::Value;

use super::error::RenderError;
use super::pdf::{PdfMeta, escape_markup, render_pdf};

/// The output formats an evidence template can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    /// Structured XML (e.g. a Semantic Repository data model instance).
    Xml,
    /// Structured JSON.
    Json,
    /// Human-readable HTML.
    Html,
    /// Human-readable PDF, produced from the line markup of `docs/pdf-markup.md`.
    Pdf,
}

impl DocumentKind {
    /// IANA media type of the rendered document.
    pub fn media_type(self) -> &'static str {
        match self {
            DocumentKind::Xml => "application/xml",
            DocumentKind::Json => "application/json",
            DocumentKind::Html => "text/html",
            DocumentKind::Pdf => "application/pdf",
        }
    }

    /// The kind for a media type (parameters such as `; charset=utf-8` and letter case
    /// are ignored; `text/xml` is accepted as XML).
    pub fn from_media_type(media_type: &str) -> Option<DocumentKind> {
        let essence = media_type.split(';').next().unwrap_or("").trim();
        let essence = essence.to_ascii_lowercase();
        match essence.as_str() {
            "application/xml" | "text/xml" => Some(DocumentKind::Xml),
            "application/json" => Some(DocumentKind::Json),
            "text/html" => Some(DocumentKind::Html),
            "application/pdf" => Some(DocumentKind::Pdf),
            _ => None,
        }
    }

    const ALL: [DocumentKind; 4] = [
        DocumentKind::Xml,
        DocumentKind::Json,
        DocumentKind::Html,
        DocumentKind::Pdf,
    ];

    fn index(self) -> usize {
        match self {
            DocumentKind::Xml => 0,
            DocumentKind::Json => 1,
            DocumentKind::Html => 2,
            DocumentKind::Pdf => 3,
        }
    }
}

/// A rendered evidence document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Format of `bytes`.
    pub kind: DocumentKind,
    /// Media type of `bytes` (same as `kind.media_type()`).
    pub media_type: &'static str,
    /// The document (UTF-8 text for XML/JSON/HTML).
    pub bytes: Vec<u8>,
}

/// Registered evidence templates and the helpers they may use.
pub struct Renderer {
    /// One strict-mode registry per kind, indexed by [`DocumentKind::index`].
    engines: [Handlebars<'static>; 4],
    templates: BTreeMap<String, DocumentKind>,
    partials: BTreeSet<String>,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    /// A renderer with no templates, strict mode on and the default helpers
    /// (`upper`, `lower`, `date`, `default`, `eq`).
    pub fn new() -> Self {
        Renderer {
            engines: DocumentKind::ALL.map(engine),
            templates: BTreeMap::new(),
            partials: BTreeSet::new(),
        }
    }

    /// Compiles and registers template `name` producing `kind`. `origin` (usually the file
    /// path) prefixes compile errors as `origin:line:col`. Registering a name again
    /// replaces the earlier template.
    pub fn register(
        &mut self,
        name: &str,
        kind: DocumentKind,
        source: &str,
        origin: &str,
    ) -> Result<(), RenderError> {
        if self.partials.contains(name) {
            return Err(RenderError::Failed {
                template: name.to_owned(),
                detail: format!("{origin}: the name is already used by a partial"),
                line: None,
                column: None,
            });
        }
        self.engines[kind.index()]
            .register_template_string(name, source)
            .map_err(|e| syntax_error(name, origin, &e))?;
        if let Some(previous) = self.templates.insert(name.to_owned(), kind)
            && previous != kind
        {
            self.engines[previous.index()].unregister_template(name);
        }
        Ok(())
    }

    /// Compiles and registers a partial (`{{> name}}`), usable from templates of every
    /// kind; its values are escaped like the including template's.
    pub fn register_partial(
        &mut self,
        name: &str,
        source: &str,
        origin: &str,
    ) -> Result<(), RenderError> {
        if self.templates.contains_key(name) {
            return Err(RenderError::Failed {
                template: name.to_owned(),
                detail: format!("{origin}: the name is already used by a template"),
                line: None,
                column: None,
            });
        }
        for engine in &mut self.engines {
            engine
                .register_partial(name, source)
                .map_err(|e| syntax_error(name, origin, &e))?;
        }
        self.partials.insert(name.to_owned());
        Ok(())
    }

    /// The kind of a registered template.
    pub fn kind_of(&self, name: &str) -> Option<DocumentKind> {
        self.templates.get(name).copied()
    }

    /// Renders template `name` with `data` and checks the result (well-formed XML,
    /// parseable JSON; PDF markup is laid out into a PDF created now).
    pub fn render(&self, name: &str, data: &Value) -> Result<Rendered, RenderError> {
        self.render_at(name, data, chrono::Utc::now().naive_utc())
    }

    /// Like [`Renderer::render`] with a fixed PDF creation time, for stable bytes.
    pub fn render_at(
        &self,
        name: &str,
        data: &Value,
        created: NaiveDateTime,
    ) -> Result<Rendered, RenderError> {
        let kind =
            self.templates
                .get(name)
                .copied()
                .ok_or_else(|| RenderError::UnknownTemplate {
                    template: name.to_owned(),
                })?;
        let text = self.engines[kind.index()]
            .render(name, data)
            .map_err(|e| render_error(name, &e))?;
        let bytes = match kind {
            DocumentKind::Xml => {
                check_xml(name, &text)?;
                text.into_bytes()
            }
            DocumentKind::Json => {
                check_json(name, &text)?;
                text.into_bytes()
            }
            DocumentKind::Html => text.into_bytes(),
            DocumentKind::Pdf => render_pdf(
                &text,
                &PdfMeta {
                    title: String::new(),
                    author: String::new(),
                    language: None,
                    default_language: data
                        .pointer("/evidence/language")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    created,
                },
            )?,
        };
        Ok(Rendered {
            kind,
            media_type: kind.media_type(),
            bytes,
        })
    }
}

/// A strict registry with the escape function of `kind` and the default helpers.
fn engine(kind: DocumentKind) -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    match kind {
        DocumentKind::Xml => hb.register_escape_fn(escape_xml),
        DocumentKind::Json => hb.register_escape_fn(escape_json),
        DocumentKind::Html => hb.register_escape_fn(handlebars::html_escape),
        DocumentKind::Pdf => hb.register_escape_fn(escape_markup),
    }
    hb.register_helper("upper", Box::new(CaseHelper { upper: true }));
    hb.register_helper("lower", Box::new(CaseHelper { upper: false }));
    hb.register_helper("date", Box::new(DateHelper));
    hb.register_helper("default", Box::new(DefaultHelper));
    hb.register_helper("eq", Box::new(EqHelper));
    hb
}

/// XML escaping of `& < > " '`. Characters XML 1.0 cannot carry at all (most C0
/// controls, U+FFFE/U+FFFF) become U+FFFD so the document stays well-formed and the
/// loss is visible.
pub fn escape_xml(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escaping for the body of a JSON string literal (the template writes the quotes).
pub fn escape_json(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn syntax_error(name: &str, origin: &str, e: &handlebars::TemplateError) -> RenderError {
    let (line, column) = e.pos().unwrap_or((0, 0));
    RenderError::TemplateSyntax {
        template: name.to_owned(),
        origin: origin.to_owned(),
        line,
        column,
        reason: e.reason().to_string(),
    }
}

fn render_error(name: &str, e: &handlebars::RenderError) -> RenderError {
    match e.reason() {
        RenderErrorReason::MissingVariable(path) => RenderError::MissingField {
            template: name.to_owned(),
            path: path.clone().unwrap_or_else(|| "?".to_owned()),
            line: e.line_no,
            column: e.column_no,
        },
        RenderErrorReason::TemplateNotFound(missing) if missing == name => {
            RenderError::UnknownTemplate {
                template: name.to_owned(),
            }
        }
        reason => RenderError::Failed {
            template: name.to_owned(),
            detail: reason.to_string(),
            line: e.line_no,
            column: e.column_no,
        },
    }
}

fn check_xml(name: &str, text: &str) -> Result<(), RenderError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .map(|_| ())
        .map_err(|e| {
            // The variant name and position only: payloads may quote document content.
            let debug = format!("{e:?}");
            let kind = debug.split('(').next().unwrap_or("error");
            RenderError::InvalidOutput {
                template: name.to_owned(),
                detail: format!("not well-formed XML ({kind}) at {}", e.pos()),
            }
        })
}

fn check_json(name: &str, text: &str) -> Result<(), RenderError> {
    serde_json::from_str::<Value>(text)
        .map(|_| ())
        .map_err(|e| RenderError::InvalidOutput {
            template: name.to_owned(),
            detail: format!(
                "not valid JSON ({:?}) at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            ),
        })
}

// ---------------------------------------------------------------------------------------
// Helpers

type HelperResult<'rc> = Result<ScopedJson<'rc>, handlebars::RenderError>;

/// Parameter `index` of helper `helper`; a variable missing from the data is a strict-mode
/// error naming its path.
fn param<'a, 'rc>(
    h: &'a Helper<'rc>,
    helper: &'static str,
    index: usize,
) -> Result<&'a PathAndJson<'rc>, handlebars::RenderError> {
    let p = h
        .param(index)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(helper, index))?;
    if p.is_value_missing() {
        return Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into());
    }
    Ok(p)
}

/// Scalar as text; `null` is empty. Objects and arrays are a template mistake.
fn scalar_text(
    p: &PathAndJson<'_>,
    helper: &'static str,
) -> Result<String, handlebars::RenderError> {
    match p.value() {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Array(_) | Value::Object(_) => Err(RenderErrorReason::ParamTypeMismatchForName(
            helper,
            p.relative_path().cloned().unwrap_or_else(|| "0".to_owned()),
            "string".to_owned(),
        )
        .into()),
    }
}

/// `{{upper x}}` / `{{lower x}}`.
struct CaseHelper {
    upper: bool,
}

impl HelperDef for CaseHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> HelperResult<'rc> {
        let name = if self.upper { "upper" } else { "lower" };
        let text = scalar_text(param(h, name, 0)?, name)?;
        let out = if self.upper {
            text.to_uppercase()
        } else {
            text.to_lowercase()
        };
        Ok(ScopedJson::Derived(Value::String(out)))
    }
}

/// `{{date x "%d.%m.%Y"}}`: formats an ISO date (`YYYY-MM-DD`, or an ISO/RFC 3339
/// date-time) with a chrono/strftime pattern (default `%Y-%m-%d`). `null` renders empty.
/// `{{date x "long"}}` writes the long date of the document language (`evidence.language`,
/// or a third parameter: `{{date x "long" "fr"}}`), e.g. `3. März 2026` ([`crate::l10n`]).
struct DateHelper;

/// The `date` form that follows the document language.
const LONG_DATE: &str = "long";

impl HelperDef for DateHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> HelperResult<'rc> {
        let value = param(h, "date", 0)?;
        let pattern = match h.param(1) {
            Some(p) => p
                .value()
                .as_str()
                .ok_or(RenderErrorReason::InvalidParamType("format string"))?,
            None => "%Y-%m-%d",
        };
        let text = match value.value() {
            Value::Null => return Ok(ScopedJson::Derived(Value::String(String::new()))),
            Value::String(s) => s.as_str(),
            _ => {
                return Err(RenderErrorReason::ParamTypeMismatchForName(
                    "date",
                    path_or_index(value),
                    "ISO date string".to_owned(),
                )
                .into());
            }
        };
        let parsed = parse_iso(text.trim()).ok_or_else(|| {
            RenderErrorReason::Other(format!(
                "date: value of `{}` is not an ISO date (YYYY-MM-DD)",
                path_or_index(value)
            ))
        })?;
        if pattern == LONG_DATE {
            let language = match h.param(2) {
                Some(p) => p.value().as_str().unwrap_or_default(),
                None => ctx
                    .data()
                    .pointer("/evidence/language")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            };
            let out = crate::l10n::long_date(parsed.date(), language);
            return Ok(ScopedJson::Derived(Value::String(out)));
        }
        let mut out = String::new();
        use std::fmt::Write as _;
        write!(out, "{}", parsed.format(pattern)).map_err(|_| {
            RenderErrorReason::Other(format!("date: invalid format string `{pattern}`"))
        })?;
        Ok(ScopedJson::Derived(Value::String(out)))
    }
}

fn path_or_index(p: &PathAndJson<'_>) -> String {
    p.relative_path()
        .cloned()
        .unwrap_or_else(|| "argument".to_owned())
}

fn parse_iso(text: &str) -> Option<NaiveDateTime> {
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.naive_local());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// `{{default x "—"}}`: `x` unless it is missing, `null` or empty, else the fallback.
struct DefaultHelper;

impl HelperDef for DefaultHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> HelperResult<'rc> {
        let fallback = param(h, "default", 1)?.value().clone();
        let value = h
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("default", 0))?;
        let absent = value.is_value_missing()
            || match value.value() {
                Value::Null => true,
                Value::String(s) => s.trim().is_empty(),
                Value::Array(a) => a.is_empty(),
                _ => false,
            };
        Ok(ScopedJson::Derived(if absent {
            fallback
        } else {
            value.value().clone()
        }))
    }
}

/// `{{#if (eq a b)}}`: JSON equality, numbers compared by value (1 == 1.0).
struct EqHelper;

impl HelperDef for EqHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> HelperResult<'rc> {
        let a = param(h, "eq", 0)?.value();
        let b = param(h, "eq", 1)?.value();
        let equal = match (a, b) {
            (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y,
                _ => x == y,
            },
            _ => a == b,
        };
        Ok(ScopedJson::Derived(Value::Bool(equal)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_round_trip() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_media_type(kind.media_type()), Some(kind));
        }
        assert_eq!(
            DocumentKind::from_media_type("Application/XML; charset=utf-8"),
            Some(DocumentKind::Xml)
        );
        assert_eq!(DocumentKind::from_media_type("image/png"), None);
    }

    #[test]
    fn json_escape_handles_controls() {
        assert_eq!(escape_json("a\"b\\c\nd\u{1}"), "a\\\"b\\\\c\\nd\\u0001");
    }

    #[test]
    fn xml_escape_replaces_forbidden_controls() {
        assert_eq!(
            escape_xml("<'&\">\u{1}"),
            "&lt;&apos;&amp;&quot;&gt;\u{FFFD}"
        );
    }

    fn html(source: &str, data: &Value) -> String {
        let mut r = Renderer::new();
        r.register("t", DocumentKind::Html, source, "t.hbs")
            .unwrap();
        String::from_utf8(r.render("t", data).unwrap().bytes).unwrap()
    }

    #[test]
    fn long_date_follows_the_document_language() {
        let source = "{{date record.born \"long\"}}";
        for (language, expected) in [
            ("DE", "3. März 2026"),
            ("FR", "3 mars 2026"),
            ("EN", "3 March 2026"),
            ("PL", "3 marca 2026"),
            // No table for Czech: English rather than an ISO date.
            ("CS", "3 March 2026"),
        ] {
            let data = serde_json::json!({
                "record": { "born": "2026-03-03" },
                "evidence": { "language": language },
            });
            assert_eq!(html(source, &data), expected, "{language}");
        }
        // No document language at all: English.
        let data = serde_json::json!({ "record": { "born": "2026-03-03T10:00:00Z" } });
        assert_eq!(html(source, &data), "3 March 2026");
    }

    #[test]
    fn long_date_takes_an_explicit_language_and_keeps_chrono_patterns() {
        let data = serde_json::json!({
            "record": { "born": "2026-03-03", "none": null },
            "evidence": { "language": "DE" },
        });
        assert_eq!(
            html("{{date record.born \"long\" \"es\"}}", &data),
            "3 de marzo de 2026"
        );
        assert_eq!(
            html(
                "{{date record.born \"%d.%m.%Y\"}}|{{date record.born}}",
                &data
            ),
            "03.03.2026|2026-03-03"
        );
        assert_eq!(html("[{{date record.none \"long\"}}]", &data), "[]");
    }

    #[test]
    fn parse_iso_accepts_dates_and_datetimes() {
        assert!(parse_iso("2020-02-29").is_some());
        assert!(parse_iso("2020-02-29T10:00:00Z").is_some());
        assert!(parse_iso("2020-02-29T10:00:00").is_some());
        assert!(parse_iso("29.02.2020").is_none());
    }
}
