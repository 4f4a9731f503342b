//! No log level may carry personal data: every test of every shipped mapping is run at
//! `OOTS_LOG=trace` (and `debug`), and the log must not contain any personal value of the
//! tests' requests or records (names, dates of birth, parents' names, places…).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn mappings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings")
}

/// The mapping files below `mappings/`: every `*.yaml` in a `mapping/` folder.
fn mapping_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for deployment in std::fs::read_dir(mappings_dir()).expect("mappings/") {
        let dir = deployment.expect("entry").path().join("mapping");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 5, "the shipped mappings: {out:?}");
    out
}

/// Request keys that are not personal (protocol choices of the test).
const NOT_PERSONAL: &[&str] = &["version", "format", "preview", "procedure", "requester"];

/// Record values that are not about the person (kinds, codes, offices).
fn personal(key: &str, value: &str) -> bool {
    let v = value.trim();
    !NOT_PERSONAL.contains(&key)
        && !matches!(
            key,
            "sex" | "gender" | "registry_office" | "status" | "kind"
        )
        && v.chars().count() >= 4
        && v.chars().any(|c| c.is_alphanumeric())
}

fn collect(value: &Value, key: &str, out: &mut Vec<String>) {
    match value {
        Value::String(s) if personal(key, s) => out.push(s.trim().to_owned()),
        Value::Number(n) if key.contains("date") || key.contains("year") => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| collect(i, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| collect(v, k, out)),
        _ => {}
    }
}

/// The personal values of one mapping file's tests: every value of their requests and
/// records.
fn personal_values(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("mapping file");
    let doc: Value = serde_saphyr::from_str(&text).expect("mapping YAML");
    let mut out = Vec::new();
    for t in doc["tests"].as_array().into_iter().flatten() {
        collect(&t["request"], "request", &mut out);
        collect(&t["records"], "records", &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the lower-cased `log` names `value` as a value of its own: not inside a longer
/// run of letters and digits (nor of hyphens, for a value without one), where a short
/// value (`0613`) would be found in a timestamp's microseconds or a random message id.
fn mentions(log: &str, value: &str) -> bool {
    let value = value.to_lowercase();
    let joins = |c: char| c.is_alphanumeric() || (c == '-' && !value.contains('-'));
    log.match_indices(&value).any(|(at, _)| {
        let before = log[..at].chars().next_back();
        let after = log[at + value.len()..].chars().next();
        !before.is_some_and(joins) && !after.is_some_and(joins)
    })
}

#[test]
fn a_value_is_found_on_its_own_and_not_inside_a_timestamp_or_an_id() {
    assert!(mentions(
        "name=\"mehmet öztürk\" born 1990-11-03",
        "Mehmet Öztürk"
    ));
    assert!(mentions("dob=1990-11-03,", "1990-11-03"));
    assert!(!mentions("2026-12-07t04:42:08.400613z info", "0613"));
    assert!(!mentions("message_id=cefddb8d-0613a-4e", "0613"));
    assert!(!mentions("answer_id=f8e53362-0613-4e", "0613"));
    assert!(mentions("id=0613 ", "0613"));
}

fn run_tests_at(level: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
        .arg("test")
        .arg(mappings_dir())
        .env("OOTS_LOG", level)
        .env("NO_COLOR", "1")
        .output()
        .expect("run oots-adapter test");
    assert!(
        out.status.success(),
        "the mapping tests pass at {level}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn no_level_logs_personal_values_of_the_mapping_tests() {
    let mut values = Vec::new();
    for f in mapping_files() {
        values.extend(personal_values(&f));
    }
    assert!(
        values.iter().any(|v| v == "Mehmet Öztürk") && values.iter().any(|v| v == "1990-11-03"),
        "the fixtures' parents' names and dates of birth are looked for: {values:?}"
    );
    for level in ["trace", "debug"] {
        let log = run_tests_at(level);
        assert!(
            log.contains(" INFO "),
            "the run at {level} logs the exchanges' outcomes:\n{log}"
        );
        let lower = log.to_lowercase();
        let leaked: Vec<&String> = values.iter().filter(|v| mentions(&lower, v)).collect();
        assert!(
            leaked.is_empty(),
            "personal values in the log at {level}: {leaked:?}\n{}",
            log.lines()
                .filter(|l| leaked.iter().any(|v| mentions(&l.to_lowercase(), v)))
                .take(10)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The whole service path too: the quickstart demo (native AS4 both ways, the SQLite
/// registry, the preview with an OpenID sign-in) at `trace` logs none of its people.
#[test]
fn the_demo_at_trace_logs_none_of_its_people() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let quickstart = root.join("examples/quickstart");
    let mut values = personal_values(&quickstart.join("mappings/birth-certificate.yaml"));
    // The provider's own names (its town) are in the configuration, not about a person.
    let config = std::fs::read_to_string(quickstart.join("adapter.yaml")).expect("adapter.yaml");
    values.retain(|v| !config.contains(v.as_str()));
    assert!(values.iter().any(|v| v == "Dupont"), "{values:?}");
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
        .current_dir(&root)
        .args(["demo", "--auto-approve", "--config"])
        .arg(quickstart.join("adapter.yaml"))
        .arg("--out")
        .arg(out_dir.path())
        .env("OOTS_LOG", "trace")
        .env("NO_COLOR", "1")
        .output()
        .expect("run the demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the demo runs: {stdout}");
    assert!(
        stdout.contains("Dupont"),
        "the demo's own report names its subjects"
    );
    let log = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        log.contains("oots_framework::service::send: answered"),
        "the demo logs its exchanges' outcomes inside their spans: {log}"
    );
    let leaked: Vec<&String> = values.iter().filter(|v| mentions(&log, v)).collect();
    assert!(
        leaked.is_empty(),
        "personal values in the demo's log: {leaked:?}"
    );
}
