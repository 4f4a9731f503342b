//! Helpers shared by the framework's integration tests.

use std::path::{Path, PathBuf};

/// The read-only reference material (`shared/`): `$OOTS_SHARED`, else the folder next to
/// the repository.
#[allow(dead_code)]
pub fn shared_dir() -> PathBuf {
    std::env::var_os("OOTS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// `shared/oots-spec`, or `None` after printing why the calling test skips.
#[allow(dead_code)]
pub fn spec_dir() -> Option<PathBuf> {
    let dir = shared_dir().join("oots-spec");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIPPED: shared/oots-spec not found at {} (set OOTS_SHARED)",
            dir.display()
        );
        None
    }
}
