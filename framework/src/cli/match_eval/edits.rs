//! Edit distance and one-edit typos, of match-eval's own making.
//!
//! The adversarial scenarios decide what is "one edit away" (a typo-like look-alike) or
//! "three edits away" (plainly another name) with this distance, never with the engine's
//! comparison levels: a measurement that used the engine's notion of similarity would
//! grade the engine with its own ruler, and would silently move when the engine changes.

use rand::Rng;
use rand::seq::IndexedRandom;

use crate::matching::normalize_name;

/// Optimal-string-alignment distance over characters: insertions, deletions,
/// substitutions and exchanges of two neighbours (the usual typing errors) each count
/// as one edit. `lindgren`/`lundgren` is 1, `marhta`/`martha` is 1, `jan`/`jana` is 1.
/// The same ruler `check` uses for its "did you mean" hints, and independent of the
/// matching engine.
pub(super) use crate::diag::suggest::distance;

/// The name with one random typing error (a letter replaced, inserted, dropped, or two
/// neighbours exchanged) such that the normalised name changes by exactly one edit;
/// `None` when no such error could be drawn (a one-letter name, say).
///
/// Letters are drawn from `a`–`z` for a Latin name and from the name's own letters
/// otherwise, so a typo never changes the script (that is the look-alike scenario).
pub(super) fn one_edit(name: &str, rng: &mut impl Rng) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|i| chars[*i].is_alphabetic())
        .collect();
    if letters.len() < 2 {
        return None;
    }
    let alphabet: Vec<char> = if name.is_ascii() {
        ('a'..='z').collect()
    } else {
        let mut own: Vec<char> = chars
            .iter()
            .copied()
            .filter(|c| c.is_alphabetic())
            .collect();
        own.sort_unstable();
        own.dedup();
        own
    };
    let before = normalize_name(name);
    for _ in 0..20 {
        let &at = letters.choose(rng)?;
        let &letter = alphabet.choose(rng)?;
        // Keep the case of the letter it replaces or follows.
        let letter = if chars[at].is_uppercase() {
            letter.to_uppercase().next().unwrap_or(letter)
        } else {
            letter
        };
        let mut typo = chars.clone();
        match rng.random_range(0..4) {
            0 => typo[at] = letter,
            1 => typo.insert(at + 1, letter),
            2 => {
                typo.remove(at);
            }
            _ => {
                if at + 1 >= typo.len() || !typo[at + 1].is_alphabetic() {
                    continue;
                }
                typo.swap(at, at + 1);
            }
        }
        let typo: String = typo.into_iter().collect();
        let after = normalize_name(&typo);
        if !after.is_empty() && distance(&before, &after) == 1 {
            return Some(typo);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn distance_counts_typing_errors() {
        assert_eq!(distance("lindgren", "lundgren"), 1);
        assert_eq!(distance("martha", "marhta"), 1);
        assert_eq!(distance("jan", "jana"), 1);
        assert_eq!(distance("anna", "hanna"), 1);
        assert_eq!(distance("dupont", "dobanatti"), 6);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("same", "same"), 0);
        assert_eq!(distance("novák", "nowak"), 2);
    }

    #[test]
    fn one_edit_is_one_edit_away_after_normalisation() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for name in ["lindgren", "Müller", "Вера", "van der berg", "ab"] {
            for _ in 0..50 {
                let typo = one_edit(name, &mut rng).expect("a typo");
                assert_eq!(
                    distance(&normalize_name(name), &normalize_name(&typo)),
                    1,
                    "{name} → {typo}"
                );
            }
        }
        assert_eq!(one_edit("x", &mut rng), None);
    }
}
