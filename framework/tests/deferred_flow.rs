//! Deferred answers end to end (issue 19 item 3): `oots-adapter serve` behind the Domibus
//! simulator, the quickstart deployment with `evidence.deferred.available_at` reading a
//! registry column. A confidently matched record whose date lies ahead is answered with a
//! deferral (`status=…:Unavailable`, `ResponseAvailableDateTime`, empty object list, on
//! `ExecuteQueryResponse`, no attachment, no preview); once the row says available, the
//! requester's new request gets the evidence. Never for a non-match or an ambiguous match.

mod deferral_support;
mod preview_support;

use std::path::Path;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use oots_framework::clock::edm_timestamp;
use oots_framework::edm::{EdmVersion, ErrorCode, QueryResponse};
use oots_framework::requester::RequestSpec;
use oots_framework::store::{Journal, SqliteStore};
use preview_support::{Adapter, Deployment, exception, regrep};

const UNAVAILABLE: &str = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable";

/// The quickstart, its mapping deferring on `available_from`, which is `ahead` for Jean
/// Dupont and both Anna Schmidt twins; `dir` holds the copies.
fn deferring_quickstart(dir: &Path, ahead: &str) -> Deployment {
    let (mappings, seed) = deferral_support::deferring_quickstart(dir, ahead);
    Deployment {
        mappings,
        seed,
        ..Deployment::quickstart()
    }
}

fn jean(version: EdmVersion, preview: bool) -> RequestSpec {
    RequestSpec {
        version,
        preview,
        ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf")
    }
}

/// Asserts `answer` is a deferral until `until` and carries nothing of the evidence.
fn assert_deferred(answer: &oots_framework::gateway::OutboundMessage, until: &str) {
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    assert_eq!(answer.payloads.len(), 1, "no attachment");
    let xml = String::from_utf8_lossy(&answer.payloads[0].bytes);
    assert!(xml.contains(&format!("status=\"{UNAVAILABLE}\"")), "{xml}");
    assert!(xml.contains("<rim:RegistryObjectList/>"), "{xml}");
    for absent in [
        "Dupont",
        "1992-10-22",
        "%PDF",
        "rs:Exception",
        "PreviewLocation",
        "RepositoryItemRef",
        "EvidenceMetadata",
    ] {
        assert!(!xml.contains(absent), "{absent} in the deferral: {xml}");
    }
    match regrep(answer) {
        QueryResponse::Deferred(d) => assert_eq!(d.available_date_time, until),
        other => panic!("not a deferral: {other:?}"),
    }
}

/// A deferral, again for a new request while the row is unchanged, then the evidence for
/// a new request once the row says available.
async fn round_trip(version: EdmVersion) {
    let dir = tempfile::tempdir().unwrap();
    let ahead = Utc::now() + TimeDelta::days(2);
    let ahead_text = ahead.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let until = edm_timestamp(ahead.with_nanosecond(0).unwrap());
    let deployment = deferring_quickstart(dir.path(), &ahead_text);
    let mut adapter = Adapter::start_deployment(
        &deployment,
        600,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await;

    // The requester allows a preview: a deferred record offers none yet.
    adapter.send_request(&jean(version, true), None, None);
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("answered");
    assert_deferred(&first, &until);

    // Its new request while the record is unchanged: deferred again.
    adapter.send_request(&jean(version, false), None, None);
    let again = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("answered");
    assert_deferred(&again, &until);

    // Counted under their own outcome.
    let metrics = reqwest::get(adapter.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("oots_exchanges_total{")
                && l.contains("outcome=\"deferred\"")
                && l.ends_with(" 2")),
        "{metrics}"
    );

    // The registry says available now: the next new request gets the evidence.
    let db = rusqlite::Connection::open(adapter.registry_db()).unwrap();
    db.execute(
        "UPDATE birth_register SET available_from = '2020-01-01T00:00:00Z' WHERE register_number = 'G 4711/1992'",
        [],
    )
    .unwrap();
    drop(db);
    adapter.send_request(&jean(version, false), None, None);
    let served = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("answered");
    assert_eq!(served.header.action, "ExecuteQueryResponse");
    assert!(
        served.payloads.iter().any(|p| p.bytes.starts_with(b"%PDF")),
        "the evidence once available"
    );
    match regrep(&served) {
        QueryResponse::Evidence(r) => assert_eq!(r.items.len(), 1),
        other => panic!("{other:?}"),
    }
    let (log, state) = adapter.stop_keeping_state();
    assert!(
        !log.contains("Dupont") && !log.contains("1992-10-22"),
        "{log}"
    );
    // The journal records both deferrals on the response action, with their date and
    // without personal data.
    let store = SqliteStore::open(&state.path().join("state/adapter.db"))
        .await
        .unwrap();
    let deferred: Vec<serde_json::Value> = store
        .journal(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.record).unwrap())
        .filter(|r| r["outcome"]["outcome"] == "deferred")
        .collect();
    assert_eq!(deferred.len(), 2, "{deferred:?}");
    for r in &deferred {
        assert_eq!(r["action"], "ExecuteQueryResponse", "{r}");
        assert!(r["code"].is_null(), "{r}");
        assert_eq!(r["outcome"]["available"], until.as_str(), "{r}");
        assert_eq!(r["outcome"]["mapping"], "birth-certificate", "{r}");
        let text = r.to_string();
        assert!(
            !text.contains("Dupont") && !text.contains("1992-10-22"),
            "{text}"
        );
    }
}

use chrono::Timelike;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_record_is_answered_unavailable_then_served_in_2_0() {
    round_trip(EdmVersion::V2_0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_record_is_answered_unavailable_then_served_in_1_2() {
    round_trip(EdmVersion::V1_2).await;
}

/// A deferral confirms that evidence exists for the person: never for someone who does
/// not match, nor for an ambiguous match (the twins are both deferred).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_deferral_without_a_confident_match() {
    let dir = tempfile::tempdir().unwrap();
    let ahead = (Utc::now() + TimeDelta::days(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let deployment = deferring_quickstart(dir.path(), &ahead);
    let mut adapter = Adapter::start_deployment(
        &deployment,
        600,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await;
    for (family, given, born) in [
        ("Schmidt", "Anna", "1985-06-15"),
        ("Martin", "Paul", "1992-10-22"),
    ] {
        adapter.send_request(
            &RequestSpec::quickstart_birth(family, given, born, "application/pdf"),
            None,
            None,
        );
        let answer = adapter
            .answer(Duration::from_secs(20))
            .await
            .expect("answered");
        let xml = String::from_utf8_lossy(&answer.payloads[0].bytes).into_owned();
        assert!(!xml.contains(UNAVAILABLE), "{family}: {xml}");
        assert!(
            !xml.contains("ResponseAvailableDateTime"),
            "{family}: {xml}"
        );
        assert_eq!(answer.header.action, "ExceptionResponse", "{family}");
        let e = exception(&answer);
        assert_eq!(e.code, ErrorCode::ObjectNotFound, "{family}: {e:?}");
        assert_eq!(
            e.detail.as_deref(),
            Some(preview_support::NOT_FOUND),
            "{family}"
        );
    }
    adapter.stop();
}
