//! A throwaway eDelivery network for `oots-adapter demo` and the end-to-end tests: two AS4
//! access points on loopback with a PKI made at start (written to a folder, for
//! inspection; never for production). The adapter is access point `AP_DE_01`; the
//! requester's access point `AP_FR_01` signs, encrypts and compresses each request,
//! verifies the adapter's signed receipt, and receives the answers the same way.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};

use oots_as4::as4::agreement::AgreementSettings;
use oots_as4::as4::keys::{Certificate, Credentials, KeyError, TrustStore};
use oots_as4::as4::msh::As4Gateway;
use oots_as4::as4::pmode::{PMode, Peer, RetrySettings};
use oots_as4::ebms::UserMessage;
use oots_as4::{Gateway, InboundMessage, OutboundMessage, Payload, Resend};
use oots_store::{SqliteStore, Store};

/// The adapter's access point.
pub const PROVIDER: &str = "AP_DE_01";
/// The requester's access point.
pub const REQUESTER: &str = "AP_FR_01";
const PARTY_TYPE: &str = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots";

/// Key and certificate PEMs of one access point.
struct Leaf {
    key: String,
    cert: String,
}

/// A demo CA and the two access points' keys, written to `dir`.
fn pki(dir: &Path) -> Result<(String, Leaf, Leaf), String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let e = |e: rcgen::Error| e.to_string();
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(e)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "OOTS demo eDelivery CA");
    let ca = ca_params.self_signed(&ca_key).map_err(e)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf = |cn: &str| -> Result<Leaf, String> {
        let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(e)?;
        let mut p = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        p.distinguished_name.push(DnType::CommonName, cn);
        let cert = p.signed_by(&key, &issuer).map_err(e)?;
        Ok(Leaf {
            key: key.serialize_pem(),
            cert: cert.pem(),
        })
    };
    let (provider, requester) = (leaf(PROVIDER)?, leaf(REQUESTER)?);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("ca.pem", &ca.pem())?;
    for (name, l) in [(PROVIDER, &provider), (REQUESTER, &requester)] {
        write(&format!("{name}.pem"), &l.cert)?;
        write(&format!("{name}.key"), &l.key)?;
    }
    Ok((ca.pem(), provider, requester))
}

fn pmode(
    ca: &str,
    own: &Leaf,
    party: &str,
    peer: (&str, &Leaf, String),
    agreement: AgreementSettings,
) -> Result<PMode, String> {
    let e = |e: KeyError| e.to_string();
    let retry = RetrySettings {
        attempts: 3,
        initial_ms: 200,
        max_ms: 2_000,
    };
    Ok(PMode {
        party_id: party.to_owned(),
        party_type: PARTY_TYPE.to_owned(),
        credentials: Credentials::from_pem(own.key.as_bytes(), own.cert.as_bytes()).map_err(e)?,
        trust: TrustStore::from_pem(ca.as_bytes()).map_err(e)?,
        encrypt: true,
        compress: true,
        peers: vec![Peer {
            party_id: peer.0.to_owned(),
            party_type: PARTY_TYPE.to_owned(),
            endpoint: peer.2,
            certificate: Certificate::from_pem(peer.1.cert.as_bytes()).map_err(e)?,
            retry,
        }],
        retry,
        timeout_ms: 10_000,
        tls_roots: None,
        agreement,
        tls_identity: None,
    })
}

/// Writes a throwaway PKI to `dir` (`ca.pem`, and `AP_DE_01.pem`/`.key`,
/// `AP_FR_01.pem`/`.key` for [`PROVIDER`] and [`REQUESTER`]), for test deployments of
/// `serve` as an AS4 access point and the load tool's requester access point.
pub fn write_pki(dir: &Path) -> Result<(), String> {
    pki(dir).map(drop)
}

/// The requester's access point.
pub struct Requester {
    gateway: Arc<As4Gateway>,
    inbox: Mutex<mpsc::UnboundedReceiver<InboundMessage>>,
    /// The requester's `/as4` URL, where the adapter sends answers.
    pub endpoint: String,
    /// Our PartyId and its type, written as `From` of what we send.
    party: (String, String),
    /// The adapter's PartyId and its type, written as `To`.
    peer: (String, String),
}

