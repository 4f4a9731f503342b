//! `oots-adapter demo`: the quickstart adapter behind a simulated Domibus access point, and
//! a simulated evidence requester sending it five requests. Everything runs in this
//! process on loopback; the messages cross the real Domibus WS-plugin wire format.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{CliError, init_logging, load_exchange};
use crate::clock::{IdSource, RandomIds};
use crate::config::AdapterConfig;
use crate::edm::{self, QueryResponse, XmlLimits};
use crate::gateway::Payload;
use crate::gateway::domibus::simulator::{DomibusSimulator, SimulatorConfig};
use crate::gateway::domibus::{DomibusConfig, DomibusWsPlugin, PushAuth};
use crate::mapping::{self, MappingSet};
use crate::requester::{self, RequestSpec};
use crate::service::{Report, Service};

struct Scenario {
    title: String,
    spec: RequestSpec,
}

/// The requests of the deployment's mapping tests, played against its live registry.
fn scenarios(cfg: &AdapterConfig, set: &MappingSet) -> Result<Vec<Scenario>, CliError> {
    let mut out = Vec::new();
    for m in set.mappings() {
        for t in &m.spec.tests {
            let spec = mapping::request_spec(cfg, m, t).map_err(CliError::Other)?;
            out.push(Scenario {
                title: format!("{} › {}", m.name, t.name),
                spec,
            });
        }
    }
    if out.is_empty() {
        return Err(CliError::Other(
            "the deployment's mapping files have no `tests:`; the demo plays their requests"
                .to_owned(),
        ));
    }
    Ok(out)
}

pub(super) async fn run(config: &Path, out: &Path) -> Result<ExitCode, CliError> {
    init_logging(false, "warn");
    if !config.exists() {
        return Err(CliError::Other(format!(
            "{} not found: run the demo from the repository root, or pass --config <adapter.yaml>",
            config.display()
        )));
    }
    let run_dir = out.join(Utc::now().format("%Y%m%dT%H%M%SZ").to_string());
    std::fs::create_dir_all(&run_dir).map_err(CliError::other)?;
    let (cfg, exchange) = load_exchange(config, Some(&run_dir.join("state"))).await?;
    let exchange_set = exchange.mappings();

    // The adapter's HTTP listener (push endpoint), then the simulated access point.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(CliError::other)?;
    let adapter_addr = listener.local_addr().map_err(CliError::other)?;
    let ids = RandomIds;
    let plugin_password = ids.uuid().to_string();
    let push_password = ids.uuid().to_string();
    let push_url = format!("http://{adapter_addr}/domibus/notifications");
    let (sim, sim_url) = DomibusSimulator::start(SimulatorConfig {
        username: "oots_backend".to_owned(),
        password: plugin_password.clone(),
        push_endpoint: Some(push_url.clone()),
        push_username: "domibus_push".to_owned(),
        push_password: push_password.clone(),
    })
    .await
    .map_err(CliError::other)?;
    let gateway = DomibusWsPlugin::new(DomibusConfig::new(
        sim_url.clone(),
        "oots_backend",
        plugin_password.as_str(),
    ))
    .map_err(CliError::other)?;

    println!("OOTS evidence exchange demo");
    println!(
        "  adapter     {} ({} mapping file(s), generation {})",
        config.display(),
        exchange.mappings().mappings().len(),
        exchange.mappings().generation()
    );
    for (name, c) in &cfg.connections {
        let what = match c {
            crate::config::ConnectionConfig::Sql(s) => s.url.clone(),
            other => format!("type {}", other.kind()),
        };
        println!("  registry    `{name}`: {what}");
    }
    println!("  gateway     Domibus WS-plugin simulator at {sim_url}");
    println!("              pushes notifications to the adapter at {push_url}");
    println!("  output      {}", run_dir.display());

    let (tx, mut reports) = mpsc::unbounded_channel::<Report>();
    let service = Service::new(exchange, Arc::new(gateway), Some(tx));
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(service.run(
        listener,
        PushAuth::new("domibus_push", push_password.as_str()),
        shutdown.clone(),
    ));

    let scenarios = scenarios(&cfg, &exchange_set)?;
    let mut failures = 0;
    for (n, sc) in scenarios.into_iter().enumerate() {
        let dir = run_dir.join(format!("{}-{}", n + 1, slug(&sc.title)));
        std::fs::create_dir_all(&dir).map_err(CliError::other)?;
        match play(&sim, &mut reports, &sc, n + 1, &dir).await {
            Ok(()) => {}
            Err(e) => {
                failures += 1;
                println!("    !! {e}");
            }
        }
    }

    shutdown.cancel();
    let _ = server.await;
    sim.shutdown();
    println!();
    println!(
        "All messages, evidence and the adapter state are in {}",
        run_dir.display()
    );
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.len() > 40 {
            break;
        }
    }
    out.trim_matches('-').to_owned()
}

