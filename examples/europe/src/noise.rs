//! The registry's rows and the requests' rows, and every way the two differ.
//!
//! A registry row is a person as the national register writes them: native script,
//! sometimes in capitals, sometimes a partial date, an identifier for half of them. A
//! request row is the same person as their eID states them, always in Latin script,
//! transliterated by one of the schemes documents really use. On top of these honest
//! differences come mistakes, each drawn independently at the rate stated in [`NOISE`],
//! on whichever side real data put them: a typing error is sometimes the registry's, a
//! marriage the registry has not recorded is the registry's, a name given swapped is the
//! requester's. Most requests stay clean, as eID data mostly are.

use crate::date::Date;
use crate::names::{Compound, Script};
use crate::population::{Address, Person, Population};
use crate::rng::Rng;
use crate::translit::{self, CyrillicScheme, GreekPopular, GreekScheme};

/// The columns of both CSV files, in order.
pub const COLUMNS: [&str; 13] = [
    "rec_id",
    "given_name",
    "surname",
    "birth_name",
    "date_of_birth",
    "place_of_birth",
    "gender",
    "postcode",
    "city",
    "street",
    "house_number",
    "person_id",
    "country",
];

/// One row of either file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub rec_id: String,
    pub given_name: String,
    pub surname: String,
    pub birth_name: String,
    pub date_of_birth: String,
    pub place_of_birth: String,
    pub gender: String,
    pub postcode: String,
    pub city: String,
    pub street: String,
    pub house_number: String,
    pub person_id: String,
    pub country: String,
}

impl Row {
    pub fn fields(&self) -> [&str; 13] {
        [
            &self.rec_id,
            &self.given_name,
            &self.surname,
            &self.birth_name,
            &self.date_of_birth,
            &self.place_of_birth,
            &self.gender,
            &self.postcode,
            &self.city,
            &self.street,
            &self.house_number,
            &self.person_id,
            &self.country,
        ]
    }
}

/// The kinds of noise, each applied independently at its stated rate to the requests
/// that can show it ("eligible").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Noise {
    SurnameTypo,
    GivenNameTypo,
    NamesSwapped,
    SecondGivenNameDropped,
    CompoundSurnameHalf,
    MarriageNotRegistered,
    EidBeforeMarriage,
    DateOfBirthTypo,
    MissingDiacritics,
    Casing,
    PlaceOfBirthExonym,
    AddressMoved,
}

/// Every kind: name in `summary.json`, rate, and what it is eligible for.
pub const NOISE: [(Noise, &str, f64, &str); 12] = [
    (
        Noise::SurnameTypo,
        "surname_typo",
        0.03,
        "all requests; one substitution (a neighbouring key), insertion, deletion or transposition; on the registry's side in a third of cases",
    ),
    (
        Noise::GivenNameTypo,
        "given_name_typo",
        0.03,
        "all requests; as surname_typo, in the given name",
    ),
    (
        Noise::NamesSwapped,
        "names_swapped",
        0.015,
        "all requests; family and given name exchanged in the request",
    ),
    (
        Noise::SecondGivenNameDropped,
        "second_given_name_dropped",
        0.15,
        "persons with two or more given names; the request carries only the first",
    ),
    (
        Noise::CompoundSurnameHalf,
        "compound_surname_half",
        0.10,
        "ES/PT persons with two or more surnames; the request carries one of them (ES mostly the first, PT mostly the last)",
    ),
    (
        Noise::MarriageNotRegistered,
        "marriage_not_registered",
        0.08,
        "persons whose surname changed by marriage; the registry still holds the birth surname and no birth name, the request the married surname (with birth_name in 80 % of cases)",
    ),
    (
        Noise::EidBeforeMarriage,
        "eid_before_marriage",
        0.04,
        "persons whose surname changed by marriage (and not marriage_not_registered); the eID still carries the birth surname",
    ),
    (
        Noise::DateOfBirthTypo,
        "date_of_birth_typo",
        0.01,
        "all requests; one digit wrong, two neighbouring digits exchanged, or day and month exchanged; on the registry's side in half of cases (a calendar date either way)",
    ),
    (
        Noise::MissingDiacritics,
        "missing_diacritics",
        0.05,
        "requests whose names carry diacritics; the request has none",
    ),
    (
        Noise::Casing,
        "casing",
        0.03,
        "all requests; the names' case changed (capitals, lower case or title case)",
    ),
    (
        Noise::PlaceOfBirthExonym,
        "place_of_birth_exonym",
        0.15,
        "requests carrying a place of birth that has another usual name; the request uses that (Munich, Åbo, La Coruña, Athens)",
    ),
    (
        Noise::AddressMoved,
        "address_moved",
        0.10,
        "requests carrying an address; the registry holds an older one",
    ),
];

