//! `adapter.yaml`: one file per deployment (who we are, where the mapping files and the
//! registry connections are, which gateway carries the messages).

mod dsd;
mod json_paths;
mod load;
pub mod oidc;

pub use dsd::{AccessServiceSpec, DsdConfig};
pub use oidc::{ClaimMapping, OidcSettings};

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::secret::SecretRef;

/// The evidence provider this adapter speaks for (EP in responses, ERRP in errors).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Agent identifier value, e.g. `DE73524311`.
    pub identifier: String,
    /// Identifier scheme, e.g. `urn:cef.eu:names:identifier:EAS:9930`.
    pub scheme: String,
    /// Names by language code (`EN: Civil Registration Office Berlin I`).
    pub name: BTreeMap<String, String>,
    /// ISO 3166-1 alpha-2 country (AdminUnitLevel1).
    pub country: String,
    /// NUTS code (AdminUnitLevel2), optional.
    #[serde(default)]
    pub nuts: Option<String>,
    /// Domain used in the message ids and Content-IDs we mint (`<uuid>@domain`).
    #[serde(default = "default_domain")]
    pub domain: String,
}

fn default_domain() -> String {
    "oots-adapter.local".to_owned()
}

/// A registry connection, by connector type: generated from the list of connector kinds.
pub use crate::connector::ConnectionConfig;

/// Domibus WS-plugin gateway settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomibusSettings {
    /// Base URL of the WS plugin, e.g. `http://domibus:8080/domibus/services/wsplugin`.
    pub endpoint: String,
    pub username: String,
    pub password: SecretRef,
    /// Credentials Domibus uses when it pushes notifications to us.
    pub push_username: String,
    pub push_password: SecretRef,
    #[serde(default = "default_gateway_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_gateway_timeout_ms() -> u64 {
    30_000
}

/// Which gateway carries messages (`serve` needs one; `respond` works offline).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum GatewaySettings {
    Domibus(DomibusSettings),
    /// The adapter is its own eDelivery AS4 access point (docs/as4.md).
    As4(Box<crate::gateway::as4::pmode::As4Settings>),
}

/// Preview space settings (docs/preview.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewConfig {
    /// Public https base URL; each preview gets `<public_url>/<unguessable token>`.
    pub public_url: String,
    /// `PreviewDescription` texts by language.
    #[serde(default)]
    pub description: BTreeMap<String, String>,
    /// T2: seconds the user has to open the link (TDD 4.4: 15 minutes).
    #[serde(default = "default_arrive_seconds")]
    pub arrive_seconds: u32,
    /// T3: seconds from opening the link to deciding (TDD 4.4: 40 minutes).
    #[serde(default = "default_decide_seconds")]
    pub decide_seconds: u32,
    /// How often held follow-up requests are looked at for a passed deadline.
    #[serde(default = "default_recheck_seconds")]
    pub recheck_seconds: u32,
    /// How the user re-authenticates before seeing evidence. Without it the preview
    /// pages are not served (links still go out, and their follow-ups end in
    /// `EDM:ERR:0005`); `none` must be chosen explicitly.
    #[serde(default)]
    pub authentication: Option<AuthenticationSetting>,
    /// A folder whose templates, stylesheet, texts and logo replace the built-in ones
    /// (preview-ui/README.md).
    #[serde(default)]
    pub ui_dir: Option<PathBuf>,
    /// By requester identifier: the hosts its return address may be on (docs/preview.md).
    /// A requester without an entry may use any https host.
    #[serde(default)]
    pub return_hosts: crate::preview::return_address::ReturnHosts,
    /// IANA time zone the pages show times in (e.g. `Europe/Warsaw`), named on the page;
    /// default `Europe/Brussels`. `check` refuses an unknown name (`OEA-E0131`).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// The preview space's sign-in.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthenticationSetting {
    /// No re-authentication: the link, bound to the first browser that opens it, is
    /// enough. Only where the authority decided so.
    None,
    /// OpenID Connect, authorisation code with PKCE.
    Oidc(Box<oidc::OidcSettings>),
}

fn default_arrive_seconds() -> u32 {
    15 * 60
}

fn default_decide_seconds() -> u32 {
    40 * 60
}

