//! Text → single-byte codes of the standard-14 Helvetica fonts.
//!
//! Why: the PDF rendition uses the non-embedded standard fonts (no font files to ship,
//! tiny output). Their glyph set ("ExtendedRoman", 315 glyphs) covers WinAnsiEncoding plus
//! the Latin Extended-A letters of the EU languages (Polish, Czech, Hungarian, Baltic,
//! Romanian, Croatian, ...). Those extra letters are reached through a second font
//! resource with a custom `/Differences` encoding ([`Plane::Extended`]). Anything else
//! (Greek, Cyrillic, Maltese ċ/ġ/ħ, symbols) is transliterated to Latin and *counted*, so
//! the PDF can say so in its metadata instead of losing characters silently.

mod transliteration;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Which of the two encodings of a face a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Plane {
    /// `WinAnsiEncoding` (Latin-1 plus the Windows-1252 extras).
    WinAnsi,
    /// The custom encoding of [`EXTENDED`]: code = [`EXTENDED_FIRST`] + index.
    Extended,
}

/// One encoded character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyph {
    /// Encoding the code belongs to.
    pub plane: Plane,
    /// The byte shown with `Tj` in a font of that plane.
    pub code: u8,
}

/// A string encoded for the standard-14 fonts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoded {
    /// The glyphs, in order.
    pub glyphs: Vec<Glyph>,
    /// How many input characters were not representable and were transliterated or
    /// replaced by `?`.
    pub substituted: usize,
}

/// First code of the extended plane (codes below are unused there).
pub const EXTENDED_FIRST: u8 = 33;

