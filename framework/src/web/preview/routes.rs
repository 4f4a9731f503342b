//! The preview space's HTTP routes, under the path of `preview.public_url`:
//!
//! | Route | What it does |
//! |---|---|
//! | `GET {base}/{token}` | the page: sign-in offer, the evidence with the two buttons, or the outcome |
//! | `GET {base}/{token}/sign-in` | starts the sign-in at the identity provider |
//! | `GET {base}/callback` | the identity provider's redirect back |
//! | `POST {base}/{token}/decision` | approve or decline (form with CSRF token; with several evidences, the ticked `evidence` ids) |
//! | `GET {base}/{token}/document` | the held evidence document, to the reviewing browser only |
//! | `GET {base}/{token}/document/{n}` | the `n`th (from 0) of several held evidences' documents, likewise |
//! | `GET {base}/{token}/associated/{n}` | the n-th associated document held with the evidences (2.0), numbered across them in the order offered, likewise |
//! | `GET {base}/{token}/readable/{n}` | the human-readable version of the `n`th evidence rendered for the page alone (structured evidence whose request asked for none), likewise; never sent |
//! | `GET {base}/static/preview.css`, `GET {base}/static/logo` | the stylesheet, the authority's logo |
//!
//! Every response carries strict security headers (CSP without scripts, HSTS, no framing,
//! no caching, no referrer). The first visit binds the link to the browser with a random
//! `__Host-` cookie made here (never one the client offers), which the sign-in rotates;
//! every later step checks it, and outcome pages and the return address are shown to
//! that browser only. Pages never show why a link is refused beyond
//! "not valid", so a link in the wrong hands reveals nothing.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::loaded::{Loaded, Stop, load, settle};
use super::page::Page;
use super::render::Render;
use super::sign_in::{callback, sign_in};
use super::visit::{BROWSER_COOKIE, cookie, see_other, set_cookie, visit};
use crate::preview::held::{Content, Held};
use crate::preview::return_address::{ReturnAddress, ReturnChannel};
use crate::preview::selection::Selection;
use crate::preview::session::{BrowserKey, State as SessionState, StepError, Timeouts};

pub use super::render::review_page;
pub use super::space::{Authentication, PreviewSpace, base_path};

/// The routes, with security headers on every response.
pub fn router(space: Arc<PreviewSpace>) -> Router {
    let base = space.base_path();
    Router::new()
        .route(&format!("{base}/static/preview.css"), get(stylesheet))
        .route(&format!("{base}/static/logo"), get(logo))
        .route(&format!("{base}/callback"), get(callback))
        .route(&format!("{base}/{{token}}"), get(page))
        .route(&format!("{base}/{{token}}/sign-in"), get(sign_in))
        .route(&format!("{base}/{{token}}/decision"), post(decision))
        .route(&format!("{base}/{{token}}/document"), get(first_document))
        .route(
            &format!("{base}/{{token}}/document/{{index}}"),
            get(document),
        )
        .route(
            &format!("{base}/{{token}}/associated/{{n}}"),
            get(super::associated::associated_document),
        )
        .route(
            &format!("{base}/{{token}}/readable/{{n}}"),
            get(super::associated::readable_document),
        )
        .layer(axum::middleware::map_response(security_headers))
        .with_state(space)
}

async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'",
    );
    set(
        h,
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    );
    set(h, "x-frame-options", "DENY");
    set(h, "x-content-type-options", "nosniff");
    // Same-origin (as the pages' meta tag): the decision form keeps its Origin, and
    // nothing leaks to the requester's site on the way back.
    set(h, "referrer-policy", "same-origin");
    set(h, "cache-control", "no-store");
    set(h, "cross-origin-opener-policy", "same-origin");
    response
}

