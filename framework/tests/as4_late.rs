//! Late requests over the native AS4 gateway: `oots-adapter serve` as its own access
//! point reads the `eb:Timestamp` of the signed, encrypted request it receives. A request
//! the sending access point stamped three days ago gets `EDM:ERR:0005` and no evidence
//! (TDD 4.4: counted from the ebMS `Timestamp`); one stamped a minute ago, the evidence.

mod as4_support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use as4_support::{free_port, pki, serve};
use chrono::{DateTime, Utc};
use oots_framework::edm::{self, ErrorCode, QueryResponse, XmlLimits};
use oots_framework::gateway::as4::agreement::AgreementSettings;
use oots_framework::gateway::as4::msh::As4Gateway;
use oots_framework::gateway::as4::pmode::{PMode, RetrySettings};
use oots_framework::gateway::ebms::UserMessage;
use oots_framework::gateway::{Gateway, Notification, OutboundMessage};
use oots_framework::requester::RequestSpec;
use oots_framework::store::{Exchanges, SqliteStore};
use tokio::sync::mpsc;

/// The requester's access point: our AS4 stack, its own store and endpoint.
async fn requester(
    dir: &Path,
    provider_port: u16,
    port: u16,
) -> (
    Arc<As4Gateway>,
    Arc<SqliteStore>,
    mpsc::Receiver<Notification>,
) {
    let mut settings = as4_support::as4_settings_for(
        dir,
        "AP_REQUESTER",
        "AP_PROVIDER",
        format!("http://127.0.0.1:{provider_port}/as4"),
    );
    settings.retry = RetrySettings {
        attempts: 3,
        initial_ms: 100,
        max_ms: 1000,
    };
    // It receives answers.
    settings.agreement = AgreementSettings::requester();
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let gateway = Arc::new(
        As4Gateway::new(Arc::new(PMode::load(&settings).unwrap()), store.clone()).unwrap(),
    );
    let (tx, rx) = mpsc::channel(16);
    let app = gateway.router(tx);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (gateway, store, rx)
}

/// A request for Jean Dupont's birth certificate, stamped as sent at `sent`.
fn request(message_id: &str, sent: DateTime<Utc>) -> OutboundMessage {
    as4_support::request_message(
        message_id,
        "AP_REQUESTER",
        "AP_PROVIDER",
        &RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml"),
        sent,
        |_| {},
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_over_as4_answers_a_late_request_0005_and_a_fresh_one_with_evidence() {
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
    let (gateway, store, mut answers) = requester(dir.path(), port, requester_port).await;

    let mut next_answer = async || {
        let id = match tokio::time::timeout(Duration::from_secs(20), answers.recv()).await {
            Ok(Some(Notification::Received(a))) => a,
            other => panic!("no answer: {other:?}"),
        };
        let (header_xml, regrep) = store.unanswered(&id).await.unwrap().unwrap();
        (UserMessage::from_xml(&header_xml).unwrap(), regrep)
    };

    let late = request(
        "late@requester.example",
        Utc::now() - chrono::Duration::days(3),
    );
    assert_eq!(
        gateway.submit(&late).await.unwrap(),
        "late@requester.example"
    );
    let (header, regrep) = next_answer().await;
    assert_eq!(header.action, "ExceptionResponse");
    assert_eq!(header.parts.len(), 1, "no evidence attached");
    match edm::parse_response(&regrep, &XmlLimits::default()).unwrap() {
        QueryResponse::Error(e) => {
            assert_eq!(e.exceptions[0].code, ErrorCode::Timeout, "{e:?}");
        }
        other => panic!("a late request got {other:?}"),
    }

    let fresh = request(
        "fresh@requester.example",
        Utc::now() - chrono::Duration::minutes(1),
    );
    assert_eq!(
        gateway.submit(&fresh).await.unwrap(),
        "fresh@requester.example"
    );
    let (header, regrep) = next_answer().await;
    assert_eq!(header.action, "ExecuteQueryResponse");
    match edm::parse_response(&regrep, &XmlLimits::default()).unwrap() {
        QueryResponse::Evidence(_) => {}
        other => panic!("not an evidence answer: {other:?}"),
    }
    served.stop();
}
