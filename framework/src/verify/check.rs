//! `oots-adapter check`: everything that can be verified before a request arrives.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::positions;
use crate::config::AdapterConfig;
use crate::connector::OpenMode;
use crate::diag::yaml_tree::Node;
use crate::diag::{Diagnostic, Diagnostics, codes, suggest};
use crate::mapping::{Known, Mapping, MappingSet, Source, load, unknown_variables};

/// The result of checking one deployment folder.
#[derive(Debug)]
pub struct CheckOutcome {
    pub config: PathBuf,
    /// Errors: the deployment does not pass while any is left.
    pub diagnostics: Diagnostics,
    /// Warnings (`OEA-W` codes): printed, never failing the check.
    pub warnings: Diagnostics,
    /// The loaded generation, when everything loaded.
    pub set: Option<MappingSet>,
}

impl CheckOutcome {
    pub fn ok(&self) -> bool {
        self.diagnostics.0.is_empty()
    }
}

/// Checks the deployment whose `adapter.yaml` is `config`: the configuration, every
/// mapping file, the templates (including the variables they use) and, when `live`, each
/// connection with a probe.
pub async fn check(config: &Path, live: bool) -> CheckOutcome {
    let mut diagnostics = Vec::new();
    let cfg = match AdapterConfig::load(config) {
        Ok(c) => c,
        Err(d) => {
            return CheckOutcome {
                config: config.to_path_buf(),
                diagnostics: d,
                warnings: Diagnostics::default(),
                set: None,
            };
        }
    };
    diagnostics.extend(inline_credentials(&cfg));
    diagnostics.extend(audit_key(&cfg));
    let (text_errors, text_warnings) = super::preview_texts::check(&cfg);
    diagnostics.extend(text_errors);
    if let Some(crate::config::GatewaySettings::As4(a)) = &cfg.gateway {
        diagnostics.extend(as4_gateway(&cfg.file, a, live));
    }
    let mode = if live {
        OpenMode::Live
    } else {
        OpenMode::Offline
    };
    let set = match load(&cfg, mode).await {
        Ok(set) => set,
        Err(d) => {
            diagnostics.extend(d.0);
            return CheckOutcome {
                config: config.to_path_buf(),
                diagnostics: Diagnostics(diagnostics),
                warnings: Diagnostics::default(),
                set: None,
            };
        }
    };
    let mut warnings = super::warnings::collect(&cfg, &set);
    warnings.extend(text_warnings);
    for m in set.mappings() {
        check_mapping(&cfg, m, live, &mut diagnostics).await;
        super::columns::check_columns(&cfg, m, live, &mut diagnostics, &mut warnings).await;
    }
    CheckOutcome {
        config: config.to_path_buf(),
        diagnostics: Diagnostics(diagnostics),
        warnings: Diagnostics(warnings),
        set: Some(set),
    }
}

/// What loading one mapping cannot see: how it fits the rest of the configuration, the
/// record fields it names, its recorded responses, its templates' variables and, when
/// `live`, its connection.
async fn check_mapping(cfg: &AdapterConfig, m: &Mapping, live: bool, out: &mut Vec<Diagnostic>) {
    if m.engine.on_ambiguous() == crate::matching::OnAmbiguous::Preview
        && !cfg.preview.signs_in_with_identifier()
    {
        out.push(
            Diagnostic::new(
                &m.file,
                codes::MATCHING,
                "decision.on_ambiguous: preview leaves homonyms to the sign-in's person identifier, but preview.authentication gives none, so they would be answered EDM:ERR:0004",
            )
            .at_location(m.engine.on_ambiguous_location())
            .hint("map the identifier claim under preview.authentication.oidc.claims.person_identifier, or set on_ambiguous: error"),
        );
    }
    let fields = &m.spec.connector.fields;
    let record: Option<BTreeSet<String>> =
        (!fields.is_empty()).then(|| fields.keys().cloned().collect());
    if let Some(record) = &record {
        record_fields(m, record, out);
    }
    recorded_responses(m, out);
    let classifications = m.spec.provider_classifications.keys().cloned().collect();
    templates(
        m,
        &Known {
            record,
            classifications,
        },
        out,
    );
    if live && let Err(e) = m.connector.probe().await {
        out.push(Diagnostic::new(
            &m.file,
            codes::CONNECTOR,
            format!(
                "connection `{}` does not answer a probe: {e}",
                m.spec.connector.connection.value
            ),
        ));
    }
}

