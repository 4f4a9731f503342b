//! What an authority writes under `connections: <name>: {type: sql, ...}`.

use std::path::{Path, PathBuf};

use oots_connector::ConnectorError;
use oots_connector::secret::SecretRef;
use serde::Deserialize;

/// Settings of one sqlx connection (`type: sql`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlSettings {
    /// Connection URL without credentials (`sqlite://births.db`, `postgres://user@host/db`).
    pub url: String,
    /// Password, as a secret reference; inserted into the URL when connecting.
    #[serde(default)]
    pub password: Option<SecretRef>,
    /// SQL script creating and seeding an embedded SQLite registry the first time (demo only).
    #[serde(default)]
    pub init: Option<PathBuf>,
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Time budget of one lookup in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Maximum rows one lookup may return.
    #[serde(default = "default_max_rows")]
    pub max_rows: usize,
}

fn default_max_connections() -> u32 {
    4
}
fn default_timeout_ms() -> u64 {
    10_000
}
fn default_max_rows() -> usize {
    1_000
}

impl SqlSettings {
    /// Makes the SQLite file, the init script and a `file:` password relative to `base`
    /// (the config folder), so the adapter behaves the same whatever directory it is
    /// started from.
    pub fn relative_to(&mut self, base: &Path) {
        self.url = resolve_sqlite_url(base, &self.url);
        if let Some(init) = self.init.take() {
            self.init = Some(base.join(init));
        }
        if let Some(p) = self.password.take() {
            self.password = Some(p.relative_to(base));
        }
    }

    /// The URL with the resolved password inserted (`user@host` → `user:pw@host`).
    pub fn url_with_password(&self) -> Result<String, ConnectorError> {
        let Some(r) = &self.password else {
            return Ok(self.url.clone());
        };
        let pw = r
            .resolve()
            .map_err(|e| ConnectorError::Config(e.to_string()))?;
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return Err(ConnectorError::Config(
                "a password needs a URL of the form scheme://user@host/db".to_owned(),
            ));
        };
        let Some((user, host)) = rest.split_once('@') else {
            return Err(ConnectorError::Config(
                "a password needs a user name in the URL (scheme://user@host/db)".to_owned(),
            ));
        };
        Ok(format!(
            "{scheme}://{user}:{}@{host}",
            percent_encode(pw.expose())
        ))
    }

    /// Whether the URL carries a password itself (`scheme://user:pw@host`).
    pub fn has_inline_password(&self) -> bool {
        self.url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .is_some_and(|(userinfo, _)| userinfo.contains(':'))
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Makes a relative SQLite file path relative to the config folder.
fn resolve_sqlite_url(base: &Path, url: &str) -> String {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return url.to_owned();
    };
    if rest.starts_with(':') || rest.starts_with('/') {
        return url.to_owned();
    }
    format!("sqlite://{}", base.join(rest).display())
}
