//! Per-country name, place and street lists, hand-written, and the rules that turn them
//! into a population: gendered surname forms, naming customs, marriage customs.
//!
//! Why hand-written lists: the data set must look like real European registries (scripts,
//! diacritics, gendered surnames, particles, compound surnames, near-namesakes such as
//! Meyer/Meier/Maier), and no list from a package carries all that. Each list is written
//! most frequent first; the generator gives it Zipf-like weights, so a few names are very
//! common and most are rare, as in real populations. The lists are data, never code that
//! the matching engine shares: the engine must not be evaluated with its own tables.

mod bg;
mod cz;
mod de;
mod es;
mod fi;
mod fr;
mod gr;
mod hu;
mod it;
mod lt;
mod nl;
mod pl;
mod pt;
mod ro;
mod se;

use crate::rng::{Rng, Weighted, zipf};

/// The script a country's registry writes names in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Greek,
    Cyrillic,
}

/// How a woman's surname is formed from the family's (male) surname.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurnameRule {
    /// No gendered forms.
    Same,
    /// Kowalski → Kowalska, Konieczny → Konieczna.
    Polish,
    /// Novák → Nováková, Černý → Černá, Procházka → Procházková, Hájek → Hájková.
    Czech,
    /// Kazlauskas → Kazlauskienė (married), Kazlauskaitė (unmarried).
    Lithuanian,
    /// Παπαδόπουλος → Παπαδοπούλου, Καραγιάννης → Καραγιάννη, Νικολάου unchanged.
    Greek,
    /// Христов → Христова, Стамболийски → Стамболийска.
    Bulgarian,
}

/// How surnames are composed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compound {
    /// One surname, inherited from the father.
    Single,
    /// Father's first surname, then the mother's first: García Márquez.
    Spanish,
    /// Mother's last surname, then the father's last: da Silva Santos.
    Portuguese,
}

/// National identifier behind the eIDAS person identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdScheme {
    /// GR AMKA: DDMMYY, four digits, a Luhn check digit.
    Amka,
    /// BG ЕГН: YYMMDD (month + 40 after 1999), three digits (odd for women), check digit.
    Egn,
    /// PL PESEL: YYMMDD (month + 20 after 1999), four digits (odd for men), check digit.
    Pesel,
    /// CZ rodné číslo: YYMMDD (month + 50 for women), four digits, divisible by 11.
    RodneCislo,
    /// SE personnummer: YYYYMMDD, three digits (odd for men), Luhn check digit.
    Personnummer,
    /// FI henkilötunnus: DDMMYY, century sign, three digits, check character.
    Hetu,
    /// LT asmens kodas: sex-and-century digit, YYMMDD, three digits, check digit.
    AsmensKodas,
    /// RO CNP: sex-and-century digit, YYMMDD, county, three digits, check digit.
    Cnp,
    /// ES DNI: eight digits and the check letter.
    Dni,
    /// PT civil identification number: eight digits and a check digit.
    Nic,
    /// IT codice fiscale (the place code is invented).
    CodiceFiscale,
    /// NL BSN: nine digits passing the eleven-test.
    Bsn,
    /// HU personal identifier: sex-and-century digit, YYMMDD, three digits, check digit.
    HuPersonal,
    /// A pseudonym (DE, FR eIDAS nodes send one): 32 hexadecimal digits.
    Pseudonym,
}

/// Naming and registry customs of one country (shares are probabilities).
#[derive(Debug, Clone, Copy)]
pub struct Customs {
    /// A second given name drawn (Anna Maria, Jean Pierre Marie).
    pub second_given: f64,
    /// A married woman takes her husband's surname: born before 1960, and from 1960.
    pub marriage_change_old: f64,
    pub marriage_change_new: f64,
    /// Of those, a share joins both surnames with a hyphen (Kowalska-Nowak).
    pub double_surname: f64,
    /// A first son is named after his paternal grandfather, a first daughter after her
    /// paternal grandmother (Greek custom above all); second children after the maternal
    /// grandparents.
    pub grandparent_naming: f64,
    /// A son is given exactly his father's given names ("junior").
    pub junior: f64,
    /// The registry writes a record's names in capitals (Greek registries without
    /// accents).
    pub registry_upper: f64,
    /// The registry writes only the surname in capitals (French civil status habit).
    pub registry_upper_surname: f64,
    /// The middle name is the father's name (Bulgarian презиме), always present.
    pub patronymic: bool,
}

