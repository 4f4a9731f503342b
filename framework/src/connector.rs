//! Opening registry connections by their `type:` name.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use oots_connector::{Connector, ConnectorError};
use oots_connector_sql::{SqlConnector, SqlOptions};

use crate::config::{ConnectionConfig, SqlConnection};

pub use oots_connector::{CancellationToken, Limits, Params, Record, Value};

/// The connector kinds this build knows.
pub const KINDS: &[&str] = &["sql", "mssql", "rest", "filedrop"];

/// Whether connections are really opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Connect to the registry (serve, respond, `check --live`).
    Live,
    /// Describe the connection without contacting a registry server (`check`, `test`):
    /// queries and paths can be analysed, lookups are refused.
    Offline,
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

async fn open_now(
    cfg: &ConnectionConfig,
    base_dir: &Path,
    mode: OpenMode,
) -> Result<Arc<dyn Connector>, ConnectorError> {
    match (cfg, mode) {
        (ConnectionConfig::Sql(c), OpenMode::Live) => {
            let url = with_password(c)?;
            if let Some(init) = &c.init {
                seed_sqlite_once(&url, init).await?;
            }
            let options = SqlOptions {
                max_connections: c.max_connections,
                connect_timeout: Duration::from_millis(c.timeout_ms),
                read_only: true,
            };
            Ok(Arc::new(SqlConnector::connect(&url, options).await?))
        }
        (ConnectionConfig::Mssql(c), OpenMode::Live) => Ok(Arc::new(
            oots_connector_mssql::MssqlConnector::connect(c).await?,
        )),
        // Building a REST connector sends nothing: the same object serves both modes.
        (ConnectionConfig::Rest(c), _) => Ok(Arc::new(
            oots_connector_rest::RestConnector::connect(c, base_dir)?,
        )),
        // A file drop is local: offline checks read the same folder.
        (ConnectionConfig::Filedrop(c), _) => Ok(Arc::new(
            oots_connector_filedrop::FiledropConnector::open(c, base_dir).await?,
        )),
        (cfg, OpenMode::Offline) => Ok(Arc::new(Detached::new(cfg))),
    }
}

/// Inserts the resolved password into the URL (`user@host` → `user:pw@host`).
fn with_password(cfg: &SqlConnection) -> Result<String, ConnectorError> {
    let Some(r) = &cfg.password else {
        return Ok(cfg.url.clone());
    };
    let pw = r
        .resolve()
        .map_err(|e| ConnectorError::Config(e.to_string()))?;
    let Some((scheme, rest)) = cfg.url.split_once("://") else {
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

/// Creates the SQLite file from `init` if it does not exist yet. Only for embedded demo
/// registries: a real registry is never written to.
async fn seed_sqlite_once(url: &str, init: &std::path::Path) -> Result<(), ConnectorError> {
    let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Err(ConnectorError::Config(
            "`init` is only supported for sqlite connections".to_owned(),
        ));
    };
    let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ConnectorError::Config(format!("cannot create {}: {e}", dir.display())))?;
    }
    let script = std::fs::read_to_string(init).map_err(|e| {
        ConnectorError::Config(format!("cannot read init script {}: {e}", init.display()))
    })?;
    // Build into a temporary file and rename, so a crash mid-seed never leaves a
    // half-filled registry that would be taken as complete on the next start.
    // Unique per process and call: two adapters starting at once must not share it.
    let tmp = path.with_extension(format!(
        "seeding-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    oots_connector_sql::run_script(&format!("sqlite://{}?mode=rwc", tmp.display()), &script)
        .await?;
    // If another process finished first, keep its file: both were seeded identically.
    if path.exists() {
        let _ = std::fs::remove_file(&tmp);
        return Ok(());
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        ConnectorError::Config(format!("cannot move seeded registry into place: {e}"))
    })?;
    Ok(())
}

/// A connection described but not opened: it analyses queries and paths like the real
/// connector would, and refuses lookups.
#[derive(Debug)]
pub struct Detached {
    cfg: ConnectionConfig,
}

impl Detached {
    pub fn new(cfg: &ConnectionConfig) -> Self {
        Self { cfg: cfg.clone() }
    }
}

#[async_trait::async_trait]
impl Connector for Detached {
    fn kind(&self) -> &'static str {
        self.cfg.kind()
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        match &self.cfg {
            ConnectionConfig::Sql(c) => oots_connector_sql::query_parameters(&c.url, query),
            ConnectionConfig::Mssql(_) => oots_connector_mssql::query_parameters(query),
            ConnectionConfig::Rest(_) | ConnectionConfig::Filedrop(_) => Ok(Vec::new()),
        }
    }

    async fn lookup(
        &self,
        _lookup: &oots_connector::Lookup<'_>,
        _cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        Err(ConnectorError::Unavailable(
            "connection not opened (offline check)".to_owned(),
        ))
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        Err(ConnectorError::Unavailable(
            "connection not opened (offline check)".to_owned(),
        ))
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
    detached: Detached,
    base_dir: std::path::PathBuf,
    opened: tokio::sync::Mutex<Attempt>,
}

impl Reopening {
    fn new(cfg: &ConnectionConfig, base_dir: &Path, first: ConnectorError) -> Self {
        Self {
            detached: Detached::new(cfg),
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
        match open_now(&self.detached.cfg, &self.base_dir, OpenMode::Live).await {
            Ok(c) => {
                tracing::info!(
                    kind = self.detached.kind(),
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
        self.detached.kind()
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        self.detached.parameters(query)
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
}

/// Serves fixed records for every lookup: the registry fixtures of a mapping test.
#[derive(Debug)]
pub struct Fixture {
    inner: Arc<dyn Connector>,
    records: Vec<Record>,
}

impl Fixture {
    /// Records as the connector would return them after field mapping.
    pub fn new(inner: Arc<dyn Connector>, records: Vec<Record>) -> Self {
        Self { inner, records }
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

    async fn lookup(
        &self,
        lookup: &oots_connector::Lookup<'_>,
        _cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        if self.records.len() > lookup.limits.max_rows {
            return Err(ConnectorError::TooManyRows(lookup.limits.max_rows));
        }
        Ok(self.records.clone())
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        Ok(())
    }
}
