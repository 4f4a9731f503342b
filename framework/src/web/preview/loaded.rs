//! A link's session as a route loads it, and the one way a route moves it: a step settled
//! with the session store's compare-and-set. Why a route ends in a refusal page.

use super::space::PreviewSpace;
use crate::metrics::{Metrics, PreviewStep};
use crate::preview::held::Held;
use crate::preview::session::{Session, State as SessionState, StepError};
use crate::preview::store::{Policy, Reread, SessionStore, Updated};
use crate::store::{Revision, Store, StoreError};

/// A loaded session, with the store revision it was read at.
pub(super) struct Loaded {
    pub(super) held: Held,
    /// The requester the link was issued to (its identifier).
    pub(super) requester: String,
    pub(super) session: Session,
    pub(super) revision: Revision,
    /// `held` changed (the sign-in singled out the record) and is saved with the state.
    pub(super) held_changed: bool,
}

/// Why a request to the routes ends in a refusal page.
pub(super) enum Stop {
    /// Unknown link, wrong browser, malformed input: one page for all.
    Invalid,
    /// The follow-up was answered and the session's data dropped: only its outcome is
    /// left to show.
    Ended(Session),
    Step(StepError),
    Store(StoreError),
    /// The sign-in or the registry failed (a stable code); the page gives a reference.
    Failed(&'static str),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

impl From<StepError> for Stop {
    fn from(e: StepError) -> Self {
        Stop::Step(e)
    }
}

pub(super) async fn load(space: &PreviewSpace, token: &str) -> Result<Loaded, Stop> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Stop::Invalid);
    }
    let store = space.exchange.store();
    let Some(link) = store.find_preview(token).await? else {
        return Err(Stop::Invalid);
    };
    let (session, revision) = SessionStore::new(store.as_ref())
        .load(token, link.created_at)
        .await?
        .ok_or(Stop::Invalid)?;
    let Ok(held) = link.data.decode::<Held>() else {
        // Already answered: its data is gone.
        return Err(Stop::Ended(session));
    };
    Ok(Loaded {
        held,
        requester: link.requester_id,
        session,
        revision,
        held_changed: false,
    })
}

/// How often a step is applied again to a session another step (a click, the follow-up
/// request arriving, another replica) moved between its read and its save.
const SETTLE_ATTEMPTS: usize = 8;

/// Applies `step` to the session and saves it if it changed, with the session store's
/// compare-and-set: when something else moved the session meanwhile, the session is read
/// again and the step applied to what is there now. The step's own result is returned
/// either way (a step that fails may still have moved the session, e.g. to expired, and
/// that is saved). The funnel steps the saved move took are counted here, where exactly
/// one request wins each move.
pub(super) async fn settle<T>(
    metrics: &Metrics,
    store: &dyn Store,
    token: &str,
    loaded: &mut Loaded,
    step: impl Fn(&mut Session) -> T,
) -> Result<T, Stop> {
    let policy = Policy {
        attempts: SETTLE_ATTEMPTS,
        reread: Reread::Strict,
    };
    let held = loaded.held_changed.then_some(&loaded.held);
    let updated = SessionStore::new(store)
        .update(
            token,
            &mut loaded.session,
            &mut loaded.revision,
            held,
            policy,
            step,
        )
        .await?;
    match updated {
        Updated::Unchanged(result) => Ok(result),
        Updated::Saved { result, before } => {
            count_steps(metrics, &before.state, &loaded.session.state);
            Ok(result)
        }
        Updated::Lost(_) => Err(Stop::Step(StepError::OutOfOrder("changed meanwhile"))),
        Updated::Gone => Err(Stop::Invalid),
    }
}

