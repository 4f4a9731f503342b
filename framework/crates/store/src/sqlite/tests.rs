//! Unit tests of the SQLite store: what only SQLite does (reopening a file).

use super::*;
use crate::{
    Claim, Decision, Exchanges, PreviewDoc, PreviewLink, PreviewSessions, RequestIds, Revision,
    Swap,
};

#[tokio::test]
async fn request_ids_are_claimed_once_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/adapter.db");
    let now = Utc::now();
    {
        let s = SqliteStore::open(&path).await.unwrap();
        assert!(
            s.claim_request_id("urn:uuid:AB", Some("m1"), now)
                .await
                .unwrap()
        );
        assert!(!s.claim_request_id("urn:uuid:ab", None, now).await.unwrap());
    }
    let s = SqliteStore::open(&path).await.unwrap();
    assert!(
        !s.claim_request_id("urn:uuid:ab", Some("m2"), now)
            .await
            .unwrap()
    );
    // The message that claimed it may be answered again (crash, held follow-up).
    assert!(
        s.claim_request_id("urn:uuid:ab", Some("m1"), now)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn inbound_messages_are_deduplicated_and_answers_remembered() {
    let s = SqliteStore::in_memory().await.unwrap();
    let now = Utc::now();
    let later = now + chrono::Duration::seconds(60);
    assert!(s.store_inbound("m1", "<h/>", b"<x/>", now).await.unwrap());
    assert!(!s.store_inbound("m1", "<h/>", b"<x/>", now).await.unwrap());
    assert_eq!(s.answer_of("m1").await.unwrap(), None);
    let (h, body) = s.unanswered("m1").await.unwrap().unwrap();
    assert_eq!((h.as_str(), body.as_slice()), ("<h/>", b"<x/>".as_slice()));
    assert!(matches!(
        s.claim("m1", "w", later, now).await.unwrap(),
        Claim::Decide { .. }
    ));
    let d = Decision {
        answer_id: "a1".into(),
        message: b"out".to_vec(),
        action: "ExecuteQueryResponse".into(),
        code: None,
        generation: "g1".into(),
        audit: "{}".into(),
    };
    assert!(s.decide("m1", "w", &d, now).await.unwrap());
    s.mark_answered("m1", false, now).await.unwrap();
    assert!(s.unanswered("m1").await.unwrap().is_none());
    assert_eq!(s.answer_of("m1").await.unwrap().as_deref(), Some("a1"));
    let link = PreviewLink {
        token: "t".into(),
        location: "https://x/t".into(),
        request_id: "r".into(),
        evidence_type: "e".into(),
        requester_id: "q".into(),
        created_at: now,
        data: doc(r#"{"held":1}"#),
    };
    s.save_preview(&link).await.unwrap();
    let back = s.find_preview("t").await.unwrap().unwrap();
    assert_eq!(back.request_id, "r");
    assert_eq!(back.data.as_stored(), r#"{"held":1}"#);
    assert!(s.find_preview("nope").await.unwrap().is_none());
    // Compare-and-set on the session state.
    let (state, v) = s.preview_state("t").await.unwrap().unwrap();
    assert_eq!(
        (state.as_stored(), v),
        (r#"{"state":"issued"}"#, Revision::ISSUED)
    );
    let at = Revision::from_stored;
    assert_eq!(
        s.update_preview_state("t", &doc("{}"), at(0))
            .await
            .unwrap(),
        Swap::Saved
    );
    assert_eq!(
        s.update_preview_state("t", &doc("{}"), at(0))
            .await
            .unwrap(),
        Swap::Stale
    );
    // State and data move together, at the expected version only.
    assert_eq!(
        s.update_preview_state_and_data("t", &doc("{}"), &doc(r#"{"held":2}"#), at(0))
            .await
            .unwrap(),
        Swap::Stale
    );
    assert_eq!(
        s.update_preview_state_and_data(
            "t",
            &doc(r#"{"state":"x"}"#),
            &doc(r#"{"held":2}"#),
            at(1)
        )
        .await
        .unwrap(),
        Swap::Saved
    );
    assert_eq!(
        s.find_preview("t").await.unwrap().unwrap().data,
        doc(r#"{"held":2}"#)
    );
    assert_eq!(
        s.preview_state("t").await.unwrap().unwrap(),
        (doc(r#"{"state":"x"}"#), at(2))
    );
    s.forget_preview_data("t").await.unwrap();
    assert_eq!(s.find_preview("t").await.unwrap().unwrap().data, doc("{}"));
    // Once the data is dropped, nothing puts it back.
    assert_eq!(
        s.update_preview_state_and_data("t", &doc("{}"), &doc(r#"{"held":3}"#), at(2))
            .await
            .unwrap(),
        Swap::Stale
    );
    assert_eq!(s.find_preview("t").await.unwrap().unwrap().data, doc("{}"));
}

/// A preview document as the database keeps it.
fn doc(json: &str) -> PreviewDoc {
    PreviewDoc::from_stored(json.to_owned())
}
