//! The registry as the adversarial generator sees it: every loaded record's attributes
//! as a request would carry them, the indexes that find a near-namesake (given names by
//! gender, surnames by sound, members of a family), and the check that a generated
//! person is really absent.
//!
//! Names are compared here after [`normalize_name`] only (case, diacritics,
//! punctuation): "the same person" must mean the same written name, not what the engine
//! happens to consider equal.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use oots_connector::Value;

use super::Csv;
use crate::matching::date::DateParts;
use crate::matching::phonetic::{cologne, double_metaphone};
use crate::matching::{Attribute, FieldMap, normalize_name};

/// One registry record.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub(super) id: String,
    /// The first registry field of each mapped attribute, as a request carries it (a
    /// date as `YYYY-MM-DD`); empty fields are left out.
    pub(super) values: BTreeMap<Attribute, String>,
    /// Normalised family and given name (first fields), empty when missing.
    pub(super) family: String,
    pub(super) given: String,
    /// The date of birth, when it is a full calendar date.
    pub(super) birth: Option<NaiveDate>,
    /// Normalised gender value, empty when missing or not mapped.
    pub(super) gender: String,
    /// Normalised person identifier, empty when missing or not mapped.
    pub(super) identifier: String,
}

impl Person {
    /// Whether the record can stand for a near-namesake: both names and a full date.
    pub(super) fn complete(&self) -> bool {
        !self.family.is_empty() && !self.given.is_empty() && self.birth.is_some()
    }
}

/// A distinct name of the registry: normalised, and one spelling as the registry holds it.
#[derive(Debug, Clone)]
pub(super) struct Name {
    pub(super) key: String,
    pub(super) spelling: String,
}

/// Who is (family, given, date of birth), normalised.
type Who = (String, String, NaiveDate);

/// The registry in memory.
#[derive(Default)]
pub(super) struct Population {
    pub(super) persons: Vec<Person>,
    /// Every record under every combination of the fields mapped to FamilyName,
    /// GivenName and DateOfBirth, and with family and given name exchanged (a request
    /// naming a record with its names in the wrong order names that record).
    holders: HashMap<Who, Vec<usize>>,
    /// Identifier holders, normalised identifier → records.
    identified: HashMap<String, Vec<usize>>,
    pub(super) surnames: Vec<Name>,
    pub(super) given_names: Vec<Name>,
    /// Gender → indexes of `given_names` borne by records of that gender.
    given_by_gender: HashMap<String, Vec<usize>>,
    /// Sound codes (Kölner Phonetik; Double Metaphone primary and alternate) → indexes
    /// of `surnames`.
    by_cologne: HashMap<String, Vec<usize>>,
    by_metaphone: HashMap<String, Vec<usize>>,
    /// Normalised family name → records.
    by_family: HashMap<String, Vec<usize>>,
}

/// The name as the record holds it.
fn spelling(a: Attribute, p: &Person) -> String {
    p.values.get(&a).cloned().unwrap_or_default()
}

