//! Blocking keys: the values a candidate look-up is made with, computed the same way
//! from the request (query parameters) and from registry records (key columns), so an
//! indexed `WHERE surname_cologne = :k` finds what the comparison would accept.

use std::collections::{BTreeSet, HashSet};

use oots_connector::{Params, Record, Value};

use super::date::DateParts;
use super::keys::name_keys;
use super::phonetic::{cologne, double_metaphone};
use super::{Attribute, Engine, Identity, Pass};

/// Key functions a blocking parameter or key column may apply to an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFn {
    /// The value itself (a date as a date, or in the mapping's `date_format`).
    Value,
    /// Names: the normalised spellings (`Müller` → `muller`, `mueller`).
    Key,
    /// Names: Kölner Phonetik of each spelling.
    Cologne,
    /// Names: primary Double Metaphone code of each spelling.
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
    pub attribute: Attribute,
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
        text_keys(spellings.of(self.attribute, v), self.function)
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
            Some(t) => text_keys(&name_keys(&t, &[]), self.function)
                .into_iter()
                .next()
                .unwrap_or(Value::Null),
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
#[derive(Default)]
struct Spellings {
    names: Vec<(Attribute, Vec<String>)>,
    date: Option<Option<DateParts>>,
}

impl Spellings {
    fn of(&mut self, a: Attribute, v: &str) -> &[String] {
        let at = match self.names.iter().position(|(x, _)| *x == a) {
            Some(i) => i,
            None => {
                self.names.push((a, name_keys(v, &[])));
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

/// The keys of a name's spellings under `f` (a name function: key, cologne, metaphone).
fn text_keys(keys: &[String], f: KeyFn) -> Vec<Value> {
    let squash = |k: &str| k.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let set: Vec<String> = match f {
        KeyFn::Key => keys.to_vec(),
        KeyFn::Cologne => keys.iter().map(|k| cologne(&squash(k))).collect(),
        KeyFn::Metaphone => keys
            .iter()
            .map(|k| double_metaphone(&squash(k)).0)
            .collect(),
        KeyFn::Initial => keys
            .iter()
            .filter_map(|k| k.chars().find(|c| !c.is_whitespace()))
            .map(String::from)
            .collect(),
        KeyFn::Final => keys
            .iter()
            .filter_map(|k| k.chars().rev().find(|c| !c.is_whitespace()))
            .map(String::from)
            .collect(),
        KeyFn::Value
        | KeyFn::Swapped
        | KeyFn::Year
        | KeyFn::MonthDay
        | KeyFn::Month
        | KeyFn::Day => Vec::new(),
    };
    let mut seen = BTreeSet::new();
    set.into_iter()
        .filter(|k| !k.is_empty() && seen.insert(k.clone()))
        .map(Value::Text)
        .collect()
}

/// Most parameter combinations one pass runs (a name with many spellings must not turn
/// one request into dozens of queries).
const MAX_COMBINATIONS: usize = 8;

/// The parameter sets one blocking pass runs with: every combination of the keys' values,
/// capped. A pass with a key the request cannot give (no swapped date) runs not at all.
pub fn pass_parameters(pass: &Pass, identity: &Identity, date_format: Option<&str>) -> Vec<Params> {
    let mut sets = vec![Params::new()];
    let mut spellings = Spellings::default();
    for (name, key) in &pass.parameters {
        let mut values = key.request_values_with(identity, date_format, &mut spellings);
        if values.is_empty() {
            return Vec::new();
        }
        if values.len() == 1 {
            // The usual case: every set takes the one value, nothing to multiply.
            let v = values.swap_remove(0);
            for set in &mut sets {
                set.insert(name.clone(), v.clone());
            }
            continue;
        }
        let mut next = Vec::new();
        for set in &sets {
            for v in &values {
                if next.len() >= MAX_COMBINATIONS {
                    break;
                }
                let mut s = set.clone();
                s.insert(name.clone(), v.clone());
                next.push(s);
            }
        }
        sets = next;
    }
    sets
}

/// The union of the passes' records, each registry record once.
pub struct Candidates<'a> {
    engine: &'a Engine,
    records: Vec<Record>,
    seen: HashSet<String>,
}

impl<'a> Candidates<'a> {
    pub fn new(engine: &'a Engine) -> Self {
        Self {
            engine,
            records: Vec::new(),
            seen: HashSet::new(),
        }
    }

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

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

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
