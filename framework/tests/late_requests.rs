//! Late requests: a gateway may hold a message for days. TDD 4.4 (table 4.4.3, via
//! shared/docs/oots-edm.md §2.7 item 4): a provider past its timeout answers
//! `EDM:ERR:0005` instead of evidence, counted from the ebMS `Timestamp` of the received
//! message. The first request's deadline is T1 (5 minutes); a preview follow-up's is
//! T1 + T2 + T3 (the whole preview round). A `Timestamp` that cannot be read, or lies
//! in the future beyond the tolerated clock skew (which would stretch the deadline), is
//! refused as an invalid ebMS header (`EDM:ERR:0003`).
//!
//! The exchange runs with a fixed clock, so a request is late without anyone sleeping;
//! then the same through `oots-adapter serve` behind the Domibus WS plugin (real HTTP).

mod common;
mod preview_support;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use oots_framework::clock::SequentialIds;
use oots_framework::config::AdapterConfig;
use oots_framework::edm::{self, EdmException, ErrorCode, QueryResponse};
use oots_framework::exchange::Answer;
use oots_framework::gateway::ebms::UserMessage;
use oots_framework::mapping::{self, MappingSet};
use oots_framework::requester::{self, RequestSpec};
use oots_framework::verify;
use preview_support::{Adapter, Deployment, exception, workspace};

/// The quickstart deployment copied to `dir`, with `exchange_yaml` (lines under
/// `exchange:`, indented by two) added to its `adapter.yaml`.
async fn quickstart(dir: &Path, exchange_yaml: &str) -> (AdapterConfig, MappingSet) {
    common::copy_dir(&workspace().join("examples/quickstart"), dir);
    let config_path = dir.join("adapter.yaml");
    if !exchange_yaml.is_empty() {
        let mut yaml = std::fs::read_to_string(&config_path).unwrap();
        yaml.push_str(&format!("\nexchange:\n{exchange_yaml}"));
        std::fs::write(&config_path, yaml).unwrap();
    }
    let outcome = verify::check(&config_path, false).await;
    assert!(outcome.ok(), "{}", outcome.diagnostics);
    (
        AdapterConfig::load(&config_path).unwrap(),
        outcome.set.unwrap(),
    )
}

/// Answers a request for Jean Dupont (who the registry holds), whose ebMS header says it
/// was sent `age` before the exchange's clock (`timestamp` overrides the header's text).
async fn answer_sent(
    config: &AdapterConfig,
    set: &MappingSet,
    age: chrono::Duration,
    timestamp: Option<&str>,
    preview_location: Option<&str>,
) -> Answer {
    let m = set.mappings().first().unwrap().clone();
    let t: mapping::TestCase = serde_json::from_value(serde_json::json!({
        "name": "late",
        "request": { "family_name": "Dupont", "given_name": "Jean", "date_of_birth": "1992-10-22" },
        "records": [{
            "register_number": "G 4711/1992", "family_name": "Dupont", "given_name": "Jean",
            "birth_name": null, "sex": "M", "date_of_birth": "1992-10-22", "place_of_birth": "Berlin",
            "father_name": "Pierre Dupont", "mother_name": "Claire Dupont",
            "registration_date": "1992-10-26", "registry_office": "Standesamt Berlin I",
        }],
        "expect": {},
    }))
    .unwrap();
    let (exchange, now) = verify::fixture_exchange(config, set, &m, &t).await.unwrap();
    let sent: DateTime<Utc> = now - age;
    let ids = SequentialIds::default();
    let spec = RequestSpec {
        preview: preview_location.is_some(),
        ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml")
    };
    let mut request = requester::build_request(&spec, &ids, sent);
    request.preview_location = preview_location.map(str::to_owned);
    if preview_location.is_some() {
        request.return_location = Some("https://requester.example/back".into());
    }
    let mut header: UserMessage = requester::request_header(
        &request,
        "m-1@requester.example".into(),
        "conv-1".into(),
        "9f7b1c2e-0000-4000-8000-000000000001".into(),
        "req-1@requester.example",
        sent,
    );
    if let Some(ts) = timestamp {
        header.timestamp = ts.to_owned();
    }
    exchange
        .answer(edm::write_request(&request).as_bytes(), Some(&header))
        .await
        .unwrap()
}

fn the_exception(answer: &Answer) -> EdmException {
    match edm::parse_response(answer.document.as_bytes(), &Default::default()).unwrap() {
        QueryResponse::Error(e) => e.exceptions.into_iter().next().unwrap(),
        other => panic!("expected an error answer, got {other:?}"),
    }
}

