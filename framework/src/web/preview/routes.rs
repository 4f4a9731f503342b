//! The preview space's HTTP routes, under the path of `preview.public_url`:
//!
//! | Route | What it does |
//! |---|---|
//! | `GET {base}/{token}` | the page: sign-in offer, the evidence with the two buttons, or the outcome |
//! | `GET {base}/{token}/sign-in` | starts the sign-in at the identity provider |
//! | `GET {base}/callback` | the identity provider's redirect back |
//! | `POST {base}/{token}/decision` | approve or decline (form with CSRF token) |
//! | `GET {base}/{token}/document` | the held evidence document, to the reviewing browser only |
//! | `GET {base}/static/preview.css`, `GET {base}/static/logo` | the stylesheet, the authority's logo |
//!
//! Every response carries strict security headers (CSP without scripts, HSTS, no framing,
//! no caching, no referrer). The first visit binds the link to the browser with a random
//! `__Host-` cookie made here (never one the client offers), which the sign-in rotates;
//! every later step checks it, and outcome pages and the return address are shown to
//! that browser only. Pages never show why a link is refused beyond
//! "not valid", so a link in the wrong hands reveals nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::mpsc;

use super::auth::{Authenticator, PendingSignIn};
use super::page::{DocumentLink, EvidenceView, Page, PageContext, PreviewUi};
use crate::exchange::{Exchange, Resolution};
use crate::matching::Attribute;
use crate::metrics::{Metrics, PreviewStep};
use crate::preview::held::{Content, Held};
use crate::preview::identity::{self, Claimed, Mismatch};
use crate::preview::return_address::{ReturnAddress, ReturnChannel};
use crate::preview::session::{
    BrowserKey, Session, SignedIn, State as SessionState, StepError, secret_token,
};
use crate::preview::store::{Policy, Reread, SessionStore, Updated};
use crate::store::{Store, StoreError};

/// The cookie binding a preview link to the browser that first opened it. `__Host-`:
/// Secure, `Path=/`, no `Domain`, so no other host (a sibling subdomain) can set or
/// shadow it.
const BROWSER_COOKIE: &str = "__Host-oots_preview";
/// The cookie naming the preview a sign-in in progress belongs to (the provider's
/// callback URL is the same for all).
const SIGN_IN_COOKIE: &str = "__Host-oots_preview_signin";

/// How the user proves who they are before seeing evidence.
#[derive(Clone)]
pub enum Authentication {
    /// Explicitly configured: no re-authentication, the link alone (single browser,
    /// short-lived) shows the evidence.
    None,
    /// Sign-in at an identity provider; the signed-in person must be the subject.
    Provider(Arc<dyn Authenticator>),
}

/// Everything the routes need.
pub struct PreviewSpace {
    pub exchange: Exchange,
    pub ui: Arc<PreviewUi>,
    pub authentication: Authentication,
    /// Told after every decision, so held follow-up requests are answered at once.
    pub decided: mpsc::UnboundedSender<()>,
}

impl PreviewSpace {
    /// The path the routes live under (`/preview` for `https://host/preview`).
    pub fn base_path(&self) -> String {
        base_path(&self.exchange.config().preview.public_url)
    }

    fn callback_url(&self) -> String {
        format!(
            "{}/callback",
            self.exchange
                .config()
                .preview
                .public_url
                .trim_end_matches('/')
        )
    }
}

/// The path part of a URL, without a trailing slash (`""` for the root).
pub fn base_path(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
    path.trim_end_matches('/').to_owned()
}

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
        .route(&format!("{base}/{{token}}/document"), get(document))
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

