//! Loading and checking a deployment's mapping files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oots_connector::{Connector, Limits};
use serde_saphyr::Spanned;

use super::{Distribution, Mapping, MappingFile, MappingSet, Source, SubjectKind};
use crate::config::AdapterConfig;
use crate::connector::OpenMode;
use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::edm::normalize_classification;
use crate::matching::{Attribute, Engine, FieldMap};
use crate::render::{DocumentKind, Renderer};

/// Loads every `*.yaml`/`*.yml` file of the mapping folder, opens the connections they
/// use and compiles their templates. All problems are reported together.
pub async fn load(config: &AdapterConfig, mode: OpenMode) -> Result<MappingSet, Diagnostics> {
    let dir = &config.mappings;
    let files = mapping_files(dir)?;
    let mut loader = Loader {
        config,
        mode,
        connectors: BTreeMap::new(),
        renderer: Renderer::new(),
        hasher: Fnv::new(),
        problems: Vec::new(),
        seen_keys: BTreeMap::new(),
    };
    let parsed = loader.parse(&files);
    loader.register_partials(dir);
    let mut mappings = Vec::new();
    for (path, spec) in parsed {
        if let Some(mapping) = loader.build(path, spec).await {
            mappings.push(Arc::new(mapping));
        }
    }
    loader.finish(mappings)
}

/// The mapping files of the folder, sorted so that diagnostics and the generation id do
/// not depend on the order the file system lists them in.
fn mapping_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostics> {
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
    Ok(files)
}

/// What loading one generation accumulates across files: the connections opened so far
/// (shared by the mappings that name them), the renderer, the content hash and every
/// problem found, so that all problems are reported together.
struct Loader<'a> {
    config: &'a AdapterConfig,
    mode: OpenMode,
    connectors: BTreeMap<String, Arc<dyn Connector>>,
    renderer: Renderer,
    hasher: Fnv,
    problems: Vec<Diagnostic>,
    /// Classification key → the file that serves it, to refuse a second one.
    seen_keys: BTreeMap<String, PathBuf>,
}

/// An opened connection with the limits its settings give.
type Opened = (Arc<dyn Connector>, Limits);

