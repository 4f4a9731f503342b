//! The run context: what every stage of one exchange needs (the exchange, the generation
//! answering it, the instant it is answered at, the trace, what an error answer echoes and
//! the audit facts), carried by one value instead of threaded through every function.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Exchange;
use super::trace::{Stage, Trace};
use crate::edm::{Agent, EdmVersion};
use crate::mapping::MappingSet;

/// One exchange in progress. Answering consumes it: the trace and the facts go into the
/// answer.
pub(super) struct Run<'e> {
    pub ex: &'e Exchange,
    /// The generation this exchange is answered with, start to end, even if a reload
    /// happens meanwhile.
    pub set: Arc<MappingSet>,
    /// The instant the exchange is answered at (timestamps, deadlines, the preview clock).
    pub now: DateTime<Utc>,
    pub trace: Trace,
    /// What an error answer echoes; known better once the request parsed.
    pub echo: ErrorContext,
    /// Who asked for what about whom (hashed), once the request parsed.
    pub facts: AuditFacts,
}

impl<'e> Run<'e> {
    /// A run starting now, with the generation answering now, for a received document of
    /// `bytes` bytes.
    pub fn start(ex: &'e Exchange, bytes: usize) -> Self {
        let set = ex.generations.current();
        let now = ex.clock.now();
        let mut trace = Trace::default();
        trace.push(Stage::Received, format!("{bytes} bytes of RegRep XML"));
        Self {
            ex,
            set,
            now,
            trace,
            echo: ErrorContext {
                version: EdmVersion::V2_0,
                request_id: None,
                requester: None,
                languages: Vec::new(),
            },
            facts: AuditFacts::default(),
        }
    }
}

/// What an error answer can echo from a request that may not have parsed.
pub(super) struct ErrorContext {
    pub version: EdmVersion,
    pub request_id: Option<String>,
    pub requester: Option<Agent>,
    /// Languages the request asked for (for texts such as `PreviewDescription`).
    pub languages: Vec<String>,
}

/// What the audit journal records of a request besides the outcome: no personal data,
/// the subject only as a keyed hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AuditFacts {
    pub request_id: Option<String>,
    /// The evidence requester's identifier (`scheme:value`).
    pub requester: Option<String>,
    /// The requested evidence type's classification.
    pub evidence_type: Option<String>,
    /// HMAC-SHA256 of the subject's identity attributes (lower-cased, trimmed), hex.
    pub subject: Option<String>,
    pub procedure: Option<String>,
}
