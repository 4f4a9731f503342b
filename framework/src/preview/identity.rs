//! The re-authentication checks: the person who signed in in the preview space must be
//! the person the request names **and** the person of the record that would be released,
//! before anything of that record is shown.
//!
//! Two checks, because they guard against two different mistakes:
//!
//! - [`check`]: the request names someone else than the person signing in (a link in the
//!   wrong hands, an identity swap). Family name, given name and date of birth, each
//!   required on both sides, compared as identity matching compares names (case, accents,
//!   transliteration, punctuation and particle variants agree: `MÜLLER`, `Mueller` and
//!   `Müller` are the same name), but nothing weaker: a typo is a different person here,
//!   since the provider vouches for this identity.
//! - [`check_record`]: matching tolerates near spellings, so it may have accepted a record
//!   whose person differs from the request's (the request says "Dupond", the register
//!   holds "Dupont"). The sign-in proves who the user is; the record must be theirs:
//!   the same family name (one of the record's family name fields, or the request's birth
//!   name, the register keeping the maiden name), the same given name (or the record's
//!   given names beginning with the signed-in ones), the same date of birth (only the
//!   parts the registry knows). A record value that is missing, or a session that holds no
//!   record identity at all, never agrees.
//!
//! Verdicts name attributes, never values, so they can be logged and journaled.

use oots_connector::{Record, Value};
use serde::{Deserialize, Serialize};

use crate::matching::compare::{Level, NameKeys};
use crate::matching::date::DateParts;
use crate::matching::{Attribute, FieldMap, Identity};

/// What a sign-in asserted, in the request's terms.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Claimed {
    pub family_name: Option<String>,
    pub given_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

impl std::fmt::Debug for Claimed {
    // Personal data: only which attributes are present.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claimed")
            .field("family_name", &self.family_name.is_some())
            .field("given_name", &self.given_name.is_some())
            .field("date_of_birth", &self.date_of_birth.is_some())
            .finish()
    }
}

/// The identity of the record a preview holds evidence for, as the registry states it:
/// the values of every field the mapping's `identity` maps FamilyName, GivenName and
/// DateOfBirth to. Kept with the session (server-side, personal data, deleted with it),
/// so the sign-in can be compared with the record itself and not only with the request.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordIdentity {
    /// Every non-empty FamilyName field (`[family_name, birth_name]`: the current and the
    /// birth name).
    #[serde(default)]
    pub family_names: Vec<String>,
    /// Every non-empty GivenName field.
    #[serde(default)]
    pub given_names: Vec<String>,
    /// Every readable DateOfBirth field, as `YYYY-MM-DD` with `00` for a part the registry
    /// does not know.
    #[serde(default)]
    pub dates_of_birth: Vec<String>,
}

impl std::fmt::Debug for RecordIdentity {
    // Personal data: only how many values each attribute has.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordIdentity")
            .field("family_names", &self.family_names.len())
            .field("given_names", &self.given_names.len())
            .field("dates_of_birth", &self.dates_of_birth.len())
            .finish()
    }
}

impl RecordIdentity {
    /// Reads `record` through the mapping's identity map (`fields`), dates in the
    /// mapping's `date_format` (or ISO), as matching reads them.
    pub fn of(record: &Record, fields: &FieldMap, date_format: Option<&str>) -> Self {
        let values = |attribute: Attribute| {
            fields
                .get(&attribute)
                .into_iter()
                .flatten()
                .filter_map(|field| record.get(field))
        };
        let texts = |attribute: Attribute| -> Vec<String> {
            values(attribute)
                .filter_map(|v| v.as_text())
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        };
        Self {
            family_names: texts(Attribute::FamilyName),
            given_names: texts(Attribute::GivenName),
            dates_of_birth: values(Attribute::DateOfBirth)
                .filter_map(|v| DateParts::from_value(v, date_format)?.format("%Y-%m-%d"))
                .collect(),
        }
    }
}

