//! Time and identifiers, injectable so tests and `oots-adapter test` produce byte-stable
//! output (fixed clock, sequential UUIDs).

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant (UTC).
    fn now(&self) -> DateTime<Utc>;
}

/// Source of fresh UUIDs.
pub trait IdSource: Send + Sync + std::fmt::Debug {
    /// A fresh UUID, unique within this source.
    fn uuid(&self) -> Uuid;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Random (v4) UUIDs.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn uuid(&self) -> Uuid {
        Uuid::new_v4()
    }
}

/// `00000000-0000-4000-8000-000000000001`, `…002`, … in order.
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl IdSource for SequentialIds {
    fn uuid(&self) -> Uuid {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
    }
}

/// The xsd:dateTime form used in EDM messages (`2026-08-06T10:00:00.000Z`).
pub fn edm_timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ids_are_valid_v4_shaped_and_ordered() {
        let ids = SequentialIds::default();
        assert_eq!(
            ids.uuid().to_string(),
            "00000000-0000-4000-8000-000000000001"
        );
        assert_eq!(
            ids.uuid().to_string(),
            "00000000-0000-4000-8000-000000000002"
        );
    }
}
