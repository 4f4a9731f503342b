//! The skip list is what the README and CI run: `cargo test-all` is the alias, the README's
//! test command, and `.ci/run`'s (refusing every skip but `MSSQL_URL`); and no suite
//! skips behind the helper's back with a `println!` of its own.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(workspace().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn the_alias_the_readme_and_ci_agree() {
    let config = read(".cargo/config.toml");
    assert!(
        config.contains("test-all = \"run --quiet -p oots-testskip --bin oots-test-all --\""),
        "{config}"
    );
    let readme = read("README.md");
    assert!(
        readme.contains("```sh\ncargo test-all\n```"),
        "README's test command"
    );
    assert!(readme.contains("`MSSQL_URL`"), "README lists MSSQL_URL");
    let ci = read(".ci/run");
    let last = ci.lines().rfind(|l| l.starts_with("cargo ")).unwrap();
    assert_eq!(last, "cargo test-all --require-all --allow-skip MSSQL_URL");
    assert!(
        !ci.contains("MSSQL_URL="),
        "CI has no SQL Server: its skip is the allowed one"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name();
        if p.is_dir() {
            if name != "target" && name != "node_modules" && name != ".git" {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_skip_goes_through_the_helper() {
    let mut files = Vec::new();
    rust_files(&workspace(), &mut files);
    assert!(files.len() > 100, "{} files", files.len());
    let own = workspace().join("tests/skip");
    let mut found = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(&own)) {
        let text = std::fs::read_to_string(f).unwrap();
        // A print whose text starts with SKIPPED, possibly on the line after the macro.
        let squashed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for pat in [
            "println!( \"SKIPPED",
            "println!(\"SKIPPED",
            "eprintln!(\"SKIPPED",
            "eprintln!( \"SKIPPED",
        ] {
            if squashed.contains(pat) {
                found.push(
                    f.strip_prefix(workspace())
                        .unwrap_or(f)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    assert!(
        found.is_empty(),
        "these print SKIPPED themselves; call oots_testskip::skip_unless_env or skip, \
         so that cargo test-all lists the skip: {found:?}"
    );
}
