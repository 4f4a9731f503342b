//! The preview: a matched (or not yet singled out) record's evidence held behind a link
//! the user visits before anything is released, and the follow-up request that collects
//! it once they decided.

use oots_connector::{Record, Value};

use super::produce::produce_all;
use super::route::Routed;
use super::run::Run;
use super::trace::Stage;
use super::{Answer, Exchange, ExchangeError, Refusal, Reply};
use crate::edm::{ErrorCode, EvidenceRequest, Rule};
use crate::matching::MatchOutcome;
use crate::preview::held::{Content, Held, HeldEvidence, Produced, ShownField};
use crate::preview::identity::RecordIdentity;
use crate::preview::representative::Representative;
use crate::preview::return_address::{ReturnAddress, ReturnChannel};
use crate::preview::session::{FollowUp, Session, State};
use crate::preview::store::{Binding, Policy, Reread, SessionStore, Updated};
use crate::store::{PreviewLink, Revision, StoreError};

/// What a preview link is issued for.
pub(super) enum Holding<'r> {
    /// The record(s) matched (several with `evidence.several`): their evidence is
    /// produced now and held.
    Records(&'r [Record]),
    /// Several records fit (`on_ambiguous: preview`): the request as it arrived, to look
    /// again once the sign-in gives the person's identifier.
    Undetermined(&'r [u8]),
}

/// How often the follow-up applies itself again to a session the user's steps moved
/// between its read and its save; after that it answers with what it read, and a later
/// recheck saves it.
const FOLLOW_UP_ATTEMPTS: usize = 8;

/// `EDM:ERR:0002` with a fresh preview link: nothing is released before the user's visit.
/// The evidence is produced now and held with the link, so the user approves exactly what
/// the follow-up request will receive.
pub(super) async fn offer(
    mut run: Run<'_>,
    routed: &Routed<'_>,
    holding: Holding<'_>,
    why: &str,
    outcome: MatchOutcome,
    representative: Option<Representative>,
) -> Result<Answer, ExchangeError> {
    let content = match holding {
        Holding::Records(records) => match produce_all(run.ex, routed, records, run.now)
            .await
            .and_then(|p| held_evidence(routed, records, p, None).ok_or("RENDER_NO_DOCUMENT"))
        {
            Ok(content) => content,
            Err(code) => {
                run.trace.push(Stage::Rendered, format!("failed: {code}"));
                let refusal = Refusal::new(
                    ErrorCode::InvalidQuery,
                    format!("the evidence could not be produced ({code})"),
                );
                return Ok(run.refuse(refusal).with_matching(outcome));
            }
        },
        Holding::Undetermined(regrep) => Content::Undetermined {
            // Parsed as UTF-8 XML already; a lossy copy can only differ if it was not.
            request: String::from_utf8_lossy(regrep).into_owned(),
        },
    };
    let mut held = held_for(routed, content);
    held.representative = representative;
    let link = issue(run.ex, routed.request, &held, run.now).await?;
    run.trace.push(Stage::Preview, why.to_owned());
    let refusal = Refusal::new(
        ErrorCode::MissingAuthorization,
        "The evidence provider requires the user to preview the evidence",
    );
    Ok(run
        .offer_preview(refusal, link.location)
        .with_matching(outcome))
}

/// What a session holds for the matched record(s): the first evidence where sessions
/// always held it, the others (`evidence.several`) after it, each with its fields and
/// record identity; `singled_out`, how a sign-in singled the person out, if one did.
pub(super) fn held_evidence(
    routed: &Routed<'_>,
    records: &[Record],
    produced: Vec<Produced>,
    singled_out: Option<String>,
) -> Option<Content> {
    let mut all = records
        .iter()
        .zip(produced)
        .map(|(record, evidence)| HeldEvidence {
            fields: shown_fields(routed, record),
            evidence,
            record: Some(record_identity(routed, record)),
        });
    let first = all.next()?;
    Some(Content::Evidence {
        fields: first.fields,
        evidence: first.evidence,
        singled_out,
        record: first.record,
        more: all.collect(),
    })
}

/// The record's labelled fields, as the page shows them (empty ones too); for a 1.x subset only those its
/// template sends, so the user decides on what is released (TDD 2.0.1 4.9 §3).
pub(super) fn shown_fields(routed: &Routed<'_>, record: &Record) -> Vec<ShownField> {
    let shown = routed.distribution.shown.as_deref();
    routed
        .mapping
        .spec
        .labels
        .iter()
        .filter(|(field, _)| shown.is_none_or(|s| s.iter().any(|f| f == *field)))
        .filter_map(|(field, label)| {
            // An empty field is shown (marked as not recorded), not left out: the
            // citizen decides on the whole record.
            let text = match record.get(field)? {
                Value::Null => String::new(),
                Value::Date(d) => d.format("%Y-%m-%d").to_string(),
                other => other.as_text()?,
            };
            Some(ShownField {
                label: label.clone(),
                value: text,
            })
        })
        .collect()
}

/// Who `record` is about, for the preview sign-in's record check: read through the
/// mapping's identity map and date format, as matching reads the registry.
pub(super) fn record_identity(routed: &Routed<'_>, record: &Record) -> RecordIdentity {
    let engine = &routed.mapping.engine;
    RecordIdentity::of(record, engine.fields(), engine.date_format())
}

/// What the preview session keeps: the subject, the page's texts and the evidence.
fn held_for(routed: &Routed<'_>, content: Content) -> Held {
    let spec = &routed.mapping.spec;
    let requester = routed.request.requester();
    Held {
        subject: routed.identity.attributes.clone(),
        requester: requester
            .names
            .first()
            .map(|n| n.text.clone())
            .unwrap_or_else(|| requester.identifier.value.clone()),
        languages: routed.requested.languages.clone(),
        title: spec.evidence_type.title.clone(),
        content,
        min_level_of_assurance: spec.policy.min_level_of_assurance,
        return_channel: ReturnChannel::of(routed.request.version),
        representative: None,
        exchange_id: routed.exchange_id.clone(),
    }
}

/// Issues the link bound to this request, requester and evidence type.
async fn issue(
    ex: &Exchange,
    request: &EvidenceRequest,
    held: &Held,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PreviewLink, ExchangeError> {
    let binding = Binding {
        request_id: request.id.clone(),
        evidence_type: request.evidence_type.classification.clone(),
        requester_id: request.requester().identifier.value.clone(),
    };
    let link = SessionStore::new(ex.store.as_ref())
        .issue(&ex.config.preview.public_url, binding, held, now)
        .await?;
    ex.metrics.preview(crate::metrics::PreviewStep::Issued);
    Ok(link)
}

/// The follow-up's `ReturnLocation`, if the link takes its return address from the
/// follow-up (2.0) and it passes the rules (docs/preview.md).
fn follow_up_return_address(
    ex: &Exchange,
    held: &Held,
    request: &EvidenceRequest,
    requester: &str,
) -> Option<ReturnAddress> {
    let raw = request.return_location.as_deref()?;
    if held.return_channel != ReturnChannel::FollowUp {
        tracing::warn!("a ReturnLocation on a 1.x preview link is ignored");
        return None;
    }
    ReturnAddress::parse(raw, requester, &ex.config.preview.return_hosts)
        .inspect_err(|e| tracing::warn!(code = e.code(), error = %e, "the follow-up's ReturnLocation is not kept"))
        .ok()
}

/// The token and link a follow-up names, if this provider issued it for this requester
/// and evidence type in this exchange (2.0 `ExchangeId`), with what it holds; or why not.
async fn followed_link<'l>(
    ex: &Exchange,
    request: &EvidenceRequest,
    request_exchange_id: Option<&str>,
    location: &'l str,
) -> Result<Result<(&'l str, PreviewLink, Held), Refusal>, ExchangeError> {
    let token = location
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    let link = match ex.store.find_preview(token).await? {
        Some(link)
            if location.trim().starts_with(&link.location)
                && link.requester_id == request.requester().identifier.value
                && link.evidence_type == request.evidence_type.classification =>
        {
            link
        }
        // Not C005 (the link is https): it is not one this provider issued.
        _ => {
            return Ok(Err(Refusal::rule(
                ErrorCode::InvalidRequest,
                Rule::Tdd49Preview,
                "PreviewLocation was not issued by this evidence provider for this request",
            )));
        }
    };
    let Ok(held) = link.data.decode::<Held>() else {
        // Data already dropped: this link's follow-up was answered before.
        return Ok(Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::Tdd49Preview,
            "the preview link was already used for an answered request",
        )));
    };
    if !same_exchange(held.exchange_id.as_deref(), request_exchange_id) {
        // Refused, and the session kept: the requester's real follow-up still collects it.
        return Ok(Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::Tdd49Step12,
            "PreviewLocation not issued for this exchange, or already answered",
        )));
    }
    Ok(Ok((token, link, held)))
}

