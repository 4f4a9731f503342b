//! From a Latin spelling back to the plain folds of the Greek or Cyrillic names it may
//! spell, for blocking: a registry in those scripts keys on the plain fold only.

use super::combine::combine;
use super::spelling::{CONVENTIONS, Choice, Segment};

/// Most spellings [`native_plain_folds`] returns.
pub const MAX_NATIVE_FOLDS: usize = 8;

/// The plain folds (ICAO for Cyrillic, ELOT 743 for Greek: what [`transliterations`](super::transliterations) gives
/// first) that a Greek or Cyrillic name would have if `latin` is its spelling in another
/// convention: `hristov` → `khristov` (Bulgarian х), `hristos` → `christos` (popular χ),
/// `yannis` → `giannis` (popular γι), `yeorgios` → `georgios` (BGN γ), `shterev` →
/// `shcherev` (Bulgarian щ), `yulia` → `iuliia` (я ю й and Bulgarian -ия), `petar` →
/// `petier` (Bulgarian ъ before a final р).
///
/// A registry keeps one blocking key per name, that of its plain fold; this is how a
/// request spelled in another convention still produces it. Only the letters where the
/// conventions differ in consonants are reversed (h, kh, sht, y before a vowel, й, gg, gk,
/// mp, ks, x, ph), and two vowels Double Metaphone reads differently (ър at the end, гъ).
/// Vowels otherwise are not (ει, οι, υ as `i`; η, αι as `e`; ου as `u`; ъ as `a`): a sound
/// code ignores them, and reversing them would give nearly every name more look-ups.
/// Neither are the classical β `b` and κ `c`, for the same reason: both letters are
/// everywhere in names of other origins.
///
/// `latin` is a name key (ASCII lowercase, words separated by single spaces, see
/// [`crate::keys::name_keys`]); a spelling no reversed convention could produce (with `w`,
/// `q`, `j`, a `c` outside `ch`, or a word ending in a lone `h`: see
/// [`could_be_greek_or_cyrillic`]) gives nothing. The consistent reverse conventions come
/// first (Bulgarian or popular Cyrillic to ICAO, popular or BGN Greek to ELOT, classical
/// Greek to ELOT), then spellings that differ in one letter, two, …, up to
/// [`MAX_NATIVE_FOLDS`]; `latin` itself is not among them.
pub fn native_plain_folds(latin: &str) -> Vec<String> {
    if !could_be_greek_or_cyrillic(latin) {
        return Vec::new();
    }
    let segments = reverse_segments(latin.as_bytes());
    let mut out = combine(&segments, MAX_NATIVE_FOLDS + 1);
    out.retain(|s| s != latin);
    out.truncate(MAX_NATIVE_FOLDS);
    out
}

/// Whether some convention [`native_plain_folds`] reverses could spell a Greek or Cyrillic
/// name as `latin`: ASCII lowercase letters and spaces only, and none of what none of them
/// writes: `w`, `q`, `j`, `c` other than in `ch`, or a word ending in a lone `h` (Sarah).
/// Most names of other origins are ruled out here, and cost no extra look-ups.
fn could_be_greek_or_cyrillic(latin: &str) -> bool {
    let b = latin.as_bytes();
    !b.is_empty()
        && b.iter().enumerate().all(|(i, &c)| {
            let next = b.get(i + 1).copied().unwrap_or(b' ');
            let prev = if i == 0 { b' ' } else { b[i - 1] };
            match c {
                b' ' => true,
                b'w' | b'q' | b'j' => false,
                b'c' => next == b'h',
                b'h' => next != b' ' || matches!(prev, b'c' | b's' | b'z' | b'k' | b't'),
                _ => c.is_ascii_lowercase(),
            }
        })
}

/// A reverse choice; the conventions of [`Choice::conv`] are, in order: Cyrillic
/// (Bulgarian or popular → ICAO), Greek popular or BGN → ELOT, Greek classical → ELOT, and
/// Cyrillic again.
const fn rev(opts: &'static [&'static str], conv: [u8; CONVENTIONS]) -> Choice {
    Choice { opts, conv }
}

