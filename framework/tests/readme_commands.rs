//! README.md's commands work from a clone: every file a command of "Other commands" reads
//! is in the repository or written by a command before it, every flag of every
//! `oots-adapter` command the README shows is one the binary takes, and the quick ones
//! (`check`, `test`, `respond`, `preview`) run as written against the built binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn readme() -> String {
    std::fs::read_to_string(workspace().join("README.md")).unwrap()
}

/// The commands of the `sh` blocks under the heading `## <heading>`: continuation lines
/// joined, comments and blank lines dropped, each split into words (double quotes group).
fn commands(readme: &str, heading: &str) -> Vec<Vec<String>> {
    let start = readme
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no section `## {heading}`"));
    let rest = &readme[start + heading.len() + 5..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut line = String::new();
    for l in section.lines() {
        if l.starts_with("```") {
            in_sh = l == "```sh";
            continue;
        }
        if !in_sh || l.trim_start().starts_with('#') || l.trim().is_empty() {
            continue;
        }
        match l.strip_suffix('\\') {
            Some(head) => line.push_str(head),
            None => {
                line.push_str(l);
                out.push(words(&line));
                line.clear();
            }
        }
    }
    out
}

fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The command's words from `oots-adapter` on (environment assignments dropped); `None`
/// for another program (`cargo`).
fn adapter_args(cmd: &[String]) -> Option<&[String]> {
    let at = cmd.iter().position(|w| w == "oots-adapter")?;
    Some(&cmd[at + 1..])
}

/// Words that name a file or folder: relative paths and files with an extension (not a
/// rate such as `100/s`).
fn is_path(word: &str) -> bool {
    let rate = word
        .strip_suffix("/s")
        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
    !rate
        && !word.starts_with('-')
        && !word.contains("://")
        && !word.contains('=')
        && (word.contains('/')
            || [".yaml", ".xml", ".csv", ".json", ".pem", ".key", ".html"]
                .iter()
                .any(|x| word.ends_with(x)))
}

#[test]
fn the_parser_reads_what_the_readme_writes() {
    let text = "intro\n## Other commands\n\n```sh\n# a comment\noots-adapter x --a \\\n  \"two words\" b/c\n\nA=1 oots-adapter y\n```\n\n```text\nnot a command\n```\n## Next\n```sh\nz\n```\n";
    let cmds = commands(text, "Other commands");
    assert_eq!(
        cmds,
        vec![
            vec!["oots-adapter", "x", "--a", "two words", "b/c"],
            vec!["A=1", "oots-adapter", "y"],
        ]
    );
    assert_eq!(adapter_args(&cmds[1]).unwrap(), ["y"]);
    assert!(is_path("b/c") && is_path("r.xml") && !is_path("--out") && !is_path("100/s"));
}

/// Outputs: the value of `--out` (and what is under it) and the folder a
/// `cargo run … -- --out DIR` writes.
fn outputs(cmd: &[String]) -> Vec<String> {
    cmd.windows(2)
        .filter(|w| w[0] == "--out")
        .map(|w| w[1].trim_end_matches('/').to_string())
        .collect()
}

#[test]
fn every_file_the_commands_from_a_clone_read_is_in_the_repository_or_made_before() {
    let cmds = commands(&readme(), "Other commands");
    assert!(cmds.len() >= 8, "{cmds:?}");
    let mut made: Vec<String> = Vec::new();
    let mut missing = Vec::new();
    for cmd in &cmds {
        let outs = outputs(cmd);
        for (i, w) in cmd.iter().enumerate() {
            let is_output = i > 0 && cmd[i - 1] == "--out";
            if is_output || !is_path(w) {
                continue;
            }
            let w = w.trim_end_matches('/');
            let generated = made
                .iter()
                .any(|m| w == m || w.starts_with(&format!("{m}/")));
            if !generated && !workspace().join(w).exists() {
                missing.push(format!("{w} (in `{}`)", cmd.join(" ")));
            }
        }
        made.extend(outs);
    }
    assert!(
        missing.is_empty(),
        "README commands name files a clone does not have: {missing:#?}"
    );
}

/// The `--help` text of `oots-adapter <sub…>` (as many leading words as are subcommands).
fn help(sub: &[&str]) -> String {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .args(sub)
            .arg("--help"),
        60,
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_flag_of_every_readme_command_is_one_the_binary_takes() {
    let text = readme();
    let mut cmds = commands(&text, "Other commands");
    cmds.extend(commands(&text, "On a deployment"));
    let mut unknown = Vec::new();
    let mut seen = 0;
    for cmd in &cmds {
        let Some(args) = adapter_args(cmd) else {
            continue;
        };
        seen += 1;
        // `audit verify`, `dsd export`: subcommands with subcommands of their own.
        let depth = if args[0] == "audit" || args[0] == "dsd" {
            2
        } else {
            1
        };
        let sub: Vec<&str> = args[..depth].iter().map(String::as_str).collect();
        let h = help(&sub);
        assert!(h.contains("Usage:"), "no help for {sub:?}: {h}");
        for flag in args.iter().filter(|a| a.starts_with("--")) {
            if !h.contains(&format!("{flag} ")) && !h.contains(&format!("{flag}\n")) {
                unknown.push(format!("{flag} of `{}`", sub.join(" ")));
            }
        }
    }
    assert!(seen >= 12, "{seen} commands");
    assert!(
        unknown.is_empty(),
        "flags the binary does not take: {unknown:?}"
    );
}

/// Runs the README's `oots-adapter` command `args` in the workspace, its `--out` moved
/// into `tmp` and, for `respond`, a fresh state folder (request ids are single-use).
fn run_as_written(args: &[String], tmp: &Path) -> (bool, String) {
    let mut args: Vec<String> = args.to_vec();
    for i in 1..args.len() {
        if args[i - 1] == "--out" {
            args[i] = tmp.join(&args[i]).display().to_string();
        }
    }
    if args[0] == "respond" {
        args.push("--state-dir".into());
        args.push(tmp.join("state").display().to_string());
    }
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .args(&args)
            .current_dir(workspace()),
        300,
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_quick_commands_from_a_clone_run_as_written() {
    let cmds = commands(&readme(), "Other commands");
    let mut ran = Vec::new();
    for cmd in &cmds {
        let Some(args) = adapter_args(cmd) else {
            continue;
        };
        if !["check", "test", "respond", "preview"].contains(&args[0].as_str()) {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let (ok, text) = run_as_written(args, tmp.path());
        assert!(ok, "`{}` failed:\n{text}", cmd.join(" "));
        if args[0] == "respond" {
            assert!(
                text.contains("\"action\":\"ExecuteQueryResponse\""),
                "{text}"
            );
            assert!(tmp.path().join("answer/response.xml").is_file(), "{text}");
        }
        if args[0] == "preview" {
            assert!(tmp.path().join("review/page.html").is_file(), "{text}");
        }
        ran.push(args[0].clone());
    }
    ran.sort();
    ran.dedup();
    assert_eq!(ran, ["check", "preview", "respond", "test"]);
}
