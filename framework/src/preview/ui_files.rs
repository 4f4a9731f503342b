//! The `preview.ui_dir` override folder: templates, stylesheet and translations an
//! authority puts beside the embedded `preview-ui/` ones. Read by the pages
//! ([`crate::web::preview::page`]) and the texts ([`super::i18n`]) alike.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why the preview UI could not be loaded or a page not rendered. Messages name files,
/// templates and keys, never the values shown on the page (personal data).
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The override directory (or one of its subfolders) cannot be listed.
    #[error("preview UI override directory {dir}: cannot be read: {source}")]
    OverrideDir {
        /// The directory.
        dir: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An override file cannot be read (or is not UTF-8 text where text is expected).
    #[error("{file}: cannot be read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The same file is both in the override directory and in its subfolder.
    #[error("{file} and {other}: the same file is given twice; keep one")]
    Duplicate {
        /// One of the two files.
        file: String,
        /// The other one.
        other: String,
    },
    /// A `.hbs` file that is not one of the page templates.
    #[error("{file}: not a preview template (expected one of: {expected})")]
    UnknownTemplate {
        /// The file.
        file: String,
        /// The template file names that can be overridden.
        expected: String,
    },
    /// A `.css` file other than `preview.css`, or a logo that is not `logo.svg`/`logo.png`.
    #[error("{file}: not a preview UI file (expected {expected})")]
    UnknownFile {
        /// The file.
        file: String,
        /// What may be there instead.
        expected: String,
    },
    /// A template does not compile.
    #[error("{file}:{line}:{column}: template `{template}` does not compile: {reason}")]
    TemplateSyntax {
        /// Template name (file name without `.hbs`).
        template: String,
        /// Where the source came from (override file path, or `embedded:<name>.hbs`).
        file: String,
        /// 1-based line (0 if unknown).
        line: usize,
        /// Column (0 if unknown).
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A page could not be rendered (missing variable in strict mode, unknown text key, ...).
    #[error("template `{template}`{at}: {detail}", at = position(*line, *column))]
    Render {
        /// The page template being rendered.
        template: String,
        /// What went wrong (names only, no values).
        detail: String,
        /// Line in the template or partial, if known.
        line: Option<usize>,
        /// Column, if known.
        column: Option<usize>,
    },
    /// A translation file name is not `<lang>.json` with a 2–3 letter lowercase code.
    #[error(
        "{file}: translation files are named after a 2- or 3-letter lowercase language code, e.g. cs.json"
    )]
    BadLanguageFile {
        /// The file.
        file: String,
    },
    /// A translation file is not a flat JSON object of strings.
    #[error("{file}: not a flat JSON object of texts: {detail}")]
    Translation {
        /// The file.
        file: String,
        /// The JSON error.
        detail: String,
    },
    /// A translation file lacks a key of `en.json`.
    #[error("{file}: missing key `{key}` (every translation file needs all keys of en.json)")]
    MissingKey {
        /// The file.
        file: String,
        /// The missing key.
        key: String,
    },
    /// A translation file has an empty text.
    #[error("{file}: key `{key}` has an empty text")]
    EmptyText {
        /// The file.
        file: String,
        /// The key.
        key: String,
    },
    /// A text uses a placeholder that the English text of the same key does not have.
    #[error(
        "{file}: key `{key}` uses placeholder `{{{placeholder}}}`, which the English text does not have"
    )]
    UnknownPlaceholder {
        /// The file.
        file: String,
        /// The key.
        key: String,
        /// The placeholder name.
        placeholder: String,
    },
    /// The override logo is not acceptable.
    #[error("{file}: {reason}")]
    BadLogo {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A link given to a page is not an http(s) URL or an absolute path.
    #[error(
        "page `{template}`: `{field}` is not a safe link (expected https://, http:// or a path starting with /)"
    )]
    UnsafeUrl {
        /// The page template.
        template: String,
        /// The field holding the link.
        field: String,
    },
}

/// The regular files named `*{ext}` directly in `dir` or in `dir/{sub}`, by file name.
/// A missing `dir/{sub}` is fine; a missing `dir` is an error; the same name in both
/// places is an error.
pub(crate) fn override_files(
    dir: &Path,
    sub: &str,
    ext: &str,
) -> Result<BTreeMap<String, PathBuf>, PageError> {
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    let subdir = dir.join(sub);
    let mut dirs = vec![dir.to_path_buf()];
    if subdir.is_dir() {
        dirs.push(subdir);
    }
    for d in dirs {
        let entries = std::fs::read_dir(&d).map_err(|source| PageError::OverrideDir {
            dir: d.display().to_string(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| PageError::OverrideDir {
                dir: d.display().to_string(),
                source,
            })?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !name.ends_with(ext) || name.starts_with('.') || !path.is_file() {
                continue;
            }
            if let Some(other) = files.get(&name) {
                return Err(PageError::Duplicate {
                    file: other.display().to_string(),
                    other: path.display().to_string(),
                });
            }
            files.insert(name, path);
        }
    }
    Ok(files)
}

/// A UTF-8 text file.
pub(crate) fn read_text(path: &Path) -> Result<String, PageError> {
    std::fs::read_to_string(path).map_err(|source| PageError::Read {
        file: path.display().to_string(),
        source,
    })
}

/// ` at line:column` of a template error, when known.
fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at {l}:{c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}
