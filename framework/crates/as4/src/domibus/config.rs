//! Settings of the Domibus WS-plugin gateway and of its push-notification endpoint.

use std::time::Duration;

pub use oots_connector::secret::Secret;

/// Default timeout of one call to the WS plugin.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on one WS-plugin answer (payloads are inline base64, so answers are big).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 128 * 1024 * 1024;

/// How to reach the Domibus WS plugin, and what Domibus must present when it pushes.
/// Built from `adapter.yaml` (the framework's `config::DomibusSettings`) once the secret references
/// are resolved, so this type never reads an inline password.
#[derive(Debug, Clone)]
pub struct DomibusConfig {
    /// Base URL of the plugin, e.g. `https://ap.example/domibus/services/wsplugin`;
    /// operations are posted to `{endpoint}/{operation}`.
    pub endpoint: String,
    /// Domibus plugin user.
    pub username: String,
    /// Domibus plugin user's password.
    pub password: Secret,
    /// Timeout of one call.
    pub timeout: Duration,
    /// Credentials Domibus uses on `POST /domibus/notifications`
    /// (`wsplugin.push.auth.username/password`).
    pub push_username: String,
    /// Password of `push_username`.
    pub push_password: Secret,
    /// Largest answer accepted from the plugin, in bytes.
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
            push_password: Secret::new(""),
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
#[derive(Debug, Clone)]
pub struct PushAuth {
    /// User name Domibus presents.
    pub username: String,
    /// Its password.
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
}
