//! `oots-adapter match-eval` on the FEBRL data sets (../shared/datasets/febrl): the
//! quality targets of identity matching, measured through the real engine, blocking
//! passes and SQL connector. Skipped (with a message) when the data sets are absent.

mod common;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn febrl() -> Option<PathBuf> {
    let dir = common::shared_dir().join("datasets/febrl");
    if dir.join("febrl1.csv").is_file() {
        Some(dir)
    } else {
        oots_testskip::skip(
            "OOTS_SHARED",
            &format!(
                "FEBRL data sets not found at {} (set OOTS_SHARED)",
                dir.display()
            ),
        );
        None
    }
}

fn eval(dir: &std::path::Path, n: u8, extra: &[&str]) -> Value {
    eval_with("examples/febrl/matching.yaml", dir, n, extra)
}

fn eval_with(config: &str, dir: &std::path::Path, n: u8, extra: &[&str]) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let (code, report) = eval_status(&root.join(config), dir, n, extra);
    assert_eq!(code, Some(0), "febrl{n} {extra:?}: {report}");
    report
}

/// Runs match-eval on `febrl{n}` whatever its exit code: the code and the JSON line.
fn eval_status(
    config: &std::path::Path,
    dir: &std::path::Path,
    n: u8,
    extra: &[&str],
) -> (Option<i32>, Value) {
    let data = dir.join(format!("febrl{n}.csv"));
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("match-eval")
            .arg("--config")
            .arg(config)
            .arg("--registry")
            .arg(&data)
            .arg("--requests")
            .arg(&data)
            .arg("--truth")
            .arg(dir.join(format!("febrl{n}_true_links.csv")))
            .args(extra),
        300,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "febrl{n} {extra:?}: {e}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    println!("febrl{n} {extra:?}: {report}");
    (out.status.code(), report)
}

fn f(r: &Value, k: &str) -> f64 {
    r[k].as_f64()
        .unwrap_or_else(|| panic!("{k} missing in {r}"))
}

const MDS: &[&str] = &["--attributes", "FamilyName,GivenName,DateOfBirth"];

/// FEBRL's duplicates replace whole names and dates often; such a duplicate looks exactly
/// like a sibling or a namesake and is refused (docs/matching.md, "Threat model"), so
/// recall on FEBRL stays below the European set's. Never the wrong person, present or
/// absent.
#[test]
fn names_and_date_of_birth_find_seven_in_ten_and_never_the_wrong_person() {
    let Some(dir) = febrl() else { return };
    for n in 1..=3 {
        let r = eval(&dir, n, MDS);
        assert_eq!(f(&r, "wrong_person"), 0.0, "{r}");
        assert!(f(&r, "recall") >= 0.72, "febrl{n}: {r}");
        let absent = eval(&dir, n, &[MDS[0], MDS[1], "--absent-fraction", "0.5"]);
        assert_eq!(f(&absent, "wrong_person"), 0.0, "{absent}");
        assert_eq!(f(&absent, "false_match_rate_absent"), 0.0, "{absent}");
        assert!(f(&absent, "absent_requests") > 200.0, "{absent}");
    }
}

/// The large-registry set-up (one statement of covering-index seeks, benchmarked on a
/// million persons) on FEBRL's heavier noise: never the wrong person. FEBRL's registries
/// are below its `min_population`, so no near spelling is read as a typo there: recall
/// is that of exact and same-name agreements.
#[test]
fn the_large_registry_blocking_keeps_recall_and_never_the_wrong_person() {
    let Some(dir) = febrl() else { return };
    for n in 1..=3 {
        let r = eval_with("examples/large-registry/matching.yaml", &dir, n, MDS);
        assert_eq!(f(&r, "wrong_person"), 0.0, "{r}");
        assert!(f(&r, "recall") >= 0.50, "febrl{n}: {r}");
        let absent = eval_with(
            "examples/large-registry/matching.yaml",
            &dir,
            n,
            &[MDS[0], MDS[1], "--absent-fraction", "0.5"],
        );
        assert_eq!(f(&absent, "wrong_person"), 0.0, "{absent}");
        assert_eq!(f(&absent, "false_match_rate_absent"), 0.0, "{absent}");
    }
}

/// An address that agrees does not lift a name or a date that disagrees (a father and
/// son share it): recall with the address is recall without it, and no absent person's
/// look-alike is taken.
#[test]
fn the_address_never_outweighs_a_name_or_a_date() {
    let Some(dir) = febrl() else { return };
    for n in 1..=3 {
        let r = eval(&dir, n, &[]);
        let mds = eval(&dir, n, MDS);
        assert_eq!(f(&r, "wrong_person"), 0.0, "{r}");
        assert!(f(&r, "blocking_recall") >= 0.99, "febrl{n}: {r}");
        assert!(
            f(&r, "correct") <= f(&mds, "correct") + 5.0,
            "febrl{n}: {r} {mds}"
        );
        let absent = eval(&dir, n, &["--absent-fraction", "0.5"]);
        assert_eq!(f(&absent, "wrong_person"), 0.0, "{absent}");
        assert_eq!(f(&absent, "false_match_rate_absent"), 0.0, "{absent}");
    }
}

