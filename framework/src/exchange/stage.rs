//! The stages of one exchange, each turning its input into the next typed state or into a
//! [`Refusal`]: `Received → Parsed → Routed → Matched → Rendered → Answered`.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use oots_connector::ConnectorError;
use serde::Serialize;

use super::answer::{self, AuditFacts, ErrorContext};
use super::{Answer, Exchange, ExchangeError, Refusal};
use crate::edm::{
    self, DistributionRequest, EdmVersion, ErrorCode, EvidenceRequest, Rule, Subject, echo,
};
use crate::gateway::ebms::UserMessage;
use crate::mapping::{Distribution, Mapping, MappingSet, PreviewPolicy, SubjectKind};
use crate::matching::{Attribute, Engine, Identity, MatchOutcome, OnAmbiguous, Prepared, retrieve};
use crate::preview::held::{Content, Held, ShownField};
use crate::preview::identity::RecordIdentity;
use crate::preview::session::{FollowUp, Session};
use crate::store::PreviewLink;
use oots_connector::{Record, Value};

/// Names of the stages, for the trace shown by `demo` and kept with the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Received,
    Parsed,
    Routed,
    LookedUp,
    Matched,
    Preview,
    Rendered,
    Answered,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Stage::Received => "received",
            Stage::Parsed => "parsed",
            Stage::Routed => "routed",
            Stage::LookedUp => "looked up",
            Stage::Matched => "matched",
            Stage::Preview => "preview",
            Stage::Rendered => "rendered",
            Stage::Answered => "answered",
        };
        f.write_str(s)
    }
}

/// What happened, step by step, in words free of personal data.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trace {
    pub steps: Vec<(Stage, String)>,
}

impl Trace {
    pub fn push(&mut self, stage: Stage, what: impl Into<String>) {
        self.steps.push((stage, what.into()));
    }
}

/// A parsed request routed to the mapping and distribution that will serve it.
pub(super) struct Routed<'a> {
    pub request: &'a EvidenceRequest,
    /// The generation this exchange is answered with, start to end.
    pub set: Arc<MappingSet>,
    pub mapping: Arc<Mapping>,
    pub distribution: Distribution,
    pub requested: DistributionRequest,
    pub identity: Identity,
    /// The provider deadline (TDD 4.4), when the request came with an ebMS header.
    pub answer_by: Option<DateTime<Utc>>,
}

