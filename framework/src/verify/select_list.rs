//! The column names a SQL query returns, read offline from its select list with a real SQL
//! parser (`sqlparser`), so `check` can compare them with `fields:` without a database.
//!
//! Only what the text itself decides is claimed: `col`, `t.col`, `expr AS x` and `"Quoted"`
//! name their column; `SELECT *`, `t.*` and SQL the parser does not read leave the
//! columns unknown, and so does an expression without `AS` (each engine names it its own
//! way), which the caller reports as "cannot tell" rather than as a mistake.

use sqlparser::ast::{Expr, Query, SelectItem, SetExpr, Statement};
use sqlparser::dialect::{Dialect, MsSqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// The SQL dialect a mapping query is written in, by connection engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlDialect {
    Sqlite,
    Postgres,
    MySql,
    MsSql,
}

impl SqlDialect {
    fn parser_dialect(self) -> Box<dyn Dialect> {
        match self {
            Self::Sqlite => Box::new(SQLiteDialect {}),
            Self::Postgres => Box::new(PostgreSqlDialect {}),
            Self::MySql => Box::new(MySqlDialect {}),
            Self::MsSql => Box::new(MsSqlDialect {}),
        }
    }
}

/// What the select list says about the result columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectList {
    /// Columns named by the text, in order, plus the expressions left unnamed
    /// (`count(*)` without `AS`), as written.
    Columns {
        names: Vec<String>,
        unnamed: Vec<String>,
    },
    /// The text does not say (`SELECT *`, `t.*`, not a query the parser reads): why.
    Unknown(String),
}

/// Reads the result columns of `query` written in `dialect`. `:name` parameters are
/// parsed as placeholders, so they need no replacing.
pub fn select_list(query: &str, dialect: SqlDialect) -> SelectList {
    let statements = match Parser::parse_sql(&*dialect.parser_dialect(), query) {
        Ok(s) => s,
        Err(e) => return SelectList::Unknown(format!("the SQL parser stops: {e}")),
    };
    match statements.as_slice() {
        [Statement::Query(q)] => of_query(q),
        [_] => SelectList::Unknown("the text is not a SELECT".to_owned()),
        _ => SelectList::Unknown("the text is not one statement".to_owned()),
    }
}

fn of_query(q: &Query) -> SelectList {
    of_set_expr(&q.body)
}

/// A set operation (`UNION`, …) returns the columns of its first operand.
fn of_set_expr(body: &SetExpr) -> SelectList {
    match body {
        SetExpr::Select(select) => of_items(&select.projection),
        SetExpr::Query(q) => of_query(q),
        SetExpr::SetOperation { left, .. } => of_set_expr(left),
        _ => SelectList::Unknown("the query is not a SELECT".to_owned()),
    }
}

fn of_items(items: &[SelectItem]) -> SelectList {
    let mut names = Vec::new();
    let mut unnamed = Vec::new();
    for item in items {
        match item {
            SelectItem::UnnamedExpr(Expr::Identifier(i)) => names.push(i.value.clone()),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                if let Some(last) = parts.last() {
                    names.push(last.value.clone());
                }
            }
            SelectItem::UnnamedExpr(e) => unnamed.push(e.to_string()),
            SelectItem::ExprWithAlias { alias, .. } => names.push(alias.value.clone()),
            SelectItem::ExprWithAliases { aliases, .. } => {
                names.extend(aliases.iter().map(|a| a.value.clone()));
            }
            SelectItem::Wildcard(_) => return SelectList::Unknown("SELECT *".to_owned()),
            SelectItem::QualifiedWildcard(kind, _) => {
                return SelectList::Unknown(format!("SELECT {kind}"));
            }
        }
    }
    SelectList::Columns { names, unnamed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(query: &str, dialect: SqlDialect) -> Vec<String> {
        match select_list(query, dialect) {
            SelectList::Columns { names, .. } => names,
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn plain_qualified_aliased_and_quoted_columns_are_named() {
        let q = "SELECT p.id, surname, given AS given_name, birth_date dob, \"Family Name\" \
                 FROM people p WHERE p.birth_date = :date_of_birth AND surname = :family_name";
        assert_eq!(
            names(q, SqlDialect::Postgres),
            ["id", "surname", "given_name", "dob", "Family Name"]
        );
    }

    #[test]
    fn parameters_casts_and_ctes_parse_in_every_dialect() {
        let q = "WITH x AS (SELECT id, name FROM t WHERE dob = :dob) SELECT x.id, x.name FROM x";
        for d in [
            SqlDialect::Sqlite,
            SqlDialect::Postgres,
            SqlDialect::MySql,
            SqlDialect::MsSql,
        ] {
            assert_eq!(names(q, d), ["id", "name"], "{d:?}");
        }
        let pg = "SELECT id, born::text AS born FROM t WHERE :d::date IS NULL OR born = :d";
        assert_eq!(names(pg, SqlDialect::Postgres), ["id", "born"]);
        let ms = "SELECT TOP 2 [Id], [Given Name] AS given FROM dbo.t WHERE dob = :dob";
        assert_eq!(names(ms, SqlDialect::MsSql), ["Id", "given"]);
        let my = "SELECT `id`, name FROM t WHERE dob = :dob LIMIT 5";
        assert_eq!(names(my, SqlDialect::MySql), ["id", "name"]);
    }

    #[test]
    fn a_union_returns_the_first_operands_names() {
        let q = "SELECT id, name FROM a UNION ALL SELECT id2, name2 FROM b";
        assert_eq!(names(q, SqlDialect::Sqlite), ["id", "name"]);
    }

    #[test]
    fn expressions_without_alias_are_kept_apart() {
        let q = "SELECT id, upper(name) FROM t";
        assert_eq!(
            select_list(q, SqlDialect::Sqlite),
            SelectList::Columns {
                names: vec!["id".into()],
                unnamed: vec!["upper(name)".into()],
            }
        );
    }

    #[test]
    fn stars_and_unreadable_sql_cannot_tell() {
        for (q, why) in [
            ("SELECT * FROM t WHERE id = :id", "SELECT *"),
            ("SELECT p.* FROM people p", "SELECT p.*"),
        ] {
            assert_eq!(
                select_list(q, SqlDialect::Sqlite),
                SelectList::Unknown(why.to_owned()),
                "{q}"
            );
        }
        assert!(matches!(
            select_list("SELEC id FROM t", SqlDialect::Sqlite),
            SelectList::Unknown(why) if why.starts_with("the SQL parser stops")
        ));
        assert!(matches!(
            select_list("SELECT 1; SELECT 2", SqlDialect::Sqlite),
            SelectList::Unknown(_)
        ));
    }
}