/// The value of cookie `name`.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A `__Host-` cookie: Secure, `Path=/` and no `Domain` are what the prefix requires
/// (the routes' own path cannot narrow it). The preview's `public_url` is always https.
fn set_cookie(name: &str, value: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; Secure; SameSite=Lax"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A loaded session, with the store version it was read at.
struct Loaded {
    held: Held,
    /// The requester the link was issued to (its identifier).
    requester: String,
    session: Session,
    version: i64,
    /// `held` changed (the sign-in singled out the record) and is saved with the state.
    held_changed: bool,
}

/// Why a request to the routes ends in a refusal page.
enum Stop {
    /// Unknown link, wrong browser, malformed input: one page for all.
    Invalid,
    /// The follow-up was answered and the session's data dropped: only its outcome is
    /// left to show.
    Ended(Session),
    Step(StepError),
    Store(StoreError),
    /// The sign-in or the registry failed (a stable code); the page gives a reference.
    Failed(&'static str),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

impl From<StepError> for Stop {
    fn from(e: StepError) -> Self {
        Stop::Step(e)
    }
}

async fn load(space: &PreviewSpace, token: &str) -> Result<Loaded, Stop> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Stop::Invalid);
    }
    let store = space.exchange.store();
    let Some(link) = store.find_preview(token).await? else {
        return Err(Stop::Invalid);
    };
    let (session, version) = SessionStore::new(store.as_ref())
        .load(token, link.created_at)
        .await?
        .ok_or(Stop::Invalid)?;
    let Ok(held) = serde_json::from_str::<Held>(&link.data) else {
        // Already answered: its data is gone.
        return Err(Stop::Ended(session));
    };
    Ok(Loaded {
        held,
        requester: link.requester_id,
        session,
        version,
        held_changed: false,
    })
}

/// How often a step is applied again to a session another step (a click, the follow-up
/// request arriving, another replica) moved between its read and its save.
const SETTLE_ATTEMPTS: usize = 8;

/// Applies `step` to the session and saves it if it changed, with the session store's
/// compare-and-set: when something else moved the session meanwhile, the session is read
/// again and the step applied to what is there now. The step's own result is returned
/// either way (a step that fails may still have moved the session, e.g. to expired, and
/// that is saved). The funnel steps the saved move took are counted here, where exactly
/// one request wins each move.
async fn settle<T>(
    metrics: &Metrics,
    store: &dyn Store,
    token: &str,
    loaded: &mut Loaded,
    step: impl Fn(&mut Session) -> T,
) -> Result<T, Stop> {
    let policy = Policy {
        attempts: SETTLE_ATTEMPTS,
        reread: Reread::Strict,
    };
    let held = loaded.held_changed.then_some(&loaded.held);
    let updated = SessionStore::new(store)
        .update(
            token,
            &mut loaded.session,
            &mut loaded.version,
            held,
            policy,
            step,
        )
        .await?;
    match updated {
        Updated::Unchanged(result) => Ok(result),
        Updated::Saved { result, before } => {
            count_steps(metrics, &before.state, &loaded.session.state);
            Ok(result)
        }
        Updated::Lost(_) => Err(Stop::Step(StepError::OutOfOrder("changed meanwhile"))),
        Updated::Gone => Err(Stop::Invalid),
    }
}

/// Counts the preview funnel steps of one saved move (`Expired` is the service's: it
/// answers the follow-up when a deadline passes).
fn count_steps(metrics: &Metrics, before: &SessionState, after: &SessionState) {
    if before.name() == after.name() {
        return;
    }
    if matches!(before, SessionState::Issued) {
        metrics.preview(PreviewStep::Visited);
    }
    let step = match after {
        SessionState::Reviewing { .. } if matches!(before, SessionState::SigningIn { .. }) => {
            Some(PreviewStep::SignedIn)
        }
        SessionState::Approved { .. } => Some(PreviewStep::Approved),
        SessionState::Declined { .. } => Some(PreviewStep::Declined),
        SessionState::Mismatch { .. } => Some(PreviewStep::Mismatch),
        SessionState::Unresolved { .. } => Some(PreviewStep::Unresolved),
        _ => None,
    };
    if let Some(step) = step {
        metrics.preview(step);
    }
}

/// Query parameters the page accepts.
#[derive(serde::Deserialize, Default)]
struct PageQuery {
    lang: Option<String>,
    /// v1.x: the requester appends where to send the user back.
    returnurl: Option<String>,
}

struct Render<'a> {
    space: &'a PreviewSpace,
    headers: &'a HeaderMap,
    /// The browser key the client holds: its cookie, or the key this response gives it.
    /// Outcome pages and the return address are shown only to the bound browser.
    presented: Option<String>,
    explicit_lang: Option<&'a str>,
    languages: &'a [String],
    path: String,
}

