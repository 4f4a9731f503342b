//! The PostgreSQL state store: several `serve` replicas share one database. Leases are
//! taken by conditional updates (and with `SKIP LOCKED` when looking for work, so
//! replicas pick disjoint messages).
//!
//! A decision's audit record is written in the same statement as the decision, to
//! `audit_pending`; [`crate::Journal::chain_journal`] (run every 200 ms by `serve`, and
//! before the journal is read) moves pending records into the hash chain in batches,
//! under a transaction advisory lock so the chain stays one line. Decisions never wait
//! for each other on the chain.
//!
//! One file per part of the store: `ids`, `exchanges`, `journal`, `preview`,
//! `lifecycle`; the schema in `schema`.

mod exchanges;
mod ids;
mod journal;
mod lifecycle;
mod preview;
mod schema;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::audit_key::JournalKey;
use crate::journal::stamp;
use crate::{ExchangeState, StoreError};
use schema::SCHEMA;

/// Advisory lock keys (any constants, the same in every replica).
const MIGRATION_LOCK: i64 = 0x4f4f_5453_0001;
const JOURNAL_LOCK: i64 = 0x4f4f_5453_0002;

/// State in a PostgreSQL database shared by the replicas.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The audit key records are sealed with; none: unkeyed records. Every replica must
    /// have the same one (each change of key is a record).
    key: Option<Arc<JournalKey>>,
}

impl PostgresStore {
    /// Connects (`url` without the password; `password` resolved from its reference)
    /// and creates the tables if they are missing, in `schema` when given.
    pub async fn connect(
        url: &str,
        password: Option<&str>,
        max_connections: u32,
        schema: Option<&str>,
    ) -> Result<Self, StoreError> {
        let mut opts: PgConnectOptions = url
            .parse()
            .map_err(|e: sqlx::Error| StoreError::Unavailable(format!("bad store url: {e}")))?;
        if let Some(p) = password {
            opts = opts.password(p);
        }
        if let Some(schema) = schema {
            if !plain_identifier(schema) {
                return Err(StoreError::Unavailable(format!(
                    "store schema {schema:?} must be letters, digits and _"
                )));
            }
            opts = opts.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect_with(opts)
            .await?;
        let mut tx = pool.begin().await?;
        // Replicas starting together would race on CREATE TABLE.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await?;
        if let Some(schema) = schema {
            // Checked above: letters, digits and _ only.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}"
            )))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::raw_sql(SCHEMA).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Self { pool, key: None })
    }

    /// Seals the journal records written from now on with `key` (docs/audit.md).
    pub fn with_journal_key(mut self, key: Option<Arc<JournalKey>>) -> Self {
        self.key = key;
        self
    }

    /// The pool (tests drop schemas with it).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Drops a schema with everything in it (test runs, decommissioning a deployment).
    pub async fn drop_schema(&self, schema: &str) -> Result<(), StoreError> {
        if !plain_identifier(schema) {
            return Err(StoreError::Query(format!("bad schema name {schema:?}")));
        }
        // Checked above: letters, digits and _ only.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Letters, digits and `_` only: a schema name that is safe to put into SQL text.
fn plain_identifier(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn state(s: &str) -> Result<ExchangeState, StoreError> {
    ExchangeState::parse(s)
        .ok_or_else(|| StoreError::Query(format!("unknown exchange state {s:?}")))
}

/// Timestamps as PostgreSQL keeps them (microseconds), so the journal hash is stable.
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&stamp(at))
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(at)
}
