//! An https front on loopback: a self-signed certificate for `localhost`, passing every
//! connection's bytes to a plain-HTTP port on 127.0.0.1.
//!
//! The preview space must be reached over https (`PreviewLocation` starts with
//! `https://`, R-EDM-REQ-C005, and its cookies are `Secure`). In production a reverse
//! proxy terminates TLS; `oots-adapter demo` and the browser suite use this front instead,
//! so the whole flow runs on one machine exactly as deployed.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// A running front.
#[derive(Debug)]
pub struct TlsFront {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// Its certificate (DER), for a client that should trust it.
    pub certificate_der: Vec<u8>,
    backend: Arc<AtomicU16>,
}

impl TlsFront {
    /// Starts the front; connections are passed to the port set with
    /// [`TlsFront::set_backend`].
    pub async fn start() -> io::Result<TlsFront> {
        let failed = |e: &dyn std::fmt::Display| io::Error::other(e.to_string());
        let key = rcgen::KeyPair::generate().map_err(|e| failed(&e))?;
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .and_then(|p| p.self_signed(&key))
            .map_err(|e| failed(&e))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| failed(&e))?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .map_err(|e| failed(&e))?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let tcp = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = tcp.local_addr()?.port();
        let backend = Arc::new(AtomicU16::new(0));
        let target = backend.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = tcp.accept().await {
                let acceptor = acceptor.clone();
                let port = target.load(Ordering::SeqCst);
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let Ok(mut plain) = TcpStream::connect(("127.0.0.1", port)).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        Ok(TlsFront {
            port,
            certificate_der: cert.der().to_vec(),
            backend,
        })
    }

    /// Where connections go from now on.
    pub fn set_backend(&self, port: u16) {
        self.backend.store(port, Ordering::SeqCst);
    }

    /// `https://localhost:<port>`.
    pub fn origin(&self) -> String {
        format!("https://localhost:{}", self.port)
    }
}
