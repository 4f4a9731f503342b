//! Evidence metadata read from the register (docs/mapping-files.md, "Evidence metadata")
//! survives the preview: the issuing office and the validity period read when the
//! evidence is produced for the page are what the approved follow-up carries.

mod preview_support;

use std::time::Duration;

use preview_support::{Adapter, Deployment, browser_cookie, client, csrf, decide, preview_link};

/// The quickstart with an issuing office and a validity period computed by the query.
fn deployment(dir: &std::path::Path) -> Deployment {
    let mut d = Deployment::quickstart();
    let mappings = dir.join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    preview_support_copy(&d.mappings, &mappings);
    let m = mappings.join("birth-certificate.yaml");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace(
            "registration_date, registry_office\n      FROM birth_register",
            "registration_date, registry_office,\n           'DE-STA-' || register_number AS office_id, registration_date AS valid_from, '2099-12-31' AS valid_until\n      FROM birth_register",
        )
        .replace(
            "    registry_office: registry_office\n",
            "    registry_office: registry_office\n    office_id: office_id\n    valid_from: valid_from\n    valid_until: valid_until\n",
        )
        .replace(
            "  issuing_date: registration_date\n",
            "  issuing_date: registration_date\n  issuing_authority: { identifier: office_id, scheme_id: \"urn:oasis:names:tc:ebcore:partyid-type:unregistered:DE\", names: { DE: registry_office } }\n  validity: { start: valid_from, end: valid_until }\n",
        );
    assert!(text.contains("AS office_id") && text.contains("issuing_authority"));
    std::fs::write(&m, text).unwrap();
    d.mappings = mappings;
    d
}

fn preview_support_copy(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            preview_support_copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_approved_follow_up_carries_the_issuing_office_read_for_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = deployment(dir.path());
    let mut adapter = Adapter::start_deployment(
        &deployment,
        60,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await;
    let (location, token) = preview_link(&mut adapter).await;
    adapter.send(Some(&location), Some("https://requester.example/back"));
    // The follow-up is held while the user decides (as in preview_flow.rs).
    assert!(adapter.answer(Duration::from_millis(1500)).await.is_none());

    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = browser_cookie(&r);
    let page = r.text().await.unwrap();
    let decided = decide(&http, &page_url, &cookie, csrf(&page).as_str(), "approve").await;
    assert_eq!(decided.status(), 303);

    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the follow-up is answered after the approval");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let doc = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/x-ebrs+xml")
        .expect("RegRep payload");
    let xml = String::from_utf8_lossy(&doc.bytes);
    let authority = xml
        .split("<sdg:IssuingAuthority>")
        .nth(1)
        .and_then(|s| s.split("</sdg:IssuingAuthority>").next())
        .expect("an issuing authority");
    assert!(
        authority.contains(
            "schemeID=\"urn:oasis:names:tc:ebcore:partyid-type:unregistered:DE\">DE-STA-"
        ) && authority.contains("<sdg:Name lang=\"DE\">Standesamt"),
        "{authority}"
    );
    assert!(
        !authority.contains("DE73524311"),
        "not the provider: {authority}"
    );
    assert!(
        xml.contains("<sdg:EndDate>2099-12-31</sdg:EndDate>"),
        "{xml}"
    );
    adapter.stop();
}
