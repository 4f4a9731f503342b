//! The typed session store: preview links and their sessions as the state store's
//! preview part keeps them (documents at a revision). It issues links, loads sessions and
//! moves them with the
//! one compare-and-set that both the follow-up request ([`crate::exchange`]) and the
//! pages ([`crate::web::preview`]) use, so a step another writer overtook is applied
//! again to what is there now, never saved over it.

use chrono::{DateTime, Utc};

use super::held::Held;
use super::session::{Session, secret_token};
use crate::store::{
    PreviewDoc, PreviewDocs, PreviewLink, PreviewSessions, Revision, StoreError, Swap,
};

/// Preview links and sessions over the state store.
#[derive(Clone, Copy)]
pub struct SessionStore<'s> {
    store: &'s dyn PreviewSessions,
}

impl std::fmt::Debug for SessionStore<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionStore")
    }
}

/// What a link is bound to: the request, the requester and the evidence type.
#[derive(Debug, Clone)]
pub struct Binding {
    pub request_id: String,
    pub evidence_type: String,
    pub requester_id: String,
}

/// How an update reads the session again after another writer moved it.
#[derive(Debug, Clone, Copy)]
pub enum Reread {
    /// A missing or unreadable state is a fresh session issued at this instant: the
    /// follow-up answers whatever is (or is not) stored.
    FreshFrom(DateTime<Utc>),
    /// A missing state ends the update ([`Updated::Gone`]); an unreadable one is a fresh
    /// session issued when the one it replaces was: the pages.
    Strict,
}

/// How hard an update tries, and how it reads again.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Saves tried before another writer is left the last word.
    pub attempts: usize,
    pub reread: Reread,
}

/// What an update did.
#[derive(Debug)]
pub enum Updated<T> {
    /// The step left the session as it was: nothing was saved.
    Unchanged(T),
    /// Saved; with the session the saved step started from.
    Saved { result: T, before: Session },
    /// Another writer won every attempt: the step's result on the last read, not saved.
    Lost(T),
    /// The session's state is gone from the store (only with [`Reread::Strict`]).
    Gone,
}

impl<'s> SessionStore<'s> {
    pub fn new(store: &'s dyn PreviewSessions) -> Self {
        Self { store }
    }

    /// Mints an unguessable link under `public_url`, bound to `binding`, holding `held`.
    pub async fn issue(
        &self,
        public_url: &str,
        binding: Binding,
        held: &Held,
        now: DateTime<Utc>,
    ) -> Result<PreviewLink, StoreError> {
        let token = secret_token();
        let base = public_url.trim_end_matches('/');
        let data = PreviewDoc::encode(held)
            .map_err(|e| StoreError::Query(format!("preview data cannot be serialised: {e}")))?;
        let link = PreviewLink {
            location: format!("{base}/{token}"),
            token,
            request_id: binding.request_id,
            evidence_type: binding.evidence_type,
            requester_id: binding.requester_id,
            created_at: now,
            data,
        };
        self.store.save_preview(&link).await?;
        Ok(link)
    }

    /// The session of `token` and the revision it was read at; a state that cannot be
    /// read is a fresh session issued at `created_at`.
    pub async fn load(
        &self,
        token: &str,
        created_at: DateTime<Utc>,
    ) -> Result<Option<(Session, Revision)>, StoreError> {
        Ok(self
            .store
            .load_state::<Session>(token)
            .await?
            .map(|(session, revision)| {
                (
                    session.unwrap_or_else(|| Session::new(created_at)),
                    revision,
                )
            }))
    }

    /// Applies `step` to `session` (read at `revision`) and saves it, with `held` when
    /// given, if it changed: compare-and-set. When another writer moved the session
    /// meanwhile, it is read again (into `session` and `revision`) and the step applied to
    /// what is there now, up to `policy.attempts` saves. The step's own result is
    /// returned either way: a step that fails may still have moved the session (to
    /// expired), and that is saved.
    pub async fn update<T>(
        &self,
        token: &str,
        session: &mut Session,
        revision: &mut Revision,
        held: Option<&Held>,
        policy: Policy,
        mut step: impl FnMut(&mut Session) -> T,
    ) -> Result<Updated<T>, StoreError> {
        let mut attempt = 1;
        loop {
            let before = session.clone();
            let result = step(session);
            if *session == before {
                return Ok(Updated::Unchanged(result));
            }
            if self
                .store
                .save_state(token, session, held, *revision)
                .await?
                == Swap::Saved
            {
                return Ok(Updated::Saved { result, before });
            }
            if attempt >= policy.attempts {
                return Ok(Updated::Lost(result));
            }
            attempt += 1;
            let reread = match policy.reread {
                Reread::FreshFrom(created_at) => Some(
                    self.load(token, created_at)
                        .await?
                        .unwrap_or_else(|| (Session::new(created_at), Revision::ISSUED)),
                ),
                Reread::Strict => self.load(token, before.created_at).await?,
            };
            let Some((now_stored, now_revision)) = reread else {
                return Ok(Updated::Gone);
            };
            *session = now_stored;
            *revision = now_revision;
        }
    }
}
