//! An access point that refuses our answers (Domibus down behind its proxy) is shown in
//! `/readyz` and on the operator page, not only as a log WARN, and the notice clears once
//! the outbox gets the answer through.

use oots_e2e::{copy_dir, workspace};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oots_devkit::simulator::{DomibusSimulator, SimulatorConfig};
use oots_framework::clock::{Clock, RandomIds, SystemClock};
use oots_framework::config::AdapterConfig;
use oots_framework::connector::OpenMode;
use oots_framework::edm;
use oots_framework::exchange::Exchange;
use oots_framework::gateway::Payload;
use oots_framework::gateway::domibus::{DomibusConfig, DomibusWsPlugin, PushAuth};
use oots_framework::mapping;
use oots_framework::requester::{self, RequestSpec};
use oots_framework::service::Service;
use oots_framework::store::SqliteStore;
use tokio_util::sync::CancellationToken;

fn deliver(sim: &DomibusSimulator, n: u32) {
    let now = SystemClock.now();
    let request = requester::build_request(
        &RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml"),
        &RandomIds,
        now,
    );
    let cid = format!("req-{n}@requester.example");
    let header = requester::request_header(
        &request,
        format!("m-{n}@requester.example"),
        format!("conv-{n}"),
        "9f7b1c2e-0000-4000-8000-000000000001".into(),
        &cid,
        now,
    );
    sim.deliver(
        header,
        vec![Payload {
            content_id: cid,
            mime_type: "application/x-ebrs+xml".into(),
            bytes: edm::write_request(&request).into_bytes(),
        }],
    );
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn wait_for(url: &str, f: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let (_, body) = get(url).await;
        if f(&body) {
            return body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_access_point_shows_in_readyz_and_on_the_operator_page() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let mut config = AdapterConfig::load(&dir.path().join("adapter.yaml")).unwrap();
    config.state_dir = dir.path().join("state");
    config.exchange.sweep_seconds = 1;
    config.exchange.max_backoff_seconds = 1;
    let config = Arc::new(config);
    let set = Arc::new(mapping::load(&config, OpenMode::Live).await.unwrap());
    let store = SqliteStore::open(&dir.path().join("state/adapter.db"))
        .await
        .unwrap();
    let exchange = Exchange::new(config, set, Arc::new(store));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (sim, url) = DomibusSimulator::start(SimulatorConfig {
        username: "backend".into(),
        password: "pw".into(),
        push_endpoint: Some(format!("http://{addr}/domibus/notifications")),
        push_username: "push".into(),
        push_password: "push-pw".into(),
    })
    .await
    .unwrap();
    let gateway = DomibusWsPlugin::new(DomibusConfig::new(url, "backend", "pw")).unwrap();
    let service = Service::new(exchange, Arc::new(gateway), None);
    let shutdown = CancellationToken::new();
    let server =
        tokio::spawn(service.run(listener, PushAuth::new("push", "push-pw"), shutdown.clone()));
    let ready = format!("http://{addr}/readyz");
    let operator = format!("http://{addr}/operator");

    deliver(&sim, 1);
    assert!(sim.next_submitted(Duration::from_secs(20)).await.is_some());
    assert_eq!(get(&ready).await, (200, "ready".to_owned()));

    // The access point goes down: every submission is refused with HTTP 503.
    sim.fail_submits(usize::MAX);
    deliver(&sim, 2);
    let body = wait_for(&ready, |b| b.contains("access point failing since")).await;
    assert!(body.starts_with("ready\n"), "still takes requests: {body}");
    assert!(body.contains("answers wait in the outbox"), "{body}");
    let (status, _) = get(&ready).await;
    assert_eq!(status, 200, "requests are still taken and stored");
    let json: serde_json::Value =
        serde_json::from_str(&get(&format!("{operator}.json")).await.1).unwrap();
    assert!(json["gateway"]["failing_since"].is_string(), "{json}");
    assert!(json["gateway"]["last_error_code"].is_string(), "{json}");
    let (_, html) = get(&operator).await;
    assert!(
        html.contains("<span class=\"bad\">access point failing since"),
        "{html}"
    );
    // Personal data of the waiting request is not shown.
    assert!(!html.contains("Dupont") && !body.contains("Dupont"));

    // Back up: the outbox gets the answer through and the notice clears.
    sim.fail_submits(0);
    assert!(sim.next_submitted(Duration::from_secs(30)).await.is_some());
    wait_for(&ready, |b| b == "ready").await;
    let (_, html) = get(&operator).await;
    assert!(html.contains("taking answers (last <time"), "{html}");

    shutdown.cancel();
    server.await.unwrap().unwrap();
    sim.shutdown();
}
