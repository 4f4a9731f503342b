//! `oots-adapter load`: drives a running `serve` from outside, as its gateway would, with
//! the requests of the deployment's mapping tests, and checks every answer (exactly one
//! per request, the outcome its test expects). Operators measure a deployment with it;
//! the end-to-end suite `tests/tests/load_tool.rs` runs it against the quickstart.

mod driver;
mod plan;
mod report;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::Semaphore;

use super::{CliError, init_logging};
use crate::clock::{IdSource, RandomIds};
use crate::config::{AdapterConfig, GatewaySettings};
use crate::edm;
use crate::gateway::Payload;
use crate::requester;
use crate::secret::SecretRef;
use crate::verify;

use driver::{As4Identity, Driver};
use report::{Sent, Summary, Tally};

/// Answers arriving this long after the last expected one still count (as duplicates or
/// unknown answers): a second answer to the same request usually follows closely.
const GRACE: Duration = Duration::from_secs(1);

/// `oots-adapter load` options.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// The deployment's adapter.yaml: its mapping tests are the requests, its gateway
    /// section says which end to play and where.
    #[arg(long)]
    config: PathBuf,
    /// Requests to send, the mapping tests cycled (each request with its own ids).
    #[arg(long, default_value_t = 100, conflicts_with = "burst")]
    requests: usize,
    /// Requests per second, e.g. `50/s` (default: all at once, within `--concurrency`).
    #[arg(long, value_parser = parse_rate, conflicts_with = "burst")]
    rate: Option<f64>,
    /// Send N requests at once (as many as `--concurrency` allows).
    #[arg(long, value_name = "N")]
    burst: Option<usize>,
    /// Requests awaiting their answer at most.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Seconds to wait for the last answers after the last request was sent.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Seconds to wait for `serve` to accept connections before the first request.
    #[arg(long, default_value_t = 30)]
    wait: u64,
    /// Base URL of the running `serve` (default: `http://` + the deployment's
    /// `http.listen`, a wildcard address as 127.0.0.1).
    #[arg(long)]
    adapter: Option<String>,
    /// Native AS4: the requester access point's private key (PEM), a secret reference
    /// (`file:…` or `env:…`).
    #[arg(long)]
    as4_key: Option<String>,
    /// Native AS4: its certificate, one of the deployment's `gateway.peers`.
    #[arg(long)]
    as4_certificate: Option<PathBuf>,
    /// Native AS4: the CAs the adapter's certificate chains to (default: the
    /// deployment's `trust_store`).
    #[arg(long)]
    as4_trust: Option<PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

/// `50/s` or `50`: requests per second, above zero.
fn parse_rate(s: &str) -> Result<f64, String> {
    let n = s.trim().trim_end_matches("/s");
    match n.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!("`{s}` is not a rate such as 50/s")),
    }
}

/// Why a load run could not start. Codes: docs/error-codes.md.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("OEA-L0001: {0}")]
    Deployment(String),
    #[error("OEA-L0002: the mapping files have no `tests:`; the load tool sends their requests")]
    NoTests,
    #[error("OEA-L0003: {0}")]
    Address(String),
    #[error("OEA-L0004: a secret of the deployment's gateway: {0}")]
    Secret(String),
    #[error("OEA-L0005: native AS4: {0}")]
    As4(String),
    #[error("OEA-L0006: serve is not accepting connections at {0}")]
    NotReachable(String),
}

impl LoadError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Deployment(_) => "OEA-L0001",
            LoadError::NoTests => "OEA-L0002",
            LoadError::Address(_) => "OEA-L0003",
            LoadError::Secret(_) => "OEA-L0004",
            LoadError::As4(_) => "OEA-L0005",
            LoadError::NotReachable(_) => "OEA-L0006",
        }
    }
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        CliError::Other(e.to_string())
    }
}

