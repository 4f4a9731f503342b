//! Connection URLs: which driver a URL selects, and how it may be shown.
//!
//! A registry URL usually carries a password. It must never reach a log line or an error
//! message, so everything this crate prints goes through [`redact`].

use oots_connector::ConnectorError;

/// The database engine a connection URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `sqlite:` file paths, `sqlite://relative.db`, `sqlite::memory:`.
    Sqlite,
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// `mysql://` or `mariadb://` (MariaDB speaks the MySQL protocol).
    MySql,
}

impl Dialect {
    /// The dialect a URL selects, from its scheme.
    pub fn from_url(url: &str) -> Result<Self, ConnectorError> {
        let scheme = url
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        match scheme.as_str() {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            "mysql" | "mariadb" => Ok(Self::MySql),
            _ => Err(ConnectorError::Config(format!(
                "unsupported SQL URL scheme in {} (expected sqlite:, postgres://, postgresql://, mysql:// or mariadb://)",
                redact(url)
            ))),
        }
    }

    /// Name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
            Self::MySql => "MySQL/MariaDB",
        }
    }
}

/// The URL with a password in `user:pass@` replaced by `***` (`user:***@`), safe to print.
pub fn redact(url: &str) -> String {
    match password_span(url) {
        Some((start, end)) => format!("{}***{}", &url[..start], &url[end..]),
        None => url.to_owned(),
    }
}

/// The password of a URL, raw as written (percent-encoded) — used only to scrub it out of
/// driver messages that might echo the URL.
pub(crate) fn password(url: &str) -> Option<&str> {
    password_span(url)
        .map(|(s, e)| &url[s..e])
        .filter(|p| !p.is_empty())
}

/// Byte range of the password in `scheme://user:password@host/...`.
fn password_span(url: &str) -> Option<(usize, usize)> {
    let authority_start = url.find("://")? + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    // The last `@` ends the userinfo: a password may itself contain a (badly encoded) `@`.
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    Some((authority_start + colon + 1, authority_start + at))
}

/// Removes every occurrence of the URL's password (raw and percent-decoded) from `message`.
pub(crate) fn scrub(message: &str, url: &str) -> String {
    let Some(raw) = password(url) else {
        return message.to_owned();
    };
    let mut out = message.replace(raw, "***");
    let decoded = percent_decode(raw);
    if !decoded.is_empty() && decoded != raw {
        out = out.replace(&decoded, "***");
    }
    out
}

/// Minimal `%XX` decoding (invalid sequences are kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL the driver's parser understands (`mariadb://` is spelled `mysql://` for sqlx).
pub(crate) fn driver_url(url: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::MySql => match url.split_once("://") {
            Some((_, rest)) => format!("mysql://{rest}"),
            None => url.to_owned(),
        },
        Dialect::Postgres => match url.split_once("://") {
            Some((_, rest)) => format!("postgres://{rest}"),
            None => url.to_owned(),
        },
        Dialect::Sqlite => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password_only() {
        assert_eq!(
            redact("postgres://alice:s3cr%40t@db.example:5432/reg?sslmode=disable"),
            "postgres://alice:***@db.example:5432/reg?sslmode=disable"
        );
        assert_eq!(
            redact("mysql://root@127.0.0.1/test"),
            "mysql://root@127.0.0.1/test"
        );
        assert_eq!(redact("sqlite://data/reg.db"), "sqlite://data/reg.db");
        assert_eq!(redact("mysql://u:p@ss@h/db"), "mysql://u:***@h/db");
    }

    #[test]
    fn scrubs_raw_and_decoded_password() {
        let url = "postgres://alice:s3cr%40t@db/reg";
        assert_eq!(scrub("bad s3cr%40t and s3cr@t", url), "bad *** and ***");
    }

    #[test]
    fn dialect_from_scheme() {
        assert_eq!(
            Dialect::from_url("sqlite::memory:").ok(),
            Some(Dialect::Sqlite)
        );
        assert_eq!(
            Dialect::from_url("postgresql://h/d").ok(),
            Some(Dialect::Postgres)
        );
        assert_eq!(
            Dialect::from_url("MariaDB://h/d").ok(),
            Some(Dialect::MySql)
        );
        assert!(
            Dialect::from_url("mssql://u:pw@h/d").is_err_and(|e| !e.to_string().contains("pw"))
        );
    }
}
