//! Issue 20 item 3: every `check` finding about a mapping, a template or `adapter.yaml`
//! points at the line and column to fix, and says what to write there (the declared field
//! a typo meant, the column a key belongs at, the block left open).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn check(path: &Path) -> (bool, String) {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(path),
        120,
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const QUICKSTART: &str = "examples/quickstart/mappings/birth-certificate.yaml";
const RESIDENCE: &str = "mappings/proof-of-residence/mapping/proof-of-residence.yaml";

/// The 1-based line of the workspace file `file` that starts with `start`, so the
/// expected positions follow edits of the shipped files.
fn line(file: &str, start: &str) -> usize {
    let text = std::fs::read_to_string(workspace().join(file)).unwrap();
    text.lines().position(|l| l.starts_with(start)).unwrap() + 1
}

/// A copy of `example` (under the workspace) with `file` edited by `edit`; the output of
/// `check` on it, which must fail.
fn failing(example: &str, file: &str, edit: impl Fn(&str) -> String) -> String {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join(example), dir.path());
    let p = dir.path().join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changed nothing");
    std::fs::write(&p, edited).unwrap();
    let (ok, out) = check(dir.path());
    assert!(!ok, "{out}");
    out
}

fn quickstart(edit: impl Fn(&str) -> String) -> String {
    failing(
        "examples/quickstart",
        "mappings/birth-certificate.yaml",
        edit,
    )
}

fn residence(edit: impl Fn(&str) -> String) -> String {
    failing(
        "mappings/proof-of-residence",
        "mapping/proof-of-residence.yaml",
        edit,
    )
}

#[test]
fn a_misspelt_field_is_placed_and_the_hint_names_the_declared_one() {
    let out = quickstart(|t| t.replace("  GivenName: given_name", "  GivenName: given_nme"));
    assert!(
        out.contains(
            &format!("mappings/birth-certificate.yaml:{}:14: OEA-E0115: identity GivenName uses `given_nme`, which is not among the connector's fields\n  hint: did you mean `given_name`? (one of the connector's fields)", line(QUICKSTART, "  GivenName: given_name"))
        ),
        "{out}"
    );
    let out = quickstart(|t| {
        t.replace(
            "  record_id: register_number",
            "  record_id: register_numbr",
        )
    });
    assert!(
        out.contains(&format!(
            "birth-certificate.yaml:{}:14: OEA-E0115: matching.record_id uses `register_numbr`",
            line(QUICKSTART, "  record_id: register_number")
        )) && out.contains("hint: did you mean `register_number`?"),
        "{out}"
    );
}

#[test]
fn a_field_far_from_any_declared_one_lists_them_at_its_position() {
    let out = quickstart(|t| {
        t.replace(
            "  FamilyName: [family_name, birth_name]",
            "  FamilyName: [family_name, surname]",
        )
    });
    assert!(
        out.contains(
            &format!("birth-certificate.yaml:{}:29: OEA-E0115: identity FamilyName uses `surname`, which is not among the connector's fields\n  hint: the connector's fields are: birth_name, date_of_birth, family_name, father_name, given_name, mother_name, place_of_birth, register_number, registration_date, registry_office, sex; or add `surname: <path>` under connector.fields", line(QUICKSTART, "  FamilyName: [family_name"))
        ),
        "{out}"
    );
    let out = quickstart(|t| {
        t.replace(
            "  family_name: { EN: Family name",
            "  surname: { EN: Family name",
        )
    });
    assert!(
        out.contains(&format!(
            "birth-certificate.yaml:{}:3: OEA-E0115: labels name `surname`",
            line(QUICKSTART, "  family_name: { EN: Family name")
        )),
        "{out}"
    );
}

