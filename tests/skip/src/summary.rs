//! The list `cargo test-all` ends with: the suites that skipped, for want of which
//! variable, and why; and whether `--require-all` refuses the run.

use crate::record::Skip;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The printed list and the number of skipped tests `--require-all` refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// What to print, ending with a newline.
    pub text: String,
    /// Skipped tests whose variable is not allowed (counted whether or not required).
    pub refused: usize,
}

/// Groups `skips` by suite, variable and reason (one line each, with the number of tests
/// and, when few, their names); a skip for a variable in `allowed` is marked so and not
/// counted as refused.
pub fn summarize(skips: &[Skip], allowed: &[String], require_all: bool) -> Summary {
    let mut groups: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for s in skips {
        groups
            .entry((&s.suite, &s.variable, &s.reason))
            .or_default()
            .push(&s.test);
    }
    let is_allowed = |v: &str| allowed.iter().any(|a| a == v);
    let refused = skips.iter().filter(|s| !is_allowed(&s.variable)).count();
    let suites: std::collections::BTreeSet<&str> = skips.iter().map(|s| s.suite.as_str()).collect();
    let mut text = String::new();
    if skips.is_empty() {
        text.push_str("test skips: none, every suite ran\n");
    } else {
        let _ = writeln!(
            text,
            "test skips: {} skipped ({}), listed by suite:",
            plural(suites.len(), "suite"),
            plural(skips.len(), "test")
        );
    }
    for ((suite, variable, reason), tests) in &groups {
        let mark = if is_allowed(variable) {
            " (allowed)"
        } else {
            ""
        };
        let names = if tests.len() <= 3 {
            tests.join(", ")
        } else {
            format!("{}, … {} more", tests[..2].join(", "), tests.len() - 2)
        };
        let _ = writeln!(
            text,
            "  {suite}: {variable}{mark}, {} [{names}]: {reason}",
            plural(tests.len(), "test")
        );
    }
    if require_all && refused > 0 {
        let mut vars: Vec<&str> = skips
            .iter()
            .map(|s| s.variable.as_str())
            .filter(|v| !is_allowed(v))
            .collect();
        vars.dedup();
        vars.sort_unstable();
        vars.dedup();
        let allowed = if allowed.is_empty() {
            "none".to_string()
        } else {
            allowed.join(", ")
        };
        let _ = writeln!(
            text,
            "test-all: FAILED, --require-all refuses {} skipped for {} (allowed: {allowed})",
            plural(refused, "test"),
            vars.join(", ")
        );
    }
    Summary { text, refused }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(suite: &str, test: &str, var: &str, reason: &str) -> Skip {
        Skip {
            suite: suite.into(),
            test: test.into(),
            variable: var.into(),
            reason: reason.into(),
        }
    }

    fn sample() -> Vec<Skip> {
        let mysql = "MySQL/MariaDB test (set MYSQL_URL=mysql://root@127.0.0.1:3306/test)";
        let mut v: Vec<Skip> = (1..=5)
            .map(|i| {
                skip(
                    "oots-connector-sql/mysql",
                    &format!("t{i}"),
                    "MYSQL_URL",
                    mysql,
                )
            })
            .collect();
        v.push(skip(
            "oots-connector-mssql/real_server",
            "real_server_temp_table_lookup",
            "MSSQL_URL",
            "real SQL Server test (set MSSQL_URL=mssql://user:pass@host:1433/db)",
        ));
        v.sort();
        v
    }

    #[test]
    fn no_skip_says_so() {
        let s = summarize(&[], &[], true);
        assert_eq!(s.text, "test skips: none, every suite ran\n");
        assert_eq!(s.refused, 0);
    }

    #[test]
    fn each_suite_variable_and_reason_gets_a_line() {
        let s = summarize(&sample(), &["MSSQL_URL".to_string()], false);
        assert_eq!(
            s.text,
            "test skips: 2 suites skipped (6 tests), listed by suite:\n  \
             oots-connector-mssql/real_server: MSSQL_URL (allowed), 1 test \
             [real_server_temp_table_lookup]: real SQL Server test (set \
             MSSQL_URL=mssql://user:pass@host:1433/db)\n  \
             oots-connector-sql/mysql: MYSQL_URL, 5 tests [t1, t2, … 3 more]: \
             MySQL/MariaDB test (set MYSQL_URL=mysql://root@127.0.0.1:3306/test)\n"
        );
        assert_eq!(s.refused, 5);
    }

    #[test]
    fn require_all_refuses_only_what_is_not_allowed() {
        let s = summarize(&sample(), &["MSSQL_URL".to_string()], true);
        assert!(s.text.ends_with(
            "test-all: FAILED, --require-all refuses 5 tests skipped for MYSQL_URL \
             (allowed: MSSQL_URL)\n"
        ));
        let only_mssql: Vec<Skip> = sample()
            .into_iter()
            .filter(|s| s.variable == "MSSQL_URL")
            .collect();
        let s = summarize(&only_mssql, &["MSSQL_URL".to_string()], true);
        assert_eq!(s.refused, 0);
        assert!(!s.text.contains("FAILED"));
        let s = summarize(&only_mssql, &[], true);
        assert!(
            s.text
                .contains("refuses 1 test skipped for MSSQL_URL (allowed: none)")
        );
    }
}
