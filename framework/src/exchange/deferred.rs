//! A deferral: the subject's record was matched with confidence, its evidence exists but
//! the mapping says it is not available yet (`evidence.deferred`). The answer says from
//! when (TDD 4.5.2; `ResponseAvailableDateTime`, R-EDM-RESP-S014/S045) and carries no
//! evidence; the exchange ends there and the requester comes back with a new request.

use chrono::{DateTime, Utc};
use oots_connector::Record;

use super::answer::{Outcome, answered, provider_agent_of, requester_echo};
use super::route::Routed;
use super::run::Run;
use super::trace::Stage;
use super::{Answer, Refusal};
use crate::clock::edm_timestamp;
use crate::edm::{self, DeferredResponse, ErrorCode};

/// When `record`'s evidence becomes available, if the mapping defers it past `now`; a
/// refusal when the record's date cannot be read (nothing is sent from a date we cannot
/// trust, evidence least of all).
pub(super) fn deferral(
    routed: &Routed<'_>,
    record: &Record,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, Refusal> {
    let Some(spec) = &routed.mapping.spec.evidence.deferred else {
        return Ok(None);
    };
    spec.value.until(record, now).map_err(|e| {
        tracing::error!(code = e.code(), mapping = %routed.mapping.name, error = %e, "the record's availability date is unreadable");
        Refusal::new(
            ErrorCode::InvalidQuery,
            format!("the evidence could not be produced ({})", e.code()),
        )
    })
}

/// When the subject's evidences (`evidence.several`: each record) become available: one
/// answer carries them all, so it is deferred while any is, until the latest of their
/// dates; a refusal when any record's date cannot be read.
pub(super) fn deferral_of_all(
    routed: &Routed<'_>,
    records: &[Record],
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, Refusal> {
    let mut latest = None;
    for record in records {
        latest = latest.max(deferral(routed, record, now)?);
    }
    Ok(latest)
}

impl Run<'_> {
    /// Answers with a deferral: the evidence is available from `until`.
    pub fn defer(self, routed: &Routed<'_>, until: DateTime<Utc>) -> Answer {
        defer(self, routed, until)
    }
}

fn defer(mut run: Run<'_>, routed: &Routed<'_>, until: DateTime<Utc>) -> Answer {
    let (ex, now) = (run.ex, run.now);
    let request = routed.request;
    let available = edm_timestamp(until);
    run.trace.push(
        Stage::Matched,
        format!("the evidence is not available yet: deferred until {available}"),
    );
    let response = DeferredResponse {
        version: run.echo.version,
        request_id: request.id.clone(),
        response_id: ex.ids.uuid().to_string(),
        issue_date_time: edm_timestamp(now),
        available_date_time: available.clone(),
        provider: provider_agent_of(ex, "EP"),
        requester: requester_echo(request.requester()),
    };
    let document = edm::write_deferred(&response);
    answered(
        run,
        format!("ExecuteQueryResponse Unavailable (deferred until {available})"),
        Some(request.id.clone()),
        Outcome::Deferred {
            mapping: routed.mapping.name.clone(),
            available,
        },
        document,
        Vec::new(),
    )
}
