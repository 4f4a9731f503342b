//! Checks the variables a template uses against what the mapping provides, so a typo like
//! `{{record.familyname}}` is reported when the mapping is checked, not when the first
//! citizen's request fails to render.

use std::collections::BTreeSet;

/// What a template may refer to under each root of the template data
/// (`exchange::context`). `None` for `record` means "not known offline" (no `fields:`).
pub struct Known {
    pub record: Option<BTreeSet<String>>,
    /// The names `provider_classifications` declares (`provider_classification.<name>`).
    pub classifications: BTreeSet<String>,
}

const ROOTS: &[(&str, &[&str])] = &[
    (
        "subject",
        &[
            "family_name",
            "given_name",
            "date_of_birth",
            "birth_name",
            "place_of_birth",
            "gender",
            "identifier",
            "legal_name",
        ],
    ),
    (
        "evidence",
        &[
            "identifier",
            "issuing_date",
            "language",
            "title",
            "classification",
        ],
    ),
    ("provider", &["identifier", "scheme", "name", "country"]),
    (
        "request",
        &[
            "id",
            "procedure",
            "requester",
            "power_of_representation_scope",
        ],
    ),
];

const HELPERS: &[&str] = &[
    "if", "unless", "each", "with", "else", "lookup", "log", "this", "upper", "lower", "date",
    "default", "eq", "ne", "and", "or", "not", "gt", "lt", "len",
];

/// A variable the mapping does not provide, with its 1-based position in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub hint: String,
}

/// Scans `{{…}}` expressions of `source` and returns the variables it cannot resolve.
pub fn unknown_variables(source: &str, known: &Known) -> Vec<Unknown> {
    let mut out = Vec::new();
    let mut depth_scoped = 0usize; // inside #each / #with, relative names are the item's
    let mut rest = source;
    let mut offset = 0usize;
    while let Some(start) = rest.find("{{") {
        let abs = offset + start;
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = after[..end].trim_matches(|c| c == '{' || c == '~' || c == '}');
        let consumed = start + 2 + end + 2;
        rest = &rest[consumed..];
        offset += consumed;
        let inner = inner.trim();
        if inner.starts_with('!') {
            continue;
        }
        let (opener, body) = match inner.chars().next() {
            // A partial's name is not a variable (its parameters are not checked).
            Some('>') => continue,
            Some('#') => (Some(true), &inner[1..]),
            Some('/') => (Some(false), &inner[1..]),
            Some('^') => (None, &inner[1..]),
            _ => (None, inner),
        };
        let first = body.split_whitespace().next().unwrap_or("");
        if opener == Some(false) {
            if matches!(first, "each" | "with") {
                depth_scoped = depth_scoped.saturating_sub(1);
            }
            continue;
        }
        let opens_scope = opener == Some(true) && matches!(first, "each" | "with");
        for token in tokens(body) {
            if let Some(u) = check(token, known, depth_scoped > 0) {
                let (line, column) = position(source, abs);
                out.push(Unknown {
                    path: token.to_owned(),
                    line,
                    column,
                    hint: u,
                });
            }
        }
        if opens_scope {
            depth_scoped += 1;
        }
    }
    out
}

fn tokens(body: &str) -> impl Iterator<Item = &str> {
    body.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .filter(|t| !t.starts_with('"') && !t.starts_with('\'') && !t.ends_with('"'))
        .filter(|t| !t.contains('='))
        .filter(|t| !t.starts_with('@') || t.starts_with("@root."))
        .filter(|t| t.parse::<f64>().is_err())
        .filter(|t| !matches!(*t, "true" | "false" | "null" | "as" | "|"))
}

fn check(token: &str, known: &Known, scoped: bool) -> Option<String> {
    let token = token.strip_prefix("@root.").unwrap_or(token);
    let mut parts = token.split('.');
    let root = parts.next().unwrap_or("");
    let second = parts.next();
    if HELPERS.contains(&root) || root.starts_with("../") || root == "." {
        return None;
    }
    if root == "issued_at" && second.is_none() {
        return None;
    }
    if root == "record" {
        let (Some(field), Some(fields)) = (second, &known.record) else {
            return None;
        };
        return (!fields.contains(field)).then(|| {
            format!(
                "record fields defined by the mapping: {}",
                fields.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        });
    }
    if root == "provider_classification" {
        let name = second?;
        return (!known.classifications.contains(name)).then(|| {
            format!(
                "provider_classifications declares: {}",
                known
                    .classifications
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    }
    if let Some((_, names)) = ROOTS.iter().find(|(r, _)| *r == root) {
        let field = second?;
        return (!names.contains(&field)).then(|| format!("{root} has: {}", names.join(", ")));
    }
    if scoped {
        return None;
    }
    Some("top-level names are record, subject, evidence, provider, request, provider_classification, issued_at".to_owned())
}

fn position(source: &str, byte: usize) -> (u64, u64) {
    let before = &source[..byte.min(source.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0) as u64
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            record: Some(
                ["family_name", "dob"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
            classifications: ["municipality".to_owned()].into(),
        }
    }

    #[test]
    fn typos_are_found_with_their_position() {
        let src = "<a>{{record.family_name}}</a>\n<b>{{date record.dobb \"%d.%m.%Y\"}}</b>\n{{subject.givenname}} {{issued_at}} {{bogus}}";
        let u = unknown_variables(src, &known());
        let paths: Vec<&str> = u.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(paths, ["record.dobb", "subject.givenname", "bogus"]);
        let v = unknown_variables(
            "{{provider_classification.municipality}} {{provider_classification.school}}",
            &known(),
        );
        let undeclared: Vec<&str> = v.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(undeclared, ["provider_classification.school"]);
        assert_eq!((u[0].line, u[0].column), (2, 4));
        assert!(u[0].hint.contains("family_name"));
    }

    #[test]
    fn blocks_comments_and_literals_are_understood() {
        let src = "{{> footer}}{{! record.nope }}{{#if record.dob}}{{default record.family_name \"-\"}}{{/if}}{{#each items}}{{name}}{{/each}}{{#if (eq provider.country \"DE\")}}x{{/if}}";
        let u = unknown_variables(src, &known());
        let paths: Vec<&str> = u.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(paths, ["items"]);
    }

    #[test]
    fn unknown_record_fields_are_not_guessed() {
        let k = Known {
            record: None,
            classifications: BTreeSet::new(),
        };
        assert!(unknown_variables("{{record.anything}}", &k).is_empty());
    }
}
