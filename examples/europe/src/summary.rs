//! `summary.json`: what a generated data set holds (persons and requests per country,
//! family structure, registry habits, how requests are spelt) and the noise rates
//! actually drawn next to the stated ones, so that whoever evaluates on it knows what
//! the figures are measured against. Hand-written JSON, keys in a fixed order, so that
//! the file is byte-identical for a seed.

use std::collections::BTreeMap;

use crate::noise::{Counts, NOISE};
use crate::population::Population;

/// A JSON value, enough for the summary.
#[derive(Debug, Clone)]
pub enum Json {
    Int(u64),
    Num(f64),
    Str(String),
    Obj(Vec<(String, Json)>),
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl Json {
    pub fn obj<K: Into<String>>(items: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Obj(items.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::Int(n) => out.push_str(&n.to_string()),
            Json::Num(x) => {
                let r = (x * 10_000.0).round() / 10_000.0;
                if r.fract() == 0.0 {
                    out.push_str(&format!("{r:.1}"));
                } else {
                    out.push_str(&r.to_string());
                }
            }
            Json::Str(s) => {
                out.push('"');
                out.push_str(&escape(s));
                out.push('"');
            }
            Json::Obj(items) => {
                if items.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push_str("{\n");
                for (i, (k, v)) in items.iter().enumerate() {
                    out.push_str(&"  ".repeat(indent + 1));
                    out.push('"');
                    out.push_str(&escape(k));
                    out.push_str("\": ");
                    v.write(out, indent + 1);
                    if i + 1 < items.len() {
                        out.push(',');
                    }
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(indent));
                out.push('}');
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }
}

fn int(n: usize) -> Json {
    Json::Int(n as u64)
}

/// Family structure as generated (registry side).
pub fn structure(pop: &Population) -> Json {
    let persons = &pop.persons;
    let twins: Vec<(usize, usize)> = persons
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.twin_of.filter(|&j| i < j).map(|j| (i, j)))
        .collect();
    let opposite = twins
        .iter()
        .filter(|(a, b)| persons[*a].male != persons[*b].male)
        .count();
    let together = twins
        .iter()
        .filter(|(a, b)| persons[*a].home == persons[*b].home)
        .count();
    let juniors: Vec<usize> = (0..persons.len())
        .filter(|&i| persons[i].junior_of.is_some())
        .collect();
    let juniors_home = juniors
        .iter()
        .filter(|&&i| {
            persons[i]
                .junior_of
                .is_some_and(|f| persons[f].home == persons[i].home)
        })
        .count();
    let mut groups: BTreeMap<(usize, String, String), Vec<usize>> = BTreeMap::new();
    for (i, p) in persons.iter().enumerate() {
        groups
            .entry((p.country, p.given.join(" "), p.surname_text()))
            .or_default()
            .push(i);
    }
    let homonym: Vec<&Vec<usize>> = groups.values().filter(|g| g.len() > 1).collect();
    let mut same_day = 0;
    let mut same_day_same_place = 0;
    for g in &homonym {
        for (k, &a) in g.iter().enumerate() {
            for &b in &g[k + 1..] {
                if persons[a].dob == persons[b].dob {
                    same_day += 1;
                    if persons[a].birth_place == persons[b].birth_place {
                        same_day_same_place += 1;
                    }
                }
            }
        }
    }
    Json::obj([
        ("families", int(pop.families)),
        ("twin_pairs", int(twins.len())),
        ("twin_pairs_opposite_sex", int(opposite)),
        ("twin_pairs_at_one_address", int(together)),
        ("persons_in_twin_pairs", int(2 * twins.len())),
        ("juniors", int(juniors.len())),
        ("juniors_at_fathers_address", int(juniors_home)),
        ("homonym_groups", int(homonym.len())),
        (
            "persons_in_homonym_groups",
            int(homonym.iter().map(|g| g.len()).sum()),
        ),
        ("homonym_pairs_same_date_of_birth", int(same_day)),
        ("of_which_same_place_of_birth", int(same_day_same_place)),
        (
            "unrelated_namesakes_added",
            int(persons
                .iter()
                .filter(|p| p.doppelganger_of.is_some())
                .count()),
        ),
        (
            "surname_changed_by_marriage",
            int(persons.iter().filter(|p| p.has_birth_name()).count()),
        ),
    ])
}

pub fn noise(counts: &Counts) -> Json {
    Json::obj(
        NOISE
            .iter()
            .zip(&counts.noise)
            .map(|((_, name, rate, what), c)| {
                let measured = if c.eligible == 0 {
                    0.0
                } else {
                    c.applied as f64 / c.eligible as f64
                };
                (
                    *name,
                    Json::obj([
                        ("stated_rate", Json::Num(*rate)),
                        ("eligible", int(c.eligible)),
                        ("applied", int(c.applied)),
                        ("rate", Json::Num(measured)),
                        ("on_registry_side", int(c.on_registry)),
                        ("eligible_are", Json::Str((*what).to_owned())),
                    ]),
                )
            }),
    )
}

pub fn counts(list: &[(&'static str, usize)]) -> Json {
    Json::obj(list.iter().map(|(k, n)| (*k, int(*n))))
}
