//! Building the EDM answer (evidence response or error response) and its attachments.

use serde::Serialize;

use super::route::Routed;
use super::run::{AuditFacts, ErrorContext, Run};
use super::trace::{Stage, Trace};
use super::{Exchange, Refusal};
use crate::clock::edm_timestamp;
use crate::edm::{
    self, Address, Agent, EdmException, EdmVersion, ErrorResponse, Evidence, EvidenceDistribution,
    EvidenceItem, EvidenceResponse, Identifier, LocalizedText, NaturalPerson, Subject,
};
use crate::matching::MatchOutcome;

pub use crate::preview::held::Produced;

/// A document delivered with the answer (the evidence itself).
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// Content-ID without `cid:`.
    pub content_id: String,
    pub mime_type: String,
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// A safe file name derived from the Content-ID, with an extension for the media type.
    pub fn file_name(&self) -> String {
        let stem: String = self
            .content_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let ext = match self.mime_type.as_str() {
            "application/pdf" => "pdf",
            "application/xml" | "text/xml" => "xml",
            "application/json" => "json",
            "text/html" => "html",
            "image/png" => "png",
            "image/jpeg" => "jpg",
            _ => "bin",
        };
        format!("{stem}.{ext}")
    }
}

/// How the exchange ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Evidence {
        mapping: String,
        format: String,
    },
    /// The user declined in the preview: a successful response without evidence
    /// (TDD 2.0.1 4.9 §1), not an error.
    Declined {
        mapping: String,
    },
    /// The evidence exists but is not available yet: a deferral (`…:Unavailable`,
    /// TDD 4.5.2) saying from when (`ResponseAvailableDateTime`), no evidence.
    Deferred {
        mapping: String,
        available: String,
    },
    Error {
        code: &'static str,
        detail: String,
    },
}

/// The answer to one request: the RegRep document, its attachments and how it was reached.
#[derive(Debug, Clone)]
pub struct Answer {
    pub version: EdmVersion,
    pub request_id: Option<String>,
    pub outcome: Outcome,
    /// The RegRep `QueryResponse` document.
    pub document: String,
    pub attachments: Vec<Attachment>,
    pub trace: Trace,
    /// The mapping generation that answered (kept with the exchange record).
    pub generation: String,
    /// The identity-matching decision and its explanation, free of personal data.
    pub matching: Option<MatchOutcome>,
    /// Why the preview's sign-in ended the session this follow-up was answered for, when
    /// it did: which check failed and for which attributes (no values).
    pub sign_in: Option<crate::preview::identity::Mismatch>,
    /// Who asked for what about whom (hashed), for the audit journal.
    pub facts: AuditFacts,
}

impl Answer {
    /// The same answer with the matching decision that led to it.
    pub fn with_matching(mut self, outcome: MatchOutcome) -> Self {
        self.matching = Some(outcome);
        self
    }

    /// The same answer with the reason the preview's sign-in ended its session.
    pub fn with_sign_in(mut self, why: Option<crate::preview::identity::Mismatch>) -> Self {
        self.sign_in = why;
        self
    }

    /// The audit record of the answer: outcome, code, the matching explanation and the
    /// preview sign-in's verdict, as JSON without personal data.
    pub fn audit_json(&self) -> String {
        serde_json::json!({
            "outcome": &self.outcome,
            "generation": &self.generation,
            "matching": &self.matching,
            "sign_in": &self.sign_in,
        })
        .to_string()
    }

    /// The ebMS action the answer travels under: a declined preview is a response, not
    /// an exception.
    pub fn action(&self) -> &'static str {
        match self.outcome {
            Outcome::Evidence { .. } | Outcome::Declined { .. } | Outcome::Deferred { .. } => {
                crate::gateway::ebms::ACTION_EXECUTE_QUERY_RESPONSE
            }
            Outcome::Error { .. } => crate::gateway::ebms::ACTION_EXCEPTION_RESPONSE,
        }
    }

    /// The EDM error code, if the answer is an error.
    pub fn code(&self) -> Option<&'static str> {
        match &self.outcome {
            Outcome::Error { code, .. } => Some(code),
            Outcome::Evidence { .. } | Outcome::Declined { .. } | Outcome::Deferred { .. } => None,
        }
    }

    /// The outcome for logs and the `outcome` metric label: `evidence`, `declined`,
    /// `deferred` or the
    /// EDM error code.
    pub fn outcome_label(&self) -> &'static str {
        match &self.outcome {
            Outcome::Evidence { .. } => "evidence",
            Outcome::Declined { .. } => "declined",
            Outcome::Deferred { .. } => "deferred",
            Outcome::Error { code, .. } => code,
        }
    }
}

