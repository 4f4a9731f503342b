//! `match-eval --adversarial`: requests for persons who are **not** in the registry but
//! have a near-namesake in it (a twin with another given name, a homonym born on another
//! day, a look-alike surname…), built from the registry itself.
//!
//! Labelled data sets such as FEBRL cannot show the most serious defect of a matcher:
//! their absent persons have no near-namesake in the registry, so a matcher that hands
//! a twin's evidence to the other twin looks perfectly safe on them. Every scenario here
//! samples registry records P (the near-namesake, who stays in the registry), builds a
//! request for somebody else who resembles P in one defined way, checks that the
//! registry really does not hold that person, and sends the request down the same path
//! as every other request. Any match is a false match.
//!
//! Next to them, the typo-recall requests are P's own data with one typing error: what
//! the engine's typo tolerance buys, to be read against what the typo-like scenarios
//! cost.
//!
//! Similarity is decided here with this module's own edit distance (and Jaro–Winkler or
//! a sound code where the scenario is defined by them), never with the engine's
//! comparison levels, so the measurement does not move when the engine does.
//!
//! The files: [`generator`] draws P and keeps only requests for persons the registry
//! does not hold, [`change`] says how each scenario's person differs from P,
//! [`similarity`] holds the module's own name and date comparisons, and [`measure`]
//! sends the requests and counts.

mod change;
mod generator;
mod measure;
mod similarity;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::matching::{Attribute, FieldMap};

pub(super) use generator::Generator;
pub(super) use measure::{Safety, ScenarioCounts, TypoCounts, measure};

/// A kind of person who is absent from the registry but resembles a registry record P.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Scenario {
    /// P's family name and date of birth, a given name of P's gender from the registry
    /// that shares no token with P's and is at least three edits away.
    TwinOtherGiven,
    /// P's family name and date, another registry given name within one edit or
    /// Jaro–Winkler ≥ 0.88 of P's (Jan/Jana, Anna/Hanna).
    TwinSimilarGiven,
    /// P's family name and date, the given names of another record of P's family name
    /// (names that close to P's are `TwinSimilarGiven`'s, a shared first name
    /// `TwinSharingFirstName`'s).
    SiblingGivenNames,
    /// P's family name and date, only the first of P's given names: a twin named by the
    /// first of P's names alone, or P with the later names left out. The price of
    /// finding people whose eID leaves out a later given name.
    TwinSharingFirstName,
    /// P's names, a date of birth in another year, three or more of its eight digits
    /// different.
    HomonymOtherDate,
    /// P's names, a valid date one digit off.
    DobOneDigit,
    /// P's names, the day before or after.
    DobOneDay,
    /// P's names, day and month exchanged.
    DobSwapped,
    /// P's given name and date, another registry surname within one edit or
    /// Jaro–Winkler ≥ 0.92 of P's (Lindgren/Lundgren).
    SimilarExistingSurname,
    /// P's given name and date, another registry surname with the same Kölner Phonetik
    /// or Double Metaphone code, at least two edits away.
    PhoneticSurname,
    /// P's given name and date, P's surname extended or cut by two letters or more
    /// (not at a word boundary: that is `CompoundSurnameHalf`).
    SurnamePrefixExtension,
    /// P's given name and date, one half of P's compound surname (`García` for `García
    /// Márquez`), or P's surname with another surname added.
    CompoundSurnameHalf,
    /// P's names with letters replaced by look-alikes of another script, P's date.
    MixedScriptLookalike,
    /// P's names, date and extra attributes with another record's PersonIdentifier.
    IdentifierOfAnother,
}

impl Scenario {
    pub(super) const ALL: [Scenario; 14] = [
        Scenario::TwinOtherGiven,
        Scenario::TwinSimilarGiven,
        Scenario::SiblingGivenNames,
        Scenario::TwinSharingFirstName,
        Scenario::HomonymOtherDate,
        Scenario::DobOneDigit,
        Scenario::DobOneDay,
        Scenario::DobSwapped,
        Scenario::SimilarExistingSurname,
        Scenario::PhoneticSurname,
        Scenario::SurnamePrefixExtension,
        Scenario::CompoundSurnameHalf,
        Scenario::MixedScriptLookalike,
        Scenario::IdentifierOfAnother,
    ];

