//! Structured logs and OpenTelemetry traces.
//!
//! Logs go to stderr (JSON for log shippers, compact for people), filtered by `OOTS_LOG`.
//! When `telemetry.otlp_endpoint` is set, spans are also exported over OTLP/HTTP
//! (protobuf) in batches, from the SDK's own thread with a blocking client, so a slow
//! collector never holds up an exchange. Span fields and events follow the same rule as
//! logs: identifiers and codes, never personal data.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::TelemetryConfig;

/// `service.name` when the configuration gives none.
pub const DEFAULT_SERVICE_NAME: &str = "oots-adapter";

/// How long one batch export may take before it is given up.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// A layer for any subscriber built on a span registry.
pub type BoxedLayer<S> = Box<dyn Layer<S> + Send + Sync + 'static>;

/// Why logging or tracing could not be set up. Codes are stable.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// `telemetry.otlp_endpoint` is not an http(s) URL.
    #[error("telemetry.otlp_endpoint is not an http(s) URL: {0}")]
    Endpoint(String),
    /// The OTLP exporter could not be built.
    #[error("cannot build the OTLP trace exporter: {0}")]
    Exporter(String),
    /// Exporting or shutting down the trace pipeline failed (collector unreachable…).
    #[error("trace export failed: {0}")]
    Export(String),
    /// A global subscriber was installed before (tests, a second `init`).
    #[error("a global tracing subscriber is already installed: {0}")]
    AlreadyInstalled(String),
}

impl TelemetryError {
    /// Stable identifier of the failure kind.
    pub fn code(&self) -> &'static str {
        match self {
            TelemetryError::Endpoint(_) => "TELEMETRY_ENDPOINT",
            TelemetryError::Exporter(_) => "TELEMETRY_EXPORTER",
            TelemetryError::Export(_) => "TELEMETRY_EXPORT",
            TelemetryError::AlreadyInstalled(_) => "TELEMETRY_INSTALLED",
        }
    }
}

/// Keeps the trace pipeline alive; dropping it flushes the spans still queued and stops
/// the exporter (this blocks for up to the export timeout, so drop it when the process
/// ends, outside the request path).
#[must_use = "dropping the guard stops trace export"]
#[derive(Debug, Default)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Whether spans are exported.
    pub fn exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports every span finished so far now (blocking).
    pub fn flush(&self) -> Result<(), TelemetryError> {
        match &self.provider {
            Some(p) => p
                .force_flush()
                .map_err(|e| TelemetryError::Export(e.to_string())),
            None => Ok(()),
        }
    }

    /// Flushes and stops the exporter, reporting a failure the drop would only log.
    pub fn shutdown(mut self) -> Result<(), TelemetryError> {
        match self.provider.take() {
            Some(p) => p
                .shutdown()
                .map_err(|e| TelemetryError::Export(e.to_string())),
            None => Ok(()),
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(p) = self.provider.take()
            && let Err(e) = p.shutdown()
        {
            let e = TelemetryError::Export(e.to_string());
            tracing::warn!(code = e.code(), error = %e, "traces not flushed at shutdown");
        }
    }
}

/// Crates whose events may quote personal data at any level, so they are never logged:
/// the SQL Server driver logs server error messages (which may quote row values), the
/// template engine logs the values it renders (dates of birth, parents' names).
const SILENCED: &[&str] = &["tiberius", "handlebars"];