/// The extended plane: Unicode character, Adobe glyph name, width in Helvetica,
/// width in Helvetica-Bold (AFM `WX`, Adobe Core14 metrics).
#[rustfmt::skip]
pub const EXTENDED: [(char, &str, u16, u16); 82] = [
    ('\u{0100}', "Amacron", 667, 722), ('\u{0101}', "amacron", 556, 556),
    ('\u{0102}', "Abreve", 667, 722), ('\u{0103}', "abreve", 556, 556),
    ('\u{0104}', "Aogonek", 667, 722), ('\u{0105}', "aogonek", 556, 556),
    ('\u{0106}', "Cacute", 722, 722), ('\u{0107}', "cacute", 500, 556),
    ('\u{010C}', "Ccaron", 722, 722), ('\u{010D}', "ccaron", 500, 556),
    ('\u{010E}', "Dcaron", 722, 722), ('\u{010F}', "dcaron", 643, 743),
    ('\u{0110}', "Dcroat", 722, 722), ('\u{0111}', "dcroat", 556, 611),
    ('\u{0112}', "Emacron", 667, 667), ('\u{0113}', "emacron", 556, 556),
    ('\u{0116}', "Edotaccent", 667, 667), ('\u{0117}', "edotaccent", 556, 556),
    ('\u{0118}', "Eogonek", 667, 667), ('\u{0119}', "eogonek", 556, 556),
    ('\u{011A}', "Ecaron", 667, 667), ('\u{011B}', "ecaron", 556, 556),
    ('\u{011E}', "Gbreve", 778, 778), ('\u{011F}', "gbreve", 556, 611),
    ('\u{0122}', "Gcommaaccent", 778, 778), ('\u{0123}', "gcommaaccent", 556, 611),
    ('\u{012A}', "Imacron", 278, 278), ('\u{012B}', "imacron", 278, 278),
    ('\u{012E}', "Iogonek", 278, 278), ('\u{012F}', "iogonek", 222, 278),
    ('\u{0130}', "Idotaccent", 278, 278), ('\u{0131}', "dotlessi", 278, 278),
    ('\u{0136}', "Kcommaaccent", 667, 722), ('\u{0137}', "kcommaaccent", 500, 556),
    ('\u{0139}', "Lacute", 556, 611), ('\u{013A}', "lacute", 222, 278),
    ('\u{013B}', "Lcommaaccent", 556, 611), ('\u{013C}', "lcommaaccent", 222, 278),
    ('\u{013D}', "Lcaron", 556, 611), ('\u{013E}', "lcaron", 299, 400),
    ('\u{0141}', "Lslash", 556, 611), ('\u{0142}', "lslash", 222, 278),
    ('\u{0143}', "Nacute", 722, 722), ('\u{0144}', "nacute", 556, 611),
    ('\u{0145}', "Ncommaaccent", 722, 722), ('\u{0146}', "ncommaaccent", 556, 611),
    ('\u{0147}', "Ncaron", 722, 722), ('\u{0148}', "ncaron", 556, 611),
    ('\u{014C}', "Omacron", 778, 778), ('\u{014D}', "omacron", 556, 611),
    ('\u{0150}', "Ohungarumlaut", 778, 778), ('\u{0151}', "ohungarumlaut", 556, 611),
    ('\u{0154}', "Racute", 722, 722), ('\u{0155}', "racute", 333, 389),
    ('\u{0156}', "Rcommaaccent", 722, 722), ('\u{0157}', "rcommaaccent", 333, 389),
    ('\u{0158}', "Rcaron", 722, 722), ('\u{0159}', "rcaron", 333, 389),
    ('\u{015A}', "Sacute", 667, 667), ('\u{015B}', "sacute", 500, 556),
    ('\u{015E}', "Scedilla", 667, 667), ('\u{015F}', "scedilla", 500, 556),
    ('\u{0162}', "Tcommaaccent", 611, 611), ('\u{0163}', "tcommaaccent", 278, 333),
    ('\u{0164}', "Tcaron", 611, 611), ('\u{0165}', "tcaron", 317, 389),
    ('\u{016A}', "Umacron", 722, 722), ('\u{016B}', "umacron", 556, 611),
    ('\u{016E}', "Uring", 722, 722), ('\u{016F}', "uring", 556, 611),
    ('\u{0170}', "Uhungarumlaut", 722, 722), ('\u{0171}', "uhungarumlaut", 556, 611),
    ('\u{0172}', "Uogonek", 722, 722), ('\u{0173}', "uogonek", 556, 611),
    ('\u{0179}', "Zacute", 611, 611), ('\u{017A}', "zacute", 500, 500),
    ('\u{017B}', "Zdotaccent", 611, 611), ('\u{017C}', "zdotaccent", 500, 500),
    ('\u{0218}', "Scommaaccent", 667, 667), ('\u{0219}', "scommaaccent", 500, 556),
    // Romanian ț with comma below: Adobe's (T|t)commaaccent glyphs draw exactly that.
    ('\u{021A}', "Tcommaaccent", 611, 611), ('\u{021B}', "tcommaaccent", 278, 333),
];

/// Encodes `text` (NFC-normalised first, so decomposed accents still hit a glyph).
/// Control characters become spaces; they are layout, not content.
pub fn encode(text: &str) -> Encoded {
    let mut out = Encoded::default();
    for c in text.nfc() {
        if let Some(g) = direct(c) {
            out.glyphs.push(g);
            continue;
        }
        if c.is_control() {
            out.glyphs.push(Glyph {
                plane: Plane::WinAnsi,
                code: b' ',
            });
            continue;
        }
        out.substituted += 1;
        let replacement = transliterate(c);
        for r in replacement.chars() {
            let g = direct(r).unwrap_or(Glyph {
                plane: Plane::WinAnsi,
                code: b'?',
            });
            out.glyphs.push(g);
        }
    }
    out
}

/// A character the fonts show as itself, if any.
fn direct(c: char) -> Option<Glyph> {
    if let Some(code) = winansi(c) {
        return Some(Glyph {
            plane: Plane::WinAnsi,
            code,
        });
    }
    let index = EXTENDED.iter().position(|(u, ..)| *u == c)?;
    let code = u8::try_from(index).ok()?.checked_add(EXTENDED_FIRST)?;
    Some(Glyph {
        plane: Plane::Extended,
        code,
    })
}

