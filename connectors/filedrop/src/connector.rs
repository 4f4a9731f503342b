//! The [`Connector`] implementation over the shared index.

use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

use async_trait::async_trait;
use oots_connector::{
    CancellationToken, Connector, ConnectorError, Document, Health, Limits, Lookup, Record,
};

use crate::index::{norm, norm_at};
use crate::parse::Layout;
use crate::path::{FieldPath, Node, flatten, scalar};
use crate::query::{self, Condition};
use crate::scan::{Msg, Scanner, Shared};
use crate::settings::{FileFormat, FiledropSettings};

/// Largest document `fetch_document` reads, so a stray huge file cannot exhaust memory.
const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// How many records a scan visits between cancellation checks.
const CANCEL_CHECK_EVERY: usize = 4096;

/// A registry exported as files in a folder, answered from an in-memory index that a
/// background thread keeps fresh (file events plus polling).
pub struct FiledropConnector {
    folder: PathBuf,
    documents: Option<PathBuf>,
    format: FileFormat,
    key: Vec<FieldPath>,
    shared: Arc<Shared>,
    stop: Sender<Msg>,
    watching: bool,
}

impl fmt::Debug for FiledropConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FiledropConnector")
            .field("folder", &self.folder)
            .field("format", &self.format)
            .field("watching", &self.watching)
            .finish_non_exhaustive()
    }
}

impl FiledropConnector {
    /// Checks the settings, indexes the folder's complete files before returning (so a
    /// fresh start answers at once), then keeps the index fresh in a background thread
    /// that ends when the connector is dropped or [`close`](Self::close)d.
    /// Relative `folder` paths are resolved against `base_dir` (the config file's folder).
    pub async fn open(
        settings: &FiledropSettings,
        base_dir: &Path,
    ) -> Result<Self, ConnectorError> {
        let cfg = settings.resolve(base_dir)?;
        let layout = Layout::new(cfg.format, cfg.records.as_deref(), cfg.delimiter)?;
        if settings.key.is_empty() {
            return Err(ConnectorError::Config(
                "filedrop key must name at least one field".into(),
            ));
        }
        let key = settings
            .key
            .iter()
            .map(|k| FieldPath::parse(cfg.format, k))
            .collect::<Result<Vec<_>, _>>()?;
        if !std::fs::metadata(&cfg.folder).is_ok_and(|m| m.is_dir()) {
            return Err(ConnectorError::Config(format!(
                "filedrop folder {} does not exist or is not a folder",
                cfg.folder.display()
            )));
        }
        let shared = Arc::new(Shared::default());
        let mut scanner = Scanner::new(cfg.clone(), layout, key.clone(), shared.clone());
        // The initial scan reads files: keep it off the async executor's threads.
        // A file dropped just before start-up gets one settle period to complete, so a
        // fresh start answers with it at once.
        // Only files that settle within that period are waited for: one still being
        // written is left to the background loop.
        let waited = cfg.settle + std::time::Duration::from_millis(50);
        let (scanner, wake) = tokio::task::spawn_blocking(move || {
            let until = std::time::Instant::now() + waited;
            let mut wake = scanner.scan();
            while let Some(due) = wake.filter(|due| *due <= until) {
                std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
                wake = scanner.scan();
            }
            (scanner, wake)
        })
        .await
        .map_err(|e| ConnectorError::Unavailable(format!("filedrop initial scan failed: {e}")))?;

        let (tx, rx) = mpsc::channel();
        let watcher = if cfg.watch {
            match make_watcher(&cfg.folder, tx.clone()) {
                Ok(w) => Some(w),
                Err(e) => {
                    tracing::warn!(folder = %cfg.folder.display(), error = %e, "filedrop file watcher unavailable; relying on polling");
                    None
                }
            }
        } else {
            None
        };
        let watching = watcher.is_some();
        std::thread::Builder::new()
            .name("filedrop-index".into())
            .spawn(move || {
                // The watcher lives exactly as long as the loop.
                let _watcher = watcher;
                crate::scan::run(scanner, rx, wake);
            })
            .map_err(|e| {
                ConnectorError::Unavailable(format!("cannot start the filedrop index thread: {e}"))
            })?;
        Ok(Self {
            folder: cfg.folder,
            documents: cfg.documents,
            format: cfg.format,
            key,
            shared,
            stop: tx,
            watching,
        })
    }

    /// Stops the background refresh; lookups keep answering from the last index.
    pub fn close(&self) {
        let _ = self.stop.send(Msg::Stop);
    }

