//! EDM error responses (`query:QueryResponse status=…:Failure`) and the eight error codes:
//! the typed model only; reading and writing them is `error_xml`.

use serde::Serialize;

use crate::model::{Agent, LocalizedText};
use crate::version::EdmVersion;

/// Severity of every exception except the preview redirect.
pub const SEVERITY_ERROR: &str = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error";
/// Severity of `EDM:ERR:0002` (preview required), 2.0.1 form.
pub const SEVERITY_PREVIEW_REQUIRED: &str =
    "urn:sr.oots.tech.ec.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired";
/// `status` of an error response.
pub const STATUS_FAILURE: &str = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure";

/// The `EDMErrorCodes` code list (identical in 1.2.5 and 2.0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ErrorCode {
    /// `EDM:ERR:0001` Failed Authentication.
    FailedAuthentication,
    /// `EDM:ERR:0002` Missing Authorization: the preview redirect.
    MissingAuthorization,
    /// `EDM:ERR:0003` syntactically or semantically invalid request.
    InvalidRequest,
    /// `EDM:ERR:0004` object (evidence/subject) not found.
    ObjectNotFound,
    /// `EDM:ERR:0005` timeout.
    Timeout,
    /// `EDM:ERR:0006` unresolved reference.
    UnresolvedReference,
    /// `EDM:ERR:0007` unsupported capability.
    UnsupportedCapability,
    /// `EDM:ERR:0008` invalid query (the only one in the `query` namespace).
    InvalidQuery,
}

impl ErrorCode {
    /// All eight codes in code order.
    pub const ALL: [ErrorCode; 8] = [
        Self::FailedAuthentication,
        Self::MissingAuthorization,
        Self::InvalidRequest,
        Self::ObjectNotFound,
        Self::Timeout,
        Self::UnresolvedReference,
        Self::UnsupportedCapability,
        Self::InvalidQuery,
    ];

    /// `EDM:ERR:000n`.
    pub fn code(self) -> &'static str {
        match self {
            Self::FailedAuthentication => "EDM:ERR:0001",
            Self::MissingAuthorization => "EDM:ERR:0002",
            Self::InvalidRequest => "EDM:ERR:0003",
            Self::ObjectNotFound => "EDM:ERR:0004",
            Self::Timeout => "EDM:ERR:0005",
            Self::UnresolvedReference => "EDM:ERR:0006",
            Self::UnsupportedCapability => "EDM:ERR:0007",
            Self::InvalidQuery => "EDM:ERR:0008",
        }
    }

    /// `xsi:type` of the `rs:Exception`, with its canonical prefix.
    pub fn xsi_type(self) -> &'static str {
        match self {
            Self::FailedAuthentication => "rs:AuthenticationExceptionType",
            Self::MissingAuthorization => "rs:AuthorizationExceptionType",
            Self::InvalidRequest => "rs:InvalidRequestExceptionType",
            Self::ObjectNotFound => "rs:ObjectNotFoundExceptionType",
            Self::Timeout => "rs:TimeoutExceptionType",
            Self::UnresolvedReference => "rs:UnresolvedReferenceExceptionType",
            Self::UnsupportedCapability => "rs:UnsupportedCapabilityExceptionType",
            Self::InvalidQuery => "query:QueryExceptionType",
        }
    }

    /// `message` attribute (2.0.1 code list text).
    pub fn message(self) -> &'static str {
        match self {
            Self::FailedAuthentication => "Failed Authentication",
            Self::MissingAuthorization => "Missing Authorization",
            Self::InvalidRequest => "Syntactically or semantically invalid request",
            Self::ObjectNotFound => "Object not found",
            Self::Timeout => "Exceeding timeout period",
            Self::UnresolvedReference => "Referenced object that cannot be resolved",
            Self::UnsupportedCapability => "Optional feature or capability is not supported",
            Self::InvalidQuery => "Invalid query syntax or semantics that must be corrected",
        }
    }

    /// `severity` attribute (R-EDM-ERR-C015/C022).
    pub fn severity(self) -> &'static str {
        match self {
            Self::MissingAuthorization => SEVERITY_PREVIEW_REQUIRED,
            _ => SEVERITY_ERROR,
        }
    }

    /// Parses `EDM:ERR:000n`.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim();
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Maps an exception type (local part, prefix ignored) back to its code.
    pub fn from_xsi_type(xsi_type: &str) -> Option<Self> {
        let local = xsi_type
            .trim()
            .split_once(':')
            .map_or(xsi_type.trim(), |(_, l)| l);
        Self::ALL
            .into_iter()
            .find(|c| c.xsi_type().split_once(':').map(|(_, l)| l) == Some(local))
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// One `rs:Exception`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdmException {
    /// Which of the eight EDM error codes.
    pub code: ErrorCode,
    /// Free text (`detail` attribute); never personal data.
    pub detail: Option<String>,
    /// `Timestamp` slot (xsd:dateTime).
    pub timestamp: String,
    /// `EDM:ERR:0002`: where the user previews the evidence (https).
    pub preview_location: Option<String>,
    /// Text shown with the preview link (`PreviewDescription` slot).
    pub preview_description: Vec<LocalizedText>,
    /// 1.x only: `GET`/`POST`/`PUT`.
    pub preview_method: Option<String>,
}

