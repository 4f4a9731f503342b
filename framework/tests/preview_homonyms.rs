//! Homonyms settled by the sign-in: the shipped Austrian birth-certificate mapping
//! (`mappings/birth-certificate`, `on_ambiguous: preview`) holds two Lukas Wimmer born on
//! the same day. The request alone cannot tell them apart, so the adapter answers
//! `EDM:ERR:0002`; the person signs in at an OpenID provider (in-process, real code flow
//! with PKCE and signed ID tokens) and the identifier it gives singles out their record,
//! which they then see and approve. `oots-adapter serve` runs as a real process behind a
//! Domibus simulator; the browser's part is played over HTTP, cookies by hand.

mod oidc_support;
mod preview_support;

use std::time::Duration;

use oidc_support::{Person, Provider};
use oots_framework::edm::ErrorCode;
use preview_support::{
    Adapter, Deployment, SECOND_LUKAS, browser_cookie, client, csrf, decide, exception,
    lukas_wimmer as lukas, preview_link_for, regrep,
};

const PUBLIC_URL: &str = "https://localhost:8443/preview";
/// Where the requester wants the user back.
const BACK: &str = "https://requester.example/back";

fn signing_in_as(provider: &Provider, family_name: &str, national_id: &str) {
    let person = Person {
        family_name: family_name.into(),
        given_name: "Lukas".into(),
        birthdate: "1995-05-21".into(),
        national_id: Some(national_id.into()),
    };
    provider.set(|k| k.person = Some(person));
}

/// `preview.authentication` for the in-process provider, its identifier claim mapped.
fn oidc(provider: &Provider, identifier_claim: bool) -> String {
    let claims = if identifier_claim {
        "      claims: { person_identifier: national_id }\n"
    } else {
        ""
    };
    let secret = std::env::temp_dir().join(format!("oots-homonyms-secret-{}", std::process::id()));
    std::fs::write(&secret, oidc_support::CLIENT_SECRET).unwrap();
    format!(
        "  authentication:\n    oidc:\n      issuer: {}\n      client_id: {}\n      client_secret: file:{}\n      allow_http_issuer: true\n{claims}",
        provider.issuer,
        oidc_support::CLIENT_ID,
        secret.display(),
    )
}

/// The first answer: `EDM:ERR:0002` with the link, and the link's token.
async fn first_answer(adapter: &mut Adapter) -> (String, String) {
    preview_link_for(adapter, Some(&lukas())).await
}

