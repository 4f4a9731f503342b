//! `oots-adapter check`: offline validation of deployments, all problems at once.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn check(args: &[&str], path: &Path) -> (bool, String) {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(path)
            .args(args),
        120,
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_examples_pass() {
    let (ok, out) = check(&[], &workspace().join("examples"));
    assert!(ok, "{out}");
    assert!(
        out.contains("ok    ") && out.contains("no problems"),
        "{out}"
    );
}

#[test]
fn typos_inline_passwords_and_remote_registries_are_checked_offline() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let tpl = dir
        .path()
        .join("mappings/templates/birth-certificate.xml.hbs");
    let text = std::fs::read_to_string(&tpl).unwrap();
    std::fs::write(
        &tpl,
        text.replace("record.place_of_birth", "record.birthplace"),
    )
    .unwrap();
    let cfg = dir.path().join("adapter.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    // A registry that does not exist here: offline check must not try to reach it.
    let text = text
        .replace(
            "url: sqlite://state/birth-register.db",
            "url: postgres://reader:geheim@registry.invalid/civil",
        )
        .replace("    init: registry/seed.sql\n", "");
    std::fs::write(&cfg, text).unwrap();

    let (ok, out) = check(&[], dir.path());
    assert!(!ok, "{out}");
    assert!(
        out.contains("OEA-E0401") && !out.contains("geheim"),
        "{out}"
    );
    assert!(out.contains("birth-certificate.xml.hbs:15:"), "{out}");
    assert!(
        out.contains("OEA-E0114") && out.contains("record.birthplace"),
        "{out}"
    );
    assert!(
        out.contains("hint: record fields defined by the mapping"),
        "{out}"
    );

    let (ok, json) = check(&["--format", "json"], dir.path());
    assert!(!ok);
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["ok"], false);
    let codes: Vec<&str> = v["deployments"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["OEA-E0401", "OEA-E0114"]);

    // --live opens the connection: the unknown host is reported, not a crash.
    let (ok, out) = check(&["--live"], dir.path());
    assert!(!ok);
    assert!(out.contains("OEA-E0111"), "{out}");
    assert!(!out.contains("geheim"), "{out}");
}