pub(super) async fn run(
    ex: &Exchange,
    regrep: &[u8],
    envelope: Option<&UserMessage>,
) -> Result<Reply, ExchangeError> {
    // One generation answers the whole exchange, even if a reload happens meanwhile.
    let set = ex.generations.current();
    let mut facts = AuditFacts::default();
    Ok(
        match run_with(ex, set.clone(), regrep, envelope, &mut facts).await? {
            Reply::Answer(mut answer) => {
                answer.generation = set.generation().to_owned();
                answer.facts = facts;
                Reply::Answer(answer)
            }
            held => held,
        },
    )
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

async fn run_with(
    ex: &Exchange,
    set: Arc<MappingSet>,
    regrep: &[u8],
    envelope: Option<&UserMessage>,
    facts: &mut AuditFacts,
) -> Result<Reply, ExchangeError> {
    let now = ex.clock.now();
    let mut trace = Trace::default();
    trace.push(
        Stage::Received,
        format!("{} bytes of RegRep XML", regrep.len()),
    );
    let header_version = envelope
        .and_then(|h| h.specification_id())
        .and_then(EdmVersion::from_spec_id);

    let request = match edm::parse_request(regrep, &ex.limits) {
        Ok(r) => r,
        Err(e) => {
            let ctx = ErrorContext {
                version: e.version.or(header_version).unwrap_or(EdmVersion::V2_0),
                request_id: e.request_id.clone(),
                requester: e.requester.clone(),
                languages: Vec::new(),
            };
            let refusal = Refusal::new(e.code(), e.detail());
            trace.push(Stage::Parsed, format!("refused: {}", refusal.detail));
            return Ok(answer::error(ex, &ctx, refusal, None, trace, now).into());
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
    *facts = audit_facts(&ex.subject_key, &request);
    let ctx = ErrorContext {
        version: request.version,
        request_id: Some(request.id.clone()),
        requester: Some(request.requester().clone()),
        languages,
    };
    trace.push(
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

    match route(ex, set, &request, envelope, now, &mut trace).await? {
        Err(refusal) => {
            trace.push(Stage::Routed, format!("refused: {}", refusal.detail));
            Ok(answer::error(ex, &ctx, refusal, None, trace, now).into())
        }
        Ok(routed) => match &routed.request.preview_location {
            Some(location) => follow_up(ex, &ctx, &routed, location, now, trace).await,
            None => Ok(serve(ex, &ctx, routed, regrep, now, trace).await?.into()),
        },
    }
}

/// Header agreement (SpecificationId, 2.0 properties, originalSender) and id reuse, then
/// [`select`].
async fn route<'a>(
    ex: &Exchange,
    set: Arc<MappingSet>,
    request: &'a EvidenceRequest,
    envelope: Option<&UserMessage>,
    now: DateTime<Utc>,
    trace: &mut Trace,
) -> Result<Result<Routed<'a>, Refusal>, ExchangeError> {
    if let Some(spec) = envelope.and_then(|h| h.specification_id())
        && spec.trim() != request.version.spec_id()
    {
        return Ok(Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::Ebms038,
            format!(
                "ebMS SpecificationId {} does not match the body's SpecificationIdentifier {} (TDD 4.7 §2.6.2)",
                echo(spec),
                request.version.spec_id()
            ),
        )));
    }
    // Late (or dated ahead to never be late): refused before anything else is done.
    let answer_by = match envelope.map(|header| {
        super::deadline::check(
            &ex.config,
            &header.timestamp,
            request.preview_location.is_some(),
            now,
        )
    }) {
        Some(Err(refusal)) => return Ok(Err(refusal)),
        Some(Ok(by)) => Some(by),
        None => None,
    };
    // A 2.0 exchange is one round trip named by ExchangeId: its header carries both.
    let blank = |v: Option<&str>| v.is_none_or(|v| v.trim().is_empty());
    if let Some(h) = envelope
        && request.version.is_v2()
        && (blank(h.exchange_id()) || blank(h.specification_id()))
    {
        return Ok(Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::Ebms018,
            "the ebMS header of an oots-edm:v2.0 request carries ExchangeId and SpecificationId",
        )));
    }
    if let Some(sender) = envelope.and_then(|h| h.original_sender())
        && !super::original_sender::agrees(sender, request, &ex.config.exchange.intermediaries)
    {
        return Ok(Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::FourCorner,
            "the ebMS originalSender is neither an agent of the EvidenceRequester slot nor a configured intermediary",
        )));
    }
    if !ex
        .store
        .claim_request_id(&request.id, envelope.map(|e| e.message_id.as_str()), now)
        .await?
    {
        return Ok(Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::Tdd44,
            "request identifier already used",
        )));
    }
    Ok(select(ex, set, request, trace).map(|routed| Routed {
        answer_by,
        ..routed
    }))
}

