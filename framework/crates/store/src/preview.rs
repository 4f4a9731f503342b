//! The preview part of the store: the preview links handed out in `EDM:ERR:0002`
//! answers and their sessions' state, moved by compare-and-set.
//!
//! The store sits below the preview domain and does not know its types: a session's
//! state and its held data are [`PreviewDoc`]s (JSON documents, kept as they are), the
//! compare-and-set version is a [`Revision`] and a save says what it did with a [`Swap`].
//! [`PreviewDocs`] reads and writes documents as the caller's own types, so the preview
//! domain never handles JSON text.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::StoreError;

/// A JSON document a preview keeps: a session's state, or the data held for the user's
/// decision. Opaque to the store, which keeps its text as it is (the database format).
#[derive(Clone, PartialEq, Eq)]
pub struct PreviewDoc(String);

impl PreviewDoc {
    /// The document of `value`.
    pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(Self)
    }

    /// The document read as a `T`; an error when it is not one (written by another
    /// version, or forgotten).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// What is left of held data once it is forgotten (see
    /// [`PreviewSessions::forget_preview_data`]).
    pub fn forgotten() -> Self {
        Self("{}".to_owned())
    }

    /// A document as a backend stored it.
    pub fn from_stored(json: String) -> Self {
        Self(json)
    }

    /// The text a backend stores.
    pub fn as_stored(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PreviewDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data: only its size.
        write!(f, "PreviewDoc({} bytes)", self.0.len())
    }
}

/// The compare-and-set version of a preview session's state: a save names the revision
/// it read, and is refused when another writer moved the state since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Revision(i64);

impl Revision {
    /// The revision of a state as issued with its link, nothing saved over it yet.
    pub const ISSUED: Revision = Revision(0);

    /// A revision as a backend stored it.
    pub fn from_stored(n: i64) -> Self {
        Self(n)
    }

    /// The number a backend stores.
    pub fn as_stored(self) -> i64 {
        self.0
    }
}

/// What a compare-and-set save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swap {
    /// Saved: the state is at the next revision.
    Saved,
    /// Not saved, nothing changed: another writer moved the state since the revision
    /// named, or it is gone (purged; or, when held data was given, the data was
    /// forgotten because the follow-up was answered). Read it again.
    Stale,
}

impl Swap {
    /// A backend's "rows updated" as a swap.
    pub fn of_updated(rows: u64) -> Self {
        if rows == 1 { Swap::Saved } else { Swap::Stale }
    }
}

/// A preview link issued in an `EDM:ERR:0002` answer, bound to one request.
#[derive(Clone, PartialEq, Eq)]
pub struct PreviewLink {
    /// Unguessable token (the last path segment of the PreviewLocation).
    pub token: String,
    /// The full PreviewLocation URL handed out.
    pub location: String,
    /// The request the link answers.
    pub request_id: String,
    /// The evidence type requested.
    pub evidence_type: String,
    /// The requester the link is bound to.
    pub requester_id: String,
    /// When the link was issued.
    pub created_at: DateTime<Utc>,
    /// What the preview needs until the follow-up is answered (the subject as requested,
    /// the evidence held for the user's decision). Personal data: it is dropped with
    /// [`PreviewSessions::forget_preview_data`] once the follow-up is answered.
    pub data: PreviewDoc,
}

impl std::fmt::Debug for PreviewLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a capability and `data` is personal data.
        f.debug_struct("PreviewLink")
            .field("request_id", &self.request_id)
            .field("evidence_type", &self.evidence_type)
            .field("requester_id", &self.requester_id)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// Guards the preview links handed out and their sessions: a session's state moves only
/// by compare-and-set (replicas and clicks race), and its personal data goes once the
/// follow-up is answered.
#[async_trait]
pub trait PreviewSessions: Send + Sync {
    /// Keeps a preview link issued (see [`PreviewLink`]); its state starts empty at
    /// [`Revision::ISSUED`].
    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError>;

    /// The preview link with this token, if it was issued and not purged.
    async fn find_preview(&self, token: &str) -> Result<Option<PreviewLink>, StoreError>;

    /// The preview session's state and its revision.
    async fn preview_state(
        &self,
        token: &str,
    ) -> Result<Option<(PreviewDoc, Revision)>, StoreError>;

    /// Replaces the session's state if it is still at `read` (another replica or another
    /// click may have moved it).
    async fn update_preview_state(
        &self,
        token: &str,
        state: &PreviewDoc,
        read: Revision,
    ) -> Result<Swap, StoreError>;

    /// Like [`PreviewSessions::update_preview_state`], and replaces the session's held
    /// data in the same step (the evidence found once the sign-in singled out the
    /// record); [`Swap::Stale`] also when the data was dropped meanwhile (the follow-up
    /// was answered).
    async fn update_preview_state_and_data(
        &self,
        token: &str,
        state: &PreviewDoc,
        data: &PreviewDoc,
        read: Revision,
    ) -> Result<Swap, StoreError>;

    /// Drops the personal data a preview kept, once its follow-up is answered.
    async fn forget_preview_data(&self, token: &str) -> Result<(), StoreError>;
}

/// [`PreviewSessions`] with the caller's own types for a session's state and held data:
/// implemented for every preview store (and `dyn Store`), so the preview domain passes
/// its types and never sees JSON text.
#[async_trait]
pub trait PreviewDocs: PreviewSessions {
    /// The state of `token` read as an `S`, with its revision; `None` inside when the
    /// stored state is not an `S` (the caller decides what that means).
    async fn load_state<S: DeserializeOwned + Send>(
        &self,
        token: &str,
    ) -> Result<Option<(Option<S>, Revision)>, StoreError> {
        Ok(self
            .preview_state(token)
            .await?
            .map(|(doc, revision)| (doc.decode().ok(), revision)))
    }

    /// Saves `state` (and `held`, when given) if the stored state is still at `read`.
    async fn save_state<S, H>(
        &self,
        token: &str,
        state: &S,
        held: Option<&H>,
        read: Revision,
    ) -> Result<Swap, StoreError>
    where
        S: Serialize + Sync + ?Sized,
        H: Serialize + Sync + ?Sized,
    {
        let state = PreviewDoc::encode(state)
            .map_err(|e| StoreError::Query(format!("preview state cannot be serialised: {e}")))?;
        match held {
            Some(held) => {
                let data = PreviewDoc::encode(held).map_err(|e| {
                    StoreError::Query(format!("preview data cannot be serialised: {e}"))
                })?;
                self.update_preview_state_and_data(token, &state, &data, read)
                    .await
            }
            None => self.update_preview_state(token, &state, read).await,
        }
    }
}

impl<P: PreviewSessions + ?Sized> PreviewDocs for P {}
