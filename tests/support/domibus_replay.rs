//! A capture-replaying stand-in for a Domibus 5.2.1 WS plugin, written independently of
//! the framework's own SOAP code (it must not share its bugs).
//!
//! `retrieveMessage` answers with the exact bytes of real captures; every request is
//! recorded so that suites can check what the client put on the wire.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

/// ebMS 3 namespace.
pub const EBMS: &str = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/";
/// WS plugin body namespace.
pub const WSPLUGIN: &str = "http://eu.domibus.wsplugin/";
/// SOAP 1.2 namespace.
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Directory of France's fixtures inside `shared/` (next to the repository), or
/// `$OOTS_SHARED/oots-spec/…` when set.
pub fn fr_fixtures_dir() -> PathBuf {
    crate::shared_dir().join("oots-spec/oots-france/spec/fixtures")
}

/// Bytes of one real capture (`incoming/reel/<name>`), or `None` (after printing why)
/// when the shared fixtures are not there.
pub fn real_capture(name: &str) -> Option<Vec<u8>> {
    let path = fr_fixtures_dir().join("incoming/reel").join(name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) => {
            oots_testskip::skip(
                "OOTS_SHARED",
                &format!(
                    "capture {} unreadable ({e}) (set OOTS_SHARED=/path/to/shared)",
                    path.display()
                ),
            );
            None
        }
    }
}

/// The `eb:MessageId` of a capture, read with roxmltree by namespace.
pub fn capture_message_id(bytes: &[u8]) -> String {
    let text = std::str::from_utf8(bytes).expect("capture is UTF-8");
    let doc = roxmltree::Document::parse(text).expect("capture is XML");
    doc.descendants()
        .find(|n| n.has_tag_name((EBMS, "MessageId")))
        .and_then(|n| n.text())
        .expect("capture has a MessageId")
        .trim()
        .to_string()
}

/// The payloads of a capture: (payloadId, contentType, base64 text of `<value>`).
pub fn capture_payloads(bytes: &[u8]) -> Vec<(String, Option<String>, String)> {
    let text = std::str::from_utf8(bytes).expect("capture is UTF-8");
    let doc = roxmltree::Document::parse(text).expect("capture is XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("payload"))
        .map(|p| {
            let value = p
                .children()
                .find(|c| c.has_tag_name("value"))
                .and_then(|v| v.text())
                .unwrap_or_default()
                .to_string();
            (
                p.attribute("payloadId").unwrap_or_default().to_string(),
                p.attribute("contentType").map(str::to_string),
                value,
            )
        })
        .collect()
}

/// One request the replay server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// Local name of the SOAP body's first element (the operation).
    pub operation: String,
    pub body: String,
}

#[derive(Default)]
struct ReplayState {
    captures: HashMap<String, Vec<u8>>,
    recorded: Mutex<Vec<Recorded>>,
}

