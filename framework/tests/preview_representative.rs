//! The preview of a represented request (TDD 2.0.1 chapter 2.3, `AuthorizedRepresentative`;
//! docs/preview.md, "Representatives"): the one who signs in is the representative the
//! request names, compared as strictly as a subject (family name, given name, date of
//! birth), and, when the mapping checks the power, the register's row granting it; the
//! record shown and released is the subject the request names.
//!
//! `oots-adapter serve` as a real process behind a Domibus simulator, with the company
//! register (`mappings/company-registration-extract`, directors in its seed) or the
//! quickstart's birth register, and an in-process OpenID provider.

mod common;
mod oidc_support;
mod preview_support;

use std::time::Duration;

use oidc_support::Provider;
use oots_framework::edm::EdmVersion;
use oots_framework::requester::{RepresentativeSpec, RequestSpec};
use oots_framework::store::{Journal, SqliteStore};
use preview_support::{
    Adapter, Deployment, SignedInVisit, assert_neutral_not_found, client, csrf, decide, exception,
    open_and_sign_in, preview_link_for,
};

const PUBLIC_URL: &str = "https://localhost:8443/preview";
const BACK: &str = "https://requester.example/back";
const CLASSIFICATION: &str = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/CZ/3ccfc0a2-3e01-4427-9df2-7c5a8113257c";

fn person(family: &str, given: &str, born: &str, scope: &str) -> RepresentativeSpec {
    RepresentativeSpec {
        family_name: family.into(),
        given_name: given.into(),
        date_of_birth: born.into(),
        scope: Some(scope.into()),
        legal_name: None,
    }
}

/// A request for `company`'s extract (PDF), allowing a preview, acting through `rep`.
fn company_request(name: &str, company: &str, rep: RepresentativeSpec) -> RequestSpec {
    RequestSpec {
        version: EdmVersion::V2_0,
        classification: CLASSIFICATION.into(),
        format: "application/pdf".into(),
        preview: true,
        provider: (
            "urn:cef.eu:names:identifier:EAS:9929".into(),
            "CZ99999999".into(),
            "Commercial Register".into(),
        ),
        legal: Some((name.into(), Some(company.into()))),
        representative: Some(rep),
        ..RequestSpec::quickstart_birth("", "", "", "application/pdf")
    }
}

/// Starts `deployment` signing in at `provider`, sends `spec` and its follow-up (held),
/// then opens the link and signs in.
async fn request_and_sign_in(
    provider: &Provider,
    deployment: &Deployment,
    spec: &RequestSpec,
) -> (Adapter, String, SignedInVisit) {
    let mut adapter = Adapter::start_deployment(
        deployment,
        2400,
        &provider.preview_authentication(false),
        PUBLIC_URL,
    )
    .await;
    let (location, token) = preview_link_for(&mut adapter, Some(spec)).await;
    adapter.send_request(spec, Some(&location), Some(BACK));
    assert!(
        adapter.answer(Duration::from_millis(500)).await.is_none(),
        "the follow-up is held until the user signs in"
    );
    let visit = open_and_sign_in(&adapter, &token).await;
    (adapter, token, visit)
}

/// The sign-in refused: the mismatch page without the record, the held follow-up
/// answered with the neutral `EDM:ERR:0004`, `absent` nowhere (pages, answer, log,
/// journal); what the journal keeps of why.
async fn refused(adapter: Adapter, visit: SignedInVisit, absent: &[&str]) -> serde_json::Value {
    assert_eq!(visit.status, 403, "the mismatch page: {}", visit.page);
    assert!(!visit.page.contains("/decision"), "{}", visit.page);
    for body in &visit.bodies {
        for value in absent {
            assert!(!body.contains(value), "{value} on a page: {body}");
        }
    }
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the held follow-up is refused at once");
    assert_neutral_not_found(&answer);
    assert_eq!(answer.payloads.len(), 1, "no attachment");
    let regrep = String::from_utf8_lossy(&answer.payloads[0].bytes).into_owned();
    let (log, state) = adapter.stop_keeping_state();
    for value in absent {
        assert!(!regrep.contains(value), "{value} in the answer");
        assert!(!log.contains(value), "{value} in the log:\n{log}");
    }
    let store = SqliteStore::open(&state.path().join("state/adapter.db"))
        .await
        .unwrap();
    let entry = store
        .journal(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.record).unwrap())
        .find(|r| r["action"] == "ExceptionResponse" && r["code"] != "EDM:ERR:0002")
        .expect("the follow-up's refusal in the journal");
    for value in absent {
        assert!(!entry.to_string().contains(value), "{value} in the journal");
    }
    entry["sign_in"].clone()
}