fn default_recheck_seconds() -> u32 {
    30
}

impl Default for PreviewConfig {
    fn default() -> Self {
        Self {
            public_url: "https://localhost:8443/preview".to_owned(),
            description: BTreeMap::new(),
            arrive_seconds: default_arrive_seconds(),
            decide_seconds: default_decide_seconds(),
            recheck_seconds: default_recheck_seconds(),
            authentication: None,
            ui_dir: None,
            return_hosts: BTreeMap::new(),
            time_zone: None,
        }
    }
}

impl PreviewConfig {
    /// Whether the sign-in gives the person's identifier, which can single out one of
    /// several records that fit a request (`on_ambiguous: preview`).
    pub fn signs_in_with_identifier(&self) -> bool {
        matches!(&self.authentication, Some(AuthenticationSetting::Oidc(s)) if s.claims.person_identifier.is_some())
    }

    /// T2 and T3 as configured.
    /// The zone of `time_zone` (checked when the file is read), else the default.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(crate::preview::i18n::DEFAULT_TIME_ZONE)
    }

    pub fn timeouts(&self) -> crate::preview::session::Timeouts {
        crate::preview::session::Timeouts {
            arrive: chrono::Duration::seconds(i64::from(self.arrive_seconds)),
            decide: chrono::Duration::seconds(i64::from(self.decide_seconds)),
        }
    }
}

/// The HTTP listener (push notifications, health).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Serve https on `listen` (rustls): the certificate chain and its key.
    #[serde(default)]
    pub tls: Option<crate::tls::TlsSettings>,
    /// Connection, time and body bounds of the listener (docs/deployment.md).
    #[serde(default)]
    pub limits: crate::listener::HttpLimits,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            tls: None,
            limits: crate::listener::HttpLimits::default(),
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8090))
}

/// Limits applied to inbound XML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XmlLimitsConfig {
    #[serde(default = "default_max_bytes")]
    pub max_bytes: usize,
    #[serde(default = "default_max_depth")]
    pub max_depth: usize,
}

impl Default for XmlLimitsConfig {
    fn default() -> Self {
        Self {
            max_bytes: default_max_bytes(),
            max_depth: default_max_depth(),
        }
    }
}

fn default_max_bytes() -> usize {
    10 * 1024 * 1024
}
fn default_max_depth() -> usize {
    64
}

pub use crate::store::{PostgresSettings, StoreSettings};

/// The audit journal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// How long journal records, finished exchanges and used request ids are kept.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// The key subjects are hashed with (HMAC-SHA256) in the journal, as a reference.
    /// Without it a random key is made once and kept in the state store.
    #[serde(default)]
    pub subject_key: Option<SecretRef>,
    /// How often the retention purge runs, in seconds.
    #[serde(default = "default_purge_seconds")]
    pub purge_every_seconds: u64,
    /// The key journal records are MAC'd with and checkpoints signed with (derived), as a
    /// reference, at least 32 characters. Without it: SQLite makes one in
    /// `<state_dir>/audit.key`; PostgreSQL writes unkeyed records (docs/audit.md).
    #[serde(default)]
    pub key: Option<SecretRef>,
    /// The name of `key`, written in every record (a new name for every new key).
    #[serde(default = "default_key_id")]
    pub key_id: String,
    /// Keys used before `key`, so that older records still verify.
    #[serde(default)]
    pub retired_keys: Vec<RetiredKey>,
    /// Where `serve` writes signed checkpoints (default `<state_dir>/audit-checkpoints`):
    /// copy them somewhere the database's administrators cannot write.
    #[serde(default)]
    pub checkpoint_dir: Option<PathBuf>,
    /// A checkpoint once this many records were added since the last one...
    #[serde(default = "default_checkpoint_records")]
    pub checkpoint_every_records: u64,
    /// ... or this many seconds passed with records added.
    #[serde(default = "default_checkpoint_seconds")]
    pub checkpoint_every_seconds: u64,
}

/// A key records were sealed with before the current one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredKey {
    pub id: String,
    pub key: SecretRef,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            retention_days: default_retention_days(),
            subject_key: None,
            purge_every_seconds: default_purge_seconds(),
            key: None,
            key_id: default_key_id(),
            retired_keys: Vec::new(),
            checkpoint_dir: None,
            checkpoint_every_records: default_checkpoint_records(),
            checkpoint_every_seconds: default_checkpoint_seconds(),
        }
    }
}

