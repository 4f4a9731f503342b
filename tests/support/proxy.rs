//! A loopback TCP proxy a test switches between forwarding, refusing (and cutting the
//! connections already open) and stalling (holding every byte, also on connections
//! already open): a database that is up, gone, or hanging.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Up = 0,
    Down = 1,
    Stalled = 2,
}

/// A running proxy; it forwards to its target until told otherwise.
#[derive(Debug, Clone)]
pub struct Proxy {
    pub port: u16,
    mode: Arc<AtomicU8>,
}

impl Proxy {
    /// Binds `127.0.0.1:0` and forwards to `target` (`host:port`).
    pub async fn start(target: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(Mode::Up as u8));
        let m = mode.clone();
        let target = target.to_owned();
        tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else {
                    return;
                };
                if m.load(Ordering::SeqCst) == Mode::Down as u8 {
                    drop(inbound);
                    continue;
                }
                let Ok(out) = tokio::net::TcpStream::connect(&target).await else {
                    continue;
                };
                let (ri, wi) = inbound.into_split();
                let (ro, wo) = out.into_split();
                tokio::spawn(pump(ri, wo, m.clone()));
                tokio::spawn(pump(ro, wi, m.clone()));
            }
        });
        Self { port, mode }
    }

    pub fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }

    /// `url` (which names `127.0.0.1:5432`) pointed at this proxy instead.
    pub fn url(&self, url: &str) -> String {
        let via = url.replacen("127.0.0.1:5432", &format!("127.0.0.1:{}", self.port), 1);
        assert_ne!(via, url, "the URL must name 127.0.0.1:5432");
        via
    }
}

/// Copies one direction, obeying the mode between reads.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mode: Arc<AtomicU8>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        loop {
            match mode.load(Ordering::SeqCst) {
                m if m == Mode::Down as u8 => return,
                m if m == Mode::Stalled as u8 => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                _ => break,
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
