//! The browser a request comes from (the `__Host-` cookies that bind a link to it) and
//! the visit every step after the first starts from.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::loaded::{Loaded, Stop, load, settle};
use super::render::Render;
use super::space::PreviewSpace;
use crate::preview::session::{Session, StepError};

/// The cookie binding a preview link to the browser that first opened it. `__Host-`:
/// Secure, `Path=/`, no `Domain`, so no other host (a sibling subdomain) can set or
/// shadow it.
pub(super) const BROWSER_COOKIE: &str = "__Host-oots_preview";
/// The cookie naming the preview a sign-in in progress belongs to (the provider's
/// callback URL is the same for all).
pub(super) const SIGN_IN_COOKIE: &str = "__Host-oots_preview_signin";

/// The value of cookie `name`.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
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
pub(super) fn set_cookie(name: &str, value: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; Secure; SameSite=Lax"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// What every step after the first visit starts from: the page renderer, the browser
/// the request comes from and the loaded session.
pub(super) struct Visit<'a> {
    pub(super) render: Render<'a>,
    pub(super) browser: String,
    pub(super) loaded: Loaded,
    pub(super) now: chrono::DateTime<chrono::Utc>,
    pub(super) timeouts: crate::preview::session::Timeouts,
}

/// Loads the session behind `token` for a request that must carry the browser cookie;
/// the refusal page otherwise.
pub(super) async fn visit<'a>(
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
    pub(super) fn stop(&self, stop: Stop) -> Response {
        self.render.stop(stop, Some(&self.loaded.session))
    }

    /// Moves the session one step (given the browser, the time and the deadlines) and
    /// saves it, again on what is there if something moved it meanwhile; the refusal page
    /// if the step or the save fails.
    pub(super) async fn commit<T>(
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
pub(super) fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .body(Body::empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::preview::space::base_path;

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
