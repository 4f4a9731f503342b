//! The contract between the adapter and a registry.
//!
//! A connector reads candidate records from a legacy registry (a SQL database, a REST
//! service, a file drop…). The adapter never sees the registry's wire format: it hands the
//! connector a query written in the mapping file plus named, typed parameters taken from
//! the evidence request, and gets back typed [`Record`]s. Every value from a request is a
//! *bound parameter*, never spliced into query text.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
pub use tokio_util::sync::CancellationToken;

mod value;
pub use value::{Record, Value};

/// Named parameters for one lookup (`:date_of_birth` → `Value::Date(..)`).
pub type Params = BTreeMap<String, Value>;

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

    /// Runs `query` with `params` bound and returns the matching records.
    async fn lookup(
        &self,
        query: &str,
        params: &Params,
        limits: Limits,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError>;

    /// A cheap round trip proving the registry answers (health checks, `check --live`).
    async fn probe(&self) -> Result<(), ConnectorError>;
}