/// Every record field the mapping names elsewhere (identity, `matching.record_id`,
/// `evidence.issuing_date`, labels) must be one of the connector's fields, or it would
/// only ever be empty.
fn record_fields(m: &Mapping, record: &BTreeSet<String>, out: &mut Vec<Diagnostic>) {
    let tree = Node::read(&m.file);
    let tree = tree.as_ref();
    for (attr, field) in m
        .fields
        .iter()
        .flat_map(|(a, fs)| fs.iter().map(move |f| (a, f)))
    {
        if !record.contains(field) {
            out.push(
                Diagnostic::new(
                    &m.file,
                    codes::UNKNOWN_FIELD,
                    format!(
                        "identity {attr} uses `{field}`, which is not among the connector's fields"
                    ),
                )
                .at_pos(tree.and_then(|t| t.scalar_pos(&["identity", attr.name()], field)))
                .hint(suggest::record_field(field, record)),
            );
        }
    }
    if let Some(f) = m.engine.record_id()
        && !record.contains(f)
    {
        out.push(
            Diagnostic::new(
                &m.file,
                codes::UNKNOWN_FIELD,
                format!("matching.record_id uses `{f}`, which is not among the connector's fields"),
            )
            .at_pos(tree.and_then(|t| t.pos(&["matching", "record_id"])))
            .hint(suggest::record_field(f, record)),
        );
    }
    if let Some(f) = &m.spec.evidence.issuing_date
        && !record.contains(f)
    {
        out.push(
            Diagnostic::new(
                &m.file,
                codes::UNKNOWN_FIELD,
                format!(
                    "evidence.issuing_date uses `{f}`, which is not among the connector's fields"
                ),
            )
            .at_pos(tree.and_then(|t| t.pos(&["evidence", "issuing_date"])))
            .hint(suggest::record_field(f, record)),
        );
    }
    out.extend(crate::mapping::unknown_metadata_fields(
        &m.file,
        m.spec.evidence.issuing_authority.as_ref().map(|a| &a.value),
        m.spec.evidence.validity.as_ref(),
        record,
    ));
    let deferral = m.spec.evidence.deferred.as_ref();
    for f in deferral.map(|d| d.value.fields()).unwrap_or_default() {
        if !record.contains(&f.value) {
            out.push(
                Diagnostic::new(
                    &m.file,
                    codes::UNKNOWN_FIELD,
                    format!(
                        "evidence.deferred uses `{}`, which is not among the connector's fields",
                        f.value
                    ),
                )
                .at_location(f.referenced)
                .hint(suggest::record_field(&f.value, record)),
            );
        }
    }
    for field in m.spec.labels.keys() {
        if !record.contains(field) {
            out.push(
                Diagnostic::new(
                    &m.file,
                    codes::UNKNOWN_FIELD,
                    format!("labels name `{field}`, which is not among the connector's fields"),
                )
                .at_pos(tree.and_then(|t| t.key_pos(&["labels", field])))
                .hint(suggest::record_field(field, record)),
            );
        }
    }
}

/// Field paths that match nothing in any recorded response (a typo in a JSONPath
/// would otherwise only show as empty values in live answers).
fn recorded_responses(m: &Mapping, out: &mut Vec<Diagnostic>) {
    let fields = &m.spec.connector.fields;
    let responses: Vec<(usize, usize, &serde_json::Value)> = m
        .spec
        .tests
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.responses.iter().enumerate().map(move |(j, r)| (i, j, r)))
        .collect();
    let tree = Node::read(&m.file);
    let tree = tree.as_ref();
    if responses.is_empty() {
        return;
    }
    let mut decoded = Vec::new();
    // A field recorded as JSON `null` is present: its path matched (issue 20).
    let mut found = BTreeSet::new();
    for (i, j, r) in responses {
        match m.connector.decode_fixture(r, fields) {
            Ok(records) => {
                decoded.extend(records);
                found.extend(
                    m.connector
                        .fixture_fields_found(r, fields)
                        .unwrap_or_default(),
                );
            }
            Err(e) => {
                out.push(
                    Diagnostic::new(
                        &m.file,
                        codes::BAD_PATH,
                        format!("a recorded response cannot be decoded: {e}"),
                    )
                    .at_pos(tree.and_then(|t| {
                        t.pos(&["tests", &i.to_string(), "responses", &j.to_string()])
                    })),
                )
            }
        }
    }
    if decoded.is_empty() {
        return;
    }
    for (field, fpath) in fields {
        if !found.contains(field) {
            out.push(
                Diagnostic::new(
                    &m.file,
                    codes::PATH_MATCHES_NOTHING,
                    format!("field `{field}`: `{fpath}` matches nothing in any recorded response"),
                )
                .at_pos(tree.and_then(|t| t.pos(&["connector", "fields", field])))
                .hint("check the path against the responses under tests, or add a response where the field is present"),
            );
        }
    }
}

