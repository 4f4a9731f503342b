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

use std::collections::HashSet;

use crate::date::Date;
use crate::ids;
use crate::names::{self, Compound, Country, IdScheme};
use crate::rng::{Rng, Weighted};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub city: usize,
    pub street: usize,
    pub number: String,
    pub postcode: String,
}

/// The family-name line a person was born into: one entry of the country's list, or for
/// Spain and Portugal the list entries of each of the surnames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Entry(usize),
    Parts(Vec<usize>),
}

#[derive(Debug, Clone)]
pub struct Person {
    pub country: usize,
    pub male: bool,
    /// Given names in order (Bulgarians: the given name and the patronymic middle name).
    pub given: Vec<String>,
    /// The surname now (ES/PT: each surname separately).
    pub surname: Vec<String>,
    /// The surname at birth (differs after a change by marriage).
    pub birth_surname: Vec<String>,
    pub line: Line,
    pub dob: Date,
    pub birth_place: usize,
    pub home: Address,
    pub national_id: String,
    /// The father's and mother's first given names (imagined for the lineage founders).
    pub father_given: String,
    pub mother_given: String,
    /// The couple this person belongs to as a child, or as a spouse once married.
    pub family: usize,
    pub twin_of: Option<usize>,
    pub junior_of: Option<usize>,
    pub doppelganger_of: Option<usize>,
}

impl Person {
    pub fn surname_text(&self) -> String {
        self.surname.join(" ")
    }

    pub fn birth_surname_text(&self) -> String {
        self.birth_surname.join(" ")
    }

