//! The preview's second look: a request that fitted several records is matched again
//! with the identifier the person signed in with, through the same [`matching`]
//! operation as the exchange.

use super::Exchange;
use super::deferred::deferral_of_all;
use super::find::{lookup, over_cap, unidentified};
use super::preview::held_evidence;
use super::produce::produce_all;
use super::route::select;
use super::several;
use super::trace::Trace;
use crate::edm;
use crate::matching::{Attribute, MatchOutcome, Matching, Prepared, matching};
use crate::preview::held::Content;

/// What looking again with the signed-in person's identifier found.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per preview sign-in
pub enum Resolution {
    /// Exactly one person: their record's (records', with `evidence.several`) fields and
    /// evidence, to show and, if approved, deliver.
    Found(Box<Content>),
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
    // `evidence.several`: the decision over persons, as in the exchange (`super::find`).
    let key = several::person_key(&routed);
    let mut persons = None;
    let (slot, shared, r) = (&mut persons, &engine, &routed);
    let looked_up = async move |prepared: &Prepared| {
        let (records, passes) = lookup(ex, r, shared, prepared).await?;
        Ok((several::candidates(key, records, slot), passes))
    };
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
    let Some(records) = several::matched(persons, records, index) else {
        return Resolution::Failed("MATCH_INTERNAL");
    };
    if over_cap(&routed, records.len()).is_some() {
        return Resolution::NotFound("more evidences than evidence.several.max".to_owned());
    }
    // Matching compares identifiers as codes (case and punctuation folded); a
    // proved identifier must be the registry's character for character, in every record
    // that would be released.
    let holds_it = |record: &oots_connector::Record| {
        engine
            .fields()
            .get(&Attribute::PersonIdentifier)
            .into_iter()
            .flatten()
            .filter_map(|f| record.get(f)?.as_text())
            .any(|v| v.trim() == identifier.trim())
    };
    if !records.iter().all(holds_it) {
        return Resolution::NotFound(
            "the record's identifier differs from the signed-in one in case or punctuation"
                .to_owned(),
        );
    }
    // A record deferred by the mapping has nothing to show yet: the sign-in fails and
    // nothing is held (a deferral is only answered to a first request, pipeline.rs).
    match deferral_of_all(&routed, &records, now) {
        Ok(None) => {}
        Ok(Some(_)) => return Resolution::Failed("EVIDENCE_DEFERRED"),
        Err(_) => return Resolution::Failed("DEFERRAL_DATE_UNREADABLE"),
    }
    let produced = match produce_all(ex, &routed, &records, now).await {
        Ok(produced) => produced,
        Err(code) => return Resolution::Failed(code),
    };
    match held_evidence(&routed, &records, produced, Some(explanation.summary())) {
        Some(content) => Resolution::Found(Box::new(content)),
        None => Resolution::Failed("RENDER_NO_DOCUMENT"),
    }
}
