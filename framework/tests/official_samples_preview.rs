//! The Commission's commercial-register sample request (TDD 4.5.4 §4, 1.x, BRIS
//! `business-registry-number` subset, an `AuthorizedRepresentative`) with a preview,
//! over `oots-adapter serve`: the director it names signs in and approves, and the
//! follow-up's answer is the subset the request asked for and nothing more
//! (R-EDM-RESP-C043; TDD 2.0.1 4.9; TDD 2.3). Addressed to the Czech register and about a
//! company it keeps, as `official_samples.rs` does. And the Commission's birth sample
//! converted to EDM 2.0 with a preview at the quickstart: the follow-up continues the
//! offering exchange (TDD 4.9 §2 step 12), John Smith signs in and the browser goes back
//! to the `ReturnLocation`; someone else signing in gets nothing of his.

mod common;
mod oidc_support;
mod preview_support;

use std::time::Duration;

use oidc_support::Provider;
use oots_framework::edm::{self, EdmVersion, ErrorCode, XmlLimits};
use preview_support::{
    Adapter, Deployment, assert_neutral_not_found, client, csrf, decide, exception,
    open_and_sign_in,
};

const BIRTH_FULL: &str = "oots-spec/tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange/2 Example for requesting a Birth Certificate - natural person/2.1 Step 1  Evidence Request - Birth - full example.xml";
const BACK: &str = "https://requester.example/back";
const TAX_FULL: &str = "oots-spec/tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange/4 Example for requesting an Extract of a Commercial Register/4.1 Step 1  Evidence Request  - Tax - full example.xml";
const BRIS_NUMBER: &str =
    "https://sr.oots.tech.europa.eu/distributions/BRIS-1.0.0/business-registry-number-1.0.0";

