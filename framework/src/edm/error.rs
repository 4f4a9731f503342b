//! EDM error responses (`query:QueryResponse status=…:Failure`) and the eight error codes.

use roxmltree::Node;
use serde::Serialize;

use super::model::{Agent, LocalizedText};
use super::parse_error::EdmError;
use super::rim;
use super::sdg::{self, AgentShape};
use super::version::EdmVersion;
use super::xml::{self, NS_RS, ROOT_NAMESPACES, XmlWriter};

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
    pub code: ErrorCode,
    /// Free text (`detail` attribute); never personal data.
    pub detail: Option<String>,
    /// `Timestamp` slot (xsd:dateTime).
    pub timestamp: String,
    /// `EDM:ERR:0002`: where the user previews the evidence (https).
    pub preview_location: Option<String>,
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
    pub version: EdmVersion,
    /// The request's `@id`; may be absent when the request could not be read.
    pub request_id: Option<String>,
    /// `EvidenceResponseIdentifier` (plain UUID).
    pub response_id: String,
    /// Written with `Classification` `ERRP`.
    pub error_provider: Agent,
    /// Written with Identifier and Name only.
    pub requester: Option<Agent>,
    pub exceptions: Vec<EdmException>,
}

/// Serialises an error response (only the four top-level slots of R-EDM-ERR-S017a).
pub fn write_error(err: &ErrorResponse) -> String {
    let mut w = XmlWriter::new();
    let mut attrs: Vec<(&str, &str)> = ROOT_NAMESPACES.to_vec();
    if let Some(id) = &err.request_id {
        attrs.push(("requestId", id));
    }
    attrs.push(("status", STATUS_FAILURE));
    w.open("query:QueryResponse", &attrs);
    rim::write_string(&mut w, "SpecificationIdentifier", err.version.spec_id());
    rim::write_string(&mut w, "EvidenceResponseIdentifier", &err.response_id);
    rim::write_any(&mut w, "ErrorProvider", |w| {
        sdg::write_agent(
            w,
            "sdg:Agent",
            &err.error_provider,
            AgentShape::Full,
            Some(Agent::ERROR_PROVIDER),
        );
    });
    if let Some(requester) = &err.requester {
        rim::write_any(&mut w, "EvidenceRequester", |w| {
            sdg::write_agent(
                w,
                "sdg:Agent",
                requester,
                AgentShape::IdentifierAndName,
                None,
            );
        });
    }
    for e in &err.exceptions {
        let mut attrs = vec![
            ("xsi:type", e.code.xsi_type()),
            ("code", e.code.code()),
            ("message", e.code.message()),
            ("severity", e.severity()),
        ];
        if let Some(d) = &e.detail {
            attrs.push(("detail", d));
        }
        w.open("rs:Exception", &attrs);
        rim::write_datetime(&mut w, "Timestamp", &e.timestamp);
        if let Some(l) = &e.preview_location {
            rim::write_string(&mut w, "PreviewLocation", l);
        }
        if !e.preview_description.is_empty() {
            rim::write_intl(&mut w, "PreviewDescription", &e.preview_description);
        }
        if !err.version.is_v2()
            && let Some(m) = &e.preview_method
        {
            rim::write_string(&mut w, "PreviewMethod", m);
        }
        w.close("rs:Exception");
    }
    w.close("query:QueryResponse");
    w.finish()
}

fn read_exception(node: Node<'_, '_>) -> Result<EdmException, EdmError> {
    let code = node
        .attribute("code")
        .and_then(ErrorCode::from_code)
        .or_else(|| xml::xsi_type(node).and_then(ErrorCode::from_xsi_type))
        .ok_or_else(|| {
            EdmError::Invalid("rs:Exception has neither a known @code nor a known xsi:type".into())
        })?;
    let simple = |name: &str| {
        rim::find_slot(node, name)
            .and_then(|s| s.value())
            .and_then(rim::simple_value)
            .filter(|v| !v.is_empty())
    };
    Ok(EdmException {
        code,
        detail: node.attribute("detail").map(str::to_string),
        timestamp: simple("Timestamp").unwrap_or_default(),
        preview_location: simple("PreviewLocation"),
        preview_description: rim::find_slot(node, "PreviewDescription")
            .and_then(|s| s.value())
            .map(rim::intl_values)
            .unwrap_or_default(),
        preview_method: simple("PreviewMethod"),
    })
}

/// Reads an error response; lenient about absent top-level slots (seen in hand-written
/// peers' preview errors): a missing provider becomes an empty agent, a missing response
/// identifier an empty string.
pub(crate) fn read_error_response(
    root: Node<'_, '_>,
    version: EdmVersion,
) -> Result<ErrorResponse, EdmError> {
    let any_agent = |name: &str| -> Result<Option<Agent>, EdmError> {
        let Some(node) = rim::find_slot(root, name)
            .and_then(|s| s.value())
            .and_then(|v| rim::agents_or_any(v).into_iter().next())
        else {
            return Ok(None);
        };
        sdg::read_agent(node)
            .map(Some)
            .map_err(|m| EdmError::Invalid(format!("{name} agent lacks {}", m.0)))
    };
    let exceptions = xml::children(root, NS_RS, "Exception")
        .map(read_exception)
        .collect::<Result<Vec<_>, _>>()?;
    if exceptions.is_empty() {
        return Err(EdmError::Invalid(
            "error response without rs:Exception".into(),
        ));
    }
    Ok(ErrorResponse {
        version,
        request_id: root.attribute("requestId").map(|s| s.trim().to_string()),
        response_id: rim::find_slot(root, "EvidenceResponseIdentifier")
            .and_then(|s| s.value())
            .and_then(rim::simple_value)
            .unwrap_or_default(),
        error_provider: any_agent("ErrorProvider")?.unwrap_or_default(),
        requester: any_agent("EvidenceRequester")?,
        exceptions,
    })
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
