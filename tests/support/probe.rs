//! `/healthz` and `/readyz` probed as a load balancer would, timed one by one.
//!
//! The prober runs on an OS thread of its own with blocking loopback sockets, so a busy
//! runtime in the test process cannot delay a probe and blame the adapter for it; each probe
//! opens a fresh connection (as kubelet does) and its time covers connect to last byte.
//!
//! On a shared machine the OS can keep a busy process off the CPU for hundreds of
//! milliseconds. Linux counts, per thread, the time it was ready to run but waited for a
//! CPU (`/proc/<pid>/task/*/schedstat`); the prober reads the adapter's count around each
//! probe. A probe slower than the limit by no more than the adapter's threads waited for a
//! CPU meanwhile is the machine's delay, not the adapter's, and is reported apart. A worker
//! stuck in a sleep or a lock does not wait for a CPU: that delay always counts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Pause between two rounds of probes.
const EVERY: Duration = Duration::from_millis(50);
/// Longest wait for one answer: a slower one is recorded as such, not lost.
const GIVE_UP: Duration = Duration::from_secs(30);

/// One probe: the path asked, the HTTP status (0: no answer) and how long it took.
#[derive(Debug, Clone)]
pub struct Probe {
    pub path: &'static str,
    pub status: u16,
    pub took: Duration,
    /// Since the prober started.
    pub at: Duration,
    /// How long the adapter's threads (together) were ready to run but kept off the CPU
    /// by the OS during the probe.
    pub cpu_wait: Duration,
}

/// Probes `/healthz` and `/readyz` of an adapter every 50 ms until stopped.
pub struct Prober {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<Probe>>>,
}

impl Prober {
    /// Probes the adapter process `pid` listening on `port`.
    pub fn start(port: u16, pid: u32) -> Prober {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut probes = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                for path in ["/healthz", "/readyz"] {
                    let at = started.elapsed();
                    let waited = cpu_wait(pid);
                    let t0 = Instant::now();
                    let status = get(port, path).unwrap_or(0);
                    let took = t0.elapsed();
                    probes.push(Probe {
                        path,
                        status,
                        took,
                        at,
                        cpu_wait: cpu_wait(pid).saturating_sub(waited),
                    });
                }
                std::thread::sleep(EVERY);
            }
            probes
        });
        Prober {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops probing; every probe made, in order.
    pub fn finish(mut self) -> Vec<Probe> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread
            .take()
            .map(|t| t.join().expect("the prober thread"))
            .unwrap_or_default()
    }
}

impl Drop for Prober {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Time the threads of process `pid` spent ready to run but waiting for a CPU, summed
/// (zero where the kernel does not count it: then every delay counts against the adapter).
fn cpu_wait(pid: u32) -> Duration {
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    let nanos: u64 = threads
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

/// `GET path` on a new connection; the status of a complete answer.
fn get(port: u16, path: &str) -> Option<u16> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, GIVE_UP).ok()?;
    s.set_read_timeout(Some(GIVE_UP)).ok()?;
    s.set_nodelay(true).ok()?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .ok()?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).ok()?;
    let text = String::from_utf8_lossy(&answer);
    text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// Whether a probe was slower than `limit` only by the time the OS kept the adapter off
/// the CPU.
fn excused(p: &Probe, limit: Duration) -> bool {
    p.took > limit && p.took.saturating_sub(limit) <= p.cpu_wait
}

/// Probes of `path` slower than `limit` (beyond what the machine kept the adapter waiting),
/// or unanswered, or (for `/healthz`) not 200, described.
pub fn violations(probes: &[Probe], limit: Duration, need_ok: bool, path: &str) -> Vec<String> {
    probes
        .iter()
        .filter(|p| p.path == path)
        .filter(|p| {
            (p.took > limit && !excused(p, limit)) || p.status == 0 || (need_ok && p.status != 200)
        })
        .map(|p| {
            format!(
                "{} at {:.2}s: status {} after {} ms (kept off the CPU {} ms)",
                p.path,
                p.at.as_secs_f64(),
                p.status,
                p.took.as_millis(),
                p.cpu_wait.as_millis()
            )
        })
        .collect()
}

/// Probes slower than `limit` only because the machine kept the adapter waiting, and all
/// probes.
pub fn stalled(probes: &[Probe], limit: Duration) -> (usize, usize) {
    let n = probes.iter().filter(|p| excused(p, limit)).count();
    (n, probes.len())
}