impl Render<'_> {
    fn context(&self) -> PageContext {
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

    fn page(&self, status: StatusCode, page: &Page) -> Response {
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

    fn stop(&self, stop: Stop, session: Option<&Session>) -> Response {
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

    fn failed(&self, code: &str) -> Response {
        let reference = format!("{code}-{}", &secret_token()[..8]);
        tracing::warn!(reference = %reference, "preview refused with an incident reference");
        self.page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &Page::Failed { reference },
        )
    }
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
    let title = Held::pick(&held.title, lang).unwrap_or("").to_owned();
    let fields = held
        .fields()
        .iter()
        .map(|f| {
            (
                Held::pick(&f.label, lang).unwrap_or("").to_owned(),
                f.value.clone(),
            )
        })
        .collect();
    let document = held.evidence().map(|e| DocumentLink {
        url: format!("{base}/{token}/document"),
        media_type: e.media_type.clone(),
        label: title.clone(),
    });
    Page::Review {
        requester_name: held.requester.clone(),
        subject_name,
        evidences: vec![EvidenceView {
            title,
            fields,
            document,
        }],
        action_url: format!("{base}/{token}/decision"),
        csrf_token: csrf.to_owned(),
        expires_at: expires_at.to_owned(),
    }
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
    let expires_at = loaded
        .session
        .deadline(&timeouts)
        .map(|d| d.format("%H:%M UTC").to_string())
        .unwrap_or_default();
    let held = &loaded.held;
    let page = match csrf {
        Some(csrf_token) => review_page(held, &lang.0, &base, &token, &csrf_token, &expires_at),
        None => Page::SignIn {
            requester_name: held.requester.clone(),
            evidence_titles: vec![Held::pick(&held.title, &lang.0).unwrap_or("").to_owned()],
            sign_in_url: format!("{base}/{token}/sign-in"),
            expires_at,
        },
    };
    with_cookie(render.page(StatusCode::OK, &page))
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

/// What every step after the first visit starts from: the page renderer, the browser
/// the request comes from and the loaded session.
struct Visit<'a> {
    render: Render<'a>,
    browser: String,
    loaded: Loaded,
    now: chrono::DateTime<chrono::Utc>,
    timeouts: crate::preview::session::Timeouts,
}

/// Loads the session behind `token` for a request that must carry the browser cookie;
/// the refusal page otherwise.
async fn visit<'a>(
    space: &'a PreviewSpace,
    headers: &'a HeaderMap,
    token: &str,
) -> Result<Visit<'a>, Response> {
    let render = Render {
        space,
        headers,
        presented: cookie(headers, BROWSER_COOKIE),
        explicit_lang: None,
        languages: &[],
        path: format!("{}/{token}", space.base_path()),
    };
    let Some(browser) = cookie(headers, BROWSER_COOKIE) else {
        return Err(render.stop(Stop::Invalid, None));
    };
    let loaded = match load(space, token).await {
        Ok(l) => l,
        Err(stop) => return Err(render.stop(stop, None)),
    };
    Ok(Visit {
        render,
        browser,
        loaded,
        now: space.exchange.now(),
        timeouts: space.exchange.config().preview.timeouts(),
    })
}

impl Visit<'_> {
    fn stop(&self, stop: Stop) -> Response {
        self.render.stop(stop, Some(&self.loaded.session))
    }

    /// Moves the session one step (given the browser, the time and the deadlines) and
    /// saves it, again on what is there if something moved it meanwhile; the refusal page
    /// if the step or the save fails.
    async fn commit<T>(
        &mut self,
        space: &PreviewSpace,
        token: &str,
        step: impl Fn(
            &mut Session,
            &str,
            chrono::DateTime<chrono::Utc>,
            &crate::preview::session::Timeouts,
        ) -> Result<T, StepError>,
    ) -> Result<T, Response> {
        let (browser, now, timeouts) = (&self.browser, self.now, &self.timeouts);
        let settled = settle(
            space.exchange.metrics(),
            space.exchange.store().as_ref(),
            token,
            &mut self.loaded,
            |s| step(s, browser, now, timeouts),
        )
        .await;
        match settled {
            Ok(Ok(moved)) => Ok(moved),
            Ok(Err(e)) => Err(self.stop(Stop::Step(e))),
            Err(stop) => Err(self.stop(stop)),
        }
    }
}

