//! Writing systems of request names.
//!
//! An eID gives names in Latin script (or, where a requester passes them on, in the
//! person's own script), never in a mix: `Dupоnt` with a Cyrillic `о`, or a Cyrillic
//! given name beside a Latin family name, is a name no document writes, and one that can
//! pass for another person's when its letters are read by their look rather than their
//! sound. Such a request is refused as invalid input (docs/matching.md, "Threat model").

use std::collections::BTreeSet;

/// The script of a letter, as far as matching tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Script {
    /// Latin letters.
    Latin,
    /// Greek letters.
    Greek,
    /// Cyrillic letters.
    Cyrillic,
    /// Any other script (each counted as one: mixing two of them is not checked).
    Other,
}

/// The script of one letter; `None` for anything that is not a letter.
pub fn script_of(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    Some(match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xAA | 0xBA | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        _ => Script::Other,
    })
}

/// The scripts the letters of `names` are written in.
pub fn scripts<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<Script> {
    names
        .into_iter()
        .flat_map(str::chars)
        .filter_map(script_of)
        .collect()
}

/// Whether one word of a name mixes letters of several scripts.
pub fn mixes_scripts(s: &str) -> bool {
    s.split(|c: char| !c.is_alphabetic())
        .any(|word| scripts([word]).len() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_of_names() {
        assert!(mixes_scripts("Dup\u{43e}nt"));
        assert!(mixes_scripts("\u{3a1}apadopoulos"));
        assert!(mixes_scripts("Mülлer"));
        assert!(!mixes_scripts("Müller-Lüdenscheidt"));
        assert!(!mixes_scripts("Παπαδόπουλος"));
        assert!(!mixes_scripts("O'Neill"));
        assert_eq!(scripts(["Kai", "Köhler"]).len(), 1);
        assert_eq!(scripts(["\u{41a}\u{430}\u{456}", "Köhler"]).len(), 2);
        assert_eq!(
            scripts(["Ελένη", "Παπαδοπούλου"]),
            BTreeSet::from([Script::Greek])
        );
        // Combining marks of a decomposed letter are not letters of another script.
        assert_eq!(scripts(["Mu\u{308}ller"]), BTreeSet::from([Script::Latin]));
    }
}