async fn play(
    sim: &DomibusSimulator,
    reports: &mut mpsc::UnboundedReceiver<Report>,
    sc: &Scenario,
    n: usize,
    dir: &Path,
) -> Result<(), String> {
    let ids = RandomIds;
    let now = Utc::now();
    let request = requester::build_request(&sc.spec, &ids, now);
    let xml = edm::write_request(&request);
    std::fs::write(dir.join("request.xml"), &xml).map_err(|e| e.to_string())?;
    let cid = format!("{}@requester.example", ids.uuid());
    let message_id = format!("{}@requester.example", ids.uuid());
    let header = requester::request_header(
        &request,
        message_id.clone(),
        ids.uuid().to_string(),
        ids.uuid().to_string(),
        &cid,
        now,
    );

    println!();
    println!("[{n}] {}", sc.title);
    println!(
        "    request     {} {}, evidence type …/{}",
        request.version.spec_id(),
        request.id,
        sc.spec
            .classification
            .rsplit("evidencetypeclassifications/")
            .next()
            .unwrap_or("")
    );
    println!(
        "    subject     {} {}, born {} (LoA High){}",
        sc.spec.given_name,
        sc.spec.family_name,
        sc.spec.date_of_birth,
        if sc.spec.preview {
            "; PossibilityForPreview=true"
        } else {
            ""
        }
    );
    println!("    format      {}", sc.spec.format);
    sim.deliver(
        header,
        vec![Payload {
            content_id: cid,
            mime_type: "application/x-ebrs+xml".to_owned(),
            bytes: xml.into_bytes(),
        }],
    );
    println!(
        "    → access point received message {message_id}; Domibus pushes receiveSuccess to the adapter"
    );

    let report = tokio::time::timeout(Duration::from_secs(30), reports.recv())
        .await
        .map_err(|_| "the adapter did not report within 30 s".to_owned())?
        .ok_or_else(|| "the adapter stopped".to_owned())?;
    if let Some(e) = &report.error {
        return Err(format!("adapter: {e}"));
    }
    if let Some(answer) = &report.answer {
        for (stage, what) in &answer.trace.steps {
            println!("    adapter     {stage:<10} {what}");
        }
    }
    println!(
        "    adapter     downloaded = {} (marked only after the message was stored)",
        sim.is_downloaded(&message_id)
    );
    let submitted = sim
        .next_submitted(Duration::from_secs(30))
        .await
        .ok_or_else(|| "no answer reached the access point".to_owned())?;
    let h = &submitted.header;
    println!(
        "    ← {} message {} (conversation {}, to {} / finalRecipient {})",
        h.action,
        h.message_id,
        h.conversation_id,
        h.to.party_id,
        h.final_recipient().map(|p| p.value.as_str()).unwrap_or("?")
    );
    let Some(regrep) = submitted
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/x-ebrs+xml")
    else {
        return Err("the answer has no RegRep payload".to_owned());
    };
    match edm::parse_response(&regrep.bytes, &XmlLimits::default()) {
        Ok(QueryResponse::Evidence(resp)) => {
            std::fs::write(dir.join("response.xml"), &regrep.bytes).map_err(|e| e.to_string())?;
            for item in &resp.items {
                let ev = &item.evidence;
                let title = ev
                    .titles
                    .iter()
                    .find(|t| t.lang.eq_ignore_ascii_case("EN"))
                    .or_else(|| ev.titles.first())
                    .map(|t| t.text.as_str())
                    .unwrap_or("evidence");
                let part = submitted
                    .payloads
                    .iter()
                    .find(|p| p.content_id == item.content_id);
                let file = match part {
                    Some(p) => {
                        let att = crate::exchange::Attachment {
                            content_id: p.content_id.clone(),
                            mime_type: p.mime_type.clone(),
                            bytes: p.bytes.clone(),
                        };
                        let path = dir.join(att.file_name());
                        std::fs::write(&path, &p.bytes).map_err(|e| e.to_string())?;
                        format!("{} bytes → {}", p.bytes.len(), path.display())
                    }
                    None => "attachment missing!".to_owned(),
                };
                println!(
                    "    evidence    {title}, {}, issued {}: {file}",
                    ev.distribution.format,
                    ev.issuing_date.as_deref().unwrap_or("-")
                );
            }
        }
        Ok(QueryResponse::Error(err)) => {
            std::fs::write(dir.join("error.xml"), &regrep.bytes).map_err(|e| e.to_string())?;
            for ex in &err.exceptions {
                println!(
                    "    error       {} {}: {}",
                    ex.code.code(),
                    ex.code.message(),
                    ex.detail.as_deref().unwrap_or("")
                );
                if let Some(loc) = &ex.preview_location {
                    println!("    preview     {loc}");
                }
            }
            println!("    written     {}", dir.join("error.xml").display());
        }
        Err(e) => return Err(format!("the answer does not parse: {e}")),
    }
    Ok(())
}
