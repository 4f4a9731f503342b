//! `oots-adapter demo`: the quickstart adapter as an eDelivery AS4 access point, and an
//! evidence requester's access point sending it the requests of the mapping tests.
//! Everything runs in this process on loopback; every message is real AS4: signed,
//! encrypted, compressed, acknowledged with a signed receipt (`oots_devkit::loopback`).

mod browser;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use oots_devkit::demo_idp;
use oots_devkit::loopback::{self as demo_as4, Requester};
use oots_devkit::loopback_tls::TlsFront;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{CliError, init_logging, load_exchange};
use crate::clock::{IdSource, RandomIds};
use crate::config::{AdapterConfig, AuthenticationSetting};
use crate::config::{ClaimMapping, OidcSettings};
use crate::edm::{self, QueryResponse, XmlLimits};
use crate::exchange::Exchange;
use crate::gateway::Payload;
use crate::mapping::MappingSet;
use crate::requester::{self, RequestSpec};
use crate::service::{Report, Service};
use crate::verify;
use browser::approve;

struct Scenario {
    title: String,
    spec: RequestSpec,
}

/// The requests of the deployment's mapping tests, played against its live registry.
fn scenarios(cfg: &AdapterConfig, set: &MappingSet) -> Result<Vec<Scenario>, CliError> {
    let mut out = Vec::new();
    for m in set.mappings() {
        for t in &m.spec.tests {
            let spec = verify::request_spec(cfg, m, t).map_err(CliError::Other)?;
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

pub(super) async fn run(
    config: &Path,
    out: &Path,
    auto_approve: bool,
) -> Result<ExitCode, CliError> {
    init_logging(false, "warn");
    let (run_dir, cfg, mut exchange) = open_run(config, out).await?;
    let exchange_set = exchange.mappings();
    let scenarios = scenarios(&cfg, &exchange_set)?;

    // The adapter's HTTP listener (push endpoint), then the simulated access point.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(CliError::other)?;
    let adapter_addr = listener.local_addr().map_err(CliError::other)?;
    let preview = preview_space(&mut exchange, adapter_addr.port(), &scenarios).await?;
    let keys = run_dir.join("keys");
    let (gateway, requester) = demo_as4::start(exchange.store().clone(), adapter_addr, &keys)
        .await
        .map_err(CliError::Other)?;
    print_setup(&Setup {
        config,
        cfg: &cfg,
        exchange: &exchange,
        adapter_addr,
        requester: &requester,
        keys: &keys,
        preview: &preview,
        run_dir: &run_dir,
    });

    let (tx, mut reports) = mpsc::unbounded_channel::<Report>();
    let inbound = gateway.clone();
    let service = Service::new(exchange, gateway, Some(tx));
    let shutdown = CancellationToken::new();
    let server =
        tokio::spawn(service.run_with(listener, move |tx| inbound.router(tx), shutdown.clone()));

    let browser = Browser {
        auto_approve,
        trust: &preview.front.certificate_der,
    };
    let wait = Duration::from_secs(u64::from(preview.decide_seconds) + 60);
    let failures = play_all(
        scenarios,
        &requester,
        &mut reports,
        &browser,
        wait,
        &run_dir,
    )
    .await?;

    shutdown.cancel();
    let _ = server.await;
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

/// The run's own folder under `out` (named after the time), and the deployment loaded
/// with its state there.
async fn open_run(
    config: &Path,
    out: &Path,
) -> Result<(PathBuf, Arc<AdapterConfig>, Exchange), CliError> {
    if !config.exists() {
        return Err(CliError::Other(format!(
            "{} not found: run the demo from the repository root, or pass --config <adapter.yaml>",
            config.display()
        )));
    }
    let run_dir = out.join(Utc::now().format("%Y%m%dT%H%M%SZ").to_string());
    std::fs::create_dir_all(&run_dir).map_err(CliError::other)?;
    let (cfg, exchange) = load_exchange(config, Some(&run_dir.join("state"))).await?;
    Ok((run_dir, cfg, exchange))
}

/// The preview space as the demo serves it.
struct PreviewSpace {
    /// The https front before the adapter's listener.
    front: TlsFront,
    /// The preview's public URL (`https://localhost:PORT/preview`).
    public: String,
    /// The demo identity provider's issuer URL.
    issuer: String,
    /// How long a citizen has to decide.
    decide_seconds: u32,
}

/// The preview space on the adapter's listener (`port`), behind an https front with a
/// self-signed certificate for localhost (a PreviewLocation must be https), and its
/// sign-in at the demo's own identity provider; the exchange is configured to use them.
async fn preview_space(
    exchange: &mut Exchange,
    port: u16,
    scenarios: &[Scenario],
) -> Result<PreviewSpace, CliError> {
    let front = TlsFront::start().await.map_err(CliError::other)?;
    front.set_backend(port);
    let public = format!("{}/preview", front.origin());
    let issuer = demo_idp::start(format!("{public}/callback"), signing_person(scenarios))
        .await
        .map_err(CliError::Other)?;
    let mut with_preview = (*exchange.config).clone();
    with_preview.preview.public_url = public.clone();
    with_preview.preview.authentication =
        Some(AuthenticationSetting::Oidc(Box::new(OidcSettings {
            issuer: issuer.clone(),
            client_id: demo_idp::CLIENT_ID.to_owned(),
            client_secret: None,
            scopes: vec!["openid".to_owned(), "profile".to_owned()],
            acr_values: None,
            claims: ClaimMapping::default(),
            userinfo: true,
            allow_http_issuer: true,
        })));
    let decide_seconds = with_preview.preview.decide_seconds;
    exchange.config = Arc::new(with_preview);
    Ok(PreviewSpace {
        front,
        public,
        issuer,
        decide_seconds,
    })
}

/// Who the identity provider's sign-in page offers: the subject of the first scenario
/// with a preview.
fn signing_person(scenarios: &[Scenario]) -> demo_idp::Person {
    scenarios
        .iter()
        .find(|s| s.spec.preview)
        .map(|s| demo_idp::Person {
            family_name: s.spec.family_name.clone(),
            given_name: s.spec.given_name.clone(),
            birthdate: s.spec.date_of_birth.clone(),
        })
        .unwrap_or(demo_idp::Person {
            family_name: "Dupont".to_owned(),
            given_name: "Jean".to_owned(),
            birthdate: "1992-10-22".to_owned(),
        })
}

/// What the demo prints about its setup before the first exchange.
struct Setup<'a> {
    config: &'a Path,
    cfg: &'a AdapterConfig,
    exchange: &'a Exchange,
    adapter_addr: SocketAddr,
    requester: &'a Requester,
    keys: &'a Path,
    preview: &'a PreviewSpace,
    run_dir: &'a Path,
}

/// Prints the adapter, its registries, both access points, the preview space and the
/// output folder.
fn print_setup(s: &Setup<'_>) {
    println!("OOTS evidence exchange demo");
    println!(
        "  adapter     {} ({} mapping file(s), generation {})",
        s.config.display(),
        s.exchange.mappings().mappings().len(),
        s.exchange.mappings().generation()
    );
    for (name, c) in &s.cfg.connections {
        let what = c.location().unwrap_or_else(|| format!("type {}", c.kind()));
        println!("  registry    `{name}`: {what}");
    }
    println!(
        "  gateway     native AS4: the adapter is access point {} at http://{}/as4",
        demo_as4::PROVIDER,
        s.adapter_addr
    );
    println!(
        "              the requester's access point {} at {}",
        demo_as4::REQUESTER,
        s.requester.endpoint
    );
    println!(
        "              RSA-SHA256 signatures, AES-128-GCM + RSA-OAEP encryption, gzip; demo PKI in {}",
        s.keys.display()
    );
    println!(
        "  preview     {} (self-signed certificate for localhost)",
        s.preview.public
    );
    println!(
        "              sign-in at the demo identity provider {}",
        s.preview.issuer
    );
    println!("  output      {}", s.run_dir.display());
}

/// Plays every scenario in turn, each in its own folder of `run_dir`, with its preview
/// round when the answer offers one; the number that failed.
async fn play_all(
    scenarios: Vec<Scenario>,
    requester: &Requester,
    reports: &mut mpsc::UnboundedReceiver<Report>,
    browser: &Browser<'_>,
    wait: Duration,
    run_dir: &Path,
) -> Result<usize, CliError> {
    let mut failures = 0;
    for (n, sc) in scenarios.into_iter().enumerate() {
        let dir = run_dir.join(format!("{}-{}", n + 1, slug(&sc.title)));
        std::fs::create_dir_all(&dir).map_err(CliError::other)?;
        let played = match play(requester, reports, &sc, n + 1, &dir).await {
            Ok(Some(offered)) => {
                preview_round(requester, reports, &sc, &offered, browser, wait, &dir).await
            }
            other => other.map(drop),
        };
        if let Err(e) = played {
            failures += 1;
            println!("    !! {e}");
        }
    }
    Ok(failures)
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

/// Writes `request` to `file` and sends it from the requester's access point in the 2.0
/// exchange `exchange_id` (a follow-up reuses its first request's, TDD 4.9 §2 step 12);
/// its message id once the adapter's signed receipt acknowledged it.
async fn send(
    requester: &Requester,
    request: &edm::EvidenceRequest,
    exchange_id: &str,
    file: &Path,
) -> Result<String, String> {
    let ids = RandomIds;
    let xml = edm::write_request(request);
    std::fs::write(file, &xml).map_err(|e| e.to_string())?;
    let cid = format!("{}@requester.example", ids.uuid());
    let message_id = format!("{}@requester.example", ids.uuid());
    let header = requester::request_header(
        request,
        message_id.clone(),
        ids.uuid().to_string(),
        exchange_id.to_owned(),
        &cid,
        Utc::now(),
    );
    requester
        .deliver(
            header,
            vec![Payload {
                content_id: cid,
                mime_type: "application/x-ebrs+xml".to_owned(),
                bytes: xml.into_bytes(),
            }],
        )
        .await?;
    Ok(message_id)
}

/// A preview link offered to a first request, and that request's ExchangeId.
struct Offered {
    link: String,
    exchange_id: String,
}

/// Plays one scenario; the preview link when the answer offers one.
async fn play(
    requester: &Requester,
    reports: &mut mpsc::UnboundedReceiver<Report>,
    sc: &Scenario,
    n: usize,
    dir: &Path,
) -> Result<Option<Offered>, String> {
    let request = requester::build_request(&sc.spec, &RandomIds, Utc::now());

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
    let exchange_id = RandomIds.uuid().to_string();
    let file = dir.join("request.xml");
    let message_id = send(requester, &request, &exchange_id, &file).await?;
    println!(
        "    → sent over AS4 as {message_id}; the adapter stored it, then returned a signed receipt acknowledging every signed part"
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
    let submitted = requester
        .next_answer(Duration::from_secs(30))
        .await
        .ok_or_else(|| "no answer reached the requester's access point".to_owned())?;
    let link = show_answer(&submitted, dir)?;
    Ok(link.map(|link| Offered { link, exchange_id }))
}

/// Prints (and writes to `dir`) an answer that reached the access point; the preview link
/// when it offers one.
fn show_answer(
    submitted: &crate::gateway::OutboundMessage,
    dir: &Path,
) -> Result<Option<String>, String> {
    let mut link = None;
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
            if resp.items.is_empty() {
                // The user declined in the preview: a response that releases nothing.
                println!("    evidence    none (the user declined in the preview)");
            }
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
                    link = Some(loc.clone());
                }
            }
            println!("    written     {}", dir.join("error.xml").display());
        }
        Ok(QueryResponse::Deferred(d)) => {
            std::fs::write(dir.join("response.xml"), &regrep.bytes).map_err(|e| e.to_string())?;
            println!("    deferred    available from {}", d.available_date_time);
        }
        Err(e) => return Err(format!("the answer does not parse: {e}")),
    }
    Ok(link)
}

/// How the user's part of a preview is played.
struct Browser<'a> {
    /// Driven here rather than by a person.
    auto_approve: bool,
    /// The https front's certificate, trusted by the driven browser.
    trust: &'a [u8],
}

