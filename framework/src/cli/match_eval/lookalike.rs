//! Letters of one script that look like letters of another (homoglyphs): the Cyrillic
//! `а` in `Аnna`, the Latin reading `Bepa` of the Cyrillic `Вера`.
//!
//! A name written with such letters looks like a registry name on screen but is another
//! string, and read as what it is (Cyrillic `Аnna` transliterates to `Anna`, Latin `Bepa`
//! to nothing like `Vera`) it may be another person's. The mixed-script scenario sends such
//! names: the engine must not take a spoofed or mis-keyed script for the person.

use rand::Rng;
use rand::seq::IndexedRandom;

/// Latin letters and the Cyrillic and Greek letters drawn (nearly) the same.
const FROM_LATIN: &[(char, &[char])] = &[
    ('a', &['а', 'α']),
    ('c', &['с']),
    ('e', &['е']),
    ('h', &['һ']),
    ('i', &['і', 'ι']),
    ('j', &['ј']),
    ('k', &['κ']),
    ('o', &['о', 'ο']),
    ('p', &['р', 'ρ']),
    ('s', &['ѕ']),
    ('t', &['τ']),
    ('u', &['υ']),
    ('v', &['ν']),
    ('x', &['х', 'χ']),
    ('y', &['у']),
    ('A', &['А', 'Α']),
    ('B', &['В', 'Β']),
    ('C', &['С']),
    ('E', &['Е', 'Ε']),
    ('H', &['Н', 'Η']),
    ('I', &['І', 'Ι']),
    ('J', &['Ј']),
    ('K', &['К', 'Κ']),
    ('M', &['М', 'Μ']),
    ('N', &['Ν']),
    ('O', &['О', 'Ο']),
    ('P', &['Р', 'Ρ']),
    ('S', &['Ѕ']),
    ('T', &['Т', 'Τ']),
    ('X', &['Х', 'Χ']),
    ('Y', &['У', 'Υ']),
    ('Z', &['Ζ']),
];

/// Cyrillic and Greek letters and the Latin letter they look like (not the letter they
/// are transliterated to: Cyrillic `В` looks like `B` and reads `V`).
const TO_LATIN: &[(char, char)] = &[
    ('а', 'a'),
    ('в', 'b'),
    ('е', 'e'),
    ('к', 'k'),
    ('м', 'm'),
    ('н', 'h'),
    ('о', 'o'),
    ('р', 'p'),
    ('с', 'c'),
    ('т', 't'),
    ('у', 'y'),
    ('х', 'x'),
    ('і', 'i'),
    ('ј', 'j'),
    ('ѕ', 's'),
    ('һ', 'h'),
    ('ь', 'b'),
    ('А', 'A'),
    ('В', 'B'),
    ('Е', 'E'),
    ('К', 'K'),
    ('М', 'M'),
    ('Н', 'H'),
    ('О', 'O'),
    ('Р', 'P'),
    ('С', 'C'),
    ('Т', 'T'),
    ('У', 'Y'),
    ('Х', 'X'),
    ('І', 'I'),
    ('Ј', 'J'),
    ('Ѕ', 'S'),
    ('α', 'a'),
    ('β', 'b'),
    ('ε', 'e'),
    ('ι', 'i'),
    ('κ', 'k'),
    ('ν', 'v'),
    ('ο', 'o'),
    ('ρ', 'p'),
    ('τ', 't'),
    ('υ', 'u'),
    ('χ', 'x'),
    ('Α', 'A'),
    ('Β', 'B'),
    ('Ε', 'E'),
    ('Ζ', 'Z'),
    ('Η', 'H'),
    ('Ι', 'I'),
    ('Κ', 'K'),
    ('Μ', 'M'),
    ('Ν', 'N'),
    ('Ο', 'O'),
    ('Ρ', 'P'),
    ('Τ', 'T'),
    ('Υ', 'Y'),
    ('Χ', 'X'),
];

/// Whether `c` is a Cyrillic or Greek letter (including Greek with tonos).
fn cyrillic_or_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{04FF}')
}

/// A look-alike of `name` with at least one letter from another script, or `None` when
/// no letter has a look-alike.
///
/// A Cyrillic or Greek name becomes its Latin look-alike reading (every letter that has
/// one is replaced: `Вера` → `Bepa`). A Latin name gets one or more randomly chosen
/// letters replaced by a Cyrillic or Greek look-alike (`anna` → `аnna`).
pub(super) fn lookalike(name: &str, rng: &mut impl Rng) -> Option<String> {
    if name.chars().any(cyrillic_or_greek) {
        let mut changed = false;
        let reading: String = name
            .chars()
            .map(|c| match TO_LATIN.iter().find(|(from, _)| *from == c) {
                Some((_, latin)) => {
                    changed = true;
                    *latin
                }
                None => c,
            })
            .collect();
        return changed.then_some(reading);
    }
    let chars: Vec<char> = name.chars().collect();
    let spots: Vec<(usize, &[char])> = chars
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            FROM_LATIN
                .iter()
                .find(|(latin, _)| latin == c)
                .map(|(_, others)| (i, *others))
        })
        .collect();
    if spots.is_empty() {
        return None;
    }
    // One letter most of the time (the hardest to see), sometimes several.
    let how_many = if rng.random_bool(0.7) {
        1
    } else {
        rng.random_range(1..=spots.len())
    };
    let mut out = chars;
    for (i, others) in spots.choose_multiple(rng, how_many) {
        if let Some(other) = others.choose(rng) {
            out[*i] = *other;
        }
    }
    Some(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_latin_name_gets_letters_of_another_script() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for _ in 0..50 {
            let l = lookalike("anna", &mut rng).expect("a look-alike");
            assert_ne!(l, "anna");
            assert_eq!(l.chars().count(), 4);
            assert!(l.chars().any(cyrillic_or_greek), "{l}");
        }
        assert_eq!(lookalike("lmn", &mut rng), None);
    }

    #[test]
    fn a_cyrillic_or_greek_name_gets_its_latin_look_alike_reading() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(lookalike("Вера", &mut rng).as_deref(), Some("Bepa"));
        assert_eq!(lookalike("ΚΟΣΤΑΣ", &mut rng).as_deref(), Some("KOΣTAΣ"));
        assert_eq!(lookalike("ЛЖ", &mut rng), None);
    }
}
