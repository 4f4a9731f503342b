//! `GET {base}/{token}/associated/{n}`: the n-th associated document held with the
//! evidences (a 2.0 human-readable version, translation or annex), numbered across them
//! in the order offered, under the same rule as the evidence document: to the browser
//! reviewing it only; `GET {base}/{token}/readable/{n}`: the human-readable version
//! rendered for the page alone. [`reviewing`] and [`inline`] serve the evidence documents too.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::loaded::Stop;
use super::space::PreviewSpace;
use super::visit::{Visit, visit};
use crate::preview::held::{Content, Produced};
use crate::preview::session::{BrowserKey, State as SessionState};

pub(super) async fn associated_document(
    State(space): State<Arc<PreviewSpace>>,
    Path((token, n)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    let mut v = match reviewing(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let doc = produced(&mut v.loaded.held.content)
        .flat_map(|e| e.associated.iter_mut())
        .nth(n);
    let Some(doc) = doc else {
        return v.stop(Stop::Invalid);
    };
    inline(&doc.media_type, std::mem::take(&mut doc.bytes))
}

/// `GET {base}/{token}/readable/{n}`: the human-readable version of the n-th evidence
/// rendered for the page alone (its request asked for none), under the same rule.
pub(super) async fn readable_document(
    State(space): State<Arc<PreviewSpace>>,
    Path((token, n)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    let mut v = match reviewing(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let doc = produced(&mut v.loaded.held.content)
        .nth(n)
        .and_then(|e| e.readable.as_mut());
    let Some(doc) = doc else {
        return v.stop(Stop::Invalid);
    };
    inline(&doc.media_type, std::mem::take(&mut doc.bytes))
}

/// The evidences held, in the order the page offers them (none before one is determined).
fn produced(content: &mut Content) -> impl Iterator<Item = &mut Produced> {
    let (first, more) = match content {
        Content::Evidence { evidence, more, .. } => (Some(evidence), more.as_mut_slice()),
        Content::Undetermined { .. } => (None, &mut [][..]),
    };
    first
        .into_iter()
        .chain(more.iter_mut().map(|m| &mut m.evidence))
}

/// The visit of the browser reviewing the link's evidence, or the refusal: a link nobody
/// opened yet is nobody's, another browser sees nothing, and nothing is shown before the
/// review (or after the decision).
pub(super) async fn reviewing<'a>(
    space: &'a PreviewSpace,
    headers: &'a HeaderMap,
    token: &str,
) -> Result<Visit<'a>, Response> {
    let mut v = visit(space, headers, token).await?;
    let unbound = BrowserKey::fresh();
    match v
        .loaded
        .session
        .visit(Some(&v.browser), &unbound, v.now, &v.timeouts)
    {
        Ok(false) => {}
        Ok(true) => return Err(v.stop(Stop::Invalid)),
        Err(e) => return Err(v.stop(Stop::Step(e))),
    }
    if !matches!(v.loaded.session.state, SessionState::Reviewing { .. }) {
        return Err(v.stop(Stop::Invalid));
    }
    Ok(v)
}

/// A held document, shown inline under its media type.
pub(super) fn inline(media_type: &str, bytes: Vec<u8>) -> Response {
    let content_type = HeaderValue::from_str(media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, "inline")
        .body(Body::from(bytes))
        .unwrap_or_default()
}
