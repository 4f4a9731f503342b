//! [`DomibusSimulator`]: an in-process fake of the Domibus 5.2 WS plugin, for
//! `oots-adapter demo` and for tests.
//!
//! It speaks the wire format of the real 5.2.1 captures (re-prefixed namespaces `ns5:`,
//! `ns2:`; unqualified body children; payloads base64 in `<value>`), checks Basic auth,
//! answers faults with `WS_PLUGIN` codes, and plays Domibus's push calls
//! (`receiveSuccess` for delivered messages, `sendSuccess` for submitted ones).
//! Messages "arrive from the network" through [`DomibusSimulator::deliver`]; what the
//! backend submits comes out of [`DomibusSimulator::next_submitted`].

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::client::{decode_base64, read_payloads};
use super::soap::{self, FaultSide};
use crate::ebms::{self, EBMS_NS, UserMessage};
use crate::xml;
use crate::{OutboundMessage, Payload};

/// Path of the WS plugin under the simulator's address (as on a real Domibus).
pub const WSPLUGIN_PATH: &str = "/domibus/services/wsplugin";
/// Largest request accepted (payloads are inline base64).
const MAX_REQUEST_BYTES: usize = 256 * 1024 * 1024;
/// Push attempts before giving up (Domibus retries per its push rule).
const PUSH_ATTEMPTS: u32 = 5;
/// Notifications pushed at once at most, like a sender with a bounded connection pool
/// (unbounded, a burst of thousands opens as many connections at once).
const PUSH_CONCURRENCY: usize = 32;

/// How to start a simulator.
#[derive(Clone, Default)]
pub struct SimulatorConfig {
    /// Plugin user the backend must present.
    pub username: String,
    /// Its password.
    pub password: String,
    /// Where to push notifications (e.g. `http://127.0.0.1:8080/domibus/notifications`);
    /// `None` disables pushes (the backend must poll `listPendingMessages`).
    pub push_endpoint: Option<String>,
    /// Basic credentials presented on pushes; no `Authorization` header when empty.
    pub push_username: String,
    /// Password of `push_username`.
    pub push_password: String,
}

impl fmt::Debug for SimulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorConfig")
            .field("username", &self.username)
            .field("password", &"***")
            .field("push_endpoint", &self.push_endpoint)
            .field("push_username", &self.push_username)
            .field("push_password", &"***")
            .finish()
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    /// The listening socket cannot be bound.
    #[error("cannot bind the simulator: {0}")]
    Bind(#[source] std::io::Error),
    /// The HTTP client for pushes cannot be built.
    #[error("cannot build the push client: {0}")]
    Client(String),
}

impl SimulatorError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SimulatorError::Bind(_) => "simulator.bind",
            SimulatorError::Client(_) => "simulator.client",
        }
    }
}

/// A running fake Domibus. Cheap to clone; stops on [`shutdown`](Self::shutdown) or
/// when the last clone is dropped.
#[derive(Clone)]
pub struct DomibusSimulator {
    handle: Arc<Handle>,
}

struct Handle {
    state: Arc<SimState>,
    base_url: String,
    cancel: CancellationToken,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl fmt::Debug for DomibusSimulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DomibusSimulator")
            .field("base_url", &self.handle.base_url)
            .finish_non_exhaustive()
    }
}

struct SimState {
    cfg: SimulatorConfig,
    store: Mutex<Store>,
    submitted_tx: mpsc::UnboundedSender<OutboundMessage>,
    submitted_rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<OutboundMessage>>,
    http: reqwest::Client,
    /// Bounds the pushes in flight ([`PUSH_CONCURRENCY`]).
    pushes: Arc<tokio::sync::Semaphore>,
    cancel: CancellationToken,
    /// Submissions still to refuse with HTTP 503 (an access point that is down).
    refuse_submits: std::sync::atomic::AtomicUsize,
    /// While `Some`, delivery reports (`sendSuccess`) are kept here instead of pushed.
    held_reports: Mutex<Option<Vec<String>>>,
}

#[derive(Default)]
struct Store {
    /// Messages received from the network, in arrival order.
    inbox: Vec<Received>,
    /// Position in `inbox` by message id (a load test delivers thousands).
    index: HashMap<String, usize>,
    /// Status of the messages the backend submitted.
    sent: HashMap<String, &'static str>,
}