/// How often a request carries each optional attribute (the minimum data set, gender
/// aside, is always there; eIDAS makes the rest optional).
pub const PRESENCE: [(&str, f64); 5] = [
    ("birth_name", 0.4),
    ("place_of_birth", 0.35),
    ("gender", 0.7),
    ("address", 0.25),
    ("person_id", 1.0),
];

/// Share of registry rows holding the person identifier.
pub const REGISTRY_HOLDS_ID: f64 = 0.5;
/// Share of Romanian registry rows written with cedillas (ş, ţ).
pub const ROMANIAN_CEDILLA: f64 = 0.35;

/// Places with another usual name (native → other).
const EXONYMS: &[(&str, &str)] = &[
    ("Αθήνα", "Athens"),
    ("Πειραιάς", "Piraeus"),
    ("Πάτρα", "Patras"),
    ("Ηράκλειο", "Heraklion"),
    ("Κέρκυρα", "Corfu"),
    ("Ρόδος", "Rhodes"),
    ("Θεσσαλονίκη", "Salonica"),
    ("Русе", "Rousse"),
    ("Бургас", "Bourgas"),
    ("Шумен", "Shoumen"),
    ("München", "Munich"),
    ("Köln", "Cologne"),
    ("Nürnberg", "Nuremberg"),
    ("Frankfurt am Main", "Frankfurt"),
    ("Hannover", "Hanover"),
    ("Braunschweig", "Brunswick"),
    ("Halle (Saale)", "Halle"),
    ("Freiburg im Breisgau", "Freiburg"),
    ("Saint-Étienne", "St-Étienne"),
    ("Saint-Denis", "St Denis"),
    ("Saint-Malo", "St-Malo"),
    ("A Coruña", "La Coruña"),
    ("San Sebastián", "Donostia"),
    ("Vitoria-Gasteiz", "Vitoria"),
    ("Girona", "Gerona"),
    ("Lleida", "Lérida"),
    ("Ourense", "Orense"),
    ("Alicante", "Alacant"),
    ("Castellón de la Plana", "Castelló de la Plana"),
    ("Palma", "Palma de Mallorca"),
    ("Sevilla", "Seville"),
    ("Elche", "Elx"),
    ("Roma", "Rome"),
    ("Milano", "Milan"),
    ("Napoli", "Naples"),
    ("Torino", "Turin"),
    ("Firenze", "Florence"),
    ("Venezia", "Venice"),
    ("Genova", "Genoa"),
    ("Padova", "Padua"),
    ("Bolzano", "Bozen"),
    ("Warszawa", "Warsaw"),
    ("Kraków", "Cracow"),
    ("Gdańsk", "Danzig"),
    ("Praha", "Prague"),
    ("Plzeň", "Pilsen"),
    ("České Budějovice", "Budweis"),
    ("Göteborg", "Gothenburg"),
    ("Den Haag", "'s-Gravenhage"),
    ("'s-Hertogenbosch", "Den Bosch"),
    ("Lisboa", "Lisbon"),
    ("Porto", "Oporto"),
    ("București", "Bucharest"),
    ("Cluj-Napoca", "Cluj"),
    ("Helsinki", "Helsingfors"),
    ("Turku", "Åbo"),
    ("Vaasa", "Vasa"),
    ("Oulu", "Uleåborg"),
    ("Porvoo", "Borgå"),
    ("Espoo", "Esbo"),
    ("Vantaa", "Vanda"),
    ("Tampere", "Tammerfors"),
    ("Kokkola", "Karleby"),
    ("Kirkkonummi", "Kyrkslätt"),
];

