#![allow(dead_code)]
//! Helpers shared by the file-drop tests.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use oots_connector::{
    CancellationToken, Connector, ConnectorError, FieldPaths, Limits, Lookup, Params, Record, Value,
};
use oots_connector_filedrop::{FiledropConnector, FiledropSettings};

pub fn settings(v: serde_json::Value) -> FiledropSettings {
    serde_json::from_value(v).expect("settings")
}

pub async fn open(dir: &Path, v: serde_json::Value) -> FiledropConnector {
    FiledropConnector::open(&settings(v), dir)
        .await
        .expect("open")
}

pub fn date(s: &str) -> Value {
    Value::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date"))
}

pub fn params(pairs: &[(&str, Value)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

pub fn fields(pairs: &[(&str, &str)]) -> FieldPaths {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub async fn lookup_with(
    c: &FiledropConnector,
    query: &str,
    params: &Params,
    fields: &FieldPaths,
    max_rows: usize,
) -> Result<Vec<Record>, ConnectorError> {
    let l = Lookup {
        query,
        params,
        fields,
        limits: Limits {
            max_rows,
            ..Limits::default()
        },
    };
    c.lookup(&l, &CancellationToken::new()).await
}

pub async fn lookup(c: &FiledropConnector, query: &str, params: &Params) -> Vec<Record> {
    lookup_with(c, query, params, &FieldPaths::new(), 1000)
        .await
        .expect("lookup")
}

/// Polls `cond` every 20 ms for up to `secs` seconds.
pub async fn wait_until<F, Fut>(secs: u64, mut cond: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if cond().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cond().await
}

pub fn text(r: &Record, f: &str) -> Option<String> {
    match r.get(f) {
        Some(Value::Text(t)) => Some(t.clone()),
        _ => None,
    }
}
