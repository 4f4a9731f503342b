//! The registry's own name frequencies: how many persons hold each family and given name.
//!
//! They answer two questions the comparison of one candidate cannot (docs/matching.md,
//! "Threat model"):
//!
//! - **Is a near spelling a typing error, or another person's real name?** A request for
//!   `Lundgren` that finds only `Lindgren` is a typo if this registry has never heard of
//!   a Lundgren, and quite possibly a Lundgren who is not registered if it holds several.
//!   The engine tolerates a near spelling without corroboration only in the first case.
//! - **How much does an agreeing name prove?** Agreeing on a surname a third of the
//!   registry shares proves less than agreeing on a rare one (term-frequency adjustment,
//!   as in Splink): the engine lowers the weight of an exact agreement on a common name.
//!
//! A registry too small for its frequencies to mean anything (`min_population`) counts as
//! having none, and without frequencies the engine is stricter, never laxer.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::Attribute;
use crate::compare::NameKeys;
use crate::keys::name_keys;
use crate::translit::has_greek_or_cyrillic;

/// Persons per name key and per name token, for family names and given names.
#[derive(Debug, Default, Clone)]
pub struct NameFrequencies {
    population: u64,
    /// Per slot (family, given): persons per key, every spelling of every registry value.
    keys: [HashMap<Box<str>, u64>; 2],
    /// Per slot: persons per token (`Anna Maria` counts for `anna` and `maria`).
    tokens: [HashMap<Box<str>, u64>; 2],
    /// Whether any registry name is written in Greek or Cyrillic script.
    native_scripts: bool,
}

/// The slot of a name attribute: family names (and birth names, which are family names
/// too) or given names.
fn slot(a: Attribute) -> Option<usize> {
    match a {
        Attribute::FamilyName | Attribute::BirthName => Some(0),
        Attribute::GivenName => Some(1),
        _ => None,
    }
}

impl NameFrequencies {
    /// An empty table for a registry of `population` persons; fill it with
    /// [`NameFrequencies::add`].
    pub fn new(population: u64) -> Self {
        Self {
            population,
            ..Self::default()
        }
    }

    /// Counts `n` more persons whose `attribute` is `raw` (a registry value as written),
    /// with the engine's name `particles`. Attributes other than names are ignored.
    pub fn add(&mut self, attribute: Attribute, raw: &str, n: u64, particles: &[&str]) {
        let Some(s) = slot(attribute) else { return };
        self.native_scripts = self.native_scripts || has_greek_or_cyrillic(raw);
        let keys = name_keys(raw, particles);
        let mut tokens: Vec<&str> = keys.iter().flat_map(|k| k.split_whitespace()).collect();
        tokens.sort_unstable();
        tokens.dedup();
        for k in &keys {
            *self.keys[s].entry(k.as_str().into()).or_default() += n;
        }
        for t in tokens {
            *self.tokens[s].entry(t.into()).or_default() += n;
        }
    }

    /// Whether any registry name is written in Greek or Cyrillic script (requests in
    /// Latin then need the keys such names have).
    pub fn holds_native_scripts(&self) -> bool {
        self.native_scripts
    }

    /// Persons in the registry the table was made from.
    pub fn population(&self) -> u64 {
        self.population
    }

    /// Distinct keys and tokens held (for logs and metrics).
    pub fn entries(&self) -> usize {
        self.keys.iter().chain(&self.tokens).map(HashMap::len).sum()
    }

    /// Whether the registry holds `name` as a name of this kind: one of its spellings is a
    /// registry key, or every token of it is a registry token (`Anna Maria` is known
    /// when the registry knows an Anna and a Maria).
    pub fn known(&self, attribute: Attribute, name: &NameKeys) -> bool {
        let Some(s) = slot(attribute) else {
            return false;
        };
        if name
            .keys
            .iter()
            .any(|k| self.keys[s].contains_key(k.as_str()))
        {
            return true;
        }
        name.keys
            .first()
            .is_some_and(|k| k.split_whitespace().all(|t| self.tokens[s].contains_key(t)))
    }

    /// The share of the registry holding `name` (its most common spelling), at least one
    /// person in the population: the `u` probability of an exact agreement.
    pub fn share(&self, attribute: Attribute, name: &NameKeys) -> Option<f64> {
        let s = slot(attribute)?;
        if self.population == 0 {
            return None;
        }
        let n = name
            .keys
            .iter()
            .filter_map(|k| self.keys[s].get(k.as_str()))
            .max()
            .copied()
            .unwrap_or(0)
            .max(1);
        Some((n as f64 / self.population as f64).min(1.0))
    }
}