async fn approve(adapter: &Adapter, token: &str, visit: &SignedInVisit) -> String {
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
    let pdf = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/pdf")
        .expect("the evidence");
    String::from_utf8_lossy(&pdf.bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_named_director_signs_in_sees_the_company_s_extract_and_approves() {
    let provider = Provider::start().await;
    // Another spelling of the register's and the request's Jiří Kovář.
    provider.signing_in("KOVAR", "Jiri", "1968-11-23", None);
    let spec = company_request(
        "Pražské strojírny Kovář s.r.o.",
        "CZ/BE/27074358",
        person("Kovář", "Jiří", "1968-11-23", "X1"),
    );
    let (adapter, token, visit) =
        request_and_sign_in(&provider, &Deployment::company_register(), &spec).await;
    assert_eq!(visit.status, 200, "{}", visit.page);
    assert!(visit.page.contains("27074358"), "{}", visit.page);
    approve(&adapter, &token, &visit).await;
    adapter.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_director_of_the_company_is_not_the_named_representative() {
    // The request names Ondřej Říha (power X1) for Zelená Čajovna Hájek; its chairwoman
    // Šárka Hájková, a director too, signs in: she is not who the request named.
    let provider = Provider::start().await;
    provider.signing_in("Hájková", "Šárka", "1979-02-14", None);
    let spec = company_request(
        "Zelená Čajovna Hájek a.s.",
        "CZ/BE/06123987",
        person("Říha", "Ondřej", "1985-06-07", "X1"),
    );
    let (adapter, _token, visit) =
        request_and_sign_in(&provider, &Deployment::company_register(), &spec).await;
    let why = refused(
        adapter,
        visit,
        &["06123987", "Hostinská", "Říha", "Hájková"],
    )
    .await;
    assert_eq!(
        why,
        serde_json::json!({"check": "representative", "verdict": {"verdict": "different", "attributes": ["FamilyName", "GivenName", "DateOfBirth"]}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_who_is_not_a_director_gets_no_preview_link_at_all() {
    let provider = Provider::start().await;
    let mut adapter = Adapter::start_deployment(
        &Deployment::company_register(),
        2400,
        &provider.preview_authentication(false),
        PUBLIC_URL,
    )
    .await;
    let spec = company_request(
        "Pražské strojírny Kovář s.r.o.",
        "CZ/BE/27074358",
        person("Nováková", "Petra", "1990-05-05", "X1"),
    );
    adapter.send_request(&spec, None, None);
    let answer = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("an answer");
    assert_neutral_not_found(&answer);
    assert!(exception(&answer).preview_location.is_none());
    let log = adapter.stop();
    assert!(!log.contains("Nováková"), "{log}");
}

/// A parent acting for a child of the same name (quickstart birth register, Jean Dupont
/// born 1992-10-22): the sign-in is compared with the representative's whole minimum data
/// set, so the child signing in is refused by the date of birth, and the parent is shown
/// the child's record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_and_child_sharing_names_are_told_apart_by_the_date_of_birth() {
    let spec = RequestSpec {
        preview: true,
        representative: Some(RepresentativeSpec {
            family_name: "Dupont".into(),
            given_name: "Jean".into(),
            date_of_birth: "1965-04-12".into(),
            scope: Some("R1".into()),
            legal_name: None,
        }),
        ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf")
    };
    // The child signs in: not the representative the request names.
    let provider = Provider::start().await;
    provider.signing_in("Dupont", "Jean", "1992-10-22", None);
    let (adapter, _, visit) =
        request_and_sign_in(&provider, &Deployment::quickstart(), &spec).await;
    let why = refused(adapter, visit, &["G 4711/1992", "Pierre", "Claire"]).await;
    assert_eq!(
        why,
        serde_json::json!({"check": "representative", "verdict": {"verdict": "different", "attributes": ["DateOfBirth"]}})
    );
    // The parent signs in: the child's record is shown and released.
    let provider = Provider::start().await;
    provider.signing_in("Dupont", "Jean", "1965-04-12", None);
    let (adapter, token, visit) =
        request_and_sign_in(&provider, &Deployment::quickstart(), &spec).await;
    assert_eq!(visit.status, 200, "{}", visit.page);
    assert!(visit.page.contains("G 4711/1992"), "{}", visit.page);
    let evidence = approve(&adapter, &token, &visit).await;
    assert!(evidence.starts_with("%PDF"));
    adapter.stop();
}

/// Two records fit Lukas Wimmer (`Deployment::austrian_births`, `on_ambiguous:
/// preview`); his mother acts for him and signs in with her own identifier, which is
/// the second Lukas's: a representative's identifier never singles out the subject's
/// record, so nothing is shown and the follow-up gets the neutral `EDM:ERR:0004`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_representative_s_identifier_never_singles_out_a_homonym() {
    let provider = Provider::start().await;
    provider.signing_in(
        "Wimmer",
        "Anna",
        "1970-02-02",
        Some(preview_support::SECOND_LUKAS),
    );
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        &provider.preview_authentication(true),
        PUBLIC_URL,
    )
    .await;
    let spec = RequestSpec {
        representative: Some(person("Wimmer", "Anna", "1970-02-02", "R1")),
        ..preview_support::lukas_wimmer()
    };
    let (location, token) = preview_link_for(&mut adapter, Some(&spec)).await;
    adapter.send_request(&spec, Some(&location), Some(BACK));
    let visit = open_and_sign_in(&adapter, &token).await;
    assert_eq!(visit.status, 200, "{}", visit.page);
    assert!(
        visit
            .page
            .contains("We could not tell which record is yours"),
        "{}",
        visit.page
    );
    for body in &visit.bodies {
        assert!(
            !body.contains("G 0815/1995") && !body.contains("G 0816/1995"),
            "{body}"
        );
    }
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the held follow-up is refused at once");
    assert_neutral_not_found(&answer);
    adapter.stop();
}