/// Whether a follow-up with `ExchangeId` `follow_up` continues the exchange `first` of
/// the held session (2.0: "the second request of a preview reuses the ExchangeId of the first",
/// TDD 4.4/4.9). A session opened without one (1.x, an offline request, a session stored
/// before it was kept) is correlated by its link alone.
fn same_exchange(first: Option<&str>, follow_up: Option<&str>) -> bool {
    match first {
        None => true,
        Some(first) => follow_up.is_some_and(|id| id == first),
    }
}

/// A follow-up request carrying a `PreviewLocation`: the evidence if the user approved it,
/// an evidence response without evidence if they declined (TDD 2.0.1 4.9 §1), an error if
/// they were someone else or ran out of time, and nothing yet (held) while they are still
/// deciding.
pub(super) async fn follow_up(
    mut run: Run<'_>,
    routed: &Routed<'_>,
    location: &str,
) -> Result<Reply, ExchangeError> {
    let ex = run.ex;
    let request = routed.request;
    let refuse = |mut run: Run<'_>, refusal: Refusal| {
        run.trace
            .push(Stage::Preview, format!("refused: {}", refusal.detail));
        Ok(run.refuse(refusal).into())
    };
    let (token, link, held) =
        match followed_link(ex, request, routed.exchange_id.as_deref(), location).await? {
            Ok(found) => found,
            Err(refusal) => return refuse(run, refusal),
        };
    if !held.same_subject(&routed.identity) {
        return refuse(
            run,
            Refusal::rule(
                ErrorCode::InvalidRequest,
                Rule::Tdd49Preview,
                "the follow-up request names another subject than the request the preview link was issued for",
            ),
        );
    }
    if !super::represent::same_representative(held.representative.as_ref(), request) {
        return refuse(
            run,
            Refusal::rule(
                ErrorCode::InvalidRequest,
                Rule::Tdd49Preview,
                "the follow-up request names another representative than the request the preview link was issued for",
            ),
        );
    }
    let (decision, expired) = decide(&run, token, &link, &held, request).await?;
    match decision {
        FollowUp::Hold { until } => {
            run.trace.push(
                Stage::Preview,
                format!("held: the user has not decided yet (deadline {until})"),
            );
            Ok(Reply::Held { until })
        }
        FollowUp::Refuse {
            code,
            detail,
            sign_in,
        } => {
            ex.store.forget_preview_data(token).await?;
            if expired {
                ex.metrics.preview(crate::metrics::PreviewStep::Expired);
            }
            if let Some(why) = &sign_in {
                run.trace.push(
                    Stage::Preview,
                    format!("the sign-in ended the session: {why:?}"),
                );
            }
            refuse(run, Refusal::new(code, detail)).map(|reply| with_sign_in(reply, sign_in))
        }
        FollowUp::Declined => {
            // The held evidence is dropped unsent; a later follow-up finds the link used.
            ex.store.forget_preview_data(token).await?;
            run.trace
                .push(Stage::Preview, "declined by the user".to_owned());
            Ok(run.decline(routed).into())
        }
        FollowUp::Release { selected } => {
            ex.store.forget_preview_data(token).await?;
            if let Content::Evidence {
                singled_out: Some(how),
                ..
            } = &held.content
            {
                run.trace.push(
                    Stage::Matched,
                    format!("the record singled out by the user's sign-in: {how}"),
                );
            }
            match released(&held, selected.as_deref()) {
                Some(evidences) => {
                    run.trace.push(
                        Stage::Preview,
                        format!("approved by the user: {} evidence(s)", evidences.len()),
                    );
                    Ok(run.deliver(routed, evidences).into())
                }
                // Not reached: a session is only approved once its record is known, and
                // a selection only of what it offers.
                None => refuse(run, Refusal::not_found()),
            }
        }
    }
}