fn default_key_id() -> String {
    "k1".into()
}
fn default_checkpoint_records() -> u64 {
    1_000
}
fn default_checkpoint_seconds() -> u64 {
    3_600
}

fn default_retention_days() -> u32 {
    365
}
fn default_purge_seconds() -> u64 {
    3_600
}

/// Logs, traces and metrics.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// OTLP/HTTP endpoint traces are exported to (`http://collector:4318`); none: no
    /// traces leave the process.
    #[serde(default)]
    pub otlp_endpoint: Option<String>,
    /// `service.name` of the exported traces.
    #[serde(default)]
    pub service_name: Option<String>,
}

/// The read-only operator page (`/operator`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// A bearer token the page asks for, as a reference; none: the page is open to
    /// whoever reaches the listener (keep it on an internal network).
    #[serde(default)]
    pub token: Option<SecretRef>,
}

impl Default for OperatorConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            token: None,
        }
    }
}

/// How exchanges are worked on (leases, sends, the periodic sweep).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeConfig {
    /// How long a worker holds a message before another replica may take it over.
    #[serde(default = "default_lease_seconds")]
    pub lease_seconds: u32,
    /// How often stored work (outbox resends, a dead replica's messages, messages the
    /// access point still holds) is looked for.
    #[serde(default = "default_sweep_seconds")]
    pub sweep_seconds: u32,
    /// Longest wait between two send attempts of one answer.
    #[serde(default = "default_max_backoff_seconds")]
    pub max_backoff_seconds: u32,
    /// Messages worked on at once in this process (the others wait, stored).
    #[serde(default = "default_workers")]
    pub workers: u32,
    /// Platforms allowed as the ebMS `originalSender` (C1) of a request whose
    /// `EvidenceRequester` does not name them.
    #[serde(default)]
    pub intermediaries: Vec<Intermediary>,
    /// The provider deadline (TDD 4.4, table 4.4.3, T1 = 5 minutes): seconds after its
    /// ebMS `Timestamp` a request is still answered; later it gets `EDM:ERR:0005`. A
    /// preview follow-up has this plus `preview.arrive_seconds` and
    /// `preview.decide_seconds` (T1 + T2 + T3).
    #[serde(
        default = "default_request_deadline_seconds",
        deserialize_with = "positive_seconds"
    )]
    pub request_deadline_seconds: u32,
    /// How far ahead of our clock a sender's ebMS `Timestamp` may be; further ahead it
    /// would stretch the deadline, and the request is refused (`EDM:ERR:0003`).
    #[serde(default = "default_clock_skew_seconds")]
    pub clock_skew_seconds: u32,
}

/// One intermediary platform's identifier, as `originalSender` carries it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intermediary {
    /// The identifier scheme (`originalSender/@type`), e.g. an EAS URN.
    pub scheme: String,
    pub identifier: String,
}

/// A deadline of 0 s would answer every request `EDM:ERR:0005`: refused when loaded.
fn positive_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let seconds = u32::deserialize(d)?;
    if seconds == 0 {
        return Err(serde::de::Error::custom(
            "exchange.request_deadline_seconds must be at least 1 (TDD 4.4 T1: 300)",
        ));
    }
    Ok(seconds)
}

fn default_request_deadline_seconds() -> u32 {
    5 * 60
}

fn default_clock_skew_seconds() -> u32 {
    60
}

fn default_workers() -> u32 {
    64
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        Self {
            lease_seconds: default_lease_seconds(),
            sweep_seconds: default_sweep_seconds(),
            max_backoff_seconds: default_max_backoff_seconds(),
            workers: default_workers(),
            intermediaries: Vec::new(),
            request_deadline_seconds: default_request_deadline_seconds(),
            clock_skew_seconds: default_clock_skew_seconds(),
        }
    }
}

fn default_lease_seconds() -> u32 {
    60
}
fn default_sweep_seconds() -> u32 {
    5
}
fn default_max_backoff_seconds() -> u32 {
    300
}