/// One country's hand-written data. Lists are `;`-separated, most frequent first.
#[derive(Debug)]
pub struct CountryData {
    pub code: &'static str,
    pub script: Script,
    /// Relative share of the population (roughly by country size, flattened).
    pub weight: f64,
    pub rule: SurnameRule,
    pub compound: Compound,
    /// Surnames in the male (dictionary) form; `male|female` where the rule would be
    /// wrong. For ES/PT these are single surnames, combined two at a time.
    pub surnames: &'static str,
    /// Given names; `^` marks an old-fashioned name, `+` a modern one.
    pub male: &'static str,
    pub female: &'static str,
    /// Given-name pairs parents choose for twins (`Jan|Jana`).
    pub twins: &'static str,
    /// `name=postcode prefix=inhabitants in thousands`, in the registry's own script.
    pub places: &'static str,
    pub streets: &'static str,
    /// `#` a digit (the place's prefix first), `@` a capital letter, anything else as is.
    pub postcode: &'static str,
    pub customs: Customs,
    pub id: IdScheme,
}

/// Every country the generator knows, in a fixed order.
pub fn all() -> [&'static CountryData; 15] {
    [
        &gr::DATA,
        &bg::DATA,
        &de::DATA,
        &fr::DATA,
        &es::DATA,
        &it::DATA,
        &pl::DATA,
        &cz::DATA,
        &se::DATA,
        &nl::DATA,
        &pt::DATA,
        &hu::DATA,
        &ro::DATA,
        &fi::DATA,
        &lt::DATA,
    ]
}

/// A surname in its forms.
#[derive(Debug, Clone)]
pub struct Surname {
    pub male: String,
    /// A daughter's, or a woman's birth surname.
    pub female: String,
    /// A wife's when she takes it by marriage (differs only in Lithuanian).
    pub wife: String,
}

#[derive(Debug, Clone)]
pub struct Place {
    pub name: String,
    pub prefix: String,
}

/// Birth decades the given-name weights are kept for (1930s … 2000s, and 2010).
const DECADES: usize = 9;

/// A country's lists parsed, with this seed's weights.
#[derive(Debug)]
pub struct Country {
    pub data: &'static CountryData,
    pub surnames: Vec<Surname>,
    surname_w: Weighted,
    pub male: Vec<String>,
    male_w: Vec<Weighted>,
    pub female: Vec<String>,
    female_w: Vec<Weighted>,
    pub twins: Vec<(String, String)>,
    pub places: Vec<Place>,
    place_w: Weighted,
    pub streets: Vec<String>,
    street_w: Weighted,
}

fn list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How a given name's popularity runs over the birth years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Era {
    /// Marked `^` in the lists: given mostly before the 1970s (Wolfgang, Krystyna).
    Old,
    /// Marked `+`: given mostly from the 1980s (Lukas, Zuzanna, Nojus).
    Modern,
    /// Unmarked: given throughout, with a mild peak drawn per seed.
    Any,
}

