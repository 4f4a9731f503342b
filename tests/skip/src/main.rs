//! `cargo test-all` (an alias in `.cargo/config.toml`): clears the skip log, runs
//! `cargo test --workspace` with the arguments given, then prints which suites skipped and
//! why. The exit code is cargo's; with `--require-all` (or `CI=true`) a run that passed
//! but skipped a test for a variable not named by `--allow-skip` exits 1.
#![deny(clippy::unwrap_used, clippy::expect_used)]

use oots_testskip::{log, options::Options, summary};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let ci = Options::ci_requires_all(std::env::var("CI").ok().as_deref());
    let opts = match Options::parse(std::env::args().skip(1), ci) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("test-all: {e}");
            return ExitCode::from(2);
        }
    };
    let dir = log::dir();
    if let Err(e) = log::clear(&dir) {
        eprintln!("test-all: cannot clear the skip log {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(opts.cargo_test_args()).env(log::DIR_ENV, &dir);
    // What `cargo run` set for this binary is not the tests' business.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("CARGO_PKG_")
            || matches!(
                &*k,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
            )
        {
            cmd.env_remove(&*k);
        }
    }
    let status = match cmd.status() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("test-all: cannot run cargo: {e}");
            return ExitCode::from(2);
        }
    };
    let skips = match log::read(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("test-all: cannot read the skip log {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    let summary = summary::summarize(&skips, &opts.allowed, opts.require_all);
    print!("\n{}", summary.text);
    if !status.success() {
        let code = status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(101);
        return ExitCode::from(code);
    }
    if opts.require_all && summary.refused > 0 {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