struct Received {
    header: UserMessage,
    payloads: Vec<Payload>,
    downloaded: bool,
}

impl SimState {
    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the store half-written in a way
        // that matters to a test double: keep serving.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl DomibusSimulator {
    /// Binds `127.0.0.1:0` and serves the WS plugin; returns the simulator and the
    /// plugin's base URL (`http://127.0.0.1:PORT/domibus/services/wsplugin`).
    pub async fn start(cfg: SimulatorConfig) -> Result<(Self, String), SimulatorError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), cfg).await
    }

    /// Like [`start`](Self::start), on a given address: `oots-adapter load` plays the
    /// Domibus a deployment's `gateway.endpoint` names.
    pub async fn start_on(
        addr: SocketAddr,
        cfg: SimulatorConfig,
    ) -> Result<(Self, String), SimulatorError> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(SimulatorError::Bind)?;
        let addr = listener.local_addr().map_err(SimulatorError::Bind)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SimulatorError::Client(e.to_string()))?;
        let (submitted_tx, submitted_rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let state = Arc::new(SimState {
            cfg,
            store: Mutex::new(Store::default()),
            submitted_tx,
            submitted_rx: tokio::sync::Mutex::new(submitted_rx),
            http,
            pushes: Arc::new(tokio::sync::Semaphore::new(PUSH_CONCURRENCY)),
            cancel: cancel.clone(),
            refuse_submits: std::sync::atomic::AtomicUsize::new(0),
            held_reports: Mutex::new(None),
        });
        let app = Router::new()
            .route(WSPLUGIN_PATH, post(handle))
            .route(&format!("{WSPLUGIN_PATH}/{{operation}}"), post(handle))
            .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
            .with_state(state.clone());
        let shutdown = cancel.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "Domibus simulator stopped with an error");
            }
        });
        let base_url = format!("http://{addr}{WSPLUGIN_PATH}");
        tracing::info!(%base_url, "Domibus simulator listening");
        let sim = DomibusSimulator {
            handle: Arc::new(Handle {
                state,
                base_url: base_url.clone(),
                cancel,
            }),
        };
        Ok((sim, base_url))
    }

    /// The WS plugin base URL.
    pub fn base_url(&self) -> &str {
        &self.handle.base_url
    }

    /// A message arrives from the network: stored as pending, then `receiveSuccess` is
    /// pushed (in the background) to the push endpoint. A message id already known is
    /// ignored, as Domibus's duplicate detection does.
    pub fn deliver(&self, header: UserMessage, payloads: Vec<Payload>) {
        let state = &self.handle.state;
        let id = header.message_id.clone();
        {
            let mut store = state.store();
            if store.index.contains_key(&id) {
                tracing::warn!(message_id = %id, "simulator: duplicate delivery ignored");
                return;
            }
            let at = store.inbox.len();
            store.index.insert(id.clone(), at);
            store.inbox.push(Received {
                header,
                payloads,
                downloaded: false,
            });
        }
        spawn_push(state.clone(), "receiveSuccess", id);
    }

    /// Pushes `receiveSuccess` for `message_id` once more, as Domibus does when the
    /// backend's answer to the first push was lost (the message may be downloaded by
    /// now).
    pub fn push_again(&self, message_id: &str) {
        spawn_push(
            self.handle.state.clone(),
            "receiveSuccess",
            message_id.to_owned(),
        );
    }

    /// The next message the backend submitted, waiting at most `timeout`.
    pub async fn next_submitted(&self, timeout: Duration) -> Option<OutboundMessage> {
        let mut rx = self.handle.state.submitted_rx.lock().await;
        tokio::time::timeout(timeout, rx.recv())
            .await
            .ok()
            .flatten()
    }

    /// True once the backend marked the message as downloaded (or retrieved it with
    /// `markAsDownloaded="true"`).
    pub fn is_downloaded(&self, message_id: &str) -> bool {
        self.handle
            .state
            .store()
            .find(message_id)
            .is_some_and(|r| r.downloaded)
    }

    /// Ids of delivered messages not yet downloaded, in arrival order.
    pub fn pending_ids(&self) -> Vec<String> {
        pending(&self.handle.state.store())
    }

    /// Refuses the next `n` submissions with HTTP 503, as an access point that is down
    /// behind its proxy would.
    pub fn fail_submits(&self, n: usize) {
        self.handle
            .state
            .refuse_submits
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Keeps the delivery reports (`sendSuccess`) of submissions from now on instead of
    /// pushing them, until [`release_delivery_reports`](Self::release_delivery_reports):
    /// a receipt that comes late.
    pub fn hold_delivery_reports(&self) {
        let mut held = self
            .handle
            .state
            .held_reports
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        held.get_or_insert_with(Vec::new);
    }

    /// Pushes the delivery reports held since
    /// [`hold_delivery_reports`](Self::hold_delivery_reports); returns how many.
    pub fn release_delivery_reports(&self) -> usize {
        let held = self
            .handle
            .state
            .held_reports
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_default();
        let n = held.len();
        for id in held {
            spawn_push(self.handle.state.clone(), "sendSuccess", id);
        }
        n
    }

    /// Stops serving and pushing.
    pub fn shutdown(&self) {
        self.handle.cancel.cancel();
    }
}

