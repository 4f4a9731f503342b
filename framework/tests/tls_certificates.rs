//! Certificates at the edges: the listener asks clients for a TLS certificate from the
//! peers' CAs (mutual TLS) and refuses a revoked one (CRL); our AS4 client presents its
//! own certificate to a peer that asks; a message signed with a revoked certificate is
//! refused (`trust_crls` of the AS4 trust store). Real rustls on loopback, real
//! certificates and CRLs made with rcgen.

mod as4_support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use oots_framework::gateway::as4::msh::As4Gateway;
use oots_framework::gateway::as4::pmode::{As4Settings, PMode, PeerSettings};
use oots_framework::gateway::{Gateway, GatewayError, OutboundMessage};
use oots_framework::secret::SecretRef;
use oots_framework::store::SqliteStore;
use oots_framework::tls::{ClientAuth, TlsListener, TlsSettings};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, ExtendedKeyUsagePurpose,
    IsCa, Issuer, KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
};

const REVOKED_TLS_SERIAL: u64 = 1002;
const REVOKED_SIGNER_SERIAL: u64 = 2002;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ca(dir: &Path, name: &str) -> Issuer<'static, KeyPair> {
    let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join(format!("{name}.pem")), cert.pem()).unwrap();
    Issuer::new(params, key)
}

/// A leaf certificate `<name>.pem` / `<name>.key` (RSA: AS4 keys must be) from `issuer`.
fn leaf(
    dir: &Path,
    issuer: &Issuer<'static, KeyPair>,
    name: &str,
    serial: u64,
    usage: Option<ExtendedKeyUsagePurpose>,
    dns: &[&str],
) {
    let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let mut p =
        CertificateParams::new(dns.iter().map(|d| d.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(rcgen::DnType::CommonName, name);
    p.serial_number = Some(SerialNumber::from(serial));
    p.extended_key_usages = usage.into_iter().collect();
    let cert = p.signed_by(&key, issuer).unwrap();
    std::fs::write(dir.join(format!("{name}.key")), key.serialize_pem()).unwrap();
    std::fs::write(dir.join(format!("{name}.pem")), cert.pem()).unwrap();
}

/// The test PKI: `ca` (server, clients, access points, `ca.crl` revoking
/// `revoked-client` and `AP_REVOKED`) and `other-ca` (`stranger-client`).
fn pki(dir: &Path) {
    let ca_issuer = ca(dir, "ca");
    leaf(dir, &ca_issuer, "tls", 10, None, &["localhost"]);
    let client = Some(ExtendedKeyUsagePurpose::ClientAuth);
    leaf(dir, &ca_issuer, "client", 1001, client.clone(), &[]);
    leaf(
        dir,
        &ca_issuer,
        "revoked-client",
        REVOKED_TLS_SERIAL,
        client.clone(),
        &[],
    );
    leaf(dir, &ca_issuer, "AP_PROVIDER", 2000, None, &[]);
    leaf(dir, &ca_issuer, "AP_GOOD", 2001, None, &[]);
    leaf(
        dir,
        &ca_issuer,
        "AP_REVOKED",
        REVOKED_SIGNER_SERIAL,
        None,
        &[],
    );
    let other = ca(dir, "other-ca");
    leaf(dir, &other, "stranger-client", 1001, client, &[]);
    let revoked = |serial: u64| RevokedCertParams {
        serial_number: SerialNumber::from(serial),
        revocation_time: rcgen::date_time_ymd(2025, 1, 1),
        reason_code: Some(rcgen::RevocationReason::KeyCompromise),
        invalidity_date: None,
    };
    let crl = CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2025, 1, 1),
        next_update: rcgen::date_time_ymd(2035, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![revoked(REVOKED_TLS_SERIAL), revoked(REVOKED_SIGNER_SERIAL)],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&ca_issuer)
    .unwrap();
    std::fs::write(dir.join("ca.crl"), crl.pem().unwrap()).unwrap();
}

/// An https server on loopback with `http.tls` as given, counting the requests it serves.
async fn https_server(settings: &TlsSettings) -> (u16, Arc<AtomicUsize>) {
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    let app = axum::Router::new().fallback(move || {
        let count = count.clone();
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            "served"
        }
    });
    let port = free_port();
    let tcp = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let listener = TlsListener::new(tcp, settings.server_config().unwrap()).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, served)
}

