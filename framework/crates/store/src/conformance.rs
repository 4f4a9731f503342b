//! The state store's contract, as one call a backend's test makes ([`check`]): every
//! backend must pass it unchanged (`framework/tests/store_conformance.rs` runs it on
//! SQLite and PostgreSQL). Compiled with the `test-support` feature only.
// A contract is a test: a failed expectation panics, with what differed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::future::Future;
use std::sync::Arc;

use crate::journal::{CheckpointOutcome, Verifier};
use crate::{
    Checkpoint, Claim, Decision, ExchangeState, Inbound, JournalError, JournalKey, KeyRing,
    SealedMessage, Store,
};
use chrono::{DateTime, Duration, Utc};

fn t(s: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::seconds(s)
}

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

async fn verify(store: &dyn Store) -> Result<u64, String> {
    let mut v = Verifier::new();
    let mut after = 0;
    loop {
        let page = store.journal(after, 7).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            v.push(e).map_err(|e| e.to_string())?;
        }
    }
    v.finish().map(|v| v.records).map_err(|e| e.to_string())
}

/// The whole contract, on a fresh store.
async fn contract(store: Arc<dyn Store>) {
    let s = store.as_ref();
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

    // The journal chains the two decisions; an extra record joins the chain.
    assert_eq!(
        s.append_journal(r#"{"kind":"note"}"#, t(130))
            .await
            .unwrap(),
        3
    );
    assert_eq!(verify(s).await, Ok(3));

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

    // The subject key is made once and shared.
    let k1 = s.subject_key(b"first-key").await.unwrap();
    let k2 = s.subject_key(b"other-key").await.unwrap();
    assert_eq!(
        (k1.as_slice(), k2.as_slice()),
        (b"first-key".as_slice(), b"first-key".as_slice())
    );
    s.ping().await.unwrap();
}

/// A pushed message is stored with its lease in one step; deliveries are recorded in
/// batches, also when the delivery is reported before the answer is marked sent.
async fn store_and_claim_and_deliveries(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let Claim::Decide {
        header,
        regrep,
        state,
    } = s
        .store_and_claim("n1", "<h/>", b"<r/>", "a", t(60), t(0))
        .await
        .unwrap()
    else {
        panic!("a new message is to be decided");
    };
    assert_eq!(
        (header.as_str(), regrep.as_slice(), state),
        ("<h/>", b"<r/>".as_slice(), ExchangeState::Received)
    );
    assert_eq!(
        s.state_of("n1").await.unwrap(),
        Some(ExchangeState::Received)
    );
    // Stored before, leased by "a": another worker is told it is busy, and its copy
    // does not replace the stored one.
    assert_eq!(
        s.store_and_claim("n1", "<other/>", b"<other/>", "b", t(60), t(10))
            .await
            .unwrap(),
        Claim::Busy
    );
    assert!(
        !s.decide("n1", "b", &decision("x", "{}"), t(11))
            .await
            .unwrap()
    );
    let Claim::Decide { header, .. } = s
        .store_and_claim("n1", "<other/>", b"<other/>", "a", t(70), t(12))
        .await
        .unwrap()
    else {
        panic!("the holder renews its lease");
    };
    assert_eq!(header, "<h/>");
    assert!(
        s.decide(
            "n1",
            "a",
            &decision("ans-n1", r#"{"kind":"decision"}"#),
            t(13)
        )
        .await
        .unwrap()
    );
    s.mark_answered("n1", false, t(14)).await.unwrap();
    assert_eq!(
        s.store_and_claim("n1", "<h/>", b"<r/>", "c", t(90), t(15))
            .await
            .unwrap(),
        Claim::Answered("ans-n1".into())
    );

    // n2's delivery is reported before its answer is marked sent: it stays delivered.
    s.store_and_claim("n2", "<h/>", b"<r/>", "a", t(60), t(20))
        .await
        .unwrap();
    assert!(
        s.decide(
            "n2",
            "a",
            &decision("ans-n2", r#"{"kind":"decision"}"#),
            t(21)
        )
        .await
        .unwrap()
    );
    let ids = ["ans-n1", "ans-n2", "not-ours"].map(str::to_owned);
    assert_eq!(s.acknowledge_answers(&ids, t(22)).await.unwrap(), 2);
    s.mark_answered("n2", false, t(23)).await.unwrap();
    for m in ["n1", "n2"] {
        assert_eq!(
            s.state_of(m).await.unwrap(),
            Some(ExchangeState::Acknowledged),
            "{m}"
        );
    }
    assert_eq!(s.acknowledge_answers(&ids, t(24)).await.unwrap(), 0);
}

/// Replicas asking for work at the same time get disjoint messages.
async fn disjoint_sweeps(store: Arc<dyn Store>) {
    for i in 0..200 {
        store
            .store_inbound(&format!("d{i:03}"), "<h/>", b"<r/>", t(i))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = s
                    .due(&format!("w{w}"), t(10_000), t(1_000), 7)
                    .await
                    .unwrap();
                if got.is_empty() {
                    break mine;
                }
                mine.extend(got);
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(
        (n, all.len()),
        (200, 200),
        "every message leased exactly once"
    );
}

/// Concurrent decisions from several workers keep one unbroken chain.
async fn concurrent_journal(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let id = format!("j{i}");
            s.store_inbound(&id, "<h/>", b"<r/>", t(i)).await.unwrap();
            assert!(matches!(
                s.claim(&id, "w", t(9_999), t(i)).await.unwrap(),
                Claim::Decide { .. }
            ));
            assert!(
                s.decide(
                    &id,
                    "w",
                    &decision(
                        &format!("a{i}"),
                        &format!(r#"{{"kind":"decision","i":{i}}}"#)
                    ),
                    t(i)
                )
                .await
                .unwrap()
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(verify(store.as_ref()).await, Ok(40));
}

fn key(id: &str) -> Arc<JournalKey> {
    Arc::new(JournalKey::new(id, &format!("{id}-secret-0123456789abcdef0123456789")).unwrap())
}

/// Walks the journal with `keys` (and a kept checkpoint).
async fn verify_keyed(
    store: &dyn Store,
    keys: &[&JournalKey],
    checkpoint: Option<Checkpoint>,
) -> Result<Verifier, JournalError> {
    let mut ring = KeyRing::new();
    for k in keys {
        ring.add(k);
    }
    let mut v = Verifier::with_keys(ring);
    if let Some(cp) = checkpoint {
        v.expect(cp)?;
    }
    let mut after = 0;
    loop {
        let page = store.journal(after, 3).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            v.push(e)?;
        }
    }
    v.finish()
}

async fn decide_one(s: &dyn Store, id: &str, at: DateTime<Utc>) {
    s.store_inbound(id, "<h/>", b"<r/>", at).await.unwrap();
    assert!(matches!(
        s.claim(id, "w", at + Duration::seconds(600), at)
            .await
            .unwrap(),
        Claim::Decide { .. }
    ));
    let audit = format!(r#"{{"kind":"decision","message_id":"{id}"}}"#);
    assert!(
        s.decide(id, "w", &decision(&format!("a-{id}"), &audit), at)
            .await
            .unwrap()
    );
}

/// A journal written unkeyed, then sealed with k1, then with k2 (each switch a record),
/// checkpointed and purged: it verifies with both keys, names the missing one, and a
/// kept checkpoint catches the newest records removed.
async fn keyed_journal<F, Fut>(open: F)
where
    F: Fn(Option<Arc<JournalKey>>) -> Fut,
    Fut: std::future::Future<Output = Arc<dyn Store>>,
{
    let (k1, k2) = (key("k1"), key("k2"));
    let s0 = open(None).await;
    assert!(!s0.seals_journal());
    s0.append_journal(r#"{"kind":"note","n":1}"#, t(0))
        .await
        .unwrap();
    s0.append_journal(r#"{"kind":"note","n":2}"#, t(1))
        .await
        .unwrap();
    assert!(s0.checkpoint(t(2)).await.is_err(), "no key, no checkpoint");
    drop(s0);

    let s1 = open(Some(k1.clone())).await;
    assert!(s1.seals_journal());
    decide_one(s1.as_ref(), "x1", t(10)).await;
    let v = verify_keyed(s1.as_ref(), &[&k1], None).await.unwrap();
    // The switch to the key is a record of its own, sealed like the decision.
    assert_eq!((v.records, v.unsealed), (4, 2));
    assert_eq!(v.kinds["audit-key"], 1);
    assert_eq!(v.head_key.as_deref(), Some("k1"));
    let cp = s1.checkpoint(t(20)).await.unwrap().unwrap();
    assert_eq!((cp.seq, cp.key_id.as_str()), (4, "k1"));
    assert!(cp.verify(&k1.public_key()));
    let v = verify_keyed(s1.as_ref(), &[&k1], Some(cp.clone()))
        .await
        .unwrap();
    assert_eq!(v.checkpoint, Some(CheckpointOutcome::Matched));
    assert_eq!(v.kinds["checkpoint"], 1);
    drop(s1);

    let s2 = open(Some(k2.clone())).await;
    decide_one(s2.as_ref(), "x2", t(30)).await;
    s2.append_journal(r#"{"kind":"note","n":3}"#, t(31))
        .await
        .unwrap();
    let v = verify_keyed(s2.as_ref(), &[&k1, &k2], Some(cp.clone()))
        .await
        .unwrap();
    assert_eq!(
        v.records, 8,
        "2 notes, k1 switch, x1, checkpoint, k2 switch, x2, note"
    );
    assert_eq!(
        verify_keyed(s2.as_ref(), &[&k2], None).await.err(),
        Some(JournalError::UnknownKey {
            seq: 3,
            key_id: "k1".into()
        }),
        "the retired key is needed for the records it sealed"
    );
    let late = s2.checkpoint(t(40)).await.unwrap().unwrap();
    assert_eq!((late.seq, late.key_id.as_str()), (8, "k2"));

    // Retention: the purge record (sealed with k2) vouches for what is kept.
    let report = s2.purge(t(25), t(50)).await.unwrap();
    assert_eq!(report.journal_entries, 5);
    let v = verify_keyed(s2.as_ref(), &[&k1, &k2], Some(late.clone()))
        .await
        .unwrap();
    assert_eq!(v.first, Some(6));
    assert_eq!(v.checkpoint, Some(CheckpointOutcome::Matched));
    // Nothing k1 sealed is left: k1 is no longer needed.
    assert!(verify_keyed(s2.as_ref(), &[&k2], None).await.is_ok());
    // The first checkpoint's records are gone with the purge: nothing to compare.
    let v = verify_keyed(s2.as_ref(), &[&k1, &k2], Some(cp))
        .await
        .unwrap();
    assert_eq!(v.checkpoint, Some(CheckpointOutcome::Purged));
}

fn sealed(body: &str) -> SealedMessage {
    SealedMessage {
        content_type: "multipart/related; boundary=\"b\"".into(),
        body: body.as_bytes().to_vec(),
        references: "[]".into(),
    }
}

/// Sealed bytes of outgoing messages: the first kept wins, they stay while an exchange
/// may still send them and go once it is answered; a send given up for good is
/// `Failed`, never due again, and shows as such.
async fn sealed_and_failed(store: Arc<dyn Store>) {
    let s = store.as_ref();
    assert_eq!(s.sealed("a1").await.unwrap(), None);
    assert_eq!(
        s.keep_sealed("a1", &sealed("first"), t(0)).await.unwrap(),
        sealed("first")
    );
    // A second sealing (another replica, a run after a restart) gets the first bytes.
    assert_eq!(
        s.keep_sealed("a1", &sealed("second"), t(1)).await.unwrap(),
        sealed("first")
    );
    assert_eq!(s.sealed("a1").await.unwrap(), Some(sealed("first")));

    // m1's answer a1 fails for good.
    s.store_inbound("m1", "<h/>", b"<r/>", t(0)).await.unwrap();
    s.claim("m1", "w", t(600), t(0)).await.unwrap();
    assert!(
        s.decide("m1", "w", &decision("a1", "{}"), t(1))
            .await
            .unwrap()
    );
    s.defer("m1", "w", t(2), "gateway.http").await.unwrap();
    assert!(matches!(
        s.claim("m1", "w", t(600), t(3)).await.unwrap(),
        Claim::Send(e) if e.attempts == 1
    ));
    // Not by a worker without the lease.
    s.fail("m1", "other", "EBMS:0301").await.unwrap();
    assert_eq!(
        s.state_of("m1").await.unwrap(),
        Some(ExchangeState::Decided)
    );
    s.fail("m1", "w", "EBMS:0301").await.unwrap();
    assert_eq!(s.state_of("m1").await.unwrap(), Some(ExchangeState::Failed));
    assert!(s.due("w2", t(900), t(9_000), 10).await.unwrap().is_empty());
    assert_eq!(
        s.claim("m1", "w2", t(900), t(9_000)).await.unwrap(),
        Claim::Failed("a1".into())
    );
    let counts = s.exchange_counts().await.unwrap();
    assert!(counts.contains(&(ExchangeState::Failed, 1)), "{counts:?}");
    let recent = s.recent_exchanges(10).await.unwrap();
    assert_eq!(recent[0].state, ExchangeState::Failed);
    assert_eq!(recent[0].attempts, 2);
    assert_eq!(recent[0].last_error.as_deref(), Some("EBMS:0301"));
    // Nothing lost: the sealed bytes stay for the operator.
    assert_eq!(s.sealed("a1").await.unwrap(), Some(sealed("first")));

    // m2's answer a2 is delivered: its sealed bytes go.
    s.store_inbound("m2", "<h/>", b"<r/>", t(10)).await.unwrap();
    s.claim("m2", "w", t(600), t(10)).await.unwrap();
    assert!(
        s.decide("m2", "w", &decision("a2", "{}"), t(11))
            .await
            .unwrap()
    );
    s.keep_sealed("a2", &sealed("two"), t(11)).await.unwrap();
    s.mark_answered("m2", true, t(12)).await.unwrap();
    assert_eq!(s.sealed("a2").await.unwrap(), None);

    // m3's answer a3 still waits in the outbox: the purge keeps its sealed bytes; a
    // request we sent (no exchange) and the failed exchange's go with the purge.
    s.store_inbound("m3", "<h/>", b"<r/>", t(20)).await.unwrap();
    s.claim("m3", "w", t(600), t(20)).await.unwrap();
    assert!(
        s.decide("m3", "w", &decision("a3", "{}"), t(21))
            .await
            .unwrap()
    );
    s.keep_sealed("a3", &sealed("three"), t(21)).await.unwrap();
    s.keep_sealed("request-1", &sealed("request"), t(21))
        .await
        .unwrap();
    s.purge(t(100_000), t(100_000)).await.unwrap();
    assert_eq!(s.sealed("a3").await.unwrap(), Some(sealed("three")));
    assert_eq!(s.sealed("request-1").await.unwrap(), None);
    assert_eq!(s.sealed("a1").await.unwrap(), None);
    assert_eq!(s.state_of("m1").await.unwrap(), None);
}

/// A MessageId stored with its content digest: the same content again is a resend,
/// another content a conflict that leaves the stored message as it was.
async fn inbound_content_is_kept_once(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let once = |id: &'static str, digest: &'static str, regrep: &'static [u8]| {
        s.store_inbound_once(id, digest, "<h/>", regrep, t(0))
    };
    assert_eq!(once("m1", "d1", b"<r1/>").await.unwrap(), Inbound::Stored);
    assert_eq!(once("m1", "d1", b"<r1/>").await.unwrap(), Inbound::Resent);
    assert_eq!(once("m1", "d2", b"<r2/>").await.unwrap(), Inbound::Conflict);
    assert_eq!(
        s.unanswered("m1").await.unwrap(),
        Some(("<h/>".to_owned(), b"<r1/>".to_vec()))
    );
    // Stored without a digest (the Domibus path, an earlier version): the first resend
    // gives it one.
    assert!(s.store_inbound("m2", "<h/>", b"<r1/>", t(0)).await.unwrap());
    assert_eq!(once("m2", "d1", b"<r1/>").await.unwrap(), Inbound::Resent);
    assert_eq!(once("m2", "d2", b"<r2/>").await.unwrap(), Inbound::Conflict);
    assert_eq!(
        s.unanswered("m2").await.unwrap(),
        Some(("<h/>".to_owned(), b"<r1/>".to_vec()))
    );
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
    keyed_journal(|key| open("k", key)).await;
}