/// The check's verdict; it names attributes, never values, so it can be logged and
/// audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Same,
    /// These attributes differ.
    Different {
        attributes: Vec<Attribute>,
    },
    /// These attributes are missing from the request (or the record) or from the sign-in.
    Missing {
        attributes: Vec<Attribute>,
    },
    /// The session holds no identity of its record (stored by a version that kept none):
    /// nothing can be compared, so nothing agrees.
    NoRecord,
}

impl Verdict {
    pub fn is_same(&self) -> bool {
        matches!(self, Verdict::Same)
    }

    /// The verdict from per-attribute results: missing ones first, then different ones.
    fn from_results(results: impl IntoIterator<Item = (Attribute, Option<bool>)>) -> Self {
        let mut missing = Vec::new();
        let mut different = Vec::new();
        for (attribute, agrees) in results {
            match agrees {
                None => missing.push(attribute),
                Some(false) => different.push(attribute),
                Some(true) => {}
            }
        }
        if !missing.is_empty() {
            Verdict::Missing {
                attributes: missing,
            }
        } else if !different.is_empty() {
            Verdict::Different {
                attributes: different,
            }
        } else {
            Verdict::Same
        }
    }
}

/// Why a sign-in ended a preview session without showing anything: which check failed,
/// with its verdict. Kept with the ended session and journaled with the follow-up's
/// answer; attribute names only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Mismatch {
    /// The signed-in person is not the request's subject ([`check`]).
    Subject { verdict: Verdict },
    /// The signed-in person is the request's subject, but not the person of the record
    /// the request matched ([`check_record`]).
    Record { verdict: Verdict },
    /// The sign-in's level of assurance is below the evidence type's minimum (checked
    /// first: it does not depend on any registry content).
    Assurance,
    /// The request names a representative and the signed-in person is not them, or not
    /// the person of the registry row granting the power (`super::representative`).
    Representative { verdict: Verdict },
    /// The request names a representative, and the record the session holds is not the
    /// subject the request names (`super::representative::check_subject_record`).
    Represented { verdict: Verdict },
}

/// Two names are the same name: a common key (spelling variants), or one made of some of
/// the other's parts (compound-name halves).
fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (NameKeys::new(a, &[]), NameKeys::new(b, &[]));
    !a.is_empty() && matches!(a.compare(&b), Level::Exact | Level::Token)
}

/// The signed-in given names are the record's: the same, or the record's first ones (a
/// later given name the sign-in leaves out). Never the other way round, and never a later
/// name alone.
fn same_given_names(record: &str, signed_in: &str) -> bool {
    let claimed = NameKeys::new(signed_in, &[]);
    if claimed.is_empty() {
        return false;
    }
    // Whole written names only: `Jean` is not half of a record's `Jean-Pierre` here,
    // where the engine's looser token rule would let it pass.
    let words: Vec<&str> = record.split_whitespace().collect();
    (1..=words.len())
        .any(|n| NameKeys::new(&words[..n].join(" "), &[]).compare(&claimed) == Level::Exact)
}

/// A registry date agrees with the signed-in one: its year, and every part it knows,
/// equal.
fn same_date(record: &str, signed_in: &DateParts) -> bool {
    DateParts::from_value(&Value::Text(record.to_owned()), Some("%Y-%m-%d")).is_some_and(|r| {
        r.year.is_some()
            && signed_in.year == r.year
            && r.month.is_none_or(|m| signed_in.month == Some(m))
            && r.day.is_none_or(|d| signed_in.day == Some(d))
    })
}

/// Compares the request's subject with the signed-in person.
pub fn check(requested: &Identity, claimed: &Claimed) -> Verdict {
    let pairs = [
        (Attribute::FamilyName, claimed.family_name.as_deref()),
        (Attribute::GivenName, claimed.given_name.as_deref()),
        (Attribute::DateOfBirth, claimed.date_of_birth.as_deref()),
    ];
    Verdict::from_results(pairs.map(|(attribute, signed_in)| {
        let (Some(asked), Some(signed_in)) = (requested.get(attribute), signed_in) else {
            return (attribute, None);
        };
        let agree = match attribute {
            Attribute::DateOfBirth => {
                match (
                    DateParts::parse_request(asked),
                    DateParts::parse_request(signed_in),
                ) {
                    (Some(a), Some(b)) => a.year.is_some() && a == b,
                    _ => false,
                }
            }
            _ => {
                let (a, b) = (NameKeys::new(asked, &[]), NameKeys::new(signed_in, &[]));
                !a.is_empty() && a.compare(&b) == Level::Exact
            }
        };
        (attribute, Some(agree))
    }))
}