#[test]
fn field_paths_that_are_invalid_or_match_nothing_are_placed() {
    let out = residence(|t| {
        t.replace(
            "family_name_prefix: $.name.prefix",
            "family_name_prefix: $.name.prefx",
        )
    });
    assert!(
        out.contains(
            &format!("proof-of-residence.yaml:{}:25: OEA-E0116: field `family_name_prefix`: `$.name.prefx` matches nothing in any recorded response", line(RESIDENCE, "    family_name_prefix: $.name.prefix"))
        ),
        "{out}"
    );
    let out = residence(|t| {
        t.replace(
            "family_name_prefix: $.name.prefix",
            "family_name_prefix: $.name[",
        )
    });
    assert!(
        out.contains(&format!("proof-of-residence.yaml:{}:25: OEA-E0113: field `family_name_prefix`: connector configuration: invalid JSONPath `$.name[`: expected selector at character 8\n  hint: ", line(RESIDENCE, "    family_name_prefix: $.name.prefix"))),
        "{out}"
    );
}

#[test]
fn a_missing_key_is_placed_at_the_section_that_lacks_it() {
    let out = quickstart(|t| {
        let (i, j) = (
            t.find("  query: |").unwrap(),
            t.find("  parameters:").unwrap(),
        );
        format!("{}{}", &t[..i], &t[j..])
    });
    assert!(
        out.contains(
            &format!("birth-certificate.yaml:{}:1: OEA-E0002: `connector` lacks the required key `query`\n  hint: add `query: …` under `connector`", line(QUICKSTART, "connector:"))
        ),
        "{out}"
    );
}

#[test]
fn a_key_at_the_wrong_column_says_indentation_and_the_expected_column() {
    let given = line(QUICKSTART, "  GivenName: given_name");
    let family = line(QUICKSTART, "  FamilyName: [family_name");
    let connection = line(QUICKSTART, "  connection: birth_register");
    let out = quickstart(|t| t.replace("  GivenName: given_name", "   GivenName: given_name"));
    assert!(
        out.contains(
            &format!("birth-certificate.yaml:{given}:4: OEA-E0002: indentation: `GivenName` starts at column 4, but `FamilyName` (line {family}) starts at column 3: expected column 3\n  hint: keys of the same section start in the same column; indent with spaces")
        ),
        "{out}"
    );
    let out = quickstart(|t| t.replace("  GivenName: given_name", " GivenName: given_name"));
    assert!(
        out.contains(&format!("birth-certificate.yaml:{given}:2: OEA-E0002: indentation: `GivenName` starts at column 2, but `FamilyName` (line {family}) starts at column 3: expected column 3")),
        "{out}"
    );
    let out = quickstart(|t| {
        t.replace(
            "  connection: birth_register\n",
            "  connection: birth_register\n    timeout: 3\n",
        )
    });
    assert!(
        out.contains(&format!("birth-certificate.yaml:{}:5: OEA-E0002: indentation: `timeout` starts at column 5, but `connection` (line {connection}) starts at column 3: expected column 3", connection + 1)),
        "{out}"
    );
}

#[test]
fn an_unclosed_block_is_named_where_it_opens_in_the_template() {
    let out = failing(
        "examples/quickstart",
        "mappings/templates/birth-certificate.xml.hbs",
        |t| t.replacen("{{/if}}\n", "", 1),
    );
    assert!(
        out.contains(
            "mappings/templates/birth-certificate.xml.hbs:10:1: OEA-E0107: the block `{{#if record.birth_name}}` opened at 10:1 is never closed (add `{{/if}}`)"
        ),
        "{out}"
    );
    assert!(!out.contains("expected escape"), "{out}");
}

#[test]
fn a_wrong_records_jsonpath_in_adapter_yaml_is_placed() {
    let out = failing("mappings/proof-of-residence", "adapter.yaml", |t| {
        t.replace("records: $.residents[*]", "records: $.residents[")
    });
    assert!(
        out.contains(&format!("adapter.yaml:{}:14: OEA-E0125: connection `population_register`: records: invalid JSONPath `$.residents[`: expected selector at character 13\n  hint: an RFC 9535 JSONPath from the response's root, e.g. `$.residents[*]`", line("mappings/proof-of-residence/adapter.yaml", "    records: $.residents[*]"))),
        "{out}"
    );
}
