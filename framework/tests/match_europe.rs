//! Identity matching on the European development data set (`examples/europe`), generated
//! here from a seed the configuration was not tuned on: the targets of
//! docs/matching.md ("Threat model") measured through `oots-adapter match-eval`, the
//! real engine, blocking passes, name frequencies and SQL connector.
//!
//! The data set holds fifteen countries (Greek and Bulgarian registries in their own
//! script, requests in Latin), twins, juniors, namesakes and realistic noise.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A seed other than the one `examples/europe/matching.yaml` was tuned on (1).
const SEED: u64 = 7;

fn generate(dir: &Path) {
    let data = oots_europe_data::generate(&oots_europe_data::Options {
        seed: SEED,
        persons: 12_000,
        requests: 2_400,
        countries: Vec::new(),
    })
    .expect("generated");
    data.write(dir).expect("written");
}

fn eval(dir: &Path, extra: &[&str]) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("match-eval")
            .arg("--config")
            .arg(root.join("examples/europe/matching.yaml"))
            .arg("--registry")
            .arg(dir.join("registry.csv"))
            .arg("--requests")
            .arg(dir.join("requests.csv"))
            .arg("--truth")
            .arg(dir.join("truth.csv"))
            .args(extra),
        600,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "{extra:?}: {e}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    println!("europe seed {SEED} {extra:?}: {report}");
    report
}

fn f(r: &Value, k: &str) -> f64 {
    r[k].as_f64()
        .unwrap_or_else(|| panic!("{k} missing in {r}"))
}

/// The scenario whose false matches are the stated price of a tolerance (a twin named
/// by the first of her sister's given names looks like her sister with the later names
/// left out), reported but not bounded.
const PRICE: &str = "twin_sharing_first_name";

fn assert_safe(r: &Value, what: &str) {
    // Every wrong-person answer is between namesakes on all the request carried.
    assert_eq!(
        f(r, "wrong_person"),
        f(r, "wrong_person_namesakes"),
        "{what}: {r}"
    );
    let adversarial = r["adversarial"].as_object().expect("adversarial");
    for (name, s) in adversarial {
        assert!(f(s, "requests") > 0.0, "{what} {name}: {r}");
        if name == PRICE {
            continue;
        }
        if s["typo_like"] == Value::Bool(true) {
            assert!(f(s, "false_match_rate") <= 0.02, "{what} {name}: {r}");
        } else {
            assert_eq!(f(s, "false_matches"), 0.0, "{what} {name}: {r}");
        }
    }
}

#[test]
fn the_european_set_is_matched_safely_with_and_without_extra_attributes() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let adversarial = ["--adversarial", "--adversarial-per-scenario", "100"];

    let mds = eval(
        dir.path(),
        &[
            adversarial[0],
            adversarial[1],
            adversarial[2],
            "--attributes",
            "FamilyName,GivenName,DateOfBirth",
        ],
    );
    assert!(f(&mds, "recall") >= 0.90, "{mds}");
    assert_safe(&mds, "names and date of birth");

    let all = eval(dir.path(), &adversarial);
    assert!(f(&all, "recall") >= 0.94, "{all}");
    assert_safe(&all, "every attribute");
    assert!(
        all["adversarial"]["identifier_of_another"].is_object(),
        "{all}"
    );

    // Half the persons removed: every match for them is a namesake's.
    let absent = eval(
        dir.path(),
        &[
            "--absent-fraction",
            "0.5",
            "--attributes",
            "FamilyName,GivenName,DateOfBirth",
        ],
    );
    assert!(f(&absent, "absent_requests") > 1000.0, "{absent}");
    assert_eq!(
        f(&absent, "wrong_person"),
        f(&absent, "wrong_person_namesakes"),
        "{absent}"
    );
}