/// The instant the mapping-test exchange's clock is stopped at.
async fn fixture_now(config: &AdapterConfig, set: &MappingSet) -> DateTime<Utc> {
    let m = set.mappings().first().unwrap().clone();
    let t: mapping::TestCase =
        serde_json::from_value(serde_json::json!({ "name": "n", "request": {}, "expect": {} }))
            .unwrap();
    verify::fixture_exchange(config, set, &m, &t)
        .await
        .unwrap()
        .1
}

fn secs(s: i64) -> chrono::Duration {
    chrono::Duration::seconds(s)
}

#[tokio::test]
async fn a_request_older_than_the_deadline_gets_0005_and_no_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), "").await;

    // Held by a gateway for two days.
    let answer = answer_sent(&config, &set, chrono::Duration::days(2), None, None).await;
    assert_eq!(answer.code(), Some("EDM:ERR:0005"), "{}", answer.document);
    assert!(answer.attachments.is_empty());
    let e = the_exception(&answer);
    assert_eq!(e.code, ErrorCode::Timeout);
    let detail = e.detail.unwrap_or_default();
    assert!(detail.contains("TDD 4.4"), "{detail}");
    assert!(detail.contains("ebMS Timestamp"), "{detail}");
    assert!(!detail.contains("Dupont"), "{detail}");

    // One second past T1 (300 s) is late too.
    let answer = answer_sent(&config, &set, secs(301), None, None).await;
    assert_eq!(answer.code(), Some("EDM:ERR:0005"), "{}", answer.document);
}

#[tokio::test]
async fn a_request_just_inside_the_deadline_gets_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), "").await;
    for age in [secs(0), secs(299), secs(300)] {
        let answer = answer_sent(&config, &set, age, None, None).await;
        assert_eq!(answer.code(), None, "{age}: {}", answer.document);
        assert_eq!(answer.attachments.len(), 1);
    }
    // A small clock skew (the sender's clock slightly ahead) is tolerated.
    let answer = answer_sent(&config, &set, secs(-30), None, None).await;
    assert_eq!(answer.code(), None, "{}", answer.document);
}

#[tokio::test]
async fn the_deadline_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), "  request_deadline_seconds: 60\n").await;
    let answer = answer_sent(&config, &set, secs(61), None, None).await;
    assert_eq!(answer.code(), Some("EDM:ERR:0005"), "{}", answer.document);
    let answer = answer_sent(&config, &set, secs(59), None, None).await;
    assert_eq!(answer.code(), None, "{}", answer.document);

    // A deadline of nothing would refuse every request: refused when loaded.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let path = dir.path().join("adapter.yaml");
    let mut yaml = std::fs::read_to_string(&path).unwrap();
    yaml.push_str(
        "
exchange:
  request_deadline_seconds: 0
",
    );
    std::fs::write(&path, yaml).unwrap();
    let refused = AdapterConfig::load(&path).unwrap_err().to_string();
    assert!(
        refused.contains("request_deadline_seconds must be at least 1"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_timestamp_in_the_future_or_unreadable_is_an_invalid_header() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), "").await;

    // Dated a year ahead: it would never be late. Refused, naming the rule.
    let answer = answer_sent(&config, &set, chrono::Duration::days(-365), None, None).await;
    assert_eq!(answer.code(), Some("EDM:ERR:0003"), "{}", answer.document);
    let detail = the_exception(&answer).detail.unwrap_or_default();
    assert!(detail.contains("eb:Timestamp"), "{detail}");
    assert!(detail.contains("future"), "{detail}");

    for bad in [
        "yesterday",
        "",
        "2026-13-45T99:00:00Z",
        "0000-00-00T00:00:00",
    ] {
        let answer = answer_sent(&config, &set, secs(0), Some(bad), None).await;
        assert_eq!(
            answer.code(),
            Some("EDM:ERR:0003"),
            "{bad:?}: {}",
            answer.document
        );
        let detail = the_exception(&answer).detail.unwrap_or_default();
        assert!(detail.contains("eb:Timestamp"), "{detail}");
    }

    // Other offsets than Z, and no offset at all (ebMS: UTC), are read as such.
    let now = fixture_now(&config, &set).await;
    let two_hours_ago_in_paris = (now - chrono::Duration::hours(2))
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let answer = answer_sent(&config, &set, secs(0), Some(&two_hours_ago_in_paris), None).await;
    assert_eq!(answer.code(), Some("EDM:ERR:0005"), "{}", answer.document);
    let naive_now = now.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
    let answer = answer_sent(&config, &set, secs(0), Some(&naive_now), None).await;
    assert_eq!(answer.code(), None, "{}", answer.document);
}

