//! What an authority writes under `connections: <name>: {type: mssql, ...}`.

use std::time::Duration;

use oots_connector::ConnectorError;
use oots_connector::secret::SecretRef;
use serde::Deserialize;
use tiberius::{AuthMethod, Config, EncryptionLevel};

/// Settings of one SQL Server connection. Either `host` (+ `port`, `database`, `username`)
/// or an ADO connection string `url`; the password is always a separate secret reference
/// so it never sits in a connection string or a config dump.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MssqlSettings {
    /// Server host name or address (alternative to `url`).
    #[serde(default)]
    pub host: Option<String>,
    /// TCP port (default 1433).
    #[serde(default = "default_port")]
    pub port: u16,
    /// Database to log in to.
    #[serde(default)]
    pub database: Option<String>,
    /// SQL Server login (SQL authentication). Required unless `url` names `User ID`.
    #[serde(default)]
    pub username: Option<String>,
    /// Password of the login, as `env:NAME` or `file:/path`.
    pub password: SecretRef,
    /// Transport encryption (default `required`).
    #[serde(default)]
    pub encrypt: Encrypt,
    /// Accept any server certificate (test servers only; the name is the ADO one).
    #[serde(default)]
    pub trust_server_certificate: bool,
    /// Pool size (default 4).
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// TCP connect + TLS + login budget in milliseconds (default 5000).
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Statement timeout in milliseconds, enforced by the driver (default 30000); each
    /// lookup is additionally bounded by its own `Limits::timeout`.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// ADO connection string (`Server=tcp:host,1433;Database=db;User Id=reader;…`) without
    /// a password; alternative to `host`.
    #[serde(default)]
    pub url: Option<String>,
}

/// Transport encryption of the TDS connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encrypt {
    /// No TLS at all, credentials included: loopback test servers only.
    Off,
    /// TLS if the server supports it.
    On,
    /// TLS or no connection.
    #[default]
    Required,
}

fn default_port() -> u16 {
    1433
}
fn default_max_connections() -> usize {
    4
}
fn default_connect_timeout_ms() -> u64 {
    5_000
}
fn default_timeout_ms() -> u64 {
    30_000
}

impl MssqlSettings {
    /// Settings for `host:port` with SQL authentication and defaults elsewhere.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        username: impl Into<String>,
        password: SecretRef,
    ) -> Self {
        Self {
            host: Some(host.into()),
            port,
            database: None,
            username: Some(username.into()),
            password,
            encrypt: Encrypt::default(),
            trust_server_certificate: false,
            max_connections: default_max_connections(),
            connect_timeout_ms: default_connect_timeout_ms(),
            timeout_ms: default_timeout_ms(),
            url: None,
        }
    }

    pub(crate) fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// The tiberius configuration, with the password resolved from its reference.
    pub(crate) fn to_config(&self) -> Result<Config, ConnectorError> {
        if self.max_connections == 0 {
            return Err(ConnectorError::Config(
                "max_connections must be at least 1".into(),
            ));
        }
        if self.connect_timeout_ms == 0 || self.timeout_ms == 0 {
            return Err(ConnectorError::Config(
                "connect_timeout_ms and timeout_ms must be positive".into(),
            ));
        }
        let password = self
            .password
            .resolve()
            .map_err(|e| ConnectorError::Config(format!("mssql password: {e}")))?;
        let mut config = match (&self.url, &self.host) {
            (Some(url), None) => {
                let lower = url.to_ascii_lowercase();
                if lower.contains("password=") || lower.contains("pwd=") {
                    return Err(ConnectorError::Config(
                        "mssql url must not contain a password; use `password: env:…`".into(),
                    ));
                }
                Config::from_ado_string(url).map_err(|e| {
                    ConnectorError::Config(format!(
                        "mssql url is not an ADO connection string: {e}"
                    ))
                })?
            }
            (None, Some(host)) => {
                let mut c = Config::new();
                c.host(host);
                c.port(self.port);
                c
            }
            _ => {
                return Err(ConnectorError::Config(
                    "mssql connection needs exactly one of `host` or `url`".into(),
                ));
            }
        };
        if let Some(db) = &self.database {
            config.database(db);
        }
        let username = match (&self.username, &self.url) {
            (Some(u), _) => u.clone(),
            (None, Some(url)) => ado_value(url, &["user id", "uid", "user", "username"])
                .ok_or_else(|| {
                    ConnectorError::Config("mssql connection needs `username`".into())
                })?,
            (None, None) => {
                return Err(ConnectorError::Config(
                    "mssql connection needs `username`".into(),
                ));
            }
        };
        config.authentication(AuthMethod::sql_server(username, password.expose()));
        config.encryption(match self.encrypt {
            Encrypt::Off => EncryptionLevel::NotSupported,
            Encrypt::On => EncryptionLevel::On,
            Encrypt::Required => EncryptionLevel::Required,
        });
        if self.trust_server_certificate {
            config.trust_cert();
        }
        config.application_name("oots-adapter");
        config.handshake_timeout(Some(self.connect_timeout()));
        config.command_timeout(Some(Duration::from_millis(self.timeout_ms)));
        Ok(config)
    }
}

/// The value of the first of `keys` in an ADO connection string (case-insensitive).
fn ado_value(url: &str, keys: &[&str]) -> Option<String> {
    url.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        keys.contains(&k.trim().to_ascii_lowercase().as_str())
            .then(|| v.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_json(v: serde_json::Value) -> Result<MssqlSettings, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn defaults_and_unknown_fields() {
        let s = from_json(serde_json::json!({
            "host": "db", "username": "reader", "password": "env:X"
        }))
        .unwrap();
        assert_eq!(
            (s.port, s.max_connections, s.encrypt),
            (1433, 4, Encrypt::Required)
        );
        assert!(
            from_json(serde_json::json!({"host": "db", "password": "env:X", "pasword": 1}))
                .is_err()
        );
        // Inline passwords are refused by SecretRef.
        assert!(from_json(serde_json::json!({"host": "db", "password": "hunter2"})).is_err());
    }

    #[test]
    fn url_form_refuses_inline_password_and_needs_one_target() {
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "s3cret\n").unwrap();
        let mut s = MssqlSettings::new("db", 1433, "reader", SecretRef::File(pw));
        assert!(s.to_config().is_ok());
        s.url = Some("Server=tcp:db,1433;User Id=reader".into());
        let both = s.to_config().unwrap_err().to_string();
        assert!(both.contains("exactly one"), "{both}");
        s.host = None;
        s.username = None;
        assert!(s.to_config().is_ok(), "username comes from the url");
        s.url = Some("Server=tcp:db,1433;User Id=reader;Password=x".into());
        let inline = s.to_config().unwrap_err().to_string();
        assert!(inline.contains("must not contain a password"), "{inline}");
        assert_eq!(
            ado_value("Server=x;User Id = reader ;Database=d", &["user id"]).as_deref(),
            Some("reader")
        );
    }
}
