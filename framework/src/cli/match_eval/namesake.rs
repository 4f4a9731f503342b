//! Wrong-person answers no rule could have avoided: the record answered and the person's
//! own record are namesakes on everything the request said.
//!
//! A registry may hold two persons with the same names and date of birth (and, with
//! all the bad luck, the same married and birth names). When one of them asks with
//! only those attributes, or is absent from the registry while the other is present, the
//! request describes both equally: only an attribute it did not carry (place of birth,
//! identifier) could tell them apart. `match-eval` counts such answers apart from the
//! others, so that a figure says which wrong answers a better rule could remove.

use std::collections::BTreeSet;

use oots_connector::Value;

use super::Csv;
use super::population::fold_name;
use crate::matching::date::DateParts;
use crate::matching::{Attribute, FieldMap};

/// Whether registry rows `a` and `b` hold, for every attribute the request carried
/// (`sent`), a common value in one of the attribute's columns (or one of them holds
/// none); dates agree as far as both know them.
pub(super) fn namesakes(
    csv: &Csv,
    a: &[String],
    b: &[String],
    fields: &FieldMap,
    sent: &[Attribute],
    date_format: Option<&str>,
) -> bool {
    sent.iter().all(|attribute| {
        let Some(columns) = fields.get(attribute) else {
            return true;
        };
        if *attribute == Attribute::DateOfBirth {
            return dates_agree(csv, a, b, columns, date_format);
        }
        let values = |row: &[String]| -> BTreeSet<String> {
            columns
                .iter()
                .filter_map(|c| csv.column(c))
                .map(|i| row[i].trim())
                .filter(|v| !v.is_empty())
                .map(fold_name)
                .collect()
        };
        let (x, y) = (values(a), values(b));
        x.is_empty() || y.is_empty() || !x.is_disjoint(&y)
    })
}

/// Whether the rows' dates of birth agree as far as both know them (a registry that
/// knows only the year of one cannot tell it from the other), or one has none.
fn dates_agree(
    csv: &Csv,
    a: &[String],
    b: &[String],
    columns: &[String],
    date_format: Option<&str>,
) -> bool {
    let dates = |row: &[String]| -> Vec<DateParts> {
        columns
            .iter()
            .filter_map(|c| csv.column(c))
            .filter_map(|i| {
                DateParts::from_value(&Value::Text(row[i].trim().to_owned()), date_format)
            })
            .collect()
    };
    let (x, y) = (dates(a), dates(b));
    let part = |p: Option<u32>, q: Option<u32>| p.is_none() || q.is_none() || p == q;
    x.is_empty()
        || y.is_empty()
        || x.iter().any(|d| {
            y.iter()
                .any(|e| d.year == e.year && part(d.month, e.month) && part(d.day, e.day))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namesakes_on_what_was_sent() {
        let csv = Csv {
            header: ["id", "surname", "birth_name", "given", "dob", "place"]
                .map(str::to_owned)
                .to_vec(),
            rows: Vec::new(),
        };
        let row = |v: [&str; 6]| v.map(str::to_owned).to_vec();
        let fields: FieldMap = [
            (
                Attribute::FamilyName,
                vec!["surname".to_owned(), "birth_name".to_owned()],
            ),
            (Attribute::GivenName, vec!["given".to_owned()]),
            (Attribute::DateOfBirth, vec!["dob".to_owned()]),
            (Attribute::PlaceOfBirth, vec!["place".to_owned()]),
        ]
        .into_iter()
        .collect();
        let mds = [
            Attribute::FamilyName,
            Attribute::GivenName,
            Attribute::DateOfBirth,
        ];
        let her = row(["p1", "Becker", "", "Maria Susanne", "19830501", "Berlin"]);
        let other = row([
            "p2",
            "Wagner",
            "Becker",
            "Maria Susanne",
            "19830501",
            "Pforzheim",
        ]);
        let f = Some("%Y%m%d");
        assert!(namesakes(&csv, &her, &other, &fields, &mds, f));
        let mut all = mds.to_vec();
        all.push(Attribute::PlaceOfBirth);
        assert!(!namesakes(&csv, &her, &other, &fields, &all, f));
        let younger = row(["p3", "BECKER", "", "Maria Susanne", "19830502", "Berlin"]);
        assert!(!namesakes(&csv, &her, &younger, &fields, &mds, f));
        // A registry that knows only her year of birth cannot tell her from her namesake.
        let year_only = row(["p4", "Becker", "", "Maria Susanne", "19830000", "Bonn"]);
        assert!(namesakes(&csv, &year_only, &other, &fields, &mds, f));
    }
}