/// Opens the link, signs in at the provider and comes back: the browser cookie and the
/// page the user lands on (status, text).
async fn open_and_sign_in(adapter: &Adapter, token: &str) -> (String, u16, String) {
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = browser_cookie(&r);
    let page = r.text().await.unwrap();
    assert!(page.contains("/sign-in"), "the sign-in page: {page}");
    assert!(
        !page.contains("G 0815/1995") && !page.contains("G 0816/1995"),
        "nothing of either record before the sign-in"
    );

    let start = http
        .get(format!("{page_url}/sign-in"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let signing_in = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("oots_preview_signin="))
        .expect("the sign-in cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let at_provider = start.headers()["location"].to_str().unwrap().to_owned();
    let back = http.get(&at_provider).send().await.unwrap();
    assert_eq!(back.status(), 303);
    // The provider sends the browser to the public callback; the test reaches it on loopback.
    let callback = back.headers()["location"].to_str().unwrap();
    let callback = callback.replace(PUBLIC_URL, &adapter.url("/preview"));
    let landed = http
        .get(&callback)
        .header("cookie", format!("{cookie}; {signing_in}"))
        .send()
        .await
        .unwrap();
    assert_eq!(landed.status(), 303, "{}", landed.text().await.unwrap());
    let page = http
        .get(&page_url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let status = page.status().as_u16();
    (cookie, status, page.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_singles_out_one_of_two_homonyms_whose_evidence_is_approved() {
    let provider = Provider::start().await;
    signing_in_as(&provider, "Wimmer", SECOND_LUKAS);
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        &oidc(&provider, true),
        PUBLIC_URL,
    )
    .await;
    let (location, token) = first_answer(&mut adapter).await;
    adapter.send_request(&lukas(), Some(&location), Some(BACK));

    let (cookie, status, page) = open_and_sign_in(&adapter, &token).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("G 0816/1995") && !page.contains("G 0815/1995"),
        "the record of the person who signed in, and only theirs: {page}"
    );
    let at = |label: &str| {
        page.find(label)
            .unwrap_or_else(|| panic!("{label}: {page}"))
    };
    assert!(
        at("Family name") < at("Date of birth") && at("Mother") < at("Register entry number"),
        "the labels in the order the mapping writes them"
    );
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let doc = http
        .get(format!("{page_url}/document"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
    let seen = doc.bytes().await.unwrap().to_vec();
    let seen_text = String::from_utf8(seen.clone()).unwrap();
    assert!(seen_text.contains("G 0816/1995"), "{seen_text}");

    let decided = decide(&http, &page_url, &cookie, &csrf(&page), "approve").await;
    assert_eq!(decided.status(), 303);
    assert_eq!(decided.headers()["location"], BACK);
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the held follow-up is answered after the approval");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let delivered = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/xml")
        .expect("the evidence");
    assert_eq!(delivered.bytes, seen, "exactly the document the user saw");
    assert!(matches!(
        regrep(&answer),
        oots_framework::edm::QueryResponse::Evidence(_)
    ));

    let log = adapter.stop();
    for personal in ["Wimmer", "1995-05-21", SECOND_LUKAS, "G 0816/1995"] {
        assert!(!log.contains(personal), "{personal} in the log:\n{log}");
    }
    assert!(
        log.contains("the sign-in singled out the subject's record"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identifier_that_fits_neither_record_shows_nothing_and_answers_0004() {
    let provider = Provider::start().await;
    signing_in_as(&provider, "Wimmer", "AT/AT/bPK-ZP:SomebodyElse000");
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        &oidc(&provider, true),
        PUBLIC_URL,
    )
    .await;
    let (location, token) = first_answer(&mut adapter).await;
    adapter.send_request(&lukas(), Some(&location), Some(BACK));

    let (cookie, status, page) = open_and_sign_in(&adapter, &token).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("We could not tell which record is yours"),
        "{page}"
    );
    for shown in [
        "G 0815/1995",
        "G 0816/1995",
        "Stefan Wimmer",
        "name=\"csrf\"",
    ] {
        assert!(!page.contains(shown), "{shown} on the page: {page}");
    }
    assert!(page.contains(BACK), "the way back to the requester");
    // Nothing to read (the same outcome page) and nothing to approve.
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let doc = http
        .get(format!("{page_url}/document"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(
        doc.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(!doc.text().await.unwrap().contains("G 0816/1995"));
    let forced = decide(&http, &page_url, &cookie, &"0".repeat(64), "approve").await;
    assert_ne!(forced.status(), 303);

    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the held follow-up is refused at once");
    let e = exception(&answer);
    assert_eq!(e.code, ErrorCode::ObjectNotFound);
    assert!(
        e.detail
            .as_deref()
            .is_some_and(|d| d.contains("could not be identified unambiguously")),
        "{e:?}"
    );
    adapter.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_homonym_s_identifier_does_not_let_someone_else_in() {
    // The identifier fits the second Lukas, but the person who signed in has another name.
    let provider = Provider::start().await;
    signing_in_as(&provider, "Huber", SECOND_LUKAS);
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        &oidc(&provider, true),
        PUBLIC_URL,
    )
    .await;
    let (location, token) = first_answer(&mut adapter).await;
    adapter.send_request(&lukas(), Some(&location), Some(BACK));

    let (_, status, page) = open_and_sign_in(&adapter, &token).await;
    assert_eq!(status, 403);
    assert!(!page.contains("G 0816/1995"), "{page}");
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("refused at once");
    let e = exception(&answer);
    assert_eq!(e.code, ErrorCode::FailedAuthentication, "{e:?}");
    adapter.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_identifier_from_the_sign_in_homonyms_are_refused_at_once() {
    let provider = Provider::start().await;
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        &oidc(&provider, false),
        PUBLIC_URL,
    )
    .await;
    adapter.send_request(&lukas(), None, None);
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("no answer");
    let e = exception(&first);
    assert_eq!(e.code, ErrorCode::ObjectNotFound, "{e:?}");
    assert!(e.preview_location.is_none());
    adapter.stop();
}