/// Hot reload of the mapping files in `serve`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReloadConfig {
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// How often the mapping folder is looked at for changes.
    #[serde(default = "default_reload_poll_ms")]
    pub poll_ms: u64,
}

impl Default for ReloadConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            poll_ms: default_reload_poll_ms(),
        }
    }
}

fn default_true() -> bool {
    true
}
fn default_reload_poll_ms() -> u64 {
    2_000
}

fn default_state_dir() -> PathBuf {
    PathBuf::from("state")
}

/// A loaded `adapter.yaml`, with every relative path resolved against its folder.
#[derive(Debug, Clone)]
pub struct AdapterConfig {
    pub file: PathBuf,
    pub provider: ProviderConfig,
    pub state_dir: PathBuf,
    pub mappings: PathBuf,
    pub connections: BTreeMap<String, ConnectionConfig>,
    pub gateway: Option<GatewaySettings>,
    pub preview: PreviewConfig,
    pub http: HttpConfig,
    pub xml: XmlLimitsConfig,
    pub reload: ReloadConfig,
    pub store: StoreSettings,
    pub exchange: ExchangeConfig,
    pub audit: AuditConfig,
    pub telemetry: TelemetryConfig,
    pub operator: OperatorConfig,
    /// What the DSD registration needs beyond serving (docs/dsd.md).
    pub dsd: DsdConfig,
}

impl AdapterConfig {
    /// The folder of the configuration file: relative paths in connection settings are
    /// relative to it.
    pub fn base_dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: { EN: Office }\n  country: DE\nmappings: mappings\n";

    #[test]
    fn relative_paths_follow_the_config_file() {
        let text =
            format!("{MINIMAL}connections:\n  reg:\n    type: sql\n    url: sqlite://state/r.db\n");
        let c = AdapterConfig::from_str(Path::new("/etc/oots/adapter.yaml"), &text).unwrap();
        assert_eq!(c.mappings, Path::new("/etc/oots/mappings"));
        let ConnectionConfig::Sql(reg) = &c.connections["reg"] else {
            panic!("not sql")
        };
        assert_eq!(reg.url, "sqlite:///etc/oots/state/r.db");
        assert_eq!(c.state_dir, Path::new("/etc/oots/state"));
    }

    #[test]
    fn unknown_keys_report_file_line_and_column() {
        let text = format!("{MINIMAL}gatewy: {{}}\n");
        let err = AdapterConfig::from_str(Path::new("a.yaml"), &text).unwrap_err();
        let s = err.to_string();
        assert!(s.starts_with("a.yaml:7:"), "{s}");
        assert!(s.contains("gatewy"), "{s}");
    }

    #[test]
    fn inline_passwords_are_refused() {
        let text = format!(
            "{MINIMAL}gateway:\n  type: domibus\n  endpoint: http://x\n  username: u\n  password: hunter2\n  push_username: p\n  push_password: env:P\n"
        );
        let err = AdapterConfig::from_str(Path::new("a.yaml"), &text).unwrap_err();
        let s = err.to_string();
        assert!(s.contains("references") && !s.contains("hunter2"), "{s}");
    }

    #[test]
    fn return_hosts_are_host_names_by_requester() {
        let preview = "preview:\n  public_url: https://p.example/preview\n  return_hosts:\n    \"0088:123\": [portal.example.eu, Other.Example]\n";
        let c =
            AdapterConfig::from_str(Path::new("a.yaml"), &format!("{MINIMAL}{preview}")).unwrap();
        assert_eq!(
            c.preview.return_hosts["0088:123"],
            ["portal.example.eu", "Other.Example"]
        );
        assert!(
            AdapterConfig::from_str(Path::new("a.yaml"), MINIMAL)
                .unwrap()
                .preview
                .return_hosts
                .is_empty()
        );
        let bad = "preview:\n  public_url: https://p.example/preview\n  return_hosts:\n    \"0088:123\": [\"https://portal.example.eu/back\"]\n";
        let err = AdapterConfig::from_str(Path::new("a.yaml"), &format!("{MINIMAL}{bad}"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("preview.return_hosts.0088:123") && err.contains("not a host name"),
            "{err}"
        );
    }
}