/// Bulgarian щ.
const R_SHT: Choice = rev(&["sht", "shch"], [1, 0, 0, 1]);
/// BGN χ.
const R_KH: Choice = rev(&["kh", "ch"], [0, 1, 1, 0]);
/// Bulgarian х, popular χ.
const R_H: Choice = rev(&["h", "kh", "ch"], [1, 2, 2, 1]);
/// Classical φ.
const R_PH: Choice = rev(&["ph", "f"], [0, 0, 1, 0]);
/// γγ, γκ, μπ letter by letter (the plain fold has `ng`, `g`/`nk`, `b`/`mb`).
const R_GG: Choice = rev(&["gg", "ng"], [0, 1, 1, 0]);
const R_GK_START: Choice = rev(&["gk", "g"], [0, 1, 1, 0]);
const R_GK: Choice = rev(&["gk", "nk"], [0, 1, 1, 0]);
const R_MP_START: Choice = rev(&["mp", "b"], [0, 1, 1, 0]);
const R_MP: Choice = rev(&["mp", "mb"], [0, 1, 1, 0]);
/// ξ written `ks`; кс written `x`.
const R_KS: Choice = rev(&["ks", "x"], [0, 1, 1, 0]);
const R_X: Choice = rev(&["x", "ks"], [1, 0, 0, 1]);
/// `yi` before a vowel: Ukrainian ї (ICAO `i`), BGN γι (ELOT `gi`).
const R_YI: Choice = rev(&["yi", "i", "gi"], [1, 2, 2, 1]);
/// `y` before a or u, or before o at the start or after a vowel: я ю йо (ICAO `i`), γι
/// (`gi`).
const R_Y_VOWEL: Choice = rev(&["y", "i", "gi"], [1, 2, 2, 1]);
/// `y` before o after a consonant: Bulgarian ьо (ICAO drops the sign), γι.
const R_Y_O_SOFT: Choice = rev(&["y", "", "i", "gi"], [1, 3, 3, 1]);
/// `y` before e: popular Russian е, ье (ICAO `e`), BGN γε (ELOT `ge`).
const R_Y_E: Choice = rev(&["y", "", "g"], [1, 2, 2, 1]);
/// `y` before i: ї, BGN γι.
const R_Y_I: Choice = rev(&["y", "", "g"], [1, 2, 2, 1]);
/// `y` after a vowel, not before one: й (ICAO `i`: Stoykov, Yuriy, Nikolay).
const R_Y: Choice = rev(&["y", "i"], [1, 0, 0, 1]);
/// Word-final `ia`: Bulgarian -ия (ICAO `iia`).
const R_IA_END: Choice = rev(&["ia", "iia"], [1, 0, 0, 1]);
/// Bulgarian ъ (ICAO `ie`) where Double Metaphone hears the difference: before a final р
/// (`petar` → `petier`, whose code drops the r) and after г (`galabov` → `gielabov`). Only
/// mixed in: most such `a` are а (Olga, Galina).
const R_A_IE: Choice = rev(&["a", "ie"], [0, 0, 0, 0]);

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The reverse choices of one name key, with the text between them.
fn reverse_segments(s: &[u8]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut p = 0;
    while p < s.len() {
        let at = |k: usize| s.get(p + k).copied().unwrap_or(b' ');
        let rest = &s[p..];
        let start = p == 0 || s[p - 1] == b' ';
        let after_vowel = p > 0 && is_vowel(s[p - 1]);
        let (choice, used): (Option<Choice>, usize) = if rest.starts_with(b"shch") {
            (None, 4)
        } else if rest.starts_with(b"sht") {
            (Some(R_SHT), 3)
        } else if rest.starts_with(b"kh") {
            (Some(R_KH), 2)
        } else if rest.starts_with(b"ph") {
            (Some(R_PH), 2)
        } else if at(1) == b'h' && matches!(at(0), b'c' | b's' | b'z' | b't') {
            // ch sh zh th: the h belongs to the letter before.
            (None, 2)
        } else if at(0) == b'h' {
            (Some(R_H), 1)
        } else if rest.starts_with(b"gg") {
            (Some(R_GG), 2)
        } else if rest.starts_with(b"gk") {
            (Some(if start { R_GK_START } else { R_GK }), 2)
        } else if rest.starts_with(b"mp") {
            (Some(if start { R_MP_START } else { R_MP }), 2)
        } else if rest.starts_with(b"ks") {
            (Some(R_KS), 2)
        } else if at(0) == b'x' {
            (Some(R_X), 1)
        } else if at(0) == b'y' {
            match at(1) {
                b'i' if is_vowel(at(2)) => (Some(R_YI), 2),
                b'i' => (Some(R_Y_I), 1),
                b'e' => (Some(R_Y_E), 1),
                b'o' if !start && !after_vowel => (Some(R_Y_O_SOFT), 1),
                b'a' | b'o' | b'u' => (Some(R_Y_VOWEL), 1),
                // й after a vowel.
                _ if after_vowel => (Some(R_Y), 1),
                _ => (None, 1),
            }
        } else if rest.starts_with(b"ia") && at(2) == b' ' {
            (Some(R_IA_END), 2)
        } else if at(0) == b'a' && ((at(1) == b'r' && at(2) == b' ') || (p > 0 && s[p - 1] == b'g'))
        {
            (Some(R_A_IE), 1)
        } else {
            (None, 1)
        };
        match choice {
            Some(c) => {
                if !text.is_empty() {
                    out.push(Segment::Text(std::mem::take(&mut text)));
                }
                out.push(Segment::Choice(c));
            }
            None => text.push_str(std::str::from_utf8(&rest[..used]).unwrap_or("")),
        }
        p += used;
    }
    if !text.is_empty() {
        out.push(Segment::Text(text));
    }
    out
}
