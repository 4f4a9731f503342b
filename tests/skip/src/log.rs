//! The skip log: a folder under the target directory with one file per test process
//! (`<pid>.log`), so processes never interleave inside a file.

use crate::record::Skip;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Overrides where the skip log lives; `cargo test-all` sets it for the tests it runs.
pub const DIR_ENV: &str = "OOTS_TEST_SKIPS";

/// The skip log's folder: `$OOTS_TEST_SKIPS`, else `test-skips/` in the target directory
/// the running executable was built into, else in `$CARGO_TARGET_DIR`, else `target/`.
pub fn dir() -> PathBuf {
    if let Some(d) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| target_dir_of(&exe))
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("test-skips")
}

/// The target directory an executable was built into: the nearest folder above it that
/// holds cargo's `CACHEDIR.TAG` or `.rustc_info.json` (`target/`, whatever the profile or
/// target triple). Cargo writes the tag only when it creates the folder itself, so a
/// `target/` a script made first (`.ci/run`'s venvs) has only the second; failing both,
/// the folder above the profile folder (the one holding `.fingerprint`).
pub fn target_dir_of(exe: &Path) -> Option<PathBuf> {
    let mut above = exe.ancestors().skip(1);
    above
        .find(|a| a.join("CACHEDIR.TAG").is_file() || a.join(".rustc_info.json").is_file())
        .or_else(|| {
            exe.ancestors()
                .skip(1)
                .find(|a| a.join(".fingerprint").is_dir())
                .and_then(Path::parent)
        })
        .map(Path::to_path_buf)
}

/// Appends `skip` to this process's file in [`dir`].
pub fn append(skip: &Skip) -> std::io::Result<()> {
    append_in(&dir(), skip)
}

/// Appends `skip` to this process's file in `dir`, made if missing.
pub fn append_in(dir: &Path, skip: &Skip) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{}.log", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    // One write per record: a crash leaves at most one short line, which reading ignores.
    file.write_all(skip.to_line().as_bytes())
}

/// Every skip recorded in `dir`, sorted; none when it does not exist.
pub fn read(dir: &Path) -> std::io::Result<Vec<Skip>> {
    let mut skips = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(skips),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "log") {
            let text = std::fs::read_to_string(&path)?;
            skips.extend(text.lines().filter_map(Skip::parse_line));
        }
    }
    skips.sort();
    Ok(skips)
}

/// Removes the `*.log` files in `dir` (a run starts with an empty list).
pub fn clear(dir: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "log") {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(test: &str) -> Skip {
        Skip {
            suite: "pkg/suite".into(),
            test: test.into(),
            variable: "XMLLINT".into(),
            reason: "XSD validation (set XMLLINT=/usr/bin/xmllint)".into(),
        }
    }

    #[test]
    fn records_appended_are_read_back_and_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("test-skips");
        assert_eq!(read(&log).unwrap(), vec![]);
        append_in(&log, &skip("b")).unwrap();
        append_in(&log, &skip("a")).unwrap();
        std::fs::write(log.join("other.txt"), "not a log").unwrap();
        std::fs::write(log.join("1.log"), "cut short\n").unwrap();
        assert_eq!(read(&log).unwrap(), vec![skip("a"), skip("b")]);
        clear(&log).unwrap();
        assert_eq!(read(&log).unwrap(), vec![]);
        assert!(
            log.join("other.txt").is_file(),
            "only *.log files are removed"
        );
    }

    #[test]
    fn the_target_dir_is_the_folder_with_cargos_tag() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        let deps = target.join("x86_64-unknown-linux-gnu/debug/deps");
        std::fs::create_dir_all(&deps).unwrap();
        std::fs::write(
            target.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55",
        )
        .unwrap();
        assert_eq!(
            target_dir_of(&deps.join("postgres-0123456789abcdef")),
            Some(target)
        );
        assert_eq!(target_dir_of(&dir.path().join("elsewhere/bin")), None);
    }

    #[test]
    fn a_target_dir_made_before_cargo_is_found_without_the_tag() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        let deps = target.join("debug/deps");
        std::fs::create_dir_all(&deps).unwrap();
        std::fs::create_dir_all(target.join("debug/.fingerprint")).unwrap();
        let exe = deps.join("suite-0123456789abcdef");
        assert_eq!(target_dir_of(&exe), Some(target.clone()));
        std::fs::write(target.join(".rustc_info.json"), "{}").unwrap();
        assert_eq!(target_dir_of(&exe), Some(target));
    }

    #[test]
    fn this_test_binary_finds_its_own_target_dir() {
        let exe = std::env::current_exe().unwrap();
        let target = target_dir_of(&exe).expect("built by cargo, under a target dir");
        assert!(exe.starts_with(&target));
    }
}
