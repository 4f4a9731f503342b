//! The preview flow end to end, with `oots-adapter serve` as a real process behind a
//! Domibus simulator, and the browser's part played over HTTP (cookies by hand):
//! request → `EDM:ERR:0002` with a PreviewLocation → follow-up held → the page (bound to
//! the first browser) → approve or decline → the held follow-up answered. Re-authentication
//! is switched off explicitly (`authentication: none`) here; the OpenID Connect sign-in
//! has its own suite (`preview_oidc.rs`).

mod preview_support;

use std::time::Duration;

use oots_framework::edm::{EdmVersion, ErrorCode};
use oots_framework::store::{Journal, SqliteStore};
use preview_support::{
    Adapter, assert_declined, browser_cookie, client, csrf, decide, exception, preview_link,
};

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

/// Declines in the preview of a fresh `version` request, its follow-up held meanwhile,
/// and checks that nothing is ever released: the follow-up gets the empty evidence
/// response, an approval after the decline and a second follow-up get nothing more.
async fn decline_and_try_again(adapter: &mut Adapter, version: EdmVersion) -> String {
    const BACK: &str = "https://requester.example/back";
    let back = version.is_v2().then_some(BACK);
    adapter.send_as(version, None, None);
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("answered");
    let location = exception(&first).preview_location.expect("PreviewLocation");
    let token = location.rsplit('/').next().unwrap().to_owned();
    adapter.send_as(version, Some(&location), back);
    assert!(
        adapter.answer(Duration::from_millis(800)).await.is_none(),
        "{version}: held until the user decides"
    );

    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200, "{version}");
    let cookie = browser_cookie(&r);
    let form_token = csrf(&r.text().await.unwrap());
    let decided = decide(&http, &page_url, &cookie, form_token.as_str(), "decline").await;
    // 2.0: back to the follow-up's ReturnLocation; 1.x without `returnurl`: the page.
    let expected = if version.is_v2() { 303 } else { 200 };
    assert_eq!(decided.status(), expected, "{version}");
    // Changing one's mind afterwards releases nothing: the page still says declined.
    let approve = decide(&http, &page_url, &cookie, form_token.as_str(), "approve").await;
    assert_ne!(approve.status(), 303, "{version}");
    let page = approve.text().await.unwrap();
    assert!(
        page.contains("Your evidence will not be sent"),
        "{version}: {page}"
    );

    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the held follow-up is answered at once");
    assert_declined(&answer);
    assert_eq!(answer.header.action, "ExecuteQueryResponse", "{version}");

    // The held document is gone (the browser gets the outcome page, never the PDF), and
    // a second follow-up finds the link used.
    let doc = http
        .get(format!("{page_url}/document"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_ne!(
        doc.headers()["content-type"],
        "application/pdf",
        "{version}"
    );
    let shown = doc.bytes().await.unwrap();
    assert!(!shown.starts_with(b"%PDF"), "{version}");
    adapter.send_as(version, Some(&location), back);
    let again = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(again.header.action, "ExceptionResponse", "{version}");
    let e = exception(&again);
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{version}: {e:?}");
    assert!(
        e.detail.as_deref().unwrap_or("").contains("already used"),
        "{version}: {e:?}"
    );
    assert!(
        again.payloads.iter().all(|p| !p.bytes.starts_with(b"%PDF")),
        "{version}"
    );
    token
}

/// TDD 2.0.1 4.9 §1: "if the user decides not to use any piece of evidence, the evidence
/// response shall contain an empty registry object list"; the same answer on 1.x
/// (docs/preview.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_answers_with_an_empty_evidence_response_and_releases_nothing() {
    let mut adapter = Adapter::start(2400).await;
    let mut tokens = Vec::new();
    for version in [EdmVersion::V2_0, EdmVersion::V1_2] {
        tokens.push(decline_and_try_again(&mut adapter, version).await);
    }
    let (log, state) = adapter.stop_keeping_state();
    for personal in ["Dupont", "1992-10-22"]
        .into_iter()
        .chain(tokens.iter().map(String::as_str))
    {
        assert!(!log.contains(personal), "{personal} in the log:\n{log}");
    }
    // The journal records both follow-ups as declined, on the response action, without
    // personal data.
    let store = SqliteStore::open(&state.path().join("state/adapter.db"))
        .await
        .unwrap();
    let declined: Vec<serde_json::Value> = store
        .journal(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.record).unwrap())
        .filter(|r| r["outcome"]["outcome"] == "declined")
        .collect();
    assert_eq!(declined.len(), 2, "{declined:?}");
    for r in &declined {
        assert_eq!(r["action"], "ExecuteQueryResponse", "{r}");
        assert!(r["code"].is_null(), "{r}");
        let text = r.to_string();
        for personal in ["Dupont", "1992-10-22"] {
            assert!(
                !text.contains(personal),
                "{personal} in the journal: {text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_deciding_in_time_answers_with_an_error() {
    let mut adapter = Adapter::start(3).await;
    let http = client();

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