/// A given-name list without its era marks, and the marks.
fn given_list(s: &str) -> (Vec<String>, Vec<Era>) {
    list(s)
        .into_iter()
        .map(|n| {
            if let Some(x) = n.strip_prefix('+') {
                (x.trim().to_owned(), Era::Modern)
            } else if let Some(x) = n.strip_prefix('^') {
                (x.trim().to_owned(), Era::Old)
            } else {
                (n, Era::Any)
            }
        })
        .unzip()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Given-name weights per birth decade: the list's Zipf weight times the name's era
/// curve, so that old-fashioned names cluster among the old and modern ones among the
/// young, as in real registries.
fn given_weights(eras: &[Era], rng: &mut Rng) -> Vec<Weighted> {
    let n = eras.len();
    let base = zipf(n, 1.0, rng);
    let peaks: Vec<f64> = (0..n).map(|_| 1925.0 + rng.unit() * 95.0).collect();
    (0..DECADES)
        .map(|dec| {
            let year = 1935.0 + 10.0 * dec as f64;
            let w: Vec<f64> = (0..n)
                .map(|i| {
                    let era = match eras[i] {
                        Era::Old => 0.03 + logistic((1968.0 - year) / 6.0),
                        Era::Modern => 0.01 + logistic((year - 1984.0) / 5.0),
                        Era::Any => {
                            let x = (year - peaks[i]) / 35.0;
                            0.45 + (-x * x).exp()
                        }
                    };
                    base[i] * era
                })
                .collect();
            Weighted::new(&w)
        })
        .collect()
}

fn decade(year: i32) -> usize {
    (((year - 1930) / 10).max(0) as usize).min(DECADES - 1)
}

impl Country {
    pub fn new(data: &'static CountryData, rng: &mut Rng) -> Country {
        let surnames: Vec<Surname> = list(data.surnames)
            .iter()
            .map(|entry| surname_forms(entry, data.rule))
            .collect();
        let places: Vec<(Place, f64)> = list(data.places)
            .iter()
            .filter_map(|p| {
                let mut parts = p.split('=');
                let name = parts.next()?.trim().to_owned();
                let prefix = parts.next()?.trim().to_owned();
                let weight: f64 = parts.next()?.trim().parse().ok()?;
                Some((Place { name, prefix }, weight))
            })
            .collect();
        // Places weigh by inhabitants, dampened (small towns still have births).
        let place_w: Vec<f64> = places
            .iter()
            .map(|(_, w)| w.powf(0.8) * (0.15 * rng.normalish()).exp())
            .collect();
        let (male, male_eras) = given_list(data.male);
        let (female, female_eras) = given_list(data.female);
        let streets = list(data.streets);
        let s = 0.9 + 0.25 * rng.unit();
        Country {
            data,
            surname_w: Weighted::new(&zipf(surnames.len(), s, rng)),
            surnames,
            male_w: given_weights(&male_eras, rng),
            male,
            female_w: given_weights(&female_eras, rng),
            female,
            twins: list(data.twins)
                .iter()
                .filter_map(|p| {
                    let (a, b) = p.split_once('|')?;
                    Some((a.trim().to_owned(), b.trim().to_owned()))
                })
                .collect(),
            place_w: Weighted::new(&place_w),
            places: places.into_iter().map(|(p, _)| p).collect(),
            street_w: Weighted::new(&zipf(streets.len(), 0.8, rng)),
            streets,
        }
    }

    pub fn surname(&self, rng: &mut Rng) -> usize {
        self.surname_w.sample(rng)
    }

    pub fn given(&self, male: bool, birth_year: i32, rng: &mut Rng) -> String {
        if male {
            self.male[self.male_w[decade(birth_year)].sample(rng)].clone()
        } else {
            self.female[self.female_w[decade(birth_year)].sample(rng)].clone()
        }
    }

    pub fn place(&self, rng: &mut Rng) -> usize {
        self.place_w.sample(rng)
    }

    pub fn street(&self, rng: &mut Rng) -> usize {
        self.street_w.sample(rng)
    }
}

/// The forms of one list entry (`male` or `male|female`).
pub fn surname_forms(entry: &str, rule: SurnameRule) -> Surname {
    if let Some((m, f)) = entry.split_once('|') {
        let (m, f) = (m.trim().to_owned(), f.trim().to_owned());
        return Surname {
            male: m,
            wife: f.clone(),
            female: f,
        };
    }
    let m = entry.to_owned();
    let (female, wife) = match rule {
        SurnameRule::Same => (m.clone(), m.clone()),
        SurnameRule::Polish => {
            let f = polish_female(&m);
            (f.clone(), f)
        }
        SurnameRule::Czech => {
            let f = czech_female(&m);
            (f.clone(), f)
        }
        SurnameRule::Lithuanian => lithuanian_female(&m),
        SurnameRule::Greek => {
            let f = greek_female(&m);
            (f.clone(), f)
        }
        SurnameRule::Bulgarian => {
            let f = bulgarian_female(&m);
            (f.clone(), f)
        }
    };
    Surname {
        male: m,
        female,
        wife,
    }
}

fn replace_end(s: &str, end: &str, with: &str) -> Option<String> {
    s.strip_suffix(end).map(|stem| format!("{stem}{with}"))
}

fn polish_female(m: &str) -> String {
    ["ski", "cki", "dzki"]
        .iter()
        .find_map(|e| replace_end(m, e, &format!("{}a", &e[..e.len() - 1])))
        .or_else(|| replace_end(m, "ny", "na"))
        .or_else(|| replace_end(m, "ły", "ła"))
        .unwrap_or_else(|| m.to_owned())
}

fn czech_female(m: &str) -> String {
    if let Some(f) = replace_end(m, "ý", "á") {
        return f;
    }
    if let Some(f) = replace_end(m, "něk", "ňková") {
        return f;
    }
    if let Some(f) = replace_end(m, "ek", "ková") {
        return f;
    }
    if let Some(f) = replace_end(m, "ec", "cová") {
        return f;
    }
    if let Some(stem) = m.strip_suffix('a') {
        return format!("{stem}ová");
    }
    if let Some(stem) = m.strip_suffix('e') {
        return format!("{stem}ová");
    }
    format!("{m}ová")
}

/// (unmarried, married) forms.
fn lithuanian_female(m: &str) -> (String, String) {
    let table: [(&str, &str, &str); 6] = [
        ("ius", "iūtė", "ienė"),
        ("ys", "ytė", "ienė"),
        ("is", "ytė", "ienė"),
        ("as", "aitė", "ienė"),
        ("us", "utė", "uvienė"),
        ("a", "aitė", "ienė"),
    ];
    for (end, girl, wife) in table {
        if let Some(stem) = m.strip_suffix(end) {
            return (format!("{stem}{girl}"), format!("{stem}{wife}"));
        }
    }
    (m.to_owned(), m.to_owned())
}

fn greek_female(m: &str) -> String {
    replace_end(m, "όπουλος", "οπούλου")
        .or_else(|| replace_end(m, "ίδης", "ίδου"))
        .or_else(|| replace_end(m, "ΐδης", "ΐδου"))
        .or_else(|| replace_end(m, "άδης", "άδου"))
        .or_else(|| replace_end(m, "ής", "ή"))
        .or_else(|| replace_end(m, "ης", "η"))
        .or_else(|| replace_end(m, "άς", "ά"))
        .or_else(|| replace_end(m, "ας", "α"))
        .or_else(|| replace_end(m, "ός", "ού"))
        .or_else(|| replace_end(m, "ος", "ου"))
        .unwrap_or_else(|| m.to_owned())
}

fn bulgarian_female(m: &str) -> String {
    if let Some(f) = replace_end(m, "ски", "ска") {
        return f;
    }
    if let Some(f) = replace_end(m, "цки", "цка") {
        return f;
    }
    if m.ends_with("ов") || m.ends_with("ев") || m.ends_with("ин") {
        return format!("{m}а");
    }
    m.to_owned()
}

/// The Bulgarian middle name (презиме) from the father's given name: Иван → Иванов,
/// Петър → Петров, Георги → Георгиев, Николай → Николаев; feminine with -а.
pub fn bulgarian_patronymic(father: &str, male: bool) -> String {
    let irregular = [
        ("Михаил", "Михайлов"),
        ("Павел", "Павлов"),
        ("Васил", "Василев"),
        ("Никола", "Николов"),
        ("Илия", "Илиев"),
        ("Щерьо", "Щерев"),
        ("Славчо", "Славчев"),
    ];
    let base = irregular
        .iter()
        .find(|(n, _)| *n == father)
        .map(|(_, p)| (*p).to_owned())
        .or_else(|| replace_end(father, "ър", "ров"))
        .or_else(|| replace_end(father, "й", "ев"))
        .or_else(|| replace_end(father, "и", "иев"))
        .or_else(|| replace_end(father, "о", "ов"))
        .or_else(|| replace_end(father, "а", "ов"))
        .unwrap_or_else(|| {
            let soft = ['ж', 'ч', 'ш', 'щ', 'ц', 'й'];
            if father.chars().last().is_some_and(|c| soft.contains(&c)) {
                format!("{father}ев")
            } else {
                format!("{father}ов")
            }
        });
    if male { base } else { format!("{base}а") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gendered_forms() {
        let f = |e, r| surname_forms(e, r);
        assert_eq!(f("Kowalski", SurnameRule::Polish).female, "Kowalska");
        assert_eq!(f("Nowak", SurnameRule::Polish).female, "Nowak");
        assert_eq!(f("Konieczny", SurnameRule::Polish).female, "Konieczna");
        assert_eq!(f("Novák", SurnameRule::Czech).female, "Nováková");
        assert_eq!(f("Černý", SurnameRule::Czech).female, "Černá");
        assert_eq!(f("Procházka", SurnameRule::Czech).female, "Procházková");
        assert_eq!(f("Vaněk", SurnameRule::Czech).female, "Vaňková");
        assert_eq!(f("Němec", SurnameRule::Czech).female, "Němcová");
        let lt = f("Kazlauskas", SurnameRule::Lithuanian);
        assert_eq!(
            (lt.female.as_str(), lt.wife.as_str()),
            ("Kazlauskaitė", "Kazlauskienė")
        );
        let lt = f("Stankevičius", SurnameRule::Lithuanian);
        assert_eq!(
            (lt.female.as_str(), lt.wife.as_str()),
            ("Stankevičiūtė", "Stankevičienė")
        );
        let lt = f("Butkus", SurnameRule::Lithuanian);
        assert_eq!(
            (lt.female.as_str(), lt.wife.as_str()),
            ("Butkutė", "Butkuvienė")
        );
        assert_eq!(f("Παπαδόπουλος", SurnameRule::Greek).female, "Παπαδοπούλου");
        assert_eq!(f("Καραγιάννης", SurnameRule::Greek).female, "Καραγιάννη");
        assert_eq!(f("Νικολάου", SurnameRule::Greek).female, "Νικολάου");
        assert_eq!(
            f("Κωνσταντινίδης", SurnameRule::Greek).female,
            "Κωνσταντινίδου"
        );
        assert_eq!(f("Παππάς", SurnameRule::Greek).female, "Παππά");
        assert_eq!(f("Христов", SurnameRule::Bulgarian).female, "Христова");
        assert_eq!(
            f("Стамболийски", SurnameRule::Bulgarian).female,
            "Стамболийска"
        );
        assert_eq!(bulgarian_patronymic("Петър", true), "Петров");
        assert_eq!(bulgarian_patronymic("Георги", false), "Георгиева");
        assert_eq!(bulgarian_patronymic("Николай", true), "Николаев");
        assert_eq!(bulgarian_patronymic("Иван", false), "Иванова");
    }

    #[test]
    fn lists_are_large_enough_and_without_repeats() {
        let mut rng = Rng::new(1);
        for data in all() {
            let c = Country::new(data, &mut rng);
            assert!(
                c.surnames.len() >= 80,
                "{}: {} surnames",
                data.code,
                c.surnames.len()
            );
            assert!(c.male.len() >= 50, "{}: {} male", data.code, c.male.len());
            assert!(
                c.female.len() >= 50,
                "{}: {} female",
                data.code,
                c.female.len()
            );
            assert!(
                c.places.len() >= 30,
                "{}: {} places",
                data.code,
                c.places.len()
            );
            assert!(
                c.streets.len() >= 20,
                "{}: {} streets",
                data.code,
                c.streets.len()
            );
            assert!(
                c.twins.len() >= 8,
                "{}: {} twin pairs",
                data.code,
                c.twins.len()
            );
            assert_eq!(
                list(data.places).len(),
                c.places.len(),
                "{}: a malformed place",
                data.code
            );
            for (what, l) in [
                (
                    "surname",
                    c.surnames
                        .iter()
                        .map(|s| s.male.clone())
                        .collect::<Vec<_>>(),
                ),
                ("male", c.male.clone()),
                ("female", c.female.clone()),
                ("place", c.places.iter().map(|p| p.name.clone()).collect()),
                ("street", c.streets.clone()),
            ] {
                let mut seen = std::collections::BTreeSet::new();
                for x in &l {
                    assert!(seen.insert(x), "{}: {what} {x} twice", data.code);
                    assert!(!x.contains(','), "{}: {what} {x} has a comma", data.code);
                }
            }
            for p in &c.places {
                assert!(
                    p.prefix.bytes().all(|b| b.is_ascii_digit()),
                    "{}: {}",
                    data.code,
                    p.name
                );
            }
        }
    }
}
