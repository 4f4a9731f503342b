//! `fields:` against the columns a SQL mapping query returns. A field naming a column the
//! query does not return loads, serves, and answers every request `EDM:ERR:0004` (the
//! field is always empty); a misspelt column inside the query fails only at the first
//! request (`EDM:ERR:0008`). `check` reads the select list (`select_list`); `check --live`
//! asks the database to prepare the query ([`oots_connector::Connector::describe`]).

use oots_connector::ConnectorError;
use serde_saphyr::Spanned;

use super::select_list::{SelectList, SqlDialect, select_list};
use crate::config::AdapterConfig;
use crate::connector::ConnectionConfig;
use crate::diag::{Diagnostic, codes};
use crate::mapping::{Mapping, TestCase};

/// One query a mapping runs through its connection.
struct Query<'a> {
    /// Prefix naming it in messages (empty for `connector.query`).
    label: String,
    text: &'a Spanned<String>,
    /// Whether its rows become records read through `fields:`.
    records: bool,
}

/// Every query of the mapping: `connector.query` and the blocking passes' own (records
/// read through `fields:`), the representation and name-frequency queries (prepared
/// only, with `--live`: their columns are named elsewhere).
fn queries(m: &Mapping) -> Vec<Query<'_>> {
    let mut out = vec![Query {
        label: String::new(),
        text: &m.spec.connector.query,
        records: true,
    }];
    let matching = &m.spec.matching;
    for pass in matching.blocking.iter().flat_map(|b| &b.passes) {
        if let Some(text) = &pass.query {
            out.push(Query {
                label: format!("blocking pass `{}`: ", pass.name),
                text,
                records: true,
            });
        }
    }
    if let Some(r) = &m.spec.representation {
        out.push(Query {
            label: "representation: ".to_owned(),
            text: &r.query,
            records: false,
        });
    }
    if let Some(f) = &matching.frequencies {
        for (attribute, text) in &f.queries {
            out.push(Query {
                label: format!("frequencies of {}: ", attribute.name()),
                text,
                records: false,
            });
        }
        if let Some(text) = &f.population {
            out.push(Query {
                label: "frequencies population: ".to_owned(),
                text,
                records: false,
            });
        }
    }
    out
}

/// Errors and warnings about the mapping's `fields:` and the columns of its queries.
pub(super) async fn check_columns(
    cfg: &AdapterConfig,
    m: &Mapping,
    live: bool,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let connection = &m.spec.connector.connection.value;
    let Some(dialect) = cfg.connections.get(connection).and_then(dialect) else {
        return;
    };
    for q in queries(m) {
        if live {
            match m.connector.describe(&q.text.value).await {
                Ok(Some(columns)) => {
                    if q.records {
                        compare(m, &q, &columns, "the database reports", errors);
                    }
                    continue;
                }
                Ok(None) => {}
                // The probe reports a registry that does not answer.
                Err(ConnectorError::Unavailable(_)) => return,
                Err(e) => {
                    errors.push(
                        Diagnostic::new(
                            &m.file,
                            codes::QUERY_REFUSED,
                            format!(
                                "{}the query does not prepare on connection `{connection}`: {e}",
                                q.label
                            ),
                        )
                        .at_location(q.text.referenced)
                        .hint("the database names what it does not know: fix that column or table in the query"),
                    );
                    continue;
                }
            }
        }
        if q.records && !m.spec.connector.fields.is_empty() {
            offline(m, &q, dialect, errors, warnings);
        }
    }
}

/// `fields:` against the select list of `q`, read without a database.
fn offline(
    m: &Mapping,
    q: &Query<'_>,
    dialect: SqlDialect,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    match select_list(&q.text.value, dialect) {
        SelectList::Columns { names, unnamed } if unnamed.is_empty() => {
            compare(m, q, &names, "its select list names", errors);
        }
        SelectList::Columns { names, unnamed } => {
            let mut unsure = Vec::new();
            compare(m, q, &names, "its select list names", &mut unsure);
            if !unsure.is_empty() {
                let why = format!("{} without AS", unnamed.join(", "));
                warnings.push(cannot_tell(m, q, &why));
            }
        }
        SelectList::Unknown(why) => warnings.push(cannot_tell(m, q, &why)),
    }
}