/// Counts of one noise kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoiseCount {
    pub eligible: usize,
    pub applied: usize,
    /// Of `applied`, the cases where the registry holds the wrong value.
    pub on_registry: usize,
}

/// What the build counted, for `summary.json`.
#[derive(Debug, Clone)]
pub struct Counts {
    pub noise: [NoiseCount; 12],
    /// (name, count) in a fixed order.
    pub spelling: Vec<(&'static str, usize)>,
    pub presence: Vec<(&'static str, usize)>,
    pub registry: Vec<(&'static str, usize)>,
}

impl Counts {
    /// Every key present from the start, so that `summary.json` lists them in one order
    /// whatever the seed.
    fn new() -> Counts {
        let zero = |keys: &[&'static str]| keys.iter().map(|k| (*k, 0)).collect();
        Counts {
            noise: [NoiseCount::default(); 12],
            spelling: zero(&[
                "latin_as_written",
                "latin_capitals",
                "latin_icao9303_capitals",
                "greek_elot743",
                "greek_popular",
                "bulgarian_2009",
                "bulgarian_icao9303",
                "bulgarian_legacy",
            ]),
            presence: zero(&[
                "person_id",
                "gender",
                "place_of_birth",
                "birth_name",
                "address",
            ]),
            registry: zero(&[
                "person_id_held",
                "birth_name_set",
                "partial_date_of_birth",
                "names_in_capitals",
                "surname_in_capitals",
                "romanian_cedilla",
            ]),
        }
    }
}

fn bump(list: &mut Vec<(&'static str, usize)>, key: &'static str) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key, 1)),
    }
}

/// How a request writes text.
#[derive(Debug, Clone, Copy)]
enum Spelling {
    /// Latin as written (case `upper`), or ICAO 9303 capitals (`icao`, with the
    /// two-letter alternatives when `expand`).
    Latin {
        upper: bool,
        icao: bool,
        expand: bool,
    },
    Greek {
        scheme: GreekScheme,
        upper: bool,
    },
    Cyrillic {
        scheme: CyrillicScheme,
        upper: bool,
    },
}

impl Spelling {
    fn apply(self, text: &str) -> String {
        match self {
            Spelling::Latin {
                icao: true, expand, ..
            } => translit::icao_upper(text, expand),
            Spelling::Latin { upper: true, .. } => text.to_uppercase(),
            Spelling::Latin { .. } => text.to_owned(),
            Spelling::Greek { scheme, upper } => {
                let t = if text.chars().any(translit::is_greek) {
                    translit::greek(text, scheme)
                } else {
                    text.to_owned()
                };
                if upper { t.to_uppercase() } else { t }
            }
            Spelling::Cyrillic { scheme, upper } => {
                let t = if text.chars().any(translit::is_cyrillic) {
                    translit::cyrillic(text, scheme)
                } else {
                    text.to_owned()
                };
                if upper { t.to_uppercase() } else { t }
            }
        }
    }
}

fn choose_spelling(script: Script, code: &str, rng: &mut Rng, counts: &mut Counts) -> Spelling {
    match script {
        Script::Latin => {
            let x = rng.unit();
            let expand_share = match code {
                "DE" => 0.85,
                "SE" | "FI" => 0.6,
                _ => 0.3,
            };
            let expand = rng.chance(expand_share);
            if x < 0.70 {
                bump(&mut counts.spelling, "latin_as_written");
                Spelling::Latin {
                    upper: false,
                    icao: false,
                    expand,
                }
            } else if x < 0.78 {
                bump(&mut counts.spelling, "latin_capitals");
                Spelling::Latin {
                    upper: true,
                    icao: false,
                    expand,
                }
            } else {
                bump(&mut counts.spelling, "latin_icao9303_capitals");
                Spelling::Latin {
                    upper: true,
                    icao: true,
                    expand,
                }
            }
        }
        Script::Greek => {
            let upper = rng.chance(0.5);
            if rng.chance(0.7) {
                bump(&mut counts.spelling, "greek_elot743");
                Spelling::Greek {
                    scheme: GreekScheme::Elot743,
                    upper,
                }
            } else {
                bump(&mut counts.spelling, "greek_popular");
                let mut p = GreekPopular::default();
                loop {
                    p.eta_e = rng.chance(0.25);
                    p.chi_h = rng.chance(0.35);
                    p.beta_b = rng.chance(0.1);
                    p.ou_u = rng.chance(0.2);
                    p.phi_ph = rng.chance(0.25);
                    p.kappa_c = rng.chance(0.25);
                    p.voiced = rng.chance(0.5);
                    p.gamma_y = if rng.chance(0.4) {
                        1 + rng.below(2) as u8
                    } else {
                        0
                    };
                    p.upsilon_i = rng.chance(0.15);
                    p.xi_ks = rng.chance(0.1);
                    if p != GreekPopular::default() {
                        break;
                    }
                }
                Spelling::Greek {
                    scheme: GreekScheme::Popular(p),
                    upper,
                }
            }
        }
        Script::Cyrillic => {
            let upper = rng.chance(0.5);
            let x = rng.unit();
            let scheme = if x < 0.80 {
                bump(&mut counts.spelling, "bulgarian_2009");
                CyrillicScheme::Bulgarian2009
            } else if x < 0.92 {
                bump(&mut counts.spelling, "bulgarian_icao9303");
                CyrillicScheme::Icao9303
            } else {
                bump(&mut counts.spelling, "bulgarian_legacy");
                CyrillicScheme::Legacy
            };
            Spelling::Cyrillic { scheme, upper }
        }
    }
}

const LATIN_KEYS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
const GREEK_KEYS: [&str; 3] = ["ςερτυθιοπ", "ασδφγηξκλ", "ζχψωβνμ"];
const CYRILLIC_KEYS: [&str; 3] = ["явертъуиопшщ", "асдфгхйклч", "зьцжбнмю"];

/// Keys next to `c` on the layout its script is typed with.
fn neighbours(c: char) -> Vec<char> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let base = if translit::is_greek(lower) {
        translit::greek_registry_upper(&lower.to_string())
            .to_lowercase()
            .chars()
            .next()
            .unwrap_or(lower)
    } else {
        translit::strip_diacritics(&lower.to_string())
            .chars()
            .next()
            .unwrap_or(lower)
    };
    let rows = if translit::is_greek(base) {
        GREEK_KEYS
    } else if translit::is_cyrillic(base) {
        CYRILLIC_KEYS
    } else {
        LATIN_KEYS
    };
    let grid: Vec<Vec<char>> = rows.iter().map(|r| r.chars().collect()).collect();
    let mut out = Vec::new();
    for (ri, row) in grid.iter().enumerate() {
        if let Some(ci) = row.iter().position(|k| *k == base) {
            if ci > 0 {
                out.push(row[ci - 1]);
            }
            if let Some(k) = row.get(ci + 1) {
                out.push(*k);
            }
            for other in [ri.wrapping_sub(1), ri + 1] {
                if let Some(r) = grid.get(other) {
                    for k in [ci.wrapping_sub(1), ci, ci + 1] {
                        if let Some(x) = r.get(k) {
                            out.push(*x);
                        }
                    }
                }
            }
        }
    }
    if out.is_empty() {
        out = grid.concat();
    }
    out
}

