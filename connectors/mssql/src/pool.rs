//! A small connection pool (bb8-tiberius and deadpool-tiberius only support tiberius 0.12).
//!
//! A connection goes back to the pool only after a lookup finished cleanly; one that failed,
//! timed out or was cancelled mid-stream is in an unknown state and is simply dropped.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use oots_connector::ConnectorError;
use tiberius::{Client, Config};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use crate::errors::connect_error;

pub(crate) type Conn = Client<Compat<TcpStream>>;

/// Idle connections older than this are checked with `SELECT 1` before reuse.
const VALIDATE_AFTER: Duration = Duration::from_secs(5);

pub(crate) struct Pool {
    config: Config,
    connect_timeout: Duration,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<(Conn, Instant)>>,
}

/// A checked-out connection; dropping it closes the connection, [`Pool::release`] keeps it.
pub(crate) struct Lease {
    pub client: Conn,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    pub fn new(config: Config, max_connections: usize, connect_timeout: Duration) -> Self {
        Self {
            config,
            connect_timeout,
            permits: Arc::new(Semaphore::new(max_connections)),
            idle: Mutex::new(Vec::new()),
        }
    }

    fn idle(&self) -> MutexGuard<'_, Vec<(Conn, Instant)>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A pooled connection if a healthy one is idle, otherwise a new one.
    pub async fn acquire(&self) -> Result<Lease, ConnectorError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ConnectorError::Unavailable("connection pool closed".into()))?;
        loop {
            let next = self.idle().pop();
            let Some((mut client, since)) = next else {
                break;
            };
            if since.elapsed() < VALIDATE_AFTER || is_valid(&mut client).await {
                return Ok(Lease {
                    client,
                    _permit: permit,
                });
            }
        }
        let client = self.connect().await?;
        Ok(Lease {
            client,
            _permit: permit,
        })
    }

    /// Returns a connection that finished its lookup cleanly.
    pub fn release(&self, lease: Lease) {
        self.idle().push((lease.client, Instant::now()));
    }

    /// Number of idle connections (tests, health).
    pub fn idle_count(&self) -> usize {
        self.idle().len()
    }

    /// Opens one connection within the connect budget.
    pub async fn connect(&self) -> Result<Conn, ConnectorError> {
        let budget = self.connect_timeout;
        let open = async {
            let tcp = TcpStream::connect(self.config.get_addr())
                .await
                .map_err(|e| {
                    ConnectorError::Unavailable(format!("cannot reach SQL Server: {:?}", e.kind()))
                })?;
            let _ = tcp.set_nodelay(true);
            Client::connect(self.config.clone(), tcp.compat_write())
                .await
                .map_err(|e| connect_error(&e, budget))
        };
        match tokio::time::timeout(budget, open).await {
            Ok(r) => r,
            Err(_) => Err(ConnectorError::Timeout(budget)),
        }
    }
}

/// `SELECT 1` round trip: a connection the server closed fails here, not in a lookup.
pub(crate) async fn is_valid(client: &mut Conn) -> bool {
    let Ok(stream) = client.simple_query("SELECT 1").await else {
        return false;
    };
    matches!(stream.into_row().await, Ok(Some(_)))
}
