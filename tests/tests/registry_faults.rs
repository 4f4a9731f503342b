//! A registry that is locked or hangs must not freeze the adapter (issue 17): while a burst
//! of requests waits on it, `/healthz` answers 200 and `/readyz` answers at all within
//! 100 ms, every request gets exactly one answer, `EDM:ERR:0005` at the latest at the
//! connection's `timeout_ms` (plus a margin for the answer's way out), and once the registry
//! is back new requests are served from it.
//!
//! Registries: the quickstart SQLite register held under `BEGIN EXCLUSIVE` by this test (a
//! nightly import), a REST registry that accepts and never answers or stalls mid-body, and a
//! SQL Server (the scripted TDS peer of the mssql connector's tests) whose connections stop
//! passing bytes after login.

use oots_e2e::{copy_dir, workspace};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use oots_devkit::simulator::DomibusSimulator;
use oots_e2e::adapter::Adapter;
use oots_e2e::load::{Deployment, ENV, deployment, request};
use oots_e2e::probe::{Probe, Prober, stalled, violations};
use oots_e2e::proxy::{Mode, Proxy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "../../connectors/mssql/tests/tds_peer/mod.rs"]
mod tds_peer;

/// The registry timeout of these deployments (`timeout_ms`).
const TIMEOUT: Duration = Duration::from_secs(2);
/// Time allowed for an answer's way out after the registry timeout (rendering, the state
/// store, the access point) on a busy machine.
const MARGIN: Duration = Duration::from_secs(4);
/// What the issue asks of a probe.
const PROBE_LIMIT: Duration = Duration::from_millis(100);
/// Requests sent at once while the registry is locked or hangs.
const BURST: usize = 200;
/// Enough exchange workers for a whole burst at once, so no request waits for another's
/// registry timeout.
const WORKERS: &str = "exchange:\n  workers: 256\n";

/// One fault test at a time: three adapters answering bursts at once on a small machine
/// would time each other's probes.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One answer: its action, its EDM error code if any, and the time since delivery.
#[derive(Debug)]
struct Answer {
    action: String,
    code: Option<String>,
    after: Duration,
}

/// Delivers the requests `indices` of `run` at once and waits for one answer to each; a
/// second answer to any request, or an answer to nothing sent, fails the test.
async fn burst(
    sim: &DomibusSimulator,
    run: &str,
    indices: impl IntoIterator<Item = usize>,
) -> HashMap<usize, Answer> {
    let mut sent: HashMap<String, (usize, Instant)> = HashMap::new();
    for i in indices {
        let (h, p) = request(i, run);
        sent.insert(h.message_id.clone(), (i, Instant::now()));
        sim.deliver(h, p);
    }
    let mut answers = HashMap::new();
    while answers.len() < sent.len() {
        let m = sim
            .next_submitted(Duration::from_secs(120))
            .await
            .unwrap_or_else(|| panic!("{run}: {} answers missing", sent.len() - answers.len()));
        let to = m.header.ref_to_message_id.clone().unwrap_or_default();
        let Some(&(i, at)) = sent.get(&to) else {
            panic!("{run}: an answer to {to}, which this burst did not send");
        };
        let body = String::from_utf8_lossy(&m.payloads[0].bytes).to_string();
        let code = body
            .find("EDM:ERR:")
            .and_then(|at| body.get(at..at + 12))
            .map(str::to_owned);
        let exception = m.header.action == "ExceptionResponse";
        let answer = Answer {
            action: m.header.action,
            code: code.filter(|_| exception),
            after: at.elapsed(),
        };
        assert!(
            answers.insert(i, answer).is_none(),
            "{run}: request {i} answered twice"
        );
    }
    assert!(
        sim.next_submitted(Duration::from_millis(500))
            .await
            .is_none(),
        "{run}: an answer more than requests"
    );
    answers
}

