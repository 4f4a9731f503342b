//! `oots-adapter serve` as its own AS4 access point (`gateway: type: as4`), as a real
//! process, against a requester access point built from the same AS4 stack in this test:
//! the request goes out signed, encrypted and compressed; the adapter verifies it,
//! stores it, returns a signed receipt acknowledging every part (the requester verifies
//! it), answers through the quickstart mapping and pushes the answer back, which the
//! requester verifies in turn. A resent request (same MessageId, same bytes) is
//! acknowledged again but answered once; a message from an untrusted signer is refused
//! with `EBMS:0101`.

mod as4_support;
#[path = "preview_support/several.rs"]
mod several;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use as4_support::{free_port, pki, serve};

use oots_framework::edm::{self, QueryResponse, XmlLimits};
use oots_framework::gateway::as4::agreement::AgreementSettings;
use oots_framework::gateway::as4::msh::As4Gateway;
use oots_framework::gateway::as4::pmode::{PMode, RetrySettings};
use oots_framework::gateway::{Gateway, Notification, OutboundMessage, Payload};
use oots_framework::secret::SecretRef;
use oots_framework::store::{Exchanges, Journal, SqliteStore};
use tokio::sync::mpsc;

/// The AS4 side of a requester's access point: our stack, its own store and endpoint.
type Requester = (
    Arc<As4Gateway>,
    Arc<SqliteStore>,
    mpsc::Receiver<Notification>,
);

/// The requester's access point, over plain http.
async fn requester(dir: &Path, provider_port: u16, port: u16) -> Requester {
    requester_with(dir, provider_port, port, false).await
}

/// [`requester`], over https both ways when `tls` (its endpoint with `tls.pem`, the
/// provider's checked against `ca.pem`).
async fn requester_with(dir: &Path, provider_port: u16, port: u16, tls: bool) -> Requester {
    let scheme = if tls {
        "https://localhost"
    } else {
        "http://127.0.0.1"
    };
    let mut settings = as4_support::as4_settings_for(
        dir,
        "AP_REQUESTER",
        "AP_PROVIDER",
        format!("{scheme}:{provider_port}/as4"),
    );
    settings.retry = RetrySettings {
        attempts: 3,
        initial_ms: 100,
        max_ms: 1000,
    };
    settings.tls_roots = tls.then(|| dir.join("ca.pem"));
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
    if tls {
        let settings = oots_framework::tls::TlsSettings {
            certificate: dir.join("tls.pem"),
            private_key: SecretRef::File(dir.join("tls.key")),
            client_auth: None,
        };
        let listener =
            oots_framework::tls::TlsListener::new(listener, settings.server_config().unwrap())
                .unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
    } else {
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    (gateway, store, rx)
}

fn request(message_id: &str) -> OutboundMessage {
    as4_support::birth_request(message_id, "AP_REQUESTER", "AP_PROVIDER")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_a_signed_encrypted_request_over_as4() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER", "AP_STRANGER"]);
    let (port, requester_port) = (free_port(), free_port());
    let served = serve(
        dir.path(),
        "AP_PROVIDER",
        port,
        "AP_REQUESTER",
        requester_port,
    );
    let (gateway, store, mut answers) = requester(dir.path(), port, requester_port).await;

    // Sent: the provider's signed receipt acknowledges every signed part, or submit fails.
    let id = "request-1@requester.example";
    let msg = request(id);
    assert_eq!(gateway.submit(&msg).await.unwrap(), id);

    // The answer comes back over AS4, verified and stored by the requester's side.
    let answer_id = match tokio::time::timeout(Duration::from_secs(20), answers.recv()).await {
        Ok(Some(Notification::Received(a))) => a,
        other => panic!("no answer: {other:?}\n{}", served.stop()),
    };
    let (header_xml, regrep) = store.unanswered(&answer_id).await.unwrap().unwrap();
    let header = oots_framework::gateway::ebms::UserMessage::from_xml(&header_xml).unwrap();
    assert_eq!(header.action, "ExecuteQueryResponse");
    assert_eq!(header.ref_to_message_id.as_deref(), Some(id));
    assert_eq!(header.from.party_id, "AP_PROVIDER");
    match edm::parse_response(&regrep, &XmlLimits::default()).unwrap() {
        QueryResponse::Evidence(_) => {}
        other => panic!("not an evidence answer: {other:?}"),
    }

    // A request carrying a 5 MB attachment (a scan) is accepted whole: far above axum's
    // default body limit.
    let mut big = request("request-big@requester.example");
    let mut x: u32 = 7;
    big.payloads.push(Payload {
        content_id: "scan@requester.example".into(),
        mime_type: "application/pdf".into(),
        bytes: (0..5 * 1024 * 1024)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect(),
    });
    big.header
        .parts
        .push(oots_framework::gateway::ebms::PartInfo::new(
            "scan@requester.example",
            "application/pdf",
        ));
    assert_eq!(
        gateway.submit(&big).await.unwrap(),
        "request-big@requester.example"
    );
    match tokio::time::timeout(Duration::from_secs(20), answers.recv()).await {
        Ok(Some(Notification::Received(_))) => {}
        other => panic!("no answer to the big request: {other:?}"),
    }

    // A resend (same MessageId, same bytes) is acknowledged again, but answered once.
    assert_eq!(gateway.submit(&msg).await.unwrap(), id);
    assert!(
        tokio::time::timeout(Duration::from_secs(2), answers.recv())
            .await
            .is_err(),
        "a duplicate must not be answered twice"
    );

    // Signed by a certificate the provider trusts but not the one it knows for
    // AP_REQUESTER: refused with EBMS:0101, nothing stored.
    let stranger_settings = as4_support::as4_settings(
        dir.path(),
        "AP_REQUESTER",
        "AP_STRANGER",
        &[as4_support::KnownPeer {
            party_id: "AP_PROVIDER",
            endpoint: format!("http://127.0.0.1:{port}/as4"),
            certificate_of: "AP_PROVIDER",
        }],
    );
    let stranger = As4Gateway::new(
        Arc::new(PMode::load(&stranger_settings).unwrap()),
        Arc::new(SqliteStore::in_memory().await.unwrap()),
    )
    .unwrap();
    let refused = stranger
        .submit(&request("request-2@requester.example"))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, oots_framework::gateway::GatewayError::Fault { code, .. } if code == "EBMS:0101"),
        "{refused}"
    );
    let log = served.stop();
    assert!(
        !log.contains("Dupont") && !log.contains("1992-10-22"),
        "{log}"
    );
}

