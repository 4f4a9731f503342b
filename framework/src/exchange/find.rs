//! Stage three: the subject's record is [`Found`] in the registry, or not, by the one
//! matching operation ([`matching`]) the preview's second look (`super::resolve`) and
//! `oots-adapter match-eval` use too.

use std::time::Duration;

use oots_connector::{ConnectorError, Record};

use super::route::Routed;
use super::run::Run;
use super::several::{self, Persons};
use super::trace::Stage;
use super::{Exchange, Refusal};
use crate::edm::{ErrorCode, Rule};
use crate::mapping::PreviewPolicy;
use crate::matching::{
    Attribute, Engine, MatchOutcome, Matching, OnAmbiguous, Prepared, matching, retrieve,
};
use crate::retry::{Attempt, with_backoff};

/// The subject's record(s), and the decision that says so; only [`find`] makes one.
pub(super) struct Found {
    /// The matched record, then (`evidence.several`) the other records the registry's
    /// person key gives the same person, in the registry's order. Never empty.
    pub records: Vec<Record>,
    pub outcome: MatchOutcome,
    /// Built here only: a stage cannot be skipped.
    _sealed: (),
}

/// Where looking for the subject ended.
pub(super) enum Finding {
    Found(Found),
    /// Several records fit and the mapping leaves it to the sign-in in the preview space
    /// (`on_ambiguous: preview`).
    Undetermined(MatchOutcome),
    /// Refused, with the matching decision when one was taken.
    Refused(Refusal, Option<MatchOutcome>),
}

/// Looks the subject of a routed request up in the registry and decides who it is.
pub(super) async fn find(run: &mut Run<'_>, routed: &Routed<'_>) -> Finding {
    let ex = run.ex;
    let engine = routed.mapping.engine.clone();
    let key = several::person_key(routed);
    let mut persons = None;
    let (slot, shared) = (&mut persons, &engine);
    // With `evidence.several`, the decision is over persons (one record each) rather
    // than records; the groups are kept to answer with every record of the one matched.
    let looked_up = async move |prepared: &Prepared| {
        let (records, passes) = lookup(ex, routed, shared, prepared).await?;
        Ok((several::candidates(key, records, slot), passes))
    };
    match matching(&engine, &routed.identity, None, looked_up).await {
        Matching::Refused(outcome) => {
            let refusal = refusal_before_lookup(&outcome);
            run.trace.push(
                Stage::Matched,
                format!(
                    "refused before the registry was read ({}): {}",
                    outcome.name(),
                    refusal.detail
                ),
            );
            Finding::Refused(refusal, Some(outcome))
        }
        Matching::Failed(e) => {
            let code = if e.is_transient() {
                ErrorCode::Timeout
            } else {
                ErrorCode::InvalidQuery
            };
            let refusal = Refusal::new(
                code,
                format!("the registry could not be read ({})", e.code()),
            );
            run.trace
                .push(Stage::LookedUp, format!("failed: {}", e.code()));
            tracing::warn!(error = %e, code = e.code(), "registry lookup failed");
            Finding::Refused(refusal, None)
        }
        Matching::Decided { outcome, records } => {
            run.trace.push(
                Stage::LookedUp,
                format!("{} candidate record(s) from the registry", records.len()),
            );
            decided(run, routed, &engine, outcome, records, persons)
        }
    }
}

