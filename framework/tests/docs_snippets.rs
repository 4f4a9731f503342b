//! Issue 20 item 4: the docs' own examples pass. Every fenced block of `docs/*.md` and
//! `README.md` is extracted and checked by what reads it for real:
//! - ```` ```yaml ````: valid YAML; a complete mapping file passes `oots-adapter check` in a
//!   deployment of its own; a fragment of a mapping file (only mapping-file sections) still
//!   loads as a mapping file when merged into the quickstart's; a fragment of
//!   `adapter.yaml` (only its sections) loads with the configuration loader;
//! - ```` ```handlebars ```` / ```` ```hbs ````: compiles, its blocks are closed and it uses
//!   only variables the template data provides;
//! - ```` ```text ```` and other languages are not checked (`text` shows mistakes on purpose).
//!
//! Every failing snippet is listed as `docs/file.md:line: reason`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Top-level sections of `adapter.yaml` and of a mapping file.
const ADAPTER_KEYS: &[&str] = &[
    "provider",
    "state_dir",
    "mappings",
    "connections",
    "gateway",
    "preview",
    "http",
    "xml",
    "reload",
    "store",
    "exchange",
    "audit",
    "telemetry",
    "operator",
];
const MAPPING_KEYS: &[&str] = &[
    "evidence_type",
    "subject",
    "connector",
    "identity",
    "matching",
    "evidence",
    "policy",
    "representation",
    "provider_classifications",
    "labels",
    "tests",
];
/// The sections without which a mapping file is not complete.
const COMPLETE_MAPPING: &[&str] = &["evidence_type", "connector", "identity", "evidence"];

const MINIMAL_ADAPTER: &str = "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: { EN: Office }\n  country: DE\nmappings: mappings\n";

/// One fenced block: where its first line is (1-based), its info string and its text.
struct Snippet {
    file: String,
    line: usize,
    info: String,
    body: String,
}

/// The fenced blocks of a Markdown text (fences may be indented, as in lists).
fn fenced(file: &str, text: &str) -> Vec<Snippet> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, l)) = lines.next() {
        let t = l.trim_start();
        let Some(info) = t.strip_prefix("```") else {
            continue;
        };
        let indent = l.len() - t.len();
        let mut body = String::new();
        for (_, b) in lines.by_ref() {
            if b.trim() == "```" {
                break;
            }
            body.push_str(b.get(indent..).unwrap_or(b.trim_start()));
            body.push('\n');
        }
        out.push(Snippet {
            file: file.to_owned(),
            line: i + 2,
            info: info.trim().to_owned(),
            body,
        });
    }
    out
}

