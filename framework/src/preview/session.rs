//! One preview session: the life of a preview link, from the `EDM:ERR:0002` answer that
//! issued it to the answer of the follow-up request.
//!
//! A state machine: each state holds only what is true in it, and every step checks the
//! browser the link was first opened in. The link is a bearer capability until its first
//! visit binds it to that browser (a random cookie); from then on another browser holding
//! the same link sees nothing. Deadlines follow TDD 4.4: the user must open the link within
//! T2 (15 minutes) of its issue and decide within T3 (40 minutes) of opening it; a session
//! past its deadline is expired and its follow-up request is answered with `EDM:ERR:0005`.
//!
//! A sign-in that is not the request's subject, or not the person of the record, ends the
//! session like a record that could not be determined: the follow-up gets the same
//! `EDM:ERR:0004` as any subject not found (`edm::NOT_FOUND_DETAIL`), so the answer
//! tells the requester nothing about the registry. Why it ended stays with the session
//! and goes to the journal with the answer.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::browser_key::same;
pub use super::browser_key::{BrowserKey, secret_token};
use super::identity;
use super::return_address::ReturnAddress;
use super::selection::Selection;
use crate::edm::ErrorCode;
use crate::edm::NOT_FOUND_DETAIL;

/// T2 and T3 (TDD 4.4, table 4.4.3), configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From the issue of the link until the user opens it (T2).
    pub arrive: Duration,
    /// From the first visit until the user decides (T3).
    pub decide: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            arrive: Duration::minutes(15),
            decide: Duration::minutes(40),
        }
    }
}

/// Which deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missed {
    /// The link was never opened within T2.
    Arrival,
    /// The user opened it but did not decide within T3.
    Decision,
}

/// Where a session stands. Serialised into the state store.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Issued in an `EDM:ERR:0002` answer; nobody has opened the link yet.
    Issued,
    /// Opened in a browser, which the session is now bound to.
    Opened {
        browser: String,
        opened_at: DateTime<Utc>,
    },
    /// The user left for the identity provider; `pending` is the sign-in's server-side
    /// half (state, nonce, PKCE verifier), as the authenticator serialised it.
    SigningIn {
        browser: String,
        opened_at: DateTime<Utc>,
        pending: String,
    },
    /// Signed in as the person the request names: the evidence is shown, and a decision
    /// must carry `csrf`.
    Reviewing {
        browser: String,
        opened_at: DateTime<Utc>,
        csrf: String,
    },
    /// The user approved: the follow-up request gets the evidence; with several
    /// (`evidence.several`) only those ticked. `selected` absent: every evidence held
    /// (one, in sessions stored by older versions).
    Approved {
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        selected: Option<Vec<String>>,
    },
    /// The user declined: the follow-up request gets an evidence response without
    /// evidence (TDD 2.0.1 4.9 §1).
    Declined { at: DateTime<Utc> },
    /// The signed-in person is not the one the request names, or not the person of the
    /// record (or signed in below the required level of assurance): nothing is released.
    Mismatch {
        at: DateTime<Utc>,
        /// Which check failed (attribute names only); absent in sessions stored before it
        /// was kept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<identity::Mismatch>,
    },
    /// The signed-in person is the one the request names, but the registry holds several
    /// records that fit and their identifier did not single one out: nothing is released.
    Unresolved { at: DateTime<Utc> },
    /// A deadline passed before the user decided.
    Expired { at: DateTime<Utc>, missed: Missed },
}

impl std::fmt::Debug for State {
    // The browser cookie, the CSRF token and the pending sign-in are secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl State {
    /// The state's name, for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            State::Issued => "issued",
            State::Opened { .. } => "opened",
            State::SigningIn { .. } => "signing_in",
            State::Reviewing { .. } => "reviewing",
            State::Approved { .. } => "approved",
            State::Declined { .. } => "declined",
            State::Mismatch { .. } => "mismatch",
            State::Unresolved { .. } => "unresolved",
            State::Expired { .. } => "expired",
        }
    }

    /// No step leads out of it.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            State::Approved { .. }
                | State::Declined { .. }
                | State::Mismatch { .. }
                | State::Unresolved { .. }
                | State::Expired { .. }
        )
    }

    fn browser(&self) -> Option<&str> {
        match self {
            State::Opened { browser, .. }
            | State::SigningIn { browser, .. }
            | State::Reviewing { browser, .. } => Some(browser),
            _ => None,
        }
    }

    fn opened_at(&self) -> Option<DateTime<Utc>> {
        match self {
            State::Opened { opened_at, .. }
            | State::SigningIn { opened_at, .. }
            | State::Reviewing { opened_at, .. } => Some(*opened_at),
            _ => None,
        }
    }
}

