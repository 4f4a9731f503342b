//! `type: sql` as a plug-in of the adapter.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use oots_connector::{Connector, ConnectorError, ConnectorFactory, Limits};

use crate::{SqlConnector, SqlOptions, SqlSettings};

/// The `sql` connector kind: SQLite, PostgreSQL, MySQL/MariaDB.
#[derive(Debug)]
pub struct SqlFactory;

impl ConnectorFactory for SqlFactory {
    const KIND: &'static str = "sql";
    type Settings = SqlSettings;

    fn limits(settings: &SqlSettings) -> Limits {
        Limits {
            timeout: Duration::from_millis(settings.timeout_ms),
            max_rows: settings.max_rows,
        }
    }

    fn resolve_paths(settings: &mut SqlSettings, base_dir: &Path) {
        settings.relative_to(base_dir);
    }

    async fn open(
        settings: &SqlSettings,
        _base_dir: &Path,
    ) -> Result<Arc<dyn Connector>, ConnectorError> {
        let url = settings.url_with_password()?;
        if let Some(init) = &settings.init {
            seed_sqlite_once(&url, init).await?;
        }
        let options = SqlOptions {
            max_connections: settings.max_connections,
            connect_timeout: Duration::from_millis(settings.timeout_ms),
            read_only: true,
        };
        Ok(Arc::new(SqlConnector::connect(&url, options).await?))
    }

    fn parameters(settings: &SqlSettings, query: &str) -> Result<Vec<String>, ConnectorError> {
        crate::query_parameters(&settings.url, query)
    }

    fn location(settings: &SqlSettings) -> Option<String> {
        Some(settings.url.clone())
    }

    fn has_inline_password(settings: &SqlSettings) -> bool {
        settings.has_inline_password()
    }
}

/// Creates the SQLite file from `init` if it does not exist yet. Only for embedded demo
/// registries: a real registry is never written to.
async fn seed_sqlite_once(url: &str, init: &Path) -> Result<(), ConnectorError> {
    let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Err(ConnectorError::Config(
            "`init` is only supported for sqlite connections".to_owned(),
        ));
    };
    let path = Path::new(path.split('?').next().unwrap_or(path));
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
    crate::run_script(&format!("sqlite://{}?mode=rwc", tmp.display()), &script).await?;
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
