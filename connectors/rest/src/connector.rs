//! [`RestConnector`]: bounded, authenticated JSON lookups against a REST registry.

use std::fmt;
use std::future::Future;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use oots_connector::secret::{Secret, SecretRef};
use oots_connector::{
    CancellationToken, Connector, ConnectorError, Document, Health, Limits, Lookup, Record,
};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use serde_json::Value as Json;
use tokio::time::Instant;
use url::Url;

use crate::jsonpath::JsonPath;
use crate::records;
use crate::settings::{AuthSettings, Pagination, RestSettings};
use crate::template::Template;

/// First retry delay; doubled on each further attempt.
const BACKOFF_BASE: Duration = Duration::from_millis(200);
/// Longest computed backoff between two attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// Longest `Retry-After` honoured; a registry asking for more is treated as down.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(30);
/// Redirects followed per request (same origin only).
const MAX_REDIRECTS: usize = 5;

/// Credentials, resolved at connect time.
enum Auth {
    None,
    /// A ready header (`Authorization: Bearer …`, `X-API-Key: …`), marked sensitive.
    Header(HeaderName, HeaderValue),
    Basic(String, Secret),
    Query(String, Secret),
    /// Handled by the TLS client identity.
    Mtls,
}

enum Paging {
    None,
    NextLink(JsonPath),
    Page {
        param: String,
        start: u64,
        size: Option<(String, u64)>,
    },
}

#[derive(Default)]
struct HealthState {
    last_success: Option<DateTime<Utc>>,
    last_error: Option<(DateTime<Utc>, &'static str, String)>,
}

/// One HTTP exchange, after retries.
struct Fetched {
    status: StatusCode,
    attempts: u32,
    content_type: Option<String>,
    /// The body, read only for 2xx answers.
    body: Vec<u8>,
}

/// A registry reachable over HTTP(S) with JSON answers.
///
/// Lookups are time-boxed (whole lookup, retries included), cancellable and row-capped.
/// Error messages never contain URLs (they carry parameter values), secrets or bodies.
pub struct RestConnector {
    client: reqwest::Client,
    base: Url,
    auth: Auth,
    auth_kind: &'static str,
    retries: u32,
    request_timeout: Duration,
    records: Option<JsonPath>,
    paging: Paging,
    max_pages: u32,
    max_bytes: u64,
    probe_url: Url,
    health: Mutex<HealthState>,
}

impl fmt::Debug for RestConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestConnector")
            .field("base_url", &self.base.as_str())
            .field("auth", &self.auth_kind)
            .field("retries", &self.retries)
            .field("request_timeout", &self.request_timeout)
            .field("records", &self.records)
            .field("max_pages", &self.max_pages)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

fn config(msg: impl Into<String>) -> ConnectorError {
    ConnectorError::Config(msg.into())
}

fn read_file(base_dir: &Path, path: &Path, what: &str) -> Result<Vec<u8>, ConnectorError> {
    let full = base_dir.join(path);
    std::fs::read(&full).map_err(|e| {
        config(format!(
            "{what} {} cannot be read: {}",
            full.display(),
            e.kind()
        ))
    })
}

fn read_ca(base_dir: &Path, path: &Path) -> Result<Vec<reqwest::Certificate>, ConnectorError> {
    reqwest::Certificate::from_pem_bundle(&read_file(base_dir, path, "CA file")?)
        .map_err(|_| config("CA file is not a valid PEM certificate bundle"))
}

fn resolve(secret: &SecretRef, base_dir: &Path) -> Result<Secret, ConnectorError> {
    secret
        .clone()
        .relative_to(base_dir)
        .resolve()
        .map_err(|e| config(e.to_string()))
}

impl RestConnector {
    /// Validates `settings`, resolves secrets and files (relative paths against `base_dir`,
    /// the configuration folder), parses every JSONPath and builds the HTTP client. No
    /// request is sent; use [`Connector::probe`] for that.
    pub fn connect(settings: &RestSettings, base_dir: &Path) -> Result<Self, ConnectorError> {
        let base = Url::parse(settings.base_url.trim())
            .map_err(|e| config(format!("base_url is not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(config(
                "base_url must be an http:// or https:// URL with a host",
            ));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(config(
                "base_url must not contain credentials; use `auth` with a secret reference",
            ));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(config("base_url must not have a query string or fragment"));
        }
        if settings.timeout_ms == 0 || settings.max_pages == 0 || settings.max_response_bytes == 0 {
            return Err(config(
                "timeout_ms, max_pages and max_response_bytes must be positive",
            ));
        }
        let request_timeout = Duration::from_millis(settings.timeout_ms);

        let mut headers = HeaderMap::new();
        for (name, value) in &settings.headers {
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| config(format!("header name `{name}` is invalid")))?;
            let v = HeaderValue::from_str(value)
                .map_err(|_| config(format!("value of header `{name}` is invalid")))?;
            headers.insert(n, v);
        }

