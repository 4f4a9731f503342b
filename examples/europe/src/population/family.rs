//! Families: a lineage founded by a couple, the couple's household, their children born
//! one delivery at a time (twins among them), and each grown child's adult life, which
//! may found a family in turn. This is where siblings, twins, juniors and married names
//! come from, so it follows real timing: children while the mother is 19–44, up to 2010.

use super::{Address, CHILDREN, Population, REFERENCE_YEAR, TWIN_BIRTHS, TWINS_SHARING_A_HOME};
use crate::date::Date;
use crate::rng::Weighted;

/// A couple and the home their children are born into.
struct Household {
    /// Husband and wife (indexes into `persons`).
    h: usize,
    w: usize,
    /// The couple's number (`Person::family`).
    family: usize,
    country: usize,
    home: Address,
}

/// The children born so far to a household, for the naming customs (no two siblings
/// share a first name; only the first son can be a junior).
#[derive(Default)]
struct Siblings {
    names: Vec<String>,
    sons: usize,
    daughters: usize,
}

impl Population {
    /// A new lineage: a couple born 1930–1975 and their descendants.
    pub(super) fn found_lineage(&mut self, c: usize) {
        let year = self.rng.range(1930, 1975);
        let h = self.founder(c, true, year);
        let gap = self.rng.range(-2, 8);
        let w = self.founder(c, false, year + gap);
        self.family(h, w);
    }

    /// A couple's family: the wedding, their children, each child's adult life, and
    /// grown-up twins who share a home.
    fn family(&mut self, h: usize, w: usize) {
        let household = self.wed(h, w);
        let children = self.children(&household);
        for &child in &children {
            self.adult_life(child, household.home.city);
        }
        self.twins_share_homes(&children, &household);
    }

    /// The wedding: a new family number, the wife's married surname by custom, and a
    /// home for the two (often in the husband's town).
    fn wed(&mut self, h: usize, w: usize) -> Household {
        let c = self.persons[h].country;
        let family = self.families;
        self.families += 1;
        if let Some(s) = self.married_surname(h, w) {
            self.persons[w].surname = s;
        }
        let city = if self.rng.chance(0.55) {
            self.persons[h].home.city
        } else {
            self.countries[c].place(&mut self.rng)
        };
        let home = self.new_address(c, city);
        self.persons[h].home = home.clone();
        self.persons[w].home = home.clone();
        self.persons[h].family = family;
        self.persons[w].family = family;
        Household {
            h,
            w,
            family,
            country: c,
            home,
        }
    }

    /// The household's children: a drawn number of deliveries, spaced 320 days to five
    /// years apart, while the mother is at most 44, up to 2010 (and while the population
    /// is not full).
    fn children(&mut self, household: &Household) -> Vec<usize> {
        let n = Weighted::new(&CHILDREN).sample(&mut self.rng);
        let mother_dob = self.persons[household.w].dob;
        let mut t = mother_dob.ordinal() + i64::from(self.rng.range(19 * 365, 27 * 365));
        let mut siblings = Siblings::default();
        let mut children = Vec::new();
        for k in 0..n {
            if k > 0 {
                t += i64::from(self.rng.range(320, 5 * 365));
            }
            let dob = Date::from_ordinal(t);
            if dob.y > 2010 || dob.y - mother_dob.y > 44 || self.persons.len() > self.target + 64 {
                break;
            }
            children.extend(self.delivery(household, dob, &mut siblings));
        }
        children
    }

