//! The read-only operator page: `GET /operator` (HTML) and `GET /operator.json`.
//!
//! It shows what an operator needs to tell whether the adapter works: the mapping
//! generation answering and its evidence types, whether each registry connection answers
//! a probe, how many exchanges are in each state and the most recent ones. Everything on
//! it is identifiers, codes and times: the store's [`ExchangeSummary`] carries no
//! personal data, and connector failures are shown by their stable code only (their
//! messages go to the log). The page is server-rendered without scripts; with a token,
//! every request must carry it as a bearer token.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Serialize;
use subtle::ConstantTimeEq;
use tokio::sync::Mutex;

use crate::exchange::Exchange;
use crate::store::{ExchangeState, ExchangeSummary};

/// How long one connection probe may take before it is shown as timed out.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long probe results are reused, so reloading the page (or several operators
/// watching it) does not turn into load on the registries.
const PROBE_CACHE: Duration = Duration::from_secs(5);
/// How many recent exchanges are listed.
const RECENT: u32 = 50;

/// The page's stylesheet, inline (one request, no static route) and allowed by its hash
/// in the content security policy.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fff;line-height:1.4}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}\
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}\
caption{text-align:left;font-weight:600;padding:.25rem 0}\
th,td{border:1px solid #8a8a8a;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#eef0f3}td.num{text-align:right;font-variant-numeric:tabular-nums}\
.ok{color:#0b6b2b;font-weight:600}.bad{color:#a4001d;font-weight:600}.muted{color:#555}\
code{font-size:.85rem;word-break:break-all}";

/// Everything the page shows; `GET /operator.json` is this, serialised.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub generated_at: DateTime<Utc>,
    pub mappings: MappingsView,
    pub connections: Vec<ConnectionView>,
    /// Exchanges by state, every state listed (zero included); empty when the store
    /// failed.
    pub exchange_counts: Vec<StateCount>,
    /// Newest first.
    pub recent_exchanges: Vec<ExchangeSummary>,
    /// The store's error code, when it could not be read.
    pub store_error: Option<String>,
    /// Whether the access point (Domibus or the AS4 peer) takes our answers.
    pub gateway: crate::gateway_health::GatewayStatus,
}

/// The mapping generation answering and the reload history.
#[derive(Debug, Clone, Serialize)]
pub struct MappingsView {
    pub generation: String,
    pub activated_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Why the newest mapping files were refused (diagnostics, failed tests; values in
    /// test failures are masked).
    pub last_reload_error: Option<String>,
    pub reloads_ok: u64,
    pub reloads_failed: u64,
    pub mappings: Vec<MappingView>,
}

/// One mapping file of the generation.
#[derive(Debug, Clone, Serialize)]
pub struct MappingView {
    pub name: String,
    /// The English title (else any).
    pub title: Option<String>,
    /// Evidence type classification URIs.
    pub evidence_types: Vec<String>,
    pub connection: String,
}

/// One registry connection from `adapter.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionView {
    pub name: String,
    /// `sql`, `rest`, …
    pub kind: String,
    pub status: ProbeStatus,
    /// The connector's error code when the probe failed.
    pub code: Option<String>,
    pub probe_ms: Option<u64>,
    /// The connector's own health report (free of personal data by contract).
    pub degraded: bool,
    pub detail: Option<String>,
    pub refreshed_at: Option<DateTime<Utc>>,
}

/// What a connection's probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeStatus {
    Ok,
    Failed,
    TimedOut,
    /// No mapping of the running generation uses it, so it is not open.
    NotInUse,
}

impl ProbeStatus {
    fn label(self) -> &'static str {
        match self {
            ProbeStatus::Ok => "answers",
            ProbeStatus::Failed => "failing",
            ProbeStatus::TimedOut => "timed out",
            ProbeStatus::NotInUse => "not in use",
        }
    }
}

/// How many exchanges are in one state.
#[derive(Debug, Clone, Serialize)]
pub struct StateCount {
    pub state: ExchangeState,
    pub count: i64,
}

struct Operator {
    exchange: Exchange,
    token: Option<String>,
    /// `style-src` value allowing exactly [`STYLE`].
    style_hash: String,
    probes: Mutex<Option<(Instant, String, Vec<ConnectionView>)>>,
}

