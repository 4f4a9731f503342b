//! One evidence exchange: from the received request to the answer that goes back.
//!
//! Every EDM error that reaches a requester is chosen here, from typed causes: the parser
//! names the violated rule, the matcher says why nobody (or more than one person) fits,
//! the connector says whether the registry was down. Infrastructure failures that make
//! any answer unsafe (the state store is gone) are returned as [`ExchangeError`] instead,
//! so the caller acknowledges nothing and the message is delivered again.

mod answer;
mod associated;
mod context;
mod deadline;
mod deferred;
pub(crate) mod find;
mod metadata;
mod original_sender;
mod parse;
mod pipeline;
mod preview;
mod produce;
mod represent;
mod resolve;
mod route;
mod run;
mod several;
mod trace;

pub use answer::{Answer, Attachment, Outcome, Produced};
pub use resolve::Resolution;
pub use run::AuditFacts;
pub use trace::{Stage, Trace};

use std::sync::Arc;

use crate::clock::{Clock, IdSource, RandomIds, SystemClock};
use crate::config::AdapterConfig;
use crate::edm::{ErrorCode, XmlLimits};
use crate::gateway::ebms::UserMessage;
use crate::mapping::Generations;
use crate::mapping::MappingSet;
use crate::store::{Store, StoreError};

/// A failure that must not be answered: nothing may be acknowledged to the gateway.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A preview follow-up whose user has not decided yet, asked of a caller that cannot
    /// wait (offline tools); `serve` holds it instead.
    #[error("the preview follow-up is held until the user decides (deadline {0})")]
    PreviewPending(chrono::DateTime<chrono::Utc>),
}

impl ExchangeError {
    pub fn code(&self) -> &'static str {
        match self {
            ExchangeError::Store(e) => e.code(),
            ExchangeError::PreviewPending(_) => "PREVIEW_PENDING",
        }
    }
}

/// Everything needed to answer requests: configuration, the mapping generation, state.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub(crate) config: Arc<AdapterConfig>,
    pub(crate) generations: Arc<Generations>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdSource>,
    pub(crate) limits: XmlLimits,
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
    /// The key subjects are hashed with in the audit journal.
    pub(crate) subject_key: Arc<[u8]>,
}

impl Exchange {
    pub fn new(
        config: Arc<AdapterConfig>,
        mappings: Arc<MappingSet>,
        store: Arc<dyn Store>,
    ) -> Self {
        let limits = XmlLimits {
            max_bytes: config.xml.max_bytes,
            max_depth: config.xml.max_depth,
            ..XmlLimits::default()
        };
        Self {
            config,
            generations: Arc::new(Generations::new(mappings)),
            store,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            limits,
            metrics: Arc::new(crate::metrics::Metrics::new()),
            subject_key: Arc::from(Vec::new()),
        }
    }

    /// Sets the key subjects are hashed with in the audit journal (`audit.subject_key`,
    /// or the one kept in the store).
    pub fn with_subject_key(mut self, key: Vec<u8>) -> Self {
        self.subject_key = Arc::from(key);
        self
    }

    /// The process's metrics.
    pub fn metrics(&self) -> &Arc<crate::metrics::Metrics> {
        &self.metrics
    }

    /// Replaces clock and id source (deterministic tests and golden files).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Self {
        self.clock = clock;
        self.ids = ids;
        self
    }

    /// The mapping generation answering now.
    pub fn mappings(&self) -> Arc<MappingSet> {
        self.generations.current()
    }

    /// The running generation and reload state, shared with the reloader.
    pub fn generations(&self) -> &Arc<Generations> {
        &self.generations
    }

    /// Answers one RegRep request document. `envelope` is the ebMS header it arrived with,
    /// when it came through a gateway (its SpecificationId must agree with the body).
    pub async fn answer(
        &self,
        regrep: &[u8],
        envelope: Option<&UserMessage>,
    ) -> Result<Answer, ExchangeError> {
        match self.reply(regrep, envelope).await? {
            Reply::Answer(a) => Ok(*a),
            Reply::Held { until } => Err(ExchangeError::PreviewPending(until)),
        }
    }

    /// Like [`Exchange::answer`], but a preview follow-up whose user is still deciding is
    /// [`Reply::Held`] rather than an error: the caller keeps the message and asks again
    /// when the user decides or the deadline passes.
    pub async fn reply(
        &self,
        regrep: &[u8],
        envelope: Option<&UserMessage>,
    ) -> Result<Reply, ExchangeError> {
        pipeline::run(self, regrep, envelope).await
    }

    /// Looks for the subject's record again with the identifier the person signed in with
    /// in the preview space: the first request (`request`, as it arrived) fitted several
    /// records and the mapping left it to the sign-in (`on_ambiguous: preview`).
    pub async fn resolve(&self, request: &str, person_identifier: &str) -> Resolution {
        resolve::resolve(self, request, person_identifier).await
    }

    /// The state store (the preview space reads and moves its sessions there).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The configuration this exchange runs with.
    pub fn config(&self) -> &Arc<AdapterConfig> {
        &self.config
    }

    /// The clock (fixed in tests).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// What an exchange ends in: an answer to send now, or a follow-up held until the user
/// decides in the preview space (or the deadline passes).
#[derive(Debug, Clone)]
pub enum Reply {
    Answer(Box<Answer>),
    Held {
        until: chrono::DateTime<chrono::Utc>,
    },
}

impl From<Answer> for Reply {
    fn from(a: Answer) -> Self {
        Reply::Answer(Box::new(a))
    }
}

pub use crate::edm::NOT_FOUND_DETAIL;

/// The EDM error a failed stage ends in, with a detail free of personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub detail: String,
}

/// The longest detail an answer carries, in characters: a backstop, so that no request
/// value quoted in a detail can make the answer grow with it.
pub const MAX_DETAIL_CHARS: usize = 512;

impl Refusal {
    /// A refusal; a detail longer than [`MAX_DETAIL_CHARS`] is cut, marked with `…`.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        let mut detail = detail.into();
        if let Some((cut, _)) = detail.char_indices().nth(MAX_DETAIL_CHARS) {
            detail.truncate(cut);
            detail.push('…');
        }
        Self { code, detail }
    }

    /// A refusal naming the rule the request broke: detail `"<rule id>: <text>"`.
    pub fn rule(code: ErrorCode, rule: crate::edm::Rule, detail: impl AsRef<str>) -> Self {
        Self::new(code, format!("{}: {}", rule.id(), detail.as_ref()))
    }

    /// `EDM:ERR:0004` with [`NOT_FOUND_DETAIL`]: the subject was not identified.
    pub fn not_found() -> Self {
        Self::new(ErrorCode::ObjectNotFound, NOT_FOUND_DETAIL)
    }
}

#[cfg(test)]
mod refusal_tests {
    use super::*;

    #[test]
    fn details_are_capped_and_name_their_rule() {
        let r = Refusal::new(ErrorCode::InvalidRequest, "é".repeat(10_000));
        assert_eq!(r.detail.chars().count(), MAX_DETAIL_CHARS + 1);
        assert!(r.detail.ends_with('…'));
        let r = Refusal::rule(
            ErrorCode::InvalidRequest,
            crate::edm::Rule::Tdd44,
            "request identifier already used",
        );
        assert_eq!(r.detail, "TDD 4.4: request identifier already used");
    }
}
