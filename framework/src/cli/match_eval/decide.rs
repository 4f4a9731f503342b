//! One request of a `match-eval` run, labelled or generated, down the path `serve`
//! takes: the request built from a CSV row or generated values, prepared, looked up
//! through the SQL connector's blocking passes and decided. Kept in one place so every
//! request is measured the same way.

use oots_connector::Value;

use super::CliError;
use super::csv::Csv;
use crate::matching::date::DateParts;
use crate::matching::{
    Attribute, Engine, Identity, MatchOutcome, Matching, Prepared, matching, retrieve,
};

/// What a run needs to send a request.
pub(super) struct Run<'a> {
    pub(super) engine: &'a Engine,
    pub(super) source: &'a retrieve::Source<'a>,
    pub(super) id_column: &'a str,
    pub(super) sent: &'a [Attribute],
    pub(super) explain: bool,
}

/// What one request came to.
pub(super) struct Decided {
    pub(super) outcome: MatchOutcome,
    /// The record ids of the candidates, in the order the decision indexes them.
    pub(super) ids: Vec<String>,
    /// How many candidates the blocking passes found; `None` when the request was
    /// refused before any look-up.
    pub(super) candidates: Option<usize>,
}

impl Decided {
    /// The record id of the match, if the outcome is one.
    pub(super) fn matched(&self) -> Option<&str> {
        match &self.outcome {
            MatchOutcome::Match { index, .. } => {
                Some(self.ids.get(*index).map(String::as_str).unwrap_or_default())
            }
            _ => None,
        }
    }
}

/// One request down the path `serve` takes: prepare, the blocking passes through the
/// SQL connector, decide (more than `max_candidates` candidates: needs more
/// attributes). Every request of a run, labelled or generated, goes this one way, so
/// the figures are the deployment's.
pub(super) async fn decide_one(
    engine: &Engine,
    source: &retrieve::Source<'_>,
    identity: &Identity,
    id_column: &str,
) -> Result<Decided, CliError> {
    // The same operation as `serve`: prepare, the blocking passes, the candidate cap,
    // decide (without the exchange's retry of a registry that is down).
    let looked_up =
        async |prepared: &Prepared| retrieve::candidates(engine, source, prepared).await;
    let (outcome, records) = match matching(engine, identity, None, looked_up).await {
        Matching::Refused(outcome) => {
            return Ok(Decided {
                outcome,
                ids: Vec::new(),
                candidates: None,
            });
        }
        Matching::Failed(e) => return Err(CliError::other(e)),
        Matching::Decided { outcome, records } => (outcome, records),
    };
    let ids: Vec<String> = records
        .iter()
        .map(|r| {
            r.get(id_column)
                .and_then(Value::as_text)
                .unwrap_or_default()
        })
        .collect();
    Ok(Decided {
        outcome,
        ids,
        candidates: Some(records.len()),
    })
}

/// The request for generated values: each sent attribute that has a value.
pub(super) fn identity_of(
    values: &std::collections::BTreeMap<Attribute, String>,
    sent: &[Attribute],
) -> Identity {
    let mut id = Identity::default();
    for a in sent {
        id.set(*a, values.get(a).map(String::as_str));
    }
    id.level_of_assurance = Some(crate::edm::LevelOfAssurance::High);
    id
}

/// The request a CSV row stands for: the value of each sent attribute's first column;
/// dates converted from the registry's format to `xs:date`.
pub(super) fn request_identity(
    row: &[String],
    csv: &Csv,
    fields: &crate::matching::FieldMap,
    sent: &[Attribute],
    date_format: Option<&str>,
) -> Identity {
    let mut id = Identity::default();
    for a in sent {
        let Some(col) = fields
            .get(a)
            .and_then(|f| f.first())
            .and_then(|f| csv.column(f))
        else {
            continue;
        };
        let raw = row[col].trim();
        if *a == Attribute::DateOfBirth {
            let v = DateParts::from_value(&Value::Text(raw.to_owned()), date_format)
                .and_then(|d| d.to_date())
                .map(|d| d.format("%Y-%m-%d").to_string())
                // Not a date: pass it on as written, the engine refuses it.
                .unwrap_or_else(|| raw.to_owned());
            id.set(*a, Some(&v));
        } else {
            id.set(*a, Some(raw));
        }
    }
    id.level_of_assurance = Some(crate::edm::LevelOfAssurance::High);
    id
}
