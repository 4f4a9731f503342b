//! The one matching operation: prepare → look up → cap → decide.
//!
//! The exchange, the preview's second look after the sign-in and `oots-adapter
//! match-eval` all decide who the subject is through [`matching`], so a refusal rule
//! (too many candidates, an attribute that must be equal) cannot hold in one of them and
//! be missing in another. The lookup itself is the caller's: it knows the connector.

use oots_connector::{ConnectorError, Record};

use crate::{Attribute, Engine, Identity, MatchOutcome, Prepared, retrieve};

/// What the matching operation ends in.
#[derive(Debug)]
pub enum Matching {
    /// Refused before the registry was read ([`Engine::prepare`]).
    Refused(MatchOutcome),
    /// The registry could not be read.
    Failed(ConnectorError),
    /// Decided over the candidates, with the blocking passes' counts in the explanation.
    Decided {
        /// The decision, its explanation counting the blocking passes.
        outcome: MatchOutcome,
        /// The candidates the decision was taken over; a match's index points here.
        records: Vec<Record>,
    },
}

/// Prepares `identity`, looks up the candidates with `lookup`, and decides over them;
/// more candidates than blocking's `max_candidates` need more attributes. With `exact`,
/// only a candidate equal to the request in that attribute can match
/// ([`Engine::decide_requiring_exact`]).
pub async fn matching(
    engine: &Engine,
    identity: &Identity,
    exact: Option<Attribute>,
    lookup: impl AsyncFnOnce(&Prepared) -> Result<retrieve::Retrieved, ConnectorError>,
) -> Matching {
    let prepared = match engine.prepare(identity) {
        Ok(p) => p,
        Err(outcome) => return Matching::Refused(*outcome),
    };
    let (records, passes) = match lookup(&prepared).await {
        Ok(r) => r,
        Err(e) => return Matching::Failed(e),
    };
    let mut outcome = match engine.blocking() {
        Some(b) if records.len() > b.max_candidates => MatchOutcome::NeedsMoreAttributes {
            missing: Vec::new(),
        },
        _ => match exact {
            None => engine.decide(&prepared, &records),
            Some(attribute) => engine.decide_requiring_exact(&prepared, &records, attribute),
        },
    };
    if let MatchOutcome::Match { explanation, .. }
    | MatchOutcome::NoMatch { explanation }
    | MatchOutcome::Ambiguous { explanation } = &mut outcome
    {
        explanation.passes = passes;
    }
    Matching::Decided { outcome, records }
}
