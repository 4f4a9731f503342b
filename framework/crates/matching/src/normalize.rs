//! Name normalisation: the same name written with or without accents, in another case or
//! with different punctuation must compare equal.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds case and diacritics, maps letters that do not decompose (ß, æ, ø, ł…) to their
/// usual Latin spelling, turns punctuation and hyphens into spaces and collapses spaces.
///
/// `Müller` → `muller`, `Jean-Luc  D'Arc` → `jean luc d arc`, `Łukasz` → `lukasz`.
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        let lower: String = c.to_lowercase().collect();
        for c in lower.chars() {
            let mapped: &str = match c {
                'ß' => "ss",
                'æ' => "ae",
                'ø' => "o",
                'œ' => "oe",
                'ł' => "l",
                'đ' | 'ð' => "d",
                'þ' => "th",
                'ı' => "i",
                'ħ' => "h",
                'ŧ' => "t",
                _ => "",
            };
            if !mapped.is_empty() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push_str(mapped);
            } else if c.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            } else {
                pending_space = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize_name as n;

    #[test]
    fn case_and_diacritics_fold() {
        assert_eq!(n("Müller"), "muller");
        assert_eq!(n("MULLER"), "muller");
        assert_eq!(n("Núñez"), "nunez");
        assert_eq!(n("Łukasz"), "lukasz");
        assert_eq!(n("Straße"), "strasse");
        assert_eq!(n("Ærø"), "aero");
        assert_eq!(n("  Jean-Luc   D'Arc "), "jean luc d arc");
        assert_eq!(n("Ｊｅａｎ"), "jean");
    }
}
