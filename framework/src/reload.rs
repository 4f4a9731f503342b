//! Mapping generations and hot reload.
//!
//! The adapter always answers with one complete, checked and tested generation of mapping
//! files. When the files change, the whole set is loaded, checked and its tests run; only
//! then does it replace the running generation, in one atomic swap. A broken edit leaves
//! the previous generation answering, and says why (log, `/healthz`, `/metrics`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::config::AdapterConfig;
use crate::connector::OpenMode;
use crate::mapping::{self, MappingSet};

/// The running generation and the history of reload attempts.
#[derive(Debug)]
pub struct Generations {
    current: RwLock<Arc<MappingSet>>,
    status: Mutex<ReloadStatus>,
}

/// What `/healthz` and `/metrics` report about reloads.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReloadStatus {
    pub generation: String,
    pub activated_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt was refused, if it was (diagnostics or failed tests).
    pub last_error: Option<String>,
    pub reloads_ok: u64,
    pub reloads_failed: u64,
}

impl Generations {
    pub fn new(set: Arc<MappingSet>) -> Self {
        let status = ReloadStatus {
            generation: set.generation().to_owned(),
            activated_at: Some(Utc::now()),
            ..ReloadStatus::default()
        };
        Self {
            current: RwLock::new(set),
            status: Mutex::new(status),
        }
    }

    /// The generation answering now; a request keeps the one it started with.
    pub fn current(&self) -> Arc<MappingSet> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn status(&self) -> ReloadStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn activate(&self, set: Arc<MappingSet>) {
        let generation = set.generation().to_owned();
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = set;
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        s.generation = generation;
        s.activated_at = Some(Utc::now());
        s.last_attempt_at = s.activated_at;
        s.last_error = None;
        s.reloads_ok += 1;
    }

    fn refuse(&self, why: String) {
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        s.last_attempt_at = Some(Utc::now());
        s.last_error = Some(why);
        s.reloads_failed += 1;
    }

    /// Prometheus text exposition of the reload state.
    pub fn metrics(&self) -> String {
        let s = self.status();
        format!(
            "# HELP oots_mapping_generation_info The mapping generation answering requests.\n\
             # TYPE oots_mapping_generation_info gauge\n\
             oots_mapping_generation_info{{generation=\"{}\"}} 1\n\
             # HELP oots_mapping_reloads_total Reload attempts by result.\n\
             # TYPE oots_mapping_reloads_total counter\n\
             oots_mapping_reloads_total{{result=\"ok\"}} {}\n\
             oots_mapping_reloads_total{{result=\"failed\"}} {}\n\
             # HELP oots_mapping_reload_failing Whether the newest mapping files were refused.\n\
             # TYPE oots_mapping_reload_failing gauge\n\
             oots_mapping_reload_failing {}\n",
            s.generation,
            s.reloads_ok,
            s.reloads_failed,
            u8::from(s.last_error.is_some())
        )
    }
}

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
    let outcome = mapping::check(&config.file, false).await;
    if !outcome.ok() {
        let why = outcome.diagnostics.to_string();
        gens.refuse(why.clone());
        return Err(why);
    }
    if let Some(set) = &outcome.set {
        let failed: Vec<String> = mapping::run_tests(config, set, false)
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
