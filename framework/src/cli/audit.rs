//! `oots-adapter audit`: check the journal's hash chain, and purge what the retention
//! period no longer covers.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{CliError, open_store};
use crate::config::AdapterConfig;
use crate::store::journal::Verifier;

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
        Options::Verify { config, json } => verify(config, *json).await,
        Options::Purge { config, days } => purge(config, *days).await,
    }
}

async fn verify(config: &std::path::Path, json: bool) -> Result<ExitCode, CliError> {
    let cfg = AdapterConfig::load(config)?;
    let store = open_store(&cfg).await?;
    let mut v = Verifier::new();
    let mut after = 0;
    let mut first = None;
    loop {
        let page = store.journal(after, PAGE).await.map_err(CliError::other)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            first.get_or_insert(e.seq);
            if let Err(err) = v.push(e) {
                return Ok(failed(&err, json));
            }
        }
    }
    let v = match v.finish() {
        Ok(v) => v,
        Err(err) => return Ok(failed(&err, json)),
    };
    if json {
        println!(
            "{}",
            serde_json::json!({
                "ok": true,
                "records": v.records,
                "first_seq": first,
                "last_seq": (after > 0).then_some(after),
                "head": v.head,
            })
        );
    } else if v.records == 0 {
        println!("audit journal is empty");
    } else {
        println!(
            "audit journal verified: {} records, {} to {}; head {}",
            v.records,
            first.unwrap_or(0),
            after,
            v.head.as_deref().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn failed(err: &crate::store::JournalError, json: bool) -> ExitCode {
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

async fn purge(config: &std::path::Path, days: Option<u32>) -> Result<ExitCode, CliError> {
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
