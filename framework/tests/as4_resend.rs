//! Durable resends of the native AS4 gateway, against a real peer on loopback (our AS4
//! stack as the receiving access point, behind a switch that first answers HTTP 503):
//! every attempt sends the bytes first sealed, also after a restart (the store reopened,
//! the gateway made anew) and from another replica sharing the store (PostgreSQL, when
//! `PG_URL` is set); the peer's receipt for the last attempt acknowledges what the first
//! one signed.

mod as4_support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use oots_framework::gateway::as4::msh::As4Gateway;
use oots_framework::gateway::as4::pmode::{As4Settings, PMode};
use oots_framework::gateway::{Gateway, GatewayError, OutboundMessage};
use oots_framework::store::{PostgresStore, SqliteStore, Store};

/// What the peer's endpoint saw, and whether it answers yet.
#[derive(Clone, Default)]
struct Peer {
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
    up: Arc<AtomicBool>,
}

impl Peer {
    fn bodies(&self) -> Vec<Vec<u8>> {
        self.bodies.lock().unwrap().clone()
    }
}

/// The settings of access point `party` with one peer, as `adapter.yaml` would give them.
fn settings(dir: &Path, party: &str, peer: &str, peer_port: u16) -> As4Settings {
    let mut s = as4_support::as4_settings_for(
        dir,
        party,
        peer,
        format!("http://127.0.0.1:{peer_port}/as4"),
    );
    s.timeout_ms = 5000;
    s
}