    fn matches(&self, conds: &[(FieldPath, String)], rec: &Node) -> bool {
        conds
            .iter()
            .all(|(p, want)| norm_at(p, rec).as_deref() == Some(want.as_str()))
    }

    fn project(
        &self,
        rec: &Node,
        fields: &oots_connector::FieldPaths,
    ) -> Result<Record, ConnectorError> {
        if fields.is_empty() {
            return Ok(flatten(self.format, rec).into_iter().collect());
        }
        let mut out = Record::new();
        for (name, path) in fields {
            let p = FieldPath::parse(self.format, path)?;
            let v = match p.resolve(rec) {
                None => oots_connector::Value::Null,
                Some(n) => scalar(n).cloned().ok_or_else(|| {
                    ConnectorError::Query(format!(
                        "field `{name}` selects a structure, not a value"
                    ))
                })?,
            };
            out.push(name.clone(), v);
        }
        Ok(out)
    }
}

impl Drop for FiledropConnector {
    fn drop(&mut self) {
        self.close();
    }
}

fn make_watcher(folder: &Path, tx: Sender<Msg>) -> notify::Result<notify::RecommendedWatcher> {
    use notify::Watcher;
    let mut w = notify::recommended_watcher(move |_res: notify::Result<notify::Event>| {
        // Any event (including errors) just triggers a rescan; the scan decides.
        let _ = tx.send(Msg::Changed);
    })?;
    w.watch(folder, notify::RecursiveMode::NonRecursive)?;
    Ok(w)
}

fn media_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => return None,
    })
}

/// Reads `reference` inside `root`, refusing anything that leaves it (`..`, absolute
/// paths, symlinks pointing outside).
fn read_document(root: &Path, reference: &str) -> Result<Document, ConnectorError> {
    let rel = Path::new(reference);
    if reference.trim().is_empty()
        || reference.contains('\\')
        || !rel.components().all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(ConnectorError::Query(
            "document reference must be a relative path inside the documents folder".into(),
        ));
    }
    let media_type = media_type(rel).ok_or_else(|| {
        ConnectorError::Query(
            "unsupported document type (pdf, xml, json, png, jpg are served)".into(),
        )
    })?;
    let root = std::fs::canonicalize(root).map_err(|e| {
        ConnectorError::Unavailable(format!("documents folder unreadable ({})", e.kind()))
    })?;
    let not_found = || ConnectorError::Query("document not found".into());
    let path = std::fs::canonicalize(root.join(rel)).map_err(|_| not_found())?;
    if !path.starts_with(&root) {
        return Err(ConnectorError::Query(
            "document reference leaves the documents folder".into(),
        ));
    }
    let meta = std::fs::metadata(&path).map_err(|_| not_found())?;
    if !meta.is_file() {
        return Err(not_found());
    }
    if meta.len() > MAX_DOCUMENT_BYTES {
        return Err(ConnectorError::Query(format!(
            "document larger than {MAX_DOCUMENT_BYTES} bytes"
        )));
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| ConnectorError::Unavailable(format!("document unreadable ({})", e.kind())))?;
    Ok(Document {
        media_type: media_type.to_owned(),
        bytes,
    })
}

