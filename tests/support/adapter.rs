//! `oots-adapter serve` as a child process: started, waited for, killed with SIGKILL.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `oots-adapter` binary of this build. `cargo test --workspace` builds it with the
/// suites; a suite run alone builds it when missing, and a benchmark (release) always asks
/// cargo once, so it never measures a stale binary.
pub fn adapter_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(build).clone()
}

fn build() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/deps/<test> → target/<profile>/oots-adapter
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("oots-adapter"))
        .unwrap_or_default();
    let release = bin.to_string_lossy().contains("/release/");
    if release || !bin.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "oots-framework", "--bin", "oots-adapter"]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo build of oots-adapter");
        assert!(status.success(), "cannot build oots-adapter");
    }
    bin
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One running `serve` process.
pub struct Adapter {
    pub child: Child,
    pub port: u16,
    pub config: PathBuf,
    log: PathBuf,
}

impl Adapter {
    /// Starts `serve --config <config>` (listening on `port`, as the config says), with
    /// its log appended to `log`, and waits until `/healthz` answers.
    pub async fn start(config: &Path, port: u16, log: &Path, env: &[(&str, &str)]) -> Adapter {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let err = out.try_clone().expect("log file");
        let mut cmd = Command::new(adapter_bin());
        cmd.args(["serve", "--config"])
            .arg(config)
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn oots-adapter");
        let a = Adapter {
            child,
            port,
            config: config.to_path_buf(),
            log: log.to_path_buf(),
        };
        a.wait_healthy().await;
        a
    }

    async fn wait_healthy(&self) {
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = http
                .get(format!("http://127.0.0.1:{}/healthz", self.port))
                .send()
                .await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "serve did not come up; log:\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// SIGKILL: no shutdown, no flush, whatever was in flight.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        self.kill();
    }
}
