//! `GET {base}/{token}/associated/{n}`: the n-th associated document held with the
//! evidence (a 2.0 human-readable version, translation or annex), under the same rule as
//! the evidence document: to the browser reviewing it only.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::loaded::Stop;
use super::space::PreviewSpace;
use super::visit::visit;
use crate::preview::held::Content;
use crate::preview::session::{BrowserKey, State as SessionState};

pub(super) async fn associated_document(
    State(space): State<Arc<PreviewSpace>>,
    Path((token, n)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    let mut v = match visit(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    // As for the evidence: a link nobody opened yet is nobody's.
    let unbound = BrowserKey::fresh();
    match v
        .loaded
        .session
        .visit(Some(&v.browser), &unbound, v.now, &v.timeouts)
    {
        Ok(false) => {}
        Ok(true) => return v.stop(Stop::Invalid),
        Err(e) => return v.stop(Stop::Step(e)),
    }
    let reviewing = matches!(v.loaded.session.state, SessionState::Reviewing { .. });
    // Numbered across the evidences held, in the order offered (as the page links them).
    let doc = match &mut v.loaded.held.content {
        Content::Evidence { evidence, more, .. } if reviewing => std::iter::once(evidence)
            .chain(more.iter_mut().map(|m| &mut m.evidence))
            .flat_map(|e| e.associated.iter_mut())
            .nth(n),
        _ => None,
    };
    let Some(doc) = doc else {
        return v.stop(Stop::Invalid);
    };
    let content_type = HeaderValue::from_str(&doc.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let bytes = std::mem::take(&mut doc.bytes);
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, "inline")
        .body(Body::from(bytes))
        .unwrap_or_default()
}