fn with_case_of(model: char, c: char) -> char {
    if model.is_uppercase() {
        c.to_uppercase().next().unwrap_or(c)
    } else {
        c
    }
}

/// One typing error: a neighbouring key, a key too many, one missing, or two
/// neighbouring letters exchanged; seldom in the first letter.
pub fn typo(s: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.is_empty() {
        return s.to_owned();
    }
    for _ in 0..50 {
        let pos = if letters.len() > 1 && rng.chance(0.9) {
            letters[1 + rng.below(letters.len() - 1)]
        } else {
            letters[0]
        };
        let mut v = chars.clone();
        let op = rng.unit();
        if op < 0.40 {
            let n = neighbours(v[pos]);
            v[pos] = with_case_of(v[pos], *rng.pick(&n));
        } else if op < 0.55 {
            let n = neighbours(v[pos]);
            let extra = if rng.chance(0.5) {
                v[pos]
            } else {
                with_case_of(v[pos], *rng.pick(&n))
            };
            v.insert(pos + 1, extra);
        } else if op < 0.80 {
            if letters.len() <= 2 {
                continue;
            }
            v.remove(pos);
        } else {
            if pos + 1 >= v.len() || !v[pos + 1].is_alphabetic() || v[pos] == v[pos + 1] {
                continue;
            }
            let (a, b) = (v[pos], v[pos + 1]);
            v[pos] = with_case_of(a, b.to_lowercase().next().unwrap_or(b));
            v[pos + 1] = with_case_of(b, a.to_lowercase().next().unwrap_or(a));
        }
        let out: String = v.into_iter().collect();
        if out != s {
            return out;
        }
    }
    format!("{s}{}", chars[letters[letters.len() - 1]])
}

