//! Greek letters and digraphs in Latin: ELOT 743 / ISO 843 with the popular, classical and
//! BGN/PCGN variants.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::spelling::{Spelling, conv, extra};

/// Whether `c` is in the Greek or Greek Extended block.
pub(super) fn is_greek(c: char) -> bool {
    ('\u{0370}'..='\u{03FF}').contains(&c) || ('\u{1F00}'..='\u{1FFF}').contains(&c)
}

/// A Greek letter without its accents and breathings, and whether it carried a diaeresis
/// (which stops it forming a digraph with the letter before).
fn greek_base(c: char) -> (char, bool) {
    let mut base = None;
    let mut diaeresis = false;
    decompose_canonical(c, |d| {
        if d == '\u{0308}' {
            diaeresis = true;
        } else if base.is_none() && !is_combining_mark(d) {
            base = Some(d);
        }
    });
    (base.unwrap_or(c), diaeresis)
}

/// Base letter at `i` if it is Greek and has no diaeresis.
fn greek_at(chars: &[char], i: usize) -> Option<char> {
    let c = *chars.get(i)?;
    if !is_greek(c) {
        return None;
    }
    let (b, diaeresis) = greek_base(c);
    (!diaeresis).then_some(b)
}

/// Greek vowel letters (base forms): a γ before one of them with ι between is the
/// digraph γι (Γιάννης), and a γ before a front one is `y` in BGN/PCGN.
fn is_greek_vowel(b: char) -> bool {
    matches!(b, 'α' | 'ε' | 'η' | 'ι' | 'ο' | 'υ' | 'ω')
}

/// Greek per ELOT 743 / ISO 843 with the popular, classical and BGN/PCGN variants (the
/// conventions of [`Choice::conv`](super::spelling::Choice::conv), in that order). Returns the spellings and how many
/// characters they consumed (digraphs take two).
pub(super) fn greek(chars: &[char], i: usize) -> (Vec<Spelling>, usize) {
    use Spelling::Fixed;
    let (b, _) = greek_base(chars[i]);
    let next = greek_at(chars, i + 1);
    let word_start = i == 0 || !chars[i - 1].is_alphabetic();
    // A digraph ends the word when the letter after it is not a letter.
    let word_end_after = |k: usize| chars.get(k).is_none_or(|c| !c.is_alphabetic());
    match (b, next) {
        ('ο', Some('υ')) => (vec![extra(&["ou", "u"])], 2),
        // αι, ει, οι: one vowel sound, written `e`, `i`, `i` in the popular and BGN
        // spellings (Αικατερίνη → Ekaterini, Ειρήνη → Irini, Βασίλειος → Vasilios).
        ('α', Some('ι')) => (vec![conv(&["ai", "e"], [1, 0, 1])], 2),
        ('ε', Some('ι')) => (vec![conv(&["ei", "i"], [1, 0, 1])], 2),
        ('ο', Some('ι')) => (vec![conv(&["oi", "i"], [1, 0, 1])], 2),
        ('α' | 'ε' | 'η', Some('υ')) => {
            // υ after α/ε/η is `f` before voiceless consonants and at the end, `v` elsewhere;
            // the classical spelling keeps `u` (Ευάγγελος → Euangelos).
            let voiceless = word_end_after(i + 2)
                || matches!(
                    greek_at(chars, i + 2),
                    Some('θ' | 'κ' | 'ξ' | 'π' | 'σ' | 'ς' | 'τ' | 'φ' | 'χ' | 'ψ')
                );
            let sp = match (b, voiceless) {
                ('α', true) => conv(&["af", "au", "av"], [0, 1, 0]),
                ('α', false) => conv(&["av", "au"], [0, 1, 0]),
                ('ε', true) => conv(&["ef", "eu", "ev"], [0, 1, 0]),
                ('ε', false) => conv(&["ev", "eu"], [0, 1, 0]),
                (_, true) => conv(&["if", "iu", "iv"], [0, 1, 0]),
                (_, false) => conv(&["iv", "iu"], [0, 1, 0]),
            };
            (vec![sp], 2)
        }
        // γι before a vowel is one sound: `y` popular (Yannis), `yi` BGN (Yiannis), `gi`
        // ELOT and classical. Only an unaccented ι joins (γίνεται is γί-νε-ται).
        ('γ', Some('ι'))
            if chars[i + 1] == 'ι' && greek_at(chars, i + 2).is_some_and(is_greek_vowel) =>
        {
            (vec![conv(&["gi", "y", "yi"], [1, 0, 2])], 2)
        }
        ('μ', Some('π')) => {
            let sp = if word_start || word_end_after(i + 2) {
                conv(&["b", "mp"], [0, 1, 0])
            } else {
                conv(&["mb", "mp"], [0, 1, 0])
            };
            (vec![sp], 2)
        }
        ('ν', Some('τ')) => {
            let sp = if word_start {
                conv(&["d", "nt"], [0, 1, 0])
            } else {
                conv(&["nt", "d", "nd"], [0, 0, 2])
            };
            (vec![sp], 2)
        }
        // Letter by letter `gg` (Evaggelos), as Greek systems without ELOT wrote it.
        ('γ', Some('γ')) => (vec![conv(&["ng", "gg"], [0, 1, 0])], 2),
        ('γ', Some('κ')) => {
            let sp = if word_start {
                conv(&["g", "gk"], [0, 1, 0])
            } else {
                conv(&["nk", "gk", "g", "ng"], [0, 1, 3])
            };
            (vec![sp], 2)
        }
        ('γ', Some('ξ')) => (vec![Fixed("nx")], 2),
        ('γ', Some('χ')) => (vec![Fixed("n"), conv(&["ch", "h", "kh"], [1, 0, 2])], 2),
        _ => (vec![letter(b, next, chars, i)], 1),
    }
}

