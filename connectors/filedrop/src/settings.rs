//! What an authority writes under `connections: <name>: {type: filedrop, ...}`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use oots_connector::ConnectorError;
use serde::Deserialize;

/// Settings of one file-drop connection (the framework strips `type: filedrop`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiledropSettings {
    /// Folder the registry drops its export into (relative paths: against the config folder).
    pub folder: PathBuf,
    /// How the files are encoded.
    pub format: FileFormat,
    /// File-name glob (`*` and `?`, ASCII case-insensitive); default `*.csv` / `*.json` / `*.xml`.
    #[serde(default)]
    pub pattern: Option<String>,
    /// JSON: path to the record array (`people`, `$.people[*]`; default: the document is the
    /// array). XML: element path of the records (`register/person`; default: the root's children).
    #[serde(default)]
    pub records: Option<String>,
    /// CSV options.
    #[serde(default)]
    pub csv: CsvOptions,
    /// Field paths forming the index key (`[date_of_birth]`); lookups on exactly these
    /// fields are index look-ups, others scan.
    pub key: Vec<String>,
    /// Fallback rescan interval, so the index stays right even when no file events arrive.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// A file counts as complete once its size and mtime stayed unchanged this long.
    #[serde(default = "default_settle_ms")]
    pub settle_ms: u64,
    /// Optional sub-folder (of `folder`, unless absolute) with binary evidence documents.
    #[serde(default)]
    pub documents: Option<PathBuf>,
    /// Use file-system notifications; `false` relies on polling alone (network file systems).
    #[serde(default = "default_watch")]
    pub watch: bool,
}

/// Encoding of the dropped files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Json,
    Xml,
}

impl FileFormat {
    /// Lower-case name, as written in the settings.
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Xml => "xml",
        }
    }
}

/// CSV dialect. A header row is required: it names the fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvOptions {
    /// Single ASCII field separator, default `,`.
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            delimiter: default_delimiter(),
        }
    }
}

fn default_delimiter() -> char {
    ','
}
fn default_poll_interval_ms() -> u64 {
    2000
}
fn default_settle_ms() -> u64 {
    500
}
fn default_watch() -> bool {
    true
}

/// Settings checked and resolved against the configuration folder.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub folder: PathBuf,
    pub format: FileFormat,
    pub pattern: String,
    pub records: Option<String>,
    pub delimiter: u8,
    pub poll_interval: Duration,
    pub settle: Duration,
    pub documents: Option<PathBuf>,
    pub watch: bool,
}

impl FiledropSettings {
    pub(crate) fn resolve(&self, base_dir: &Path) -> Result<Resolved, ConnectorError> {
        let folder = if self.folder.is_absolute() {
            self.folder.clone()
        } else {
            base_dir.join(&self.folder)
        };
        let delimiter = u8::try_from(u32::from(self.csv.delimiter))
            .ok()
            .filter(|d| d.is_ascii() && *d != b'"' && *d != b'\n' && *d != b'\r')
            .ok_or_else(|| {
                ConnectorError::Config("filedrop csv.delimiter must be one ASCII character".into())
            })?;
        if self.poll_interval_ms == 0 {
            return Err(ConnectorError::Config(
                "filedrop poll_interval_ms must be at least 1".into(),
            ));
        }
        let pattern = match &self.pattern {
            Some(p) if p.trim().is_empty() || p.contains(['/', '\\']) => {
                return Err(ConnectorError::Config(
                    "filedrop pattern must be a non-empty file-name glob (no folders)".into(),
                ));
            }
            Some(p) => p.trim().to_owned(),
            None => format!("*.{}", self.format.name()),
        };
        let documents = self.documents.as_ref().map(|d| {
            if d.is_absolute() {
                d.clone()
            } else {
                folder.join(d)
            }
        });
        Ok(Resolved {
            folder,
            format: self.format,
            pattern,
            records: self.records.clone(),
            delimiter,
            poll_interval: Duration::from_millis(self.poll_interval_ms),
            settle: Duration::from_millis(self.settle_ms),
            documents,
            watch: self.watch,
        })
    }
}

/// Matches a file name against a `*`/`?` glob, ASCII case-insensitively.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let n: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Names a writer uses while a file is incomplete, or that are not data: hidden files
/// (also ConfigMap's `..data` and `..<timestamp>`), editor backups, `.tmp` / `.part`.
pub(crate) fn is_ignored_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with('~')
        || lower.ends_with(".tmp")
        || lower.ends_with(".part")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.csv", "people.csv"));
        assert!(glob_match("*.csv", "PEOPLE.CSV"));
        assert!(!glob_match("*.csv", "people.csv.tmp"));
        assert!(glob_match("p?ople-*.json", "people-2026.json"));
        assert!(!glob_match("*.xml", "x.xm"));
        assert!(glob_match("*", "a"));
    }

    #[test]
    fn ignored_names() {
        for n in [".x.csv", "~x.csv", "x.csv.tmp", "x.csv.part", "..data"] {
            assert!(is_ignored_name(n), "{n}");
        }
        assert!(!is_ignored_name("x.csv"));
    }
}