/// The evidences an approval releases: all and only those ticked (TDD 2.0.1 4.9 §3), in
/// the order offered; every one held when nothing was ticked among several (an approval
/// of a session holding one, or stored by an older version). `None` when nothing is held
/// or a selected id is not held.
fn released(held: &Held, selected: Option<&[String]>) -> Option<Vec<Produced>> {
    let offered = held.offered();
    let chosen: Vec<Produced> = match selected {
        None => offered.iter().map(|o| o.evidence.clone()).collect(),
        Some(ids) => {
            let known = |id: &String| offered.iter().any(|o| &o.evidence.evidence_id == id);
            if !ids.iter().all(known) {
                return None;
            }
            offered
                .iter()
                .filter(|o| ids.contains(&o.evidence.evidence_id))
                .map(|o| o.evidence.clone())
                .collect()
        }
    };
    (!chosen.is_empty()).then_some(chosen)
}

/// Applies the follow-up to the link's session (keeping its return address) and saves
/// it: what the user decided, and whether the session expired.
async fn decide(
    run: &Run<'_>,
    token: &str,
    link: &PreviewLink,
    held: &Held,
    request: &EvidenceRequest,
) -> Result<(FollowUp, bool), ExchangeError> {
    let (ex, now) = (run.ex, run.now);
    let timeouts = ex.config.preview.timeouts();
    let return_address = follow_up_return_address(ex, held, request, &link.requester_id);
    let sessions = SessionStore::new(ex.store.as_ref());
    let (mut session, mut revision) = sessions
        .load(token, link.created_at)
        .await?
        .unwrap_or_else(|| (Session::new(link.created_at), Revision::ISSUED));
    // The user's steps may move the session between the read and the save (the
    // follow-up typically arrives as the user opens the link): then it is read again and
    // the follow-up applied to what is there, so the return address is never lost.
    let policy = Policy {
        attempts: FOLLOW_UP_ATTEMPTS,
        reread: Reread::FreshFrom(link.created_at),
    };
    let step = |session: &mut Session| {
        if let Some(back) = return_address.clone() {
            session.set_return_url(back);
        }
        let decision = session.follow_up(now, &timeouts);
        let expired = matches!(session.state, State::Expired { .. });
        (decision, expired)
    };
    match sessions
        .update(token, &mut session, &mut revision, None, policy, step)
        .await?
    {
        Updated::Unchanged(decided)
        | Updated::Saved {
            result: decided, ..
        } => Ok(decided),
        // After a few lost races, answer with what was read: a later recheck saves it.
        Updated::Lost(decided) => Ok(decided),
        // Not reached: a fresh read never finds the session gone.
        Updated::Gone => Err(ExchangeError::Store(StoreError::Query(
            "the preview session is gone".to_owned(),
        ))),
    }
}

/// `reply` with the reason the preview's sign-in ended its session, for the journal.
fn with_sign_in(reply: Reply, why: Option<crate::preview::identity::Mismatch>) -> Reply {
    match reply {
        Reply::Answer(answer) => Reply::Answer(Box::new(answer.with_sign_in(why))),
        held => held,
    }
}

#[cfg(test)]
mod tests {
    use super::same_exchange;

    #[test]
    fn a_follow_up_continues_the_exchange_its_link_was_issued_in() {
        let first = Some("0e1d6c1a-7f51-4b0e-9d59-000000000001");
        assert!(same_exchange(first, first));
        assert!(!same_exchange(
            first,
            Some("0e1d6c1a-7f51-4b0e-9d59-000000000002")
        ));
        // Once the first had one, a follow-up without one (no envelope) is refused.
        assert!(!same_exchange(first, None));
        // 1.x, an offline first request, an older session: the link alone correlates.
        assert!(same_exchange(None, None));
        assert!(same_exchange(None, first));
    }
}