impl Store {
    fn find(&self, id: &str) -> Option<&Received> {
        self.index.get(id).and_then(|&i| self.inbox.get(i))
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut Received> {
        let i = *self.index.get(id)?;
        self.inbox.get_mut(i)
    }
}

fn pending(store: &Store) -> Vec<String> {
    store
        .inbox
        .iter()
        .filter(|r| !r.downloaded)
        .map(|r| r.header.message_id.clone())
        .collect()
}

/// Pushes one notification with a few retries, as a Domibus push rule would.
fn spawn_push(state: Arc<SimState>, operation: &'static str, message_id: String) {
    let Some(endpoint) = state.cfg.push_endpoint.clone() else {
        return;
    };
    let envelope = soap::envelope(
        "",
        &format!(
            "<ns2:{operation} xmlns:ns2=\"{}\"><messageID>{}</messageID></ns2:{operation}>",
            soap::BACKEND_NS,
            xml::escape_text(&message_id)
        ),
    );
    tokio::spawn(async move {
        for attempt in 1..=PUSH_ATTEMPTS {
            let Ok(slot) = state.pushes.clone().acquire_owned().await else {
                return;
            };
            let mut req = state
                .http
                .post(&endpoint)
                .header(header::CONTENT_TYPE.as_str(), soap::SOAP12_CONTENT_TYPE)
                .body(envelope.clone());
            if !state.cfg.push_username.is_empty() {
                req = req.basic_auth(&state.cfg.push_username, Some(&state.cfg.push_password));
            }
            let outcome = tokio::select! {
                r = req.send() => r,
                () = state.cancel.cancelled() => return,
            };
            drop(slot);
            match outcome {
                Ok(resp) if resp.status().is_success() => return,
                // Like Domibus: a 4xx will not get better by retrying the same body.
                Ok(resp) if resp.status().is_client_error() => {
                    tracing::warn!(
                        operation,
                        status = resp.status().as_u16(),
                        "simulator push refused"
                    );
                    return;
                }
                Ok(resp) => {
                    tracing::warn!(
                        operation,
                        attempt,
                        status = resp.status().as_u16(),
                        "simulator push failed"
                    )
                }
                Err(e) => tracing::warn!(operation, attempt, error = %e, "simulator push failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))) => {}
                () = state.cancel.cancelled() => return,
            }
        }
    });
}

/// One SOAP answer: status + envelope.
type Answer = (StatusCode, String);

fn ok(envelope: String) -> Answer {
    (StatusCode::OK, envelope)
}

fn fault(side: FaultSide, reason: &str, code: &str, message: &str) -> Answer {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        soap::fault_envelope(side, reason, code, message),
    )
}

async fn handle(State(state): State<Arc<SimState>>, headers: HeaderMap, body: Bytes) -> Response {
    let (status, envelope) = answer(&state, &headers, &body);
    (
        status,
        [(header::CONTENT_TYPE, soap::SOAP12_CONTENT_TYPE)],
        envelope,
    )
        .into_response()
}

fn answer(state: &Arc<SimState>, headers: &HeaderMap, body: &[u8]) -> Answer {
    if !authorized(&state.cfg, headers) {
        return fault(
            FaultSide::Sender,
            "Authentication failed",
            "WS_PLUGIN:0002",
            "Invalid or missing plugin user credentials",
        );
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0007",
            "Body is not UTF-8",
        );
    };
    let doc = match soap::parse(text, MAX_REQUEST_BYTES) {
        Ok(doc) => doc,
        Err(e) => {
            return fault(
                FaultSide::Sender,
                "Invalid request",
                "WS_PLUGIN:0007",
                &e.to_string(),
            );
        }
    };
    let Ok(op) = soap::body_element(&doc) else {
        return fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0007",
            "Empty SOAP body",
        );
    };
    if op.tag_name().namespace() != Some(soap::WSPLUGIN_NS) {
        return fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0001",
            "Unknown operation",
        );
    }
    match op.tag_name().name() {
        "submitRequest" => submit(state, &doc, op),
        "retrieveMessageRequest" => retrieve(state, op),
        "markMessageAsDownloadedRequest" => mark_downloaded(state, op),
        "listPendingMessagesRequest" => ok(list_pending(state)),
        "statusRequest" => get_status(state, op),
        _ => fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0001",
            "Unknown operation",
        ),
    }
}

