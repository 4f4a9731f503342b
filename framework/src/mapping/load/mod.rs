//! Loading and checking a deployment's mapping files, one step per file: the files
//! themselves, each section of a mapping, and the generation they make together.

mod associated;
mod connection;
mod distributions;
mod evidence_type;
mod files;
mod fnv;
mod identity;
mod representation;
mod several;
mod subsets;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use oots_connector::{Connector, Limits};

use super::{Mapping, MappingFile, MappingSet};
use crate::config::AdapterConfig;
use crate::connector::OpenMode;
use crate::diag::{Diagnostic, Diagnostics};
use crate::matching::FieldMap;
use crate::render::Renderer;
use files::mapping_files;
use fnv::Fnv;

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
        let representation =
            self.representation(connector.as_ref().map(|(c, _)| c.as_ref()), &path, &spec);
        let distributions = self.distributions(&path, &name, &spec);
        self.check_several(&path, &spec);
        self.problems.extend(super::classification::problems(
            &path,
            &spec.provider_classifications,
        ));
        self.problems.extend(super::classification::undeclared(
            &path,
            &spec.provider_classifications,
            &spec.connector.classifications,
        ));
        if let Some(a) = &spec.evidence.issuing_authority {
            self.problems.extend(a.value.problems(&path, a.referenced));
        }
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
                representation,
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
}