/// Why a step was refused. The page shown for each is generic: a wrong browser and an
/// unknown link look alike to whoever holds the link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("the preview link is bound to another browser")]
    WrongBrowser,
    #[error("the preview session has ended ({0})")]
    Finished(&'static str),
    #[error("the preview session expired")]
    Expired,
    #[error("this step does not fit the session's state ({0})")]
    OutOfOrder(&'static str),
    #[error("the form token does not match")]
    BadCsrf,
}

impl StepError {
    /// A stable code for logs and the error reference.
    pub fn code(&self) -> &'static str {
        match self {
            StepError::WrongBrowser => "PREVIEW_WRONG_BROWSER",
            StepError::Finished(_) => "PREVIEW_FINISHED",
            StepError::Expired => "PREVIEW_EXPIRED",
            StepError::OutOfOrder(_) => "PREVIEW_OUT_OF_ORDER",
            StepError::BadCsrf => "PREVIEW_BAD_CSRF",
        }
    }
}

/// What the follow-up request carrying this session's `PreviewLocation` gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    /// The user approved: the evidence; `selected`, the ids ticked among several
    /// (absent: every evidence held).
    Release { selected: Option<Vec<String>> },
    /// The user declined: a successful evidence response with an empty object list and
    /// nothing attached (TDD 2.0.1 4.9 §1), for 1.x and 2.0 alike (docs/preview.md).
    Declined,
    /// An EDM error, with a detail free of personal data.
    Refuse {
        code: ErrorCode,
        detail: &'static str,
        /// Why the sign-in ended the session, for the journal (never in the answer).
        sign_in: Option<identity::Mismatch>,
    },
    /// Not decided yet: held until the user decides or the deadline passes.
    Hold { until: DateTime<Utc> },
}

/// What the sign-in showed about the person who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIn {
    /// The person the request names and the record's person, and their record is known:
    /// the evidence is shown.
    Subject,
    /// Someone else than the request's subject or the record's person, or a sign-in
    /// below the evidence type's level of assurance: which check failed.
    Other(identity::Mismatch),
    /// The person the request names, but which of several records is theirs stays open.
    Unresolved,
}

/// The state of one preview link and the steps that move it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub created_at: DateTime<Utc>,
    pub state: State,
    /// Where the user goes back to: the v2.0 follow-up's `ReturnLocation`, or the v1.x
    /// `returnurl` the requester appended to the link (see [`ReturnAddress`]). Shown
    /// only to the browser the link is bound to.
    #[serde(default)]
    pub return_url: Option<ReturnAddress>,
    /// The browser the link is bound to, kept past the end of the session so its outcome
    /// (and the return address) is shown to that browser only. Absent in sessions stored
    /// before it was kept: their outcome is shown to nobody.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<BrowserKey>,
}

impl Session {
    pub fn new(created_at: DateTime<Utc>) -> Self {
        Self {
            created_at,
            state: State::Issued,
            return_url: None,
            browser: None,
        }
    }

    /// Records where to send the user back, once: the first address that passed the
    /// rules wins, and nothing changes it afterwards.
    pub fn set_return_url(&mut self, address: ReturnAddress) {
        if self.return_url.is_none() {
            self.return_url = Some(address);
        }
    }

    /// The return address, for the browser presenting `presented`: only the browser the
    /// link is bound to ever sees it.
    pub fn return_url_for(&self, presented: Option<&str>) -> Option<&ReturnAddress> {
        self.return_url
            .as_ref()
            .filter(|_| self.is_bound_to(presented))
    }

