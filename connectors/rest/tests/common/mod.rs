//! A small HTTP registry served from the test process on 127.0.0.1:0.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oots_connector::{FieldPaths, Limits, Params};
use oots_connector_rest::{RestConnector, RestSettings};
use serde_json::json;

pub const TOKEN: &str = "tok-Secret-123";
pub const PASSWORD: &str = "pw-Secret-456";
pub const API_KEY: &str = "key-Secret-789";
pub const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// One request as the registry saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
}

#[derive(Default)]
pub struct Registry {
    pub seen: Mutex<Vec<Seen>>,
    pub flaky: AtomicU32,
}

impl Registry {
    pub fn requests(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

fn query_map(q: Option<&str>) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn person(i: u32) -> serde_json::Value {
    json!({"id": i, "name": {"family": format!("Family{i}")}})
}

async fn handle(State(reg): State<Arc<Registry>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let headers = req.headers().clone();
    reg.seen.lock().unwrap().push(Seen {
        path: path.clone(),
        query: query.clone(),
        headers: headers.clone(),
    });
    let q = query_map(query.as_deref());
    let rel = path.strip_prefix("/api").unwrap_or(&path);
    match rel {
        "/persons" => axum::Json(json!({"data": {"total": 1, "items": [{
            "id": 7,
            "name": {"family": "Øster-Łukasiewicz", "given": ["Zoë", "Ann"]},
            "birthDate": q.get("birthDate").cloned().unwrap_or_default(),
            "active": true,
            "score": 1.5,
            "address": {"city": "Göteborg"},
            "nothing": null
        }]}}))
        .into_response(),
        "/persons/missing" => StatusCode::NOT_FOUND.into_response(),
        "/many" => axum::Json(json!((1..=10).map(person).collect::<Vec<_>>())).into_response(),
        "/next" => {
            let cursor: u32 = q.get("cursor").and_then(|c| c.parse().ok()).unwrap_or(1);
            let next = if cursor < 3 {
                json!(format!("/api/next?cursor={}", cursor + 1))
            } else {
                json!(null)
            };
            axum::Json(json!({"items": [person(cursor * 10), person(cursor * 10 + 1)], "links": {"next": next}}))
                .into_response()
        }
        "/evil-next" => {
            axum::Json(json!({"items": [person(1)], "next": "http://example.invalid/x"}))
                .into_response()
        }
        "/numbered" => {
            let page: u32 = q.get("page").and_then(|c| c.parse().ok()).unwrap_or(0);
            let items: Vec<_> = if (1..=3).contains(&page) {
                vec![person(page * 10), person(page * 10 + 1)]
            } else {
                vec![]
            };
            axum::Json(json!({"items": items})).into_response()
        }
        "/auth" => {
            let auth = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            let ok = auth == Some(&format!("Bearer {TOKEN}"))
                // "user:pw-Secret-456" in base64.
                || auth == Some("Basic dXNlcjpwdy1TZWNyZXQtNDU2")
                || headers.get("x-api-key").and_then(|v| v.to_str().ok()) == Some(API_KEY)
                || headers.get("x-registry-key").and_then(|v| v.to_str().ok()) == Some(API_KEY)
                || q.get("apikey").map(String::as_str) == Some(API_KEY);
            if ok {
                axum::Json(json!([{"ok": true}])).into_response()
            } else {
                StatusCode::UNAUTHORIZED.into_response()
            }
        }
        "/flaky" => {
            let n = reg.flaky.fetch_add(1, Ordering::SeqCst);
            match n {
                0 => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "1")],
                )
                    .into_response(),
                1 => StatusCode::BAD_GATEWAY.into_response(),
                _ => axum::Json(json!([{"attempt": n + 1}])).into_response(),
            }
        }
        "/down" => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        "/bad-request" => (StatusCode::BAD_REQUEST, "echo: secret body O'Brien").into_response(),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            axum::Json(json!([])).into_response()
        }
        "/not-json" => "O'Brien is not json".into_response(),
        "/docs/cert.pdf" => Response::builder()
            .header(header::CONTENT_TYPE, "application/pdf; qs=1")
            .body(Body::from(PDF))
            .unwrap(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn router(reg: Arc<Registry>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(reg)
}

/// Serves the registry over plain HTTP; returns its state and `http://127.0.0.1:port/api`.
pub async fn serve() -> (Arc<Registry>, String) {
    let reg = Arc::new(Registry::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(reg.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (reg, format!("http://{addr}/api"))
}

/// A connector from JSON settings (as adapter.yaml would hold them), secrets in `dir`.
pub fn connector(settings: serde_json::Value, dir: &Path) -> RestConnector {
    let s: RestSettings = serde_json::from_value(settings).unwrap();
    RestConnector::connect(&s, dir).unwrap()
}

/// A temp dir holding the test secrets as files (`token`, `password`, `apikey`, `wrong`).
pub fn secrets() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token"), format!("{TOKEN}\n")).unwrap();
    std::fs::write(dir.path().join("password"), PASSWORD).unwrap();
    std::fs::write(dir.path().join("apikey"), API_KEY).unwrap();
    std::fs::write(dir.path().join("wrong"), "wrong-Secret-000").unwrap();
    dir
}

pub fn params(pairs: &[(&str, oots_connector::Value)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

pub fn fields(pairs: &[(&str, &str)]) -> FieldPaths {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub fn limits(timeout_ms: u64, max_rows: usize) -> Limits {
    Limits {
        timeout: Duration::from_millis(timeout_ms),
        max_rows,
    }
}
