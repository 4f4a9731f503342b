//! The connector kinds this build knows, and opening registry connections by their
//! `type:` name.
//!
//! Every kind is one line of [`connectors!`]: its `type:` name, the variant of
//! [`ConnectionConfig`] and the crate's [`ConnectorFactory`]. Everything else that depends
//! on the kind (reading its settings from `adapter.yaml` with file:line:col errors, the
//! list of known kinds, limits, opening, offline analysis) comes from that list.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use oots_connector::{Connector, ConnectorError, ConnectorFactory};
use serde::Deserialize;

pub use oots_connector::{CancellationToken, Detached, Limits, OpenMode, Params, Record, Value};

/// Builds, from one list of factories, the `type:`-tagged settings enum and everything
/// that dispatches on it. The `type:` name is written as a literal (serde needs one) and
/// checked against the factory's `KIND` at compile time.
macro_rules! connectors {
    ($(
        $(#[doc = $doc:literal])*
        $(#[cfg($cfg:meta)])?
        $kind:literal => $variant:ident($factory:path),
    )*) => {
        /// A registry connection shared by mapping files (`connection: name`), by
        /// connector type.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(tag = "type")]
        pub enum ConnectionConfig {
            $(
                $(#[doc = $doc])*
                $(#[cfg($cfg)])?
                #[serde(rename = $kind)]
                $variant(<$factory as ConnectorFactory>::Settings),
            )*
        }

        $(
            $(#[cfg($cfg)])?
            const _: () = assert!(
                same_kind($kind, <$factory as ConnectorFactory>::KIND),
                concat!("the factory registered as `", $kind, "` has another KIND"),
            );
        )*

        /// The connector kinds this build knows.
        pub const KINDS: &[&str] = &[$( $(#[cfg($cfg)])? $kind, )*];

        impl ConnectionConfig {
            /// The `type:` name.
            pub fn kind(&self) -> &'static str {
                match self {
                    $( $(#[cfg($cfg)])? Self::$variant(_) => <$factory as ConnectorFactory>::KIND, )*
                }
            }

            /// The time and row budget of one lookup on this connection.
            pub fn limits(&self) -> Limits {
                match self {
                    $( $(#[cfg($cfg)])? Self::$variant(s) => <$factory as ConnectorFactory>::limits(s), )*
                }
            }

            /// Makes relative paths in the settings relative to `base_dir` (the
            /// adapter.yaml folder).
            pub fn resolve_paths(&mut self, base_dir: &Path) {
                match self {
                    $( $(#[cfg($cfg)])? Self::$variant(s) => <$factory as ConnectorFactory>::resolve_paths(s, base_dir), )*
                }
            }

            /// The parameter names `query` uses, without connecting.
            pub fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
                match self {
                    $( $(#[cfg($cfg)])? Self::$variant(s) => <$factory as ConnectorFactory>::parameters(s, query), )*
                }
            }

            /// Where the registry is (a URL without credentials), if the settings say so.
            pub fn location(&self) -> Option<String> {
                match self {
                    $( $(#[cfg($cfg)])? Self::$variant(s) => <$factory as ConnectorFactory>::location(s), )*
                }
            }

            /// Whether the settings hold a password in clear instead of a reference.
            pub fn has_inline_password(&self) -> bool {
                match self {
                    $( $(#[cfg($cfg)])? Self::$variant(s) => <$factory as ConnectorFactory>::has_inline_password(s), )*
                }
            }
        }

        async fn open_now(
            cfg: &ConnectionConfig,
            base_dir: &Path,
            mode: OpenMode,
        ) -> Result<Arc<dyn Connector>, ConnectorError> {
            match cfg {
                $( $(#[cfg($cfg)])? ConnectionConfig::$variant(s) => <$factory as ConnectorFactory>::open_in(s, base_dir, mode).await, )*
            }
        }
    };
}

connectors! {
    /// SQLite, PostgreSQL, MySQL/MariaDB.
    "sql" => Sql(oots_connector_sql::SqlFactory),
    /// SQL Server.
    "mssql" => Mssql(oots_connector_mssql::MssqlFactory),
    /// A REST/JSON registry API.
    "rest" => Rest(oots_connector_rest::RestFactory),
    /// Files (CSV, JSON, XML) dropped into a folder.
    "filedrop" => Filedrop(oots_connector_filedrop::FiledropFactory),
    /// A toy connector serving records from its settings (docs, tests): not in release builds.
    #[cfg(feature = "example-connector")]
    "example" => Example(oots_connector_example::ExampleFactory),
}

/// Whether two `type:` names are the same (usable in a constant).
const fn same_kind(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Opens the connection described by `cfg` (or, offline, only describes it). Relative
/// paths in its settings are relative to `base_dir` (the adapter.yaml folder).
pub async fn open(
    cfg: &ConnectionConfig,
    base_dir: &Path,
    mode: OpenMode,
) -> Result<Arc<dyn Connector>, ConnectorError> {
    match open_now(cfg, base_dir, mode).await {
        // A registry that is down when the adapter starts must not keep the adapter
        // down: requests are answered (EDM:ERR:0005) and it is opened again on use.
        Err(e) if mode == OpenMode::Live && e.is_transient() => {
            tracing::warn!(
                kind = cfg.kind(),
                code = e.code(),
                "registry unreachable at start; opened again on the next lookup"
            );
            Ok(Arc::new(Reopening::new(cfg, base_dir, e)))
        }
        other => other,
    }
}

/// The opened connector, or when the last attempt failed and why.
type Attempt = (
    Option<Arc<dyn Connector>>,
    Option<std::time::Instant>,
    String,
);

/// A connection whose registry was unreachable when the adapter started: each use tries
/// to open it (at most once a second), and once open it is the real connector.
#[derive(Debug)]
pub struct Reopening {
    cfg: ConnectionConfig,
    base_dir: std::path::PathBuf,
    opened: tokio::sync::Mutex<Attempt>,
}

impl Reopening {
    fn new(cfg: &ConnectionConfig, base_dir: &Path, first: ConnectorError) -> Self {
        Self {
            cfg: cfg.clone(),
            base_dir: base_dir.to_path_buf(),
            opened: tokio::sync::Mutex::new((
                None,
                Some(std::time::Instant::now()),
                first.to_string(),
            )),
        }
    }

    async fn connector(&self) -> Result<Arc<dyn Connector>, ConnectorError> {
        let mut g = self.opened.lock().await;
        if let Some(c) = &g.0 {
            return Ok(c.clone());
        }
        if g.1.is_some_and(|at| at.elapsed() < Duration::from_secs(1)) {
            return Err(ConnectorError::Unavailable(g.2.clone()));
        }
        match open_now(&self.cfg, &self.base_dir, OpenMode::Live).await {
            Ok(c) => {
                tracing::info!(
                    kind = self.cfg.kind(),
                    "registry reachable again: connection opened"
                );
                g.0 = Some(c.clone());
                Ok(c)
            }
            Err(e) => {
                g.1 = Some(std::time::Instant::now());
                g.2 = e.to_string();
                Err(e)
            }
        }
    }
}

#[async_trait::async_trait]
impl Connector for Reopening {
    fn kind(&self) -> &'static str {
        self.cfg.kind()
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        self.cfg.parameters(query)
    }

    async fn lookup(
        &self,
        lookup: &oots_connector::Lookup<'_>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        self.connector().await?.lookup(lookup, cancel).await
    }

    async fn fetch_document(
        &self,
        reference: &str,
        limits: oots_connector::Limits,
        cancel: &CancellationToken,
    ) -> Result<oots_connector::Document, ConnectorError> {
        self.connector()
            .await?
            .fetch_document(reference, limits, cancel)
            .await
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        self.connector().await?.probe().await
    }

    async fn describe(&self, query: &str) -> Result<Option<Vec<String>>, ConnectorError> {
        self.connector().await?.describe(query).await
    }
}

/// Serves fixed records for every lookup: the registry fixtures of a mapping test.
#[derive(Debug)]
pub struct Fixture {
    inner: Arc<dyn Connector>,
    records: Vec<Record>,
    /// Records served instead for one query text (a mapping's `representation` query).
    by_query: Vec<(String, Vec<Record>)>,
}

impl Fixture {
    /// Records as the connector would return them after field mapping.
    pub fn new(inner: Arc<dyn Connector>, records: Vec<Record>) -> Self {
        Self {
            inner,
            records,
            by_query: Vec::new(),
        }
    }

    /// These records for a lookup running `query`, the others for every other.
    pub fn with_query(mut self, query: &str, records: Vec<Record>) -> Self {
        self.by_query.push((query.to_owned(), records));
        self
    }
}

#[async_trait::async_trait]
impl Connector for Fixture {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        self.inner.parameters(query)
    }

    fn check_path(&self, path: &str) -> Result<(), ConnectorError> {
        self.inner.check_path(path)
    }

    fn decode_fixture(
        &self,
        response: &serde_json::Value,
        fields: &oots_connector::FieldPaths,
    ) -> Result<Vec<Record>, ConnectorError> {
        self.inner.decode_fixture(response, fields)
    }

    fn fixture_fields_found(
        &self,
        response: &serde_json::Value,
        fields: &oots_connector::FieldPaths,
    ) -> Result<std::collections::BTreeSet<String>, ConnectorError> {
        self.inner.fixture_fields_found(response, fields)
    }

    async fn lookup(
        &self,
        lookup: &oots_connector::Lookup<'_>,
        _cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        let records = self
            .by_query
            .iter()
            .find(|(q, _)| q == lookup.query)
            .map_or(&self.records, |(_, r)| r);
        if records.len() > lookup.limits.max_rows {
            return Err(ConnectorError::TooManyRows(lookup.limits.max_rows));
        }
        Ok(records.clone())
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::KINDS;

    /// An authority learns the `type:` names from docs/mapping-files.md: every kind of a
    /// release build is named there.
    #[test]
    fn every_release_kind_is_documented() {
        let docs = include_str!("../../docs/mapping-files.md");
        for kind in KINDS.iter().filter(|k| **k != "example") {
            assert!(
                docs.contains(&format!("`{kind}`")),
                "docs/mapping-files.md does not name the connector kind `{kind}`"
            );
        }
    }
}
