//! `oots-adapter`: the evidence-provider sidecar (see `oots-adapter --help`).

fn main() -> std::process::ExitCode {
    oots_framework::cli::main()
}