/// Provider, evidence type, subject kind, format and preview policy: the mapping and
/// distribution that serve `request`.
fn select<'a>(
    ex: &Exchange,
    set: Arc<MappingSet>,
    request: &'a EvidenceRequest,
    trace: &mut Trace,
) -> Result<Routed<'a>, Refusal> {
    let ours = &ex.config.provider;
    if !request
        .provider
        .identifier
        .value
        .trim()
        .eq_ignore_ascii_case(ours.identifier.trim())
    {
        return Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::Tdd451Provider,
            format!(
                "EvidenceProvider {} is not the evidence provider answering here ({})",
                echo(&request.provider.identifier.value),
                ours.identifier
            ),
        ));
    }
    let classification = &request.evidence_type.classification;
    let Some(mapping) = set.find(classification).cloned() else {
        return Err(Refusal::new(
            ErrorCode::UnsupportedCapability,
            format!(
                "evidence type {} is not provided by this evidence provider",
                echo(classification)
            ),
        ));
    };
    // Who may have this evidence type, and on what request: before anything else about
    // it is told (subject kind, formats).
    let policy = &mapping.spec.policy;
    if let Err(denied) = crate::mapping::admits(
        policy.requesters.as_deref(),
        &policy.explicit_request,
        request,
    ) {
        return Err(Refusal::rule(
            ErrorCode::MissingAuthorization,
            denied.rule(),
            denied.detail(),
        ));
    }
    let wanted = match request.subject {
        Subject::Natural(_) => SubjectKind::NaturalPerson,
        Subject::Legal(_) => SubjectKind::LegalPerson,
    };
    if wanted != mapping.spec.subject {
        return Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::Tdd451Subject,
            "the evidence subject kind (NaturalPerson/LegalPerson) does not fit this evidence type",
        ));
    }
    let Some((distribution, requested)) = mapping.select(&request.evidence_type.distributed_as)
    else {
        let asked: Vec<String> = request
            .evidence_type
            .distributed_as
            .iter()
            .take(4)
            .map(|d| echo(&d.format))
            .collect();
        let offered: Vec<&str> = mapping
            .distributions
            .iter()
            .map(|d| d.format.as_str())
            .collect();
        return Err(Refusal::new(
            ErrorCode::UnsupportedCapability,
            format!(
                "requested distribution {} is not offered for this evidence type (offered: {})",
                asked.join(", "),
                offered.join(", ")
            ),
        ));
    };
    if policy.preview == PreviewPolicy::Required && !request.possibility_for_preview {
        return Err(Refusal::new(
            ErrorCode::UnsupportedCapability,
            "this evidence type is only released after the user previewed it, and the request does not allow a preview",
        ));
    }
    trace.push(
        Stage::Routed,
        format!(
            "evidence type served by mapping `{}` (generation {}), distribution {}",
            mapping.name,
            set.generation(),
            distribution.format
        ),
    );
    Ok(Routed {
        request,
        set: set.clone(),
        mapping: mapping.clone(),
        distribution: distribution.clone(),
        requested: requested.clone(),
        identity: identity_of(&request.subject),
        answer_by: None,
    })
}

/// The request's statements about its subject, as matching attributes.
pub(super) fn identity_of(subject: &Subject) -> Identity {
    let mut id = Identity::default();
    match subject {
        Subject::Natural(p) => {
            id.set(Attribute::FamilyName, Some(&p.family_name));
            id.set(Attribute::GivenName, Some(&p.given_name));
            id.set(Attribute::DateOfBirth, Some(&p.date_of_birth));
            id.set(Attribute::BirthName, p.birth_name.as_deref());
            id.set(Attribute::PlaceOfBirth, p.place_of_birth.as_deref());
            id.set(Attribute::Gender, p.gender.as_deref());
            id.set(
                Attribute::PersonIdentifier,
                p.identifier.as_ref().map(|i| i.value.as_str()),
            );
            if let Some(a) = &p.current_address {
                id.set(Attribute::CurrentAddress, a.full_address.as_deref());
                id.set(Attribute::PostCode, a.post_code.as_deref());
                id.set(Attribute::PostCityName, a.post_city_name.as_deref());
                id.set(Attribute::Thoroughfare, a.thoroughfare.as_deref());
                id.set(
                    Attribute::LocatorDesignator,
                    a.locator_designator.as_deref(),
                );
            }
            id.level_of_assurance = p.level_of_assurance;
        }
        Subject::Legal(l) => {
            id.set(Attribute::LegalName, Some(&l.legal_name));
            id.set(
                Attribute::LegalPersonIdentifier,
                l.legal_person_identifier.as_ref().map(|i| i.value.as_str()),
            );
            id.level_of_assurance = l.level_of_assurance;
        }
    }
    id
}