impl Loader<'_> {
    /// Reads and parses each mapping file; files that cannot be read or parsed are
    /// reported and left out, so the others are still checked.
    fn parse(&mut self, files: &[PathBuf]) -> Vec<(PathBuf, MappingFile)> {
        let mut parsed = Vec::new();
        for path in files {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    self.hasher.write(path.to_string_lossy().as_bytes());
                    self.hasher.write(text.as_bytes());
                    match serde_saphyr::from_str::<MappingFile>(&text) {
                        Ok(m) => parsed.push((path.clone(), m)),
                        Err(e) => self.problems.push(Diagnostic::from_yaml(path, &e)),
                    }
                }
                Err(e) => self.problems.push(Diagnostic::new(
                    path,
                    codes::FILE_UNREADABLE,
                    format!("cannot read file: {}", e.kind()),
                )),
            }
        }
        parsed
    }

    /// Shared partials: every `partials/*.hbs` of the mapping folder, usable from any
    /// template as `{{> name}}`. Registered before the templates that use them.
    fn register_partials(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir.join("partials")) else {
            return;
        };
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
                    self.hasher.write(p.to_string_lossy().as_bytes());
                    self.hasher.write(src.as_bytes());
                    if let Err(e) =
                        self.renderer
                            .register_partial(&name, &src, &p.display().to_string())
                    {
                        self.problems
                            .push(Diagnostic::new(&p, codes::TEMPLATE, e.to_string()));
                    }
                }
                Err(e) => self.problems.push(Diagnostic::new(
                    &p,
                    codes::FILE_UNREADABLE,
                    format!("cannot read partial: {}", e.kind()),
                )),
            }
        }
    }

    /// Checks one parsed mapping file and builds its `Mapping`; `None` when the file has
    /// problems (they are recorded, in the order the sections are checked).
    async fn build(&mut self, path: PathBuf, spec: MappingFile) -> Option<Mapping> {
        let before = self.problems.len();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let keys = self.classification_keys(&path, &spec);
        self.check_identity(&path, &spec);
        let fields: FieldMap = spec
            .identity
            .iter()
            .map(|(a, f)| (*a, f.to_vec()))
            .collect();
        let engine = self.compile_engine(&path, &spec, &fields);
        let connector = self.open_connection(&path, &spec).await;
        if let Some((c, _)) = &connector {
            self.check_query(c.as_ref(), &path, &spec);
            self.check_blocking(c.as_ref(), &path, &spec);
            self.check_frequencies(c.as_ref(), &path, &spec);
            self.check_field_paths(c.as_ref(), &path, &spec);
        }
        let distributions = self.distributions(&path, &name, &spec);
        if self.problems.len() == before
            && let Some((connector, limits)) = connector
            && let Some(engine) = engine
        {
            Some(Mapping {
                name,
                file: path,
                fields,
                engine,
                spec,
                classification_keys: keys,
                distributions,
                connector,
                limits,
            })
        } else {
            None
        }
    }

    /// The generation, or every problem found in any file.
    fn finish(self, mappings: Vec<Arc<Mapping>>) -> Result<MappingSet, Diagnostics> {
        if !self.problems.is_empty() {
            return Err(Diagnostics(self.problems));
        }
        Ok(MappingSet {
            mappings,
            renderer: Arc::new(self.renderer),
            generation: format!("{:016x}", self.hasher.finish()),
        })
    }

    /// The evidence type's classification keys; each key may be served by one file only,
    /// or requests for it would be ambiguous.
    fn classification_keys(&mut self, path: &Path, spec: &MappingFile) -> Vec<String> {
        let mut keys = Vec::new();
        for c in &spec.evidence_type.classifications {
            match normalize_classification(&c.value) {
                Some(k) => {
                    if let Some(other) = self.seen_keys.get(&k) {
                        self.problems.push(
                            Diagnostic::new(
                                path,
                                codes::DUPLICATE_CLASSIFICATION,
                                format!("evidence type is already served by {}", other.display()),
                            )
                            .at_location(c.referenced),
                        );
                    } else {
                        self.seen_keys.insert(k.clone(), path.to_path_buf());
                    }
                    keys.push(k);
                }
                None => self.problems.push(
                    Diagnostic::new(
                        path,
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
            self.problems.push(
                Diagnostic::new(
                    path,
                    codes::BAD_CLASSIFICATION,
                    "evidence_type.classifications is empty",
                )
                .hint("list at least one evidence type classification URI"),
            );
        }
        keys
    }

    /// Identity fields the matcher needs for the subject kind.
    fn check_identity(&mut self, path: &Path, spec: &MappingFile) {
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
                self.problems.push(
                    Diagnostic::new(
                        path,
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
            self.problems.push(
                Diagnostic::new(
                    path,
                    codes::MISSING_IDENTITY,
                    "identity needs LegalPersonIdentifier or LegalName for a legal person",
                )
                .hint("identity:\n  LegalPersonIdentifier: <registry column>"),
            );
        }
    }

    /// The matching engine over the identity fields.
    fn compile_engine(
        &mut self,
        path: &Path,
        spec: &MappingFile,
        fields: &FieldMap,
    ) -> Option<Arc<Engine>> {
        match Engine::compile(
            &spec.matching,
            fields,
            spec.subject,
            spec.policy.min_level_of_assurance,
        ) {
            Ok(e) => Some(Arc::new(e)),
            Err(found) => {
                for p in found {
                    let mut d = Diagnostic::new(path, codes::MATCHING, p.message)
                        .hint("see docs/matching.md for the `matching:` section");
                    if let Some(loc) = p.location {
                        d = d.at_location(loc);
                    }
                    self.problems.push(d);
                }
                None
            }
        }
    }

    /// The mapping's connection: opened on first use and shared by every mapping that
    /// names it, so a registry gets one pool per generation.
    async fn open_connection(&mut self, path: &Path, spec: &MappingFile) -> Option<Opened> {
        let config = self.config;
        let conn_name = &spec.connector.connection.value;
        let Some(cfg) = config.connections.get(conn_name) else {
            self.problems.push(
                Diagnostic::new(
                    path,
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
            return None;
        };
        if let Some(c) = self.connectors.get(conn_name) {
            return Some((c.clone(), cfg.limits()));
        }
        match crate::connector::open(cfg, config.base_dir(), self.mode).await {
            Ok(c) => {
                self.connectors.insert(conn_name.clone(), c.clone());
                Some((c, cfg.limits()))
            }
            Err(e) => {
                self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::CONNECTOR,
                        format!("connection `{conn_name}` cannot be opened: {e}"),
                    )
                    .at_location(spec.connector.connection.referenced),
                );
                None
            }
        }
    }

    /// Every parameter of the query must be bound to a request attribute.
    fn check_query(&mut self, c: &dyn Connector, path: &Path, spec: &MappingFile) {
        match c.parameters(&spec.connector.query.value) {
            Ok(params) => {
                for p in params {
                    if !spec.connector.parameters.contains_key(&p) {
                        self.problems.push(
                            Diagnostic::new(
                                path,
                                codes::UNBOUND_PARAMETER,
                                format!("query parameter :{p} is not bound to a request attribute"),
                            )
                            .at_location(spec.connector.query.referenced)
                            .hint(format!("connector:\n  parameters:\n    {p}: DateOfBirth")),
                        );
                    }
                }
            }
            Err(e) => self.problems.push(
                Diagnostic::new(path, codes::CONNECTOR, e.to_string())
                    .at_location(spec.connector.query.referenced),
            ),
        }
    }

    /// Blocking passes: every parameter of each pass's query must be bound.
    fn check_blocking(&mut self, c: &dyn Connector, path: &Path, spec: &MappingFile) {
        let Some(blocking) = &spec.matching.blocking else {
            return;
        };
        for pass in &blocking.passes {
            let (query, location) = match &pass.query {
                Some(q) => (&q.value, q.referenced),
                None => (&spec.connector.query.value, spec.connector.query.referenced),
            };
            match c.parameters(query) {
                Ok(params) => {
                    for p in params {
                        if !pass.parameters.contains_key(&p) {
                            self.problems.push(
                                Diagnostic::new(
                                    path,
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
                Err(e) => self.problems.push(
                    Diagnostic::new(path, codes::CONNECTOR, e.to_string()).at_location(location),
                ),
            }
        }
    }

    /// Name-frequency queries count the whole registry: they take no parameters.
    fn check_frequencies(&mut self, c: &dyn Connector, path: &Path, spec: &MappingFile) {
        let Some(freq) = &spec.matching.frequencies else {
            return;
        };
        let queries = freq
            .queries
            .iter()
            .map(|(a, q)| (a.name(), q))
            .chain(freq.population.iter().map(|q| ("the population", q)));
        for (attribute, query) in queries {
            match c.parameters(&query.value) {
                Ok(params) if params.is_empty() => {}
                Ok(params) => self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::UNBOUND_PARAMETER,
                        format!(
                            "frequencies of {attribute}: the query takes no parameters (it counts the whole registry), found :{}",
                            params.join(", :")
                        ),
                    )
                    .at_location(query.referenced)
                    .hint("SELECT surname AS name, COUNT(*) AS n FROM people GROUP BY surname"),
                ),
                Err(e) => self.problems.push(
                    Diagnostic::new(path, codes::CONNECTOR, e.to_string())
                        .at_location(query.referenced),
                ),
            }
        }
    }

    /// Each record field's path must be one the connector can follow.
    fn check_field_paths(&mut self, c: &dyn Connector, path: &Path, spec: &MappingFile) {
        for (field, fpath) in &spec.connector.fields {
            if let Err(e) = c.check_path(fpath) {
                self.problems.push(
                    Diagnostic::new(path, codes::BAD_PATH, format!("field `{field}`: {e}"))
                        .hint("a column name (sql), a JSONPath like $.person.name (rest), or a dotted path (files)"),
                );
            }
        }
    }

    /// Distributions: each is rendered from a template (compiled now, so template errors
    /// show at load time) or passed through from a record field.
    fn distributions(&mut self, path: &Path, name: &str, spec: &MappingFile) -> Vec<Distribution> {
        let base = path.parent().unwrap_or(Path::new("."));
        let mut distributions = Vec::new();
        if spec.evidence.distributions.is_empty() {
            self.problems.push(
                Diagnostic::new(path, codes::NO_DISTRIBUTION, "evidence.distributions is empty")
                    .hint("distributions:\n  - format: application/pdf\n    template: templates/x.pdf.hbs"),
            );
        }
        for (i, d) in spec.evidence.distributions.iter().enumerate() {
            let format = d.format.value.trim().to_owned();
            let source = match (&d.template, &d.document) {
                (Some(t), None) => {
                    let Some(kind) = DocumentKind::from_media_type(&format) else {
                        self.problems.push(
                            Diagnostic::new(
                                path,
                                codes::BAD_FORMAT,
                                format!("format `{format}` cannot be rendered from a template"),
                            )
                            .at_location(d.format.referenced)
                            .hint("one of application/xml, application/json, text/html, application/pdf; or pass a stored document through with `document: <field>`"),
                        );
                        continue;
                    };
                    let template_name = format!("{name}#{i}");
                    self.template(path, base, t, kind, template_name)
                }
                (None, Some(field)) => {
                    if !OOTS_MEDIA_TYPES.contains(&format.as_str()) {
                        self.problems.push(
                            Diagnostic::new(
                                path,
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
                    self.problems.push(
                        Diagnostic::new(
                            path,
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
        distributions
    }

    /// Reads and registers one distribution's template (its path relative to the mapping
    /// file); a template that cannot be read or compiled is reported, not fatal here.
    fn template(
        &mut self,
        path: &Path,
        base: &Path,
        t: &Spanned<String>,
        kind: DocumentKind,
        template_name: String,
    ) -> Source {
        let tpath = base.join(&t.value);
        match std::fs::read_to_string(&tpath) {
            Ok(src) => {
                self.hasher.write(src.as_bytes());
                if let Err(e) =
                    self.renderer
                        .register(&template_name, kind, &src, &tpath.display().to_string())
                {
                    self.problems.push(
                        Diagnostic::new(path, codes::TEMPLATE, e.to_string())
                            .at_location(t.referenced),
                    );
                }
            }
            Err(e) => self.problems.push(
                Diagnostic::new(
                    path,
                    codes::TEMPLATE,
                    format!("template {} cannot be read: {}", tpath.display(), e.kind()),
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
