//! `oots-adapter respond`: answer one request file offline.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::{CliError, init_logging, load_exchange};

pub(super) async fn run(
    config: &Path,
    request: &Path,
    out: &Path,
    state_dir: Option<&Path>,
) -> Result<ExitCode, CliError> {
    init_logging(false, "warn");
    // A file that is missing or unreadable is the operator's usage error, not a request
    // to answer: say which file and stop (exit 2), before anything is loaded.
    let unreadable = |e: std::io::Error| {
        CliError::Other(format!(
            "cannot read the request file {}: {e}",
            request.display()
        ))
    };
    let file = std::fs::File::open(request).map_err(unreadable)?;
    let (cfg, exchange) = load_exchange(config, state_dir).await?;
    // One request, decided at once: with the registries' name frequencies, if any.
    exchange.generations.current().load_frequencies().await;
    // Read at most one byte more than the limit: a huge file is refused, not loaded.
    let limit = cfg.xml.max_bytes as u64 + 1;
    let mut bytes = Vec::new();
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    let answer = exchange
        .answer(&bytes, None)
        .await
        .map_err(CliError::other)?;

    std::fs::create_dir_all(out).map_err(CliError::other)?;
    let main_name = if answer.code().is_some() {
        "error.xml"
    } else {
        "response.xml"
    };
    let mut files = Vec::new();
    let main = out.join(main_name);
    std::fs::write(&main, answer.document.as_bytes()).map_err(CliError::other)?;
    files.push(main.display().to_string());
    for a in &answer.attachments {
        let p = out.join(a.file_name());
        std::fs::write(&p, &a.bytes).map_err(CliError::other)?;
        files.push(p.display().to_string());
    }
    let detail = match &answer.outcome {
        crate::exchange::Outcome::Error { detail, .. } => Some(detail.clone()),
        // A declined preview's empty evidence response is not an error either.
        crate::exchange::Outcome::Evidence { .. } | crate::exchange::Outcome::Declined { .. } => {
            None
        }
        // A deferral is a response too; its date is in the document.
        crate::exchange::Outcome::Deferred { .. } => None,
    };
    println!(
        "{}",
        json!({
            "action": answer.action(),
            "code": answer.code(),
            "detail": detail,
            "files": files,
        })
    );
    Ok(ExitCode::SUCCESS)
}