fn authorized(cfg: &SimulatorConfig, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = BASE64.decode(value.trim()) else {
        return false;
    };
    let expected = format!("{}:{}", cfg.username, cfg.password);
    bool::from(decoded.as_slice().ct_eq(expected.as_bytes()))
}

/// The trimmed `messageID` child, or the WS_PLUGIN:0007 fault Domibus gives for an empty one.
fn message_id(op: roxmltree::Node<'_, '_>) -> Result<String, Answer> {
    xml::unqualified_child(op, "messageID")
        .and_then(xml::text)
        .ok_or_else(|| {
            fault(
                FaultSide::Sender,
                "Message ID is empty",
                "WS_PLUGIN:0007",
                "MessageId is empty",
            )
        })
}

fn not_found(id: &str) -> Answer {
    fault(
        FaultSide::Sender,
        &format!("Message not found, id [{id}]"),
        "WS_PLUGIN:0009",
        &format!("No message with id [{id}] pending for download"),
    )
}

fn body_open(local: &str) -> String {
    format!(
        "<ns2:{local} xmlns:ns2=\"{}\" xmlns:ns3=\"{EBMS_NS}\" xmlns:xmime=\"{}\" xmlns:ns5=\"{}\">",
        soap::WSPLUGIN_NS,
        soap::XMIME_NS,
        soap::SOAP12_NS
    )
}

fn submit(
    state: &Arc<SimState>,
    doc: &roxmltree::Document<'_>,
    op: roxmltree::Node<'_, '_>,
) -> Answer {
    use std::sync::atomic::Ordering;
    if state
        .refuse_submits
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (StatusCode::SERVICE_UNAVAILABLE, String::new());
    }
    let Some(messaging) = soap::header(doc).and_then(|h| xml::child(h, EBMS_NS, "Messaging"))
    else {
        return fault(
            FaultSide::Sender,
            "Invalid request",
            "WS_PLUGIN:0007",
            "Missing Messaging header",
        );
    };
    let header = match ebms::parse_submitted_messaging(messaging, || {
        (format!("{}@domibus.simulator", uuid::Uuid::new_v4()), now())
    }) {
        Ok(h) => h,
        Err(e) => {
            return fault(
                FaultSide::Sender,
                "Message submission failed",
                "EBMS:0009",
                &e.to_string(),
            );
        }
    };
    for p in xml::unqualified_children(op, "payload") {
        if p.attribute("payloadId").is_none_or(|v| v.trim().is_empty()) {
            return fault(
                FaultSide::Sender,
                "Invalid request",
                "WS_PLUGIN:0005",
                "Attribute 'payloadId' of the 'payload' element must not be empty",
            );
        }
        let value = xml::unqualified_child(p, "value")
            .and_then(|v| v.text())
            .unwrap_or_default();
        if decode_base64(value).is_err() {
            return fault(
                FaultSide::Sender,
                "Invalid request",
                "WS_PLUGIN:0005",
                "Payload value is not base64",
            );
        }
    }
    let hrefs: Vec<&str> = xml::unqualified_children(op, "payload")
        .filter_map(|p| p.attribute("payloadId"))
        .map(str::trim)
        .collect();
    if let Some(missing) = header
        .parts
        .iter()
        .find(|part| !hrefs.iter().any(|h| h.eq_ignore_ascii_case(&part.href)))
    {
        return fault(
            FaultSide::Sender,
            &format!("No payload found for PartInfo with href: {}", missing.href),
            "WS_PLUGIN:0005",
            &missing.href,
        );
    }
    let payloads = match read_payloads(op, &header) {
        Ok(p) => p,
        Err(e) => return fault(FaultSide::Sender, "Invalid request", "WS_PLUGIN:0005", &e),
    };
    let id = header.message_id.clone();
    {
        let mut store = state.store();
        if store.sent.contains_key(&id) {
            return fault(
                FaultSide::Receiver,
                "Message submission failed",
                "EBMS:0004",
                &format!("Message with id [{id}] already exists"),
            );
        }
        store.sent.insert(id.clone(), "ACKNOWLEDGED");
    }
    // The receiver may have gone away (test finished): the submission still succeeded.
    let _ = state
        .submitted_tx
        .send(OutboundMessage { header, payloads });
    let held = {
        let mut held = state.held_reports.lock().unwrap_or_else(|e| e.into_inner());
        held.as_mut().map(|h| h.push(id.clone())).is_some()
    };
    if !held {
        spawn_push(state.clone(), "sendSuccess", id.clone());
    }
    ok(soap::envelope_no_header(&format!(
        "{}<messageID>{}</messageID></ns2:submitResponse>",
        body_open("submitResponse"),
        xml::escape_text(&id)
    )))
}

