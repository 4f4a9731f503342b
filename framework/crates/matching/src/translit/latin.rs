//! Latin letters with a spelling of their own: those that do not fold to one ASCII letter
//! by stripping marks, and those ICAO 9303 spells in more than one way.

use super::spelling::{Spelling, ch};

/// Latin letters that do not fold to one ASCII letter by stripping marks, or that ICAO 9303
/// Part 3 spells in more than one way (the plain fold first, the ICAO expansion second).
pub(super) fn latin(c: char) -> Option<Spelling> {
    Some(match c {
        'ä' => ch(&["a", "ae"]),
        'ö' => ch(&["o", "oe"]),
        'ü' => ch(&["u", "ue"]),
        'å' => ch(&["a", "aa"]),
        // Hungarian double acute: ICAO lists the umlaut-like expansion.
        'ő' => ch(&["o", "oe"]),
        'ű' => ch(&["u", "ue"]),
        'ø' => ch(&["o", "oe"]),
        // Serbo-Croatian đ is written `dj` wherever the letter is not available.
        'đ' => ch(&["d", "dj"]),
        'ñ' => Spelling::Fixed("n"),
        'ß' => Spelling::Fixed("ss"),
        'æ' => Spelling::Fixed("ae"),
        'œ' => Spelling::Fixed("oe"),
        'þ' => Spelling::Fixed("th"),
        'ĳ' => Spelling::Fixed("ij"),
        'ł' => Spelling::Fixed("l"),
        'ŀ' => Spelling::Fixed("l"),
        'ð' => Spelling::Fixed("d"),
        'ı' => Spelling::Fixed("i"),
        'ħ' => Spelling::Fixed("h"),
        'ŧ' => Spelling::Fixed("t"),
        'ŋ' => Spelling::Fixed("ng"),
        'ſ' => Spelling::Fixed("s"),
        _ => return None,
    })
}
