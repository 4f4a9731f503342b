//! A test that skips leaves a record: this test binary runs itself, in a child process,
//! on a test that lacks an environment variable, and reads the skip log it wrote.

use oots_testskip::{Skip, log, skip_unless_env};
use std::process::Command;

const CHILD: &str = "OOTS_TESTSKIP_CHILD";
const MISSING: &str = "OOTS_TESTSKIP_NEVER_SET";

/// Does nothing unless run as the child below: it would otherwise record a skip in the
/// real log of every `cargo test-all`.
#[test]
fn child_needs_a_variable() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    assert_eq!(skip_unless_env(MISSING, "the child suite"), None);
    assert_eq!(
        skip_unless_env(CHILD, "never skipped").as_deref(),
        Some("1")
    );
}

#[test]
fn a_test_binary_run_without_its_variable_records_the_skip() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_needs_a_variable", "--test-threads", "1"])
        .env(CHILD, "1")
        .env_remove(MISSING)
        .env(log::DIR_ENV, dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Visible without --nocapture: written to the stream, not through libtest's capture.
    assert!(
        stderr.contains("SKIPPED: the child suite (set OOTS_TESTSKIP_NEVER_SET)"),
        "{stderr}"
    );
    let skips = log::read(dir.path()).unwrap();
    assert_eq!(
        skips,
        vec![Skip {
            suite: "oots-testskip/record".into(),
            test: "child_needs_a_variable".into(),
            variable: MISSING.into(),
            reason: "the child suite (set OOTS_TESTSKIP_NEVER_SET)".into(),
        }]
    );
}
