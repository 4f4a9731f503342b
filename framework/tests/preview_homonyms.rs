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

use oidc_support::Provider;
use oots_framework::edm::ErrorCode;
use oots_framework::requester::RequestSpec;
use preview_support::{
    Adapter, Deployment, SECOND_LUKAS, assert_neutral_not_found, client, csrf, decide, exception,
    lukas_wimmer as lukas, preview_link_for, regrep,
};

const PUBLIC_URL: &str = "https://localhost:8443/preview";
/// Where the requester wants the user back.
const BACK: &str = "https://requester.example/back";

fn signing_in_as(provider: &Provider, family_name: &str, national_id: &str) {
    provider.signing_in(family_name, "Lukas", "1995-05-21", Some(national_id));
}

/// `preview.authentication` for the in-process provider, its identifier claim mapped.
fn oidc(provider: &Provider, identifier_claim: bool) -> String {
    provider.preview_authentication(identifier_claim)
}

/// The first answer: `EDM:ERR:0002` with the link, and the link's token.
async fn first_answer(adapter: &mut Adapter) -> (String, String) {
    preview_link_for(adapter, Some(&lukas())).await
}

/// Opens the link, signs in at the provider and comes back: the browser cookie and the
/// page the user lands on (status, text). Nothing of either record is shown before.
async fn open_and_sign_in(adapter: &Adapter, token: &str) -> (String, u16, String) {
    let visit = preview_support::open_and_sign_in(adapter, token).await;
    assert!(
        !visit.bodies[0].contains("G 0815/1995") && !visit.bodies[0].contains("G 0816/1995"),
        "nothing of either record before the sign-in"
    );
    (visit.cookie, visit.status, visit.page)
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
    // As any other subject not found: nothing tells the requester there were two.
    assert_neutral_not_found(&answer);
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
    assert_neutral_not_found(&answer);
    adapter.stop();
}

/// The request misspells the family name ("Wimer"): both Lukas Wimmer fit it equally, and
/// the person who signs in is exactly the request's subject, with the second one's
/// identifier. That record matches the request by the mapping's rules, but its family name
/// is not the signed-in one: nothing of it is shown, and the requester gets the neutral
/// `EDM:ERR:0004`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_a_sign_in_singles_out_must_be_the_signed_in_person_s() {
    let provider = Provider::start().await;
    signing_in_as(&provider, "Wimer", SECOND_LUKAS);
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        &oidc(&provider, true),
        PUBLIC_URL,
    )
    .await;
    let wimer = RequestSpec {
        family_name: "Wimer".into(),
        ..lukas()
    };
    let (location, token) = preview_link_for(&mut adapter, Some(&wimer)).await;
    adapter.send_request(&wimer, Some(&location), Some(BACK));

    let visit = preview_support::open_and_sign_in(&adapter, &token).await;
    assert_eq!(visit.status, 403, "{}", visit.page);
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let mut bodies = visit.bodies;
    let doc = http
        .get(format!("{page_url}/document"))
        .header("cookie", &visit.cookie)
        .send()
        .await
        .unwrap();
    bodies.push(doc.text().await.unwrap());
    let forced = decide(&http, &page_url, &visit.cookie, &"0".repeat(64), "approve").await;
    assert_ne!(forced.status(), 303);
    bodies.push(forced.text().await.unwrap());
    for body in &bodies {
        for record in [
            "G 0815/1995",
            "G 0816/1995",
            "Wimmer",
            "Stefan",
            "Eva",
            "name=\"csrf\"",
        ] {
            assert!(
                !body.contains(record),
                "{record} sent to the browser: {body}"
            );
        }
    }
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("refused at once");
    assert_neutral_not_found(&answer);
    let log = adapter.stop();
    for personal in ["Wimer", "Wimmer", "1995-05-21", SECOND_LUKAS] {
        assert!(!log.contains(personal), "{personal} in the log:\n{log}");
    }
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

/// Several evidences and homonyms (`evidence.several` with `on_ambiguous: preview`): the
/// twins Ewa share names and date of birth; the first holds two diplomas under one
/// student number. Her sign-in's identifier singles her out, and the page shows both of
/// her diplomas and nothing of her sister's; she ticks both and the follow-up carries both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_singles_out_a_twin_who_holds_several_evidences() {
    use preview_support::several::{FIRST_TWIN, HOMONYMS_CLASSIFICATION, request};
    let provider = Provider::start().await;
    provider.signing_in("Twin", "Ewa", "1991-02-02", Some(FIRST_TWIN));
    let dir = tempfile::tempdir().unwrap();
    let mut adapter = Adapter::start_deployment(
        &Deployment::diplomas(dir.path()),
        2400,
        &oidc(&provider, true),
        PUBLIC_URL,
    )
    .await;
    let spec = RequestSpec {
        classification: HOMONYMS_CLASSIFICATION.into(),
        ..request(
            "Twin",
            "Ewa",
            "1991-02-02",
            oots_framework::edm::EdmVersion::V2_0,
            true,
        )
    };
    let (location, token) = preview_link_for(&mut adapter, Some(&spec)).await;
    adapter.send_request(&spec, Some(&location), Some(BACK));
    let visit = preview_support::open_and_sign_in(&adapter, &token).await;
    assert_eq!(visit.status, 200, "{}", visit.page);
    let page = &visit.page;
    assert!(
        page.contains("EWA-1") && page.contains("EWA-3") && !page.contains("EWA-2"),
        "{page}"
    );
    let ids: Vec<String> = page
        .match_indices("name=\"evidence\" value=\"")
        .map(|(at, m)| {
            let rest = &page[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 2, "{page}");
    let r = client()
        .post(adapter.url(&format!("/preview/{token}/decision")))
        .header("cookie", &visit.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={}&decision=approve&evidence={}&evidence={}",
            csrf(page),
            ids[0],
            ids[1]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let parts: Vec<String> = answer
        .payloads
        .iter()
        .filter(|p| p.mime_type == "application/xml")
        .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
        .collect();
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert!(
        parts[0].contains("EWA-1") && parts[1].contains("EWA-3"),
        "{parts:?}"
    );
    adapter.stop();
}
