//! Comparison keys for one name field.
//!
//! Two records name the same person when any key of one equals a key of the other. Keys
//! cover the spellings of [`transliterations`] and the ways registries split or join
//! names: `Jean-Pierre` / `Jean Pierre` / `Jeanpierre`, `O'Neill` / `ONeill`, and
//! `van der Berg` filed as `Berg`.

use crate::translit::transliterations;

/// Most keys returned for one name field.
pub const MAX_KEYS: usize = 32;

/// Name particles that registries often drop or file separately (`van der Berg` → `Berg`).
///
/// `mac` is deliberately absent: it is part of the name (`MacDonald`), never dropped.
pub const DEFAULT_PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "di", "del", "della", "des", "du", "la", "le", "ten",
    "ter", "zu", "af", "av", "dos", "das", "do", "y", "e", "al", "el", "bin", "ben", "o",
];

/// Returns the comparison keys of one name field: ASCII, lowercase, deduplicated, never
/// empty strings, at most [`MAX_KEYS`].
///
/// For every transliteration: the spaced form (ASCII punctuation becomes a space, spaces
/// collapsed), the joined form (spaces removed: `jean pierre` → `jeanpierre`) and the form
/// without `particles` (`van der berg` → `berg`; a particle is dropped only when a token
/// follows it, so a name made of particles alone stays, and the last token is never dropped),
/// with its joined form. Particles are compared ignoring ASCII case.
///
/// Order: the plain fold's spaced form first, then its other forms, then the spaced forms of
/// the other transliterations, their joined forms, their forms without particles. Empty only
/// when the field has no letters or digits.
pub fn name_keys(s: &str, particles: &[&str]) -> Vec<String> {
    let translits = transliterations(s);
    let spaced: Vec<String> = translits.iter().map(|t| spaced(t)).collect();
    let mut out = Keys::default();
    let mut rest = spaced.iter();
    if let Some(first) = rest.next() {
        out.push(first.clone());
        out.push(joined(first));
        if let Some(p) = without_particles(first, particles) {
            let j = joined(&p);
            out.push(p);
            out.push(j);
        }
    }
    for k in spaced.iter().skip(1) {
        out.push(k.clone());
    }
    for k in spaced.iter().skip(1) {
        out.push(joined(k));
    }
    for k in spaced.iter().skip(1) {
        if let Some(p) = without_particles(k, particles) {
            let j = joined(&p);
            out.push(p);
            out.push(j);
        }
    }
    out.0
}

/// The whitespace-separated tokens of a key.
pub fn tokens(key: &str) -> Vec<&str> {
    key.split_whitespace().collect()
}

/// Distinct non-empty keys up to the cap.
#[derive(Default)]
struct Keys(Vec<String>);

impl Keys {
    fn push(&mut self, k: String) {
        if !k.is_empty() && self.0.len() < MAX_KEYS && !self.0.contains(&k) {
            self.0.push(k);
        }
    }
}

/// Every character that is not an ASCII letter or digit becomes a single separating space.
fn spaced(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c.to_ascii_lowercase());
        } else {
            space = true;
        }
    }
    out
}

fn joined(k: &str) -> String {
    k.split_whitespace().collect()
}

