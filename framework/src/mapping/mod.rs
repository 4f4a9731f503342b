//! Mapping files: one YAML file per evidence type, written by the authority, saying where
//! the registry records come from, which fields identify the subject and how a record
//! becomes evidence. A deployment's files are loaded together as one *generation*.

mod associated;
mod classification;
mod deferral;
mod dsd;
mod file;
mod generations;
mod load;
mod metadata;
mod policy;
mod representation;
mod several;
pub mod template_blocks;
mod variables;

/// Re-exported from matching (its home: who is matched), so mapping's API is unchanged.
pub use crate::matching::SubjectKind;
pub use associated::{AssociatedDoc, AssociatedDocSpec, AssociatedSpec};
pub use classification::{
    ClassificationRefusal, ClassificationSpec, resolve as resolve_classifications,
};
pub use deferral::{DeferralCondition, DeferralSpec, UnreadableDate};
pub use dsd::{JurisdictionSpec, MappingDsd};
pub use file::{
    ConnectorSpec, DistributionSpec, EvidenceSpec, EvidenceTypeSpec, MappingFile, Policy,
    PreviewPolicy, TestCase, TestExpectation, TestRequest,
};
pub use generations::{Generations, ReloadStatus};
pub use load::load;
pub use metadata::{AuthoritySpec, ValiditySpec, unknown_fields as unknown_metadata_fields};
pub use policy::{AllowedRequester, Denied, ExplicitRequestPolicy, admits};
pub use representation::{Bound, Representation, RepresentationSpec, SCOPE_ATTRIBUTE};
pub use several::{DEFAULT_MAX_EVIDENCES, MAX_EVIDENCES_CEILING, SeveralSpec};
pub use variables::{Known, Unknown, unknown_variables};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use oots_connector::{Connector, Limits};

use crate::edm::{DistributionRequest, normalize_classification};
use crate::matching::{Engine, FieldMap};
use crate::render::{DocumentKind, Renderer};

/// One deliverable form of an evidence type.
#[derive(Debug, Clone)]
pub struct Distribution {
    pub format: String,
    pub conforms_to: Vec<String>,
    pub language: Option<String>,
    pub source: Source,
    /// Its annexes, human-readable version and translations (2.0).
    pub associated: Vec<AssociatedDoc>,
    /// 1.x: the subset (`sdg:Transformation`) this distribution serves; `None`: the
    /// whole evidence.
    pub transformation: Option<String>,
    /// A subset's record fields (those its template reads as `record.<field>`): the
    /// preview page shows only these, what the subset sends; `None`: every labelled field.
    pub shown: Option<Vec<String>>,
}

/// Where a distribution's document comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Rendered from the record by a template registered in the generation's renderer.
    Template {
        kind: DocumentKind,
        name: String,
        /// The template file (for diagnostics).
        file: PathBuf,
    },
    /// Passed through from the registry: the record field holds the bytes, or a
    /// reference the connector fetches.
    Document { field: String },
}

/// A loaded, checked mapping file.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// File stem, used in logs and template names.
    pub name: String,
    pub file: PathBuf,
    pub spec: MappingFile,
    /// Host-independent classification keys (`DE/ca8afed6-…`).
    pub classification_keys: Vec<String>,
    pub distributions: Vec<Distribution>,
    pub fields: FieldMap,
    /// The compiled `matching:` section.
    pub engine: Arc<Engine>,
    pub connector: Arc<dyn Connector>,
    pub limits: Limits,
    /// The checked `representation:` section, if any.
    pub representation: Option<Arc<Representation>>,
}

impl Mapping {
    /// The first requested distribution this mapping can deliver, in request order.
    pub fn select<'a>(
        &'a self,
        requested: &'a [DistributionRequest],
    ) -> Option<(&'a Distribution, &'a DistributionRequest)> {
        requested.iter().find_map(|want| {
            self.distributions
                .iter()
                .find(|d| {
                    d.format.eq_ignore_ascii_case(want.format.trim())
                        && subset_key(d.transformation.as_deref())
                            == subset_key(want.transformation.as_deref())
                        && match &want.conforms_to {
                            None => true,
                            Some(c) => d
                                .conforms_to
                                .iter()
                                .any(|have| data_model_key(have) == data_model_key(c)),
                        }
                })
                .map(|d| (d, want))
        })
    }

    /// Title in `lang`, else English, else any.
    pub fn title(&self, lang: Option<&str>) -> Option<(&str, &str)> {
        pick_lang(&self.spec.evidence_type.title, lang)
    }
}