    /// Whether `presented` is the key of the browser the link is bound to (also after
    /// the session ended).
    pub fn is_bound_to(&self, presented: Option<&str>) -> bool {
        match (&self.browser, self.state.browser()) {
            (Some(key), _) => key.matches(presented),
            // Bound by a version that did not keep the key beside the state.
            (None, Some(bound)) => presented.is_some_and(|p| same(bound, p)),
            (None, None) => false,
        }
    }

    /// Whether the link was ever opened (so it belongs to one browser).
    pub fn was_opened(&self) -> bool {
        self.browser.is_some() || self.state.browser().is_some()
    }

    /// When the session expires if nothing happens: T2 after issue until opened, T3 after
    /// opening until decided; none once final.
    pub fn deadline(&self, t: &Timeouts) -> Option<DateTime<Utc>> {
        match (&self.state, self.state.opened_at()) {
            (State::Issued, _) => Some(self.created_at + t.arrive),
            (_, Some(opened)) => Some(opened + t.decide),
            _ => None,
        }
    }

    /// Moves a session past its deadline to `Expired`; `true` if it did.
    pub fn expire_if_due(&mut self, now: DateTime<Utc>, t: &Timeouts) -> bool {
        match self.deadline(t) {
            Some(d) if now >= d => {
                let missed = if matches!(self.state, State::Issued) {
                    Missed::Arrival
                } else {
                    Missed::Decision
                };
                self.state = State::Expired { at: now, missed };
                true
            }
            _ => false,
        }
    }

    /// Refuses any step on a final or expired session, and from another browser.
    fn check(&mut self, browser: &str, now: DateTime<Utc>, t: &Timeouts) -> Result<(), StepError> {
        if self.expire_if_due(now, t) {
            return Err(StepError::Expired);
        }
        if self.state.is_final() {
            return Err(match self.state {
                State::Expired { .. } => StepError::Expired,
                _ => StepError::Finished(self.state.name()),
            });
        }
        match self.state.browser() {
            Some(bound) if !same(bound, browser) => Err(StepError::WrongBrowser),
            _ => Ok(()),
        }
    }

    /// A visit. The first binds the session to `browser`, which the caller made
    /// server-side; later visits must come from the same browser. Visits from a client
    /// go through [`Session::visit`], which never binds to what the client offers.
    pub(crate) fn open(
        &mut self,
        browser: &str,
        now: DateTime<Utc>,
        t: &Timeouts,
    ) -> Result<(), StepError> {
        self.check(browser, now, t)?;
        if matches!(self.state, State::Issued) {
            self.state = State::Opened {
                browser: browser.to_owned(),
                opened_at: now,
            };
            self.browser = Some(BrowserKey(browser.to_owned()));
        }
        Ok(())
    }

    /// A visit from a client presenting `presented` (its cookie, if any). The first
    /// binds the session to `fresh`, a key made for this visit, whatever the client
    /// offered; later visits must present the bound key. `true` if this visit bound it
    /// (the client is to be given `fresh`).
    pub fn visit(
        &mut self,
        presented: Option<&str>,
        fresh: &BrowserKey,
        now: DateTime<Utc>,
        t: &Timeouts,
    ) -> Result<bool, StepError> {
        let binds = matches!(self.state, State::Issued);
        let browser = if binds {
            fresh.as_str()
        } else {
            presented.unwrap_or("")
        };
        self.open(browser, now, t)?;
        Ok(binds)
    }

    /// Rotates the bound browser's key to `fresh` (at sign-in), so a key seen or set
    /// before it opens nothing afterwards. The session must be bound to `browser`;
    /// a final session keeps the new key for its outcome page.
    pub fn rotate_browser(&mut self, browser: &str, fresh: &BrowserKey) -> Result<(), StepError> {
        if !self.is_bound_to(Some(browser)) {
            return Err(StepError::WrongBrowser);
        }
        match &mut self.state {
            State::Opened { browser, .. }
            | State::SigningIn { browser, .. }
            | State::Reviewing { browser, .. } => *browser = fresh.as_str().to_owned(),
            _ => {}
        }
        self.browser = Some(fresh.clone());
        Ok(())
    }

