//! `oots-adapter check`: offline validation of deployments, all problems at once.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn check(args: &[&str], path: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
        .arg("check")
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == "state") {
            continue;
        }
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
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
    copy_dir(&workspace().join("examples/quickstart"), dir.path());
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