        let origin = base.origin();
        let mut builder = reqwest::Client::builder()
            .timeout(request_timeout)
            .connect_timeout(request_timeout)
            .user_agent(concat!("oots-adapter/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= MAX_REDIRECTS || attempt.url().origin() != origin {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }));

        let auth = match &settings.auth {
            AuthSettings::None => Auth::None,
            AuthSettings::Bearer { token } => {
                let token = resolve(token, base_dir)?;
                Auth::Header(
                    reqwest::header::AUTHORIZATION,
                    sensitive(&format!("Bearer {}", token.expose()))?,
                )
            }
            AuthSettings::Basic { username, password } => {
                Auth::Basic(username.clone(), resolve(password, base_dir)?)
            }
            AuthSettings::ApiKey {
                header,
                query_param,
                value,
            } => {
                let value = resolve(value, base_dir)?;
                match (header, query_param) {
                    (Some(_), Some(_)) => {
                        return Err(config("api_key takes `header` or `query_param`, not both"));
                    }
                    (_, Some(q)) => Auth::Query(q.clone(), value),
                    (h, None) => {
                        let h = h.as_deref().unwrap_or("X-API-Key");
                        let name = HeaderName::from_bytes(h.as_bytes())
                            .map_err(|_| config(format!("api_key header `{h}` is invalid")))?;
                        Auth::Header(name, sensitive(value.expose())?)
                    }
                }
            }
            AuthSettings::Mtls { cert, key, ca } => {
                let mut pem = read_file(base_dir, cert, "client certificate")?;
                pem.push(b'\n');
                pem.extend(read_file(base_dir, key, "client key")?);
                let identity = reqwest::Identity::from_pem(&pem).map_err(|_| {
                    config("client certificate/key are not a valid PEM certificate and key")
                })?;
                builder = builder.identity(identity);
                if let Some(ca) = ca {
                    builder = builder.tls_certs_only(read_ca(base_dir, ca)?);
                }
                Auth::Mtls
            }
        };

        if let Some(ca) = &settings.ca {
            builder = builder.tls_certs_only(read_ca(base_dir, ca)?);
        }
        let records = settings
            .records
            .as_deref()
            .map(|p| JsonPath::parse(p).map_err(|e| config(format!("records: {e}"))))
            .transpose()?;
        let paging = match &settings.pagination {
            Pagination::None => Paging::None,
            Pagination::NextLink { path } => Paging::NextLink(
                JsonPath::parse(path).map_err(|e| config(format!("pagination.path: {e}")))?,
            ),
            Pagination::Page {
                param,
                start,
                size_param,
                size,
            } => Paging::Page {
                param: param.clone(),
                start: *start,
                size: match (size_param, size) {
                    (Some(p), Some(s)) => Some((p.clone(), *s)),
                    (None, None) => None,
                    _ => {
                        return Err(config(
                            "pagination: set both size_param and size, or neither",
                        ));
                    }
                },
            },
        };
        let probe_url = match &settings.probe_path {
            Some(p) => join(&base, p)?,
            None => base.clone(),
        };
        let client = builder
            .build()
            .map_err(|_| config("cannot build the HTTP client (TLS settings)"))?;
        Ok(Self {
            client,
            base,
            auth_kind: settings.auth.kind(),
            auth,
            retries: settings.retries,
            request_timeout,
            records,
            paging,
            max_pages: settings.max_pages,
            max_bytes: settings.max_response_bytes,
            probe_url,
            health: Mutex::new(HealthState::default()),
        })
    }

    /// Sends one GET with credentials.
    async fn send_once(&self, url: &Url) -> Result<reqwest::Response, reqwest::Error> {
        let mut url = url.clone();
        if let Auth::Query(name, value) = &self.auth {
            url.query_pairs_mut().append_pair(name, value.expose());
        }
        let mut req = self.client.get(url);
        match &self.auth {
            Auth::Header(n, v) => req = req.header(n.clone(), v.clone()),
            Auth::Basic(user, pw) => req = req.basic_auth(user, Some(pw.expose())),
            Auth::None | Auth::Query(..) | Auth::Mtls => {}
        }
        req.send().await
    }

    /// GET with retries (connect errors, 429, 502–504; backoff or `Retry-After`), never
    /// sleeping past `deadline`; reads a 2xx body under the size cap.
    async fn get(&self, url: &Url, deadline: Option<Instant>) -> Result<Fetched, ConnectorError> {
        let mut attempt: u32 = 0;
        loop {
            let result = self.send_once(url).await;
            let delay = match &result {
                Err(e) if e.is_connect() => Some(backoff(attempt)),
                Ok(resp) if is_retryable(resp.status()) => {
                    Some(retry_after(resp.headers()).unwrap_or_else(|| backoff(attempt)))
                }
                _ => None,
            };
            if let Some(d) = delay
                && attempt < self.retries
                && d <= RETRY_AFTER_MAX
                && deadline.is_none_or(|dl| Instant::now() + d < dl)
            {
                tracing::debug!(
                    attempt,
                    delay_ms = d.as_millis() as u64,
                    "retrying registry request"
                );
                tokio::time::sleep(d).await;
                attempt += 1;
                continue;
            }
            let mut resp = result.map_err(|e| self.transport_error(&e))?;
            let status = resp.status();
            let content_type = resp
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let mut body = Vec::new();
            if status.is_success() {
                if let Some(len) = resp.content_length()
                    && len > self.max_bytes
                {
                    return Err(self.too_large());
                }
                while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport_error(&e))? {
                    if (body.len() + chunk.len()) as u64 > self.max_bytes {
                        return Err(self.too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
            }
            return Ok(Fetched {
                status,
                attempts: attempt + 1,
                content_type,
                body,
            });
        }
    }

    fn too_large(&self) -> ConnectorError {
        ConnectorError::Query(format!(
            "registry response exceeds max_response_bytes ({})",
            self.max_bytes
        ))
    }

    /// A transport failure, described without the URL (it carries parameter values).
    fn transport_error(&self, e: &reqwest::Error) -> ConnectorError {
        if e.is_timeout() {
            return ConnectorError::Timeout(self.request_timeout);
        }
        let host = self.base.host_str().unwrap_or("?");
        let mut msg = String::new();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            msg = s.to_string();
            source = s.source();
        }
        if e.is_connect() {
            ConnectorError::Unavailable(format!("cannot connect to registry host {host}: {msg}"))
        } else {
            ConnectorError::Unavailable(format!("request to registry host {host} failed: {msg}"))
        }
    }

    /// Maps a non-2xx status to an error (404 is handled by the callers).
    fn status_error(&self, f: &Fetched) -> ConnectorError {
        let s = f.status;
        match s.as_u16() {
            401 | 403 => ConnectorError::Config(format!(
                "registry refused our credentials (HTTP {}); check the connection's auth settings",
                s.as_u16()
            )),
            429 | 500..=599 => ConnectorError::Unavailable(format!(
                "registry answered HTTP {} after {} attempt(s)",
                s.as_u16(),
                f.attempts
            )),
            300..=399 => ConnectorError::Query(format!(
                "registry redirected (HTTP {}) to another host or too often; refused",
                s.as_u16()
            )),
            _ => ConnectorError::Query(format!(
                "registry rejected the request: HTTP {}",
                s.as_u16()
            )),
        }
    }

    async fn run_lookup(
        &self,
        lookup: &Lookup<'_>,
        deadline: Instant,
    ) -> Result<Vec<Record>, ConnectorError> {
        let template = Template::parse(lookup.query)?;
        let first = join(&self.base, &template.render(lookup.params)?)?;
        let fields = parse_fields(lookup.fields)?;
        let max_rows = lookup.limits.max_rows;
        let mut out = Vec::new();
        let mut url = self.page_url(&first, 0);
        let mut page: u32 = 0;
        loop {
            if page >= self.max_pages {
                return Err(ConnectorError::Query(format!(
                    "registry result spans more than {} pages (max_pages)",
                    self.max_pages
                )));
            }
            let fetched = self.get(&url, Some(deadline)).await?;
            if fetched.status == StatusCode::NOT_FOUND {
                break;
            }
            if !fetched.status.is_success() {
                return Err(self.status_error(&fetched));
            }
            let body: Json = if fetched.body.iter().all(u8::is_ascii_whitespace) {
                Json::Null
            } else {
                serde_json::from_slice(&fetched.body)
                    .map_err(|_| ConnectorError::Query("registry response is not JSON".into()))?
            };
            let selected = records::select(self.records.as_ref(), &body);
            let empty = selected.is_empty();
            for r in selected {
                if out.len() >= max_rows {
                    return Err(ConnectorError::TooManyRows(max_rows));
                }
                out.push(records::to_record(r, &fields));
            }
            page += 1;
            url = match &self.paging {
                Paging::None => break,
                Paging::NextLink(path) => match path.first(&body) {
                    Some(Json::String(next)) if !next.is_empty() => {
                        let next = url.join(next).map_err(|_| {
                            ConnectorError::Query("registry next-page link is not a URL".into())
                        })?;
                        if next.origin() != self.base.origin() {
                            return Err(ConnectorError::Query(
                                "registry next-page link points to another host; refused".into(),
                            ));
                        }
                        next
                    }
                    _ => break,
                },
                Paging::Page { .. } if empty => break,
                Paging::Page { .. } => self.page_url(&first, u64::from(page)),
            };
        }
        Ok(out)
    }

    /// The URL of page `index` (0-based) for numbered pagination, else `first` itself.
    fn page_url(&self, first: &Url, index: u64) -> Url {
        let mut url = first.clone();
        if let Paging::Page { param, start, size } = &self.paging {
            let mut q = url.query_pairs_mut();
            q.append_pair(param, &start.saturating_add(index).to_string());
            if let Some((p, s)) = size {
                q.append_pair(p, &s.to_string());
            }
        }
        url
    }

    async fn run_fetch(
        &self,
        reference: &str,
        deadline: Instant,
    ) -> Result<Document, ConnectorError> {
        let url = match Url::parse(reference) {
            Ok(abs) => {
                if abs.origin() != self.base.origin() {
                    return Err(ConnectorError::Query(
                        "document reference points to another host than base_url; refused".into(),
                    ));
                }
                abs
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => join(&self.base, reference)?,
            Err(_) => {
                return Err(ConnectorError::Query(
                    "document reference is not a URL or path".into(),
                ));
            }
        };
        let fetched = self.get(&url, Some(deadline)).await?;
        if fetched.status == StatusCode::NOT_FOUND {
            return Err(ConnectorError::Query(
                "document not found (HTTP 404)".into(),
            ));
        }
        if !fetched.status.is_success() {
            return Err(self.status_error(&fetched));
        }
        let media_type = fetched
            .content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or("application/octet-stream")
            .to_ascii_lowercase();
        Ok(Document {
            media_type,
            bytes: fetched.body,
        })
    }

    /// Runs `fut` under the lookup's time budget and the caller's cancellation, and
    /// records the outcome for [`Connector::health`].
    async fn bounded<T>(
        &self,
        timeout: Duration,
        cancel: &CancellationToken,
        fut: impl Future<Output = Result<T, ConnectorError>>,
    ) -> Result<T, ConnectorError> {
        let result = tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(ConnectorError::Cancelled),
            r = tokio::time::timeout(timeout, fut) => r.unwrap_or(Err(ConnectorError::Timeout(timeout))),
        };
        self.record(&result);
        result
    }

    fn record<T>(&self, result: &Result<T, ConnectorError>) {
        let Ok(mut h) = self.health.lock() else {
            return;
        };
        match result {
            Ok(_) => h.last_success = Some(Utc::now()),
            Err(
                e @ (ConnectorError::Unavailable(_)
                | ConnectorError::Timeout(_)
                | ConnectorError::Config(_)),
            ) => h.last_error = Some((Utc::now(), e.code(), e.to_string())),
            Err(_) => {}
        }
    }
}

/// `base` + `relative` (appended to the base path, not RFC 3986 resolution, so
/// `/persons` under `https://h/api/v1` is `https://h/api/v1/persons`).
fn join(base: &Url, relative: &str) -> Result<Url, ConnectorError> {
    let root = base.as_str().trim_end_matches('/');
    let text = if relative.is_empty() {
        base.as_str().to_owned()
    } else if relative.starts_with('?') {
        format!("{root}{relative}")
    } else {
        format!("{root}/{}", relative.trim_start_matches('/'))
    };
    let url = Url::parse(&text)
        .map_err(|_| ConnectorError::Query("REST query does not form a valid URL".into()))?;
    if url.origin() != base.origin() {
        return Err(ConnectorError::Query(
            "REST query leaves base_url's host; refused".into(),
        ));
    }
    Ok(url)
}

fn sensitive(text: &str) -> Result<HeaderValue, ConnectorError> {
    let mut v = HeaderValue::from_str(text)
        .map_err(|_| config("secret contains characters not allowed in an HTTP header"))?;
    v.set_sensitive(true);
    Ok(v)
}

fn is_retryable(s: StatusCode) -> bool {
    matches!(s.as_u16(), 429 | 502 | 503 | 504)
}

fn backoff(attempt: u32) -> Duration {
    BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(attempt))
        .min(BACKOFF_MAX)
}

/// `Retry-After` in seconds (the HTTP-date form is ignored: backoff applies).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs))
}

#[async_trait]
impl Connector for RestConnector {
    fn kind(&self) -> &'static str {
        "rest"
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        Ok(Template::parse(query)?.parameters())
    }

