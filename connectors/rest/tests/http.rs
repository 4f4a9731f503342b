//! The REST connector against a real HTTP registry served from the test (axum on loopback).

mod common;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::*;
use oots_connector::{
    CancellationToken, Connector, ConnectorError, FieldPaths, Limits, Lookup, Params, Record, Value,
};
use serde_json::json;

async fn run(
    c: &oots_connector_rest::RestConnector,
    query: &str,
    params: &Params,
    fields: &FieldPaths,
    limits: Limits,
) -> Result<Vec<Record>, ConnectorError> {
    let lookup = Lookup {
        query,
        params,
        fields,
        limits,
    };
    c.lookup(&lookup, &CancellationToken::new()).await
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

const ODD: &str = "O'Brien & Søn/..";

#[tokio::test]
async fn lookup_percent_encodes_values_and_maps_nested_fields() {
    let (reg, base) = serve().await;
    let dir = secrets();
    let c = connector(
        json!({"base_url": base, "records": "$.data.items[*]"}),
        dir.path(),
    );
    assert_eq!(
        c.parameters("/persons?birthDate={dob}&name={name}&limit=50")
            .unwrap(),
        vec!["dob".to_string(), "name".to_string()]
    );
    let p = params(&[
        (
            "dob",
            Value::Date(NaiveDate::from_ymd_opt(1970, 3, 1).unwrap()),
        ),
        ("name", text(ODD)),
    ]);
    let f = fields(&[
        ("family", "$.name.family"),
        ("given", "$.name.given[0]"),
        ("all_given", "$.name.given"),
        ("city", "$.address.city"),
        ("dob", "$.birthDate"),
        ("id", "$.id"),
        ("active", "$.active"),
        ("score", "$.score"),
        ("nothing", "$.nothing"),
        ("missing", "$.no.such.member"),
    ]);
    let recs = run(
        &c,
        "/persons?birthDate={dob}&name={name}&limit=50",
        &p,
        &f,
        limits(5000, 10),
    )
    .await
    .unwrap();
    // Server side: the raw query is percent-encoded and decodes back to the exact values.
    let seen = reg.requests("/api/persons");
    assert_eq!(seen.len(), 1);
    let raw = seen[0].query.clone().unwrap();
    assert_eq!(
        raw,
        "birthDate=1970-03-01&name=O%27Brien%20%26%20S%C3%B8n%2F..&limit=50"
    );
    let decoded: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(decoded[1], ("name".to_string(), ODD.to_string()));
    assert_eq!(decoded.len(), 3, "a value must not add query parameters");

    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.get("family"), Some(&text("Øster-Łukasiewicz")));
    assert_eq!(r.get("given"), Some(&text("Zoë")));
    assert_eq!(r.get("all_given"), Some(&text(r#"["Zoë","Ann"]"#)));
    assert_eq!(r.get("city"), Some(&text("Göteborg")));
    assert_eq!(r.get("dob"), Some(&text("1970-03-01")));
    assert_eq!(r.get("id"), Some(&Value::Int(7)));
    assert_eq!(r.get("active"), Some(&Value::Bool(true)));
    assert_eq!(r.get("score"), Some(&Value::Float(1.5)));
    assert_eq!(r.get("nothing"), Some(&Value::Null));
    assert_eq!(r.get("missing"), Some(&Value::Null));
    assert_eq!(r.len(), 10);
}

#[tokio::test]
async fn path_placeholders_are_encoded_and_404_is_no_record() {
    let (reg, base) = serve().await;
    let dir = secrets();
    let c = connector(json!({"base_url": base}), dir.path());
    let recs = run(
        &c,
        "GET /persons/{id}",
        &params(&[("id", text("a/b c?d#e"))]),
        &FieldPaths::new(),
        limits(5000, 10),
    )
    .await
    .unwrap();
    assert!(recs.is_empty(), "unknown path → 404 → zero records");
    let seen = reg.seen.lock().unwrap().clone();
    assert_eq!(seen[0].path, "/api/persons/a%2Fb%20c%3Fd%23e");
    assert_eq!(seen[0].query, None);

    let none = run(
        &c,
        "/persons/missing",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 10),
    )
    .await
    .unwrap();
    assert!(none.is_empty());

    let err = run(
        &c,
        "/persons/{id}",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 10),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::UnboundParameter(ref n) if n == "id"),
        "{err:?}"
    );
}