/// A mistyped date of birth that is still a calendar date.
pub fn date_typo(d: Date, rng: &mut Rng) -> Date {
    for _ in 0..100 {
        let x = rng.unit();
        let s: Vec<u8> = d.yyyymmdd().into_bytes();
        let candidate = if x < 0.3 {
            if d.d <= 12 && d.d != d.m {
                Date::new(d.y, d.d, d.m)
            } else {
                continue;
            }
        } else if x < 0.5 {
            let i = 2 + rng.below(5);
            if s[i] == s[i + 1] {
                continue;
            }
            let mut t = s.clone();
            t.swap(i, i + 1);
            Date::parse(std::str::from_utf8(&t).unwrap_or(""))
        } else {
            let i = 2 + rng.below(6);
            let mut t = s.clone();
            let old = t[i];
            let mut new = b'0' + rng.below(10) as u8;
            if new == old {
                new = b'0' + (new - b'0' + 1) % 10;
            }
            t[i] = new;
            Date::parse(std::str::from_utf8(&t).unwrap_or(""))
        };
        if let Some(c) = candidate
            && c != d
            && (1915..=2015).contains(&c.y)
        {
            return c;
        }
    }
    // A neighbouring day: always a different calendar date.
    Date::from_ordinal(d.ordinal() + 1)
}

