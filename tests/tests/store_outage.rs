//! A state store (PostgreSQL behind a loopback proxy) that goes away while the adapter
//! works: `/metrics` keeps answering at once and says so (`oots_store_up 0`, the last
//! counts with their age), delivery confirmations reported meanwhile are recorded once
//! the store is back, and messages whose lease could not be given back are taken up
//! again as soon as the store returns, not when their lease runs out.

use oots_e2e::workspace;
use std::time::{Duration, Instant};

use oots_devkit::simulator::DomibusSimulator;
use oots_e2e::adapter::Adapter;
use oots_e2e::load::{Deployment, ENV, deployment, drop_pg_schema, postgres_registry, request};
use oots_e2e::proxy::{Mode, Proxy};

fn pg_url() -> Option<String> {
    oots_testskip::skip_unless_env(
        "PG_URL",
        "store outage suite (set PG_URL=postgres://postgres@127.0.0.1:5432/test)",
    )
}

/// A deployment whose state store is PostgreSQL schema `schema` reached through `proxy`.
async fn on_proxied_store(pg: &str, schema: &str, proxy: &Proxy, extra: &str) -> Deployment {
    drop_pg_schema(pg, schema).await;
    deployment(&format!(
        "store:\n  type: postgres\n  url: {}\n  schema: {schema}\nexchange:\n  sweep_seconds: 1\n  lease_seconds: 60\n{extra}",
        proxy.url(pg)
    ))
    .await
}

/// One scrape: its text and how long it took.
async fn scrape(port: u16) -> (String, Duration) {
    let t0 = Instant::now();
    let text = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (text, t0.elapsed())
}