/// What the decision over the candidates means for the exchange.
fn decided(
    run: &mut Run<'_>,
    routed: &Routed<'_>,
    engine: &Engine,
    outcome: MatchOutcome,
    records: Vec<Record>,
    persons: Option<Persons>,
) -> Finding {
    match &outcome {
        MatchOutcome::Match { index, explanation } => {
            run.trace.push(
                Stage::Matched,
                format!(
                    "exactly one record is the subject: {}",
                    explanation.summary()
                ),
            );
            let Some(records) = several::matched(persons, records, *index) else {
                // A matcher pointing past its candidates is a bug; refuse rather than guess.
                let refusal = Refusal::new(
                    ErrorCode::InvalidQuery,
                    "the registry records could not be matched (internal error)",
                );
                run.trace
                    .push(Stage::Matched, format!("refused: {}", refusal.detail));
                return Finding::Refused(refusal, None);
            };
            if records.len() > 1 {
                run.trace.push(
                    Stage::Matched,
                    format!(
                        "{} records carry the subject's person key (evidence.several)",
                        records.len()
                    ),
                );
            }
            if let Some(refusal) = over_cap(routed, records.len()) {
                run.trace
                    .push(Stage::Matched, format!("refused: {}", refusal.detail));
                return Finding::Refused(refusal, Some(outcome));
            }
            Finding::Found(Found {
                records,
                outcome,
                _sealed: (),
            })
        }
        MatchOutcome::Ambiguous { explanation }
            if engine.on_ambiguous() == OnAmbiguous::Preview
                && routed.request.possibility_for_preview
                && routed.mapping.spec.policy.preview != PreviewPolicy::Never
                && run.ex.config.preview.signs_in_with_identifier() =>
        {
            // The user signs in in the preview space; their identifier may single out
            // the record.
            run.trace.push(
                Stage::Matched,
                format!(
                    "ambiguous, left to the sign-in in the preview space: {}",
                    explanation.summary()
                ),
            );
            Finding::Undetermined(outcome)
        }
        other => {
            // Whatever the reason, the requester reads the same detail; the reason is
            // in the trace, the log and (with the explanation) the journal.
            let refusal = Refusal::not_found();
            let why = unidentified(other);
            tracing::info!(
                matching = other.name(),
                reason = %why,
                "the subject was not identified; answered with the neutral detail"
            );
            run.trace.push(
                Stage::Matched,
                format!("refused: {why}; answered \"{}\"", refusal.detail),
            );
            Finding::Refused(refusal, Some(outcome))
        }
    }
}

/// A refusal when the subject has more evidences than the mapping's `several.max`: the
/// answer never silently leaves some out (docs/mapping-files.md, `several`).
pub(super) fn over_cap(routed: &Routed<'_>, count: usize) -> Option<Refusal> {
    let max = routed.mapping.spec.evidence.several.as_ref()?.value.max();
    (count > max).then(|| {
        Refusal::rule(
            ErrorCode::UnsupportedCapability,
            Rule::EvidenceSeveral,
            format!("the subject has more evidences of this type than one answer carries ({max})"),
        )
    })
}

/// Candidate records: the blocking passes' union, or the connector's query alone.
///
/// A registry that is down or slow is asked again, with a short pause, as long as the
/// connection's time budget (`timeout_ms`) allows another full attempt; only then does
/// the exchange give up with `EDM:ERR:0005`. Other failures are not retried.
pub(super) async fn lookup(
    ex: &Exchange,
    routed: &Routed<'_>,
    engine: &Engine,
    prepared: &Prepared,
) -> Result<retrieve::Retrieved, ConnectorError> {
    // Name frequencies are read in the background, never on a request's time.
    retrieve::refresh_frequencies(&routed.mapping.engine, &routed.mapping.connector);
    let spec = &routed.mapping.spec.connector;
    let limits = routed.mapping.limits;
    let extra = &classification_params(spec, &routed.classifications);
    let attempt_once = |attempt: Attempt| async move {
        let remaining = limits
            .timeout
            .saturating_sub(attempt.first_started.elapsed());
        let source = retrieve::Source {
            connector: routed.mapping.connector.as_ref(),
            query: &spec.query.value,
            parameters: &spec.parameters,
            fields: &spec.fields,
            extra,
            limits: oots_connector::Limits {
                timeout: remaining,
                ..limits
            },
        };
        let span = tracing::info_span!("registry_lookup", connection = %spec.connection.value);
        let result =
            tracing::Instrument::instrument(retrieve::candidates(engine, &source, prepared), span)
                .await;
        ex.metrics.lookup(
            &spec.connection.value,
            result.is_ok(),
            attempt.started.elapsed(),
        );
        result
    };
    // Another full attempt must fit in what is left of the budget.
    let again = |e: &ConnectorError, attempt: &Attempt| {
        let again = e.is_transient()
            && attempt.first_started.elapsed()
                + attempt.pause
                + attempt.started.elapsed().min(limits.timeout / 2)
                < limits.timeout;
        if again {
            tracing::info!(code = e.code(), "registry lookup failed, retrying");
        }
        again
    };
    with_backoff(Duration::from_millis(50), attempt_once, again).await
}

