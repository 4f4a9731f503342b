//! Hot reload of mapping generations ([`crate::mapping::Generations`]).
//!
//! The adapter always answers with one complete, checked and tested generation of mapping
//! files. When the files change, the whole set is loaded, checked and its tests run; only
//! then does it replace the running generation, in one atomic swap. A broken edit leaves
//! the previous generation answering, and says why (log, `/healthz`, `/metrics`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::config::AdapterConfig;
use crate::connector::OpenMode;
use crate::mapping::{self, Generations};
use crate::verify;

/// A cheap fingerprint of every file under the mapping folder (path, size, mtime).
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = std::fs::metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(p);
            } else {
                out.push((p, meta.len(), meta.modified().ok()));
            }
        }
    }
    out.sort();
    out
}

/// Loads, checks and tests the mapping set now; activates it only if all of that passes.
pub async fn reload(config: &AdapterConfig, gens: &Generations) -> Result<String, String> {
    let outcome = verify::check(&config.file, false).await;
    if !outcome.ok() {
        let why = outcome.diagnostics.to_string();
        gens.refuse(why.clone());
        return Err(why);
    }
    if let Some(set) = &outcome.set {
        let failed: Vec<String> = verify::run_tests(config, set, false)
            .await
            .into_iter()
            .filter(|r| !r.passed)
            .map(|r| {
                format!(
                    "test `{}` of {} fails: {}",
                    r.name,
                    r.mapping,
                    r.failures.join("; ")
                )
            })
            .collect();
        if !failed.is_empty() {
            let why = failed.join("\n");
            gens.refuse(why.clone());
            return Err(why);
        }
    }
    let live = match mapping::load(config, OpenMode::Live).await {
        Ok(set) => set,
        Err(d) => {
            let why = d.to_string();
            gens.refuse(why.clone());
            return Err(why);
        }
    };
    if live.generation() == gens.current().generation() {
        gens.confirm();
        return Ok(live.generation().to_owned());
    }
    let generation = live.generation().to_owned();
    gens.activate(Arc::new(live));
    Ok(generation)
}

/// Polls the mapping folder every `interval` and reloads on change, until `shutdown`.
pub async fn watch(
    config: Arc<AdapterConfig>,
    gens: Arc<Generations>,
    interval: Duration,
    shutdown: CancellationToken,
) {
    let mut seen = fingerprint(&config.mappings);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(interval) => {}
        }
        let now = fingerprint(&config.mappings);
        if now == seen {
            continue;
        }
        seen = now;
        match reload(&config, &gens).await {
            Ok(generation) => tracing::info!(generation = %generation, "mapping generation active"),
            Err(why) => tracing::error!(
                kept = %gens.current().generation(),
                reason = %why,
                "new mapping files refused; the previous generation keeps answering"
            ),
        }
    }
}
