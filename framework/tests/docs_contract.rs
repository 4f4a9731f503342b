//! `docs/tdd-contract.md` names, for each part of the evidence-provider contract, the
//! tests that hold the adapter to it: each name must be a test that exists, so the page
//! cannot cite a test that was renamed or never written.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `file::function` names in backticks, as the page's Tests column writes them.
fn cited_tests(page: &str) -> Vec<(String, String)> {
    let mut cited = Vec::new();
    for span in page.split('`').skip(1).step_by(2) {
        if let Some((file, function)) = span.split_once("::")
            && !file.is_empty()
            && file
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && function
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            cited.push((file.to_owned(), function.to_owned()));
        }
    }
    cited
}

#[test]
fn every_test_the_contract_page_cites_exists() {
    let root = workspace();
    let page = std::fs::read_to_string(root.join("docs/tdd-contract.md")).unwrap();
    let cited = cited_tests(&page);
    assert!(cited.len() > 40, "only {} tests cited", cited.len());
    let mut missing = Vec::new();
    for (file, function) in &cited {
        let candidates = [
            root.join(format!("framework/tests/{file}.rs")),
            root.join(format!("tests/tests/{file}.rs")),
        ];
        let found = candidates.iter().any(|p| {
            std::fs::read_to_string(p)
                .map(|text| text.contains(&format!("fn {function}()")))
                .unwrap_or(false)
        });
        if !found {
            missing.push(format!("{file}::{function}"));
        }
    }
    assert!(missing.is_empty(), "cited but not found: {missing:#?}");
}

#[test]
fn a_renamed_test_is_caught() {
    let cited = cited_tests("| x | `preview_flow::no_such_test_anywhere` | `not a test` |");
    assert_eq!(
        cited,
        [(
            "preview_flow".to_owned(),
            "no_such_test_anywhere".to_owned()
        )]
    );
    let text =
        std::fs::read_to_string(workspace().join("framework/tests/preview_flow.rs")).unwrap();
    assert!(!text.contains("fn no_such_test_anywhere()"));
}
