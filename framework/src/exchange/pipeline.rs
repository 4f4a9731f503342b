//! One exchange, stage by stage: `Received → Parsed → Routed → Found → Produced →
//! Answered`. Each stage turns its typed state into the next, or into a [`Refusal`]
//! answered at once; a follow-up request (it names a preview link) is answered from what
//! the link holds instead of being matched again.

use oots_connector::Record;

use super::deferred::deferral_of_all;
use super::find::{Finding, find};
use super::parse::parse;
use super::preview::{Holding, follow_up, offer};
use super::produce::produce_all;
use super::represent;
use super::route::{Routed, route};
use super::run::Run;
use super::trace::Stage;
use super::{Answer, Exchange, ExchangeError, Refusal, Reply, deadline};
use crate::edm::ErrorCode;
use crate::gateway::ebms::UserMessage;
use crate::mapping::PreviewPolicy;

/// Answers one RegRep request document, with the mapping generation current as it starts.
pub(super) async fn run(
    ex: &Exchange,
    regrep: &[u8],
    envelope: Option<&UserMessage>,
) -> Result<Reply, ExchangeError> {
    let mut run = Run::start(ex, regrep.len());
    let parsed = match parse(&mut run, regrep, envelope) {
        Ok(parsed) => parsed,
        Err(refusal) => return Ok(run.refuse(refusal).into()),
    };
    match route(&mut run, &parsed, envelope).await? {
        Err(refusal) => {
            run.trace
                .push(Stage::Routed, format!("refused: {}", refusal.detail));
            Ok(run.refuse(refusal).into())
        }
        Ok(routed) => match &routed.request.preview_location {
            Some(location) => follow_up(run, &routed, location).await,
            None => Ok(serve(run, routed, regrep).await?.into()),
        },
    }
}

/// Lookup, match, preview decision and rendering.
async fn serve(
    mut run: Run<'_>,
    routed: Routed<'_>,
    regrep: &[u8],
) -> Result<Answer, ExchangeError> {
    let found = match find(&mut run, &routed).await {
        Finding::Found(found) => found,
        Finding::Undetermined(outcome) => {
            if let Some(refusal) = represent::preview_refusal(routed.request) {
                return Ok(run.refuse(refusal).with_matching(outcome));
            }
            let why =
                "the subject's record to be singled out by their sign-in in the preview space";
            let holding = Holding::Undetermined(regrep);
            let representative = represent::held_representative(&routed, None, None);
            return offer(run, &routed, holding, why, outcome, representative).await;
        }
        Finding::Refused(refusal, outcome) => {
            let answer = run.refuse(refusal);
            return Ok(match outcome {
                Some(outcome) => answer.with_matching(outcome),
                None => answer,
            });
        }
    };

    // The representative's power, before anything is released or held.
    let power = match represent::power(&mut run, &routed).await {
        Ok(power) => power,
        Err(refusal) => return Ok(run.refuse(refusal).with_matching(found.outcome)),
    };
    // Only a confident match reaches here: a deferral confirms that evidence exists for
    // this person, so it is never sent for a non-match or an ambiguous one. It comes
    // before the preview: a deferred record offers nothing to preview yet.
    match deferral_of_all(&routed, &found.records, run.now) {
        Ok(None) => {}
        Ok(Some(until)) => return Ok(run.defer(&routed, until).with_matching(found.outcome)),
        Err(refusal) => return Ok(run.refuse(refusal).with_matching(found.outcome)),
    }

    if routed.request.possibility_for_preview
        && routed.mapping.spec.policy.preview != PreviewPolicy::Never
    {
        if let Some(refusal) = represent::preview_refusal(routed.request) {
            return Ok(run.refuse(refusal).with_matching(found.outcome));
        }
        let why = "preview allowed by the requester: evidence held until the user approves";
        let holding = Holding::Records(&found.records);
        // The person key joins records of one subject: the first states who it is.
        let first = found.records.first();
        let representative = represent::held_representative(&routed, first, power);
        return offer(run, &routed, holding, why, found.outcome, representative).await;
    }

    // Matched only after the deadline (a slow registry): nobody waits for the evidence.
    if let Some(by) = routed.answer_by
        && run.ex.clock.now() > by
    {
        let refusal = deadline::passed(by);
        run.trace
            .push(Stage::Matched, format!("refused: {}", refusal.detail));
        return Ok(run.refuse(refusal).with_matching(found.outcome));
    }
    Ok(evidence(run, &routed, &found.records)
        .await
        .with_matching(found.outcome))
}

/// An evidence response carrying the rendered (or passed-through) document of each
/// record, or an error if one cannot be produced.
async fn evidence(mut run: Run<'_>, routed: &Routed<'_>, records: &[Record]) -> Answer {
    match produce_all(run.ex, routed, records, run.now).await {
        Ok(produced) => run.deliver(routed, produced),
        Err(code) => {
            run.trace.push(Stage::Rendered, format!("failed: {code}"));
            run.refuse(Refusal::new(
                ErrorCode::InvalidQuery,
                format!("the evidence could not be produced ({code})"),
            ))
        }
    }
}
