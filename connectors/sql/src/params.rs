//! Named parameters (`:name`) in mapping-file SQL, translated to each driver's positional form.
//!
//! Mapping authors write one portable spelling (`WHERE dob = :date_of_birth`); the driver wants
//! `?` (SQLite, MySQL) or `$1` (PostgreSQL). A small tokenizer finds the parameters while
//! skipping everything where a colon is not a parameter: string literals, quoted identifiers,
//! comments and PostgreSQL `::type` casts. Values are always bound, never spliced, so the
//! translation only ever inserts placeholders.

use oots_connector::ConnectorError;

use crate::dsn::Dialect;

/// A query text split into SQL pieces and parameter references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NamedQuery {
    pieces: Vec<Piece>,
    /// Distinct parameter names in order of first use.
    names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Sql(String),
    /// Index into `names`.
    Param(usize),
}

/// The SQL a driver receives and the parameter name bound at each position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Positional {
    pub sql: String,
    pub binds: Vec<String>,
}

impl NamedQuery {
    /// Tokenizes `text` with the lexical rules of `dialect`.
    pub fn parse(text: &str, dialect: Dialect) -> Result<Self, ConnectorError> {
        Scanner::new(text, dialect).run()
    }

    /// Distinct parameter names in order of first use.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The query in the driver's placeholder syntax. PostgreSQL (`$n`) and SQLite (`?n`)
    /// reuse one numbered placeholder for a repeated name; MySQL binds the value once per
    /// `?` occurrence.
    pub fn positional(&self, dialect: Dialect) -> Positional {
        let mut sql = String::new();
        let mut binds = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Sql(s) => sql.push_str(s),
                Piece::Param(i) => match dialect {
                    Dialect::Postgres => {
                        sql.push('$');
                        sql.push_str(&(i + 1).to_string());
                    }
                    Dialect::Sqlite => {
                        sql.push('?');
                        sql.push_str(&(i + 1).to_string());
                    }
                    Dialect::MySql => {
                        sql.push('?');
                        binds.extend(self.names.get(*i).cloned());
                    }
                },
            }
        }
        if matches!(dialect, Dialect::Postgres | Dialect::Sqlite) {
            binds = self.names.clone();
        }
        Positional { sql, binds }
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte scanner. All delimiters are ASCII, so every slice boundary is a char boundary.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    dialect: Dialect,
    pos: usize,
    /// Start of the SQL run not yet copied into `pieces`.
    run_start: usize,
    pieces: Vec<Piece>,
    names: Vec<String>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, dialect: Dialect) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            dialect,
            pos: 0,
            run_start: 0,
            pieces: Vec::new(),
            names: Vec::new(),
        }
    }

    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn error(&self, what: &str, at: usize) -> ConnectorError {
        ConnectorError::Config(format!("query text: {what} at byte {at}"))
    }

    fn run(mut self) -> Result<NamedQuery, ConnectorError> {
        while let Some(b) = self.peek(0) {
            match b {
                b'\'' => {
                    let backslash = match self.dialect {
                        Dialect::MySql => true,
                        // PostgreSQL E'...' escape strings use backslashes.
                        Dialect::Postgres => self.is_escape_string_prefix(),
                        Dialect::Sqlite => false,
                    };
                    self.skip_quoted(b'\'', backslash, "unterminated string literal")?;
                }
                b'"' => self.skip_quoted(
                    b'"',
                    self.dialect == Dialect::MySql,
                    "unterminated quoted identifier",
                )?,
                b'`' => self.skip_quoted(b'`', false, "unterminated quoted identifier")?,
                b'[' if self.dialect == Dialect::Sqlite => {
                    let start = self.pos;
                    match self.text[self.pos..].find(']') {
                        Some(end) => self.pos += end + 1,
                        None => return Err(self.error("unterminated [identifier]", start)),
                    }
                }
                b'-' if self.peek(1) == Some(b'-') => self.skip_line(),
                b'#' if self.dialect == Dialect::MySql => self.skip_line(),
                b'/' if self.peek(1) == Some(b'*') => self.skip_block_comment()?,
                b'$' if self.dialect == Dialect::Postgres => self.dollar()?,
                b'?' if self.dialect != Dialect::Postgres => {
                    return Err(self.error(
                        "positional placeholder `?` is not supported (use :name)",
                        self.pos,
                    ));
                }
                b':' => self.colon()?,
                _ => self.pos += 1,
            }
        }
        self.flush(self.bytes.len());
        Ok(NamedQuery {
            pieces: self.pieces,
            names: self.names,
        })
    }

    /// Copies the pending SQL run up to `end` into `pieces`.
    fn flush(&mut self, end: usize) {
        if end > self.run_start {
            self.pieces
                .push(Piece::Sql(self.text[self.run_start..end].to_owned()));
        }
    }

    /// `E'` / `e'` not preceded by an identifier character.
    fn is_escape_string_prefix(&self) -> bool {
        self.pos >= 1
            && matches!(self.bytes[self.pos - 1], b'E' | b'e')
            && (self.pos < 2 || !is_ident_char(self.bytes[self.pos - 2]))
    }

    /// Skips a `quote`-delimited token where a doubled quote is an escaped quote.
    fn skip_quoted(
        &mut self,
        quote: u8,
        backslash: bool,
        what: &str,
    ) -> Result<(), ConnectorError> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek(0) {
                None => return Err(self.error(what, start)),
                Some(b'\\') if backslash => self.pos += 2,
                Some(b) if b == quote => {
                    if self.peek(1) == Some(quote) {
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                        return Ok(());
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn skip_line(&mut self) {
        match self.text[self.pos..].find('\n') {
            Some(n) => self.pos += n + 1,
            None => self.pos = self.bytes.len(),
        }
    }

    /// `/* ... */`; PostgreSQL comments nest.
    fn skip_block_comment(&mut self) -> Result<(), ConnectorError> {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1usize;
        while depth > 0 {
            match (self.peek(0), self.peek(1)) {
                (None, _) => return Err(self.error("unterminated /* comment", start)),
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                (Some(b'/'), Some(b'*')) if self.dialect == Dialect::Postgres => {
                    depth += 1;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
        Ok(())
    }

    /// PostgreSQL: `$1` is refused (would collide with our numbering), `$tag$…$tag$` is a
    /// dollar-quoted string, `$` inside an identifier is just a character.
    fn dollar(&mut self) -> Result<(), ConnectorError> {
        let start = self.pos;
        if start > 0 && is_ident_char(self.bytes[start - 1]) {
            self.pos += 1;
            return Ok(());
        }
        if self.peek(1).is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.error(
                "positional placeholder `$n` is not supported (use :name)",
                start,
            ));
        }
        let mut end = start + 1;
        if self.bytes.get(end).copied().is_some_and(is_ident_start) {
            while self.bytes.get(end).copied().is_some_and(is_ident_char) {
                end += 1;
            }
        }
        if self.bytes.get(end) != Some(&b'$') {
            self.pos += 1;
            return Ok(());
        }
        let tag = &self.text[start..=end];
        let body = end + 1;
        match self.text[body..].find(tag) {
            Some(n) => {
                self.pos = body + n + tag.len();
                Ok(())
            }
            None => Err(self.error("unterminated dollar-quoted string", start)),
        }
    }

    /// `::` is a cast; `:name` is a parameter; any other colon is SQL.
    fn colon(&mut self) -> Result<(), ConnectorError> {
        if self.peek(1) == Some(b':') {
            self.pos += 2;
            return Ok(());
        }
        if !self.peek(1).is_some_and(is_ident_start) {
            self.pos += 1;
            return Ok(());
        }
        let colon = self.pos;
        let mut end = colon + 1;
        while self.bytes.get(end).copied().is_some_and(is_ident_char) {
            end += 1;
        }
        if self.bytes.get(end).is_some_and(|b| !b.is_ascii()) {
            return Err(self.error(
                "parameter names use ASCII letters, digits and underscore only",
                colon,
            ));
        }
        let name = &self.text[colon + 1..end];
        self.flush(colon);
        let index = match self.names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.names.push(name.to_owned());
                self.names.len() - 1
            }
        };
        self.pieces.push(Piece::Param(index));
        self.pos = end;
        self.run_start = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(text: &str, d: Dialect) -> (String, Vec<String>) {
        let q = NamedQuery::parse(text, d).unwrap_or_else(|e| panic!("{e}"));
        let p = q.positional(d);
        (p.sql, p.binds)
    }

    #[test]
    fn question_marks_bind_per_occurrence() {
        let (sql, binds) = pos(
            "SELECT * FROM p WHERE a = :x AND b = :y OR a = :x",
            Dialect::MySql,
        );
        assert_eq!(sql, "SELECT * FROM p WHERE a = ? AND b = ? OR a = ?");
        assert_eq!(binds, ["x", "y", "x"]);
        // SQLite numbers them, binding a repeated name once.
        let (sql, binds) = pos(
            "SELECT * FROM p WHERE a = :x AND b = :y OR a = :x",
            Dialect::Sqlite,
        );
        assert_eq!(sql, "SELECT * FROM p WHERE a = ?1 AND b = ?2 OR a = ?1");
        assert_eq!(binds, ["x", "y"]);
    }

    #[test]
    fn dollars_reuse_index() {
        let (sql, binds) = pos("SELECT :x::date, :y, :x", Dialect::Postgres);
        assert_eq!(sql, "SELECT $1::date, $2, $1");
        assert_eq!(binds, ["x", "y"]);
    }

    #[test]
    fn skips_literals_comments_and_casts() {
        let text = "SELECT ':no', 'it''s :no', \"a:no\", `b:no`, x::text -- :no\n\
                    /* :no */ FROM t WHERE c = :yes";
        let q = NamedQuery::parse(text, Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.names(), ["yes"]);
        assert_eq!(
            q.positional(Dialect::Sqlite).sql,
            text.replace(":yes", "?1")
        );
    }

    #[test]
    fn dialect_specific_lexing() {
        let q = NamedQuery::parse(r"SELECT 'a\':no', :yes # :no", Dialect::MySql);
        assert_eq!(q.map(|q| q.names().to_vec()).ok(), Some(vec!["yes".into()]));
        let q = NamedQuery::parse(
            r"SELECT E'a\':no', $$ :no $$, $t$ :no $t$, /* /* :no */ :no */ :yes",
            Dialect::Postgres,
        );
        assert_eq!(q.map(|q| q.names().to_vec()).ok(), Some(vec!["yes".into()]));
        let q = NamedQuery::parse("SELECT [a:no], :yes", Dialect::Sqlite);
        assert_eq!(q.map(|q| q.names().to_vec()).ok(), Some(vec!["yes".into()]));
        // MySQL `:=` and a non-identifier after a colon are SQL.
        let q = NamedQuery::parse("SELECT @a := 1, '12:30', x : 1", Dialect::MySql);
        assert_eq!(q.map(|q| q.names().len()).ok(), Some(0));
    }

    #[test]
    fn refuses_positional_and_unterminated() {
        assert!(NamedQuery::parse("SELECT ?", Dialect::Sqlite).is_err());
        assert!(NamedQuery::parse("SELECT $1", Dialect::Postgres).is_err());
        assert!(NamedQuery::parse("SELECT 'x", Dialect::Sqlite).is_err());
        assert!(NamedQuery::parse("SELECT /* x", Dialect::Sqlite).is_err());
        // PostgreSQL's jsonb `?` operator is not a placeholder there.
        assert!(NamedQuery::parse("SELECT d ? 'k' FROM t", Dialect::Postgres).is_ok());
    }

    #[test]
    fn non_ascii_text_survives() {
        let (sql, binds) = pos("SELECT 'Jan Novák' AS \"Příjmení\", :n_1", Dialect::Sqlite);
        assert_eq!(sql, "SELECT 'Jan Novák' AS \"Příjmení\", ?1");
        assert_eq!(binds, ["n_1"]);
        // A name running into a non-ASCII letter is refused rather than cut short.
        assert!(NamedQuery::parse("SELECT :név", Dialect::Sqlite).is_err());
    }
}
