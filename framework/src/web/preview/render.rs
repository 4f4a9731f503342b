//! A route's answer: the page in the negotiated language, and the refusal page a
//! [`Stop`] ends in (outcome pages only to the browser the link is bound to).

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::loaded::Stop;
use super::page::{DocumentLink, EvidenceView, FieldView, Page, PageContext};
use super::space::PreviewSpace;
use crate::matching::Attribute;
use crate::preview::associated::is_structured;
use crate::preview::held::Held;
use crate::preview::session::{Session, State as SessionState, StepError, secret_token};

/// Renders pages for one request.
pub(super) struct Render<'a> {
    pub(super) space: &'a PreviewSpace,
    pub(super) headers: &'a HeaderMap,
    /// The browser key the client holds: its cookie, or the key this response gives it.
    /// Outcome pages and the return address are shown only to the bound browser.
    pub(super) presented: Option<String>,
    pub(super) explicit_lang: Option<&'a str>,
    pub(super) languages: &'a [String],
    pub(super) path: String,
}

impl Render<'_> {
    pub(super) fn context(&self) -> PageContext {
        let catalog = self.space.ui.catalog();
        let accept = self
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let lang = catalog.negotiate(self.explicit_lang, accept, self.languages);
        let authority_name = Held::pick(&self.space.exchange.config().provider.name, &lang.0)
            .unwrap_or_default()
            .to_owned();
        PageContext {
            lang,
            base_path: self.space.base_path(),
            current_path: self.path.clone(),
            authority_name,
        }
    }

    pub(super) fn page(&self, status: StatusCode, page: &Page) -> Response {
        match self.space.ui.render(page, &self.context()) {
            Ok(html) => (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "preview page cannot be rendered");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "preview page unavailable",
                )
                    .into_response()
            }
        }
    }

    pub(super) fn stop(&self, stop: Stop, session: Option<&Session>) -> Response {
        if let Stop::Ended(ended) = stop {
            return self.stop(Stop::Step(StepError::Finished("answered")), Some(&ended));
        }
        let presented = self.presented.as_deref();
        let back = session
            .and_then(|s| s.return_url_for(presented))
            .map(|a| a.to_string());
        // A link opened in another browser: its outcome is that browser's alone.
        let not_yours = session.is_some_and(|s| s.was_opened() && !s.is_bound_to(presented));
        match stop {
            Stop::Step(StepError::Expired | StepError::Finished(_)) if not_yours => {
                self.page(StatusCode::NOT_FOUND, &Page::Invalid)
            }
            Stop::Ended(_) => self.page(StatusCode::NOT_FOUND, &Page::Invalid),
            Stop::Invalid | Stop::Step(StepError::WrongBrowser | StepError::BadCsrf) => {
                self.page(StatusCode::NOT_FOUND, &Page::Invalid)
            }
            Stop::Step(StepError::Expired) => {
                self.page(StatusCode::GONE, &Page::Expired { return_url: back })
            }
            Stop::Step(StepError::Finished(_)) => match session.map(|s| &s.state) {
                Some(SessionState::Approved { .. }) => self.page(
                    StatusCode::OK,
                    &Page::Decided {
                        approved: true,
                        return_url: back,
                    },
                ),
                Some(SessionState::Declined { .. }) => self.page(
                    StatusCode::OK,
                    &Page::Decided {
                        approved: false,
                        return_url: back,
                    },
                ),
                Some(SessionState::Mismatch { .. }) => self.page(
                    StatusCode::FORBIDDEN,
                    &Page::IdentityMismatch { return_url: back },
                ),
                Some(SessionState::Unresolved { .. }) => {
                    self.page(StatusCode::OK, &Page::Unresolved { return_url: back })
                }
                Some(SessionState::Expired { .. }) => {
                    self.page(StatusCode::GONE, &Page::Expired { return_url: back })
                }
                _ => self.page(StatusCode::NOT_FOUND, &Page::Invalid),
            },
            Stop::Step(e @ StepError::OutOfOrder(_)) => {
                tracing::info!(code = e.code(), "preview step out of order");
                self.failed(e.code())
            }
            Stop::Store(e) => {
                tracing::error!(code = e.code(), error = %e, "preview state store failed");
                self.failed(e.code())
            }
            Stop::Failed(code) => self.failed(code),
        }
    }

    pub(super) fn failed(&self, code: &str) -> Response {
        let reference = format!("{code}-{}", &secret_token()[..8]);
        tracing::warn!(reference = %reference, "preview refused with an incident reference");
        self.page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &Page::Failed { reference },
        )
    }
}

/// Links to the documents held with the evidence, labelled by their title (and
/// language).
fn associated_links(
    offered: &crate::preview::held::Produced,
    first: usize,
    base: &str,
    token: &str,
) -> Vec<DocumentLink> {
    offered
        .associated
        .iter()
        .enumerate()
        .map(|(n, a)| DocumentLink {
            url: format!("{base}/{token}/associated/{}", first + n),
            media_type: a.media_type.clone(),
            label: match &a.language {
                Some(lang) => format!("{} ({lang})", a.title),
                None => a.title.clone(),
            },
        })
        .collect()
}