/// The WinAnsiEncoding byte of `c`, if it has one.
pub fn winansi(c: char) -> Option<u8> {
    let u = u32::from(c);
    match u {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(u).ok(),
        _ => Some(match c {
            '\u{20AC}' => 0x80,
            '\u{201A}' => 0x82,
            '\u{0192}' => 0x83,
            '\u{201E}' => 0x84,
            '\u{2026}' => 0x85,
            '\u{2020}' => 0x86,
            '\u{2021}' => 0x87,
            '\u{02C6}' => 0x88,
            '\u{2030}' => 0x89,
            '\u{0160}' => 0x8A,
            '\u{2039}' => 0x8B,
            '\u{0152}' => 0x8C,
            '\u{017D}' => 0x8E,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{02DC}' => 0x98,
            '\u{2122}' => 0x99,
            '\u{0161}' => 0x9A,
            '\u{203A}' => 0x9B,
            '\u{0153}' => 0x9C,
            '\u{017E}' => 0x9E,
            '\u{0178}' => 0x9F,
            _ => return None,
        }),
    }
}

/// Latin stand-in for a character the fonts cannot show (`?` when there is none).
fn transliterate(c: char) -> String {
    if let Some(s) = transliteration::table(c) {
        return s.to_owned();
    }
    // Letters with diacritics outside both planes (ċ, ġ, ŵ, ...): drop the marks.
    let stripped: String = std::iter::once(c)
        .nfkd()
        .filter(|d| !is_combining_mark(*d))
        .collect();
    if !stripped.is_empty() && stripped.chars().all(|d| direct(d).is_some()) {
        return stripped;
    }
    "?".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(e: &Encoded) -> Vec<(Plane, u8)> {
        e.glyphs.iter().map(|g| (g.plane, g.code)).collect()
    }

    #[test]
    fn winansi_covers_latin1_and_cp1252_extras() {
        let e = encode("Aé€ž“");
        assert_eq!(e.substituted, 0);
        assert_eq!(
            codes(&e),
            vec![
                (Plane::WinAnsi, b'A'),
                (Plane::WinAnsi, 0xE9),
                (Plane::WinAnsi, 0x80),
                (Plane::WinAnsi, 0x9E),
                (Plane::WinAnsi, 0x93)
            ]
        );
    }

    #[test]
    fn decomposed_input_is_composed() {
        let e = encode("e\u{0301}");
        assert_eq!(codes(&e), vec![(Plane::WinAnsi, 0xE9)]);
    }

    #[test]
    fn polish_letters_use_the_extended_plane() {
        let e = encode("ł");
        assert_eq!(e.substituted, 0);
        let idx = EXTENDED.iter().position(|(c, ..)| *c == 'ł').unwrap() as u8;
        assert_eq!(codes(&e), vec![(Plane::Extended, EXTENDED_FIRST + idx)]);
        let all: String = "ąćęłńśźżĄĆĘŁŃŚŹŻőűčřůşțȘ".to_owned();
        assert_eq!(encode(&all).substituted, 0);
    }

    #[test]
    fn others_are_transliterated_and_counted() {
        let e = encode("Ħ ċ Σοφία Иван ☃");
        assert_eq!(e.substituted, 12);
        let text: String = e
            .glyphs
            .iter()
            .map(|g| {
                assert_eq!(g.plane, Plane::WinAnsi);
                g.code as char
            })
            .collect();
        assert_eq!(text, "H c Sofia Ivan ?");
    }

    #[test]
    fn extended_table_is_consistent() {
        assert!(EXTENDED.len() + usize::from(EXTENDED_FIRST) <= 256);
        for (c, ..) in EXTENDED {
            assert!(winansi(c).is_none(), "{c} is already WinAnsi");
        }
    }
}