/// The operator routes. With `token`, every request needs `Authorization: Bearer
/// <token>` (an empty token refuses everyone rather than letting everyone in).
pub fn router(exchange: Exchange, token: Option<String>) -> Router {
    use base64::Engine as _;
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, STYLE.as_bytes());
    let style_hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(hash.as_ref())
    );
    let state = Arc::new(Operator {
        exchange,
        token,
        style_hash,
        probes: Mutex::new(None),
    });
    Router::new()
        .route("/operator", get(html))
        .route("/operator.json", get(json))
        .with_state(state)
}

/// Whether the request carries the configured token (compared in constant time).
fn authorized(token: Option<&str>, headers: &HeaderMap) -> bool {
    let Some(expected) = token else {
        return true;
    };
    if expected.is_empty() {
        return false;
    }
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

fn unauthorized() -> Response {
    let mut r = (StatusCode::UNAUTHORIZED, "unauthorized\n").into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"oots-operator\""),
    );
    common_headers(&mut r);
    r
}

/// No caching (the page is live state), no framing, no sniffing, no referrer.
fn common_headers(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

async fn html(State(op): State<Arc<Operator>>, headers: HeaderMap) -> Response {
    if !authorized(op.token.as_deref(), &headers) {
        return unauthorized();
    }
    let overview = overview(&op).await;
    let mut r = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        render_html(&overview),
    )
        .into_response();
    let csp = format!(
        "default-src 'none'; style-src {}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        op.style_hash
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    common_headers(&mut r);
    r
}

async fn json(State(op): State<Arc<Operator>>, headers: HeaderMap) -> Response {
    if !authorized(op.token.as_deref(), &headers) {
        return unauthorized();
    }
    let mut r = axum::Json(overview(&op).await).into_response();
    common_headers(&mut r);
    r
}

/// Gathers the page's data: reload status, probes and the store's view.
async fn overview(op: &Operator) -> Overview {
    let ex = &op.exchange;
    let status = ex.generations().status();
    let set = ex.mappings();
    let mappings = set
        .mappings()
        .iter()
        .map(|m| MappingView {
            name: m.name.clone(),
            title: m.title(Some("EN")).map(|(_, t)| t.to_owned()),
            evidence_types: m
                .spec
                .evidence_type
                .classifications
                .iter()
                .map(|c| c.value.clone())
                .collect(),
            connection: m.spec.connector.connection.value.clone(),
        })
        .collect();
    let connections = connections(op).await;
    let store = ex.store();
    let (counts, recent) = tokio::join!(store.exchange_counts(), store.recent_exchanges(RECENT));
    let mut store_error = None;
    let exchange_counts = match counts {
        Ok(found) => {
            let found: BTreeMap<&str, i64> = found.iter().map(|(s, n)| (s.as_str(), *n)).collect();
            ExchangeState::ALL
                .into_iter()
                .map(|state| StateCount {
                    state,
                    count: found.get(state.as_str()).copied().unwrap_or(0),
                })
                .collect()
        }
        Err(e) => {
            tracing::warn!(code = e.code(), error = %e, "operator page: exchange counts unavailable");
            store_error = Some(e.code().to_owned());
            Vec::new()
        }
    };
    let recent_exchanges = match recent {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(code = e.code(), error = %e, "operator page: recent exchanges unavailable");
            store_error = Some(e.code().to_owned());
            Vec::new()
        }
    };
    Overview {
        generated_at: ex.now(),
        mappings: MappingsView {
            generation: status.generation,
            activated_at: status.activated_at,
            last_attempt_at: status.last_attempt_at,
            last_reload_error: status.last_error,
            reloads_ok: status.reloads_ok,
            reloads_failed: status.reloads_failed,
            mappings,
        },
        connections,
        exchange_counts,
        recent_exchanges,
        store_error,
        gateway: ex.metrics().gateway(),
    }
}

