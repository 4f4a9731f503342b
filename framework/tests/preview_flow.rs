//! The preview flow end to end, with `oots-adapter serve` as a real process behind a
//! Domibus simulator, and the browser's part played over HTTP (cookies by hand):
//! request → `EDM:ERR:0002` with a PreviewLocation → follow-up held → the page (bound to
//! the first browser) → approve or decline → the held follow-up answered. Re-authentication
//! is switched off explicitly (`authentication: none`) here; the OpenID Connect sign-in
//! has its own suite (`preview_oidc.rs`).

mod preview_support;

use std::time::Duration;

use oots_framework::edm::{EdmVersion, ErrorCode};
use preview_support::{Adapter, browser_cookie, client, csrf, decide, exception, preview_link};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_in_the_preview_answers_the_held_follow_up_with_the_evidence() {
    let mut adapter = Adapter::start(2400).await;
    let (location, token) = preview_link(&mut adapter).await;

    // The requester sends the follow-up at once; it is held while the user decides.
    adapter.send(Some(&location), Some("https://requester.example/back"));
    assert!(
        adapter.answer(Duration::from_millis(1500)).await.is_none(),
        "the follow-up must be held until the user decides"
    );

    // The user opens the link: the page binds itself to this browser.
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http
        .get(&page_url)
        .header("accept-language", "de-DE,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert!(h.contains_key("strict-transport-security"));
    assert_eq!(h["cache-control"], "no-store");
    let cookie = browser_cookie(&r);
    let page = r.text().await.unwrap();
    assert!(page.contains("<html lang=\"de\""), "{page}");
    assert!(page.contains("Dupont"), "the subject's evidence is shown");
    let form_token = csrf(&page);

    // Another browser with the same link sees nothing.
    let other = http.get(&page_url).send().await.unwrap();
    assert_eq!(other.status(), 404);
    let stranger = http
        .get(&page_url)
        .header("cookie", format!("__Host-oots_preview={}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);

    // The held document itself, to this browser only.
    let doc = http
        .get(format!("{page_url}/document"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
    assert_eq!(doc.headers()["content-type"], "application/pdf");
    let pdf = doc.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    // A forged form token changes nothing; the real one approves and sends the user back.
    let forged = decide(
        &http,
        &page_url,
        &cookie,
        "f".repeat(64).as_str(),
        "approve",
    )
    .await;
    assert_eq!(forged.status(), 404);
    let decided = decide(&http, &page_url, &cookie, form_token.as_str(), "approve").await;
    assert_eq!(decided.status(), 303);
    assert_eq!(
        decided.headers()["location"],
        "https://requester.example/back"
    );

    // The held follow-up is answered with exactly the document the user saw.
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the follow-up is answered after the approval");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let delivered = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/pdf")
        .expect("the evidence");
    assert_eq!(delivered.bytes, pdf.to_vec());

    // A replay of the decision, or of the follow-up, gets nothing more.
    let replay = decide(&http, &page_url, &cookie, form_token.as_str(), "decline").await;
    assert_ne!(replay.status(), 303);
    adapter.send(Some(&location), Some("https://requester.example/back"));
    let again = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(exception(&again).code, ErrorCode::InvalidRequest);

    let log = adapter.stop();
    for personal in ["Dupont", "1992-10-22", &token, &form_token] {
        assert!(!log.contains(personal), "{personal} in the log:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_or_not_deciding_in_time_answers_with_an_error() {
    let mut adapter = Adapter::start(3).await;
    let http = client();

    // Declined.
    let (location, token) = preview_link(&mut adapter).await;
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    let cookie = browser_cookie(&r);
    let form_token = csrf(&r.text().await.unwrap());
    let decided = decide(&http, &page_url, &cookie, form_token.as_str(), "decline").await;
    // No return address known yet (the follow-up comes later): the page says so.
    assert_eq!(decided.status(), 200);
    adapter.send(Some(&location), Some("https://requester.example/back"));
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(exception(&answer).code, ErrorCode::ObjectNotFound);

    // Opened but not decided within T3 (3 s here): the held follow-up gets EDM:ERR:0005.
    let (location, token) = preview_link(&mut adapter).await;
    let r = http
        .get(adapter.url(&format!("/preview/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    adapter.send(Some(&location), Some("https://requester.example/back"));
    let answer = adapter
        .answer(Duration::from_secs(15))
        .await
        .expect("answered at the deadline");
    let e = exception(&answer);
    assert_eq!(e.code, ErrorCode::Timeout, "{:?}", e.detail);
    let gone = http
        .get(adapter.url(&format!("/preview/{token}")))
        .header("cookie", browser_cookie(&r))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 410);

    // A link the adapter never issued.
    let unknown = http
        .get(adapter.url(&format!("/preview/{}", "ab".repeat(32))))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    adapter.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1x_requester_appends_its_return_address_to_the_link() {
    let mut adapter = Adapter::start(2400).await;
    adapter.send_as(EdmVersion::V1_2, None, None);
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("answered");
    let e = exception(&first);
    assert_eq!(e.code, ErrorCode::MissingAuthorization);
    assert_eq!(e.preview_method.as_deref(), Some("GET"));
    let location = e.preview_location.expect("PreviewLocation");
    let token = location.rsplit('/').next().unwrap().to_owned();

    // 1.x: the follow-up carries no ReturnLocation; the browser brings `returnurl`.
    adapter.send_as(EdmVersion::V1_2, Some(&location), None);
    assert!(adapter.answer(Duration::from_millis(1000)).await.is_none());
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http
        .get(format!(
            "{page_url}?returnurl=https%3A%2F%2Frequester.example%2Fv1%3Fcase%3D7&returnmethod=GET"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = browser_cookie(&r);
    let form_token = csrf(&r.text().await.unwrap());
    let decided = decide(&http, &page_url, &cookie, &form_token, "approve").await;
    assert_eq!(decided.status(), 303);
    assert_eq!(
        decided.headers()["location"],
        "https://requester.example/v1?case=7"
    );
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    adapter.stop();
}

/// The requester sends its follow-up as it sends the user to the link, so the two move
/// the same session at the same moment: neither step may fail, and the return address
/// the follow-up brings is never lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follow_up_and_the_first_visit_may_arrive_together() {
    const BACK: &str = "https://requester.example/back";
    let mut adapter = Adapter::start(2400).await;
    let http = client();
    for round in 0..6 {
        let (location, token) = preview_link(&mut adapter).await;
        let page_url = adapter.url(&format!("/preview/{token}"));
        adapter.send(Some(&location), Some(BACK));
        let r = http.get(&page_url).send().await.unwrap();
        assert_eq!(r.status(), 200, "round {round}");
        let cookie = browser_cookie(&r);
        let form_token = csrf(&r.text().await.unwrap());
        let decided = decide(&http, &page_url, &cookie, form_token.as_str(), "approve").await;
        assert!(
            [200, 303].contains(&decided.status().as_u16()),
            "round {round}: {}",
            decided.status()
        );
        let answer = adapter
            .answer(Duration::from_secs(10))
            .await
            .expect("answered");
        assert_eq!(
            answer.header.action, "ExecuteQueryResponse",
            "round {round}"
        );
        let after = http
            .get(&page_url)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 200);
        assert!(
            after.text().await.unwrap().contains(BACK),
            "round {round}: the way back is kept"
        );
    }
    adapter.stop();
}
