//! The registry's row of a person, as the national register writes them: native script,
//! sometimes in capitals (Greek without accents), French surnames in capitals, older
//! Romanian records with cedillas, a partial date now and then, the person identifier
//! for half of them.

use super::{Counts, REGISTRY_HOLDS_ID, ROMANIAN_CEDILLA, Row, bump};
use crate::names::Script;
use crate::population::{Address, Person, Population};
use crate::rng::Rng;
use crate::translit;

/// The registry row of a person, before any noise, in the register's habits.
pub(super) fn registry_row(
    pop: &Population,
    p: &Person,
    rng: &mut Rng,
    counts: &mut Counts,
) -> Row {
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

/// The address columns of `row` from a home.
pub(super) fn set_address(row: &mut Row, pop: &Population, c: usize, a: &Address) {
    let country = &pop.countries[c];
    row.postcode = a.postcode.clone();
    row.city = country.places[a.city].name.clone();
    row.street = country.streets[a.street].clone();
    row.house_number = a.number.clone();
}

/// The eIDAS person identifier: `CC/CC/<national identifier>`.
pub fn eidas_id(code: &str, national: &str) -> String {
    format!("{code}/{code}/{national}")
}