pub(super) fn provider_agent_of(ex: &Exchange, classification: &str) -> Agent {
    let p = &ex.config.provider;
    Agent {
        identifier: Identifier {
            scheme_id: Some(p.scheme.clone()),
            value: p.identifier.clone(),
        },
        names: localized(&p.name),
        address: Some(Address {
            admin_unit_level1: Some(p.country.clone()),
            admin_unit_level2: p.nuts.clone(),
            ..Address::default()
        }),
        classification: Some(classification.to_owned()),
    }
}

impl Run<'_> {
    /// Answers with an error response for `refusal`.
    pub fn refuse(self, refusal: Refusal) -> Answer {
        error(self, refusal, None)
    }

    /// Answers `EDM:ERR:0002` with the preview link the user is to visit.
    pub fn offer_preview(self, refusal: Refusal, location: String) -> Answer {
        error(self, refusal, Some(location))
    }

    /// Answers with the evidence response for the produced documents (at once, or those
    /// the user approved in the preview); at least one.
    pub fn deliver(self, routed: &Routed<'_>, produced: Vec<Produced>) -> Answer {
        deliver(self, routed, produced)
    }

    /// Answers a follow-up whose user declined in the preview: an evidence response with
    /// an empty object list and nothing attached (TDD 2.0.1 4.9 §1).
    pub fn decline(self, routed: &Routed<'_>) -> Answer {
        decline(self, routed)
    }
}

/// The evidence response without evidence: the user declined, so nothing is released.
fn decline(run: Run<'_>, routed: &Routed<'_>) -> Answer {
    let (ex, now) = (run.ex, run.now);
    let request = routed.request;
    let response = EvidenceResponse {
        version: run.echo.version,
        request_id: request.id.clone(),
        response_id: ex.ids.uuid().to_string(),
        issue_date_time: edm_timestamp(now),
        // No package: the object list stays empty (2.0 too).
        provider: provider_agent_of(ex, "EP"),
        requester: requester_echo(request.requester()),
        items: Vec::new(),
    };
    let document = edm::write_response(&response);
    answered(
        run,
        "ExecuteQueryResponse without evidence (declined)".to_owned(),
        Some(request.id.clone()),
        Outcome::Declined {
            mapping: routed.mapping.name.clone(),
        },
        document,
        Vec::new(),
    )
}

/// An error response for `refusal` (and, for `EDM:ERR:0002`, the preview link).
fn error(run: Run<'_>, refusal: Refusal, preview_location: Option<String>) -> Answer {
    let (ex, now, ctx) = (run.ex, run.now, &run.echo);
    let preview_description = match &preview_location {
        Some(_) => preview_description(ex, ctx),
        None => Vec::new(),
    };
    let preview_method = match (&preview_location, ctx.version) {
        (Some(_), v) if !v.is_v2() => Some("GET".to_owned()),
        _ => None,
    };
    let response = ErrorResponse {
        version: ctx.version,
        request_id: ctx.request_id.clone(),
        response_id: ex.ids.uuid().to_string(),
        error_provider: provider_agent_of(ex, "ERRP"),
        requester: ctx.requester.as_ref().map(requester_echo),
        exceptions: vec![EdmException {
            code: refusal.code,
            detail: Some(refusal.detail.clone()),
            timestamp: edm_timestamp(now),
            preview_location,
            preview_description,
            preview_method,
        }],
    };
    let document = edm::write_error(&response);
    let request_id = ctx.request_id.clone();
    answered(
        run,
        format!("ExceptionResponse {}", refusal.code.code()),
        request_id,
        Outcome::Error {
            code: refusal.code.code(),
            detail: refusal.detail,
        },
        document,
        Vec::new(),
    )
}

/// The answer a run ends in: the trace's last line, and the run's generation, trace and
/// audit facts carried over.
pub(super) fn answered(
    run: Run<'_>,
    last_step: String,
    request_id: Option<String>,
    outcome: Outcome,
    document: String,
    attachments: Vec<Attachment>,
) -> Answer {
    let Run {
        set,
        mut trace,
        echo,
        facts,
        ..
    } = run;
    trace.push(Stage::Answered, last_step);
    Answer {
        version: echo.version,
        request_id,
        outcome,
        document,
        attachments,
        trace,
        generation: set.generation().to_owned(),
        matching: None,
        sign_in: None,
        facts,
    }
}

