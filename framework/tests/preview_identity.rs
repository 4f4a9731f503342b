//! The preview's sign-in checked twice before anything of a record is shown: the person who
//! signs in must be the request's subject, and the person of the record that would be
//! released. Matching may accept a record whose names differ slightly from the request's
//! (here "Dupond" for the register's "Dupont", with the same date and place of birth); the
//! sign-in proves who the user is, so a record that is not theirs must never reach their
//! screen, nor the requester.
//!
//! `oots-adapter serve` runs as a real process behind a Domibus simulator, with the
//! quickstart's birth register (`examples/quickstart`) and an in-process OpenID provider
//! (real code flow with PKCE and signed ID tokens); the browser's part is played over
//! HTTP, cookies by hand. `preview_browser.rs` plays the mismatch in a real browser.

mod common;
mod oidc_support;
mod preview_support;

use std::time::Duration;

use oidc_support::Provider;
use oots_framework::edm::ErrorCode;
use oots_framework::requester::{OptionalAttributes, RequestSpec};
use oots_framework::store::{Journal, SqliteStore};
use preview_support::{
    Adapter, Deployment, SignedInVisit, assert_neutral_not_found, client, csrf, decide,
    open_and_sign_in, preview_link_for,
};

const PUBLIC_URL: &str = "https://localhost:8443/preview";
/// Where the requester wants the user back.
const BACK: &str = "https://requester.example/back";

/// What the quickstart register holds of Jean Dupont (G 4711/1992) and nobody else's
/// answer may carry: register number, parents, the family name itself.
const JEAN_DUPONT_RECORD: [&str; 4] = ["G 4711/1992", "Pierre", "Claire", "Dupont"];

/// A request for "Jean Dupond", born 1992-10-22 in Berlin, allowing a preview: one letter
/// off the register's Jean Dupont, whom the matching accepts (same given name, date and
/// place of birth).
fn jean_dupond() -> RequestSpec {
    RequestSpec {
        preview: true,
        optional: OptionalAttributes {
            place_of_birth: Some("Berlin".into()),
            ..OptionalAttributes::default()
        },
        ..RequestSpec::quickstart_birth("Dupond", "Jean", "1992-10-22", "application/pdf")
    }
}

/// Starts the quickstart adapter signing in at `provider`, sends `spec` and its follow-up
/// (held), then opens the link and signs in.
async fn request_and_sign_in(
    provider: &Provider,
    spec: &RequestSpec,
) -> (Adapter, String, SignedInVisit) {
    let mut adapter =
        Adapter::start_with(2400, &provider.preview_authentication(false), PUBLIC_URL).await;
    let (location, token) = preview_link_for(&mut adapter, Some(spec)).await;
    adapter.send_request(spec, Some(&location), Some(BACK));
    assert!(
        adapter.answer(Duration::from_millis(500)).await.is_none(),
        "the follow-up is held until the user signs in"
    );
    let visit = open_and_sign_in(&adapter, &token).await;
    (adapter, token, visit)
}

/// After a refused sign-in: the page, the document route and a forged decision, every
/// body the browser received (with the sign-in's), none carrying `record`'s values; and the
/// held follow-up answered with the neutral `EDM:ERR:0004`.
async fn nothing_of_the_record_reaches_anyone(
    adapter: Adapter,
    token: &str,
    visit: SignedInVisit,
    record: &[&str],
) -> (String, serde_json::Value) {
    nothing_of_the_record_reaches_anyone_and(
        adapter,
        token,
        visit,
        record,
        assert_neutral_not_found,
    )
    .await
}

