//! The agreements `oots-adapter serve` (as its own AS4 access point) holds each received
//! user message to, tried with messages a hostile but trusted peer would send: every
//! message is signed and encrypted by a certificate that chains to the trust store, yet
//! each steps outside the agreement in one place (an unknown `From` party, a party-id
//! type, a role, the service or its type, the action, the MPC, a missing or doubled
//! four-corner property, a 2.0 message without `ExchangeId`). Each is refused with the
//! ebMS error the profile names, gets no receipt and no answer, and leaves nothing in the
//! store. Then `originalSender` must be the EDM `EvidenceRequester` (or an intermediary
//! the configuration names): otherwise the answer is an EDM error, not the evidence.

mod as4_support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use as4_support::{free_port, pki};

use oots_framework::clock::{Clock, SystemClock};
use oots_framework::edm::{self, ErrorCode, QueryResponse, XmlLimits};
use oots_framework::gateway::as4::agreement::{self, AgreementSettings};
use oots_framework::gateway::as4::msh::As4Gateway;
use oots_framework::gateway::as4::pmode::{As4Settings, PMode};
use oots_framework::gateway::ebms::{self, Property, UserMessage};
use oots_framework::gateway::{Gateway, GatewayError, Notification, OutboundMessage};
use oots_framework::requester::{self, RequestSpec};
use oots_framework::store::{Exchanges, SqliteStore};
use tokio::sync::mpsc;

const OOTS_PARTY_TYPE: &str = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots";

/// The settings of an access point `party` (keys `<party>.key`/`.pem` in `dir`) that
/// sends to the provider at `provider_port`; it accepts OOTS answers.
fn settings(dir: &Path, party: &str, key_of: &str, provider_port: u16) -> As4Settings {
    let endpoint = format!("http://127.0.0.1:{provider_port}/as4");
    // AP_OTHER: the provider's endpoint and certificate under another name.
    let peers = ["AP_PROVIDER", "AP_OTHER"].map(|party_id| as4_support::KnownPeer {
        party_id,
        endpoint: endpoint.clone(),
        certificate_of: "AP_PROVIDER",
    });
    let mut s = as4_support::as4_settings(dir, party, key_of, &peers);
    s.agreement = AgreementSettings::requester();
    s
}

/// A sending access point, fresh (its cache of sealed messages empty).
async fn sender(dir: &Path, party: &str, key_of: &str, provider_port: u16) -> As4Gateway {
    let pmode = PMode::load(&settings(dir, party, key_of, provider_port)).unwrap();
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    As4Gateway::new(Arc::new(pmode), store).unwrap()
}

/// The requester's receiving side on `port`: answers are announced on the channel and
/// kept in the store.
async fn answers(
    dir: &Path,
    provider_port: u16,
    port: u16,
) -> (mpsc::Receiver<Notification>, Arc<SqliteStore>) {
    answers_as(dir, provider_port, port, OOTS_PARTY_TYPE).await
}

/// [`answers`], the requester's PartyId being of `party_type`.
async fn answers_as(
    dir: &Path,
    provider_port: u16,
    port: u16,
    party_type: &str,
) -> (mpsc::Receiver<Notification>, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let mut settings = settings(dir, "AP_REQUESTER", "AP_REQUESTER", provider_port);
    settings.party_type = party_type.into();
    for peer in &mut settings.peers {
        peer.party_type = Some(OOTS_PARTY_TYPE.into());
    }
    let pmode = PMode::load(&settings).unwrap();
    let gateway = Arc::new(As4Gateway::new(Arc::new(pmode), store.clone()).unwrap());
    let (tx, rx) = mpsc::channel(64);
    let app = gateway.router(tx);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (rx, store)
}

/// A quickstart birth request from `AP_REQUESTER` to `AP_PROVIDER`, as the OOTS profile
/// has it (2.0: four properties).
fn request(message_id: &str) -> OutboundMessage {
    request_with(message_id, |_| {})
}

/// [`request`], its EDM body changed by `edit` first.
fn request_with(message_id: &str, edit: impl FnOnce(&mut edm::EvidenceRequest)) -> OutboundMessage {
    as4_support::request_message(
        message_id,
        "AP_REQUESTER",
        "AP_PROVIDER",
        &RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml"),
        SystemClock.now(),
        edit,
    )
}

fn set_property(h: &mut UserMessage, name: &str, value: Option<&str>) {
    h.properties.retain(|p| p.name != name);
    if let Some(v) = value {
        h.properties.push(Property::new(name, v));
    }
}

type Mutation = fn(&mut UserMessage);