/// The sample retargeted: the Czech register, its company 27074358, its director Jiří
/// Kovář with the power for X4, preview possible.
fn sample_request() -> Option<edm::EvidenceRequest> {
    let path = common::shared_dir().join(TAX_FULL);
    let Ok(xml) = std::fs::read_to_string(&path) else {
        oots_testskip::skip(
            "OOTS_SHARED",
            &format!("{} not found (set OOTS_SHARED)", path.display()),
        );
        return None;
    };
    let xml = xml
        .replace(
            "schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE73524311",
            "schemeID=\"urn:cef.eu:names:identifier:EAS:9929\">CZ99999999",
        )
        .replace(
            "https://sr.oots.tech.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e",
            "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/CZ/3ccfc0a2-3e01-4427-9df2-7c5a8113257c",
        )
        .replace("SE/DE/12132123Y", "CZ/DK/27074358")
        .replace("<sdg:FamilyName>Doe", "<sdg:FamilyName>Kovář")
        .replace("<sdg:GivenName>John", "<sdg:GivenName>Jiří")
        .replace("1978-09-09", "1968-11-23")
        .replace(
            "<sdg:Gender>Male</sdg:Gender>",
            "<sdg:Gender>Male</sdg:Gender><sdg:SectorSpecificAttribute><sdg:AttributeName>PowerOfRepresentationScope</sdg:AttributeName><sdg:AttributeURI>http://eidas.europa.eu/attributes/legalperson/PowerOfRepresentationScope</sdg:AttributeURI><sdg:AttributeValue>X4</sdg:AttributeValue></sdg:SectorSpecificAttribute>",
        );
    let mut request = edm::parse_request(xml.as_bytes(), &XmlLimits::default()).unwrap();
    request.possibility_for_preview = true;
    assert_eq!(
        request.evidence_type.distributed_as[0]
            .transformation
            .as_deref(),
        Some(BRIS_NUMBER)
    );
    Some(request)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_director_previews_and_approves_the_samples_bris_subset() {
    let Some(request) = sample_request() else {
        return;
    };
    let provider = Provider::start().await;
    provider.signing_in("Kovář", "Jiří", "1968-11-23", None);
    let mut adapter = Adapter::start_deployment(
        &Deployment::company_register(),
        2400,
        &provider.preview_authentication(false),
        "https://localhost:8443/preview",
    )
    .await;
    adapter.send_edm(&request, None);
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("the preview offer");
    let offer = exception(&first);
    assert_eq!(offer.code, ErrorCode::MissingAuthorization);
    let location = offer.preview_location.expect("PreviewLocation");
    let token = location.rsplit('/').next().unwrap().to_owned();

    // The follow-up: the same request, a new id, the PreviewLocation (1.x: no ExchangeId).
    let mut follow_up = request.clone();
    follow_up.id = "urn:uuid:5d3c2b1a-0f9e-4d8c-b7a6-112233445566".into();
    adapter.send_edm(&follow_up, Some(&location));
    assert!(
        adapter.answer(Duration::from_millis(500)).await.is_none(),
        "held until the director decides"
    );
    let visit = open_and_sign_in(&adapter, &token).await;
    assert_eq!(visit.status, 200, "{}", visit.page);
    // The page shows what the subset sends — the registry number — not the whole
    // record: the director decides on what is released (TDD 2.0.1 4.9 §3).
    assert!(visit.page.contains("27074358"), "{}", visit.page);
    for not_sent in ["Křižíkova", "200 000", "jednatel"] {
        assert!(!visit.page.contains(not_sent), "{not_sent} on the page");
    }
    let decided = decide(
        &client(),
        &adapter.url(&format!("/preview/{token}")),
        &visit.cookie,
        &csrf(&visit.page),
        "approve",
    )
    .await;
    // 1.x: no ReturnLocation and no `returnurl` on the link, so the page answers (200)
    // rather than sending the browser back (docs/preview.md, *The return address*).
    assert_eq!(decided.status(), 200);
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered after the approval");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let response = String::from_utf8_lossy(&answer.payloads[0].bytes).into_owned();
    assert!(
        response.contains(&format!(
            "<sdg:Transformation>{BRIS_NUMBER}</sdg:Transformation>"
        )),
        "{response}"
    );
    assert_eq!(answer.payloads.len(), 2, "the subset alone");
    let document = String::from_utf8_lossy(&answer.payloads[1].bytes).into_owned();
    assert!(document.contains("<RegistrationNumber>27074358</RegistrationNumber>"));
    for whole_only in ["LegalName", "Thoroughfare", "StatutoryBody"] {
        assert!(!document.contains(whole_only), "{whole_only} in the subset");
    }
    adapter.stop();
}

/// The birth sample in EDM 2.0 (no Transformation there), preview possible.
fn birth_v2() -> Option<edm::EvidenceRequest> {
    let path = common::shared_dir().join(BIRTH_FULL);
    let Ok(xml) = std::fs::read_to_string(&path) else {
        oots_testskip::skip(
            "OOTS_SHARED",
            &format!("{} not found (set OOTS_SHARED)", path.display()),
        );
        return None;
    };
    let mut request = edm::parse_request(xml.as_bytes(), &XmlLimits::default()).unwrap();
    request.version = EdmVersion::V2_0;
    request.lang = None;
    request.possibility_for_preview = true;
    request.evidence_type.distributed_as[0].transformation = None;
    Some(request)
}

/// Starts the quickstart with `who` signing in, sends the 2.0 birth sample and its
/// follow-up (held), and signs in: the adapter, the link token and the visit.
async fn birth_preview(
    who: (&str, &str, &str),
) -> Option<(Adapter, String, preview_support::SignedInVisit)> {
    let request = birth_v2()?;
    let provider = Provider::start().await;
    provider.signing_in(who.0, who.1, who.2, None);
    let mut adapter = Adapter::start_deployment(
        &Deployment::quickstart(),
        2400,
        &provider.preview_authentication(false),
        "https://localhost:8443/preview",
    )
    .await;
    adapter.send_edm(&request, None);
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("the preview offer");
    let location = exception(&first).preview_location.expect("PreviewLocation");
    let token = location.rsplit('/').next().unwrap().to_owned();
    let mut follow_up = request;
    follow_up.id = "urn:uuid:7e6d5c4b-3a29-4817-a6f5-0e1d2c3b4a59".into();
    follow_up.return_location = Some(BACK.into());
    adapter.send_edm(&follow_up, Some(&location));
    assert!(adapter.answer(Duration::from_millis(500)).await.is_none());
    let visit = open_and_sign_in(&adapter, &token).await;
    // Not needed after the sign-in.
    drop(provider);
    Some((adapter, token, visit))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_birth_sample_in_2_0_is_previewed_approved_and_returned() {
    let Some((adapter, token, visit)) = birth_preview(("SMITH", "john", "1970-03-01")).await else {
        return;
    };
    assert_eq!(visit.status, 200, "{}", visit.page);
    let decided = decide(
        &client(),
        &adapter.url(&format!("/preview/{token}")),
        &visit.cookie,
        &csrf(&visit.page),
        "approve",
    )
    .await;
    // 2.0: the browser goes back to the follow-up's ReturnLocation.
    assert_eq!(decided.status(), 303);
    assert_eq!(decided.headers()["location"], BACK);
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered after the approval");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let response = String::from_utf8_lossy(&answer.payloads[0].bytes).into_owned();
    assert!(response.contains("oots-edm:v2.0") && response.contains("RegistryPackageType"));
    assert!(!response.contains("Transformation"));
    let document = String::from_utf8_lossy(&answer.payloads[1].bytes).into_owned();
    assert!(
        document.contains("<FamilyName>Smith</FamilyName>"),
        "{document}"
    );
    adapter.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_else_signing_in_for_the_birth_sample_gets_nothing_of_john_smith() {
    let Some((adapter, _token, visit)) = birth_preview(("Dupont", "Jean", "1992-10-22")).await
    else {
        return;
    };
    assert_eq!(visit.status, 403, "{}", visit.page);
    for body in &visit.bodies {
        assert!(
            !body.contains("Smith") && !body.contains("1970-03-01"),
            "{body}"
        );
    }
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the held follow-up is refused");
    assert_neutral_not_found(&answer);
    assert_eq!(answer.payloads.len(), 1, "nothing attached");
    adapter.stop();
}