#[test]
fn check_reads_the_as4_keys_before_serve_needs_them() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let config = as4_support::write_config(dir.path(), "AP_PROVIDER", 1, "AP_REQUESTER", 2);
    let check = |live: bool| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_oots-adapter"));
        c.arg("check");
        if live {
            c.arg("--live");
        }
        let out = c.arg(&config).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, text) = check(true);
    assert!(ok, "{text}");
    // Another access point's key: only the live check reads it, and says so.
    std::fs::copy(
        dir.path().join("AP_REQUESTER.key"),
        dir.path().join("AP_PROVIDER.key"),
    )
    .unwrap();
    let (ok, text) = check(true);
    assert!(
        !ok && text.contains("OEA-E0118") && text.contains("not the private key's"),
        "{text}"
    );
    std::fs::remove_file(dir.path().join("ca.pem")).unwrap();
    let (ok, text) = check(false);
    assert!(
        !ok && text.contains("OEA-E0118") && text.contains("trust_store"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_access_points_talk_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let (port, requester_port) = (free_port(), free_port());
    let served = as4_support::serve_tls(
        dir.path(),
        "AP_PROVIDER",
        port,
        "AP_REQUESTER",
        requester_port,
    );
    let (gateway, store, mut answers) =
        requester_with(dir.path(), port, requester_port, true).await;
    let id = "request-tls@requester.example";
    assert_eq!(gateway.submit(&request(id)).await.unwrap(), id);
    let answer_id = match tokio::time::timeout(Duration::from_secs(20), answers.recv()).await {
        Ok(Some(Notification::Received(a))) => a,
        other => panic!("no answer: {other:?}\n{}", served.stop()),
    };
    let (header_xml, _) = store.unanswered(&answer_id).await.unwrap().unwrap();
    assert!(header_xml.contains(id));
    // Plain http to the https listener gets no AS4 answer.
    let plain = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/as4"))
        .body("x")
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    served.stop();
}

/// Opens `served`'s state store (beside its config) and reads its journal, once it holds
/// a record of kind `kind`.
async fn journal_with(dir: &Path, kind: &str) -> Vec<serde_json::Value> {
    let t0 = std::time::Instant::now();
    loop {
        let store = SqliteStore::open(&dir.join("state/adapter.db"))
            .await
            .unwrap();
        let records: Vec<serde_json::Value> = store
            .journal(0, 1_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| serde_json::from_str(&e.record).unwrap())
            .collect();
        if records.iter().any(|r| r["kind"] == kind) {
            return records;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "no {kind} record: {records:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens a signed signal kept in the journal (base64 of the SOAP envelope) as `me` would:
/// its signer and the receipt it holds.
fn open_receipt(
    dir: &Path,
    me: &str,
    peer: &str,
    b64: &serde_json::Value,
) -> (
    oots_framework::gateway::as4::keys::Certificate,
    oots_framework::gateway::as4::signal::Signal,
) {
    use base64::Engine as _;
    use oots_framework::gateway::as4::{signal, wss};
    let soap = base64::engine::general_purpose::STANDARD
        .decode(b64.as_str().unwrap())
        .unwrap();
    let settings = as4_support::as4_settings_for(dir, me, peer, "http://127.0.0.1:1/as4".into());
    let pm = PMode::load(&settings).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let opened = wss::open(
        std::str::from_utf8(&soap).unwrap(),
        Vec::new(),
        &pm.credentials,
        &pm.trust,
        &pm.peer_certificates(),
        wss::Policy {
            require_signature: true,
            require_encryption: false,
        },
        now,
    )
    .unwrap();
    let doc = roxmltree::Document::parse(&opened.messaging).unwrap();
    (
        opened.signer.unwrap(),
        signal::parse(doc.root_element()).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_keeps_the_proof_of_what_was_received_and_sent() {
    use oots_framework::gateway::as4::signal::Signal;
    use oots_framework::store::proof;
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
    let id = "request-proof@requester.example";
    let msg = request(id);
    gateway.submit(&msg).await.unwrap();
    let answer_id = match tokio::time::timeout(Duration::from_secs(20), answers.recv()).await {
        Ok(Some(Notification::Received(a))) => a,
        other => panic!("no answer: {other:?}\n{}", served.stop()),
    };
    let (_, answer_regrep) = store.unanswered(&answer_id).await.unwrap().unwrap();
    let journal = journal_with(dir.path(), proof::DELIVERY).await;
    let text = serde_json::to_string(&journal).unwrap();
    assert!(
        !text.contains("Dupont") && !text.contains("1992-10-22"),
        "{text}"
    );
    let one = |kind: &str| {
        let found: Vec<_> = journal.iter().filter(|r| r["kind"] == kind).collect();
        assert_eq!(found.len(), 1, "{kind}: {text}");
        found[0].clone()
    };
    let provider_cert = std::fs::read(dir.path().join("AP_PROVIDER.pem")).unwrap();
    let requester_cert = std::fs::read(dir.path().join("AP_REQUESTER.pem")).unwrap();
    let is = |c: &oots_framework::gateway::as4::keys::Certificate, pem: &[u8]| {
        let der = oots_framework::gateway::as4::keys::Certificate::from_pem(pem).unwrap();
        c.der() == der.der()
    };

    // The receipt given for the request: signed by the provider, for that MessageId.
    let given = one(proof::RECEIPT_GIVEN);
    assert_eq!(given["message_id"], id);
    let (signer, signal) =
        open_receipt(dir.path(), "AP_REQUESTER", "AP_PROVIDER", &given["receipt"]);
    assert!(is(&signer, &provider_cert));
    match signal {
        Signal::Receipt {
            ref_to,
            acknowledged,
        } => {
            assert_eq!(ref_to, id);
            assert!(!acknowledged.is_empty());
        }
        other => panic!("{other:?}"),
    }

    // The decision: the digests of the request as received and of the answer as sent.
    let decision = one("decision");
    let regrep = msg
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/x-ebrs+xml")
        .unwrap();
    assert_eq!(decision["request_sha256"], proof::sha256(&regrep.bytes));
    assert_eq!(decision["answer_id"], answer_id.as_str());
    let parts = decision["answer_parts"].as_array().unwrap();
    assert!(
        parts
            .iter()
            .any(|p| p["sha256"] == proof::sha256(&answer_regrep)),
        "{parts:?}"
    );

    // The receipt obtained for the answer: signed by the requester, for the answer.
    let delivery = one(proof::DELIVERY);
    assert_eq!(
        (
            delivery["message_id"].as_str(),
            delivery["answer_id"].as_str()
        ),
        (Some(id), Some(answer_id.as_str()))
    );
    let (signer, signal) = open_receipt(
        dir.path(),
        "AP_PROVIDER",
        "AP_REQUESTER",
        &delivery["receipt"],
    );
    assert!(is(&signer, &requester_cert));
    match signal {
        Signal::Receipt {
            ref_to,
            acknowledged,
        } => {
            assert_eq!(ref_to, answer_id);
            assert!(!acknowledged.is_empty());
        }
        other => panic!("{other:?}"),
    }
    served.stop();
}

/// Several evidences for one subject (`evidence.several`, docs/mapping-files.md) over
/// native AS4: two diplomas, then twenty, answered in one signed message each, with one
/// package per evidence (R-EDM-RESP-S066) and one part per document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_evidences_travel_in_one_as4_answer() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let (port, requester_port) = (free_port(), free_port());
    let config = as4_support::write_config(
        dir.path(),
        "AP_PROVIDER",
        port,
        "AP_REQUESTER",
        requester_port,
    );
    let (mappings, seed) = several::write(dir.path());
    let q = as4_support::workspace().join("examples/quickstart");
    let yaml = std::fs::read_to_string(&config)
        .unwrap()
        .replace(
            &q.join("mappings").display().to_string(),
            &mappings.display().to_string(),
        )
        .replace(
            &q.join("registry/seed.sql").display().to_string(),
            &seed.display().to_string(),
        )
        .replace("  birth_register:\n", "  diplomas:\n");
    std::fs::write(&config, yaml).unwrap();
    let served = as4_support::spawn(&config, port);
    let (gateway, store, mut answers) = requester(dir.path(), port, requester_port).await;
    for (n, (family, given, dob, count)) in [
        ("Nowak", "Anna", "1990-01-01", 2),
        ("Many", "Piotr", "1992-03-03", 20),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("several-{n}@requester.example");
        let spec = several::request(
            family,
            given,
            dob,
            oots_framework::edm::EdmVersion::V2_0,
            false,
        );
        let msg = as4_support::request_message(
            &id,
            "AP_REQUESTER",
            "AP_PROVIDER",
            &spec,
            oots_framework::clock::Clock::now(&oots_framework::clock::SystemClock),
            |_| {},
        );
        assert_eq!(gateway.submit(&msg).await.unwrap(), id);
        let answer_id = match tokio::time::timeout(Duration::from_secs(20), answers.recv()).await {
            Ok(Some(Notification::Received(a))) => a,
            other => panic!("no answer: {other:?}\n{}", served.stop()),
        };
        let (header_xml, regrep) = store.unanswered(&answer_id).await.unwrap().unwrap();
        let header = oots_framework::gateway::ebms::UserMessage::from_xml(&header_xml).unwrap();
        assert_eq!(header.action, "ExecuteQueryResponse");
        // The RegRep part and one part per evidence.
        assert_eq!(header.parts.len(), count + 1, "{family}");
        match edm::parse_response(&regrep, &XmlLimits::default()).unwrap() {
            QueryResponse::Evidence(r) => {
                assert_eq!(r.items.len(), count, "{family}");
                let xml = String::from_utf8_lossy(&regrep);
                assert_eq!(xml.matches("rim:RegistryPackageType").count(), count);
            }
            other => panic!("not an evidence answer: {other:?}"),
        }
    }
    served.stop();
}