    fn check_path(&self, path: &str) -> Result<(), ConnectorError> {
        JsonPath::parse(path)
            .map(|_| ())
            .map_err(ConnectorError::Config)
    }

    /// A recorded response body: the same `records` selection and field JSONPaths as a
    /// live lookup.
    fn decode_fixture(
        &self,
        response: &serde_json::Value,
        fields: &oots_connector::FieldPaths,
    ) -> Result<Vec<Record>, ConnectorError> {
        let fields = parse_fields(fields)?;
        Ok(records::select(self.records.as_ref(), response)
            .into_iter()
            .map(|r| records::to_record(r, &fields))
            .collect())
    }

    /// GET the query's URL (placeholders percent-encoded), follow pagination, select the
    /// records and map their fields. HTTP 404 means "no such record": zero records.
    async fn lookup(
        &self,
        lookup: &Lookup<'_>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        let timeout = lookup.limits.timeout;
        let deadline = Instant::now() + timeout;
        self.bounded(timeout, cancel, self.run_lookup(lookup, deadline))
            .await
    }

    /// GET `reference` (a path under `base_url` or an absolute URL on the same origin).
    async fn fetch_document(
        &self,
        reference: &str,
        limits: Limits,
        cancel: &CancellationToken,
    ) -> Result<Document, ConnectorError> {
        let deadline = Instant::now() + limits.timeout;
        self.bounded(limits.timeout, cancel, self.run_fetch(reference, deadline))
            .await
    }

