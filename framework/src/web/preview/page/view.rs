//! What a preview page shows: where and for whom ([`PageContext`]), the page itself
//! ([`Page`], one variant per template) and the data its template sees. Values from the
//! request are made safe to show here.

use serde_json::{Value, json};

use super::PageError;
use chrono_tz::Tz;

use super::values::{display_time, display_value, is_safe_url, short_format, shown};
use crate::preview::i18n::Lang;

/// Where the page is shown and for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageContext {
    /// The page language (usually from [`Catalog::negotiate`]); an unsupported one is
    /// shown in English.
    pub lang: Lang,
    /// Base path of the preview routes, e.g. "/preview"; used to build the stylesheet link
    /// `{base}/static/preview.css` and the language switcher links.
    pub base_path: String,
    /// The current page path (e.g. "/preview/abc123") for language switcher links `?lang=xx`.
    pub current_path: String,
    /// The evidence provider's name, shown in the header.
    pub authority_name: String,
}

/// One piece of evidence on the review page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceView {
    /// The evidence title (e.g. "Birth certificate"), a heading on the page.
    pub title: String,
    /// The language of `title` when it is not the page language (the mapping has no
    /// title in it): the page marks it with its own `lang`, never mixed silently.
    pub title_lang: Option<String>,
    /// Label and value of each field, in order.
    pub fields: Vec<FieldView>,
    /// The rendered document, if it can be opened.
    pub document: Option<DocumentLink>,
    /// The documents held with it (2.0 human-readable version, translations, annexes).
    pub associated: Vec<DocumentLink>,
    /// With several evidences (`evidence.several`): the value of this evidence's
    /// tick-box (`evidence=<id>` in the decision form); the user sends the ticked ones.
    pub choice: Option<String>,
}

/// One record field on the review page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldView {
    /// Its label.
    pub label: String,
    /// The language of `label` when it is not the page language (a fallback), so the
    /// page marks it with its own `lang`.
    pub label_lang: Option<String>,
    /// The value as the record holds it: an ISO date is shown as the page language's
    /// long date, an empty value with the "not recorded" marker.
    pub value: String,
}

impl FieldView {
    /// A field labelled in the page language.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> FieldView {
        FieldView {
            label: label.into(),
            label_lang: None,
            value: value.into(),
        }
    }
}

/// A link to a rendered evidence document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    /// Where the document is served (same origin, or http(s)).
    pub url: String,
    /// Its media type, e.g. `application/pdf` (the page shows a short form such as "PDF").
    pub media_type: String,
    /// The link text.
    pub label: String,
}

/// The pages of the preview space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// Before sign-in: explains what is requested and offers the sign-in button (a plain link).
    SignIn {
        /// Who asks (the evidence requester's name).
        requester_name: String,
        /// Titles of the requested evidence.
        evidence_titles: Vec<String>,
        /// Where the sign-in starts.
        sign_in_url: String,
        /// When the link expires (RFC 3339 is shown as the page language's long date and
        /// the time in the configured zone, named: `3. März 2026, 14:05 CET`; any other
        /// text as given).
        expires_at: String,
    },
    /// After sign-in: the evidence and the two buttons.
    Review {
        /// Who asks.
        requester_name: String,
        /// The person the evidence is about.
        subject_name: String,
        /// The evidence to check.
        evidences: Vec<EvidenceView>,
        /// Where the decision form is posted.
        action_url: String,
        /// The anti-forgery token, sent back as the hidden field `csrf`.
        csrf_token: String,
        /// When the link expires (as for `SignIn`).
        expires_at: String,
    },
    /// The decision was recorded; the link back to the requester (may be absent).
    Decided {
        /// Whether the citizen approved the release.
        approved: bool,
        /// Link back to the requester's service (left out unless http(s) or `/…`).
        return_url: Option<String>,
    },
    /// The link or session expired before a decision.
    Expired {
        /// Link back to the requester's service (left out unless http(s) or `/…`).
        return_url: Option<String>,
    },
    /// The signed-in identity is not the subject of the request.
    IdentityMismatch {
        /// Link back to the requester's service (left out unless http(s) or `/…`).
        return_url: Option<String>,
    },
    /// Several registry records fit the subject and the sign-in did not single one out.
    Unresolved {
        /// Link back to the requester's service (left out unless http(s) or `/…`).
        return_url: Option<String>,
    },
    /// Unknown, tampered, replayed or already used link, or wrong browser session.
    Invalid,
    /// Anything else: a generic message, plus an incident reference (no details).
    Failed {
        /// The incident reference to quote to the authority.
        reference: String,
    },
}

