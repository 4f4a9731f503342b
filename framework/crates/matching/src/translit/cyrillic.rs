//! Cyrillic letters in Latin: ICAO 9303, the popular (BGN/PCGN-style) spelling and the
//! Bulgarian Streamlined System, with the language hints that decide between them.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::spelling::{Spelling, ch, conv, extra};

/// Whether `c` is in the Cyrillic block.
pub(super) fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Language hints that change how some Cyrillic letters are spelled in Latin.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CyrillicFlags {
    /// і ї є ґ ў present: Ukrainian (or Belarusian), whose national romanisation writes
    /// г as `h` and и as `y`.
    ukrainian: bool,
    /// ђ ћ џ љ њ ј ѓ ќ ѕ present: Serbian or Macedonian, whose Latin alphabet writes
    /// ш ж ч ц х as š ž č c h (folded: s z c c h).
    south_slavic: bool,
    /// ё ы э present: Russian (Bulgarian has none of them), so no Bulgarian spellings.
    russian: bool,
    /// ѝ, ъ as a vowel (before a consonant) or ьо present: Bulgarian, so no Russian-only
    /// spellings (ъ dropped, -ия as `iya` still appears as a mix).
    bulgarian: bool,
}

impl CyrillicFlags {
    pub(super) fn detect(chars: &[char]) -> Self {
        let mut f = Self::default();
        for (i, &c) in chars.iter().enumerate() {
            let next = chars.get(i + 1).copied();
            match c {
                'і' | 'ї' | 'є' | 'ґ' | 'ў' => f.ukrainian = true,
                'ђ' | 'ћ' | 'џ' | 'љ' | 'њ' | 'ј' | 'ѓ' | 'ќ' | 'ѕ' => {
                    f.south_slavic = true
                }
                'ё' | 'ы' | 'э' => f.russian = true,
                'ѝ' => f.bulgarian = true,
                // Russian writes ъ only as a separator before е ё ю я (and, before 1918,
                // at the end of words); before a consonant it is the Bulgarian vowel.
                'ъ' if next.is_some_and(|n| is_cyrillic(n) && !"еёюя".contains(n)) => {
                    f.bulgarian = true
                }
                'ь' if next == Some('о') => f.bulgarian = true,
                _ => {}
            }
        }
        if f.ukrainian || f.south_slavic || f.russian {
            f.bulgarian = false;
        }
        f
    }

    /// Bulgarian spellings are possible: the letters do not say another language.
    fn maybe_bulgarian(self) -> bool {
        !(self.ukrainian || self.south_slavic || self.russian)
    }
}

/// Cyrillic (Russian, Ukrainian, Belarusian, Bulgarian, Serbian, Macedonian): ICAO 9303
/// (2015) first, then the popular / BGN-style spelling and the Bulgarian official one
/// (conventions 1 and 2 of [`Choice::conv`](super::spelling::Choice::conv)), then language-specific variants. Returns the
/// spelling and how many characters it consumed (word-final ия takes two).
pub(super) fn cyrillic(chars: &[char], i: usize, f: CyrillicFlags) -> (Spelling, usize) {
    cyrillic_letter(chars[i], chars, i, f)
}

/// [`cyrillic`] for letter `c` standing at `i` (the base letter of a marked one).
fn cyrillic_letter(c: char, chars: &[char], i: usize, f: CyrillicFlags) -> (Spelling, usize) {
    let next = chars.get(i + 1).copied();
    // Word-final ия: ICAO `iia`, popular `iya`, Bulgarian `ia` (Юлия → Yulia).
    if c == 'и'
        && f.maybe_bulgarian()
        && next == Some('я')
        && chars.get(i + 2).is_none_or(|n| !n.is_alphabetic())
    {
        let sp = if f.bulgarian {
            conv(&["iia", "ia", "iya"], [1, 1, 1])
        } else {
            conv(&["iia", "iya", "ia"], [1, 2, 1])
        };
        return (sp, 2);
    }
    if let Some(sp) = by_language(c, next, f).or_else(|| same_everywhere(c)) {
        return (sp, 1);
    }
    // Letters with marks (ѝ, ӣ, ӧ…): spell their base letter.
    let mut base = None;
    decompose_canonical(c, |d| {
        if base.is_none() && !is_combining_mark(d) {
            base = Some(d);
        }
    });
    match base {
        Some(b) if b != c && is_cyrillic(b) => cyrillic_letter(b, chars, i, f),
        _ => (
            Spelling::Fixed(deunicode::deunicode_char(c).unwrap_or("")),
            1,
        ),
    }
}