fn title_case(s: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in s.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

/// The registry row of a person (before any noise), and whether it is in capitals.
fn registry_row(pop: &Population, p: &Person, rng: &mut Rng, counts: &mut Counts) -> Row {
    let country = &pop.countries[p.country];
    let data = country.data;
    let mut row = Row {
        given_name: p.given.join(" "),
        surname: p.surname_text(),
        birth_name: if p.has_birth_name() {
            p.birth_surname_text()
        } else {
            String::new()
        },
        date_of_birth: p.dob.yyyymmdd(),
        place_of_birth: country.places[p.birth_place].name.clone(),
        gender: if p.male { "M" } else { "F" }.to_owned(),
        country: data.code.to_owned(),
        ..Row::default()
    };
    set_address(&mut row, pop, p.country, &p.home);
    if rng.chance(REGISTRY_HOLDS_ID) {
        row.person_id = eidas_id(data.code, &p.national_id);
        bump(&mut counts.registry, "person_id_held");
    }
    let partial = if p.dob.y < 1950 { 0.02 } else { 0.006 };
    if rng.chance(partial) {
        let s = p.dob.yyyymmdd();
        row.date_of_birth = if rng.chance(0.7) {
            format!("{}00", &s[..6])
        } else {
            format!("{}0000", &s[..4])
        };
        bump(&mut counts.registry, "partial_date_of_birth");
    }
    if data.code == "RO" && rng.chance(ROMANIAN_CEDILLA) {
        for f in [
            &mut row.given_name,
            &mut row.surname,
            &mut row.birth_name,
            &mut row.place_of_birth,
            &mut row.city,
            &mut row.street,
        ] {
            *f = translit::romanian_cedilla(f);
        }
        bump(&mut counts.registry, "romanian_cedilla");
    }
    if rng.chance(data.customs.registry_upper) {
        if data.script == Script::Greek {
            for f in [
                &mut row.given_name,
                &mut row.surname,
                &mut row.birth_name,
                &mut row.place_of_birth,
                &mut row.city,
                &mut row.street,
            ] {
                *f = translit::greek_registry_upper(f);
            }
        } else {
            for f in [&mut row.given_name, &mut row.surname, &mut row.birth_name] {
                *f = f.to_uppercase();
            }
        }
        bump(&mut counts.registry, "names_in_capitals");
    } else if rng.chance(data.customs.registry_upper_surname) {
        row.surname = row.surname.to_uppercase();
        row.birth_name = row.birth_name.to_uppercase();
        bump(&mut counts.registry, "surname_in_capitals");
    }
    if p.has_birth_name() {
        bump(&mut counts.registry, "birth_name_set");
    }
    row
}

fn set_address(row: &mut Row, pop: &Population, c: usize, a: &Address) {
    let country = &pop.countries[c];
    row.postcode = a.postcode.clone();
    row.city = country.places[a.city].name.clone();
    row.street = country.streets[a.street].clone();
    row.house_number = a.number.clone();
}

pub fn eidas_id(code: &str, national: &str) -> String {
    format!("{code}/{code}/{national}")
}

/// The registry rows of every person (in population order) and the requests for a
/// sample of them, with the person each request is about.
pub struct Built {
    pub registry: Vec<Row>,
    pub requests: Vec<(usize, Row)>,
    pub counts: Counts,
}

/// Counts eligibility and draws one noise kind.
struct Draw<'a> {
    counts: &'a mut Counts,
    rng: &'a mut Rng,
}

impl Draw<'_> {
    fn roll(&mut self, kind: Noise, eligible: bool) -> bool {
        if !eligible {
            return false;
        }
        let (i, rate) = NOISE
            .iter()
            .enumerate()
            .find(|(_, n)| n.0 == kind)
            .map(|(i, n)| (i, n.2))
            .unwrap_or((0, 0.0));
        self.counts.noise[i].eligible += 1;
        let hit = self.rng.chance(rate);
        if hit {
            self.counts.noise[i].applied += 1;
        }
        hit
    }

    fn on_registry(&mut self, kind: Noise) {
        if let Some(i) = NOISE.iter().position(|n| n.0 == kind) {
            self.counts.noise[i].on_registry += 1;
        }
    }
}

pub fn build(pop: &Population, n_requests: usize, rng: &mut Rng) -> Built {
    let mut counts = Counts::new();
    let mut reg_rng = rng.fork(0xBEEF);
    let mut registry: Vec<Row> = pop
        .persons
        .iter()
        .map(|p| registry_row(pop, p, &mut reg_rng, &mut counts))
        .collect();

    // A sample without replacement: a partial Fisher–Yates shuffle.
    let mut order: Vec<usize> = (0..pop.persons.len()).collect();
    let n = n_requests.min(order.len());
    let mut pick_rng = rng.fork(0x0A11);
    for i in 0..n {
        let j = i + pick_rng.below(order.len() - i);
        order.swap(i, j);
    }
    let mut requests = Vec::with_capacity(n);
    let mut req_rng = rng.fork(0x4E01);
    for &pi in &order[..n] {
        let mut r = req_rng.fork(pi as u64);
        let row = request(pop, pi, &mut registry[pi], &mut r, &mut counts);
        requests.push((pi, row));
    }
    Built {
        registry,
        requests,
        counts,
    }
}