/// The requester as echoed in answers: identifier and names only (R-EDM-RESP-S028).
pub(super) fn requester_echo(a: &Agent) -> Agent {
    Agent {
        identifier: a.identifier.clone(),
        names: a.names.clone(),
        address: None,
        classification: None,
    }
}

/// The evidence response for the produced documents, one evidence each (at once, or
/// those the user ticked in the preview): 1.x one object per evidence (R-EDM-RESP-S015,
/// S033–S035), 2.0 one package per evidence (R-EDM-RESP-S066, S046, S047).
fn deliver(mut run: Run<'_>, routed: &Routed<'_>, produced: Vec<Produced>) -> Answer {
    let (ex, now) = (run.ex, run.now);
    let request = routed.request;
    let mapping = &routed.mapping;
    let bytes: usize = produced.iter().map(|p| p.bytes.len()).sum();
    run.trace.push(
        Stage::Rendered,
        format!(
            "{} × {} ({bytes} bytes)",
            produced.len(),
            routed.distribution.format
        ),
    );
    // Ids drawn in the order a single evidence always drew them (golden files stay).
    let content_ids: Vec<String> = produced
        .iter()
        .map(|_| format!("{}@{}", ex.ids.uuid(), ex.config.provider.domain))
        .collect();
    let response_id = ex.ids.uuid().to_string();
    let provider = provider_agent_of(ex, "EP");
    let (items, attachments): (Vec<_>, Vec<_>) = produced
        .into_iter()
        .zip(content_ids)
        .map(|(p, content_id)| evidence_item(ex, routed, &provider, p, content_id, now))
        .unzip();
    let attachments: Vec<Attachment> = attachments.into_iter().flatten().collect();
    let count = items.len();
    let response = EvidenceResponse {
        version: run.echo.version,
        request_id: request.id.clone(),
        response_id,
        issue_date_time: edm_timestamp(now),
        provider,
        requester: requester_echo(request.requester()),
        items,
    };
    let document = edm::write_response(&response);
    answered(
        run,
        format!("ExecuteQueryResponse with {count} evidence(s)"),
        Some(request.id.clone()),
        Outcome::Evidence {
            mapping: mapping.name.clone(),
            format: routed.distribution.format.clone(),
        },
        document,
        attachments,
    )
}

/// One evidence of the response and the parts carrying its document and its associated
/// documents.
fn evidence_item(
    ex: &Exchange,
    routed: &Routed<'_>,
    provider: &Agent,
    produced: Produced,
    content_id: String,
    now: chrono::DateTime<chrono::Utc>,
) -> (EvidenceItem, Vec<Attachment>) {
    let mapping = &routed.mapping;
    let Produced {
        evidence_id,
        media_type,
        bytes,
        issuing_date,
        registered,
        associated,
        // Rendered for the preview page only.
        readable: _,
    } = produced;
    let registered = registered.map(|r| *r).unwrap_or_default();
    let issuing_authority =
        super::metadata::issuing_authority(provider, registered.issuing_authority.as_ref());
    let item = EvidenceItem {
        // Written by 2.0 only (one package per evidence); drawn for 1.x too.
        package_id: format!("urn:uuid:{}", ex.ids.uuid()),
        object_id: format!("urn:uuid:{}", ex.ids.uuid()),
        classification_id: format!("urn:uuid:{}", ex.ids.uuid()),
        evidence: Evidence {
            identifier: evidence_id,
            is_about: is_about(&routed.request.subject),
            issuing_authority,
            classification: routed.request.evidence_type.classification.clone(),
            titles: localized(&mapping.spec.evidence_type.title),
            descriptions: localized(&mapping.spec.evidence_type.description),
            // A session stored by an older version may hold none (XSD, R-EDM-RESP-S062).
            issuing_date: issuing_date.or_else(|| Some(super::metadata::date_of(now))),
            distribution: EvidenceDistribution {
                format: routed.distribution.format.clone(),
                language: routed.evidence_language(),
                conforms_to: conforms_to(routed),
                // 1.x: the subset asked for and served (R-EDM-RESP-C043); never in 2.0.
                transformation: routed
                    .distribution
                    .transformation
                    .as_ref()
                    .and(routed.requested.transformation.clone()),
            },
            validity: registered.validity,
        },
        content_id: content_id.clone(),
        title: mapping.spec.evidence.title.clone(),
        supplements: Vec::new(),
    };
    // Each associated document is its own package member and MIME part (S033, S050).
    let supplements = super::associated::supplements(ex, &associated);
    let mut parts = vec![Attachment {
        content_id,
        mime_type: media_type,
        bytes,
    }];
    parts.extend(supplements.iter().zip(associated).map(|(s, p)| Attachment {
        content_id: s.content_id.clone(),
        mime_type: p.media_type,
        bytes: p.bytes,
    }));
    (
        EvidenceItem {
            supplements,
            ..item
        },
        parts,
    )
}

