//! The registry of a `match-eval` run: the registry CSV written into a SQLite database
//! (with the configuration's key columns, indexed) and opened read-only through the same
//! SQL connector and frequency queries a deployment uses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use oots_connector::{FieldPaths, Limits, Value};
use oots_connector_sql::{SqlConnector, SqlOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::CliError;
use super::csv::Csv;
use super::labelled::Labelled;
use crate::matching::{Attribute, Engine, retrieve};

/// The run's registry database, open through the SQL connector.
pub(super) struct Registry {
    /// The temporary directory holding the database.
    dir: PathBuf,
    connector: SqlConnector,
    /// Each CSV column read as the field of the same name.
    fields: FieldPaths,
    /// The (empty) parameters of the connector query: every look-up is a blocking pass.
    parameters: BTreeMap<String, Attribute>,
    /// The number of records loaded.
    pub(super) records: usize,
}

impl Registry {
    /// Writes the registry CSV's kept rows (filtered, absent partners removed) into a
    /// new database, opens it read-only and loads the name frequencies from it.
    pub(super) async fn open(engine: &Engine, data: &Labelled) -> Result<Registry, CliError> {
        let dir = tempfile_dir()?;
        let db = dir.join("registry.db");
        let records = build_registry(
            &db,
            &data.registry,
            data.reg_id,
            &data.reg_filter,
            &data.removed,
            engine,
        )
        .await?;
        let connector = SqlConnector::connect(
            &format!("sqlite://{}?mode=ro", db.display()),
            SqlOptions {
                max_connections: 1,
                connect_timeout: std::time::Duration::from_secs(10),
                read_only: true,
            },
        )
        .await
        .map_err(CliError::other)?;
        // The registry's name frequencies, read with the configuration's own queries as
        // `serve` reads them (absent persons are not in the table, as they are not in the
        // registry).
        if let Some(table) = retrieve::load_frequencies(engine, &connector)
            .await
            .map_err(CliError::other)?
        {
            engine.set_frequencies(table);
        }
        let fields = data
            .registry
            .header
            .iter()
            .map(|h| (h.clone(), h.clone()))
            .collect();
        Ok(Registry {
            dir,
            connector,
            fields,
            parameters: BTreeMap::new(),
            records,
        })
    }

    /// Where the engine's look-ups read the registry.
    pub(super) fn source(&self) -> retrieve::Source<'_> {
        retrieve::Source {
            connector: &self.connector,
            query: "",
            parameters: &self.parameters,
            fields: &self.fields,
            extra: &NO_PARAMS,
            limits: Limits {
                timeout: std::time::Duration::from_secs(30),
                max_rows: 100_000,
            },
        }
    }

    /// Removes the database (best effort, as the run's output does not depend on it).
    pub(super) fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh directory for the run's database.
fn tempfile_dir() -> Result<PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!(
        "oots-match-eval-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).map_err(CliError::other)?;
    Ok(dir)
}

/// Writes the registry table with the key columns and an index on each, and on every
/// date-of-birth column. Returns the number of rows loaded.
async fn build_registry(
    db: &Path,
    csv: &Csv,
    id_col: usize,
    filter: &Option<String>,
    removed: &BTreeSet<String>,
    engine: &Engine,
) -> Result<usize, CliError> {
    let opts = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(CliError::other)?;
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let keys = engine.key_columns();
    let mut columns: Vec<String> = csv
        .header
        .iter()
        .map(|h| format!("{} TEXT", quote(h)))
        .collect();
    columns.extend(keys.iter().map(|(c, _)| quote(c)));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE registry ({})",
        columns.join(", ")
    )))
    .execute(&pool)
    .await
    .map_err(CliError::other)?;
    let placeholders = vec!["?"; csv.header.len() + keys.len()].join(", ");
    let insert = format!("INSERT INTO registry VALUES ({placeholders})");
    let mut tx = pool.begin().await.map_err(CliError::other)?;
    let mut n = 0;
    for row in &csv.rows {
        let id = row[id_col].as_str();
        if filter.as_deref().is_some_and(|f| !id.contains(f)) || removed.contains(id) {
            continue;
        }
        let record: oots_connector::Record = csv
            .header
            .iter()
            .zip(row)
            .map(|(h, v)| (h.clone(), Value::Text(v.clone())))
            .collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
        for v in row {
            q = q.bind(if v.is_empty() { None } else { Some(v.clone()) });
        }
        for (_, key) in keys {
            q = match engine.key_value(key, &record) {
                Value::Text(t) => q.bind(Some(t)),
                Value::Int(i) => q.bind(Some(i)),
                Value::Date(d) => q.bind(Some(d.format("%Y-%m-%d").to_string())),
                _ => q.bind(None::<String>),
            };
        }
        q.execute(&mut *tx).await.map_err(CliError::other)?;
        n += 1;
    }
    tx.commit().await.map_err(CliError::other)?;
    let mut indexed: Vec<String> = keys.iter().map(|(c, _)| c.clone()).collect();
    indexed.extend(
        engine
            .fields()
            .get(&Attribute::DateOfBirth)
            .into_iter()
            .flatten()
            .cloned(),
    );
    indexed.push(csv.header[id_col].clone());
    for (i, c) in indexed.iter().enumerate() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE INDEX idx_{i} ON registry ({})",
            quote(c)
        )))
        .execute(&pool)
        .await
        .map_err(CliError::other)?;
    }
    pool.close().await;
    Ok(n)
}

/// No provider classifications: an evaluation run has no request to take them from.
static NO_PARAMS: oots_connector::Params = std::collections::BTreeMap::new();