/// The EDM answer for a request refused before any registry was read
/// ([`Engine::prepare`]): its detail may say why, since it depends on the request and the
/// mapping alone, never on who the registry holds (`tests/neutral_refusals.rs` proves the
/// answer the same whether or not the registry holds the person).
fn refusal_before_lookup(outcome: &MatchOutcome) -> Refusal {
    match outcome {
        MatchOutcome::NeedsMoreAttributes { missing } if !missing.is_empty() => Refusal::new(
            ErrorCode::ObjectNotFound,
            format!(
                "Additional identification attributes required: {}",
                attribute_list(missing)
            ),
        ),
        // The date's format is an EDM rule; a name that cannot be compared (no letters,
        // several scripts) breaks the evidence type's matching rules, named as such.
        MatchOutcome::InvalidInput { attribute, reason } => Refusal::rule(
            ErrorCode::InvalidRequest,
            match attribute {
                Attribute::DateOfBirth => Rule::ReqC043,
                _ => Rule::IdentityMatching,
            },
            format!("{attribute} is {reason}"),
        ),
        // Not C036 (the level is present): it is below the evidence type's minimum.
        MatchOutcome::InsufficientAssurance { required } => Refusal::rule(
            ErrorCode::FailedAuthentication,
            Rule::Tdd451Subject,
            format!(
                "the subject's level of assurance is below {} required for this evidence type",
                required.as_str()
            ),
        ),
        // Not decided before the lookup; should one ever be, it is a subject not found.
        MatchOutcome::Match { .. }
        | MatchOutcome::NoMatch { .. }
        | MatchOutcome::Ambiguous { .. }
        | MatchOutcome::NeedsMoreAttributes { .. } => Refusal::not_found(),
    }
}

/// Attribute names, comma-separated (`PlaceOfBirth, Gender`).
fn attribute_list(attributes: &[Attribute]) -> String {
    attributes
        .iter()
        .map(Attribute::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why matching identified nobody, in words free of personal data (the explanation's
/// summary: counts, levels, weights), for the trace, the log and the preview's sign-in
/// log. The requester never reads it: every such outcome answers [`Refusal::not_found`]
/// (docs/matching.md, "Outcomes and answers").
pub(super) fn unidentified(outcome: &MatchOutcome) -> String {
    let summary = outcome
        .explanation()
        .map(|e| format!(" ({})", e.summary()))
        .unwrap_or_default();
    match outcome {
        MatchOutcome::NoMatch { .. } => format!("no_match: no record is the subject{summary}"),
        MatchOutcome::Ambiguous { .. } => {
            format!("ambiguous: the subject could not be identified unambiguously{summary}")
        }
        MatchOutcome::NeedsMoreAttributes { missing } if missing.is_empty() => {
            "needs_more_attributes: too many candidates to decide (more than max_candidates)"
                .to_owned()
        }
        MatchOutcome::NeedsMoreAttributes { missing } => format!(
            "needs_more_attributes: the request lacks {}",
            attribute_list(missing)
        ),
        other => format!("{}{summary}", other.name()),
    }
}

/// The query parameters bound to provider classifications: the request's value, or null
/// when it gave none (bound like every parameter, never spliced into the query).
fn classification_params(
    spec: &crate::mapping::ConnectorSpec,
    values: &std::collections::BTreeMap<String, Option<String>>,
) -> oots_connector::Params {
    spec.classifications
        .iter()
        .map(|(param, name)| {
            let value = match values.get(&name.value) {
                Some(Some(v)) => oots_connector::Value::Text(v.clone()),
                _ => oots_connector::Value::Null,
            };
            (param.clone(), value)
        })
        .collect()
}
