//! Opening registry connections by their `type:` name.

use std::sync::Arc;
use std::time::Duration;

use oots_connector::{Connector, ConnectorError};
use oots_connector_sql::{SqlConnector, SqlOptions};

use crate::config::ConnectionConfig;

pub use oots_connector::{CancellationToken, Limits, Params, Record, Value};

/// The connector kinds this build knows.
pub const KINDS: &[&str] = &["sql"];

/// Opens the connection described by `cfg`, creating and seeding an embedded SQLite
/// registry from its `init` script the first time.
pub async fn open(cfg: &ConnectionConfig) -> Result<Arc<dyn Connector>, ConnectorError> {
    match cfg.kind.as_str() {
        "sql" => {
            let url = with_password(cfg)?;
            if let Some(init) = &cfg.init {
                seed_sqlite_once(&url, init).await?;
            }
            let options = SqlOptions {
                max_connections: cfg.max_connections,
                connect_timeout: Duration::from_millis(cfg.timeout_ms),
                read_only: true,
            };
            let c = SqlConnector::connect(&url, options).await?;
            Ok(Arc::new(c))
        }
        other => Err(ConnectorError::Config(format!(
            "unknown connector type `{other}` (known: {})",
            KINDS.join(", ")
        ))),
    }
}

/// Inserts the resolved password into the URL (`user@host` → `user:pw@host`).
fn with_password(cfg: &ConnectionConfig) -> Result<String, ConnectorError> {
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
