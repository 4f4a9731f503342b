//! Stage two: a [`Parsed`] request is checked against its envelope (SpecificationId, the
//! deadline, 2.0 properties, originalSender), its identifier claimed, and [`Routed`] to the
//! mapping and distribution that serve it, or refused.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::parse::Parsed;
use super::run::Run;
use super::trace::{Stage, Trace};
use super::{Exchange, ExchangeError, Refusal, deadline, original_sender};
use crate::edm::{DistributionRequest, ErrorCode, EvidenceRequest, Rule, Subject, echo};
use crate::gateway::ebms::UserMessage;
use crate::mapping::{Distribution, Mapping, MappingSet, PreviewPolicy, SubjectKind};
use crate::matching::{Attribute, Identity};

/// A parsed request routed to the mapping and distribution that will serve it; only
/// [`route`] (or [`select`], for the preview's second look) makes one.
pub(super) struct Routed<'a> {
    pub request: &'a EvidenceRequest,
    /// The generation this exchange is answered with, start to end.
    pub set: Arc<MappingSet>,
    pub mapping: Arc<Mapping>,
    pub distribution: Distribution,
    pub requested: DistributionRequest,
    pub identity: Identity,
    /// The value of each provider classification the mapping declares (`None`: not
    /// given), bound to query parameters, never spliced.
    pub classifications: std::collections::BTreeMap<String, Option<String>>,
    /// The provider deadline (TDD 4.4), when the request came with an ebMS header.
    pub answer_by: Option<DateTime<Utc>>,
    /// The 2.0 ebMS `ExchangeId` the request arrived with (TDD 4.4): a preview link keeps
    /// the first request's, and its follow-up must carry the same (TDD 4.9 §2 step 12).
    /// `None` on 1.x (no such property) and without an envelope (offline tools).
    pub exchange_id: Option<String>,
    /// Built here only: a stage cannot be skipped.
    _sealed: (),
}

impl Routed<'_> {
    /// The language the evidence is produced in: the distribution's, or the first the
    /// request asked for.
    pub fn evidence_language(&self) -> Option<String> {
        self.distribution
            .language
            .clone()
            .or_else(|| self.requested.languages.first().cloned())
    }
}

/// Header agreement (SpecificationId, 2.0 properties, originalSender) and id reuse, then
/// [`select`].
pub(super) async fn route<'a>(
    run: &mut Run<'_>,
    parsed: &'a Parsed,
    envelope: Option<&UserMessage>,
) -> Result<Result<Routed<'a>, Refusal>, ExchangeError> {
    let (ex, now, request) = (run.ex, run.now, &parsed.request);
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
        deadline::check(
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
        && !original_sender::agrees(sender, request, &ex.config.exchange.intermediaries)
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
    let refused_or_routed = select(ex, run.set.clone(), request, &mut run.trace);
    let exchange_id = envelope
        .filter(|_| request.version.is_v2())
        .and_then(|h| h.exchange_id())
        .map(|id| id.trim().to_owned());
    Ok(refused_or_routed.map(|routed| Routed {
        answer_by,
        exchange_id,
        ..routed
    }))
}

/// Provider, evidence type, subject kind, format and preview policy: the mapping and
/// distribution that serve `request`.
pub(super) fn select<'a>(
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
    let classifications =
        crate::mapping::resolve_classifications(&mapping.spec.provider_classifications, request)
            .map_err(|r| Refusal::rule(ErrorCode::InvalidRequest, r.rule, r.detail))?;
    let (distribution, requested) = distribution(&mapping, request)?;
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
        distribution,
        requested,
        identity: identity_of(&request.subject),
        classifications,
        answer_by: None,
        exchange_id: None,
        _sealed: (),
    })
}

/// The distribution of `mapping` the request asks for, and how it asks for it.
fn distribution(
    mapping: &Mapping,
    request: &EvidenceRequest,
) -> Result<(Distribution, DistributionRequest), Refusal> {
    let Some((distribution, requested)) = mapping.select(&request.evidence_type.distributed_as)
    else {
        let asked: Vec<String> = request
            .evidence_type
            .distributed_as
            .iter()
            .take(4)
            .map(|d| {
                described(
                    &d.format,
                    d.conforms_to.as_deref(),
                    d.transformation.as_deref(),
                )
            })
            .collect();
        let offered: Vec<String> = mapping
            .distributions
            .iter()
            .map(|d| {
                described(
                    &d.format,
                    d.conforms_to.first().map(String::as_str),
                    d.transformation.as_deref(),
                )
            })
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
    Ok((distribution.clone(), requested.clone()))
}

/// A distribution as a refusal names it: its format, data model and 1.x subset, so the
/// requester sees which of them was not offered (a subset or `ConformsTo`, not only a
/// format, can be what is missing: R-EDM-REQ-C035, TDD 4.5.1 §3.5).
/// Data models and subsets are named by what follows `/distributions/` or `/datamodels/`
/// (`certificate-of-birth-1.0.0/age-of-majority`), each value echoed (request values).
fn described(format: &str, conforms_to: Option<&str>, transformation: Option<&str>) -> String {
    let short = |uri: &str| {
        let uri = uri.trim();
        let tail = ["/distributions/", "/datamodels/"]
            .iter()
            .find_map(|m| uri.split_once(m).map(|(_, t)| t))
            .unwrap_or(uri);
        echo(tail)
    };
    let format = echo(format);
    match (conforms_to, transformation) {
        (_, Some(t)) => format!("{format} subset {}", short(t)),
        (Some(c), None) => format!("{format} conforming to {}", short(c)),
        (None, None) => format,
    }
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