/// The variables each template uses must be ones the mapping provides, and a passed-through
/// document must come from one of the connector's fields: otherwise the evidence would
/// silently lack them.
fn templates(m: &Mapping, known: &Known, out: &mut Vec<Diagnostic>) {
    for d in &m.distributions {
        let Source::Template { file, .. } = &d.source else {
            if let (Source::Document { field }, Some(record)) = (&d.source, &known.record)
                && !record.contains(field)
            {
                out.push(
                    Diagnostic::new(
                        &m.file,
                        codes::UNKNOWN_FIELD,
                        format!("distribution {} passes through `{field}`, which is not among the connector's fields", d.format),
                    )
                    .at_pos(positions::document(&m.file, field))
                    .hint(suggest::record_field(field, record)),
                );
            }
            continue;
        };
        let Ok(source) = std::fs::read_to_string(file) else {
            continue;
        };
        for u in unknown_variables(&source, known) {
            out.push(
                Diagnostic::new(
                    file,
                    codes::UNKNOWN_VARIABLE,
                    format!(
                        "template uses `{}`, which the mapping does not provide",
                        u.path
                    ),
                )
                .at(u.line, u.column)
                .hint(u.hint),
            );
        }
    }
}

/// The AS4 PMode's certificates and trust store (and, when `live`, the private key with
/// its certificate): a wrong file shows before the first message is refused.
fn as4_gateway(
    file: &Path,
    a: &crate::gateway::as4::pmode::As4Settings,
    live: bool,
) -> Vec<Diagnostic> {
    use crate::gateway::as4::keys::{Certificate, TrustStore};
    let mut problems = Vec::new();
    let mut problem = |what: String| problems.push(what);
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {}", p.display(), e.kind()));
    match read(&a.certificate).and_then(|b| Certificate::from_pem(&b).map_err(|e| e.to_string())) {
        Ok(_) => {}
        Err(e) => problem(format!("certificate: {e}")),
    }
    match read(&a.trust_store).and_then(|b| TrustStore::from_pem(&b).map_err(|e| e.to_string())) {
        Ok(_) => {}
        Err(e) => problem(format!("trust_store: {e}")),
    }
    if let Err(e) = a.check_retry() {
        problem(e.to_string());
    }
    for crl in &a.trust_crls {
        if let Err(e) = crate::tls::read_crls(crl) {
            problem(format!("trust_crls: {e}"));
        }
    }
    for p in &a.peers {
        if !(p.endpoint.starts_with("https://") || p.endpoint.starts_with("http://")) {
            problem(format!(
                "peer {}: endpoint must be an http(s) URL",
                p.party_id
            ));
        }
        if let Err(e) =
            read(&p.certificate).and_then(|b| Certificate::from_pem(&b).map_err(|e| e.to_string()))
        {
            problem(format!("peer {}: certificate: {e}", p.party_id));
        }
    }
    if live
        && problems.is_empty()
        && let Err(e) = crate::gateway::as4::pmode::PMode::load(a)
    {
        problems.push(e.to_string());
    }
    problems
        .into_iter()
        .map(|what| {
            Diagnostic::new(file, codes::GATEWAY, format!("gateway (as4): {what}"))
                .hint("see docs/as4.md for the keys an AS4 access point needs")
        })
        .collect()
}

/// Several replicas cannot share a key the adapter makes up, so a PostgreSQL deployment
/// without `audit.key` would write a journal anyone with database access can rewrite.
fn audit_key(cfg: &AdapterConfig) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let pg = matches!(cfg.store, crate::config::StoreSettings::Postgres(_));
    if pg && cfg.audit.key.is_none() {
        out.push(
            Diagnostic::new(
                &cfg.file,
                "OEA-A0013",
                "store: postgres without audit.key: the audit journal would be unkeyed, so whoever can write the database could rewrite it undetected (docs/audit.md)",
            )
            .hint("audit: { key: \"env:OOTS_AUDIT_KEY\", key_id: k1 }  (openssl rand -hex 32)"),
        );
    }
    for id in std::iter::once(&cfg.audit.key_id).chain(cfg.audit.retired_keys.iter().map(|r| &r.id))
    {
        if let Err(e) =
            crate::store::JournalKey::new(id, &"-".repeat(crate::store::audit_key::MIN_KEY_BYTES))
        {
            out.push(Diagnostic::new(&cfg.file, "OEA-A0010", e.to_string()));
        }
    }
    out
}

/// Credentials written into URLs (`scheme://user:password@host`) instead of a reference.
fn inline_credentials(cfg: &AdapterConfig) -> Vec<Diagnostic> {
    cfg.connections
        .iter()
        .filter(|(_, c)| c.has_inline_password())
        .map(|(name, _)| {
            Diagnostic::new(
                &cfg.file,
                codes::SECRET,
                format!("connection `{name}` has a password written inside its URL"),
            )
            .hint("remove it from the URL and write `password: env:NAME` or `password: file:/path`")
        })
        .collect()
}
