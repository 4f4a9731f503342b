//! The state store's contract, as one call a backend's test makes ([`check`]): every
//! backend must pass it unchanged (`framework/tests/store_conformance.rs` runs it on
//! SQLite and PostgreSQL). Compiled with the `test-support` feature only. One module
//! per group of checks; the store's parts each have theirs.
// A contract is a test: a failed expectation panics, with what differed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod contract;
mod exchanges;
mod journal;
mod preview;

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::{Decision, JournalKey, Store};
use contract::contract;
use exchanges::{
    disjoint_sweeps, inbound_content_is_kept_once, sealed_and_failed,
    store_and_claim_and_deliveries,
};
use journal::{concurrent_journal, keyed_journal};
use preview::preview_sessions;

/// `s` seconds after a fixed instant.
fn t(s: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::seconds(s)
}

/// A decision answering with `answer`, with `audit` as its record.
fn decision(answer: &str, audit: &str) -> Decision {
    Decision {
        answer_id: answer.into(),
        message: format!("outbound {answer}").into_bytes(),
        action: "ExecuteQueryResponse".into(),
        code: None,
        generation: "g1".into(),
        audit: audit.into(),
    }
}

/// Runs the whole contract. `open(name, key)` opens the store called `name` (a file, a
/// schema: the first time empty, the next times with what was written) with `key` as its
/// journal key; different names are independent stores.
pub async fn check<F, Fut>(open: F)
where
    F: Fn(&'static str, Option<Arc<JournalKey>>) -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    contract(open("a", None).await).await;
    disjoint_sweeps(open("b", None).await).await;
    concurrent_journal(open("c", None).await).await;
    store_and_claim_and_deliveries(open("d", None).await).await;
    sealed_and_failed(open("e", None).await).await;
    inbound_content_is_kept_once(open("f", None).await).await;
    preview_sessions(open("g", None).await.as_ref()).await;
    keyed_journal(|key| open("k", key)).await;
}
