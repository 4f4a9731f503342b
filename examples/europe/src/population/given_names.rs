//! Given names by the naming customs: the lists' Zipf-like draw by birth year, second
//! and third given names, the Bulgarian patronymic, the "junior" who carries his
//! father's names, children named after a grandparent, and the paired names of twins.

use super::Population;
use crate::names::{self, Country};

impl Population {
    /// A given name for someone born in `year` (also the imagined parents of founders).
    pub(super) fn imagined_given(&mut self, c: usize, male: bool, year: i32) -> String {
        self.countries[c].given(male, year, &mut self.rng)
    }

    /// Second (and for some, third) given names, as the country's custom has them.
    pub(super) fn more_given(&mut self, c: usize, male: bool, year: i32, given: &mut Vec<String>) {
        let share = self.country(c).data.customs.second_given;
        let mut p = share;
        while given.len() < 3 && self.rng.chance(p) {
            for _ in 0..10 {
                let g = self.imagined_given(c, male, year);
                if !given
                    .iter()
                    .any(|x| x == &g || x.contains(&g) || g.contains(x.as_str()))
                {
                    given.push(g);
                    break;
                }
            }
            p = share * 0.35;
        }
    }

    /// Given names for a child by the naming customs: a "junior", the grandparents'
    /// names, or a fresh draw different from the siblings'.
    pub(super) fn child_given(
        &mut self,
        c: usize,
        male: bool,
        year: i32,
        (h, w): (usize, usize),
        nth: usize,
        siblings: &[String],
    ) -> (Vec<String>, bool) {
        let customs = self.country(c).data.customs;
        let father = self.persons[h].given.clone();
        let mut chosen: Option<Vec<String>> = None;
        let mut junior = false;
        if male && nth == 0 && self.rng.chance(customs.junior) {
            junior = true;
            chosen = Some(if customs.patronymic {
                vec![father[0].clone()]
            } else {
                father.clone()
            });
        } else if nth < 2 && self.rng.chance(customs.grandparent_naming) {
            let parent = if nth == 0 { h } else { w };
            let name = if male {
                self.persons[parent].father_given.clone()
            } else {
                self.persons[parent].mother_given.clone()
            };
            chosen = Some(vec![name]);
        }
        let mut given = match chosen {
            Some(g) if !siblings.contains(&g[0]) => g,
            _ => {
                junior = false;
                let mut g = self.imagined_given(c, male, year);
                for _ in 0..20 {
                    if !siblings.contains(&g) {
                        break;
                    }
                    g = self.imagined_given(c, male, year);
                }
                vec![g]
            }
        };
        if customs.patronymic {
            given.truncate(1);
            given.push(names::bulgarian_patronymic(&father[0], male));
        } else if !junior {
            self.more_given(c, male, year, &mut given);
        }
        (given, junior)
    }

    /// A twin's given names from a paired list (Jan/Jana), with the Bulgarian patronymic
    /// after the father's first given name.
    pub(super) fn twin_given(
        &self,
        c: usize,
        father: usize,
        male: bool,
        name: String,
    ) -> Vec<String> {
        let mut g = vec![name];
        if self.country(c).data.customs.patronymic {
            let f = self.persons[father].given[0].clone();
            g.push(names::bulgarian_patronymic(&f, male));
        }
        g
    }

    /// A twin pair from the country's list for these sexes (order as born).
    pub(super) fn twin_pair(&mut self, c: usize, a: bool, b: bool) -> Option<(String, String)> {
        let country = self.country(c);
        let sex = |n: &str| names_sex(country, n);
        let fits: Vec<(String, String)> = country
            .twins
            .iter()
            .filter_map(|(x, y)| match (sex(x), sex(y)) {
                (Some(sx), Some(sy)) if sx == a && sy == b => Some((x.clone(), y.clone())),
                (Some(sx), Some(sy)) if sx == b && sy == a => Some((y.clone(), x.clone())),
                _ => None,
            })
            .collect();
        if fits.is_empty() {
            None
        } else {
            Some(self.rng.pick(&fits).clone())
        }
    }
}

/// A given name's sex by the country's lists (`None` when in both or neither).
pub fn names_sex(country: &Country, name: &str) -> Option<bool> {
    let m = country.male.iter().any(|x| x == name);
    let f = country.female.iter().any(|x| x == name);
    match (m, f) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn every_twin_name_has_a_sex() {
        let mut rng = Rng::new(1);
        for data in names::all() {
            let c = Country::new(data, &mut rng);
            for (a, b) in &c.twins {
                assert!(names_sex(&c, a).is_some(), "{}: twin name {a}", data.code);
                assert!(names_sex(&c, b).is_some(), "{}: twin name {b}", data.code);
                assert_ne!(a, b, "{}", data.code);
            }
        }
    }
}