    /// One delivery: the place of birth, one child or twins (of the same sex in two
    /// cases of three, sometimes with paired names), linked to each other.
    fn delivery(
        &mut self,
        household: &Household,
        dob: Date,
        siblings: &mut Siblings,
    ) -> Vec<usize> {
        let c = household.country;
        let place = if self.rng.chance(0.8) {
            household.home.city
        } else {
            self.countries[c].place(&mut self.rng)
        };
        let twins = self.rng.chance(TWIN_BIRTHS);
        let first_male = self.rng.chance(0.513);
        let sexes: Vec<bool> = if twins {
            let second = if self.rng.chance(2.0 / 3.0) {
                first_male
            } else {
                !first_male
            };
            vec![first_male, second]
        } else {
            vec![first_male]
        };
        let pair = if twins && self.rng.chance(0.35) {
            self.twin_pair(c, sexes[0], sexes[1])
        } else {
            None
        };
        let mut born = Vec::new();
        for (j, &male) in sexes.iter().enumerate() {
            let paired = match &pair {
                Some((a, b)) if !siblings.names.contains(a) && !siblings.names.contains(b) => {
                    Some(if j == 0 { a.clone() } else { b.clone() })
                }
                _ => None,
            };
            born.push(self.child(household, male, (dob, place), paired, siblings));
        }
        if let [a, b] = born[..] {
            self.persons[a].twin_of = Some(b);
            self.persons[b].twin_of = Some(a);
        }
        born
    }

    /// One newborn (`birth`: date and place): given names from the twin pair or by the
    /// naming customs, the line's surname, an identifier, and the junior link.
    fn child(
        &mut self,
        household: &Household,
        male: bool,
        (dob, place): (Date, usize),
        paired: Option<String>,
        siblings: &mut Siblings,
    ) -> usize {
        let (c, h, w) = (household.country, household.h, household.w);
        let nth = if male {
            siblings.sons
        } else {
            siblings.daughters
        };
        let (given, junior) = match paired {
            Some(name) => (self.twin_given(c, h, male, name), false),
            None => self.child_given(c, male, dob.y, (h, w), nth, &siblings.names),
        };
        siblings.names.push(given[0].clone());
        let line = self.child_line(h, w);
        let father_given = self.persons[h].given[0].clone();
        let mother_given = self.persons[w].given[0].clone();
        let i = self.push_person(
            c,
            male,
            given,
            line,
            dob,
            place,
            household.home.clone(),
            father_given,
            mother_given,
            household.family,
        );
        if junior {
            self.persons[i].junior_of = Some(h);
        }
        if male {
            siblings.sons += 1;
        } else {
            siblings.daughters += 1;
        }
        i
    }

    /// Grown-up twins who both left home unmarried sometimes share one.
    fn twins_share_homes(&mut self, children: &[usize], household: &Household) {
        let (family, home) = (household.family, &household.home);
        for &a in children {
            let Some(b) = self.persons[a].twin_of else {
                continue;
            };
            let single =
                |x: usize| self.persons[x].family == family && self.persons[x].home != *home;
            if a < b && single(a) && single(b) && self.rng.chance(TWINS_SHARING_A_HOME) {
                self.persons[b].home = self.persons[a].home.clone();
            }
        }
    }

    /// Where a grown child lives, and whether they marry.
    fn adult_life(&mut self, i: usize, parents_city: usize) {
        let c = self.persons[i].country;
        let age = REFERENCE_YEAR - self.persons[i].dob.y;
        if age < 24 || (age < 32 && self.rng.chance(0.25)) {
            return;
        }
        let marry = (f64::from(age - 22) * 0.1).min(0.8);
        if self.persons.len() <= self.target + 64 && self.rng.chance(marry) {
            let male = self.persons[i].male;
            let y = self.persons[i].dob.y;
            if male {
                let gap = self.rng.range(-2, 6);
                let w = self.founder(c, false, y + gap);
                self.family(i, w);
            } else {
                let gap = self.rng.range(-1, 7);
                let h = self.founder(c, true, y - gap);
                self.family(h, i);
            }
            return;
        }
        let city = if self.rng.chance(0.5) {
            parents_city
        } else {
            self.countries[c].place(&mut self.rng)
        };
        self.persons[i].home = self.new_address(c, city);
    }
}
