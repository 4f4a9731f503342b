//! Which audit key `adapter.yaml` gives the journal (docs/audit.md): `audit.key`, or
//! without it, for SQLite, a key made once in `<state_dir>/audit.key`; PostgreSQL
//! without a key writes unkeyed records (replicas could not share a made-up key).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CliError;
use crate::config::{AdapterConfig, StoreSettings};
use crate::store::{JournalKey, KeyRing};

/// The id of a key made by the adapter itself.
pub const LOCAL_KEY_ID: &str = "local";

/// Where a SQLite deployment's made-up key lives.
pub fn local_key_path(cfg: &AdapterConfig) -> PathBuf {
    cfg.state_dir.join("audit.key")
}

/// The key new records are sealed with; `None`: unkeyed (PostgreSQL without `audit.key`).
pub fn journal_key(cfg: &AdapterConfig) -> Result<Option<Arc<JournalKey>>, CliError> {
    if let Some(r) = &cfg.audit.key {
        let secret = r.resolve().map_err(CliError::other)?;
        let key = JournalKey::new(&cfg.audit.key_id, secret.expose()).map_err(CliError::other)?;
        return Ok(Some(Arc::new(key)));
    }
    match cfg.store {
        StoreSettings::Sqlite { .. } => Ok(Some(Arc::new(local_key(&local_key_path(cfg))?))),
        StoreSettings::Postgres(_) => Ok(None),
    }
}

/// Every key records may be sealed with: the current one and `audit.retired_keys` (and
/// a SQLite deployment's made-up key, if there is one, when `audit.key` replaced it).
pub fn key_ring(cfg: &AdapterConfig) -> Result<KeyRing, CliError> {
    let mut ring = KeyRing::new();
    if let Some(k) = journal_key(cfg)? {
        ring.add(&k);
    }
    for r in &cfg.audit.retired_keys {
        let secret = r.key.resolve().map_err(CliError::other)?;
        ring.add(&JournalKey::new(&r.id, secret.expose()).map_err(CliError::other)?);
    }
    let local = local_key_path(cfg);
    if cfg.audit.key.is_some() && local.exists() {
        ring.add(&local_key(&local)?);
    }
    Ok(ring)
}

/// Reads the made-up key at `path`, making it first (owner-only) if it is missing.
fn local_key(path: &Path) -> Result<JournalKey, CliError> {
    let cannot = |e: std::io::Error| {
        CliError::Other(format!("OEA-A0010: audit key {}: {e}", path.display()))
    };
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(cannot)?;
        }
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| CliError::Other("no randomness".into()))?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        match opts.open(path) {
            Ok(mut f) => {
                f.write_all(format!("{hex}\n").as_bytes()).map_err(cannot)?;
                f.sync_all().map_err(cannot)?;
            }
            // Made by another process just now: use that one.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(cannot(e)),
        }
    }
    let text = std::fs::read_to_string(path).map_err(cannot)?;
    JournalKey::new(LOCAL_KEY_ID, &text).map_err(CliError::other)
}
