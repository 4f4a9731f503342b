//! Settings of the Domibus WS-plugin gateway and of its push-notification endpoint.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// A password or token: never printed (`Debug` shows `***`), never serialised.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the few places that must send or compare it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no secret was configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

/// Default timeout of one call to the WS plugin.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on one WS-plugin answer (payloads are inline base64, so answers are big).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 128 * 1024 * 1024;

/// How to reach the Domibus WS plugin, and what Domibus must present when it pushes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomibusConfig {
    /// Base URL of the plugin, e.g. `https://ap.example/domibus/services/wsplugin`;
    /// operations are posted to `{endpoint}/{operation}`.
    pub endpoint: String,
    /// Domibus plugin user.
    pub username: String,
    pub password: Secret,
    /// Timeout of one call; integer seconds or a string like `"30s"`, `"500ms"`, `"2m"`.
    #[serde(default = "default_timeout", deserialize_with = "deserialize_duration")]
    pub timeout: Duration,
    /// Credentials Domibus uses on `POST /domibus/notifications`
    /// (`wsplugin.push.auth.username/password`).
    #[serde(default)]
    pub push_username: String,
    #[serde(default)]
    pub push_password: Secret,
    /// Largest answer accepted from the plugin, in bytes.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: usize,
}

impl DomibusConfig {
    /// A configuration with default timeout and limits and no push credentials.
    pub fn new(
        endpoint: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        DomibusConfig {
            endpoint: endpoint.into(),
            username: username.into(),
            password: password.into(),
            timeout: DEFAULT_TIMEOUT,
            push_username: String::new(),
            push_password: Secret::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The credentials the push endpoint expects.
    pub fn push_auth(&self) -> PushAuth {
        PushAuth {
            username: self.push_username.clone(),
            password: self.push_password.clone(),
        }
    }
}

/// Basic-auth credentials the push endpoint requires from Domibus. Empty credentials
/// refuse every call (fail closed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushAuth {
    pub username: String,
    pub password: Secret,
}

impl PushAuth {
    /// Credentials from plain values.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        PushAuth {
            username: username.into(),
            password: password.into(),
        }
    }
}

fn default_timeout() -> Duration {
    DEFAULT_TIMEOUT
}

fn default_max_response_bytes() -> usize {
    DEFAULT_MAX_RESPONSE_BYTES
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDuration {
    Seconds(u64),
    Text(String),
}

/// Accepts integer seconds or `"<n>ms" | "<n>s" | "<n>m" | "<n>"` (seconds).
fn deserialize_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    match RawDuration::deserialize(d)? {
        RawDuration::Seconds(s) => Ok(Duration::from_secs(s)),
        RawDuration::Text(t) => parse_duration(&t).map_err(serde::de::Error::custom),
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("invalid duration {t:?}: expected e.g. \"30s\""))?;
    match unit.trim() {
        "ms" => Ok(Duration::from_millis(n)),
        "" | "s" => Ok(Duration::from_secs(n)),
        "m" | "min" => Ok(Duration::from_secs(n.saturating_mul(60))),
        other => Err(format!("invalid duration unit {other:?} (use ms, s or m)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_never_printed() {
        let cfg = DomibusConfig::new("http://x/services/wsplugin", "u", "hunter2");
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(cfg.password.expose(), "hunter2");
    }

    #[test]
    fn deserialises_with_defaults_and_durations() {
        let cfg: DomibusConfig = serde_json::from_str(
            r#"{"endpoint":"http://x/services/wsplugin","username":"u","password":"p","timeout":"500ms",
                "push_username":"d","push_password":"q"}"#,
        )
        .unwrap();
        assert_eq!(cfg.timeout, Duration::from_millis(500));
        assert_eq!(cfg.max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES);
        assert_eq!(cfg.push_auth().password.expose(), "q");
        let cfg: DomibusConfig =
            serde_json::from_str(r#"{"endpoint":"e","username":"u","password":"p","timeout":7}"#)
                .unwrap();
        assert_eq!(cfg.timeout, Duration::from_secs(7));
        let cfg: DomibusConfig =
            serde_json::from_str(r#"{"endpoint":"e","username":"u","password":"p"}"#).unwrap();
        assert_eq!(cfg.timeout, DEFAULT_TIMEOUT);
        assert!(cfg.push_password.is_empty());
        assert!(
            serde_json::from_str::<DomibusConfig>(
                r#"{"endpoint":"e","username":"u","password":"p","timeout":"3h"}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<DomibusConfig>(
                r#"{"endpoint":"e","username":"u","password":"p","pasword":"x"}"#
            )
            .is_err()
        );
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
    }
}
