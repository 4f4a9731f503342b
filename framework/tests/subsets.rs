//! EDM 1.x subsets (docs/mapping-files.md, "Subsets"): `check` points at a subset it
//! cannot serve. The exchange side (the Commission's sample request answered with the
//! subset only, an unserved subset refused `EDM:ERR:0007`, a malformed one `EDM:ERR:0003`)
//! is in `cli_respond.rs`, the birth-certificate mapping's tests and `edm_rules.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn check_points_at_a_subset_off_the_pattern_or_off_the_data_model() {
    for (bad, why) in [
        (
            "https://sr.oots.tech.ec.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority",
            "another host",
        ),
        (
            "https://sr.oots.tech.europa.eu/distributions/marriage-certificate-1.0.0/age-of-majority",
            "another data model",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(&workspace().join("mappings/birth-certificate"), dir.path());
        let m = dir.path().join("mapping/birth-certificate.yaml");
        let text = std::fs::read_to_string(&m).unwrap().replace(
            "        - transformation: https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority",
            &format!("        - transformation: {bad}"),
        );
        std::fs::write(&m, &text).unwrap();
        let out = common::output_within(
            Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
                .arg("check")
                .arg(dir.path()),
            120,
        );
        let out = String::from_utf8_lossy(&out.stdout).into_owned();
        let line = text
            .lines()
            .position(|l| l.contains("- transformation:"))
            .unwrap()
            + 1;
        assert!(
            out.contains(&format!("birth-certificate.yaml:{line}:")) && out.contains("OEA-E0129"),
            "{why}: {out}"
        );
    }
}