/// A 303 to `location`.
fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .body(Body::empty())
        .unwrap_or_default()
}

async fn sign_in(
    State(space): State<Arc<PreviewSpace>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut v = match visit(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Authentication::Provider(auth) = &space.authentication else {
        return v.stop(Stop::Invalid);
    };
    let sign_in = match auth.begin(&space.callback_url()).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "sign-in cannot start");
            return v.stop(Stop::Failed(e.code()));
        }
    };
    let Ok(pending) = serde_json::to_string(&sign_in.pending) else {
        return v.stop(Stop::Failed("AUTH_PENDING"));
    };
    if let Err(refused) = v
        .commit(&space, &token, |s, b, now, t| {
            s.begin_sign_in(b, pending.clone(), now, t)
        })
        .await
    {
        return refused;
    }
    let mut response = see_other(&sign_in.redirect_url);
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(SIGN_IN_COOKIE, &token));
    response
}

async fn callback(
    State(space): State<Arc<PreviewSpace>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let token = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    let mut v = match visit(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Authentication::Provider(auth) = &space.authentication else {
        return v.stop(Stop::Invalid);
    };
    let Some(pending) = v
        .loaded
        .session
        .pending_sign_in()
        .and_then(|p| serde_json::from_str::<PendingSignIn>(p).ok())
    else {
        return v.stop(Stop::Invalid);
    };
    let person = match auth.finish(&pending, &space.callback_url(), &query).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(code = e.code(), error = %e, "sign-in failed");
            return v.stop(Stop::Failed(e.code()));
        }
    };
    let claimed = Claimed {
        family_name: person.family_name.clone(),
        given_name: person.given_name.clone(),
        date_of_birth: person.date_of_birth.clone(),
    };
    let signed_in = match who_signed_in(&space, &mut v.loaded, &claimed, &person).await {
        Ok(s) => s,
        Err(code) => return v.stop(Stop::Failed(code)),
    };
    // The sign-in rotates the browser's key: one seen or set before opens nothing now.
    let fresh = BrowserKey::fresh();
    v.render.presented = Some(fresh.as_str().to_owned());
    let committed = v
        .commit(&space, &token, |s, b, now, t| {
            s.rotate_browser(b, &fresh)?;
            s.signed_in(fresh.as_str(), signed_in.clone(), now, t)
        })
        .await;
    let mut response = match committed {
        Err(refused) => refused,
        Ok(_) => {
            if signed_in != SignedIn::Subject {
                // A held follow-up can be refused at once.
                let _ = space.decided.send(());
            }
            see_other(&format!("{}/{token}", space.base_path()))
        }
    };
    if v.loaded.session.is_bound_to(Some(fresh.as_str())) {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(BROWSER_COOKIE, fresh.as_str()),
        );
    }
    response
}