/// The log filter: `OOTS_LOG` if set and valid, else `default_level`, with two limits no
/// `OOTS_LOG` lifts, because no level may log personal data:
/// - the crates in [`SILENCED`] are off;
/// - other crates' events pass at `INFO` and above only (see [`quiet_directives`]). Their
///   debug and trace events carry what they handle (URLs with query strings, rows,
///   rendered values); ours follow the rule of identifiers and codes only.
pub fn log_filter(default_level: &str) -> EnvFilter {
    let spec = std::env::var("OOTS_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| default_level.to_owned());
    let mut filter = EnvFilter::try_new(quiet_directives(&spec))
        .unwrap_or_else(|_| EnvFilter::new(quiet_directives(default_level)));
    for target in SILENCED {
        if let Ok(d) = format!("{target}=off").parse() {
            filter = filter.add_directive(d);
        }
    }
    filter
}

/// Our crates' target prefix (`oots_framework`, `oots_connector_sql`, `oots_adapter`…).
const OWN_TARGETS: &str = "oots_";

/// `OOTS_LOG` directives with every level above `INFO` kept to our own crates: a bare
/// `debug` becomes `info,oots_=debug`; `sqlx=trace` becomes `sqlx=info`; a span selector
/// without a target of ours (`[exchange]=trace`) is kept at `info`. One filter, not two
/// combined, so span context works as `EnvFilter` documents it.
pub fn quiet_directives(spec: &str) -> String {
    let mut out = Vec::new();
    for d in spec.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let (selector, level) = match d.rsplit_once('=') {
            Some((selector, level)) if !level.contains(']') => (Some(selector), level),
            _ => (None, d),
        };
        let Ok(parsed) = level.parse::<LevelFilter>() else {
            // Not a level: a bare target (`sqlx` means "sqlx at trace") or a typo.
            if d.starts_with(OWN_TARGETS) || d.parse::<LevelFilter>().is_ok() {
                out.push(d.to_owned());
            } else if !d.contains('=') {
                out.push(format!("{d}=info"));
            }
            continue;
        };
        if parsed <= LevelFilter::INFO {
            out.push(d.to_owned());
            continue;
        }
        match selector {
            None => {
                out.push("info".to_owned());
                out.push(format!("{OWN_TARGETS}={level}"));
            }
            Some(sel) if sel.starts_with(OWN_TARGETS) => out.push(d.to_owned()),
            Some(sel) => out.push(format!("{sel}=info")),
        }
    }
    out.join(",")
}

/// What traces take: `INFO` and above whatever `OOTS_LOG` says (turning logs down must
/// not silently stop traces), without the SQL Server driver (see [`log_filter`]) and
/// without the exporter's own HTTP stack (a span per export would feed itself).
fn trace_filter() -> Targets {
    Targets::new()
        .with_default(LevelFilter::INFO)
        .with_target("tiberius", LevelFilter::OFF)
        .with_target("handlebars", LevelFilter::OFF)
        .with_target("opentelemetry", LevelFilter::OFF)
        .with_target("opentelemetry_sdk", LevelFilter::OFF)
        .with_target("opentelemetry_otlp", LevelFilter::OFF)
        .with_target("opentelemetry_http", LevelFilter::OFF)
        .with_target("reqwest", LevelFilter::OFF)
        .with_target("hyper", LevelFilter::OFF)
        .with_target("hyper_util", LevelFilter::OFF)
}

/// The OTLP/HTTP traces URL for a configured endpoint: a collector base
/// (`http://collector:4318`) gets `/v1/traces` appended, a full traces URL is kept.
pub fn traces_url(endpoint: &str) -> Result<String, TelemetryError> {
    let e = endpoint.trim();
    let url = reqwest::Url::parse(e).map_err(|err| TelemetryError::Endpoint(err.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(TelemetryError::Endpoint(format!(
            "scheme `{}` (http or https expected)",
            url.scheme()
        )));
    }
    let base = e.trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        Ok(base.to_owned())
    } else {
        Ok(format!("{base}/v1/traces"))
    }
}

/// The tracer provider exporting to `cfg.otlp_endpoint` in batches; `None` when no
/// endpoint is configured. Nothing is installed globally.
pub fn tracer_provider(cfg: &TelemetryConfig) -> Result<Option<SdkTracerProvider>, TelemetryError> {
    let Some(endpoint) = cfg.otlp_endpoint.as_deref() else {
        return Ok(None);
    };
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(traces_url(endpoint)?)
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
    let name = cfg
        .service_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_owned());
    let resource = Resource::builder()
        .with_service_name(name)
        .with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ))
        .build();
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build(),
    ))
}

/// The tracing layer that turns spans into OpenTelemetry spans (filtered, see
/// `trace_filter`), and the guard that flushes them; `None` when no endpoint is
/// configured. Add the layer to a subscriber of your own (tests, embedding) instead of
/// calling [`init`].
pub fn trace_layer<S>(
    cfg: &TelemetryConfig,
) -> Result<Option<(BoxedLayer<S>, TelemetryGuard)>, TelemetryError>
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let Some(provider) = tracer_provider(cfg)? else {
        return Ok(None);
    };
    let tracer = provider.tracer(DEFAULT_SERVICE_NAME);
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_threads(false)
        .with_filter(trace_filter())
        .boxed();
    Ok(Some((
        layer,
        TelemetryGuard {
            provider: Some(provider),
        },
    )))
}

