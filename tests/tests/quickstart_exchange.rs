//! The quickstart deployment answering the two official sample requests end to end:
//! each arrives with its official ebMS header at a Domibus WS-plugin simulator, is pushed to
//! the running sidecar, fetched, stored, acknowledged, answered from the SQLite birth
//! register and submitted back with the header turned around.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oots_devkit::simulator::{DomibusSimulator, SimulatorConfig};
use oots_framework::config::AdapterConfig;
use oots_framework::edm::{self, QueryResponse, XmlLimits};
use oots_framework::exchange::Exchange;
use oots_framework::gateway::Payload;
use oots_framework::gateway::domibus::{DomibusConfig, DomibusWsPlugin, PushAuth};
use oots_framework::gateway::ebms::UserMessage;
use oots_framework::mapping;
use oots_framework::service::{Report, Service};
use oots_framework::store::SqliteStore;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shared() -> Option<PathBuf> {
    let p = oots_e2e::shared_dir();
    if p.join("oots-spec").is_dir() {
        Some(p)
    } else {
        oots_testskip::skip(
            "OOTS_SHARED",
            "reference samples not found (set OOTS_SHARED=/path/to/shared)",
        );
        None
    }
}

const V1_DIR: &str = "oots-spec/tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange/2 Example for requesting a Birth Certificate - natural person";

struct Sidecar {
    sim: DomibusSimulator,
    reports: mpsc::UnboundedReceiver<Report>,
    shutdown: CancellationToken,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _state: tempfile::TempDir,
}

async fn start() -> Sidecar {
    start_in(tempfile::tempdir().unwrap()).await
}

async fn start_in(state: tempfile::TempDir) -> Sidecar {
    let mut config =
        AdapterConfig::load(&workspace().join("examples/quickstart/adapter.yaml")).unwrap();
    config.state_dir = state.path().to_path_buf();
    let config = Arc::new(config);
    let mappings = Arc::new(
        mapping::load(&config, oots_framework::connector::OpenMode::Live)
            .await
            .unwrap(),
    );
    let store = SqliteStore::open(&state.path().join("adapter.db"))
        .await
        .unwrap();
    let exchange = Exchange::new(config, mappings, Arc::new(store));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (sim, url) = DomibusSimulator::start(SimulatorConfig {
        username: "backend".into(),
        password: "plugin-pw".into(),
        push_endpoint: Some(format!("http://{addr}/domibus/notifications")),
        push_username: "push".into(),
        push_password: "push-pw".into(),
    })
    .await
    .unwrap();
    let gateway = DomibusWsPlugin::new(DomibusConfig::new(url, "backend", "plugin-pw")).unwrap();
    let (tx, reports) = mpsc::unbounded_channel();
    let service = Service::new(exchange, Arc::new(gateway), Some(tx));
    let shutdown = CancellationToken::new();
    let server =
        tokio::spawn(service.run(listener, PushAuth::new("push", "push-pw"), shutdown.clone()));
    Sidecar {
        sim,
        reports,
        shutdown,
        server,
        _state: state,
    }
}

