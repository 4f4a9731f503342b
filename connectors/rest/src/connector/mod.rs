//! [`RestConnector`]: bounded, authenticated JSON lookups against a REST registry.
//!
//! The connector and its [`Connector`] face live here; building it from settings is in
//! `connect`, the HTTP exchange (retries, size cap, error mapping) in `http`, and running
//! lookups and document fetches in `lookup`.

mod connect;
mod http;
mod lookup;

use std::fmt;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use oots_connector::{
    CancellationToken, Connector, ConnectorError, Document, Health, Limits, Lookup, Record,
};
use tokio::time::Instant;
use url::Url;

use crate::jsonpath::JsonPath;
use crate::records;
use crate::template::Template;
use connect::{Auth, Paging};
use http::BACKOFF_MAX;

#[derive(Default)]
struct HealthState {
    last_success: Option<DateTime<Utc>>,
    last_error: Option<(DateTime<Utc>, &'static str, String)>,
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

/// A configuration error.
fn config(msg: impl Into<String>) -> ConnectorError {
    ConnectorError::Config(msg.into())
}

impl RestConnector {
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

    /// A field recorded as JSON `null` is found: its path selects a node.
    fn fixture_fields_found(
        &self,
        response: &serde_json::Value,
        fields: &oots_connector::FieldPaths,
    ) -> Result<std::collections::BTreeSet<String>, ConnectorError> {
        let fields = parse_fields(fields)?;
        Ok(records::select(self.records.as_ref(), response)
            .into_iter()
            .flat_map(|r| {
                fields
                    .iter()
                    .filter(move |(_, path)| path.first(r).is_some())
                    .map(|(name, _)| name.clone())
            })
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
}
