//! `evidence.deferred` in a mapping file (issue 19 item 3): `oots-adapter test` checks a
//! deferral with `expect: deferred_until`, and `check` reports an unusable section at its
//! file:line:col.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(command: &str, args: &[&str], path: &Path) -> (bool, String) {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg(command)
            .arg(path)
            .args(args),
        120,
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const JEAN: &str = "register_number: G 4711/1992, family_name: Dupont, given_name: Jean, birth_name: null, sex: M, date_of_birth: \"1992-10-22\", place_of_birth: Berlin, father_name: null, mother_name: null, registration_date: \"1992-10-26\", registry_office: Standesamt Berlin I";

/// The quickstart copied to a temporary folder, its mapping reading `available_from` and
/// deferring with `deferred` (YAML lines under `evidence:`), with `tests` first among its
/// tests; the folder and the mapping file.
fn quickstart_with(deferred: &str, tests: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let mut yaml = std::fs::read_to_string(&m).unwrap();
    for (from, to) in [
        (
            "registry_office\n      FROM",
            "registry_office, available_from\n      FROM",
        ),
        (
            "    registry_office: registry_office\n",
            "    registry_office: registry_office\n    available_from: available_from\n",
        ),
        (
            "evidence:\n  issuing_date:",
            &format!("evidence:\n{deferred}  issuing_date:"),
        ),
        ("\ntests:\n", &format!("\ntests:\n{tests}")),
    ] {
        assert!(yaml.contains(from), "{from}");
        yaml = yaml.replacen(from, to, 1);
    }
    // The quickstart's own test records hold the new field too, as registry rows would
    // (`test` fails a record lacking a declared field, OEA-E0123).
    let yaml: Vec<String> = yaml
        .lines()
        .map(|l| match l.strip_suffix(" }") {
            Some(head) if l.contains(", registry_office: ") && !l.contains("available_from") => {
                format!("{head}, available_from: null }}")
            }
            _ => l.to_owned(),
        })
        .collect();
    std::fs::write(&m, yaml.join("\n") + "\n").unwrap();
    (dir, m)
}

#[test]
fn mapping_tests_expect_a_deferral_in_both_versions() {
    let tests = format!(
        "  - name: not available yet (2.0)\n    request: {{ version: v2.0, family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", format: application/pdf }}\n    records: [{{ {JEAN}, available_from: \"2026-02-01T08:00:00Z\" }}]\n    expect: {{ action: ExecuteQueryResponse, deferred_until: \"2026-02-01T08:00:00.000Z\" }}\n\
         \x20 - name: not available yet (1.2)\n    request: {{ version: v1.2, family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", format: application/pdf }}\n    records: [{{ {JEAN}, available_from: \"2026-02-01\" }}]\n    expect: {{ action: ExecuteQueryResponse, deferred_until: \"2026-02-01T00:00:00.000Z\" }}\n\
         \x20 - name: available since yesterday\n    request: {{ version: v2.0, family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", format: application/pdf }}\n    records: [{{ {JEAN}, available_from: \"2025-12-31T12:00:00Z\" }}]\n    expect: {{ action: ExecuteQueryResponse, attachment: application/pdf }}\n\
         \x20 - name: an availability that is no date\n    request: {{ version: v2.0, family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", format: application/pdf }}\n    records: [{{ {JEAN}, available_from: next week }}]\n    expect: {{ action: ExceptionResponse, code: \"EDM:ERR:0008\" }}\n\
         \x20 - name: a wrong expectation\n    request: {{ version: v2.0, family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", format: application/pdf }}\n    records: [{{ {JEAN}, available_from: \"2026-03-01T00:00:00Z\" }}]\n    expect: {{ deferred_until: \"2026-02-01T00:00:00.000Z\" }}\n"
    );
    let (dir, _) = quickstart_with("  deferred:\n    available_at: available_from\n", &tests);
    let (ok, out) = run("test", &[], dir.path());
    assert!(!ok, "{out}");
    assert!(out.contains("1 failed"), "{out}");
    assert!(
        out.contains(
            "deferred_until: expected 2026-02-01T00:00:00.000Z, got 2026-03-01T00:00:00.000Z"
        ),
        "{out}"
    );
    let (_, json) = run("test", &["--format", "json"], dir.path());
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["failed"], 1, "{json}");
    let (ok, out) = run("check", &[], dir.path());
    assert!(ok, "{out}");
}

#[test]
fn a_condition_and_delay_defer_from_the_test_clock() {
    let tests = format!(
        "  - name: pending\n    request: {{ family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", format: application/pdf }}\n    records: [{{ {JEAN}, available_from: pending }}]\n    expect: {{ action: ExecuteQueryResponse, deferred_until: \"2026-01-03T12:00:00.000Z\" }}\n"
    );
    let deferred =
        "  deferred:\n    when: { field: available_from, equals: pending }\n    delay_hours: 48\n";
    let (dir, _) = quickstart_with(deferred, &tests);
    let (ok, out) = run("test", &[], dir.path());
    assert!(ok, "{out}");
    assert!(out.contains("0 failed"), "{out}");
}

/// The line (1-based) of `file` holding `text`.
fn line_of(file: &Path, text: &str) -> usize {
    let yaml = std::fs::read_to_string(file).unwrap();
    yaml.lines().position(|l| l.contains(text)).unwrap() + 1
}

#[test]
fn check_reports_an_unusable_deferral_where_it_is_written() {
    // A condition without its delay.
    let (dir, m) = quickstart_with(
        "  deferred:\n    when: { field: available_from, equals: pending }\n",
        "",
    );
    let (ok, out) = run("check", &[], dir.path());
    assert!(!ok, "{out}");
    let line = line_of(&m, "when: { field: available_from");
    assert!(
        out.contains(&format!("birth-certificate.yaml:{line}:")) && out.contains("OEA-E0130"),
        "{out}"
    );
    assert!(out.contains("needs `delay_hours`"), "{out}");

    // A field the connector does not return.
    let (dir, m) = quickstart_with("  deferred:\n    available_at: ready_on\n", "");
    let (ok, out) = run("check", &[], dir.path());
    assert!(!ok, "{out}");
    let line = line_of(&m, "available_at: ready_on");
    assert!(
        out.contains(&format!("birth-certificate.yaml:{line}:19: OEA-E0115")),
        "{out}"
    );
    assert!(out.contains("evidence.deferred uses `ready_on`"), "{out}");

    // A key the loader does not know.
    let (dir, m) = quickstart_with("  deferred:\n    available_on: available_from\n", "");
    let (ok, out) = run("check", &[], dir.path());
    assert!(!ok, "{out}");
    let line = line_of(&m, "available_on:");
    assert!(
        out.contains(&format!("birth-certificate.yaml:{line}:")),
        "{out}"
    );
}