#[tokio::test]
async fn without_fields_top_level_scalars_are_mapped_and_records_default_to_the_array() {
    let (_reg, base) = serve().await;
    let dir = secrets();
    let c = connector(json!({"base_url": base}), dir.path());
    let recs = run(
        &c,
        "/many",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 100),
    )
    .await
    .unwrap();
    assert_eq!(recs.len(), 10);
    assert_eq!(recs[0].get("id"), Some(&Value::Int(1)));
    assert_eq!(
        recs[0].get("name"),
        None,
        "nested objects are not top-level scalars"
    );
    assert_eq!(recs[0].len(), 1);
}

#[tokio::test]
async fn next_link_pagination_follows_three_pages() {
    let (reg, base) = serve().await;
    let dir = secrets();
    let c = connector(
        json!({"base_url": base, "records": "$.items",
               "pagination": {"type": "next_link", "path": "$.links.next"}}),
        dir.path(),
    );
    let recs = run(
        &c,
        "/next",
        &Params::new(),
        &fields(&[("id", "$.id")]),
        limits(5000, 100),
    )
    .await
    .unwrap();
    let ids: Vec<_> = recs.iter().map(|r| r.get("id").cloned().unwrap()).collect();
    assert_eq!(ids, [10, 11, 20, 21, 30, 31].map(Value::Int).to_vec());
    assert_eq!(reg.requests("/api/next").len(), 3);

    // A next link to another host is refused (credentials must not follow it).
    let c2 = connector(
        json!({"base_url": base, "records": "$.items",
               "pagination": {"type": "next_link", "path": "$.next"}}),
        dir.path(),
    );
    let err = run(
        &c2,
        "/evil-next",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 100),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Query(ref m) if m.contains("another host")),
        "{err:?}"
    );
}

#[tokio::test]
async fn page_pagination_stops_on_an_empty_page_and_respects_max_pages() {
    let (reg, base) = serve().await;
    let dir = secrets();
    let c = connector(
        json!({"base_url": base, "records": "$.items[*]",
               "pagination": {"type": "page", "param": "page", "start": 1, "size_param": "size", "size": 2}}),
        dir.path(),
    );
    let recs = run(
        &c,
        "/numbered?kind=x",
        &Params::new(),
        &fields(&[("id", "$.id")]),
        limits(5000, 100),
    )
    .await
    .unwrap();
    assert_eq!(recs.len(), 6);
    let queries: Vec<_> = reg
        .requests("/api/numbered")
        .into_iter()
        .map(|s| s.query.unwrap())
        .collect();
    assert_eq!(
        queries,
        [
            "kind=x&page=1&size=2",
            "kind=x&page=2&size=2",
            "kind=x&page=3&size=2",
            "kind=x&page=4&size=2"
        ]
    );

    let capped = connector(
        json!({"base_url": base, "records": "$.items[*]", "max_pages": 2,
               "pagination": {"type": "page", "param": "page"}}),
        dir.path(),
    );
    let err = run(
        &capped,
        "/numbered",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 100),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Query(ref m) if m.contains("max_pages")),
        "{err:?}"
    );
}

