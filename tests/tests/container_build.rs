//! The Dockerfile's dependency layer is built from the manifests alone: its first stage
//! keeps every `Cargo.toml` (at any depth) and `Cargo.lock`, and
//! `deploy/docker/stub-workspace.sh` writes an empty stand-in for every target. This
//! replays those two steps on the workspace (no Docker needed) and checks that cargo
//! loads the result as the same workspace, so a new member needs no Dockerfile line.

use std::path::Path;
use std::process::Command;

use oots_e2e::workspace;

/// What the `manifests` stage keeps: `Cargo.toml` and `Cargo.lock` files, without what
/// `.dockerignore` keeps out of the context (build output, the fuzz workspace, git).
fn keep_manifests(from: &Path, rel: &Path, to: &Path) {
    for e in std::fs::read_dir(from.join(rel)).unwrap().flatten() {
        let name = e.file_name();
        let rel = rel.join(&name);
        let skip = [".git", "target", "node_modules", "state"];
        if skip.iter().any(|s| name == *s) || rel == Path::new("framework/fuzz") {
            continue;
        }
        let kind = e.file_type().unwrap();
        if kind.is_dir() {
            keep_manifests(from, &rel, to);
        } else if name == "Cargo.toml" || name == "Cargo.lock" {
            std::fs::create_dir_all(to.join(&rel).parent().unwrap()).unwrap();
            std::fs::copy(e.path(), to.join(&rel)).unwrap();
        }
    }
}

fn packages(dir: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo metadata in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn names(meta: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_dependency_layer_sees_every_workspace_member_without_a_line_per_crate() {
    let root = workspace().canonicalize().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    keep_manifests(&root, Path::new(""), scratch.path());

    let stub = Command::new("sh")
        .arg(root.join("deploy/docker/stub-workspace.sh"))
        .current_dir(scratch.path())
        .output()
        .unwrap();
    assert!(
        stub.status.success(),
        "{}",
        String::from_utf8_lossy(&stub.stderr)
    );

    let stubbed = packages(scratch.path());
    assert_eq!(names(&stubbed), names(&packages(&root)));
    for p in stubbed["packages"].as_array().unwrap() {
        for t in p["targets"].as_array().unwrap() {
            let src = Path::new(t["src_path"].as_str().unwrap());
            assert!(src.exists(), "no stand-in for {}", src.display());
        }
    }

    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let per_crate: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("COPY") && l.contains("Cargo.toml"))
        .collect();
    assert!(per_crate.is_empty(), "per-crate lines: {per_crate:?}");
}
