//! Rendering registry records into evidence documents (XML, JSON, HTML, PDF).
//!
//! An authority writes one Handlebars template per evidence type and output kind
//! ([`Renderer`]); structured outputs are checked after rendering (well-formed XML,
//! valid JSON), and the PDF rendition is laid out from a small line markup ([`pdf`],
//! documented in `docs/pdf-markup.md`).

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod error;
pub mod l10n;
pub mod pdf;
mod template;

pub use error::RenderError;
pub use pdf::{PdfMeta, PdfReport, render_pdf, render_pdf_report};
pub use template::{DocumentKind, Rendered, Renderer, escape_json, escape_xml};
