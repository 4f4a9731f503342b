//! The `store:` section of `adapter.yaml` and [`open`]: which backend keeps the state,
//! opened in one place next to the [`Store`] trait.

use std::path::Path;
use std::sync::Arc;

use oots_connector::secret::SecretRef;
use serde::Deserialize;

use crate::{JournalKey, PostgresStore, SqliteStore, Store, StoreError, Synchronous};

/// Where the adapter keeps its state (docs/deployment.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreSettings {
    /// One SQLite file, `<state_dir>/adapter.db`: one replica.
    Sqlite {
        /// `full` (default: every commit on disk) or `normal` (survives a crash of the
        /// adapter, not a power cut; faster).
        #[serde(default)]
        synchronous: Synchronous,
    },
    /// PostgreSQL: several replicas share the work.
    Postgres(PostgresSettings),
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings::Sqlite {
            synchronous: Synchronous::Full,
        }
    }
}

/// The PostgreSQL state store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresSettings {
    /// `postgres://user@host:5432/db`, without the password.
    pub url: String,
    /// The password, as a reference (`env:NAME`, `file:path`).
    #[serde(default)]
    pub password: Option<SecretRef>,
    #[serde(default = "default_pg_connections")]
    /// The pool size of this replica.
    pub max_connections: u32,
    /// The schema the adapter's tables live in (created if missing); default `public`.
    #[serde(default)]
    pub schema: Option<String>,
}

fn default_pg_connections() -> u32 {
    8
}

/// Why [`open`] failed, by backend, so callers can say where to look.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The SQLite file under `state_dir` cannot be opened.
    #[error(transparent)]
    Sqlite(StoreError),
    /// The PostgreSQL password reference cannot be resolved.
    #[error("{0}")]
    Password(String),
    /// PostgreSQL cannot be reached or prepared.
    #[error("store: {0}")]
    Postgres(StoreError),
}

/// Opens the store `settings` name: SQLite in `<state_dir>/adapter.db`, or PostgreSQL;
/// journal records are keyed with `key` when one is given.
pub async fn open(
    settings: &StoreSettings,
    state_dir: &Path,
    key: Option<Arc<JournalKey>>,
) -> Result<Arc<dyn Store>, OpenError> {
    Ok(match settings {
        StoreSettings::Sqlite { synchronous } => Arc::new(
            SqliteStore::open_with(&state_dir.join("adapter.db"), *synchronous)
                .await
                .map_err(OpenError::Sqlite)?
                .with_journal_key(key),
        ),
        StoreSettings::Postgres(p) => {
            let password = match &p.password {
                Some(r) => Some(
                    r.resolve()
                        .map_err(|e| OpenError::Password(e.to_string()))?,
                ),
                None => None,
            };
            Arc::new(
                PostgresStore::connect(
                    &p.url,
                    password.as_ref().map(|s| s.expose()),
                    p.max_connections,
                    p.schema.as_deref(),
                )
                .await
                .map_err(OpenError::Postgres)?
                .with_journal_key(key),
            )
        }
    })
}
