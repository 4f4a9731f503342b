//! End-to-end throughput and latency of `oots-adapter serve` (release build) through the
//! Domibus gateway path, without preview: a Domibus WS-plugin simulator in this process
//! pushes each request, the adapter fetches, stores, acknowledges, matches against the
//! registry, renders, decides (outbox + audit journal) and submits the answer.
//!
//! `cargo bench -p oots-e2e --bench exchanges` (set `PG_URL` for the PostgreSQL rows).
//! Per configuration: start-up time, idle memory, a burst of `BURST` requests at once
//! (exchanges/s and peak memory), then a steady `RATE`/s for `STEADY_SECONDS` (p50/p99
//! latency from the access point's push to the answer's arrival there).
//! Requests: one in ten finds the person (evidence with a PDF), the rest `EDM:ERR:0004`.
//! `BENCH_SLOW=1` lists the steady-phase requests slower than 50 ms, by delivery time.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oots_devkit::simulator::DomibusSimulator;
use oots_e2e::adapter::{Adapter, free_port};
use oots_e2e::load::{ENV, adapter_yaml, drop_pg_schema, postgres_registry, request, simulator};

const BURST: usize = 5_000;
const RATE: u64 = 300;
const STEADY_SECONDS: u64 = 10;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Resident and peak resident memory of a process, in MB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

struct Row {
    name: String,
    startup_ms: f64,
    idle_mb: f64,
    burst_per_s: f64,
    burst_p50: f64,
    burst_p99: f64,
    steady_p50: f64,
    steady_p99: f64,
    steady_max: f64,
    peak_mb: f64,
}

/// Times answers arrive at the access point, by the request they answer, and whether
/// each carried evidence.
type Arrivals = Arc<Mutex<HashMap<String, (Instant, bool)>>>;

fn collect(sim: DomibusSimulator) -> (Arrivals, tokio::task::JoinHandle<()>) {
    let arrivals: Arrivals = Arc::default();
    let a = arrivals.clone();
    let task = tokio::spawn(async move {
        while let Some(m) = sim.next_submitted(Duration::from_secs(30)).await {
            let to = m.header.ref_to_message_id.unwrap_or_default();
            let evidence = m.header.action == "ExecuteQueryResponse";
            a.lock().unwrap().insert(to, (Instant::now(), evidence));
        }
    });
    (arrivals, task)
}

/// Delivery-to-answer times of the requests in `sent`, sorted.
fn latencies(arrivals: &Arrivals, sent: &HashMap<String, Instant>) -> Vec<Duration> {
    let a = arrivals.lock().unwrap();
    let mut lat: Vec<Duration> = sent
        .iter()
        .filter_map(|(id, t)| a.get(id).map(|(r, _)| r.duration_since(*t)))
        .collect();
    lat.sort();
    lat
}

/// `BENCH_SLOW=1`: the steady-phase requests answered after more than 50 ms, by when
/// they were delivered, to tell a stall (many at one moment) from scattered slow ones.
fn slow_requests(name: &str, arrivals: &Arrivals, sent: &HashMap<String, Instant>, start: Instant) {
    let a = arrivals.lock().unwrap();
    let mut slow: Vec<(f64, f64)> = sent
        .iter()
        .filter_map(|(id, t)| {
            let ms = a.get(id)?.0.duration_since(*t).as_secs_f64() * 1000.0;
            (ms > 50.0).then(|| (t.duration_since(start).as_secs_f64(), ms))
        })
        .collect();
    slow.sort_by(|x, y| x.0.total_cmp(&y.0));
    eprintln!("{name}: {} requests over 50 ms", slow.len());
    for (at, ms) in slow {
        eprintln!("  delivered at {at:.3} s, answered after {ms:.1} ms");
    }
}

