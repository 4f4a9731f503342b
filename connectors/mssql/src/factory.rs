//! `type: mssql` as a plug-in of the adapter.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use oots_connector::{Connector, ConnectorError, ConnectorFactory, Limits};

use crate::{MssqlConnector, MssqlSettings};

/// The `mssql` connector kind: SQL Server.
#[derive(Debug)]
pub struct MssqlFactory;

impl ConnectorFactory for MssqlFactory {
    const KIND: &'static str = "mssql";
    type Settings = MssqlSettings;

    fn limits(settings: &MssqlSettings) -> Limits {
        Limits {
            timeout: Duration::from_millis(settings.timeout_ms),
            ..Limits::default()
        }
    }

    async fn open(
        settings: &MssqlSettings,
        _base_dir: &Path,
    ) -> Result<Arc<dyn Connector>, ConnectorError> {
        Ok(Arc::new(MssqlConnector::connect(settings).await?))
    }

    fn parameters(_settings: &MssqlSettings, query: &str) -> Result<Vec<String>, ConnectorError> {
        crate::query_parameters(query)
    }
}