impl EdmException {
    /// `severity` attribute: `PreviewRequired` only for the preview redirect (an
    /// `EDM:ERR:0002` carrying a `PreviewLocation`, R-EDM-ERR-C022); an `EDM:ERR:0002`
    /// refusing an unauthorised requester is an `Error` (R-EDM-ERR-C015 leaves it free).
    pub fn severity(&self) -> &'static str {
        if self.code == ErrorCode::MissingAuthorization && self.preview_location.is_none() {
            SEVERITY_ERROR
        } else {
            self.code.severity()
        }
    }

    /// Exception with only code, detail and timestamp.
    pub fn new(code: ErrorCode, detail: Option<String>, timestamp: impl Into<String>) -> Self {
        Self {
            code,
            detail,
            timestamp: timestamp.into(),
            preview_location: None,
            preview_description: Vec::new(),
            preview_method: None,
        }
    }
}

/// An EDM error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorResponse {
    /// Version of the request answered (decides the XML shape).
    pub version: EdmVersion,
    /// The request's `@id`; may be absent when the request could not be read.
    pub request_id: Option<String>,
    /// `EvidenceResponseIdentifier` (plain UUID).
    pub response_id: String,
    /// Written with `Classification` `ERRP`.
    pub error_provider: Agent,
    /// Written with Identifier and Name only.
    pub requester: Option<Agent>,
    /// The reasons of the failure; at least one.
    pub exceptions: Vec<EdmException>,
}

/// The `detail` of every `EDM:ERR:0004` that identity matching leads to: nobody fits,
/// several could, too many candidates, the preview's sign-in did not single out one
/// record, or was not the request's subject or the record's person. One text for all, so a
/// requester cannot probe whether someone of a given name and birth date is registered.
/// The reason goes to the journal (the matching explanation), the logs (without personal
/// data) and `oots-adapter test --explain`, never to the requester.
pub const NOT_FOUND_DETAIL: &str = "No evidence could be found for the evidence subject";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_consistent() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(c.code()), Some(c));
            assert_eq!(ErrorCode::from_xsi_type(c.xsi_type()), Some(c));
        }
        assert_eq!(
            ErrorCode::InvalidQuery.xsi_type(),
            "query:QueryExceptionType"
        );
        assert_eq!(
            ErrorCode::MissingAuthorization.severity(),
            SEVERITY_PREVIEW_REQUIRED
        );
        assert_eq!(ErrorCode::ObjectNotFound.severity(), SEVERITY_ERROR);
        assert_eq!(ErrorCode::from_code("EDM:ERR:0009"), None);
    }
}
