//! Sound-alike codes and string similarity for name keys.
//!
//! Keys from [`super::keys::name_keys`] catch different *spellings conventions*; these catch
//! names that sound the same but are spelled differently (`Meyer` / `Maier`,
//! `Schmidt` / `Schmitt`). The algorithms come from `rphonetic` (a port of Apache
//! commons-codec) and `strsim`; this module fixes how they are applied to keys.

use rphonetic::{Cologne, DoubleMetaphone, Encoder};

use crate::translit::transliterations;

/// Kölner Phonetik of a key; spaces and anything but ASCII letters are ignored, so
/// `van der berg` and `vanderberg` get the same code. Empty for empty input.
///
/// Meant for ASCII lowercase keys; other input is first folded to its plain transliteration
/// (`Müller` → `muller` → `657`).
pub fn cologne(s: &str) -> String {
    let letters = letters(s);
    if letters.is_empty() {
        return String::new();
    }
    Cologne.encode(&letters)
}

/// Double Metaphone primary and alternate codes (standard length 4) of a key; spaces and
/// anything but ASCII letters are ignored. Both empty for empty input.
///
/// `muller` → `("MLR", "MLR")`, `schmidt` → `("XMT", "SMT")`.
pub fn double_metaphone(s: &str) -> (String, String) {
    let letters = letters(s);
    if letters.is_empty() {
        return (String::new(), String::new());
    }
    let r = DoubleMetaphone::default().double_metaphone(&letters);
    (r.primary(), r.alternate())
}

/// Jaro–Winkler similarity in `[0, 1]` (prefix scale 0.1, prefix up to 4 characters,
/// boost applied above 0.7 Jaro similarity), as `strsim` computes it.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() && a.len() <= ASCII_JW_MAX && b.len() <= ASCII_JW_MAX {
        ascii_jaro_winkler(a.as_bytes(), b.as_bytes())
    } else {
        strsim::jaro_winkler(a, b)
    }
}

/// Longest ASCII key compared without allocating (longer ones go to `strsim`).
const ASCII_JW_MAX: usize = 64;

/// `strsim::jaro_winkler` step for step, on bytes and with the match flags on the stack:
/// the engine compares every candidate's names, and the allocation `strsim` makes per
/// call was a tenth of a decision's cost.
fn ascii_jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    }
    if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let search_range = (a_len.max(b_len) / 2).saturating_sub(1);
    let mut a_flags = [false; ASCII_JW_MAX];
    let mut b_flags = [false; ASCII_JW_MAX];
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let min_bound = i.saturating_sub(search_range);
        let max_bound = b_len.min(i + search_range + 1);
        for j in min_bound..max_bound {
            if *x == b[j] && !b_flags[j] {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, x) in a.iter().enumerate() {
        if !a_flags[i] {
            continue;
        }
        while !b_flags[j] {
            j += 1;
        }
        if *x != b[j] {
            transpositions += 1;
        }
        j += 1;
    }
    transpositions /= 2;
    let m = matches as f64;
    let sim = (m / a_len as f64 + m / b_len as f64 + (matches - transpositions) as f64 / m) / 3.0;
    if sim > 0.7 {
        let prefix = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// The ASCII letters of `s`, lowercase; non-ASCII input is folded first. The encoders index
/// bytes, so they only ever see ASCII.
fn letters(s: &str) -> String {
    let fold = |t: &str| -> String {
        t.chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    if s.is_ascii() {
        fold(s)
    } else {
        transliterations(s)
            .first()
            .map(|t| fold(t))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cologne_codes() {
        assert_eq!(cologne("muller"), "657");
        assert_eq!(cologne("mueller"), "657");
        assert_eq!(cologne("Müller"), "657");
        assert_eq!(cologne("meyer"), "67");
        assert_eq!(cologne("maier"), "67");
        assert_eq!(cologne("Meier"), "67");
        assert_eq!(cologne("schmidt"), "862");
        assert_eq!(cologne("schmitt"), "862");
        assert_eq!(cologne("van der berg"), cologne("vanderberg"));
        assert_eq!(cologne(""), "");
        assert_eq!(cologne(" - "), "");
        assert_ne!(cologne("muller"), cologne("schmidt"));
    }

    #[test]
    fn double_metaphone_codes() {
        assert_eq!(double_metaphone("muller"), ("MLR".into(), "MLR".into()));
        assert_eq!(double_metaphone("mueller").0, "MLR");
        assert_eq!(double_metaphone("Müller").0, "MLR");
        assert_eq!(double_metaphone("schmidt"), ("XMT".into(), "SMT".into()));
        assert_eq!(double_metaphone("smith"), ("SM0".into(), "XMT".into()));
        assert_eq!(
            double_metaphone("jean pierre"),
            double_metaphone("jeanpierre")
        );
        assert_eq!(double_metaphone(""), (String::new(), String::new()));
        // Only ASCII reaches the encoder, so odd input cannot panic it.
        for s in ["ßçñ", "Ярослав", "\u{0301}x", "ghghghgh", "mbmbcz", "北京"] {
            let (p, a) = double_metaphone(s);
            assert!(p.is_ascii() && a.is_ascii());
        }
    }

    #[test]
    fn jaro_winkler_scores() {
        assert_eq!(jaro_winkler("muller", "muller"), 1.0);
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert!(jaro_winkler("muller", "mueller") > jaro_winkler("muller", "schmidt"));
        assert_eq!(jaro_winkler("", "abc"), 0.0);
    }

    #[test]
    fn the_ascii_fast_path_agrees_with_strsim_exactly() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "muller",
            "mueller",
            "moller",
            "martha",
            "marhta",
            "dwayne",
            "duane",
            "jones",
            "johnson",
            "jellyfish",
            "smellyfish",
            "aaaa",
            "aaab",
            "van der berg",
            "vanderberg",
            "kovacs",
            "kovac",
            "abcdefghijklmnopqrstuvwxyz",
            "zyxwvutsrqponmlkjihgfedcba",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    ascii_jaro_winkler(a.as_bytes(), b.as_bytes()).to_bits(),
                    strsim::jaro_winkler(a, b).to_bits(),
                    "{a:?} / {b:?}"
                );
            }
        }
    }
}