/// Every answer of a burst during the fault: `EDM:ERR:0005` within the timeout + margin
/// (what is wrong, if anything).
fn timed_out(run: &str, answers: &HashMap<usize, Answer>) -> Option<String> {
    let mut wrong: Vec<String> = answers
        .iter()
        .filter(|(_, a)| a.code.as_deref() != Some("EDM:ERR:0005") || a.after > TIMEOUT + MARGIN)
        .map(|(i, a)| {
            format!(
                "#{i}: {} {:?} after {:.2}s",
                a.action,
                a.code,
                a.after.as_secs_f64()
            )
        })
        .collect();
    wrong.sort();
    let slowest = answers.values().map(|a| a.after).max().unwrap_or_default();
    (!wrong.is_empty()).then(|| {
        format!(
            "{run}: {} of {} answers not EDM:ERR:0005 within {:?} (slowest {:.2}s): {:?}",
            wrong.len(),
            answers.len(),
            TIMEOUT + MARGIN,
            slowest.as_secs_f64(),
            &wrong[..wrong.len().min(10)]
        )
    })
}

/// Answers once the registry is back: evidence for the registered person (every tenth
/// request), `EDM:ERR:0004` for the others; never `EDM:ERR:0005`.
fn assert_served(run: &str, answers: &HashMap<usize, Answer>, evidence: bool) {
    for (i, a) in answers {
        let expected = if evidence && i % 10 == 0 {
            ("ExecuteQueryResponse", None)
        } else {
            ("ExceptionResponse", Some("EDM:ERR:0004"))
        };
        assert_eq!(
            (a.action.as_str(), a.code.as_deref()),
            expected,
            "{run}: request {i}"
        );
    }
}

/// Every `/healthz` 200 and every `/readyz` answered, each within [`PROBE_LIMIT`] (what
/// is wrong, if anything).
fn probes_answered(probes: &[Probe], covered: Duration) -> Option<String> {
    let healthz = probes.iter().filter(|p| p.path == "/healthz").count();
    let last = probes.last().map(|p| p.at).unwrap_or_default();
    // At least one round a second (one every 50 ms plus their time, were all fast).
    if last < covered || (healthz as u128) < covered.as_millis() / 1_000 {
        return Some(format!(
            "only {healthz} /healthz probes over {:.1}s, slowest {:?}",
            last.as_secs_f64(),
            probes.iter().map(|p| p.took).max().unwrap_or_default()
        ));
    }
    let (excused, all) = stalled(probes, PROBE_LIMIT);
    println!(
        "{all} probes, slowest {:?}; {excused} over {PROBE_LIMIT:?} by no more than the OS kept the adapter off the CPU",
        probes.iter().map(|p| p.took).max().unwrap_or_default()
    );
    if excused * 2 > all {
        return Some(format!(
            "the machine kept the adapter off the CPU during {excused} of {all} probes: nothing can be judged"
        ));
    }
    let mut bad = violations(probes, PROBE_LIMIT, true, "/healthz");
    bad.extend(violations(probes, PROBE_LIMIT, false, "/readyz"));
    let slowest = probes.iter().map(|p| p.took).max().unwrap_or_default();
    (!bad.is_empty()).then(|| {
        format!(
            "{} of {} probes failed or took over {PROBE_LIMIT:?} (slowest {slowest:?}): {:?}",
            bad.len(),
            probes.len(),
            &bad[..bad.len().min(20)]
        )
    })
}

