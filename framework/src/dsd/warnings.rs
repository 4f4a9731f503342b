//! What `check` warns about a deployment's DSD registration: fields the DSD needs that
//! the files do not give (OEA-W0201…W0207). The export still works; the warning says
//! what it had to derive or leave out.

use std::collections::BTreeMap;

use crate::config::AdapterConfig;
use crate::diag::{Diagnostic, codes};
use crate::mapping::MappingSet;

/// Every DSD warning for a deployment that loaded.
pub fn warnings(cfg: &AdapterConfig, set: &MappingSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if super::model::access_point(cfg).is_none() {
        out.push(
            Diagnostic::new(
                &cfg.file,
                codes::DSD_NO_ACCESS_SERVICE,
                "the DSD registration names no access service: the gateway is not AS4 and dsd.access_service is not set",
            )
            .hint("dsd:\n  access_service: { identifier: <your access point's PartyId>, scheme: <its type> }"),
        );
    }
    if !has_english(cfg.provider.name.keys()) {
        out.push(
            Diagnostic::new(
                &cfg.file,
                codes::DSD_NO_ENGLISH_NAME,
                "provider.name has no EN entry: the DSD shows the publisher's name in English",
            )
            .hint("name: { EN: <the authority's name in English> }"),
        );
    }
    let mut identifiers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in set.mappings() {
        let spec = &m.spec;
        match &spec.dsd.identifier {
            None => out.push(
                Diagnostic::new(
                    &m.file,
                    codes::DSD_NO_IDENTIFIER,
                    "no dsd.identifier: the DSD export derives one (a UUIDv5 of provider and classification), which changes if either does",
                )
                .hint("dsd: { identifier: <the UUID registered in the DSD> }"),
            ),
            Some(id) if uuid::Uuid::parse_str(id.trim()).is_err() => out.push(Diagnostic::new(
                &m.file,
                codes::DSD_BAD_IDENTIFIER,
                format!(
                    "dsd.identifier `{}` is not a UUID (requesters send it back as sdg:Identifier, R-EDM-REQ-C026)",
                    crate::edm::echo(id)
                ),
            )),
            Some(id) => identifiers
                .entry(id.trim().to_ascii_lowercase())
                .or_default()
                .push(m.name.clone()),
        }
        if !has_english(spec.evidence_type.title.keys()) {
            out.push(
                Diagnostic::new(
                    &m.file,
                    codes::DSD_NO_ENGLISH_TITLE,
                    "evidence_type.title has no EN entry: the DSD shows every evidence type's title in English",
                )
                .hint("title: { EN: <the evidence type's title in English> }"),
            );
        }
        if spec.dsd.level_of_assurance.is_none() && spec.policy.min_level_of_assurance.is_none() {
            out.push(
                Diagnostic::new(
                    &m.file,
                    codes::DSD_NO_ASSURANCE,
                    "neither dsd.level_of_assurance nor policy.min_level_of_assurance is set: the DSD registration states no AuthenticationLevelOfAssurance",
                )
                .hint("policy: { min_level_of_assurance: Substantial }"),
            );
        }
    }
    for (id, names) in identifiers.into_iter().filter(|(_, n)| n.len() > 1) {
        if let Some(first) = set.mappings().iter().find(|m| m.name == names[0]) {
            out.push(Diagnostic::new(
                &first.file,
                codes::DSD_DUPLICATE_IDENTIFIER,
                format!(
                    "dsd.identifier {id} is given by several mapping files ({}): each evidence type needs its own",
                    names.join(", ")
                ),
            ));
        }
    }
    out
}

fn has_english<'a>(mut langs: impl Iterator<Item = &'a String>) -> bool {
    langs.any(|l| l.trim().eq_ignore_ascii_case("EN"))
}
