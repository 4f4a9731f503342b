//! The request about one person: their names and attributes as the eID states them, in
//! the request's spelling, with the optional attributes it carries, and every kind of
//! noise drawn independently at its rate ([`NOISE`](super::NOISE)), on the side real
//! data put it (some land on the registry's row).

use super::exonyms::EXONYMS;
use super::registry::{eidas_id, set_address};
use super::spelling::{Spelling, choose_spelling};
use super::typos::{date_typo, typo};
use super::{Counts, NOISE, Noise, PRESENCE, Row, bump};
use crate::names::{Compound, Script};
use crate::population::{Address, Person, Population};
use crate::rng::Rng;
use crate::translit;

/// Counts eligibility and draws one noise kind.
struct Draw<'a> {
    counts: &'a mut Counts,
    rng: &'a mut Rng,
}

impl Draw<'_> {
    /// Whether `kind` strikes this request (never when not `eligible`); counts both.
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

    /// Counts a `kind` that struck the registry's side.
    fn on_registry(&mut self, kind: Noise) {
        if let Some(i) = NOISE.iter().position(|n| n.0 == kind) {
            self.counts.noise[i].on_registry += 1;
        }
    }
}

/// What the eID states before it is spelt out: the names as lists of words and which
/// optional attributes it carries.
struct Eid {
    given: Vec<String>,
    surname: Vec<String>,
    birth_name: Option<String>,
    place_of_birth: String,
    with_place: bool,
    with_gender: bool,
    with_address: bool,
}

/// The request about person `pi`: the eID's statement, spelt out, with its noise (the
/// registry's share of it written into `reg`).
pub(super) fn request(
    pop: &Population,
    pi: usize,
    reg: &mut Row,
    rng: &mut Rng,
    counts: &mut Counts,
) -> Row {
    let p = &pop.persons[pi];
    let data = pop.countries[p.country].data;
    let spelling = choose_spelling(data.script, data.code, rng, counts);
    let mut eid = Eid::draw(pop, p, rng);

    // Draws on a separate stream, so that the rates do not depend on how many draws
    // the spelling above took.
    let mut noise_rng = rng.fork(0x0015E);
    let mut d = Draw {
        counts,
        rng: &mut noise_rng,
    };
    eid.marriage(p, reg, &mut d);
    eid.compound_surname_half(data.compound, &mut d);
    eid.second_given_name_dropped(&mut d);
    eid.place_of_birth_exonym(&mut d);

    let mut row = eid.row(pop, p, spelling, d.counts);
    typos(&mut row, reg, &mut d);
    missing_diacritics(&mut row, &mut d);
    casing(&mut row, &mut d);
    if d.roll(Noise::NamesSwapped, true) {
        std::mem::swap(&mut row.given_name, &mut row.surname);
    }
    date_of_birth_typo(p, &mut row, reg, &mut d);
    address_moved(pop, p, reg, eid.with_address, &mut d);
    row
}

impl Eid {
    /// The person's names, the birth name when they have one and the request carries
    /// it, and which optional attributes it carries (at the rates of [`PRESENCE`]).
    fn draw(pop: &Population, p: &Person, rng: &mut Rng) -> Eid {
        let given = p.given.clone();
        let surname = p.surname.clone();
        let birth_name =
            (p.has_birth_name() && rng.chance(PRESENCE[0].1)).then(|| p.birth_surname_text());
        let with_place = rng.chance(PRESENCE[1].1);
        let with_gender = rng.chance(PRESENCE[2].1);
        let with_address = rng.chance(PRESENCE[3].1);
        Eid {
            given,
            surname,
            birth_name,
            place_of_birth: pop.countries[p.country].places[p.birth_place].name.clone(),
            with_place,
            with_gender,
            with_address,
        }
    }

    /// Marriage: the registry not told (it keeps the birth surname), or the eID older
    /// than the marriage (it carries the birth surname).
    fn marriage(&mut self, p: &Person, reg: &mut Row, d: &mut Draw) {
        if d.roll(Noise::MarriageNotRegistered, p.has_birth_name()) {
            reg.surname = reg.birth_name.clone();
            reg.birth_name.clear();
            d.on_registry(Noise::MarriageNotRegistered);
            self.birth_name = d.rng.chance(0.8).then(|| p.birth_surname_text());
        } else if d.roll(Noise::EidBeforeMarriage, p.has_birth_name()) {
            self.surname = p.birth_surname.clone();
            self.birth_name = None;
        }
    }

    /// One of two or more Spanish or Portuguese surnames (ES mostly the first, PT mostly
    /// the last).
    fn compound_surname_half(&mut self, compound: Compound, d: &mut Draw) {
        if !d.roll(
            Noise::CompoundSurnameHalf,
            compound != Compound::Single && self.surname.len() >= 2,
        ) {
            return;
        }
        let first = match compound {
            Compound::Spanish => d.rng.chance(0.8),
            _ => d.rng.chance(0.2),
        };
        self.surname = vec![if first {
            self.surname[0].clone()
        } else {
            self.surname[self.surname.len() - 1].clone()
        }];
    }

