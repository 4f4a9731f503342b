//! The preview space against a hostile client: `oots-adapter serve` as a real process
//! behind a Domibus simulator, and a client we did not write that sets cookies and query
//! parameters itself (reqwest, every header by hand, no cookie jar).
//!
//! - The return address comes only from the requester's own request (2.0
//!   `ReturnLocation`; 1.x `returnurl` only on a 1.x link and only from the browser the
//!   link is bound to), is fixed at the first valid source, is checked against the
//!   requester's `return_hosts`, and is never shown to another browser.
//! - The browser cookie is made server-side only (a value the client offers is never
//!   adopted), rotated at sign-in, and is a `__Host-` cookie.

mod oidc_support;
mod preview_support;

use std::time::Duration;

use oidc_support::Provider;
use oots_framework::edm::EdmVersion;
use preview_support::{Adapter, assert_declined, client, csrf, decide, exception, preview_link};

/// The requester's own return address.
const BACK: &str = "https://requester.example/back";
/// Where an attacker wants the citizen sent.
const EVIL: &str = "https://evil.example/steal";
const EVIL_QUERY: &str = "returnurl=https%3A%2F%2Fevil.example%2Fsteal&returnmethod=GET";
/// The simulated requester's identifier (`requester::requester_agent`).
const REQUESTER: &str = "00000000000002";

/// The `Set-Cookie` header naming `name`, if the response has one.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The cookie `name` (or its older name without the `__Host-` prefix, so the return
/// address tests fail for their own reason on the code before) a response sets, as
/// `name=value` for a `Cookie` header.
fn named_cookie(r: &reqwest::Response, name: &str) -> String {
    let set = set_cookie(r, name)
        .or_else(|| set_cookie(r, name.trim_start_matches("__Host-")))
        .unwrap_or_else(|| {
            panic!(
                "no fresh {name} cookie set; Set-Cookie: {:?}",
                r.headers().get_all("set-cookie")
            )
        });
    set.split(';').next().unwrap().to_owned()
}

/// The browser cookie a response sets.
fn browser_cookie(r: &reqwest::Response) -> String {
    named_cookie(r, "__Host-oots_preview")
}

/// A 1.x link (`EDM:ERR:0002` with `PreviewMethod`), its follow-up sent and held.
async fn link_1x(adapter: &mut Adapter) -> (String, String) {
    adapter.send_as(EdmVersion::V1_2, None, None);
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("answered");
    let location = exception(&first).preview_location.expect("PreviewLocation");
    let token = location.rsplit('/').next().unwrap().to_owned();
    adapter.send_as(EdmVersion::V1_2, Some(&location), None);
    assert!(adapter.answer(Duration::from_millis(800)).await.is_none());
    (location, token)
}

/// Opens the link as the citizen (no cookie): 200, the browser cookie and the form token.
async fn citizen_opens(http: &reqwest::Client, url: &str) -> (String, String) {
    let r = http.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = browser_cookie(&r);
    let form = csrf(&r.text().await.unwrap());
    (cookie, form)
}

/// Item 8: a browser the link refuses (it is bound to the citizen's) sets `returnurl`;
/// the requester's `ReturnLocation` must still be where the citizen goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_browser_cannot_set_the_return_address() {
    let mut adapter = Adapter::start(2400).await;
    let (location, token) = preview_link(&mut adapter).await;
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let (cookie, form) = citizen_opens(&http, &page_url).await;

    for forged in [
        String::new(),
        format!("__Host-oots_preview={}", "0".repeat(64)),
        format!("oots_preview={}", "0".repeat(64)),
    ] {
        let mut r = http.get(format!("{page_url}?{EVIL_QUERY}"));
        if !forged.is_empty() {
            r = r.header("cookie", &forged);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 404, "the link is not this browser's");
    }
    // The requester's follow-up, with its own return address.
    adapter.send(Some(&location), Some(BACK));
    assert!(adapter.answer(Duration::from_millis(800)).await.is_none());

    let decided = decide(&http, &page_url, &cookie, &form, "approve").await;
    assert_eq!(decided.status(), 303);
    assert_eq!(decided.headers()["location"], BACK);
    let answer = adapter.answer(Duration::from_secs(10)).await.unwrap();
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    adapter.stop();
}

/// Item 8: a 2.0 link takes its return address from the follow-up's `ReturnLocation`
/// only; `returnurl` on the link (even from the citizen's own browser, e.g. a link an
/// attacker forwarded) is ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_0_link_ignores_returnurl() {
    let mut adapter = Adapter::start(2400).await;
    let (location, token) = preview_link(&mut adapter).await;
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let (cookie, form) = citizen_opens(&http, &format!("{page_url}?{EVIL_QUERY}")).await;
    adapter.send(Some(&location), Some(BACK));
    assert!(adapter.answer(Duration::from_millis(800)).await.is_none());
    let decided = decide(&http, &page_url, &cookie, &form, "approve").await;
    assert_eq!(decided.status(), 303);
    assert_eq!(decided.headers()["location"], BACK);
    adapter.answer(Duration::from_secs(10)).await.unwrap();
    adapter.stop();
}

