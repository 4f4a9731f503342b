//! The two ends a load run can play, one per gateway kind a deployment has:
//! - `domibus`: the Domibus WS plugin the deployment's `gateway.endpoint` names (the
//!   in-process simulator): requests arrive there and are pushed to `serve`; `serve`
//!   fetches them and submits its answers back.
//! - `as4`: the requester's access point, one of the deployment's `gateway.peers`: it
//!   signs and encrypts each request, posts it to `serve`'s `/as4` and receives the
//!   answers on the endpoint the deployment sends that peer's messages to.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use oots_devkit::loopback::Requester;
use oots_devkit::simulator::{DomibusSimulator, SimulatorConfig, WSPLUGIN_PATH};

use super::LoadError;
use crate::config::DomibusSettings;
use crate::gateway::as4::agreement::AgreementSettings;
use crate::gateway::as4::keys::Certificate;
use crate::gateway::as4::pmode::{As4Settings, PMode, PeerSettings, RetrySettings};
use crate::gateway::domibus::push::PUSH_PATH;
use crate::gateway::ebms::UserMessage;
use crate::gateway::{OutboundMessage, Payload};
use crate::secret::SecretRef;

/// One end of the exchange, as the adapter sees its gateway.
pub enum Driver {
    Domibus(DomibusSimulator),
    As4(Arc<Requester>),
}

impl Driver {
    /// `domibus` or `as4`.
    pub fn mode(&self) -> &'static str {
        match self {
            Driver::Domibus(_) => "domibus",
            Driver::As4(_) => "as4",
        }
    }

    /// Delivers one request: for Domibus, stored as pending and pushed; over AS4, once
    /// the adapter's signed receipt acknowledged it.
    pub async fn send(&self, header: UserMessage, payloads: Vec<Payload>) -> Result<(), String> {
        match self {
            Driver::Domibus(sim) => {
                sim.deliver(header, payloads);
                Ok(())
            }
            Driver::As4(r) => r.deliver(header, payloads).await,
        }
    }

    /// The next answer the adapter sent, waiting at most `wait`.
    pub async fn next_answer(&self, wait: Duration) -> Option<OutboundMessage> {
        match self {
            Driver::Domibus(sim) => sim.next_submitted(wait).await,
            Driver::As4(r) => r.next_answer(wait).await,
        }
    }

    /// Stops serving.
    pub fn stop(&self) {
        if let Driver::Domibus(sim) = self {
            sim.shutdown();
        }
    }
}

/// The socket address of an `http://host:port/…` URL (resolved).
async fn address_of(url: &str, what: &str) -> Result<(SocketAddr, String), LoadError> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| LoadError::Address(format!("{what} `{url}`: {e}")))?;
    if parsed.scheme() != "http" {
        return Err(LoadError::Address(format!(
            "{what} `{url}`: the load tool serves plain http only"
        )));
    }
    let host = parsed.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addr = tokio::net::lookup_host((host.as_str(), port))
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| LoadError::Address(format!("{what} `{url}`: the host does not resolve")))?;
    Ok((addr, parsed.path().to_owned()))
}

/// The Domibus the deployment expects at `gateway.endpoint`, with its credentials (the
/// same secret references `serve` resolves), pushing to `adapter`.
pub async fn domibus(d: &DomibusSettings, adapter: &str) -> Result<Driver, LoadError> {
    let (addr, path) = address_of(&d.endpoint, "gateway.endpoint").await?;
    if path.trim_end_matches('/') != WSPLUGIN_PATH {
        return Err(LoadError::Address(format!(
            "gateway.endpoint `{}`: the simulator serves the WS plugin at {WSPLUGIN_PATH}",
            d.endpoint
        )));
    }
    let secret = |r: &SecretRef| {
        r.resolve()
            .map(|s| s.expose().to_owned())
            .map_err(|e| LoadError::Secret(e.to_string()))
    };
    let cfg = SimulatorConfig {
        username: d.username.clone(),
        password: secret(&d.password)?,
        push_endpoint: Some(format!("{adapter}{PUSH_PATH}")),
        push_username: d.push_username.clone(),
        push_password: secret(&d.push_password)?,
    };
    let (sim, _) = DomibusSimulator::start_on(addr, cfg)
        .await
        .map_err(|e| LoadError::Address(format!("gateway.endpoint `{}`: {e}", d.endpoint)))?;
    Ok(Driver::Domibus(sim))
}

/// The requester's own key material (`--as4-key`, `--as4-certificate`, `--as4-trust`).
pub struct As4Identity<'a> {
    pub key: SecretRef,
    pub certificate: &'a Path,
    pub trust: Option<&'a Path>,
}

/// The requester access point: the deployment's peer whose certificate is ours, sending
/// to `adapter`'s `/as4` and receiving on that peer's endpoint.
pub async fn as4(a: &As4Settings, me: As4Identity<'_>, adapter: &str) -> Result<Driver, LoadError> {
    let ours = std::fs::read(me.certificate)
        .map_err(|e| LoadError::As4(format!("{}: {e}", me.certificate.display())))
        .and_then(|pem| {
            Certificate::from_pem(&pem)
                .map_err(|e| LoadError::As4(format!("{}: {e}", me.certificate.display())))
        })?;
    let mut peer = None;
    for p in &a.peers {
        let same = std::fs::read(&p.certificate)
            .ok()
            .and_then(|pem| Certificate::from_pem(&pem).ok())
            .is_some_and(|c| c.der() == ours.der());
        if same {
            peer = Some(p);
            break;
        }
    }
    let Some(peer) = peer else {
        return Err(LoadError::As4(format!(
            "{} is not the certificate of any of the deployment's gateway.peers: the adapter would refuse its messages (EBMS:0101)",
            me.certificate.display()
        )));
    };
    let (listen, _) = address_of(&peer.endpoint, "the peer's endpoint").await?;
    let retry = RetrySettings {
        attempts: 3,
        initial_ms: 200,
        max_ms: 2_000,
    };
    let settings = As4Settings {
        party_id: peer.party_id.clone(),
        party_type: peer
            .party_type
            .clone()
            .unwrap_or_else(|| a.party_type.clone()),
        private_key: me.key,
        certificate: me.certificate.to_path_buf(),
        trust_store: me
            .trust
            .map_or_else(|| a.trust_store.clone(), Path::to_path_buf),
        encrypt: a.encrypt,
        compress: true,
        peers: vec![PeerSettings {
            party_id: a.party_id.clone(),
            party_type: Some(a.party_type.clone()),
            endpoint: format!("{adapter}/as4"),
            certificate: a.certificate.clone(),
            retry: None,
        }],
        retry,
        timeout_ms: 30_000,
        tls_roots: None,
        agreement: AgreementSettings::requester(),
        trust_crls: Vec::new(),
        tls_client_certificate: None,
        tls_client_key: None,
    };
    let mode = PMode::load(&settings).map_err(|e| LoadError::As4(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| LoadError::Address(format!("the peer's endpoint {}: {e}", peer.endpoint)))?;
    let requester = Requester::serve(mode, listener, peer.endpoint.clone())
        .await
        .map_err(LoadError::As4)?;
    Ok(Driver::As4(Arc::new(requester)))
}