/// Who signed in, as far as the session is concerned, checked in this order and the
/// first failure ending the session without anything of the record shown:
///
/// 1. the sign-in reaches the evidence type's level of assurance (the sign-in's own
///    property, whatever the registry holds);
/// 2. the signed-in person is the request's subject ([`identity::check`]);
/// 3. the record is known (homonyms: the sign-in's identifier singles it out, and the
///    session then holds it) and the signed-in person is its person
///    ([`identity::check_record`]; a session holding no record identity fails).
///
/// Each verdict is logged naming attributes only. A stable code if the registry or the
/// rendering failed while singling out the record (the person may sign in again).
async fn who_signed_in(
    space: &PreviewSpace,
    loaded: &mut Loaded,
    claimed: &Claimed,
    person: &super::auth::AuthenticatedPerson,
) -> Result<SignedIn, &'static str> {
    if !loaded
        .held
        .assurance_suffices(person.level_of_assurance.as_deref())
    {
        tracing::warn!(
            level = person.level_of_assurance.as_deref().unwrap_or("-"),
            "the sign-in's level of assurance is below the evidence type's minimum"
        );
        return Ok(SignedIn::Other(Mismatch::Assurance));
    }
    let requested = loaded.held.identity();
    let verdict = identity::check(&requested, claimed);
    if !verdict.is_same() {
        tracing::warn!(check = "subject", verdict = ?verdict, "the signed-in person is not the request's subject");
        return Ok(SignedIn::Other(Mismatch::Subject { verdict }));
    }
    let singled_out = match &loaded.held.content {
        Content::Evidence { .. } => None,
        Content::Undetermined { request } => {
            match single_out(space, request, person.person_identifier.as_deref()).await? {
                Some(content) => Some(content),
                None => return Ok(SignedIn::Unresolved),
            }
        }
    };
    let record = match &singled_out {
        Some(Content::Evidence { record, .. }) => record.as_ref(),
        Some(Content::Undetermined { .. }) => None,
        None => loaded.held.record(),
    };
    let verdict = identity::check_record(&requested, record, claimed);
    if !verdict.is_same() {
        tracing::warn!(check = "record", verdict = ?verdict, "the signed-in person is not the person of the record the request matched; nothing of it is shown");
        return Ok(SignedIn::Other(Mismatch::Record { verdict }));
    }
    if let Some(content) = singled_out {
        loaded.held.content = content;
        loaded.held_changed = true;
    }
    Ok(SignedIn::Subject)
}

/// The subject's record among the several the first request fitted, found with the
/// identifier the person signed in with; `None` if it still is not one; a stable code if
/// the registry or the rendering failed (the person may sign in again).
async fn single_out(
    space: &PreviewSpace,
    request: &str,
    identifier: Option<&str>,
) -> Result<Option<Content>, &'static str> {
    let Some(identifier) = identifier else {
        tracing::warn!(
            "the sign-in gives no person identifier (claims.person_identifier), so it cannot single out the subject's record"
        );
        return Ok(None);
    };
    match space.exchange.resolve(request, identifier).await {
        Resolution::Found(content) => {
            tracing::info!("the sign-in singled out the subject's record");
            Ok(Some(content))
        }
        Resolution::NotFound(why) => {
            tracing::info!(why = %why, "the sign-in did not single out the subject's record");
            Ok(None)
        }
        Resolution::Failed(code) => {
            tracing::warn!(
                code,
                "looking for the subject's record after the sign-in failed"
            );
            Err(code)
        }
    }
}

#[derive(serde::Deserialize)]
struct DecisionForm {
    csrf: String,
    decision: String,
}

