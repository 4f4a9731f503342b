//! The first matcher: exact comparison of normalised key attributes.

use chrono::NaiveDate;
use oots_connector::{Record, Value};

use super::{Attribute, Explanation, FieldMap, Identity, MatchOutcome, Matcher, normalize_name};

/// Compares FamilyName, GivenName and DateOfBirth (natural persons), or the legal person
/// identifier / legal name, after case and diacritics folding. Exactly one candidate
/// agreeing on all of them is a match; two or more is ambiguous.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExactMatcher;

const NATURAL_KEYS: [Attribute; 3] = [
    Attribute::FamilyName,
    Attribute::GivenName,
    Attribute::DateOfBirth,
];

impl ExactMatcher {
    fn keys(identity: &Identity, fields: &FieldMap) -> Result<Vec<Attribute>, Vec<Attribute>> {
        let natural = NATURAL_KEYS.iter().any(|a| fields.contains_key(a));
        if natural {
            let missing: Vec<Attribute> = NATURAL_KEYS
                .into_iter()
                .filter(|a| identity.get(*a).is_none())
                .collect();
            return if missing.is_empty() {
                Ok(NATURAL_KEYS.to_vec())
            } else {
                Err(missing)
            };
        }
        for a in [Attribute::LegalPersonIdentifier, Attribute::LegalName] {
            if fields.contains_key(&a) && identity.get(a).is_some() {
                return Ok(vec![a]);
            }
        }
        Err(vec![Attribute::LegalPersonIdentifier, Attribute::LegalName])
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn agrees(attr: Attribute, wanted: &str, wanted_date: Option<NaiveDate>, got: &Value) -> bool {
    match attr {
        Attribute::DateOfBirth => match (wanted_date, got.as_date()) {
            (Some(w), Some(g)) => w == g,
            _ => false,
        },
        _ => match got.as_text() {
            Some(g) if attr.is_name() => normalize_name(&g) == normalize_name(wanted),
            Some(g) => g.trim().eq_ignore_ascii_case(wanted.trim()),
            None => false,
        },
    }
}

impl Matcher for ExactMatcher {
    fn decide(
        &self,
        identity: &Identity,
        candidates: &[Record],
        fields: &FieldMap,
    ) -> MatchOutcome {
        let keys = match Self::keys(identity, fields) {
            Ok(k) => k,
            Err(missing) => return MatchOutcome::NeedsMoreAttributes { missing },
        };
        let wanted_date = match identity.get(Attribute::DateOfBirth) {
            Some(d) if keys.contains(&Attribute::DateOfBirth) => match parse_date(d) {
                Some(d) => Some(d),
                None => {
                    return MatchOutcome::InvalidInput {
                        attribute: Attribute::DateOfBirth,
                        reason: "not a calendar date (YYYY-MM-DD)".to_owned(),
                    };
                }
            },
            _ => None,
        };
        let matching: Vec<usize> = candidates
            .iter()
            .enumerate()
            .filter(|(_, rec)| {
                keys.iter().all(|a| {
                    let (Some(field), Some(wanted)) = (fields.get(a), identity.get(*a)) else {
                        return false;
                    };
                    rec.get(field)
                        .is_some_and(|got| agrees(*a, wanted, wanted_date, got))
                })
            })
            .map(|(i, _)| i)
            .collect();
        let explanation = Explanation {
            matcher: "exact",
            candidates: candidates.len(),
            compared: keys,
            matching_candidates: matching.len(),
        };
        match matching.as_slice() {
            [one] => MatchOutcome::Match {
                index: *one,
                explanation,
            },
            [] => MatchOutcome::NoMatch { explanation },
            _ => MatchOutcome::Ambiguous { explanation },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> FieldMap {
        [
            (Attribute::FamilyName, "family_name".to_owned()),
            (Attribute::GivenName, "given_name".to_owned()),
            (Attribute::DateOfBirth, "date_of_birth".to_owned()),
        ]
        .into_iter()
        .collect()
    }

    fn rec(f: &str, g: &str, d: &str) -> Record {
        [
            ("family_name".to_owned(), Value::Text(f.to_owned())),
            ("given_name".to_owned(), Value::Text(g.to_owned())),
            ("date_of_birth".to_owned(), Value::Text(d.to_owned())),
        ]
        .into_iter()
        .collect()
    }

    fn who(f: &str, g: &str, d: &str) -> Identity {
        let mut i = Identity::default();
        i.set(Attribute::FamilyName, Some(f));
        i.set(Attribute::GivenName, Some(g));
        i.set(Attribute::DateOfBirth, Some(d));
        i
    }

    #[test]
    fn one_folded_match_is_a_match() {
        let c = [
            rec("Müller", "Jürgen", "1970-03-01"),
            rec("Müller", "Jürgen", "1970-03-02"),
        ];
        let out = ExactMatcher.decide(&who("MULLER", "jurgen", "1970-03-01"), &c, &fields());
        assert!(
            matches!(out, MatchOutcome::Match { index: 0, .. }),
            "{out:?}"
        );
    }

    #[test]
    fn twins_are_ambiguous_and_strangers_do_not_match() {
        let c = [
            rec("Smith", "John", "1970-03-01"),
            rec("Smith", "John", "1970-03-01"),
        ];
        let f = fields();
        assert!(matches!(
            ExactMatcher.decide(&who("Smith", "John", "1970-03-01"), &c, &f),
            MatchOutcome::Ambiguous { .. }
        ));
        assert!(matches!(
            ExactMatcher.decide(&who("Smith", "Jon", "1970-03-01"), &c, &f),
            MatchOutcome::NoMatch { .. }
        ));
    }

    #[test]
    fn missing_or_invalid_attributes_are_reported() {
        let mut i = who("Smith", "John", "1970-13-45");
        let f = fields();
        assert!(matches!(
            ExactMatcher.decide(&i, &[], &f),
            MatchOutcome::InvalidInput {
                attribute: Attribute::DateOfBirth,
                ..
            }
        ));
        i.attributes.remove(&Attribute::GivenName);
        assert_eq!(
            ExactMatcher.decide(&i, &[], &f),
            MatchOutcome::NeedsMoreAttributes {
                missing: vec![Attribute::GivenName]
            }
        );
    }
}
