//! Imports run one way (docs/development.md, "Layers").
//!
//! Cargo already refuses a cycle between crates. This test refuses one inside a crate:
//! for every library crate of the workspace, and inside it for every module folder, it
//! reads the sources, builds the graph of which child module names which (`crate::x`,
//! `crate::dir::x`, `super::x`, `use crate::{x, …}`, outside comments, strings and
//! `#[cfg(test)]` code) and fails on any cycle, naming the files that make it. For the `framework` crate it also checks the declared order of
//! [`FRAMEWORK_LAYERS`]: a module may only name modules of a lower layer, so a new
//! upward import fails here even before it closes a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The framework crate's modules, bottom to top; a module may name modules of its own
/// line only if they do not name it back (the cycle check catches that).
const FRAMEWORK_LAYERS: &[&[&str]] = &[
    &["secret", "diag", "listener", "retry", "gateway_health"],
    &["preview", "connector"],
    &["config", "metrics", "telemetry"],
    &["mapping", "requester"],
    &["exchange", "dsd"],
    &["verify", "reload"],
    &["web"],
    &["service"],
    &["cli"],
];

/// Top-level module → (module it names → the files that do).
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<PathBuf>>>;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The source with comments, string and char literals blanked out, and every item under
/// `#[cfg(test)]` removed.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(b.len(), |e| i + e + 2);
            i = end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|c| *c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let start = i + 2 + hashes;
            i = src[start..]
                .find(&close)
                .map_or(b.len(), |e| start + e + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && is_char_literal(rest) {
            i += rest[1..].find('\'').map_or(1, |e| e + 2);
            out.push_str("' '");
        } else if rest.starts_with("#[cfg(test)]") {
            i = skip_item(src, i + "#[cfg(test)]".len());
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `'x'`, `'\n'`, `'\''` and the like, not a lifetime (`'a`).
fn is_char_literal(rest: &str) -> bool {
    let mut chars = rest.chars().skip(1);
    matches!(
        (chars.next(), chars.next()),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// The index just past the item starting at `from`: up to its `;` or its balanced `{…}`.
fn skip_item(src: &str, from: usize) -> usize {
    let b = src.as_bytes();
    let mut i = from;
    while i < b.len() && b[i] != b'{' && b[i] != b';' {
        i += 1;
    }
    if i >= b.len() || b[i] == b';' {
        return (i + 1).min(b.len());
    }
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segments after `prefix` (`crate::`, `super::`), expanding a
/// `{a::b, c}` group into `a` and `c`.
fn named_after(code: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back().unwrap_or(' ');
        if before.is_alphanumeric() || before == '_' || (prefix == "super::" && before == ':') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        found.push(ident(group[start..j].trim()).to_owned());
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(ident(group[start..j].trim()).to_owned());
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.push(ident(rest).to_owned());
        }
    }
    found.retain(|n| !n.is_empty() && n != "self");
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module graph of the crate whose root folder is `src`.
fn graph(src: &Path) -> Graph {
    graph_in(src, Path::new(""))
}

/// The graph between the child modules of the module whose folder is `src/dir` (the
/// crate root for an empty `dir`): they name each other as `crate::<dir>::x`, or as
/// `super::x` from a file right in that folder (`x.rs`, `x/mod.rs`).
fn graph_in(src: &Path, dir: &Path) -> Graph {
    let base = src.join(dir);
    let mut files = Vec::new();
    rust_files(&base, &mut files);
    let mut modules: BTreeSet<String> = BTreeSet::new();
    for f in &files {
        let rel = f.strip_prefix(&base).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let name = first.trim_end_matches(".rs").to_owned();
        if !["lib", "main", "mod"].contains(&name.as_str()) {
            modules.insert(name);
        }
    }
    let mut prefix = String::from("crate::");
    for c in dir.components() {
        prefix += &format!("{}::", c.as_os_str().to_string_lossy());
    }
    let mut g = Graph::new();
    for f in &files {
        let rel = f.strip_prefix(&base).unwrap();
        let parts: Vec<String> = rel
            .components()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .collect();
        let owner = parts[0].clone();
        if !modules.contains(&owner) || parts.iter().any(|p| p == "tests") {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(f).unwrap());
        let mut named = named_after(&code, &prefix);
        // `super::x` in a file right in the folder (`a.rs`, `a/mod.rs`) names the
        // sibling `x`; deeper, it stays inside the owner.
        let at_top = parts.len() == 1 || (parts.len() == 2 && parts[1] == "mod");
        if at_top {
            named.extend(named_after(&code, "super::"));
        }
        for n in named {
            if n != owner && modules.contains(&n) {
                g.entry(owner.clone())
                    .or_default()
                    .entry(n)
                    .or_default()
                    .insert(dir.join(rel));
            }
        }
        g.entry(owner).or_default();
    }
    g
}

/// Every module folder under `src` (relative to it), the root first.
fn module_dirs(src: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    out.push(rel.to_path_buf());
    let mut subs: Vec<PathBuf> = std::fs::read_dir(src.join(rel))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir() && e.file_name() != "tests")
        .map(|e| rel.join(e.file_name()))
        .collect();
    subs.sort();
    for d in subs {
        module_dirs(src, &d, out);
    }
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(g: &Graph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        let g = w.g;
        for t in g.get(v).into_iter().flat_map(|e| e.keys()) {
            let t = t.as_str();
            if !w.index.contains_key(t) {
                visit(w, t);
                let l = w.low[v].min(w.low[t]);
                w.low.insert(v, l);
            } else if w.stack.contains(&t) {
                let l = w.low[v].min(w.index[t]);
                w.low.insert(v, l);
            }
        }
        if w.low[v] == w.index[v] {
            let mut comp = Vec::new();
            while let Some(x) = w.stack.pop() {
                comp.push(x.to_owned());
                if x == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                w.found.push(comp);
            }
        }
    }
    let mut w = Walk {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in g.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.found
}

fn describe(g: &Graph, comp: &[String]) -> String {
    let mut s = format!("cycle {comp:?}:");
    for a in comp {
        for (b, files) in &g[a] {
            if comp.contains(b) {
                s += &format!("\n    {a} -> {b} in {files:?}");
            }
        }
    }
    s
}

/// Every library crate's source root in the workspace.
fn library_roots() -> Vec<PathBuf> {
    let ws = workspace();
    let mut roots = vec![ws.join("framework/src")];
    for group in ["framework/crates", "connectors"] {
        let Ok(entries) = std::fs::read_dir(ws.join(group)) else {
            continue;
        };
        for e in entries.flatten() {
            let src = e.path().join("src");
            if src.join("lib.rs").exists() {
                roots.push(src);
            }
        }
    }
    roots.sort();
    roots
}

#[test]
fn no_module_has_an_import_cycle_between_its_children() {
    let mut problems = Vec::new();
    for root in library_roots() {
        let mut dirs = Vec::new();
        module_dirs(&root, Path::new(""), &mut dirs);
        for dir in dirs {
            let g = graph_in(&root, &dir);
            for comp in cycles(&g) {
                problems.push(format!(
                    "{}: {}",
                    root.join(&dir).display(),
                    describe(&g, &comp)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn framework_modules_only_name_lower_layers() {
    let g = graph(&workspace().join("framework/src"));
    let layer_of = |m: &str| FRAMEWORK_LAYERS.iter().position(|l| l.contains(&m));
    let mut problems = Vec::new();
    for (from, to) in &g {
        let Some(lf) = layer_of(from) else {
            problems.push(format!(
                "module `{from}` is in no layer of FRAMEWORK_LAYERS"
            ));
            continue;
        };
        for (t, files) in to {
            match layer_of(t) {
                Some(lt) if lt <= lf => {}
                Some(_) => problems.push(format!("`{from}` names the higher `{t}` in {files:?}")),
                None => problems.push(format!("module `{t}` is in no layer of FRAMEWORK_LAYERS")),
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_what_it_must() {
    let code = code_only(
        "use crate::{a::b, c}; // crate::d\nfn f() { let s = \"crate::e\"; super::g(); }\n\
         #[cfg(test)]\nmod tests { use crate::h; }\nuse crate::i::j;",
    );
    assert_eq!(named_after(&code, "crate::"), ["a", "c", "i"]);
    assert_eq!(named_after(&code, "super::"), ["g"]);
}

/// No `unwrap`/`expect` outside tests (the workspace's lints forbid `unsafe`; this one is
/// set per crate root so that integration tests and benches may still unwrap).
#[test]
fn every_crate_root_denies_unwrap_and_expect_outside_tests() {
    let line = "#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]";
    let mut roots: Vec<PathBuf> = library_roots().iter().map(|r| r.join("lib.rs")).collect();
    roots.push(workspace().join("framework/src/main.rs"));
    let missing: Vec<_> = roots
        .iter()
        .filter(|r| !std::fs::read_to_string(r).unwrap().contains(line))
        .collect();
    assert!(missing.is_empty(), "without `{line}`: {missing:?}");
}

/// The backticked names of a table cell, leaving out what parentheses explain.
fn named(cell: &str) -> Vec<String> {
    let mut depth = 0usize;
    let mut outside = String::new();
    for c in cell.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    outside
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn guide() -> String {
    std::fs::read_to_string(workspace().join("docs/development.md")).unwrap()
}

/// The guide's "Layers inside the framework" table is the list this test enforces.
#[test]
fn the_guide_shows_the_layers_enforced_here() {
    let shown: Vec<Vec<String>> = guide()
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.len() == 4 && cells[1].parse::<u32>().is_ok()).then(|| named(cells[2]))
        })
        .collect();
    let enforced: Vec<Vec<String>> = FRAMEWORK_LAYERS
        .iter()
        .map(|l| l.iter().map(|m| (*m).to_owned()).collect())
        .collect();
    assert_eq!(shown, enforced, "docs/development.md's layer table");
}

/// Each crate row of the guide's table names exactly the workspace crates its
/// `Cargo.toml` depends on (dev-dependencies aside).
#[test]
fn the_guide_names_each_crates_dependencies() {
    let mut rows = 0;
    for line in guide().lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() != 6 || !cells[1].starts_with("`oots-") {
            continue;
        }
        let folder = cells[2].trim_matches('`');
        if folder.contains('<') || cells[4].contains("all of the above") {
            continue;
        }
        let manifest = std::fs::read_to_string(workspace().join(folder).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("{folder}/Cargo.toml: {e}"));
        let section = manifest
            .split("\n[")
            .find(|s| s.starts_with("dependencies]"))
            .unwrap_or("");
        let actual: BTreeSet<String> = section
            .lines()
            .filter_map(|l| l.split(['.', ' ', '=']).next())
            .filter(|name| name.starts_with("oots-"))
            .map(str::to_owned)
            .collect();
        let shown: BTreeSet<String> = named(cells[4]).into_iter().collect();
        assert_eq!(shown, actual, "docs/development.md, row of {}", cells[1]);
        rows += 1;
    }
    assert!(
        rows >= 6,
        "only {rows} crate rows read from docs/development.md"
    );
}