    /// The name in the JSON report.
    pub(super) fn name(self) -> &'static str {
        match self {
            Scenario::TwinOtherGiven => "twin_other_given",
            Scenario::TwinSimilarGiven => "twin_similar_given",
            Scenario::SiblingGivenNames => "sibling_given_names",
            Scenario::TwinSharingFirstName => "twin_sharing_first_name",
            Scenario::HomonymOtherDate => "homonym_other_date",
            Scenario::DobOneDigit => "dob_one_digit",
            Scenario::DobOneDay => "dob_one_day",
            Scenario::DobSwapped => "dob_swapped",
            Scenario::SimilarExistingSurname => "similar_existing_surname",
            Scenario::PhoneticSurname => "phonetic_surname",
            Scenario::SurnamePrefixExtension => "surname_prefix_extension",
            Scenario::CompoundSurnameHalf => "compound_surname_half",
            Scenario::MixedScriptLookalike => "mixed_script_lookalike",
            Scenario::IdentifierOfAnother => "identifier_of_another",
        }
    }

    /// Whether the request is also what a typing error in P's own data, or a name
    /// recorded in part, looks like. For these, some false matches are the price of
    /// finding people despite such errors (the target is a small rate, read next to
    /// `typo_recall`); for the others the target is none at all.
    pub(super) fn typo_like(self) -> bool {
        matches!(
            self,
            Scenario::TwinSimilarGiven
                | Scenario::TwinSharingFirstName
                | Scenario::DobOneDigit
                | Scenario::DobOneDay
                | Scenario::DobSwapped
                | Scenario::SimilarExistingSurname
                | Scenario::CompoundSurnameHalf
        )
    }

    /// The scenarios a run can build: `identifier_of_another` only when `identity` maps
    /// PersonIdentifier and the run sends it.
    pub(super) fn applicable(fields: &FieldMap, sent: &[Attribute]) -> Vec<Scenario> {
        let identifier = fields.contains_key(&Attribute::PersonIdentifier)
            && sent.contains(&Attribute::PersonIdentifier);
        Scenario::ALL
            .into_iter()
            .filter(|s| *s != Scenario::IdentifierOfAnother || identifier)
            .collect()
    }
}

/// A typing error in the request of a person who *is* in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Typo {
    /// P's surname with one random edit.
    Surname,
    /// P's given name with one random edit.
    Given,
    /// P's date one digit off.
    DobOneDigit,
    /// P's date with day and month exchanged.
    DobSwapped,
    /// The first of P's given names only (P has two or more).
    GivenNamesDropped,
    /// One half of P's compound surname.
    CompoundSurnameHalf,
}

impl Typo {
    pub(super) const ALL: [Typo; 6] = [
        Typo::Surname,
        Typo::Given,
        Typo::DobOneDigit,
        Typo::DobSwapped,
        Typo::GivenNamesDropped,
        Typo::CompoundSurnameHalf,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Typo::Surname => "surname_typo",
            Typo::Given => "given_typo",
            Typo::DobOneDigit => "dob_one_digit",
            Typo::DobSwapped => "dob_swapped",
            Typo::GivenNamesDropped => "given_names_dropped",
            Typo::CompoundSurnameHalf => "compound_surname_half",
        }
    }
}

/// A generated request.
#[derive(Debug, Clone)]
pub(super) struct Request {
    /// P: the near-namesake (absent scenarios) or the person meant (typo recall), an
    /// index into the population.
    pub(super) near: usize,
    /// Every attribute the request could carry; the run sends those it sends.
    pub(super) values: BTreeMap<Attribute, String>,
}