/// Counts the preview funnel steps of one saved move (`Expired` is the service's: it
/// answers the follow-up when a deadline passes).
pub(super) fn count_steps(metrics: &Metrics, before: &SessionState, after: &SessionState) {
    if before.name() == after.name() {
        return;
    }
    if matches!(before, SessionState::Issued) {
        metrics.preview(PreviewStep::Visited);
    }
    let step = match after {
        SessionState::Reviewing { .. } if matches!(before, SessionState::SigningIn { .. }) => {
            Some(PreviewStep::SignedIn)
        }
        SessionState::Approved { .. } => Some(PreviewStep::Approved),
        SessionState::Declined { .. } => Some(PreviewStep::Declined),
        SessionState::Mismatch { .. } => Some(PreviewStep::Mismatch),
        SessionState::Unresolved { .. } => Some(PreviewStep::Unresolved),
        _ => None,
    };
    if let Some(step) = step {
        metrics.preview(step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::identity::Mismatch;
    use crate::preview::return_address::ReturnAddress;

    #[tokio::test]
    async fn a_step_is_applied_again_to_a_session_moved_meanwhile() {
        use crate::preview::session::Timeouts;
        use crate::store::{
            PreviewDoc, PreviewDocs, PreviewLink, PreviewSessions, SqliteStore, Swap,
        };
        let store = SqliteStore::in_memory().await.unwrap();
        let now = chrono::Utc::now();
        store
            .save_preview(&PreviewLink {
                token: "t".into(),
                location: "https://x/t".into(),
                request_id: "r".into(),
                evidence_type: "e".into(),
                requester_id: "q".into(),
                created_at: now,
                data: PreviewDoc::forgotten(),
            })
            .await
            .unwrap();
        let read = |store: &SqliteStore| {
            let store = store.clone();
            async move {
                let (session, revision) = store.load_state::<Session>("t").await.unwrap().unwrap();
                // A fresh link stores only `{"state":"issued"}`; `load` reads it so too.
                (session.unwrap_or_else(|| Session::new(now)), revision)
            }
        };
        let (session, revision) = read(&store).await;
        let mut loaded = Loaded {
            requester: "q".into(),
            held: serde_json::from_str(
                r#"{"subject":{},"requester":"q","languages":[],"title":{},"request":"<x/>"}"#,
            )
            .unwrap(),
            session,
            revision,
            held_changed: false,
        };
        // The follow-up request records the return address after the page read the session.
        let mut moved = Session::new(now);
        moved.set_return_url(
            ReturnAddress::parse("https://requester.example/back", "q", &Default::default())
                .unwrap(),
        );
        assert_eq!(
            store
                .save_state("t", &moved, None::<&Held>, Revision::ISSUED)
                .await
                .unwrap(),
            Swap::Saved
        );

        let t = Timeouts::default();
        let metrics = Metrics::new();
        let opened = settle(&metrics, &store, "t", &mut loaded, |s| s.open("b", now, &t))
            .await
            .ok()
            .unwrap();
        assert_eq!(opened, Ok(()));
        let (stored, revision) = read(&store).await;
        assert_eq!(revision, Revision::from_stored(2));
        assert_eq!(stored.state.name(), "opened");
        assert_eq!(
            stored.return_url.as_deref(),
            Some("https://requester.example/back")
        );
        assert!(stored.is_bound_to(Some("b")));
        assert_eq!(loaded.session, stored);
        assert!(
            metrics
                .render(crate::metrics::StoreReading::fresh(&[]))
                .contains("oots_preview_total{step=\"visited\"} 1\n")
        );
    }

    #[test]
    fn funnel_steps_are_counted_once_per_move() {
        let m = Metrics::new();
        let at = chrono::Utc::now();
        let b = || "b".to_owned();
        let opened = SessionState::Opened {
            browser: b(),
            opened_at: at,
        };
        let signing_in = SessionState::SigningIn {
            browser: b(),
            opened_at: at,
            pending: "p".into(),
        };
        let reviewing = SessionState::Reviewing {
            browser: b(),
            opened_at: at,
            csrf: "c".into(),
        };
        count_steps(&m, &SessionState::Issued, &opened);
        count_steps(&m, &opened, &opened);
        count_steps(&m, &opened, &signing_in);
        count_steps(&m, &signing_in, &reviewing);
        count_steps(
            &m,
            &reviewing,
            &SessionState::Approved { at, selected: None },
        );
        // Without sign-in: a visit straight to review, or to unresolved homonyms.
        count_steps(&m, &SessionState::Issued, &reviewing);
        count_steps(&m, &SessionState::Issued, &SessionState::Unresolved { at });
        count_steps(
            &m,
            &signing_in,
            &SessionState::Mismatch {
                at,
                why: Some(Mismatch::Assurance),
            },
        );
        count_steps(&m, &reviewing, &SessionState::Declined { at });
        let text = m.render(crate::metrics::StoreReading::fresh(&[]));
        for (step, n) in [
            ("visited", 3),
            ("signed_in", 1),
            ("approved", 1),
            ("declined", 1),
            ("mismatch", 1),
            ("unresolved", 1),
            ("expired", 0),
        ] {
            let line = format!("oots_preview_total{{step=\"{step}\"}} {n}\n");
            assert!(text.contains(&line), "{line}{text}");
        }
    }
}
