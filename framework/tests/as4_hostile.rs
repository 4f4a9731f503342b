//! Hostile AS4 messages against the native message service handler, as an attacker
//! would send them: a real `POST /as4` endpoint on loopback (axum), a real SQLite store,
//! real RSA/AES crypto. Each message starts as a correctly signed and encrypted request
//! from the configured peer and is then changed where the signature does not look, or
//! does look but the reader did not (XML signature wrapping), or resent with another
//! content under the same MessageId. A refused message gets an ebMS error signal and
//! leaves nothing in the store. On the sending side, a receipt counts only when the
//! peer's own certificate signed it and it is the signed `eb:Messaging`.

mod as4_support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use as4_support::{free_port, pki};

use oots_framework::clock::{Clock, SystemClock};
use oots_framework::gateway::as4::keys::{Certificate, Credentials};
use oots_framework::gateway::as4::mime;
use oots_framework::gateway::as4::msh::As4Gateway;
use oots_framework::gateway::as4::pmode::{As4Settings, PMode};
use oots_framework::gateway::as4::signal::{self, Signal};
use oots_framework::gateway::as4::wss::{self, Attachment, Seal};
use oots_framework::gateway::ebms::{self, UserMessage};
use oots_framework::gateway::{Gateway, Notification, OutboundMessage};
use oots_framework::requester::RequestSpec;
use oots_framework::store::{Exchanges, SqliteStore};
use tokio::sync::mpsc;

fn settings(dir: &Path, party: &str, key_of: &str, peer: &str, peer_port: u16) -> As4Settings {
    let mut s = as4_support::as4_settings(
        dir,
        party,
        key_of,
        &[as4_support::KnownPeer {
            party_id: peer,
            endpoint: format!("http://127.0.0.1:{peer_port}/as4"),
            certificate_of: peer,
        }],
    );
    s.compress = false;
    s
}

/// An access point on loopback: its gateway, its store, what it announces.
struct AccessPoint {
    gateway: Arc<As4Gateway>,
    store: Arc<SqliteStore>,
    url: String,
    _received: mpsc::Receiver<Notification>,
}

async fn access_point(settings: &As4Settings, port: u16) -> AccessPoint {
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let gateway =
        Arc::new(As4Gateway::new(Arc::new(PMode::load(settings).unwrap()), store.clone()).unwrap());
    let (tx, rx) = mpsc::channel(64);
    let app = gateway.router(tx);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    AccessPoint {
        gateway,
        store,
        url: format!("http://127.0.0.1:{port}/as4"),
        _received: rx,
    }
}

/// The provider under attack (AP_PROVIDER, knowing AP_REQUESTER) and the requester's key.
struct Bench {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    provider: AccessPoint,
    requester: Credentials,
    provider_cert: Certificate,
}

async fn bench() -> Bench {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    pki(&dir, &["AP_PROVIDER", "AP_REQUESTER", "AP_STRANGER"]);
    let port = free_port();
    let provider = access_point(
        &settings(
            &dir,
            "AP_PROVIDER",
            "AP_PROVIDER",
            "AP_REQUESTER",
            free_port(),
        ),
        port,
    )
    .await;
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let requester =
        Credentials::from_pem(&read("AP_REQUESTER.key"), &read("AP_REQUESTER.pem")).unwrap();
    let provider_cert = Certificate::from_pem(&read("AP_PROVIDER.pem")).unwrap();
    Bench {
        _dir: tmp,
        dir,
        provider,
        requester,
        provider_cert,
    }
}

/// A well-formed OOTS request from AP_REQUESTER to AP_PROVIDER.
fn request(message_id: &str, family_name: &str) -> OutboundMessage {
    as4_support::request_message(
        message_id,
        "AP_REQUESTER",
        "AP_PROVIDER",
        &RequestSpec::quickstart_birth(family_name, "Jean", "1992-10-22", "application/xml"),
        SystemClock.now(),
        |_| {},
    )
}

