//! Opening connections: where the registry is ([`Target`]), the pragmas every connection
//! gets, and the [`Watch`] its progress handler enforces (deadline, cancellation, worker
//! budget).

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use oots_connector::CancellationToken;
use rusqlite::OpenFlags;

use super::{MMAP_BYTES, PROGRESS_STEPS, STATEMENT_CACHE, lock};

/// Distinguishes the in-memory databases of several connectors in one process.
static MEMORY_DATABASES: AtomicU64 = AtomicU64::new(0);

/// Where and how connections are opened.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// A file path, or a shared-cache in-memory URI.
    name: String,
    flags: OpenFlags,
    /// Opened read-only (or `query_only` for an in-memory database).
    pub(super) read_only: bool,
    /// A shared-cache in-memory database.
    pub(super) in_memory: bool,
}

impl Target {
    /// The target of a `sqlite:` URL as sqlx parses it (`sqlite:path.db`,
    /// `sqlite:///abs.db`, `sqlite::memory:`, `?mode=memory`). A file must exist: a
    /// registry is never created by a lookup.
    pub(crate) fn from_url(url: &str, read_only: bool) -> Result<Target, String> {
        use std::str::FromStr;
        let options =
            sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|e| e.to_string())?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let base = OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if in_memory {
            // All connections of one connector share one in-memory database.
            let n = MEMORY_DATABASES.fetch_add(1, Ordering::Relaxed);
            return Ok(Target {
                name: format!(
                    "file:oots-registry-{}-{n}?mode=memory&cache=shared",
                    std::process::id()
                ),
                flags: base | OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_URI,
                read_only,
                in_memory,
            });
        }
        let path: &Path = options.get_filename();
        let access = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        Ok(Target {
            name: path.to_string_lossy().into_owned(),
            flags: base | access,
            read_only,
            in_memory,
        })
    }
}

/// A connection and the watch its progress handler enforces.
pub(super) struct Conn {
    /// The connection.
    pub(super) db: rusqlite::Connection,
    /// What its progress handler enforces.
    pub(super) watch: Arc<Watch>,
}

/// The deadline and cancellation of the lookup in flight on one connection, and until when
/// it may run on a runtime worker; none while the connection is idle, so a statement
/// outside a lookup is never interrupted.
#[derive(Default)]
pub(super) struct Watch(Mutex<Option<Armed>>);

struct Armed {
    deadline: Instant,
    cancel: CancellationToken,
    /// On a runtime worker: the end of its [`WORKER_BUDGET`](super::WORKER_BUDGET).
    on_worker_until: Option<Instant>,
}

impl Watch {
    /// Arms the watch for one lookup.
    pub(super) fn arm(
        &self,
        deadline: Instant,
        cancel: &CancellationToken,
        on_worker_until: Option<Instant>,
    ) {
        *lock(&self.0) = Some(Armed {
            deadline,
            cancel: cancel.clone(),
            on_worker_until,
        });
    }

    /// Disarms it: the connection goes idle.
    pub(super) fn disarm(&self) {
        *lock(&self.0) = None;
    }

    /// Whether the running statement may go on.
    fn allows(&self) -> bool {
        match &*lock(&self.0) {
            Some(a) => {
                let now = Instant::now();
                now < a.deadline
                    && a.on_worker_until.is_none_or(|until| now < until)
                    && !a.cancel.is_cancelled()
            }
            None => true,
        }
    }
}

/// Opens one connection to `target` (blocking: call it on the blocking pool).
pub(super) fn connect(target: &Target) -> Result<Conn, rusqlite::Error> {
    let db = rusqlite::Connection::open_with_flags(&target.name, target.flags)?;
    db.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Never wait for a lock inside SQLite: its busy handler sleeps on the calling thread
    // (a runtime worker) and no deadline interrupts it. A locked registry fails the
    // statement at once and the lookup waits asynchronously ([`busy_pause`]).
    db.busy_timeout(Duration::ZERO)?;
    if target.read_only {
        // Also covers in-memory databases, which cannot be opened read-only.
        db.pragma_update(None, "query_only", "ON")?;
    }
    if !target.in_memory {
        // Pages are read through a memory map rather than one read() per page:
        // candidate rows lie scattered over the file, and a blocking lookup touches
        // dozens of them (address space, not memory: the OS shares the file's pages).
        db.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    }
    let watch = Arc::new(Watch::default());
    let enforced = Arc::clone(&watch);
    db.progress_handler(PROGRESS_STEPS, Some(move || !enforced.allows()))?;
    Ok(Conn { db, watch })
}
