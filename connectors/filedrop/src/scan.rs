//! Keeping the index fresh: scanning the folder for complete files, re-parsing what changed,
//! and the background thread driven by file events and a polling fallback.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};

use crate::index::Snapshot;
use crate::parse::{FileError, Layout};
use crate::path::FieldPath;
use crate::settings::{Resolved, glob_match, is_ignored_name};

/// Added to a settling file's due time: the monotonic and the wall clock are read one
/// after the other, never at the same instant.
const CLOCK_SLACK: Duration = Duration::from_millis(1);

/// State shared between the connector and its background thread.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub snapshot: RwLock<Arc<Snapshot>>,
    pub status: Mutex<Status>,
}

impl Shared {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn status(&self) -> Status {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// What `health()` and `probe()` report.
#[derive(Debug, Default, Clone)]
pub(crate) struct Status {
    pub loaded: bool,
    pub refreshed_at: Option<DateTime<Utc>>,
    pub files: usize,
    pub records: usize,
    /// File name → why it was rejected (position and kind only).
    pub file_errors: BTreeMap<String, String>,
    pub folder_error: Option<String>,
}

/// Messages to the background thread.
#[derive(Debug)]
pub(crate) enum Msg {
    /// Something happened in the folder (a notify event).
    Changed,
    /// The connector was closed or dropped.
    Stop,
}

/// Identity of one version of a file: where its symlinks lead (a ConfigMap swap changes
/// it), its size and its mtime.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    target: PathBuf,
    len: u64,
    mtime: Option<SystemTime>,
}

#[derive(Debug)]
struct Ingested {
    stamp: Stamp,
    records: Arc<Vec<crate::path::Node>>,
}

/// The folder scanner; owned by the background thread after the initial scan.
#[derive(Debug)]
pub(crate) struct Scanner {
    cfg: Resolved,
    layout: Layout,
    key: Vec<FieldPath>,
    shared: Arc<Shared>,
    ingested: BTreeMap<String, Ingested>,
    /// Files seen changing: the stamp last seen and since when it is unchanged.
    pending: HashMap<String, (Stamp, Instant)>,
    /// Files whose current version failed to parse (their previous data stays served).
    errors: BTreeMap<String, (Stamp, FileError)>,
}

impl Scanner {
    pub fn new(cfg: Resolved, layout: Layout, key: Vec<FieldPath>, shared: Arc<Shared>) -> Self {
        Self {
            cfg,
            layout,
            key,
            shared,
            ingested: BTreeMap::new(),
            pending: HashMap::new(),
            errors: BTreeMap::new(),
        }
    }

    /// Rescans the folder, re-indexes if any complete file changed, and returns when the
    /// next scan is needed to pick up a file that is still settling.
    pub fn scan(&mut self) -> Option<Instant> {
        let entries = match list(&self.cfg.folder, &self.cfg.pattern) {
            Ok(e) => e,
            Err(kind) => {
                self.folder_unreadable(kind);
                return None;
            }
        };
        let mut changed = false;
        let mut wake: Option<Instant> = None;
        // Ages are measured against one wall-clock reading taken with `now`: a later
        // reading would make the computed due time early by the delay in between, and
        // the rescan at that time would find the file still too young.
        let now = Instant::now();
        let wall_now = SystemTime::now();
        for (name, path) in &entries {
            match self.visit(name, path, now, wall_now) {
                Visit::Skipped => {}
                Visit::Ingested => changed = true,
                Visit::Due(due) => wake = Some(wake.map_or(due, |w| w.min(due))),
            }
        }
        changed |= self.forget_removed(&entries);
        self.publish(changed);
        wake
    }

    /// The folder cannot be listed: the last index stays served, the status says why.
    fn folder_unreadable(&self, kind: std::io::ErrorKind) {
        tracing::warn!(folder = %self.cfg.folder.display(), error = %kind, "filedrop folder unreadable; serving the last index");
        let mut st = self
            .shared
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        st.folder_error = Some(format!("folder unreadable ({kind})"));
    }

    /// One listed file: skipped if this version is known (ingested or rejected), left to
    /// settle while it may still be written, else read and parsed.
    fn visit(&mut self, name: &str, path: &Path, now: Instant, wall_now: SystemTime) -> Visit {
        let Some(stamp) = stamp_of(path) else {
            return Visit::Skipped;
        };
        if self.ingested.get(name).is_some_and(|i| i.stamp == stamp) {
            self.pending.remove(name);
            self.errors.remove(name);
            return Visit::Skipped;
        }
        if self.errors.get(name).is_some_and(|(s, _)| *s == stamp) {
            return Visit::Skipped;
        }
        if let Some(due) = self.settling(name, &stamp, now, wall_now) {
            return Visit::Due(due);
        }
        self.pending.remove(name);
        self.ingest(name, path, stamp, now)
    }

