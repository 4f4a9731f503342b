//! YAML errors said in the author's terms: a missing key is placed at the section that
//! lacks it (serde points at that section's last key), and the parser's indentation
//! complaints ("did not find expected key") say which column the line belongs at.

use std::path::Path;

use super::yaml_tree::{Kind, Node, Pos};
use super::{Diagnostic, codes};

/// The diagnostic for `err`, raised while deserialising `text` (the content of `file`).
pub fn explain(file: &Path, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
    if let Some((at, raw)) = super::yaml_tree::syntax_error(text)
        && is_indentation(&raw)
        && let Some(d) = misindented(file, text, at, &raw)
    {
        return d;
    }
    let plain = Diagnostic::from_yaml(file, err);
    let Some(at) = err.location().map(|l| Pos {
        line: l.line(),
        column: l.column(),
    }) else {
        return plain;
    };
    if let Some(key) = plain
        .message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
        && let Some(d) = missing_key(file, text, at, key)
    {
        return d;
    }
    plain
}

/// The parser messages a key written at the wrong column gives.
fn is_indentation(raw: &str) -> bool {
    raw.contains("did not find expected key")
        || raw.contains("mapping values are not allowed in this context")
}

/// "`connector` lacks the required key `query`", at the key that opens `connector`.
fn missing_key(file: &Path, text: &str, at: Pos, key: &str) -> Option<Diagnostic> {
    let root = Node::parse(text)?;
    let mut path = Vec::new();
    let mut best = None;
    lacking(&root, root.start, at, key, &mut path, &mut best);
    let (path, pos) = best?;
    let (section, pos) = if path.is_empty() {
        let first = root.keys().next().map(|k| k.pos).unwrap_or(root.start);
        ("the file".to_owned(), first)
    } else {
        (format!("`{}`", dotted(&path)), pos)
    };
    let under = if path.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("under {section}")
    };
    Some(
        Diagnostic::new(
            file,
            codes::YAML_SYNTAX,
            format!("{section} lacks the required key `{key}`"),
        )
        .at(pos.line, pos.column)
        .hint(format!("add `{key}: …` {under}")),
    )
}

/// The innermost mapping around `at` that lacks `key`, with its path and the position
/// of what opens it (its key, or the sequence item's start).
fn lacking(
    node: &Node,
    opened_at: Pos,
    at: Pos,
    key: &str,
    path: &mut Vec<String>,
    best: &mut Option<(Vec<String>, Pos)>,
) {
    if at < node.start || at >= node.end {
        return;
    }
    match &node.kind {
        Kind::Map(entries) => {
            if !entries.iter().any(|(k, _)| k.text == key) {
                *best = Some((path.clone(), opened_at));
            }
            for (k, v) in entries {
                path.push(k.text.clone());
                lacking(v, k.pos, at, key, path, best);
                path.pop();
            }
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                lacking(item, item.start, at, key, path, best);
                path.pop();
            }
        }
        Kind::Scalar(_) => {}
    }
}

