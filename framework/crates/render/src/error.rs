//! Errors of the render stage.
//!
//! Messages name the template, the variable path and positions, never the record values:
//! the records are personal data and these messages end up in logs and EDM errors.

use thiserror::Error;

/// Why a template could not be registered or rendered.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// The template (or partial) source does not compile.
    #[error("{origin}:{line}:{column}: template `{template}` does not compile: {reason}")]
    TemplateSyntax {
        /// Name the template was registered under.
        template: String,
        /// File path (or other origin) given at registration.
        origin: String,
        /// 1-based line of the error (0 when handlebars gave no position).
        line: usize,
        /// Column of the error as reported by handlebars (0 when unknown).
        column: usize,
        /// What is wrong, as reported by the template compiler.
        reason: String,
    },
    /// Strict mode: the template references a variable that the data does not have.
    #[error("template `{template}`{at}: missing field `{path}`", at = position(*line, *column))]
    MissingField {
        /// Template being rendered.
        template: String,
        /// Path of the missing variable as written in the template (e.g. `person.birthDate`).
        path: String,
        /// Line in the template (or partial) where it is referenced, if known.
        line: Option<usize>,
        /// Column in the template (or partial), if known.
        column: Option<usize>,
    },
    /// The rendered text is not a valid document of its kind (e.g. not well-formed XML).
    #[error("template `{template}` produced an invalid document: {detail}")]
    InvalidOutput {
        /// Template being rendered.
        template: String,
        /// What is wrong, with positions only.
        detail: String,
    },
    /// No template is registered under this name.
    #[error("no template registered under the name `{template}`")]
    UnknownTemplate {
        /// The requested name.
        template: String,
    },
    /// A helper or the template engine failed for another reason (bad helper argument,
    /// unknown partial, ...).
    #[error("template `{template}`{at}: {detail}", at = position(*line, *column))]
    Failed {
        /// Template being rendered.
        template: String,
        /// What went wrong (names and types, never values).
        detail: String,
        /// Line in the template (or partial), if known.
        line: Option<usize>,
        /// Column in the template (or partial), if known.
        column: Option<usize>,
    },
    /// The PDF markup could not be laid out or written.
    #[error("PDF rendition failed: {detail}")]
    Pdf {
        /// What went wrong.
        detail: String,
    },
}

impl RenderError {
    /// Stable machine-readable code, for logs, metrics and mapping to EDM errors.
    pub fn code(&self) -> &'static str {
        match self {
            RenderError::TemplateSyntax { .. } => "RENDER_TEMPLATE_SYNTAX",
            RenderError::MissingField { .. } => "RENDER_MISSING_FIELD",
            RenderError::InvalidOutput { .. } => "RENDER_INVALID_OUTPUT",
            RenderError::UnknownTemplate { .. } => "RENDER_UNKNOWN_TEMPLATE",
            RenderError::Failed { .. } => "RENDER_FAILED",
            RenderError::Pdf { .. } => "RENDER_PDF",
        }
    }
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
        (Some(l), None) => format!(" (line {l})"),
        _ => String::new(),
    }
}