/// Delivers `body` with `header` and returns what the adapter submitted back.
async fn exchange(
    sc: &mut Sidecar,
    header: UserMessage,
    body: Vec<u8>,
) -> (UserMessage, Vec<Payload>) {
    let header = sent_now(header);
    let cid = header.parts[0].content_id().to_owned();
    let id = header.message_id.clone();
    sc.sim.deliver(
        header,
        vec![Payload {
            content_id: cid,
            mime_type: "application/x-ebrs+xml".into(),
            bytes: body,
        }],
    );
    let report = tokio::time::timeout(Duration::from_secs(20), sc.reports.recv())
        .await
        .expect("no report")
        .expect("service ended");
    assert_eq!(report.message_id, id);
    assert!(report.error.is_none(), "{:?}", report.error);
    assert!(sc.sim.is_downloaded(&id), "message not acknowledged");
    let out = sc
        .sim
        .next_submitted(Duration::from_secs(20))
        .await
        .expect("nothing submitted");
    (out.header, out.payloads)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_requests_are_answered_through_domibus() {
    let Some(shared) = shared() else { return };
    let mut sc = start().await;

    // 2.0: France's request (validated against the 2.0.1 Schematron) with its header.
    let dir = shared.join("oots-spec/oots-france/spec/fixtures/reference/messages");
    let header =
        UserMessage::from_xml(&std::fs::read_to_string(dir.join("requete.entete.xml")).unwrap())
            .unwrap();
    let body = std::fs::read(dir.join("requete.xml")).unwrap();
    let (h, payloads) = exchange(&mut sc, header.clone(), body).await;
    assert_eq!(h.action, "ExecuteQueryResponse");
    assert_eq!(h.conversation_id, header.conversation_id);
    assert_eq!(
        h.ref_to_message_id.as_deref(),
        Some(header.message_id.as_str())
    );
    assert_eq!(h.to.party_id, header.from.party_id);
    assert_eq!(h.from.party_id, header.to.party_id);
    assert_eq!(h.original_sender().unwrap().value, "DE73524311");
    assert_eq!(h.final_recipient().unwrap().value, "00000000000002");
    assert_eq!(h.exchange_id(), header.exchange_id());
    assert_eq!(h.specification_id(), Some("oots-edm:v2.0"));
    assert_eq!(h.properties.len(), 4);
    assert_eq!(payloads.len(), 2);
    assert_eq!(h.parts.len(), 2, "every payload is listed in PayloadInfo");
    let QueryResponse::Evidence(resp) =
        edm::parse_response(&payloads[0].bytes, &XmlLimits::default()).unwrap()
    else {
        panic!("expected evidence")
    };
    assert_eq!(
        resp.request_id,
        "urn:uuid:1a2b3c4d-0000-4000-8000-000000000000"
    );
    assert_eq!(resp.items.len(), 1);
    assert_eq!(resp.items[0].content_id, payloads[1].content_id);
    assert_eq!(payloads[1].mime_type, "application/pdf");
    assert!(payloads[1].bytes.starts_with(b"%PDF-"));
    // The decision is kept with the answer, explained, without personal data.
    {
        use oots_framework::store::Exchanges;
        let store = SqliteStore::open(&sc._state.path().join("adapter.db"))
            .await
            .unwrap();
        let audit = store
            .audit_of(&header.message_id)
            .await
            .unwrap()
            .expect("audit");
        let v: serde_json::Value = serde_json::from_str(&audit).unwrap();
        assert_eq!(v["matching"]["outcome"], "match", "{audit}");
        assert_eq!(
            v["matching"]["explanation"]["top"][0]["rule"], "exact-mds",
            "{audit}"
        );
        assert_eq!(v["outcome"]["outcome"], "evidence", "{audit}");
        for personal in ["Dupont", "Jean", "1992", "4711"] {
            assert!(!audit.contains(personal), "{personal} in {audit}");
        }
    }

    // 1.0: the Commission's birth-certificate request with its header; XML requested.
    let v1 = shared.join(V1_DIR);
    let mut header = UserMessage::from_xml(
        &std::fs::read_to_string(v1.join("2.1 Step 1  Evidence Request Header - Birth.xml"))
            .unwrap(),
    )
    .unwrap();
    // The official header announces gzip compression; the access point has already
    // decompressed the part by the time the WS plugin hands it over.
    header.parts[0]
        .properties
        .retain(|p| p.name != "CompressionType");
    let body =
        std::fs::read(v1.join("2.1 Step 1  Evidence Request - Birth - full example.xml")).unwrap();
    let (h, payloads) = exchange(&mut sc, header, body).await;
    assert_eq!(h.action, "ExecuteQueryResponse");
    assert_eq!(
        h.properties.len(),
        2,
        "1.x headers carry exactly two properties"
    );
    assert_eq!(h.final_recipient().unwrap().value, "DK22233223");
    let QueryResponse::Evidence(resp) =
        edm::parse_response(&payloads[0].bytes, &XmlLimits::default()).unwrap()
    else {
        panic!("expected evidence")
    };
    assert_eq!(resp.version.spec_id(), "oots-edm:v1.0");
    assert_eq!(payloads[1].mime_type, "application/xml");
    let xml = String::from_utf8(payloads[1].bytes.clone()).unwrap();
    assert!(xml.contains("<FamilyName>Smith</FamilyName>"), "{xml}");

    // The same v1.0 request again (new message id, same request id): refused, TDD 4.4.
    let mut header = UserMessage::from_xml(
        &std::fs::read_to_string(v1.join("2.1 Step 1  Evidence Request Header - Birth.xml"))
            .unwrap(),
    )
    .unwrap();
    header.message_id = "replay-1@example.oots.eu".into();
    let body =
        std::fs::read(v1.join("2.1 Step 1  Evidence Request - Birth - full example.xml")).unwrap();
    let (h, payloads) = exchange(&mut sc, header, body).await;
    assert_eq!(h.action, "ExceptionResponse");
    let QueryResponse::Error(err) =
        edm::parse_response(&payloads[0].bytes, &XmlLimits::default()).unwrap()
    else {
        panic!("expected an error")
    };
    assert_eq!(err.exceptions[0].code.code(), "EDM:ERR:0003");
    assert!(
        err.exceptions[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("TDD 4.4")
    );

    sc.shutdown.cancel();
    sc.server.await.unwrap().unwrap();
    sc.sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_and_body_versions_must_agree() {
    let Some(shared) = shared() else { return };
    let mut sc = start().await;
    let dir = shared.join("oots-spec/oots-france/spec/fixtures/reference/messages");
    let mut header =
        UserMessage::from_xml(&std::fs::read_to_string(dir.join("requete.entete.xml")).unwrap())
            .unwrap();
    for p in &mut header.properties {
        if p.name == "SpecificationId" {
            p.value = "oots-edm:v1.2".into();
        }
    }
    let body = std::fs::read(dir.join("requete.xml")).unwrap();
    let (h, payloads) = exchange(&mut sc, header, body).await;
    assert_eq!(h.action, "ExceptionResponse");
    let text = String::from_utf8(payloads[0].bytes.clone()).unwrap();
    assert!(
        text.contains("EDM:ERR:0003") && text.contains("R-EDM-ebMS-038"),
        "{text}"
    );
    sc.shutdown.cancel();
    sc.server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_push_of_an_answered_message_is_not_answered_twice() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("oots-spec/oots-france/spec/fixtures/reference/messages");
    let header =
        UserMessage::from_xml(&std::fs::read_to_string(dir.join("requete.entete.xml")).unwrap())
            .unwrap();
    let body = std::fs::read(dir.join("requete.xml")).unwrap();
    let mut sc = start().await;
    let (h, _) = exchange(&mut sc, header.clone(), body.clone()).await;
    assert_eq!(h.action, "ExecuteQueryResponse");

    // Domibus pushes the same message again: it is downloaded, so the adapter cannot
    // fetch it, finds it answered in its store and sends nothing more.
    sc.sim.push_again(&header.message_id);
    assert!(
        sc.sim
            .next_submitted(Duration::from_secs(2))
            .await
            .is_none(),
        "the repeated push was answered again"
    );
    if let Ok(r) = sc.reports.try_recv() {
        panic!("the repeated push was not recognised as answered: {r:?}");
    }
    // The adapter is still serving: a new request gets its answer.
    let mut next = header.clone();
    next.message_id = "second-push@oots.test".into();
    let body = String::from_utf8(body).unwrap().replace(
        "1a2b3c4d-0000-4000-8000-000000000000",
        "1a2b3c4d-0000-4000-8000-000000000002",
    );
    let (h, _) = exchange(&mut sc, next, body.into_bytes()).await;
    assert_eq!(
        h.ref_to_message_id.as_deref(),
        Some("second-push@oots.test")
    );
    assert_eq!(h.action, "ExecuteQueryResponse");
    sc.shutdown.cancel();
    sc.server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_stored_but_not_answered_before_a_crash_is_answered_on_restart() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("oots-spec/oots-france/spec/fixtures/reference/messages");
    let header_xml = std::fs::read_to_string(dir.join("requete.entete.xml")).unwrap();
    let header = sent_now(UserMessage::from_xml(&header_xml).unwrap());
    let body = std::fs::read(dir.join("requete.xml")).unwrap();
    // The previous run stored the message and acknowledged it to Domibus, then died.
    let state = tempfile::tempdir().unwrap();
    {
        use oots_framework::store::Exchanges;
        let store = SqliteStore::open(&state.path().join("adapter.db"))
            .await
            .unwrap();
        assert!(
            store
                .store_inbound(
                    &header.message_id,
                    &header.to_xml(),
                    &body,
                    chrono::Utc::now()
                )
                .await
                .unwrap()
        );
    }
    // Domibus no longer has it; the restarted adapter answers it from its own store.
    let mut sc = start_in(state).await;
    let report = tokio::time::timeout(Duration::from_secs(20), sc.reports.recv())
        .await
        .expect("no report")
        .expect("service ended");
    assert_eq!(report.message_id, header.message_id);
    assert!(report.error.is_none(), "{:?}", report.error);
    let out = sc
        .sim
        .next_submitted(Duration::from_secs(20))
        .await
        .expect("nothing submitted");
    assert_eq!(out.header.action, "ExecuteQueryResponse");
    assert_eq!(
        out.header.ref_to_message_id.as_deref(),
        Some(header.message_id.as_str())
    );
    sc.shutdown.cancel();
    sc.server.await.unwrap().unwrap();
}

/// A sample header as its access point would send it now: the ebMS `Timestamp` is set at
/// sending, and the samples' own dates are past the provider deadline (TDD 4.4).
fn sent_now(mut header: UserMessage) -> UserMessage {
    header.timestamp = oots_framework::clock::edm_timestamp(chrono::Utc::now());
    header
}
