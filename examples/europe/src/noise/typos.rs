//! Typing errors, as a person at a keyboard makes them: a neighbouring key on the layout
//! the name's script is typed with (QWERTY, Greek, Bulgarian phonetic), a key too many,
//! one missing, two letters exchanged; and mistyped dates of birth that are still
//! calendar dates. Kept apart from where they are applied (`request`).

use crate::date::Date;
use crate::rng::Rng;
use crate::translit;

/// The keyboard rows of each script's layout.
const LATIN_KEYS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
const GREEK_KEYS: [&str; 3] = ["ςερτυθιοπ", "ασδφγηξκλ", "ζχψωβνμ"];
const CYRILLIC_KEYS: [&str; 3] = ["явертъуиопшщ", "асдфгхйклч", "зьцжбнмю"];

/// Keys next to `c` on the layout its script is typed with.
fn neighbours(c: char) -> Vec<char> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let base = if translit::is_greek(lower) {
        translit::greek_registry_upper(&lower.to_string())
            .to_lowercase()
            .chars()
            .next()
            .unwrap_or(lower)
    } else {
        translit::strip_diacritics(&lower.to_string())
            .chars()
            .next()
            .unwrap_or(lower)
    };
    let rows = if translit::is_greek(base) {
        GREEK_KEYS
    } else if translit::is_cyrillic(base) {
        CYRILLIC_KEYS
    } else {
        LATIN_KEYS
    };
    let grid: Vec<Vec<char>> = rows.iter().map(|r| r.chars().collect()).collect();
    let mut out = Vec::new();
    for (ri, row) in grid.iter().enumerate() {
        if let Some(ci) = row.iter().position(|k| *k == base) {
            if ci > 0 {
                out.push(row[ci - 1]);
            }
            if let Some(k) = row.get(ci + 1) {
                out.push(*k);
            }
            for other in [ri.wrapping_sub(1), ri + 1] {
                if let Some(r) = grid.get(other) {
                    for k in [ci.wrapping_sub(1), ci, ci + 1] {
                        if let Some(x) = r.get(k) {
                            out.push(*x);
                        }
                    }
                }
            }
        }
    }
    if out.is_empty() {
        out = grid.concat();
    }
    out
}

/// `c` in the case of `model`.
fn with_case_of(model: char, c: char) -> char {
    if model.is_uppercase() {
        c.to_uppercase().next().unwrap_or(c)
    } else {
        c
    }
}

/// One typing error: a neighbouring key, a key too many, one missing, or two
/// neighbouring letters exchanged; seldom in the first letter.
pub fn typo(s: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.is_empty() {
        return s.to_owned();
    }
    for _ in 0..50 {
        let pos = if letters.len() > 1 && rng.chance(0.9) {
            letters[1 + rng.below(letters.len() - 1)]
        } else {
            letters[0]
        };
        let mut v = chars.clone();
        let op = rng.unit();
        if op < 0.40 {
            let n = neighbours(v[pos]);
            v[pos] = with_case_of(v[pos], *rng.pick(&n));
        } else if op < 0.55 {
            let n = neighbours(v[pos]);
            let extra = if rng.chance(0.5) {
                v[pos]
            } else {
                with_case_of(v[pos], *rng.pick(&n))
            };
            v.insert(pos + 1, extra);
        } else if op < 0.80 {
            if letters.len() <= 2 {
                continue;
            }
            v.remove(pos);
        } else {
            if pos + 1 >= v.len() || !v[pos + 1].is_alphabetic() || v[pos] == v[pos + 1] {
                continue;
            }
            let (a, b) = (v[pos], v[pos + 1]);
            v[pos] = with_case_of(a, b.to_lowercase().next().unwrap_or(b));
            v[pos + 1] = with_case_of(b, a.to_lowercase().next().unwrap_or(a));
        }
        let out: String = v.into_iter().collect();
        if out != s {
            return out;
        }
    }
    format!("{s}{}", chars[letters[letters.len() - 1]])
}

/// A mistyped date of birth that is still a calendar date.
pub fn date_typo(d: Date, rng: &mut Rng) -> Date {
    for _ in 0..100 {
        let x = rng.unit();
        let s: Vec<u8> = d.yyyymmdd().into_bytes();
        let candidate = if x < 0.3 {
            if d.d <= 12 && d.d != d.m {
                Date::new(d.y, d.d, d.m)
            } else {
                continue;
            }
        } else if x < 0.5 {
            let i = 2 + rng.below(5);
            if s[i] == s[i + 1] {
                continue;
            }
            let mut t = s.clone();
            t.swap(i, i + 1);
            Date::parse(std::str::from_utf8(&t).unwrap_or(""))
        } else {
            let i = 2 + rng.below(6);
            let mut t = s.clone();
            let old = t[i];
            let mut new = b'0' + rng.below(10) as u8;
            if new == old {
                new = b'0' + (new - b'0' + 1) % 10;
            }
            t[i] = new;
            Date::parse(std::str::from_utf8(&t).unwrap_or(""))
        };
        if let Some(c) = candidate
            && c != d
            && (1915..=2015).contains(&c.y)
        {
            return c;
        }
    }
    // A neighbouring day: always a different calendar date.
    Date::from_ordinal(d.ordinal() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_change_exactly_a_little() {
        let mut rng = Rng::new(9);
        for s in [
            "Müller",
            "Παπαδόπουλος",
            "Христов",
            "de la Fuente",
            "Ek",
            "Bo",
        ] {
            for _ in 0..200 {
                let t = typo(s, &mut rng);
                assert_ne!(t, s);
                let (a, b) = (s.chars().count() as i64, t.chars().count() as i64);
                assert!((a - b).abs() <= 1, "{s} → {t}");
            }
        }
    }

    #[test]
    fn date_typos_are_dates() {
        let mut rng = Rng::new(5);
        for d in [
            Date {
                y: 1985,
                m: 3,
                d: 7,
            },
            Date {
                y: 2000,
                m: 2,
                d: 29,
            },
            Date {
                y: 1931,
                m: 12,
                d: 31,
            },
        ] {
            for _ in 0..200 {
                let t = date_typo(d, &mut rng);
                assert_ne!(t, d);
                assert!(Date::parse(&t.yyyymmdd()).is_some());
            }
        }
    }
}