/// Letters whose spelling depends on the language the name's letters say (`f`) or on the
/// letter after them.
fn by_language(c: char, next: Option<char>, f: CyrillicFlags) -> Option<Spelling> {
    use Spelling::Fixed;
    let bg = f.maybe_bulgarian();
    Some(match c {
        'г' if f.ukrainian => ch(&["g", "h"]),
        'г' => Fixed("g"),
        'ж' if f.south_slavic => ch(&["zh", "z"]),
        'ж' => Fixed("zh"),
        'и' if f.ukrainian => ch(&["i", "y"]),
        'и' => Fixed("i"),
        'х' if f.south_slavic => ch(&["kh", "h"]),
        // Bulgarian `h` (Христов → Hristov); Russian and Ukrainian keep `kh`.
        'х' if f.bulgarian => ch(&["kh", "h"]),
        'х' if bg => conv(&["kh", "h"], [0, 1, 0]),
        'х' => Fixed("kh"),
        'ц' if f.south_slavic => ch(&["ts", "c"]),
        'ц' => Fixed("ts"),
        'ч' if f.south_slavic => ch(&["ch", "c"]),
        'ч' => Fixed("ch"),
        'ш' if f.south_slavic => ch(&["sh", "s"]),
        'ш' => Fixed("sh"),
        // Bulgarian spells щ as `sht`; Russian and Ukrainian popular spelling keeps `shch`.
        'щ' if f.bulgarian => ch(&["shch", "sht"]),
        'щ' if bg => conv(&["shch", "sht"], [0, 1, 0]),
        'щ' if f.russian || f.ukrainian => Fixed("shch"),
        'щ' => extra(&["shch", "sht"]),
        // ICAO `ie`; popular drops the hard sign; in Bulgarian it is the vowel `a`.
        'ъ' if f.bulgarian => ch(&["ie", "a"]),
        // Before е ё ю я it is the Russian separator, never the Bulgarian vowel.
        'ъ' if bg && !next.is_some_and(|n| "еёюя".contains(n)) => {
            conv(&["ie", "", "a"], [1, 2, 1])
        }
        'ъ' => ch(&["ie", ""]),
        // The soft sign is dropped, but written `y` before о (Bulgarian ьо: Кольо → Kolyo)
        // and, in the popular Russian spelling, before е (Васильев → Vasilyev).
        'ь' if next == Some('о') => ch(&["", "y"]),
        'ь' if next == Some('е') && !f.bulgarian => conv(&["", "y"], [1, 0, 1]),
        'ь' => Fixed(""),
        _ => return None,
    })
}

/// Letters spelled the same whatever the language.
fn same_everywhere(c: char) -> Option<Spelling> {
    use Spelling::Fixed;
    Some(match c {
        'а' => Fixed("a"),
        'б' => Fixed("b"),
        'в' => Fixed("v"),
        'д' => Fixed("d"),
        'е' => Fixed("e"),
        'ё' => ch(&["e", "yo"]),
        'з' => Fixed("z"),
        'й' => ch(&["i", "y"]),
        'к' => Fixed("k"),
        'л' => Fixed("l"),
        'м' => Fixed("m"),
        'н' => Fixed("n"),
        'о' => Fixed("o"),
        'п' => Fixed("p"),
        'р' => Fixed("r"),
        'с' => Fixed("s"),
        'т' => Fixed("t"),
        'у' => Fixed("u"),
        'ф' => Fixed("f"),
        'ы' => Fixed("y"),
        'э' => Fixed("e"),
        'ю' => ch(&["iu", "yu"]),
        'я' => ch(&["ia", "ya"]),
        'є' => ch(&["ie", "ye"]),
        'і' => Fixed("i"),
        'ї' => ch(&["i", "yi"]),
        'ґ' => Fixed("g"),
        'ў' => Fixed("u"),
        'ђ' => ch(&["d", "dj"]),
        'ћ' => Fixed("c"),
        'џ' => Fixed("dz"),
        'љ' => Fixed("lj"),
        'њ' => Fixed("nj"),
        'ј' => Fixed("j"),
        'ѓ' => ch(&["g", "gj"]),
        'ќ' => ch(&["k", "kj"]),
        'ѕ' => Fixed("dz"),
        _ => return None,
    })
}