/// Fails the test with every problem found.
fn assert_none(problems: impl IntoIterator<Item = Option<String>>) {
    let problems: Vec<String> = problems.into_iter().flatten().collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Sets `timeout_ms` on the deployment's connection and returns the config text.
fn with_timeout(config: &Path) -> String {
    let seed = workspace().join("examples/quickstart/registry/seed.sql");
    let init = format!("    init: {}\n", seed.display());
    let yaml = std::fs::read_to_string(config).unwrap();
    assert!(yaml.contains(&init));
    yaml.replace(
        &init,
        &format!("{init}    timeout_ms: {}\n", TIMEOUT.as_millis()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_sqlite_registry_gets_0005_at_its_timeout_and_never_stalls_the_listener() {
    let _serial = SERIAL.lock().await;
    use sqlx::{Connection, Executor};
    let Deployment {
        dir,
        port,
        sim,
        config,
        log,
    } = deployment(WORKERS).await;
    std::fs::write(&config, with_timeout(&config)).unwrap();
    let adapter = Adapter::start(&config, port, &log, &ENV).await;
    // The register is created on start; one exchange opens its connections.
    assert_served("before", &burst(&sim, "before", [1_000]).await, true);

    let prober = Prober::start(port, adapter.child.id());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A nightly import: the whole file locked, readers refused, for longer than the timeout.
    let db = dir.path().join("registry.db");
    let mut import = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    import.execute("BEGIN EXCLUSIVE").await.unwrap();
    let locked = Instant::now();
    let during = burst(&sim, "locked", 0..BURST).await;
    // Held at least the timeout and a few seconds, whatever the burst took.
    tokio::time::sleep((TIMEOUT + Duration::from_secs(2)).saturating_sub(locked.elapsed())).await;
    import.execute("ROLLBACK").await.unwrap();
    let held = locked.elapsed();
    drop(import);
    let after = burst(&sim, "after", BURST..BURST + 20).await;
    let probes = prober.finish();

    assert_none([timed_out("locked", &during), probes_answered(&probes, held)]);
    assert_served("after", &after, true);
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
}

/// How the fake REST registry behaves.
const UP: u8 = 0;
/// Accepts connections and reads requests, never answers.
const SILENT: u8 = 1;
/// Sends the status line and headers of a 200, then stalls the body.
const HEADERS_ONLY: u8 = 2;

/// A REST birth register on loopback: `GET /births?date_of_birth=…` answers the quickstart's
/// Jean Dupont for 1992-10-22 and nobody otherwise, or misbehaves as `mode` says.
async fn rest_registry() -> (u16, Arc<AtomicU8>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mode = Arc::new(AtomicU8::new(UP));
    let m = mode.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(rest_connection(sock, m.clone()));
        }
    });
    (port, mode)
}

async fn rest_connection(mut sock: tokio::net::TcpStream, mode: Arc<AtomicU8>) {
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let Ok(n) = sock.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.drain(..end + 4);
        match mode.load(Ordering::SeqCst) {
            SILENT => {
                // Hold the connection open, answer nothing.
                while sock.read(&mut chunk).await.is_ok_and(|n| n > 0) {}
                return;
            }
            HEADERS_ONLY => {
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"records\": [",
                    )
                    .await;
                while sock.read(&mut chunk).await.is_ok_and(|n| n > 0) {}
                return;
            }
            _ => {}
        }
        let records = if head.contains("date_of_birth=1992-10-22") {
            serde_json::json!([{
                "register_number": "G 4711/1992", "family_name": "Dupont", "given_name": "Jean",
                "birth_name": null, "sex": "M", "date_of_birth": "1992-10-22",
                "place_of_birth": "Berlin", "father_name": "Pierre Dupont",
                "mother_name": "Claire Dupont", "registration_date": "1992-10-26",
                "registry_office": "Standesamt Berlin I"
            }])
        } else {
            serde_json::json!([])
        };
        let body = serde_json::json!({ "records": records }).to_string();
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if sock.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The quickstart mappings with the birth register read through `connector` (a mapping's
/// `connector:` block) instead of SQL; returns the folder.
fn mappings_with(dir: &Path, connector: &str) -> PathBuf {
    let from = workspace().join("examples/quickstart/mappings");
    let to = dir.join("mappings");
    copy_dir(&from, &to);
    let file = to.join("birth-certificate.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    let start = yaml.find("\nconnector:\n").unwrap() + 1;
    let end = yaml.find("\n# Registry column(s)").unwrap() + 1;
    // The offline tests' fixtures are SQL records; they are not run by `serve`.
    let tests = yaml.find("\ntests:\n").unwrap() + 1;
    let yaml = format!("{}{connector}\n{}", &yaml[..start], &yaml[end..tests]);
    std::fs::write(&file, yaml).unwrap();
    to
}

/// Field name → column, as both the REST and the SQL Server mapping read them.
const FIELDS: [&str; 11] = [
    "register_number",
    "family_name",
    "given_name",
    "birth_name",
    "sex",
    "date_of_birth",
    "place_of_birth",
    "father_name",
    "mother_name",
    "registration_date",
    "registry_office",
];

/// Replaces the deployment's SQLite connection and mappings with `connection` (YAML under
/// `birth_register:`) and a mapping reading through `connector`.
fn rewire(d: &Deployment, connection: &str, connector: &str) {
    let q = workspace().join("examples/quickstart");
    let yaml = std::fs::read_to_string(&d.config).unwrap();
    let sqlite = format!(
        "    type: sql\n    url: sqlite://{}\n    init: {}\n",
        d.dir.path().join("registry.db").display(),
        q.join("registry/seed.sql").display()
    );
    assert!(yaml.contains(&sqlite));
    let mappings = mappings_with(d.dir.path(), connector);
    let yaml = yaml.replace(&sqlite, connection).replace(
        &format!("mappings: {}\n", q.join("mappings").display()),
        &format!("mappings: {}\n", mappings.display()),
    );
    std::fs::write(&d.config, yaml).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_rest_registry_gets_0005_at_its_timeout_and_never_stalls_the_listener() {
    let _serial = SERIAL.lock().await;
    let (registry, mode) = rest_registry().await;
    let d = deployment(WORKERS).await;
    let fields: String = FIELDS.iter().map(|f| format!("    {f}: $.{f}\n")).collect();
    rewire(
        &d,
        &format!(
            "    type: rest\n    base_url: http://127.0.0.1:{registry}\n    timeout_ms: {}\n    records: $.records[*]\n",
            TIMEOUT.as_millis()
        ),
        &format!(
            "connector:\n  connection: birth_register\n  query: /births?date_of_birth={{date_of_birth}}\n  parameters:\n    date_of_birth: DateOfBirth\n  fields:\n{fields}"
        ),
    );
    let adapter = Adapter::start(&d.config, d.port, &d.log, &ENV).await;
    assert_served("before", &burst(&d.sim, "before", [1_000]).await, true);

    let prober = Prober::start(d.port, adapter.child.id());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    mode.store(SILENT, Ordering::SeqCst);
    let silent = burst(&d.sim, "silent", 0..BURST / 2).await;
    mode.store(HEADERS_ONLY, Ordering::SeqCst);
    let stalled = burst(&d.sim, "headers-only", BURST / 2..BURST).await;
    mode.store(UP, Ordering::SeqCst);
    let covered = started.elapsed();
    let after = burst(&d.sim, "after", BURST..BURST + 20).await;
    let probes = prober.finish();

    assert_none([
        timed_out("silent", &silent),
        timed_out("headers-only", &stalled),
        probes_answered(&probes, covered),
    ]);
    assert_served("after", &after, true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_sql_server_gets_0005_at_its_timeout_and_never_stalls_the_listener() {
    let _serial = SERIAL.lock().await;
    use tds_peer::{Peer, Reply, Ty};
    let peer = Peer::start("reader", "reader-pw-1").await;
    // Nobody is registered: an answering server gives EDM:ERR:0004.
    let columns: Vec<(&'static str, Ty)> = FIELDS.iter().map(|f| (*f, Ty::NVarChar)).collect();
    peer.on("FROM birth_register", Reply::Rows(columns, Vec::new()));
    // A server that stops answering: every byte held, on open and new connections.
    let server = Proxy::start(&format!("127.0.0.1:{}", peer.port)).await;
    let proxy = server.port;
    let d = deployment(WORKERS).await;
    rewire(
        &d,
        &format!(
            "    type: mssql\n    host: 127.0.0.1\n    port: {proxy}\n    database: registry\n    username: reader\n    password: env:TEST_MSSQL_PW\n    encrypt: \"off\"\n    connect_timeout_ms: {ms}\n    timeout_ms: {ms}\n",
            ms = TIMEOUT.as_millis()
        ),
        &format!(
            "connector:\n  connection: birth_register\n  query: SELECT {} FROM birth_register WHERE date_of_birth = :date_of_birth\n  parameters:\n    date_of_birth: DateOfBirth\n",
            FIELDS.join(", ")
        ),
    );
    let mut env = ENV.to_vec();
    env.push(("TEST_MSSQL_PW", "reader-pw-1"));
    let adapter = Adapter::start(&d.config, d.port, &d.log, &env).await;
    assert_served("before", &burst(&d.sim, "before", [1, 2]).await, false);

    let prober = Prober::start(d.port, adapter.child.id());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    // After login: pooled connections stop passing bytes, new ones hang in the handshake.
    server.set(Mode::Stalled);
    let during = burst(&d.sim, "stalled", 0..BURST).await;
    server.set(Mode::Up);
    let covered = started.elapsed();
    let after = burst(&d.sim, "after", BURST..BURST + 20).await;
    let probes = prober.finish();

    assert_none([
        timed_out("stalled", &during),
        probes_answered(&probes, covered),
    ]);
    assert_served("after", &after, false);
}
