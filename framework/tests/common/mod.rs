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
        oots_testskip::skip(
            "OOTS_SHARED",
            &format!(
                "shared/oots-spec not found at {} (set OOTS_SHARED)",
                dir.display()
            ),
        );
        None
    }
}

/// Runs `cmd` to completion, killing it and failing the test after `secs` seconds: a hang
/// must be a test failure, not a stalled CI run.
#[allow(dead_code)]
pub fn output_within(cmd: &mut std::process::Command, secs: u64) -> std::process::Output {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let o = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let e = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = String::from_utf8_lossy(&o.join().unwrap_or_default()).into_owned();
            panic!("command did not finish within {secs}s: {cmd:?}\n{stdout}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: o.join().unwrap_or_default(),
        stderr: e.join().unwrap_or_default(),
    }
}

/// Copies a deployment folder (without its `state/`), so a test can edit it.
#[allow(dead_code)]
pub fn copy_dir(from: &Path, to: &Path) {
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
