//! Blocking keys: the values a candidate look-up is made with, computed the same way
//! from the request (query parameters) and from registry records (key columns), so an
//! indexed `WHERE surname_cologne = :k` finds what the comparison would accept.
//!
//! A key column holds **one** value per record: the key of the name's plain fold (ICAO for
//! Cyrillic, ELOT 743 for Greek). A registry in Greek or Cyrillic script is therefore keyed
//! on `khristov` for `Христов` and on `giannis` for `Γιάννης`, while the request may spell
//! the person `Hristov` (Bulgarian documents) or `Yannis` (older Greek ones). The request
//! side makes up the difference: besides its own spellings it gives the plain folds a Greek
//! or Cyrillic name spelled that way would have ([`native_plain_folds`]: `h` may be х `kh`
//! or χ `ch`, `y` before a vowel я `ia` or γι `gi`, `sht` щ `shch`…). The registry side,
//! and so every key column already computed, stays as it was.
//!
//! Only consonant-level differences are reversed. Vowel-level ones (ει οι υ as `i`, η αι as
//! `e`, ου as `u`, ъ as `a`) reach the sound codes, which ignore vowels, but not `key` or
//! `initial`: reversing them would give almost every name more look-ups. The same holds
//! for the classical β `b` and κ `c`. Even so, a Latin name with such letters costs more
//! look-ups (the `h` of `Hannah` may be х or χ), at most [`MAX_COMBINATIONS`] per pass;
//! names with letters no reversed convention writes (`w`, `j`, `c`…) cost none.

use std::collections::{BTreeSet, HashSet};

use oots_connector::{Params, Record, Value};

use crate::date::DateParts;
use crate::keys::name_keys;
use crate::phonetic::{cologne, double_metaphone};
use crate::translit::{has_greek_or_cyrillic, native_plain_folds};
use crate::{Attribute, Engine, Identity, Pass, Prepared};

/// Key functions a blocking parameter or key column may apply to an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFn {
    /// The value itself (a date as a date, or in the mapping's `date_format`).
    Value,
    /// Names: the normalised spellings (`Müller` → `muller`, `mueller`). A request also
    /// gives the plain folds of the Greek or Cyrillic names it may spell (`Hristov` →
    /// `khristov`, `Demetrios` → `dimitrios`).
    Key,
    /// Names: Kölner Phonetik of each spelling (the request's, and those of the Greek or
    /// Cyrillic names it may spell).
    Cologne,
    /// Names: primary Double Metaphone code of each spelling (as for `Cologne`).
    Metaphone,
    /// Dates: day and month exchanged (absent when that is no other date).
    Swapped,
    /// Dates: the year.
    Year,
    /// Dates: month and day as `MMDD` text, for a pass that survives a mistyped year.
    MonthDay,
    /// Dates: the month (an integer).
    Month,
    /// Dates: the day of the month (an integer).
    Day,
    /// Names: the first letter of each spelling. With [`KeyFn::Final`] and the sound, a
    /// cheap test that a mistyped name still agrees (one typo rarely changes all three).
    Initial,
    /// Names: the last letter of each spelling.
    Final,
}

/// A key of one attribute (`FamilyName.cologne`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// The request attribute the key is made from.
    pub attribute: Attribute,
    /// How the key is made from it.
    pub function: KeyFn,
}

impl KeySpec {
    /// Parses `Attribute[.function]`, explaining what is wrong otherwise.
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        let s = s.trim();
        let functions = [
            ("key", KeyFn::Key),
            ("cologne", KeyFn::Cologne),
            ("metaphone", KeyFn::Metaphone),
            ("swapped", KeyFn::Swapped),
            ("year", KeyFn::Year),
            ("monthday", KeyFn::MonthDay),
            ("month", KeyFn::Month),
            ("day", KeyFn::Day),
            ("initial", KeyFn::Initial),
            ("final", KeyFn::Final),
        ];
        let (attribute, function) = match s.rsplit_once('.') {
            Some((a, f)) if Attribute::parse(s).is_none() => {
                let Some((_, func)) = functions.iter().find(|(n, _)| *n == f) else {
                    return Err(format!(
                        "unknown key function `{f}` (one of: key, cologne, metaphone, initial, final, swapped, year, month, day, monthday)"
                    ));
                };
                (a, *func)
            }
            _ => (s, KeyFn::Value),
        };
        let Some(attribute) = Attribute::parse(attribute) else {
            return Err(format!("unknown request attribute `{attribute}`"));
        };
        let date = attribute == Attribute::DateOfBirth;
        let ok = match function {
            KeyFn::Value => true,
            KeyFn::Swapped | KeyFn::Year | KeyFn::MonthDay | KeyFn::Month | KeyFn::Day => date,
            KeyFn::Key | KeyFn::Cologne | KeyFn::Metaphone | KeyFn::Initial | KeyFn::Final => {
                attribute.is_name()
            }
        };
        if !ok {
            return Err(format!(
                "key function of `{s}` does not apply to {attribute} ({})",
                if date {
                    "dates take swapped, year, month, day or monthday"
                } else {
                    "names take key, cologne, metaphone, initial or final"
                }
            ));
        }
        Ok(KeySpec {
            attribute,
            function,
        })
    }

    /// The key values of the request (several for names with variant spellings; none
    /// when the attribute is absent or the function does not apply).
    pub fn request_values(&self, identity: &Identity, date_format: Option<&str>) -> Vec<Value> {
        self.request_values_with(identity, date_format, &mut Spellings::default())
    }

    /// [`KeySpec::request_values`], reusing spellings computed for other parameters.
    fn request_values_with(
        &self,
        identity: &Identity,
        date_format: Option<&str>,
        spellings: &mut Spellings,
    ) -> Vec<Value> {
        let Some(v) = identity.get(self.attribute) else {
            return Vec::new();
        };
        if self.attribute == Attribute::DateOfBirth {
            return spellings
                .date(v)
                .and_then(|d| date_key(d, self.function, date_format))
                .into_iter()
                .collect();
        }
        if self.function == KeyFn::Value {
            return vec![Value::Text(v.trim().to_owned())];
        }
        text_keys(&spellings.of(self.attribute, v).0, self.function)
    }

    /// The key of a registry value: its primary spelling only, as one key column holds it.
    pub fn registry_value(&self, v: &Value, date_format: Option<&str>) -> Value {
        if self.attribute == Attribute::DateOfBirth {
            return DateParts::from_value(v, date_format)
                .and_then(|d| date_key(&d, self.function, date_format))
                .unwrap_or(Value::Null);
        }
        match v.as_text() {
            Some(t) if self.function == KeyFn::Value => Value::Text(t.trim().to_owned()),
            Some(t) => name_keys(&t, &[])
                .first()
                .and_then(|k| text_key(k, self.function))
                .map_or(Value::Null, Value::Text),
            None => Value::Null,
        }
    }
}

