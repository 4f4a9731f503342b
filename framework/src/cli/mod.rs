//! The `oots-adapter` command line: `serve`, `respond`, `demo`, `check`, `test`, `preview`,
//! `match-eval`, `audit`, `load`.

mod audit;
mod audit_keys;
mod check;
#[cfg(feature = "devkit")]
mod demo;
mod dsd;
#[cfg(feature = "devkit")]
mod load;
mod match_eval;
mod match_keys;
mod preview;
mod respond;
mod serve;
mod test;
#[cfg(not(feature = "devkit"))]
mod without_devkit;
#[cfg(not(feature = "devkit"))]
use without_devkit::{demo, load};

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::config::AdapterConfig;
use crate::diag::Diagnostics;
use crate::exchange::Exchange;
use crate::mapping;
use crate::store::{Journal, Store};

/// Evidence-provider adapter for the EU Once-Only Technical System.
#[derive(Debug, Parser)]
#[command(name = "oots-adapter", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the sidecar: receive requests from the gateway, answer them, expose health.
    Serve {
        /// The deployment's adapter.yaml.
        #[arg(long)]
        config: PathBuf,
    },
    /// Answer one request file offline and write the answer and its attachments.
    Respond {
        #[arg(long)]
        config: PathBuf,
        /// The RegRep QueryRequest XML.
        #[arg(long)]
        request: PathBuf,
        /// Folder for response.xml / error.xml and the attachments.
        #[arg(long)]
        out: PathBuf,
        /// Use this state folder instead of the configured one (used request ids live there).
        #[arg(long)]
        state_dir: Option<PathBuf>,
    },
    /// Check deployments (adapter.yaml, mapping files, templates) without touching a registry.
    Check {
        /// adapter.yaml files, deployment folders, or folders of deployments.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also open every connection, run a probe query and have the database prepare
        /// each mapping query (its columns compared with `fields:`).
        #[arg(long)]
        live: bool,
        /// `text` (default) or `json`.
        #[arg(long, default_value = "text")]
        format: OutputFormat,
    },
    /// Run the tests written in mapping files (fixtures in, EDM answer out).
    Test {
        /// adapter.yaml files, deployment folders, or folders of deployments.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// `text` (default) or `json`.
        #[arg(long, default_value = "text")]
        format: OutputFormat,
        /// Write golden files instead of comparing with them.
        #[arg(long)]
        update: bool,
        /// Show each test's matching decision and why (personal data masked).
        #[arg(long)]
        explain: bool,
    },
    /// Render, offline, the preview page a citizen would see for one of a mapping file's
    /// tests (the evidence fields, their labels and the two buttons), with the held
    /// evidence document next to it.
    Preview(preview::Options),
    /// Measure a matching configuration on labelled data (FEBRL-style CSVs): prints one
    /// JSON line with correct, wrong-person and refused counts, precision and recall.
    MatchEval(match_eval::Options),
    /// Compute the registry key columns a matching configuration blocks on, for a
    /// registry export (CSV in, the same CSV with the key columns appended out).
    MatchKeys(match_keys::Options),
    /// Check the audit journal's hash chain, or purge it to the retention period.
    #[command(subcommand)]
    Audit(audit::Options),
    /// Drive a running `serve` from outside with its mapping tests' requests, as its
    /// gateway would (Domibus WS plugin, or a requester's AS4 access point), and check
    /// every answer: throughput, latency, errors by kind.
    Load(load::Options),
    /// The provider's Data Service Directory registration, generated from the mapping
    /// files (`export`), and its drift from what the DSD answers (`diff`).
    #[command(subcommand)]
    Dsd(dsd::Options),
    /// Show a complete exchange: the quickstart adapter behind a simulated Domibus, and an
    /// evidence requester sending it requests.
    Demo {
        #[arg(long, default_value = "examples/quickstart/adapter.yaml")]
        config: PathBuf,
        /// Where the exchanged messages and evidence are written.
        #[arg(long, default_value = "oots-demo")]
        out: PathBuf,
        /// Play the citizen's part of a preview too (sign in at the demo identity
        /// provider, approve); without it the demo prints the link and waits for you.
        #[arg(long)]
        auto_approve: bool,
    },
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { config } => serve::run(&config).await,
            Command::Respond {
                config,
                request,
                out,
                state_dir,
            } => respond::run(&config, &request, &out, state_dir.as_deref()).await,
            Command::Demo {
                config,
                out,
                auto_approve,
            } => demo::run(&config, &out, auto_approve).await,
            Command::MatchEval(o) => match_eval::run(&o).await,
            Command::Load(o) => load::run(&o).await,
            Command::Audit(o) => audit::run(&o).await,
            Command::MatchKeys(o) => match_keys::run(&o).await,
            Command::Dsd(o) => dsd::run(&o).await,
            Command::Preview(o) => preview::run(&o).await,
            Command::Test {
                paths,
                format,
                update,
                explain,
            } => test::run(&paths, format == OutputFormat::Json, update, explain).await,
            Command::Check {
                paths,
                live,
                format,
            } => check::run(&paths, live, format == OutputFormat::Json).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// A command failure that ends the program with a message (configuration, I/O).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Config(#[from] Diagnostics),
    #[error("{0}")]
    Other(String),
}

impl CliError {
    fn other(e: impl std::fmt::Display) -> Self {
        CliError::Other(e.to_string())
    }
}

/// Loads config, mapping files and state store, ready to answer requests.
async fn load_exchange(
    config_path: &Path,
    state_override: Option<&Path>,
) -> Result<(Arc<AdapterConfig>, Exchange), CliError> {
    let mut config = AdapterConfig::load(config_path)?;
    if let Some(s) = state_override {
        config.state_dir = s.to_path_buf();
    }
    let config = Arc::new(config);
    let mappings = Arc::new(mapping::load(&config, crate::connector::OpenMode::Live).await?);
    let store = open_store(&config).await?;
    let key = subject_key(&config, store.as_ref()).await?;
    let exchange = Exchange::new(config.clone(), mappings, store).with_subject_key(key);
    Ok((config, exchange))
}

/// Opens the state store `adapter.yaml` names (`store:`; SQLite under `state_dir` by
/// default).
async fn open_store(config: &AdapterConfig) -> Result<Arc<dyn Store>, CliError> {
    let key = audit_keys::journal_key(config)?;
    crate::store::open(&config.store, &config.state_dir, key)
        .await
        .map_err(|e| match e {
            crate::store::OpenError::Postgres(_) => {
                CliError::Other(format!("{}: {e}", config.file.display()))
            }
            other => CliError::other(other),
        })
}

/// The key the journal hashes subjects with: `audit.subject_key`, or one made once and
/// kept in the store.
async fn subject_key(config: &AdapterConfig, store: &dyn Journal) -> Result<Vec<u8>, CliError> {
    if let Some(r) = &config.audit.subject_key {
        let secret = r.resolve().map_err(CliError::other)?;
        return Ok(secret.expose().as_bytes().to_vec());
    }
    let mut fresh = [0u8; 32];
    aws_lc_rs::rand::fill(&mut fresh).map_err(|_| CliError::Other("no randomness".into()))?;
    store.subject_key(&fresh).await.map_err(CliError::other)
}

/// Logs to stderr; JSON lines for the long-running service, compact text otherwise,
/// filtered as [`crate::telemetry::log_filter`] says (no level logs personal data).
fn init_logging(json: bool, default_level: &str) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(crate::telemetry::log_filter(default_level))
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}
