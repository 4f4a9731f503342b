//! `type: filedrop` as a plug-in of the adapter.

use std::path::Path;
use std::sync::Arc;

use oots_connector::{Connector, ConnectorError, ConnectorFactory};

use crate::{FiledropConnector, FiledropSettings};

/// The `filedrop` connector kind: files (CSV, JSON, XML) dropped into a folder.
#[derive(Debug)]
pub struct FiledropFactory;

impl ConnectorFactory for FiledropFactory {
    const KIND: &'static str = "filedrop";
    type Settings = FiledropSettings;

    async fn open(
        settings: &FiledropSettings,
        base_dir: &Path,
    ) -> Result<Arc<dyn Connector>, ConnectorError> {
        Ok(Arc::new(FiledropConnector::open(settings, base_dir).await?))
    }

    /// A file drop is local: offline checks read the same folder.
    async fn open_offline(
        settings: &FiledropSettings,
        base_dir: &Path,
    ) -> Result<Arc<dyn Connector>, ConnectorError> {
        Self::open(settings, base_dir).await
    }

    fn parameters(
        _settings: &FiledropSettings,
        _query: &str,
    ) -> Result<Vec<String>, ConnectorError> {
        Ok(Vec::new())
    }
}
