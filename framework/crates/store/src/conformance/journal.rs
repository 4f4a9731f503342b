//! The journal contracts: the chain walked with the verifier, concurrent decisions, and
//! a journal sealed with changing keys, checkpointed and purged.
// A contract is a test: a failed expectation panics, with what differed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::{decision, t};
use crate::journal::{CheckpointOutcome, Verifier};
use crate::{Checkpoint, Claim, JournalError, JournalKey, KeyRing, Store};

/// Walks the whole journal with the verifier: how many records it checked, or why not.
pub(super) async fn verify(store: &dyn Store) -> Result<u64, String> {
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

/// Concurrent decisions from several workers keep one unbroken chain.
pub(super) async fn concurrent_journal(store: Arc<dyn Store>) {
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
pub(super) async fn keyed_journal<F, Fut>(open: F)
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