fn retrieve(state: &Arc<SimState>, op: roxmltree::Node<'_, '_>) -> Answer {
    let id = match message_id(op) {
        Ok(id) => id,
        Err(f) => return f,
    };
    let mark = op
        .attribute("markAsDownloaded")
        .is_none_or(|v| v.trim() != "false");
    let mut store = state.store();
    let Some(msg) = store.find_mut(&id).filter(|r| !r.downloaded) else {
        return not_found(&id);
    };
    if mark {
        msg.downloaded = true;
    }
    let header = msg.header.to_xml_with_prefix(
        "ns5",
        &format!(
            "xmlns:xmime=\"{}\" xmlns:ns4=\"{}\"",
            soap::XMIME_NS,
            soap::WSPLUGIN_NS
        ),
    );
    let mut body = body_open("retrieveMessageResponse");
    for p in &msg.payloads {
        body.push_str(&format!(
            "<payload payloadId=\"cid:{}\" contentType=\"{}\"><value>{}</value></payload>",
            xml::escape_attr(&p.content_id),
            xml::escape_attr(&p.mime_type),
            BASE64.encode(&p.bytes)
        ));
    }
    body.push_str("</ns2:retrieveMessageResponse>");
    ok(soap::envelope(&header, &body))
}

fn mark_downloaded(state: &Arc<SimState>, op: roxmltree::Node<'_, '_>) -> Answer {
    let id = match message_id(op) {
        Ok(id) => id,
        Err(f) => return f,
    };
    let mut store = state.store();
    let Some(msg) = store.find_mut(&id).filter(|r| !r.downloaded) else {
        return not_found(&id);
    };
    msg.downloaded = true;
    ok(soap::envelope_no_header(&format!(
        "{}<messageID>{}</messageID></ns2:markMessageAsDownloadedResponse>",
        body_open("markMessageAsDownloadedResponse"),
        xml::escape_text(&id)
    )))
}

fn list_pending(state: &Arc<SimState>) -> String {
    let mut body = body_open("listPendingMessagesResponse");
    for id in pending(&state.store()) {
        body.push_str(&format!("<messageID>{}</messageID>", xml::escape_text(&id)));
    }
    body.push_str("</ns2:listPendingMessagesResponse>");
    soap::envelope_no_header(&body)
}

fn get_status(state: &Arc<SimState>, op: roxmltree::Node<'_, '_>) -> Answer {
    let id = match message_id(op) {
        Ok(id) => id,
        Err(f) => return f,
    };
    let store = state.store();
    let status = store
        .sent
        .get(&id)
        .copied()
        .unwrap_or_else(|| match store.find(&id) {
            Some(r) if r.downloaded => "DOWNLOADED",
            Some(_) => "RECEIVED",
            None => "NOT_FOUND",
        });
    ok(soap::envelope_no_header(&format!(
        "<ns2:getStatusResponse xmlns:ns2=\"{}\" xmlns:ns3=\"{EBMS_NS}\">{status}</ns2:getStatusResponse>",
        soap::WSPLUGIN_NS
    )))
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}
