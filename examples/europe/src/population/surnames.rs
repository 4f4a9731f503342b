//! Family names: the line a lineage founder starts (one surname, or two or three for
//! Spain and Portugal), the surname it gives a son or a daughter, what a wife carries
//! after the wedding by her country's custom, and the line the children inherit.

use super::{Line, Population};
use crate::names::Compound;

impl Population {
    /// A new family-name line for a lineage founder or a spouse.
    pub(super) fn root_line(&mut self, c: usize) -> Line {
        let country = &self.countries[c];
        match country.data.compound {
            Compound::Single => Line::Entry(country.surname(&mut self.rng)),
            Compound::Spanish => {
                let a = country.surname(&mut self.rng);
                let b = country.surname(&mut self.rng);
                Line::Parts(vec![a, b])
            }
            Compound::Portuguese => {
                let n = if self.rng.chance(0.25) { 3 } else { 2 };
                let mut parts: Vec<usize> = Vec::new();
                while parts.len() < n {
                    let s = country.surname(&mut self.rng);
                    if !parts.contains(&s) {
                        parts.push(s);
                    }
                }
                Line::Parts(parts)
            }
        }
    }

    /// The surname a line gives a man or an unmarried woman.
    pub(super) fn line_surname(&self, c: usize, line: &Line, male: bool) -> Vec<String> {
        let list = &self.country(c).surnames;
        match line {
            Line::Entry(i) => vec![if male {
                list[*i].male.clone()
            } else {
                list[*i].female.clone()
            }],
            Line::Parts(v) => v.iter().map(|i| list[*i].male.clone()).collect(),
        }
    }

    /// The surname a wife carries after the wedding, by her country's custom.
    pub(super) fn married_surname(&mut self, h: usize, w: usize) -> Option<Vec<String>> {
        let c = self.persons[w].country;
        let customs = self.country(c).data.customs;
        let p = if self.persons[w].dob.y < 1960 {
            customs.marriage_change_old
        } else {
            customs.marriage_change_new
        };
        if !self.rng.chance(p) {
            return None;
        }
        let own = self.persons[w].birth_surname.clone();
        match (&self.persons[h].line, self.country(c).data.compound) {
            (Line::Parts(hp), Compound::Portuguese) => {
                let last = *hp.last()?;
                let mut v = own;
                v.push(self.country(c).surnames[last].male.clone());
                Some(v)
            }
            (Line::Parts(_), _) => None,
            (Line::Entry(i), _) => {
                let his = self.country(c).surnames[*i].wife.clone();
                if self.rng.chance(customs.double_surname) && own.len() == 1 && own[0] != his {
                    let joined = if self.rng.chance(0.5) {
                        format!("{}-{his}", own[0])
                    } else {
                        format!("{his}-{}", own[0])
                    };
                    Some(vec![joined])
                } else {
                    Some(vec![his])
                }
            }
        }
    }

    /// The line children inherit: the father's, or for Spain the first surname of each
    /// parent and for Portugal the last of each (mother's first).
    pub(super) fn child_line(&self, h: usize, w: usize) -> Line {
        let (hl, wl) = (&self.persons[h].line, &self.persons[w].line);
        match (hl, wl) {
            (Line::Parts(hp), Line::Parts(wp)) => {
                let c = self.persons[h].country;
                match self.country(c).data.compound {
                    Compound::Portuguese => {
                        Line::Parts(vec![*wp.last().unwrap_or(&0), *hp.last().unwrap_or(&0)])
                    }
                    _ => Line::Parts(vec![hp[0], wp[0]]),
                }
            }
            (l, _) => l.clone(),
        }
    }
}