const SCENARIOS: &[(&str, bool)] = &[
    ("twin_other_given", false),
    ("twin_similar_given", true),
    ("sibling_given_names", false),
    ("twin_sharing_first_name", true),
    ("homonym_other_date", false),
    ("dob_one_digit", true),
    ("dob_one_day", true),
    ("dob_swapped", true),
    ("similar_existing_surname", true),
    ("phonetic_surname", false),
    ("surname_prefix_extension", false),
    ("compound_surname_half", true),
    ("mixed_script_lookalike", false),
];
/// `--adversarial` reports every scenario the run can build, with requests, and the
/// typo recall next to it. The false-match counts themselves are not asserted: they are
/// the measurement (the engine is being redesigned to bring them to the targets).
#[test]
fn adversarial_requests_are_reported_per_scenario() {
    let Some(dir) = febrl() else { return };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let small = ["--adversarial", "--adversarial-per-scenario", "20"];
    for attributes in [&[][..], MDS] {
        let args: Vec<&str> = small.iter().chain(attributes).copied().collect();
        let (code, r) = eval_status(&root.join("examples/febrl/matching.yaml"), &dir, 1, &args);
        // Without --fail-on-false-match only a wrong person in the labelled run fails it.
        assert_eq!(
            code,
            Some(if f(&r, "wrong_person") == 0.0 { 0 } else { 1 }),
            "{r}"
        );
        assert!(f(&r, "requests") > 0.0 && f(&r, "recall") > 0.0, "{r}");
        let adversarial = r["adversarial"].as_object().expect("adversarial");
        assert_eq!(adversarial.len(), SCENARIOS.len(), "{r}");
        for (name, typo_like) in SCENARIOS {
            let s = &adversarial[*name];
            // FEBRL's given names are single names: nobody shares a first one.
            let least = if *name == "twin_sharing_first_name" {
                0.0
            } else {
                1.0
            };
            assert!(
                f(s, "requests") >= least && f(s, "requests") <= 20.0,
                "{name}: {r}"
            );
            assert!(f(s, "false_matches") <= f(s, "requests"), "{name}: {r}");
            assert_eq!(s["typo_like"], Value::Bool(*typo_like), "{name}: {r}");
        }
        // FEBRL's mapping has no PersonIdentifier.
        assert!(adversarial.get("identifier_of_another").is_none(), "{r}");
        for kind in ["surname_typo", "given_typo", "dob_one_digit", "dob_swapped"] {
            let t = &r["typo_recall"][kind];
            assert!(f(t, "requests") > 0.0, "{kind}: {r}");
            assert!(
                f(t, "correct") + f(t, "wrong_person") <= f(t, "requests"),
                "{kind}: {r}"
            );
        }
        assert!(r["adversarial_skipped"].as_u64().is_some(), "{r}");
    }
    // The same seed gives the same requests, hence the same report.
    let (_, a) = eval_status(
        &root.join("examples/febrl/matching.yaml"),
        &dir,
        1,
        &[small[0], small[1], small[2], MDS[0], MDS[1]],
    );
    let (_, b) = eval_status(
        &root.join("examples/febrl/matching.yaml"),
        &dir,
        1,
        &[small[0], small[1], small[2], MDS[0], MDS[1]],
    );
    assert_eq!(a["adversarial"], b["adversarial"]);
    assert_eq!(a["typo_recall"], b["typo_recall"]);
}

/// The targets of docs/matching.md ("Threat model") on FEBRL 1–3, with and without the
/// address: no absent person with a near-namesake in the registry is matched in the
/// scenarios that are not typo-like, and at most 2 % in those that are.
#[test]
fn no_near_namesake_of_an_absent_person_is_taken_for_them() {
    let Some(dir) = febrl() else { return };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for n in 1..=3 {
        for attributes in [&[][..], MDS] {
            let args: Vec<&str> = ["--adversarial", "--fail-on-false-match"]
                .into_iter()
                .chain(attributes.iter().copied())
                .collect();
            let (code, r) = eval_status(&root.join("examples/febrl/matching.yaml"), &dir, n, &args);
            assert_eq!(code, Some(0), "febrl{n} {attributes:?}: {r}");
            for (name, s) in r["adversarial"].as_object().expect("adversarial") {
                if s["typo_like"] == Value::Bool(true) {
                    assert!(f(s, "false_match_rate") <= 0.02, "febrl{n} {name}: {r}");
                } else {
                    assert_eq!(f(s, "false_matches"), 0.0, "febrl{n} {name}: {r}");
                }
            }
        }
    }
}

