//! Candidate retrieval: the blocking passes run by the connector as indexed look-ups,
//! merged; or the mapping's one query when it declares no blocking.

use std::collections::BTreeMap;

use oots_connector::{
    CancellationToken, Connector, ConnectorError, FieldPaths, Limits, Lookup, Params, Record, Value,
};

use super::{Attribute, Candidates, Engine, Prepared, pass_parameters};

/// What a look-up needs from the mapping besides the engine.
pub struct Source<'a> {
    pub connector: &'a dyn Connector,
    /// The connector's query, used by passes without their own.
    pub query: &'a str,
    /// Parameters of that query when there is no blocking (`date_of_birth: DateOfBirth`).
    pub parameters: &'a BTreeMap<String, Attribute>,
    pub fields: &'a FieldPaths,
    pub limits: Limits,
}

/// The candidates and, per blocking pass, how many records it returned.
pub type Retrieved = (Vec<Record>, Vec<(String, usize)>);

/// Runs the look-ups for a prepared request. Stops early once more candidates than the
/// blocking cap were found (the decision is then "needs more attributes").
pub async fn candidates(
    engine: &Engine,
    source: &Source<'_>,
    prepared: &Prepared,
) -> Result<Retrieved, ConnectorError> {
    let cancel = CancellationToken::new();
    let identity = engine.identity(prepared);
    let Some(blocking) = engine.blocking() else {
        let mut params = Params::new();
        for (name, attr) in source.parameters {
            let Some(v) = identity.get(*attr) else {
                return Err(ConnectorError::UnboundParameter(name.clone()));
            };
            let value = match attr {
                Attribute::DateOfBirth => Value::Text(v.to_owned())
                    .as_date()
                    .map(Value::Date)
                    .unwrap_or_else(|| Value::Text(v.to_owned())),
                _ => Value::Text(v.to_owned()),
            };
            params.insert(name.clone(), value);
        }
        let lookup = Lookup {
            query: source.query,
            params: &params,
            fields: source.fields,
            limits: source.limits,
        };
        return Ok((source.connector.lookup(&lookup, &cancel).await?, Vec::new()));
    };
    let mut merged = Candidates::new(engine);
    let mut counts = Vec::new();
    for pass in &blocking.passes {
        let mut found = 0;
        for params in pass_parameters(pass, identity, engine.date_format()) {
            let lookup = Lookup {
                query: pass.query.as_deref().unwrap_or(source.query),
                params: &params,
                fields: source.fields,
                limits: source.limits,
            };
            let records = source.connector.lookup(&lookup, &cancel).await?;
            found += records.len();
            merged.extend(records);
            if merged.len() > blocking.max_candidates {
                counts.push((pass.name.clone(), found));
                return Ok((merged.into_records(), counts));
            }
        }
        counts.push((pass.name.clone(), found));
    }
    Ok((merged.into_records(), counts))
}
