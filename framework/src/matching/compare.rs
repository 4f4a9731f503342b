//! Comparison levels: how well one request attribute agrees with one registry value.
//! Names are compared through their key sets (transliterations, punctuation and particle
//! variants), so `Müller`, `Mueller` and `MULLER` agree exactly.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::date::{DateParts, compare_dates};
use super::keys::{name_keys, tokens};
use super::phonetic::{cologne, double_metaphone, jaro_winkler};

/// How well two values agree, strongest first within each kind of attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Same value (for names: a common key).
    Exact,
    /// Names: all tokens of one are among the other's (`García Márquez` / `García`,
    /// `Anna Maria` / `Anna`).
    Token,
    /// Names: Jaro–Winkler similarity of the closest keys at least 0.92.
    Jw92,
    /// … at least 0.88.
    Jw88,
    /// Names: same Cologne or Double Metaphone code.
    Phonetic,
    /// … at least 0.80.
    Jw80,
    /// Dates: day and month swapped.
    Swapped,
    /// Dates and codes: one character different or two neighbours transposed.
    OneDigit,
    /// Dates: two digits different.
    TwoDigits,
    /// Dates: the registry does not know the day (or day and month); the rest agrees.
    UnknownDay,
    /// Disagreement.
    Else,
    /// The registry holds no value: neither for nor against.
    Missing,
}

impl Level {
    pub const ALL: [Level; 12] = [
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
        Level::Else,
        Level::Missing,
    ];

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
            Level::Else => "else",
            Level::Missing => "missing",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == s)
    }
}

/// How an attribute's values are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Name,
    Date,
    /// Identifiers, post codes, house numbers: letters and digits only, case-insensitive.
    Code,
    Gender,
}

/// A name prepared once for many comparisons.
#[derive(Debug, Clone)]
pub struct NameKeys {
    pub keys: Vec<String>,
    tokens: Vec<BTreeSet<String>>,
    /// Phonetic codes, `c…` (Cologne) and `m…` (Metaphone); a handful, so a sorted
    /// vector is cheaper to intersect than a set.
    phonetic: Vec<String>,
}

/// Keys compared by Jaro–Winkler: the first few variants are enough and keep it cheap.
const JW_KEYS: usize = 4;

