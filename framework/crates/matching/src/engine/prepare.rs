//! Preparing a request before any registry is read: the checks that answer without a
//! look-up (assurance, required attributes, names in one script, parsable values) and the
//! request's keys, computed once for all candidates.

use std::collections::BTreeMap;

use super::Engine;
use crate::SubjectKind;
use crate::compare::{Kind, NameKeys};
use crate::date::DateParts;
use crate::script::scripts;
use crate::{Attribute, Identity, MatchOutcome};

/// The prepared request: keys computed once for all candidates.
#[derive(Debug)]
pub struct Prepared {
    pub(super) values: BTreeMap<Attribute, Prep>,
    pub(super) identity: Identity,
}

/// One request value, in the form its comparison needs.
#[derive(Debug)]
pub(super) enum Prep {
    Name(NameKeys),
    Date(DateParts),
    Text(String),
}

/// The person's own names, which must be written in one script.
const PERSON_NAMES: [Attribute; 3] = [
    Attribute::FamilyName,
    Attribute::GivenName,
    Attribute::BirthName,
];

/// Attributes compared, in a fixed order.
const COMPARED: [Attribute; 13] = [
    Attribute::FamilyName,
    Attribute::GivenName,
    Attribute::DateOfBirth,
    Attribute::BirthName,
    Attribute::PlaceOfBirth,
    Attribute::Gender,
    Attribute::PersonIdentifier,
    Attribute::LegalPersonIdentifier,
    Attribute::LegalName,
    Attribute::PostCode,
    Attribute::PostCityName,
    Attribute::Thoroughfare,
    Attribute::LocatorDesignator,
];

/// How an attribute is compared.
pub(super) fn kind(a: Attribute) -> Kind {
    match a {
        Attribute::DateOfBirth => Kind::Date,
        Attribute::Gender => Kind::Gender,
        Attribute::PersonIdentifier
        | Attribute::LegalPersonIdentifier
        | Attribute::PostCode
        | Attribute::LocatorDesignator => Kind::Code,
        _ => Kind::Name,
    }
}

impl Engine {
    /// Checks the request before any registry is read: assurance, required attributes,
    /// parsable values. Computes the request's keys once.
    pub fn prepare(&self, identity: &Identity) -> Result<Prepared, Box<MatchOutcome>> {
        self.check_assurance(identity)?;
        self.check_attributes_present(identity)?;
        check_one_script(identity)?;
        let particles = self.particles();
        let mut values = BTreeMap::new();
        for a in COMPARED {
            let Some(v) = identity.get(a) else { continue };
            let maiden = a == Attribute::BirthName;
            if !self.fields.contains_key(&a) && !maiden {
                continue;
            }
            values.insert(a, prepare_value(a, v, &particles)?);
        }
        Ok(Prepared {
            values,
            identity: identity.clone(),
        })
    }

    /// The subject was identified at the level of assurance the evidence type requires.
    fn check_assurance(&self, identity: &Identity) -> Result<(), Box<MatchOutcome>> {
        if let Some(min) = self.min_loa
            && identity.level_of_assurance.is_none_or(|l| l < min)
        {
            return Err(Box::new(MatchOutcome::InsufficientAssurance {
                required: min,
            }));
        }
        Ok(())
    }

    /// The required attributes are there, and a company is named by its identifier or
    /// name where the mapping compares it.
    fn check_attributes_present(&self, identity: &Identity) -> Result<(), Box<MatchOutcome>> {
        let missing: Vec<Attribute> = self
            .required
            .iter()
            .copied()
            .filter(|a| identity.get(*a).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(Box::new(MatchOutcome::NeedsMoreAttributes { missing }));
        }
        if self.subject == SubjectKind::LegalPerson
            && ![Attribute::LegalPersonIdentifier, Attribute::LegalName]
                .iter()
                .any(|a| self.fields.contains_key(a) && identity.get(*a).is_some())
        {
            return Err(Box::new(MatchOutcome::NeedsMoreAttributes {
                missing: vec![Attribute::LegalPersonIdentifier, Attribute::LegalName],
            }));
        }
        Ok(())
    }

    /// The written spellings (no particle left out) of a prepared request name, as
    /// blocking keys are made of them.
    pub fn written_keys(&self, prepared: &Prepared, a: Attribute) -> Option<Vec<String>> {
        match prepared.values.get(&a)? {
            Prep::Name(k) => Some(k.written_keys()),
            _ => None,
        }
    }

    /// Borrows the prepared request's identity (for blocking parameters).
    pub fn identity<'a>(&self, prepared: &'a Prepared) -> &'a Identity {
        &prepared.identity
    }
}

/// The person's names in one script: a word mixing scripts (`Dupоnt` with a Cyrillic
/// `о`), or a Cyrillic given name beside a Latin family name, is written by no document
/// ([`crate::script`]).
fn check_one_script(identity: &Identity) -> Result<(), Box<MatchOutcome>> {
    let names: Vec<(Attribute, &str)> = PERSON_NAMES
        .iter()
        .filter_map(|a| Some((*a, identity.get(*a)?)))
        .collect();
    if scripts(names.iter().map(|(_, v)| *v)).len() > 1 {
        // Name the attribute that mixes scripts itself, or else breaks with the first.
        let first = names.first().map(|(_, v)| scripts([*v]));
        let odd = names
            .iter()
            .find(|(_, v)| scripts([*v]).len() > 1)
            .or_else(|| names.iter().find(|(_, v)| Some(scripts([*v])) != first))
            .map_or(Attribute::FamilyName, |(a, _)| *a);
        return Err(Box::new(MatchOutcome::InvalidInput {
            attribute: odd,
            reason: "a name written in more than one script".to_owned(),
        }));
    }
    Ok(())
}

/// One request value in the form its comparison needs: a date must be a date, a name must
/// have letters.
fn prepare_value(a: Attribute, v: &str, particles: &[&str]) -> Result<Prep, Box<MatchOutcome>> {
    Ok(match kind(a) {
        Kind::Date => match DateParts::parse_request(v) {
            Some(d) => Prep::Date(d),
            None => {
                return Err(Box::new(MatchOutcome::InvalidInput {
                    attribute: a,
                    reason: "not a calendar date (YYYY-MM-DD)".to_owned(),
                }));
            }
        },
        Kind::Name => {
            let k = NameKeys::new(v, particles);
            if k.is_empty() {
                return Err(Box::new(MatchOutcome::InvalidInput {
                    attribute: a,
                    reason: "not a name (no letters)".to_owned(),
                }));
            }
            Prep::Name(k)
        }
        Kind::Code | Kind::Gender => Prep::Text(v.to_owned()),
    })
}