fn date_key(d: &DateParts, f: KeyFn, format: Option<&str>) -> Option<Value> {
    let as_value = |d: &DateParts| match format {
        Some(fmt) => d.format(fmt).map(Value::Text),
        None => d.to_date().map(Value::Date),
    };
    match f {
        KeyFn::Year => d.year.map(|y| Value::Int(i64::from(y))),
        KeyFn::Month => d.month.map(|m| Value::Int(i64::from(m))),
        KeyFn::Day => d.day.map(|x| Value::Int(i64::from(x))),
        KeyFn::MonthDay => match (d.month, d.day) {
            (Some(m), Some(day)) => Some(Value::Text(format!("{m:02}{day:02}"))),
            _ => None,
        },
        KeyFn::Swapped => d.swapped().and_then(|s| as_value(&s)),
        _ => as_value(d),
    }
}

/// The normalised spellings of request names and the parsed date of birth, each worked
/// out once for all the parameters that use them.
struct Spellings {
    names: Vec<(Attribute, NameSpellings)>,
    date: Option<Option<DateParts>>,
    /// Whether Latin names also give the keys of Greek or Cyrillic names they may spell.
    native: bool,
}

impl Default for Spellings {
    fn default() -> Self {
        Self {
            names: Vec::new(),
            date: None,
            native: true,
        }
    }
}

impl Spellings {
    fn of(&mut self, a: Attribute, v: &str) -> &NameSpellings {
        let at = match self.names.iter().position(|(x, _)| *x == a) {
            Some(i) => i,
            None => {
                self.names.push((a, NameSpellings::new(v, self.native)));
                self.names.len() - 1
            }
        };
        &self.names[at].1
    }

    fn date(&mut self, v: &str) -> Option<&DateParts> {
        self.date
            .get_or_insert_with(|| DateParts::parse_request(v))
            .as_ref()
    }
}

/// The spellings one request name gives blocking keys of: its own (the name keys, primary
/// first), then the plain folds of the Greek or Cyrillic names it may spell.
struct NameSpellings(Vec<String>);

impl NameSpellings {
    fn new(v: &str, native: bool) -> Self {
        Self::from_keys(name_keys(v, &[]), v, native)
    }

    /// The spellings of `v` from its name keys (without particle variants).
    fn from_keys(mut all: Vec<String>, v: &str, native: bool) -> Self {
        // A name in Greek or Cyrillic script has the registry's plain fold among its own.
        if native
            && !has_greek_or_cyrillic(v)
            && let Some(primary) = all.first()
        {
            for fold in native_plain_folds(primary) {
                if !all.contains(&fold) {
                    all.push(fold);
                }
            }
        }
        Self(all)
    }
}

/// The keys of a name's spellings under `f` (a name function: key, cologne, metaphone,
/// initial, final), distinct, in the order of the spellings.
fn text_keys<'a>(keys: impl IntoIterator<Item = &'a String>, f: KeyFn) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    keys.into_iter()
        .filter_map(|k| text_key(k, f))
        .filter(|k| seen.insert(k.clone()))
        .map(Value::Text)
        .collect()
}

/// The key of one spelling under a name function; `None` when it is empty or `f` is not a
/// name function.
fn text_key(k: &str, f: KeyFn) -> Option<String> {
    let squash = |k: &str| k.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let key = match f {
        KeyFn::Key => k.to_owned(),
        KeyFn::Cologne => cologne(&squash(k)),
        KeyFn::Metaphone => double_metaphone(&squash(k)).0,
        KeyFn::Initial => k.chars().find(|c| !c.is_whitespace())?.to_string(),
        KeyFn::Final => k.chars().rev().find(|c| !c.is_whitespace())?.to_string(),
        KeyFn::Value
        | KeyFn::Swapped
        | KeyFn::Year
        | KeyFn::MonthDay
        | KeyFn::Month
        | KeyFn::Day => return None,
    };
    (!key.is_empty()).then_some(key)
}

