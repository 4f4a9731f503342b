//! Shared helpers for the end-to-end suites.

pub mod adapter;
pub mod domibus_replay;
pub mod load;
pub mod probe;
pub mod proxy;

/// The read-only reference material (`shared/`): `$OOTS_SHARED`, else the folder next to
/// the repository.
pub fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("OOTS_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}
