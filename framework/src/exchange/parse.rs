//! Stage one: the received RegRep document becomes a [`Parsed`] request, or a refusal
//! naming the rule it broke.

use super::Refusal;
use super::run::{AuditFacts, ErrorContext, Run};
use super::trace::Stage;
use crate::edm::{self, EdmVersion, EvidenceRequest, Subject};
use crate::gateway::ebms::UserMessage;

/// A request that parsed; only [`parse`] makes one.
pub(super) struct Parsed {
    pub request: EvidenceRequest,
    /// Built here only: a stage cannot be skipped.
    _sealed: (),
}

/// Parses `regrep`; from here on the run's error answers echo the request, and its audit
/// facts name it.
pub(super) fn parse(
    run: &mut Run<'_>,
    regrep: &[u8],
    envelope: Option<&UserMessage>,
) -> Result<Parsed, Refusal> {
    let header_version = envelope
        .and_then(|h| h.specification_id())
        .and_then(EdmVersion::from_spec_id);
    let request = match edm::parse_request(regrep, &run.ex.limits) {
        Ok(r) => r,
        Err(e) => {
            run.echo = ErrorContext {
                version: e.version.or(header_version).unwrap_or(EdmVersion::V2_0),
                request_id: e.request_id.clone(),
                requester: e.requester.clone(),
                languages: Vec::new(),
            };
            let refusal = Refusal::new(e.code(), e.detail());
            run.trace
                .push(Stage::Parsed, format!("refused: {}", refusal.detail));
            return Err(refusal);
        }
    };
    // The user's languages, as far as the request tells: 1.x `xml:lang`, and the
    // languages the evidence is asked in.
    let languages = request
        .lang
        .iter()
        .chain(
            request
                .evidence_type
                .distributed_as
                .iter()
                .flat_map(|d| d.languages.iter()),
        )
        .cloned()
        .collect();
    run.facts = audit_facts(&run.ex.subject_key, &request);
    run.echo = ErrorContext {
        version: request.version,
        request_id: Some(request.id.clone()),
        requester: Some(request.requester().clone()),
        languages,
    };
    run.trace.push(
        Stage::Parsed,
        format!(
            "{} request {} (procedure {}, preview {})",
            request.version.spec_id(),
            request.id,
            request.procedure.as_deref().unwrap_or("-"),
            if request.possibility_for_preview {
                "allowed"
            } else {
                "not allowed"
            },
        ),
    );
    Ok(Parsed {
        request,
        _sealed: (),
    })
}

/// The audit facts of a parsed request; the subject keyed-hashed with `key`.
fn audit_facts(key: &[u8], request: &EvidenceRequest) -> AuditFacts {
    let requester = request.requester();
    let identity = match &request.subject {
        Subject::Natural(p) => [
            "natural",
            p.identifier
                .as_ref()
                .map(|i| i.value.as_str())
                .unwrap_or(""),
            &p.family_name,
            &p.given_name,
            &p.date_of_birth,
        ]
        .map(|s| s.trim().to_lowercase())
        .join("\u{1f}"),
        Subject::Legal(p) => [
            "legal",
            p.legal_person_identifier
                .as_ref()
                .map(|i| i.value.as_str())
                .unwrap_or(""),
            &p.legal_name,
        ]
        .map(|s| s.trim().to_lowercase())
        .join("\u{1f}"),
    };
    let tag = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key),
        identity.as_bytes(),
    );
    AuditFacts {
        request_id: Some(request.id.clone()),
        requester: Some(match &requester.identifier.scheme_id {
            Some(s) => format!("{s}:{}", requester.identifier.value),
            None => requester.identifier.value.clone(),
        }),
        evidence_type: Some(request.evidence_type.classification.clone()),
        subject: Some(tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()),
        procedure: request.procedure.clone(),
    }
}
