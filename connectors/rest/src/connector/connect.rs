//! Building a connector from its settings: the base URL checked, secrets and files
//! resolved, the HTTP client (headers, same-origin redirects, TLS) and the credentials,
//! pagination and JSONPaths prepared. No request is sent.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use oots_connector::ConnectorError;
use oots_connector::secret::{Secret, SecretRef};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::{HealthState, RestConnector, config, join};
use crate::jsonpath::JsonPath;
use crate::settings::{AuthSettings, Pagination, RestSettings};

/// Redirects followed per request (same origin only).
const MAX_REDIRECTS: usize = 5;

/// Credentials, resolved at connect time.
pub(super) enum Auth {
    None,
    /// A ready header (`Authorization: Bearer …`, `X-API-Key: …`), marked sensitive.
    Header(HeaderName, HeaderValue),
    Basic(String, Secret),
    Query(String, Secret),
    /// Handled by the TLS client identity.
    Mtls,
}

/// How further pages of a result are found.
pub(super) enum Paging {
    None,
    NextLink(JsonPath),
    Page {
        param: String,
        start: u64,
        size: Option<(String, u64)>,
    },
}

/// A file of the configuration folder (a certificate, a key).
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

/// A CA bundle, the only roots the client then trusts.
fn read_ca(base_dir: &Path, path: &Path) -> Result<Vec<reqwest::Certificate>, ConnectorError> {
    reqwest::Certificate::from_pem_bundle(&read_file(base_dir, path, "CA file")?)
        .map_err(|_| config("CA file is not a valid PEM certificate bundle"))
}

/// A secret reference resolved (a file path relative to the configuration folder).
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
    ///
    /// [`Connector::probe`]: oots_connector::Connector::probe
    pub fn connect(settings: &RestSettings, base_dir: &Path) -> Result<Self, ConnectorError> {
        let base = base_url(settings)?;
        if settings.timeout_ms == 0 || settings.max_pages == 0 || settings.max_response_bytes == 0 {
            return Err(config(
                "timeout_ms, max_pages and max_response_bytes must be positive",
            ));
        }
        let request_timeout = Duration::from_millis(settings.timeout_ms);
        let builder = client_builder(settings, &base, request_timeout)?;
        let (auth, mut builder) = auth(&settings.auth, base_dir, builder)?;
        if let Some(ca) = &settings.ca {
            builder = builder.tls_certs_only(read_ca(base_dir, ca)?);
        }
        let records = settings
            .records
            .as_deref()
            .map(|p| JsonPath::parse(p).map_err(|e| config(format!("records: {e}"))))
            .transpose()?;
        let paging = paging(&settings.pagination)?;
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
}

/// `base_url`, checked: http(s) with a host, no credentials (they belong in `auth`), no
/// query or fragment (queries are appended to it).
fn base_url(settings: &RestSettings) -> Result<Url, ConnectorError> {
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
    Ok(base)
}

/// The HTTP client's common settings: timeouts, user agent, the configured headers, and
/// redirects followed only on the base URL's origin.
fn client_builder(
    settings: &RestSettings,
    base: &Url,
    request_timeout: Duration,
) -> Result<reqwest::ClientBuilder, ConnectorError> {
    let mut headers = HeaderMap::new();
    for (name, value) in &settings.headers {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| config(format!("header name `{name}` is invalid")))?;
        let v = HeaderValue::from_str(value)
            .map_err(|_| config(format!("value of header `{name}` is invalid")))?;
        headers.insert(n, v);
    }

    let origin = base.origin();
    Ok(reqwest::Client::builder()
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
        })))
}

/// The credentials, their secrets resolved; mTLS sets the client identity (and its own
/// CA) on `builder`.
fn auth(
    settings: &AuthSettings,
    base_dir: &Path,
    mut builder: reqwest::ClientBuilder,
) -> Result<(Auth, reqwest::ClientBuilder), ConnectorError> {
    let auth = match settings {
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
    Ok((auth, builder))
}

/// The pagination, its JSONPath parsed; page size needs both its parameter and value.
fn paging(pagination: &Pagination) -> Result<Paging, ConnectorError> {
    Ok(match pagination {
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
    })
}

/// A header value carrying a secret, marked sensitive (kept out of debug output).
fn sensitive(text: &str) -> Result<HeaderValue, ConnectorError> {
    let mut v = HeaderValue::from_str(text)
        .map_err(|_| config("secret contains characters not allowed in an HTTP header"))?;
    v.set_sensitive(true);
    Ok(v)
}
