//! `oots-adapter`: the evidence-provider sidecar (see `oots-adapter --help`).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

fn main() -> std::process::ExitCode {
    oots_framework::cli::main()
}