/// The message signed with `credentials` and encrypted for the provider: the SOAP
/// envelope (to tamper with) and the encrypted parts.
fn seal(b: &Bench, credentials: &Credentials, msg: &OutboundMessage) -> (String, Vec<mime::Part>) {
    let sealed = wss::seal(
        &Seal {
            credentials,
            encrypt_for: Some(&b.provider_cert),
        },
        |attrs| msg.header.to_xml_with_prefix("eb", attrs),
        msg.payloads
            .iter()
            .map(|p| Attachment {
                content_id: p.content_id.clone(),
                content_type: p.mime_type.clone(),
                bytes: p.bytes.clone(),
            })
            .collect(),
    )
    .unwrap();
    let parts = sealed
        .parts
        .into_iter()
        .map(|a| mime::Part {
            content_id: a.content_id,
            content_type: a.content_type,
            body: a.bytes,
        })
        .collect();
    (String::from_utf8(sealed.envelope).unwrap(), parts)
}

/// Posts an envelope with its parts; the signal the provider answers with.
async fn post(url: &str, envelope: &str, parts: &[mime::Part]) -> Signal {
    let (content_type, body) = mime::write(envelope.as_bytes(), parts);
    let answer = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let text = answer.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    doc.descendants()
        .find(|n| n.tag_name().name() == "Messaging")
        .and_then(signal::parse)
        .unwrap_or_else(|| panic!("no signal in {text}"))
}

fn error_code(s: &Signal) -> Option<&str> {
    match s {
        Signal::Error { code, .. } => Some(code),
        Signal::Receipt { .. } => None,
    }
}

async fn stored_count(store: &SqliteStore) -> i64 {
    store
        .exchange_counts()
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum()
}

/// The `eb:Messaging` element of an envelope (as sealed: one, prefix `eb`).
fn messaging_of(envelope: &str) -> &str {
    let start = envelope.find("<eb:Messaging").unwrap();
    let end = envelope.find("</eb:Messaging>").unwrap() + "</eb:Messaging>".len();
    &envelope[start..end]
}

/// An unsigned copy of the signed header with everything an attacker wants changed:
/// MessageId, ConversationId, ExchangeId, originalSender and finalRecipient. `id`
/// replaces the copy's `wsu:Id` (`None` drops it).
fn forged_copy(signed: &UserMessage, id: Option<&str>) -> String {
    let mut forged = signed.clone();
    forged.message_id = "forged@attacker.example".into();
    forged.conversation_id = "forged-conversation".into();
    for p in &mut forged.properties {
        match p.name.as_str() {
            ebms::PROP_EXCHANGE_ID => p.value = "forged-exchange".into(),
            ebms::PROP_ORIGINAL_SENDER | ebms::PROP_FINAL_RECIPIENT => {
                p.value = "ATTACKER-0001".into()
            }
            _ => {}
        }
    }
    let ns = format!(
        "xmlns:wsu=\"{}\" xmlns:S12=\"{}\"",
        wss::WSU_NS,
        wss::SOAP12_NS
    );
    let attrs = match id {
        Some(id) => format!("{ns} wsu:Id=\"{id}\" S12:mustUnderstand=\"true\""),
        None => format!("{ns} S12:mustUnderstand=\"true\""),
    };
    forged.to_xml_with_prefix("eb", &attrs)
}

fn signed_id(envelope: &str) -> String {
    let m = messaging_of(envelope);
    let at = m.find("wsu:Id=\"").unwrap() + "wsu:Id=\"".len();
    m[at..].split('"').next().unwrap().to_owned()
}

