//! Hot reload in the running sidecar: a broken mapping edit is refused and the previous
//! generation keeps answering; a good edit becomes the new generation atomically.

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

async fn ask(sim: &DomibusSimulator, n: u32) -> String {
    let ids = RandomIds;
    let now = SystemClock.now();
    let request = requester::build_request(
        &RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml"),
        &ids,
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
    let out = sim
        .next_submitted(Duration::from_secs(20))
        .await
        .expect("no answer");
    assert_eq!(out.header.action, "ExecuteQueryResponse");
    String::from_utf8(out.payloads[1].bytes.clone()).unwrap()
}

async fn wait_for<F: Fn(&serde_json::Value) -> bool>(url: &str, f: F) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let text = reqwest::get(url).await.unwrap().text().await.unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        if f(&v) {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A sidecar serving a copy of the quickstart with a 50 ms reload poll.
struct Running {
    dir: tempfile::TempDir,
    addr: std::net::SocketAddr,
    sim: DomibusSimulator,
    first_generation: String,
    shutdown: CancellationToken,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn stop(self) {
        self.shutdown.cancel();
        self.server.await.unwrap().unwrap();
        self.sim.shutdown();
    }

    async fn metrics(&self) -> String {
        reqwest::get(format!("http://{}/metrics", self.addr))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let cfg_path = dir.path().join("adapter.yaml");
    let text = std::fs::read_to_string(&cfg_path).unwrap();
    std::fs::write(&cfg_path, format!("{text}\nreload:\n  poll_ms: 50\n")).unwrap();
    let mut config = AdapterConfig::load(&cfg_path).unwrap();
    config.state_dir = dir.path().join("state");
    let config = Arc::new(config);
    let set = Arc::new(mapping::load(&config, OpenMode::Live).await.unwrap());
    let first_generation = set.generation().to_owned();
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
    Running {
        dir,
        addr,
        sim,
        first_generation,
        shutdown,
        server,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_edit_keeps_the_previous_generation_answering() {
    let Running {
        dir,
        addr,
        sim,
        first_generation,
        shutdown,
        server,
    } = start().await;
    let health = format!("http://{addr}/healthz");

    let xml = ask(&sim, 1).await;
    assert!(xml.contains("<PlaceOfBirth>Berlin</PlaceOfBirth>"), "{xml}");

    // A broken edit: a template variable the mapping does not provide.
    let tpl = dir
        .path()
        .join("mappings/templates/birth-certificate.xml.hbs");
    let good = std::fs::read_to_string(&tpl).unwrap();
    std::fs::write(
        &tpl,
        good.replace("record.place_of_birth", "record.birthplace"),
    )
    .unwrap();
    let v = wait_for(&health, |v| v["mappings"]["reloads_failed"] == 1).await;
    assert_eq!(v["mappings"]["generation"], first_generation.as_str());
    assert!(
        v["mappings"]["last_error"]
            .as_str()
            .unwrap()
            .contains("OEA-E0114"),
        "{v}"
    );
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("oots_mapping_reloads_total{result=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("oots_mapping_reload_failing 1"),
        "{metrics}"
    );
    // Still answering, with the previous generation.
    let xml = ask(&sim, 2).await;
    assert!(xml.contains("<PlaceOfBirth>Berlin</PlaceOfBirth>"), "{xml}");

    // A good edit (one the mapping's own tests accept) becomes the new generation.
    std::fs::write(
        &tpl,
        good.replace(
            "</BirthCertificate>",
            "  <Source>OOTS</Source>\n</BirthCertificate>",
        ),
    )
    .unwrap();
    let v = wait_for(&health, |v| v["mappings"]["reloads_ok"] == 1).await;
    assert_ne!(v["mappings"]["generation"], first_generation.as_str());
    assert!(v["mappings"]["last_error"].is_null());
    let xml = ask(&sim, 3).await;
    assert!(xml.contains("<Source>OOTS</Source>"), "{xml}");

    shutdown.cancel();
    server.await.unwrap().unwrap();
    sim.shutdown();
}

/// A careless operator breaks a template, then puts the last good content back: the
/// files are again those of the running generation, so nothing is failing any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverting_a_broken_edit_clears_the_reload_error() {
    let running = start().await;
    let health = format!("http://{}/healthz", running.addr);
    let tpl = running
        .dir
        .path()
        .join("mappings/templates/birth-certificate.xml.hbs");
    let good = std::fs::read_to_string(&tpl).unwrap();
    // Answering (and so watching the files) before the edit.
    let xml = ask(&running.sim, 1).await;
    assert!(xml.contains("<PlaceOfBirth>Berlin</PlaceOfBirth>"), "{xml}");

    std::fs::write(
        &tpl,
        good.replace("record.place_of_birth", "record.birthplace"),
    )
    .unwrap();
    let v = wait_for(&health, |v| v["mappings"]["reloads_failed"] == 1).await;
    assert!(v["mappings"]["last_error"].is_string(), "{v}");
    assert!(
        running
            .metrics()
            .await
            .contains("oots_mapping_reload_failing 1"),
        "the broken edit is not reported"
    );

    // Back to the last good content, byte for byte.
    std::fs::write(&tpl, &good).unwrap();
    let v = wait_for(&health, |v| v["mappings"]["last_error"].is_null()).await;
    assert_eq!(
        v["mappings"]["generation"],
        running.first_generation.as_str(),
        "the running generation is kept, not replaced"
    );
    assert_eq!(v["mappings"]["reloads_failed"], 1, "{v}");
    assert_eq!(v["mappings"]["reloads_ok"], 1, "a passing attempt: {v}");
    let metrics = running.metrics().await;
    assert!(
        metrics.contains("oots_mapping_reload_failing 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "oots_mapping_generation_info{{generation=\"{}\"}} 1",
            running.first_generation
        )),
        "{metrics}"
    );
    let xml = ask(&running.sim, 2).await;
    assert!(xml.contains("<PlaceOfBirth>Berlin</PlaceOfBirth>"), "{xml}");
    running.stop().await;
}
