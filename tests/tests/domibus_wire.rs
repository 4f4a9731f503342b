//! The Domibus WS-plugin gateway against the wire format of real Domibus 5.2.1 traffic.
//!
//! Part 1 replays real captures from an independent HTTP server (tests/support) and
//! checks what `DomibusWsPlugin` reads and writes. Part 2 checks the push endpoint.
//! Part 3 runs a full round trip through the in-process `DomibusSimulator`.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use oots_devkit::{DomibusSimulator, SimulatorConfig};
use oots_e2e::domibus_replay::{
    EBMS, ReplayServer, SOAP12, WSPLUGIN, capture_message_id, capture_payloads, real_capture,
};
use oots_framework::gateway::domibus::{DomibusConfig, DomibusWsPlugin, PushAuth, push};
use oots_framework::gateway::ebms::{self, PartInfo, UserMessage};
use oots_framework::gateway::{Gateway, GatewayError, Notification, OutboundMessage, Payload};
use tokio::sync::mpsc;

const USER: &str = "plugin_user";
const PASS: &str = "pl:ugin pass";

fn client(base_url: &str) -> DomibusWsPlugin {
    let mut cfg = DomibusConfig::new(base_url, USER, PASS);
    cfg.timeout = Duration::from_secs(10);
    DomibusWsPlugin::new(cfg).expect("client")
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

fn expected_basic() -> String {
    format!("Basic {}", BASE64.encode(format!("{USER}:{PASS}")))
}

// ---------------------------------------------------------------- part 1: real captures

#[tokio::test]
async fn retrieve_real_request_capture_reads_header_and_payload() {
    let Some(capture) = real_capture("requete.xml") else {
        return;
    };
    let id = capture_message_id(&capture);
    let server = ReplayServer::start(vec![capture.clone()]).await;
    let gw = client(&server.base_url);

    let msg = gw.retrieve(&id).await.expect("retrieve");
    let h = &msg.header;
    assert_eq!(h.message_id, "45fa5345-5a18-4691-945f-531f9568729f@oots.eu");
    assert_eq!(h.timestamp, "2026-08-11T09:22:22.000Z");
    assert_eq!(h.mpc.as_deref(), Some(ebms::DEFAULT_MPC));
    assert_eq!(h.conversation_id, "1589c463-ccb7-4c0e-8044-c7198d844c16");
    assert_eq!(
        h.exchange_id(),
        Some("1647038b-7eaf-4711-b738-d5d83f96fa7b")
    );
    assert_eq!(h.specification_id(), Some("oots-edm:v2.0"));
    assert_eq!(h.action, ebms::ACTION_EXECUTE_QUERY_REQUEST);
    assert_eq!(h.service.value, ebms::OOTS_SERVICE);
    assert_eq!(
        h.service.service_type.as_deref(),
        Some(ebms::OOTS_SERVICE_TYPE)
    );
    assert_eq!(h.from.party_id, "blue_gw");
    assert_eq!(
        h.from.party_id_type.as_deref(),
        Some("urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots")
    );
    assert_eq!(h.to.party_id, "blue_gw");
    assert_eq!(h.from.role, ebms::OOTS_ROLE);
    assert_eq!(h.to.role, ebms::OOTS_ROLE);
    let os = h.original_sender().expect("originalSender");
    assert_eq!(os.value, "00000000000002");
    assert_eq!(
        os.property_type.as_deref(),
        Some("urn:cef.eu:names:identifier:EAS:0009")
    );
    let fr = h.final_recipient().expect("finalRecipient");
    assert_eq!(fr.value, "blue_gw");
    assert_eq!(h.properties.len(), 4);
    assert_eq!(h.parts.len(), 1);
    assert_eq!(
        h.parts[0].href,
        "cid:cdd87e02-2bdc-4ce6-bdc9-79e05adae700@oots.eu"
    );
    assert_eq!(h.parts[0].mime_type(), Some(ebms::MIME_EBRS));

    // Payload: exactly the base64-decoded <value> of the capture.
    let wire = capture_payloads(&capture);
    assert_eq!(wire.len(), 1);
    assert_eq!(msg.payloads.len(), 1);
    let p = &msg.payloads[0];
    assert_eq!(p.content_id, "cdd87e02-2bdc-4ce6-bdc9-79e05adae700@oots.eu");
    assert_eq!(p.mime_type, "application/x-ebrs+xml");
    assert_eq!(p.bytes, BASE64.decode(&wire[0].2).unwrap());
    assert!(p.bytes.starts_with(b"<?xml"));
    assert_eq!(
        msg.regrep_payload().map(|r| &r.content_id),
        Some(&p.content_id)
    );

    // What went on the wire: non-destructive retrieve, Basic auth, SOAP 1.2.
    let req = server
        .last("retrieveMessageRequest")
        .expect("recorded retrieve");
    assert!(
        req.path.ends_with("/services/wsplugin/retrieveMessage"),
        "{}",
        req.path
    );
    assert_eq!(
        req.authorization.as_deref(),
        Some(expected_basic().as_str())
    );
    assert!(
        req.content_type
            .as_deref()
            .unwrap_or_default()
            .starts_with("application/soap+xml"),
        "{:?}",
        req.content_type
    );
    let doc = roxmltree::Document::parse(&req.body).unwrap();
    assert!(doc.root_element().has_tag_name((SOAP12, "Envelope")));
    let op = doc
        .descendants()
        .find(|n| n.has_tag_name((WSPLUGIN, "retrieveMessageRequest")))
        .expect("retrieveMessageRequest in the WS plugin namespace");
    assert_eq!(op.attribute("markAsDownloaded"), Some("false"));
    let mid = op
        .children()
        .find(|c| c.has_tag_name("messageID"))
        .expect("unqualified messageID");
    assert_eq!(mid.tag_name().namespace(), None);
    assert_eq!(mid.text(), Some(id.as_str()));
}

#[tokio::test]
async fn retrieve_real_response_with_attachment_yields_the_pdf() {
    let Some(capture) = real_capture("reponseAvecPieceJointe.xml") else {
        return;
    };
    let id = capture_message_id(&capture);
    let server = ReplayServer::start(vec![capture.clone()]).await;
    let msg = client(&server.base_url)
        .retrieve(&id)
        .await
        .expect("retrieve");

    assert_eq!(msg.header.action, ebms::ACTION_EXECUTE_QUERY_RESPONSE);
    assert_eq!(msg.header.parts.len(), 2);
    assert_eq!(msg.payloads.len(), 2);
    let wire = capture_payloads(&capture);
    for (payload, (pid, ct, b64)) in msg.payloads.iter().zip(&wire) {
        assert_eq!(format!("cid:{}", payload.content_id), *pid);
        assert_eq!(Some(&payload.mime_type), ct.as_ref());
        assert_eq!(payload.bytes, BASE64.decode(b64).unwrap());
    }
    let pdf = msg
        .payload("cid:802edbd4-fdfb-4345-84bd-0b7f17549075@pdf.oots.fr")
        .expect("pdf payload");
    assert_eq!(pdf.mime_type, "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let regrep = msg.regrep_payload().expect("regrep payload");
    assert_eq!(
        regrep.content_id,
        "728c1aa1-5297-4d7c-9d7d-01fcce90075a@oots.eu"
    );
    assert!(String::from_utf8_lossy(&regrep.bytes).contains("QueryResponse"));
}

#[tokio::test]
async fn every_real_capture_is_readable() {
    let names = [
        "requete.xml",
        "requete.demarcheInconnue.xml",
        "reponseAvecPieceJointe.xml",
        "erreurObjetIntrouvable.xml",
    ];
    let mut captures = Vec::new();
    for n in names {
        let Some(c) = real_capture(n) else { return };
        captures.push(c);
    }
    let ids: Vec<String> = captures.iter().map(|c| capture_message_id(c)).collect();
    let server = ReplayServer::start(captures).await;
    let gw = client(&server.base_url);
    for id in &ids {
        let msg = gw.retrieve(id).await.expect("retrieve");
        assert_eq!(&msg.header.message_id, id);
        assert!(msg.regrep_payload().is_some(), "{id}: no RegRep payload");
        assert_eq!(msg.header.specification_id(), Some("oots-edm:v2.0"));
        assert_eq!(msg.header.properties.len(), 4);
    }
    let mut pending = gw.pending().await.expect("pending");
    pending.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(pending, expected);
}

#[tokio::test]
async fn acknowledge_sends_mark_message_as_downloaded() {
    let Some(capture) = real_capture("requete.xml") else {
        return;
    };
    let id = capture_message_id(&capture);
    let server = ReplayServer::start(vec![capture]).await;
    client(&server.base_url)
        .acknowledge(&id)
        .await
        .expect("acknowledge");

    let req = server
        .last("markMessageAsDownloadedRequest")
        .expect("recorded ack");
    assert!(
        req.path.ends_with("/markMessageAsDownloaded"),
        "{}",
        req.path
    );
    assert_eq!(
        req.authorization.as_deref(),
        Some(expected_basic().as_str())
    );
    let doc = roxmltree::Document::parse(&req.body).unwrap();
    let op = doc
        .descendants()
        .find(|n| n.has_tag_name((WSPLUGIN, "markMessageAsDownloadedRequest")))
        .expect("operation in the WS plugin namespace");
    let mid = op
        .children()
        .find(|c| c.has_tag_name("messageID"))
        .expect("messageID");
    assert_eq!(mid.text(), Some(id.as_str()));
    // Nothing but the acknowledgement was sent: no retrieve that could mark it.
    assert!(server.last("retrieveMessageRequest").is_none());
}

/// Binary payload covering every byte value, to catch any text mangling.
fn binary_pdf() -> Vec<u8> {
    let mut b = b"%PDF-1.7\n".to_vec();
    b.extend((0..=255u8).cycle().take(70_000));
    b
}

#[tokio::test]
async fn submit_sends_the_answer_with_swapped_corners() {
    let Some(capture) = real_capture("requete.xml") else {
        return;
    };
    let id = capture_message_id(&capture);
    let server = ReplayServer::start(vec![capture]).await;
    let gw = client(&server.base_url);
    let request = gw.retrieve(&id).await.expect("retrieve").header;

    let regrep = b"<query:QueryResponse xmlns:query=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\" status=\"urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success\"/>".to_vec();
    let pdf = binary_pdf();
    let answer = request.answer_header(
        ebms::ACTION_EXECUTE_QUERY_RESPONSE,
        "11111111-2222-4333-8444-555555555555@adapter.example".to_string(),
        "2026-08-11T09:23:00.000Z".to_string(),
        vec![
            PartInfo::new("regrep-1@adapter.example", ebms::MIME_EBRS),
            PartInfo::new("evidence-1@adapter.example", "application/pdf"),
        ],
    );
    let out = OutboundMessage {
        header: answer,
        payloads: vec![
            Payload {
                content_id: "regrep-1@adapter.example".into(),
                mime_type: ebms::MIME_EBRS.into(),
                bytes: regrep.clone(),
            },
            Payload {
                content_id: "evidence-1@adapter.example".into(),
                mime_type: "application/pdf".into(),
                bytes: pdf.clone(),
            },
        ],
    };
    let returned = gw.submit(&out).await.expect("submit");
    assert_eq!(
        returned,
        "11111111-2222-4333-8444-555555555555@adapter.example"
    );

    let req = server.last("submitRequest").expect("recorded submit");
    assert!(req.path.ends_with("/submitMessage"), "{}", req.path);
    assert_eq!(
        req.authorization.as_deref(),
        Some(expected_basic().as_str())
    );
    let doc = roxmltree::Document::parse(&req.body).unwrap();
    let header = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name((SOAP12, "Header")))
        .expect("soap:Header");
    let messaging = header
        .children()
        .find(|n| n.has_tag_name((EBMS, "Messaging")))
        .expect("eb:Messaging in soap:Header");
    let eb = |name: &str| {
        messaging
            .descendants()
            .find(|n| n.has_tag_name((EBMS, name)))
            .unwrap_or_else(|| panic!("eb:{name}"))
    };
    assert_eq!(eb("Service").text(), Some("QueryManager"));
    assert_eq!(
        eb("Service").attribute("type"),
        Some(ebms::OOTS_SERVICE_TYPE)
    );
    assert_eq!(eb("Action").text(), Some("ExecuteQueryResponse"));
    assert_eq!(
        eb("ConversationId").text(),
        Some("1589c463-ccb7-4c0e-8044-c7198d844c16")
    );
    assert_eq!(eb("RefToMessageId").text(), Some(id.as_str()));
    let props: Vec<(String, Option<String>, String)> = eb("MessageProperties")
        .children()
        .filter(|n| n.has_tag_name((EBMS, "Property")))
        .map(|p| {
            (
                p.attribute("name").unwrap().to_string(),
                p.attribute("type").map(str::to_string),
                p.text().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(props.len(), 4, "{props:?}");
    let prop = |n: &str| {
        props
            .iter()
            .find(|p| p.0 == n)
            .unwrap_or_else(|| panic!("property {n}"))
    };
    // Corners swapped: the request's finalRecipient becomes originalSender, and back.
    assert_eq!(prop("originalSender").2, "blue_gw");
    assert_eq!(
        prop("originalSender").1.as_deref(),
        Some("urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots")
    );
    assert_eq!(prop("finalRecipient").2, "00000000000002");
    assert_eq!(
        prop("finalRecipient").1.as_deref(),
        Some("urn:cef.eu:names:identifier:EAS:0009")
    );
    assert_eq!(prop("ExchangeId").2, "1647038b-7eaf-4711-b738-d5d83f96fa7b");
    assert_eq!(prop("SpecificationId").2, "oots-edm:v2.0");
    let hrefs: Vec<&str> = messaging
        .descendants()
        .filter(|n| n.has_tag_name((EBMS, "PartInfo")))
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert_eq!(
        hrefs,
        [
            "cid:regrep-1@adapter.example",
            "cid:evidence-1@adapter.example"
        ]
    );

    // Payloads: unqualified, payloadId = PartInfo href, strict base64 that decodes back.
    let op = doc
        .descendants()
        .find(|n| n.has_tag_name((WSPLUGIN, "submitRequest")))
        .expect("submitRequest");
    let payloads: Vec<_> = op
        .children()
        .filter(|c| c.has_tag_name("payload"))
        .collect();
    assert_eq!(payloads.len(), 2);
    assert!(op.children().all(|c| !c.has_tag_name("bodyload")));
    for (node, (href, bytes, ct)) in payloads.iter().zip([
        (hrefs[0], &regrep, ebms::MIME_EBRS),
        (hrefs[1], &pdf, "application/pdf"),
    ]) {
        assert_eq!(node.tag_name().namespace(), None);
        assert_eq!(node.attribute("payloadId"), Some(href));
        assert_eq!(node.attribute("contentType"), Some(ct));
        let value = node
            .children()
            .find(|c| c.has_tag_name("value"))
            .and_then(|v| v.text())
            .expect("value");
        assert!(
            !value.chars().any(|c| c.is_ascii_whitespace()),
            "base64 must be strict"
        );
        assert_eq!(&BASE64.decode(value).unwrap(), bytes);
    }
}

#[tokio::test]
async fn soap_fault_maps_to_gateway_fault() {
    let server = ReplayServer::start(vec![]).await;
    let err = client(&server.base_url)
        .retrieve("unknown-id@oots.eu")
        .await
        .expect_err("unknown id must fail");
    match &err {
        GatewayError::Fault { code, message } => {
            assert_eq!(code, "WS_PLUGIN:0009");
            assert!(message.contains("unknown-id@oots.eu"), "{message}");
        }
        other => panic!("expected Fault, got {other:?}"),
    }
    assert_eq!(err.code(), "gateway.fault");
    assert!(!err.is_transient());
}

#[tokio::test]
async fn closed_port_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = client(&format!(
        "http://127.0.0.1:{port}/domibus/services/wsplugin"
    ))
    .pending()
    .await
    .expect_err("nothing listens");
    assert!(matches!(err, GatewayError::Unreachable(_)), "{err:?}");
    assert!(err.is_transient());
}

// ---------------------------------------------------------------- part 2: push endpoint

const PUSH_USER: &str = "domibus_push";
const PUSH_PASS: &str = "push-secret";

/// A receiveSuccess exactly as Domibus 5.2's WS plugin pushes it.
fn receive_success(id: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP12}\"><soap:Body><ns2:receiveSuccess xmlns:ns2=\"eu.domibus\" \
xmlns:xmime=\"http://www.w3.org/2005/05/xmlmime\"><messageID>{id}</messageID></ns2:receiveSuccess></soap:Body></soap:Envelope>"
    )
}

async fn push_endpoint(capacity: usize) -> (String, mpsc::Receiver<Notification>) {
    let (tx, rx) = mpsc::channel(capacity);
    let base = serve(push::router(PushAuth::new(PUSH_USER, PUSH_PASS), tx)).await;
    (format!("{base}/domibus/notifications"), rx)
}

#[tokio::test]
async fn push_endpoint_checks_auth_body_and_queues() {
    let (url, mut rx) = push_endpoint(8).await;
    let http = reqwest::Client::new();
    let id = "45fa5345-5a18-4691-945f-531f9568729f@oots.eu";
    let post = |body: String| {
        http.post(&url)
            .header("content-type", "application/soap+xml;charset=UTF-8")
            .body(body)
    };

    let r = post(receive_success(id)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let r = post(receive_success(id))
        .basic_auth(PUSH_USER, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(rx.try_recv().is_err(), "nothing queued without auth");

    let r = post("pas du xml <".into())
        .basic_auth(PUSH_USER, Some(PUSH_PASS))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    let r = post(receive_success(id))
        .basic_auth(PUSH_USER, Some(PUSH_PASS))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&body).unwrap();
    assert!(doc.root_element().has_tag_name((SOAP12, "Envelope")));
    assert_eq!(
        rx.recv().await,
        Some(Notification::Received(id.to_string()))
    );

    let status_change = format!(
        "<soap:Envelope xmlns:soap=\"{SOAP12}\"><soap:Body><ns2:messageStatusChange xmlns:ns2=\"eu.domibus\">\
<messageID>8a1c@oots.eu</messageID><messageStatus>WAITING_FOR_RETRY</messageStatus></ns2:messageStatusChange></soap:Body></soap:Envelope>"
    );
    let r = post(status_change)
        .basic_auth(PUSH_USER, Some(PUSH_PASS))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        rx.recv().await,
        Some(Notification::StatusChange {
            message_id: "8a1c@oots.eu".into(),
            status: "WAITING_FOR_RETRY".into()
        })
    );
}

#[tokio::test]
async fn push_endpoint_answers_503_when_the_queue_is_full_or_closed() {
    let (url, rx) = push_endpoint(1).await;
    let http = reqwest::Client::new();
    let send = |id: &str| {
        http.post(&url)
            .basic_auth(PUSH_USER, Some(PUSH_PASS))
            .body(receive_success(id))
            .send()
    };
    assert_eq!(send("a@x").await.unwrap().status().as_u16(), 200);
    assert_eq!(send("b@x").await.unwrap().status().as_u16(), 503);
    drop(rx);
    assert_eq!(send("c@x").await.unwrap().status().as_u16(), 503);
}

// ---------------------------------------------------------------- part 3: simulator

fn request_header(id: &str) -> UserMessage {
    let capture = real_capture("requete.xml");
    let mut h = match capture {
        Some(c) => UserMessage::from_xml(std::str::from_utf8(&c).unwrap()).unwrap(),
        None => UserMessage::from_xml(FALLBACK_HEADER).unwrap(),
    };
    h.message_id = id.to_string();
    h.parts = vec![
        PartInfo::new("req-1@oots.eu", ebms::MIME_EBRS),
        PartInfo::new("att-1@oots.eu", "application/pdf"),
    ];
    h
}

const FALLBACK_HEADER: &str = r#"<eb:Messaging xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"><eb:UserMessage><eb:MessageInfo><eb:Timestamp>2026-08-11T09:22:22.000Z</eb:Timestamp><eb:MessageId>x@oots.eu</eb:MessageId></eb:MessageInfo><eb:PartyInfo><eb:From><eb:PartyId type="urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots">blue_gw</eb:PartyId><eb:Role>http://sdg.europa.eu/edelivery/gateway</eb:Role></eb:From><eb:To><eb:PartyId type="urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots">blue_gw</eb:PartyId><eb:Role>http://sdg.europa.eu/edelivery/gateway</eb:Role></eb:To></eb:PartyInfo><eb:CollaborationInfo><eb:Service type="urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0">QueryManager</eb:Service><eb:Action>ExecuteQueryRequest</eb:Action><eb:ConversationId>c-1</eb:ConversationId></eb:CollaborationInfo><eb:MessageProperties><eb:Property name="originalSender" type="urn:cef.eu:names:identifier:EAS:0009">00000000000002</eb:Property><eb:Property name="finalRecipient" type="urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots">blue_gw</eb:Property><eb:Property name="ExchangeId">e-1</eb:Property><eb:Property name="SpecificationId">oots-edm:v2.0</eb:Property></eb:MessageProperties></eb:UserMessage></eb:Messaging>"#;

fn request_payloads() -> Vec<Payload> {
    vec![
        Payload {
            content_id: "req-1@oots.eu".into(),
            mime_type: ebms::MIME_EBRS.into(),
            bytes: "<query:QueryRequest xmlns:query=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\"/>\u{e9}".into(),
        },
        Payload {
            content_id: "att-1@oots.eu".into(),
            mime_type: "application/pdf".into(),
            bytes: binary_pdf(),
        },
    ]
}

async fn next_notification(rx: &mut mpsc::Receiver<Notification>) -> Notification {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a push within 10 s")
        .expect("channel open")
}

#[tokio::test]
async fn simulator_round_trip() {
    let (push_url, mut rx) = push_endpoint(16).await;
    let (sim, base_url) = DomibusSimulator::start(SimulatorConfig {
        username: USER.into(),
        password: PASS.into(),
        push_endpoint: Some(push_url),
        push_username: PUSH_USER.into(),
        push_password: PUSH_PASS.into(),
    })
    .await
    .expect("simulator");
    let gw = client(&base_url);
    let id = "round-trip-1@oots.eu";

    sim.deliver(request_header(id), request_payloads());
    assert_eq!(
        next_notification(&mut rx).await,
        Notification::Received(id.into())
    );
    assert_eq!(gw.pending().await.unwrap(), [id]);

    // Retrieve is not destructive.
    let first = gw.retrieve(id).await.expect("retrieve");
    assert_eq!(first.header, request_header(id));
    assert_eq!(first.payloads, request_payloads());
    assert!(!sim.is_downloaded(id));
    let again = gw.retrieve(id).await.expect("second retrieve");
    assert_eq!(again, first);
    assert_eq!(gw.status(id).await.unwrap(), "RECEIVED");

    gw.acknowledge(id).await.expect("acknowledge");
    assert!(sim.is_downloaded(id));
    assert!(gw.pending().await.unwrap().is_empty());
    assert_eq!(gw.status(id).await.unwrap(), "DOWNLOADED");
    match gw.retrieve(id).await {
        Err(GatewayError::Fault { code, .. }) => assert_eq!(code, "WS_PLUGIN:0009"),
        other => panic!("expected WS_PLUGIN:0009, got {other:?}"),
    }

    // Answer.
    let answer_id = "answer-1@adapter.example";
    let header = first.header.answer_header(
        ebms::ACTION_EXECUTE_QUERY_RESPONSE,
        answer_id.into(),
        "2026-08-11T09:23:00.000Z".into(),
        vec![
            PartInfo::new("resp-1@adapter.example", ebms::MIME_EBRS),
            PartInfo::new("ev-1@adapter.example", "application/pdf"),
        ],
    );
    let out = OutboundMessage {
        header,
        payloads: vec![
            Payload {
                content_id: "resp-1@adapter.example".into(),
                mime_type: ebms::MIME_EBRS.into(),
                bytes: b"<query:QueryResponse xmlns:query=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\"/>".to_vec(),
            },
            Payload {
                content_id: "ev-1@adapter.example".into(),
                mime_type: "application/pdf".into(),
                bytes: binary_pdf(),
            },
        ],
    };
    assert_eq!(gw.submit(&out).await.expect("submit"), answer_id);
    let submitted = sim
        .next_submitted(Duration::from_secs(5))
        .await
        .expect("submitted");
    assert_eq!(submitted, out);
    assert_eq!(
        next_notification(&mut rx).await,
        Notification::SendSuccess(answer_id.into())
    );
    assert_eq!(gw.status(answer_id).await.unwrap(), "ACKNOWLEDGED");
    assert!(
        sim.next_submitted(Duration::from_millis(50))
            .await
            .is_none()
    );

    // Same id twice is refused.
    assert!(matches!(
        gw.submit(&out).await,
        Err(GatewayError::Fault { .. })
    ));
    sim.shutdown();
}

#[tokio::test]
async fn simulator_enforces_auth_and_payload_rules() {
    let (sim, base_url) = DomibusSimulator::start(SimulatorConfig {
        username: USER.into(),
        password: PASS.into(),
        ..SimulatorConfig::default()
    })
    .await
    .expect("simulator");

    let mut bad_cfg = DomibusConfig::new(base_url.as_str(), USER, "wrong");
    bad_cfg.timeout = Duration::from_secs(5);
    let bad = DomibusWsPlugin::new(bad_cfg).unwrap();
    let err = bad.pending().await.expect_err("wrong password");
    assert!(matches!(err, GatewayError::Auth(_)), "{err:?}");

    let gw = client(&base_url);
    let mut out = OutboundMessage {
        header: request_header("mismatch@adapter.example"),
        payloads: request_payloads(),
    };
    out.payloads.truncate(1); // att-1 referenced by PartInfo but not sent
    match gw.submit(&out).await {
        Err(GatewayError::Fault { code, .. }) => assert_eq!(code, "WS_PLUGIN:0005"),
        other => panic!("expected WS_PLUGIN:0005, got {other:?}"),
    }
    assert!(
        sim.next_submitted(Duration::from_millis(50))
            .await
            .is_none()
    );

    // Without a push endpoint, delivered messages are found by polling.
    sim.deliver(request_header("polled@oots.eu"), request_payloads());
    assert_eq!(gw.pending().await.unwrap(), ["polled@oots.eu"]);
}

#[tokio::test]
async fn simulator_speaks_the_captured_wire_format() {
    let (sim, base_url) = DomibusSimulator::start(SimulatorConfig {
        username: USER.into(),
        password: PASS.into(),
        ..SimulatorConfig::default()
    })
    .await
    .expect("simulator");
    sim.deliver(request_header("wire@oots.eu"), request_payloads());
    let envelope = format!(
        "<soap:Envelope xmlns:soap=\"{SOAP12}\" xmlns:ws=\"{WSPLUGIN}\"><soap:Header/><soap:Body>\
<ws:retrieveMessageRequest markAsDownloaded=\"true\"><messageID>wire@oots.eu</messageID></ws:retrieveMessageRequest></soap:Body></soap:Envelope>"
    );
    let resp = reqwest::Client::new()
        .post(format!("{base_url}/retrieveMessage"))
        .basic_auth(USER, Some(PASS))
        .header("content-type", "application/soap+xml;charset=UTF-8")
        .body(envelope)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("<ns5:Messaging"),
        "re-prefixed header expected"
    );
    assert!(
        text.contains("<ns2:retrieveMessageResponse"),
        "re-prefixed body expected"
    );
    let doc = roxmltree::Document::parse(&text).unwrap();
    let payloads: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("payload"))
        .collect();
    assert_eq!(payloads.len(), 2);
    assert!(payloads.iter().all(|p| p.tag_name().namespace().is_none()));
    assert_eq!(
        payloads[1].attribute("payloadId"),
        Some("cid:att-1@oots.eu")
    );
    // markAsDownloaded defaults to the destructive read Domibus does.
    assert!(sim.is_downloaded("wire@oots.eu"));
}
