//! Faults around the adapter: a registry that is down or hangs (retried within the
//! connection's timeout, then `EDM:ERR:0005`, and served again once it is back), an
//! access point that refuses answers for a while (the outbox resends), and a state store
//! that is gone (not ready, nothing acknowledged).
//!
//! The registry is the quickstart register copied into PostgreSQL behind a loopback TCP
//! proxy (`oots_e2e::proxy`) this test switches between up, down (connections refused)
//! and stalled.

use std::path::Path;
use std::time::{Duration, Instant};

use oots_devkit::simulator::DomibusSimulator;
use oots_e2e::adapter::{Adapter, free_port};
use oots_e2e::load::{
    Deployment, ENV, adapter_yaml, deployment, drop_pg_schema, postgres_registry, request,
    simulator,
};
use oots_e2e::proxy::{Mode, Proxy};

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn pg_url() -> Option<String> {
    oots_testskip::skip_unless_env(
        "PG_URL",
        "fault suite (set PG_URL=postgres://postgres@127.0.0.1:5432/test)",
    )
}

/// Sends request `i` and waits for its answer: (action, EDM code if any, seconds taken).
async fn ask(sim: &DomibusSimulator, i: usize, run: &str) -> (String, Option<String>, f64) {
    let (h, p) = request(i, run);
    let id = h.message_id.clone();
    let t0 = Instant::now();
    sim.deliver(h, p);
    let m = sim
        .next_submitted(Duration::from_secs(60))
        .await
        .expect("an answer");
    assert_eq!(m.header.ref_to_message_id.as_deref(), Some(id.as_str()));
    let body = String::from_utf8_lossy(&m.payloads[0].bytes).to_string();
    let code = ["EDM:ERR:0004", "EDM:ERR:0005"]
        .into_iter()
        .find(|c| body.contains(c))
        .map(str::to_owned);
    if m.header.action == "ExceptionResponse" && code.is_none() {
        panic!("unexpected error answer: {body}");
    }
    (m.header.action, code, t0.elapsed().as_secs_f64())
}

async fn metrics(port: u16) -> String {
    reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_down_or_hanging_gets_0005_within_the_timeout_and_service_resumes() {
    let Some(pg) = pg_url() else { return };
    let schema = format!("oots_faults_reg_{}", std::process::id());
    let direct = postgres_registry(&pg, &schema).await;
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let via_proxy = proxy.url(&direct);

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let sim = simulator(port).await;
    let mut yaml = adapter_yaml(workspace(), dir.path(), sim.base_url(), port, "");
    let sqlite = format!("sqlite://{}", dir.path().join("registry.db").display());
    yaml = yaml.replace(&sqlite, &via_proxy).replace(
        &format!(
            "    init: {}\n",
            workspace()
                .join("examples/quickstart/registry/seed.sql")
                .display()
        ),
        "    timeout_ms: 2000\n",
    );
    let config = dir.path().join("adapter.yaml");
    std::fs::write(&config, yaml).unwrap();
    let log = dir.path().join("adapter.log");

    // Down when the adapter starts: it starts anyway, and answers 0005.
    proxy.set(Mode::Down);
    let _adapter = Adapter::start(&config, port, &log, &ENV).await;
    let (action, code, secs) = ask(&sim, 0, "down").await;
    assert_eq!(
        (action.as_str(), code.as_deref()),
        ("ExceptionResponse", Some("EDM:ERR:0005"))
    );
    assert!(secs < 10.0, "answered after {secs:.1}s");

    // Back: the connection is opened on use, the same person's evidence goes out.
    proxy.set(Mode::Up);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (action, code, _) = ask(&sim, 0, "up").await;
    assert_eq!((action.as_str(), code), ("ExecuteQueryResponse", None));

    // Hanging: retried within timeout_ms (2 s), then 0005, not a stuck exchange.
    proxy.set(Mode::Stalled);
    let (action, code, secs) = ask(&sim, 0, "stalled").await;
    assert_eq!(
        (action.as_str(), code.as_deref()),
        ("ExceptionResponse", Some("EDM:ERR:0005"))
    );
    assert!(
        secs < 8.0,
        "a hanging registry held the exchange {secs:.1}s"
    );
    proxy.set(Mode::Up);
    let (action, _, _) = ask(&sim, 0, "again").await;
    assert_eq!(action, "ExecuteQueryResponse");

    let m = metrics(port).await;
    assert!(
        m.contains("oots_exchanges_total{outcome=\"EDM:ERR:0005\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("oots_exchanges_total{outcome=\"evidence\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("oots_registry_lookups_total{connection=\"birth_register\",result=\"error\"}"),
        "{m}"
    );
    drop_pg_schema(&pg, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_point_refusing_answers_gets_them_from_the_outbox_once() {
    let Deployment {
        dir: _dir,
        port,
        sim,
        config,
        log,
    } = deployment("exchange:\n  sweep_seconds: 1\n  max_backoff_seconds: 2\n").await;
    let _adapter = Adapter::start(&config, port, &log, &ENV).await;
    // 3 quick attempts fail, then the outbox waits and tries again.
    sim.fail_submits(5);
    let t0 = Instant::now();
    let (action, code, _) = ask(&sim, 0, "outbox").await;
    assert_eq!((action.as_str(), code), ("ExecuteQueryResponse", None));
    assert!(
        t0.elapsed() > Duration::from_secs(1),
        "the outbox did not wait between attempts"
    );
    // Exactly once.
    assert!(sim.next_submitted(Duration::from_secs(3)).await.is_none());
    let m = metrics(port).await;
    // One deferral to the outbox (after 3 quick attempts); the 6th attempt got through.
    assert!(
        m.contains("oots_send_failures_total{code=\"gateway.http\"} 1"),
        "{m}"
    );
    let page: serde_json::Value = reqwest::get(format!("http://127.0.0.1:{port}/operator.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = page.to_string();
    assert!(text.contains("m-outbox-0@requester.example"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_state_store_makes_the_adapter_unready_and_nothing_is_acknowledged() {
    let Some(pg) = pg_url() else { return };
    let schema = format!("oots_faults_store_{}", std::process::id());
    drop_pg_schema(&pg, &schema).await;
    let Deployment {
        dir: _dir,
        port,
        sim,
        config,
        log,
    } = deployment(&format!(
        "store:\n  type: postgres\n  url: {pg}\n  schema: {schema}\nexchange:\n  sweep_seconds: 1\n"
    ))
    .await;
    let _adapter = Adapter::start(&config, port, &log, &ENV).await;
    let ready = || async {
        reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(ready().await, 200);
    let (action, _, _) = ask(&sim, 0, "before").await;
    assert_eq!(action, "ExecuteQueryResponse");

    // The store's tables vanish (a dropped database, a restore gone wrong).
    drop_pg_schema(&pg, &schema).await;
    assert_eq!(ready().await, 503);
    let (h, p) = request(1, "lost");
    let id = h.message_id.clone();
    sim.deliver(h, p);
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        !sim.is_downloaded(&id),
        "acknowledged although it could not be stored"
    );
    assert!(sim.pending_ids().contains(&id), "the access point keeps it");
    assert!(
        sim.next_submitted(Duration::from_millis(200))
            .await
            .is_none()
    );
    drop_pg_schema(&pg, &schema).await;
}
