//! [`RestSettings`]: what an authority writes under `connections: <name>: {type: rest, …}`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use oots_connector::secret::SecretRef;
use serde::Deserialize;

/// Settings of one REST registry connection (the framework strips `type: rest`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestSettings {
    /// Root of the registry API (`https://registry.example/api/v1`); every query path and
    /// relative document reference is appended to it. No query string, no credentials.
    pub base_url: String,
    /// How the adapter authenticates to the registry (default: none).
    #[serde(default)]
    pub auth: AuthSettings,
    /// Static extra headers sent with every request (`Accept-Language: en`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Budget of one HTTP request (connect + response body), in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Extra attempts after a connect error, 429, 502, 503 or 504.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// JSONPath selecting the records in a response. Unset: a top-level array is the list
    /// of records, a top-level object is one record.
    #[serde(default)]
    pub records: Option<String>,
    /// How to fetch further pages of a lookup's result.
    #[serde(default)]
    pub pagination: Pagination,
    /// Hard cap on pages per lookup; more is an error, never a silent truncation.
    #[serde(default = "default_max_pages")]
    pub max_pages: u32,
    /// Largest response body accepted (lookups and documents), in bytes.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: u64,
    /// PEM bundle of the CA(s) trusted for the registry's server certificate instead of the
    /// system roots (a registry behind a private CA), with any `auth`.
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// Path (relative to `base_url`) that `probe` requests; default: `base_url` itself.
    #[serde(default)]
    pub probe_path: Option<String>,
}

impl RestSettings {
    /// The JSONPaths of these settings that do not parse, each with its key
    /// (`records`, `pagination.path`) and the JSONPath engine's reason, so `check` can
    /// place them in adapter.yaml before a connection is opened.
    pub fn path_problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(r) = &self.records
            && let Err(e) = crate::jsonpath::JsonPath::parse(r)
        {
            out.push(("records", e));
        }
        if let Pagination::NextLink { path } = &self.pagination
            && let Err(e) = crate::jsonpath::JsonPath::parse(path)
        {
            out.push(("pagination.path", e));
        }
        out
    }
}

/// How requests are authenticated. Written as `auth: {type: bearer, token: env:REG_TOKEN}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthSettings {
    /// No credentials (a registry inside a trusted network).
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer { token: SecretRef },
    /// `Authorization: Basic …` (RFC 7617).
    Basic {
        username: String,
        password: SecretRef,
    },
    /// An API key sent in a header (default `X-API-Key`) or, if `query_param` is set, as a
    /// query parameter (only for registries that accept nothing else: URLs end up in
    /// server logs).
    ApiKey {
        #[serde(default)]
        header: Option<String>,
        #[serde(default)]
        query_param: Option<String>,
        value: SecretRef,
    },
    /// Mutual TLS: a client certificate and its private key (PEM files, relative to the
    /// configuration folder), and optionally the CA that signed the server's certificate
    /// (then only that CA is trusted).
    Mtls {
        cert: PathBuf,
        key: PathBuf,
        #[serde(default)]
        ca: Option<PathBuf>,
    },
}

impl AuthSettings {
    /// Short name for logs and `Debug` (never the secret).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Bearer { .. } => "bearer",
            Self::Basic { .. } => "basic",
            Self::ApiKey { .. } => "api_key",
            Self::Mtls { .. } => "mtls",
        }
    }
}

/// How a result spanning several pages is followed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pagination {
    /// One request per lookup.
    #[default]
    None,
    /// The response holds the URL of the next page (absolute or relative, same host) at
    /// `path`; a missing, null or empty value ends the result.
    NextLink { path: String },
    /// Numbered pages: `param` is appended to the query string, starting at `start`
    /// (default 1) and counting up; `size_param=size` is appended too when both are set.
    /// A page with no records ends the result.
    Page {
        param: String,
        #[serde(default = "default_page_start")]
        start: u64,
        #[serde(default)]
        size_param: Option<String>,
        #[serde(default)]
        size: Option<u64>,
    },
}

fn default_timeout_ms() -> u64 {
    10_000
}
fn default_retries() -> u32 {
    2
}
fn default_max_pages() -> u32 {
    100
}
fn default_max_response_bytes() -> u64 {
    16 * 1024 * 1024
}
fn default_page_start() -> u64 {
    1
}

impl RestSettings {
    /// Settings with every default, for `base_url` (tests, programmatic use).
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            auth: AuthSettings::None,
            headers: BTreeMap::new(),
            timeout_ms: default_timeout_ms(),
            retries: default_retries(),
            records: None,
            pagination: Pagination::None,
            max_pages: default_max_pages(),
            max_response_bytes: default_max_response_bytes(),
            ca: None,
            probe_path: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_with_defaults_and_refuses_unknown_fields() {
        let s: RestSettings = serde_json::from_value(serde_json::json!({
            "base_url": "https://r.example/api",
            "auth": {"type": "api_key", "value": "env:KEY"},
            "pagination": {"type": "page", "param": "page"}
        }))
        .unwrap();
        assert_eq!(s.timeout_ms, 10_000);
        assert_eq!(s.retries, 2);
        assert!(matches!(s.auth, AuthSettings::ApiKey { header: None, .. }));
        assert!(matches!(s.pagination, Pagination::Page { start: 1, .. }));
        let bad = serde_json::from_value::<RestSettings>(serde_json::json!({
            "base_url": "https://r.example", "timeot_ms": 5
        }));
        assert!(bad.is_err());
        let inline = serde_json::from_value::<RestSettings>(serde_json::json!({
            "base_url": "https://r.example", "auth": {"type": "bearer", "token": "abc"}
        }));
        assert!(inline.is_err());
    }

    #[test]
    fn path_problems_name_each_jsonpath_that_does_not_parse() {
        let s: RestSettings = serde_json::from_value(serde_json::json!({
            "base_url": "https://r.example", "records": "$.items[",
            "pagination": {"type": "next_link", "path": "links.next"}
        }))
        .unwrap();
        let keys: Vec<&str> = s.path_problems().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["records", "pagination.path"]);
        let good: RestSettings = serde_json::from_value(serde_json::json!({
            "base_url": "https://r.example", "records": "$.items[*]"
        }))
        .unwrap();
        assert!(good.path_problems().is_empty());
    }
}