/// The frequencies an engine decides with, loaded in the background and refreshed; shared
/// by the clones of one engine.
#[derive(Debug, Default)]
pub struct FrequencyCell {
    state: RwLock<CellState>,
}

#[derive(Debug, Default)]
struct CellState {
    table: Option<Arc<NameFrequencies>>,
    loaded_at: Option<Instant>,
    /// A load is running (or last began at); another is not started meanwhile.
    loading_since: Option<Instant>,
}

/// How long a load may take before another one may start.
const LOAD_STALE: Duration = Duration::from_secs(600);

impl FrequencyCell {
    /// The table now in use, if any.
    pub fn current(&self) -> Option<Arc<NameFrequencies>> {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .table
            .clone()
    }

    /// Installs a table (a finished load, or one built offline by `match-eval`).
    pub fn set(&self, table: NameFrequencies) {
        let mut s = self.state.write().unwrap_or_else(|p| p.into_inner());
        s.table = Some(Arc::new(table));
        s.loaded_at = Some(Instant::now());
        s.loading_since = None;
    }

    /// Whether a load should start now: none is running and the table is missing or
    /// older than `refresh`. Claims the load when it says yes.
    pub fn claim_load(&self, refresh: Duration) -> bool {
        let due = |s: &CellState, now: Instant| {
            s.loading_since
                .is_none_or(|t| now.duration_since(t) >= LOAD_STALE)
                && s.loaded_at.is_none_or(|t| now.duration_since(t) >= refresh)
        };
        // Asked on every request: a read lock answers "not due" without contention.
        if !due(
            &self.state.read().unwrap_or_else(|p| p.into_inner()),
            Instant::now(),
        ) {
            return false;
        }
        let mut s = self.state.write().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let claimed = due(&s, now);
        if claimed {
            s.loading_since = Some(now);
        }
        claimed
    }

    /// A load failed: the next request may try again after `retry`.
    pub fn load_failed(&self, retry: Duration) {
        let mut s = self.state.write().unwrap_or_else(|p| p.into_inner());
        s.loading_since = Instant::now()
            .checked_sub(LOAD_STALE.saturating_sub(retry))
            .or(Some(Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str) -> NameKeys {
        NameKeys::new(s, &[])
    }

    #[test]
    fn known_names_and_shares() {
        let mut f = NameFrequencies::new(1000);
        f.add(Attribute::FamilyName, "Lundgren", 12, &[]);
        f.add(Attribute::BirthName, "Müller", 3, &[]);
        f.add(Attribute::GivenName, "Anna Maria", 5, &[]);
        f.add(Attribute::GivenName, "Jan", 40, &[]);
        f.add(Attribute::PlaceOfBirth, "Berlin", 7, &[]);
        assert!(f.known(Attribute::FamilyName, &keys("LUNDGREN")));
        assert!(!f.known(Attribute::FamilyName, &keys("Lindgren")));
        // Birth names are family names; any spelling convention counts.
        assert!(f.known(Attribute::FamilyName, &keys("Mueller")));
        // Tokens of given names.
        assert!(f.known(Attribute::GivenName, &keys("Maria")));
        assert!(f.known(Attribute::GivenName, &keys("Maria Anna")));
        assert!(!f.known(Attribute::GivenName, &keys("Jana")));
        assert!(!f.known(Attribute::GivenName, &keys("Lundgren")));
        assert!(!f.known(Attribute::PlaceOfBirth, &keys("Berlin")));
        assert_eq!(f.share(Attribute::GivenName, &keys("Jan")), Some(0.04));
        assert_eq!(f.share(Attribute::GivenName, &keys("Nobody")), Some(0.001));
        assert_eq!(f.population(), 1000);
        assert!(!f.holds_native_scripts());
        f.add(Attribute::FamilyName, "Παπαδόπουλος", 1, &[]);
        assert!(f.holds_native_scripts());
    }

    #[test]
    fn one_load_at_a_time_and_refreshes() {
        let cell = FrequencyCell::default();
        assert!(cell.current().is_none());
        assert!(cell.claim_load(Duration::from_secs(3600)));
        assert!(
            !cell.claim_load(Duration::from_secs(3600)),
            "already loading"
        );
        cell.set(NameFrequencies::new(5));
        assert_eq!(cell.current().map(|t| t.population()), Some(5));
        assert!(!cell.claim_load(Duration::from_secs(3600)), "fresh");
        assert!(cell.claim_load(Duration::ZERO), "due");
        cell.load_failed(Duration::ZERO);
        assert!(
            cell.claim_load(Duration::ZERO),
            "a failed load may be retried"
        );
    }
}