    /// Only the first of several given names.
    fn second_given_name_dropped(&mut self, d: &mut Draw) {
        if d.roll(Noise::SecondGivenNameDropped, self.given.len() >= 2) {
            self.given.truncate(1);
        }
    }

    /// The place of birth by its other usual name (Munich for München).
    fn place_of_birth_exonym(&mut self, d: &mut Draw) {
        let exonym = EXONYMS
            .iter()
            .find(|(n, _)| *n == self.place_of_birth)
            .map(|(_, e)| *e);
        if d.roll(
            Noise::PlaceOfBirthExonym,
            self.with_place && exonym.is_some(),
        ) {
            self.place_of_birth = exonym.unwrap_or_default().to_owned();
        }
    }

    /// The request row in `spelling`, with the attributes it carries (counted).
    fn row(&self, pop: &Population, p: &Person, spelling: Spelling, counts: &mut Counts) -> Row {
        let code = pop.countries[p.country].data.code;
        let mut row = Row {
            given_name: spelling.apply(&self.given.join(" ")),
            surname: spelling.apply(&self.surname.join(" ")),
            birth_name: self
                .birth_name
                .as_ref()
                .map(|b| spelling.apply(b))
                .unwrap_or_default(),
            date_of_birth: p.dob.yyyymmdd(),
            person_id: eidas_id(code, &p.national_id),
            country: code.to_owned(),
            ..Row::default()
        };
        if self.with_place {
            row.place_of_birth = spelling.apply(&self.place_of_birth);
            bump(&mut counts.presence, "place_of_birth");
        }
        if self.with_gender {
            row.gender = if p.male { "Male" } else { "Female" }.to_owned();
            bump(&mut counts.presence, "gender");
        }
        if self.with_address {
            set_address(&mut row, pop, p.country, &p.home);
            row.city = spelling.apply(&row.city);
            row.street = spelling.apply(&row.street);
            bump(&mut counts.presence, "address");
        }
        if !row.birth_name.is_empty() {
            bump(&mut counts.presence, "birth_name");
        }
        bump(&mut counts.presence, "person_id");
        row
    }
}

/// Typing errors in the surname and the given name: the requester's in two cases of
/// three, else the registry's.
fn typos(row: &mut Row, reg: &mut Row, d: &mut Draw) {
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
}

/// Names and places without their diacritics (Muller, Lukasz), when the names have any.
fn missing_diacritics(row: &mut Row, d: &mut Draw) {
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
}

/// The names' case changed: capitals become lower or title case, the rest capitals or
/// lower case.
fn casing(row: &mut Row, d: &mut Draw) {
    if !d.roll(Noise::Casing, true) {
        return;
    }
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

/// Each word with a capital initial and the rest in lower case.
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

/// A mistyped date of birth: the registry's in half of cases (not when it holds a
/// partial date), else the request's.
fn date_of_birth_typo(p: &Person, row: &mut Row, reg: &mut Row, d: &mut Draw) {
    if !d.roll(Noise::DateOfBirthTypo, true) {
        return;
    }
    let partial = reg.date_of_birth.ends_with("00");
    if !partial && d.rng.chance(0.5) {
        reg.date_of_birth = date_typo(p.dob, d.rng).yyyymmdd();
        d.on_registry(Noise::DateOfBirthTypo);
    } else {
        row.date_of_birth = date_typo(p.dob, d.rng).yyyymmdd();
    }
}

/// The registry keeps an older address, when the request carries one.
fn address_moved(pop: &Population, p: &Person, reg: &mut Row, with_address: bool, d: &mut Draw) {
    if !d.roll(Noise::AddressMoved, with_address) {
        return;
    }
    let old = older_address(pop, p, d.rng);
    let greek = pop.countries[p.country].data.script == Script::Greek;
    let capitals = greek && reg.city == reg.city.to_uppercase();
    set_address(reg, pop, p.country, &old);
    if capitals {
        reg.city = translit::greek_registry_upper(&reg.city);
        reg.street = translit::greek_registry_upper(&reg.street);
    }
    d.on_registry(Noise::AddressMoved);
}

/// An address the person had before: elsewhere in the same town, or in another.
fn older_address(pop: &Population, p: &Person, rng: &mut Rng) -> Address {
    let c = p.country;
    let country = &pop.countries[c];
    let mut old = p.home.clone();
    for _ in 0..20 {
        let city = if rng.chance(0.5) {
            p.home.city
        } else {
            country.place(rng)
        };
        let street = country.street(rng);
        let number = (1 + rng.below(120)).to_string();
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
    old
}
