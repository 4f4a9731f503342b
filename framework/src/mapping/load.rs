//! Loading and checking a deployment's mapping files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oots_connector::Connector;

use super::{Distribution, Mapping, MappingFile, MappingSet, Source, SubjectKind};
use crate::config::AdapterConfig;
use crate::connector::OpenMode;
use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::edm::normalize_classification;
use crate::matching::{Attribute, Engine};
use crate::render::{DocumentKind, Renderer};

/// Loads every `*.yaml`/`*.yml` file of the mapping folder, opens the connections they
/// use and compiles their templates. All problems are reported together.
pub async fn load(config: &AdapterConfig, mode: OpenMode) -> Result<MappingSet, Diagnostics> {
    let dir = &config.mappings;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            Diagnostic::new(
                dir,
                codes::FILE_UNREADABLE,
                format!("cannot read the mapping folder: {}", e.kind()),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(
            Diagnostic::new(dir, codes::NO_MAPPINGS, "no mapping files (*.yaml) found")
                .hint("add one file per evidence type, see docs/mapping-files.md")
                .into(),
        );
    }

    let mut problems = Vec::new();
    let mut hasher = Fnv::new();
    let mut parsed = Vec::new();
    for path in &files {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                hasher.write(path.to_string_lossy().as_bytes());
                hasher.write(text.as_bytes());
                match serde_saphyr::from_str::<MappingFile>(&text) {
                    Ok(m) => parsed.push((path.clone(), m)),
                    Err(e) => problems.push(Diagnostic::from_yaml(path, &e)),
                }
            }
            Err(e) => problems.push(Diagnostic::new(
                path,
                codes::FILE_UNREADABLE,
                format!("cannot read file: {}", e.kind()),
            )),
        }
    }

    let mut connectors: BTreeMap<String, Arc<dyn Connector>> = BTreeMap::new();
    let mut renderer = Renderer::new();
    // Shared partials: every `partials/*.hbs` of the mapping folder, usable from any
    // template as `{{> name}}`.
    let partials_dir = dir.join("partials");
    if let Ok(entries) = std::fs::read_dir(&partials_dir) {
        let mut partials: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "hbs"))
            .collect();
        partials.sort();
        for p in partials {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            match std::fs::read_to_string(&p) {
                Ok(src) => {
                    hasher.write(p.to_string_lossy().as_bytes());
                    hasher.write(src.as_bytes());
                    if let Err(e) = renderer.register_partial(&name, &src, &p.display().to_string())
                    {
                        problems.push(Diagnostic::new(&p, codes::TEMPLATE, e.to_string()));
                    }
                }
                Err(e) => problems.push(Diagnostic::new(
                    &p,
                    codes::FILE_UNREADABLE,
                    format!("cannot read partial: {}", e.kind()),
                )),
            }
        }
    }
    let mut mappings = Vec::new();
    let mut seen_keys: BTreeMap<String, PathBuf> = BTreeMap::new();

    for (path, spec) in parsed {
        let before = problems.len();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();

        // Evidence type classifications.
        let mut keys = Vec::new();
        for c in &spec.evidence_type.classifications {
            match normalize_classification(&c.value) {
                Some(k) => {
                    if let Some(other) = seen_keys.get(&k) {
                        problems.push(
                            Diagnostic::new(
                                &path,
                                codes::DUPLICATE_CLASSIFICATION,
                                format!("evidence type is already served by {}", other.display()),
                            )
                            .at_location(c.referenced),
                        );
                    } else {
                        seen_keys.insert(k.clone(), path.clone());
                    }
                    keys.push(k);
                }
                None => problems.push(
                    Diagnostic::new(
                        &path,
                        codes::BAD_CLASSIFICATION,
                        "not an evidence type classification URI",
                    )
                    .at_location(c.referenced)
                    .hint(
                        "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/<CC>/<uuid>",
                    ),
                ),
            }
        }
        if spec.evidence_type.classifications.is_empty() {
            problems.push(
                Diagnostic::new(
                    &path,
                    codes::BAD_CLASSIFICATION,
                    "evidence_type.classifications is empty",
                )
                .hint("list at least one evidence type classification URI"),
            );
        }

        // Identity fields the matcher needs.
        let needed: &[Attribute] = match spec.subject {
            SubjectKind::NaturalPerson => &[
                Attribute::FamilyName,
                Attribute::GivenName,
                Attribute::DateOfBirth,
            ],
            SubjectKind::LegalPerson => &[],
        };
        for a in needed {
            if !spec.identity.contains_key(a) {
                problems.push(
                    Diagnostic::new(
                        &path,
                        codes::MISSING_IDENTITY,
                        format!("identity has no registry field for {a}"),
                    )
                    .hint(format!("identity:\n  {a}: <registry column>")),
                );
            }
        }
        if spec.subject == SubjectKind::LegalPerson
            && !spec
                .identity
                .contains_key(&Attribute::LegalPersonIdentifier)
            && !spec.identity.contains_key(&Attribute::LegalName)
        {
            problems.push(
                Diagnostic::new(
                    &path,
                    codes::MISSING_IDENTITY,
                    "identity needs LegalPersonIdentifier or LegalName for a legal person",
                )
                .hint("identity:\n  LegalPersonIdentifier: <registry column>"),
            );
        }

        // The matching engine over the identity fields.
        let fields: crate::matching::FieldMap = spec
            .identity
            .iter()
            .map(|(a, f)| (*a, f.to_vec()))
            .collect();
        let engine = match Engine::compile(
            &spec.matching,
            &fields,
            spec.subject,
            spec.policy.min_level_of_assurance,
        ) {
            Ok(e) => Some(Arc::new(e)),
            Err(found) => {
                for p in found {
                    let mut d = Diagnostic::new(&path, codes::MATCHING, p.message)
                        .hint("see docs/matching.md for the `matching:` section");
                    if let Some(loc) = p.location {
                        d = d.at_location(loc);
                    }
                    problems.push(d);
                }
                None
            }
        };

        // Connection and query parameters.
        let conn_name = &spec.connector.connection.value;
        let connector = match config.connections.get(conn_name) {
            None => {
                problems.push(
                    Diagnostic::new(
                        &path,
                        codes::UNKNOWN_CONNECTION,
                        format!(
                            "connection `{conn_name}` is not declared in {}",
                            config.file.display()
                        ),
                    )
                    .at_location(spec.connector.connection.referenced)
                    .hint(format!(
                        "declare it under `connections:` in adapter.yaml, or use one of: {}",
                        config
                            .connections
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                None
            }
            Some(cfg) => match connectors.get(conn_name) {
                Some(c) => Some((c.clone(), cfg.limits())),
                None => match crate::connector::open(cfg, config.base_dir(), mode).await {
                    Ok(c) => {
                        connectors.insert(conn_name.clone(), c.clone());
                        Some((c, cfg.limits()))
                    }
                    Err(e) => {
                        problems.push(
                            Diagnostic::new(
                                &path,
                                codes::CONNECTOR,
                                format!("connection `{conn_name}` cannot be opened: {e}"),
                            )
                            .at_location(spec.connector.connection.referenced),
                        );
                        None
                    }
                },
            },
        };
        if let Some((c, _)) = &connector {
            match c.parameters(&spec.connector.query.value) {
                Ok(params) => {
                    for p in params {
                        if !spec.connector.parameters.contains_key(&p) {
                            problems.push(
                                Diagnostic::new(
                                    &path,
                                    codes::UNBOUND_PARAMETER,
                                    format!(
                                        "query parameter :{p} is not bound to a request attribute"
                                    ),
                                )
                                .at_location(spec.connector.query.referenced)
                                .hint(format!("connector:\n  parameters:\n    {p}: DateOfBirth")),
                            );
                        }
                    }
                }
                Err(e) => problems.push(
                    Diagnostic::new(&path, codes::CONNECTOR, e.to_string())
                        .at_location(spec.connector.query.referenced),
                ),
            }
        }
        // Blocking passes: every parameter of each pass's query must be bound.
        if let (Some((c, _)), Some(blocking)) = (&connector, &spec.matching.blocking) {
            for pass in &blocking.passes {
                let (query, location) = match &pass.query {
                    Some(q) => (&q.value, q.referenced),
                    None => (&spec.connector.query.value, spec.connector.query.referenced),
                };
                match c.parameters(query) {
                    Ok(params) => {
                        for p in params {
                            if !pass.parameters.contains_key(&p) {
                                problems.push(
                                    Diagnostic::new(
                                        &path,
                                        codes::UNBOUND_PARAMETER,
                                        format!(
                                            "blocking pass `{}`: query parameter :{p} is not bound to a request key",
                                            pass.name
                                        ),
                                    )
                                    .at_location(location)
                                    .hint(format!("parameters:\n  {p}: FamilyName.cologne")),
                                );
                            }
                        }
                    }
                    Err(e) => problems.push(
                        Diagnostic::new(&path, codes::CONNECTOR, e.to_string())
                            .at_location(location),
                    ),
                }
            }
        }
        // Name-frequency queries count the whole registry: they take no parameters.
        if let (Some((c, _)), Some(freq)) = (&connector, &spec.matching.frequencies) {
            let queries = freq
                .queries
                .iter()
                .map(|(a, q)| (a.name(), q))
                .chain(freq.population.iter().map(|q| ("the population", q)));
            for (attribute, query) in queries {
                match c.parameters(&query.value) {
                    Ok(params) if params.is_empty() => {}
                    Ok(params) => problems.push(
                        Diagnostic::new(
                            &path,
                            codes::UNBOUND_PARAMETER,
                            format!(
                                "frequencies of {attribute}: the query takes no parameters (it counts the whole registry), found :{}",
                                params.join(", :")
                            ),
                        )
                        .at_location(query.referenced)
                        .hint("SELECT surname AS name, COUNT(*) AS n FROM people GROUP BY surname"),
                    ),
                    Err(e) => problems.push(
                        Diagnostic::new(&path, codes::CONNECTOR, e.to_string())
                            .at_location(query.referenced),
                    ),
                }
            }
        }
        if let Some((c, _)) = &connector {
            for (field, fpath) in &spec.connector.fields {
                if let Err(e) = c.check_path(fpath) {
                    problems.push(
                        Diagnostic::new(
                            &path,
                            codes::BAD_PATH,
                            format!("field `{field}`: {e}"),
                        )
                        .hint("a column name (sql), a JSONPath like $.person.name (rest), or a dotted path (files)"),
                    );
                }
            }
        }

        // Distributions and their templates.
        let base = path.parent().unwrap_or(Path::new("."));
        let mut distributions = Vec::new();
        if spec.evidence.distributions.is_empty() {
            problems.push(
                Diagnostic::new(&path, codes::NO_DISTRIBUTION, "evidence.distributions is empty")
                    .hint("distributions:\n  - format: application/pdf\n    template: templates/x.pdf.hbs"),
            );
        }
        for (i, d) in spec.evidence.distributions.iter().enumerate() {
            let format = d.format.value.trim().to_owned();
            let source = match (&d.template, &d.document) {
                (Some(t), None) => {
                    let Some(kind) = DocumentKind::from_media_type(&format) else {
                        problems.push(
                            Diagnostic::new(
                                &path,
                                codes::BAD_FORMAT,
                                format!("format `{format}` cannot be rendered from a template"),
                            )
                            .at_location(d.format.referenced)
                            .hint("one of application/xml, application/json, text/html, application/pdf; or pass a stored document through with `document: <field>`"),
                        );
                        continue;
                    };
                    let tpath = base.join(&t.value);
                    let template_name = format!("{name}#{i}");
                    match std::fs::read_to_string(&tpath) {
                        Ok(src) => {
                            hasher.write(src.as_bytes());
                            if let Err(e) = renderer.register(
                                &template_name,
                                kind,
                                &src,
                                &tpath.display().to_string(),
                            ) {
                                problems.push(
                                    Diagnostic::new(&path, codes::TEMPLATE, e.to_string())
                                        .at_location(t.referenced),
                                );
                            }
                        }
                        Err(e) => problems.push(
                            Diagnostic::new(
                                &path,
                                codes::TEMPLATE,
                                format!(
                                    "template {} cannot be read: {}",
                                    tpath.display(),
                                    e.kind()
                                ),
                            )
                            .at_location(t.referenced),
                        ),
                    }
                    Source::Template {
                        kind,
                        name: template_name,
                        file: tpath,
                    }
                }
                (None, Some(field)) => {
                    if !OOTS_MEDIA_TYPES.contains(&format.as_str()) {
                        problems.push(
                            Diagnostic::new(
                                &path,
                                codes::BAD_FORMAT,
                                format!("format `{format}` is not an OOTS media type"),
                            )
                            .at_location(d.format.referenced)
                            .hint(OOTS_MEDIA_TYPES.join(", ")),
                        );
                    }
                    Source::Document {
                        field: field.value.clone(),
                    }
                }
                _ => {
                    problems.push(
                        Diagnostic::new(
                            &path,
                            codes::NO_DISTRIBUTION,
                            "a distribution needs exactly one of `template` and `document`",
                        )
                        .at_location(d.format.referenced)
                        .hint("template: templates/x.xml.hbs   # render the record\n    # or\n    document: pdf_blob              # pass a stored document through"),
                    );
                    continue;
                }
            };
            distributions.push(Distribution {
                format,
                conforms_to: d.conforms_to.clone(),
                language: d.language.clone(),
                source,
            });
        }

        if problems.len() == before
            && let Some((connector, limits)) = connector
            && let Some(engine) = engine
        {
            mappings.push(Arc::new(Mapping {
                name,
                file: path.clone(),
                fields,
                engine,
                spec,
                classification_keys: keys,
                distributions,
                connector,
                limits,
            }));
        }
    }

    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    Ok(MappingSet {
        mappings,
        renderer: Arc::new(renderer),
        generation: format!("{:016x}", hasher.finish()),
    })
}

/// FNV-1a: a stable content hash for the generation id (not for security).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The OOTSMediaTypes code list: what an evidence may be delivered as.
const OOTS_MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/svg+xml",
    "application/xml",
    "application/json",
];
