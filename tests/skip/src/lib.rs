//! Visible test skips.
//!
//! A suite that needs a tool or server the Rust build does not bring (PostgreSQL,
//! `xmllint`, a Python with Playwright, the reference material in `shared/`) calls
//! [`skip_unless_env`] or [`skip`] and returns early when it is missing. libtest still
//! counts such a test as passed, so the helper leaves a trace twice: a `SKIPPED: …` line
//! written straight to the process's stderr (libtest captures `println!`/`eprintln!` of
//! passing tests, not the stream itself), and a line in the skip log under the target
//! directory. `cargo test-all` (the `oots-test-all` binary of this crate) clears that log,
//! runs `cargo test --workspace` and ends with the list of what was skipped and why.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![deny(missing_docs)]

pub mod log;
pub mod options;
pub mod record;
pub mod summary;

pub use record::Skip;

use std::io::Write as _;

/// The value of the environment variable `var`, or `None` after recording a skip when it
/// is unset or empty. `reason` says what is skipped and how to enable it; it is made to
/// name `var` when it does not already, so every hint names the variable the code reads.
pub fn skip_unless_env(var: &str, reason: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            skip(var, reason);
            None
        }
    }
}

/// Records that the calling test is skipped for want of `var` (an environment variable,
/// or `PATH` for a tool looked up there): prints `SKIPPED: <reason>` to stderr and
/// appends a record to the skip log. The caller then returns.
pub fn skip(var: &str, reason: &str) {
    let reason = with_variable(var, reason);
    let _ = writeln!(std::io::stderr(), "SKIPPED: {reason}");
    let skip = Skip {
        suite: record::current_suite(),
        test: record::current_test(),
        variable: var.to_string(),
        reason,
    };
    if let Err(e) = log::append(&skip) {
        let _ = writeln!(std::io::stderr(), "skip log not written: {e}");
    }
}

/// `reason`, with ` (set VAR)` added when it does not mention `var`.
fn with_variable(var: &str, reason: &str) -> String {
    if reason.contains(var) {
        reason.to_string()
    } else {
        format!("{reason} (set {var})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_that_does_not_name_the_variable_gets_it() {
        assert_eq!(
            with_variable("PG_URL", "store suite"),
            "store suite (set PG_URL)"
        );
        assert_eq!(
            with_variable("PG_URL", "store suite (set PG_URL=postgres://x)"),
            "store suite (set PG_URL=postgres://x)"
        );
    }
}
