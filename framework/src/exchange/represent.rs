//! Stage three and a half: the request's representative (TDD 2.0.1 chapter 2.3,
//! `AuthorizedRepresentative` / `AuthorizedRepresentativeLegalPerson`).
//!
//! - [`preview_refusal`]: a preview needs a natural person to sign in; a request naming
//!   nobody who could is refused before a link is issued (`TDD 2.3 representation`).
//! - [`power`]: when the mapping has a `representation:` section, the registry must show
//!   the representative may act for the subject (a director of *this* company), found by
//!   a second query through the same connection, with bound parameters only, and decided
//!   by the matching rules (docs/matching.md). No power: the neutral `EDM:ERR:0004`, and
//!   nothing is released or held.
//!
//! Personal data never reaches a detail, the trace or the log: they say which check
//! failed, never with which values.

use oots_connector::{CancellationToken, FieldPaths, Lookup, Params, Record, Value};

use super::Refusal;
use super::route::{Routed, identity_of};
use super::run::Run;
use super::trace::Stage;
use crate::edm::{ErrorCode, EvidenceRequest, Rule, Subject};
use crate::mapping::{Bound, Representation, SCOPE_ATTRIBUTE};
use crate::matching::{Attribute, Identity, MatchOutcome, Matching, matching};
use crate::preview::identity::RecordIdentity;
use crate::preview::representative::Representative;

/// The representative's `PowerOfRepresentationScope` (`sdg:SectorSpecificAttribute`,
/// R-EDM-REQ-C081/C091), trimmed; `None` without representative or attribute.
pub(super) fn scope(request: &EvidenceRequest) -> Option<&str> {
    let attributes = match request.representative.as_ref()? {
        Subject::Natural(p) => &p.sector_specific_attributes,
        Subject::Legal(l) => &l.sector_specific_attributes,
    };
    attributes
        .iter()
        .find(|a| a.name.trim() == SCOPE_ATTRIBUTE)
        .map(|a| a.value.trim())
}

/// Why no preview can be offered for `request`, if so: nobody natural the sign-in could
/// be compared with. A `LegalPerson` subject is acted for by its `AuthorizedRepresentative`
/// (`sdg:Person`), who signs in; without one, or with an
/// `AuthorizedRepresentativeLegalPerson` (a company acting for a company: no eIDAS
/// natural-person identity to compare), the preview is refused.
pub(super) fn preview_refusal(request: &EvidenceRequest) -> Option<Refusal> {
    let detail = match (&request.subject, &request.representative) {
        (_, Some(Subject::Legal(_))) => {
            "a preview needs a natural person to sign in, and the request's representative is a legal person (AuthorizedRepresentativeLegalPerson)"
        }
        (Subject::Legal(_), None) => {
            "a preview needs a natural person to sign in, and the request names no AuthorizedRepresentative for its LegalPerson subject"
        }
        _ => return None,
    };
    Some(Refusal::rule(
        ErrorCode::UnsupportedCapability,
        Rule::Tdd23Representation,
        detail,
    ))
}

