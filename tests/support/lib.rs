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

/// The repository's root.
pub fn workspace() -> &'static std::path::Path {
    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Copies the folder `from` to `to`, without a `state/` folder (an adapter's state, made
/// when someone ran it there): a deployment copied from `examples/` starts fresh.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == "state") {
            continue;
        }
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}
