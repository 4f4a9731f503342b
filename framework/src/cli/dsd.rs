//! `oots-adapter dsd export|diff`: the provider's DSD registration from a deployment's
//! files, and the drift between it and what the DSD answers (docs/dsd.md).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{CliError, init_logging};
use crate::dsd::{self, DsdError, Registration};

#[derive(Debug, clap::Subcommand)]
pub enum Options {
    /// Write the registration as the DSD's LCM SubmitObjectsRequest (stdout, or `--out`,
    /// then a summary on stdout), or only its summary (`--summary`).
    Export {
        /// The deployment folder or its adapter.yaml.
        deployment: PathBuf,
        /// Write the XML to this file and print the summary.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the summary instead of the XML.
        #[arg(long)]
        summary: bool,
        /// The summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compare a DSD query answer with what the deployment serves: one line per drift;
    /// exit 0 without drift, 1 with, 2 when the files cannot be used.
    Diff {
        /// The deployment folder or its adapter.yaml.
        deployment: PathBuf,
        /// A DSD `QueryResponse` (dataservices-by-evidencetype-and-jurisdiction).
        answer: PathBuf,
    },
}

pub(super) async fn run(o: &Options) -> Result<ExitCode, CliError> {
    init_logging(false, "error");
    match o {
        Options::Export {
            deployment,
            out,
            summary,
            json,
        } => export(deployment, out.as_deref(), *summary, *json).await,
        Options::Diff { deployment, answer } => diff(deployment, answer).await,
    }
    .map_err(|e| CliError::Other(e.to_string()))
}

/// The `adapter.yaml` files `path` names (one deployment, or a folder of them).
fn deployments(path: &Path) -> Result<Vec<PathBuf>, DsdError> {
    super::check::all_deployments(&[path.to_path_buf()])
        .map_err(|e| DsdError::Deployment(e.to_string()))
}

/// The one deployment `path` names.
fn one_deployment(path: &Path) -> Result<PathBuf, DsdError> {
    let configs = deployments(path)?;
    match configs.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(DsdError::Deployment(format!(
            "{} holds {} deployments; a DSD answer is compared with one provider's: give one of them",
            path.display(),
            configs.len()
        ))),
    }
}

/// The registration of deployment `config`; its warnings go to stderr.
async fn load(config: &Path) -> Result<Registration, DsdError> {
    let outcome = crate::verify::check(config, false).await;
    let set = match (&outcome.set, outcome.ok()) {
        (Some(set), true) => set,
        _ => {
            return Err(DsdError::Deployment(format!(
                "{} does not pass `check`:\n{}",
                config.display(),
                outcome.diagnostics
            )));
        }
    };
    if !outcome.warnings.0.is_empty() {
        eprintln!("{}", outcome.warnings);
    }
    let cfg = crate::config::AdapterConfig::load(config)
        .map_err(|d| DsdError::Deployment(d.to_string()))?;
    Ok(dsd::registration(&cfg, set))
}

/// The export of one deployment, or of every deployment of a folder: then `--out` is a
/// folder receiving `<deployment folder>.xml` each.
async fn export(
    path: &Path,
    out: Option<&Path>,
    summary: bool,
    json: bool,
) -> Result<ExitCode, DsdError> {
    let configs = deployments(path)?;
    let several = configs.len() > 1;
    if several && !summary && out.is_none() {
        return Err(DsdError::Deployment(format!(
            "{} holds {} deployments, one registration each: give `--out <folder>` (or `--summary`)",
            path.display(),
            configs.len()
        )));
    }
    let mut summaries = Vec::new();
    for config in &configs {
        let reg = load(config).await?;
        if !summary {
            let xml = dsd::write_submit_objects(&reg);
            match out {
                Some(o) => write_out(&target(o, config, several), &xml)?,
                None => print!("{xml}"),
            }
        }
        if summary || out.is_some() {
            summaries.push((config.clone(), reg));
        }
    }
    if json {
        let all: Vec<serde_json::Value> = summaries
            .iter()
            .map(|(c, r)| serde_json::json!({"config": c.display().to_string(), "registration": dsd::summary_json(r)}))
            .collect();
        if !summaries.is_empty() {
            println!("{}", serde_json::Value::Array(all));
        }
    } else {
        for (i, (c, r)) in summaries.iter().enumerate() {
            if i > 0 {
                println!();
            }
            if several {
                println!("== {}", c.display());
            }
            print!("{}", dsd::summary_text(r));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Where a deployment's XML goes: `out` itself for one deployment, else
/// `out/<deployment folder>.xml`.
fn target(out: &Path, config: &Path, several: bool) -> PathBuf {
    if !several {
        return out.to_path_buf();
    }
    let name = config.parent().and_then(Path::file_name).map_or_else(
        || "deployment".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    out.join(format!("{name}.xml"))
}

fn write_out(file: &Path, xml: &str) -> Result<(), DsdError> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            DsdError::Output(format!("{}: cannot create: {}", dir.display(), e.kind()))
        })?;
    }
    std::fs::write(file, xml)
        .map_err(|e| DsdError::Output(format!("{}: cannot write: {}", file.display(), e.kind())))
}

async fn diff(path: &Path, answer: &Path) -> Result<ExitCode, DsdError> {
    let reg = load(&one_deployment(path)?).await?;
    let unreadable =
        |e: std::io::Error| DsdError::Unreadable(format!("{}: {}", answer.display(), e.kind()));
    let file = std::fs::File::open(answer).map_err(unreadable)?;
    let mut bytes = Vec::new();
    // One byte over the limit is enough to refuse it; a huge file is never read whole.
    file.take(dsd::MAX_ANSWER_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    let parsed = dsd::parse_answer(&bytes).map_err(|e| prefix(e, &answer.display().to_string()))?;
    if let Some(x) = &parsed.exception {
        eprintln!("note: the DSD answered an exception ({x}): nothing is registered");
    }
    let (drift, others) = dsd::diff(&reg, &parsed);
    if others > 0 {
        eprintln!(
            "note: {others} data service evidence type(s) of the answer are published by another provider; not compared"
        );
    }
    for d in &drift {
        println!("{d}");
    }
    Ok(if drift.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The same error, naming the file.
fn prefix(e: DsdError, file: &str) -> DsdError {
    match e {
        DsdError::Unreadable(m) => DsdError::Unreadable(format!("{file}: {m}")),
        DsdError::NotXml(m) => DsdError::NotXml(format!("{file}: {m}")),
        DsdError::NotQueryResponse(m) => DsdError::NotQueryResponse(format!("{file}: {m}")),
        DsdError::BadEntry(m) => DsdError::BadEntry(format!("{file}: {m}")),
        other => other,
    }
}
