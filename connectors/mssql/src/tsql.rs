//! Mapping-file T-SQL: `:name` parameters translated to tiberius' `@P1…` placeholders, and
//! the read-only guard.
//!
//! The tokenizer knows T-SQL's lexical rules (`'…'` with `''`, `N'…'`, `[ident]` with `]]`,
//! `"ident"`, `--` and nested `/* */` comments) so a colon inside any of them is never a
//! parameter. Values are always bound as RPC parameters; the translation only ever inserts
//! placeholders.

use oots_connector::ConnectorError;

/// A mapping query, checked and translated for `sp_executesql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TsqlQuery {
    /// The query with `@P<n>` placeholders (a repeated name reuses its number).
    pub sql: String,
    /// Parameter names in placeholder order (`@P1` is `names[0]`).
    pub names: Vec<String>,
}

/// Statement keywords that never belong in a lookup. SQL Server has no per-session
/// read-only switch, so this guard plus a SELECT-only login is what keeps lookups read-only.
const FORBIDDEN: &[&str] = &[
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "EXEC",
    "EXECUTE",
    "DROP",
    "ALTER",
    "CREATE",
    "TRUNCATE",
    "GRANT",
    "REVOKE",
    "DENY",
    "INTO",
    "BACKUP",
    "RESTORE",
    "DBCC",
    "SHUTDOWN",
    "KILL",
    "OPENROWSET",
    "OPENQUERY",
    "OPENDATASOURCE",
    "BULK",
    "USE",
    "SET",
    "DECLARE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVE",
    "WAITFOR",
    "RECONFIGURE",
    "GO",
];

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn error(what: &str, at: usize) -> ConnectorError {
    ConnectorError::Config(format!("query text: {what} at byte {at}"))
}

