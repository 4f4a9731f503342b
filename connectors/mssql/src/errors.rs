//! tiberius errors mapped onto [`ConnectorError`] without leaking data.
//!
//! Server messages can quote values (`Conversion failed when converting the nvarchar value
//! '…'`) and login messages name the login, so only the server error number, class and state
//! are kept; the driver's own protocol messages carry no data and are kept.

use std::time::Duration;

use oots_connector::ConnectorError;
use tiberius::error::{Error, IoErrorKind};

/// SQL Server's "Login failed for user" error number.
pub(crate) const LOGIN_FAILED: u32 = 18456;

/// A failure while opening a connection: always `Unavailable` (or a timeout).
pub(crate) fn connect_error(e: &Error, budget: Duration) -> ConnectorError {
    match e {
        Error::Server(t) if t.code() == LOGIN_FAILED => ConnectorError::Unavailable(format!(
            "SQL Server login failed (server error {LOGIN_FAILED}); check username and password"
        )),
        Error::Server(t) => ConnectorError::Unavailable(format!(
            "SQL Server refused the connection (server error {}, state {})",
            t.code(),
            t.state()
        )),
        Error::Io {
            kind: IoErrorKind::TimedOut,
            ..
        } => ConnectorError::Timeout(budget),
        Error::Io { kind, .. } => {
            ConnectorError::Unavailable(format!("cannot reach SQL Server: {kind:?}"))
        }
        Error::Protocol(m) => {
            ConnectorError::Unavailable(format!("SQL Server handshake failed: {m}"))
        }
        Error::Tls(m) => ConnectorError::Unavailable(format!("SQL Server TLS failed: {m}")),
        Error::Routing { .. } => ConnectorError::Unavailable(
            "SQL Server redirected the connection (routing is not supported)".into(),
        ),
        _ => ConnectorError::Unavailable("SQL Server connection failed".into()),
    }
}

/// A failure while running a lookup on an open connection.
pub(crate) fn query_error(e: &Error, command_timeout: Duration) -> ConnectorError {
    match e {
        Error::Server(t) => ConnectorError::Query(format!(
            "SQL Server error {} (class {}, state {})",
            t.code(),
            t.class(),
            t.state()
        )),
        Error::Io {
            kind: IoErrorKind::TimedOut,
            ..
        } => ConnectorError::Timeout(command_timeout),
        Error::Io { kind, .. } => {
            ConnectorError::Unavailable(format!("SQL Server connection lost: {kind:?}"))
        }
        Error::Protocol(m) => ConnectorError::Query(format!("TDS protocol error: {m}")),
        _ => ConnectorError::Query("SQL Server returned data that cannot be decoded".into()),
    }
}
