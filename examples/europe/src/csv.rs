//! CSV output: RFC 4180 quoting, UTF-8, `\n` line ends, the same header for the registry
//! and the requests, as `oots-adapter match-eval` reads them. Written by hand because one
//! function does not justify a dependency whose output might change.

use std::fmt::Write as _;

/// A field, quoted when it holds a comma, a quote, a line break or edge spaces.
pub fn field(s: &str) -> String {
    let needs = s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ');
    if needs {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A whole file: header and rows.
pub fn document<'a>(header: &[&str], rows: impl IntoIterator<Item = Vec<&'a str>>) -> String {
    let mut out = String::new();
    let line = |out: &mut String, cells: &[&str]| {
        let joined: Vec<String> = cells.iter().map(|c| field(c)).collect();
        let _ = writeln!(out, "{}", joined.join(","));
    };
    line(&mut out, header);
    for r in rows {
        line(&mut out, &r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("Müller"), "Müller");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            document(&["a", "b"], [vec!["1", "x,y"]]),
            "a,b\n1,\"x,y\"\n"
        );
    }
}