/// The value of the sample line `name` (with its labels) in a scrape.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// Waits until a scrape satisfies `ok`; panics with the last scrape after `within`.
async fn until(port: u16, within: Duration, ok: impl Fn(&str) -> bool) -> String {
    let t0 = Instant::now();
    loop {
        let (text, _) = scrape(port).await;
        if ok(&text) {
            return text;
        }
        assert!(t0.elapsed() < within, "not reached in {within:?}:\n{text}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Delivers requests `from..to` of `run` and waits for their answers.
async fn ask_all(sim: &DomibusSimulator, run: &str, n: usize) {
    for i in 0..n {
        let (h, p) = request(i, run);
        sim.deliver(h, p);
    }
    for _ in 0..n {
        sim.next_submitted(Duration::from_secs(60))
            .await
            .expect("an answer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_answer_at_once_during_a_store_outage_with_store_up_0_and_stale_counts() {
    let Some(pg) = pg_url() else { return };
    let schema = format!("oots_outage_metrics_{}", std::process::id());
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let d = on_proxied_store(&pg, &schema, &proxy, "").await;
    let _adapter = Adapter::start(&d.config, d.port, &d.log, &ENV).await;
    ask_all(&d.sim, "m", 3).await;
    let text = until(d.port, Duration::from_secs(20), |t| {
        sample(t, "oots_store_up") == Some(1.0)
            && sample(t, "oots_exchanges_in_state{state=\"acknowledged\"}") == Some(3.0)
    })
    .await;
    assert_eq!(
        sample(&text, "oots_exchanges_in_state_age_seconds"),
        Some(0.0)
    );

    for mode in [Mode::Stalled, Mode::Down] {
        proxy.set(mode);
        let mut ages = Vec::new();
        for _ in 0..3 {
            let (text, took) = scrape(d.port).await;
            // The store's budget is 1 s; its own timeouts are 5 s and more.
            assert!(
                took < Duration::from_millis(2_500),
                "{mode:?}: a scrape took {took:?}"
            );
            assert_eq!(
                sample(&text, "oots_store_up"),
                Some(0.0),
                "{mode:?}\n{text}"
            );
            assert_eq!(
                sample(&text, "oots_exchanges_in_state{state=\"acknowledged\"}"),
                Some(3.0),
                "{mode:?}: the last known counts are kept\n{text}"
            );
            ages.push(sample(&text, "oots_exchanges_in_state_age_seconds").unwrap());
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        assert!(
            ages.windows(2).all(|w| w[1] > w[0]) && ages[0] > 0.0,
            "{mode:?}: the age grows while the store is away: {ages:?}"
        );
        proxy.set(Mode::Up);
        until(d.port, Duration::from_secs(20), |t| {
            sample(t, "oots_store_up") == Some(1.0)
                && sample(t, "oots_exchanges_in_state_age_seconds") == Some(0.0)
        })
        .await;
    }
    drop_pg_schema(&pg, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_confirmations_reported_during_a_store_outage_are_recorded_once_it_is_back() {
    let Some(pg) = pg_url() else { return };
    let schema = format!("oots_outage_deliveries_{}", std::process::id());
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let d = on_proxied_store(&pg, &schema, &proxy, "").await;
    let _adapter = Adapter::start(&d.config, d.port, &d.log, &ENV).await;
    // The receipts for these answers come late: while the store is away.
    d.sim.hold_delivery_reports();
    ask_all(&d.sim, "late", 20).await;
    until(d.port, Duration::from_secs(20), |t| {
        sample(t, "oots_exchanges_in_state{state=\"answered\"}") == Some(20.0)
    })
    .await;
    proxy.set(Mode::Down);
    assert_eq!(d.sim.release_delivery_reports(), 20);
    let t0 = Instant::now();
    while !std::fs::read_to_string(&d.log)
        .unwrap_or_default()
        .contains("cannot record deliveries")
    {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "the reports were not refused"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (text, _) = scrape(d.port).await;
    assert_eq!(sample(&text, "oots_store_up"), Some(0.0), "{text}");
    assert_eq!(
        sample(&text, "oots_deliveries_unrecorded"),
        Some(20.0),
        "{text}"
    );
    // Longer than one retry pause: more writes fail.
    tokio::time::sleep(Duration::from_secs(3)).await;
    proxy.set(Mode::Up);
    let text = until(d.port, Duration::from_secs(40), |t| {
        sample(t, "oots_exchanges_in_state{state=\"acknowledged\"}") == Some(20.0)
    })
    .await;
    assert_eq!(
        sample(&text, "oots_deliveries_unrecorded"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "oots_deliveries_dropped_total"),
        Some(0.0),
        "{text}"
    );
    assert!(
        !text.contains("oots_exchanges_in_state{state=\"answered\"} 2"),
        "{text}"
    );
    drop_pg_schema(&pg, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_whose_lease_could_not_be_given_back_resumes_when_the_store_does_not_at_lease_expiry()
{
    let Some(pg) = pg_url() else { return };
    let schema = format!("oots_outage_leases_{}", std::process::id());
    let reg_schema = format!("oots_outage_leases_reg_{}", std::process::id());
    let registry = Proxy::start("127.0.0.1:5432").await;
    let registry_url = registry.url(&postgres_registry(&pg, &reg_schema).await);
    let store = Proxy::start("127.0.0.1:5432").await;
    let d = on_proxied_store(&pg, &schema, &store, "").await;
    // The register in PostgreSQL behind its own proxy, with a short timeout.
    let yaml = std::fs::read_to_string(&d.config).unwrap();
    let sqlite = format!("sqlite://{}", d.dir.path().join("registry.db").display());
    let seed = format!(
        "    init: {}\n",
        workspace()
            .join("examples/quickstart/registry/seed.sql")
            .display()
    );
    assert!(yaml.contains(&sqlite) && yaml.contains(&seed));
    let yaml = yaml
        .replace(&sqlite, &registry_url)
        .replace(&seed, "    timeout_ms: 3000\n");
    std::fs::write(&d.config, yaml).unwrap();
    let _adapter = Adapter::start(&d.config, d.port, &d.log, &ENV).await;

    // Messages are stored and leased; their lookups hang; the store goes away before
    // their answers can be stored, so their leases cannot be given back either.
    registry.set(Mode::Stalled);
    let n = 5;
    for i in 0..n {
        let (h, p) = request(i * 10, "lease");
        d.sim.deliver(h, p);
    }
    let t0 = Instant::now();
    while !d.sim.pending_ids().is_empty() {
        assert!(t0.elapsed() < Duration::from_secs(20), "not all stored");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    store.set(Mode::Down);
    let t0 = Instant::now();
    loop {
        let log = std::fs::read_to_string(&d.log).unwrap_or_default();
        let stranded = log.matches("cannot give the message back").count();
        if stranded >= n {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(40),
            "{stranded} of {n} messages stranded:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    registry.set(Mode::Up);
    store.set(Mode::Up);
    let back = Instant::now();
    for _ in 0..n {
        let m = d
            .sim
            .next_submitted(Duration::from_secs(45))
            .await
            .expect("an answer");
        assert_eq!(m.header.action, "ExecuteQueryResponse");
    }
    // The lease is 60 s; given back, they are answered within a few sweeps.
    assert!(
        back.elapsed() < Duration::from_secs(20),
        "answered {:?} after the store returned",
        back.elapsed()
    );
    assert!(
        d.sim.next_submitted(Duration::from_secs(2)).await.is_none(),
        "answered twice"
    );
    drop_pg_schema(&pg, &schema).await;
    drop_pg_schema(&pg, &reg_schema).await;
}
