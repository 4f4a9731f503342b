//! The HTTP exchange with the registry: one authenticated GET, retried on transient
//! failures within the lookup's deadline, its body read under the size cap, and failures
//! described without URLs (they carry parameter values).

use std::time::Duration;

use oots_connector::ConnectorError;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use tokio::time::Instant;
use url::Url;

use super::RestConnector;
use super::connect::Auth;

/// First retry delay; doubled on each further attempt.
const BACKOFF_BASE: Duration = Duration::from_millis(200);
/// Longest computed backoff between two attempts.
pub(super) const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// Longest `Retry-After` honoured; a registry asking for more is treated as down.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(30);

/// One HTTP exchange, after retries.
pub(super) struct Fetched {
    pub(super) status: StatusCode,
    pub(super) attempts: u32,
    pub(super) content_type: Option<String>,
    /// The body, read only for 2xx answers.
    pub(super) body: Vec<u8>,
}

impl RestConnector {
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
    pub(super) async fn get(
        &self,
        url: &Url,
        deadline: Option<Instant>,
    ) -> Result<Fetched, ConnectorError> {
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
    pub(super) fn status_error(&self, f: &Fetched) -> ConnectorError {
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
}

/// Whether a status is worth retrying (rate limit, gateway failures).
fn is_retryable(s: StatusCode) -> bool {
    matches!(s.as_u16(), 429 | 502 | 503 | 504)
}

/// The delay before retry `attempt` (0-based): doubled each time, capped.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), Duration::from_millis(200));
        assert_eq!(backoff(2), Duration::from_millis(800));
        assert_eq!(backoff(30), BACKOFF_MAX);
    }
}
