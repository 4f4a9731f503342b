//! How a connector crate plugs into the adapter: one [`ConnectorFactory`] per `type:` name.
//!
//! The framework keeps one list of factories; from it come the `type:`-tagged settings
//! it reads from `adapter.yaml`, the lookup limits, opening and offline checks. A new
//! connector is therefore a crate implementing this trait plus one line in that list.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use crate::{CancellationToken, Connector, ConnectorError, Limits, Lookup, Record};

/// Whether connections are really opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Connect to the registry (serve, respond, `check --live`).
    Live,
    /// Describe the connection without contacting a registry server (`check`, `test`):
    /// queries and paths can be analysed, lookups are refused.
    Offline,
}

/// A connector kind: its settings and how to open them. Implemented once per connector
/// crate, on a unit type (`SqlFactory`, `RestFactory`, …).
pub trait ConnectorFactory: Sized + Send + Sync + 'static {
    /// The `type:` name in `adapter.yaml`.
    const KIND: &'static str;

    /// What an authority writes under `connections: <name>:` besides `type:`. Should
    /// refuse unknown keys (`#[serde(deny_unknown_fields)]`), so a typo is a load error.
    type Settings: DeserializeOwned + Clone + fmt::Debug + Send + Sync + 'static;

    /// The time and row budget of one lookup on this connection.
    fn limits(settings: &Self::Settings) -> Limits {
        let _ = settings;
        Limits::default()
    }

    /// Makes relative paths in `settings` relative to `base_dir` (the `adapter.yaml`
    /// folder) when the configuration loads. Connectors that resolve them when opening
    /// (they get `base_dir` there too) leave this alone.
    fn resolve_paths(settings: &mut Self::Settings, base_dir: &Path) {
        let _ = (settings, base_dir);
    }

    /// Connects to the registry (serve, respond, `check --live`). A transient error
    /// ([`ConnectorError::is_transient`]) does not stop the adapter: the framework opens
    /// the connection again on use.
    fn open(
        settings: &Self::Settings,
        base_dir: &Path,
    ) -> impl Future<Output = Result<Arc<dyn Connector>, ConnectorError>> + Send;

    /// The connection for offline checks (`check`, `test`), which must not contact a
    /// registry server. Default: a [`Detached`] connector. Connectors whose opening sends
    /// nothing (a REST client, a local folder) return the same object as [`open`](Self::open).
    fn open_offline(
        settings: &Self::Settings,
        base_dir: &Path,
    ) -> impl Future<Output = Result<Arc<dyn Connector>, ConnectorError>> + Send {
        let _ = base_dir;
        let detached: Arc<dyn Connector> = Arc::new(Detached::<Self>::new(settings.clone()));
        std::future::ready(Ok(detached))
    }

    /// Opens the connection in `mode`.
    fn open_in(
        settings: &Self::Settings,
        base_dir: &Path,
        mode: OpenMode,
    ) -> impl Future<Output = Result<Arc<dyn Connector>, ConnectorError>> + Send {
        async move {
            match mode {
                OpenMode::Live => Self::open(settings, base_dir).await,
                OpenMode::Offline => Self::open_offline(settings, base_dir).await,
            }
        }
    }

    /// The parameter names `query` uses, without connecting (see [`Connector::parameters`]).
    fn parameters(settings: &Self::Settings, query: &str) -> Result<Vec<String>, ConnectorError>;

    /// Where the registry is, for a start-up summary (a URL without credentials), if the
    /// settings say so in one line.
    fn location(settings: &Self::Settings) -> Option<String> {
        let _ = settings;
        None
    }

    /// Whether the settings hold a password written in clear (inside a URL) instead of a
    /// secret reference: `oots-adapter check` reports it.
    fn has_inline_password(settings: &Self::Settings) -> bool {
        let _ = settings;
        false
    }
}

/// A connection described but not opened: it analyses queries like the real connector
/// would ([`ConnectorFactory::parameters`]), and refuses lookups.
pub struct Detached<F: ConnectorFactory> {
    settings: F::Settings,
    factory: PhantomData<fn() -> F>,
}

impl<F: ConnectorFactory> Detached<F> {
    pub fn new(settings: F::Settings) -> Self {
        Self {
            settings,
            factory: PhantomData,
        }
    }
}

impl<F: ConnectorFactory> fmt::Debug for Detached<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Detached")
            .field("kind", &F::KIND)
            .field("settings", &self.settings)
            .finish()
    }
}

#[async_trait]
impl<F: ConnectorFactory> Connector for Detached<F> {
    fn kind(&self) -> &'static str {
        F::KIND
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        F::parameters(&self.settings, query)
    }

    async fn lookup(
        &self,
        _lookup: &Lookup<'_>,
        _cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        Err(not_opened())
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        Err(not_opened())
    }
}

fn not_opened() -> ConnectorError {
    ConnectorError::Unavailable("connection not opened (offline check)".to_owned())
}