fn mtls(dir: &Path, required: bool, crls: bool) -> TlsSettings {
    TlsSettings {
        certificate: dir.join("tls.pem"),
        private_key: SecretRef::File(dir.join("tls.key")),
        client_auth: Some(ClientAuth {
            trust: dir.join("ca.pem"),
            required,
            crls: if crls {
                vec![dir.join("ca.crl")]
            } else {
                Vec::new()
            },
        }),
    }
}

/// `GET https://localhost:<port>/` presenting `<client>.pem` (or nothing): the status, or
/// `None` when the TLS session was refused.
async fn get(dir: &Path, port: u16, client: Option<&str>) -> Option<u16> {
    let ca = std::fs::read(dir.join("ca.pem")).unwrap();
    let mut b = reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(&ca).unwrap())
        .timeout(Duration::from_secs(5));
    if let Some(name) = client {
        let mut pem = std::fs::read(dir.join(format!("{name}.key"))).unwrap();
        pem.extend(std::fs::read(dir.join(format!("{name}.pem"))).unwrap());
        b = b.identity(reqwest::Identity::from_pem(&pem).unwrap());
    }
    b.build()
        .unwrap()
        .get(format!("https://localhost:{port}/"))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_requires_a_client_certificate_from_the_peers_ca() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let (port, served) = https_server(&mtls(dir.path(), true, false)).await;
    assert_eq!(get(dir.path(), port, None).await, None, "no certificate");
    assert_eq!(
        get(dir.path(), port, Some("stranger-client")).await,
        None,
        "a certificate from another CA"
    );
    assert_eq!(served.load(Ordering::SeqCst), 0);
    assert_eq!(get(dir.path(), port, Some("client")).await, Some(200));
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optional_client_auth_serves_clients_without_a_certificate_but_checks_one_shown() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let (port, _) = https_server(&mtls(dir.path(), false, true)).await;
    assert_eq!(get(dir.path(), port, None).await, Some(200));
    assert_eq!(get(dir.path(), port, Some("client")).await, Some(200));
    assert_eq!(get(dir.path(), port, Some("stranger-client")).await, None);
    assert_eq!(get(dir.path(), port, Some("revoked-client")).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_refuses_a_revoked_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let (port, served) = https_server(&mtls(dir.path(), true, true)).await;
    assert_eq!(get(dir.path(), port, Some("revoked-client")).await, None);
    assert_eq!(served.load(Ordering::SeqCst), 0);
    assert_eq!(get(dir.path(), port, Some("client")).await, Some(200));
}

#[test]
fn a_crl_that_does_not_read_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    std::fs::write(dir.path().join("ca.crl"), "not a CRL").unwrap();
    let e = mtls(dir.path(), true, true).server_config().unwrap_err();
    assert!(e.contains("http.tls.client_auth.crls"), "{e}");
}

fn as4_settings(dir: &Path, party: &str, peer: &str, peer_port: u16, scheme: &str) -> As4Settings {
    let mut s =
        as4_support::as4_settings_for(dir, party, peer, format!("{scheme}:{peer_port}/as4"));
    s.timeout_ms = 5_000;
    s.tls_roots = Some(dir.join("ca.pem"));
    s
}

async fn gateway(settings: &As4Settings) -> Arc<As4Gateway> {
    Arc::new(
        As4Gateway::new(
            Arc::new(PMode::load(settings).unwrap()),
            Arc::new(SqliteStore::in_memory().await.unwrap()),
        )
        .unwrap(),
    )
}