fn doc_snippets() -> Vec<Snippet> {
    let root = workspace();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files.push(root.join("README.md"));
    files
        .iter()
        .flat_map(|p| {
            let name = p.strip_prefix(&root).unwrap().display().to_string();
            fenced(&name, &std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

/// Why `s` fails, or `None` when it passes (or is not checked).
fn problem(s: &Snippet) -> Option<String> {
    match s.info.as_str() {
        "yaml" | "yml" => yaml_problem(&s.body),
        "handlebars" | "hbs" => template_problem(&s.body),
        _ => None,
    }
}

fn yaml_problem(body: &str) -> Option<String> {
    let value: Value = match serde_saphyr::from_str(body) {
        Ok(v) => v,
        Err(e) => return Some(format!("not valid YAML: {}", e.without_snippet())),
    };
    let Value::Object(top) = &value else {
        return None;
    };
    let keys: BTreeSet<&str> = top.keys().map(String::as_str).collect();
    if keys.is_empty() {
        return None;
    }
    if keys.iter().all(|k| ADAPTER_KEYS.contains(k)) {
        return adapter_problem(body, &keys);
    }
    if keys.iter().all(|k| MAPPING_KEYS.contains(k)) {
        if COMPLETE_MAPPING.iter().all(|k| keys.contains(k)) {
            return complete_mapping_problem(body, &value);
        }
        return mapping_fragment_problem(&value);
    }
    None
}

/// An `adapter.yaml` fragment, completed with the sections it lacks, through the loader.
fn adapter_problem(body: &str, keys: &BTreeSet<&str>) -> Option<String> {
    let mut text = String::new();
    if !keys.contains("provider") {
        text.push_str(&MINIMAL_ADAPTER[..MINIMAL_ADAPTER.find("mappings:").unwrap()]);
    }
    if !keys.contains("mappings") {
        text.push_str("mappings: mappings\n");
    }
    text.push_str(body);
    oots_framework::config::AdapterConfig::from_str(Path::new("adapter.yaml"), &text)
        .err()
        .map(|d| format!("adapter.yaml fragment does not load: {d}"))
}

/// A mapping-file fragment merged into the quickstart mapping must still load as one.
fn mapping_fragment_problem(fragment: &Value) -> Option<String> {
    let base = std::fs::read_to_string(
        workspace().join("examples/quickstart/mappings/birth-certificate.yaml"),
    )
    .unwrap();
    let mut merged: Value = serde_saphyr::from_str(&base).unwrap();
    merge(&mut merged, fragment);
    let text = serde_saphyr::to_string(&merged).unwrap();
    serde_saphyr::from_str::<oots_framework::mapping::MappingFile>(&text)
        .err()
        .map(|e| {
            format!(
                "mapping-file fragment does not load: {}",
                e.without_snippet()
            )
        })
}

/// Maps merge key by key; anything else replaces what was there.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// A complete mapping file, in a deployment of its own (its connection declared as an
/// unreachable PostgreSQL registry, its templates the quickstart's or empty), must pass
/// the real `check`.
fn complete_mapping_problem(body: &str, value: &Value) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let maps = dir.path().join("mappings");
    std::fs::create_dir_all(&maps).unwrap();
    let connection = value["connector"]["connection"]
        .as_str()
        .unwrap_or("registry");
    std::fs::write(
        dir.path().join("adapter.yaml"),
        format!(
            "{MINIMAL_ADAPTER}connections:\n  {connection}:\n    type: sql\n    url: postgres://reader@registry.invalid/docs\n"
        ),
    )
    .unwrap();
    std::fs::write(maps.join("snippet.yaml"), body).unwrap();
    let quickstart = workspace().join("examples/quickstart/mappings");
    for t in templates(value) {
        let target = maps.join(&t);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(quickstart.join(&t)).unwrap_or_default();
        std::fs::write(target, text).unwrap();
    }
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(dir.path()),
        120,
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let base = dir.path().display().to_string();
    (!out.status.success()).then(|| {
        format!(
            "complete mapping file fails `oots-adapter check`:\n{}",
            text.replace(&base, "<deployment>")
        )
    })
}

/// Every `template:` the mapping names, wherever it is.
fn templates(v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| match (k.as_str(), v) {
                ("template", Value::String(s)) => vec![s.clone()],
                _ => templates(v),
            })
            .collect(),
        Value::Array(a) => a.iter().flat_map(templates).collect(),
        _ => Vec::new(),
    }
}

/// A template must compile, close its blocks and use only what the template data gives
/// (any `record.` field: a snippet belongs to no mapping).
fn template_problem(body: &str) -> Option<String> {
    if let Some(b) = oots_framework::mapping::template_blocks::problems(body)
        .into_iter()
        .next()
    {
        return Some(format!("template: {}:{}: {}", b.line, b.column, b.message));
    }
    if let Err(e) = handlebars::Template::compile(body) {
        return Some(format!("template does not compile: {e}"));
    }
    let known = oots_framework::mapping::Known {
        record: None,
        classifications: BTreeSet::new(),
    };
    let unknown = oots_framework::mapping::unknown_variables(body, &known);
    (!unknown.is_empty()).then(|| {
        let list: Vec<String> = unknown
            .iter()
            .map(|u| format!("`{}` ({}:{})", u.path, u.line, u.column))
            .collect();
        format!(
            "template uses {} variable(s) the template data does not provide: {}",
            unknown.len(),
            list.join(", ")
        )
    })
}

fn failures(snippets: &[Snippet]) -> Vec<String> {
    snippets
        .iter()
        .filter_map(|s| problem(s).map(|p| format!("{}:{}: {p}", s.file, s.line)))
        .collect()
}

#[test]
fn every_snippet_in_the_docs_passes() {
    let snippets = doc_snippets();
    let checked = snippets
        .iter()
        .filter(|s| matches!(s.info.as_str(), "yaml" | "yml" | "handlebars" | "hbs"))
        .count();
    assert!(checked > 30, "only {checked} snippets found");
    let failed = failures(&snippets);
    assert!(
        failed.is_empty(),
        "{} of {checked} snippets fail:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The checker itself: each kind of broken snippet is caught and placed.
#[test]
fn broken_snippets_are_listed_with_their_place() {
    let md = "# T\n\n```yaml\na: [\n```\n\n```yaml\nconnections:\n  r: { type: rest, base_url: \"https://r.example\", records: \"$.x[\" }\n```\n\n\
              ```yaml\npolicy:\n  min_level_of_asurance: High\n```\n\n```handlebars\n{{#if record.x}}\n```\n\n\
              ```hbs\n{{person.familyName}} {{record.any}}\n```\n\n```text\na: [\n```\n";
    let failed = failures(&fenced("docs/x.md", md));
    assert_eq!(failed.len(), 5, "{failed:#?}");
    assert!(
        failed[0].starts_with("docs/x.md:4: not valid YAML"),
        "{failed:#?}"
    );
    assert!(
        failed[1].starts_with("docs/x.md:8: adapter.yaml fragment does not load")
            && failed[1].contains("OEA-E0125"),
        "{failed:#?}"
    );
    assert!(
        failed[2].starts_with("docs/x.md:13: mapping-file fragment does not load")
            && failed[2].contains("min_level_of_asurance"),
        "{failed:#?}"
    );
    assert_eq!(
        failed[3],
        "docs/x.md:18: template: 1:1: the block `{{#if record.x}}` opened at 1:1 is never closed (add `{{/if}}`)"
    );
    assert!(
        failed[4].starts_with("docs/x.md:22: template uses 1 variable(s)")
            && failed[4].contains("`person.familyName` (1:1)"),
        "{failed:#?}"
    );

    // A complete mapping file goes through the real `check`.
    let doc = std::fs::read_to_string(workspace().join("docs/mapping-files.md")).unwrap();
    let mut example = fenced("docs/mapping-files.md", &doc)
        .into_iter()
        .find(|s| s.info == "yaml" && s.body.starts_with("evidence_type:"))
        .unwrap();
    assert_eq!(problem(&example), None);
    example.body = example.body.replace(
        "DateOfBirth: date_of_birth",
        "DateOfBirth: date_of_birth
  Nickname: nick",
    );
    let p = problem(&example).unwrap();
    assert!(
        p.starts_with("complete mapping file fails `oots-adapter check`:\nFAIL  <deployment>/adapter.yaml\n<deployment>/mappings/snippet.yaml:")
            && p.contains("Nickname"),
        "{p}"
    );
}