fn is_name_function(f: KeyFn) -> bool {
    matches!(
        f,
        KeyFn::Key | KeyFn::Cologne | KeyFn::Metaphone | KeyFn::Initial | KeyFn::Final
    )
}

/// Most parameter combinations one pass runs (a name with many spellings must not turn
/// one request into dozens of queries).
const MAX_COMBINATIONS: usize = 8;

/// One parameter set's worth of values for some of a pass's parameters.
type Part = Vec<(String, Value)>;

/// The parameter sets one blocking pass runs with, at most [`MAX_COMBINATIONS`]. A pass
/// with a key the request cannot give (no swapped date) runs not at all.
///
/// The name keys of one attribute come from one spelling at a time (the cologne code and
/// the initial of `hristov`, then those of `khristov`), never crossed; the alternatives of
/// the parameters are then combined by rank, so the request's own spellings come first and
/// every spelling of one name is tried with the first of the other before the cap.
pub fn pass_parameters(pass: &Pass, identity: &Identity, date_format: Option<&str>) -> Vec<Params> {
    pass_parameters_for(pass, identity, date_format, true)
}

/// [`pass_parameters`], with the keys of Greek or Cyrillic names a Latin spelling may
/// stand for only when `native` (the registry holds such names, or may: its name
/// frequencies are not known). A registry of Latin names only needs none of them, and
/// each costs look-ups.
pub fn pass_parameters_for(
    pass: &Pass,
    identity: &Identity,
    date_format: Option<&str>,
    native: bool,
) -> Vec<Params> {
    let spellings = Spellings {
        native,
        ..Spellings::default()
    };
    parameters_with(pass, identity, date_format, spellings)
}

/// [`pass_parameters_for`] a prepared request, whose names' spellings the engine has
/// already worked out.
pub fn prepared_pass_parameters(
    pass: &Pass,
    engine: &Engine,
    prepared: &Prepared,
    native: bool,
) -> Vec<Params> {
    let mut spellings = Spellings {
        native,
        ..Spellings::default()
    };
    let identity = engine.identity(prepared);
    for a in [
        Attribute::FamilyName,
        Attribute::GivenName,
        Attribute::BirthName,
    ] {
        if let (Some(v), Some(keys)) = (identity.get(a), engine.written_keys(prepared, a)) {
            spellings
                .names
                .push((a, NameSpellings::from_keys(keys, v, native)));
        }
    }
    parameters_with(pass, identity, engine.date_format(), spellings)
}

fn parameters_with(
    pass: &Pass,
    identity: &Identity,
    date_format: Option<&str>,
    mut spellings: Spellings,
) -> Vec<Params> {
    let mut parts: Vec<Vec<Part>> = Vec::new();
    let mut names: Vec<(Attribute, Vec<(&String, KeyFn)>)> = Vec::new();
    for (name, key) in &pass.parameters {
        if key.attribute != Attribute::DateOfBirth && is_name_function(key.function) {
            match names.iter_mut().find(|(a, _)| *a == key.attribute) {
                Some((_, params)) => params.push((name, key.function)),
                None => names.push((key.attribute, vec![(name, key.function)])),
            }
            continue;
        }
        let values = key.request_values_with(identity, date_format, &mut spellings);
        if values.is_empty() {
            return Vec::new();
        }
        parts.push(
            values
                .into_iter()
                .map(|v| vec![(name.clone(), v)])
                .collect(),
        );
    }
    for (attribute, params) in names {
        let Some(v) = identity.get(attribute) else {
            return Vec::new();
        };
        let mut alternatives: Vec<Part> = Vec::new();
        for s in &spellings.of(attribute, v).0 {
            let part: Option<Part> = params
                .iter()
                .map(|(name, f)| text_key(s, *f).map(|k| ((*name).clone(), Value::Text(k))))
                .collect();
            if let Some(part) = part
                && !alternatives.contains(&part)
            {
                alternatives.push(part);
            }
        }
        if alternatives.is_empty() {
            return Vec::new();
        }
        parts.push(alternatives);
    }
    let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
    ranked_product(&sizes, MAX_COMBINATIONS)
        .into_iter()
        .map(|pick| {
            let mut set = Params::new();
            for (part, &i) in parts.iter().zip(&pick) {
                for (name, v) in &part[i] {
                    set.insert(name.clone(), v.clone());
                }
            }
            set
        })
        .collect()
}

/// Up to `cap` picks of one alternative per part (`sizes[k]` alternatives each), by
/// increasing sum of the alternatives' ranks: all first alternatives, then one second
/// alternative, and so on.
fn ranked_product(sizes: &[usize], cap: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    if sizes.contains(&0) {
        return out;
    }
    // The largest rank sum the parts from `k` on can still add.
    let mut room = vec![0; sizes.len() + 1];
    for k in (0..sizes.len()).rev() {
        room[k] = room[k + 1] + sizes[k] - 1;
    }
    let mut pick = vec![0; sizes.len()];
    for total in 0..=room[0] {
        picks_with_sum(sizes, &room, 0, total, &mut pick, &mut out, cap);
        if out.len() >= cap {
            break;
        }
    }
    out
}

