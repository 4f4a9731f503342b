//! What the generator knows about one person: names (now and at birth), the family-name
//! line they were born into, date and place of birth, home, identifier, and the links
//! (twin, junior, namesake) that make them hard to tell apart from another. Kept apart
//! from how persons are made, which is the rest of `population`.

use crate::date::Date;

/// A home: indexes into the country's places and streets, and the text parts.
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

/// One person of the population.
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