#[tokio::test]
async fn auth_headers_reach_the_server_and_401_is_an_auth_error() {
    let (reg, base) = serve().await;
    let dir = secrets();
    let cases = [
        json!({"type": "bearer", "token": "file:token"}),
        json!({"type": "basic", "username": "user", "password": "file:password"}),
        json!({"type": "api_key", "value": "file:apikey"}),
        json!({"type": "api_key", "header": "X-Registry-Key", "value": "file:apikey"}),
        json!({"type": "api_key", "query_param": "apikey", "value": "file:apikey"}),
    ];
    for auth in cases {
        let c = connector(json!({"base_url": base, "auth": auth}), dir.path());
        let recs = run(
            &c,
            "/auth",
            &Params::new(),
            &FieldPaths::new(),
            limits(5000, 10),
        )
        .await
        .unwrap_or_else(|e| panic!("{auth}: {e}"));
        assert_eq!(recs[0].get("ok"), Some(&Value::Bool(true)), "{auth}");
        let dbg = format!("{c:?}");
        for s in [TOKEN, PASSWORD, API_KEY] {
            assert!(!dbg.contains(s), "Debug leaks a secret: {dbg}");
        }
    }
    let seen = reg.requests("/api/auth");
    assert_eq!(
        seen[0].headers.get("authorization").unwrap(),
        &format!("Bearer {TOKEN}")
    );
    assert_eq!(seen[2].headers.get("x-api-key").unwrap(), API_KEY);
    assert_eq!(
        seen[4].query.as_deref(),
        Some(format!("apikey={API_KEY}").as_str())
    );

    let wrong = connector(
        json!({"base_url": base, "probe_path": "/auth",
               "auth": {"type": "bearer", "token": "file:wrong"}}),
        dir.path(),
    );
    let err = run(
        &wrong,
        "/auth",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 10),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Config(ref m) if m.contains("401")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("wrong-Secret"));
    assert!(matches!(
        wrong.probe().await,
        Err(ConnectorError::Config(_))
    ));
    assert!(wrong.health().degraded);

    // Inline secrets are refused when the settings load.
    let inline = serde_json::from_value::<oots_connector_rest::RestSettings>(
        json!({"base_url": base, "auth": {"type": "bearer", "token": TOKEN}}),
    )
    .unwrap_err();
    assert!(!inline.to_string().contains(TOKEN));
}

#[tokio::test]
async fn retries_on_503_and_502_honouring_retry_after() {
    let (reg, base) = serve().await;
    let dir = secrets();
    let c = connector(json!({"base_url": base, "retries": 2}), dir.path());
    let started = Instant::now();
    let recs = run(
        &c,
        "/flaky",
        &Params::new(),
        &FieldPaths::new(),
        limits(10_000, 10),
    )
    .await
    .unwrap();
    assert_eq!(recs[0].get("attempt"), Some(&Value::Int(3)));
    assert_eq!(reg.requests("/api/flaky").len(), 3);
    // Retry-After: 1 on the first answer, then a 400 ms backoff after the 502.
    assert!(
        started.elapsed() >= Duration::from_millis(1300),
        "{:?}",
        started.elapsed()
    );

    let down = connector(json!({"base_url": base, "retries": 1}), dir.path());
    let err = run(
        &down,
        "/down",
        &Params::new(),
        &FieldPaths::new(),
        limits(10_000, 10),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unavailable(ref m) if m.contains("503") && m.contains("2 attempt")),
        "{err:?}"
    );
    assert_eq!(reg.requests("/api/down").len(), 2);
    assert!(err.is_transient());

    // 400 is not retried and the body is not echoed.
    let err = run(
        &down,
        "/bad-request",
        &Params::new(),
        &FieldPaths::new(),
        limits(10_000, 10),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Query(ref m) if m.contains("400") && !m.contains("O'Brien")),
        "{err:?}"
    );
    assert_eq!(reg.requests("/api/bad-request").len(), 1);
}

#[tokio::test]
async fn a_slow_registry_times_out_within_budget_and_cancel_is_prompt() {
    let (_reg, base) = serve().await;
    let dir = secrets();
    let c = connector(json!({"base_url": base}), dir.path());
    let started = Instant::now();
    let err = run(
        &c,
        "/slow",
        &Params::new(),
        &FieldPaths::new(),
        limits(300, 10),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Timeout(d) if d == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        trigger.cancel();
    });
    let (p, f) = (Params::new(), FieldPaths::new());
    let lookup = Lookup {
        query: "/slow",
        params: &p,
        fields: &f,
        limits: limits(10_000, 10),
    };
    let started = Instant::now();
    let err = c.lookup(&lookup, &cancel).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Cancelled), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn row_cap_and_response_size_cap_are_errors() {
    let (_reg, base) = serve().await;
    let dir = secrets();
    let c = connector(json!({"base_url": base}), dir.path());
    let err = run(
        &c,
        "/many",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 5),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::TooManyRows(5)), "{err:?}");

    let small = connector(
        json!({"base_url": base, "max_response_bytes": 64}),
        dir.path(),
    );
    let err = run(
        &small,
        "/many",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 100),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Query(ref m) if m.contains("max_response_bytes")),
        "{err:?}"
    );

    let err = run(
        &c,
        "/not-json",
        &Params::new(),
        &FieldPaths::new(),
        limits(5000, 100),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Query(ref m) if !m.contains("O'Brien")),
        "{err:?}"
    );
}

