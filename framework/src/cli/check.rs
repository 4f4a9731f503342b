//! `oots-adapter check <path>`: validates deployments without touching a registry (unless
//! `--live`), reporting every problem at once.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;

use super::{CliError, init_logging};
use crate::verify;

/// The `adapter.yaml` files under `path` (the file itself, the folder's own, or every one
/// found in its subfolders).
pub(super) fn deployments(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let own = path.join("adapter.yaml");
    if own.is_file() {
        return vec![own];
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir()
                && !p.file_name().is_some_and(|n| {
                    n.to_string_lossy().starts_with('.') || n == "state" || n == "target"
                })
            {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "adapter.yaml") {
                found.push(p);
            }
        }
    }
    found.sort();
    found
}

/// The deployments under every path; a path without any is an error.
pub(super) fn all_deployments(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut configs = Vec::new();
    for path in paths {
        let found = deployments(path);
        if found.is_empty() {
            return Err(CliError::Other(format!(
                "{}: no adapter.yaml found (give a deployment folder or its adapter.yaml)",
                path.display()
            )));
        }
        configs.extend(found);
    }
    Ok(configs)
}

pub(super) async fn run(
    paths: &[PathBuf],
    live: bool,
    json_out: bool,
) -> Result<ExitCode, CliError> {
    init_logging(false, "error");
    let configs = all_deployments(paths)?;
    let mut failed = false;
    let mut reports = Vec::new();
    for config in &configs {
        let outcome = verify::check(config, live).await;
        failed |= !outcome.ok();
        if json_out {
            reports.push(json!({
                "config": config.display().to_string(),
                "ok": outcome.ok(),
                "generation": outcome.set.as_ref().map(|s| s.generation().to_owned()),
                "mappings": outcome.set.as_ref().map(|s| s.mappings().len()),
                "diagnostics": as_json(&outcome.diagnostics),
                "warnings": as_json(&outcome.warnings),
            }));
        } else if outcome.ok() {
            let (n, generation) = outcome
                .set
                .as_ref()
                .map(|s| (s.mappings().len(), s.generation().to_owned()))
                .unwrap_or_default();
            println!(
                "ok    {} ({n} mapping file(s), generation {generation}{})",
                config.display(),
                if live { ", connections probed" } else { "" }
            );
        } else {
            println!("FAIL  {}", config.display());
            println!("{}", outcome.diagnostics);
        }
        if !json_out && !outcome.warnings.0.is_empty() {
            println!("{}", outcome.warnings);
        }
    }
    if json_out {
        println!("{}", json!({ "ok": !failed, "deployments": reports }));
    } else {
        println!(
            "{} deployment(s) checked, {}",
            configs.len(),
            if failed {
                "problems found"
            } else {
                "no problems"
            }
        );
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Diagnostics as `--json` writes them, one object each.
fn as_json(diagnostics: &crate::diag::Diagnostics) -> Vec<serde_json::Value> {
    diagnostics
        .0
        .iter()
        .map(|d| {
            json!({
                "file": d.file.display().to_string(),
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "message": d.message,
                "hint": d.hint,
            })
        })
        .collect()
}