/// Picks a text by language: the wanted one, else English, else the first.
pub fn pick_lang<'a>(
    texts: &'a BTreeMap<String, String>,
    lang: Option<&str>,
) -> Option<(&'a str, &'a str)> {
    let by = |l: &str| {
        texts
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(l))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    };
    lang.and_then(by)
        .or_else(|| by("EN"))
        .or_else(|| texts.iter().next().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// A data-model URI without host and the 1.x `distributions/` / 2.0 `datamodels/` prefix,
/// so both spellings of the same model compare equal.
fn data_model_key(uri: &str) -> String {
    let path = uri
        .trim()
        .trim_end_matches('/')
        .split_once("://")
        .map(|(_, rest)| rest.split_once('/').map(|(_, p)| p).unwrap_or(""))
        .unwrap_or(uri.trim());
    let path = path
        .strip_prefix("distributions/")
        .or_else(|| path.strip_prefix("datamodels/"))
        .unwrap_or(path);
    path.to_ascii_lowercase()
}

/// A subset URI compared like a data model (host, prefix and case aside); `None` for
/// the whole evidence (no `sdg:Transformation`, and every 2.0 request).
fn subset_key(uri: Option<&str>) -> Option<String> {
    uri.map(str::trim)
        .filter(|u| !u.is_empty())
        .map(data_model_key)
}

/// All mapping files of a deployment, loaded and checked together.
pub struct MappingSet {
    mappings: Vec<Arc<Mapping>>,
    renderer: Arc<Renderer>,
    /// Content hash of every file of the generation (mapping files and templates).
    generation: String,
}

impl std::fmt::Debug for MappingSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappingSet")
            .field(
                "mappings",
                &self.mappings.iter().map(|m| &m.name).collect::<Vec<_>>(),
            )
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl MappingSet {
    /// The mapping serving an evidence type classification URI, whatever its SR host.
    pub fn find(&self, classification: &str) -> Option<&Arc<Mapping>> {
        let key = normalize_classification(classification)?;
        self.mappings
            .iter()
            .find(|m| m.classification_keys.contains(&key))
    }

    pub fn mappings(&self) -> &[Arc<Mapping>] {
        &self.mappings
    }

    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    pub fn generation(&self) -> &str {
        &self.generation
    }

    /// The same generation with one mapping reading from `connector` instead (fixtures).
    /// Starts loading every mapping's registry name frequencies that are due, in the
    /// background (`serve` at start and with each request).
    pub fn refresh_frequencies(&self) {
        for m in &self.mappings {
            crate::matching::retrieve::refresh_frequencies(&m.engine, &m.connector);
        }
    }

    /// Loads every mapping's registry name frequencies now (`respond`, one request at
    /// once): a registry that cannot give them leaves its mapping without, and says so.
    pub async fn load_frequencies(&self) {
        for m in &self.mappings {
            match crate::matching::retrieve::load_frequencies(&m.engine, m.connector.as_ref()).await
            {
                Ok(Some(table)) => m.engine.set_frequencies(table),
                Ok(None) => {}
                Err(e) => tracing::warn!(
                    mapping = %m.name,
                    code = e.code(),
                    error = %e,
                    "registry name frequencies could not be loaded; near spellings need corroboration"
                ),
            }
        }
    }

    pub fn with_connector(&self, mapping: &str, connector: Arc<dyn Connector>) -> MappingSet {
        let mappings = self
            .mappings
            .iter()
            .map(|m| {
                if m.name == mapping {
                    let mut changed = Mapping::clone(m);
                    changed.connector = connector.clone();
                    // Name frequencies describe the mapping's registry, not this one.
                    changed.engine = Arc::new(m.engine.without_frequencies());
                    if let Some(r) = &m.representation {
                        let mut r = Representation::clone(r);
                        r.engine = Arc::new(r.engine.without_frequencies());
                        changed.representation = Some(Arc::new(r));
                    }
                    Arc::new(changed)
                } else {
                    m.clone()
                }
            })
            .collect();
        MappingSet {
            mappings,
            renderer: self.renderer.clone(),
            generation: self.generation.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_model_keys_ignore_host_and_version_prefix() {
        assert_eq!(
            data_model_key(
                "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0"
            ),
            data_model_key(
                "https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0/"
            )
        );
        assert_ne!(
            data_model_key("https://sr.oots.tech.ec.europa.eu/datamodels/a"),
            data_model_key("https://sr.oots.tech.ec.europa.eu/datamodels/b")
        );
    }
}
