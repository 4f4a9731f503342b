//! Mapping generations: the one complete, checked and tested set of mapping files that
//! answers requests, and the history of attempts to replace it. Loading, checking and
//! swapping in a new generation is [`crate::reload`]'s job; this module only holds it.

use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::MappingSet;

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

    /// Makes `set` the generation answering from now on.
    pub(crate) fn activate(&self, set: Arc<MappingSet>) {
        let generation = set.generation().to_owned();
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = set;
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        s.generation = generation;
        s.activated_at = Some(Utc::now());
        s.last_attempt_at = s.activated_at;
        s.last_error = None;
        s.reloads_ok += 1;
    }

    /// Records a passing reload attempt whose files are those of the running generation
    /// (a broken edit reverted to the last good content): nothing is swapped, but the
    /// newest files are no longer refused, so the error clears.
    pub(crate) fn confirm(&self) {
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        s.last_attempt_at = Some(Utc::now());
        s.last_error = None;
        s.reloads_ok += 1;
    }

    /// Records a refused reload attempt (`why`: diagnostics or failed tests).
    pub(crate) fn refuse(&self, why: String) {
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