    /// The user leaves for the identity provider (again, after an abandoned attempt).
    pub fn begin_sign_in(
        &mut self,
        browser: &str,
        pending: String,
        now: DateTime<Utc>,
        t: &Timeouts,
    ) -> Result<(), StepError> {
        self.check(browser, now, t)?;
        let Some(opened_at) = self.state.opened_at() else {
            return Err(StepError::OutOfOrder(self.state.name()));
        };
        if matches!(self.state, State::Reviewing { .. }) {
            return Err(StepError::OutOfOrder("already signed in"));
        }
        self.state = State::SigningIn {
            browser: browser.to_owned(),
            opened_at,
            pending,
        };
        Ok(())
    }

    /// The server-side half of the sign-in in progress.
    pub fn pending_sign_in(&self) -> Option<&str> {
        match &self.state {
            State::SigningIn { pending, .. } => Some(pending),
            _ => None,
        }
    }

    /// The sign-in came back with the identity check's verdict: the evidence is shown
    /// only to the person the request names, once their record is known; anything else
    /// ends the session. Returns the form token the decision must carry.
    pub fn signed_in(
        &mut self,
        browser: &str,
        verdict: SignedIn,
        now: DateTime<Utc>,
        t: &Timeouts,
    ) -> Result<Option<String>, StepError> {
        self.check(browser, now, t)?;
        let State::SigningIn { opened_at, .. } = &self.state else {
            return Err(StepError::OutOfOrder(self.state.name()));
        };
        match verdict {
            SignedIn::Subject => {}
            SignedIn::Other(why) => {
                self.state = State::Mismatch {
                    at: now,
                    why: Some(why),
                };
                return Ok(None);
            }
            SignedIn::Unresolved => {
                self.state = State::Unresolved { at: now };
                return Ok(None);
            }
        }
        let csrf = secret_token();
        self.state = State::Reviewing {
            browser: browser.to_owned(),
            opened_at: *opened_at,
            csrf: csrf.clone(),
        };
        Ok(Some(csrf))
    }

    /// Where nothing can single out the subject's record without a sign-in (no sign-in is
    /// configured): the open session ends unresolved.
    pub fn unresolved(
        &mut self,
        browser: &str,
        now: DateTime<Utc>,
        t: &Timeouts,
    ) -> Result<(), StepError> {
        self.check(browser, now, t)?;
        self.state = State::Unresolved { at: now };
        Ok(())
    }

    /// Where re-authentication is explicitly switched off (`none`), opening the link is
    /// enough to review: the link is single-browser and short-lived.
    pub fn review_without_sign_in(
        &mut self,
        browser: &str,
        now: DateTime<Utc>,
        t: &Timeouts,
    ) -> Result<String, StepError> {
        self.check(browser, now, t)?;
        match &self.state {
            State::Reviewing { csrf, .. } => Ok(csrf.clone()),
            State::Opened { opened_at, .. } => {
                let csrf = secret_token();
                self.state = State::Reviewing {
                    browser: browser.to_owned(),
                    opened_at: *opened_at,
                    csrf: csrf.clone(),
                };
                Ok(csrf)
            }
            other => Err(StepError::OutOfOrder(other.name())),
        }
    }

    /// The form token of the review page being shown, if the user is reviewing.
    pub fn csrf(&self) -> Option<&str> {
        match &self.state {
            State::Reviewing { csrf, .. } => Some(csrf),
            _ => None,
        }
    }

    /// The user's decision, from the review page's form.
    pub fn decide(
        &mut self,
        browser: &str,
        csrf: &str,
        approve: bool,
        now: DateTime<Utc>,
        t: &Timeouts,
    ) -> Result<(), StepError> {
        self.check(browser, now, t)?;
        let State::Reviewing { csrf: expected, .. } = &self.state else {
            return Err(StepError::OutOfOrder(self.state.name()));
        };
        if !same(expected, csrf) {
            return Err(StepError::BadCsrf);
        }
        self.state = if approve {
            State::Approved {
                at: now,
                selected: None,
            }
        } else {
            State::Declined { at: now }
        };
        Ok(())
    }