pub(super) async fn run(o: &Options) -> Result<ExitCode, CliError> {
    init_logging(false, "error");
    let cfg = AdapterConfig::load(&o.config)?;
    let outcome = verify::check(&o.config, false).await;
    let (Some(set), true) = (outcome.set.as_ref(), outcome.ok()) else {
        return Err(LoadError::Deployment(format!(
            "{} does not pass `check`:\n{}",
            o.config.display(),
            outcome.diagnostics
        ))
        .into());
    };
    let cases = plan::cases(&cfg, set).map_err(LoadError::Deployment)?;
    if cases.is_empty() {
        return Err(LoadError::NoTests.into());
    }
    let adapter = adapter_url(&cfg, o.adapter.as_deref());
    let driver = match &cfg.gateway {
        Some(GatewaySettings::Domibus(d)) => {
            let driver = driver::domibus(d, &adapter).await?;
            eprintln!(
                "load: playing the Domibus WS plugin at {} (the deployment's gateway.endpoint), pushing to {adapter}",
                d.endpoint
            );
            driver
        }
        Some(GatewaySettings::As4(a)) => {
            let (Some(key), Some(certificate)) = (&o.as4_key, &o.as4_certificate) else {
                return Err(LoadError::As4(
                    "the deployment is an AS4 access point: give the requester's --as4-key and --as4-certificate".to_owned(),
                )
                .into());
            };
            let key = SecretRef::parse(key).map_err(|e| LoadError::As4(e.to_string()))?;
            let me = As4Identity {
                key,
                certificate,
                trust: o.as4_trust.as_deref(),
            };
            let driver = driver::as4(a, me, &adapter).await?;
            eprintln!("load: playing a requester access point, sending to {adapter}/as4");
            driver
        }
        None => {
            return Err(LoadError::Deployment(format!(
                "{}: no `gateway:` section (type: domibus or as4)",
                cfg.file.display()
            ))
            .into());
        }
    };
    wait_ready(&adapter, Duration::from_secs(o.wait)).await?;
    let requests = o.burst.unwrap_or(o.requests);
    let rate = if o.burst.is_some() { None } else { o.rate };
    let summary = drive(
        Arc::new(driver),
        &cases,
        requests,
        rate,
        o.concurrency.max(1),
        Duration::from_secs(o.timeout),
    )
    .await;
    if o.json {
        println!("{}", summary.json());
    } else {
        print!("{}", summary.text());
    }
    Ok(if summary.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `--adapter`, or `http://` + `http.listen` (a wildcard address as 127.0.0.1).
fn adapter_url(cfg: &AdapterConfig, given: Option<&str>) -> String {
    if let Some(url) = given {
        return url.trim_end_matches('/').to_owned();
    }
    let mut addr = cfg.http.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let scheme = if cfg.http.tls.is_some() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{addr}")
}

/// Waits until `serve` accepts TCP connections.
async fn wait_ready(adapter: &str, wait: Duration) -> Result<(), LoadError> {
    let url = reqwest::Url::parse(adapter)
        .map_err(|e| LoadError::Address(format!("--adapter `{adapter}`: {e}")))?;
    let host = url.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let until = Instant::now() + wait;
    loop {
        if tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if Instant::now() >= until {
            return Err(LoadError::NotReachable(adapter.to_owned()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn lock<T>(t: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in a task holding the lock leaves counts, never half-written state.
    t.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sends `requests` requests (at `rate` per second, or at once), at most `concurrency`
/// awaiting their answer, and collects the answers until all are in or `timeout` after
/// the last send.
async fn drive(
    driver: Arc<Driver>,
    cases: &[plan::Case],
    requests: usize,
    rate: Option<f64>,
    concurrency: usize,
    timeout: Duration,
) -> Summary {
    let run = Shared {
        driver,
        tally: Arc::default(),
        permits: Arc::default(),
        stop: tokio_util::sync::CancellationToken::new(),
    };
    let started = Instant::now();
    let collector = run.collect_answers(cases.iter().map(|c| c.expect.clone()).collect());
    let progress = std::io::stderr()
        .is_terminal()
        .then(|| run.show_progress(requests, started));
    run.send_all(cases, requests, rate, concurrency, timeout)
        .await;
    run.await_last_answers(timeout).await;
    run.stop.cancel();
    let _ = collector.await;
    if let Some(p) = progress {
        let _ = p.await;
    }
    run.driver.stop();
    let titles: Vec<String> = cases.iter().map(|c| c.title.clone()).collect();
    let t = lock(&run.tally);
    Summary::new(run.driver.mode(), requests, &t, &titles)
}

/// A concurrency slot held by each request awaiting its answer, by message id.
type Permits = Arc<Mutex<std::collections::HashMap<String, tokio::sync::OwnedSemaphorePermit>>>;

/// What the sending loop and the answer collector share.
#[derive(Clone)]
struct Shared {
    driver: Arc<Driver>,
    tally: Arc<Mutex<Tally>>,
    permits: Permits,
    /// Stops the collector and the progress line.
    stop: tokio_util::sync::CancellationToken,
}

impl Shared {
    /// Collects the answers as they arrive, each checked against its case's expectation,
    /// freeing the request's slot.
    fn collect_answers(&self, expected: Vec<plan::Expected>) -> tokio::task::JoinHandle<()> {
        let Shared {
            driver,
            tally,
            permits,
            stop,
        } = self.clone();
        tokio::spawn(async move {
            while !stop.is_cancelled() {
                let Some(answer) = driver.next_answer(Duration::from_millis(100)).await else {
                    continue;
                };
                let now = Instant::now();
                let to = answer.header.ref_to_message_id.clone().unwrap_or_default();
                let mut t = lock(&tally);
                t.last_answer = Some(now);
                let Some(sent) = t.sent.get_mut(&to) else {
                    t.unknown += 1;
                    continue;
                };
                if sent.answered.is_some() {
                    sent.extra += 1;
                    continue;
                }
                let outcome = expected
                    .get(sent.case)
                    .map_or(Ok(()), |e| plan::check(e, &answer));
                sent.answered = Some((now, outcome));
                drop(t);
                lock(&permits).remove(&to);
            }
        })
    }

    /// A progress line on a terminal, until stopped.
    fn show_progress(&self, requests: usize, started: Instant) -> tokio::task::JoinHandle<()> {
        let (tally, stop) = (self.tally.clone(), self.stop.clone());
        tokio::spawn(async move {
            while !stop.is_cancelled() {
                let line = report::progress(requests, &lock(&tally), started);
                let mut err = std::io::stderr();
                let _ = err.write_all(line.as_bytes());
                let _ = err.flush();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            eprintln!();
        })
    }

    /// Sends the requests, the cases in turn, each once a slot is free (and a tick has
    /// come, with a rate); returns when every send is done.
    async fn send_all(
        &self,
        cases: &[plan::Case],
        requests: usize,
        rate: Option<f64>,
        concurrency: usize,
        timeout: Duration,
    ) {
        let slots = Arc::new(Semaphore::new(concurrency));
        let mut ticks = rate.map(|r| {
            let mut i = tokio::time::interval(Duration::from_secs_f64(1.0 / r));
            i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            i
        });
        let mut sends = tokio::task::JoinSet::new();
        for n in 0..requests {
            if let Some(i) = ticks.as_mut() {
                i.tick().await;
            }
            // No slot freed within the timeout: the adapter stopped answering; the
            // requests not sent count as missing.
            let Ok(Ok(permit)) = tokio::time::timeout(timeout, slots.clone().acquire_owned()).await
            else {
                break;
            };
            let case = n % cases.len();
            let (header, payloads) = message(&cases[case].spec);
            let id = header.message_id.clone();
            self.record_send(&id, case);
            lock(&self.permits).insert(id.clone(), permit);
            let (driver, tally, permits) = (
                self.driver.clone(),
                self.tally.clone(),
                self.permits.clone(),
            );
            sends.spawn(async move {
                if let Err(e) = driver.send(header, payloads).await {
                    if let Some(s) = lock(&tally).sent.get_mut(&id) {
                        s.send_failed = Some(e);
                    }
                    lock(&permits).remove(&id);
                }
            });
        }
        while sends.join_next().await.is_some() {}
    }

    /// Counts a request as sent now.
    fn record_send(&self, id: &str, case: usize) {
        let now = Instant::now();
        let mut t = lock(&self.tally);
        t.first_send.get_or_insert(now);
        t.sent.insert(
            id.to_owned(),
            Sent {
                case,
                at: now,
                answered: None,
                extra: 0,
                send_failed: None,
            },
        );
    }

    /// The last answers: all in, or the timeout; then a short grace for late duplicates.
    async fn await_last_answers(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while lock(&self.tally).outstanding() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(GRACE).await;
    }
}

/// One request of a mapping test, with its own ids, as the requester's access point
/// hands it to the network.
fn message(spec: &requester::RequestSpec) -> (crate::gateway::ebms::UserMessage, Vec<Payload>) {
    let ids = RandomIds;
    let now = Utc::now();
    let request = requester::build_request(spec, &ids, now);
    let cid = format!("{}@load.oots-adapter", ids.uuid());
    let header = requester::request_header(
        &request,
        format!("{}@load.oots-adapter", ids.uuid()),
        ids.uuid().to_string(),
        ids.uuid().to_string(),
        &cid,
        now,
    );
    let payloads = vec![Payload {
        content_id: cid,
        mime_type: plan::REGREP.to_owned(),
        bytes: edm::write_request(&request).into_bytes(),
    }];
    (header, payloads)
}

#[cfg(test)]
mod tests;