/// Starts both access points: the adapter's gateway (its routes go on the adapter's
/// listener at `adapter`, with `store`), and the requester's, serving on its own port.
pub async fn start(
    store: Arc<dyn Store>,
    adapter: SocketAddr,
    keys: &Path,
) -> Result<(Arc<As4Gateway>, Requester), String> {
    let (ca, provider, requester) = pki(keys)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| e.to_string())?;
    let requester_addr = listener.local_addr().map_err(|e| e.to_string())?;
    let endpoint = format!("http://{requester_addr}/as4");
    let provider_mode = pmode(
        &ca,
        &provider,
        PROVIDER,
        (REQUESTER, &requester, endpoint.clone()),
        AgreementSettings::default(),
    )?;
    let requester_mode = pmode(
        &ca,
        &requester,
        REQUESTER,
        (PROVIDER, &provider, format!("http://{adapter}/as4")),
        AgreementSettings::requester(),
    )?;
    let provider_gateway =
        As4Gateway::new(Arc::new(provider_mode), store).map_err(|e| e.to_string())?;
    let requester = Requester::serve(requester_mode, listener, endpoint).await?;
    Ok((Arc::new(provider_gateway), requester))
}

impl Requester {
    /// A requester's access point with `mode` (its first peer is the adapter), receiving
    /// answers on `listener` (reachable as `endpoint`). Its own state lives in memory.
    pub async fn serve(
        mode: PMode,
        listener: tokio::net::TcpListener,
        endpoint: String,
    ) -> Result<Requester, String> {
        let party = (mode.party_id.clone(), mode.party_type.clone());
        let peer = mode
            .peers
            .first()
            .map(|p| (p.party_id.clone(), p.party_type.clone()))
            .ok_or_else(|| "the requester's PMode names no peer".to_owned())?;
        let store = SqliteStore::in_memory().await.map_err(|e| e.to_string())?;
        let (inbox_tx, inbox) = mpsc::unbounded_channel();
        let gateway = Arc::new(
            As4Gateway::new(Arc::new(mode), Arc::new(store))
                .map_err(|e| e.to_string())?
                .with_inbox(inbox_tx),
        );
        let (notify, mut ignored) = mpsc::channel(64);
        let app = gateway.router(notify);
        tokio::spawn(async move { while ignored.recv().await.is_some() {} });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Requester {
            gateway,
            inbox: Mutex::new(inbox),
            endpoint,
            party,
            peer,
        })
    }
}

impl Requester {
    /// Sends a request from the requester's access point to the adapter's; returns once
    /// the adapter's signed receipt acknowledged every signed part.
    pub async fn deliver(
        &self,
        mut header: UserMessage,
        payloads: Vec<Payload>,
    ) -> Result<(), String> {
        // The access points' own PartyIds, of the type their agreement names.
        header.from.party_id = self.party.0.clone();
        header.from.party_id_type = Some(self.party.1.clone());
        header.to.party_id = self.peer.0.clone();
        header.to.party_id_type = Some(self.peer.1.clone());
        let msg = OutboundMessage { header, payloads };
        // No outbox here: the PMode's schedule is kept in process.
        let mut failed = 0;
        loop {
            let e = match self.gateway.submit(&msg).await {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            failed += 1;
            match self.gateway.resend(&msg, failed) {
                Resend::After(pause) => tokio::time::sleep(pause).await,
                Resend::GiveUp | Resend::Outbox => {
                    return Err(format!("the AS4 send failed: {e}"));
                }
            }
        }
    }

    /// The next answer that reached the requester's access point, verified and decrypted.
    pub async fn next_answer(&self, wait: Duration) -> Option<OutboundMessage> {
        let mut inbox = self.inbox.lock().await;
        let m = tokio::time::timeout(wait, inbox.recv()).await.ok()??;
        Some(OutboundMessage {
            header: m.header,
            payloads: m.payloads,
        })
    }
}
