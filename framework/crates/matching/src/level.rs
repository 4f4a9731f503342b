//! The comparison levels one attribute comparison ends in, shared by names
//! ([`crate::compare`]) and dates ([`crate::date`]), which both also need [`one_edit`].

use serde::{Deserialize, Serialize};

/// How well two values agree, strongest first within each kind of attribute.
///
/// For names the levels also say *what kind* of agreement it is, which the guards rely
/// on (docs/matching.md, "Threat model"): `exact` and `token` are the **same name**
/// (spelling conventions, compound-name halves, a dropped later given name); `jw92`,
/// `jw88` and `phonetic` are a **near spelling** (a typing error: one edit, two in long
/// names, never a longer or shorter name); `jw80` and `else` are **another name**, however
/// alike they sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Same value (for names: a common key).
    Exact,
    /// Names: the request gives part of the record's name: a half of a compound family
    /// name (`García` for `García Márquez`), the first of its given names (`Anna` for
    /// `Anna Maria`). For places and streets, any token subset.
    Token,
    /// Names: a near spelling whose closest keys have a Jaro–Winkler similarity of at
    /// least 0.92.
    Jw92,
    /// … at least 0.88.
    Jw88,
    /// Names: a near spelling below that, whose sound agrees (Kölner Phonetik or Double
    /// Metaphone). A sound alone never makes two names agree.
    Phonetic,
    /// Names: not a near spelling, Jaro–Winkler at least 0.80 (`Jan` / `Jana`,
    /// `Jürgen` / `Jörg`): another name.
    Jw80,
    /// Dates: day and month swapped.
    Swapped,
    /// Dates and codes: one character different or two neighbours transposed.
    OneDigit,
    /// Dates: two digits different.
    TwoDigits,
    /// Dates: year and month agree, one side does not know the day.
    UnknownDay,
    /// Dates: the years agree, one side knows neither day nor month.
    YearOnly,
    /// Disagreement.
    Else,
    /// The registry holds no value: neither for nor against.
    Missing,
}

impl Level {
    /// Every level, in declaration order (for parsing and listings).
    pub const ALL: [Level; 13] = [
        Level::Exact,
        Level::Token,
        Level::Jw92,
        Level::Jw88,
        Level::Phonetic,
        Level::Jw80,
        Level::Swapped,
        Level::OneDigit,
        Level::TwoDigits,
        Level::UnknownDay,
        Level::YearOnly,
        Level::Else,
        Level::Missing,
    ];

    /// The name used in mapping files and explanations (`jw92`, `missing`…).
    pub fn name(self) -> &'static str {
        match self {
            Level::Exact => "exact",
            Level::Token => "token",
            Level::Jw92 => "jw92",
            Level::Jw88 => "jw88",
            Level::Phonetic => "phonetic",
            Level::Jw80 => "jw80",
            Level::Swapped => "swapped",
            Level::OneDigit => "one_digit",
            Level::TwoDigits => "two_digits",
            Level::UnknownDay => "unknown_day",
            Level::YearOnly => "year_only",
            Level::Else => "else",
            Level::Missing => "missing",
        }
    }

    /// The level of a name, if it is one.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == s)
    }

    /// Names: the same name (a common key, or compatible tokens).
    pub fn is_same_name(self) -> bool {
        matches!(self, Level::Exact | Level::Token)
    }

    /// Names: a near spelling, which only a typing error explains.
    pub fn is_near_spelling(self) -> bool {
        matches!(self, Level::Jw92 | Level::Jw88 | Level::Phonetic)
    }
}

/// One substitution, or one transposition of neighbours, between equal-length strings.
pub fn one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    match diff.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}