/// The key without particle tokens that have another token after them; `None` when nothing
/// would be removed.
fn without_particles(k: &str, particles: &[&str]) -> Option<String> {
    let toks = tokens(k);
    let last = toks.len().checked_sub(1)?;
    let is_particle = |t: &str| particles.iter().any(|p| p.eq_ignore_ascii_case(t));
    if !toks[..last].iter().any(|t| is_particle(t)) {
        return None;
    }
    let kept: Vec<&str> = toks
        .iter()
        .enumerate()
        .filter(|(i, t)| *i == last || !is_particle(t))
        .map(|(_, t)| *t)
        .collect();
    Some(kept.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Vec<String> {
        name_keys(s, DEFAULT_PARTICLES)
    }

    fn has(s: &str, key: &str) -> bool {
        k(s).iter().any(|x| x == key)
    }

    fn share(a: &str, b: &str) -> bool {
        let kb = k(b);
        k(a).iter().any(|x| kb.contains(x))
    }

    #[test]
    fn spellings_share_a_key() {
        assert!(share("Müller", "Mueller"));
        assert!(share("Müller", "Muller"));
        assert!(share("Mueller", "MÜLLER"));
        assert!(share("Straße", "Strasse"));
        assert!(share("Núñez", "Nunez"));
        assert!(share("Łukasz", "Lukasz"));
        assert!(share("Ærø", "AEroe"));
        assert!(share("Ærø", "Aero"));
        assert!(share("Ярослав", "Iaroslav"));
        assert!(share("Ярослав", "Yaroslav"));
        assert!(share("Παπαδόπουλος", "Papadopoulos"));
        assert!(share("Đorđević", "Dordevic"));
        assert!(has("Щербаков", "shcherbakov"));
        assert!(has("Đorđević", "dordevic"));
        assert!(!share("Müller", "Miller"));
        assert!(!share("Ярослав", "Yaroslava"));
    }

    #[test]
    fn primary_is_the_spaced_plain_fold() {
        assert_eq!(k("Jean-Pierre")[0], "jean pierre");
        assert_eq!(k("Müller")[0], "muller");
        assert_eq!(k("van der Berg")[0], "van der berg");
    }

    #[test]
    fn punctuation_splits_and_joins() {
        assert_eq!(k("Jean-Pierre"), ["jean pierre", "jeanpierre"]);
        assert!(has("O'Neill", "o neill"));
        assert!(has("O'Neill", "oneill"));
        assert!(has("O’Neill", "oneill"));
        assert!(share("O'Neill", "ONeill"));
        assert!(share("Jean-Pierre", "Jean Pierre"));
        assert!(share("Jean-Pierre", "JEANPIERRE"));
        assert!(has("St. John, Mary", "st john mary"));
        assert!(has("Ba\u{308}r-Lo\u{308}we", "baer loewe"));
        assert!(has("Bär-Löwe", "baerloewe"));
    }

    #[test]
    fn particles_are_dropped_when_followed_by_a_name() {
        assert!(has("van der Berg", "berg"));
        assert!(has("van der Berg", "vanderberg"));
        assert!(share("van der Berg", "Berg"));
        assert!(share("Van Der Berg", "VanderBerg"));
        assert!(has("Maria da Silva", "maria silva"));
        assert!(has("Maria da Silva", "mariasilva"));
        assert!(has("O'Neill", "neill"));
        // A name made of particles stays whole; the last token is never dropped.
        assert_eq!(k("De La"), ["de la", "dela", "la"]);
        assert_eq!(k("Le"), ["le"]);
        assert_eq!(k("MacDonald"), ["macdonald"]);
        // Caller-chosen particles, compared case-insensitively.
        assert!(name_keys("Abu Bakr", &["ABU"]).contains(&"bakr".to_string()));
        assert!(!name_keys("van Berg", &[]).contains(&"berg".to_string()));
    }

    #[test]
    fn keys_are_ascii_lowercase_non_empty_and_distinct() {
        for s in [
            "Müller",
            "Jean-Pierre",
            "Ærø",
            "Ярослав Мудрий",
            "Παπαδόπουλος",
            "O'Neill",
            "van der Berg",
            "北京",
            "Dvořák",
            "İstanbul",
            "x",
        ] {
            let v = k(s);
            assert!(!v.is_empty(), "{s}");
            assert!(v.len() <= MAX_KEYS);
            for key in &v {
                assert!(!key.is_empty(), "{s}");
                assert!(
                    key.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' '),
                    "{s}: {key:?}"
                );
                assert_eq!(tokens(key).join(" "), *key, "{s}: collapsed");
            }
            let mut d = v.clone();
            d.sort();
            d.dedup();
            assert_eq!(d.len(), v.len(), "{s}");
        }
        assert!(k("").is_empty());
        assert!(k(" - ' . ").is_empty());
    }

    #[test]
    fn tokens_split_on_whitespace() {
        assert_eq!(tokens("jean  pierre muller"), ["jean", "pierre", "muller"]);
        assert!(tokens("").is_empty());
    }

    #[test]
    fn hostile_input_is_capped_and_fast() {
        let start = std::time::Instant::now();
        let long = "ä".repeat(200);
        let v = k(&long);
        assert!(v.len() <= MAX_KEYS);
        assert_eq!(v[0], "a".repeat(200));
        let words = "Ä-Ö van ".repeat(60);
        let w = k(&words);
        assert!(w.len() <= MAX_KEYS);
        assert!(!w.is_empty());
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    /// Micro-measurement of preparing names for comparison (transliterations, keys,
    /// phonetic codes) on a mix of Latin names with diacritics, Greek and Cyrillic names:
    /// `cargo test --release -p oots-framework --lib prepare_names_timing -- --ignored
    /// --nocapture`. Prints the time per 1,000 names of five rounds.
    #[test]
    #[ignore]
    fn prepare_names_timing() {
        use crate::compare::NameKeys;
        const LATIN: &str = "Müller Schröder Köhler Weiß Groß Jäger Günther Dvořák Černý Procházka \
            Růžička Wiśniewski Wójcik Dąbrowski Kozłowski Łukaszewicz Żak García Martínez \
            Fernández Núñez Gonçalves Conceição Lefèvre Bérubé Côté Åström Sørensen Ødegaard \
            Björklund Järvinen Ångström Þórsson Horváth Szűcs Đorđević Kovačević Yılmaz Şahin \
            Ştefănescu Bērziņš Žukauskas Jürgen Małgorzata Jiří Ľubomír Iñaki João Anaïs Zoë \
            Smith Johnson Brown Taylor Anderson Thomas Jackson White Harris Martin Thompson \
            Garcia Robinson Clark Lewis Walker Hall Allen Young King Wright Scott Green Baker \
            Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker";
        const GREEK: &str = "Παπαδόπουλος Γιάννης Δημήτριος Χρήστος Βασίλειος Μπακογιάννης \
            Κωνσταντίνος Ευάγγελος Γεώργιος Παναγιώτης Αικατερίνη Ειρήνη Οικονόμου Ζαχαρίας \
            Νικολάου Παπαδοπούλου Ιωάννης Χριστόφορος Κυριάκος Σταυρούλα Ελένη Μαρία Σοφία \
            Αναστασία Θεοδώρα Αθανάσιος Ευθύμιος Σπυρίδων Μιχαήλ Αντώνιος Γεωργίου Καραγιάννης \
            Αλεξανδρόπουλος Μητσοτάκης Τσίπρας Βενιζέλος Καραμανλής Ντόρα Γκίκας Λαμπράκης";
        const CYRILLIC: &str = "Христо Христов Щерев Ъгълов Юлия Янков Йорданов Жеков Михаил \
            Петър Димитър Цветанка Стоянов Кольо Иванов Георгиев Димитров Петров Николов \
            Мария Елена Йорданка Стефка Ярослав Щербаков Хрущёв Васильев Юрий Ольга Наталья \
            Александр Екатерина Шевченко Григорій Олександр Ђорђевић Шешељ Тодоров Ангелов";
        let names: Vec<&str> = LATIN
            .split_whitespace()
            .chain(GREEK.split_whitespace())
            .chain(CYRILLIC.split_whitespace())
            .collect();
        let mix: Vec<String> = (0..1000)
            .map(|i| names[(i * 7919) % names.len()].to_owned())
            .collect();
        let mut times = Vec::new();
        for _ in 0..5 {
            let start = std::time::Instant::now();
            let mut keys = 0;
            for n in &mix {
                keys += NameKeys::new(n, DEFAULT_PARTICLES).keys.len();
            }
            times.push(start.elapsed());
            assert!(keys > 1000);
        }
        println!("NameKeys::new per 1,000 names: {times:?}");
        let mut count = 0;
        for n in &mix {
            count += transliterations(n).len();
        }
        println!(
            "transliterations per name: {:.2}",
            count as f64 / mix.len() as f64
        );
    }
}
