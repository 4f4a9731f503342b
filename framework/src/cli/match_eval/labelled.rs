//! The labelled data of a `match-eval` run: the registry and request CSVs, which rows
//! of them take part (the id filters), each request's true partners in the registry,
//! and the partners removed from it for the absent scenario.

use std::collections::{BTreeSet, HashMap};

use rand::SeedableRng;
use rand::seq::SliceRandom;

use super::csv::Csv;
use super::{CliError, Options};

/// The CSVs of a run and what the true links say about them.
pub(super) struct Labelled {
    pub(super) registry: Csv,
    /// `None` when the requests are read from the registry file.
    requests: Option<Csv>,
    /// Only registry rows whose id contains this.
    pub(super) reg_filter: Option<String>,
    /// Only request rows whose id contains this.
    req_filter: Option<String>,
    /// The id column of the registry CSV.
    pub(super) reg_id: usize,
    /// The id column of the request CSV.
    pub(super) req_id: usize,
    /// True partners present in the registry, per request id.
    pub(super) partners: HashMap<String, BTreeSet<String>>,
    /// The partners removed from the registry: requests for them must be refused.
    pub(super) removed: BTreeSet<String>,
}

impl Labelled {
    /// Reads the CSVs and the true links, and draws the partners to remove.
    pub(super) fn read(o: &Options) -> Result<Labelled, CliError> {
        let same = o.registry == o.requests;
        let registry = Csv::read(&o.registry)?;
        let requests = if same {
            None
        } else {
            Some(Csv::read(&o.requests)?)
        };
        // With one file for both, the FEBRL originals are the registry and the
        // duplicates the requests.
        let default =
            |f: &Option<String>, d: &str| f.clone().or_else(|| same.then(|| d.to_owned()));
        let id_of = |csv: &Csv| -> Result<usize, CliError> {
            csv.column(&o.id_column)
                .ok_or_else(|| CliError::other(format!("no `{}` column", o.id_column)))
        };
        let reg_id = id_of(&registry)?;
        let req_id = id_of(requests.as_ref().unwrap_or(&registry))?;
        let mut data = Labelled {
            registry,
            requests,
            reg_filter: default(&o.registry_filter, "-org"),
            req_filter: default(&o.requests_filter, "-dup-"),
            reg_id,
            req_id,
            partners: HashMap::new(),
            removed: BTreeSet::new(),
        };
        data.partners = data.partners_of(&Csv::read(&o.truth)?);
        data.removed = data.absent_share(o.absent_fraction, o.seed);
        Ok(data)
    }

    /// The request CSV.
    pub(super) fn requests(&self) -> &Csv {
        self.requests.as_ref().unwrap_or(&self.registry)
    }

    /// Whether a registry row takes part.
    pub(super) fn in_registry(&self, id: &str) -> bool {
        keep(id, &self.reg_filter)
    }

    /// Whether a request row takes part.
    pub(super) fn is_request(&self, id: &str) -> bool {
        keep(id, &self.req_filter)
    }

    /// Each request's true partners that are registry rows taking part.
    fn partners_of(&self, truth: &Csv) -> HashMap<String, BTreeSet<String>> {
        let registry_ids: BTreeSet<&str> = self
            .registry
            .rows
            .iter()
            .map(|r| r[self.reg_id].as_str())
            .filter(|id| self.in_registry(id))
            .collect();
        let mut partners: HashMap<String, BTreeSet<String>> = HashMap::new();
        for pair in &truth.rows {
            let (a, b) = (pair[0].trim(), pair.get(1).map(|s| s.trim()).unwrap_or(""));
            for (x, y) in [(a, b), (b, a)] {
                if registry_ids.contains(y) && self.is_request(x) {
                    partners
                        .entry(x.to_owned())
                        .or_default()
                        .insert(y.to_owned());
                }
            }
        }
        partners
    }

    /// The absent scenario: a share of the partners, drawn with the run's seed.
    fn absent_share(&self, fraction: f64, seed: u64) -> BTreeSet<String> {
        let mut all_partners: Vec<&String> = self
            .partners
            .values()
            .flatten()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        all_partners.shuffle(&mut rng);
        all_partners
            .iter()
            .take((all_partners.len() as f64 * fraction.clamp(0.0, 1.0)).round() as usize)
            .map(|s| (*s).clone())
            .collect()
    }
}

/// Whether an id passes a filter (no filter: every id).
fn keep(id: &str, filter: &Option<String>) -> bool {
    filter.as_deref().is_none_or(|f| id.contains(f))
}
