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
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::secret::SecretRef;

/// How long a client may take to complete the TLS handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// `http.tls`: the server certificate chain and its private key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM: the server certificate first, then any intermediates.
    pub certificate: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1): a secret reference.
    pub private_key: SecretRef,
}

impl TlsSettings {
    pub fn relative_to(mut self, base: &std::path::Path) -> Self {
        self.certificate = base.join(&self.certificate);
        self.private_key = self.private_key.relative_to(base);
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
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| format!("http.tls: {e}"))
    }
}

/// A TCP listener whose connections are TLS, for `axum::serve`.
pub struct TlsListener {
    connections: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: rustls::ServerConfig) -> std::io::Result<Self> {
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
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
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