/// The parser dialect of a SQL connection; `None` for connections without SQL.
fn dialect(c: &ConnectionConfig) -> Option<SqlDialect> {
    match c {
        ConnectionConfig::Sql(s) => match oots_connector_sql::Dialect::from_url(&s.url).ok()? {
            oots_connector_sql::Dialect::Sqlite => Some(SqlDialect::Sqlite),
            oots_connector_sql::Dialect::Postgres => Some(SqlDialect::Postgres),
            oots_connector_sql::Dialect::MySql => Some(SqlDialect::MySql),
        },
        ConnectionConfig::Mssql(_) => Some(SqlDialect::MsSql),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn cannot_tell(m: &Mapping, q: &Query<'_>, why: &str) -> Diagnostic {
    Diagnostic::new(
        &m.file,
        codes::COLUMNS_UNKNOWN,
        format!(
            "{}cannot tell which columns the query returns ({why}), so `fields:` is not compared with them; run `check --live`",
            q.label
        ),
    )
    .at_location(q.text.referenced)
    .hint("name the columns (and give expressions an AS) in the select list, or run `oots-adapter check --live` against the registry")
}

/// One error per field whose column is not among `columns` (ASCII case-insensitive, as
/// records are read), at that `fields:` entry, naming the nearest column.
fn compare(
    m: &Mapping,
    q: &Query<'_>,
    columns: &[String],
    source: &str,
    errors: &mut Vec<Diagnostic>,
) {
    let text = std::fs::read_to_string(&m.file).unwrap_or_default();
    for (field, column) in &m.spec.connector.fields {
        if columns.iter().any(|c| c.eq_ignore_ascii_case(column)) {
            continue;
        }
        let listed = columns
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut d = Diagnostic::new(
            &m.file,
            codes::FIELD_NOT_RETURNED,
            format!(
                "{}field `{field}` reads column `{column}`, which the query does not return ({source}: {listed})",
                q.label
            ),
        );
        if let Some((line, col)) = field_location(&text, field) {
            d = d.at(line, col);
        }
        d = match nearest(column, columns) {
            Some(near) => d.hint(format!(
                "did you mean `{near}`? write `{field}: {near}`, or add `{column}` to the query's select list"
            )),
            None => d.hint(format!("add `{column}` to the query's select list")),
        };
        errors.push(d);
    }
}

/// The column closest to `column` by edit distance (case-insensitive).
fn nearest<'a>(column: &str, columns: &'a [String]) -> Option<&'a str> {
    let want = column.to_ascii_lowercase();
    columns
        .iter()
        .min_by_key(|c| distance(&want, &c.to_ascii_lowercase()))
        .map(String::as_str)
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(previous + 1).min(row[j] + 1);
        }
    }
    row[b.len()]
}

/// Line and column (1-based) of `field`'s key under the mapping's `fields:` block, found
/// in the text: the loaded map keeps no positions.
fn field_location(text: &str, field: &str) -> Option<(u64, u64)> {
    let mut lines = text.lines().enumerate();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let block =
        lines.find_map(|(_, l)| (l.trim_end().trim_start() == "fields:").then(|| indent(l)))?;
    for (n, l) in lines {
        let trimmed = l.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent(l) <= block {
            return None;
        }
        let key = trimmed.split(':').next().unwrap_or("").trim();
        if key.trim_matches(|c| c == '"' || c == '\'') == field {
            return Some((n as u64 + 1, indent(l) as u64 + 1));
        }
    }
    None
}

/// `test`: every fixture record (`records:`) and recorded response holds each field
/// declared under `fields:`, as a registry row always does; a fixture without one tests
/// an answer the registry can never give.
pub(super) fn fixture_gaps(m: &Mapping, t: &TestCase) -> Vec<String> {
    let fields = &m.spec.connector.fields;
    let mut gaps = Vec::new();
    for (i, record) in t.records.iter().enumerate() {
        for field in fields.keys() {
            if !record.keys().any(|k| k.eq_ignore_ascii_case(field)) {
                gaps.push(format!(
                    "{}: test `{}`: registry record {} lacks field `{field}`, declared under connector.fields (write `{field}: null` for an empty one)",
                    codes::FIXTURE_LACKS_FIELD,
                    t.name,
                    i + 1
                ));
            }
        }
    }
    for (i, response) in t.responses.iter().enumerate() {
        let Ok(found) = m.connector.fixture_fields_found(response, fields) else {
            continue;
        };
        for field in fields.keys().filter(|f| !found.contains(*f)) {
            gaps.push(format!(
                "{}: test `{}`: recorded response {} lacks field `{field}`, declared under connector.fields",
                codes::FIXTURE_LACKS_FIELD,
                t.name,
                i + 1
            ));
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_column_is_the_closest_spelling() {
        let columns = vec![
            "surname".to_owned(),
            "given_name".to_owned(),
            "dob".to_owned(),
        ];
        assert_eq!(nearest("surnme", &columns), Some("surname"));
        assert_eq!(nearest("GivenName", &columns), Some("given_name"));
    }

    #[test]
    fn a_field_is_found_under_its_fields_block() {
        let text = "connector:\n  query: SELECT 1\n  fields:\n    id: id\n    # c\n    \"name\": surname\nevidence:\n  name: x\n";
        assert_eq!(field_location(text, "id"), Some((4, 5)));
        assert_eq!(field_location(text, "name"), Some((6, 5)));
        assert_eq!(field_location(text, "evidence"), None);
    }
}
