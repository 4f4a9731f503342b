//! The HTTP listener's edges (`http.limits` in `adapter.yaml`): how many connections are
//! served at once, how long a client may take to send its headers and its body, how
//! large a body may be per route, and how many body bytes all unauthenticated requests
//! together may hold in memory.
//!
//! Everything here runs before any route authenticates anyone: `POST /as4` is open to
//! whoever can reach the port, so a client we did not write must not be able to hold
//! connections, memory or time beyond these bounds.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde::Deserialize;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

mod files;
mod stall;

/// The route whose bodies are AS4 messages (large, signed, unauthenticated until read).
const AS4_ROUTE: &str = "/as4";

/// `http.limits`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpLimits {
    /// Connections served at once; one more is closed as soon as it is accepted. Never
    /// more than the process may open files, less a reserve (see [`files::connections`]).
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers, counted from the connection's
    /// start or from the end of the previous answer (so also the idle keep-alive time).
    #[serde(default = "default_header_timeout_seconds")]
    pub header_timeout_seconds: u64,
    /// Seconds a client has to send a whole request body (answered `408`).
    #[serde(default = "default_body_timeout_seconds")]
    pub body_timeout_seconds: u64,
    /// Seconds a connection may stall while we write an answer the client does not read.
    #[serde(default = "default_write_timeout_seconds")]
    pub write_timeout_seconds: u64,
    /// Largest body of `POST /as4` (answered `413`).
    #[serde(default = "default_max_as4_body_bytes")]
    pub max_as4_body_bytes: usize,
    /// Largest body of every other route (push notifications, preview forms).
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Body bytes all requests being read or worked on may hold together; a body that
    /// does not fit is answered `503` with `Retry-After` (AS4 senders resend later).
    #[serde(default = "default_body_memory_bytes")]
    pub body_memory_bytes: usize,
}

fn default_max_connections() -> usize {
    1024
}
fn default_header_timeout_seconds() -> u64 {
    10
}
fn default_body_timeout_seconds() -> u64 {
    120
}
fn default_write_timeout_seconds() -> u64 {
    60
}
fn default_max_as4_body_bytes() -> usize {
    64 * 1024 * 1024
}
fn default_max_body_bytes() -> usize {
    1024 * 1024
}
fn default_body_memory_bytes() -> usize {
    64 * 1024 * 1024
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_connections: default_max_connections(),
            header_timeout_seconds: default_header_timeout_seconds(),
            body_timeout_seconds: default_body_timeout_seconds(),
            write_timeout_seconds: default_write_timeout_seconds(),
            max_as4_body_bytes: default_max_as4_body_bytes(),
            max_body_bytes: default_max_body_bytes(),
            body_memory_bytes: default_body_memory_bytes(),
        }
    }
}

impl HttpLimits {
    /// Why these limits cannot serve, naming the key.
    pub fn check(&self) -> Result<(), String> {
        let positive = [
            ("max_connections", self.max_connections as u64),
            ("header_timeout_seconds", self.header_timeout_seconds),
            ("body_timeout_seconds", self.body_timeout_seconds),
            ("write_timeout_seconds", self.write_timeout_seconds),
            ("max_as4_body_bytes", self.max_as4_body_bytes as u64),
            ("max_body_bytes", self.max_body_bytes as u64),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(format!("http.limits.{key} must be greater than 0"));
        }
        if self.body_memory_bytes < self.max_as4_body_bytes.max(self.max_body_bytes) {
            return Err(
                "http.limits.body_memory_bytes must hold at least the largest body allowed \
                 (max_as4_body_bytes, max_body_bytes)"
                    .to_owned(),
            );
        }
        if self.body_memory_bytes > u32::MAX as usize {
            return Err("http.limits.body_memory_bytes must be below 4 GiB".to_owned());
        }
        Ok(())
    }