    /// Whether the current surname differs from the birth surname (a marriage).
    pub fn has_birth_name(&self) -> bool {
        self.surname != self.birth_surname
    }
}

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

    fn root_line(&mut self, c: usize) -> Line {
        let country = &self.countries[c];
        match country.data.compound {
            Compound::Single => Line::Entry(country.surname(&mut self.rng)),
            Compound::Spanish => {
                let a = country.surname(&mut self.rng);
                let b = country.surname(&mut self.rng);
                Line::Parts(vec![a, b])
            }
            Compound::Portuguese => {
                let n = if self.rng.chance(0.25) { 3 } else { 2 };
                let mut parts: Vec<usize> = Vec::new();
                while parts.len() < n {
                    let s = country.surname(&mut self.rng);
                    if !parts.contains(&s) {
                        parts.push(s);
                    }
                }
                Line::Parts(parts)
            }
        }
    }

    /// The surname a line gives a man or an unmarried woman.
    fn line_surname(&self, c: usize, line: &Line, male: bool) -> Vec<String> {
        let list = &self.country(c).surnames;
        match line {
            Line::Entry(i) => vec![if male {
                list[*i].male.clone()
            } else {
                list[*i].female.clone()
            }],
            Line::Parts(v) => v.iter().map(|i| list[*i].male.clone()).collect(),
        }
    }

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

    pub fn postcode(&self, c: usize, city: usize, street: usize) -> String {
        let country = self.country(c);
        let mut h = Rng::new(self.salt ^ (c as u64) << 40 ^ (city as u64) << 20 ^ street as u64);
        let prefix: Vec<char> = country.places[city].prefix.chars().collect();
        let mut k = 0;
        country
            .data
            .postcode
            .chars()
            .map(|t| match t {
                '#' => {
                    let d = prefix
                        .get(k)
                        .copied()
                        .unwrap_or_else(|| char::from(b'0' + h.below(10) as u8));
                    k += 1;
                    d
                }
                '@' => char::from(b'A' + h.below(26) as u8),
                other => other,
            })
            .collect()
    }

    pub fn new_address(&mut self, c: usize, city: usize) -> Address {
        let street = self.countries[c].street(&mut self.rng);
        let mut number = (1.0 + self.rng.unit().powi(2) * 160.0) as u32;
        if number == 0 {
            number = 1;
        }
        let mut number = number.to_string();
        if self.rng.chance(0.06) {
            number.push(*self.rng.pick(&['a', 'b', 'c', 'A', 'B']));
        }
        Address {
            postcode: self.postcode(c, city, street),
            city,
            street,
            number,
        }
    }

    fn imagined_given(&mut self, c: usize, male: bool, year: i32) -> String {
        self.countries[c].given(male, year, &mut self.rng)
    }

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

    /// Second (and for some, third) given names, as the country's custom has them.
    fn more_given(&mut self, c: usize, male: bool, year: i32, given: &mut Vec<String>) {
        let share = self.country(c).data.customs.second_given;
        let mut p = share;
        while given.len() < 3 && self.rng.chance(p) {
            for _ in 0..10 {
                let g = self.imagined_given(c, male, year);
                if !given
                    .iter()
                    .any(|x| x == &g || x.contains(&g) || g.contains(x.as_str()))
                {
                    given.push(g);
                    break;
                }
            }
            p = share * 0.35;
        }
    }

    fn found_lineage(&mut self, c: usize) {
        let year = self.rng.range(1930, 1975);
        let h = self.founder(c, true, year);
        let gap = self.rng.range(-2, 8);
        let w = self.founder(c, false, year + gap);
        self.family(h, w);
    }

    /// The surname a wife carries after the wedding, by her country's custom.
    fn married_surname(&mut self, h: usize, w: usize) -> Option<Vec<String>> {
        let c = self.persons[w].country;
        let customs = self.country(c).data.customs;
        let p = if self.persons[w].dob.y < 1960 {
            customs.marriage_change_old
        } else {
            customs.marriage_change_new
        };
        if !self.rng.chance(p) {
            return None;
        }
        let own = self.persons[w].birth_surname.clone();
        match (&self.persons[h].line, self.country(c).data.compound) {
            (Line::Parts(hp), Compound::Portuguese) => {
                let last = *hp.last()?;
                let mut v = own;
                v.push(self.country(c).surnames[last].male.clone());
                Some(v)
            }
            (Line::Parts(_), _) => None,
            (Line::Entry(i), _) => {
                let his = self.country(c).surnames[*i].wife.clone();
                if self.rng.chance(customs.double_surname) && own.len() == 1 && own[0] != his {
                    let joined = if self.rng.chance(0.5) {
                        format!("{}-{his}", own[0])
                    } else {
                        format!("{his}-{}", own[0])
                    };
                    Some(vec![joined])
                } else {
                    Some(vec![his])
                }
            }
        }
    }

    fn child_line(&self, h: usize, w: usize) -> Line {
        let (hl, wl) = (&self.persons[h].line, &self.persons[w].line);
        match (hl, wl) {
            (Line::Parts(hp), Line::Parts(wp)) => {
                let c = self.persons[h].country;
                match self.country(c).data.compound {
                    Compound::Portuguese => {
                        Line::Parts(vec![*wp.last().unwrap_or(&0), *hp.last().unwrap_or(&0)])
                    }
                    _ => Line::Parts(vec![hp[0], wp[0]]),
                }
            }
            (l, _) => l.clone(),
        }
    }

    /// Given names for a child by the naming customs: a "junior", the grandparents'
    /// names, or a fresh draw different from the siblings'.
    fn child_given(
        &mut self,
        c: usize,
        male: bool,
        year: i32,
        (h, w): (usize, usize),
        nth: usize,
        siblings: &[String],
    ) -> (Vec<String>, bool) {
        let customs = self.country(c).data.customs;
        let father = self.persons[h].given.clone();
        let mut chosen: Option<Vec<String>> = None;
        let mut junior = false;
        if male && nth == 0 && self.rng.chance(customs.junior) {
            junior = true;
            chosen = Some(if customs.patronymic {
                vec![father[0].clone()]
            } else {
                father.clone()
            });
        } else if nth < 2 && self.rng.chance(customs.grandparent_naming) {
            let parent = if nth == 0 { h } else { w };
            let name = if male {
                self.persons[parent].father_given.clone()
            } else {
                self.persons[parent].mother_given.clone()
            };
            chosen = Some(vec![name]);
        }
        let mut given = match chosen {
            Some(g) if !siblings.contains(&g[0]) => g,
            _ => {
                junior = false;
                let mut g = self.imagined_given(c, male, year);
                for _ in 0..20 {
                    if !siblings.contains(&g) {
                        break;
                    }
                    g = self.imagined_given(c, male, year);
                }
                vec![g]
            }
        };
        if customs.patronymic {
            given.truncate(1);
            given.push(names::bulgarian_patronymic(&father[0], male));
        } else if !junior {
            self.more_given(c, male, year, &mut given);
        }
        (given, junior)
    }

    fn family(&mut self, h: usize, w: usize) {
        let c = self.persons[h].country;
        let family = self.families;
        self.families += 1;
        if let Some(s) = self.married_surname(h, w) {
            self.persons[w].surname = s;
        }
        let city = if self.rng.chance(0.55) {
            self.persons[h].home.city
        } else {
            self.countries[c].place(&mut self.rng)
        };
        let home = self.new_address(c, city);
        self.persons[h].home = home.clone();
        self.persons[w].home = home.clone();
        self.persons[h].family = family;
        self.persons[w].family = family;

        let n = Weighted::new(&CHILDREN).sample(&mut self.rng);
        let mother_dob = self.persons[w].dob;
        let mut t = mother_dob.ordinal() + i64::from(self.rng.range(19 * 365, 27 * 365));
        let mut names: Vec<String> = Vec::new();
        let (mut sons, mut daughters) = (0, 0);
        let mut children = Vec::new();
        for k in 0..n {
            if k > 0 {
                t += i64::from(self.rng.range(320, 5 * 365));
            }
            let dob = Date::from_ordinal(t);
            if dob.y > 2010 || dob.y - mother_dob.y > 44 || self.persons.len() > self.target + 64 {
                break;
            }
            let place = if self.rng.chance(0.8) {
                home.city
            } else {
                self.countries[c].place(&mut self.rng)
            };
            let twins = self.rng.chance(TWIN_BIRTHS);
            let first_male = self.rng.chance(0.513);
            let sexes: Vec<bool> = if twins {
                let second = if self.rng.chance(2.0 / 3.0) {
                    first_male
                } else {
                    !first_male
                };
                vec![first_male, second]
            } else {
                vec![first_male]
            };
            let pair = if twins && self.rng.chance(0.35) {
                self.twin_pair(c, sexes[0], sexes[1])
            } else {
                None
            };
            let mut born = Vec::new();
            for (j, &male) in sexes.iter().enumerate() {
                let nth = if male { sons } else { daughters };
                let (given, junior) = match &pair {
                    Some((a, b)) if !names.contains(a) && !names.contains(b) => {
                        let mut g = vec![if j == 0 { a.clone() } else { b.clone() }];
                        if self.country(c).data.customs.patronymic {
                            let f = self.persons[h].given[0].clone();
                            g.push(names::bulgarian_patronymic(&f, male));
                        }
                        (g, false)
                    }
                    _ => self.child_given(c, male, dob.y, (h, w), nth, &names),
                };
                names.push(given[0].clone());
                let line = self.child_line(h, w);
                let father_given = self.persons[h].given[0].clone();
                let mother_given = self.persons[w].given[0].clone();
                let i = self.push_person(
                    c,
                    male,
                    given,
                    line,
                    dob,
                    place,
                    home.clone(),
                    father_given,
                    mother_given,
                    family,
                );
                if junior {
                    self.persons[i].junior_of = Some(h);
                }
                if male {
                    sons += 1;
                } else {
                    daughters += 1;
                }
                born.push(i);
            }
            if let [a, b] = born[..] {
                self.persons[a].twin_of = Some(b);
                self.persons[b].twin_of = Some(a);
            }
            children.extend(born);
        }
        for &child in &children {
            self.adult_life(child, home.city);
        }
        // Grown-up twins who both left home unmarried sometimes share one.
        for &a in &children {
            let Some(b) = self.persons[a].twin_of else {
                continue;
            };
            let single =
                |x: usize| self.persons[x].family == family && self.persons[x].home != home;
            if a < b && single(a) && single(b) && self.rng.chance(TWINS_SHARING_A_HOME) {
                self.persons[b].home = self.persons[a].home.clone();
            }
        }
    }

    /// A twin pair from the country's list for these sexes (order as born).
    fn twin_pair(&mut self, c: usize, a: bool, b: bool) -> Option<(String, String)> {
        let country = self.country(c);
        let sex = |n: &str| names_sex(country, n);
        let fits: Vec<(String, String)> = country
            .twins
            .iter()
            .filter_map(|(x, y)| match (sex(x), sex(y)) {
                (Some(sx), Some(sy)) if sx == a && sy == b => Some((x.clone(), y.clone())),
                (Some(sx), Some(sy)) if sx == b && sy == a => Some((y.clone(), x.clone())),
                _ => None,
            })
            .collect();
        if fits.is_empty() {
            None
        } else {
            Some(self.rng.pick(&fits).clone())
        }
    }

    /// Where a grown child lives, and whether they marry.
    fn adult_life(&mut self, i: usize, parents_city: usize) {
        let c = self.persons[i].country;
        let age = REFERENCE_YEAR - self.persons[i].dob.y;
        if age < 24 || (age < 32 && self.rng.chance(0.25)) {
            return;
        }
        let marry = (f64::from(age - 22) * 0.1).min(0.8);
        if self.persons.len() <= self.target + 64 && self.rng.chance(marry) {
            let male = self.persons[i].male;
            let y = self.persons[i].dob.y;
            if male {
                let gap = self.rng.range(-2, 6);
                let w = self.founder(c, false, y + gap);
                self.family(i, w);
            } else {
                let gap = self.rng.range(-1, 7);
                let h = self.founder(c, true, y - gap);
                self.family(h, i);
            }
            return;
        }
        let city = if self.rng.chance(0.5) {
            parents_city
        } else {
            self.countries[c].place(&mut self.rng)
        };
        self.persons[i].home = self.new_address(c, city);
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

/// A given name's sex by the country's lists (`None` when in both or neither).
pub fn names_sex(country: &Country, name: &str) -> Option<bool> {
    let m = country.male.iter().any(|x| x == name);
    let f = country.female.iter().any(|x| x == name);
    match (m, f) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_twin_name_has_a_sex() {
        let mut rng = Rng::new(1);
        for data in names::all() {
            let c = Country::new(data, &mut rng);
            for (a, b) in &c.twins {
                assert!(names_sex(&c, a).is_some(), "{}: twin name {a}", data.code);
                assert!(names_sex(&c, b).is_some(), "{}: twin name {b}", data.code);
                assert_ne!(a, b, "{}", data.code);
            }
        }
    }
}
