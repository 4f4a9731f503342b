//! The adapter's own https listener (`http.tls` in `adapter.yaml`), with rustls on
//! aws-lc-rs: an AS4 peer, Domibus's push calls and the preview pages can reach the
//! adapter over TLS without a proxy in front.
//!
//! Handshakes run in their own tasks with a deadline, so a client that never completes
//! one cannot hold up the others.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use serde::Deserialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use oots_connector::secret::SecretRef;

/// How long a client may take to complete the TLS handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// Handshakes under way at once, unless the listener says otherwise.
const MAX_HANDSHAKES: usize = 512;

/// `http.tls`: the server certificate chain and its private key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM: the server certificate first, then any intermediates.
    pub certificate: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1): a secret reference.
    pub private_key: SecretRef,
    /// Ask clients for a TLS certificate and verify it (mutual TLS).
    #[serde(default)]
    pub client_auth: Option<ClientAuth>,
}

/// `http.tls.client_auth`: which client certificates the listener accepts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientAuth {
    /// PEM: the CAs a client certificate must chain to (the peers' CAs).
    pub trust: PathBuf,
    /// Refuse clients that present no certificate (the default). With `false`, a client
    /// without one is served; one that presents a certificate must still pass.
    #[serde(default = "required")]
    pub required: bool,
    /// Certificate revocation lists (PEM or DER) of the CAs in `trust`: a revoked client
    /// certificate is refused. Once any is given, every client certificate's issuer
    /// needs one (an unknown revocation status is refused).
    #[serde(default)]
    pub crls: Vec<PathBuf>,
}

fn required() -> bool {
    true
}

/// The CRLs of a file: every PEM `X509 CRL` block, or the whole file as one DER CRL.
pub fn read_crls(
    path: &std::path::Path,
) -> Result<Vec<CertificateRevocationListDer<'static>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {}", path.display(), e.kind()))?;
    let pem: Vec<CertificateRevocationListDer<'static>> =
        CertificateRevocationListDer::pem_slice_iter(&bytes)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: {e}", path.display()))?;
    let crls = if pem.is_empty() {
        vec![CertificateRevocationListDer::from(bytes)]
    } else {
        pem
    };
    for crl in &crls {
        webpki::OwnedCertRevocationList::from_der(crl.as_ref()).map_err(|e| {
            format!(
                "{}: not a certificate revocation list: {e:?}",
                path.display()
            )
        })?;
    }
    Ok(crls)
}

impl TlsSettings {
    /// Resolves relative paths against `base` (the configuration's directory).
    pub fn relative_to(mut self, base: &std::path::Path) -> Self {
        self.certificate = base.join(&self.certificate);
        self.private_key = self.private_key.relative_to(base);
        if let Some(c) = &mut self.client_auth {
            c.trust = base.join(&c.trust);
            for crl in &mut c.crls {
                *crl = base.join(&*crl);
            }
        }
        self
    }

    /// The server configuration, or why the files cannot serve.
    pub fn server_config(&self) -> Result<rustls::ServerConfig, String> {
        let pem = std::fs::read(&self.certificate)
            .map_err(|e| format!("{}: {}", self.certificate.display(), e.kind()))?;
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: {e}", self.certificate.display()))?;
        if chain.is_empty() {
            return Err(format!("{}: no certificate", self.certificate.display()));
        }
        let key = self
            .private_key
            .resolve()
            .map_err(|e| format!("http.tls.private_key: {e}"))?;
        let key = PrivateKeyDer::from_pem_slice(key.expose().as_bytes())
            .map_err(|_| "http.tls.private_key: no PEM private key".to_owned())?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let builder = match &self.client_auth {
            None => builder.with_no_client_auth(),
            Some(auth) => builder.with_client_cert_verifier(auth.verifier(provider)?),
        };
        builder
            .with_single_cert(chain, key)
            .map_err(|e| format!("http.tls: {e}"))
    }
}

impl ClientAuth {
    fn verifier(
        &self,
        provider: Arc<rustls::crypto::CryptoProvider>,
    ) -> Result<Arc<dyn rustls::server::danger::ClientCertVerifier>, String> {
        let pem = std::fs::read(&self.trust).map_err(|e| {
            format!(
                "http.tls.client_auth.trust: {}: {}",
                self.trust.display(),
                e.kind()
            )
        })?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| format!("http.tls.client_auth.trust: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("http.tls.client_auth.trust: {e}"))?;
        }
        if roots.is_empty() {
            return Err(format!(
                "http.tls.client_auth.trust: {}: no certificate",
                self.trust.display()
            ));
        }
        let mut crls = Vec::new();
        for path in &self.crls {
            crls.extend(read_crls(path).map_err(|e| format!("http.tls.client_auth.crls: {e}"))?);
        }
        let builder =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .with_crls(crls);
        let builder = if self.required {
            builder
        } else {
            builder.allow_unauthenticated()
        };
        builder
            .build()
            .map_err(|e| format!("http.tls.client_auth: {e}"))
    }
}

/// A TCP listener whose connections are TLS, for `axum::serve`.
pub struct TlsListener {
    connections: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// A listener serving `config` on `tcp`, with the default cap on handshakes in flight.
    pub fn new(tcp: TcpListener, config: rustls::ServerConfig) -> std::io::Result<Self> {
        Self::with_max_handshakes(tcp, config, MAX_HANDSHAKES)
    }

    /// [`TlsListener::new`], with at most `max` handshakes under way at once: a
    /// connection beyond them is closed at once, so clients that never finish a
    /// handshake cannot pile up sockets.
    pub fn with_max_handshakes(
        tcp: TcpListener,
        config: rustls::ServerConfig,
        max: usize,
    ) -> std::io::Result<Self> {
        let handshakes = Arc::new(tokio::sync::Semaphore::new(max.max(1)));
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let (tx, connections) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = tcp.accept().await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                if tx.is_closed() {
                    break;
                }
                let Ok(permit) = handshakes.clone().try_acquire_owned() else {
                    tracing::debug!("TLS connection refused: too many handshakes under way");
                    continue;
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    match tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { connections, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.connections.recv().await {
            Some(c) => c,
            // The acceptor task only ends once this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use tokio::io::AsyncReadExt as _;

    use super::*;

    fn server_config() -> rustls::ServerConfig {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .and_then(|p| p.self_signed(&key))
            .unwrap();
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap()
    }

    /// Reads until the server closes; how long that took.
    async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
        let started = Instant::now();
        let mut buf = [0u8; 64];
        loop {
            match tokio::time::timeout(limit, stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
                Ok(Ok(_)) => continue,
                Err(_) => return None,
            }
        }
    }

    /// What docs/deployment.md says of `http.tls`: at most `max_connections` handshakes
    /// at once (one more is closed at once), each within 10 s.
    #[tokio::test]
    async fn handshakes_are_capped_and_timed_out() {
        let tcp = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let listener = TlsListener::with_max_handshakes(tcp, server_config(), 2).unwrap();
        let addr = listener.local;
        // Two clients that never send a ClientHello hold both handshake slots.
        let mut stalled = Vec::new();
        for _ in 0..2 {
            stalled.push(TcpStream::connect(addr).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut third = TcpStream::connect(addr).await.unwrap();
        assert!(
            closed_within(&mut third, Duration::from_secs(2))
                .await
                .is_some(),
            "a handshake beyond the cap is closed at once"
        );
        let held = closed_within(&mut stalled[0], HANDSHAKE + Duration::from_secs(3))
            .await
            .expect("a stalled handshake is cut off");
        assert!(held >= HANDSHAKE - Duration::from_secs(1), "{held:?}");
        drop(listener);
    }
}
