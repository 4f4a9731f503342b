//! Mutual TLS: a CA, a server and a client certificate generated in the test; the
//! registry serves HTTPS on loopback and requires a client certificate.

mod common;

use std::sync::Arc;

use axum::serve::Listener;
use common::*;
use oots_connector::{CancellationToken, Connector, ConnectorError, FieldPaths, Lookup, Params};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A TLS listener for `axum::serve`: failed handshakes (no client cert) are dropped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

#[tokio::test]
async fn mtls_lookup_works_with_the_client_identity_and_fails_without() {
    // PKI: one CA signs the server (localhost / 127.0.0.1) and the client certificates.
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap()
            .signed_by(&server_key, &ca)
            .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client_cert = CertificateParams::new(vec!["adapter".to_string()])
        .unwrap()
        .signed_by(&client_key, &ca)
        .unwrap();

    let dir = secrets();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.path().join("client.pem"), client_cert.pem()).unwrap();
    std::fs::write(dir.path().join("client.key"), client_key.serialize_pem()).unwrap();
    // A client certificate from an unrelated CA must not be accepted either.
    let other_ca_params = {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p
    };
    let other_ca =
        CertifiedIssuer::self_signed(other_ca_params, KeyPair::generate().unwrap()).unwrap();
    let rogue_key = KeyPair::generate().unwrap();
    let rogue_cert = CertificateParams::new(vec!["rogue".to_string()])
        .unwrap()
        .signed_by(&rogue_key, &other_ca)
        .unwrap();
    std::fs::write(dir.path().join("rogue.pem"), rogue_cert.pem()).unwrap();
    std::fs::write(dir.path().join("rogue.key"), rogue_key.serialize_pem()).unwrap();

    // Server: rustls requiring a client certificate signed by the CA.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(server_cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let reg = Arc::new(Registry::default());
    let app = router(reg.clone());
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    let base = format!("https://127.0.0.1:{}/api", addr.port());

    let run = |c: oots_connector_rest::RestConnector| async move {
        let (p, f) = (Params::new(), FieldPaths::new());
        let lookup = Lookup {
            query: "/many",
            params: &p,
            fields: &f,
            limits: limits(5000, 100),
        };
        c.lookup(&lookup, &CancellationToken::new()).await
    };

    let with_identity = connector(
        json!({"base_url": base, "retries": 0,
               "auth": {"type": "mtls", "cert": "client.pem", "key": "client.key", "ca": "ca.pem"}}),
        dir.path(),
    );
    let recs = run(with_identity).await.unwrap();
    assert_eq!(recs.len(), 10);

    // A client certificate from another CA is refused.
    let rogue = connector(
        json!({"base_url": base, "retries": 0,
               "auth": {"type": "mtls", "cert": "rogue.pem", "key": "rogue.key", "ca": "ca.pem"}}),
        dir.path(),
    );
    let err = run(rogue).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable(_)), "{err:?}");

    // Trusting the server (same CA) but without a client identity: refused.
    let no_identity = connector(
        json!({"base_url": base, "retries": 0, "ca": "ca.pem"}),
        dir.path(),
    );
    let err = run(no_identity).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable(_)), "{err:?}");
    // Without `ca` the server's private CA is not trusted either.
    let untrusted = connector(json!({"base_url": base, "retries": 0}), dir.path());
    assert!(matches!(
        run(untrusted).await,
        Err(ConnectorError::Unavailable(_))
    ));
    assert_eq!(
        reg.requests("/api/many").len(),
        1,
        "only the authenticated client got through"
    );
}
