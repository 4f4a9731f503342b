//! `oots-adapter test <path>`: runs the tests written in mapping files.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use super::check::all_deployments;
use super::{CliError, init_logging};
use crate::config::AdapterConfig;
use crate::verify;

pub(super) async fn run(
    paths: &[PathBuf],
    json_out: bool,
    update: bool,
    explain: bool,
) -> Result<ExitCode, CliError> {
    init_logging(false, "error");
    let configs = all_deployments(paths)?;
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut all = Vec::new();
    for config in &configs {
        // Tests only run on a deployment that checks clean.
        let outcome = verify::check(config, false).await;
        let (Some(set), true) = (outcome.set.as_ref(), outcome.ok()) else {
            failed += 1;
            if json_out {
                all.push(json!({"config": config.display().to_string(), "check": outcome.diagnostics.to_string()}));
            } else {
                println!(
                    "FAIL  {} does not pass `check`:\n{}",
                    config.display(),
                    outcome.diagnostics
                );
            }
            continue;
        };
        let cfg = AdapterConfig::load(config)?;
        let results = verify::run_tests(&cfg, set, update).await;
        if !json_out {
            println!("{}", config.display());
        }
        for r in &results {
            if r.passed {
                passed += 1;
            } else {
                failed += 1;
            }
            if !json_out {
                println!(
                    "  {}  {} › {}",
                    if r.passed { "pass" } else { "FAIL" },
                    r.mapping,
                    r.name
                );
                for f in &r.failures {
                    println!("        {f}");
                }
                if let Some(m) = r.matching.as_ref().filter(|_| explain || !r.passed) {
                    println!("        matching {m}");
                }
            }
        }
        if json_out {
            all.push(json!({"config": config.display().to_string(), "tests": results}));
        }
    }
    if json_out {
        println!(
            "{}",
            json!({"passed": passed, "failed": failed, "deployments": all})
        );
    } else {
        println!("{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