fn request(from: &str, message_id: &str) -> OutboundMessage {
    as4_support::birth_request(message_id, from, "AP_PROVIDER")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_as4_client_presents_its_certificate_to_a_peer_that_asks() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let (port, served) = https_server(&mtls(dir.path(), true, true)).await;
    // Without a client certificate the peer's listener refuses the session.
    let without = gateway(&as4_settings(
        dir.path(),
        "AP_GOOD",
        "AP_PROVIDER",
        port,
        "https://localhost",
    ))
    .await;
    assert!(without.submit(&request("AP_GOOD", "m1@x")).await.is_err());
    assert_eq!(served.load(Ordering::SeqCst), 0);
    // With one, the request reaches the peer (which is no access point: no receipt).
    let mut settings = as4_settings(
        dir.path(),
        "AP_GOOD",
        "AP_PROVIDER",
        port,
        "https://localhost",
    );
    settings.tls_client_certificate = Some(dir.path().join("client.pem"));
    settings.tls_client_key = Some(SecretRef::File(dir.path().join("client.key")));
    let with = gateway(&settings).await;
    let _ = with.submit(&request("AP_GOOD", "m2@x")).await;
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_client_certificate_without_its_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let mut settings = as4_settings(dir.path(), "AP_GOOD", "AP_PROVIDER", 1, "http://127.0.0.1");
    settings.tls_client_certificate = Some(dir.path().join("client.pem"));
    let e = PMode::load(&settings).unwrap_err().to_string();
    assert!(e.contains("tls_client_key"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_signed_with_a_revoked_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    // The provider's access point, trusting `ca` with its CRL, knowing both senders.
    let port = free_port();
    let mut settings = as4_settings(dir.path(), "AP_PROVIDER", "AP_GOOD", 1, "http://127.0.0.1");
    settings.peers.push(PeerSettings {
        party_id: "AP_REVOKED".into(),
        endpoint: "http://127.0.0.1:1/as4".into(),
        certificate: dir.path().join("AP_REVOKED.pem"),
        party_type: None,
        retry: None,
    });
    settings.trust_crls = vec![dir.path().join("ca.crl")];
    let provider = gateway(&settings).await;
    let (tx, _rx) = tokio::sync::mpsc::channel(16);
    let app = provider.router(tx);
    let tcp = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(tcp, app).await });

    let revoked = gateway(&as4_settings(
        dir.path(),
        "AP_REVOKED",
        "AP_PROVIDER",
        port,
        "http://127.0.0.1",
    ))
    .await;
    let refused = revoked
        .submit(&request("AP_REVOKED", "revoked@x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, GatewayError::Fault { code, .. } if code == "EBMS:0101"),
        "{refused}"
    );
    // A sender the CRL does not name is received as before.
    let good = gateway(&as4_settings(
        dir.path(),
        "AP_GOOD",
        "AP_PROVIDER",
        port,
        "http://127.0.0.1",
    ))
    .await;
    assert_eq!(
        good.submit(&request("AP_GOOD", "good@x")).await.unwrap(),
        "good@x"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_crls_a_client_whose_ca_has_no_crl_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let both = [
        std::fs::read_to_string(dir.path().join("ca.pem")).unwrap(),
        std::fs::read_to_string(dir.path().join("other-ca.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.path().join("both.pem"), both).unwrap();
    let mut settings = mtls(dir.path(), true, true);
    if let Some(auth) = &mut settings.client_auth {
        auth.trust = dir.path().join("both.pem");
    }
    let (port, _) = https_server(&settings).await;
    assert_eq!(get(dir.path(), port, Some("stranger-client")).await, None);
    assert_eq!(get(dir.path(), port, Some("client")).await, Some(200));
}

#[test]
fn the_as4_trust_store_refuses_a_signer_whose_ca_has_no_crl_once_crls_are_given() {
    use oots_framework::gateway::as4::keys::{Certificate, TrustStore};
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let read = |n: &str| std::fs::read(dir.path().join(n)).unwrap();
    let both = [read("ca.pem"), read("other-ca.pem")].concat();
    let crls = oots_framework::tls::read_crls(&dir.path().join("ca.crl")).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let plain = TrustStore::from_pem(&both).unwrap();
    let checked = plain.clone().with_crls(crls).unwrap();
    let stranger = Certificate::from_pem(&read("stranger-client.pem")).unwrap();
    let good = Certificate::from_pem(&read("AP_GOOD.pem")).unwrap();
    let revoked = Certificate::from_pem(&read("AP_REVOKED.pem")).unwrap();
    assert!(plain.check(&stranger, &[], now).is_ok());
    assert!(plain.check(&revoked, &[], now).is_ok());
    assert!(checked.check(&stranger, &[], now).is_err());
    assert!(checked.check(&revoked, &[], now).is_err());
    assert!(checked.check(&good, &[], now).is_ok());
}
