//! The smallest connector plug-in (`type: example`): records written in its settings,
//! looked up with a query `field = :param`. It shows what a connector crate provides
//! (a [`Connector`] and a [`ConnectorFactory`]); the adapter registers it only with the
//! `example-connector` feature, never in release builds.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use oots_connector::{
    CancellationToken, Connector, ConnectorError, ConnectorFactory, Lookup, Record, Value,
};
use serde::Deserialize;

/// `connections: <name>: {type: example, records: [{family: Muster, ...}]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSettings {
    /// The registry's records, every field as text.
    pub records: Vec<BTreeMap<String, String>>,
}

/// The `example` connector kind.
#[derive(Debug)]
pub struct ExampleFactory;

impl ConnectorFactory for ExampleFactory {
    const KIND: &'static str = "example";
    type Settings = ExampleSettings;

    async fn open(s: &ExampleSettings, _: &Path) -> Result<Arc<dyn Connector>, ConnectorError> {
        Ok(Arc::new(ExampleConnector(s.clone())))
    }

    fn parameters(_: &ExampleSettings, query: &str) -> Result<Vec<String>, ConnectorError> {
        Ok(vec![parse(query)?.1.to_owned()])
    }
}

/// `field = :param`: the field and the parameter's name.
fn parse(query: &str) -> Result<(&str, &str), ConnectorError> {
    match query.split_once('=').map(|(f, p)| (f.trim(), p.trim())) {
        Some((field, param)) if !field.is_empty() && param.len() > 1 && param.starts_with(':') => {
            Ok((field, &param[1..]))
        }
        _ => Err(ConnectorError::Config(format!(
            "example query must read `field = :param`, not `{query}`"
        ))),
    }
}

/// An opened `example` connection.
#[derive(Debug)]
pub struct ExampleConnector(ExampleSettings);

#[async_trait::async_trait]
impl Connector for ExampleConnector {
    fn kind(&self) -> &'static str {
        ExampleFactory::KIND
    }

    fn parameters(&self, query: &str) -> Result<Vec<String>, ConnectorError> {
        ExampleFactory::parameters(&self.0, query)
    }

    async fn lookup(
        &self,
        lookup: &Lookup<'_>,
        _cancel: &CancellationToken,
    ) -> Result<Vec<Record>, ConnectorError> {
        let (field, param) = parse(lookup.query)?;
        let wanted = lookup
            .params
            .get(param)
            .ok_or_else(|| ConnectorError::UnboundParameter(param.to_owned()))?
            .as_text();
        let text = |v: &str| Value::Text(v.to_owned());
        let found: Vec<Record> = (self.0.records.iter())
            .filter(|r| r.get(field).is_some_and(|v| Some(v) == wanted.as_ref()))
            .map(|r| match lookup.fields.is_empty() {
                // No fields named: every field under its own name.
                true => r.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
                false => (lookup.fields.iter())
                    .map(|(out, src)| (out.clone(), r.get(src).map_or(Value::Null, |v| text(v))))
                    .collect(),
            })
            .collect();
        if found.len() > lookup.limits.max_rows {
            return Err(ConnectorError::TooManyRows(lookup.limits.max_rows));
        }
        Ok(found)
    }

    async fn probe(&self) -> Result<(), ConnectorError> {
        Ok(())
    }
}
