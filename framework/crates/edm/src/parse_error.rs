//! Typed failures of the EDM readers.

use crate::error::ErrorCode;
use crate::model::Agent;
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::XmlError;

/// Why a request was refused, without any value taken from the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestErrorKind {
    /// A hardening limit was hit: `max_bytes`, `max_depth`, `max_attributes`, `max_nodes`,
    /// `dtd` (any DOCTYPE/ENTITY declaration) or `entities`.
    #[error("XML rejected by hardening limit '{limit}'")]
    Hostile {
        /// Name of the limit hit: a fixed label, never request content.
        limit: &'static str,
    },
    /// Not well-formed XML (position and a fixed label only).
    #[error("{0}")]
    Malformed(String),
    /// An EDM rule failed.
    #[error("{rule}: {detail}")]
    Rule {
        /// The rule broken, e.g. [`Rule::ReqS015`] (`R-EDM-REQ-S015`).
        rule: Rule,
        /// What is wrong, naming elements and constraints, never received values.
        detail: String,
    },
}

/// A refused evidence request, with whatever could be recovered so the caller can still
/// answer with an EDM error response (`EDM:ERR:0003`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid evidence request: {kind}")]
pub struct RequestError {
    /// The request's `@id` when it is a well-formed `urn:uuid:` value.
    pub request_id: Option<String>,
    /// The announced version when the `SpecificationIdentifier` slot could be read.
    pub version: Option<EdmVersion>,
    /// The evidence requester agent when it could be read (to echo in the error).
    pub requester: Option<Agent>,
    /// Why the request was refused.
    pub kind: RequestErrorKind,
}

impl RequestError {
    pub(crate) fn from_xml(e: XmlError, request_id: Option<String>) -> Self {
        let kind = match e {
            XmlError::Hostile(limit) => RequestErrorKind::Hostile { limit },
            XmlError::Malformed(m) => RequestErrorKind::Malformed(m),
        };
        Self {
            request_id,
            version: None,
            requester: None,
            kind,
        }
    }

    /// The EDM error code to answer with: always `EDM:ERR:0003` (invalid request).
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidRequest
    }

    /// The violated rule's id (`R-EDM-REQ-C003`), for rule failures.
    pub fn rule(&self) -> Option<&'static str> {
        self.violated().map(Rule::id)
    }

    /// The violated rule, for rule failures.
    pub fn violated(&self) -> Option<Rule> {
        match &self.kind {
            RequestErrorKind::Rule { rule, .. } => Some(*rule),
            _ => None,
        }
    }

    /// Text for the exception's `detail` attribute, naming the rule; free of personal data.
    pub fn detail(&self) -> String {
        self.kind.to_string()
    }
}

/// Why a response (evidence or error) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EdmError {
    /// A hardening limit was hit (see [`RequestErrorKind::Hostile`]).
    #[error("XML rejected by hardening limit '{limit}'")]
    Hostile {
        /// Name of the limit hit: a fixed label, never request content.
        limit: &'static str,
    },
    /// Not well-formed XML.
    #[error("{0}")]
    Malformed(String),
    /// Well-formed, but not an EDM message we can represent (names the element or rule).
    #[error("invalid EDM message: {0}")]
    Invalid(String),
}

impl From<XmlError> for EdmError {
    fn from(e: XmlError) -> Self {
        match e {
            XmlError::Hostile(limit) => Self::Hostile { limit },
            XmlError::Malformed(m) => Self::Malformed(m),
        }
    }
}
