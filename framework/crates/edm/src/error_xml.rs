//! XML codec of error responses: the model of `error` to and from `query:QueryResponse`
//! (kept apart so the model does not depend on the XML code).

use roxmltree::Node;

use crate::error::{EdmException, ErrorCode, ErrorResponse, STATUS_FAILURE};
use crate::model::Agent;
use crate::parse_error::EdmError;
use crate::rim;
use crate::sdg::{self, AgentShape};
use crate::version::EdmVersion;
use crate::xml::{self, NS_RS, ROOT_NAMESPACES, XmlWriter};

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