/// What a preview session keeps of the representative: the request's natural person,
/// the registry row granting the power (when the mapping checks it) and the identifiers
/// `record` (the subject's, when known) states.
pub(super) fn held_representative(
    routed: &Routed<'_>,
    record: Option<&Record>,
    power: Option<RecordIdentity>,
) -> Option<Representative> {
    let attributes = representative_identity(routed.request)?.attributes;
    let subject_identifiers = record
        .map(|record| {
            let fields = routed.mapping.engine.fields();
            fields
                .get(&Attribute::LegalPersonIdentifier)
                .into_iter()
                .flatten()
                .filter_map(|f| record.get(f)?.as_text())
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(Representative {
        attributes,
        power,
        subject_identifiers,
    })
}

/// The request's natural-person representative as matching attributes.
fn representative_identity(request: &EvidenceRequest) -> Option<Identity> {
    match request.representative.as_ref()? {
        rep @ Subject::Natural(_) => Some(identity_of(rep)),
        Subject::Legal(_) => None,
    }
}

/// The power check of a routed request whose record was found: `Ok(None)` when the
/// mapping checks no power (or a natural subject acts for itself), `Ok(Some(row))` with
/// the identity of the row granting it, or the refusal (nothing released or held).
pub(super) async fn power(
    run: &mut Run<'_>,
    routed: &Routed<'_>,
) -> Result<Option<RecordIdentity>, Refusal> {
    let Some(rep) = routed.mapping.representation.as_deref() else {
        return Ok(None);
    };
    let request = routed.request;
    let refuse = |run: &mut Run<'_>, why: &str| {
        run.trace
            .push(Stage::Matched, format!("representation refused: {why}"));
        tracing::info!(
            reason = why,
            "no power of representation found; answered with the neutral detail"
        );
        Err(Refusal::not_found())
    };
    let identity = match (&request.subject, &request.representative) {
        (_, Some(Subject::Natural(_))) => match representative_identity(request) {
            Some(identity) => identity,
            None => return refuse(run, "the representative is not a natural person"),
        },
        (_, Some(Subject::Legal(_))) => {
            return refuse(
                run,
                "the power of a legal-person representative cannot be checked",
            );
        }
        // A person acting for themselves needs no power; a company always acts through
        // someone.
        (Subject::Natural(_), None) => return Ok(None),
        (Subject::Legal(_), None) => {
            return refuse(run, "the request names no representative of the company");
        }
    };
    let Some(subject_id) = subject_identifier(&routed.identity) else {
        return refuse(run, "the request states no identifier of its subject");
    };
    let rows = match lookup(routed, rep, &identity).await {
        Ok(rows) => rows,
        Err(refusal) => {
            run.trace.push(
                Stage::LookedUp,
                format!("representation: {}", refusal.detail),
            );
            return Err(refusal);
        }
    };
    // A row of another subject never grants a power, whatever the query returned.
    let rows: Vec<Record> = rows
        .into_iter()
        .filter(|r| same_identifier(r.get(&rep.subject_identifier), subject_id))
        .collect();
    let found = matching(&rep.engine, &identity, None, async |_| {
        Ok((rows.clone(), Vec::new()))
    })
    .await;
    match found {
        Matching::Decided {
            outcome: MatchOutcome::Match { index, explanation },
            records,
        } => {
            let Some(row) = records.get(index) else {
                return refuse(run, "internal error: no such row");
            };
            run.trace.push(
                Stage::Matched,
                format!(
                    "the representative's power found in the registry: {}",
                    explanation.summary()
                ),
            );
            Ok(Some(RecordIdentity::of(
                row,
                rep.engine.fields(),
                rep.engine.date_format(),
            )))
        }
        Matching::Decided { outcome, .. } | Matching::Refused(outcome) => {
            refuse(run, &super::find::unidentified(&outcome))
        }
        Matching::Failed(e) => refuse(
            run,
            &format!("the registry could not be read ({})", e.code()),
        ),
    }
}

/// The request's identifier of its subject: the company's `LegalPersonIdentifier`, a
/// person's `PersonIdentifier`.
fn subject_identifier(subject: &Identity) -> Option<&str> {
    subject
        .get(Attribute::LegalPersonIdentifier)
        .or_else(|| subject.get(Attribute::PersonIdentifier))
}

/// A row's subject field states exactly the request's identifier (case and surrounding
/// blanks aside).
fn same_identifier(field: Option<&Value>, asked: &str) -> bool {
    field
        .and_then(Value::as_text)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(asked.trim()))
}

/// The representation query, its parameters bound from the request (never spliced into
/// its text).
async fn lookup(
    routed: &Routed<'_>,
    rep: &Representation,
    representative: &Identity,
) -> Result<Vec<Record>, Refusal> {
    let mut params = Params::new();
    for (name, bound) in &rep.parameters {
        let value = match bound {
            Bound::Subject(a) => routed.identity.get(*a),
            Bound::Representative(a) => representative.get(*a),
            Bound::Scope => Some(scope(routed.request).unwrap_or("")),
        };
        params.insert(
            name.clone(),
            Value::Text(value.unwrap_or_default().to_owned()),
        );
    }
    let fields = FieldPaths::new();
    let lookup = Lookup {
        query: &rep.query,
        params: &params,
        fields: &fields,
        limits: routed.mapping.limits,
    };
    let span = tracing::info_span!("representation_lookup", connection = %routed.mapping.spec.connector.connection.value);
    let result = tracing::Instrument::instrument(
        routed
            .mapping
            .connector
            .lookup(&lookup, &CancellationToken::new()),
        span,
    )
    .await;
    result.map_err(|e| {
        tracing::warn!(code = e.code(), error = %e, "representation lookup failed");
        let code = if e.is_transient() {
            ErrorCode::Timeout
        } else {
            ErrorCode::InvalidQuery
        };
        Refusal::new(
            code,
            format!("the registry could not be read ({})", e.code()),
        )
    })
}

/// The follow-up names the representative the link was issued for (or, like it, none).
pub(super) fn same_representative(
    held: Option<&Representative>,
    request: &EvidenceRequest,
) -> bool {
    let named = match &request.representative {
        Some(Subject::Legal(_)) => return false,
        Some(rep @ Subject::Natural(_)) => Some(identity_of(rep).attributes),
        None => None,
    };
    held.map(|r| &r.attributes) == named.as_ref()
}
