//! Comparing one request attribute with a record: the best level over the registry fields
//! mapped to it, and the family-name slot that a birth name may fill. Registry names are
//! prepared once per spelling through the engine's cache.

use std::sync::Arc;

use oots_connector::{Record, Value};

use super::Engine;
use super::prepare::{Prep, kind};
use crate::Attribute;
use crate::compare::{
    Kind, Level, NameKeys, NameRole, compare_codes, compare_date, compare_gender,
};
use crate::date::DateParts;

impl Engine {
    /// Compares one request attribute with the registry fields mapped to `fields_of`.
    pub(super) fn level(
        &self,
        prep: &Prep,
        a: Attribute,
        fields_of: Attribute,
        rec: &Record,
    ) -> Level {
        let Some(fields) = self.fields.get(&fields_of) else {
            return Level::Missing;
        };
        self.level_in(prep, a, fields_of, fields, rec)
    }

    /// [`Engine::level`] over some of the registry fields of `fields_of`.
    fn level_in(
        &self,
        prep: &Prep,
        a: Attribute,
        fields_of: Attribute,
        fields: &[String],
        rec: &Record,
    ) -> Level {
        let role = match fields_of {
            Attribute::FamilyName | Attribute::BirthName => NameRole::Family,
            Attribute::GivenName => NameRole::Given,
            _ => NameRole::Other,
        };
        let mut best = Level::Missing;
        for f in fields {
            let Some(v) = rec.get(f) else { continue };
            let l = match prep {
                Prep::Date(d) => {
                    compare_date(d, DateParts::from_value(v, self.date_format()).as_ref())
                }
                Prep::Name(k) => match v {
                    Value::Text(t) => k.compare_as(&self.registry_name(t), role),
                    other => match other.as_text() {
                        Some(t) => k.compare_as(&self.registry_name(&t), role),
                        None => Level::Missing,
                    },
                },
                Prep::Text(s) => match v.as_text() {
                    Some(t) if kind(a) == Kind::Gender => compare_gender(s, &t),
                    Some(t) => compare_codes(s, &t),
                    None => Level::Missing,
                },
            };
            // An empty alternative field (no birth name) says nothing: it must not hide
            // a disagreement of a field that has a value.
            if l != Level::Missing
                && (best == Level::Missing || self.weight(a, l) > self.weight(a, best))
            {
                best = l;
            }
        }
        best
    }

    /// A registry name, prepared once per distinct spelling.
    fn registry_name(&self, raw: &str) -> Arc<NameKeys> {
        self.names
            .get_or_prepare(raw, || NameKeys::new(raw, &self.particles()))
    }

    /// The family-name slot: the request's family name, or its birth name where the
    /// registry still holds it as the family name (a marriage it never recorded),
    /// whichever agrees better, and which one it was. The birth name is compared with
    /// the first family field only: a record that knows a current name of its own must
    /// agree with the request's, or a woman with the same maiden name, given name and
    /// date but another married name would pass for her.
    pub(super) fn family_level(
        &self,
        name: (&Prep, Attribute),
        birth_name: Option<&Prep>,
        rec: &Record,
    ) -> (Level, Attribute) {
        let f = Attribute::FamilyName;
        let a = self.level(name.0, f, f, rec);
        let current = self
            .fields
            .get(&f)
            .and_then(|v| v.first())
            .map(std::slice::from_ref);
        match (birth_name, current) {
            (Some(b), Some(current)) if a != Level::Exact => {
                let b = self.level_in(b, f, f, current, rec);
                if self.weight(f, b) > self.weight(f, a) {
                    (b, Attribute::BirthName)
                } else {
                    (a, name.1)
                }
            }
            _ => (a, name.1),
        }
    }
}
