//! A bounded cache of prepared registry names.
//!
//! Preparing a name (transliterations, spelling variants, phonetic codes) costs far more
//! than comparing two prepared names, and a registry repeats its names: thousands of
//! candidates share a few thousand family and given names. The engine therefore prepares
//! each distinct registry spelling once and keeps it, within a fixed bound.
//!
//! Two generations approximate least-recently-used eviction without bookkeeping per hit:
//! new entries go to the young map; when it is full, the old map is dropped and the young
//! one becomes old; an entry found in the old map moves back to the young one. At most
//! `2 × capacity / SHARDS` entries live in a shard.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use crate::compare::NameKeys;

/// Shards keep concurrent decisions from queueing on one lock.
const SHARDS: usize = 16;

/// Distinct registry spellings kept by default (a few megabytes).
pub const DEFAULT_CAPACITY: usize = 32_768;

/// FNV-1a: names are short, and hashing them is on every comparison's path. The keys
/// are registry spellings, not request input, so a keyed hash buys nothing here.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FnvBuild = BuildHasherDefault<Fnv>;

#[derive(Default)]
struct Generations {
    young: HashMap<Box<str>, Arc<NameKeys>, FnvBuild>,
    old: HashMap<Box<str>, Arc<NameKeys>, FnvBuild>,
}

/// Prepared names by their raw registry spelling.
pub struct NameCache {
    shards: Vec<Mutex<Generations>>,
    per_shard: usize,
}

impl NameCache {
    /// A cache of about `capacity` recently used names (at least one per shard).
    pub fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(Generations::default()))
                .collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    /// The prepared form of `raw`, made with `prepare` unless already known.
    pub fn get_or_prepare(&self, raw: &str, prepare: impl FnOnce() -> NameKeys) -> Arc<NameKeys> {
        // The high bits pick the shard; the map inside uses the whole hash.
        let shard = &self.shards[(FnvBuild::default().hash_one(raw) >> 59) as usize % SHARDS];
        {
            let mut g = shard.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(k) = g.young.get(raw) {
                return Arc::clone(k);
            }
            if let Some((key, k)) = g.old.remove_entry(raw) {
                let found = Arc::clone(&k);
                g.insert(key, k, self.per_shard);
                return found;
            }
        }
        // Prepared outside the lock: two threads may both prepare a new name once.
        let k = Arc::new(prepare());
        let mut g = shard.lock().unwrap_or_else(PoisonError::into_inner);
        g.insert(raw.into(), Arc::clone(&k), self.per_shard);
        k
    }

    /// Entries currently held (both generations).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let g = s.lock().unwrap_or_else(PoisonError::into_inner);
                g.young.len() + g.old.len()
            })
            .sum()
    }
}

impl Generations {
    fn insert(&mut self, key: Box<str>, value: Arc<NameKeys>, per_shard: usize) {
        if self.young.len() >= per_shard {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, value);
    }
}

impl std::fmt::Debug for NameCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameCache")
            .field("entries", &self.len())
            .field("per_shard", &self.per_shard)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepares_each_spelling_once_and_stays_bounded() {
        let cache = NameCache::new(SHARDS * 4);
        let mut prepared = 0;
        for _ in 0..3 {
            let k = cache.get_or_prepare("Müller", || {
                prepared += 1;
                NameKeys::new("Müller", &[])
            });
            assert!(k.keys.contains(&"mueller".to_owned()), "{:?}", k.keys);
        }
        assert_eq!(prepared, 1);
        for i in 0..10_000 {
            let name = format!("name{i}");
            cache.get_or_prepare(&name, || NameKeys::new(&name, &[]));
        }
        assert!(cache.len() <= 2 * SHARDS * 4, "{} entries", cache.len());
        // A recently used entry survives a generation change.
        let mut again = 0;
        cache.get_or_prepare("name9999", || {
            again += 1;
            NameKeys::new("name9999", &[])
        });
        assert_eq!(again, 0);
    }
}