#[tokio::test]
async fn a_preview_follow_up_has_the_whole_preview_round_as_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), "").await;
    let unknown = "https://preview.standesamt-berlin.example/oots/preview/not-issued";

    // Ten minutes old: past T1, within T1 + T2 + T3 (5 + 15 + 40 minutes). Not late: it
    // is answered on its merits (here: a PreviewLocation we never issued).
    let answer = answer_sent(&config, &set, secs(600), None, Some(unknown)).await;
    assert_eq!(answer.code(), Some("EDM:ERR:0003"), "{}", answer.document);
    let detail = the_exception(&answer).detail.unwrap_or_default();
    assert!(detail.contains("TDD 4.9"), "{detail}");

    // Past T1 + T2 + T3: late.
    let answer = answer_sent(&config, &set, secs(3601), None, Some(unknown)).await;
    assert_eq!(answer.code(), Some("EDM:ERR:0005"), "{}", answer.document);
}

/// `oots-adapter serve` behind the Domibus WS plugin: the header's `Timestamp` travels
/// through the simulator's `retrieveMessage` (real HTTP) into the exchange.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_over_domibus_answers_a_late_request_0005_and_a_fresh_one_with_evidence() {
    let mut adapter = Adapter::start_deployment(
        &Deployment::quickstart(),
        2400,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await;
    let spec = RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf");

    adapter.send_request_sent_at(&spec, Utc::now() - chrono::Duration::days(3));
    let late = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("answered");
    assert_eq!(late.header.action, "ExceptionResponse");
    let e = exception(&late);
    assert_eq!(e.code, ErrorCode::Timeout, "{e:?}");
    assert_eq!(late.payloads.len(), 1, "no evidence attached");

    adapter.send_request_sent_at(&spec, Utc::now() - chrono::Duration::seconds(60));
    let fresh = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("answered");
    assert_eq!(fresh.header.action, "ExecuteQueryResponse");
    assert_eq!(fresh.payloads.len(), 2);
    adapter.stop();
}

/// A clock that reads `start` once, then `later` ever after: the exchange starts in time,
/// and the registry read takes until `later`.
#[derive(Debug)]
struct SlowRegistryClock {
    start: DateTime<Utc>,
    later: DateTime<Utc>,
    read: std::sync::atomic::AtomicBool,
}

impl oots_framework::clock::Clock for SlowRegistryClock {
    fn now(&self) -> DateTime<Utc> {
        if self.read.swap(true, std::sync::atomic::Ordering::SeqCst) {
            self.later
        } else {
            self.start
        }
    }
}

#[tokio::test]
async fn evidence_ready_only_after_the_deadline_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), "").await;
    let m = set.mappings().first().unwrap().clone();
    let t: mapping::TestCase = serde_json::from_value(serde_json::json!({
        "name": "slow",
        "request": {},
        "records": [{
            "register_number": "G 4711/1992", "family_name": "Dupont", "given_name": "Jean",
            "birth_name": null, "sex": "M", "date_of_birth": "1992-10-22", "place_of_birth": "Berlin",
            "father_name": "Pierre Dupont", "mother_name": "Claire Dupont",
            "registration_date": "1992-10-26", "registry_office": "Standesamt Berlin I",
        }],
        "expect": {},
    }))
    .unwrap();
    let (exchange, now) = verify::fixture_exchange(&config, &set, &m, &t)
        .await
        .unwrap();
    // Sent 4 minutes before the exchange starts; the evidence is ready 2 minutes later.
    let exchange = exchange.with_clock(
        std::sync::Arc::new(SlowRegistryClock {
            start: now,
            later: now + secs(120),
            read: Default::default(),
        }),
        std::sync::Arc::new(SequentialIds::default()),
    );
    let sent = now - secs(240);
    let spec = RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml");
    let request = requester::build_request(&spec, &SequentialIds::default(), sent);
    let header = requester::request_header(
        &request,
        "m-1@requester.example".into(),
        "conv-1".into(),
        "9f7b1c2e-0000-4000-8000-000000000001".into(),
        "req-1@requester.example",
        sent,
    );
    let answer = exchange
        .answer(edm::write_request(&request).as_bytes(), Some(&header))
        .await
        .unwrap();
    assert_eq!(answer.code(), Some("EDM:ERR:0005"), "{}", answer.document);
    assert!(answer.attachments.is_empty());
    let detail = the_exception(&answer).detail.unwrap_or_default();
    assert!(detail.contains("TDD 4.4"), "{detail}");
}
