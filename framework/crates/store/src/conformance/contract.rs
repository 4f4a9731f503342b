//! The first contract: one store taken through every concern step by step (exchanges,
//! request ids, the journal, retention), each step from what the ones before it left.
// A contract is a test: a failed expectation panics, with what differed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use super::journal::verify;
use super::{decision, t};
use crate::{Claim, ExchangeState, Exchanges, RequestIds, Store};

/// The whole contract on one store, step by step: each step starts from what the ones
/// before it left.
pub(super) async fn contract(store: Arc<dyn Store>) {
    let s = store.as_ref();
    inbound_is_stored_once(s).await;
    only_the_lease_holder_decides(s).await;
    failed_sends_come_back_when_due(s).await;
    sent_answers_drop_their_contents(s).await;
    held_follow_ups_come_back(s).await;
    counts_by_state(s).await;
    request_ids_are_used_once(s).await;
    journal_chains_the_decisions(s).await;
    purge_keeps_the_chain_verifiable(s).await;
    subject_key_and_readiness(s).await;
}

/// A received message is stored once; a redelivery is recognised.
async fn inbound_is_stored_once(s: &dyn Exchanges) {
    // Stored once; a redelivery is recognised.
    assert!(
        s.store_inbound("m1", "<h1/>", b"<r1/>", t(0))
            .await
            .unwrap()
    );
    assert!(
        !s.store_inbound("m1", "<h1/>", b"<r1/>", t(1))
            .await
            .unwrap()
    );
    assert_eq!(
        s.state_of("m1").await.unwrap(),
        Some(ExchangeState::Received)
    );
    assert_eq!(
        s.claim("nope", "a", t(60), t(0)).await.unwrap(),
        Claim::Unknown
    );
}