/// Where the demo requester wants the user back after the preview.
const RETURN_URL: &str = "https://requester.example/oots/back";

/// The second half of a preview: the requester's follow-up (held by the adapter), the
/// user's visit (by hand, or driven here with `--auto-approve`), then the answer.
async fn preview_round(
    requester: &Requester,
    reports: &mut mpsc::UnboundedReceiver<Report>,
    sc: &Scenario,
    offered: &Offered,
    browser: &Browser<'_>,
    wait: Duration,
    dir: &Path,
) -> Result<(), String> {
    let ids = RandomIds;
    let now = Utc::now();
    let link = offered.link.as_str();
    let mut request = requester::build_request(&sc.spec, &ids, now);
    request.preview_location = Some(link.to_owned());
    let v2 = request.version == edm::EdmVersion::V2_0;
    let browser_link = if v2 {
        request.return_location = Some(RETURN_URL.to_owned());
        link.to_owned()
    } else {
        format!(
            "{link}?returnurl={}&returnmethod=GET",
            RETURN_URL.replace(':', "%3A").replace('/', "%2F")
        )
    };
    let file = dir.join("follow-up-request.xml");
    send(requester, &request, &offered.exchange_id, &file).await?;
    println!("    → follow-up request with the PreviewLocation: held until the user decides");
    if browser.auto_approve {
        println!("    browser     (--auto-approve) opens the link, signs in, approves");
        approve(&browser_link, &sc.spec, browser.trust).await?;
    } else {
        println!("    open        {browser_link}");
        println!(
            "                (accept the browser's warning about the demo's self-signed certificate)"
        );
        println!(
            "                sign in at the demo identity provider as {} {}, born {}, check the evidence and decide",
            sc.spec.given_name, sc.spec.family_name, sc.spec.date_of_birth
        );
        println!(
            "                (waiting up to {} s; Ctrl-C ends the demo)",
            wait.as_secs()
        );
    }
    let submitted = requester.next_answer(wait).await.ok_or_else(|| {
        "no answer to the follow-up reached the requester's access point".to_owned()
    })?;
    // The adapter's report of that answer.
    let _ = tokio::time::timeout(Duration::from_secs(5), reports.recv()).await;
    show_answer(&submitted, dir).map(drop)
}