    /// The user's decision among several evidences: the ticked ones released (an
    /// approval), none ticked a decline. The same checks as [`Session::decide`]; once
    /// decided, no later tick set is taken (the session is final).
    pub fn decide_selected(
        &mut self,
        browser: &str,
        csrf: &str,
        selection: Selection,
        now: DateTime<Utc>,
        t: &Timeouts,
    ) -> Result<(), StepError> {
        match selection {
            Selection::Declined => self.decide(browser, csrf, false, now, t),
            Selection::Release(ids) => {
                self.decide(browser, csrf, true, now, t)?;
                self.state = State::Approved {
                    at: now,
                    selected: Some(ids),
                };
                Ok(())
            }
        }
    }

    /// The answer the follow-up request gets now (after expiring the session if due).
    pub fn follow_up(&mut self, now: DateTime<Utc>, t: &Timeouts) -> FollowUp {
        self.expire_if_due(now, t);
        match &self.state {
            State::Approved { selected, .. } => FollowUp::Release {
                selected: selected.clone(),
            },
            State::Declined { .. } => FollowUp::Declined,
            // The level of assurance is the sign-in's own, whatever the registry holds.
            State::Mismatch {
                why: Some(identity::Mismatch::Assurance),
                ..
            } => FollowUp::Refuse {
                code: ErrorCode::FailedAuthentication,
                detail: "The sign-in in the preview space did not reach the level of assurance this evidence type requires",
                sign_in: Some(identity::Mismatch::Assurance),
            },
            // Not the subject, not the record's person (or a session that kept no
            // reason): as any subject not found, so nothing is told about the registry.
            State::Mismatch { why, .. } => FollowUp::Refuse {
                code: ErrorCode::ObjectNotFound,
                detail: NOT_FOUND_DETAIL,
                sign_in: why.clone(),
            },
            State::Unresolved { .. } => FollowUp::Refuse {
                code: ErrorCode::ObjectNotFound,
                detail: NOT_FOUND_DETAIL,
                sign_in: None,
            },
            State::Expired { .. } => FollowUp::Refuse {
                code: ErrorCode::Timeout,
                detail: "The user did not decide within the preview time limit",
                sign_in: None,
            },
            State::Issued
            | State::Opened { .. }
            | State::SigningIn { .. }
            | State::Reviewing { .. } => FollowUp::Hold {
                until: self.deadline(t).unwrap_or(now),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn mins(m: i64) -> Duration {
        Duration::minutes(m)
    }

    #[test]
    fn approve_after_sign_in_releases_the_evidence() {
        let t = Timeouts::default();
        let mut s = Session::new(t0());
        assert!(
            matches!(s.follow_up(t0(), &t), FollowUp::Hold { until } if until == t0() + mins(15))
        );
        s.open("b1", t0() + mins(5), &t).unwrap();
        assert_eq!(s.deadline(&t), Some(t0() + mins(45)));
        s.begin_sign_in("b1", "{pending}".into(), t0() + mins(6), &t)
            .unwrap();
        assert_eq!(s.pending_sign_in(), Some("{pending}"));
        let csrf = s
            .signed_in("b1", SignedIn::Subject, t0() + mins(7), &t)
            .unwrap()
            .unwrap();
        assert_eq!(s.csrf(), Some(csrf.as_str()));
        assert_eq!(
            s.decide("b1", "forged", true, t0() + mins(8), &t),
            Err(StepError::BadCsrf)
        );
        s.decide("b1", &csrf, true, t0() + mins(8), &t).unwrap();
        assert_eq!(
            s.follow_up(t0() + mins(9), &t),
            FollowUp::Release { selected: None }
        );
        // Final: nothing moves it any more, not even a replay of the decision.
        assert!(matches!(
            s.decide("b1", &csrf, false, t0() + mins(9), &t),
            Err(StepError::Finished("approved"))
        ));
    }

    #[test]
    fn a_tick_set_is_kept_and_never_changed_after_the_decision() {
        let t = Timeouts::default();
        let mut s = Session::new(t0());
        s.open("b1", t0(), &t).unwrap();
        let csrf = s.review_without_sign_in("b1", t0(), &t).unwrap();
        let one = Selection::Release(vec!["e2".to_owned()]);
        // Same CSRF and browser checks as the two buttons.
        assert_eq!(
            s.decide_selected("b1", "forged", one.clone(), t0(), &t),
            Err(StepError::BadCsrf)
        );
        assert_eq!(
            s.decide_selected("b2", &csrf, one.clone(), t0(), &t),
            Err(StepError::WrongBrowser)
        );
        s.decide_selected("b1", &csrf, one, t0(), &t).unwrap();
        let released = FollowUp::Release {
            selected: Some(vec!["e2".to_owned()]),
        };
        assert_eq!(s.follow_up(t0(), &t), released);
        // A second post (another tick set, or a decline) after the approval is refused.
        let other = Selection::Release(vec!["e1".to_owned(), "e2".to_owned()]);
        assert_eq!(
            s.decide_selected("b1", &csrf, other, t0(), &t),
            Err(StepError::Finished("approved"))
        );
        assert_eq!(s.follow_up(t0(), &t), released);
        // Stored and read back, the ticks stay; a session stored by an older version
        // (no `selected`) releases what it holds.
        let json = serde_json::to_string(&s.state).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), s.state);
        let old: State =
            serde_json::from_str(r#"{"state":"approved","at":"2026-11-24T10:00:00Z"}"#).unwrap();
        assert_eq!(
            old,
            State::Approved {
                at: t0(),
                selected: None
            }
        );
        // None ticked: declined.
        let mut s = Session::new(t0());
        s.open("b1", t0(), &t).unwrap();
        let csrf = s.review_without_sign_in("b1", t0(), &t).unwrap();
        s.decide_selected("b1", &csrf, Selection::Declined, t0(), &t)
            .unwrap();
        assert_eq!(s.follow_up(t0(), &t), FollowUp::Declined);
    }

    #[test]
    fn another_browser_sees_nothing_and_cannot_decide() {
        let t = Timeouts::default();
        let mut s = Session::new(t0());
        s.open("b1", t0(), &t).unwrap();
        assert_eq!(s.open("b2", t0(), &t), Err(StepError::WrongBrowser));
        let csrf = s.review_without_sign_in("b1", t0(), &t).unwrap();
        assert_eq!(
            s.decide("b2", &csrf, true, t0(), &t),
            Err(StepError::WrongBrowser)
        );
        s.decide("b1", &csrf, false, t0(), &t).unwrap();
        assert_eq!(s.follow_up(t0(), &t), FollowUp::Declined);
    }

    #[test]
    fn a_declined_session_never_releases_the_evidence() {
        let t = Timeouts::default();
        let mut s = Session::new(t0());
        s.open("b1", t0(), &t).unwrap();
        let csrf = s.review_without_sign_in("b1", t0(), &t).unwrap();
        s.decide("b1", &csrf, false, t0() + mins(1), &t).unwrap();
        // Neither an approval after the decline nor another browser moves it.
        assert_eq!(
            s.decide("b1", &csrf, true, t0() + mins(2), &t),
            Err(StepError::Finished("declined"))
        );
        assert_eq!(
            s.decide("b2", &csrf, true, t0() + mins(2), &t),
            Err(StepError::Finished("declined"))
        );
        // Declined stays declined, also past every deadline: never a release, never a hold.
        for later in [mins(3), mins(60), mins(60 * 24)] {
            assert_eq!(s.follow_up(t0() + later, &t), FollowUp::Declined);
        }
    }

    #[test]
    fn someone_else_signing_in_ends_the_session_as_a_subject_not_found() {
        use identity::{Mismatch, Verdict};
        let t = Timeouts::default();
        let different = |attribute| Verdict::Different {
            attributes: vec![attribute],
        };
        for why in [
            Mismatch::Subject {
                verdict: different(crate::matching::Attribute::GivenName),
            },
            Mismatch::Record {
                verdict: different(crate::matching::Attribute::FamilyName),
            },
            Mismatch::Record {
                verdict: Verdict::NoRecord,
            },
        ] {
            let mut s = Session::new(t0());
            s.open("b1", t0(), &t).unwrap();
            assert!(matches!(
                s.signed_in("b1", SignedIn::Subject, t0(), &t),
                Err(StepError::OutOfOrder("opened"))
            ));
            s.begin_sign_in("b1", "p".into(), t0(), &t).unwrap();
            assert_eq!(
                s.signed_in("b1", SignedIn::Other(why.clone()), t0(), &t),
                Ok(None)
            );
            assert_eq!(s.csrf(), None);
            // The same answer as a subject nobody in the registry is; the reason is kept
            // for the journal only.
            assert_eq!(
                s.follow_up(t0(), &t),
                FollowUp::Refuse {
                    code: ErrorCode::ObjectNotFound,
                    detail: NOT_FOUND_DETAIL,
                    sign_in: Some(why.clone()),
                }
            );
            assert_eq!(s.open("b1", t0(), &t), Err(StepError::Finished("mismatch")));
            // Stored and read back with the reason.
            let back: Session = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn a_sign_in_below_the_level_of_assurance_is_a_failed_authentication() {
        let t = Timeouts::default();
        let mut s = Session::new(t0());
        s.open("b1", t0(), &t).unwrap();
        s.begin_sign_in("b1", "p".into(), t0(), &t).unwrap();
        let low = SignedIn::Other(identity::Mismatch::Assurance);
        assert_eq!(s.signed_in("b1", low, t0(), &t), Ok(None));
        assert!(matches!(
            s.follow_up(t0(), &t),
            FollowUp::Refuse {
                code: ErrorCode::FailedAuthentication,
                sign_in: Some(identity::Mismatch::Assurance),
                ..
            }
        ));
    }

    #[test]
    fn a_mismatch_stored_without_its_reason_reads_back_and_answers_neutrally() {
        let t = Timeouts::default();
        let mut s: Session = serde_json::from_str(
            r#"{"created_at":"2026-11-24T10:00:00Z","state":{"state":"mismatch","at":"2026-11-24T10:05:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(
            s.follow_up(t0(), &t),
            FollowUp::Refuse {
                code: ErrorCode::ObjectNotFound,
                detail: NOT_FOUND_DETAIL,
                sign_in: None,
            }
        );
    }

    #[test]
    fn an_unresolved_record_ends_the_session_without_evidence() {
        let t = Timeouts::default();
        let mut s = Session::new(t0());
        s.open("b1", t0(), &t).unwrap();
        s.begin_sign_in("b1", "p".into(), t0(), &t).unwrap();
        assert_eq!(s.signed_in("b1", SignedIn::Unresolved, t0(), &t), Ok(None));
        assert_eq!(s.csrf(), None);
        assert_eq!(
            s.follow_up(t0(), &t),
            FollowUp::Refuse {
                code: ErrorCode::ObjectNotFound,
                detail: NOT_FOUND_DETAIL,
                sign_in: None,
            }
        );
        assert_eq!(
            s.open("b1", t0(), &t),
            Err(StepError::Finished("unresolved"))
        );
        // Without a sign-in, an open session can only end so; never from another browser.
        let mut s = Session::new(t0());
        s.open("b1", t0(), &t).unwrap();
        assert_eq!(s.unresolved("b2", t0(), &t), Err(StepError::WrongBrowser));
        s.unresolved("b1", t0(), &t).unwrap();
        assert!(s.state.is_final());
    }

    #[test]
    fn deadlines_t2_and_t3_end_in_a_timeout_error() {
        let t = Timeouts {
            arrive: mins(2),
            decide: mins(3),
        };
        let mut never_opened = Session::new(t0());
        assert_eq!(
            never_opened.open("b", t0() + mins(2), &t),
            Err(StepError::Expired)
        );
        assert_eq!(
            never_opened.state,
            State::Expired {
                at: t0() + mins(2),
                missed: Missed::Arrival
            }
        );
        let mut undecided = Session::new(t0());
        undecided.open("b", t0() + mins(1), &t).unwrap();
        let csrf = undecided
            .review_without_sign_in("b", t0() + mins(1), &t)
            .unwrap();
        assert!(matches!(
            undecided.follow_up(t0() + mins(3), &t),
            FollowUp::Hold { until } if until == t0() + mins(4)
        ));
        assert_eq!(
            undecided.decide("b", &csrf, true, t0() + mins(4), &t),
            Err(StepError::Expired)
        );
        assert!(matches!(
            undecided.follow_up(t0() + mins(4), &t),
            FollowUp::Refuse {
                code: ErrorCode::Timeout,
                ..
            }
        ));
    }

    #[test]
    fn the_first_return_address_wins_and_only_its_browser_sees_it() {
        use crate::preview::return_address::{ReturnAddress, ReturnHosts};
        let t = Timeouts::default();
        let address = |raw: &str| ReturnAddress::parse(raw, "q", &ReturnHosts::new()).unwrap();
        let mut s = Session::new(t0());
        s.set_return_url(address(" https://requester.example/back "));
        s.set_return_url(address("https://elsewhere.example/"));
        assert_eq!(
            s.return_url.as_deref(),
            Some("https://requester.example/back")
        );
        // Nobody sees it before the link is bound; then only the bound browser.
        assert!(s.return_url_for(None).is_none());
        let fresh = BrowserKey::fresh();
        assert_eq!(s.visit(Some("offered"), &fresh, t0(), &t), Ok(true));
        assert!(s.return_url_for(Some("offered")).is_none());
        assert!(s.return_url_for(Some(fresh.as_str())).is_some());
        s.decide(fresh.as_str(), "x", true, t0(), &t).unwrap_err();
        let csrf = s.review_without_sign_in(fresh.as_str(), t0(), &t).unwrap();
        s.decide(fresh.as_str(), &csrf, true, t0(), &t).unwrap();
        // Still so once final.
        assert!(s.return_url_for(Some(fresh.as_str())).is_some());
        assert!(s.return_url_for(Some(&"0".repeat(64))).is_none());
        let back: Session = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn a_visit_never_binds_to_what_the_client_offers_and_sign_in_rotates() {
        let t = Timeouts::default();
        let mut s = Session::new(t0());
        let offered = "c".repeat(64);
        let fresh = BrowserKey::fresh();
        assert_eq!(s.visit(Some(&offered), &fresh, t0(), &t), Ok(true));
        assert_ne!(fresh.as_str(), offered);
        assert_eq!(
            s.visit(Some(&offered), &BrowserKey::fresh(), t0(), &t),
            Err(StepError::WrongBrowser)
        );
        assert_eq!(
            s.visit(None, &BrowserKey::fresh(), t0(), &t),
            Err(StepError::WrongBrowser)
        );
        assert_eq!(
            s.visit(Some(fresh.as_str()), &BrowserKey::fresh(), t0(), &t),
            Ok(false)
        );
        s.begin_sign_in(fresh.as_str(), "p".into(), t0(), &t)
            .unwrap();
        let rotated = BrowserKey::fresh();
        assert_eq!(
            s.rotate_browser(&offered, &rotated),
            Err(StepError::WrongBrowser)
        );
        s.rotate_browser(fresh.as_str(), &rotated).unwrap();
        assert_eq!(
            s.signed_in(fresh.as_str(), SignedIn::Subject, t0(), &t),
            Err(StepError::WrongBrowser)
        );
        assert!(
            s.signed_in(rotated.as_str(), SignedIn::Subject, t0(), &t)
                .unwrap()
                .is_some()
        );
        assert!(s.is_bound_to(Some(rotated.as_str())));
        assert!(!s.is_bound_to(Some(fresh.as_str())));
        assert_eq!(format!("{rotated:?}"), "BrowserKey(..)");
        assert!(!format!("{s:?}").contains(rotated.as_str()));
    }

    #[test]
    fn secrets_never_show_in_debug_and_survive_serialisation() {
        let t = Timeouts::default();
        let mut s = Session::new(t0());
        s.open("cookie-secret", t0(), &t).unwrap();
        let csrf = s.review_without_sign_in("cookie-secret", t0(), &t).unwrap();
        let dbg = format!("{s:?}");
        assert!(
            !dbg.contains("cookie-secret") && !dbg.contains(&csrf),
            "{dbg}"
        );
        let json = serde_json::to_string(&s.state).unwrap();
        let back: State = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s.state);
        assert_eq!(secret_token().len(), 64);
        assert_ne!(secret_token(), secret_token());
    }
}