impl TsqlQuery {
    /// Tokenizes `text`, refusing anything but one `SELECT`/`WITH` statement.
    pub fn parse(text: &str) -> Result<Self, ConnectorError> {
        let bytes = text.as_bytes();
        let mut sql = String::with_capacity(text.len() + 8);
        let mut names: Vec<String> = Vec::new();
        let mut words: Vec<(String, usize)> = Vec::new();
        let mut trailing_semicolon: Option<usize> = None;
        let mut pos = 0;
        let mut run_start = 0;
        while let Some(&b) = bytes.get(pos) {
            if trailing_semicolon.is_some() && !b.is_ascii_whitespace() {
                return Err(error("only one statement is allowed (found `;`)", pos));
            }
            match b {
                b'\'' => pos = skip_quoted(bytes, pos, b'\'', "unterminated string literal")?,
                b'"' => pos = skip_quoted(bytes, pos, b'"', "unterminated quoted identifier")?,
                b'[' => pos = skip_quoted(bytes, pos, b']', "unterminated [identifier]")?,
                b'-' if bytes.get(pos + 1) == Some(&b'-') => {
                    pos = text[pos..].find('\n').map_or(bytes.len(), |n| pos + n);
                }
                b'/' if bytes.get(pos + 1) == Some(&b'*') => pos = skip_block(bytes, pos)?,
                b';' => {
                    trailing_semicolon = Some(pos);
                    pos += 1;
                }
                b'@' if bytes
                    .get(pos + 1)
                    .is_some_and(|c| c.eq_ignore_ascii_case(&b'P')) =>
                {
                    // `@P1` would collide with the placeholders we generate.
                    let digits = bytes[pos + 2..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .count();
                    if digits > 0 {
                        return Err(error("`@P<n>` is reserved (use :name)", pos));
                    }
                    pos += 2;
                }
                b'?' => {
                    return Err(error(
                        "positional placeholder `?` is not supported (use :name)",
                        pos,
                    ));
                }
                b':' if bytes.get(pos + 1).copied().is_some_and(is_ident_start)
                    && !(pos > 0 && bytes[pos - 1] == b':') =>
                {
                    let start = pos + 1;
                    let len = bytes[start..]
                        .iter()
                        .take_while(|c| is_ident_char(**c))
                        .count();
                    let name = &text[start..start + len];
                    let index = match names.iter().position(|n| n == name) {
                        Some(i) => i,
                        None => {
                            names.push(name.to_owned());
                            names.len() - 1
                        }
                    };
                    sql.push_str(&text[run_start..pos]);
                    sql.push_str(&format!("@P{}", index + 1));
                    pos = start + len;
                    run_start = pos;
                }
                _ if is_ident_start(b) && (pos == 0 || !is_ident_char(bytes[pos - 1])) => {
                    let len = bytes[pos..]
                        .iter()
                        .take_while(|c| is_ident_char(**c) || **c == b'$' || **c == b'#')
                        .count();
                    words.push((text[pos..pos + len].to_ascii_uppercase(), pos));
                    pos += len;
                }
                _ => pos += 1,
            }
        }
        let end = trailing_semicolon.unwrap_or(bytes.len());
        if run_start < end {
            sql.push_str(&text[run_start..end]);
        }
        match words.first() {
            Some((w, _)) if w == "SELECT" || w == "WITH" => {}
            Some((_, at)) => return Err(error("only SELECT or WITH queries are allowed", *at)),
            None => return Err(error("empty query", 0)),
        }
        if let Some((w, at)) = words.iter().find(|(w, _)| FORBIDDEN.contains(&w.as_str())) {
            return Err(error(
                &format!("`{w}` is not allowed in a read-only lookup"),
                *at,
            ));
        }
        Ok(Self { sql, names })
    }

    /// The batch actually sent: the lookup inside a transaction that is always rolled back,
    /// at READ COMMITTED, aborting (and rolling back) on the first error.
    pub fn wrapped(&self) -> String {
        format!(
            "SET XACT_ABORT ON; SET TRANSACTION ISOLATION LEVEL READ COMMITTED; \
             BEGIN TRAN; {}; ROLLBACK TRAN;",
            self.sql.trim_end()
        )
    }
}

/// Skips a token delimited by `open` … `close` where a doubled `close` escapes it.
fn skip_quoted(bytes: &[u8], start: usize, close: u8, what: &str) -> Result<usize, ConnectorError> {
    let mut pos = start + 1;
    loop {
        match bytes.get(pos) {
            None => return Err(error(what, start)),
            Some(b) if *b == close => {
                if bytes.get(pos + 1) == Some(&close) {
                    pos += 2;
                } else {
                    return Ok(pos + 1);
                }
            }
            Some(_) => pos += 1,
        }
    }
}

/// Skips a `/* */` comment; T-SQL block comments nest.
fn skip_block(bytes: &[u8], start: usize) -> Result<usize, ConnectorError> {
    let mut depth = 0usize;
    let mut pos = start;
    while pos < bytes.len() {
        if bytes[pos] == b'/' && bytes.get(pos + 1) == Some(&b'*') {
            depth += 1;
            pos += 2;
        } else if bytes[pos] == b'*' && bytes.get(pos + 1) == Some(&b'/') {
            depth -= 1;
            pos += 2;
            if depth == 0 {
                return Ok(pos);
            }
        } else {
            pos += 1;
        }
    }
    Err(error("unterminated /* comment", start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_names_and_reuses_numbers() {
        let q = TsqlQuery::parse(
            "SELECT a FROM p WHERE dob = :dob AND (name = :name OR alias = :name);",
        )
        .unwrap();
        assert_eq!(
            q.sql,
            "SELECT a FROM p WHERE dob = @P1 AND (name = @P2 OR alias = @P2)"
        );
        assert_eq!(q.names, ["dob", "name"]);
    }

    #[test]
    fn colons_in_literals_identifiers_and_comments_are_not_parameters() {
        let q = TsqlQuery::parse(
            "SELECT 'a:b''c:d', N':x', [we:ird]]:y], \"q:z\" -- :c\n /* :d /* :e */ */ FROM t WHERE x = :v",
        )
        .unwrap();
        assert_eq!(q.names, ["v"]);
        assert!(q.sql.ends_with("WHERE x = @P1"));
        assert!(q.sql.contains("'a:b''c:d'"));
    }

    #[test]
    fn refuses_writes_batches_and_reserved_placeholders() {
        for bad in [
            "UPDATE p SET a = 1",
            "SELECT 1; DROP TABLE p",
            "SELECT * INTO x FROM p",
            "WITH c AS (SELECT 1 AS a) DELETE FROM p",
            "SELECT * FROM p WHERE id = @P1",
            "SELECT * FROM p WHERE id = ?",
            "EXEC sp_who",
            "SELECT 'x",
            "",
        ] {
            assert!(
                matches!(TsqlQuery::parse(bad), Err(ConnectorError::Config(_))),
                "{bad}"
            );
        }
        // Keywords inside brackets, strings and comments are fine.
        let ok = TsqlQuery::parse("SELECT [Update], 'delete' FROM p -- drop\n").unwrap();
        assert!(ok.names.is_empty());
    }

    #[test]
    fn wraps_in_a_rolled_back_transaction() {
        let q = TsqlQuery::parse("WITH c AS (SELECT 1 AS a) SELECT a FROM c;").unwrap();
        let w = q.wrapped();
        assert!(w.starts_with(
            "SET XACT_ABORT ON; SET TRANSACTION ISOLATION LEVEL READ COMMITTED; BEGIN TRAN; WITH"
        ));
        assert!(w.ends_with("FROM c; ROLLBACK TRAN;"));
    }
}
