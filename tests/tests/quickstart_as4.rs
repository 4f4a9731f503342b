//! The quickstart deployment answering the official sample requests over native AS4: the
//! requests travel with their official ebMS headers from a requester's access point to the
//! adapter as its own access point (`gateway::as4::loopback`), signed, encrypted and
//! compressed; the adapter verifies, stores and acknowledges each with a signed receipt,
//! answers from the SQLite birth register and sends the answer back the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oots_devkit::loopback::{self, Requester};
use oots_framework::config::AdapterConfig;
use oots_framework::edm::{self, QueryResponse, XmlLimits};
use oots_framework::exchange::Exchange;
use oots_framework::gateway::Payload;
use oots_framework::gateway::ebms::UserMessage;
use oots_framework::mapping;
use oots_framework::service::{Report, Service};
use oots_framework::store::{SqliteStore, Store};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const V1_DIR: &str = "oots-spec/tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange/2 Example for requesting a Birth Certificate - natural person";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_requests_are_answered_over_native_as4() {
    let shared = oots_e2e::shared_dir();
    if !shared.join("oots-spec").is_dir() {
        oots_testskip::skip(
            "OOTS_SHARED",
            "reference samples not found (set OOTS_SHARED=/path/to/shared)",
        );
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let mut config =
        AdapterConfig::load(&workspace().join("examples/quickstart/adapter.yaml")).unwrap();
    config.state_dir = state.path().to_path_buf();
    let config = Arc::new(config);
    let mappings = Arc::new(
        mapping::load(&config, oots_framework::connector::OpenMode::Live)
            .await
            .unwrap(),
    );
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&state.path().join("adapter.db"))
            .await
            .unwrap(),
    );
    let adapter = Exchange::new(config, mappings, store.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (gateway, requester) = loopback::start(store, addr, &state.path().join("keys"))
        .await
        .unwrap();
    let (tx, mut reports) = mpsc::unbounded_channel::<Report>();
    let inbound = gateway.clone();
    let service = Service::new(adapter, gateway, Some(tx));
    let shutdown = CancellationToken::new();
    let server =
        tokio::spawn(service.run_with(listener, move |tx| inbound.router(tx), shutdown.clone()));

    // 2.0: France's request with its header.
    let dir = shared.join("oots-spec/oots-france/spec/fixtures/reference/messages");
    let header =
        UserMessage::from_xml(&std::fs::read_to_string(dir.join("requete.entete.xml")).unwrap())
            .unwrap();
    let body = std::fs::read(dir.join("requete.xml")).unwrap();
    let (h, payloads) = exchange(&requester, &mut reports, header.clone(), body).await;
    assert_eq!(h.action, "ExecuteQueryResponse");
    assert_eq!(h.conversation_id, header.conversation_id);
    assert_eq!(
        h.ref_to_message_id.as_deref(),
        Some(header.message_id.as_str())
    );
    assert_eq!(h.from.party_id, loopback::PROVIDER);
    assert_eq!(h.to.party_id, loopback::REQUESTER);
    assert_eq!(h.original_sender().unwrap().value, "DE73524311");
    assert_eq!(h.exchange_id(), header.exchange_id());
    assert_eq!(payloads.len(), 2);
    let QueryResponse::Evidence(resp) =
        edm::parse_response(&payloads[0].bytes, &XmlLimits::default()).unwrap()
    else {
        panic!("expected evidence")
    };
    assert_eq!(resp.items[0].content_id, payloads[1].content_id);
    assert_eq!(payloads[1].mime_type, "application/pdf");
    assert!(payloads[1].bytes.starts_with(b"%PDF-"));

    // 1.0: the Commission's request with its official header, which announces gzip: here
    // the part really travels compressed, and the adapter inflates it.
    let v1 = shared.join(V1_DIR);
    let header = UserMessage::from_xml(
        &std::fs::read_to_string(v1.join("2.1 Step 1  Evidence Request Header - Birth.xml"))
            .unwrap(),
    )
    .unwrap();
    assert!(
        header.parts[0]
            .properties
            .iter()
            .any(|p| p.name == "CompressionType")
    );
    let body =
        std::fs::read(v1.join("2.1 Step 1  Evidence Request - Birth - full example.xml")).unwrap();
    let (h, payloads) = exchange(&requester, &mut reports, header, body).await;
    assert_eq!(h.action, "ExecuteQueryResponse");
    assert_eq!(h.properties.len(), 2);
    let xml = String::from_utf8(payloads[1].bytes.clone()).unwrap();
    assert!(xml.contains("<FamilyName>Smith</FamilyName>"), "{xml}");

    shutdown.cancel();
    server.await.unwrap().unwrap();
}

/// Sends `body` with `header` from the requester's access point (the adapter's signed
/// receipt verified) and returns the answer that came back over AS4.
async fn exchange(
    requester: &Requester,
    reports: &mut mpsc::UnboundedReceiver<Report>,
    header: UserMessage,
    body: Vec<u8>,
) -> (UserMessage, Vec<Payload>) {
    let header = sent_now(header);
    let cid = header.parts[0].content_id().to_owned();
    let id = header.message_id.clone();
    requester
        .deliver(
            header,
            vec![Payload {
                content_id: cid,
                mime_type: "application/x-ebrs+xml".into(),
                bytes: body,
            }],
        )
        .await
        .unwrap();
    let report = tokio::time::timeout(Duration::from_secs(20), reports.recv())
        .await
        .expect("no report")
        .expect("service ended");
    assert_eq!(report.message_id, id);
    assert!(report.error.is_none(), "{:?}", report.error);
    let out = requester
        .next_answer(Duration::from_secs(20))
        .await
        .expect("no answer came back");
    (out.header, out.payloads)
}

/// A sample header as its access point would send it now: the ebMS `Timestamp` is set at
/// sending, and the samples' own dates are past the provider deadline (TDD 4.4).
fn sent_now(mut header: UserMessage) -> UserMessage {
    header.timestamp = oots_framework::clock::edm_timestamp(chrono::Utc::now());
    header
}
