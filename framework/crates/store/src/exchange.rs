//! The persisted shape of one exchange: its state, its lease and its outbox.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where an inbound message stands. Only these points are durable: a crash anywhere
/// between two of them repeats the work from the earlier one, which is safe because
/// nothing left the adapter in between (matching is repeated, never the sending of a
/// different answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeState {
    /// Stored (and so acknowledged to the access point); no answer decided yet.
    Received,
    /// A preview follow-up waiting for the user's decision or the deadline.
    AwaitingPreview,
    /// The answer is decided and waits in the outbox.
    Decided,
    /// The answer was submitted to the access point.
    Answered,
    /// The access point confirmed delivery (an AS4 receipt, Domibus `sendSuccess`).
    Acknowledged,
    /// Every attempt the retry schedule allows failed (`EBMS:0301` MissingReceipt): not
    /// sent again; the outbox keeps the answer for the operator.
    Failed,
}

impl ExchangeState {
    /// Every state, in the order an exchange goes through them.
    pub const ALL: [ExchangeState; 6] = [
        ExchangeState::Received,
        ExchangeState::AwaitingPreview,
        ExchangeState::Decided,
        ExchangeState::Answered,
        ExchangeState::Acknowledged,
        ExchangeState::Failed,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeState::Received => "received",
            ExchangeState::AwaitingPreview => "awaiting_preview",
            ExchangeState::Decided => "decided",
            ExchangeState::Answered => "answered",
            ExchangeState::Acknowledged => "acknowledged",
            ExchangeState::Failed => "failed",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The answer has left the adapter.
    pub fn is_answered(self) -> bool {
        matches!(self, ExchangeState::Answered | ExchangeState::Acknowledged)
    }
}

/// What a worker that took the lease on a message is to do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The message is not in the store: fetch it from the access point first.
    Unknown,
    /// Another worker holds the lease.
    Busy,
    /// Already answered with this answer id: only acknowledge it again.
    Answered(String),
    /// Decide the answer to this request (its ebMS header XML and RegRep document).
    Decide {
        /// The ebMS header, as XML.
        header: String,
        /// The RegRep query document.
        regrep: Vec<u8>,
        /// The state the message is in.
        state: ExchangeState,
    },
    /// The answer is decided: send what the outbox holds.
    Send(OutboxEntry),
    /// The answer with this id could not be delivered ([`ExchangeState::Failed`]): only
    /// acknowledge the request again, never answer it anew.
    Failed(String),
}

/// An answer decided and not yet submitted.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The MessageId of the answer.
    pub answer_id: String,
    /// The outbound message, serialised (see `service::outbox`).
    pub message: Vec<u8>,
    /// Send attempts that failed so far.
    pub attempts: u32,
}

impl std::fmt::Debug for OutboxEntry {
    // The message holds the evidence: personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxEntry")
            .field("answer_id", &self.answer_id)
            .field("len", &self.message.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// A decided answer and its audit record, written together.
#[derive(Clone)]
pub struct Decision {
    /// The MessageId of the answer.
    pub answer_id: String,
    /// The outbound message, serialised.
    pub message: Vec<u8>,
    /// `ExecuteQueryResponse` or `ExceptionResponse`.
    pub action: String,
    /// The EDM error code, when the answer is an error.
    pub code: Option<String>,
    /// The generation of the configuration that decided it.
    pub generation: String,
    /// The journal record (JSON without personal data).
    pub audit: String,
}

impl std::fmt::Debug for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decision")
            .field("answer_id", &self.answer_id)
            .field("action", &self.action)
            .field("code", &self.code)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// One exchange as the operator page shows it: identifiers and outcome, no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct ExchangeSummary {
    /// The MessageId of the request received.
    pub message_id: String,
    /// Where the exchange stands.
    pub state: ExchangeState,
    /// When the request was stored.
    pub received_at: DateTime<Utc>,
    /// When the answer left, if it did.
    pub answered_at: Option<DateTime<Utc>>,
    /// `ExecuteQueryResponse` or `ExceptionResponse`, once decided.
    pub action: Option<String>,
    /// The EDM error code, when the answer is an error.
    pub code: Option<String>,
    /// The generation of the configuration that decided the answer.
    pub generation: Option<String>,
    /// Send attempts that failed so far.
    pub attempts: u32,
    /// The last send error (a code, no personal data).
    pub last_error: Option<String>,
}
