//! 2.0 associated documents through the preview: held with the evidence, offered on the
//! review page to the reviewing browser only, released with it on approval
//! (`mappings/birth-certificate`: its XML certificate has a PDF human-readable version).

mod preview_support;

use std::time::Duration;

use oots_framework::edm::{AssociatedKind, QueryResponse};
use oots_framework::requester::RequestSpec;
use preview_support::{
    Adapter, Deployment, browser_cookie, client, csrf, decide, lukas_wimmer, preview_link_for,
    regrep,
};

fn elif_oztuerk() -> RequestSpec {
    RequestSpec {
        family_name: "Öztürk".into(),
        given_name: "Elif".into(),
        date_of_birth: "1990-11-03".into(),
        ..lukas_wimmer()
    }
}

#[tokio::test]
async fn the_human_readable_version_is_reviewed_and_released_with_the_evidence() {
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await;
    adapter.associated = vec!["HumanReadableVersion".into()];
    let spec = elif_oztuerk();
    let (location, token) = preview_link_for(&mut adapter, Some(&spec)).await;
    adapter.send_request(
        &spec,
        Some(&location),
        Some("https://requester.example/back"),
    );
    // The follow-up is held until the user decides; waiting for it also lets it arrive
    // (and bring the return address) before the decision.
    assert!(adapter.answer(Duration::from_millis(1500)).await.is_none());

    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = browser_cookie(&r);
    let page = r.text().await.unwrap();
    let link = format!("/preview/{token}/associated/0");
    assert!(page.contains(&link), "{page}");
    // The evidence is XML: the page links its human-readable version in its place (as
    // the evidence's document, in the page language), never the raw XML.
    assert!(
        page.contains(&format!("<a href=\"{link}\" type=\"application/pdf\">")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("/preview/{token}/document")),
        "{page}"
    );
    assert!(!page.contains("&lt;") && !page.contains("<?xml"), "{page}");

    // Another browser gets nothing; an index past the held documents neither.
    let other = http.get(adapter.url(&link)).send().await.unwrap();
    assert_eq!(other.status(), 404);
    let past = http
        .get(adapter.url(&format!("/preview/{token}/associated/1")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(past.status(), 404);
    let hrv = http
        .get(adapter.url(&link))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(hrv.status(), 200);
    assert_eq!(hrv.headers()["content-type"], "application/pdf");
    let hrv = hrv.bytes().await.unwrap();
    assert!(hrv.starts_with(b"%PDF"));

    let decided = decide(&http, &page_url, &cookie, &csrf(&page), "approve").await;
    let status = decided.status();
    assert_eq!(status, 303, "{}", decided.text().await.unwrap());
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the follow-up is answered after the approval");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let QueryResponse::Evidence(response) = regrep(&answer) else {
        panic!("an evidence response")
    };
    let supplements = &response.items[0].supplements;
    assert_eq!(supplements.len(), 1);
    assert_eq!(supplements[0].kind, AssociatedKind::HumanReadableVersion);
    assert_eq!(supplements[0].title, "Geburtsurkunde");
    // Exactly the document the user could open.
    let part = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/pdf")
        .expect("the human-readable version's part");
    assert_eq!(part.bytes, hrv.to_vec());
    assert!(
        answer
            .payloads
            .iter()
            .any(|p| p.mime_type == "application/xml")
    );
    adapter.stop();
}

/// XML evidence whose request asked for no human-readable version: the page still shows
/// the citizen the authority's own rendering (the mapping's `human_readable` template),
/// rendered for the page alone, never raw XML; the answer carries only what was asked.
#[tokio::test]
async fn the_page_shows_the_human_readable_version_even_when_the_request_did_not_ask_for_it() {
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await;
    let spec = elif_oztuerk();
    let (location, token) = preview_link_for(&mut adapter, Some(&spec)).await;
    adapter.send_request(
        &spec,
        Some(&location),
        Some("https://requester.example/back"),
    );
    assert!(adapter.answer(Duration::from_millis(1500)).await.is_none());

    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = browser_cookie(&r);
    let page = r.text().await.unwrap();
    let link = format!("/preview/{token}/readable/0");
    assert!(
        page.contains(&format!("<a href=\"{link}\" type=\"application/pdf\">")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("/preview/{token}/document")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("/preview/{token}/associated")),
        "{page}"
    );
    assert!(!page.contains("&lt;") && !page.contains("<?xml"), "{page}");

    // Another browser gets nothing.
    let other = http.get(adapter.url(&link)).send().await.unwrap();
    assert_eq!(other.status(), 404);
    let pdf = http
        .get(adapter.url(&link))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    let decided = decide(&http, &page_url, &cookie, &csrf(&page), "approve").await;
    assert_eq!(decided.status(), 303);
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the follow-up is answered after the approval");
    let QueryResponse::Evidence(response) = regrep(&answer) else {
        panic!("an evidence response")
    };
    // Not asked for, not sent.
    assert!(response.items[0].supplements.is_empty());
    assert!(
        !answer
            .payloads
            .iter()
            .any(|p| p.mime_type == "application/pdf")
    );
    assert!(
        answer
            .payloads
            .iter()
            .any(|p| p.mime_type == "application/xml")
    );
    adapter.stop();
}
