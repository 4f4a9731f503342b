//! Traces leave the process over OTLP/HTTP: a loopback collector receives the exchange
//! span with its identifiers, and a child span in the same trace.
//!
//! One test in its own file: `telemetry::init` installs the process-wide subscriber,
//! which can be done once per process.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;

use oots_framework::config::TelemetryConfig;
use oots_framework::telemetry;

type Received = Arc<Mutex<Vec<ExportTraceServiceRequest>>>;

async fn collect(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let protobuf = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-protobuf"));
    if !protobuf {
        return StatusCode::UNSUPPORTED_MEDIA_TYPE;
    }
    match ExportTraceServiceRequest::decode(body) {
        Ok(req) => {
            received.lock().unwrap().push(req);
            StatusCode::OK
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

fn string_attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match &kv.value {
            Some(AnyValue {
                value: Some(any_value::Value::StringValue(s)),
            }) => Some(s.as_str()),
            _ => None,
        })
}

#[test]
fn exchange_spans_are_exported_over_otlp_http() {
    let received: Received = Arc::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/v1/traces", post(collect))
        .with_state(received.clone());
    rt.spawn(async move { axum::serve(listener, app).await });

    // Through serde, as adapter.yaml is read (and robust to fields added later).
    let cfg: TelemetryConfig = serde_json::from_value(serde_json::json!({
        "otlp_endpoint": format!("http://{addr}"),
        "service_name": "oots-adapter-test",
    }))
    .unwrap();
    let guard = telemetry::init(true, "info", &cfg).unwrap();
    assert!(guard.exporting());

    {
        let id = "msg-7f3a@oots.test";
        let conv = "conv-42";
        let span = tracing::info_span!(
            "exchange",
            message_id = %id,
            conversation_id = %conv,
            request_id = tracing::field::Empty,
            outcome = tracing::field::Empty
        );
        let _in = span.enter();
        {
            let child = tracing::info_span!("lookup", connection = "birth_register");
            let _c = child.enter();
            tracing::info!("registry answered");
        }
        span.record(
            "request_id",
            "urn:uuid:0b5e6c1e-0000-4000-8000-000000000001",
        );
        span.record("outcome", "evidence");
    }
    // A second init must fail (the subscriber is global), not panic.
    let again = telemetry::init(false, "info", &TelemetryConfig::default());
    assert_eq!(again.err().map(|e| e.code()), Some("TELEMETRY_INSTALLED"));

    guard.shutdown().unwrap();

    let requests = received.lock().unwrap().clone();
    assert!(!requests.is_empty(), "the collector received nothing");
    let mut spans: Vec<Span> = Vec::new();
    for req in &requests {
        for rs in &req.resource_spans {
            let attrs = &rs.resource.as_ref().expect("resource").attributes;
            assert_eq!(
                string_attr(attrs, "service.name"),
                Some("oots-adapter-test")
            );
            for ss in &rs.scope_spans {
                spans.extend(ss.spans.iter().cloned());
            }
        }
    }
    let exchange = spans
        .iter()
        .find(|s| s.name == "exchange")
        .unwrap_or_else(|| panic!("no exchange span in {spans:?}"));
    assert_eq!(
        string_attr(&exchange.attributes, "message_id"),
        Some("msg-7f3a@oots.test")
    );
    assert_eq!(
        string_attr(&exchange.attributes, "conversation_id"),
        Some("conv-42")
    );
    assert_eq!(
        string_attr(&exchange.attributes, "request_id"),
        Some("urn:uuid:0b5e6c1e-0000-4000-8000-000000000001")
    );
    assert_eq!(
        string_attr(&exchange.attributes, "outcome"),
        Some("evidence")
    );
    assert_eq!(exchange.trace_id.len(), 16);
    assert!(exchange.trace_id.iter().any(|b| *b != 0));
    let child = spans
        .iter()
        .find(|s| s.name == "lookup")
        .expect("no child span");
    assert_eq!(child.trace_id, exchange.trace_id, "same trace");
    assert_eq!(
        child.parent_span_id, exchange.span_id,
        "child of the exchange"
    );
    assert_eq!(
        string_attr(&child.attributes, "connection"),
        Some("birth_register")
    );
    assert!(
        child.events.iter().any(|e| e.name == "registry answered"),
        "{:?}",
        child.events
    );
    rt.shutdown_timeout(Duration::from_secs(1));
}
