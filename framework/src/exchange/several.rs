//! Several evidences for one subject (`evidence.several`, docs/mapping-files.md): the
//! candidates are grouped by the registry's own person key before the decision, so the
//! decision is about persons, not records. One person's two diplomas are one candidate
//! (answered with both); two persons who look alike (twins, namesakes) are two candidates
//! whose keys differ, and stay ambiguous, refused as before. Equal names and date of birth
//! never join records: only the key does.

use oots_connector::Record;

use super::route::Routed;

/// The person key of a mapping whose subjects may have several evidences.
pub(super) fn person_key<'m>(routed: &'m Routed<'_>) -> Option<&'m str> {
    routed
        .mapping
        .spec
        .evidence
        .several
        .as_ref()?
        .value
        .person_key()
}

/// The candidates the decision sees: one per person with a person key (the groups kept
/// in `slot`), else the records as they are.
pub(super) fn candidates(
    key: Option<&str>,
    records: Vec<Record>,
    slot: &mut Option<Persons>,
) -> Vec<Record> {
    match key {
        Some(key) => {
            let grouped = Persons::group(records, key);
            let representatives = grouped.representatives();
            *slot = Some(grouped);
            representatives
        }
        None => records,
    }
}

/// The records of the candidate the decision matched (`index`): its person's, or the
/// one record; `None` for an index past the candidates.
pub(super) fn matched(
    persons: Option<Persons>,
    records: Vec<Record>,
    index: usize,
) -> Option<Vec<Record>> {
    match persons {
        Some(persons) => persons.take(index),
        None => records.into_iter().nth(index).map(|r| vec![r]),
    }
    .filter(|r| !r.is_empty())
}

/// Candidate records grouped by person key, in the registry's order: the first record
/// of each group stands for the person in the decision.
#[derive(Debug, Default)]
pub(super) struct Persons {
    groups: Vec<Vec<Record>>,
}

impl Persons {
    /// Groups `records` by the text of `key`, a record found twice kept once. A record
    /// without a key value is a person of its own: it cannot be joined to another (and so
    /// makes a look-alike ambiguous).
    pub(super) fn group(records: Vec<Record>, key: &str) -> Self {
        let mut groups: Vec<(Option<String>, Vec<Record>)> = Vec::new();
        for record in records {
            let value = record
                .get(key)
                .and_then(|v| v.as_text())
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty());
            match groups.iter_mut().find(|(k, _)| k.is_some() && *k == value) {
                // The same record found by two blocking passes is one evidence.
                Some((_, group)) if group.contains(&record) => {}
                Some((_, group)) => group.push(record),
                None => groups.push((value, vec![record])),
            }
        }
        Self {
            groups: groups.into_iter().map(|(_, g)| g).collect(),
        }
    }

    /// One record per person, for the decision; its index is the person's.
    pub(super) fn representatives(&self) -> Vec<Record> {
        self.groups
            .iter()
            .filter_map(|g| g.first().cloned())
            .collect()
    }

    /// Every record of the person the decision picked (`index` into
    /// [`Persons::representatives`]).
    pub(super) fn take(mut self, index: usize) -> Option<Vec<Record>> {
        (index < self.groups.len()).then(|| self.groups.swap_remove(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oots_connector::Value;

    fn record(key: Option<&str>, number: &str) -> Record {
        let mut r = Record::new();
        if let Some(k) = key {
            r.push("student_id", Value::Text(k.to_owned()));
        }
        r.push("family_name", Value::Text("Nowak".to_owned()));
        r.push("diploma_number", Value::Text(number.to_owned()));
        r
    }

    fn numbers(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| r.get("diploma_number").and_then(Value::as_text).unwrap())
            .collect()
    }

    #[test]
    fn only_the_person_key_joins_records() {
        let persons = Persons::group(
            vec![
                record(Some("S1"), "A"),
                record(Some("S2"), "B"),
                record(Some(" S1 "), "C"),
                record(Some("S1"), "A"),
                record(None, "D"),
                record(None, "E"),
            ],
            "student_id",
        );
        // S1 (A, C), S2 (B), and each keyless record alone: identical names join nothing.
        assert_eq!(numbers(&persons.representatives()), ["A", "B", "D", "E"]);
        assert_eq!(numbers(&persons.take(0).unwrap()), ["A", "C"]);
        let persons = Persons::group(vec![record(None, "D"), record(None, "E")], "student_id");
        assert_eq!(persons.representatives().len(), 2);
        assert!(persons.take(2).is_none());
    }
}