/// `evidence.distributions[0]` from its path segments.
fn dotted(path: &[String]) -> String {
    let mut s = String::new();
    for seg in path {
        if seg.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
            s.push_str(&format!("[{seg}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(seg);
        }
    }
    s
}

/// A key line that does not line up with its siblings: the column it belongs at is the
/// nearest indentation in use above it (ties go to the one the next line uses, then to
/// the deeper one).
fn misindented(file: &Path, text: &str, at: Pos, raw: &str) -> Option<Diagnostic> {
    let lines: Vec<&str> = text.lines().collect();
    let line_no = usize::try_from(at.line).ok()?.checked_sub(1)?;
    let line = lines.get(line_no)?;
    let col = indent(line)? + 1;
    let open: Vec<(usize, usize)> = enclosing(&lines[..line_no]);
    let &(prev_col, prev_line) = open.first()?;
    if open.iter().any(|(c, _)| *c == col) {
        return None;
    }
    if raw.contains("mapping values")
        && (col < prev_col || lines[prev_line].trim_end().ends_with(':'))
    {
        return None;
    }
    let next = lines[line_no + 1..]
        .iter()
        .find_map(|l| indent(l))
        .map(|i| i + 1);
    let &(want, sibling) = open
        .iter()
        .min_by_key(|(c, _)| (c.abs_diff(col), Some(*c) != next, usize::MAX - c))?;
    Some(
        Diagnostic::new(
            file,
            codes::YAML_SYNTAX,
            format!(
                "indentation: `{}` starts at column {col}, but `{}` (line {}) starts at column {want}: expected column {want}",
                key_of(line),
                key_of(lines[sibling]),
                sibling + 1,
            ),
        )
        .at(at.line, col as u64)
        .hint("keys of the same section start in the same column; indent with spaces"),
    )
}

/// The indentation columns open above a line (0-based column + 1, 0-based line), the
/// nearest first: the previous content line, then each shallower line above it.
fn enclosing(above: &[&str]) -> Vec<(usize, usize)> {
    let mut open: Vec<(usize, usize)> = Vec::new();
    for (i, l) in above.iter().enumerate().rev() {
        let Some(ind) = indent(l) else { continue };
        let col = ind + 1;
        if open.last().is_none_or(|(c, _)| col < *c) {
            open.push((col, i));
        }
        if col == 1 {
            break;
        }
    }
    open
}

/// Leading spaces of a content line (`None` for blank and comment lines).
fn indent(line: &str) -> Option<usize> {
    let trimmed = line.trim_start_matches(' ');
    (!trimmed.trim().is_empty() && !trimmed.starts_with('#')).then(|| line.len() - trimmed.len())
}

/// The key a line starts with (or its first 30 characters).
fn key_of(line: &str) -> String {
    let t = line.trim();
    let t = t.strip_prefix("- ").unwrap_or(t);
    let key = t.split(':').next().unwrap_or(t);
    key.chars().take(30).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        let e = serde_saphyr::from_str::<T>(text).unwrap_err();
        explain(Path::new("m.yaml"), text, &e).to_string()
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Conn {
        connection: String,
        query: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct File {
        title: String,
        connector: Conn,
    }

    #[test]
    fn a_missing_key_is_placed_at_its_section() {
        let t = "title: x\nconnector:\n  connection: a\n  other: 1\n";
        assert_eq!(
            err_of::<File>(t),
            "m.yaml:2:1: OEA-E0002: `connector` lacks the required key `query`\n  hint: add `query: …` under `connector`"
        );
        let t = "connector:\n  connection: a\n  query: q\n";
        assert!(
            err_of::<File>(t)
                .starts_with("m.yaml:1:1: OEA-E0002: the file lacks the required key `title`")
        );
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Dist {
        format: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Ev {
        evidence: EvBody,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct EvBody {
        distributions: Vec<Dist>,
    }

    #[test]
    fn a_missing_key_in_a_list_item_names_the_item() {
        let t = "evidence:\n  distributions:\n    - format: a\n    - { template: x }\n";
        assert_eq!(
            err_of::<Ev>(t),
            "m.yaml:4:7: OEA-E0002: `evidence.distributions[1]` lacks the required key `format`\n  hint: add `format: …` under `evidence.distributions[1]`"
        );
    }

    #[test]
    fn hostile_text_gives_a_diagnostic_not_a_panic() {
        for t in [
            "",
            "\t\t:",
            "a:\n\u{feff} b: [",
            "é:\n  ü: 1\n   ö: 2\n",
            "a: 1\n a: 2\n",
            "- a\nb: c\n",
            &"  x:\n".repeat(300),
        ] {
            if let Err(e) = serde_saphyr::from_str::<File>(t) {
                let _ = explain(Path::new("m.yaml"), t, &e);
            }
        }
    }

    #[test]
    fn indentation_names_the_expected_column() {
        let t = "title: x\nconnector:\n  connection: a\n   query: q\n";
        assert_eq!(
            err_of::<File>(t),
            "m.yaml:4:4: OEA-E0002: indentation: `query` starts at column 4, but `connection` (line 3) starts at column 3: expected column 3\n  hint: keys of the same section start in the same column; indent with spaces"
        );
        let t = "title: x\nconnector:\n  connection: a\n query: q\n";
        assert!(
            err_of::<File>(t).contains("expected column 3"),
            "{}",
            err_of::<File>(t)
        );
    }
}
