//! What the AS4 suites share: a test PKI and `oots-adapter serve` as an AS4 access point.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A test CA and leaf certificates, written as PEM files into `dir`.
pub fn pki(dir: &Path, leaves: &[&str]) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test eDelivery CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    // A TLS server certificate for `localhost`, from the same CA.
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    std::fs::write(dir.join("tls.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.join("tls.pem"), cert.pem()).unwrap();
    for cn in leaves {
        let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, *cn);
        let cert = p.signed_by(&key, &issuer).unwrap();
        std::fs::write(dir.join(format!("{cn}.key")), key.serialize_pem()).unwrap();
        std::fs::write(dir.join(format!("{cn}.pem")), cert.pem()).unwrap();
    }
}

pub struct Served {
    child: Child,
    log: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Served {
    /// The adapter's process id (its memory is read from `/proc/<pid>/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        self.log.take().unwrap().join().unwrap().join("\n")
    }
}

/// `oots-adapter serve` on `port` as the AS4 access point `party` (keys `<party>.key`,
/// `<party>.pem` and `ca.pem` in `dir`), answering the quickstart mapping, with one peer
/// `peer` reached at `peer_port`.
pub fn serve(dir: &Path, party: &str, port: u16, peer: &str, peer_port: u16) -> Served {
    let config = write_config(dir, party, port, peer, peer_port);
    spawn(&config, port)
}

/// [`serve`] over https (`http.tls` with `tls.pem`), reaching the peer over https too
/// (`tls_roots: ca.pem`).
pub fn serve_tls(dir: &Path, party: &str, port: u16, peer: &str, peer_port: u16) -> Served {
    let config = write_config(dir, party, port, peer, peer_port);
    let yaml = std::fs::read_to_string(&config).unwrap();
    let yaml = yaml
        .replace(
            &format!("http://127.0.0.1:{peer_port}/as4"),
            &format!("https://localhost:{peer_port}/as4"),
        )
        .replace("  trust_store: ca.pem\n", "  trust_store: ca.pem\n  tls_roots: ca.pem\n")
        .replace(
            &format!("http:\n  listen: 127.0.0.1:{port}\n"),
            &format!(
                "http:\n  listen: 127.0.0.1:{port}\n  tls:\n    certificate: tls.pem\n    private_key: file:tls.key\n"
            ),
        );
    std::fs::write(&config, yaml).unwrap();
    spawn(&config, port)
}

/// The `adapter.yaml` [`serve`] runs with.
pub fn write_config(
    dir: &Path,
    party: &str,
    port: u16,
    peer: &str,
    peer_port: u16,
) -> std::path::PathBuf {
    let q = workspace().join("examples/quickstart");
    let config = dir.join("adapter.yaml");
    std::fs::write(
        &config,
        format!(
            "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: {{ EN: Civil Registration Office Berlin I }}\n  country: DE\n\
             mappings: {mappings}\n\
             connections:\n  birth_register:\n    type: sql\n    url: sqlite://{db}\n    init: {seed}\n\
             gateway:\n  type: as4\n  party_id: {party}\n  private_key: file:{party}.key\n  certificate: {party}.pem\n  trust_store: ca.pem\n  retry: {{ attempts: 3, initial_ms: 100 }}\n  peers:\n    - party_id: {peer}\n      endpoint: http://127.0.0.1:{peer_port}/as4\n      certificate: {peer}.pem\n\
             http:\n  listen: 127.0.0.1:{port}\n\
             preview:\n  public_url: https://localhost:8443/preview\n",
            mappings = q.join("mappings").display(),
            db = dir.join("registry.db").display(),
            seed = q.join("registry/seed.sql").display(),
        ),
    )
    .unwrap();
    config
}

/// `oots-adapter serve --config <config>`, once `port` accepts connections.
pub fn spawn(config: &Path, port: u16) -> Served {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oots-adapter"));
    cmd.args(["serve", "--config"]).arg(config);
    spawn_command(cmd, port)
}

/// Runs `cmd` (which starts `oots-adapter serve`), once `port` accepts connections.
pub fn spawn_command(mut cmd: Command, port: u16) -> Served {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Served {
        child,
        log: Some(log),
    }
}

/// A peer an access point knows: its PartyId, endpoint, and whose certificate (in the
/// test PKI) it signs with.
pub struct KnownPeer<'a> {
    pub party_id: &'a str,
    pub endpoint: String,
    pub certificate_of: &'a str,
}

