//! PDF rendition of a small line-oriented markup (see `docs/pdf-markup.md`).
//!
//! Why this shape: the authority's Handlebars template produces plain text markup, and
//! this module lays it out on A4 pages with the bundled DejaVu Sans fonts (Latin, Greek,
//! Cyrillic) and writes it as tagged PDF/A-2 with `krilla`, fonts embedded as subsets.
//! No layout engine, no system fonts, deterministic bytes.
//!
//! Stages, one file each: `markup` parses the text into blocks, `layout` wraps and
//! places them on pages with the glyph advances of `fonts`, `write` writes the pages,
//! metadata and the tag tree of `tags` as PDF.

mod fonts;
mod layout;
mod markup;
mod tags;
mod write;

#[cfg(test)]
mod tests;

use chrono::NaiveDateTime;

use self::layout::layout;
use self::markup::parse;
use self::write::{Info, write};
use super::error::RenderError;

/// Document metadata written into the PDF information dictionary and catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfMeta {
    /// `/Title`; when empty, the markup's `@title` or its first `# Title` is used.
    pub title: String,
    /// `/Author`; when empty, the markup's `@author` is used (omitted if none).
    pub author: String,
    /// BCP 47 tag for the catalog `/Lang`; when `None`, the markup's `@lang` is used.
    pub language: Option<String>,
    /// Used when neither `language` nor the markup's `@lang` gives one: the language of
    /// the distribution (`evidence.language` of the template data).
    pub default_language: Option<String>,
    /// `/CreationDate`, interpreted as UTC. Fixed by callers that need stable bytes.
    pub created: NaiveDateTime,
}

/// A rendered PDF with facts a caller may want to log (no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfReport {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
}

/// Renders `markup` to PDF bytes. Same markup and meta → identical bytes.
pub fn render_pdf(markup: &str, meta: &PdfMeta) -> Result<Vec<u8>, RenderError> {
    render_pdf_report(markup, meta).map(|r| r.bytes)
}

/// Like [`render_pdf`], also returning the page count.
///
/// A character the bundled fonts lack is an error (`RENDER_PDF` naming it), never a
/// blank box or a stand-in.
pub fn render_pdf_report(markup: &str, meta: &PdfMeta) -> Result<PdfReport, RenderError> {
    let doc = parse(markup)?;
    let laid = layout(&doc)?;
    let title = first_non_empty(&[&meta.title, doc.title.as_deref().unwrap_or("")])
        .or_else(|| doc.first_title().map(str::to_owned));
    let author = first_non_empty(&[&meta.author, doc.author.as_deref().unwrap_or("")]);
    let language = meta
        .language
        .clone()
        .or_else(|| doc.lang.clone())
        .or_else(|| meta.default_language.as_deref().map(str::to_lowercase))
        .filter(|l| !l.trim().is_empty());
    let info = Info {
        title,
        author,
        language,
        created: meta.created,
    };
    let pages = laid.len();
    let bytes = write(&laid, &doc, &info, markup)?;
    Ok(PdfReport { bytes, pages })
}

/// Escapes a value for inclusion in markup: the markup's special characters get a
/// backslash, line breaks and other control characters become spaces, so a record
/// value can never start a heading, a row, a rule or a directive.
pub fn escape_markup(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' | '|' | '#' | '>' | '-' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The first candidate that is not blank, trimmed.
fn first_non_empty(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .map(str::to_owned)
}
