//! The preview's second look: a request that fitted several records is matched again
//! with the identifier the person signed in with, through the same [`matching`]
//! operation as the exchange.

use super::Exchange;
use super::deferred::deferral;
use super::find::{lookup, unidentified};
use super::preview::{record_identity, shown_fields};
use super::produce::produce;
use super::route::select;
use super::trace::Trace;
use crate::edm;
use crate::matching::{Attribute, MatchOutcome, Matching, Prepared, matching};
use crate::preview::held::Content;

/// What looking again with the signed-in person's identifier found.
#[derive(Debug)]
pub enum Resolution {
    /// Exactly one record: its fields and evidence, to show and, if approved, deliver.
    Found(Content),
    /// Still none, or still several; why, free of personal data.
    NotFound(String),
    /// The request, the registry or the rendering failed (a stable code): the user may
    /// sign in again.
    Failed(&'static str),
}

/// Matches the request again with `identifier` as its `PersonIdentifier` (the sign-in's,
/// which replaces any the request carried), against the mapping generation answering now.
/// Only a record holding exactly that identifier can be the subject, and it must still
/// match the request's names and date of birth by the mapping's own rules.
pub(super) async fn resolve(ex: &Exchange, request: &str, identifier: &str) -> Resolution {
    let now = ex.clock.now();
    let Ok(request) = edm::parse_request(request.as_bytes(), &ex.limits) else {
        return Resolution::Failed("PREVIEW_REQUEST_UNREADABLE");
    };
    let mut trace = Trace::default();
    let mut routed = match select(ex, ex.generations.current(), &request, &mut trace) {
        Ok(r) => r,
        Err(refusal) => return Resolution::NotFound(refusal.detail),
    };
    routed
        .identity
        .set(Attribute::PersonIdentifier, Some(identifier));
    let engine = routed.mapping.engine.clone();
    let looked_up = async |prepared: &Prepared| lookup(ex, &routed, &engine, prepared).await;
    let exact = Some(Attribute::PersonIdentifier);
    let (index, explanation, records) = match matching(&engine, &routed.identity, exact, looked_up)
        .await
    {
        Matching::Refused(outcome) => return Resolution::NotFound(unidentified(&outcome)),
        Matching::Failed(e) => {
            tracing::warn!(error = %e, code = e.code(), "registry lookup after the sign-in failed");
            return Resolution::Failed(e.code());
        }
        Matching::Decided {
            outcome: MatchOutcome::Match { index, explanation },
            records,
        } => (index, explanation, records),
        Matching::Decided { outcome, .. } => {
            return Resolution::NotFound(unidentified(&outcome));
        }
    };
    let Some(record) = records.get(index) else {
        return Resolution::Failed("MATCH_INTERNAL");
    };
    // Matching compares identifiers as codes (case and punctuation folded); a
    // proved identifier must be the registry's character for character.
    let holds_it = engine
        .fields()
        .get(&Attribute::PersonIdentifier)
        .into_iter()
        .flatten()
        .filter_map(|f| record.get(f)?.as_text())
        .any(|v| v.trim() == identifier.trim());
    if !holds_it {
        return Resolution::NotFound(
            "the record's identifier differs from the signed-in one in case or punctuation"
                .to_owned(),
        );
    }
    // A record deferred by the mapping has nothing to show yet: the sign-in fails and
    // nothing is held (a deferral is only answered to a first request, pipeline.rs).
    match deferral(&routed, record, now) {
        Ok(None) => {}
        Ok(Some(_)) => return Resolution::Failed("EVIDENCE_DEFERRED"),
        Err(_) => return Resolution::Failed("DEFERRAL_DATE_UNREADABLE"),
    }
    match produce(ex, &routed, record, now).await {
        Ok(evidence) => Resolution::Found(Content::Evidence {
            fields: shown_fields(&routed, record),
            evidence,
            singled_out: Some(explanation.summary()),
            record: Some(record_identity(&routed, record)),
        }),
        Err(code) => Resolution::Failed(code),
    }
}