/// An identifier compared without spaces, punctuation or case.
pub(super) fn normalize_identifier(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

impl Population {
    /// The rows of `csv` that `keep` admits (those loaded into the registry table).
    pub(super) fn new(
        csv: &Csv,
        id_col: usize,
        keep: impl Fn(&str) -> bool,
        fields: &FieldMap,
        date_format: Option<&str>,
    ) -> Population {
        let reader = Reader::new(csv, fields, date_format);
        let mut build = Build::default();
        for row in &csv.rows {
            if !keep(&row[id_col]) {
                continue;
            }
            build.add(reader.person(row, id_col), &reader.everyone(row));
        }
        build.finish()
    }

    /// The records holding exactly these names (either order) and date of birth.
    pub(super) fn holders(&self, family: &str, given: &str, birth: NaiveDate) -> &[usize] {
        self.holders
            .get(&(same_name_key(family), same_name_key(given), birth))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The records holding this identifier.
    pub(super) fn identified(&self, identifier: &str) -> &[usize] {
        self.identified
            .get(&normalize_identifier(identifier))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The given names borne by records of `gender` (all of them when it is unknown).
    pub(super) fn given_names_of(&self, gender: &str) -> Vec<&Name> {
        match self
            .given_by_gender
            .get(gender)
            .filter(|_| !gender.is_empty())
        {
            Some(ix) => ix.iter().map(|i| &self.given_names[*i]).collect(),
            None => self.given_names.iter().collect(),
        }
    }

    /// Registry surnames sharing a Kölner Phonetik or Double Metaphone code with `key`.
    pub(super) fn sounding_like(&self, key: &str) -> Vec<&Name> {
        let (primary, alternate) = double_metaphone(key);
        let mut found: BTreeSet<usize> = BTreeSet::new();
        for list in [
            self.by_cologne.get(&cologne(key)),
            self.by_metaphone.get(&primary),
            self.by_metaphone.get(&alternate),
        ]
        .into_iter()
        .flatten()
        {
            found.extend(list);
        }
        found.into_iter().map(|i| &self.surnames[i]).collect()
    }

    /// The records of the family `key` (normalised family name).
    pub(super) fn family(&self, key: &str) -> &[usize] {
        self.by_family
            .get(key)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// A name as the absence check compares it: [`fold_name`] without spaces, so that
/// spellings differing only in punctuation (`D'Arcy` / `Darcy`, `John-Paul` /
/// `Johnpaul`) are the same name, and a person spelled so is not absent.
pub(super) fn same_name_key(s: &str) -> String {
    fold_name(s).replace(' ', "")
}

/// A name as the scenarios measure it: [`normalize_name`] (case, diacritics, punctuation
/// as spaces) with one Greek sigma, so `ΛΑΖΑΡΙΔΗΣ` and `Λαζαρίδης` are one name.
pub(super) fn fold_name(s: &str) -> String {
    normalize_name(s)
        .chars()
        .map(|c| if c == 'ς' { 'σ' } else { c })
        .collect()
}

/// Reads registry rows: the mapped columns of each attribute, dates in the registry's
/// format.
struct Reader<'a> {
    csv: &'a Csv,
    fields: &'a FieldMap,
    date_format: Option<&'a str>,
    family: Vec<usize>,
    given: Vec<usize>,
    birth: Vec<usize>,
}

impl<'a> Reader<'a> {
    fn new(csv: &'a Csv, fields: &'a FieldMap, date_format: Option<&'a str>) -> Self {
        let columns = |a: Attribute| -> Vec<usize> {
            fields
                .get(&a)
                .into_iter()
                .flatten()
                .filter_map(|f| csv.column(f))
                .collect()
        };
        Reader {
            csv,
            fields,
            date_format,
            family: columns(Attribute::FamilyName),
            given: columns(Attribute::GivenName),
            birth: columns(Attribute::DateOfBirth),
        }
    }

    /// A date of birth as the registry writes it, when it is a full calendar date.
    fn date(&self, raw: &str) -> Option<NaiveDate> {
        DateParts::from_value(&Value::Text(raw.to_owned()), self.date_format)
            .and_then(|d| d.to_date())
    }

    /// The record of a row: the first field of each mapped attribute, normalised.
    fn person(&self, row: &[String], id_col: usize) -> Person {
        let mut values = BTreeMap::new();
        for (a, names) in self.fields {
            let Some(raw) = names
                .first()
                .and_then(|f| self.csv.column(f))
                .map(|c| row[c].trim())
                .filter(|v| !v.is_empty())
            else {
                continue;
            };
            let v = if *a == Attribute::DateOfBirth {
                self.date(raw)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| raw.to_owned())
            } else {
                raw.to_owned()
            };
            values.insert(*a, v);
        }
        let norm = |a: Attribute| values.get(&a).map(|v| fold_name(v)).unwrap_or_default();
        Person {
            id: row[id_col].clone(),
            family: norm(Attribute::FamilyName),
            given: norm(Attribute::GivenName),
            birth: values
                .get(&Attribute::DateOfBirth)
                .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()),
            gender: norm(Attribute::Gender),
            identifier: values
                .get(&Attribute::PersonIdentifier)
                .map(|v| normalize_identifier(v))
                .unwrap_or_default(),
            values,
        }
    }

    /// Everyone a row names for the absence check: every spelling of every name and
    /// date field, in both name orders.
    fn everyone(&self, row: &[String]) -> Vec<Who> {
        let all = |cols: &[usize]| -> Vec<String> {
            cols.iter()
                .map(|c| same_name_key(&row[*c]))
                .filter(|v| !v.is_empty())
                .collect()
        };
        let births: Vec<NaiveDate> = self
            .birth
            .iter()
            .filter_map(|c| self.date(row[*c].trim()))
            .collect();
        let mut who = Vec::new();
        for f in all(&self.family) {
            for g in all(&self.given) {
                for b in &births {
                    who.push((f.clone(), g.clone(), *b));
                    who.push((g.clone(), f.clone(), *b));
                }
            }
        }
        who
    }
}

/// A population being built, with the indexes that only building needs.
#[derive(Default)]
struct Build {
    pop: Population,
    /// Normalised surname → index in `pop.surnames`.
    surname_index: HashMap<String, usize>,
    /// Normalised given name → index in `pop.given_names`.
    given_index: HashMap<String, usize>,
    /// Gender → given names borne, ordered.
    gender_sets: HashMap<String, BTreeSet<usize>>,
}

impl Build {
    /// Adds a record, held by everyone it names (`who`).
    fn add(&mut self, person: Person, who: &[Who]) {
        let index = self.pop.persons.len();
        for who in who {
            let h = self.pop.holders.entry(who.clone()).or_default();
            if h.last() != Some(&index) {
                h.push(index);
            }
        }
        if !person.identifier.is_empty() {
            self.pop
                .identified
                .entry(person.identifier.clone())
                .or_default()
                .push(index);
        }
        if !person.family.is_empty() {
            self.pop
                .by_family
                .entry(person.family.clone())
                .or_default()
                .push(index);
            self.surname(&person);
        }
        if !person.given.is_empty() {
            self.given_name(&person);
        }
        self.pop.persons.push(person);
    }

    /// Indexes a surname not seen before, with its sound codes.
    fn surname(&mut self, person: &Person) {
        if self.surname_index.contains_key(&person.family) {
            return;
        }
        let pop = &mut self.pop;
        let s = pop.surnames.len();
        self.surname_index.insert(person.family.clone(), s);
        pop.surnames.push(Name {
            key: person.family.clone(),
            spelling: spelling(Attribute::FamilyName, person),
        });
        pop.by_cologne
            .entry(cologne(&person.family))
            .or_default()
            .push(s);
        let (primary, alternate) = double_metaphone(&person.family);
        for code in BTreeSet::from([primary, alternate]) {
            pop.by_metaphone.entry(code).or_default().push(s);
        }
    }

    /// Indexes a given name (once) and the gender of its bearer.
    fn given_name(&mut self, person: &Person) {
        let given_names = &mut self.pop.given_names;
        let g = *self
            .given_index
            .entry(person.given.clone())
            .or_insert_with(|| {
                given_names.push(Name {
                    key: person.given.clone(),
                    spelling: spelling(Attribute::GivenName, person),
                });
                given_names.len() - 1
            });
        self.gender_sets
            .entry(person.gender.clone())
            .or_default()
            .insert(g);
    }

    /// The population, its per-gender name lists ordered and empty sound codes left out.
    fn finish(self) -> Population {
        let mut pop = self.pop;
        pop.given_by_gender = self
            .gender_sets
            .into_iter()
            .map(|(g, s)| (g, s.into_iter().collect()))
            .collect();
        pop.by_cologne.remove("");
        pop.by_metaphone.remove("");
        pop
    }
}