fn test_cmd(args: &[&str], path: &Path) -> (bool, String) {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("test")
            .arg(path)
            .args(args),
        120,
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn mapping_tests_pass_and_failures_are_masked_diffs() {
    let (ok, out) = test_cmd(&[], &workspace().join("examples"));
    assert!(ok, "{out}");
    assert!(out.contains("35 passed, 0 failed"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(
        &m,
        text.replace("Child/PlaceOfBirth: Berlin", "Child/PlaceOfBirth: Bern")
            .replace(
                "expect: { action: ExceptionResponse, code: \"EDM:ERR:0007\" }",
                "expect: { action: ExceptionResponse, code: \"EDM:ERR:0004\" }",
            ),
    )
    .unwrap();
    // A golden file edited by hand no longer matches.
    let g = dir
        .path()
        .join("mappings/golden/jean-dupont.v2.response.xml");
    let golden = std::fs::read_to_string(&g).unwrap();
    std::fs::write(&g, golden.replace("Dupont", "Dupond")).unwrap();

    let (ok, out) = test_cmd(&[], dir.path());
    assert!(!ok);
    assert!(out.contains("3 failed"), "{out}");
    assert!(
        out.contains(
            "evidence Child/PlaceOfBirth: expected \"B***\" (4 chars), got \"B*****\" (6 chars)"
        ),
        "{out}"
    );
    assert!(!out.contains("Berlin"), "personal data in the diff: {out}");
    assert!(
        out.contains("code: expected EDM:ERR:0004, got EDM:ERR:0007"),
        "{out}"
    );
    assert!(out.contains("differs from golden file"), "{out}");

    let (ok, json) = test_cmd(&["--format", "json"], dir.path());
    assert!(!ok);
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["passed"], 16);
    assert_eq!(v["failed"], 3);

    // --update rewrites golden files; the answers are byte-stable across runs.
    let (_, _) = test_cmd(&["--update"], dir.path());
    let first = std::fs::read(&g).unwrap();
    let (_, _) = test_cmd(&["--update"], dir.path());
    assert_eq!(first, std::fs::read(&g).unwrap());
}

#[test]
fn the_ready_mappings_pass_check_and_test() {
    let (ok, out) = check(&[], &workspace().join("mappings"));
    assert!(ok, "{out}");
    assert!(
        out.contains("5 deployment(s) checked, no problems"),
        "{out}"
    );
    let (ok, out) = test_cmd(&[], &workspace().join("mappings"));
    assert!(ok, "{out}");
    assert!(out.contains(" passed, 0 failed"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
}

#[test]
fn release_policy_and_labels_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    let text = text
        .replace(
            "tests:\n",
            // (the quickstart mapping already labels its fields for the preview page)
            "policy: { min_level_of_assurance: Substantial, preview: never }\n\
             tests:\n  - name: low assurance is refused\n    \
             request: { family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", level_of_assurance: Low }\n    \
             records: []\n    expect: { action: ExceptionResponse, code: \"EDM:ERR:0001\" }\n",
        )
        .replace(
            "expect: { action: ExceptionResponse, code: \"EDM:ERR:0002\" }",
            "expect: { action: ExecuteQueryResponse, attachment: application/xml }",
        );
    std::fs::write(&m, &text).unwrap();
    let (ok, out) = test_cmd(&[], dir.path());
    assert!(ok, "{out}");
    assert!(out.contains("20 passed, 0 failed"), "{out}");

    // A label for a field the mapping does not have.
    std::fs::write(
        &m,
        text.replace(
            "  family_name: { EN: Family name",
            "  surname: { EN: Family name",
        ),
    )
    .unwrap();
    let (ok, out) = check(&[], dir.path());
    assert!(!ok);
    assert!(
        out.contains("OEA-E0115") && out.contains("`surname`"),
        "{out}"
    );
}

#[test]
fn a_jsonpath_matching_nothing_in_the_recorded_responses_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("mappings/proof-of-residence"), dir.path());
    let m = dir.path().join("mapping/proof-of-residence.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(
        &m,
        text.replace(
            "family_name_prefix: $.name.prefix",
            "family_name_prefix: $.name.prefx",
        ),
    )
    .unwrap();
    let (ok, out) = check(&[], dir.path());
    assert!(!ok);
    assert!(
        out.contains("OEA-E0116") && out.contains("`$.name.prefx` matches nothing"),
        "{out}"
    );
}

/// Issue 20: string literals with spaces (a date format, a default text) are not unknown
/// variables; a misspelt variable still is, at its file:line:col, inside a block too.
#[test]
fn string_literals_with_spaces_pass_and_misspelt_variables_are_still_placed() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let tpl = dir
        .path()
        .join("mappings/templates/birth-certificate.xml.hbs");
    let text = std::fs::read_to_string(&tpl).unwrap();
    let literals = text
        .replace(
            "{{record.date_of_birth}}",
            "{{date record.date_of_birth \"%d %B %Y\"}}",
        )
        .replace(
            "{{record.registration_date}}",
            "{{default record.registration_date \"not yet registered\"}}",
        );
    std::fs::write(&tpl, &literals).unwrap();
    let (ok, out) = check(&[], dir.path());
    assert!(ok, "{out}");

    std::fs::write(
        &tpl,
        literals
            .replace(
                "{{record.father_name}}</FullName>",
                "{{record.fathers_name}}</FullName>",
            )
            .replace(
                "{{record.registry_office}}",
                "{{default record.registry_ofice \"a b c\"}}",
            ),
    )
    .unwrap();
    let (ok, out) = check(&[], dir.path());
    assert!(!ok, "{out}");
    assert!(
        out.contains("birth-certificate.xml.hbs:6:19") && out.contains("record.registry_ofice"),
        "{out}"
    );
    assert!(
        out.contains("birth-certificate.xml.hbs:18:21") && out.contains("record.fathers_name"),
        "{out}"
    );
    assert_eq!(out.matches("OEA-E0114").count(), 2, "{out}");
}

/// Issue 20: a field recorded as JSON `null` in every response is present (its path
/// matches); a path that truly matches nothing is still reported.
#[test]
fn a_field_recorded_as_null_is_present_but_a_path_matching_nothing_is_not() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("mappings/proof-of-residence"), dir.path());
    let m = dir.path().join("mapping/proof-of-residence.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    // The only non-null prefix becomes null: every recorded prefix is now `null`.
    let nulls = text.replace("prefix: van,", "prefix: null,");
    assert_ne!(nulls, text);
    std::fs::write(&m, &nulls).unwrap();
    let (ok, out) = check(&[], dir.path());
    assert!(ok, "{out}");

    std::fs::write(
        &m,
        nulls.replace(
            "place_of_birth: $.birth.place",
            "place_of_birth: $.birth.plce",
        ),
    )
    .unwrap();
    let (ok, out) = check(&[], dir.path());
    assert!(!ok);
    assert!(
        out.contains("OEA-E0116") && out.contains("`$.birth.plce` matches nothing"),
        "{out}"
    );
    assert_eq!(out.matches("OEA-E0116").count(), 1, "{out}");
}

/// The shipped examples and ready mappings are the models authorities copy: `check` has
/// nothing to warn about in them (DSD keys, page texts in every offered language).
#[test]
fn the_examples_and_ready_mappings_give_no_warnings() {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .current_dir(workspace())
            .args(["check", "--format", "json", "examples", "mappings"]),
        120,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let deployments = report["deployments"].as_array().unwrap();
    assert!(deployments.len() >= 8, "{report}");
    for d in deployments {
        assert_eq!(d["warnings"], serde_json::json!([]), "{}", d["config"]);
        assert_eq!(d["diagnostics"], serde_json::json!([]), "{}", d["config"]);
    }
}