/// Every configured connection with its probe result: the open connectors of the running
/// generation are probed concurrently, each under [`PROBE_TIMEOUT`]; results are reused
/// for [`PROBE_CACHE`] within one generation.
async fn connections(op: &Operator) -> Vec<ConnectionView> {
    let set = op.exchange.mappings();
    let generation = set.generation().to_owned();
    let mut cache = op.probes.lock().await;
    if let Some((at, g, views)) = cache.as_ref()
        && at.elapsed() < PROBE_CACHE
        && *g == generation
    {
        return views.clone();
    }
    let mut probes = tokio::task::JoinSet::new();
    let mut views = BTreeMap::new();
    for (name, cfg) in &op.exchange.config().connections {
        let connector = set
            .mappings()
            .iter()
            .find(|m| m.spec.connector.connection.value == *name)
            .map(|m| m.connector.clone());
        let Some(connector) = connector else {
            views.insert(
                name.clone(),
                ConnectionView {
                    name: name.clone(),
                    kind: cfg.kind().to_owned(),
                    status: ProbeStatus::NotInUse,
                    code: None,
                    probe_ms: None,
                    degraded: false,
                    detail: None,
                    refreshed_at: None,
                },
            );
            continue;
        };
        let name = name.clone();
        let kind = cfg.kind().to_owned();
        probes.spawn(async move {
            let started = Instant::now();
            let probed = tokio::time::timeout(PROBE_TIMEOUT, connector.probe()).await;
            let probe_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let (status, code) = match probed {
                Ok(Ok(())) => (ProbeStatus::Ok, None),
                Ok(Err(e)) => {
                    tracing::warn!(connection = %name, code = e.code(), error = %e, "registry probe failed");
                    (ProbeStatus::Failed, Some(e.code().to_owned()))
                }
                Err(_) => (ProbeStatus::TimedOut, Some("CONNECTOR_TIMEOUT".to_owned())),
            };
            let health = connector.health();
            ConnectionView {
                name,
                kind,
                status,
                code,
                probe_ms: Some(probe_ms),
                degraded: health.degraded,
                detail: health.detail,
                refreshed_at: health.refreshed_at,
            }
        });
    }
    while let Some(done) = probes.join_next().await {
        match done {
            Ok(view) => {
                views.insert(view.name.clone(), view);
            }
            Err(e) => tracing::warn!(error = %e, "registry probe task failed"),
        }
    }
    let views: Vec<ConnectionView> = views.into_values().collect();
    *cache = Some((Instant::now(), generation, views.clone()));
    views
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn time(t: Option<DateTime<Utc>>) -> String {
    match t {
        Some(t) => format!(
            "<time datetime=\"{}\">{}</time>",
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            t.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        None => "<span class=\"muted\">–</span>".to_owned(),
    }
}

fn opt(s: Option<&str>) -> String {
    match s {
        Some(s) => escape_html(s),
        None => "<span class=\"muted\">–</span>".to_owned(),
    }
}

/// The page. Every value from outside this module goes through [`escape_html`].
pub fn render_html(o: &Overview) -> String {
    let mut h = String::with_capacity(16 * 1024);
    render_head(&mut h, o);
    render_mappings(&mut h, &o.mappings);
    render_connections(&mut h, o);
    render_exchange_counts(&mut h, o);
    render_recent_exchanges(&mut h, o);
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// The document head and the page's title.
fn render_head(h: &mut String, o: &Overview) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>OOTS adapter – operator</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>OOTS adapter</h1>\n<p>State at {}. Reload the page to refresh.</p>\n",
        time(Some(o.generated_at))
    );
}

/// The mapping generation and its evidence types.
fn render_mappings(h: &mut String, m: &MappingsView) {
    let _ = write!(
        h,
        "<h2 id=\"mappings\">Mapping generation</h2>\n<dl>\n\
         <dt>Generation</dt><dd><code>{}</code></dd>\n\
         <dt>Active since</dt><dd>{}</dd>\n\
         <dt>Last reload attempt</dt><dd>{}</dd>\n\
         <dt>Reloads</dt><dd>{} accepted, {} refused</dd>\n</dl>\n",
        escape_html(&m.generation),
        time(m.activated_at),
        time(m.last_attempt_at),
        m.reloads_ok,
        m.reloads_failed
    );
    if let Some(e) = &m.last_reload_error {
        let _ = write!(
            h,
            "<p class=\"bad\">The newest mapping files were refused; the generation above still answers.</p>\n<pre>{}</pre>\n",
            escape_html(e)
        );
    }
    h.push_str(
        "<table>\n<caption>Evidence types</caption>\n<thead><tr>\
         <th scope=\"col\">Mapping</th><th scope=\"col\">Title</th>\
         <th scope=\"col\">Evidence type classification</th><th scope=\"col\">Connection</th>\
         </tr></thead>\n<tbody>\n",
    );
    for v in &m.mappings {
        let types: Vec<String> = v
            .evidence_types
            .iter()
            .map(|t| format!("<code>{}</code>", escape_html(t)))
            .collect();
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&v.name),
            opt(v.title.as_deref()),
            types.join("<br>"),
            escape_html(&v.connection)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

/// Each registry connection's probe.
fn render_connections(h: &mut String, o: &Overview) {
    let gateway = match o.gateway.problem() {
        Some(p) => format!("<span class=\"bad\">{}</span>", escape_html(&p)),
        None => format!("taking answers (last {})", time(o.gateway.last_ok_at)),
    };
    let _ = writeln!(
        h,
        "<h2 id=\"access-point\">Access point</h2>\n<p>{gateway}</p>"
    );
    h.push_str(
        "<h2 id=\"connections\">Registry connections</h2>\n<table>\n\
         <caption>Each connection's probe</caption>\n<thead><tr>\
         <th scope=\"col\">Connection</th><th scope=\"col\">Type</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Code</th><th scope=\"col\">Probe (ms)</th><th scope=\"col\">Health</th>\
         </tr></thead>\n<tbody>\n",
    );
    for c in &o.connections {
        let class = match c.status {
            ProbeStatus::Ok => "ok",
            ProbeStatus::NotInUse => "muted",
            ProbeStatus::Failed | ProbeStatus::TimedOut => "bad",
        };
        let mut health = String::new();
        if c.degraded {
            health.push_str("<span class=\"bad\">degraded</span> ");
        }
        if let Some(d) = &c.detail {
            health.push_str(&escape_html(d));
        }
        if c.refreshed_at.is_some() {
            let _ = write!(health, " (refreshed {})", time(c.refreshed_at));
        }
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"{class}\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape_html(&c.name),
            escape_html(&c.kind),
            c.status.label(),
            opt(c.code.as_deref()),
            c.probe_ms
                .map(|ms| ms.to_string())
                .unwrap_or_else(|| "–".to_owned()),
            health
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The state store's exchanges by state (or why it could not be read).
fn render_exchange_counts(h: &mut String, o: &Overview) {
    h.push_str("<h2 id=\"exchanges\">Exchanges</h2>\n");
    if let Some(code) = &o.store_error {
        let _ = writeln!(
            h,
            "<p class=\"bad\">The state store could not be read (<code>{}</code>).</p>",
            escape_html(code)
        );
    }
    h.push_str(
        "<table>\n<caption>Exchanges by state</caption>\n<thead><tr>\
         <th scope=\"col\">State</th><th scope=\"col\">Exchanges</th></tr></thead>\n<tbody>\n",
    );
    for s in &o.exchange_counts {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
            s.state.as_str(),
            s.count
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The most recent exchanges.
fn render_recent_exchanges(h: &mut String, o: &Overview) {
    let _ = write!(
        h,
        "<table>\n<caption>The {RECENT} most recent exchanges, newest first</caption>\n<thead><tr>\
         <th scope=\"col\">Message id</th><th scope=\"col\">State</th><th scope=\"col\">Received</th>\
         <th scope=\"col\">Answered</th><th scope=\"col\">Answer</th><th scope=\"col\">Code</th>\
         <th scope=\"col\">Generation</th><th scope=\"col\">Send attempts</th><th scope=\"col\">Last error</th>\
         </tr></thead>\n<tbody>\n"
    );
    if o.recent_exchanges.is_empty() {
        h.push_str("<tr><td colspan=\"9\" class=\"muted\">No exchanges yet.</td></tr>\n");
    }
    for e in &o.recent_exchanges {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape_html(&e.message_id),
            e.state.as_str(),
            time(Some(e.received_at)),
            time(e.answered_at),
            opt(e.action.as_deref()),
            opt(e.code.as_deref()),
            e.generation
                .as_deref()
                .map(|g| format!("<code>{}</code>", escape_html(short(g))))
                .unwrap_or_else(|| opt(None)),
            e.attempts,
            opt(e.last_error.as_deref())
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The first 12 characters of a generation hash (the table stays narrow; the full one
/// is at the top and in the JSON).
fn short(g: &str) -> &str {
    g.char_indices().nth(12).map(|(i, _)| &g[..i]).unwrap_or(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn bearer_tokens_are_checked() {
        let check = |token: Option<&str>, value: Option<&str>| {
            let mut h = HeaderMap::new();
            if let Some(v) = value {
                h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            }
            authorized(token, &h)
        };
        assert!(check(None, None));
        assert!(check(Some("s3cret"), Some("Bearer s3cret")));
        assert!(!check(Some("s3cret"), Some("Bearer s3cre")));
        assert!(!check(Some("s3cret"), Some("s3cret")));
        assert!(!check(Some("s3cret"), None));
        assert!(!check(Some(""), Some("Bearer ")));
    }

    #[test]
    fn generation_is_shortened_on_char_boundaries() {
        assert_eq!(short("0123456789abcdef"), "0123456789ab");
        assert_eq!(short("abc"), "abc");
        assert_eq!(short("ééééééééééééé"), "éééééééééééé");
    }
}
