//! The contract between the adapter and a registry.
//!
//! A connector reads candidate records from a legacy registry (a SQL database, a REST
//! service, a file drop…). The adapter never sees the registry's wire format: it hands the
//! connector a query written in the mapping file plus named, typed parameters taken from
//! the evidence request, and gets back typed [`Record`]s. Every value from a request is a
//! *bound parameter*, never spliced into query text.
//!
//! A connector crate implements [`Connector`] for its connection and [`ConnectorFactory`]
//! for its `type:` name; the framework lists the factory once. The smallest connector,
//! returning fixed records for every lookup:
//!
//! ```rust
//! use oots_connector::{
//!     CancellationToken, Connector, ConnectorError, FieldPaths, Limits, Lookup, Params,
//!     Record, Value,
//! };
//!
//! #[derive(Debug)]
//! struct Fixed(Vec<Record>);
//!
//! #[async_trait::async_trait]
//! impl Connector for Fixed {
//!     fn kind(&self) -> &'static str {
//!         "fixed"
//!     }
//!
//!     // This registry has no query language, so a query names no parameters.
//!     fn parameters(&self, _query: &str) -> Result<Vec<String>, ConnectorError> {
//!         Ok(Vec::new())
//!     }
//!
//!     async fn lookup(
//!         &self,
//!         lookup: &Lookup<'_>,
//!         _cancel: &CancellationToken,
//!     ) -> Result<Vec<Record>, ConnectorError> {
//!         if self.0.len() > lookup.limits.max_rows {
//!             return Err(ConnectorError::TooManyRows(lookup.limits.max_rows));
//!         }
//!         Ok(self.0.clone())
//!     }
//!
//!     async fn probe(&self) -> Result<(), ConnectorError> {
//!         Ok(())
//!     }
//! }
//!
//! let mut record = Record::new();
//! record.push("family_name", Value::Text("Muster".to_owned()));
//! let connector = Fixed(vec![record]);
//!
//! let (params, fields) = (Params::new(), FieldPaths::new());
//! let lookup = Lookup {
//!     query: "",
//!     params: &params,
//!     fields: &fields,
//!     limits: Limits::default(),
//! };
//! let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! let found = runtime
//!     .block_on(connector.lookup(&lookup, &CancellationToken::new()))
//!     .unwrap();
//! assert_eq!(
//!     found[0].get("family_name"),
//!     Some(&Value::Text("Muster".to_owned()))
//! );
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

/// The developer guide (`docs/development.md`), so its examples run as doctests here.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/development.md")]
pub struct DevelopmentGuide;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
pub use tokio_util::sync::CancellationToken;

pub mod factory;
pub mod secret;
mod value;
pub use factory::{ConnectorFactory, Detached, OpenMode};
pub use value::{Record, Value};

/// Named parameters for one lookup (`:date_of_birth` → `Value::Date(..)`).
pub type Params = BTreeMap<String, Value>;

/// Output field name → connector-specific path: a column name (SQL), a JSONPath (REST,
/// JSON files) or a simple dotted path (XML/CSV files). Empty: every field the source
/// returns, under its own name.
pub type FieldPaths = BTreeMap<String, String>;

/// One lookup: the mapping's query with the request's values bound.
#[derive(Debug, Clone, Copy)]
pub struct Lookup<'a> {
    /// Connector-specific query text: SQL, a REST path template, a file-drop key field.
    pub query: &'a str,
    pub params: &'a Params,
    pub fields: &'a FieldPaths,
    pub limits: Limits,
}

/// A binary document passed through as evidence (a stored PDF, a scan, a download).
#[derive(Clone, PartialEq, Eq)]
pub struct Document {
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("media_type", &self.media_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// How a connection is doing, for health checks and the operator page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    /// False when the connector knows it cannot answer (index never loaded, …).
    pub degraded: bool,
    /// Short human-readable state without personal data (`index of 3 files, 1,204 records`).
    pub detail: Option<String>,
    /// When the connector's data was last refreshed (file-drop index), if it has such a notion.
    pub refreshed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Limits every lookup runs under, so a slow or huge registry answer cannot stall or
/// flood the adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock budget for one lookup, including connection acquisition.
    pub timeout: Duration,
    /// Maximum number of rows a lookup may return; more is an error, not a truncation,
    /// because a silently truncated candidate list could hide the right person.
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_rows: 1000,
        }
    }
}

