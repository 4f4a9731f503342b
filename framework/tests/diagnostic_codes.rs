//! Every `OEA-E`/`OEA-W` code the source defines is unique and has its own row in
//! `docs/error-codes.md`, so an operator who reads a code finds exactly one meaning.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `NAME: &str = "OEA-X0000"` constants of `framework/src/diag.rs`.
fn defined_codes() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(workspace().join("framework/src/diag.rs")).unwrap();
    let start = text.find("pub mod codes").unwrap();
    text[start..]
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix("pub const ")?;
            let (name, value) = rest.split_once(": &str = \"")?;
            Some((name.to_owned(), value.trim_end_matches("\";").to_owned()))
        })
        .collect()
}

#[test]
fn no_two_diagnostics_share_a_code() {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (name, code) in defined_codes() {
        if let Some(other) = seen.insert(code.clone(), name.clone()) {
            panic!("{code} is used by both {other} and {name}");
        }
    }
    assert!(seen.len() > 20, "the codes module was not read: {seen:?}");
}

#[test]
fn every_code_has_one_row_in_the_reference() {
    let doc = std::fs::read_to_string(workspace().join("docs/error-codes.md")).unwrap();
    for (name, code) in defined_codes() {
        let rows = doc
            .lines()
            .filter(|l| l.starts_with(&format!("| `{code}`")))
            .count();
        assert_eq!(
            rows, 1,
            "{code} ({name}) has {rows} rows in docs/error-codes.md"
        );
    }
}
