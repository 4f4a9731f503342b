//! Mapping driver errors onto [`ConnectorError`] without leaking secrets or personal data.
//!
//! Driver messages can echo a bound value (`invalid input syntax for type date: "…"`) or, for
//! connection errors, parts of the URL. Every message is scrubbed of the URL's password and
//! of the text of every bound parameter before it becomes part of a `ConnectorError`.

use std::time::Duration;

use oots_connector::{ConnectorError, Params};

use crate::dsn::{self, Dialect};

/// Shortest parameter text that is scrubbed from messages; shorter values (`1`, `a`) would
/// garble the message and identify nobody.
const MIN_SCRUBBED_LEN: usize = 2;

/// What an error message must be cleaned of, and how to classify timeouts.
pub(crate) struct ErrorContext<'a> {
    pub dialect: Dialect,
    pub url: &'a str,
    pub params: Option<&'a Params>,
    pub timeout: Duration,
}

impl ErrorContext<'_> {
    /// `message` without the URL password or any bound parameter text.
    pub fn scrub(&self, message: &str) -> String {
        let mut out = dsn::scrub(message, self.url);
        if let Some(params) = self.params {
            let mut texts: Vec<String> = params
                .values()
                .filter_map(|v| v.as_text())
                .filter(|t| t.chars().count() >= MIN_SCRUBBED_LEN)
                .collect();
            // Longest first, so a value containing another is removed whole.
            texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
            for t in texts {
                out = out.replace(&t, "***");
            }
        }
        out
    }

    /// Classifies an error raised while running a lookup or a probe.
    pub fn query_error(&self, err: sqlx::Error) -> ConnectorError {
        match err {
            sqlx::Error::Database(db) => {
                if is_statement_timeout(self.dialect, db.as_ref()) {
                    return ConnectorError::Timeout(self.timeout);
                }
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                ConnectorError::Query(format!(
                    "{} error {}: {}",
                    self.dialect.name(),
                    if code.is_empty() { "?" } else { &code },
                    self.scrub(db.message())
                ))
            }
            sqlx::Error::PoolTimedOut => ConnectorError::Unavailable(format!(
                "no {} connection available (pool exhausted or server unreachable)",
                self.dialect.name()
            )),
            sqlx::Error::Configuration(e) => ConnectorError::Config(self.scrub(&e.to_string())),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::BeginFailed => ConnectorError::Unavailable(format!(
                "{}: {}",
                self.dialect.name(),
                self.scrub(&err.to_string())
            )),
            // Encoding/decoding messages may quote a value: report only the kind.
            sqlx::Error::ColumnDecode { index, .. } => {
                ConnectorError::Query(format!("cannot decode column {index}"))
            }
            sqlx::Error::Encode(_) => {
                ConnectorError::Query("cannot encode a query parameter".into())
            }
            sqlx::Error::Decode(_) => ConnectorError::Query("cannot decode a value".into()),
            other => ConnectorError::Query(self.scrub(&other.to_string())),
        }
    }

    /// Classifies an error of the SQLite lookup path; an interrupt is our progress
    /// handler ending the statement at the deadline or on cancellation.
    pub fn sqlite_error(&self, err: rusqlite::Error, cancelled: bool) -> ConnectorError {
        use rusqlite::ErrorCode;
        match &err {
            rusqlite::Error::SqliteFailure(e, message) => match e.code {
                ErrorCode::OperationInterrupted if cancelled => ConnectorError::Cancelled,
                ErrorCode::OperationInterrupted => ConnectorError::Timeout(self.timeout),
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    ConnectorError::Unavailable("SQLite database is busy".into())
                }
                ErrorCode::CannotOpen | ErrorCode::NotADatabase | ErrorCode::SystemIoFailure => {
                    ConnectorError::Unavailable(format!(
                        "cannot use SQLite database {}: {}",
                        dsn::redact(self.url),
                        self.scrub(&err.to_string())
                    ))
                }
                _ => ConnectorError::Query(format!(
                    "sqlite error {}: {}",
                    e.extended_code,
                    self.scrub(message.as_deref().unwrap_or(&err.to_string()))
                )),
            },
            // Conversion messages may quote a value: report only the kind.
            rusqlite::Error::FromSqlConversionFailure(i, _, _)
            | rusqlite::Error::InvalidColumnType(i, _, _) => {
                ConnectorError::Query(format!("cannot decode column {i}"))
            }
            rusqlite::Error::ToSqlConversionFailure(_) => {
                ConnectorError::Query("cannot encode a query parameter".into())
            }
            _ => ConnectorError::Query(self.scrub(&err.to_string())),
        }
    }

    /// Classifies an error raised while opening a connection: anything but a malformed URL
    /// means the registry is not reachable with these settings.
    pub fn connect_error(&self, err: sqlx::Error) -> ConnectorError {
        match err {
            sqlx::Error::Configuration(e) => ConnectorError::Config(format!(
                "{} URL {}: {}",
                self.dialect.name(),
                dsn::redact(self.url),
                self.scrub(&e.to_string())
            )),
            other => ConnectorError::Unavailable(format!(
                "cannot connect to {} at {}: {}",
                self.dialect.name(),
                dsn::redact(self.url),
                self.scrub(&other.to_string())
            )),
        }
    }
}

/// Whether the server aborted the statement because of our statement timeout.
fn is_statement_timeout(dialect: Dialect, db: &dyn sqlx::error::DatabaseError) -> bool {
    match dialect {
        // 57014 query_canceled (statement_timeout).
        Dialect::Postgres => db.code().as_deref() == Some("57014"),
        Dialect::MySql => db
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            // MariaDB 1969 ER_STATEMENT_TIMEOUT, MySQL 3024 ER_QUERY_TIMEOUT.
            .is_some_and(|e| matches!(e.number(), 1969 | 3024)),
        // SQLITE_INTERRUPT, raised by our progress handler at the deadline.
        Dialect::Sqlite => db.code().as_deref() == Some("9"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oots_connector::Value;

    #[test]
    fn scrubs_params_and_password() {
        let mut params = Params::new();
        params.insert("name".into(), Value::Text("Novák".into()));
        params.insert("n".into(), Value::Int(7));
        let ctx = ErrorContext {
            dialect: Dialect::Postgres,
            url: "postgres://u:pw1@h/d",
            params: Some(&params),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(
            ctx.scrub("invalid input \"Novák\" for 7 via pw1"),
            "invalid input \"***\" for 7 via ***"
        );
    }
}
