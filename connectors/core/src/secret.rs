//! Secrets are written as references (`env:NAME`, `file:/path`) and resolved into a
//! [`Secret`] that cannot be printed, logged or serialised.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use subtle::ConstantTimeEq;

/// Where a secret comes from, as written in a configuration file.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// `env:NAME`: the value of an environment variable.
    Env(String),
    /// `file:/path`: the content of a file (one trailing newline is dropped).
    File(PathBuf),
}

/// Why a secret reference could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The value is not a reference; inline credentials are refused so they never end up
    /// in a repository or a config dump.
    #[error(
        "secrets must be references (`env:NAME` or `file:/path`), not inline values (OEA-E0401)"
    )]
    Inline,
    #[error("environment variable {0} is not set (OEA-E0402)")]
    MissingEnv(String),
    #[error("secret file {path} cannot be read: {reason} (OEA-E0403)")]
    Unreadable { path: PathBuf, reason: String },
}

impl SecretRef {
    /// Parses `env:NAME` / `file:/path`; anything else is an inline value and refused.
    pub fn parse(s: &str) -> Result<Self, SecretError> {
        if let Some(name) = s.strip_prefix("env:").filter(|n| !n.is_empty()) {
            return Ok(Self::Env(name.to_owned()));
        }
        if let Some(path) = s.strip_prefix("file:").filter(|p| !p.is_empty()) {
            return Ok(Self::File(PathBuf::from(path)));
        }
        Err(SecretError::Inline)
    }

    /// Resolves relative `file:` paths against `base` (the config file's folder).
    pub fn relative_to(self, base: &Path) -> Self {
        match self {
            Self::File(p) if p.is_relative() => Self::File(base.join(p)),
            other => other,
        }
    }

    /// Reads the secret value now.
    pub fn resolve(&self) -> Result<Secret, SecretError> {
        match self {
            Self::Env(name) => std::env::var(name)
                .map(Secret)
                .map_err(|_| SecretError::MissingEnv(name.clone())),
            Self::File(path) => std::fs::read_to_string(path)
                .map(|s| Secret(s.strip_suffix('\n').unwrap_or(&s).to_owned()))
                .map_err(|e| SecretError::Unreadable {
                    path: path.clone(),
                    reason: e.kind().to_string(),
                }),
        }
    }
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(n) => write!(f, "env:{n}"),
            Self::File(p) => write!(f, "file:{}", p.display()),
        }
    }
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SecretRef::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A resolved secret value. `Debug`/`Display` print `***`; it has no `Serialize`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value obtained elsewhere (tests, generated demo credentials).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for the one place that must send it (an auth header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no value was configured (an empty secret never authenticates anyone).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Constant-time comparison, so a wrong password cannot be guessed byte by byte.
    pub fn matches(&self, candidate: &str) -> bool {
        self.0.as_bytes().ct_eq(candidate.as_bytes()).into()
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_values_are_refused() {
        assert!(matches!(
            SecretRef::parse("hunter2"),
            Err(SecretError::Inline)
        ));
        assert!(matches!(SecretRef::parse("env:"), Err(SecretError::Inline)));
    }

    #[test]
    fn env_and_file_references_resolve_and_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret\n").unwrap();
        let r = SecretRef::parse("file:pw").unwrap().relative_to(dir.path());
        let s = r.resolve().unwrap();
        assert_eq!(s.expose(), "s3cret");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        assert!(s.matches("s3cret") && !s.matches("s3cre"));
        let missing = SecretRef::parse("env:OOTS_TEST_SURELY_UNSET_VAR").unwrap();
        assert!(matches!(missing.resolve(), Err(SecretError::MissingEnv(_))));
    }
}