fn request(pop: &Population, pi: usize, reg: &mut Row, rng: &mut Rng, counts: &mut Counts) -> Row {
    let p = &pop.persons[pi];
    let country = &pop.countries[p.country];
    let data = country.data;
    let spelling = choose_spelling(data.script, data.code, rng, counts);

    let mut given: Vec<String> = p.given.clone();
    let mut surname: Vec<String> = p.surname.clone();
    let mut birth_name: Option<String> =
        (p.has_birth_name() && rng.chance(PRESENCE[0].1)).then(|| p.birth_surname_text());
    let with_place = rng.chance(PRESENCE[1].1);
    let with_gender = rng.chance(PRESENCE[2].1);
    let with_address = rng.chance(PRESENCE[3].1);

    // Draws on a separate stream, so that the rates do not depend on how many draws
    // the spelling above took.
    let mut noise_rng = rng.fork(0x0015E);
    let mut d = Draw {
        counts,
        rng: &mut noise_rng,
    };

    // Marriage: the registry not told, or the eID older than the marriage.
    if d.roll(Noise::MarriageNotRegistered, p.has_birth_name()) {
        reg.surname = reg.birth_name.clone();
        reg.birth_name.clear();
        d.on_registry(Noise::MarriageNotRegistered);
        birth_name = d.rng.chance(0.8).then(|| p.birth_surname_text());
    } else if d.roll(Noise::EidBeforeMarriage, p.has_birth_name()) {
        surname = p.birth_surname.clone();
        birth_name = None;
    }
    if d.roll(
        Noise::CompoundSurnameHalf,
        data.compound != Compound::Single && surname.len() >= 2,
    ) {
        let first = match data.compound {
            Compound::Spanish => d.rng.chance(0.8),
            _ => d.rng.chance(0.2),
        };
        surname = vec![if first {
            surname[0].clone()
        } else {
            surname[surname.len() - 1].clone()
        }];
    }
    if d.roll(Noise::SecondGivenNameDropped, given.len() >= 2) {
        given.truncate(1);
    }
    let mut place = country.places[p.birth_place].name.clone();
    let exonym = EXONYMS.iter().find(|(n, _)| *n == place).map(|(_, e)| *e);
    if d.roll(Noise::PlaceOfBirthExonym, with_place && exonym.is_some()) {
        place = exonym.unwrap_or_default().to_owned();
    }

    let mut row = Row {
        given_name: spelling.apply(&given.join(" ")),
        surname: spelling.apply(&surname.join(" ")),
        birth_name: birth_name.map(|b| spelling.apply(&b)).unwrap_or_default(),
        date_of_birth: p.dob.yyyymmdd(),
        person_id: eidas_id(data.code, &p.national_id),
        country: data.code.to_owned(),
        ..Row::default()
    };
    if with_place {
        row.place_of_birth = spelling.apply(&place);
        bump(&mut d.counts.presence, "place_of_birth");
    }
    if with_gender {
        row.gender = if p.male { "Male" } else { "Female" }.to_owned();
        bump(&mut d.counts.presence, "gender");
    }
    if with_address {
        set_address(&mut row, pop, p.country, &p.home);
        row.city = spelling.apply(&row.city);
        row.street = spelling.apply(&row.street);
        bump(&mut d.counts.presence, "address");
    }
    if !row.birth_name.is_empty() {
        bump(&mut d.counts.presence, "birth_name");
    }
    bump(&mut d.counts.presence, "person_id");

    // Typing errors: the requester's in two cases of three, else the registry's.
    for (kind, which) in [(Noise::SurnameTypo, 0), (Noise::GivenNameTypo, 1)] {
        if d.roll(kind, true) {
            let registry_side = d.rng.chance(1.0 / 3.0);
            let field = match (which, registry_side) {
                (0, false) => &mut row.surname,
                (0, true) => &mut reg.surname,
                (_, false) => &mut row.given_name,
                (_, true) => &mut reg.given_name,
            };
            *field = typo(field, d.rng);
            if registry_side {
                d.on_registry(kind);
            }
        }
    }
    let has_marks = [&row.given_name, &row.surname, &row.birth_name]
        .iter()
        .any(|f| !f.is_ascii());
    if d.roll(Noise::MissingDiacritics, has_marks) {
        for f in [
            &mut row.given_name,
            &mut row.surname,
            &mut row.birth_name,
            &mut row.place_of_birth,
            &mut row.city,
            &mut row.street,
        ] {
            *f = translit::strip_diacritics(f);
        }
    }
    if d.roll(Noise::Casing, true) {
        let upper = row.surname == row.surname.to_uppercase();
        let mode = if upper {
            if d.rng.chance(0.5) { 0 } else { 2 }
        } else if d.rng.chance(0.6) {
            1
        } else {
            0
        };
        for f in [&mut row.given_name, &mut row.surname, &mut row.birth_name] {
            *f = match mode {
                0 => f.to_lowercase(),
                1 => f.to_uppercase(),
                _ => title_case(f),
            };
        }
    }
    if d.roll(Noise::NamesSwapped, true) {
        std::mem::swap(&mut row.given_name, &mut row.surname);
    }
    if d.roll(Noise::DateOfBirthTypo, true) {
        let partial = reg.date_of_birth.ends_with("00");
        if !partial && d.rng.chance(0.5) {
            reg.date_of_birth = date_typo(p.dob, d.rng).yyyymmdd();
            d.on_registry(Noise::DateOfBirthTypo);
        } else {
            row.date_of_birth = date_typo(p.dob, d.rng).yyyymmdd();
        }
    }
    if d.roll(Noise::AddressMoved, with_address) {
        // The registry keeps an older address: elsewhere in the same town, or another.
        let c = p.country;
        let mut old = p.home.clone();
        for _ in 0..20 {
            let city = if d.rng.chance(0.5) {
                p.home.city
            } else {
                country.place(d.rng)
            };
            let street = country.street(d.rng);
            let number = (1 + d.rng.below(120)).to_string();
            old = Address {
                postcode: pop.postcode(c, city, street),
                city,
                street,
                number,
            };
            if old.street != p.home.street || old.city != p.home.city {
                break;
            }
        }
        let capitals = data.script == Script::Greek && reg.city == reg.city.to_uppercase();
        set_address(reg, pop, c, &old);
        if capitals {
            reg.city = translit::greek_registry_upper(&reg.city);
            reg.street = translit::greek_registry_upper(&reg.street);
        }
        d.on_registry(Noise::AddressMoved);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_change_exactly_a_little() {
        let mut rng = Rng::new(9);
        for s in [
            "Müller",
            "Παπαδόπουλος",
            "Христов",
            "de la Fuente",
            "Ek",
            "Bo",
        ] {
            for _ in 0..200 {
                let t = typo(s, &mut rng);
                assert_ne!(t, s);
                let (a, b) = (s.chars().count() as i64, t.chars().count() as i64);
                assert!((a - b).abs() <= 1, "{s} → {t}");
            }
        }
    }

    #[test]
    fn date_typos_are_dates() {
        let mut rng = Rng::new(5);
        for d in [
            Date {
                y: 1985,
                m: 3,
                d: 7,
            },
            Date {
                y: 2000,
                m: 2,
                d: 29,
            },
            Date {
                y: 1931,
                m: 12,
                d: 31,
            },
        ] {
            for _ in 0..200 {
                let t = date_typo(d, &mut rng);
                assert_ne!(t, d);
                assert!(Date::parse(&t.yyyymmdd()).is_some());
            }
        }
    }
}