/// Why a lookup failed. Codes are stable and appear in logs, metrics and audit records.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The configuration of the connection or query is wrong (caught at load time when possible).
    #[error("connector configuration: {0}")]
    Config(String),
    /// The registry cannot be reached (connection refused, pool exhausted, DNS…).
    #[error("registry unavailable: {0}")]
    Unavailable(String),
    /// The lookup did not finish within its time budget.
    #[error("registry lookup timed out after {0:?}")]
    Timeout(Duration),
    /// The lookup was cancelled by the caller (shutdown, request deadline).
    #[error("registry lookup cancelled")]
    Cancelled,
    /// The registry rejected the query or returned data we cannot type.
    #[error("registry query failed: {0}")]
    Query(String),
    /// The registry returned more rows than the configured cap.
    #[error("registry returned more than {0} rows")]
    TooManyRows(usize),
    /// A parameter used by the query was not supplied.
    #[error("query parameter :{0} is not bound")]
    UnboundParameter(String),
}

impl ConnectorError {
    /// Stable identifier of the failure kind.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "CONNECTOR_CONFIG",
            Self::Unavailable(_) => "CONNECTOR_UNAVAILABLE",
            Self::Timeout(_) => "CONNECTOR_TIMEOUT",
            Self::Cancelled => "CONNECTOR_CANCELLED",
            Self::Query(_) => "CONNECTOR_QUERY",
            Self::TooManyRows(_) => "CONNECTOR_TOO_MANY_ROWS",
            Self::UnboundParameter(_) => "CONNECTOR_UNBOUND_PARAMETER",
        }
    }

    /// Whether retrying the same lookup later may succeed (the registry was down or slow).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Timeout(_))
    }
}

/// A registry connection of one kind (`type:` in the mapping file).
#[async_trait]
pub trait Connector: Send + Sync + fmt::Debug {
    /// The `type:` name this connector is registered under (`sql`, `rest`, …).
    fn kind(&self) -> &'static str;

    /// The parameter names a query text uses, so mappings can be checked before any
    /// request arrives (an unbound parameter is a load-time error, not a runtime one).
    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError>;

    /// Checks the syntax of a field path (JSONPath, simple path) when a mapping loads.
    fn check_path(&self, path: &str) -> Result<(), ConnectorError> {
        let _ = path;
        Ok(())
    }

    /// Turns a recorded registry answer (a JSON response body, for `oots-adapter test`)
    /// into records, exactly as a live lookup would: record selection, then `fields`.
    fn decode_fixture(
        &self,
        response: &serde_json::Value,
        fields: &FieldPaths,
    ) -> Result<Vec<Record>, ConnectorError> {
        let _ = (response, fields);
        Err(ConnectorError::Config(format!(
            "the {} connector has no recorded-response fixtures; give `records:` instead",
            self.kind()
        )))
    }

    /// The fields whose path selects something in a recorded answer, a JSON `null`
    /// included: `check` reports a path that matches nothing, not a field recorded as
    /// empty. By default, the fields a recorded answer decodes to a non-null value.
    fn fixture_fields_found(
        &self,
        response: &serde_json::Value,
        fields: &FieldPaths,
    ) -> Result<BTreeSet<String>, ConnectorError> {
        Ok(self
            .decode_fixture(response, fields)?
            .iter()
            .flat_map(Record::fields)
            .filter(|(_, v)| !matches!(v, Value::Null))
            .map(|(name, _)| name.to_owned())
            .collect())
    }

    /// Runs the lookup's query with its parameters bound and returns the matching
    /// records, each holding the lookup's fields (or every source field when none are named).
    async fn lookup(
        &self,
        lookup: &Lookup<'_>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError>;

    /// Fetches a binary document a record refers to (a download path, a file name), for
    /// evidence that is passed through rather than rendered.
    async fn fetch_document(
        &self,
        reference: &str,
        limits: Limits,
        cancel: &CancellationToken,
    ) -> Result<Document, ConnectorError> {
        let _ = (reference, limits, cancel);
        Err(ConnectorError::Config(format!(
            "the {} connector cannot fetch documents; put the document in a field instead",
            self.kind()
        )))
    }

    /// A cheap round trip proving the registry answers (health checks, `check --live`).
    async fn probe(&self) -> Result<(), ConnectorError>;

    /// The names of the columns `query` returns, asked of the registry without running
    /// the query on any data (the database prepares or describes it), so `check --live`
    /// can compare them with the mapping's `fields:`. A misspelt column or table fails
    /// here as a [`ConnectorError::Query`]. `Ok(None)`: this connector cannot tell (a
    /// REST service, a file drop), the default.
    async fn describe(&self, query: &str) -> Result<Option<Vec<String>>, ConnectorError> {
        let _ = query;
        Ok(None)
    }

    /// Current state, for health checks (index freshness of a file drop, …).
    fn health(&self) -> Health {
        Health::default()
    }
}
