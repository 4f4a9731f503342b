//! Loading `adapter.yaml`: the file as written ([`RawConfig`]), the checks serde cannot
//! make (each problem reported with file, line and column where known), and every
//! relative path resolved against the file's folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{
    AdapterConfig, AuditConfig, AuthenticationSetting, ConnectionConfig, ExchangeConfig,
    GatewaySettings, HttpConfig, OperatorConfig, PreviewConfig, ProviderConfig, ReloadConfig,
    RetiredKey, StoreSettings, TelemetryConfig, XmlLimitsConfig, default_state_dir,
};
use crate::diag::{Diagnostic, Diagnostics, codes};

/// `adapter.yaml` as written, before its paths are resolved.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    provider: ProviderConfig,
    #[serde(default = "default_state_dir")]
    state_dir: PathBuf,
    mappings: PathBuf,
    #[serde(default)]
    connections: BTreeMap<String, ConnectionConfig>,
    #[serde(default)]
    gateway: Option<GatewaySettings>,
    #[serde(default)]
    preview: PreviewConfig,
    #[serde(default)]
    http: HttpConfig,
    #[serde(default)]
    xml: XmlLimitsConfig,
    #[serde(default)]
    reload: ReloadConfig,
    #[serde(default)]
    store: StoreSettings,
    #[serde(default)]
    exchange: ExchangeConfig,
    #[serde(default)]
    audit: AuditConfig,
    #[serde(default)]
    telemetry: TelemetryConfig,
    #[serde(default)]
    operator: OperatorConfig,
    #[serde(default)]
    dsd: super::DsdConfig,
}

impl AdapterConfig {
    /// Reads and checks `adapter.yaml`.
    pub fn load(path: &Path) -> Result<Self, Diagnostics> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Diagnostic::new(
                path,
                codes::FILE_UNREADABLE,
                format!("cannot read file: {}", e.kind()),
            )
        })?;
        Self::from_str(path, &text)
    }

    /// Parses `text` as the content of `path`.
    pub fn from_str(path: &Path, text: &str) -> Result<Self, Diagnostics> {
        let raw: RawConfig = serde_saphyr::from_str(text)
            .map_err(|e| crate::diag::yaml_error::explain(path, text, &e))?;
        let mut problems = check(path, &raw);
        problems.extend(super::json_paths::problems(path, text, &raw.connections));
        if !problems.is_empty() {
            return Err(Diagnostics(problems));
        }
        Ok(resolve(path, raw))
    }
}

/// The problems of a parsed file that serde does not catch.
fn check(path: &Path, raw: &RawConfig) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if !raw.preview.public_url.starts_with("https://") {
        problems.push(
            Diagnostic::new(
                path,
                codes::BAD_URL,
                "preview.public_url must be an https URL (R-EDM-ERR-C019)",
            )
            .hint("public_url: https://preview.example.org/oots/preview"),
        );
    }
    if let Some(zone) = &raw.preview.time_zone
        && zone.parse::<chrono_tz::Tz>().is_err()
    {
        problems.push(
            Diagnostic::new(
                path,
                codes::TIME_ZONE,
                format!("preview.time_zone: '{zone}' is not an IANA time zone name"),
            )
            .hint("time_zone: Europe/Brussels"),
        );
    }
    for (requester, hosts) in &raw.preview.return_hosts {
        for host in hosts {
            if !crate::preview::return_address::is_host_name(host) {
                problems.push(
                    Diagnostic::new(
                        path,
                        codes::BAD_URL,
                        format!(
                            "preview.return_hosts.{requester}: '{host}' is not a host name (no scheme, port or path)"
                        ),
                    )
                    .hint("return_hosts: { \"<requester identifier>\": [portal.example.eu] }"),
                );
            }
        }
    }
    if let Err(why) = raw.http.limits.check() {
        problems.push(Diagnostic::new(path, codes::HTTP_LISTENER, why));
    }
    problems
}

/// The configuration with every relative path resolved against the folder of `path`.
fn resolve(path: &Path, raw: RawConfig) -> AdapterConfig {
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut connections = raw.connections;
    for c in connections.values_mut() {
        c.resolve_paths(&base);
    }
    let gateway = raw.gateway.map(|g| match g {
        GatewaySettings::Domibus(mut d) => {
            d.password = d.password.relative_to(&base);
            d.push_password = d.push_password.relative_to(&base);
            GatewaySettings::Domibus(d)
        }
        GatewaySettings::As4(a) => GatewaySettings::As4(Box::new(a.relative_to(&base))),
    });
    AdapterConfig {
        file: path.to_path_buf(),
        provider: raw.provider,
        state_dir: base.join(&raw.state_dir),
        mappings: base.join(raw.mappings),
        connections,
        gateway,
        preview: preview_relative(raw.preview, &base),
        http: HttpConfig {
            tls: raw.http.tls.map(|t| t.relative_to(&base)),
            ..raw.http
        },
        xml: raw.xml,
        reload: raw.reload,
        store: match raw.store {
            StoreSettings::Postgres(mut p) => {
                p.password = p.password.map(|s| s.relative_to(&base));
                StoreSettings::Postgres(p)
            }
            other => other,
        },
        exchange: raw.exchange,
        audit: audit_relative(raw.audit, &raw.state_dir, &base),
        telemetry: raw.telemetry,
        operator: OperatorConfig {
            token: raw.operator.token.map(|s| s.relative_to(&base)),
            ..raw.operator
        },
        dsd: raw.dsd,
    }
}

/// The preview settings with the UI folder and `file:` client secrets resolved.
fn preview_relative(preview: PreviewConfig, base: &Path) -> PreviewConfig {
    PreviewConfig {
        ui_dir: preview.ui_dir.as_ref().map(|d| base.join(d)),
        authentication: preview.authentication.clone().map(|a| match a {
            AuthenticationSetting::Oidc(mut o) => {
                // `file:` secrets relative to this file, like every other path.
                o.client_secret = o.client_secret.map(|s| match s.strip_prefix("file:") {
                    Some(p) if !p.starts_with('/') => {
                        format!("file:{}", base.join(p).display())
                    }
                    _ => s,
                });
                AuthenticationSetting::Oidc(o)
            }
            other => other,
        }),
        ..preview
    }
}

/// The audit settings with key files and the checkpoint folder resolved (by default
/// `audit-checkpoints` in the state folder).
fn audit_relative(audit: AuditConfig, state_dir: &Path, base: &Path) -> AuditConfig {
    AuditConfig {
        subject_key: audit.subject_key.map(|s| s.relative_to(base)),
        key: audit.key.map(|s| s.relative_to(base)),
        retired_keys: audit
            .retired_keys
            .into_iter()
            .map(|r| RetiredKey {
                key: r.key.relative_to(base),
                ..r
            })
            .collect(),
        checkpoint_dir: Some(match audit.checkpoint_dir {
            Some(d) => base.join(d),
            None => base.join(state_dir).join("audit-checkpoints"),
        }),
        ..audit
    }
}