/// The AS4 settings of `party`, signing with `key_of`'s key of the test PKI in `dir` and
/// knowing `peers`; every other key at its default (the OOTS party type and agreement,
/// encryption and compression on), except one quick attempt per send. Suites change what
/// they test.
pub fn as4_settings(
    dir: &Path,
    party: &str,
    key_of: &str,
    peers: &[KnownPeer<'_>],
) -> oots_framework::gateway::as4::pmode::As4Settings {
    let d = dir.display();
    let peers: Vec<serde_json::Value> = peers
        .iter()
        .map(|p| {
            serde_json::json!({
                "party_id": p.party_id,
                "endpoint": p.endpoint,
                "certificate": format!("{d}/{}.pem", p.certificate_of),
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "party_id": party,
        "private_key": format!("file:{d}/{key_of}.key"),
        "certificate": format!("{d}/{key_of}.pem"),
        "trust_store": format!("{d}/ca.pem"),
        "retry": { "attempts": 1, "initial_ms": 10, "max_ms": 10 },
        "timeout_ms": 10_000,
        "peers": peers,
    }))
    .unwrap()
}

/// `party`'s settings knowing one peer at `endpoint`, signing with their own keys.
pub fn as4_settings_for(
    dir: &Path,
    party: &str,
    peer: &str,
    endpoint: String,
) -> oots_framework::gateway::as4::pmode::As4Settings {
    as4_settings(
        dir,
        party,
        party,
        &[KnownPeer {
            party_id: peer,
            endpoint,
            certificate_of: peer,
        }],
    )
}

/// The content id of the RegRep part of [`request_message`].
pub const REGREP_CID: &str = "regrep@requester.example";

/// An OOTS request (2.0, four properties) for `spec` from `from` to `to`, stamped as
/// sent at `sent`, its EDM body changed by `edit` first.
pub fn request_message(
    message_id: &str,
    from: &str,
    to: &str,
    spec: &oots_framework::requester::RequestSpec,
    sent: chrono::DateTime<chrono::Utc>,
    edit: impl FnOnce(&mut oots_framework::edm::EvidenceRequest),
) -> oots_framework::gateway::OutboundMessage {
    use oots_framework::clock::{IdSource, RandomIds};
    use oots_framework::requester;
    let ids = RandomIds;
    let mut request = requester::build_request(spec, &ids, sent);
    edit(&mut request);
    let mut header = requester::request_header(
        &request,
        message_id.into(),
        "conversation-1".into(),
        ids.uuid().to_string(),
        REGREP_CID,
        sent,
    );
    header.from.party_id = from.into();
    header.to.party_id = to.into();
    oots_framework::gateway::OutboundMessage {
        header,
        payloads: vec![oots_framework::gateway::Payload {
            content_id: REGREP_CID.into(),
            mime_type: "application/x-ebrs+xml".into(),
            bytes: oots_framework::edm::write_request(&request).into_bytes(),
        }],
    }
}

/// The quickstart's birth request for Jean Dupont (born 1992-10-22), sent now.
pub fn birth_request(
    message_id: &str,
    from: &str,
    to: &str,
) -> oots_framework::gateway::OutboundMessage {
    use oots_framework::clock::{Clock, SystemClock};
    request_message(
        message_id,
        from,
        to,
        &oots_framework::requester::RequestSpec::quickstart_birth(
            "Dupont",
            "Jean",
            "1992-10-22",
            "application/xml",
        ),
        SystemClock.now(),
        |_| {},
    )
}

/// The requester's access point over plain http: our AS4 stack, its store, its inbox.
pub async fn plain_requester(
    dir: &Path,
    provider_port: u16,
    port: u16,
) -> (
    std::sync::Arc<oots_framework::gateway::as4::msh::As4Gateway>,
    std::sync::Arc<oots_framework::store::SqliteStore>,
    tokio::sync::mpsc::Receiver<oots_framework::gateway::Notification>,
) {
    let mut settings = as4_settings_for(
        dir,
        "AP_REQUESTER",
        "AP_PROVIDER",
        format!("http://127.0.0.1:{provider_port}/as4"),
    );
    settings.retry = oots_framework::gateway::as4::pmode::RetrySettings {
        attempts: 3,
        initial_ms: 100,
        max_ms: 1000,
    };
    settings.agreement = oots_framework::gateway::as4::agreement::AgreementSettings::requester();
    let store = std::sync::Arc::new(
        oots_framework::store::SqliteStore::in_memory()
            .await
            .unwrap(),
    );
    let pmode = oots_framework::gateway::as4::pmode::PMode::load(&settings).unwrap();
    let gateway = std::sync::Arc::new(
        oots_framework::gateway::as4::msh::As4Gateway::new(
            std::sync::Arc::new(pmode),
            store.clone(),
        )
        .unwrap(),
    );
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let app = gateway.router(tx);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (gateway, store, rx)
}
