//! Candidate retrieval: the blocking passes run by the connector as indexed look-ups,
//! merged; or the mapping's one query when it declares no blocking. Also the registry's
//! name frequencies, read through the same connector.

use std::collections::BTreeMap;

use oots_connector::{
    CancellationToken, Connector, ConnectorError, FieldPaths, Limits, Lookup, Params, Record, Value,
};

use crate::blocking::prepared_pass_parameters;
use crate::{Attribute, Candidates, Engine, NameFrequencies, Prepared};

/// What a look-up needs from the mapping besides the engine.
pub struct Source<'a> {
    /// The registry connection.
    pub connector: &'a dyn Connector,
    /// The connector's query, used by passes without their own.
    pub query: &'a str,
    /// Parameters of that query when there is no blocking (`date_of_birth: DateOfBirth`).
    pub parameters: &'a BTreeMap<String, Attribute>,
    /// Where each registry field is read from.
    pub fields: &'a FieldPaths,
    /// Values bound to further parameters of every query (the request's provider
    /// classifications), always bound, never spliced; an identity parameter of the same
    /// name wins.
    pub extra: &'a Params,
    /// Bounds of each look-up.
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
        let mut params = source.extra.clone();
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
    let native = engine.registry_may_hold_native_scripts();
    let mut merged = Candidates::new(engine);
    let mut counts = Vec::new();
    for pass in &blocking.passes {
        let mut found = 0;
        for mut params in prepared_pass_parameters(pass, engine, prepared, native) {
            for (name, value) in source.extra {
                params.entry(name.clone()).or_insert_with(|| value.clone());
            }
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

/// Reads the registry's name frequencies through `connector` with the queries of the
/// engine's `frequencies:` section: one row per distinct value, with `name` and `n`.
/// The population is the `population` query's `n`, or else the largest total among the
/// queries (every person counts once in each). `Ok(None)` when the mapping declares no
/// frequencies.
pub async fn load_frequencies(
    engine: &Engine,
    connector: &dyn Connector,
) -> Result<Option<NameFrequencies>, ConnectorError> {
    let Some(spec) = engine.frequency_spec() else {
        return Ok(None);
    };
    let timeout = std::time::Duration::from_secs(spec.timeout_seconds.max(1));
    let particles = engine.name_particles();
    let mut rows: Vec<(Attribute, String, u64)> = Vec::new();
    let mut population = 0u64;
    for (attribute, query) in &spec.queries {
        let records = count_rows(connector, &query.value, spec.max_names, timeout).await?;
        let mut total = 0u64;
        for r in records {
            let n = count(r.get("n")).ok_or_else(|| {
                ConnectorError::Config(format!(
                    "frequencies of {attribute}: the query returns no count `n`"
                ))
            })?;
            // Persons without the name still count in the population.
            total = total.saturating_add(n);
            if let Some(name) = r.get("name").and_then(Value::as_text) {
                rows.push((*attribute, name, n));
            }
        }
        population = population.max(total);
    }
    if let Some(query) = &spec.population {
        population = count_rows(connector, &query.value, 1, timeout)
            .await?
            .first()
            .and_then(|r| count(r.get("n")))
            .ok_or_else(|| {
                ConnectorError::Config("frequencies: the population query returns no `n`".into())
            })?;
    }
    let mut table = NameFrequencies::new(population);
    for (attribute, name, n) in rows {
        table.add(attribute, &name, n, &particles);
    }
    Ok(Some(table))
}

/// The rows of a frequency query (no parameters), each with its `name` and `n`.
async fn count_rows(
    connector: &dyn Connector,
    query: &str,
    max_rows: usize,
    timeout: std::time::Duration,
) -> Result<Vec<Record>, ConnectorError> {
    let fields: FieldPaths = [("name", "name"), ("n", "n")]
        .into_iter()
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
        .collect();
    let lookup = Lookup {
        query,
        params: &Params::new(),
        fields: &fields,
        limits: Limits { timeout, max_rows },
    };
    connector.lookup(&lookup, &CancellationToken::new()).await
}

/// A count as a connector returns it: an integer, or digits as text.
fn count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Int(i) => u64::try_from(*i).ok(),
        other => other.as_text()?.trim().parse().ok(),
    }
}

/// Starts loading the engine's name frequencies in the background when they are due
/// (none yet, or older than `refresh_minutes`); returns at once. Decisions meanwhile use
/// the table they have, or none, which only makes them stricter.
pub fn refresh_frequencies(
    engine: &std::sync::Arc<Engine>,
    connector: &std::sync::Arc<dyn Connector>,
) {
    let Some(spec) = engine.frequency_spec() else {
        return;
    };
    let refresh = std::time::Duration::from_secs(spec.refresh_minutes.max(1) * 60);
    if !engine.frequency_cell().claim_load(refresh) {
        return;
    }
    let (engine, connector) = (engine.clone(), connector.clone());
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match load_frequencies(&engine, connector.as_ref()).await {
            Ok(Some(table)) => {
                tracing::info!(
                    population = table.population(),
                    entries = table.entries(),
                    ms = started.elapsed().as_millis() as u64,
                    "registry name frequencies loaded"
                );
                engine.set_frequencies(table);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "registry name frequencies could not be loaded; near spellings need corroboration until they are");
                engine
                    .frequency_cell()
                    .load_failed(std::time::Duration::from_secs(60));
            }
        }
    });
}
