//! Trying an operation again after a failure that may pass (a registry or a gateway down
//! for a moment), with a pause that doubles each time: the one back-off of the registry
//! lookup and of the gateway submit. Each caller keeps its own rule for when to stop (a
//! time budget, a number of attempts).
//!
//! The preview sessions' compare-and-set is another kind of retry (at once, on what
//! another writer saved, never on a failure): `preview::store`.

use std::time::{Duration, Instant};

/// Where one attempt stands, for the rule that decides whether to try again.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When the first attempt started.
    pub first_started: Instant,
    /// When this attempt started.
    pub started: Instant,
    /// The pause before the next attempt, if there is one.
    pub pause: Duration,
}

/// Runs `op` until it succeeds or `again` finds its failure final, pausing `first_pause`
/// before the second attempt and twice as long before each further one.
///
/// `op` returns a future rather than being an async closure: the future of an
/// `AsyncFnMut` borrows the closure, and a spawned task holding it cannot be proven `Send`.
pub async fn with_backoff<T, E, F: Future<Output = Result<T, E>>>(
    first_pause: Duration,
    mut op: impl FnMut(Attempt) -> F,
    mut again: impl FnMut(&E, &Attempt) -> bool,
) -> Result<T, E> {
    let first_started = Instant::now();
    let mut attempt = Attempt {
        number: 1,
        first_started,
        started: first_started,
        pause: first_pause,
    };
    loop {
        attempt.started = Instant::now();
        match op(attempt).await {
            Err(e) if again(&e, &attempt) => {
                tokio::time::sleep(attempt.pause).await;
                attempt.pause *= 2;
                attempt.number += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pauses_double_until_the_rule_stops() {
        let mut seen = Vec::new();
        let result: Result<(), u32> = with_backoff(
            Duration::from_millis(1),
            |a: Attempt| async move { Err(a.number) },
            |_, a| {
                seen.push(a.pause);
                a.number < 3
            },
        )
        .await;
        assert_eq!(result, Err(3));
        assert_eq!(seen, [1, 2, 4].map(Duration::from_millis).to_vec());
    }
}
