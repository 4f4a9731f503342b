//! A European development data set for identity matching, produced from a seed.
//!
//! The matching engine must find exactly the person an eIDAS request names, or refuse.
//! FEBRL (Australian, ASCII, no families) cannot show what European registries make
//! hard: Greek and Cyrillic registries queried in Latin script, diacritics and their
//! ICAO capitals, gendered and compound surnames, married names, twins, juniors and
//! namesakes. This crate generates such a registry, requests about a sample of its
//! persons, and the true links, so that a configuration can be tuned on one seed and
//! judged on another. Same seed, same bytes; nothing here depends on a crate that could
//! change them.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod csv;
pub mod date;
pub mod ids;
pub mod names;
pub mod noise;
pub mod population;
pub mod rng;
pub mod summary;
pub mod translit;

use std::fmt;
use std::path::Path;

use names::Country;
use noise::{COLUMNS, Row};
use population::Population;
use rng::Rng;
use summary::Json;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub persons: usize,
    pub requests: usize,
    /// Country codes; empty for every country the generator knows.
    pub countries: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 1,
            persons: 30_000,
            requests: 6_000,
            countries: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub enum Error {
    Usage(String),
    Io(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::Io(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// A generated data set.
pub struct Dataset {
    pub registry: Vec<Row>,
    pub requests: Vec<Row>,
    /// (request id, registry id), one per request.
    pub truth: Vec<(String, String)>,
    pub summary: Json,
    /// The population behind the rows (for tests and inspection).
    pub population: Population,
    /// For each request, the index of its person in `population.persons`.
    pub request_person: Vec<usize>,
    /// For each person, the index of their row in `registry`.
    pub registry_index: Vec<usize>,
}

/// Generates the data set of `o.seed`: the population, its registry rows (shuffled), the
/// requests about a sample of it, the true links and the summary.
pub fn generate(o: &Options) -> Result<Dataset, Error> {
    if o.persons == 0 {
        return Err(Error::Usage("--persons must be at least 1".into()));
    }
    let selected = select_countries(&o.countries)?;
    // One stream per stage, forked in this order, so that a stage's draws never shift
    // another's.
    let mut rng = Rng::new(o.seed);
    let mut list_rng = rng.fork(0x1157);
    let countries: Vec<Country> = selected
        .iter()
        .map(|d| Country::new(d, &mut list_rng))
        .collect();
    let mut pop_rng = rng.fork(0x9090);
    let population = Population::generate(countries, o.persons, &mut pop_rng);
    let mut noise_rng = rng.fork(0x7777);
    let built = noise::build(&population, o.requests, &mut noise_rng);
    let (registry, registry_index) = shuffle_registry(&built.registry, &mut rng.fork(0x5417));
    let (requests, truth, request_person) =
        number_requests(built.requests, &registry, &registry_index);
    let summary = summarize(
        o.seed,
        &population,
        &built.counts,
        &registry,
        &requests,
        &request_person,
    );
    Ok(Dataset {
        registry,
        requests,
        truth,
        summary,
        population,
        request_person,
        registry_index,
    })
}

/// The countries asked for, in the order given (every known one when none is).
fn select_countries(codes: &[String]) -> Result<Vec<&'static names::CountryData>, Error> {
    let known = names::all();
    if codes.is_empty() {
        return Ok(known.to_vec());
    }
    codes
        .iter()
        .map(|code| {
            let code = code.trim().to_uppercase();
            known
                .iter()
                .copied()
                .find(|d| d.code == code)
                .ok_or_else(|| {
                    let all: Vec<&str> = known.iter().map(|d| d.code).collect();
                    Error::Usage(format!(
                        "unknown country `{code}` (known: {})",
                        all.join(",")
                    ))
                })
        })
        .collect()
}

/// The registry rows in shuffled order, numbered `p-<n>`, so that a record id says
/// nothing about the family; with each person's position in it.
fn shuffle_registry(rows: &[Row], shuffle: &mut Rng) -> (Vec<Row>, Vec<usize>) {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    for i in (1..order.len()).rev() {
        let j = shuffle.below(i + 1);
        order.swap(i, j);
    }
    let mut registry_index = vec![0; order.len()];
    let mut registry = Vec::with_capacity(order.len());
    for (pos, &pi) in order.iter().enumerate() {
        let mut row = rows[pi].clone();
        row.rec_id = format!("p-{}", pos + 1);
        registry_index[pi] = pos;
        registry.push(row);
    }
    (registry, registry_index)
}

/// The requests numbered `q-<n>`, with the true link of each and the person it is about.
fn number_requests(
    built: Vec<(usize, Row)>,
    registry: &[Row],
    registry_index: &[usize],
) -> (Vec<Row>, Vec<(String, String)>, Vec<usize>) {
    let mut requests = Vec::with_capacity(built.len());
    let mut truth = Vec::with_capacity(built.len());
    let mut request_person = Vec::with_capacity(built.len());
    for (k, (pi, mut row)) in built.into_iter().enumerate() {
        row.rec_id = format!("q-{}", k + 1);
        truth.push((
            row.rec_id.clone(),
            registry[registry_index[pi]].rec_id.clone(),
        ));
        request_person.push(pi);
        requests.push(row);
    }
    (requests, truth, request_person)
}

/// `summary.json`: sizes, persons and requests per country, family structure, registry
/// habits, request spellings and attributes, and every noise kind's rates.
fn summarize(
    seed: u64,
    population: &Population,
    counts: &noise::Counts,
    registry: &[Row],
    requests: &[Row],
    request_person: &[usize],
) -> Json {
    let per_country = Json::obj(population.countries.iter().enumerate().map(|(ci, c)| {
        let persons = population
            .persons
            .iter()
            .filter(|p| p.country == ci)
            .count();
        let reqs = request_person
            .iter()
            .filter(|&&pi| population.persons[pi].country == ci)
            .count();
        (
            c.data.code,
            Json::obj([
                ("persons", Json::Int(persons as u64)),
                ("requests", Json::Int(reqs as u64)),
            ]),
        )
    }));
    Json::obj([
        ("generator", Json::Str("oots-europe-data".into())),
        ("seed", Json::Int(seed)),
        ("persons", Json::Int(registry.len() as u64)),
        ("requests", Json::Int(requests.len() as u64)),
        ("countries", per_country),
        ("structure", summary::structure(population)),
        ("registry", summary::counts(&counts.registry)),
        ("request_spelling", summary::counts(&counts.spelling)),
        (
            "request_attributes_present",
            summary::counts(&counts.presence),
        ),
        ("noise", summary::noise(counts)),
    ])
}

impl Dataset {
    pub fn registry_csv(&self) -> String {
        csv::document(&COLUMNS, self.registry.iter().map(|r| r.fields().to_vec()))
    }

    pub fn requests_csv(&self) -> String {
        csv::document(&COLUMNS, self.requests.iter().map(|r| r.fields().to_vec()))
    }

    pub fn truth_csv(&self) -> String {
        csv::document(
            &["request_id", "registry_id"],
            self.truth.iter().map(|(a, b)| vec![a.as_str(), b.as_str()]),
        )
    }

    /// Writes `registry.csv`, `requests.csv`, `truth.csv` and `summary.json` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let io = |e: std::io::Error| Error::Io(format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(io)?;
        for (name, text) in [
            ("registry.csv", self.registry_csv()),
            ("requests.csv", self.requests_csv()),
            ("truth.csv", self.truth_csv()),
            ("summary.json", self.summary.render()),
        ] {
            std::fs::write(dir.join(name), text).map_err(io)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::OnceLock;

    use super::*;
    use crate::translit::{has_non_latin_letter, is_cyrillic, is_greek};

    /// The 30,000-person set of seed 1, built once for the tests that read it.
    fn seed1() -> &'static Dataset {
        static SET: OnceLock<Dataset> = OnceLock::new();
        SET.get_or_init(|| generate(&Options::default()).expect("generates"))
    }

    fn small(seed: u64) -> Dataset {
        generate(&Options {
            seed,
            persons: 3_000,
            requests: 600,
            countries: Vec::new(),
        })
        .expect("generates")
    }

    #[test]
    fn same_seed_same_bytes() {
        let (a, b) = (small(7), small(7));
        assert_eq!(a.registry_csv(), b.registry_csv());
        assert_eq!(a.requests_csv(), b.requests_csv());
        assert_eq!(a.truth_csv(), b.truth_csv());
        assert_eq!(a.summary.render(), b.summary.render());
    }

    #[test]
    fn different_seeds_different_populations() {
        let (a, b) = (small(1), small(2));
        assert_ne!(a.registry_csv(), b.registry_csv());
        // Not a shuffle of the same people: most (name, date) combinations differ.
        let key = |d: &Dataset| -> BTreeSet<(String, String, String)> {
            d.registry
                .iter()
                .map(|r| {
                    (
                        r.given_name.clone(),
                        r.surname.clone(),
                        r.date_of_birth.clone(),
                    )
                })
                .collect()
        };
        let (ka, kb) = (key(&a), key(&b));
        let shared = ka.intersection(&kb).count();
        assert!(
            shared * 20 < ka.len(),
            "{shared} of {} persons shared",
            ka.len()
        );
        assert_ne!(a.summary.render(), b.summary.render());
    }

    #[test]
    fn every_country_present_in_registry_and_requests() {
        let d = seed1();
        let reg: BTreeSet<&str> = d.registry.iter().map(|r| r.country.as_str()).collect();
        let req: BTreeSet<&str> = d.requests.iter().map(|r| r.country.as_str()).collect();
        for c in names::all() {
            assert!(reg.contains(c.code), "{} missing from the registry", c.code);
            assert!(req.contains(c.code), "{} missing from the requests", c.code);
        }
        assert!(reg.len() >= 10);
    }

    #[test]
    fn scripts_native_in_registry_latin_in_requests() {
        let d = seed1();
        for r in &d.registry {
            let names = format!("{} {}", r.given_name, r.surname);
            match r.country.as_str() {
                "GR" => {
                    assert!(names.chars().any(is_greek), "{r:?}");
                    assert!(r.place_of_birth.chars().any(is_greek), "{r:?}");
                }
                "BG" => {
                    assert!(names.chars().any(is_cyrillic), "{r:?}");
                    assert!(r.place_of_birth.chars().any(is_cyrillic), "{r:?}");
                }
                _ => assert!(!has_non_latin_letter(&names), "{r:?}"),
            }
        }
        for r in &d.requests {
            for f in r.fields() {
                assert!(!has_non_latin_letter(f), "{f} in {r:?}");
            }
        }
        // GR/BG requests really are transliterations, not copies.
        assert!(
            d.requests
                .iter()
                .any(|r| r.country == "GR" && r.surname.is_ascii())
        );
    }

    #[test]
    fn twins_and_homonyms_present() {
        let d = seed1();
        let reg = &d.registry;
        // Twins: same date and place of birth and address, different given names.
        type Key<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);
        let mut by_key: BTreeMap<Key, Vec<&Row>> = BTreeMap::new();
        for r in reg {
            by_key
                .entry((
                    &r.country,
                    &r.date_of_birth,
                    &r.place_of_birth,
                    &r.postcode,
                    &r.street,
                    &r.house_number,
                ))
                .or_default()
                .push(r);
        }
        let twin_groups: Vec<_> = by_key
            .values()
            .filter(|g| g.len() >= 2 && g[0].given_name != g[1].given_name)
            .collect();
        assert!(
            twin_groups.len() >= 60,
            "{} twins at one address",
            twin_groups.len()
        );
        assert!(twin_groups.iter().any(|g| g[0].gender != g[1].gender));
        assert!(twin_groups.iter().any(|g| g[0].gender == g[1].gender));
        let pairs = d
            .population
            .persons
            .iter()
            .filter(|p| p.twin_of.is_some())
            .count()
            / 2;
        let share = 2.0 * pairs as f64 / d.population.persons.len() as f64;
        assert!(
            (0.015..0.05).contains(&share),
            "persons in twin pairs: {share}"
        );

        // Homonyms: same names, different dates; juniors at their father's address.
        let mut names: BTreeMap<(&str, &str, &str), BTreeSet<&str>> = BTreeMap::new();
        for r in reg {
            names
                .entry((&r.country, &r.given_name, &r.surname))
                .or_default()
                .insert(&r.date_of_birth);
        }
        assert!(names.values().filter(|dates| dates.len() >= 2).count() >= 200);
        let juniors_home = d
            .population
            .persons
            .iter()
            .filter(|p| {
                p.junior_of
                    .is_some_and(|f| d.population.persons[f].home == p.home)
            })
            .count();
        assert!(juniors_home >= 20, "{juniors_home} juniors at home");
        // Same names and date of birth, different place of birth.
        let mut same_day: BTreeMap<(&str, &str, &str, &str), BTreeSet<&str>> = BTreeMap::new();
        for r in reg {
            same_day
                .entry((&r.country, &r.given_name, &r.surname, &r.date_of_birth))
                .or_default()
                .insert(&r.place_of_birth);
        }
        assert!(same_day.values().filter(|places| places.len() >= 2).count() >= 10);
        // Married women with their birth name in the registry.
        assert!(reg.iter().filter(|r| !r.birth_name.is_empty()).count() >= 2_000);
        // Partial dates, about 1 %.
        let partial = reg
            .iter()
            .filter(|r| r.date_of_birth.ends_with("00"))
            .count();
        assert!((150..600).contains(&partial), "{partial} partial dates");
    }

    #[test]
    fn noise_rates_near_the_stated_ones() {
        let d = seed1();
        let Json::Obj(top) = &d.summary else {
            panic!("summary is an object")
        };
        let noise = top.iter().find(|(k, _)| k == "noise").map(|(_, v)| v);
        let Some(Json::Obj(kinds)) = noise else {
            panic!("no noise section")
        };
        assert_eq!(kinds.len(), noise::NOISE.len());
        for (name, v) in kinds {
            let Json::Obj(fields) = v else { panic!() };
            let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let (Some(Json::Num(stated)), Some(Json::Num(rate)), Some(Json::Int(eligible))) =
                (get("stated_rate"), get("rate"), get("eligible"))
            else {
                panic!("{name}: fields")
            };
            assert!(eligible >= 100, "{name}: only {eligible} eligible");
            assert!(
                (rate - stated).abs() <= 0.5 * stated,
                "{name}: rate {rate} against stated {stated}"
            );
        }
        // Most requests clean: no noise at all on names and date.
        let clean = d
            .requests
            .iter()
            .zip(&d.request_person)
            .filter(|&(r, &pi)| {
                let p = &d.population.persons[pi];
                r.date_of_birth == p.dob.yyyymmdd()
                    && d.registry[d.registry_index[pi]].date_of_birth == p.dob.yyyymmdd()
            })
            .count();
        assert!(clean * 100 > 95 * d.requests.len());
    }

    #[test]
    fn truth_and_ids() {
        let d = seed1();
        assert_eq!(d.truth.len(), d.requests.len());
        let reg_ids: BTreeSet<&str> = d.registry.iter().map(|r| r.rec_id.as_str()).collect();
        assert_eq!(reg_ids.len(), d.registry.len());
        let req_ids: BTreeSet<&str> = d.requests.iter().map(|r| r.rec_id.as_str()).collect();
        assert_eq!(req_ids.len(), d.requests.len());
        assert!(req_ids.is_disjoint(&reg_ids));
        for ((q, p), r) in d.truth.iter().zip(&d.requests) {
            assert_eq!(q, &r.rec_id);
            assert!(reg_ids.contains(p.as_str()));
        }
        // Every request's person is the truth's registry row, and the identifiers agree
        // where the registry holds one.
        for (k, &pi) in d.request_person.iter().enumerate() {
            let reg = &d.registry[d.registry_index[pi]];
            assert_eq!(reg.rec_id, d.truth[k].1);
            assert!(reg.person_id.is_empty() || reg.person_id == d.requests[k].person_id);
            assert_eq!(reg.country, d.requests[k].country);
        }
        let held = d
            .registry
            .iter()
            .filter(|r| !r.person_id.is_empty())
            .count();
        assert!((0.45..0.55).contains(&(held as f64 / d.registry.len() as f64)));
        let ids: BTreeSet<&str> = d
            .registry
            .iter()
            .filter(|r| !r.person_id.is_empty())
            .map(|r| r.person_id.as_str())
            .collect();
        assert_eq!(ids.len(), held, "person identifiers are unique");
        assert!(d.summary.render().contains("\"noise\""));
        assert!(
            d.registry_csv()
                .starts_with("rec_id,given_name,surname,birth_name,")
        );
        assert!(d.truth_csv().starts_with("request_id,registry_id\nq-1,p-"));
    }

    #[test]
    fn unknown_country_is_refused() {
        let o = Options {
            countries: vec!["XX".into()],
            ..Options::default()
        };
        assert!(matches!(generate(&o), Err(Error::Usage(_))));
    }
}
