//! Latin spellings of a name as registries and passports write it.
//!
//! One person's name reaches us spelled by different conventions: `Müller` from a German
//! register, `MUELLER` from a passport machine-readable zone, `Ярослав` from a Ukrainian
//! register and `IAROSLAV` or `YAROSLAV` from elsewhere. Comparing names therefore compares
//! *sets* of spellings: [`transliterations`] produces the set for one string.
//!
//! The tables follow the published standards (ICAO Doc 9303 Part 3 for Latin letters and
//! Cyrillic, ELOT 743 / ISO 843 for Greek) plus the other conventions found on identity
//! documents and in older records:
//!
//! - Cyrillic: the popular (BGN/PCGN-style) spelling of Russian names (`Yaroslav`,
//!   `Yuriy`), and the Bulgarian Streamlined System of the Transliteration Act 2009, which
//!   Bulgarian documents use: х `h`, щ `sht`, ъ `a`, ьо `yo`, й `y`, ю `yu`, я `ya`, and
//!   word-final ия `ia` (`Христов` → `hristov`, `Юлия` → `yulia`). Letters decide the
//!   language where they can (ё ы э: Russian; ѝ, ъ as a vowel, ьо: Bulgarian; і ї є ґ ў:
//!   Ukrainian or Belarusian; ђ ћ џ љ њ ј ѓ ќ ѕ: Serbian or Macedonian); a name without such
//!   letters gets the Russian and the Bulgarian spellings both.
//! - Greek: the popular spelling (γι `y`, χ `h`, ει οι υ `i`, αι `e`: `Yannis`, `Hristos`,
//!   `Vasilios`), the classical or older one (η `e`, β `b`, φ `ph`, κ `c`, γγ `gg`, ευ `eu`:
//!   `Demetrios`, `Basileios`, `Christophoros`) and BGN/PCGN 1962 (γ before a front vowel
//!   `y`, χ `kh`: `Yeorgios`, `Yiannis`, `Khristos`).
//!
//! Letters with one accepted spelling become fixed text; letters with several become a
//! *choice*, which knows the spelling each consistent convention gives it. The spellings are
//! then combined breadth-first: the plain fold, each consistent convention, then the mixes
//! that differ from the plain fold in one letter, two letters, and so on, so their number
//! stays bounded whatever the input.
//!
//! [`native_plain_folds`] goes the other way, for blocking: from a Latin spelling to the
//! plain folds of the Greek or Cyrillic names it may spell (`hristov` → `khristov`,
//! `yannis` → `giannis`), the values a registry in those scripts keeps in its key columns.

mod combine;
mod cyrillic;
mod greek;
mod latin;
mod reverse;
mod segment;
mod spelling;

#[cfg(test)]
mod tests;

pub use reverse::{MAX_NATIVE_FOLDS, native_plain_folds};

use combine::combine;
use cyrillic::is_cyrillic;
use greek::is_greek;
use segment::segment;

/// Most spellings returned for one string: enough for every consistent convention plus the
/// single-letter mixes, small enough that comparing two names stays cheap.
pub const MAX_TRANSLITERATIONS: usize = 16;

/// Returns the Latin spellings of `s`: lowercase, ASCII only, without diacritics,
/// deduplicated, in a deterministic order.
///
/// The first is the plain fold (`Müller` → `muller`, `Ærø` → `aero`; ICAO for Cyrillic,
/// ELOT 743 for Greek). Next — where the string has letters with several spellings — come
/// the other consistent conventions (`mueller`, `aeroe`; `yaroslav`; `hristov`; `yannis`,
/// `demetrios`, `yiannis`), then spellings that differ from the plain fold in one letter,
/// two letters, and so on, up to [`MAX_TRANSLITERATIONS`]. Whitespace is collapsed to
/// single spaces; ASCII punctuation is kept (name keys decide what to do with it). Empty only when `s` has nothing that spells
/// to ASCII (empty, blank, or only signs such as `ь`).
pub fn transliterations(s: &str) -> Vec<String> {
    let segments = segment(s);
    combine(&segments, MAX_TRANSLITERATIONS)
}

/// Whether `s` has Greek or Cyrillic letters: its plain fold is then already the one a
/// registry in that script keys on, and reversing other conventions is pointless.
pub fn has_greek_or_cyrillic(s: &str) -> bool {
    s.chars().any(|c| is_cyrillic(c) || is_greek(c))
}
