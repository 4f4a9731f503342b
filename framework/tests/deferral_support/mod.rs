//! The quickstart deployment with `evidence.deferred` (issue 19 item 3), shared by the
//! deferral suites (Domibus and native AS4).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The quickstart, its mapping deferring on `available_from`, which is `ahead` for Jean
/// Dupont and both Anna Schmidt twins; `dir` holds the copies: the mapping folder and
/// the registry seed.
pub fn deferring_quickstart(dir: &Path, ahead: &str) -> (PathBuf, PathBuf) {
    let q = workspace().join("examples/quickstart");
    let mappings = dir.join("mappings");
    copy_dir(&q.join("mappings"), &mappings);
    let file = mappings.join("birth-certificate.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    let edits = [
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
            "evidence:\n  deferred:\n    available_at: available_from\n  issuing_date:",
        ),
    ];
    let mut yaml = yaml;
    for (from, to) in edits {
        assert!(yaml.contains(from), "{from}");
        yaml = yaml.replacen(from, to, 1);
    }
    std::fs::write(&file, yaml).unwrap();
    let mut seed = std::fs::read_to_string(q.join("registry/seed.sql")).unwrap();
    seed.push_str(&format!(
        "\nALTER TABLE birth_register ADD COLUMN available_from TEXT;\n\
         UPDATE birth_register SET available_from = '{ahead}'\n \
         WHERE register_number IN ('G 4711/1992', 'G 0612/1985', 'G 0613/1985');\n"
    ));
    let seed_file = dir.join("seed.sql");
    std::fs::write(&seed_file, seed).unwrap();
    (mappings, seed_file)
}
