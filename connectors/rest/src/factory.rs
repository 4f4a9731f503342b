//! `type: rest` as a plug-in of the adapter.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use oots_connector::{Connector, ConnectorError, ConnectorFactory, Limits};

use crate::{RestConnector, RestSettings};

/// The `rest` connector kind: a REST/JSON registry API.
#[derive(Debug)]
pub struct RestFactory;

impl ConnectorFactory for RestFactory {
    const KIND: &'static str = "rest";
    type Settings = RestSettings;

    fn limits(settings: &RestSettings) -> Limits {
        Limits {
            timeout: Duration::from_millis(settings.timeout_ms),
            ..Limits::default()
        }
    }

    async fn open(
        settings: &RestSettings,
        base_dir: &Path,
    ) -> Result<Arc<dyn Connector>, ConnectorError> {
        Ok(Arc::new(RestConnector::connect(settings, base_dir)?))
    }

    /// Building a REST connector sends nothing: the same object serves both modes.
    async fn open_offline(
        settings: &RestSettings,
        base_dir: &Path,
    ) -> Result<Arc<dyn Connector>, ConnectorError> {
        Self::open(settings, base_dir).await
    }

    /// Query templates name their parameters in `{…}` placeholders, checked when a
    /// lookup binds them.
    fn parameters(_settings: &RestSettings, _query: &str) -> Result<Vec<String>, ConnectorError> {
        Ok(Vec::new())
    }
}
