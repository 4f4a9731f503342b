//! Sound-alike codes and string similarity for name keys.
//!
//! Keys from [`super::keys::name_keys`] catch different *spellings conventions*; these catch
//! names that sound the same but are spelled differently (`Meyer` / `Maier`,
//! `Schmidt` / `Schmitt`). The algorithms come from `rphonetic` (a port of Apache
//! commons-codec) and `strsim`; this module fixes how they are applied to keys.

use rphonetic::{Cologne, DoubleMetaphone, Encoder};

use super::translit::transliterations;

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
    strsim::jaro_winkler(a, b)
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
}