/// Nothing of a refused message is kept: neither its real nor its forged MessageId.
async fn assert_nothing_stored(b: &Bench, case: &str, real_id: &str) {
    assert_eq!(stored_count(&b.provider.store).await, 0, "{case}: stored");
    for id in [real_id, "forged@attacker.example"] {
        assert!(
            b.provider.store.state_of(id).await.unwrap().is_none(),
            "{case}: {id} stored"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_wrapping_variants_are_refused_and_nothing_is_stored() {
    let b = bench().await;
    let msg = request("wrapped@requester.example", "Dupont");
    let (envelope, parts) = seal(&b, &b.requester, &msg);
    let signed = messaging_of(&envelope).to_owned();
    let id = signed_id(&envelope);
    let unsigned = forged_copy(&msg.header, None);
    let same_id = forged_copy(&msg.header, Some(&id));
    let other_id = forged_copy(&msg.header, Some("_forged"));
    let bare_user_message = {
        let m = forged_copy(&msg.header, None);
        let s = m.find("<eb:UserMessage").unwrap();
        let e = m.find("</eb:Messaging>").unwrap();
        m[s..e].replacen(
            "<eb:UserMessage",
            &format!("<eb:UserMessage xmlns:eb=\"{}\"", ebms::EBMS_NS),
            1,
        )
    };
    let security_start = envelope.find("<wsse:Security").unwrap();
    let security_inner = envelope[security_start..].find('>').unwrap() + security_start + 1;
    let header_inner = envelope.find("<S12:Header>").unwrap() + "<S12:Header>".len();
    let body_inner = {
        let at = envelope.find("<S12:Body").unwrap();
        envelope[at..].find('>').unwrap() + at + 1
    };
    let insert = |at: usize, what: &str| {
        let mut e = envelope.clone();
        e.insert_str(at, what);
        e
    };
    let wrapper = |inner: &str, must: bool| {
        format!(
            "<x:Wrapper xmlns:x=\"urn:attacker\"{}>{inner}</x:Wrapper>",
            if must {
                " S12:mustUnderstand=\"true\""
            } else {
                ""
            }
        )
    };
    let after_signed = envelope.find(&signed).unwrap() + signed.len();
    // Wrapping copies fail authentication; a header block nobody here would act on, or a
    // second signature, is against the policy; a broken envelope is an invalid header.
    let wrapped: Vec<(&str, String)> = vec![
        (
            "unsigned copy first in the header",
            insert(header_inner, &unsigned),
        ),
        (
            "unsigned copy inside wsse:Security",
            insert(security_inner, &unsigned),
        ),
        (
            "unsigned copy in an unknown header block before the signed one",
            insert(header_inner, &wrapper(&unsigned, false)),
        ),
        (
            "unsigned copy after the signed one",
            insert(after_signed, &unsigned),
        ),
        (
            "unsigned copy in an unknown header block after the signed one",
            insert(after_signed, &wrapper(&unsigned, false)),
        ),
        (
            "unsigned copy inside the Body",
            insert(body_inner, &unsigned),
        ),
        (
            "copy with the signed wsu:Id first in the header",
            insert(header_inner, &same_id),
        ),
        (
            "copy with the signed wsu:Id inside wsse:Security",
            insert(security_inner, &same_id),
        ),
        (
            "copy with an unreferenced wsu:Id inside wsse:Security",
            insert(security_inner, &other_id),
        ),
        (
            "bare eb:UserMessage inside wsse:Security",
            insert(security_inner, &bare_user_message),
        ),
        (
            // The signed block moves into a wrapper (its digest is unchanged), the forged
            // one takes its place.
            "signed block wrapped, forged copy in its place",
            envelope.replacen(
                &signed,
                &format!("{}{}", wrapper(&signed, false), other_id),
                1,
            ),
        ),
        (
            "signed block moved into wsse:Security, forged copy in its place",
            {
                let e = envelope.replacen(&signed, &unsigned, 1);
                let at = e.find("<wsse:Security").unwrap();
                let at = e[at..].find('>').unwrap() + at + 1;
                let mut e = e;
                e.insert_str(at, &signed);
                e
            },
        ),
        (
            "signed block moved into the Body, forged copy in its place",
            {
                let e = envelope.replacen(&signed, &unsigned, 1);
                let at = e.find("<S12:Body").unwrap();
                let at = e[at..].find('>').unwrap() + at + 1;
                let mut e = e;
                e.insert_str(at, &signed);
                e
            },
        ),
    ];
    let signature = {
        let s = envelope.find("<ds:Signature").unwrap();
        let e = envelope.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
        envelope[s..e].to_owned()
    };
    let body_end = envelope.find("</S12:Body>").unwrap() + "</S12:Body>".len();
    let mut cases: Vec<(&str, &str, String)> = wrapped
        .into_iter()
        .map(|(case, e)| (case, "EBMS:0101", e))
        .collect();
    cases.extend([
        (
            "an unknown header block the receiver must understand",
            "EBMS:0103",
            insert(
                after_signed,
                "<x:Routing xmlns:x=\"urn:attacker\" S12:mustUnderstand=\"true\">AP_ELSEWHERE</x:Routing>",
            ),
        ),
        (
            "a second ds:Signature in wsse:Security",
            "EBMS:0103",
            insert(security_inner, &signature.replacen("Id=\"SIG-", "Id=\"SIG2-", 1)),
        ),
        (
            "an element after the Body",
            "EBMS:0009",
            insert(body_end, &unsigned),
        ),
    ]);
    let mut failures = Vec::new();
    for (case, expected, tampered) in &cases {
        let before = stored_count(&b.provider.store).await;
        let answer = post(&b.provider.url, tampered, &parts).await;
        if error_code(&answer) != Some(*expected) {
            failures.push(format!("{case}: answered {answer:?}, not {expected}"));
        }
        if stored_count(&b.provider.store).await != before {
            failures.push(format!("{case}: something was stored"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_nothing_stored(&b, "wrapping", &msg.header.message_id).await;

    // The untouched message is accepted and stored under its signed MessageId (the bench
    // works), with the signed ConversationId and corners.
    let answer = post(&b.provider.url, &envelope, &parts).await;
    assert_eq!(error_code(&answer), None, "{answer:?}");
    let (header, _) = b
        .provider
        .store
        .unanswered(&msg.header.message_id)
        .await
        .unwrap()
        .unwrap();
    let stored = UserMessage::from_xml(&header).unwrap();
    assert_eq!(stored.conversation_id, msg.header.conversation_id);
    assert_eq!(stored.final_recipient(), msg.header.final_recipient());
}

/// What the process logs (a global subscriber: the server's tasks run on any thread).
fn captured_log() -> Arc<std::sync::Mutex<Vec<u8>>> {
    static LOG: std::sync::OnceLock<Arc<std::sync::Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = log.clone();
        let writer = move || Sink(sink.clone());
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::fmt()
                .with_writer(writer)
                .with_ansi(false)
                .finish(),
        );
        log
    })
    .clone()
}

struct Sink(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_message_id_with_other_content_is_refused_and_the_first_kept() {
    let log = captured_log();
    let b = bench().await;
    let id = "dup@requester.example";
    let first = request(id, "Dupont");
    let (envelope, parts) = seal(&b, &b.requester, &first);
    assert_eq!(
        error_code(&post(&b.provider.url, &envelope, &parts).await),
        None
    );
    let (stored_header, stored_regrep) = b.provider.store.unanswered(id).await.unwrap().unwrap();

    // The same bytes again: a resend, acknowledged again.
    let again = post(&b.provider.url, &envelope, &parts).await;
    assert_eq!(error_code(&again), None, "{again:?}");
    // The same MessageId, signed by the same peer, with another request inside.
    let second = request(id, "Martin");
    let (envelope2, parts2) = seal(&b, &b.requester, &second);
    let answer = post(&b.provider.url, &envelope2, &parts2).await;
    assert_eq!(error_code(&answer), Some("EBMS:0004"), "{answer:?}");
    // Or another header (ConversationId) around the same payload.
    let mut third = first.clone();
    third.header.conversation_id = "conversation-2".into();
    let (envelope3, parts3) = seal(&b, &b.requester, &third);
    let answer = post(&b.provider.url, &envelope3, &parts3).await;
    assert_eq!(error_code(&answer), Some("EBMS:0004"), "{answer:?}");
    // The first content stays, unchanged.
    assert_eq!(
        b.provider.store.unanswered(id).await.unwrap().unwrap(),
        (stored_header, stored_regrep)
    );
    assert_eq!(stored_count(&b.provider.store).await, 1);
    // Logged, with the MessageId and no personal data.
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("received before with another content") && l.contains(id))
        .unwrap_or_else(|| panic!("not logged: {log}"));
    assert!(
        !line.contains("Martin") && !line.contains("Dupont"),
        "{line}"
    );
}

/// The signature's key named by `X509IssuerSerial` instead of the token: the KeyInfo is
/// not signed, so the signature still verifies.
fn by_issuer_serial(envelope: &str, issuer: &str, serial: &str) -> String {
    let sig = envelope
        .find("<ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference")
        .unwrap();
    let end = envelope[sig..].find("</ds:KeyInfo>").unwrap() + sig + "</ds:KeyInfo>".len();
    format!(
        "{}<ds:KeyInfo><wsse:SecurityTokenReference><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>{issuer}</ds:X509IssuerName><ds:X509SerialNumber>{serial}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference></ds:KeyInfo>{}",
        &envelope[..sig],
        &envelope[end..]
    )
}

fn serial_decimal(pem: &[u8]) -> String {
    let der = rustls_pemfile_der(pem);
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    cert.serial.to_str_radix(10)
}

fn rustls_pemfile_der(pem: &[u8]) -> Vec<u8> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem)
        .unwrap()
        .as_ref()
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issuer_serial_reference_must_name_the_issuer_too() {
    let b = bench().await;
    let pem = std::fs::read(b.dir.join("AP_REQUESTER.pem")).unwrap();
    let serial = serial_decimal(&pem);
    let msg = request("issuer-serial@requester.example", "Dupont");
    let (envelope, parts) = seal(&b, &b.requester, &msg);
    // Another issuer with the right serial: not the configured peer's certificate.
    let wrong = by_issuer_serial(&envelope, "CN=Another CA,O=Elsewhere", &serial);
    let answer = post(&b.provider.url, &wrong, &parts).await;
    assert_eq!(error_code(&answer), Some("EBMS:0101"), "{answer:?}");
    assert_eq!(stored_count(&b.provider.store).await, 0);
    // The issuer as toolkits write it (RFC 4514, any case and spacing) is accepted.
    let right = by_issuer_serial(&envelope, "cn = Test eDelivery CA", &serial);
    let answer = post(&b.provider.url, &right, &parts).await;
    assert_eq!(error_code(&answer), None, "{answer:?}");
    assert_eq!(stored_count(&b.provider.store).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_signed_by_another_trusted_certificate_is_not_a_receipt() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    pki(dir, &["AP_PROVIDER", "AP_REQUESTER", "AP_STRANGER"]);
    let (provider_port, peer_port) = (free_port(), free_port());
    // The peer's endpoint answers with receipts signed by AP_STRANGER's key: trusted by
    // the CA, acknowledging every digest, but not AP_REQUESTER's configured certificate.
    // Signed, not encrypted: the impostor could not decrypt what is meant for the peer.
    let mut impostor = settings(
        dir,
        "AP_REQUESTER",
        "AP_STRANGER",
        "AP_PROVIDER",
        provider_port,
    );
    impostor.encrypt = false;
    let _peer = access_point(&impostor, peer_port).await;
    let mut provider = settings(dir, "AP_PROVIDER", "AP_PROVIDER", "AP_REQUESTER", peer_port);
    provider.encrypt = false;
    let provider = access_point(&provider, provider_port).await;
    let mut answer = request("answer-1@provider.example", "Dupont");
    answer.header.from.party_id = "AP_PROVIDER".into();
    answer.header.to.party_id = "AP_REQUESTER".into();
    let sent = tokio::time::timeout(Duration::from_secs(20), provider.gateway.submit(&answer))
        .await
        .unwrap();
    assert!(
        sent.is_err(),
        "a receipt from the wrong signer was taken: {sent:?}"
    );

    // The real peer's receipt is taken (the bench works).
    let tmp2 = tempfile::tempdir().unwrap();
    let dir2 = tmp2.path();
    pki(dir2, &["AP_PROVIDER", "AP_REQUESTER"]);
    let (provider_port, peer_port) = (free_port(), free_port());
    let _peer = access_point(
        &settings(
            dir2,
            "AP_REQUESTER",
            "AP_REQUESTER",
            "AP_PROVIDER",
            provider_port,
        ),
        peer_port,
    )
    .await;
    let provider = access_point(
        &settings(
            dir2,
            "AP_PROVIDER",
            "AP_PROVIDER",
            "AP_REQUESTER",
            peer_port,
        ),
        provider_port,
    )
    .await;
    let sent = tokio::time::timeout(Duration::from_secs(20), provider.gateway.submit(&answer))
        .await
        .unwrap();
    assert_eq!(sent.unwrap(), "answer-1@provider.example");
}

/// A peer endpoint that answers with a genuine error signal signed by `signer`, with an
/// unsigned receipt acknowledging exactly what was sent wrapped into its
/// `wsse:Security`: what a man in the middle holding any signed signal of the peer
/// could send.
async fn wrapping_peer(port: u16, signer: Arc<Credentials>) {
    use axum::body::Bytes;
    use axum::http::HeaderMap;
    let handler = move |headers: HeaderMap, body: Bytes| {
        let signer = signer.clone();
        async move {
            let content_type = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let packaged = mime::parse(&content_type, &body, &mime::MimeLimits::default()).unwrap();
            let soap = String::from_utf8(packaged.soap).unwrap();
            let id = UserMessage::from_xml(&soap).unwrap().message_id;
            // What a receipt must acknowledge: the digests of what was signed.
            let doc = roxmltree::Document::parse(&soap).unwrap();
            let references: Vec<wss::SignedReference> = doc
                .descendants()
                .filter(|n| n.tag_name().name() == "Reference" && n.has_attribute("URI"))
                .filter(|n| n.parent().is_some_and(|p| p.tag_name().name() == "SignedInfo"))
                .map(|r| {
                    use base64::Engine;
                    let digest = r
                        .descendants()
                        .find(|d| d.tag_name().name() == "DigestValue")
                        .and_then(|d| d.text())
                        .unwrap();
                    wss::SignedReference {
                        uri: r.attribute("URI").unwrap().to_owned(),
                        digest: base64::engine::general_purpose::STANDARD
                            .decode(digest.trim())
                            .unwrap(),
                        xml: format!(
                            "<ds:Reference xmlns:ds=\"{}\" URI=\"{}\"><ds:DigestValue>{}</ds:DigestValue></ds:Reference>",
                            wss::DS_NS,
                            r.attribute("URI").unwrap(),
                            digest.trim()
                        ),
                    }
                })
                .collect();
            let now = "2026-12-06T10:00:00Z";
            let forged = signal::receipt("", "forged-receipt@x", &id, now, &references);
            let genuine = wss::seal(
                &Seal {
                    credentials: &signer,
                    encrypt_for: None,
                },
                |attrs| signal::error(attrs, "e1@peer", Some(&id), now, "EBMS:0004", "refused"),
                Vec::new(),
            )
            .unwrap();
            let mut envelope = String::from_utf8(genuine.envelope).unwrap();
            let at = envelope.find("<wsse:Security").unwrap();
            let at = envelope[at..].find('>').unwrap() + at + 1;
            envelope.insert_str(at, &forged);
            (
                [("content-type", "application/soap+xml; charset=UTF-8")],
                envelope,
            )
        }
    };
    let app = axum::Router::new().route("/as4", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_wrapped_into_a_signed_error_signal_is_not_a_receipt() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    pki(dir, &["AP_PROVIDER", "AP_REQUESTER"]);
    let (provider_port, peer_port) = (free_port(), free_port());
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let peer_key =
        Credentials::from_pem(&read("AP_REQUESTER.key"), &read("AP_REQUESTER.pem")).unwrap();
    wrapping_peer(peer_port, Arc::new(peer_key)).await;
    let mut provider = settings(dir, "AP_PROVIDER", "AP_PROVIDER", "AP_REQUESTER", peer_port);
    provider.encrypt = false;
    let provider = access_point(&provider, provider_port).await;
    let mut answer = request("answer-2@provider.example", "Dupont");
    answer.header.from.party_id = "AP_PROVIDER".into();
    answer.header.to.party_id = "AP_REQUESTER".into();
    let sent = tokio::time::timeout(Duration::from_secs(20), provider.gateway.submit(&answer))
        .await
        .unwrap();
    assert!(sent.is_err(), "a wrapped receipt was taken: {sent:?}");
}