/// Installs the process's subscriber: logs to stderr (JSON when `json`, else compact)
/// filtered by `OOTS_LOG` or `default_level`, plus OTLP trace export when
/// `cfg.otlp_endpoint` is set. Keep the guard until the process ends.
pub fn init(
    json: bool,
    default_level: &str,
    cfg: &TelemetryConfig,
) -> Result<TelemetryGuard, TelemetryError> {
    type Base = tracing_subscriber::Registry;
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt: BoxedLayer<Base> = if json {
        fmt.json().with_filter(log_filter(default_level)).boxed()
    } else {
        fmt.compact().with_filter(log_filter(default_level)).boxed()
    };
    let mut layers = vec![fmt];
    let guard = match trace_layer::<Base>(cfg)? {
        Some((layer, guard)) => {
            layers.push(layer);
            guard
        }
        None => TelemetryGuard::default(),
    };
    tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .map_err(|e| TelemetryError::AlreadyInstalled(e.to_string()))?;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_url_appends_the_signal_path_once() {
        let url = |e| traces_url(e).map_err(|e| e.code());
        assert_eq!(
            url("http://collector:4318"),
            Ok("http://collector:4318/v1/traces".to_owned())
        );
        assert_eq!(
            url("https://otel.example/base/"),
            Ok("https://otel.example/base/v1/traces".to_owned())
        );
        assert_eq!(
            url("http://127.0.0.1:4318/v1/traces"),
            Ok("http://127.0.0.1:4318/v1/traces".to_owned())
        );
        assert_eq!(url("collector:4318"), Err("TELEMETRY_ENDPOINT"));
        assert_eq!(url("ftp://collector"), Err("TELEMETRY_ENDPOINT"));
        assert_eq!(url(""), Err("TELEMETRY_ENDPOINT"));
    }

    #[test]
    fn no_endpoint_means_no_exporter() {
        let cfg = TelemetryConfig::default();
        let layer = trace_layer::<tracing_subscriber::Registry>(&cfg);
        assert!(matches!(layer, Ok(None)));
        assert!(!TelemetryGuard::default().exporting());
        assert!(TelemetryGuard::default().shutdown().is_ok());
    }

    #[test]
    fn directives_above_info_are_kept_to_our_crates() {
        assert_eq!(quiet_directives("trace"), "info,oots_=trace");
        assert_eq!(
            quiet_directives("debug,sqlx=trace"),
            "info,oots_=debug,sqlx=info"
        );
        assert_eq!(
            quiet_directives("info,oots_framework=debug"),
            "info,oots_framework=debug"
        );
        assert_eq!(quiet_directives("warn"), "warn");
        assert_eq!(quiet_directives("[exchange]=trace"), "[exchange]=info");
        assert_eq!(
            quiet_directives("oots_connector_sql::connector=trace"),
            "oots_connector_sql::connector=trace"
        );
        assert_eq!(quiet_directives("reqwest"), "reqwest=info");
        assert_eq!(quiet_directives(" , trace"), "info,oots_=trace");
        for spec in ["trace", "debug,sqlx=trace,[exchange]=trace", "reqwest"] {
            assert!(EnvFilter::try_new(quiet_directives(spec)).is_ok(), "{spec}");
        }
    }

    #[test]
    fn the_leaky_crates_are_silent_in_logs_and_traces() {
        assert!(SILENCED.contains(&"handlebars") && SILENCED.contains(&"tiberius"));
        let f = trace_filter();
        assert!(!f.would_enable("handlebars::render", &tracing::Level::ERROR));
    }

    #[test]
    fn the_trace_filter_keeps_info_spans_and_drops_the_sql_server_driver() {
        let f = trace_filter();
        assert!(f.would_enable("oots_framework::service", &tracing::Level::INFO));
        assert!(!f.would_enable("oots_framework::service", &tracing::Level::DEBUG));
        assert!(!f.would_enable("tiberius::tds", &tracing::Level::ERROR));
        assert!(!f.would_enable("reqwest::connect", &tracing::Level::INFO));
    }
}