/// Compares the record a preview holds (`None`: the session kept no record identity)
/// with the signed-in person. The request's birth name stands for the signed-in family
/// name only when the signed-in person is the request's subject ([`check`] agrees): a
/// married name signed in, the register keeping the maiden name the request also states.
pub fn check_record(
    requested: &Identity,
    record: Option<&RecordIdentity>,
    claimed: &Claimed,
) -> Verdict {
    let Some(record) = record else {
        return Verdict::NoRecord;
    };
    let birth_name = requested
        .get(Attribute::BirthName)
        .filter(|_| check(requested, claimed).is_same());
    let family = match (
        claimed.family_name.as_deref(),
        record.family_names.is_empty(),
    ) {
        (Some(signed_in), false) => Some(
            record
                .family_names
                .iter()
                .any(|f| same_name(signed_in, f) || birth_name.is_some_and(|b| same_name(b, f))),
        ),
        _ => None,
    };
    let given = match (claimed.given_name.as_deref(), record.given_names.is_empty()) {
        (Some(signed_in), false) => Some(
            record
                .given_names
                .iter()
                .any(|g| same_given_names(g, signed_in)),
        ),
        _ => None,
    };
    let born = match (
        claimed
            .date_of_birth
            .as_deref()
            .and_then(DateParts::parse_request),
        record.dates_of_birth.is_empty(),
    ) {
        (Some(signed_in), false) => Some(
            record
                .dates_of_birth
                .iter()
                .any(|d| same_date(d, &signed_in)),
        ),
        _ => None,
    };
    Verdict::from_results([
        (Attribute::FamilyName, family),
        (Attribute::GivenName, given),
        (Attribute::DateOfBirth, born),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requested(family: &str, given: &str, dob: &str) -> Identity {
        let mut id = Identity::default();
        id.set(Attribute::FamilyName, Some(family));
        id.set(Attribute::GivenName, Some(given));
        id.set(Attribute::DateOfBirth, Some(dob));
        id
    }

    fn claimed(family: &str, given: &str, dob: &str) -> Claimed {
        Claimed {
            family_name: Some(family.into()),
            given_name: Some(given.into()),
            date_of_birth: Some(dob.into()),
        }
    }

    #[test]
    fn spelling_variants_are_the_same_person_typos_are_not() {
        let asked = requested("Müller", "Jürgen", "1970-03-01");
        assert_eq!(
            check(&asked, &claimed("MUELLER", "Jurgen", "1970-03-01")),
            Verdict::Same
        );
        assert_eq!(
            check(&asked, &claimed("Muller", "Jörg", "1970-03-01")),
            Verdict::Different {
                attributes: vec![Attribute::GivenName]
            }
        );
        assert_eq!(
            check(&asked, &claimed("Müller", "Jürgen", "1970-01-03")),
            Verdict::Different {
                attributes: vec![Attribute::DateOfBirth]
            }
        );
        // Cyrillic transliterates to the Latin spelling.
        let ukr = requested("Shevchenko", "Taras", "1990-01-31");
        assert!(check(&ukr, &claimed("Шевченко", "Тарас", "1990-01-31")).is_same());
    }

    #[test]
    fn a_missing_attribute_is_never_a_match() {
        let asked = requested("Pop", "Ana", "1990-01-31");
        let mut c = claimed("Pop", "Ana", "1990-01-31");
        c.date_of_birth = None;
        assert_eq!(
            check(&asked, &c),
            Verdict::Missing {
                attributes: vec![Attribute::DateOfBirth]
            }
        );
        assert!(!format!("{c:?}").contains("Pop"));
    }

    fn record(families: &[&str], givens: &[&str], dates: &[&str]) -> RecordIdentity {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        RecordIdentity {
            family_names: owned(families),
            given_names: owned(givens),
            dates_of_birth: owned(dates),
        }
    }

    #[test]
    fn the_record_must_be_the_signed_in_person_s_not_a_near_spelling() {
        // Matching took the register's Jean Dupont for the request's Jean Dupond.
        let dupont = record(&["Dupont"], &["Jean"], &["1992-10-22"]);
        let asked = requested("Dupond", "Jean", "1992-10-22");
        let signed_in = claimed("Dupond", "Jean", "1992-10-22");
        assert!(check(&asked, &signed_in).is_same());
        assert_eq!(
            check_record(&asked, Some(&dupont), &signed_in),
            Verdict::Different {
                attributes: vec![Attribute::FamilyName]
            }
        );
        // The record's own person, in another spelling, agrees.
        assert!(
            check_record(
                &asked,
                Some(&dupont),
                &claimed("DUPONT", "jean", "1992-10-22")
            )
            .is_same()
        );
        // Another day of birth, another first name: different.
        assert_eq!(
            check_record(
                &asked,
                Some(&dupont),
                &claimed("Dupont", "Jeanne", "1992-10-23")
            ),
            Verdict::Different {
                attributes: vec![Attribute::GivenName, Attribute::DateOfBirth]
            }
        );
        // A session without the record's identity never agrees.
        assert_eq!(check_record(&asked, None, &signed_in), Verdict::NoRecord);
    }

    #[test]
    fn family_names_agree_with_any_family_field_or_halves_of_a_compound() {
        let leitner = record(&["Leitner-Šimić", "Šimić"], &["Katarina"], &["1983-07-30"]);
        let asked = requested("Simic", "Katarina", "1983-07-30");
        for family in ["Leitner-Simic", "Šimić", "LEITNER", "Simic"] {
            let signed_in = claimed(family, "Katarina", "1983-07-30");
            assert!(
                check_record(&asked, Some(&leitner), &signed_in).is_same(),
                "{family}"
            );
        }
        let signed_in = claimed("Leitmer", "Katarina", "1983-07-30");
        assert!(!check_record(&asked, Some(&leitner), &signed_in).is_same());
    }

    #[test]
    fn a_married_name_agrees_through_the_request_s_birth_name_only_for_its_subject() {
        let born_mueller = record(&["Müller"], &["Jürgen"], &["1970-03-01"]);
        let mut asked = requested("Weber", "Jürgen", "1970-03-01");
        asked.set(Attribute::BirthName, Some("MUELLER"));
        let weber = claimed("Weber", "Jürgen", "1970-03-01");
        assert!(check(&asked, &weber).is_same());
        assert!(check_record(&asked, Some(&born_mueller), &weber).is_same());
        // Not without the birth name in the request.
        let plain = requested("Weber", "Jürgen", "1970-03-01");
        assert_eq!(
            check_record(&plain, Some(&born_mueller), &weber),
            Verdict::Different {
                attributes: vec![Attribute::FamilyName]
            }
        );
        // And never for somebody who is not the request's subject.
        let schmidt = claimed("Schmidt", "Jürgen", "1970-03-01");
        assert!(!check(&asked, &schmidt).is_same());
        assert!(!check_record(&asked, Some(&born_mueller), &schmidt).is_same());
    }

    #[test]
    fn given_names_agree_when_the_record_adds_later_ones() {
        let asked = requested("Martin", "Jean", "1980-01-01");
        let jean_pierre = record(&["Martin"], &["Jean Pierre Marie"], &["1980-01-01"]);
        for given in ["Jean", "Jean Pierre", "jean pierre marie"] {
            assert!(
                check_record(
                    &asked,
                    Some(&jean_pierre),
                    &claimed("Martin", given, "1980-01-01")
                )
                .is_same(),
                "{given}"
            );
        }
        // A later given name alone, or names the record does not hold, differ; so does a
        // compound given name cut in half.
        for given in ["Pierre", "Marie", "Jean Paul", "Jean Pierre Marie Luc"] {
            assert!(
                !check_record(
                    &asked,
                    Some(&jean_pierre),
                    &claimed("Martin", given, "1980-01-01")
                )
                .is_same(),
                "{given}"
            );
        }
        let compound = record(&["Martin"], &["Jean-Pierre"], &["1980-01-01"]);
        assert!(
            !check_record(
                &asked,
                Some(&compound),
                &claimed("Martin", "Jean", "1980-01-01")
            )
            .is_same()
        );
    }

    #[test]
    fn a_registry_date_agrees_on_the_parts_it_knows() {
        let asked = requested("Pop", "Ana", "1990-01-31");
        let signed_in = claimed("Pop", "Ana", "1990-01-31");
        for (date, same) in [
            ("1990-01-31", true),
            ("1990-01-00", true),
            ("1990-00-00", true),
            ("1990-02-00", false),
            ("1991-00-00", false),
            ("1990-31-01", false),
            ("0000-01-31", false),
            ("not a date", false),
        ] {
            let r = record(&["Pop"], &["Ana"], &[date]);
            assert_eq!(
                check_record(&asked, Some(&r), &signed_in).is_same(),
                same,
                "{date}"
            );
        }
    }

    #[test]
    fn a_missing_record_value_never_agrees() {
        let asked = requested("Pop", "Ana", "1990-01-31");
        let signed_in = claimed("Pop", "Ana", "1990-01-31");
        let no_given = record(&["Pop"], &[], &["1990-01-31"]);
        assert_eq!(
            check_record(&asked, Some(&no_given), &signed_in),
            Verdict::Missing {
                attributes: vec![Attribute::GivenName]
            }
        );
        let mut no_date = signed_in.clone();
        no_date.date_of_birth = None;
        let full = record(&["Pop"], &["Ana"], &["1990-01-31"]);
        assert_eq!(
            check_record(&asked, Some(&full), &no_date),
            Verdict::Missing {
                attributes: vec![Attribute::DateOfBirth]
            }
        );
    }

    #[test]
    fn the_record_identity_is_read_through_the_identity_map_and_hidden_in_debug() {
        use oots_connector::Value;
        let fields: FieldMap = [
            (
                Attribute::FamilyName,
                vec!["family_name".to_owned(), "birth_name".to_owned()],
            ),
            (Attribute::GivenName, vec!["given_name".to_owned()]),
            (Attribute::DateOfBirth, vec!["born".to_owned()]),
        ]
        .into_iter()
        .collect();
        let rec: Record = [
            ("family_name", Value::Text("Leitner-Šimić".into())),
            ("birth_name", Value::Null),
            ("given_name", Value::Text(" Katarina ".into())),
            ("born", Value::Text("19830700".into())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let identity = RecordIdentity::of(&rec, &fields, Some("%Y%m%d"));
        assert_eq!(identity.family_names, ["Leitner-Šimić"]);
        assert_eq!(identity.given_names, ["Katarina"]);
        assert_eq!(identity.dates_of_birth, ["1983-07-00"]);
        let debug = format!("{identity:?}");
        assert!(
            !debug.contains("Leitner") && !debug.contains("1983"),
            "{debug}"
        );
        let json = serde_json::to_string(&identity).unwrap();
        assert_eq!(
            serde_json::from_str::<RecordIdentity>(&json).unwrap(),
            identity
        );
        // A verdict and a mismatch name attributes only, and read back.
        let why = Mismatch::Record {
            verdict: Verdict::Different {
                attributes: vec![Attribute::FamilyName],
            },
        };
        let json = serde_json::to_string(&why).unwrap();
        assert_eq!(
            json,
            r#"{"check":"record","verdict":{"verdict":"different","attributes":["FamilyName"]}}"#
        );
        assert_eq!(serde_json::from_str::<Mismatch>(&json).unwrap(), why);
    }
}