/// Item 8: on a 1.x link, only the bound browser's `returnurl` counts; another browser's
/// is dropped, and with none the page says the decision was recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1x_link_takes_returnurl_only_from_its_own_browser() {
    let mut adapter = Adapter::start(2400).await;
    let (_, token) = link_1x(&mut adapter).await;
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let (cookie, form) = citizen_opens(&http, &page_url).await;
    let refused = http
        .get(format!("{page_url}?{EVIL_QUERY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    let decided = decide(&http, &page_url, &cookie, &form, "decline").await;
    assert_eq!(decided.status(), 200, "no return address: the page says so");
    assert!(!decided.text().await.unwrap().contains("evil.example"));
    let answer = adapter.answer(Duration::from_secs(10)).await.unwrap();
    assert_declined(&answer);
    adapter.stop();
}

/// Item 8: once decided (or expired), another browser holding the link sees neither the
/// outcome nor the return address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_return_address_is_never_shown_to_another_browser() {
    let mut adapter = Adapter::start(2400).await;
    let (location, token) = preview_link(&mut adapter).await;
    adapter.send(Some(&location), Some(BACK));
    assert!(adapter.answer(Duration::from_millis(800)).await.is_none());
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let (cookie, form) = citizen_opens(&http, &page_url).await;
    let decided = decide(&http, &page_url, &cookie, &form, "approve").await;
    assert_eq!(decided.headers()["location"], BACK);
    adapter.answer(Duration::from_secs(10)).await.unwrap();

    // The citizen's own browser still finds its way back.
    let own = http
        .get(&page_url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains(BACK));
    for other in [
        None,
        Some(format!("__Host-oots_preview={}", "1".repeat(64))),
        Some(format!("oots_preview={}", "1".repeat(64))),
    ] {
        for path in ["", "/document", "/sign-in"] {
            let mut r = http.get(format!("{page_url}{path}"));
            if let Some(c) = &other {
                r = r.header("cookie", c);
            }
            let r = r.send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap();
            assert!(
                !body.contains("requester.example"),
                "{path} with {other:?} ({status}) shows the return address: {body}"
            );
            assert_eq!(
                status, 404,
                "{path} with {other:?}: not this browser's link"
            );
        }
    }
    adapter.stop();
}