/// Lookup, match, preview decision and rendering.
async fn serve(
    ex: &Exchange,
    ctx: &ErrorContext,
    routed: Routed<'_>,
    regrep: &[u8],
    now: DateTime<Utc>,
    mut trace: Trace,
) -> Result<Answer, ExchangeError> {
    let request = routed.request;
    let engine = routed.mapping.engine.clone();
    let prepared = match engine.prepare(&routed.identity) {
        Ok(p) => p,
        Err(outcome) => {
            let outcome = *outcome;
            let refusal = refusal_before_lookup(&outcome);
            trace.push(
                Stage::Matched,
                format!(
                    "refused before the registry was read ({}): {}",
                    outcome.name(),
                    refusal.detail
                ),
            );
            return Ok(answer::error(ex, ctx, refusal, None, trace, now).with_matching(outcome));
        }
    };

    let (records, passes) = match lookup(ex, &routed, &engine, &prepared).await {
        Ok(r) => r,
        Err(e) => {
            let code = if e.is_transient() {
                ErrorCode::Timeout
            } else {
                ErrorCode::InvalidQuery
            };
            let refusal = Refusal::new(
                code,
                format!("the registry could not be read ({})", e.code()),
            );
            trace.push(Stage::LookedUp, format!("failed: {}", e.code()));
            tracing::warn!(error = %e, code = e.code(), "registry lookup failed");
            return Ok(answer::error(ex, ctx, refusal, None, trace, now));
        }
    };
    trace.push(
        Stage::LookedUp,
        format!("{} candidate record(s) from the registry", records.len()),
    );

    let mut outcome = match engine.blocking() {
        Some(b) if records.len() > b.max_candidates => MatchOutcome::NeedsMoreAttributes {
            missing: Vec::new(),
        },
        _ => engine.decide(&prepared, &records),
    };
    if let MatchOutcome::Match { explanation, .. }
    | MatchOutcome::NoMatch { explanation }
    | MatchOutcome::Ambiguous { explanation } = &mut outcome
    {
        explanation.passes = passes;
    }
    let record = match &outcome {
        MatchOutcome::Match { index, explanation } => {
            trace.push(
                Stage::Matched,
                format!(
                    "exactly one record is the subject: {}",
                    explanation.summary()
                ),
            );
            let Some(record) = records.get(*index).cloned() else {
                // A matcher pointing past its candidates is a bug; refuse rather than guess.
                let refusal = Refusal::new(
                    ErrorCode::InvalidQuery,
                    "the registry records could not be matched (internal error)",
                );
                trace.push(Stage::Matched, format!("refused: {}", refusal.detail));
                return Ok(answer::error(ex, ctx, refusal, None, trace, now));
            };
            record
        }
        MatchOutcome::Ambiguous { explanation }
            if engine.on_ambiguous() == OnAmbiguous::Preview
                && request.possibility_for_preview
                && routed.mapping.spec.policy.preview != PreviewPolicy::Never
                && ex.config.preview.signs_in_with_identifier() =>
        {
            // The user signs in in the preview space; their identifier may single out
            // the record.
            trace.push(
                Stage::Matched,
                format!(
                    "ambiguous, left to the sign-in in the preview space: {}",
                    explanation.summary()
                ),
            );
            let why =
                "the subject's record to be singled out by their sign-in in the preview space";
            let holding = Holding::Undetermined(regrep);
            return preview(ex, ctx, &routed, holding, now, trace, why, outcome).await;
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
            trace.push(
                Stage::Matched,
                format!("refused: {why}; answered \"{}\"", refusal.detail),
            );
            return Ok(answer::error(ex, ctx, refusal, None, trace, now).with_matching(outcome));
        }
    };

    if request.possibility_for_preview && routed.mapping.spec.policy.preview != PreviewPolicy::Never
    {
        let why = "preview allowed by the requester: evidence held until the user approves";
        let holding = Holding::Record(&record);
        return preview(ex, ctx, &routed, holding, now, trace, why, outcome).await;
    }

    // Matched only after the deadline (a slow registry): nobody waits for the evidence.
    if let Some(by) = routed.answer_by
        && ex.clock.now() > by
    {
        let refusal = super::deadline::passed(by);
        trace.push(Stage::Matched, format!("refused: {}", refusal.detail));
        return Ok(answer::error(ex, ctx, refusal, None, trace, now).with_matching(outcome));
    }
    Ok(answer::evidence(ex, ctx, &routed, &record, now, trace)
        .await
        .with_matching(outcome))
}

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
    let prepared = match engine.prepare(&routed.identity) {
        Ok(p) => p,
        Err(outcome) => return Resolution::NotFound(unidentified(&outcome)),
    };
    let (records, passes) = match lookup(ex, &routed, &engine, &prepared).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, code = e.code(), "registry lookup after the sign-in failed");
            return Resolution::Failed(e.code());
        }
    };
    let outcome = match engine.blocking() {
        Some(b) if records.len() > b.max_candidates => MatchOutcome::NeedsMoreAttributes {
            missing: Vec::new(),
        },
        _ => engine.decide_requiring_exact(&prepared, &records, Attribute::PersonIdentifier),
    };
    match outcome {
        MatchOutcome::Match {
            index,
            mut explanation,
        } => {
            explanation.passes = passes;
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
            match answer::produce(ex, &routed, record, now).await {
                Ok(evidence) => Resolution::Found(Content::Evidence {
                    fields: shown_fields(&routed, record),
                    evidence,
                    singled_out: Some(explanation.summary()),
                    record: Some(record_identity(&routed, record)),
                }),
                Err(code) => Resolution::Failed(code),
            }
        }
        other => Resolution::NotFound(unidentified(&other)),
    }
}

