//! Evidence metadata a mapping reads from the matched record: who issued the evidence
//! (`sdg:IssuingAuthority`) and how long it is valid (`sdg:ValidityPeriod`). An
//! aggregating register holds evidences issued by many authorities; without
//! `issuing_authority` the provider itself is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, codes};

/// `evidence.issuing_authority`: record fields naming the authority that issued the
/// evidence (R-EDM-RESP-C038/C039: its identifier carries a `schemeID` from the EAS list
/// or `urn:oasis:names:tc:ebcore:partyid-type:unregistered…`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthoritySpec {
    /// Record field holding the authority's identifier.
    pub identifier: Spanned<String>,
    /// Record field holding the identifier's scheme (`@schemeID`), when the register keeps
    /// one per record.
    #[serde(default)]
    pub scheme: Option<Spanned<String>>,
    /// The scheme of every record's identifier, when the register keeps none.
    #[serde(default)]
    pub scheme_id: Option<Spanned<String>>,
    /// Record field holding the authority's name, by language (`DE: registry_office`).
    pub names: BTreeMap<String, Spanned<String>>,
}

/// `evidence.validity`: record fields holding `sdg:ValidityPeriod` (both xs:date; the
/// period is written only when the record has both).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValiditySpec {
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

impl AuthoritySpec {
    /// What is wrong with the section itself (file:line:col): exactly one of `scheme` and
    /// `scheme_id`, a `scheme_id` from the EAS list or `unregistered`, at least one name
    /// in a two-letter language.
    pub(crate) fn problems(&self, path: &Path, at: serde_saphyr::Location) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        match (&self.scheme, &self.scheme_id) {
            (Some(_), Some(s)) => {
                out.push(
                    Diagnostic::new(
                        path,
                        codes::BAD_METADATA,
                        "issuing_authority takes one of `scheme` (a record field) and `scheme_id` (a fixed scheme), not both",
                    )
                    .at_location(s.referenced),
                );
            }
            (None, None) => out.push(
                Diagnostic::new(
                    path,
                    codes::BAD_METADATA,
                    "issuing_authority needs the identifier's scheme: `scheme: <record field>` or `scheme_id: <scheme>`",
                )
                .at_location(self.identifier.referenced)
                .hint("scheme_id: urn:cef.eu:names:identifier:EAS:9930"),
            ),
            (None, Some(s)) if !crate::edm::is_agent_scheme(&s.value) => out.push(
                Diagnostic::new(
                    path,
                    codes::BAD_METADATA,
                    format!(
                        "scheme_id `{}` is neither urn:cef.eu:names:identifier:EAS:<code of the EAS list> nor urn:oasis:names:tc:ebcore:partyid-type:unregistered… (R-EDM-RESP-C039)",
                        crate::edm::echo(&s.value)
                    ),
                )
                .at_location(s.referenced),
            ),
            _ => {}
        }
        if self.names.is_empty() {
            out.push(
                Diagnostic::new(
                    path,
                    codes::BAD_METADATA,
                    "issuing_authority.names is empty",
                )
                .at_location(at)
                .hint("names: { EN: authority_name }"),
            );
        }
        for (lang, field) in &self.names {
            if lang.len() != 2 || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
                out.push(
                    Diagnostic::new(
                        path,
                        codes::BAD_METADATA,
                        format!(
                            "issuing_authority.names: `{}` is not a two-letter language code",
                            crate::edm::echo(lang)
                        ),
                    )
                    .at_location(field.referenced),
                );
            }
        }
        out
    }

    /// The record fields the section names, with where it names them.
    pub(crate) fn fields(&self) -> Vec<(&'static str, &Spanned<String>)> {
        let mut out = vec![("evidence.issuing_authority.identifier", &self.identifier)];
        if let Some(s) = &self.scheme {
            out.push(("evidence.issuing_authority.scheme", s));
        }
        out.extend(
            self.names
                .values()
                .map(|f| ("evidence.issuing_authority.names", f)),
        );
        out
    }
}

/// `check`: every record field the metadata sections name must be one of the connector's
/// fields, or it would only ever be empty (file:line:col).
pub fn unknown_fields(
    path: &Path,
    authority: Option<&AuthoritySpec>,
    validity: Option<&ValiditySpec>,
    record: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let mut named = authority.map(AuthoritySpec::fields).unwrap_or_default();
    if let Some(v) = validity {
        named.push(("evidence.validity.start", &v.start));
        named.push(("evidence.validity.end", &v.end));
    }
    named
        .into_iter()
        .filter(|(_, f)| !record.contains(&f.value))
        .map(|(key, f)| {
            Diagnostic::new(
                path,
                codes::UNKNOWN_FIELD,
                format!(
                    "{key} uses `{}`, which is not among the connector's fields",
                    f.value
                ),
            )
            .at_location(f.referenced)
            .hint(crate::diag::suggest::record_field(&f.value, record))
        })
        .collect()
}
