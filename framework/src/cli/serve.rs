//! `oots-adapter serve`: the long-running sidecar.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{CliError, init_logging, load_exchange};
use crate::config::GatewaySettings;
use crate::gateway::domibus::{DomibusConfig, DomibusWsPlugin, PushAuth};
use crate::service::Service;

pub(super) async fn run(config: &Path) -> Result<ExitCode, CliError> {
    // Logs (and traces) first, so the loading of the mapping files is seen.
    let telemetry = match crate::config::AdapterConfig::load(config) {
        Ok(c) => Some(
            crate::telemetry::init(true, "info", &c.telemetry)
                .map_err(|e| CliError::Other(format!("{}: telemetry: {e}", config.display())))?,
        ),
        Err(_) => {
            init_logging(true, "info");
            None
        }
    };
    let result = serve(config).await;
    if let Some(guard) = telemetry {
        // Flushing the last spans may wait for the collector: not on the runtime.
        let _ = tokio::task::spawn_blocking(move || drop(guard)).await;
    }
    result
}

async fn serve(config: &Path) -> Result<ExitCode, CliError> {
    let (cfg, exchange) = load_exchange(config, None).await?;
    // Read the registries' name frequencies while the listener starts.
    exchange.generations.current().refresh_frequencies();
    let d = match cfg.gateway.clone() {
        Some(GatewaySettings::Domibus(d)) => d,
        Some(GatewaySettings::As4(a)) => return serve_as4(&cfg, exchange, &a).await,
        None => {
            return Err(CliError::Other(format!(
                "{}: `serve` needs a `gateway:` section (type: domibus or as4)",
                cfg.file.display()
            )));
        }
    };
    let password = d.password.resolve().map_err(CliError::other)?;
    let push_password = d.push_password.resolve().map_err(CliError::other)?;
    let mut dc = DomibusConfig::new(d.endpoint.clone(), d.username.clone(), password.expose());
    dc.timeout = Duration::from_millis(d.timeout_ms);
    let gateway = DomibusWsPlugin::new(dc).map_err(CliError::other)?;
    let listener = bind(&cfg).await?;
    tracing::info!(
        listen = %cfg.http.listen,
        generation = exchange.mappings().generation(),
        mappings = exchange.mappings().mappings().len(),
        "oots-adapter serving"
    );
    let shutdown = shutdown_on_signal();
    let service = Service::new(exchange, Arc::new(gateway), None);
    let push = PushAuth::new(d.push_username.clone(), push_password.expose());
    run_service(
        &cfg,
        service,
        listener,
        move |tx| crate::gateway::domibus::push::router(push, tx),
        shutdown,
    )
    .await
}

/// Runs the service on the listener, over TLS when `http.tls` is set.
async fn run_service(
    cfg: &crate::config::AdapterConfig,
    service: Service,
    listener: tokio::net::TcpListener,
    inbound: impl FnOnce(tokio::sync::mpsc::Sender<crate::gateway::Notification>) -> axum::Router,
    shutdown: CancellationToken,
) -> Result<ExitCode, CliError> {
    match &cfg.http.tls {
        Some(tls) => {
            let config = tls
                .server_config()
                .map_err(|e| CliError::Other(format!("{}: {e}", cfg.file.display())))?;
            let listener = crate::tls::TlsListener::with_max_handshakes(
                listener,
                config,
                cfg.http.limits.max_connections,
            )
            .map_err(CliError::other)?;
            service.run_with(listener, inbound, shutdown).await
        }
        None => service.run_with(listener, inbound, shutdown).await,
    }
    .map_err(CliError::other)?;
    Ok(ExitCode::SUCCESS)
}

/// `serve` as its own AS4 access point: peers push to `POST /as4` on `http.listen`.
async fn serve_as4(
    cfg: &crate::config::AdapterConfig,
    exchange: crate::exchange::Exchange,
    settings: &crate::gateway::as4::pmode::As4Settings,
) -> Result<ExitCode, CliError> {
    use crate::gateway::as4::msh::As4Gateway;
    use crate::gateway::as4::pmode::PMode;
    let pmode = PMode::load(settings)
        .map_err(|e| CliError::Other(format!("{}: gateway (as4): {e}", cfg.file.display())))?;
    let gateway = Arc::new(
        As4Gateway::new(Arc::new(pmode), exchange.store().clone()).map_err(CliError::other)?,
    );
    let listener = bind(cfg).await?;
    tracing::info!(
        listen = %cfg.http.listen,
        party = %settings.party_id,
        generation = exchange.mappings().generation(),
        "oots-adapter serving as an AS4 access point (POST /as4)"
    );
    let shutdown = shutdown_on_signal();
    let inbound = gateway.clone();
    let service = Service::new(exchange, gateway, None);
    run_service(
        cfg,
        service,
        listener,
        move |tx| inbound.router(tx),
        shutdown,
    )
    .await
}

/// Binds `http.listen`.
async fn bind(cfg: &crate::config::AdapterConfig) -> Result<tokio::net::TcpListener, CliError> {
    tokio::net::TcpListener::bind(cfg.http.listen)
        .await
        .map_err(|e| CliError::Other(format!("cannot listen on {}: {e}", cfg.http.listen)))
}

/// A token cancelled by SIGTERM or Ctrl-C: the service then finishes the messages in
/// flight and stops.
fn shutdown_on_signal() -> CancellationToken {
    let shutdown = CancellationToken::new();
    let trigger = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: finishing messages in flight");
        trigger.cancel();
    });
    shutdown
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