/// The running replay server; stops when dropped.
pub struct ReplayServer {
    pub base_url: String,
    state: Arc<ReplayState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ReplayServer {
    /// Serves `captures` (raw `retrieveMessage` answers) keyed by their MessageId, on
    /// 127.0.0.1 with an OS-chosen port. The base URL ends in `/services/wsplugin`.
    pub async fn start(captures: Vec<Vec<u8>>) -> ReplayServer {
        let captures = captures
            .into_iter()
            .map(|c| (capture_message_id(&c), c))
            .collect();
        let state = Arc::new(ReplayState {
            captures,
            recorded: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/domibus/services/wsplugin/{op}", post(handle))
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ReplayServer {
            base_url: format!("http://{addr}/domibus/services/wsplugin"),
            state,
            task,
        }
    }

    /// Every request received so far, in order.
    pub fn recorded(&self) -> Vec<Recorded> {
        self.state.recorded.lock().expect("lock").clone()
    }

    /// The last request for `operation` (body element local name).
    pub fn last(&self, operation: &str) -> Option<Recorded> {
        self.recorded()
            .into_iter()
            .rev()
            .find(|r| r.operation == operation)
    }
}

const SOAP_CT: &str = "application/soap+xml;charset=UTF-8";

fn soap(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [("content-type", SOAP_CT)], body).into_response()
}

/// A fault exactly as Domibus 5.2 writes it (hand-written, not built by the framework).
fn fault_0009(id: &str) -> Response {
    let text = format!(
        "<soap:Envelope xmlns:soap=\"{SOAP12}\"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code>\
<soap:Reason><soap:Text xml:lang=\"en\">Message not found, id [{id}]</soap:Text></soap:Reason><soap:Detail>\
<ns2:FaultDetail xmlns:ns2=\"{WSPLUGIN}\" xmlns:ns3=\"{EBMS}\"><code>WS_PLUGIN:0009</code><message>No message with id [{id}] pending for download</message></ns2:FaultDetail>\
</soap:Detail></soap:Fault></soap:Body></soap:Envelope>"
    );
    soap(StatusCode::INTERNAL_SERVER_ERROR, text.into_bytes())
}

fn body_of(local: &str, inner: &str) -> Vec<u8> {
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP12}\"><soap:Body><ns2:{local} xmlns:ns2=\"{WSPLUGIN}\" xmlns:ns3=\"{EBMS}\" \
xmlns:xmime=\"http://www.w3.org/2005/05/xmlmime\" xmlns:ns5=\"{SOAP12}\">{inner}</ns2:{local}></soap:Body></soap:Envelope>"
    )
    .into_bytes()
}

async fn handle(
    State(state): State<Arc<ReplayState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    let doc = match roxmltree::Document::parse(&text) {
        Ok(d) => d,
        Err(_) => return (StatusCode::BAD_REQUEST, "not XML").into_response(),
    };
    let op = doc
        .descendants()
        .find(|n| n.has_tag_name((SOAP12, "Body")))
        .and_then(|b| b.children().find(|c| c.is_element()));
    let Some(op) = op else {
        return (StatusCode::BAD_REQUEST, "no SOAP 1.2 body").into_response();
    };
    let operation = op.tag_name().name().to_string();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    state.recorded.lock().expect("lock").push(Recorded {
        path: uri.path().to_string(),
        authorization: header("authorization"),
        content_type: header("content-type"),
        operation: operation.clone(),
        body: text.clone(),
    });
    let message_id = op
        .children()
        .find(|c| c.has_tag_name("messageID"))
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    match (op.tag_name().namespace(), operation.as_str()) {
        (Some(WSPLUGIN), "retrieveMessageRequest") => match state.captures.get(&message_id) {
            Some(bytes) => soap(StatusCode::OK, bytes.clone()),
            None => fault_0009(&message_id),
        },
        (Some(WSPLUGIN), "markMessageAsDownloadedRequest") => {
            if state.captures.contains_key(&message_id) {
                soap(
                    StatusCode::OK,
                    body_of(
                        "markMessageAsDownloadedResponse",
                        &format!("<messageID>{message_id}</messageID>"),
                    ),
                )
            } else {
                fault_0009(&message_id)
            }
        }
        (Some(WSPLUGIN), "listPendingMessagesRequest") => {
            let mut ids: Vec<_> = state.captures.keys().cloned().collect();
            ids.sort();
            let inner: String = ids
                .iter()
                .map(|id| format!("<messageID>{id}</messageID>"))
                .collect();
            soap(
                StatusCode::OK,
                body_of("listPendingMessagesResponse", &inner),
            )
        }
        (Some(WSPLUGIN), "submitRequest") => {
            let id = doc
                .descendants()
                .find(|n| n.has_tag_name((EBMS, "MessageId")))
                .and_then(|n| n.text())
                .map(|t| t.trim().to_string())
                .unwrap_or_else(|| "generated@domibus".to_string());
            soap(
                StatusCode::OK,
                body_of(
                    "submitResponse",
                    &format!(
                        "<messageID>{id}</messageID><messageEntityID>874945832007903076</messageEntityID>"
                    ),
                ),
            )
        }
        _ => (StatusCode::NOT_FOUND, "unknown operation").into_response(),
    }
}