async fn wait_for(arrivals: &Arrivals, n: usize, within: Duration) {
    let started = Instant::now();
    while arrivals.lock().unwrap().len() < n {
        assert!(
            started.elapsed() < within,
            "only {} of {n} answers",
            arrivals.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn run(name: &str, store: &str, registry_url: Option<&str>) -> Row {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let sim = simulator(port).await;
    let mut yaml = adapter_yaml(workspace(), dir.path(), sim.base_url(), port, store);
    if let Some(url) = registry_url {
        let sqlite = format!("sqlite://{}", dir.path().join("registry.db").display());
        let at = yaml.find(&sqlite).unwrap();
        yaml.replace_range(at..at + sqlite.len(), url);
        yaml = yaml.replace(
            &format!(
                "    init: {}\n",
                workspace()
                    .join("examples/quickstart/registry/seed.sql")
                    .display()
            ),
            "",
        );
    }
    let config = dir.path().join("adapter.yaml");
    std::fs::write(&config, yaml).unwrap();
    let log = dir.path().join("adapter.log");
    // Start-up: a first start seeds the SQLite register; measure the second.
    drop(Adapter::start(&config, port, &log, &ENV).await);
    let started = Instant::now();
    let adapter = Adapter::start(&config, port, &log, &ENV).await;
    let startup_ms = started.elapsed().as_secs_f64() * 1000.0;
    let pid = adapter.child.id();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_mb, _) = memory(pid);

    let sender = sim.clone();
    let (arrivals, collector) = collect(sim);

    // Warm-up (connections, caches), not counted.
    for i in 0..200 {
        let (h, p) = request(i, "w");
        sender.deliver(h, p);
    }
    wait_for(&arrivals, 200, Duration::from_secs(60)).await;
    arrivals.lock().unwrap().clear();

    // Burst.
    let requests: Vec<_> = (0..BURST).map(|i| request(i, "b")).collect();
    let mut sent = HashMap::new();
    let t0 = Instant::now();
    for (h, p) in requests {
        sent.insert(h.message_id.clone(), Instant::now());
        sender.deliver(h, p);
    }
    wait_for(&arrivals, BURST, Duration::from_secs(300)).await;
    let burst_s = t0.elapsed().as_secs_f64();
    // The answers are the right ones: one in ten with evidence, the rest "not found".
    let evidence = arrivals
        .lock()
        .unwrap()
        .values()
        .filter(|(_, e)| *e)
        .count();
    assert_eq!(evidence, BURST / 10, "{name}: wrong answers");
    let lat = latencies(&arrivals, &sent);
    let (burst_p50, burst_p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    arrivals.lock().unwrap().clear();

    // Steady rate.
    let n = (RATE * STEADY_SECONDS) as usize;
    let requests: Vec<_> = (0..n).map(|i| request(i, "s")).collect();
    let mut sent = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / RATE));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let steady_start = Instant::now();
    for (h, p) in requests {
        tick.tick().await;
        sent.insert(h.message_id.clone(), Instant::now());
        sender.deliver(h, p);
    }
    wait_for(&arrivals, n, Duration::from_secs(120)).await;
    if std::env::var_os("BENCH_SLOW").is_some() {
        slow_requests(name, &arrivals, &sent, steady_start);
    }
    let lat = latencies(&arrivals, &sent);
    let (_, peak_mb) = memory(pid);
    drop(adapter);
    collector.abort();
    Row {
        name: name.to_owned(),
        startup_ms,
        idle_mb,
        burst_per_s: BURST as f64 / burst_s,
        burst_p50,
        burst_p99,
        steady_p50: percentile(&lat, 0.5),
        steady_p99: percentile(&lat, 0.99),
        steady_max: lat
            .last()
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN),
        peak_mb,
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pg = std::env::var("PG_URL").ok().filter(|u| !u.is_empty());
        let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
        let mut configs: Vec<(String, String, Option<String>)> = vec![
            ("store sqlite (full), registry sqlite".into(), String::new(), None),
            ("store sqlite (normal), registry sqlite".into(), "store:\n  type: sqlite\n  synchronous: normal\n".into(), None),
        ];
        if let Some(pg) = &pg {
            let store = format!("store:\n  type: postgres\n  url: {pg}\n  schema: oots_bench_store\n");
            configs.push(("store postgres, registry sqlite".into(), store.clone(), None));
            let reg = postgres_registry(pg, "oots_bench_registry").await;
            configs.push(("store sqlite (full), registry postgres".into(), String::new(), Some(reg.clone())));
            configs.push(("store postgres, registry postgres".into(), store, Some(reg)));
        } else {
            println!("PostgreSQL rows skipped (set PG_URL=postgres://postgres@127.0.0.1:5432/test)");
        }
        let mut rows = Vec::new();
        for (name, store, reg) in &configs {
            if only.as_deref().is_some_and(|o| !name.contains(o)) {
                continue;
            }
            if let Some(pg) = &pg && store.contains("postgres") {
                drop_pg_schema(pg, "oots_bench_store").await;
            }
            eprintln!("== {name}");
            rows.push(run(name, store, reg.as_deref()).await);
        }
        println!(
            "\n| configuration | start-up ms | idle RSS MB | burst {BURST}: exchanges/s | burst p50 / p99 ms | {RATE}/s: p50 / p99 / max ms | peak RSS MB |"
        );
        println!("|---|---|---|---|---|---|---|");
        for r in &rows {
            println!(
                "| {} | {:.0} | {:.1} | {:.0} | {:.0} / {:.0} | {:.1} / {:.1} / {:.1} | {:.1} |",
                r.name, r.startup_ms, r.idle_mb, r.burst_per_s, r.burst_p50, r.burst_p99, r.steady_p50, r.steady_p99, r.steady_max, r.peak_mb
            );
        }
    });
}
