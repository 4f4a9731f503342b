//! The HTTP client the OpenID Connect library talks to the provider through: our
//! `reqwest` client behind oauth2's [`AsyncHttpClient`] trait, so the crate's own
//! (older) reqwest is not pulled in.
//!
//! Redirects are never followed (the openidconnect documentation requires it against
//! server-side request forgery: a provider answer must not make the adapter fetch another
//! URL), every request has a timeout, and answers are capped in size.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

use super::AuthError;

/// Largest answer read from the provider (discovery, key set, token, userinfo).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Default timeout of one request to the provider.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A `reqwest` client that follows no redirect, with a timeout, usable by openidconnect.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    max_response_bytes: usize,
}

/// Why a request to the provider failed. Messages carry no request or response body.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The library built a request reqwest cannot send.
    #[error("request cannot be built: {0}")]
    Build(String),
    /// Connection, TLS or timeout failure.
    #[error("request failed: {0}")]
    Send(String),
    /// The answer is larger than the limit.
    #[error("answer larger than {0} bytes")]
    TooLarge(usize),
    /// The answer cannot be turned back into an `http` response.
    #[error("answer unusable: {0}")]
    Response(String),
}

impl HttpClient {
    /// A client with the given per-request timeout (connect included).
    pub fn new(timeout: Duration) -> Result<Self, AuthError> {
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| AuthError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            inner,
            max_response_bytes: MAX_RESPONSE_BYTES,
        })
    }

    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| HttpError::Build(e.without_url().to_string()))?;
        let mut response = self
            .inner
            .execute(request)
            .await
            .map_err(|e| HttpError::Send(describe(&e)))?;
        if response
            .content_length()
            .is_some_and(|n| n > self.max_response_bytes as u64)
        {
            return Err(HttpError::TooLarge(self.max_response_bytes));
        }
        let mut builder = openidconnect::http::Response::builder()
            .status(response.status())
            .version(response.version());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| HttpError::Send(describe(&e)))?
        {
            if body.len() + chunk.len() > self.max_response_bytes {
                return Err(HttpError::TooLarge(self.max_response_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        builder
            .body(body)
            .map_err(|e| HttpError::Response(e.to_string()))
    }
}

/// The kind of failure and the host, without the URL's path or query.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "answer interrupted"
    } else {
        "failed"
    };
    match e.url().and_then(|u| u.host_str()) {
        Some(host) => format!("{kind} ({host})"),
        None => kind.to_owned(),
    }
}

impl<'c> AsyncHttpClient<'c> for HttpClient {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}