#[tokio::test]
async fn errors_never_contain_parameter_values_or_secrets() {
    // A port with nothing listening: connection refused on every attempt.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = dead.local_addr().unwrap();
    drop(dead);
    let dir = secrets();
    let c = connector(
        json!({"base_url": format!("http://{addr}/api"), "retries": 1,
               "auth": {"type": "api_key", "query_param": "apikey", "value": "file:apikey"}}),
        dir.path(),
    );
    let p = params(&[("name", text(ODD))]);
    let err = run(
        &c,
        "/persons?name={name}",
        &p,
        &FieldPaths::new(),
        limits(5000, 10),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    for leak in ["O%27Brien", "Brien", API_KEY, "apikey="] {
        assert!(!shown.contains(leak), "{leak} in {shown}");
    }
    assert!(c.probe().await.is_err());
    let h = c.health();
    assert!(h.degraded);
    assert!(!h.detail.unwrap().contains(API_KEY));
}

#[tokio::test]
async fn fetch_document_returns_the_pdf_and_refuses_other_hosts() {
    let (_reg, base) = serve().await;
    let dir = secrets();
    let c = connector(
        json!({"base_url": base, "auth": {"type": "bearer", "token": "file:token"}}),
        dir.path(),
    );
    let doc = c
        .fetch_document("/docs/cert.pdf", limits(5000, 1), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(doc.media_type, "application/pdf");
    assert_eq!(doc.bytes, PDF);

    let abs = format!("{base}/docs/cert.pdf");
    let doc = c
        .fetch_document(&abs, limits(5000, 1), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(doc.bytes, PDF);

    let err = c
        .fetch_document(
            "http://example.invalid/docs/cert.pdf",
            limits(5000, 1),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Query(ref m) if m.contains("another host")),
        "{err:?}"
    );

    let err = c
        .fetch_document("/docs/none.pdf", limits(5000, 1), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Query(ref m) if m.contains("404")),
        "{err:?}"
    );
}

#[tokio::test]
async fn probe_accepts_404_and_health_tracks_success() {
    let (_reg, base) = serve().await;
    let dir = secrets();
    let c = connector(json!({"base_url": base}), dir.path());
    assert_eq!(c.kind(), "rest");
    c.probe().await.unwrap();
    let h = c.health();
    assert!(!h.degraded);
    assert!(h.refreshed_at.is_some());
    assert!(c.check_path("$.name.family").is_ok());
    assert!(matches!(
        c.check_path("$.name[").unwrap_err(),
        ConnectorError::Config(_)
    ));
    assert!(c.parameters("POST /x").is_err());

    let probe_down = connector(
        json!({"base_url": base, "probe_path": "/down", "retries": 0}),
        dir.path(),
    );
    assert!(matches!(
        probe_down.probe().await,
        Err(ConnectorError::Unavailable(_))
    ));
}

#[test]
fn connect_validates_settings() {
    let dir = secrets();
    for bad in [
        json!({"base_url": "ftp://h/x"}),
        json!({"base_url": "http://user:pw@h/x"}),
        json!({"base_url": "http://h/x?y=1"}),
        json!({"base_url": "http://h", "records": "$.items["}),
        json!({"base_url": "http://h", "pagination": {"type": "next_link", "path": "next"}}),
        json!({"base_url": "http://h", "auth": {"type": "bearer", "token": "file:absent"}}),
        json!({"base_url": "http://h", "auth": {"type": "mtls", "cert": "absent.pem", "key": "absent.key"}}),
    ] {
        let s: oots_connector_rest::RestSettings = serde_json::from_value(bad.clone()).unwrap();
        let err = oots_connector_rest::RestConnector::connect(&s, dir.path()).unwrap_err();
        assert!(matches!(err, ConnectorError::Config(_)), "{bad}: {err:?}");
        assert!(!err.to_string().contains("pw@"), "{err}");
    }
}
