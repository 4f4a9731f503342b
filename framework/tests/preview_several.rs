//! Several evidences for one subject (`evidence.several`, docs/mapping-files.md and
//! docs/preview.md), end to end with `oots-adapter serve` behind a Domibus simulator:
//! without a preview every evidence of the subject is answered (1.x one object each,
//! 2.0 one package each); with a preview the user ticks which to send, and the follow-up
//! releases exactly those. Look-alike persons (different registry keys) stay refused;
//! a subject with more than the cap is refused; hostile tick sets change nothing.

mod preview_support;

use std::time::Duration;

use oots_framework::edm::{EdmVersion, ErrorCode, QueryResponse};
use oots_framework::gateway::OutboundMessage;
use preview_support::several::{BACK, request};
use preview_support::{
    Adapter, Deployment, assert_declined, assert_neutral_not_found, browser_cookie, client, csrf,
    exception, preview_link_for, regrep,
};

async fn start(dir: &std::path::Path) -> Adapter {
    Adapter::start_deployment(
        &Deployment::diplomas(dir),
        2400,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await
}

/// The diploma numbers of the attached evidences, in order.
fn numbers(answer: &OutboundMessage) -> Vec<String> {
    answer
        .payloads
        .iter()
        .filter(|p| p.mime_type == "application/xml")
        .map(|p| {
            let text = String::from_utf8_lossy(&p.bytes);
            let start = text.find("<Number>").unwrap() + 8;
            let end = text.find("</Number>").unwrap();
            text[start..end].to_owned()
        })
        .collect()
}

async fn answer(adapter: &Adapter) -> OutboundMessage {
    adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("an answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_preview_every_evidence_of_the_subject_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let mut adapter = start(dir.path()).await;
    for version in [EdmVersion::V1_2, EdmVersion::V2_0] {
        for (family, given, dob, count) in [
            ("Nowak", "Anna", "1990-01-01", 2),
            ("Many", "Piotr", "1992-03-03", 20),
        ] {
            adapter.send_request(&request(family, given, dob, version, false), None, None);
            let a = answer(&adapter).await;
            assert_eq!(a.header.action, "ExecuteQueryResponse", "{version}");
            let got = numbers(&a);
            assert_eq!(got.len(), count, "{version} {family}: {got:?}");
            let QueryResponse::Evidence(r) = regrep(&a) else {
                panic!("evidence expected")
            };
            assert_eq!(r.items.len(), count);
            // Each evidence its own object, part and (2.0) package (R-EDM-RESP-S066).
            let mut cids: Vec<_> = r.items.iter().map(|i| i.content_id.clone()).collect();
            cids.dedup();
            assert_eq!(cids.len(), count);
            let doc = a
                .payloads
                .iter()
                .find(|p| p.mime_type == "application/x-ebrs+xml")
                .unwrap();
            let xml = String::from_utf8_lossy(&doc.bytes);
            let packages = xml.matches("rim:RegistryPackageType").count();
            if version.is_v2() {
                let mut ids: Vec<_> = r.items.iter().map(|i| i.package_id.clone()).collect();
                ids.sort();
                ids.dedup();
                assert_eq!((packages, ids.len()), (count, count), "{xml}");
            } else {
                assert_eq!(packages, 0, "{xml}");
            }
        }
    }
    // The twins: same names and date of birth, different student numbers: two persons,
    // refused with the neutral detail, nothing released.
    adapter.send_request(
        &request("Twin", "Ewa", "1991-02-02", EdmVersion::V2_0, false),
        None,
        None,
    );
    let a = answer(&adapter).await;
    assert_neutral_not_found(&a);
    assert!(numbers(&a).is_empty());
    // Over the cap: refused, not truncated, naming the rule.
    adapter.send_request(
        &request("Over", "Jan", "1993-04-04", EdmVersion::V2_0, false),
        None,
        None,
    );
    let a = answer(&adapter).await;
    let e = exception(&a);
    assert_eq!(e.code, ErrorCode::UnsupportedCapability, "{e:?}");
    assert!(
        e.detail
            .as_deref()
            .unwrap_or("")
            .starts_with("evidence.several: "),
        "{e:?}"
    );
    assert!(numbers(&a).is_empty());
    adapter.stop();
}

/// The page of a preview link, opened by a fresh browser: its cookie, CSRF token and
/// the evidence ids of its tick-boxes.
async fn open(adapter: &Adapter, token: &str) -> (String, String, Vec<String>, String) {
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = client().get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = browser_cookie(&r);
    let page = r.text().await.unwrap();
    let ids: Vec<String> = page
        .match_indices("name=\"evidence\" value=\"")
        .map(|(at, m)| {
            let rest = &page[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect();
    (cookie, csrf(&page), ids, page)
}

async fn post(adapter: &Adapter, token: &str, cookie: &str, body: String) -> u16 {
    let page_url = adapter.url(&format!("/preview/{token}"));
    client()
        .post(format!("{page_url}/decision"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follow_up_releases_exactly_the_ticked_evidences() {
    let dir = tempfile::tempdir().unwrap();
    let mut adapter = start(dir.path()).await;
    let anna = request("Nowak", "Anna", "1990-01-01", EdmVersion::V2_0, true);
    let (location, token) = preview_link_for(&mut adapter, Some(&anna)).await;
    // A second session for the same subject: its ids are not the first one's to send.
    let (other_location, other_token) = preview_link_for(&mut adapter, Some(&anna)).await;
    let (cookie, form, ids, page) = open(&adapter, &token).await;
    let (other_cookie, other_form, other_ids, _) = open(&adapter, &other_token).await;
    assert_eq!(ids.len(), 2, "a tick-box per evidence: {page}");
    assert!(page.contains("ANNA-1") && page.contains("ANNA-2"), "{page}");
    // The evidences are XML with no human-readable version: the page shows their
    // labelled fields and links no raw XML (docs/preview.md, "Dates, times and
    // languages"); the documents stay at their addresses for the reviewing browser.
    assert!(
        !page.contains(&format!("/preview/{token}/document")),
        "no link to raw XML: {page}"
    );
    assert!(ids.iter().all(|id| !other_ids.contains(id)));

    // Each document, to this browser.
    let page_url = adapter.url(&format!("/preview/{token}"));
    for (path, number) in [("document", "ANNA-1"), ("document/1", "ANNA-2")] {
        let doc = client()
            .get(format!("{page_url}/{path}"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(doc.status(), 200);
        assert!(doc.text().await.unwrap().contains(number));
    }
    let missing = client()
        .get(format!("{page_url}/document/2"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // Hostile tick sets: an id of the other session, an invented one, a duplicate, an
    // unknown field: refused, and the session is still undecided.
    let approve = |ticks: &[&str]| {
        let mut body = format!("csrf={form}&decision=approve");
        for t in ticks {
            body.push_str(&format!("&evidence={t}"));
        }
        body
    };
    for body in [
        approve(&[other_ids[0].as_str()]),
        approve(&[ids[1].as_str(), "not-an-evidence"]),
        approve(&[ids[1].as_str(), ids[1].as_str()]),
        format!("{}&extra=1", approve(&[ids[1].as_str()])),
    ] {
        assert_eq!(post(&adapter, &token, &cookie, body).await, 404);
    }
    // The right ids with another session's browser or form token: refused too.
    assert_eq!(
        post(&adapter, &token, &other_cookie, approve(&[ids[1].as_str()])).await,
        404
    );
    let forged = approve(&[ids[1].as_str()]).replace(&form, &other_form);
    assert_eq!(post(&adapter, &token, &cookie, forged).await, 404);

    // The user ticks the second diploma only.
    assert_eq!(
        post(&adapter, &token, &cookie, approve(&[ids[1].as_str()])).await,
        200
    );
    // A tick set changed after the approval is not honoured (the page only shows the
    // outcome; the answer below carries the first choice).
    let both = approve(&[ids[0].as_str(), ids[1].as_str()]);
    post(&adapter, &token, &cookie, both).await;

    adapter.send_request(&anna, Some(&location), Some(BACK));
    let a = answer(&adapter).await;
    assert_eq!(a.header.action, "ExecuteQueryResponse", "{:?}", regrep(&a));
    assert_eq!(numbers(&a), ["ANNA-2"], "only the ticked evidence");
    let QueryResponse::Evidence(r) = regrep(&a) else {
        panic!("evidence expected")
    };
    assert_eq!(r.items.len(), 1);

    // The other session: approve with nothing ticked → declined (TDD 2.0.1 4.9 §1).
    let none = format!("csrf={other_form}&decision=approve");
    assert_eq!(post(&adapter, &other_token, &other_cookie, none).await, 200);
    adapter.send_request(&anna, Some(&other_location), Some(BACK));
    let a = answer(&adapter).await;
    assert_declined(&a);
    assert!(!String::from_utf8_lossy(&a.payloads[0].bytes).contains("ANNA"));

    let log = adapter.stop();
    for personal in ["Nowak", "ANNA-1", "1990-01-01"] {
        assert!(!log.contains(personal), "{personal} in the log:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_evidences_in_the_preview_and_one_ticked_in_1x() {
    let dir = tempfile::tempdir().unwrap();
    let mut adapter = start(dir.path()).await;
    let piotr = request("Many", "Piotr", "1992-03-03", EdmVersion::V1_2, true);
    let (location, token) = preview_link_for(&mut adapter, Some(&piotr)).await;
    let (cookie, form, ids, _) = open(&adapter, &token).await;
    assert_eq!(ids.len(), 20);
    let body = format!(
        "csrf={form}&decision=approve&evidence={}&evidence={}",
        ids[19], ids[3]
    );
    assert_eq!(post(&adapter, &token, &cookie, body).await, 200);
    adapter.send_request(&piotr, Some(&location), None);
    let a = answer(&adapter).await;
    // In the order offered, 1.x: one ExtrinsicObject each, no package.
    assert_eq!(numbers(&a), ["PIOTR-03", "PIOTR-19"]);
    let doc = a
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/x-ebrs+xml")
        .unwrap();
    let xml = String::from_utf8_lossy(&doc.bytes);
    assert_eq!(xml.matches("rim:ExtrinsicObjectType").count(), 2, "{xml}");
    assert!(!xml.contains("RegistryPackageType"), "{xml}");

    // "Do not use" declines whatever is ticked.
    let (location, token) = preview_link_for(&mut adapter, Some(&piotr)).await;
    let (cookie, form, ids, _) = open(&adapter, &token).await;
    let body = format!("csrf={form}&decision=decline&evidence={}", ids[0]);
    assert_eq!(post(&adapter, &token, &cookie, body).await, 200);
    adapter.send_request(&piotr, Some(&location), None);
    assert_declined(&answer(&adapter).await);
    adapter.stop();
}
