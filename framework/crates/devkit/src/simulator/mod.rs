//! [`DomibusSimulator`]: an in-process fake of the Domibus 5.2 WS plugin, for
//! `oots-adapter demo` and for tests.
//!
//! It speaks the wire format of the real 5.2.1 captures (re-prefixed namespaces `ns5:`,
//! `ns2:`; unqualified body children; payloads base64 in `<value>`), checks Basic auth,
//! answers faults with `WS_PLUGIN` codes, and plays Domibus's push calls
//! (`receiveSuccess` for delivered messages, `sendSuccess` for submitted ones).
//! Messages "arrive from the network" through [`DomibusSimulator::deliver`]; what the
//! backend submits comes out of [`DomibusSimulator::next_submitted`].

mod inbox;
mod push;
mod reply;
mod submit;
mod wsplugin;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use oots_as4::ebms::UserMessage;
use oots_as4::{OutboundMessage, Payload};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use push::spawn_push;
use wsplugin::handle;

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