/// The requester's access point on a free port: HTTP 503 until `up`, then our AS4
/// receiver (verifies, stores, answers with a signed receipt).
async fn peer(dir: &Path) -> (Peer, u16) {
    let port = as4_support::free_port();
    let pmode = PMode::load(&settings(dir, "AP_REQUESTER", "AP_PROVIDER", 1)).unwrap();
    let receiver = Arc::new(
        As4Gateway::new(
            Arc::new(pmode),
            Arc::new(SqliteStore::in_memory().await.unwrap()),
        )
        .unwrap(),
    );
    let state = Peer::default();
    let seen = state.clone();
    let app = axum::Router::new().route(
        "/as4",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (seen, receiver) = (seen.clone(), receiver.clone());
            async move {
                seen.bodies.lock().unwrap().push(body.to_vec());
                if !seen.up.load(Ordering::SeqCst) {
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
                let ct = headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let (signal, _) = receiver.accept(&ct, &body).await;
                (
                    [(header::CONTENT_TYPE, "application/soap+xml; charset=UTF-8")],
                    signal,
                )
                    .into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (state, port)
}

/// An answer from AP_PROVIDER to AP_REQUESTER (an OOTS-shaped RegRep payload).
fn answer(message_id: &str) -> OutboundMessage {
    message(message_id, "AP_PROVIDER", "AP_REQUESTER")
}

/// An OOTS request (the quickstart birth record) from `from` to `to`.
fn message(message_id: &str, from: &str, to: &str) -> OutboundMessage {
    as4_support::birth_request(message_id, from, to)
}

fn gateway(dir: &Path, peer_port: u16, store: Arc<dyn Store>) -> As4Gateway {
    let pmode = PMode::load(&settings(dir, "AP_PROVIDER", "AP_REQUESTER", peer_port)).unwrap();
    As4Gateway::new(Arc::new(pmode), store).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_after_a_restart_sends_the_bytes_first_sealed() {
    let dir = tempfile::tempdir().unwrap();
    as4_support::pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let (peer, port) = peer(dir.path()).await;
    let db = dir.path().join("state.db");
    let msg = answer("answer-1@provider.example");

    let first_run = gateway(
        dir.path(),
        port,
        Arc::new(SqliteStore::open(&db).await.unwrap()),
    );
    let e = first_run.submit(&msg).await.unwrap_err();
    assert!(matches!(e, GatewayError::Http { status: 503 }), "{e}");
    drop(first_run);

    // A restart: the store reopened from its file, the gateway made anew.
    let second_run = gateway(
        dir.path(),
        port,
        Arc::new(SqliteStore::open(&db).await.unwrap()),
    );
    second_run.submit(&msg).await.unwrap_err();
    peer.up.store(true, Ordering::SeqCst);
    // The receipt acknowledges the digests signed before the restart.
    assert_eq!(
        second_run.submit(&msg).await.unwrap(),
        "answer-1@provider.example"
    );
    let bodies = peer.bodies();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "every attempt must send the bytes first sealed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_sharing_a_postgres_store_resend_the_same_bytes() {
    let Some(url) = oots_testskip::skip_unless_env(
        "PG_URL",
        "resends across replicas (set PG_URL=postgres://postgres@127.0.0.1:5432/test)",
    ) else {
        return;
    };
    let schema = format!("oots_resend_{}", std::process::id());
    let admin = PostgresStore::connect(&url, None, 2, None).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(admin.pool())
    .await
    .unwrap();
    let replica = || async {
        Arc::new(
            PostgresStore::connect(&url, None, 4, Some(&schema))
                .await
                .unwrap(),
        ) as Arc<dyn Store>
    };
    let dir = tempfile::tempdir().unwrap();
    as4_support::pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let (peer, port) = peer(dir.path()).await;
    let a = gateway(dir.path(), port, replica().await);
    let b = gateway(dir.path(), port, replica().await);
    let msg = answer("answer-2@provider.example");
    // Both replicas try at once, then again; the peer comes up for the last attempt.
    let (ra, rb) = tokio::join!(a.submit(&msg), b.submit(&msg));
    assert!(ra.is_err() && rb.is_err());
    b.submit(&msg).await.unwrap_err();
    peer.up.store(true, Ordering::SeqCst);
    assert_eq!(a.submit(&msg).await.unwrap(), "answer-2@provider.example");
    let bodies = peer.bodies();
    assert_eq!(bodies.len(), 4);
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "every replica must send the bytes first sealed"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(admin.pool())
        .await
        .unwrap();
}

/// `oots-adapter serve` answers a request over AS4 to a peer that never acknowledges:
/// the PMode's retry schedule (3 attempts, 100 and 200 ms apart) is followed with the same
/// bytes each time, then the send is given up as `EBMS:0301`, which the exchange's
/// state, `/metrics` and the operator page show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_schedule_runs_out_is_failed_with_ebms_0301_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    as4_support::pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let (peer, peer_port) = peer(dir.path()).await;
    let port = as4_support::free_port();
    let config =
        as4_support::write_config(dir.path(), "AP_PROVIDER", port, "AP_REQUESTER", peer_port);
    let yaml = std::fs::read_to_string(&config).unwrap();
    // The fixture's schedule: `retry: { attempts: 3, initial_ms: 100 }`.
    assert!(yaml.contains("retry: { attempts: 3, initial_ms: 100 }"));
    let yaml = yaml + "exchange:\n  sweep_seconds: 1\n";
    std::fs::write(&config, yaml).unwrap();
    let served = as4_support::spawn(&config, port);

    let requester = As4Gateway::new(
        Arc::new(PMode::load(&settings(dir.path(), "AP_REQUESTER", "AP_PROVIDER", port)).unwrap()),
        Arc::new(SqliteStore::in_memory().await.unwrap()),
    )
    .unwrap();
    let request = message("request-9@requester.example", "AP_REQUESTER", "AP_PROVIDER");
    requester.submit(&request).await.unwrap();

    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let get = |path: &str| {
        let (http, url) = (http.clone(), format!("{base}{path}"));
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let started = std::time::Instant::now();
    let metrics = loop {
        let m = get("/metrics").await;
        if m.contains("oots_exchanges_in_state{state=\"failed\"} 1") {
            break m;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the exchange never failed: {} attempts\n{m}\n{}",
            peer.bodies().len(),
            served.stop()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(
        metrics.contains("oots_sends_given_up_total{code=\"EBMS:0301\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("oots_send_failures_total{code=\"gateway.http\"} 3"),
        "{metrics}"
    );
    // Exactly the schedule's attempts, all with the bytes first sealed, and no more.
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    let bodies = peer.bodies();
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| *b == bodies[0]));

    // The request redelivered: acknowledged again, not answered anew.
    requester.submit(&request).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(peer.bodies().len(), 3);

    let page = get("/operator").await;
    assert!(
        page.contains("failed") && page.contains("EBMS:0301"),
        "{page}"
    );
    let json: serde_json::Value = serde_json::from_str(&get("/operator.json").await).unwrap();
    let text = json.to_string();
    assert!(
        text.contains("\"state\":\"failed\"") && text.contains("\"last_error\":\"EBMS:0301\""),
        "{text}"
    );
    // The unreachable peer shows as such, not only as a WARN in the log.
    assert_eq!(json["gateway"]["last_error_code"], "gateway.http", "{text}");
    assert!(
        page.contains("<span class=\"bad\">access point failing since"),
        "{page}"
    );
    let ready = get("/readyz").await;
    assert!(
        ready.starts_with("ready\naccess point failing since")
            && ready.contains("(gateway.http, 3 failed attempts in a row)"),
        "{ready}"
    );
    let log = served.stop();
    assert!(log.contains("EBMS:0301"), "{log}");
    assert!(!log.contains("Dupont"), "{log}");
}

/// `oots-adapter check` refuses a retry schedule that cannot work, naming the rule.
#[test]
fn check_refuses_a_retry_schedule_that_cannot_work() {
    let dir = tempfile::tempdir().unwrap();
    as4_support::pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let config = as4_support::write_config(dir.path(), "AP_PROVIDER", 1, "AP_REQUESTER", 2);
    let fixture = std::fs::read_to_string(&config).unwrap();
    let check = |yaml: String| {
        std::fs::write(&config, yaml).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(&config)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, text) = check(fixture.clone());
    assert!(ok, "{text}");
    let (ok, text) = check(fixture.replace(
        "      certificate: AP_REQUESTER.pem\n",
        "      certificate: AP_REQUESTER.pem\n      retry: { attempts: 0 }\n",
    ));
    assert!(
        !ok && text.contains("OEA-E0118")
            && text.contains("peer AP_REQUESTER: attempts must be at least 1"),
        "{text}"
    );
    let (ok, text) = check(fixture.replace(
        "retry: { attempts: 3, initial_ms: 100 }",
        "retry: { attempts: 3, initial_ms: 500, max_ms: 100 }",
    ));
    assert!(
        !ok && text.contains("OEA-E0118") && text.contains("max_ms must not be below initial_ms"),
        "{text}"
    );
}
