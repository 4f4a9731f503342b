//! Diagnostics for configuration and mapping files: every problem is reported as
//! `file:line:col: OEA-Exxxx: message` plus a hint, so an authority can fix it at once.

pub mod suggest;
pub mod yaml_error;
pub mod yaml_tree;

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a configuration or mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line and column; 0 when the problem concerns the whole file.
    pub line: u64,
    pub column: u64,
    /// Stable code, `OEA-Exxxx`.
    pub code: &'static str,
    pub message: String,
    /// What to write instead.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(file: &Path, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn at(mut self, line: u64, column: u64) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn at_location(self, loc: serde_saphyr::Location) -> Self {
        self.at(loc.line(), loc.column())
    }

    /// At `pos` when it is known.
    pub fn at_pos(self, pos: Option<yaml_tree::Pos>) -> Self {
        match pos {
            Some(p) => self.at(p.line, p.column),
            None => self,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Turns a YAML deserialisation error into a diagnostic with its position.
    pub fn from_yaml(file: &Path, err: &serde_saphyr::Error) -> Self {
        let message = err.without_snippet().to_string();
        // The rendered message begins with its own "line X column Y:" prefix; drop it, the
        // position is printed in `file:line:col` form instead.
        let message = strip_position_suffix(strip_position_prefix(&message)).to_owned();
        let d = Diagnostic::new(file, codes::YAML_SYNTAX, message);
        match err.location() {
            Some(loc) => d.at_location(loc),
            None => d,
        }
    }
}

fn strip_position_prefix(s: &str) -> &str {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix("line ")
        && let Some(idx) = rest.find(": ")
        && rest[..idx]
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c.is_ascii_alphabetic())
    {
        return rest[idx + 2..].trim();
    }
    t
}

/// Drops a trailing " at line X, column Y" (the position is printed in front).
fn strip_position_suffix(s: &str) -> &str {
    match s.rfind(" at line ") {
        Some(i)
            if s[i + 9..].chars().all(|c| {
                c.is_ascii_digit() || matches!(c, ',' | ' ') || c.is_ascii_lowercase()
            }) =>
        {
            s[..i].trim_end()
        }
        _ => s,
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        write!(f, ": {}: {}", self.code, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// A set of diagnostics reported together (all errors at once, not one per run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

/// The stable diagnostic codes (documented in `docs/error-codes.md`). `OEA-E` codes are
/// errors (the deployment does not pass `check`); `OEA-W` codes are warnings, printed by
/// `check` but never failing it.
pub mod codes {
    pub const FILE_UNREADABLE: &str = "OEA-E0001";
    pub const YAML_SYNTAX: &str = "OEA-E0002";
    pub const BAD_URL: &str = "OEA-E0101";
    pub const UNKNOWN_CONNECTION: &str = "OEA-E0102";
    pub const BAD_CLASSIFICATION: &str = "OEA-E0103";
    pub const DUPLICATE_CLASSIFICATION: &str = "OEA-E0104";
    pub const UNBOUND_PARAMETER: &str = "OEA-E0105";
    pub const UNKNOWN_ATTRIBUTE: &str = "OEA-E0106";
    pub const TEMPLATE: &str = "OEA-E0107";
    pub const BAD_FORMAT: &str = "OEA-E0108";
    pub const NO_DISTRIBUTION: &str = "OEA-E0109";
    pub const MISSING_IDENTITY: &str = "OEA-E0110";
    pub const CONNECTOR: &str = "OEA-E0111";
    pub const NO_MAPPINGS: &str = "OEA-E0112";
    pub const BAD_PATH: &str = "OEA-E0113";
    pub const UNKNOWN_VARIABLE: &str = "OEA-E0114";
    pub const UNKNOWN_FIELD: &str = "OEA-E0115";
    pub const PATH_MATCHES_NOTHING: &str = "OEA-E0116";
    pub const MATCHING: &str = "OEA-E0117";
    pub const GATEWAY: &str = "OEA-E0118";
    pub const ASSOCIATED: &str = "OEA-E0124";
    pub const SEVERAL: &str = "OEA-E0119";
    /// `evidence.issuing_authority` / `evidence.validity` cannot be used.
    pub const BAD_METADATA: &str = "OEA-E0127";
    /// `provider_classifications` / `connector.classifications` cannot be used.
    pub const BAD_CLASSIFICATION_USE: &str = "OEA-E0128";
    /// A distribution's `subsets` entry cannot be used.
    pub const BAD_SUBSET: &str = "OEA-E0129";
    /// `evidence.deferred` cannot be used.
    pub const DEFERRAL: &str = "OEA-E0130";
    /// `http.limits` cannot serve.
    pub const HTTP_LISTENER: &str = "OEA-E0120";
    /// A `fields:` entry names a column the SQL query does not return.
    pub const FIELD_NOT_RETURNED: &str = "OEA-E0121";
    /// `check --live`: the database refuses to prepare the mapping's query.
    pub const QUERY_REFUSED: &str = "OEA-E0122";
    /// `test`: a test's registry fixture lacks a field declared under `fields:`.
    pub const FIXTURE_LACKS_FIELD: &str = "OEA-E0123";
    /// `check` cannot tell which columns a SQL query returns (`SELECT *`, unreadable SQL).
    pub const COLUMNS_UNKNOWN: &str = "OEA-W0301";
    /// `preview.time_zone` is not an IANA zone name.
    pub const TIME_ZONE: &str = "OEA-E0131";
    /// A mapping's labels lack a language the preview pages offer.
    pub const LABEL_LANGUAGE: &str = "OEA-W0101";
    /// A preview translation override lacks keys added since; the shipped texts are shown.
    pub const PREVIEW_TEXT_FILLED: &str = "OEA-W0110";
    /// A preview translation override names the requester where the sentence no longer may.
    pub const PREVIEW_TEXT_RETIRED: &str = "OEA-E0132";
    pub const SECRET: &str = "OEA-E0401";
    /// The mapping gives no `dsd.identifier` (a derived one is exported).
    pub const DSD_NO_IDENTIFIER: &str = "OEA-W0201";
    /// `evidence_type.title` has no English entry.
    pub const DSD_NO_ENGLISH_TITLE: &str = "OEA-W0202";
    /// No level of assurance to register.
    pub const DSD_NO_ASSURANCE: &str = "OEA-W0203";
    /// No access point to register (Domibus gateway without `dsd.access_service`).
    pub const DSD_NO_ACCESS_SERVICE: &str = "OEA-W0204";
    /// `provider.name` has no English entry.
    pub const DSD_NO_ENGLISH_NAME: &str = "OEA-W0205";
    /// `dsd.identifier` is not a UUID.
    pub const DSD_BAD_IDENTIFIER: &str = "OEA-W0206";
    /// Two mapping files give the same `dsd.identifier`.
    pub const DSD_DUPLICATE_IDENTIFIER: &str = "OEA-W0207";
    /// A JSONPath in a connection's settings (`records`, `pagination.path`) does not parse.
    pub const CONNECTION_PATH: &str = "OEA-E0125";
}
