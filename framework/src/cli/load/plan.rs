//! What a load run sends and expects: the requests of a deployment's mapping tests, each
//! with the outcome its test expects, cycled to the number of requests asked for.

use crate::config::AdapterConfig;
use crate::edm::{self, QueryResponse, XmlLimits};
use crate::gateway::OutboundMessage;
use crate::gateway::ebms;
use crate::mapping::MappingSet;
use crate::requester::RequestSpec;
use crate::verify;

/// The media type of the RegRep part of a request or an answer.
pub const REGREP: &str = "application/x-ebrs+xml";

/// One mapping test, as a request to send again and again.
#[derive(Debug, Clone)]
pub struct Case {
    /// `mapping › test`, as `oots-adapter test` names it.
    pub title: String,
    pub spec: RequestSpec,
    pub expect: Expected,
}

/// The outcome a mapping test expects, in what an answer on the wire shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// `ExecuteQueryResponse` (evidence) or `ExceptionResponse`.
    pub action: &'static str,
    /// The EDM error code of an `ExceptionResponse`.
    pub code: Option<String>,
    /// The media type of the evidence attached.
    pub attachment: Option<String>,
}

/// The cases of every mapping test of `set`, in file order.
pub fn cases(cfg: &AdapterConfig, set: &MappingSet) -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    for m in set.mappings() {
        for t in &m.spec.tests {
            let spec = verify::request_spec(cfg, m, t)?;
            let e = &t.expect;
            // As `oots-adapter test` reads it: an error code, or an error action, means an
            // error answer; otherwise evidence.
            let error =
                e.code.is_some() || e.action.as_deref() == Some(ebms::ACTION_EXCEPTION_RESPONSE);
            out.push(Case {
                title: format!("{} › {}", m.name, t.name),
                spec,
                expect: Expected {
                    action: if error {
                        ebms::ACTION_EXCEPTION_RESPONSE
                    } else {
                        ebms::ACTION_EXECUTE_QUERY_RESPONSE
                    },
                    code: e.code.clone(),
                    attachment: e.attachment.clone(),
                },
            });
        }
    }
    Ok(out)
}

/// Whether `answer` is the outcome `expect` names; why not, without personal data.
pub fn check(expect: &Expected, answer: &OutboundMessage) -> Result<(), String> {
    let Some(regrep) = answer.payloads.iter().find(|p| p.mime_type == REGREP) else {
        return Err("the answer has no RegRep part".to_owned());
    };
    let got = match edm::parse_response(&regrep.bytes, &XmlLimits::default()) {
        Ok(r) => r,
        Err(e) => return Err(format!("the answer does not parse: {e}")),
    };
    match (&got, expect.action) {
        (QueryResponse::Evidence(_), ebms::ACTION_EXCEPTION_RESPONSE) => {
            return Err(format!(
                "expected {}, got evidence",
                expect.code.as_deref().unwrap_or("an error")
            ));
        }
        (QueryResponse::Error(err), ebms::ACTION_EXECUTE_QUERY_RESPONSE) => {
            return Err(format!("expected evidence, got {}", codes(err)));
        }
        _ => {}
    }
    if answer.header.action != expect.action {
        return Err(format!(
            "expected action {}, got {}",
            expect.action, answer.header.action
        ));
    }
    if let (Some(want), QueryResponse::Error(err)) = (&expect.code, &got)
        && !err.exceptions.iter().any(|x| x.code.code() == want)
    {
        return Err(format!("expected {want}, got {}", codes(err)));
    }
    if let (Some(want), QueryResponse::Evidence(_)) = (&expect.attachment, &got)
        && !answer
            .payloads
            .iter()
            .any(|p| p.mime_type != REGREP && &p.mime_type == want)
    {
        return Err(format!("expected a {want} attachment, got none"));
    }
    Ok(())
}

fn codes(err: &edm::ErrorResponse) -> String {
    let all: Vec<&str> = err.exceptions.iter().map(|x| x.code.code()).collect();
    if all.is_empty() {
        "an error without exception".to_owned()
    } else {
        all.join(", ")
    }
}