/// Item 8: `preview.return_hosts` names the hosts a requester may send the user back to;
/// a return address on another host is dropped, from either source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requesters_return_hosts_keep_other_hosts_out() {
    let mut adapter = Adapter::start_with(
        2400,
        &format!(
            "  authentication: none\n  return_hosts:\n    \"{REQUESTER}\": [requester.example]\n"
        ),
        "https://localhost:8443/preview",
    )
    .await;
    let http = client();

    // 2.0: the follow-up names another host: dropped; the page says the decision was
    // recorded.
    let (location, token) = preview_link(&mut adapter).await;
    adapter.send(Some(&location), Some(EVIL));
    assert!(adapter.answer(Duration::from_millis(800)).await.is_none());
    let page_url = adapter.url(&format!("/preview/{token}"));
    let (cookie, form) = citizen_opens(&http, &page_url).await;
    let decided = decide(&http, &page_url, &cookie, &form, "approve").await;
    assert_eq!(decided.status(), 200);
    assert!(!decided.text().await.unwrap().contains("evil.example"));
    adapter.answer(Duration::from_secs(10)).await.unwrap();

    // 2.0: an allowed host is kept (a port does not change the host).
    let (location, token) = preview_link(&mut adapter).await;
    adapter.send(Some(&location), Some("https://Requester.Example:8443/back"));
    assert!(adapter.answer(Duration::from_millis(800)).await.is_none());
    let page_url = adapter.url(&format!("/preview/{token}"));
    let (cookie, form) = citizen_opens(&http, &page_url).await;
    let decided = decide(&http, &page_url, &cookie, &form, "approve").await;
    assert_eq!(decided.status(), 303);
    assert_eq!(
        decided.headers()["location"],
        "https://requester.example:8443/back"
    );
    adapter.answer(Duration::from_secs(10)).await.unwrap();

    // 1.x: the bound browser's returnurl on another host is dropped, and that is not the
    // first valid source: a later allowed one from the same browser is kept.
    let (_, token) = link_1x(&mut adapter).await;
    let page_url = adapter.url(&format!("/preview/{token}"));
    let (cookie, form) = citizen_opens(&http, &format!("{page_url}?{EVIL_QUERY}")).await;
    let again = http
        .get(format!(
            "{page_url}?returnurl=https%3A%2F%2Frequester.example%2Fv1"
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let decided = decide(&http, &page_url, &cookie, &form, "approve").await;
    assert_eq!(decided.status(), 303);
    assert_eq!(
        decided.headers()["location"],
        "https://requester.example/v1"
    );
    adapter.answer(Duration::from_secs(10)).await.unwrap();
    adapter.stop();
}

/// Item 9: a cookie value the client chose before the first visit (a fixation attempt)
/// is never adopted: the first visit sets a fresh server-made one, and the chosen value
/// opens nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_the_client_chose_is_never_adopted() {
    let mut adapter = Adapter::start(2400).await;
    let (_, token) = preview_link(&mut adapter).await;
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let chosen = "c".repeat(64);
    let r = http
        .get(&page_url)
        .header(
            "cookie",
            format!("__Host-oots_preview={chosen}; oots_preview={chosen}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let set = set_cookie(&r, "__Host-oots_preview").expect("a fresh server-made cookie");
    for attribute in ["; Path=/", "; Secure", "; HttpOnly", "; SameSite=Lax"] {
        assert!(set.contains(attribute), "{attribute} missing: {set}");
    }
    assert!(!set.to_ascii_lowercase().contains("domain="), "{set}");
    let fresh = set.split(';').next().unwrap().to_owned();
    assert_ne!(fresh, format!("__Host-oots_preview={chosen}"));
    let form = csrf(&r.text().await.unwrap());

    // The chosen value is nobody's: not the page, not the document, not the decision.
    for cookie in [
        format!("__Host-oots_preview={chosen}"),
        format!("oots_preview={chosen}"),
    ] {
        let page = http
            .get(&page_url)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404);
        let doc = http
            .get(format!("{page_url}/document"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(doc.status(), 404);
        let forced = decide(&http, &page_url, &cookie, &form, "approve").await;
        assert_eq!(forced.status(), 404);
    }
    let doc = http
        .get(format!("{page_url}/document"))
        .header("cookie", &fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
    adapter.stop();
}

/// Item 9: the sign-in rotates the browser cookie: the value from before the sign-in
/// (which an attacker may have seen or set) opens nothing afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_cookie_is_rotated_at_sign_in() {
    let provider = Provider::start().await;
    provider.signing_in("Dupont", "Jean", "1992-10-22", None);
    let mut adapter = Adapter::start_with(
        2400,
        &provider.preview_authentication(false),
        "https://localhost:8443/preview",
    )
    .await;
    let (location, token) = preview_link(&mut adapter).await;
    adapter.send(Some(&location), Some(BACK));
    assert!(adapter.answer(Duration::from_millis(800)).await.is_none());
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let before = browser_cookie(&r);

    let start = http
        .get(format!("{page_url}/sign-in"))
        .header("cookie", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let signing_in = named_cookie(&start, "__Host-oots_preview_signin");
    let at_provider = start.headers()["location"].to_str().unwrap().to_owned();
    let back = http.get(&at_provider).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let callback = back.headers()["location"].to_str().unwrap();
    let callback = callback.replace(&adapter.public_url, &adapter.url("/preview"));
    let landed = http
        .get(&callback)
        .header("cookie", format!("{before}; {signing_in}"))
        .send()
        .await
        .unwrap();
    assert_eq!(landed.status(), 303);
    let after = browser_cookie(&landed);
    assert_ne!(after, before, "the sign-in must rotate the browser cookie");

    let old = http
        .get(&page_url)
        .header("cookie", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(
        old.status(),
        404,
        "the cookie from before the sign-in is void"
    );
    let review = http
        .get(&page_url)
        .header("cookie", &after)
        .send()
        .await
        .unwrap();
    assert_eq!(review.status(), 200);
    let form = csrf(&review.text().await.unwrap());
    let stale = decide(&http, &page_url, &before, &form, "approve").await;
    assert_eq!(stale.status(), 404);
    let decided = decide(&http, &page_url, &after, &form, "approve").await;
    assert_eq!(decided.status(), 303);
    assert_eq!(decided.headers()["location"], BACK);
    let answer = adapter.answer(Duration::from_secs(10)).await.unwrap();
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    adapter.stop();
}

/// Item 9, the other side of never adopting a cookie: one browser reviews one link at a
/// time. Opening a second link gives the browser a new key, and the first link is then
/// no longer this browser's (docs/preview.md, Cookies).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_link_in_the_same_browser_takes_the_cookie_over() {
    let mut adapter = Adapter::start(2400).await;
    let (_, first) = preview_link(&mut adapter).await;
    let (_, second) = preview_link(&mut adapter).await;
    let http = client();
    let first_url = adapter.url(&format!("/preview/{first}"));
    let second_url = adapter.url(&format!("/preview/{second}"));
    let (one, _) = citizen_opens(&http, &first_url).await;
    let r = http
        .get(&second_url)
        .header("cookie", &one)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let two = browser_cookie(&r);
    assert_ne!(one, two);
    let back = http
        .get(&first_url)
        .header("cookie", &two)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 404);
    adapter.stop();
}
