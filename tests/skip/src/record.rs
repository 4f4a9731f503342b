//! One skip: which suite and test, the variable it lacked, and why; one line of the log.

/// A test that returned early because `variable` was not set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skip {
    /// `<package>/<test binary>`, e.g. `oots-connector-sql/postgres`.
    pub suite: String,
    /// The test's name (libtest names each test's thread after it).
    pub test: String,
    /// The environment variable that would have enabled it (`PATH` for a tool).
    pub variable: String,
    /// What was skipped and how to enable it, as printed after `SKIPPED:`.
    pub reason: String,
}

impl Skip {
    /// The log line: the four fields separated by tabs (tabs and line breaks inside a
    /// field become spaces), ending with a newline.
    pub fn to_line(&self) -> String {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        format!(
            "{}\t{}\t{}\t{}\n",
            clean(&self.suite),
            clean(&self.test),
            clean(&self.variable),
            clean(&self.reason)
        )
    }

    /// Reads a line written by [`Skip::to_line`]; `None` for anything else (a line cut
    /// short by a crash, a blank line).
    pub fn parse_line(line: &str) -> Option<Skip> {
        let mut f = line.trim_end_matches(['\n', '\r']).splitn(4, '\t');
        let skip = Skip {
            suite: f.next()?.to_string(),
            test: f.next()?.to_string(),
            variable: f.next()?.to_string(),
            reason: f.next()?.to_string(),
        };
        (!skip.suite.is_empty() && !skip.variable.is_empty()).then_some(skip)
    }
}

/// `<package>/<test binary>`: cargo sets `CARGO_PKG_NAME` for the test processes it runs;
/// the binary's file name loses cargo's `-<hash>` suffix.
pub fn current_suite() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|s| binary_name(&s).to_string())
        .unwrap_or_else(|| "?".into());
    match std::env::var("CARGO_PKG_NAME") {
        Ok(pkg) if !pkg.is_empty() => format!("{pkg}/{binary}"),
        _ => binary,
    }
}

/// The test running on this thread: libtest runs each test on a thread named after it.
pub fn current_test() -> String {
    std::thread::current().name().unwrap_or("?").to_string()
}

/// `postgres-0123456789abcdef` → `postgres`: cargo's hash is 16 hex digits.
pub fn binary_name(file_stem: &str) -> &str {
    match file_stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name
        }
        _ => file_stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Skip {
        Skip {
            suite: "oots-connector-sql/postgres".into(),
            test: "lookup_by_name".into(),
            variable: "PG_URL".into(),
            reason: "PostgreSQL test (set PG_URL=postgres://postgres@127.0.0.1:5432/test)".into(),
        }
    }

    #[test]
    fn a_line_reads_back_as_the_skip_it_was_written_from() {
        let s = sample();
        assert_eq!(Skip::parse_line(&s.to_line()), Some(s));
    }

    #[test]
    fn tabs_and_newlines_inside_a_field_do_not_break_the_line() {
        let mut s = sample();
        s.reason = "two\tparts\nand a line".into();
        let line = s.to_line();
        assert_eq!(line.matches('\n').count(), 1);
        assert_eq!(
            Skip::parse_line(&line).unwrap().reason,
            "two parts and a line"
        );
    }

    #[test]
    fn a_short_or_blank_line_is_no_skip() {
        assert_eq!(Skip::parse_line(""), None);
        assert_eq!(Skip::parse_line("suite\ttest\tPG_URL"), None);
        assert_eq!(Skip::parse_line("\t\t\t"), None);
    }

    #[test]
    fn the_hash_is_taken_off_the_binary_name() {
        assert_eq!(binary_name("postgres-0123456789abcdef"), "postgres");
        assert_eq!(
            binary_name("oots_framework-a1b2c3d4e5f60718"),
            "oots_framework"
        );
        assert_eq!(binary_name("store-outage"), "store-outage");
        assert_eq!(binary_name("oots-test-all"), "oots-test-all");
    }
}
