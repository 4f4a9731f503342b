//! The person acting for the subject (TDD 2.0.1 chapter 2.3, `AuthorizedRepresentative`:
//! a company's director, a child's parent): the one who signs in at the preview, so the
//! one the sign-in is compared with (docs/preview.md, "Representatives").
//!
//! A session of a represented request keeps the representative as the request named it
//! (eIDAS minimum data set, R-EDM-REQ-C058/C059 require its level of assurance) and, when
//! the mapping checks the power in the registry (`representation:`), the identity of the
//! registry row that grants it. The sign-in must be that representative ([`check`]: the
//! same strictness as a subject's) and that row's person ([`check_power`]); the record
//! released must be the subject the request names ([`check_subject_record`]).
//!
//! Personal data, kept server-side with the session and dropped with it; Debug shows
//! attribute names and counts only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::matching::{Attribute, Identity};
use crate::preview::identity::{self, Claimed, RecordIdentity, Verdict};

/// The request's natural-person representative, as a preview session keeps it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    /// The representative's attributes as the request stated them.
    pub attributes: BTreeMap<Attribute, String>,
    /// The registry row granting the power (`None`: the mapping checks no power).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<RecordIdentity>,
    /// The held record's LegalPersonIdentifier fields (a legal-person subject), for
    /// [`check_subject_record`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject_identifiers: Vec<String>,
}

impl std::fmt::Debug for Representative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Representative")
            .field("attributes", &self.attributes.keys().collect::<Vec<_>>())
            .field("power", &self.power)
            .field("subject_identifiers", &self.subject_identifiers.len())
            .finish()
    }
}

impl Representative {
    /// The representative as an identity, for the checks.
    pub fn identity(&self) -> Identity {
        Identity {
            attributes: self.attributes.clone(),
            level_of_assurance: None,
        }
    }

    /// The signed-in person is the representative the request names: family name, given
    /// name and date of birth, as strictly as a subject ([`identity::check`]). A
    /// representative sharing the subject's names (a parent and child) is told apart by
    /// the date of birth.
    pub fn check(&self, claimed: &Claimed) -> Verdict {
        identity::check(&self.identity(), claimed)
    }

    /// The signed-in person is the person of the registry row that grants the power
    /// ([`identity::check_record`] against the row); sessions of a mapping checking no
    /// power agree.
    pub fn check_power(&self, claimed: &Claimed) -> Verdict {
        match &self.power {
            Some(row) => identity::check_record(&self.identity(), Some(row), claimed),
            None => Verdict::Same,
        }
    }
}