/// One way out of the agreement each, and the ebMS error it must get.
fn mutations() -> Vec<(&'static str, Mutation, &'static str)> {
    vec![
        (
            "from-party-type",
            |h| {
                h.from.party_id_type =
                    Some("urn:oasis:names:tc:ebcore:partyid-type:iso6523:0088".into())
            },
            "EBMS:0010",
        ),
        (
            "from-party-type-missing",
            |h| h.from.party_id_type = None,
            "EBMS:0010",
        ),
        (
            "to-party-type",
            |h| {
                h.to.party_id_type =
                    Some("urn:oasis:names:tc:ebcore:partyid-type:unregistered:other".into())
            },
            "EBMS:0010",
        ),
        (
            "to-party",
            |h| h.to.party_id = "AP_OTHER".into(),
            "EBMS:0010",
        ),
        (
            "test-service-other-action",
            |h| h.service.value = agreement::TEST_SERVICE.into(),
            "EBMS:0010",
        ),
        (
            "from-role",
            |h| h.from.role = "http://example.org/any-role".into(),
            "EBMS:0010",
        ),
        (
            "to-role",
            |h| {
                h.to.role =
                    "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/defaultRole"
                        .into()
            },
            "EBMS:0010",
        ),
        (
            "service",
            |h| h.service.value = "LifecycleManager".into(),
            "EBMS:0010",
        ),
        (
            "service-type",
            |h| h.service.service_type = Some("urn:example:binding".into()),
            "EBMS:0010",
        ),
        (
            "service-type-missing",
            |h| h.service.service_type = None,
            "EBMS:0010",
        ),
        (
            "action",
            |h| h.action = ebms::ACTION_EXECUTE_QUERY_RESPONSE.into(),
            "EBMS:0010",
        ),
        (
            "action-unknown",
            |h| h.action = "SubmitObjectsRequest".into(),
            "EBMS:0010",
        ),
        (
            "mpc",
            |h| h.mpc = Some("http://example.org/another-mpc".into()),
            "EBMS:0010",
        ),
        (
            "original-sender-missing",
            |h| set_property(h, ebms::PROP_ORIGINAL_SENDER, None),
            "EBMS:0010",
        ),
        (
            "final-recipient-missing",
            |h| set_property(h, ebms::PROP_FINAL_RECIPIENT, None),
            "EBMS:0010",
        ),
        (
            "original-sender-empty",
            |h| {
                for p in &mut h.properties {
                    if p.name == ebms::PROP_ORIGINAL_SENDER {
                        p.value = String::new();
                    }
                }
            },
            "EBMS:0010",
        ),
        (
            "original-sender-twice",
            |h| {
                h.properties.insert(
                    0,
                    Property::typed(
                        ebms::PROP_ORIGINAL_SENDER,
                        "99999999999999",
                        "urn:cef.eu:names:identifier:EAS:0009",
                    ),
                )
            },
            "EBMS:0010",
        ),
        (
            "exchange-id-missing",
            |h| set_property(h, ebms::PROP_EXCHANGE_ID, None),
            "EBMS:0010",
        ),
        (
            "exchange-id-empty",
            |h| set_property(h, ebms::PROP_EXCHANGE_ID, Some(" ")),
            "EBMS:0010",
        ),
    ]
}

fn fault_code(e: &GatewayError) -> &str {
    match e {
        GatewayError::Fault { code, .. } => code,
        _ => "",
    }
}

