//! `demo` and `load` in a build without the `devkit` feature (a production build that
//! leaves out `oots-devkit`): the commands still parse, and answer that they were not
//! built in instead of vanishing from `--help` without a word.

use std::process::ExitCode;

use super::CliError;

/// Why `demo` and `load` cannot run.
fn not_built(command: &str) -> CliError {
    CliError::Other(format!(
        "`oots-adapter {command}` is not built into this binary (built without the `devkit` \
         feature); use a default build for the demo and the load tool"
    ))
}

/// `oots-adapter demo` without the devkit.
pub(super) mod demo {
    use std::path::Path;

    use super::{CliError, ExitCode, not_built};

    /// Answers that the demo was not built in.
    pub(in crate::cli) async fn run(
        _config: &Path,
        _out: &Path,
        _auto_approve: bool,
    ) -> Result<ExitCode, CliError> {
        Err(not_built("demo"))
    }
}

/// `oots-adapter load` without the devkit.
pub(super) mod load {
    use super::{CliError, ExitCode, not_built};

    /// Whatever was given: the command is not there to read it.
    #[derive(Debug, clap::Args)]
    pub struct Options {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    }

    /// Answers that the load tool was not built in.
    pub(in crate::cli) async fn run(_o: &Options) -> Result<ExitCode, CliError> {
        Err(not_built("load"))
    }
}
