//! Evidence provider classifications a mapping uses: the values the user chose at the
//! DSD (`EvidenceProviderClassification`, TDD 4.5.1 §3.4; optional in a request by
//! R-EDM-REQ-S014), such as the municipality or school that holds the record. A mapping
//! declares each by the DSD concept's identifier; the request's value is then bound to
//! query parameters (never spliced into the query) and given to templates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, codes};
use crate::edm::{EvidenceRequest, Rule};

/// The longest classification value taken from a request (characters).
pub const MAX_CLASSIFICATION_CHARS: usize = 256;

/// `provider_classifications.<name>`: one classification the mapping uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationSpec {
    /// The `sdg:Identifier` of the classification concept in the DSD (a UUID).
    pub identifier: Spanned<String>,
    /// Whether a request without it is refused (`EDM:ERR:0003`); otherwise its value is
    /// null.
    #[serde(default)]
    pub required: bool,
}

/// Why a request's classifications cannot be used, naming the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassificationRefusal {
    pub rule: Rule,
    pub detail: String,
}

/// The value of each declared classification in `request` (`None`: not given), or why
/// the request cannot be answered: a required one missing, one given twice with
/// different values, or a value that is over-long or holds control characters.
pub fn resolve(
    declared: &BTreeMap<String, ClassificationSpec>,
    request: &EvidenceRequest,
) -> Result<BTreeMap<String, Option<String>>, ClassificationRefusal> {
    let mut out = BTreeMap::new();
    for (name, spec) in declared {
        let id = spec.identifier.value.trim();
        let values: BTreeSet<&str> = request
            .provider_classifications
            .iter()
            .filter(|c| c.identifier.trim().eq_ignore_ascii_case(id))
            .map(|c| c.value.trim())
            .collect();
        let refuse = |detail: String| ClassificationRefusal {
            rule: Rule::Tdd451Classification,
            detail,
        };
        let value = match values.len() {
            0 if spec.required => {
                return Err(refuse(format!(
                    "this evidence type needs the EvidenceProviderClassification {id} the user chooses at the DSD (optional in a request by R-EDM-REQ-S014, required by this data service)"
                )));
            }
            0 => None,
            1 => values.first().map(|v| (*v).to_owned()),
            _ => {
                return Err(refuse(format!(
                    "the EvidenceProviderClassification {id} is given more than once with different values"
                )));
            }
        };
        if let Some(v) = &value
            && (v.chars().count() > MAX_CLASSIFICATION_CHARS || v.chars().any(char::is_control))
        {
            // The value itself is not echoed: it may name a person's place.
            return Err(refuse(format!(
                "the value of the EvidenceProviderClassification {id} is longer than {MAX_CLASSIFICATION_CHARS} characters or holds control characters"
            )));
        }
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// Load-time checks of the declarations (file:line:col): a non-empty identifier, not
/// declared twice.
pub(crate) fn problems(
    path: &Path,
    declared: &BTreeMap<String, ClassificationSpec>,
) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (name, spec) in declared {
        let id = spec.identifier.value.trim().to_ascii_lowercase();
        if id.is_empty() || !seen.insert(id) {
            out.push(
                Diagnostic::new(
                    path,
                    codes::BAD_CLASSIFICATION_USE,
                    format!(
                        "provider_classifications.{name}: the identifier is empty or declared twice"
                    ),
                )
                .at_location(spec.identifier.referenced),
            );
        }
    }
    out
}

/// Load-time check of `connector.classifications` (query parameter → declared
/// classification name): each names a declared classification (file:line:col).
pub(crate) fn undeclared(
    path: &Path,
    declared: &BTreeMap<String, ClassificationSpec>,
    used: &BTreeMap<String, Spanned<String>>,
) -> Vec<Diagnostic> {
    used.iter()
        .filter(|(_, name)| !declared.contains_key(&name.value))
        .map(|(param, name)| {
            Diagnostic::new(
                path,
                codes::BAD_CLASSIFICATION_USE,
                format!(
                    "query parameter :{param} is bound to classification `{}`, which provider_classifications does not declare",
                    name.value
                ),
            )
            .at_location(name.referenced)
            .hint(format!(
                "provider_classifications:\n  {}:\n    identifier: <the DSD concept's UUID>",
                name.value
            ))
        })
        .collect()
}