impl NameKeys {
    pub fn new(value: &str, particles: &[&str]) -> Self {
        let keys = name_keys(value, particles);
        let tokens = keys
            .iter()
            .map(|k| tokens(k).into_iter().map(str::to_owned).collect())
            .collect();
        let mut phonetic = Vec::new();
        for k in keys.iter().take(JW_KEYS) {
            let joined: String = k.chars().filter(|c| !c.is_whitespace()).collect();
            let c = cologne(&joined);
            if !c.is_empty() {
                phonetic.push(format!("c{c}"));
            }
            let (p, _) = double_metaphone(&joined);
            if !p.is_empty() {
                phonetic.push(format!("m{p}"));
            }
        }
        phonetic.sort_unstable();
        phonetic.dedup();
        Self {
            keys,
            tokens,
            phonetic,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The comparison level of two prepared names.
    pub fn compare(&self, other: &NameKeys) -> Level {
        if self.is_empty() || other.is_empty() {
            return Level::Missing;
        }
        if self.keys.iter().any(|k| other.keys.contains(k)) {
            return Level::Exact;
        }
        if self.tokens.iter().any(|a| {
            other
                .tokens
                .iter()
                .any(|b| token_subset(a, b) || token_subset(b, a))
        }) {
            return Level::Token;
        }
        let mut best: f64 = 0.0;
        for a in self.keys.iter().take(JW_KEYS) {
            for b in other.keys.iter().take(JW_KEYS) {
                best = best.max(jaro_winkler(a, b));
            }
        }
        if best >= 0.92 {
            Level::Jw92
        } else if best >= 0.88 {
            Level::Jw88
        } else if self.phonetic.iter().any(|p| other.phonetic.contains(p)) {
            Level::Phonetic
        } else if best >= 0.80 {
            Level::Jw80
        } else {
            Level::Else
        }
    }
}

/// Every token of `small` is in `big`, and `small` says something (not just an initial).
fn token_subset(small: &BTreeSet<String>, big: &BTreeSet<String>) -> bool {
    small.len() < big.len()
        && small.iter().map(String::len).sum::<usize>() >= 3
        && small.iter().all(|t| big.contains(t))
}

/// A code: letters and digits, upper case.
pub fn code_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Codes agree exactly or up to one substituted/transposed character (for codes of at
/// least four characters, where a typo is more likely than a different value).
pub fn compare_codes(a: &str, b: &str) -> Level {
    let (a, b) = (code_key(a), code_key(b));
    if a.is_empty() || b.is_empty() {
        return Level::Missing;
    }
    if a == b {
        return Level::Exact;
    }
    if a.chars().count() >= 4 && one_edit(&a, &b) {
        return Level::OneDigit;
    }
    Level::Else
}

/// The sex/gender code: `M`, `F`, or nothing known. Accepts eIDAS words, common registry
/// letters (W for weiblich, V for vrouw) and ISO/IEC 5218 digits.
pub fn gender_key(s: &str) -> Option<char> {
    let t = s.trim().to_lowercase();
    match t.as_str() {
        "1" | "m" | "male" | "man" | "männlich" | "maennlich" | "masculin" | "h" | "homme" => {
            Some('M')
        }
        "2" | "f" | "female" | "w" | "weiblich" | "féminin" | "feminin" | "v" | "vrouw"
        | "woman" | "femme" => Some('F'),
        _ => None,
    }
}

pub fn compare_gender(a: &str, b: &str) -> Level {
    match (gender_key(a), gender_key(b)) {
        (Some(x), Some(y)) if x == y => Level::Exact,
        (Some(_), Some(_)) => Level::Else,
        _ => Level::Missing,
    }
}

/// Dates compared part by part; see [`compare_dates`].
pub fn compare_date(request: &DateParts, registry: Option<&DateParts>) -> Level {
    match registry {
        None => Level::Missing,
        Some(g) => compare_dates(request, g),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Level {
        let p = super::super::keys::DEFAULT_PARTICLES;
        NameKeys::new(a, p).compare(&NameKeys::new(b, p))
    }

    #[test]
    fn transliteration_fixtures_agree_exactly() {
        for (a, b) in [
            ("Müller", "Mueller"),
            ("Müller", "Muller"),
            ("Straße", "Strasse"),
            ("Núñez", "Nunez"),
            ("Łukasz", "Lukasz"),
            ("Ærø", "AEroe"),
            ("Ярослав", "Iaroslav"),
            ("Ярослав", "Yaroslav"),
            ("Παπαδόπουλος", "Papadopoulos"),
            ("Jean-Pierre", "Jeanpierre"),
            ("van der Berg", "Berg"),
        ] {
            assert_eq!(cmp(a, b), Level::Exact, "{a} / {b}");
        }
    }

    #[test]
    fn compound_names_agree_on_tokens_and_typos_on_similarity() {
        assert_eq!(cmp("García Márquez", "Garcia"), Level::Token);
        assert_eq!(cmp("Anna Maria", "Anna"), Level::Token);
        assert_eq!(cmp("Schmidt", "Schmitt"), Level::Jw92);
        assert_eq!(cmp("Meyer", "Maier"), Level::Phonetic);
        assert_eq!(cmp("Schmidt", "Dupont"), Level::Else);
        assert_eq!(cmp("", "Dupont"), Level::Missing);
    }

    #[test]
    fn codes_and_gender() {
        assert_eq!(compare_codes("10115", "10115"), Level::Exact);
        assert_eq!(compare_codes("10115", "10151"), Level::OneDigit);
        assert_eq!(compare_codes("10115", "20115"), Level::OneDigit);
        assert_eq!(compare_codes("10115", "29915"), Level::Else);
        assert_eq!(compare_codes("12", "13"), Level::Else);
        assert_eq!(compare_gender("Female", "W"), Level::Exact);
        assert_eq!(compare_gender("Male", "2"), Level::Else);
        assert_eq!(compare_gender("Unspecified", "M"), Level::Missing);
    }
}
