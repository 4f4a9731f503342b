//! The set of message ids being worked on now, so that a push and the start-up sweep
//! naming the same message at once do not both answer it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Holds a message id in the in-flight set until dropped.
pub(super) struct InFlight {
    set: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl InFlight {
    /// Enters `id`, unless it is in the set already.
    pub(super) fn enter(set: &Arc<Mutex<HashSet<String>>>, id: &str) -> Option<Self> {
        let mut s = set.lock().unwrap_or_else(|p| p.into_inner());
        if !s.insert(id.to_owned()) {
            return None;
        }
        Some(Self {
            set: set.clone(),
            id: id.to_owned(),
        })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut s = self.set.lock().unwrap_or_else(|p| p.into_inner());
        s.remove(&self.id);
    }
}

/// A set of message ids; plain data, so a panic elsewhere cannot leave it half-written.
pub(super) fn lock(set: &Mutex<HashSet<String>>) -> std::sync::MutexGuard<'_, HashSet<String>> {
    set.lock().unwrap_or_else(|p| p.into_inner())
}
