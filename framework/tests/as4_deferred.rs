//! Deferred answers over native AS4 (issue 19 item 3): `oots-adapter serve` as its own AS4
//! access point, the quickstart mapping deferring Jean Dupont's record. The deferral goes
//! back signed and encrypted on `ExecuteQueryResponse`, in 2.0 and 1.2, with one part
//! (no attachment) and the request's ExchangeId.

mod as4_support;
mod deferral_support;

use std::time::Duration;

use as4_support::{free_port, pki, spawn, write_config};
use chrono::{TimeDelta, Utc};
use oots_framework::edm::{self, EdmVersion, QueryResponse, XmlLimits};
use oots_framework::gateway::{Gateway, Notification};
use oots_framework::requester::RequestSpec;
use oots_framework::store::Exchanges;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferral_travels_over_as4_in_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let ahead = Utc::now() + TimeDelta::days(3);
    let (mappings, seed) = deferral_support::deferring_quickstart(
        &dir.path().join("deployment"),
        &ahead.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    let (port, requester_port) = (free_port(), free_port());
    let config = write_config(
        dir.path(),
        "AP_PROVIDER",
        port,
        "AP_REQUESTER",
        requester_port,
    );
    let q = deferral_support::workspace().join("examples/quickstart");
    let yaml = std::fs::read_to_string(&config)
        .unwrap()
        .replace(
            &q.join("mappings").display().to_string(),
            &mappings.display().to_string(),
        )
        .replace(
            &q.join("registry/seed.sql").display().to_string(),
            &seed.display().to_string(),
        );
    std::fs::write(&config, yaml).unwrap();
    let served = spawn(&config, port);
    let (gateway, store, mut answers) =
        as4_support::plain_requester(dir.path(), port, requester_port).await;

    for (n, version) in [EdmVersion::V2_0, EdmVersion::V1_2].into_iter().enumerate() {
        let id = format!("deferred-{n}@requester.example");
        let spec = RequestSpec {
            version,
            ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf")
        };
        let msg = as4_support::request_message(
            &id,
            "AP_REQUESTER",
            "AP_PROVIDER",
            &spec,
            Utc::now(),
            |_| {},
        );
        assert_eq!(gateway.submit(&msg).await.unwrap(), id);
        let answer_id = match tokio::time::timeout(Duration::from_secs(20), answers.recv()).await {
            Ok(Some(Notification::Received(a))) => a,
            other => panic!("no answer: {other:?}"),
        };
        let (header_xml, regrep) = store.unanswered(&answer_id).await.unwrap().unwrap();
        let header = oots_framework::gateway::ebms::UserMessage::from_xml(&header_xml).unwrap();
        assert_eq!(header.action, "ExecuteQueryResponse", "{version:?}");
        assert_eq!(header.ref_to_message_id.as_deref(), Some(id.as_str()));
        assert_eq!(header.parts.len(), 1, "no attachment: {:?}", header.parts);
        if version.is_v2() {
            assert_eq!(header.exchange_id(), msg.header.exchange_id());
        }
        match edm::parse_response(&regrep, &XmlLimits::default()).unwrap() {
            QueryResponse::Deferred(d) => {
                assert_eq!(d.version, version);
                assert!(
                    d.available_date_time
                        .starts_with(&ahead.format("%Y-%m-%dT%H:%M:%S").to_string()),
                    "{d:?}"
                );
            }
            other => panic!("not a deferral: {other:?}"),
        }
        let xml = String::from_utf8_lossy(&regrep);
        assert!(!xml.contains("Dupont"), "{xml}");
    }
    let log = served.stop();
    assert!(!log.contains("Dupont"), "{log}");
}