    fn max_body_for(&self, path: &str) -> usize {
        if path == AS4_ROUTE {
            self.max_as4_body_bytes
        } else {
            self.max_body_bytes
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` fires; connections still
/// open then finish their request in progress.
pub async fn serve<L>(
    mut listener: L,
    app: Router,
    limits: HttpLimits,
    shutdown: CancellationToken,
) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    let limits = Arc::new(limits);
    let budget = Arc::new(Semaphore::new(
        limits.body_memory_bytes.min(u32::MAX as usize),
    ));
    let app = app.layer(axum::middleware::from_fn({
        let limits = limits.clone();
        move |req: Request, next: axum::middleware::Next| {
            let limits = limits.clone();
            let budget = budget.clone();
            async move { bounded_body(req, next, &limits, &budget).await }
        }
    }));
    let max_connections = files::connections(limits.max_connections);
    let connections = Arc::new(Semaphore::new(max_connections.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let mut refused = Refusals::default();
    loop {
        let (io, _addr) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            // Closed at once: a flood of idle connections must not starve the others.
            drop(io);
            refused.note(max_connections);
            continue;
        };
        let app = app.clone();
        let limits = limits.clone();
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            let _permit = permit;
            let io = stall::Stalling::new(io, Duration::from_secs(limits.write_timeout_seconds));
            let service = TowerToHyperService::new(app);
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(limits.header_timeout_seconds));
            let conn = builder.serve_connection(TokioIo::new(io), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "connection ended");
                    }
                    return;
                }
                _ = shutdown.cancelled() => conn.as_mut().graceful_shutdown(),
            }
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Connections refused at the cap, logged at most every ten seconds (a flood must not
/// become a flood of log lines).
#[derive(Default)]
struct Refusals {
    since_logged: u64,
    logged: Option<std::time::Instant>,
}

impl Refusals {
    fn note(&mut self, max_connections: usize) {
        self.since_logged += 1;
        if self
            .logged
            .is_some_and(|t| t.elapsed() < Duration::from_secs(10))
        {
            return;
        }
        tracing::warn!(
            max_connections,
            refused = self.since_logged,
            "connections refused: http.limits.max_connections reached"
        );
        self.since_logged = 0;
        self.logged = Some(std::time::Instant::now());
    }
}

/// Reads the request body within the route's size limit, the body timeout and the shared
/// memory budget, before the route sees it; the budget is held until the answer is made.
async fn bounded_body(
    req: Request,
    next: axum::middleware::Next,
    limits: &HttpLimits,
    budget: &Arc<Semaphore>,
) -> Response {
    let max = limits.max_body_for(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is larger than allowed",
        );
    }
    let (parts, body) = req.into_parts();
    let reserved = declared.unwrap_or(0) as usize;
    let Ok(mut held) = u32::try_from(reserved)
        .map_err(|_| ())
        .and_then(|n| budget.clone().try_acquire_many_owned(n).map_err(|_| ()))
    else {
        return busy();
    };
    let mut bytes = Vec::with_capacity(reserved);
    let mut body = body;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(limits.body_timeout_seconds);
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return refuse(StatusCode::REQUEST_TIMEOUT, "the body came too slowly"),
            Ok(None) => break,
            Ok(Some(Err(_))) => return refuse(StatusCode::BAD_REQUEST, "the body was cut off"),
            Ok(Some(Ok(f))) => f,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let len = bytes.len() + data.len();
        if len > max {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is larger than allowed",
            );
        }
        if len > held.num_permits() {
            let more = u32::try_from(len - held.num_permits()).unwrap_or(u32::MAX);
            match budget.clone().try_acquire_many_owned(more) {
                Ok(p) => held.merge(p),
                Err(_) => return busy(),
            }
        }
        bytes.extend_from_slice(&data);
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    drop(held);
    response
}

fn refuse(status: StatusCode, why: &'static str) -> Response {
    let mut r = (status, why).into_response();
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

fn busy() -> Response {
    let mut r = refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "too many request bodies at once; send again later",
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    r
}