/// A single letter `b` (base form) at `i`, `next` the letter after it, in the conventions
/// of [`Choice::conv`](super::spelling::Choice::conv).
fn letter(b: char, next: Option<char>, chars: &[char], i: usize) -> Spelling {
    use Spelling::Fixed;
    match b {
        'α' => Fixed("a"),
        // β: `b` in the classical spelling (Basileios).
        'β' | 'ϐ' => conv(&["v", "b"], [0, 1, 0]),
        // γ before a front vowel: `y` in BGN/PCGN (Γεώργιος → Yeorgios).
        'γ' if matches!(next, Some('ε' | 'η' | 'ι' | 'υ'))
            || (matches!(next, Some('α' | 'ο')) && greek_at(chars, i + 2) == Some('ι')) =>
        {
            conv(&["g", "y"], [0, 0, 1])
        }
        'γ' => Fixed("g"),
        'δ' => Fixed("d"),
        'ε' => Fixed("e"),
        'ζ' => Fixed("z"),
        // η: `e` in the classical spelling (Demetrios).
        'η' => conv(&["i", "e"], [0, 1, 0]),
        'θ' | 'ϑ' => Fixed("th"),
        'ι' => Fixed("i"),
        // κ: `c` in the classical spelling (Constantinos).
        'κ' | 'ϰ' => conv(&["k", "c"], [0, 1, 0]),
        'λ' => Fixed("l"),
        'μ' => Fixed("m"),
        'ν' => Fixed("n"),
        'ξ' => extra(&["x", "ks"]),
        'ο' => Fixed("o"),
        'π' | 'ϖ' => Fixed("p"),
        'ρ' | 'ϱ' => Fixed("r"),
        'σ' | 'ς' | 'ϲ' => Fixed("s"),
        'τ' => Fixed("t"),
        'υ' | 'ϒ' => conv(&["y", "i", "u"], [1, 0, 1]),
        // φ: `ph` in the classical spelling (Christophoros).
        'φ' | 'ϕ' => conv(&["f", "ph"], [0, 1, 0]),
        // χ: `h` popular (Hristos), `kh` BGN/PCGN (Khristos).
        'χ' => conv(&["ch", "h", "kh"], [1, 0, 2]),
        'ψ' => Fixed("ps"),
        'ω' => Fixed("o"),
        'ϳ' => Fixed("j"),
        other => Fixed(deunicode::deunicode_char(other).unwrap_or(" ")),
    }
}
