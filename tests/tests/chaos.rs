//! Crash safety: 1,000 requests in flight while the adapter is killed with SIGKILL at
//! random moments and restarted; afterwards every request has exactly one answer, every
//! request was acknowledged to the access point, and the audit journal verifies. Then the
//! same with two replicas on one PostgreSQL store, one of them killed again and again.
//!
//! The Domibus WS plugin is simulated in this process (it survives the kills, like the
//! real access point would); the adapter is the real `oots-adapter serve` binary.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use oots_devkit::simulator::DomibusSimulator;
use oots_e2e::adapter::{Adapter, adapter_bin, free_port};
use oots_e2e::load::{
    Deployment, ENV, adapter_yaml, deployment, drop_pg_schema, request, simulator,
};
use rand::Rng;

const REQUESTS: usize = 1_000;
const KILLS: usize = 4;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Collects submitted answers until every request has one (or the deadline passes):
/// answers by the request's MessageId.
async fn answers(
    sim: &DomibusSimulator,
    want: usize,
    within: Duration,
) -> HashMap<String, Vec<String>> {
    let mut by_request: HashMap<String, Vec<String>> = HashMap::new();
    let started = Instant::now();
    while by_request.len() < want && started.elapsed() < within {
        if let Some(m) = sim.next_submitted(Duration::from_millis(500)).await {
            let to = m.header.ref_to_message_id.clone().unwrap_or_default();
            by_request
                .entry(to)
                .or_default()
                .push(m.header.message_id.clone());
        }
    }
    // Anything late (a duplicate would come after the last first answer).
    while let Some(m) = sim.next_submitted(Duration::from_secs(3)).await {
        let to = m.header.ref_to_message_id.clone().unwrap_or_default();
        by_request
            .entry(to)
            .or_default()
            .push(m.header.message_id.clone());
    }
    by_request
}

fn check(sim: &DomibusSimulator, run: &str, by_request: &HashMap<String, Vec<String>>) {
    let mut missing = Vec::new();
    let mut doubled = Vec::new();
    for i in 0..REQUESTS {
        let id = format!("m-{run}-{i}@requester.example");
        match by_request.get(&id).map(Vec::len) {
            None | Some(0) => missing.push(id),
            Some(1) => {}
            Some(_) => doubled.push(id),
        }
    }
    assert!(
        missing.is_empty(),
        "{} requests lost, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    assert!(
        doubled.is_empty(),
        "{} requests answered twice, e.g. {:?}",
        doubled.len(),
        doubled.first()
    );
    assert_eq!(by_request.len(), REQUESTS, "answers to unknown requests");
    assert!(
        sim.pending_ids().is_empty(),
        "requests never acknowledged: {:?}",
        sim.pending_ids().len()
    );
}

/// `audit verify --json` on the deployment: the chain holds and has one decision per
/// request.
fn verify_audit(config: &Path, env: &[(&str, &str)]) -> serde_json::Value {
    let mut cmd = Command::new(adapter_bin());
    cmd.args(["audit", "verify", "--json", "--config"])
        .arg(config);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "audit verify failed: {line} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(line.trim()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_loses_and_doubles_nothing() {
    let Deployment {
        dir: _dir,
        port,
        sim,
        config,
        log,
    } = deployment("exchange:\n  lease_seconds: 5\n  sweep_seconds: 1\n").await;
    let mut adapter = Adapter::start(&config, port, &log, &ENV).await;

    for i in 0..REQUESTS {
        let (h, p) = request(i, "k");
        sim.deliver(h, p);
    }
    let mut rng = rand::rng();
    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(rng.random_range(150..1_200))).await;
        adapter.kill();
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..300))).await;
        adapter = Adapter::start(&config, port, &log, &ENV).await;
    }
    let by_request = answers(&sim, REQUESTS, Duration::from_secs(180)).await;
    adapter.kill();
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        log_text.matches("oots-adapter serving").count() == KILLS + 1,
        "{KILLS} restarts expected"
    );
    check(&sim, "k", &by_request);
    let audit = verify_audit(&config, &ENV);
    assert_eq!(audit["ok"], true);
    assert_eq!(
        audit["kinds"]["decision"], REQUESTS as u64,
        "one decision record per request: {audit}"
    );
    assert!(
        audit["head_key_id"].is_string() && audit["unsealed"] == 0,
        "every record is sealed: {audit}"
    );
    // No personal data reached the log.
    for pii in ["Dupont", "1992-10-22", "Nobody"] {
        assert!(!log_text.contains(pii), "{pii} in the log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_one_killed_lose_and_double_nothing() {
    let Some(url) = oots_testskip::skip_unless_env(
        "PG_URL",
        "two replicas on PostgreSQL (set PG_URL=postgres://postgres@127.0.0.1:5432/test)",
    ) else {
        return;
    };
    let schema = format!("oots_chaos_{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (free_port(), free_port());
    // Domibus pushes to replica A only; B finds work by sweeping the access point's
    // pending list and the shared store (as a replica behind a load balancer would for
    // pushes that went to a replica that died).
    let sim = simulator(pa).await;
    // Both replicas seal the shared journal with one key.
    let key = dir.path().join("audit.key");
    std::fs::write(&key, "chaos-0123456789abcdef0123456789abcdef\n").unwrap();
    let store = format!(
        "store:\n  type: postgres\n  url: {url}\n  schema: {schema}\nexchange:\n  lease_seconds: 3\n  sweep_seconds: 1\naudit:\n  key: file:{key}\n  key_id: chaos\n",
        key = key.display()
    );
    let (ca, cb) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::write(
        &ca,
        adapter_yaml(
            workspace(),
            &dir.path().join("a"),
            sim.base_url(),
            pa,
            &store,
        ),
    )
    .unwrap();
    std::fs::write(
        &cb,
        adapter_yaml(
            workspace(),
            &dir.path().join("b"),
            sim.base_url(),
            pb,
            &store,
        ),
    )
    .unwrap();
    let (la, lb) = (dir.path().join("a.log"), dir.path().join("b.log"));
    let mut a = Adapter::start(&ca, pa, &la, &ENV).await;
    let b = Adapter::start(&cb, pb, &lb, &ENV).await;

    for i in 0..REQUESTS {
        let (h, p) = request(i, "r");
        sim.deliver(h, p);
    }
    let mut rng = rand::rng();
    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(rng.random_range(150..1_200))).await;
        a.kill();
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..500))).await;
        a = Adapter::start(&ca, pa, &la, &ENV).await;
    }
    let by_request = answers(&sim, REQUESTS, Duration::from_secs(180)).await;
    a.kill();
    drop(b);
    check(&sim, "r", &by_request);
    let audit = verify_audit(&ca, &ENV);
    assert_eq!(audit["ok"], true);
    assert_eq!(
        audit["kinds"]["decision"], REQUESTS as u64,
        "one decision record per request: {audit}"
    );
    assert!(
        audit["head_key_id"].is_string() && audit["unsealed"] == 0,
        "every record is sealed: {audit}"
    );
    let lb_text = std::fs::read_to_string(&lb).unwrap_or_default();
    assert!(
        lb_text.contains("\"answered\""),
        "replica B shared the work"
    );
    // Leave the database as it was.
    drop_pg_schema(&url, &schema).await;
}
