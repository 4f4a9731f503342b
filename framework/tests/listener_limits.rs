//! The listener's edges under attack, against `oots-adapter serve` as a real AS4 access
//! point: clients that send their headers or bodies slowly, bodies larger than allowed,
//! more large bodies at once than memory should hold, and more connections than allowed.
//! Each attack must be cut off while `/healthz` keeps answering.

mod as4_support;

use std::path::Path;
use std::time::{Duration, Instant};

use as4_support::{Served, free_port, pki, spawn, spawn_command, write_config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `oots-adapter serve` as AP_PROVIDER, with `limits` (YAML lines under `http.limits:`,
/// or none for the defaults).
fn serve(dir: &Path, port: u16, limits: &[&str]) -> Served {
    pki(dir, &["AP_PROVIDER", "AP_REQUESTER"]);
    let config = write_config(dir, "AP_PROVIDER", port, "AP_REQUESTER", free_port());
    if !limits.is_empty() {
        let yaml = std::fs::read_to_string(&config).unwrap();
        let block: String = limits.iter().map(|l| format!("    {l}\n")).collect();
        let yaml = yaml.replace(
            &format!("http:\n  listen: 127.0.0.1:{port}\n"),
            &format!("http:\n  listen: 127.0.0.1:{port}\n  limits:\n{block}"),
        );
        std::fs::write(&config, yaml).unwrap();
    }
    spawn(&config, port)
}

/// `GET /healthz` on a fresh connection, within `within`.
async fn healthz(port: u16, within: Duration) -> Result<u16, String> {
    let client = reqwest::Client::builder().timeout(within).build().unwrap();
    client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

/// Sends `head` (and `body`) on a new connection and keeps it open.
async fn hold(port: u16, head: &str, body: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    if !body.is_empty() {
        s.write_all(body).await.unwrap();
    }
    s
}

/// What the server says on `s` within `within`: `Some(status line)`, `Some("")` when it
/// closed the connection without a word, `None` when it said nothing at all.
async fn answer(s: &mut TcpStream, within: Duration) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    match tokio::time::timeout(within, s.read(&mut buf)).await {
        Err(_) => None,
        Ok(Ok(n)) => Some(
            String::from_utf8_lossy(&buf[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_owned(),
        ),
        Ok(Err(_)) => Some(String::new()),
    }
}

fn as4_head(port: u16, length: u64) -> String {
    format!(
        "POST /as4 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: multipart/related; boundary=x; type=\"application/soap+xml\"\r\nContent-Length: {length}\r\n\r\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_while_healthz_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(dir.path(), port, &[]);
    // 500 clients that never finish their headers (the defaults: 10 s to send them).
    let mut slow = Vec::new();
    for _ in 0..500 {
        slow.push(
            hold(
                port,
                &format!("POST /as4 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"),
                b"",
            )
            .await,
        );
    }
    let started = Instant::now();
    assert_eq!(healthz(port, Duration::from_secs(3)).await, Ok(200));
    assert!(started.elapsed() < Duration::from_secs(3));
    // Each is closed once the header timeout has passed.
    let deadline = Instant::now() + Duration::from_secs(20);
    for s in &mut slow {
        let left = deadline.saturating_duration_since(Instant::now());
        let said = answer(s, left).await;
        assert!(said.is_some(), "a slow client was still held after 20 s");
    }
    served.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_as4_body_is_refused_before_it_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(dir.path(), port, &[]);
    // Only the headers: the answer must not wait for 65 MiB.
    let mut s = hold(port, &as4_head(port, 65 * 1024 * 1024), b"").await;
    let said = answer(&mut s, Duration::from_secs(3)).await;
    assert!(
        said.as_deref().is_some_and(|l| l.contains(" 413 ")),
        "{said:?}"
    );
    served.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_beyond_the_memory_budget_get_503_and_healthz_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(dir.path(), port, &[]);
    // The default budget (64 MiB) holds two 30 MiB bodies; the third is refused at once.
    let chunk = vec![b'a'; 1024 * 1024];
    let mut first = hold(port, &as4_head(port, 30 * 1024 * 1024), &chunk).await;
    let mut second = hold(port, &as4_head(port, 30 * 1024 * 1024), &chunk).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // (Headers only: a client still writing when the 503 comes may see a reset instead.)
    let mut third = hold(port, &as4_head(port, 30 * 1024 * 1024), b"").await;
    let said = answer(&mut third, Duration::from_secs(3)).await;
    assert!(
        said.as_deref().is_some_and(|l| l.contains(" 503 ")),
        "{said:?}"
    );
    assert_eq!(answer(&mut first, Duration::from_millis(200)).await, None);
    assert_eq!(answer(&mut second, Duration::from_millis(200)).await, None);
    assert_eq!(healthz(port, Duration::from_secs(3)).await, Ok(200));
    // Small bodies still fit: a (bad) AS4 message is read and answered with an ebMS error.
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/as4"))
        .header("Content-Type", "application/soap+xml")
        .body("<x/>")
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status().as_u16(), 503);
    drop((first, second));
    served.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_sent_too_slowly_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(dir.path(), port, &["body_timeout_seconds: 2"]);
    let mut s = hold(port, &as4_head(port, 1000), b"0123456789").await;
    let said = answer(&mut s, Duration::from_secs(5)).await;
    assert!(
        said.as_deref().is_some_and(|l| l.contains(" 408 ")),
        "{said:?}\n{}",
        served.stop()
    );
    served.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_are_closed_and_freed_slots_serve_again() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(dir.path(), port, &["max_connections: 20"]);
    // The readiness probe's connection may still hold a slot while the first idle ones
    // arrive: a connection the server closed is replaced until 20 are held.
    let mut idle = Vec::new();
    for _ in 0..50 {
        while idle.len() < 20 {
            idle.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut held = Vec::new();
        for mut s in idle {
            if answer(&mut s, Duration::from_millis(10)).await.is_none() {
                held.push(s);
            }
        }
        idle = held;
        if idle.len() == 20 {
            break;
        }
    }
    assert_eq!(idle.len(), 20, "{}", served.stop());
    // The 21st is closed without an answer.
    let mut extra = hold(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"").await;
    assert_eq!(
        answer(&mut extra, Duration::from_secs(3)).await.as_deref(),
        Some(""),
        "{}",
        served.stop()
    );
    drop(idle);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(healthz(port, Duration::from_secs(3)).await, Ok(200));
    served.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_that_cannot_serve_are_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let port = free_port();
    let config = write_config(dir.path(), "AP_PROVIDER", port, "AP_REQUESTER", free_port());
    let yaml = std::fs::read_to_string(&config).unwrap().replace(
        &format!("http:\n  listen: 127.0.0.1:{port}\n"),
        &format!(
            "http:\n  listen: 127.0.0.1:{port}\n  limits:\n    max_as4_body_bytes: 1000\n    body_memory_bytes: 10\n"
        ),
    );
    std::fs::write(&config, yaml).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
        .arg("check")
        .arg(&config)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("OEA-E0120") && text.contains("http.limits.body_memory_bytes"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_open_file_limit_lowers_the_connection_cap() {
    let Ok(prlimit) = which("prlimit") else {
        oots_testskip::skip("PATH", "prlimit (util-linux) is not on the PATH");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let port = free_port();
    let config = write_config(dir.path(), "AP_PROVIDER", port, "AP_REQUESTER", free_port());
    // 400 files at most, soft and hard: the default cap (1024) cannot be held.
    let mut cmd = std::process::Command::new(prlimit);
    cmd.arg("--nofile=400:400")
        .arg(env!("CARGO_BIN_EXE_oots-adapter"))
        .args(["serve", "--config"])
        .arg(&config);
    let served = spawn_command(cmd, port);
    let mut held = Vec::new();
    for _ in 0..450 {
        held.push(hold(port, "GET /healthz HTTP/1.1\r\n", b"").await);
    }
    // Beyond the lowered cap a connection is closed at once instead of waiting, unaccepted,
    // for a file the process cannot open.
    let mut last = held.pop().unwrap();
    assert_eq!(
        answer(&mut last, Duration::from_secs(3)).await.as_deref(),
        Some(""),
        "{}",
        served.stop()
    );
    let log = served.stop();
    assert!(log.contains("lowered"), "{log}");
}

fn which(tool: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(tool))
                .find(|p| p.is_file())
        })
        .ok_or(())
}

/// RSS of a process in kB (`VmRSS` of `/proc/<pid>/status`).
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A measurement, not a check run every time: eight parallel 60 MB uploads to `/as4`
/// while the adapter's memory is sampled; `/healthz` must answer throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: cargo test -p oots-framework --test listener_limits -- --ignored --nocapture"]
async fn eight_parallel_60mb_uploads_keep_rss_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(dir.path(), port, &[]);
    let pid = served.pid();
    let before = rss_kb(pid);
    let body = axum::body::Bytes::from(vec![b'a'; 60 * 1000 * 1000]);
    let mut uploads = Vec::new();
    for _ in 0..8 {
        let body = body.clone();
        uploads.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("http://127.0.0.1:{port}/as4"))
                .header(
                    "Content-Type",
                    "multipart/related; boundary=x; type=\"application/soap+xml\"",
                )
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let mut peak = before;
    let started = Instant::now();
    let mut health = Vec::new();
    while !uploads.iter().all(|u| u.is_finished()) && started.elapsed() < Duration::from_secs(60) {
        peak = peak.max(rss_kb(pid));
        health.push(healthz(port, Duration::from_secs(2)).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut statuses = Vec::new();
    for u in uploads {
        statuses.push(u.await.unwrap());
    }
    println!(
        "RSS before {before} kB, peak {peak} kB; uploads: {statuses:?}; healthz failures: {}",
        health.iter().filter(|h| h.is_err()).count()
    );
    assert!(peak < 150 * 1024, "peak RSS {peak} kB");
    assert!(health.iter().all(|h| *h == Ok(200)), "{health:?}");
    served.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_its_answers_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(
        dir.path(),
        port,
        &["write_timeout_seconds: 1", "header_timeout_seconds: 60"],
    );
    // Many pipelined requests, none of the answers read: far more answers than the
    // socket buffers hold, so the server's writes stall.
    const REQUESTS: usize = 50_000;
    let s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut reader, mut writer) = s.into_split();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    tokio::spawn(async move {
        for _ in 0..REQUESTS {
            if writer.write_all(request.as_bytes()).await.is_err() {
                return;
            }
        }
        // Not half-closed: the server would end the connection on that alone.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(writer);
    });
    tokio::time::sleep(Duration::from_secs(4)).await;
    // Then read everything: the connection ends before all answers came.
    let mut all = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let answers = String::from_utf8_lossy(&all)
        .matches("HTTP/1.1 200")
        .count();
    assert!(read.is_ok(), "still open after {answers} answers");
    assert!(answers < REQUESTS, "{answers}");
    assert_eq!(healthz(port, Duration::from_secs(3)).await, Ok(200));
    served.stop();
}

/// [`eight_parallel_60mb_uploads_keep_rss_bounded`] with chunked bodies (no
/// `Content-Length`: the budget is taken as the bytes come).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: cargo test -p oots-framework --test listener_limits -- --ignored --nocapture"]
async fn eight_parallel_chunked_60mb_uploads_keep_rss_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(dir.path(), port, &[]);
    let pid = served.pid();
    let before = rss_kb(pid);
    let mut uploads = Vec::new();
    for _ in 0..8 {
        uploads.push(tokio::spawn(async move {
            let head = format!(
                "POST /as4 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: multipart/related; boundary=x; type=\"application/soap+xml\"\r\nTransfer-Encoding: chunked\r\n\r\n"
            );
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            s.write_all(head.as_bytes()).await.unwrap();
            let chunk = vec![b'a'; 1000 * 1000];
            for _ in 0..60 {
                let framed = [format!("{:x}\r\n", chunk.len()).into_bytes(), chunk.clone(), b"\r\n".to_vec()].concat();
                if s.write_all(&framed).await.is_err() {
                    break;
                }
            }
            let _ = s.write_all(b"0\r\n\r\n").await;
            answer(&mut s, Duration::from_secs(30)).await
        }));
    }
    let mut peak = before;
    let started = Instant::now();
    let mut health = Vec::new();
    while !uploads.iter().all(|u| u.is_finished()) && started.elapsed() < Duration::from_secs(60) {
        peak = peak.max(rss_kb(pid));
        health.push(healthz(port, Duration::from_secs(2)).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut statuses = Vec::new();
    for u in uploads {
        statuses.push(u.await.unwrap());
    }
    println!(
        "chunked: RSS before {before} kB, peak {peak} kB; answers: {statuses:?}; healthz failures: {}",
        health.iter().filter(|h| h.is_err()).count()
    );
    assert!(peak < 150 * 1024, "peak RSS {peak} kB");
    assert!(health.iter().all(|h| *h == Ok(200)), "{health:?}");
    served.stop();
}