/// The record a represented session would release is the subject the request names: for
/// a natural subject, the record's person against the request's subject (family name,
/// given name, date of birth, as [`identity::check_record`] compares a sign-in); for a
/// legal person, one of the record's `LegalPersonIdentifier` fields
/// (`subject_identifiers`) equal to the request's (ignoring case and surrounding blanks).
/// A record that holds none of these never agrees.
pub fn check_subject_record(
    subject: &Identity,
    record: Option<&RecordIdentity>,
    subject_identifiers: &[String],
) -> Verdict {
    let Some(record) = record else {
        return Verdict::NoRecord;
    };
    if let Some(asked) = subject.get(Attribute::LegalPersonIdentifier) {
        let same = subject_identifiers
            .iter()
            .any(|id| id.trim().eq_ignore_ascii_case(asked.trim()));
        return match (subject_identifiers.is_empty(), same) {
            (true, _) => Verdict::Missing {
                attributes: vec![Attribute::LegalPersonIdentifier],
            },
            (false, false) => Verdict::Different {
                attributes: vec![Attribute::LegalPersonIdentifier],
            },
            (false, true) => Verdict::Same,
        };
    }
    let as_claimed = Claimed {
        family_name: subject.get(Attribute::FamilyName).map(str::to_owned),
        given_name: subject.get(Attribute::GivenName).map(str::to_owned),
        date_of_birth: subject.get(Attribute::DateOfBirth).map(str::to_owned),
    };
    identity::check_record(subject, Some(record), &as_claimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(family: &str, given: &str, dob: &str) -> BTreeMap<Attribute, String> {
        BTreeMap::from([
            (Attribute::FamilyName, family.to_owned()),
            (Attribute::GivenName, given.to_owned()),
            (Attribute::DateOfBirth, dob.to_owned()),
        ])
    }

    fn claimed(family: &str, given: &str, dob: &str) -> Claimed {
        Claimed {
            family_name: Some(family.into()),
            given_name: Some(given.into()),
            date_of_birth: Some(dob.into()),
        }
    }

    fn row(family: &str, given: &str, dob: &str) -> RecordIdentity {
        RecordIdentity {
            family_names: vec![family.into()],
            given_names: vec![given.into()],
            dates_of_birth: vec![dob.into()],
        }
    }

    #[test]
    fn a_parent_sharing_the_child_s_names_is_told_apart_by_the_date_of_birth() {
        // The child (subject) and the parent (representative) are both Jan Novák.
        let parent = Representative {
            attributes: person("Novák", "Jan", "1975-04-02"),
            power: None,
            subject_identifiers: Vec::new(),
        };
        assert!(
            parent
                .check(&claimed("NOVAK", "Jan", "1975-04-02"))
                .is_same()
        );
        assert_eq!(
            parent.check(&claimed("Novák", "Jan", "2012-09-30")),
            Verdict::Different {
                attributes: vec![Attribute::DateOfBirth]
            }
        );
        let mut no_date = claimed("Novák", "Jan", "1975-04-02");
        no_date.date_of_birth = None;
        assert!(!parent.check(&no_date).is_same());
    }

    #[test]
    fn the_sign_in_must_be_the_person_of_the_row_granting_the_power() {
        let director = Representative {
            attributes: person("Kovář", "Jiří", "1968-11-23"),
            power: Some(row("Kovář", "Jiří", "1968-11-23")),
            subject_identifiers: Vec::new(),
        };
        let signed_in = claimed("Kovar", "Jiri", "1968-11-23");
        assert!(director.check(&signed_in).is_same());
        assert!(director.check_power(&signed_in).is_same());
        // The matcher took a near spelling's row: the sign-in is not that row's person.
        let near = Representative {
            power: Some(row("Kovařík", "Jiří", "1968-11-23")),
            ..director.clone()
        };
        assert!(!near.check_power(&signed_in).is_same());
        let debug = format!("{director:?}");
        assert!(!debug.contains("Kov") && !debug.contains("1968"), "{debug}");
        let json = serde_json::to_string(&director).unwrap();
        assert_eq!(
            serde_json::from_str::<Representative>(&json).unwrap(),
            director
        );
    }

    #[test]
    fn the_released_record_must_be_the_subject_the_request_names() {
        let mut company = Identity::default();
        company.set(Attribute::LegalName, Some("Kovář s.r.o."));
        company.set(Attribute::LegalPersonIdentifier, Some("CZ/BE/27074358"));
        let record = RecordIdentity::default();
        let ours = ["cz/be/27074358 ".to_owned()];
        assert!(check_subject_record(&company, Some(&record), &ours).is_same());
        let other = ["CZ/BE/06123987".to_owned()];
        assert!(!check_subject_record(&company, Some(&record), &other).is_same());
        assert!(!check_subject_record(&company, Some(&record), &[]).is_same());
        assert_eq!(
            check_subject_record(&company, None, &ours),
            Verdict::NoRecord
        );

        let mut child = Identity::default();
        for (a, v) in person("Novák", "Jan", "2012-09-30") {
            child.set(a, Some(&v));
        }
        let child_s = row("Novák", "Jan", "2012-09-30");
        assert!(check_subject_record(&child, Some(&child_s), &[]).is_same());
        // The parent's record (same names) is not the child's.
        let parent_s = row("Novák", "Jan", "1975-04-02");
        assert!(!check_subject_record(&child, Some(&parent_s), &[]).is_same());
    }
}
