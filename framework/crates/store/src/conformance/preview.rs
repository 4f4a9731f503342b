//! The preview contract: a link is kept and found, its session's state moves only by
//! compare-and-set at the revision read, with its held data or alone, and the data once
//! forgotten stays forgotten. Typed documents round-trip through the store unchanged.
// A contract is a test: a failed expectation panics, with what differed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::t;
use crate::{PreviewDoc, PreviewDocs, PreviewLink, PreviewSessions, Revision, Swap};

/// A preview document as the database keeps it.
fn doc(json: &str) -> PreviewDoc {
    PreviewDoc::from_stored(json.to_owned())
}

/// Links, compare-and-set of the session state (with and without the held data) and
/// forgetting the data, on a fresh store.
pub(super) async fn preview_sessions(s: &dyn PreviewSessions) {
    let link = PreviewLink {
        token: "t".into(),
        location: "https://x/t".into(),
        request_id: "r".into(),
        evidence_type: "e".into(),
        requester_id: "q".into(),
        created_at: t(0),
        data: doc(r#"{"held":1}"#),
    };
    s.save_preview(&link).await.unwrap();
    let back = s.find_preview("t").await.unwrap().unwrap();
    assert_eq!((back.request_id.as_str(), back.created_at), ("r", t(0)));
    assert_eq!(back.data, doc(r#"{"held":1}"#));
    assert!(s.find_preview("nope").await.unwrap().is_none());
    assert!(s.preview_state("nope").await.unwrap().is_none());

    // A fresh link's state, then compare-and-set at the revision read.
    let at = Revision::from_stored;
    assert_eq!(
        s.preview_state("t").await.unwrap().unwrap(),
        (doc(r#"{"state":"issued"}"#), Revision::ISSUED)
    );
    let moved = doc(r#"{"state":"opened"}"#);
    assert_eq!(
        s.update_preview_state("t", &moved, at(0)).await.unwrap(),
        Swap::Saved
    );
    assert_eq!(
        s.update_preview_state("t", &moved, at(0)).await.unwrap(),
        Swap::Stale
    );
    assert_eq!(
        s.update_preview_state("nope", &moved, at(0)).await.unwrap(),
        Swap::Stale
    );

    // State and data move together, at the revision read only.
    let held = doc(r#"{"held":2}"#);
    assert_eq!(
        s.update_preview_state_and_data("t", &moved, &held, at(0))
            .await
            .unwrap(),
        Swap::Stale
    );
    assert_eq!(
        s.update_preview_state_and_data("t", &doc(r#"{"state":"x"}"#), &held, at(1))
            .await
            .unwrap(),
        Swap::Saved
    );
    assert_eq!(s.find_preview("t").await.unwrap().unwrap().data, held);

    // Typed: what is saved as a value is read back as one.
    let (state, revision) = s
        .load_state::<serde_json::Value>("t")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (state, revision),
        (Some(serde_json::json!({"state": "x"})), at(2))
    );
    let next = serde_json::json!({"state": "y"});
    assert_eq!(
        s.save_state("t", &next, None::<&()>, at(2)).await.unwrap(),
        Swap::Saved
    );
    assert_eq!(
        s.load_state::<u8>("t").await.unwrap(),
        Some((None, at(3))),
        "a state of another type reads as none, at its revision"
    );

    // Forgotten data stays forgotten: nothing puts it back.
    s.forget_preview_data("t").await.unwrap();
    assert_eq!(
        s.find_preview("t").await.unwrap().unwrap().data,
        PreviewDoc::forgotten()
    );
    assert_eq!(
        s.save_state("t", &next, Some(&serde_json::json!({"held": 3})), at(3))
            .await
            .unwrap(),
        Swap::Stale
    );
    assert_eq!(
        s.find_preview("t").await.unwrap().unwrap().data,
        PreviewDoc::forgotten()
    );
}
