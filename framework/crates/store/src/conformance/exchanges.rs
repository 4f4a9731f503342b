//! The exchange contracts that need a store of their own: pushed messages and batched
//! deliveries, disjoint sweeps of replicas, sealed bytes and failed sends, and content
//! digests of resent messages.
// A contract is a test: a failed expectation panics, with what differed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use super::{decision, t};
use crate::{Claim, ExchangeState, Inbound, SealedMessage, Store};

/// A pushed message is stored with its lease in one step; deliveries are recorded in
/// batches, also when the delivery is reported before the answer is marked sent.
pub(super) async fn store_and_claim_and_deliveries(store: Arc<dyn Store>) {
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
pub(super) async fn disjoint_sweeps(store: Arc<dyn Store>) {
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
pub(super) async fn sealed_and_failed(store: Arc<dyn Store>) {
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
pub(super) async fn inbound_content_is_kept_once(store: Arc<dyn Store>) {
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