/// Candidate records: the blocking passes' union, or the connector's query alone.
///
/// A registry that is down or slow is asked again, with a short pause, as long as the
/// connection's time budget (`timeout_ms`) allows another full attempt; only then does
/// the exchange give up with `EDM:ERR:0005`. Other failures are not retried.
async fn lookup(
    ex: &Exchange,
    routed: &Routed<'_>,
    engine: &Engine,
    prepared: &Prepared,
) -> Result<retrieve::Retrieved, ConnectorError> {
    // Name frequencies are read in the background, never on a request's time.
    retrieve::refresh_frequencies(&routed.mapping.engine, &routed.mapping.connector);
    let spec = &routed.mapping.spec.connector;
    let limits = routed.mapping.limits;
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(50);
    loop {
        let attempt = std::time::Instant::now();
        let remaining = limits.timeout.saturating_sub(started.elapsed());
        let source = retrieve::Source {
            connector: routed.mapping.connector.as_ref(),
            query: &spec.query.value,
            parameters: &spec.parameters,
            fields: &spec.fields,
            limits: oots_connector::Limits {
                timeout: remaining,
                ..limits
            },
        };
        let span = tracing::info_span!("registry_lookup", connection = %spec.connection.value);
        let result =
            tracing::Instrument::instrument(retrieve::candidates(engine, &source, prepared), span)
                .await;
        ex.metrics
            .lookup(&spec.connection.value, result.is_ok(), attempt.elapsed());
        match result {
            Err(e)
                if e.is_transient()
                    && started.elapsed() + pause + attempt.elapsed().min(limits.timeout / 2)
                        < limits.timeout =>
            {
                tracing::info!(code = e.code(), "registry lookup failed, retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            other => return other,
        }
    }
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
fn unidentified(outcome: &MatchOutcome) -> String {
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

/// What a preview link is issued for.
enum Holding<'r> {
    /// The record matched: its evidence is produced now and held.
    Record(&'r Record),
    /// Several records fit (`on_ambiguous: preview`): the request as it arrived, to look
    /// again once the sign-in gives the person's identifier.
    Undetermined(&'r [u8]),
}

/// `EDM:ERR:0002` with a fresh preview link: nothing is released before the user's visit.
/// The evidence is produced now and held with the link, so the user approves exactly what
/// the follow-up request will receive.
#[allow(clippy::too_many_arguments)]
async fn preview(
    ex: &Exchange,
    ctx: &ErrorContext,
    routed: &Routed<'_>,
    holding: Holding<'_>,
    now: DateTime<Utc>,
    mut trace: Trace,
    why: &str,
    outcome: MatchOutcome,
) -> Result<Answer, ExchangeError> {
    let content = match holding {
        Holding::Record(record) => match answer::produce(ex, routed, record, now).await {
            Ok(evidence) => Content::Evidence {
                fields: shown_fields(routed, record),
                evidence,
                singled_out: None,
                record: Some(record_identity(routed, record)),
            },
            Err(code) => {
                trace.push(Stage::Rendered, format!("failed: {code}"));
                let refusal = Refusal::new(
                    ErrorCode::InvalidQuery,
                    format!("the evidence could not be produced ({code})"),
                );
                return Ok(answer::error(ex, ctx, refusal, None, trace, now).with_matching(outcome));
            }
        },
        Holding::Undetermined(regrep) => Content::Undetermined {
            // Parsed as UTF-8 XML already; a lossy copy can only differ if it was not.
            request: String::from_utf8_lossy(regrep).into_owned(),
        },
    };
    let held = held_for(routed, content);
    let link = issue_preview(ex, routed.request, &held, now).await?;
    trace.push(Stage::Preview, why.to_owned());
    Ok(answer::error(
        ex,
        ctx,
        Refusal::new(
            ErrorCode::MissingAuthorization,
            "The evidence provider requires the user to preview the evidence",
        ),
        Some(link.location),
        trace,
        now,
    )
    .with_matching(outcome))
}

/// The record's labelled fields, as the page shows them.
fn shown_fields(routed: &Routed<'_>, record: &Record) -> Vec<ShownField> {
    routed
        .mapping
        .spec
        .labels
        .iter()
        .filter_map(|(field, label)| {
            let text = match record.get(field)? {
                Value::Null => return None,
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
fn record_identity(routed: &Routed<'_>, record: &Record) -> RecordIdentity {
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
        return_channel: crate::preview::return_address::ReturnChannel::of(routed.request.version),
    }
}

/// Mints an unguessable preview link bound to this request, requester and evidence type.
async fn issue_preview(
    ex: &Exchange,
    request: &EvidenceRequest,
    held: &Held,
    now: DateTime<Utc>,
) -> Result<PreviewLink, ExchangeError> {
    let token = crate::preview::session::secret_token();
    let base = ex.config.preview.public_url.trim_end_matches('/');
    let data = serde_json::to_string(held).map_err(|e| {
        ExchangeError::Store(crate::store::StoreError::Query(format!(
            "preview data cannot be serialised: {e}"
        )))
    })?;
    let link = PreviewLink {
        location: format!("{base}/{token}"),
        token,
        request_id: request.id.clone(),
        evidence_type: request.evidence_type.classification.clone(),
        requester_id: request.requester().identifier.value.clone(),
        created_at: now,
        data,
    };
    ex.store.save_preview(&link).await?;
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
) -> Option<crate::preview::return_address::ReturnAddress> {
    use crate::preview::return_address::{ReturnAddress, ReturnChannel};
    let raw = request.return_location.as_deref()?;
    if held.return_channel != ReturnChannel::FollowUp {
        tracing::warn!("a ReturnLocation on a 1.x preview link is ignored");
        return None;
    }
    ReturnAddress::parse(raw, requester, &ex.config.preview.return_hosts)
        .inspect_err(|e| tracing::warn!(code = e.code(), error = %e, "the follow-up's ReturnLocation is not kept"))
        .ok()
}

/// A follow-up request carrying a `PreviewLocation`: the evidence if the user approved it,
/// an error if they declined, were someone else or ran out of time, and nothing yet
/// (held) while they are still deciding.
async fn follow_up(
    ex: &Exchange,
    ctx: &ErrorContext,
    routed: &Routed<'_>,
    location: &str,
    now: DateTime<Utc>,
    mut trace: Trace,
) -> Result<Reply, ExchangeError> {
    let request = routed.request;
    let refuse = |trace: Trace, refusal: Refusal| {
        let mut trace = trace;
        trace.push(Stage::Preview, format!("refused: {}", refusal.detail));
        Ok(answer::error(ex, ctx, refusal, None, trace, now).into())
    };
    let token = location
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    let known = ex.store.find_preview(token).await?;
    let link = match known {
        Some(link)
            if location.trim().starts_with(&link.location)
                && link.requester_id == request.requester().identifier.value
                && link.evidence_type == request.evidence_type.classification =>
        {
            link
        }
        _ => {
            return refuse(
                trace,
                // Not C005 (the link is https): it is not one this provider issued.
                Refusal::rule(
                    ErrorCode::InvalidRequest,
                    Rule::Tdd49Preview,
                    "PreviewLocation was not issued by this evidence provider for this request",
                ),
            );
        }
    };
    let Ok(held) = serde_json::from_str::<Held>(&link.data) else {
        // Data already dropped: this link's follow-up was answered before.
        return refuse(
            trace,
            Refusal::rule(
                ErrorCode::InvalidRequest,
                Rule::Tdd49Preview,
                "the preview link was already used for an answered request",
            ),
        );
    };
    if !held.same_subject(&routed.identity) {
        return refuse(
            trace,
            Refusal::rule(
                ErrorCode::InvalidRequest,
                Rule::Tdd49Preview,
                "the follow-up request names another subject than the request the preview link was issued for",
            ),
        );
    }
    let timeouts = ex.config.preview.timeouts();
    let return_address = follow_up_return_address(ex, &held, request, &link.requester_id);
    // The user's steps may move the session between this read and the save (the
    // follow-up typically arrives as the user opens the link): then read it again and
    // apply the follow-up to what is there, so the return address is never lost.
    let mut attempts = 0;
    let (decision, expired) = loop {
        attempts += 1;
        let (mut session, version) = match ex.store.preview_state(token).await? {
            Some((json, version)) => match serde_json::from_str::<Session>(&json) {
                Ok(s) => (s, version),
                Err(_) => (Session::new(link.created_at), version),
            },
            None => (Session::new(link.created_at), 0),
        };
        let before = session.clone();
        if let Some(back) = return_address.clone() {
            session.set_return_url(back);
        }
        let decision = session.follow_up(now, &timeouts);
        let expired = matches!(
            session.state,
            crate::preview::session::State::Expired { .. }
        );
        if session == before {
            break (decision, expired);
        }
        let json = serde_json::to_string(&session).map_err(|e| {
            ExchangeError::Store(crate::store::StoreError::Query(format!(
                "preview state cannot be serialised: {e}"
            )))
        })?;
        // After a few lost races, answer with what was read: a later recheck saves it.
        if ex.store.update_preview_state(token, &json, version).await? || attempts >= 8 {
            break (decision, expired);
        }
    };
    match decision {
        FollowUp::Hold { until } => {
            trace.push(
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
                trace.push(
                    Stage::Preview,
                    format!("the sign-in ended the session: {why:?}"),
                );
            }
            refuse(trace, Refusal::new(code, detail)).map(|reply| with_sign_in(reply, sign_in))
        }
        FollowUp::Release => {
            ex.store.forget_preview_data(token).await?;
            match held.content {
                Content::Evidence {
                    evidence,
                    singled_out,
                    ..
                } => {
                    if let Some(how) = singled_out {
                        trace.push(
                            Stage::Matched,
                            format!("the record singled out by the user's sign-in: {how}"),
                        );
                    }
                    trace.push(Stage::Preview, "approved by the user".to_owned());
                    Ok(answer::deliver(ex, ctx, routed, evidence, now, trace).into())
                }
                // Not reached: a session is only approved once its record is known.
                Content::Undetermined { .. } => refuse(trace, Refusal::not_found()),
            }
        }
    }
}

/// `reply` with the reason the preview's sign-in ended its session, for the journal.
fn with_sign_in(reply: Reply, why: Option<crate::preview::identity::Mismatch>) -> Reply {
    match reply {
        Reply::Answer(answer) => Reply::Answer(Box::new(answer.with_sign_in(why))),
        held => held,
    }
}

/// What an exchange ends in: an answer to send now, or a follow-up held until the user
/// decides in the preview space (or the deadline passes).
#[derive(Debug, Clone)]
pub enum Reply {
    Answer(Box<Answer>),
    Held { until: DateTime<Utc> },
}

impl From<Answer> for Reply {
    fn from(a: Answer) -> Self {
        Reply::Answer(Box::new(a))
    }
}
