//! The similarity judgements the adversarial scenarios are defined by: this module's own
//! edit distance, Jaro–Winkler and date digits, never the engine's comparison levels, so
//! the measurement does not move when the engine does.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::super::edits::distance;
use super::super::population::Person;
use crate::matching::Attribute;
use crate::matching::date::DateParts;
use crate::matching::phonetic::jaro_winkler;

/// P's attribute as the registry spells it.
pub(super) fn spelling(p: &Person, a: Attribute) -> &str {
    p.values.get(&a).map(String::as_str).unwrap_or_default()
}

/// The words of a folded name.
pub(super) fn tokens(key: &str) -> BTreeSet<&str> {
    key.split(' ').filter(|t| !t.is_empty()).collect()
}

/// The first word of a folded name.
pub(super) fn first_token(key: &str) -> &str {
    key.split(' ').find(|t| !t.is_empty()).unwrap_or_default()
}

/// Whether two folded names share a word (a compound's half).
pub(super) fn shares_a_word(a: &str, b: &str) -> bool {
    let (a, b) = (tokens(a), tokens(b));
    (a.len() > 1 || b.len() > 1) && !a.is_disjoint(&b)
}

/// Close enough to be a typing error: one edit, or Jaro–Winkler at least `jw`.
pub(super) fn typo_close(a: &str, b: &str, jw: f64) -> bool {
    distance(a, b) <= 1 || jaro_winkler(a, b) >= jw
}

/// The date with day and month exchanged, when that is a date.
pub(super) fn swapped(d: NaiveDate) -> Option<NaiveDate> {
    DateParts::from_date(d).swapped().and_then(|s| s.to_date())
}

/// How many of the eight digits (`YYYYMMDD`) differ.
pub(super) fn digits_apart(a: NaiveDate, b: NaiveDate) -> usize {
    let (a, b) = (
        a.format("%Y%m%d").to_string(),
        b.format("%Y%m%d").to_string(),
    );
    a.chars().zip(b.chars()).filter(|(x, y)| x != y).count()
}
