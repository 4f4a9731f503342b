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
use oots_framework::clock::{IdSource, RandomIds};
use oots_framework::edm::{self, ErrorCode, QueryResponse, XmlLimits};
use oots_framework::gateway::as4::agreement::AgreementSettings;
use oots_framework::gateway::as4::msh::As4Gateway;
use oots_framework::gateway::as4::pmode::{As4Settings, PMode, PeerSettings, RetrySettings};
use oots_framework::gateway::ebms::UserMessage;
use oots_framework::gateway::{Gateway, Notification, OutboundMessage, Payload};
use oots_framework::requester::{self, RequestSpec};
use oots_framework::secret::SecretRef;
use oots_framework::store::{SqliteStore, Store};
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
    let settings = As4Settings {
        party_id: "AP_REQUESTER".into(),
        party_type: "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots".into(),
        private_key: SecretRef::File(dir.join("AP_REQUESTER.key")),
        certificate: dir.join("AP_REQUESTER.pem"),
        trust_store: dir.join("ca.pem"),
        encrypt: true,
        compress: true,
        peers: vec![PeerSettings {
            party_id: "AP_PROVIDER".into(),
            endpoint: format!("http://127.0.0.1:{provider_port}/as4"),
            certificate: dir.join("AP_PROVIDER.pem"),
            party_type: None,
            retry: None,
        }],
        retry: RetrySettings {
            attempts: 3,
            initial_ms: 100,
            max_ms: 1000,
        },
        timeout_ms: 10_000,
        tls_roots: None,
        // It receives answers.
        agreement: AgreementSettings::requester(),
        trust_crls: Vec::new(),
        tls_client_certificate: None,
        tls_client_key: None,
    };
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
    let ids = RandomIds;
    let request = requester::build_request(
        &RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml"),
        &ids,
        sent,
    );
    let cid = "regrep@requester.example";
    let mut header = requester::request_header(
        &request,
        message_id.into(),
        "conversation-1".into(),
        ids.uuid().to_string(),
        cid,
        sent,
    );
    header.from.party_id = "AP_REQUESTER".into();
    header.to.party_id = "AP_PROVIDER".into();
    OutboundMessage {
        header,
        payloads: vec![Payload {
            content_id: cid.into(),
            mime_type: "application/x-ebrs+xml".into(),
            bytes: edm::write_request(&request).into_bytes(),
        }],
    }
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
        QueryResponse::Evidence(_) => panic!("a late request got evidence"),
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
        QueryResponse::Error(e) => panic!("an error answer: {e:?}"),
    }
    served.stop();
}
