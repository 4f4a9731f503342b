//! A 2.0 preview follow-up over native AS4 (issue 19 item 9): `oots-adapter serve` as its
//! own AS4 access point. A follow-up in another exchange (another `ExchangeId`) is refused
//! `EDM:ERR:0003` naming TDD 4.9 §2 step 12 at once; the requester's own follow-up, with
//! the first request's `ExchangeId`, is held while the user decides (the session kept).

mod as4_support;

use std::time::Duration;

use as4_support::{free_port, pki, serve};
use chrono::Utc;
use oots_framework::edm::{self, ErrorCode, QueryResponse, XmlLimits};
use oots_framework::gateway::ebms::UserMessage;
use oots_framework::gateway::{Gateway, Notification, OutboundMessage};
use oots_framework::requester::RequestSpec;
use oots_framework::store::Exchanges;

fn jean() -> RequestSpec {
    RequestSpec {
        preview: true,
        ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf")
    }
}

/// A follow-up for `location` in the exchange `exchange_id`.
fn follow_up(id: &str, location: &str, exchange_id: &str) -> OutboundMessage {
    let mut msg = as4_support::request_message(
        id,
        "AP_REQUESTER",
        "AP_PROVIDER",
        &jean(),
        Utc::now(),
        |r| {
            r.preview_location = Some(location.to_owned());
            r.return_location = Some("https://requester.example/back".to_owned());
        },
    );
    for p in &mut msg.header.properties {
        if p.name == "ExchangeId" {
            p.value = exchange_id.to_owned();
        }
    }
    msg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_in_another_exchange_is_refused_over_as4() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let (port, requester_port) = (free_port(), free_port());
    let served = serve(
        dir.path(),
        "AP_PROVIDER",
        port,
        "AP_REQUESTER",
        requester_port,
    );
    let (gateway, store, mut answers) =
        as4_support::plain_requester(dir.path(), port, requester_port).await;
    let mut next = async || -> (UserMessage, QueryResponse) {
        let answer_id = match tokio::time::timeout(Duration::from_secs(20), answers.recv()).await {
            Ok(Some(Notification::Received(a))) => a,
            other => panic!("no answer: {other:?}"),
        };
        let (header_xml, regrep) = store.unanswered(&answer_id).await.unwrap().unwrap();
        let header = UserMessage::from_xml(&header_xml).unwrap();
        let response = edm::parse_response(&regrep, &XmlLimits::default()).unwrap();
        (header, response)
    };

    let first = as4_support::request_message(
        "first@requester.example",
        "AP_REQUESTER",
        "AP_PROVIDER",
        &jean(),
        Utc::now(),
        |_| {},
    );
    let exchange_id = first.header.exchange_id().unwrap().to_owned();
    gateway.submit(&first).await.unwrap();
    let (_, response) = next().await;
    let QueryResponse::Error(e) = response else {
        panic!("{response:?}")
    };
    let location = e.exceptions[0].preview_location.clone().expect("a link");

    let other = "9b0c1f4e-0000-4000-8000-00000000dead";
    gateway
        .submit(&follow_up("other@requester.example", &location, other))
        .await
        .unwrap();
    let (header, response) = next().await;
    assert_eq!(header.action, "ExceptionResponse");
    assert_eq!(header.exchange_id(), Some(other));
    let QueryResponse::Error(e) = response else {
        panic!("{response:?}")
    };
    assert_eq!(e.exceptions[0].code, ErrorCode::InvalidRequest);
    assert_eq!(
        e.exceptions[0].detail.as_deref(),
        Some(
            "TDD 4.9 §2 step 12: PreviewLocation not issued for this exchange, or already answered"
        )
    );

    // The session is kept: the requester's own follow-up is held, not refused.
    gateway
        .submit(&follow_up("own@requester.example", &location, &exchange_id))
        .await
        .unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(2000), answers.recv())
            .await
            .is_err(),
        "the legitimate follow-up is held while the user decides"
    );
    let log = served.stop();
    assert!(!log.contains("Dupont"), "{log}");
}