/// A configuration that lets an agreeing family name vouch for a date that is not the
/// record's (`corroboration.DateOfBirth: [FamilyName]`, which no deployment should
/// write): every namesake born a day apart is taken for the person.
const FAMILY_VOUCHES_FOR_THE_DATE: &str = r#"
identity:
  FamilyName: surname
  GivenName: given_name
  DateOfBirth: date_of_birth
matching:
  record_id: rec_id
  date_format: "%Y%m%d"
  vetoes: []
  weights: { DateOfBirth: { else: 10 } }
  corroboration:
    DateOfBirth: [FamilyName]
  blocking:
    passes:
      - name: names
        query: SELECT * FROM registry WHERE surname = :s AND given_name = :g
        parameters: { s: FamilyName, g: GivenName }
"#;

/// False matches are counted per scenario and `--fail-on-false-match` fails the run.
#[test]
fn false_matches_are_counted_and_can_fail_the_run() {
    let Some(dir) = febrl() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("family-vouches-for-the-date.yaml");
    std::fs::write(&cfg, FAMILY_VOUCHES_FOR_THE_DATE).unwrap();
    // No labelled request (none matches the filter), so only the flag can fail the run.
    let args = [
        "--adversarial",
        "--adversarial-per-scenario",
        "20",
        "--attributes",
        "FamilyName,GivenName,DateOfBirth",
        "--requests-filter",
        "no-such-request",
    ];
    let (code, r) = eval_status(&cfg, &dir, 1, &args);
    assert_eq!(f(&r, "requests"), 0.0, "{r}");
    assert_eq!(code, Some(0), "{r}");
    let homonym = &r["adversarial"]["homonym_other_date"];
    assert!(f(homonym, "requests") > 0.0, "{r}");
    assert!(
        f(homonym, "false_matches") >= 0.9 * f(homonym, "requests"),
        "{r}"
    );
    assert_eq!(
        f(homonym, "false_match_rate"),
        ((f(homonym, "false_matches") / f(homonym, "requests")) * 10_000.0).round() / 10_000.0
    );
    // The guards hold whatever the configuration: twins stay refused.
    assert_eq!(
        f(&r["adversarial"]["twin_other_given"], "false_matches"),
        0.0,
        "{r}"
    );
    let gated: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--fail-on-false-match"])
        .collect();
    let (code, again) = eval_status(&cfg, &dir, 1, &gated);
    assert_eq!(again["adversarial"], r["adversarial"]);
    assert_eq!(code, Some(1), "{again}");
}

#[test]
fn a_bad_configuration_is_reported_with_its_location() {
    let Some(dir) = febrl() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("m.yaml");
    std::fs::write(
        &cfg,
        "identity:\n  FamilyName: surname\n  GivenName: given_name\n  DateOfBirth: date_of_birth\nmatching:\n  blocking:\n    passes:\n      - name: x\n        query: SELECT * FROM registry WHERE surname = :s\n        parameters: { s: FamilyName.soundex }\n",
    )
    .unwrap();
    let data = dir.join("febrl1.csv");
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("match-eval")
            .arg("--config")
            .arg(&cfg)
            .arg("--registry")
            .arg(&data)
            .arg("--requests")
            .arg(&data)
            .arg("--truth")
            .arg(dir.join("febrl1_true_links.csv")),
        60,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("m.yaml:10:") && err.contains("OEA-E0117"),
        "{err}"
    );
    assert!(err.contains("unknown key function `soundex`"), "{err}");
}

#[test]
fn match_keys_appends_the_key_columns_a_registry_blocks_on() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("export.csv");
    std::fs::write(
        &input,
        "rec_id,given_name,surname,date_of_birth\n1,Jürgen,Müller,19700301\n2,\"Anna, Maria\",van der Berg,19851300\n3,,,\n",
    )
    .unwrap();
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("match-keys")
            .arg("--config")
            .arg(root.join("examples/febrl/matching.yaml"))
            .arg("--in")
            .arg(&input),
        60,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "rec_id,given_name,surname,date_of_birth,birth_year,given_cologne,given_key,surname_cologne,surname_key"
    );
    // The same keys the request side computes for MUELLER / JUERGEN.
    assert_eq!(
        lines[1],
        "1,Jürgen,Müller,19700301,1970,0746,jurgen,657,muller"
    );
    assert!(
        lines[2].starts_with("2,\"Anna, Maria\",van der Berg,19851300,1985,"),
        "{text}"
    );
    assert!(lines[2].ends_with(",van der berg"), "{text}");
    assert_eq!(lines[3], "3,,,,,,,,");
}