    /// When a file is not complete yet (neither old enough by its mtime nor unchanged
    /// for the settle time since first seen), the time it will be: it is then pending.
    fn settling(
        &mut self,
        name: &str,
        stamp: &Stamp,
        now: Instant,
        wall_now: SystemTime,
    ) -> Option<Instant> {
        let settle = self.cfg.settle;
        let age = stamp.mtime.and_then(|m| wall_now.duration_since(m).ok());
        let old_enough = age.is_some_and(|a| a >= settle);
        let settled = self
            .pending
            .get(name)
            .is_some_and(|(s, since)| s == stamp && now.duration_since(*since) >= settle);
        if old_enough || settled || settle.is_zero() {
            return None;
        }
        let since = match self.pending.get(name) {
            Some((s, since)) if s == stamp => *since,
            _ => {
                self.pending.insert(name.to_owned(), (stamp.clone(), now));
                now
            }
        };
        let mut due = since + settle;
        if let Some(a) = age {
            // The two clocks are read one after the other: a millisecond more
            // makes sure the file is old enough when the rescan comes.
            due = due.min(now + settle.saturating_sub(a) + CLOCK_SLACK);
        }
        Some(due)
    }

    /// Reads and parses a complete file: its records replace the file's previous ones;
    /// a file that fails keeps its last good data and is reported.
    fn ingest(&mut self, name: &str, path: &Path, stamp: Stamp, now: Instant) -> Visit {
        match std::fs::read(path) {
            Ok(bytes) => {
                // Changed while we read it: not complete after all.
                if stamp_of(path).as_ref() != Some(&stamp) {
                    self.pending.insert(name.to_owned(), (stamp, now));
                    return Visit::Due(now + self.cfg.settle);
                }
                match self.layout.parse(&bytes) {
                    Ok(records) => {
                        self.errors.remove(name);
                        self.ingested.insert(
                            name.to_owned(),
                            Ingested {
                                stamp,
                                records: Arc::new(records),
                            },
                        );
                        return Visit::Ingested;
                    }
                    Err(e) => {
                        tracing::warn!(file = %name, error = %e, "filedrop file rejected; keeping its last good data");
                        self.errors.insert(name.to_owned(), (stamp, e));
                    }
                }
            }
            Err(e) => {
                let e = FileError {
                    line: None,
                    what: format!("cannot read ({})", e.kind()),
                };
                tracing::warn!(file = %name, error = %e, "filedrop file unreadable; keeping its last good data");
                self.errors.insert(name.to_owned(), (stamp, e));
            }
        }
        Visit::Skipped
    }

    /// Drops what is known of files no longer in the folder; whether indexed data went.
    fn forget_removed(&mut self, entries: &BTreeMap<String, PathBuf>) -> bool {
        let before = self.ingested.len();
        self.ingested.retain(|n, _| entries.contains_key(n));
        let changed = self.ingested.len() != before;
        self.pending.retain(|n, _| entries.contains_key(n));
        self.errors.retain(|n, _| entries.contains_key(n));
        changed
    }

    /// Swaps in a new index if anything changed (or on the first scan) and updates the
    /// status `health()` and `probe()` report.
    fn publish(&self, changed: bool) {
        let first = !self
            .shared
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .loaded;
        if changed || first {
            let files: Vec<_> = self.ingested.values().map(|i| i.records.clone()).collect();
            let snap = Arc::new(Snapshot::build(files, &self.key));
            *self
                .shared
                .snapshot
                .write()
                .unwrap_or_else(PoisonError::into_inner) = snap;
        }
        let records = self.shared.snapshot().records;
        let mut st = self
            .shared
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if changed || first {
            st.refreshed_at = Some(Utc::now());
            st.loaded = true;
        }
        st.files = self.ingested.len();
        st.records = records;
        st.folder_error = None;
        st.file_errors = self
            .errors
            .iter()
            .map(|(n, (_, e))| (n.clone(), e.to_string()))
            .collect();
    }
}

/// What one scan did with one file.
enum Visit {
    /// Nothing new to index (known version, gone, or rejected).
    Skipped,
    /// Its new records were indexed.
    Ingested,
    /// Still settling: rescan at this time.
    Due(Instant),
}

/// Data files of the folder (name → path), hidden and temporary names excluded.
fn list(folder: &Path, pattern: &str) -> Result<BTreeMap<String, PathBuf>, std::io::ErrorKind> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(folder).map_err(|e| e.kind())? {
        let entry = entry.map_err(|e| e.kind())?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if is_ignored_name(&name) || !glob_match(pattern, &name) {
            continue;
        }
        out.insert(name, entry.path());
    }
    Ok(out)
}

/// The stamp of a regular file, following symlinks; `None` for folders and dangling links.
fn stamp_of(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    Some(Stamp {
        target: std::fs::canonicalize(path).ok()?,
        len: meta.len(),
        mtime: meta.modified().ok(),
    })
}

/// The background loop: rescans on file events, when a settling file is due, and every
/// poll interval; ends on [`Msg::Stop`].
pub(crate) fn run(mut scanner: Scanner, rx: Receiver<Msg>, mut wake: Option<Instant>) {
    let poll = scanner.cfg.poll_interval;
    let mut next_poll = Instant::now() + poll;
    loop {
        let deadline = wake.map_or(next_poll, |w| w.min(next_poll));
        let timeout = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(timeout) {
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Ok(Msg::Changed) => {
                // Coalesce a burst of events into one scan.
                while let Ok(m) = rx.try_recv() {
                    if matches!(m, Msg::Stop) {
                        return;
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        wake = scanner.scan();
        next_poll = Instant::now() + poll;
        // A settling file must not be rescanned in a tight loop.
        wake = wake.map(|w| w.max(Instant::now() + Duration::from_millis(10)));
    }
}
