//! Checks the variables a template uses against what the mapping provides, so a typo like
//! `{{record.familyname}}` is reported when the mapping is checked, not when the first
//! citizen's request fails to render.

use std::collections::BTreeSet;

use handlebars::template::{HelperTemplate, Parameter, TemplateElement};
use handlebars::{Path, Template};

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

/// Walks the template's own parse tree (the engine that renders it) and returns the
/// variables it cannot resolve: string literals, comments and partial names are not
/// variables, whatever they contain. A template that does not compile yields nothing here
/// (loading the mapping reports it).
pub fn unknown_variables(source: &str, known: &Known) -> Vec<Unknown> {
    let mut walk = Walk {
        known,
        out: Vec::new(),
    };
    if let Ok(t) = Template::compile(source) {
        walk.template(&t, false);
    }
    walk.out
}

/// One pass over a template tree; `scoped` is true inside `#each` / `#with` (and partial
/// or inline bodies), where relative names are the item's, not the template data's.
struct Walk<'a> {
    known: &'a Known,
    out: Vec<Unknown>,
}

impl Walk<'_> {
    fn template(&mut self, t: &Template, scoped: bool) {
        for (i, e) in t.elements.iter().enumerate() {
            let at = t.mapping.get(i).map_or((0, 0), |m| (m.0, m.1));
            match e {
                TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                    self.helper(h, scoped, at);
                }
                TemplateElement::HelperBlock(h) => {
                    self.helper(h, scoped, at);
                    let opens = matches!(h.name.as_name(), Some("each" | "with"));
                    if let Some(body) = &h.template {
                        self.template(body, scoped || opens);
                    }
                    // `{{else}}` of `#each` / `#with` runs in the outer scope.
                    if let Some(inverse) = &h.inverse {
                        self.template(inverse, scoped);
                    }
                }
                // A partial's name and parameters are not checked; a block's body is the
                // partial's scope, so only qualified names are.
                TemplateElement::PartialBlock(d) | TemplateElement::DecoratorBlock(d) => {
                    if let Some(body) = &d.template {
                        self.template(body, true);
                    }
                }
                _ => {}
            }
        }
    }

    /// `{{name}}` alone reads a variable; with parameters, `name` is a helper (known ones
    /// pass `check`) and the parameters and hash values are what it reads.
    fn helper(&mut self, h: &HelperTemplate, scoped: bool, at: (usize, usize)) {
        for p in std::iter::once(&h.name)
            .chain(&h.params)
            .chain(h.hash.values())
        {
            self.parameter(p, scoped, at);
        }
    }

    fn parameter(&mut self, p: &Parameter, scoped: bool, at: (usize, usize)) {
        match p {
            Parameter::Path(path) => self.path(path, scoped, at),
            Parameter::Name(n) => self.token(n, scoped, at),
            Parameter::Subexpression(s) => {
                if let TemplateElement::Expression(h) = s.as_element() {
                    self.helper(h, scoped, at);
                }
            }
            // Literals (strings, numbers, `true`, `null`) are values, not variables.
            _ => {}
        }
    }

    fn path(&mut self, p: &Path, scoped: bool, at: (usize, usize)) {
        match p {
            // `@index`, `@key`, `../@first`: the engine's own locals.
            Path::Local(_) => {}
            Path::Relative((_, raw)) => self.token(raw, scoped, at),
        }
    }

    fn token(&mut self, raw: &str, scoped: bool, (line, column): (usize, usize)) {
        // `record/family_name` is the same path as `record.family_name`.
        let dotted = if raw.starts_with("../") {
            raw.to_owned()
        } else {
            raw.replace('/', ".")
        };
        if let Some(hint) = check(&dotted, self.known, scoped) {
            self.out.push(Unknown {
                path: raw.to_owned(),
                line: line as u64,
                column: column as u64,
                hint,
            });
        }
    }
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

    /// Issue 20: a string literal with spaces is not a variable (it was split on spaces).
    #[test]
    fn string_literals_with_spaces_are_not_variables() {
        let src = "{{date record.dob \"%d %B %Y\"}}\n{{default record.family_name \"not yet known\"}}\n{{#if (eq provider.country \"a b c\")}}{{default record.dob 'x y z'}}{{/if}}";
        assert_eq!(unknown_variables(src, &known()), []);
        let src = "<p>{{default record.family_name \"a b c\"}}</p>\n  {{#if record.dob}}<i>{{date record.dobb \"%d %B %Y\"}}</i>{{/if}}";
        let u = unknown_variables(src, &known());
        let found: Vec<(&str, u64, u64)> = u
            .iter()
            .map(|u| (u.path.as_str(), u.line, u.column))
            .collect();
        assert_eq!(found, [("record.dobb", 2, 24)]);
    }

    /// Block scopes follow the parse tree: `{{else}}` of `#each` is the outer scope again,
    /// and variables inside sub-expressions and hash values are checked.
    #[test]
    fn scopes_subexpressions_and_hashes_follow_the_parse_tree() {
        let src = "{{#each items}}{{name}}{{else}}{{nam}}{{/each}}{{lookup (upper record.famly_name) x=record.dobb}}";
        let u = unknown_variables(src, &known());
        let paths: Vec<&str> = u.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(paths, ["items", "nam", "record.famly_name", "record.dobb"]);
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
