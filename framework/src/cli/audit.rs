//! `oots-adapter audit`: check the journal's chain, MACs and checkpoints, sign
//! checkpoints, export an exchange's records as a verifiable bundle, and purge what the
//! retention period no longer covers (docs/audit.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::audit_keys::{journal_key, key_ring};
use super::{CliError, open_store};
use crate::config::AdapterConfig;
use crate::store::Store;
use crate::store::bundle::{self, Bundle, Link};
use crate::store::journal::{Checkpoint, Verifier};
use crate::store::{JournalError, PublicKey};

/// `audit` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Options {
    /// Walk the journal from its first record to its head and check every hash link.
    /// Prints the head hash: keep it outside the database (a ticket, a log archive), since
    /// removing the newest records cannot be seen from the chain alone.
    Verify {
        #[arg(long)]
        config: PathBuf,
        /// Print one JSON line instead of text.
        #[arg(long)]
        json: bool,
        /// A checkpoint file kept outside the database: the journal must still hold the
        /// record it signed, unchanged, and must not end before it.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Sign the journal's head now: appends the checkpoint to the journal and writes it
    /// to FILE (keep it where the database's administrators cannot write).
    Checkpoint {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the public key checkpoints and bundles are verified with (PEM), for the
    /// current audit key and the retired ones.
    PublicKey {
        #[arg(long)]
        config: PathBuf,
        /// Only this key id.
        #[arg(long)]
        key_id: Option<String>,
    },
    /// Write one exchange's journal records with their proof (Art. 17(5) IR 2022/1463):
    /// a JSON bundle `audit verify-bundle` checks with the public key alone.
    Export {
        #[arg(long)]
        config: PathBuf,
        /// Records whose message_id, conversation_id or exchange_id is this.
        #[arg(long)]
        exchange: Option<String>,
        /// Records whose request_id is this.
        #[arg(long)]
        request_id: Option<String>,
        /// Records written at or after this time (RFC 3339).
        #[arg(long)]
        from: Option<DateTime<Utc>>,
        /// Records written before this time (RFC 3339).
        #[arg(long)]
        to: Option<DateTime<Utc>>,
        /// The bundle file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a bundle offline with the public key only.
    VerifyBundle {
        bundle: PathBuf,
        /// The public key (PEM) from `audit public-key`.
        #[arg(long)]
        public_key: PathBuf,
        /// Print one JSON line instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Remove journal records, finished exchanges, used request ids and preview links
    /// older than `audit.retention_days` now (`serve` does it every
    /// `audit.purge_every_seconds`).
    Purge {
        #[arg(long)]
        config: PathBuf,
        /// Keep this many days instead of `audit.retention_days`.
        #[arg(long)]
        days: Option<u32>,
    },
}

const PAGE: u32 = 1_000;

pub(super) async fn run(o: &Options) -> Result<ExitCode, CliError> {
    match o {
        Options::Verify {
            config,
            json,
            checkpoint,
        } => verify(config, *json, checkpoint.as_deref()).await,
        Options::Purge { config, days } => purge(config, *days).await,
        Options::Checkpoint { config, out } => checkpoint(config, out).await,
        Options::PublicKey { config, key_id } => public_key(config, key_id.as_deref()),
        Options::Export {
            config,
            exchange,
            request_id,
            from,
            to,
            out,
        } => {
            let sel = Selection {
                exchange: exchange.clone(),
                request_id: request_id.clone(),
                from: *from,
                to: *to,
            };
            export(config, &sel, out).await
        }
        Options::VerifyBundle {
            bundle,
            public_key,
            json,
        } => verify_bundle(bundle, public_key, *json),
    }
}

async fn verify(
    config: &Path,
    json: bool,
    checkpoint: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let cfg = AdapterConfig::load(config)?;
    let mut v = Verifier::with_keys(key_ring(&cfg)?);
    if let Some(path) = checkpoint {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Other(format!("{}: {e}", path.display())))?;
        let cp = Checkpoint::parse(&text)
            .ok_or_else(|| CliError::Other(format!("{}: not a checkpoint file", path.display())))?;
        if let Err(err) = v.expect(cp) {
            return Ok(failed(&err, json));
        }
    }
    let store = open_store(&cfg).await?;
    let mut after = 0;
    loop {
        let page = store.journal(after, PAGE).await.map_err(CliError::other)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            if let Err(err) = v.push(e) {
                return Ok(failed(&err, json));
            }
        }
    }
    let v = match v.finish() {
        Ok(v) => v,
        Err(err) => return Ok(failed(&err, json)),
    };
    let unkeyed_head = v.records > 0 && v.head_key.is_none();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "ok": true,
                "records": v.records,
                "kinds": v.kinds,
                "unsealed": v.unsealed,
                "first_seq": v.first,
                "last_seq": v.last_seq(),
                "head": v.head,
                "head_key_id": v.head_key,
                "checkpoint": v.checkpoint,
            })
        );
    } else if v.records == 0 {
        println!("audit journal is empty");
    } else {
        println!(
            "audit journal verified: {} records, {} to {}; head {}{}",
            v.records,
            v.first.unwrap_or(0),
            after,
            v.head.as_deref().unwrap_or("-"),
            match v.checkpoint {
                Some(crate::store::journal::CheckpointOutcome::Matched) =>
                    "; the checkpoint's record is unchanged",
                Some(crate::store::journal::CheckpointOutcome::Purged) =>
                    "; the checkpoint's records were purged since",
                None => "",
            }
        );
    }
    if unkeyed_head && !json {
        eprintln!(
            "warning: the newest records are not sealed with a key: anyone who can write the database can rewrite them (set audit.key, docs/audit.md)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `cp` to `path` whole or not at all.
fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    let cannot = |e: std::io::Error| CliError::Other(format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(cannot)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(cannot)?;
    std::fs::rename(&tmp, path).map_err(cannot)
}

async fn checkpoint(config: &Path, out: &Path) -> Result<ExitCode, CliError> {
    let cfg = AdapterConfig::load(config)?;
    let store = open_store(&cfg).await?;
    match store
        .checkpoint(Utc::now())
        .await
        .map_err(CliError::other)?
    {
        Some(cp) => {
            write_atomically(out, &format!("{}\n", cp.to_json()))?;
            println!(
                "checkpoint: record {} head {} signed with key {}, written to {}",
                cp.seq,
                cp.head,
                cp.key_id,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("audit journal is empty: nothing to sign");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn public_key(config: &Path, only: Option<&str>) -> Result<ExitCode, CliError> {
    let cfg = AdapterConfig::load(config)?;
    let ring = key_ring(&cfg)?;
    let current = journal_key(&cfg)?;
    let mut printed = 0;
    for id in ring.ids() {
        if only.is_some_and(|o| o != id) {
            continue;
        }
        if let Some(k) = ring.public_key(id) {
            if only.is_none() {
                let role = if current.as_ref().is_some_and(|c| c.id() == id) {
                    "current"
                } else {
                    "retired"
                };
                println!("# audit key {id} ({role}), fingerprint {}", k.fingerprint());
            }
            print!("{}", k.to_pem());
            printed += 1;
        }
    }
    if printed == 0 {
        eprintln!("no audit key is configured (audit.key, docs/audit.md)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Which records an export takes.
#[derive(Debug, Clone, Default)]
struct Selection {
    exchange: Option<String>,
    request_id: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl Selection {
    fn matches(&self, e: &crate::store::JournalEntry) -> bool {
        if self.from.is_some_and(|f| e.at < f) || self.to.is_some_and(|t| e.at >= t) {
            return false;
        }
        if self.exchange.is_none() && self.request_id.is_none() {
            return true;
        }
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&e.record) else {
            return false;
        };
        let field = |name: &str| v.get(name).and_then(|x| x.as_str());
        let exchange = self.exchange.as_deref().is_none_or(|id| {
            ["message_id", "conversation_id", "exchange_id"]
                .iter()
                .any(|f| field(f) == Some(id))
        });
        let request = self
            .request_id
            .as_deref()
            .is_none_or(|id| field("request_id") == Some(id));
        exchange && request
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "exchange": self.exchange,
            "request_id": self.request_id,
            "from": self.from.map(crate::store::journal::stamp),
            "to": self.to.map(crate::store::journal::stamp),
        })
    }
}

async fn export(config: &Path, sel: &Selection, out: &Path) -> Result<ExitCode, CliError> {
    if sel.exchange.is_none() && sel.request_id.is_none() && sel.from.is_none() && sel.to.is_none()
    {
        return Err(CliError::Other(
            "say which records: --exchange, --request-id, --from/--to".into(),
        ));
    }
    let cfg = AdapterConfig::load(config)?;
    let store = open_store(&cfg).await?;
    // First pass: where the selection lies, and the first checkpoint after it.
    let (mut first, mut last) = (None, None);
    let mut covering: Option<Checkpoint> = None;
    let mut after = 0;
    loop {
        let page = store.journal(after, PAGE).await.map_err(CliError::other)?;
        let Some(l) = page.last() else { break };
        after = l.seq;
        for e in &page {
            if sel.matches(e) {
                first.get_or_insert(e.seq);
                last = Some(e.seq);
                covering = None;
            } else if covering.is_none()
                && e.seal.is_some()
                && let Some(l) = last
                && let Some(cp) = Checkpoint::parse(&e.record)
                && cp.seq >= l
            {
                covering = Some(cp);
            }
        }
    }
    let (Some(first), Some(_)) = (first, last) else {
        eprintln!("no journal record matches {}", sel.to_json());
        return Ok(ExitCode::FAILURE);
    };
    let cp = match covering {
        Some(cp) => cp,
        // None yet: sign the head now.
        None => store
            .checkpoint(Utc::now())
            .await
            .map_err(CliError::other)?
            .ok_or_else(|| CliError::Other("the journal is empty".into()))?,
    };
    let b = collect(store.as_ref(), sel, first, cp).await?;
    let ring = key_ring(&cfg)?;
    let key = ring.public_key(&b.checkpoint.key_id).ok_or_else(|| {
        CliError::Other(format!(
            "audit key {} is not configured",
            b.checkpoint.key_id
        ))
    })?;
    // Check before handing it out.
    let v = b.verify(key).map_err(CliError::other)?;
    let text = serde_json::to_string_pretty(&b).map_err(CliError::other)?;
    write_atomically(out, &format!("{text}\n"))?;
    println!(
        "exported {} record(s) with {} link(s) to checkpoint {} (key {}) to {}",
        v.records.len(),
        v.links,
        v.checkpoint_seq,
        b.checkpoint.key_id,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Second pass: the links from `first` to the checkpoint's record.
async fn collect(
    store: &dyn Store,
    sel: &Selection,
    first: i64,
    cp: Checkpoint,
) -> Result<Bundle, CliError> {
    let mut links = Vec::new();
    let mut prev_hash = None;
    let mut after = first - 1;
    'pages: loop {
        let page = store.journal(after, PAGE).await.map_err(CliError::other)?;
        let Some(l) = page.last() else { break };
        after = l.seq;
        for e in &page {
            if e.seq > cp.seq {
                break 'pages;
            }
            prev_hash.get_or_insert_with(|| e.prev_hash.clone());
            links.push(Link::of(e, sel.matches(e)));
        }
    }
    Ok(Bundle {
        format: bundle::FORMAT.to_owned(),
        selection: sel.to_json(),
        prev_hash: prev_hash.unwrap_or_default(),
        links,
        checkpoint: cp,
    })
}

fn verify_bundle(path: &Path, public_key: &Path, json: bool) -> Result<ExitCode, CliError> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| CliError::Other(format!("{}: {e}", p.display())))
    };
    let key = PublicKey::from_pem(&read(public_key)?).map_err(CliError::other)?;
    let result = Bundle::parse(&read(path)?).and_then(|b| b.verify(&key));
    match result {
        Ok(v) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "ok": true,
                        "records": v.records.len(),
                        "seqs": v.records.iter().map(|r| r.0).collect::<Vec<_>>(),
                        "links": v.links,
                        "checkpoint_seq": v.checkpoint_seq,
                        "checkpoint_at": v.checkpoint_at,
                    })
                );
            } else {
                println!(
                    "audit bundle verified: {} record(s), linked through {} journal record(s) to the checkpoint of record {} signed at {}",
                    v.records.len(),
                    v.links,
                    v.checkpoint_seq,
                    v.checkpoint_at
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "code": err.code(), "error": err.to_string()})
                );
            } else {
                eprintln!("audit bundle does NOT verify: {err}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn failed(err: &JournalError, json: bool) -> ExitCode {
    if json {
        println!(
            "{}",
            serde_json::json!({"ok": false, "code": err.code(), "error": err.to_string()})
        );
    } else {
        eprintln!("audit journal does NOT verify: {err}");
    }
    ExitCode::FAILURE
}

async fn purge(config: &Path, days: Option<u32>) -> Result<ExitCode, CliError> {
    let cfg = AdapterConfig::load(config)?;
    let store = open_store(&cfg).await?;
    let now = chrono::Utc::now();
    let days = days.unwrap_or(cfg.audit.retention_days);
    let before = now - chrono::Duration::days(i64::from(days));
    let r = store.purge(before, now).await.map_err(CliError::other)?;
    println!(
        "purged (older than {days} days): {} journal records, {} exchanges, {} request ids, {} preview links",
        r.journal_entries, r.exchanges, r.request_ids, r.preview_links
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::JournalEntry;

    fn entry(at: &str, record: &str) -> JournalEntry {
        JournalEntry {
            seq: 1,
            at: at.parse().unwrap(),
            record: record.into(),
            prev_hash: String::new(),
            hash: String::new(),
            seal: None,
        }
    }

    #[test]
    fn a_selection_takes_records_matching_every_criterion_given() {
        let e = entry(
            "2026-11-24T10:00:00Z",
            r#"{"kind":"decision","message_id":"m1","conversation_id":"c1","request_id":"r1"}"#,
        );
        let sel = |exchange: Option<&str>, request: Option<&str>, from: Option<&str>| Selection {
            exchange: exchange.map(str::to_owned),
            request_id: request.map(str::to_owned),
            from: from.map(|f| f.parse().unwrap()),
            to: None,
        };
        assert!(sel(Some("m1"), None, None).matches(&e));
        assert!(sel(Some("c1"), None, None).matches(&e));
        assert!(sel(None, Some("r1"), None).matches(&e));
        assert!(sel(Some("m1"), Some("r1"), Some("2026-11-24T09:00:00Z")).matches(&e));
        assert!(!sel(Some("m1"), Some("r2"), None).matches(&e));
        assert!(!sel(Some("m1"), None, Some("2026-11-24T11:00:00Z")).matches(&e));
        assert!(!sel(Some("m2"), None, None).matches(&e));
        // A time range alone takes every record in it.
        assert!(
            sel(None, None, Some("2026-11-24T09:00:00Z"))
                .matches(&entry("2026-11-24T10:00:00Z", r#"{"kind":"purge"}"#))
        );
    }
}