impl Page {
    /// The template rendering this page.
    pub(super) fn template(&self) -> &'static str {
        match self {
            Page::SignIn { .. } => "sign_in",
            Page::Review { .. } => "review",
            Page::Decided { .. } => "decided",
            Page::Expired { .. } => "expired",
            Page::IdentityMismatch { .. } => "identity_mismatch",
            Page::Unresolved { .. } => "unresolved",
            Page::Invalid => "invalid",
            Page::Failed { .. } => "failed",
        }
    }

    /// The text key of the page title (also the `<h1>` of the shipped templates).
    pub(super) fn title_key(&self) -> &'static str {
        match self {
            Page::SignIn { .. } => "sign_in_title",
            Page::Review { .. } => "review_title",
            Page::Decided { approved: true, .. } => "decided_approved_title",
            Page::Decided {
                approved: false, ..
            } => "decided_declined_title",
            Page::Expired { .. } => "expired_title",
            Page::IdentityMismatch { .. } => "mismatch_title",
            Page::Unresolved { .. } => "unresolved_title",
            Page::Invalid => "invalid_title",
            Page::Failed { .. } => "failed_title",
        }
    }

    /// The `page` object the template sees, its dates and times written for `lang` in
    /// `zone`.
    pub(super) fn data(&self, lang: &str, zone: Tz) -> Result<Value, PageError> {
        let template = self.template();
        let required = |field: &str, url: &str| -> Result<String, PageError> {
            if is_safe_url(url) {
                Ok(url.to_owned())
            } else {
                Err(PageError::UnsafeUrl {
                    template: template.to_owned(),
                    field: field.to_owned(),
                })
            }
        };
        let optional = |url: &Option<String>| -> Value {
            match url {
                Some(u) if is_safe_url(u) => Value::String(u.clone()),
                _ => Value::Null,
            }
        };
        Ok(match self {
            Page::SignIn {
                requester_name,
                evidence_titles,
                sign_in_url,
                expires_at,
            } => json!({
                "requester_name": shown(requester_name),
                "evidence_titles": evidence_titles,
                "sign_in_url": required("sign_in_url", sign_in_url)?,
                "expires_at": display_time(expires_at, lang, zone),
            }),
            Page::Review {
                requester_name,
                subject_name,
                evidences,
                action_url,
                csrf_token,
                expires_at,
            } => {
                let mut list = Vec::with_capacity(evidences.len());
                for evidence in evidences {
                    let fields: Vec<Value> = evidence
                        .fields
                        .iter()
                        .map(|f| {
                            let empty = f.value.trim().is_empty();
                            json!({
                                "label": f.label,
                                "label_lang": f.label_lang,
                                "value": display_value(&f.value, lang, zone),
                                "empty": empty,
                            })
                        })
                        .collect();
                    let document = match &evidence.document {
                        Some(d) => link(d, &required)?,
                        None => Value::Null,
                    };
                    let associated = evidence
                        .associated
                        .iter()
                        .map(|d| link(d, &required))
                        .collect::<Result<Vec<_>, _>>()?;
                    list.push(json!({
                        "title": evidence.title,
                        "title_lang": evidence.title_lang,
                        "fields": fields,
                        "document": document,
                        "associated": associated,
                        "choice": evidence.choice,
                    }));
                }
                let several = evidences.iter().any(|e| e.choice.is_some());
                json!({
                    "requester_name": shown(requester_name),
                    "subject_name": shown(subject_name),
                    "several": several,
                    "evidences": list,
                    "action_url": required("action_url", action_url)?,
                    "csrf_token": csrf_token,
                    "expires_at": display_time(expires_at, lang, zone),
                })
            }
            Page::Decided {
                approved,
                return_url,
            } => json!({ "approved": approved, "return_url": optional(return_url) }),
            Page::Expired { return_url }
            | Page::IdentityMismatch { return_url }
            | Page::Unresolved { return_url } => {
                json!({ "return_url": optional(return_url) })
            }
            Page::Invalid => json!({}),
            Page::Failed { reference } => json!({ "reference": reference }),
        })
    }
}

/// A document link as the templates see it (its URL checked like every link).
fn link(
    d: &DocumentLink,
    required: &impl Fn(&str, &str) -> Result<String, PageError>,
) -> Result<Value, PageError> {
    Ok(json!({
        "url": required("document.url", &d.url)?,
        "media_type": d.media_type,
        "label": d.label,
        "format": short_format(&d.media_type),
    }))
}