async fn logo(State(space): State<Arc<PreviewSpace>>) -> Response {
    match space.ui.logo() {
        Some((media_type, bytes)) => {
            ([(header::CONTENT_TYPE, media_type)], bytes.to_vec()).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn stylesheet(State(space): State<Arc<PreviewSpace>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        space.ui.stylesheet().to_owned(),
    )
        .into_response()
}

/// Query parameters the page accepts.
#[derive(serde::Deserialize, Default)]
struct PageQuery {
    lang: Option<String>,
    /// v1.x: the requester appends where to send the user back.
    returnurl: Option<String>,
}

async fn page(
    State(space): State<Arc<PreviewSpace>>,
    Path(token): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let base = space.base_path();
    let mut render = Render {
        space: &space,
        headers: &headers,
        presented: cookie(&headers, BROWSER_COOKIE),
        explicit_lang: q.lang.as_deref(),
        languages: &[],
        path: format!("{base}/{token}"),
    };
    let mut loaded = match load(&space, &token).await {
        Ok(l) => l,
        Err(stop) => return render.stop(stop, None),
    };
    let languages = loaded.held.languages.clone();
    render.languages = &languages;
    let offered = offered_return_address(&space, &loaded, q.returnurl.as_deref());
    // Made here, for this visit: the link is bound to it if this visit is the first,
    // whatever cookie the client sent.
    let fresh = BrowserKey::fresh();
    let presented = render.presented.clone();
    let now = space.exchange.now();
    let timeouts = space.exchange.config().preview.timeouts();
    let signs_in = !matches!(space.authentication, Authentication::None);
    // Only a sign-in could single out the subject's record among homonyms.
    let undetermined = loaded.held.evidence().is_none();
    let visited = settle(
        space.exchange.metrics(),
        space.exchange.store().as_ref(),
        &token,
        &mut loaded,
        |s| {
            let binds = s.visit(presented.as_deref(), &fresh, now, &timeouts)?;
            let browser = if binds {
                fresh.as_str()
            } else {
                presented.as_deref().unwrap_or_default()
            };
            // Only now, from the bound browser: a refused one sets nothing.
            if let Some(back) = &offered {
                s.set_return_url(back.clone());
            }
            if signs_in {
                Ok(s.csrf().map(str::to_owned))
            } else if undetermined {
                s.unresolved(browser, now, &timeouts)?;
                Err(StepError::Finished("unresolved"))
            } else {
                s.review_without_sign_in(browser, now, &timeouts).map(Some)
            }
        },
    )
    .await;
    // This visit bound the link: the browser gets the key (also with a refusal page, so
    // it sees its own outcome).
    let bound_now = loaded.session.is_bound_to(Some(fresh.as_str()));
    if bound_now {
        render.presented = Some(fresh.as_str().to_owned());
    }
    let with_cookie = |mut response: Response| {
        if bound_now {
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(BROWSER_COOKIE, fresh.as_str()),
            );
        }
        response
    };
    let csrf = match visited {
        Ok(Ok(csrf)) => csrf,
        Ok(Err(e)) => {
            if matches!(loaded.session.state, SessionState::Unresolved { .. }) {
                // A held follow-up can be refused at once.
                let _ = space.decided.send(());
            }
            return with_cookie(render.stop(Stop::Step(e), Some(&loaded.session)));
        }
        Err(stop) => return with_cookie(render.stop(stop, Some(&loaded.session))),
    };
    let lang = render.context().lang;
    let page = landing(&loaded, &lang.0, &base, &token, csrf, &timeouts);
    with_cookie(render.page(StatusCode::OK, &page))
}

/// What a visit shows: the review with its decision form once the user may decide
/// (`csrf`), the offer to sign in before.
fn landing(
    loaded: &Loaded,
    lang: &str,
    base: &str,
    token: &str,
    csrf: Option<String>,
    timeouts: &Timeouts,
) -> Page {
    let expires_at = loaded
        .session
        .deadline(timeouts)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let held = &loaded.held;
    match csrf {
        Some(csrf_token) => review_page(held, lang, base, token, &csrf_token, &expires_at),
        None => Page::SignIn {
            requester_name: held.requester.clone(),
            evidence_titles: vec![Held::pick(&held.title, lang).unwrap_or("").to_owned()],
            sign_in_url: format!("{base}/{token}/sign-in"),
            expires_at,
        },
    }
}

/// The `returnurl` a visit brings, if the link takes its return address from it (1.x)
/// and it passes the rules; the session keeps it only if the visit is the bound
/// browser's and none is kept yet.
fn offered_return_address(
    space: &PreviewSpace,
    loaded: &Loaded,
    raw: Option<&str>,
) -> Option<ReturnAddress> {
    let raw = raw?;
    if loaded.held.return_channel != ReturnChannel::LinkParameter {
        tracing::info!("returnurl on a 2.0 preview link is ignored (ReturnLocation only)");
        return None;
    }
    let hosts = &space.exchange.config().preview.return_hosts;
    ReturnAddress::parse(raw, &loaded.requester, hosts)
        .inspect_err(
            |e| tracing::warn!(code = e.code(), error = %e, "the link's returnurl is not kept"),
        )
        .ok()
}

/// The decision form: `csrf`, `decision` (`approve` or `decline`) and, with several
/// evidences, one `evidence=<id>` per ticked box (repeated keys, so read as pairs).
struct DecisionForm {
    csrf: String,
    decision: String,
    ticked: Vec<String>,
}

impl DecisionForm {
    /// `None` when `csrf` or `decision` is missing or repeated, or a field is unknown.
    fn read(pairs: Vec<(String, String)>) -> Option<Self> {
        let (mut csrf, mut decision, mut ticked) = (None, None, Vec::new());
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "csrf" => &mut csrf,
                "decision" => &mut decision,
                "evidence" => {
                    ticked.push(value);
                    continue;
                }
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
        }
        Some(Self {
            csrf: csrf?,
            decision: decision?,
            ticked,
        })
    }
}