#[async_trait]
impl Connector for FiledropConnector {
    fn kind(&self) -> &'static str {
        "filedrop"
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        let mut out: Vec<String> = Vec::new();
        for c in query::parse(self.format, query)? {
            if !out.contains(&c.param) {
                out.push(c.param);
            }
        }
        Ok(out)
    }

    fn check_path(&self, path: &str) -> Result<(), ConnectorError> {
        FieldPath::parse(self.format, path).map(|_| ())
    }

    async fn lookup(
        &self,
        lookup: &Lookup<'_>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        if cancel.is_cancelled() {
            return Err(ConnectorError::Cancelled);
        }
        let conds: Vec<Condition> = query::parse(self.format, lookup.query)?;
        // Bound values in normalised form; a null or binary value matches nothing.
        let mut bound: Vec<(FieldPath, Option<String>)> = Vec::with_capacity(conds.len());
        for c in conds {
            let v = lookup
                .params
                .get(&c.param)
                .ok_or_else(|| ConnectorError::UnboundParameter(c.param.clone()))?;
            bound.push((c.field, norm(v)));
        }
        let Some(bound) = bound
            .into_iter()
            .map(|(p, v)| v.map(|v| (p, v)))
            .collect::<Option<Vec<_>>>()
        else {
            return Ok(Vec::new());
        };
        let snap = self.shared.snapshot();
        let max = lookup.limits.max_rows;
        let mut hits: Vec<&Node> = Vec::new();

        // Index look-up when the query names exactly the key fields (in any order).
        let key_values: Option<Vec<String>> = if bound.len() == self.key.len() {
            self.key
                .iter()
                .map(|k| {
                    let mut it = bound.iter().filter(|(p, _)| p == k);
                    let first = it.next()?;
                    it.next().is_none().then(|| first.1.clone())
                })
                .collect()
        } else {
            None
        };
        if let Some(kv) = key_values {
            for at in snap.by_key.get(&kv).map(Vec::as_slice).unwrap_or_default() {
                if let Some(rec) = snap.record(*at) {
                    hits.push(rec);
                }
            }
        } else {
            let mut seen = 0usize;
            for rec in snap.files.iter().flat_map(|f| f.iter()) {
                seen += 1;
                if seen.is_multiple_of(CANCEL_CHECK_EVERY) {
                    if cancel.is_cancelled() {
                        return Err(ConnectorError::Cancelled);
                    }
                    tokio::task::yield_now().await;
                }
                if self.matches(&bound, rec) {
                    hits.push(rec);
                    if hits.len() > max {
                        break;
                    }
                }
            }
        }
        if hits.len() > max {
            return Err(ConnectorError::TooManyRows(max));
        }
        if cancel.is_cancelled() {
            return Err(ConnectorError::Cancelled);
        }
        hits.into_iter()
            .map(|rec| self.project(rec, lookup.fields))
            .collect()
    }

    async fn fetch_document(
        &self,
        reference: &str,
        limits: Limits,
        cancel: &CancellationToken,
    ) -> Result<Document, ConnectorError> {
        let Some(root) = self.documents.clone() else {
            return Err(ConnectorError::Config(
                "this filedrop connection has no `documents` folder".into(),
            ));
        };
        let reference = reference.to_owned();
        let task = tokio::task::spawn_blocking(move || read_document(&root, &reference));
        tokio::select! {
            _ = cancel.cancelled() => Err(ConnectorError::Cancelled),
            r = tokio::time::timeout(limits.timeout, task) => match r {
                Err(_) => Err(ConnectorError::Timeout(limits.timeout)),
                Ok(Err(e)) => Err(ConnectorError::Unavailable(format!("document read failed: {e}"))),
                Ok(Ok(r)) => r,
            },
        }
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        let folder = self.folder.clone();
        tokio::task::spawn_blocking(move || std::fs::read_dir(&folder).map(|_| ()))
            .await
            .map_err(|e| ConnectorError::Unavailable(format!("filedrop probe failed: {e}")))?
            .map_err(|e| {
                ConnectorError::Unavailable(format!("filedrop folder unreadable ({})", e.kind()))
            })?;
        if !self.shared.status().loaded {
            return Err(ConnectorError::Unavailable(
                "filedrop index not loaded yet".into(),
            ));
        }
        Ok(())
    }

    fn health(&self) -> Health {
        let st = self.shared.status();
        let summary = format!(
            "{} file{}, {} record{}",
            st.files,
            if st.files == 1 { "" } else { "s" },
            st.records,
            if st.records == 1 { "" } else { "s" }
        );
        let mut problems: Vec<String> = Vec::new();
        if let Some(f) = &st.folder_error {
            problems.push(f.clone());
        }
        problems.extend(st.file_errors.iter().map(|(n, e)| format!("{n}: {e}")));
        let degraded = !st.loaded || !problems.is_empty();
        let detail = if problems.is_empty() {
            if st.loaded {
                summary
            } else {
                "index not loaded yet".to_owned()
            }
        } else {
            format!(
                "{}; serving last good data ({summary})",
                problems.join("; ")
            )
        };
        Health {
            degraded,
            detail: Some(detail),
            refreshed_at: st.refreshed_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn background_thread_ends_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let settings: FiledropSettings = serde_json::from_value(serde_json::json!({
            "folder": ".", "format": "csv", "key": ["id"], "poll_interval_ms": 60000
        }))
        .unwrap();
        let c = FiledropConnector::open(&settings, dir.path())
            .await
            .unwrap();
        let weak = Arc::downgrade(&c.shared);
        drop(c);
        let end = Instant::now() + Duration::from_secs(5);
        while weak.upgrade().is_some() && Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            weak.upgrade().is_none(),
            "index thread still holds the state"
        );
    }
}