/// The specification a structured evidence conforms to: the one asked for, or the
/// distribution's first.
fn conforms_to(routed: &Routed<'_>) -> Option<String> {
    let structured = matches!(
        routed.distribution.format.as_str(),
        "application/xml" | "application/json"
    );
    if !structured {
        return None;
    }
    routed
        .requested
        .conforms_to
        .clone()
        .or_else(|| routed.distribution.conforms_to.first().cloned())
}

/// Whom the evidence is about: only the minimum data set that was matched
/// (R-EDM-RESP-S041).
fn is_about(subject: &Subject) -> Subject {
    match subject {
        Subject::Natural(p) => Subject::Natural(NaturalPerson {
            identifier: p.identifier.clone(),
            family_name: p.family_name.clone(),
            given_name: p.given_name.clone(),
            date_of_birth: p.date_of_birth.clone(),
            ..NaturalPerson::default()
        }),
        Subject::Legal(l) => Subject::Legal(l.clone()),
    }
}

/// `PreviewDescription`: the configured texts, or else the preview space's own text in
/// English and in each language the request asked for that the pages speak.
fn preview_description(ex: &Exchange, ctx: &ErrorContext) -> Vec<LocalizedText> {
    let configured = localized(&ex.config.preview.description);
    if !configured.is_empty() {
        return configured;
    }
    // Parsed once: every preview offer needs it.
    static TEXTS: std::sync::LazyLock<crate::preview::i18n::Catalog> =
        std::sync::LazyLock::new(crate::preview::i18n::Catalog::embedded);
    let catalog = &*TEXTS;
    let mut langs = vec!["en".to_owned()];
    for l in &ctx.languages {
        if let Some(lang) = crate::preview::i18n::Lang::parse(l)
            && catalog.supports(&lang)
            && !langs.contains(&lang.0)
        {
            langs.push(lang.0);
        }
    }
    langs
        .into_iter()
        .map(|l| LocalizedText {
            text: catalog.text(
                &crate::preview::i18n::Lang(l.clone()),
                "preview_description",
            ),
            lang: l.to_ascii_uppercase(),
        })
        .collect()
}

/// Texts by language (`EN: …`) as EDM localized strings.
fn localized(texts: &std::collections::BTreeMap<String, String>) -> Vec<LocalizedText> {
    texts
        .iter()
        .map(|(lang, text)| LocalizedText {
            lang: lang.clone(),
            text: text.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(outcome: Outcome) -> Answer {
        Answer {
            version: EdmVersion::V2_0,
            request_id: Some("urn:uuid:r".to_owned()),
            outcome,
            document: String::new(),
            attachments: Vec::new(),
            trace: Trace::default(),
            generation: "g".to_owned(),
            matching: None,
            sign_in: None,
            facts: AuditFacts::default(),
        }
    }

    #[test]
    fn a_declined_preview_travels_as_a_response_without_a_code() {
        let declined = answer(Outcome::Declined {
            mapping: "birth".to_owned(),
        });
        // The gateway (Domibus WS plugin and native AS4 alike) sends the header's action.
        assert_eq!(declined.action(), "ExecuteQueryResponse");
        assert_eq!(declined.code(), None);
        assert_eq!(declined.outcome_label(), "declined");
        let audit: serde_json::Value = serde_json::from_str(&declined.audit_json()).unwrap();
        assert_eq!(
            audit["outcome"],
            serde_json::json!({"outcome": "declined", "mapping": "birth"})
        );

        let refused = answer(Outcome::Error {
            code: "EDM:ERR:0004",
            detail: "d".to_owned(),
        });
        assert_eq!(refused.action(), "ExceptionResponse");
        assert_eq!(refused.outcome_label(), "EDM:ERR:0004");
        let evidence = answer(Outcome::Evidence {
            mapping: "birth".to_owned(),
            format: "application/pdf".to_owned(),
        });
        assert_eq!(evidence.action(), "ExecuteQueryResponse");
        assert_eq!(evidence.outcome_label(), "evidence");
    }
}