    /// GET `probe_path` (or `base_url`): any answer but 401/403 (bad credentials), 429 and
    /// 5xx proves the registry is reachable — a bare API root often answers 404.
    async fn probe(&self) -> Result<(), ConnectorError> {
        let timeout = self.request_timeout.saturating_mul(self.retries + 1) + BACKOFF_MAX;
        let never = CancellationToken::new();
        self.bounded(timeout, &never, async {
            let f = self.get(&self.probe_url, None).await?;
            match f.status.as_u16() {
                401 | 403 | 429 | 500..=599 => Err(self.status_error(&f)),
                _ => Ok(()),
            }
        })
        .await
    }

    fn health(&self) -> Health {
        let Ok(h) = self.health.lock() else {
            return Health::default();
        };
        let degraded = match (&h.last_error, h.last_success) {
            (Some((at, ..)), Some(ok)) => *at > ok,
            (Some(_), None) => true,
            _ => false,
        };
        let mut parts = Vec::new();
        if let Some(ok) = h.last_success {
            parts.push(format!("last success {}", ok.to_rfc3339()));
        }
        if let Some((at, code, msg)) = &h.last_error {
            parts.push(format!("last error {} {code}: {msg}", at.to_rfc3339()));
        }
        Health {
            degraded,
            detail: (!parts.is_empty()).then(|| parts.join("; ")),
            refreshed_at: h.last_success,
        }
    }
}

/// Each field's JSONPath, parsed.
fn parse_fields(
    fields: &oots_connector::FieldPaths,
) -> Result<Vec<(String, JsonPath)>, ConnectorError> {
    fields
        .iter()
        .map(|(n, p)| {
            JsonPath::parse(p)
                .map(|jp| (n.clone(), jp))
                .map_err(|e| config(format!("field {n}: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_appends_to_the_base_path() {
        let base = Url::parse("https://h.example/api/v1/").unwrap();
        assert_eq!(
            join(&base, "/persons?x=1").unwrap().as_str(),
            "https://h.example/api/v1/persons?x=1"
        );
        assert_eq!(
            join(&base, "").unwrap().as_str(),
            "https://h.example/api/v1/"
        );
        assert!(join(&base, "@evil.example/x").is_ok_and(|u| u.host_str() == Some("h.example")));
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), Duration::from_millis(200));
        assert_eq!(backoff(2), Duration::from_millis(800));
        assert_eq!(backoff(30), BACKOFF_MAX);
    }
}