/// The review page for a session's held data: the subject, the labelled fields in
/// `lang`, the document link and the decision form (also rendered offline by
/// `oots-adapter preview`).
pub fn review_page(
    held: &Held,
    lang: &str,
    base: &str,
    token: &str,
    csrf: &str,
    expires_at: &str,
) -> Page {
    let subject_name = [Attribute::GivenName, Attribute::FamilyName]
        .iter()
        .filter_map(|a| held.subject.get(a).map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let (title, title_lang) = Held::pick_marked(&held.title, lang)
        .map(|(t, l)| (t.to_owned(), l))
        .unwrap_or_default();
    let offered = held.offered();
    let several = offered.len() > 1;
    // Associated documents are numbered across the evidences, in the order offered.
    let mut first_associated = 0;
    let evidences = offered
        .iter()
        .enumerate()
        .map(|(i, o)| {
            EvidenceView {
                title: title.clone(),
                title_lang: title_lang.clone(),
                fields: o
                    .fields
                    .iter()
                    .map(|f| {
                        let (label, label_lang) = Held::pick_marked(&f.label, lang)
                            .map(|(t, l)| (t.to_owned(), l))
                            .unwrap_or_default();
                        FieldView {
                            label,
                            label_lang,
                            value: f.value.clone(),
                        }
                    })
                    .collect(),
                choice: several.then(|| o.evidence.evidence_id.clone()),
                document: None,
                associated: Vec::new(),
            }
            .with_documents({
                let links = associated_links(o.evidence, first_associated, base, token);
                first_associated += links.len();
                (
                    DocumentLink {
                        url: document_url(base, token, i),
                        media_type: o.evidence.media_type.clone(),
                        label: title.clone(),
                    },
                    links,
                    o.evidence
                        .associated
                        .iter()
                        .position(|a| a.kind == crate::edm::AssociatedKind::HumanReadableVersion),
                    o.evidence.readable.as_ref().map(|r| DocumentLink {
                        url: format!("{base}/{token}/readable/{i}"),
                        media_type: r.media_type.clone(),
                        label: title.clone(),
                    }),
                )
            })
        })
        .collect();
    Page::Review {
        requester_name: held.requester.clone(),
        subject_name,
        evidences,
        action_url: format!("{base}/{token}/decision"),
        csrf_token: csrf.to_owned(),
        expires_at: expires_at.to_owned(),
    }
}

impl EvidenceView {
    /// The evidence's document link and its associated documents' links. Structured
    /// evidence (XML, JSON) is never linked as it is, since a citizen would see raw
    /// markup: its human-readable version (at `readable` among `associated`, else the one
    /// rendered for the page alone) takes the document's place, and without one the
    /// labelled fields are the rendering shown.
    fn with_documents(
        mut self,
        (document, mut associated, readable, for_page): (
            DocumentLink,
            Vec<DocumentLink>,
            Option<usize>,
            Option<DocumentLink>,
        ),
    ) -> EvidenceView {
        if is_structured(&document.media_type) {
            self.document = readable
                .filter(|n| *n < associated.len())
                .map(|n| DocumentLink {
                    label: self.title.clone(),
                    ..associated.remove(n)
                })
                .or(for_page);
        } else {
            self.document = Some(document);
        }
        self.associated = associated;
        self
    }
}

/// Where the `index`th evidence's document is served: the first where a single
/// evidence always was, the others (`evidence.several`) after it.
fn document_url(base: &str, token: &str, index: usize) -> String {
    match index {
        0 => format!("{base}/{token}/document"),
        n => format!("{base}/{token}/document/{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, media_type: &str, label: &str) -> DocumentLink {
        DocumentLink {
            url: url.into(),
            media_type: media_type.into(),
            label: label.into(),
        }
    }

    fn view() -> EvidenceView {
        EvidenceView {
            title: "Birth certificate".into(),
            title_lang: None,
            fields: Vec::new(),
            document: None,
            associated: Vec::new(),
            choice: None,
        }
    }

    #[test]
    fn xml_evidence_is_never_linked_as_it_is() {
        let xml = link("/p/t/document", "application/xml", "Birth certificate");
        let annex = link("/p/t/associated/0", "application/pdf", "Annex");
        let hrv = link(
            "/p/t/associated/1",
            "application/pdf",
            "HumanReadableVersion",
        );
        // With a human-readable version: it takes the document's place, labelled with
        // the evidence title; the annex stays.
        let v = view().with_documents((xml.clone(), vec![annex.clone(), hrv], Some(1), None));
        let doc = v.document.unwrap();
        assert_eq!(doc.url, "/p/t/associated/1");
        assert_eq!(doc.label, "Birth certificate");
        assert_eq!(v.associated, vec![annex.clone()]);
        // Without one: no document link, the labelled fields are what the page shows.
        let v = view().with_documents((xml.clone(), vec![annex.clone()], None, None));
        assert_eq!(v.document, None);
        // A version rendered for the page alone stands in when none was asked for.
        let for_page = link("/p/t/readable/0", "application/pdf", "Birth certificate");
        let v = view().with_documents((xml.clone(), vec![], None, Some(for_page.clone())));
        assert_eq!(v.document, Some(for_page));
        let json = link("/p/t/document", "application/ld+json", "x");
        assert_eq!(
            view().with_documents((json, vec![], None, None)).document,
            None
        );
        // A PDF is linked as it is.
        let pdf = link("/p/t/document", "application/pdf", "Birth certificate");
        let v = view().with_documents((pdf.clone(), vec![annex], None, None));
        assert_eq!(v.document, Some(pdf));
    }
}