/// Leases: the holder may renew and alone decides, once; another worker takes over an expired lease.
async fn only_the_lease_holder_decides(s: &dyn Exchanges) {
    // Leases: the holder may renew, others are busy until it expires.
    let Claim::Decide {
        header,
        regrep,
        state,
    } = s.claim("m1", "a", t(60), t(0)).await.unwrap()
    else {
        panic!("expected a decision to make");
    };
    assert_eq!(
        (header.as_str(), regrep.as_slice(), state),
        ("<h1/>", b"<r1/>".as_slice(), ExchangeState::Received)
    );
    assert_eq!(s.claim("m1", "b", t(60), t(10)).await.unwrap(), Claim::Busy);
    assert!(matches!(
        s.claim("m1", "a", t(70), t(10)).await.unwrap(),
        Claim::Decide { .. }
    ));
    // Nobody else may decide while "a" holds it.
    assert!(
        !s.decide("m1", "b", &decision("x", r#"{"kind":"decision"}"#), t(11))
            .await
            .unwrap()
    );
    // After expiry "b" takes over, and "a" can no longer decide.
    assert!(matches!(
        s.claim("m1", "b", t(200), t(71)).await.unwrap(),
        Claim::Decide { .. }
    ));
    assert!(
        !s.decide("m1", "a", &decision("x", r#"{"kind":"decision"}"#), t(72))
            .await
            .unwrap()
    );
    assert!(
        s.decide(
            "m1",
            "b",
            &decision("ans-1", r#"{"kind":"decision","n":1}"#),
            t(72)
        )
        .await
        .unwrap()
    );
    assert_eq!(
        s.state_of("m1").await.unwrap(),
        Some(ExchangeState::Decided)
    );
    assert_eq!(s.answer_of("m1").await.unwrap().as_deref(), Some("ans-1"));
    assert_eq!(
        s.audit_of("m1").await.unwrap().as_deref(),
        Some(r#"{"kind":"decision","n":1}"#)
    );
    // A second decision is refused: the outbox holds the first.
    assert!(
        !s.decide("m1", "b", &decision("ans-2", "{}"), t(73))
            .await
            .unwrap()
    );
}

/// A failed send gives the lease back and comes back when its next attempt is due.
async fn failed_sends_come_back_when_due(s: &dyn Exchanges) {
    // A failed send gives the lease back and sets the next attempt.
    s.defer("m1", "b", t(100), "gateway.unreachable")
        .await
        .unwrap();
    assert!(
        s.due("c", t(300), t(90), 10).await.unwrap().is_empty(),
        "not due before the next attempt"
    );
    assert_eq!(
        s.due("c", t(300), t(100), 10).await.unwrap(),
        vec!["m1".to_owned()]
    );
    let Claim::Send(entry) = s.claim("m1", "c", t(300), t(101)).await.unwrap() else {
        panic!("expected the outbox entry");
    };
    assert_eq!(entry.answer_id, "ans-1");
    assert_eq!(entry.message, b"outbound ans-1");
    assert_eq!(entry.attempts, 1);
    let recent = s.recent_exchanges(10).await.unwrap();
    assert_eq!(recent[0].last_error.as_deref(), Some("gateway.unreachable"));
    assert_eq!(recent[0].attempts, 1);
}

/// Sent and acknowledged: the request and the answer's contents are dropped.
async fn sent_answers_drop_their_contents(s: &dyn Exchanges) {
    // Sent: the request and the answer's contents are dropped.
    s.mark_answered("m1", false, t(102)).await.unwrap();
    assert_eq!(
        s.state_of("m1").await.unwrap(),
        Some(ExchangeState::Answered)
    );
    assert!(s.unanswered("m1").await.unwrap().is_none());
    assert_eq!(
        s.claim("m1", "d", t(400), t(103)).await.unwrap(),
        Claim::Answered("ans-1".into())
    );
    assert!(s.acknowledge_answer("ans-1", t(104)).await.unwrap());
    assert!(!s.acknowledge_answer("unknown", t(104)).await.unwrap());
    assert_eq!(
        s.state_of("m1").await.unwrap(),
        Some(ExchangeState::Acknowledged)
    );
}

/// Held follow-ups wait unleased and come back with the sweep.
async fn held_follow_ups_come_back(s: &dyn Exchanges) {
    // Held follow-ups wait unleased and come back with the sweep.
    assert!(
        s.store_inbound("m2", "<h2/>", b"<r2/>", t(110))
            .await
            .unwrap()
    );
    assert!(matches!(
        s.claim("m2", "a", t(400), t(110)).await.unwrap(),
        Claim::Decide { .. }
    ));
    s.hold("m2", "a").await.unwrap();
    assert_eq!(
        s.state_of("m2").await.unwrap(),
        Some(ExchangeState::AwaitingPreview)
    );
    assert_eq!(
        s.due("b", t(500), t(111), 10).await.unwrap(),
        vec!["m2".to_owned()]
    );
    let Claim::Decide { state, .. } = s.claim("m2", "b", t(500), t(112)).await.unwrap() else {
        panic!("expected the held request");
    };
    assert_eq!(state, ExchangeState::AwaitingPreview);
    assert!(
        s.decide(
            "m2",
            "b",
            &decision("ans-m2", r#"{"kind":"decision","n":2}"#),
            t(113)
        )
        .await
        .unwrap()
    );
    // Delivered on submit (AS4 receipt).
    s.mark_answered("m2", true, t(114)).await.unwrap();
    assert_eq!(
        s.state_of("m2").await.unwrap(),
        Some(ExchangeState::Acknowledged)
    );
}

/// Exchanges are counted by state.
async fn counts_by_state(s: &dyn Exchanges) {
    // Counts by state.
    assert!(
        s.store_inbound("m3", "<h3/>", b"<r3/>", t(120))
            .await
            .unwrap()
    );
    let counts = s.exchange_counts().await.unwrap();
    assert!(
        counts.contains(&(ExchangeState::Acknowledged, 2)),
        "{counts:?}"
    );
    assert!(counts.contains(&(ExchangeState::Received, 1)), "{counts:?}");
}

/// Request ids are used once, except again by the message that claimed them.
async fn request_ids_are_used_once(s: &dyn RequestIds) {
    // Request ids: once, except for the message that claimed it.
    assert!(
        s.claim_request_id("urn:uuid:AA", Some("m3"), t(120))
            .await
            .unwrap()
    );
    assert!(
        !s.claim_request_id("urn:uuid:aa", Some("m4"), t(121))
            .await
            .unwrap()
    );
    assert!(
        s.claim_request_id("urn:uuid:aa", Some("m3"), t(121))
            .await
            .unwrap()
    );
}

/// The journal chains the decisions; an extra record joins the chain.
async fn journal_chains_the_decisions(s: &dyn Store) {
    // The journal chains the two decisions; an extra record joins the chain.
    assert_eq!(
        s.append_journal(r#"{"kind":"note"}"#, t(130))
            .await
            .unwrap(),
        3
    );
    assert_eq!(verify(s).await, Ok(3));
}

/// Retention: old records and finished exchanges go, a purge record vouches for the rest.
async fn purge_keeps_the_chain_verifiable(s: &dyn Store) {
    // Retention: records before t(120) go, a purge record vouches for the rest.
    let report = s.purge(t(120), t(200)).await.unwrap();
    assert_eq!(report.journal_entries, 2);
    assert_eq!(
        report.exchanges, 2,
        "m1 and m2 were answered before the cut"
    );
    assert_eq!(report.request_ids, 0);
    assert_eq!(report.purge_record, Some(4));
    assert_eq!(s.state_of("m1").await.unwrap(), None);
    assert_eq!(
        s.state_of("m3").await.unwrap(),
        Some(ExchangeState::Received),
        "unanswered messages are never purged"
    );
    assert_eq!(verify(s).await, Ok(2));
}

/// The subject key is made once and shared; the store answers readiness.
async fn subject_key_and_readiness(s: &dyn Store) {
    // The subject key is made once and shared.
    let k1 = s.subject_key(b"first-key").await.unwrap();
    let k2 = s.subject_key(b"other-key").await.unwrap();
    assert_eq!(
        (k1.as_slice(), k2.as_slice()),
        (b"first-key".as_slice(), b"first-key".as_slice())
    );
    s.ping().await.unwrap();
}