async fn decision(
    State(space): State<Arc<PreviewSpace>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut v = match visit(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Some(form) = DecisionForm::read(pairs) else {
        return v.stop(Stop::Invalid);
    };
    // Ticks name evidences this session holds, once each (docs/preview.md).
    let offered: Vec<String> = v
        .loaded
        .held
        .offered()
        .iter()
        .map(|o| o.evidence.evidence_id.clone())
        .collect();
    let offered: Vec<&str> = offered.iter().map(String::as_str).collect();
    let selection = match Selection::of(&form.ticked, &offered) {
        Ok(selection) => selection,
        Err(e) => {
            tracing::warn!(code = e.code(), "preview decision refused: {e}");
            return v.stop(Stop::Invalid);
        }
    };
    let choice = match (form.decision.as_str(), offered.len() > 1) {
        ("decline", _) => Selection::Declined,
        // Among several, the ticked ones (none: declined); one alone needs no tick.
        ("approve", true) => selection,
        ("approve", false) => Selection::Release(offered.iter().map(|o| (*o).to_owned()).collect()),
        _ => return v.stop(Stop::Invalid),
    };
    let approve = matches!(choice, Selection::Release(_));
    let several = offered.len() > 1;
    if let Err(refused) = v
        .commit(&space, &token, |s, b, now, t| {
            match (several, choice.clone()) {
                (true, choice) => s.decide_selected(b, &form.csrf, choice, now, t),
                (false, _) => s.decide(b, &form.csrf, approve, now, t),
            }
        })
        .await
    {
        return refused;
    }
    tracing::info!(approved = approve, "preview decided");
    let _ = space.decided.send(());
    match v.loaded.session.return_url_for(Some(&v.browser)) {
        Some(back) => see_other(back),
        None => v.render.page(
            StatusCode::OK,
            &Page::Decided {
                approved: approve,
                return_url: None,
            },
        ),
    }
}

async fn first_document(
    space: State<Arc<PreviewSpace>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve_document(space, token, 0, headers).await
}

async fn document(
    space: State<Arc<PreviewSpace>>,
    Path((token, index)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    serve_document(space, token, index, headers).await
}

/// The `index`th held evidence's document.
async fn serve_document(
    State(space): State<Arc<PreviewSpace>>,
    token: String,
    index: usize,
    headers: HeaderMap,
) -> Response {
    // Only the browser reviewing the evidence may read it.
    let mut v = match super::associated::reviewing(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let evidence = match &mut v.loaded.held.content {
        Content::Evidence { evidence, .. } if index == 0 => evidence,
        Content::Evidence { more, .. } => match more.get_mut(index - 1) {
            Some(m) => &mut m.evidence,
            None => return v.stop(Stop::Invalid),
        },
        Content::Undetermined { .. } => return v.stop(Stop::Invalid),
    };
    super::associated::inline(&evidence.media_type, std::mem::take(&mut evidence.bytes))
}