async fn decision(
    State(space): State<Arc<PreviewSpace>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<DecisionForm>,
) -> Response {
    let mut v = match visit(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let approve = match form.decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return v.stop(Stop::Invalid),
    };
    if let Err(refused) = v
        .commit(&space, &token, |s, b, now, t| {
            s.decide(b, &form.csrf, approve, now, t)
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

async fn document(
    State(space): State<Arc<PreviewSpace>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut v = match visit(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    // Only the browser reviewing the evidence may read it (a link nobody opened yet is
    // nobody's).
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
    let evidence = match &mut v.loaded.held.content {
        Content::Evidence { evidence, .. } if reviewing => evidence,
        _ => return v.stop(Stop::Invalid),
    };
    let content_type = HeaderValue::from_str(&evidence.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let bytes = std::mem::take(&mut evidence.bytes);
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, "inline")
        .body(Body::from(bytes))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_step_is_applied_again_to_a_session_moved_meanwhile() {
        use crate::preview::session::Timeouts;
        use crate::store::{PreviewLink, SqliteStore};
        let store = SqliteStore::in_memory().await.unwrap();
        let now = chrono::Utc::now();
        store
            .save_preview(&PreviewLink {
                token: "t".into(),
                location: "https://x/t".into(),
                request_id: "r".into(),
                evidence_type: "e".into(),
                requester_id: "q".into(),
                created_at: now,
                data: "{}".into(),
            })
            .await
            .unwrap();
        let read = |store: &SqliteStore| {
            let store = store.clone();
            async move {
                let (json, version) = store.preview_state("t").await.unwrap().unwrap();
                // A fresh link stores only `{"state":"issued"}`; `load` reads it so too.
                let session =
                    serde_json::from_str::<Session>(&json).unwrap_or_else(|_| Session::new(now));
                (session, version)
            }
        };
        let (session, version) = read(&store).await;
        let mut loaded = Loaded {
            requester: "q".into(),
            held: serde_json::from_str(
                r#"{"subject":{},"requester":"q","languages":[],"title":{},"request":"<x/>"}"#,
            )
            .unwrap(),
            session,
            version,
            held_changed: false,
        };
        // The follow-up request records the return address after the page read the session.
        let mut moved = Session::new(now);
        moved.set_return_url(
            ReturnAddress::parse("https://requester.example/back", "q", &Default::default())
                .unwrap(),
        );
        let json = serde_json::to_string(&moved).unwrap();
        assert!(store.update_preview_state("t", &json, 0).await.unwrap());

        let t = Timeouts::default();
        let metrics = Metrics::new();
        let opened = settle(&metrics, &store, "t", &mut loaded, |s| s.open("b", now, &t))
            .await
            .ok()
            .unwrap();
        assert_eq!(opened, Ok(()));
        let (stored, version) = read(&store).await;
        assert_eq!(version, 2);
        assert_eq!(stored.state.name(), "opened");
        assert_eq!(
            stored.return_url.as_deref(),
            Some("https://requester.example/back")
        );
        assert!(stored.is_bound_to(Some("b")));
        assert_eq!(loaded.session, stored);
        assert!(
            metrics
                .render(crate::metrics::StoreReading::fresh(&[]))
                .contains("oots_preview_total{step=\"visited\"} 1\n")
        );
    }

    #[test]
    fn funnel_steps_are_counted_once_per_move() {
        let m = Metrics::new();
        let at = chrono::Utc::now();
        let b = || "b".to_owned();
        let opened = SessionState::Opened {
            browser: b(),
            opened_at: at,
        };
        let signing_in = SessionState::SigningIn {
            browser: b(),
            opened_at: at,
            pending: "p".into(),
        };
        let reviewing = SessionState::Reviewing {
            browser: b(),
            opened_at: at,
            csrf: "c".into(),
        };
        count_steps(&m, &SessionState::Issued, &opened);
        count_steps(&m, &opened, &opened);
        count_steps(&m, &opened, &signing_in);
        count_steps(&m, &signing_in, &reviewing);
        count_steps(&m, &reviewing, &SessionState::Approved { at });
        // Without sign-in: a visit straight to review, or to unresolved homonyms.
        count_steps(&m, &SessionState::Issued, &reviewing);
        count_steps(&m, &SessionState::Issued, &SessionState::Unresolved { at });
        count_steps(
            &m,
            &signing_in,
            &SessionState::Mismatch {
                at,
                why: Some(Mismatch::Assurance),
            },
        );
        count_steps(&m, &reviewing, &SessionState::Declined { at });
        let text = m.render(crate::metrics::StoreReading::fresh(&[]));
        for (step, n) in [
            ("visited", 3),
            ("signed_in", 1),
            ("approved", 1),
            ("declined", 1),
            ("mismatch", 1),
            ("unresolved", 1),
            ("expired", 0),
        ] {
            let line = format!("oots_preview_total{{step=\"{step}\"}} {n}\n");
            assert!(text.contains(&line), "{line}{text}");
        }
    }

    #[test]
    fn base_paths_and_cookies() {
        assert_eq!(
            base_path("https://h.example/oots/preview/"),
            "/oots/preview"
        );
        assert_eq!(base_path("https://h.example"), "");
        let mut h = HeaderMap::new();
        let good = "a".repeat(64);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {BROWSER_COOKIE}={good}")).unwrap(),
        );
        assert_eq!(cookie(&h, BROWSER_COOKIE).as_deref(), Some(good.as_str()));
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{BROWSER_COOKIE}=<script>")).unwrap(),
        );
        assert_eq!(cookie(&h, BROWSER_COOKIE), None);
    }
}