/// Every pick from part `k` on whose ranks add up to `left`, until `out` holds `cap`.
fn picks_with_sum(
    sizes: &[usize],
    room: &[usize],
    k: usize,
    left: usize,
    pick: &mut [usize],
    out: &mut Vec<Vec<usize>>,
    cap: usize,
) {
    if out.len() >= cap || left > room[k] {
        return;
    }
    if k == sizes.len() {
        out.push(pick.to_vec());
        return;
    }
    for r in 0..sizes[k].min(left + 1) {
        pick[k] = r;
        picks_with_sum(sizes, room, k + 1, left - r, pick, out, cap);
    }
    pick[k] = 0;
}

/// The union of the passes' records, each registry record once.
pub struct Candidates<'a> {
    engine: &'a Engine,
    records: Vec<Record>,
    seen: HashSet<String>,
}

impl<'a> Candidates<'a> {
    /// An empty union for the passes of `engine`.
    pub fn new(engine: &'a Engine) -> Self {
        Self {
            engine,
            records: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Adds the records of one pass, skipping those already held (by record id when the
    /// mapping names one).
    pub fn extend(&mut self, records: Vec<Record>) {
        for r in records {
            let fresh = match self.engine.record_key(&r) {
                Some(k) => self.seen.insert(k),
                None => !self.records.contains(&r),
            };
            if fresh {
                self.records.push(r);
            }
        }
    }

    /// Number of distinct records so far.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when no pass has found a record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The distinct records, in the order first found.
    pub fn into_records(self) -> Vec<Record> {
        self.records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_key_specs() {
        assert_eq!(
            KeySpec::parse("FamilyName.cologne").unwrap(),
            KeySpec {
                attribute: Attribute::FamilyName,
                function: KeyFn::Cologne
            }
        );
        assert_eq!(
            KeySpec::parse("CurrentAddress.PostCode").unwrap().function,
            KeyFn::Value
        );
        assert!(KeySpec::parse("FamilyName.year").is_err());
        assert!(KeySpec::parse("DateOfBirth.soundex").is_err());
        assert!(KeySpec::parse("Surname").is_err());
    }

    #[test]
    fn prepared_requests_give_the_same_parameters() {
        let yaml = "identity: { FamilyName: s, GivenName: g, DateOfBirth: d }\nmatching:\n  blocking:\n    passes:\n      - name: p\n        query: q\n        parameters: { a: FamilyName.cologne, b: GivenName.initial, c: FamilyName.key, y: DateOfBirth.year }\n";
        let cfg: crate::MatchingConfig = serde_saphyr::from_str(yaml).unwrap();
        let engine = cfg.compile().unwrap();
        let pass = &engine.blocking().unwrap().passes[0];
        for (family, given) in [
            ("van der Berg", "Anna Maria"),
            ("Hristov", "Yannis"),
            ("Христов", "Христо"),
            ("Παπαδόπουλος", "Γιάννης"),
            ("Müller-Lüdenscheidt", "Jürgen"),
        ] {
            let mut id = Identity::default();
            id.set(Attribute::FamilyName, Some(family));
            id.set(Attribute::GivenName, Some(given));
            id.set(Attribute::DateOfBirth, Some("1970-03-01"));
            let prepared = engine.prepare(&id).unwrap();
            for native in [true, false] {
                assert_eq!(
                    prepared_pass_parameters(pass, &engine, &prepared, native),
                    pass_parameters_for(pass, &id, None, native),
                    "{family} {given} {native}"
                );
            }
        }
    }

    use crate::compare::{Level, NameKeys};
    use crate::keys::DEFAULT_PARTICLES;

    /// A registry name in its own script and a Latin spelling an eID or an older document
    /// of the same person carries, one row per transliteration convention.
    const CONVENTIONS: &[(&str, &str)] = &[
        // Bulgarian: the Streamlined System of the Transliteration Act (2009), and ICAO.
        ("Христо", "Hristo"),
        ("Христов", "Hristov"),
        ("Христов", "Khristov"),
        ("Щерев", "Shterev"),
        ("Щерев", "Shcherev"),
        ("Ъгълов", "Agalov"),
        ("Юлия", "Yulia"),
        ("Юлия", "Yuliya"),
        ("Юлия", "Iuliia"),
        ("Мария", "Maria"),
        ("Янков", "Yankov"),
        ("Йорданов", "Yordanov"),
        ("Жеков", "Zhekov"),
        ("Михаил", "Mihail"),
        ("Михаил", "Mikhail"),
        ("Петър", "Petar"),
        ("Димитър", "Dimitar"),
        ("Цветанка", "Tsvetanka"),
        ("Стоянов", "Stoyanov"),
        ("Стойков", "Stoykov"),
        ("Николай", "Nikolay"),
        ("Андрей", "Andrey"),
        ("Гълъбов", "Galabov"),
        ("Кольо", "Kolyo"),
        // Greek: ELOT 743, the popular spelling, the classical (older) one, BGN/PCGN.
        ("Γιάννης", "Giannis"),
        ("Γιάννης", "Yannis"),
        ("Γιάννης", "Yiannis"),
        ("Δημήτριος", "Dimitrios"),
        ("Δημήτριος", "Demetrios"),
        ("Χρήστος", "Christos"),
        ("Χρήστος", "Hristos"),
        ("Χρήστος", "Khristos"),
        ("Βασίλειος", "Vasileios"),
        ("Βασίλειος", "Vasilios"),
        ("Βασίλειος", "Basileios"),
        ("Παπαδόπουλος", "Papadopoulos"),
        ("Παπαδόπουλος", "Papadopulos"),
        ("Μπακογιάννης", "Bakogiannis"),
        ("Μπακογιάννης", "Bakoyannis"),
        ("Ντόρα", "Dora"),
        ("Γκίκας", "Gikas"),
        ("Κωνσταντίνος", "Konstantinos"),
        ("Κωνσταντίνος", "Constantinos"),
        ("Ευάγγελος", "Evangelos"),
        ("Ευάγγελος", "Evaggelos"),
        ("Γεώργιος", "Georgios"),
        ("Γεώργιος", "Yeorgios"),
        ("Παναγιώτης", "Panagiotis"),
        ("Παναγιώτης", "Panayiotis"),
        ("Παναγιώτης", "Panayotis"),
        ("Χριστόφορος", "Christophoros"),
        ("Κυριάκος", "Kyriakos"),
        ("Κυριάκος", "Kiriakos"),
        ("Αικατερίνη", "Aikaterini"),
        ("Αικατερίνη", "Ekaterini"),
        ("Ειρήνη", "Eirini"),
        ("Ειρήνη", "Irini"),
        ("Οικονόμου", "Oikonomou"),
        ("Οικονόμου", "Ikonomou"),
        ("Ζαχαρίας", "Zacharias"),
        ("Ζαχαρίας", "Zaharias"),
    ];

    fn level(a: &str, b: &str) -> Level {
        NameKeys::new(a, DEFAULT_PARTICLES).compare(&NameKeys::new(b, DEFAULT_PARTICLES))
    }

    const NAME_FUNCTIONS: [KeyFn; 5] = [
        KeyFn::Key,
        KeyFn::Cologne,
        KeyFn::Metaphone,
        KeyFn::Initial,
        KeyFn::Final,
    ];

    fn family(name: &str) -> Identity {
        let mut id = Identity::default();
        id.set(Attribute::FamilyName, Some(name));
        id
    }

    #[test]
    fn native_script_names_agree_exactly_with_every_convention() {
        let mut failed = Vec::new();
        for (registry, request) in CONVENTIONS {
            if level(registry, request) != Level::Exact || level(request, registry) != Level::Exact
            {
                failed.push(format!("{registry} / {request}"));
            }
        }
        assert!(failed.is_empty(), "not exact: {failed:?}");
    }

    #[test]
    fn different_names_stay_different() {
        for (a, b) in [
            ("Lena", "Lina"),
            ("Jan", "Jana"),
            ("Maria", "Mario"),
            ("Anna", "Hanna"),
            ("Ivan", "Ivana"),
            ("Hristo", "Hristina"),
            ("Müller", "Miller"),
            ("Ярослав", "Yaroslava"),
            ("Христо", "Hristina"),
            ("Христов", "Hristova"),
            ("Анна", "Hanna"),
            ("Иван", "Ivana"),
            ("Мария", "Mario"),
            ("Λένα", "Lina"),
            ("Λίνα", "Lena"),
            ("Χρήστος", "Christina"),
            ("Ευάγγελος", "Evangelia"),
            // Γιάννης and Ιωάννης are two name forms (the popular one is registered as
            // a name in its own right), not two spellings: only a nickname table could
            // equate them, and a registry holding one is not evidence for the other.
            ("Γιάννης", "Ioannis"),
            ("Ιωάννης", "Giannis"),
            ("Ιωάννης", "Yannis"),
            // Short forms are other names too.
            ("Δημήτριος", "Dimitris"),
            ("Κωνσταντίνος", "Kostas"),
        ] {
            assert_ne!(level(a, b), Level::Exact, "{a} / {b}");
            assert_ne!(level(b, a), Level::Exact, "{b} / {a}");
        }
    }

    /// Conventions the request side deliberately does not reverse for one key function (see
    /// `native_plain_folds`): vowels inside a name (ει οι υ as `i`, η αι as `e`, ου as `u`,
    /// ъ as `a`), which only the whole spelling and the first letter see and which would cost
    /// nearly every name more look-ups, and the classical β `b` and κ `c`, letters found in
    /// most names of other origins. The sound keys of the vowel cases still agree, so a pass
    /// on `.cologne` or `.metaphone` finds these people.
    const NOT_REACHED: &[(&str, &str, KeyFn)] = &[
        ("Ъгълов", "Agalov", KeyFn::Key),
        ("Ъгълов", "Agalov", KeyFn::Initial),
        ("Гълъбов", "Galabov", KeyFn::Key),
        ("Δημήτριος", "Demetrios", KeyFn::Key),
        ("Βασίλειος", "Vasilios", KeyFn::Key),
        ("Παπαδόπουλος", "Papadopulos", KeyFn::Key),
        ("Κυριάκος", "Kiriakos", KeyFn::Key),
        ("Αικατερίνη", "Ekaterini", KeyFn::Key),
        ("Αικατερίνη", "Ekaterini", KeyFn::Initial),
        ("Ειρήνη", "Irini", KeyFn::Key),
        ("Ειρήνη", "Irini", KeyFn::Initial),
        ("Οικονόμου", "Ikonomou", KeyFn::Key),
        ("Οικονόμου", "Ikonomou", KeyFn::Initial),
        ("Βασίλειος", "Basileios", KeyFn::Key),
        ("Βασίλειος", "Basileios", KeyFn::Cologne),
        ("Βασίλειος", "Basileios", KeyFn::Metaphone),
        ("Βασίλειος", "Basileios", KeyFn::Initial),
        ("Κωνσταντίνος", "Constantinos", KeyFn::Key),
        ("Κωνσταντίνος", "Constantinos", KeyFn::Initial),
    ];

    fn not_reached(registry: &str, request: &str, f: KeyFn) -> bool {
        NOT_REACHED.contains(&(registry, request, f))
    }

    #[test]
    fn native_registry_keys_are_among_the_request_values_of_every_convention() {
        let mut failed = Vec::new();
        for (registry, request) in CONVENTIONS {
            for function in NAME_FUNCTIONS {
                let k = KeySpec {
                    attribute: Attribute::FamilyName,
                    function,
                };
                let reg = k.registry_value(&Value::Text((*registry).into()), None);
                assert_ne!(reg, Value::Null, "{registry}");
                let values = k.request_values(&family(request), None);
                let expected = !not_reached(registry, request, function);
                if values.contains(&reg) != expected {
                    failed.push(format!(
                        "{registry} / {request} {function:?}: {reg:?} {} {values:?}",
                        if expected { "∉" } else { "unexpectedly ∈" }
                    ));
                }
            }
        }
        assert!(
            failed.is_empty(),
            "{}:\n{}",
            failed.len(),
            failed.join("\n")
        );
        // Every listed case is a row of the table.
        for (registry, request, _) in NOT_REACHED {
            assert!(CONVENTIONS.contains(&(*registry, *request)), "{registry}");
        }
    }

    #[test]
    fn the_engine_finds_native_script_records_from_any_convention() {
        use crate::SubjectKind;
        use crate::{FieldMap, MatchOutcome, MatchingSpec};
        let fields: FieldMap = [
            (Attribute::FamilyName, vec!["family_name".to_owned()]),
            (Attribute::GivenName, vec!["given_name".to_owned()]),
            (Attribute::DateOfBirth, vec!["date_of_birth".to_owned()]),
        ]
        .into_iter()
        .collect();
        let spec = MatchingSpec {
            date_format: Some("%Y%m%d".to_owned()),
            ..MatchingSpec::default()
        };
        let engine = Engine::compile(&spec, &fields, SubjectKind::NaturalPerson, None).unwrap();
        let rec = |family: &str, given: &str| -> Record {
            [
                ("family_name", family),
                ("given_name", given),
                ("date_of_birth", "19700301"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Value::Text(v.to_owned())))
            .collect()
        };
        let who = |surname: &str, given: &str| {
            let mut id = family(surname);
            id.set(Attribute::GivenName, Some(given));
            id.set(Attribute::DateOfBirth, Some("1970-03-01"));
            id
        };
        for (registry, request) in [
            (("Христов", "Христо"), ("Hristov", "Hristo")),
            (("Христов", "Христо"), ("Khristov", "Khristo")),
            (("Щерева", "Юлия"), ("Shtereva", "Yulia")),
            (("Йорданов", "Петър"), ("Yordanov", "Petar")),
            (("Παπαδόπουλος", "Γιάννης"), ("Papadopoulos", "Yannis")),
            (("Μπακογιάννης", "Δημήτριος"), ("Bakoyannis", "Demetrios")),
            (("Οικονόμου", "Χρήστος"), ("Ikonomou", "Hristos")),
            (("Παπαδοπούλου", "Αικατερίνη"), ("Papadopulu", "Ekaterini")),
        ] {
            let records = [rec("Okonkwo", "Chidi"), rec(registry.0, registry.1)];
            let outcome = engine.decide_identity(&who(request.0, request.1), &records);
            assert!(
                matches!(outcome, MatchOutcome::Match { index: 1, .. }),
                "{registry:?} / {request:?}: {outcome:?}"
            );
            // The same name twice on the same day: never a guess.
            let twins = [rec(registry.0, registry.1), rec(registry.0, registry.1)];
            let outcome = engine.decide_identity(&who(request.0, request.1), &twins);
            assert!(
                !matches!(outcome, MatchOutcome::Match { .. }),
                "{registry:?}: {outcome:?}"
            );
        }
    }

    fn pass(parameters: &[(&str, &str)]) -> Pass {
        Pass {
            name: "test".into(),
            query: None,
            parameters: parameters
                .iter()
                .map(|(n, k)| ((*n).to_owned(), KeySpec::parse(k).unwrap()))
                .collect(),
        }
    }

    #[test]
    fn a_pass_runs_with_the_native_registry_key_within_its_cap() {
        for (registry, request) in CONVENTIONS {
            let mut id = family(request);
            id.set(Attribute::GivenName, Some("Maria"));
            id.set(Attribute::DateOfBirth, Some("1970-03-01"));
            for function in NAME_FUNCTIONS {
                if not_reached(registry, request, function) {
                    continue;
                }
                let k = KeySpec {
                    attribute: Attribute::FamilyName,
                    function,
                };
                let reg = k.registry_value(&Value::Text((*registry).into()), None);
                let mut p = pass(&[("y", "DateOfBirth.year"), ("g", "GivenName.cologne")]);
                p.parameters.push(("k".into(), k));
                let sets = pass_parameters(&p, &id, None);
                assert!(sets.len() <= MAX_COMBINATIONS, "{request}: {sets:?}");
                assert!(
                    sets.iter().any(|s| s.get("k") == Some(&reg)),
                    "{registry} / {request} {function:?}: {reg:?} not in {sets:?}"
                );
            }
            // The large-registry set-up: sound, first and last letter of both names in
            // one statement; one parameter set carries every key the request reaches.
            let p = pass(&[
                ("s", "FamilyName.cologne"),
                ("si", "FamilyName.initial"),
                ("sf", "FamilyName.final"),
                ("g", "GivenName.cologne"),
                ("gi", "GivenName.initial"),
                ("gf", "GivenName.final"),
            ]);
            let sets = pass_parameters(&p, &id, None);
            assert!(sets.len() <= MAX_COMBINATIONS);
            let reg = |f: &str| {
                KeySpec::parse(f)
                    .unwrap()
                    .registry_value(&Value::Text((*registry).into()), None)
            };
            let agrees = |s: &Params, name: &str, f: KeyFn, spec: &str| {
                not_reached(registry, request, f) || s.get(name) == Some(&reg(spec))
            };
            assert!(
                sets.iter()
                    .any(|s| agrees(s, "s", KeyFn::Cologne, "FamilyName.cologne")
                        && agrees(s, "si", KeyFn::Initial, "FamilyName.initial")
                        && agrees(s, "sf", KeyFn::Final, "FamilyName.final")),
                "{registry} / {request}: {sets:?}"
            );
        }
    }

    #[test]
    fn parameter_sets_keep_one_spelling_together_and_come_by_rank() {
        let mut id = family("Hristov");
        id.set(Attribute::GivenName, Some("Yankov"));
        let p = pass(&[
            ("s", "FamilyName.cologne"),
            ("si", "FamilyName.initial"),
            ("g", "GivenName.initial"),
        ]);
        let sets = pass_parameters(&p, &id, None);
        let text = |s: &Params, k: &str| s.get(k).and_then(Value::as_text).unwrap_or_default();
        // The request's own spellings first.
        assert_eq!(text(&sets[0], "s"), cologne("hristov"));
        assert_eq!(text(&sets[0], "si"), "h");
        assert_eq!(text(&sets[0], "g"), "y");
        // The sound and the initial of one spelling go together: khristov's, christov's.
        for s in &sets {
            let initial = text(s, "si");
            let expected = match initial.as_str() {
                "h" => cologne("hristov"),
                "k" => cologne("khristov"),
                "c" => cologne("christov"),
                other => panic!("initial {other}"),
            };
            assert_eq!(text(s, "s"), expected, "{s:?}");
        }
        assert!(
            sets.iter()
                .any(|s| text(s, "si") == "k" && text(s, "g") == "i")
        );
        assert!(sets.len() <= MAX_COMBINATIONS);
        // A Latin name without such letters runs one query, as before.
        let mut plain = family("Smith");
        plain.set(Attribute::GivenName, Some("Maria"));
        assert_eq!(pass_parameters(&p, &plain, None).len(), 1);
    }

    /// Look-ups per request with the passes of `examples/febrl` and
    /// `examples/large-registry`, for the FEBRL duplicates (Latin names), as the request's
    /// own spellings alone gave them and as they are now, and the time `pass_parameters`
    /// takes: `OOTS_SHARED=../shared cargo test --release -p oots-matching --lib
    /// febrl_lookups -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn febrl_lookups() {
        let shared = std::env::var("OOTS_SHARED").unwrap_or_else(|_| "../../../../shared".into());
        let febrl = [
            vec![("dob", "DateOfBirth")],
            vec![("dob", "DateOfBirth.swapped")],
            vec![("y", "DateOfBirth.year"), ("k", "FamilyName.cologne")],
            vec![("y", "DateOfBirth.year"), ("k", "GivenName.cologne")],
            vec![("y", "DateOfBirth.year"), ("k", "GivenName.cologne")],
            vec![("s", "FamilyName.key"), ("g", "GivenName.key")],
            vec![("f", "FamilyName.cologne"), ("g", "GivenName.cologne")],
            vec![
                ("p", "CurrentAddress.PostCode"),
                ("k", "FamilyName.cologne"),
            ],
            vec![("p", "CurrentAddress.PostCode"), ("k", "GivenName.cologne")],
        ];
        let large = [vec![
            ("dob", "DateOfBirth"),
            ("y", "DateOfBirth.year"),
            ("m", "DateOfBirth.month"),
            ("d", "DateOfBirth.day"),
            ("md", "DateOfBirth.monthday"),
            ("s", "FamilyName.cologne"),
            ("si", "FamilyName.initial"),
            ("sf", "FamilyName.final"),
            ("g", "GivenName.cologne"),
            ("gi", "GivenName.initial"),
            ("gf", "GivenName.final"),
        ]];
        for n in 1..=3 {
            let path = format!("{shared}/datasets/febrl/febrl{n}.csv");
            let Ok(text) = std::fs::read_to_string(&path) else {
                oots_testskip::skip("OOTS_SHARED", "{path}");
                return;
            };
            let mut lines = text.lines();
            let head: Vec<&str> = lines.next().unwrap().split(',').collect();
            let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
            let (g, f, d, pc) = (
                col("given_name"),
                col("surname"),
                col("date_of_birth"),
                col("postcode"),
            );
            for (label, passes) in [("febrl", &febrl[..]), ("large-registry", &large[..])] {
                let passes: Vec<Pass> = passes.iter().map(|p| pass(p)).collect();
                let (mut requests, mut before, mut after, mut more) = (0, 0, 0, 0);
                let mut spent = std::time::Duration::ZERO;
                for line in text.lines().skip(1) {
                    let cells: Vec<&str> = line.split(',').collect();
                    if !cells[0].contains("-dup-") {
                        continue;
                    }
                    let dob = cells[d].trim();
                    let dob = if dob.len() == 8 {
                        format!("{}-{}-{}", &dob[..4], &dob[4..6], &dob[6..])
                    } else {
                        String::new()
                    };
                    let mut id = Identity::default();
                    id.set(Attribute::GivenName, Some(cells[g]));
                    id.set(Attribute::FamilyName, Some(cells[f]));
                    id.set(Attribute::DateOfBirth, Some(&dob));
                    id.set(Attribute::PostCode, Some(cells[pc]));
                    requests += 1;
                    let (mut b, mut a) = (0, 0);
                    for p in &passes {
                        let start = std::time::Instant::now();
                        a += pass_parameters(p, &id, None).len();
                        spent += start.elapsed();
                        // Before: each parameter's values from the request's own
                        // spellings, multiplied and capped.
                        let mut product = 1usize;
                        for (_, k) in &p.parameters {
                            let own = match id.get(k.attribute) {
                                Some(v) if is_name_function(k.function) => {
                                    text_keys(&name_keys(v, &[]), k.function).len()
                                }
                                _ => k.request_values(&id, None).len(),
                            };
                            product = (product * own).min(MAX_COMBINATIONS);
                        }
                        b += product;
                    }
                    before += b;
                    after += a;
                    more += usize::from(a > b);
                }
                println!(
                    "febrl{n} {label}: {requests} requests, look-ups per request {:.3} before, {:.3} after; {:.1}% of requests run more; pass_parameters {:.1} µs per request",
                    before as f64 / requests as f64,
                    after as f64 / requests as f64,
                    100.0 * more as f64 / requests as f64,
                    spent.as_secs_f64() * 1e6 / requests as f64
                );
            }
        }
    }

    #[test]
    fn ranked_product_orders_by_rank_sum_and_caps() {
        assert_eq!(
            ranked_product(&[2, 3], 8),
            [
                vec![0, 0],
                vec![0, 1],
                vec![1, 0],
                vec![0, 2],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        assert_eq!(ranked_product(&[1, 1, 1], 8), [vec![0, 0, 0]]);
        assert!(ranked_product(&[2, 0], 8).is_empty());
        let many = ranked_product(&[20; 12], MAX_COMBINATIONS);
        assert_eq!(many.len(), MAX_COMBINATIONS);
        assert_eq!(many[0], vec![0; 12]);
        assert!(many[1..].iter().all(|p| p.iter().sum::<usize>() == 1));
    }

    #[test]
    fn request_and_registry_keys_meet() {
        let mut id = Identity::default();
        id.set(Attribute::FamilyName, Some("Müller"));
        id.set(Attribute::DateOfBirth, Some("1970-03-01"));
        let k = KeySpec::parse("FamilyName.cologne").unwrap();
        let reg = k.registry_value(&Value::Text("Mueller".into()), None);
        assert!(k.request_values(&id, None).contains(&reg));
        let y = KeySpec::parse("DateOfBirth.year").unwrap();
        assert_eq!(y.request_values(&id, None), vec![Value::Int(1970)]);
        let md = KeySpec::parse("DateOfBirth.monthday").unwrap();
        assert_eq!(
            md.request_values(&id, None),
            vec![Value::Text("0301".into())]
        );
        assert_eq!(
            md.registry_value(&Value::Text("19700301".into()), Some("%Y%m%d")),
            Value::Text("0301".into())
        );
        assert!(KeySpec::parse("GivenName.monthday").is_err());
        let m = KeySpec::parse("DateOfBirth.month").unwrap();
        assert_eq!(m.request_values(&id, None), vec![Value::Int(3)]);
        let d = KeySpec::parse("DateOfBirth.day").unwrap();
        assert_eq!(
            d.registry_value(&Value::Text("19700301".into()), Some("%Y%m%d")),
            Value::Int(1)
        );
        // First and last letters of every spelling of the request; of the primary
        // spelling of the registry value.
        let i = KeySpec::parse("FamilyName.initial").unwrap();
        assert_eq!(i.request_values(&id, None), vec![Value::Text("m".into())]);
        let f = KeySpec::parse("FamilyName.final").unwrap();
        assert_eq!(
            f.registry_value(&Value::Text("Müller ".into()), None),
            Value::Text("r".into())
        );
        assert!(KeySpec::parse("DateOfBirth.initial").is_err());
        let s = KeySpec::parse("DateOfBirth.swapped").unwrap();
        assert_eq!(
            s.request_values(&id, Some("%Y%m%d")),
            vec![Value::Text("19700103".into())]
        );
        assert_eq!(
            s.registry_value(&Value::Text("19700315".into()), Some("%Y%m%d")),
            Value::Null
        );
    }
}