/// What the provider's store holds of `message_id` (after `serve` stopped).
async fn stored(dir: &Path, ids: &[String]) -> Vec<String> {
    let store = SqliteStore::open(&dir.join("state/adapter.db"))
        .await
        .unwrap();
    let mut held = Vec::new();
    for id in ids {
        if store.state_of(id).await.unwrap().is_some() {
            held.push(id.clone());
        }
    }
    held
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_outside_the_agreement_is_refused_unstored_and_unanswered() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER", "AP_STRANGER"]);
    let (port, requester_port) = (free_port(), free_port());
    let served = as4_support::serve(
        dir.path(),
        "AP_PROVIDER",
        port,
        "AP_REQUESTER",
        requester_port,
    );
    let (mut answered, _) = answers(dir.path(), port, requester_port).await;
    let mut refused = Vec::new();
    let mut wrong = Vec::new();

    for (name, mutate, code) in mutations() {
        let id = format!("{name}@requester.example");
        let mut msg = request(&id);
        mutate(&mut msg.header);
        let sent = sender(dir.path(), "AP_REQUESTER", "AP_REQUESTER", port)
            .await
            .submit(&msg)
            .await;
        match &sent {
            Err(e) if fault_code(e) == code => {}
            other => wrong.push(format!("{name}: expected {code}, got {other:?}")),
        }
        refused.push(id);
    }
    // A party the provider has no agreement with, whose certificate chains to the trust
    // store: no receipt either.
    let id = "stranger@requester.example".to_owned();
    let mut msg = request(&id);
    msg.header.from.party_id = "AP_STRANGER".into();
    match sender(dir.path(), "AP_STRANGER", "AP_STRANGER", port)
        .await
        .submit(&msg)
        .await
    {
        Err(e) if fault_code(&e) == "EBMS:0010" => {}
        other => wrong.push(format!(
            "unknown From party: expected EBMS:0010, got {other:?}"
        )),
    }
    refused.push(id);

    // The ebMS test service with its test action: acknowledged, never delivered.
    let mut ping = request("ping@requester.example");
    ping.header.service.value = agreement::TEST_SERVICE.into();
    ping.header.service.service_type = None;
    ping.header.action = agreement::TEST_ACTION.into();
    let pinged = sender(dir.path(), "AP_REQUESTER", "AP_REQUESTER", port)
        .await
        .submit(&ping)
        .await;
    if pinged.is_err() {
        wrong.push(format!("test service: {pinged:?}"));
    }
    refused.push("ping@requester.example".to_owned());

    // Within the agreement (no `mpc`: the default MPC), the same peer is answered.
    let mut ok = request("fine@requester.example");
    ok.header.mpc = None;
    let sent = sender(dir.path(), "AP_REQUESTER", "AP_REQUESTER", port)
        .await
        .submit(&ok)
        .await;
    let first = tokio::time::timeout(Duration::from_secs(20), answered.recv()).await;
    // Nothing else comes back: no answer to any refused message.
    let more = tokio::time::timeout(Duration::from_secs(2), answered.recv()).await;
    let log = served.stop();
    assert!(wrong.is_empty(), "{}\n{log}", wrong.join("\n"));
    assert!(sent.is_ok(), "{sent:?}\n{log}");
    assert!(
        matches!(first, Ok(Some(Notification::Received(_)))),
        "{first:?}\n{log}"
    );
    assert!(more.is_err(), "a refused message was answered: {more:?}");
    assert_eq!(stored(dir.path(), &refused).await, Vec::<String>::new());
    assert_eq!(
        stored(dir.path(), &["fine@requester.example".to_owned()])
            .await
            .len(),
        1
    );
    // The refusals are logged with the rule, never with the message's personal data.
    assert!(log.contains("EBMS:0010"), "{log}");
    assert!(
        !log.contains("Dupont") && !log.contains("1992-10-22"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_with_its_own_party_id_type_is_held_to_it() {
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
    let yaml = std::fs::read_to_string(&config).unwrap().replace(
        "    - party_id: AP_REQUESTER\n",
        "    - party_id: AP_REQUESTER\n      party_type: urn:cef.eu:names:identifier:EAS:0204\n",
    );
    std::fs::write(&config, yaml).unwrap();
    let served = as4_support::spawn(&config, port);
    // The answer is addressed to the type the request came from.
    let (mut answered, _) = answers_as(
        dir.path(),
        port,
        requester_port,
        "urn:cef.eu:names:identifier:EAS:0204",
    )
    .await;

    // The OOTS default type, which another peer may use, is not this peer's.
    let default_type = sender(dir.path(), "AP_REQUESTER", "AP_REQUESTER", port)
        .await
        .submit(&request("default-type@requester.example"))
        .await;
    let mut own = request("own-type@requester.example");
    own.header.from.party_id_type = Some("urn:cef.eu:names:identifier:EAS:0204".into());
    let own_type = sender(dir.path(), "AP_REQUESTER", "AP_REQUESTER", port)
        .await
        .submit(&own)
        .await;
    let first = tokio::time::timeout(Duration::from_secs(20), answered.recv()).await;
    let log = served.stop();
    assert!(
        matches!(&default_type, Err(e) if fault_code(e) == "EBMS:0010"),
        "{default_type:?}\n{log}"
    );
    assert!(own_type.is_ok(), "{own_type:?}\n{log}");
    assert!(
        matches!(first, Ok(Some(Notification::Received(_)))),
        "{first:?}"
    );
}

/// What the provider answers `msg` with.
async fn answer_to(
    dir: &Path,
    provider_port: u16,
    msg: OutboundMessage,
    answered: &mut mpsc::Receiver<Notification>,
    answers_store: &SqliteStore,
) -> QueryResponse {
    let sent = sender(dir, "AP_REQUESTER", "AP_REQUESTER", provider_port)
        .await
        .submit(&msg)
        .await;
    assert!(sent.is_ok(), "{sent:?}");
    let id = match tokio::time::timeout(Duration::from_secs(20), answered.recv()).await {
        Ok(Some(Notification::Received(a))) => a,
        other => panic!("no answer: {other:?}"),
    };
    let (_, regrep) = answers_store.unanswered(&id).await.unwrap().unwrap();
    edm::parse_response(&regrep, &XmlLimits::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn original_sender_must_be_the_evidence_requester_or_a_named_intermediary() {
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
    let mut yaml = std::fs::read_to_string(&config).unwrap();
    yaml.push_str(
        "exchange:\n  intermediaries:\n    - scheme: urn:cef.eu:names:identifier:EAS:0009\n      identifier: \"00000000000077\"\n",
    );
    std::fs::write(&config, yaml).unwrap();
    let served = as4_support::spawn(&config, port);

    let (mut answered, store) = answers(dir.path(), port, requester_port).await;

    let with_sender = |id: &str, value: &str, scheme: &str| {
        let mut msg = request(id);
        for p in &mut msg.header.properties {
            if p.name == ebms::PROP_ORIGINAL_SENDER {
                p.value = value.into();
                p.property_type = Some(scheme.into());
            }
        }
        msg
    };
    const EAS_0009: &str = "urn:cef.eu:names:identifier:EAS:0009";
    let cases = [
        // Another authority than the body's EvidenceRequester (00000000000002).
        ("other@requester.example", "99999999999999", EAS_0009, false),
        // The requester's number under another scheme.
        (
            "scheme@requester.example",
            "00000000000002",
            "urn:cef.eu:names:identifier:EAS:9930",
            false,
        ),
        // The configured intermediary platform.
        (
            "platform@requester.example",
            "00000000000077",
            EAS_0009,
            true,
        ),
        // The EvidenceRequester itself.
        ("itself@requester.example", "00000000000002", EAS_0009, true),
    ];
    let mut wrong = Vec::new();
    // The intermediary platform the request itself names (an `IP` agent beside the `ER`).
    let mut named = request_with("named-platform@requester.example", |r| {
        let mut platform = requester::requester_agent();
        platform.identifier.value = "00000000000088".into();
        platform.address = None;
        platform.classification = Some("IP".into());
        r.requesters.push(platform);
    });
    for p in &mut named.header.properties {
        if p.name == ebms::PROP_ORIGINAL_SENDER {
            p.value = "00000000000088".into();
        }
    }
    if let QueryResponse::Error(e) = answer_to(dir.path(), port, named, &mut answered, &store).await
    {
        wrong.push(format!("named-platform: {e:?}"));
    }
    for (id, value, scheme, evidence) in cases {
        let answer = answer_to(
            dir.path(),
            port,
            with_sender(id, value, scheme),
            &mut answered,
            &store,
        )
        .await;
        match (&answer, evidence) {
            (QueryResponse::Evidence(_), true) => {}
            (QueryResponse::Error(e), false)
                if e.exceptions.iter().any(|x| {
                    x.code == ErrorCode::InvalidRequest
                        && x.detail
                            .as_deref()
                            .is_some_and(|d| d.contains("originalSender"))
                }) => {}
            other => wrong.push(format!("{id}: {other:?}")),
        }
    }
    let log = served.stop();
    assert!(wrong.is_empty(), "{}\n{log}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_0_body_under_a_header_without_its_2_0_properties_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let (port, requester_port) = (free_port(), free_port());
    let served = as4_support::serve(
        dir.path(),
        "AP_PROVIDER",
        port,
        "AP_REQUESTER",
        requester_port,
    );
    let (mut answered, store) = answers(dir.path(), port, requester_port).await;
    // Without SpecificationId the header does not say 2.0, so the agreement cannot ask
    // for ExchangeId; the body does say it.
    let mut msg = request("bare@requester.example");
    set_property(&mut msg.header, ebms::PROP_EXCHANGE_ID, None);
    set_property(&mut msg.header, ebms::PROP_SPECIFICATION_ID, None);
    let answer = answer_to(dir.path(), port, msg, &mut answered, &store).await;
    let log = served.stop();
    match &answer {
        QueryResponse::Error(e)
            if e.exceptions.iter().any(|x| {
                x.code == ErrorCode::InvalidRequest
                    && x.detail
                        .as_deref()
                        .is_some_and(|d| d.contains("R-EDM-ebMS-018"))
            }) => {}
        other => panic!("{other:?}\n{log}"),
    }
}