/// [`nothing_of_the_record_reaches_anyone`], the follow-up's answer checked by `answered`.
async fn nothing_of_the_record_reaches_anyone_and(
    adapter: Adapter,
    token: &str,
    visit: SignedInVisit,
    record: &[&str],
    answered: fn(&oots_framework::gateway::OutboundMessage),
) -> (String, serde_json::Value) {
    assert_eq!(visit.status, 403, "the mismatch page: {}", visit.page);
    assert!(!visit.page.contains("name=\"csrf\""), "{}", visit.page);
    assert!(!visit.page.contains("/decision"), "{}", visit.page);
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let mut bodies = visit.bodies;
    let doc = http
        .get(format!("{page_url}/document"))
        .header("cookie", &visit.cookie)
        .send()
        .await
        .unwrap();
    assert_ne!(doc.status(), 200);
    assert!(
        doc.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "no document"
    );
    bodies.push(doc.text().await.unwrap());
    let forced = decide(&http, &page_url, &visit.cookie, &"0".repeat(64), "approve").await;
    assert_ne!(forced.status(), 303);
    bodies.push(forced.text().await.unwrap());
    let again = http
        .get(&page_url)
        .header("cookie", &visit.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 403);
    bodies.push(again.text().await.unwrap());
    for body in &bodies {
        for value in record {
            assert!(!body.contains(value), "{value} sent to the browser: {body}");
        }
    }

    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the held follow-up is refused at once");
    answered(&answer);
    let regrep = String::from_utf8_lossy(&answer.payloads[0].bytes).into_owned();
    for value in record {
        assert!(!regrep.contains(value), "{value} in the answer: {regrep}");
    }
    assert!(answer.payloads.len() == 1, "no attachment");
    let (log, state) = adapter.stop_keeping_state();
    for personal in record.iter().chain(&["Dupond", "1992-10-22", token]) {
        assert!(!log.contains(personal), "{personal} in the log:\n{log}");
    }
    // The journal keeps why the sign-in ended the session (attribute names only).
    let store = SqliteStore::open(&state.path().join("state/adapter.db"))
        .await
        .unwrap();
    let refused = store
        .journal(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.record).unwrap())
        .find(|r| r["action"] == "ExceptionResponse" && r["code"] != "EDM:ERR:0002")
        .expect("the follow-up's refusal in the journal");
    let journaled = refused.to_string();
    for personal in record.iter().chain(&["Dupond", "1992-10-22"]) {
        assert!(
            !journaled.contains(personal),
            "{personal} in the journal: {journaled}"
        );
    }
    (log, refused["sign_in"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_s_subject_never_sees_a_record_that_is_not_theirs() {
    // The person the request names signs in: they are the request's subject, but the
    // record matching accepted is Jean Dupont's.
    let provider = Provider::start().await;
    provider.signing_in("Dupond", "Jean", "1992-10-22", None);
    let (adapter, token, visit) = request_and_sign_in(&provider, &jean_dupond()).await;
    let (log, sign_in) =
        nothing_of_the_record_reaches_anyone(adapter, &token, visit, &JEAN_DUPONT_RECORD).await;
    assert_eq!(
        sign_in,
        serde_json::json!({"check": "record", "verdict": {"verdict": "different", "attributes": ["FamilyName"]}})
    );
    // The verdict names the attribute, never a value.
    let verdict = log
        .lines()
        .find(|l| l.contains("not the person of the record"))
        .unwrap_or_else(|| panic!("the record check's verdict in the log:\n{log}"));
    assert!(verdict.contains("FamilyName"), "{verdict}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_s_person_is_refused_when_the_request_names_someone_else() {
    // Jean Dupont himself signs in, but the request names Jean Dupond: the sign-in is not
    // the request's subject (the check as before the record check existed).
    let provider = Provider::start().await;
    provider.signing_in("Dupont", "Jean", "1992-10-22", None);
    let (adapter, token, visit) = request_and_sign_in(&provider, &jean_dupond()).await;
    let (_, sign_in) =
        nothing_of_the_record_reaches_anyone(adapter, &token, visit, &JEAN_DUPONT_RECORD).await;
    assert_eq!(
        sign_in,
        serde_json::json!({"check": "subject", "verdict": {"verdict": "different", "attributes": ["FamilyName"]}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subject_signs_in_sees_their_record_and_approves() {
    let provider = Provider::start().await;
    provider.signing_in("DUPONT", "Jean", "1992-10-22", None);
    let spec = RequestSpec {
        preview: true,
        ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf")
    };
    let (adapter, token, visit) = request_and_sign_in(&provider, &spec).await;
    assert_eq!(visit.status, 200, "{}", visit.page);
    assert!(
        visit.page.contains("G 4711/1992") && visit.page.contains("Dupont"),
        "{}",
        visit.page
    );
    approve(&adapter, &token, &visit).await;
    adapter.stop();
}

/// A married name signed in (Weber), the birth register holding the maiden name
/// (Müller): the request states both, the sign-in is the request's subject, and the
/// request's birth name is the record's family name. The record is shown and approved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_married_name_signs_in_for_the_birth_register_s_maiden_name() {
    let provider = Provider::start().await;
    provider.signing_in("Weber", "Jürgen", "1970-03-01", None);
    let spec = RequestSpec {
        preview: true,
        optional: OptionalAttributes {
            birth_name: Some("Müller".into()),
            ..OptionalAttributes::default()
        },
        ..RequestSpec::quickstart_birth("Weber", "Jürgen", "1970-03-01", "application/xml")
    };
    let (adapter, token, visit) = request_and_sign_in(&provider, &spec).await;
    assert_eq!(visit.status, 200, "{}", visit.page);
    assert!(
        visit.page.contains("G 0301/1970") && !visit.page.contains("G 0302/1970"),
        "Jürgen's record, not his brother Jörg's: {}",
        visit.page
    );
    let answer = approve(&adapter, &token, &visit).await;
    let evidence = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/xml")
        .expect("the evidence");
    assert!(String::from_utf8_lossy(&evidence.bytes).contains("G 0301/1970"));
    adapter.stop();
}

/// A sign-in below the evidence type's level of assurance ends the session before any
/// identity is compared, even the subject's own: nothing shown, and the follow-up gets
/// `EDM:ERR:0001` (the sign-in's own property, whatever the registry holds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_below_the_level_of_assurance_shows_nothing_and_answers_0001() {
    let dir = tempfile::tempdir().unwrap();
    let mut deployment = Deployment::quickstart();
    common::copy_dir(&deployment.mappings, dir.path());
    let file = dir.path().join("birth-certificate.yaml");
    let mut yaml = std::fs::read_to_string(&file).unwrap();
    yaml.push_str("\npolicy:\n  min_level_of_assurance: High\n");
    std::fs::write(&file, yaml).unwrap();
    deployment.mappings = dir.path().to_owned();

    let provider = Provider::start().await;
    provider.signing_in("Dupont", "Jean", "1992-10-22", None);
    provider.set(|k| k.acr = Some("http://eidas.europa.eu/LoA/substantial".into()));
    let mut adapter = Adapter::start_deployment(
        &deployment,
        2400,
        &provider.preview_authentication(false),
        PUBLIC_URL,
    )
    .await;
    let spec = RequestSpec {
        preview: true,
        ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf")
    };
    let (location, token) = preview_link_for(&mut adapter, Some(&spec)).await;
    adapter.send_request(&spec, Some(&location), Some(BACK));
    let visit = open_and_sign_in(&adapter, &token).await;
    let (_, sign_in) = nothing_of_the_record_reaches_anyone_and(
        adapter,
        &token,
        visit,
        &JEAN_DUPONT_RECORD,
        |answer| {
            let e = preview_support::exception(answer);
            assert_eq!(e.code, ErrorCode::FailedAuthentication, "{e:?}");
            assert_eq!(
                e.detail.as_deref(),
                Some("The sign-in in the preview space did not reach the level of assurance this evidence type requires")
            );
        },
    )
    .await;
    assert_eq!(sign_in, serde_json::json!({"check": "assurance"}));
}

/// Approves on the page the sign-in led to; the follow-up's answer, which must be the
/// evidence.
async fn approve(
    adapter: &Adapter,
    token: &str,
    visit: &SignedInVisit,
) -> oots_framework::gateway::OutboundMessage {
    let page_url = adapter.url(&format!("/preview/{token}"));
    let decided = decide(
        &client(),
        &page_url,
        &visit.cookie,
        &csrf(&visit.page),
        "approve",
    )
    .await;
    assert_eq!(decided.status(), 303);
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered after the approval");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    answer
}

/// Several evidences (`evidence.several`): the registry's key joins Maria Lis's diploma
/// and one under another family name (Wrona). Maria Lis signs in: she is the request's
/// subject and the person of the first record, but not of the second, so nothing is
/// shown and the follow-up gets the neutral `EDM:ERR:0004` (docs/preview.md, "Several
/// evidences"): the record check holds for every record that could be released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_several_evidences_the_sign_in_must_be_the_person_of_every_record() {
    let provider = Provider::start().await;
    provider.signing_in("Lis", "Maria", "1994-05-05", None);
    let dir = tempfile::tempdir().unwrap();
    let deployment = Deployment::diplomas(dir.path());
    let mut adapter = Adapter::start_deployment(
        &deployment,
        2400,
        &provider.preview_authentication(false),
        PUBLIC_URL,
    )
    .await;
    let spec = preview_support::several::request(
        "Lis",
        "Maria",
        "1994-05-05",
        oots_framework::edm::EdmVersion::V2_0,
        true,
    );
    let (location, token) = preview_link_for(&mut adapter, Some(&spec)).await;
    adapter.send_request(&spec, Some(&location), Some(BACK));
    let visit = open_and_sign_in(&adapter, &token).await;
    assert_eq!(visit.status, 403, "the mismatch page: {}", visit.page);
    for body in &visit.bodies {
        for value in ["MARIA-1", "MARIA-2", "Wrona"] {
            assert!(!body.contains(value), "{value} sent to the browser: {body}");
        }
    }
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the held follow-up is refused at once");
    assert_neutral_not_found(&answer);
    assert_eq!(answer.payloads.len(), 1, "no attachment");
    adapter.stop();
}
