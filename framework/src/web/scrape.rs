//! What `/metrics` reads from the state store. A scrape must answer fast even when the
//! store does not: the store gets a short budget, only one read runs at a time, and when
//! it does not answer the scrape shows `oots_store_up 0` with the last counts read and
//! their age, instead of waiting for the store's own timeouts and dropping the gauges.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::metrics::{Metrics, StoreReading};
use crate::store::Exchanges;

/// How long a scrape waits for the store's counts.
pub(super) const STORE_BUDGET: Duration = Duration::from_millis(1_000);

/// The last counts read and whether the last read succeeded.
#[derive(Debug, Default)]
struct Known {
    counts: Vec<(String, i64)>,
    read_at: Option<Instant>,
    up: bool,
}

/// The store's part of the scrapes of one `serve`.
#[derive(Debug, Default)]
pub(super) struct StoreScrape {
    known: Mutex<Known>,
    /// Held by the scrape reading the store; others show what is known meanwhile.
    reading: tokio::sync::Mutex<()>,
}

impl StoreScrape {
    /// The text of one scrape: `metrics` with the store's gauges.
    pub(super) async fn render(&self, store: &dyn Exchanges, metrics: &Metrics) -> String {
        if let Ok(_reading) = self.reading.try_lock() {
            let read = tokio::time::timeout(STORE_BUDGET, store.exchange_counts()).await;
            let mut known = self.known();
            match read {
                Ok(Ok(counts)) => {
                    known.counts = counts
                        .into_iter()
                        .map(|(s, n)| (s.as_str().to_owned(), n))
                        .collect();
                    known.read_at = Some(Instant::now());
                    known.up = true;
                }
                Ok(Err(e)) => {
                    tracing::warn!(code = e.code(), "metrics: the state store cannot be read");
                    known.up = false;
                }
                Err(_) => {
                    tracing::warn!(
                        budget_ms = STORE_BUDGET.as_millis() as u64,
                        "metrics: the state store did not answer in time"
                    );
                    known.up = false;
                }
            }
        }
        let known = self.known();
        metrics.render(StoreReading {
            up: known.up,
            counts: &known.counts,
            age_seconds: known.read_at.map(|t| t.elapsed().as_secs_f64()),
        })
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        // Plain data: a panic elsewhere cannot leave it half-written.
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}
