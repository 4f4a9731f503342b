//! The people a registry holds, built as families rather than as independent rows,
//! because the cases that make matching hard come from family structure: siblings share
//! a surname and an address, twins share a date and place of birth, a son may carry his
//! father's names ("junior"), cousins named after the same grandfather share a full
//! name, and a married woman's surname is her husband's while her birth surname is
//! another. Unrelated namesakes born the same day (different place of birth) are added
//! on purpose, as large populations have them.
//!
//! A lineage starts with a couple born 1930–1975; their children are born while the
//! mother is 19–44, up to 2010; adult children marry and found families of their own.
//!
//! One file per concept: `person` (what a person is), `address` (homes and post
//! codes), `surnames` (family-name lines and marriage), `given_names` (naming
//! customs), `family` (couples, children, adult life); this file makes and registers
//! persons and holds the population together.

mod address;
mod family;
mod given_names;
mod person;
mod surnames;

use std::collections::HashSet;

use crate::date::Date;
use crate::ids;
use crate::names::{self, Country, IdScheme};
use crate::rng::{Rng, Weighted};

pub use given_names::names_sex;
pub use person::{Address, Line, Person};

/// Share of deliveries that are twin births (European rates are 1.5–2 %).
pub const TWIN_BIRTHS: f64 = 0.017;
/// Share of lineages that get an unrelated namesake born the same day.
pub const DOPPELGANGER_PER_LINEAGE: f64 = 0.03;
/// Share of unmarried grown-up twins who share a home.
pub const TWINS_SHARING_A_HOME: f64 = 0.5;
/// `Person::family` of someone not (yet) in a couple of the data set.
pub const NO_FAMILY: usize = usize::MAX;
/// The date the population's ages refer to.
pub const REFERENCE_YEAR: i32 = 2025;

/// Every person generated, by lineage, with the state the generation draws on.
pub struct Population {
    pub countries: Vec<Country>,
    pub persons: Vec<Person>,
    pub families: usize,
    ids: HashSet<String>,
    rng: Rng,
    salt: u64,
    target: usize,
}

/// Children per family: 0 … 5.
const CHILDREN: [f64; 6] = [0.12, 0.22, 0.38, 0.18, 0.07, 0.03];

impl Population {
    /// About `target` persons of `countries`, lineage after lineage (countries weighted
    /// by size, jittered per seed), with the occasional unrelated namesake.
    pub fn generate(countries: Vec<Country>, target: usize, rng: &mut Rng) -> Population {
        let mut p = Population {
            countries,
            persons: Vec::with_capacity(target + 64),
            families: 0,
            ids: HashSet::new(),
            rng: rng.fork(0x5050),
            salt: rng.next_u64(),
            target,
        };
        let weights: Vec<f64> = p
            .countries
            .iter()
            .map(|c| c.data.weight * (0.15 * p.rng.normalish()).exp())
            .collect();
        let country_w = Weighted::new(&weights);
        while p.persons.len() < target {
            let c = country_w.sample(&mut p.rng);
            let start = p.persons.len();
            p.found_lineage(c);
            if p.rng.chance(DOPPELGANGER_PER_LINEAGE) && p.persons.len() > start {
                let of = start + p.rng.below(p.persons.len() - start);
                p.doppelganger(of);
            }
        }
        p.truncate(target);
        p
    }

    /// Keeps the first `n` persons, and forgets links to the ones dropped.
    fn truncate(&mut self, n: usize) {
        self.persons.truncate(n);
        let keep = |x: &mut Option<usize>| {
            if x.is_some_and(|i| i >= n) {
                *x = None;
            }
        };
        for person in &mut self.persons {
            keep(&mut person.twin_of);
            keep(&mut person.junior_of);
            keep(&mut person.doppelganger_of);
        }
    }

    fn country(&self, c: usize) -> &Country {
        &self.countries[c]
    }

    /// A fresh national identifier, unique in the population.
    fn new_id(
        &mut self,
        c: usize,
        dob: Date,
        male: bool,
        given: &[String],
        surname: &[String],
    ) -> String {
        let scheme = self.country(c).data.id;
        for _ in 0..1000 {
            let id = if scheme == IdScheme::CodiceFiscale {
                ids::codice_fiscale(
                    &surname.join(" "),
                    &given.join(" "),
                    dob,
                    male,
                    &mut self.rng,
                )
            } else {
                ids::national_id(scheme, dob, male, &mut self.rng)
            };
            if self.ids.insert(id.clone()) {
                return id;
            }
        }
        // Practically unreachable: a pseudonym never collides.
        let id = ids::national_id(IdScheme::Pseudonym, dob, male, &mut self.rng);
        self.ids.insert(id.clone());
        id
    }

    /// Registers a new person with the surname their line gives them and an identifier.
    #[allow(clippy::too_many_arguments)]
    fn push_person(
        &mut self,
        c: usize,
        male: bool,
        given: Vec<String>,
        line: Line,
        dob: Date,
        birth_place: usize,
        home: Address,
        father_given: String,
        mother_given: String,
        family: usize,
    ) -> usize {
        let surname = self.line_surname(c, &line, male);
        let national_id = self.new_id(c, dob, male, &given, &surname);
        self.persons.push(Person {
            country: c,
            male,
            given,
            birth_surname: surname.clone(),
            surname,
            line,
            dob,
            birth_place,
            home,
            national_id,
            father_given,
            mother_given,
            family,
            twin_of: None,
            junior_of: None,
            doppelganger_of: None,
        });
        self.persons.len() - 1
    }

    /// A person whose parents are not in the registry (a lineage founder or a spouse).
    fn founder(&mut self, c: usize, male: bool, year: i32) -> usize {
        let year = year.clamp(1930, 2007);
        let dob = Date::random_in_year(year, &mut self.rng);
        let father_given = self.imagined_given(c, true, year - 30);
        let mother_given = self.imagined_given(c, false, year - 27);
        let mut given = vec![self.imagined_given(c, male, year)];
        let customs = self.country(c).data.customs;
        if customs.patronymic {
            given.push(names::bulgarian_patronymic(&father_given, male));
        } else {
            self.more_given(c, male, year, &mut given);
        }
        let line = self.root_line(c);
        let place = self.countries[c].place(&mut self.rng);
        let city = self.countries[c].place(&mut self.rng);
        let home = self.new_address(c, city);
        self.push_person(
            c,
            male,
            given,
            line,
            dob,
            place,
            home,
            father_given,
            mother_given,
            NO_FAMILY,
        )
    }

    /// An unrelated person with the same names and date of birth as `of`: mostly born
    /// elsewhere, sometimes even in the same place.
    fn doppelganger(&mut self, of: usize) {
        let src = self.persons[of].clone();
        let c = src.country;
        let mut place = src.birth_place;
        if self.rng.chance(0.9) {
            for _ in 0..20 {
                place = self.countries[c].place(&mut self.rng);
                if place != src.birth_place {
                    break;
                }
            }
        }
        let city = self.countries[c].place(&mut self.rng);
        let home = self.new_address(c, city);
        let father_given = self.imagined_given(c, true, src.dob.y - 30);
        let mother_given = self.imagined_given(c, false, src.dob.y - 27);
        let family = NO_FAMILY;
        let national_id = self.new_id(c, src.dob, src.male, &src.given, &src.surname);
        self.persons.push(Person {
            birth_place: place,
            home,
            national_id,
            father_given,
            mother_given,
            family,
            twin_of: None,
            junior_of: None,
            doppelganger_of: Some(of),
            ..src
        });
    }
}
