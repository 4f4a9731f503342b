//! What `check` warns about: a deployment that works but will surprise someone (a
//! citizen shown a page in two languages, a DSD registration missing a field). Warnings
//! carry `OEA-W` codes and never fail `check`; each concern appends its own findings.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::AdapterConfig;
use crate::diag::{Diagnostic, codes};
use crate::mapping::{Mapping, MappingSet};
use crate::preview::i18n::Catalog;

/// Every warning for a deployment that loaded.
pub(super) fn collect(cfg: &AdapterConfig, set: &MappingSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(crate::dsd::warnings(cfg, set));
    label_languages(cfg, set, &mut out);
    out
}

/// `OEA-W0101`: a mapping's field labels or evidence title, or the provider's name, lack
/// a language the preview pages offer. The page then shows the text of another language, marked with its own
/// `lang`; the warning says so before a citizen sees a page in two languages.
fn label_languages(cfg: &AdapterConfig, set: &MappingSet, out: &mut Vec<Diagnostic>) {
    // A broken override folder is reported where the pages are built; its languages are
    // then unknown here, so the shipped ones are checked.
    let catalog = cfg
        .preview
        .ui_dir
        .as_deref()
        .and_then(|d| Catalog::load_overrides(d).ok().map(|(c, _)| c))
        .unwrap_or_else(Catalog::embedded);
    let offered: Vec<String> = catalog
        .languages()
        .iter()
        .map(|l| l.as_str().to_owned())
        .collect();
    // The authority's name heads and closes every page.
    let provider = [("provider.name".to_owned(), &cfg.provider.name)];
    if let Some(d) = missing_languages(&cfg.file, &provider, &offered, UNMARKED) {
        out.push(d);
    }
    for m in set.mappings() {
        if let Some(d) = missing_label_languages(m, &offered) {
            out.push(d);
        }
    }
}

/// How a page in a missing language shows a field label or evidence title.
const MARKED: &str =
    "pages in those languages show them in another language, marked with its own lang attribute";

/// How it shows the provider's name: inside its sentences, where no mark can go.
const UNMARKED: &str =
    "pages in those languages show it in another language, inside their sentences";

/// The warning for one mapping, if any of its page texts lacks an offered language.
fn missing_label_languages(m: &Mapping, offered: &[String]) -> Option<Diagnostic> {
    let mut texts: Vec<(String, &BTreeMap<String, String>)> = vec![(
        "evidence_type.title".to_owned(),
        &m.spec.evidence_type.title,
    )];
    texts.extend(
        m.spec
            .labels
            .iter()
            .map(|(field, by_lang)| (format!("labels.{field}"), by_lang)),
    );
    missing_languages(&m.file, &texts, offered, MARKED)
}

/// The warning for `texts` of `file` (name → text by language), if any lacks an offered
/// language.
fn missing_languages(
    file: &std::path::Path,
    texts: &[(String, &BTreeMap<String, String>)],
    offered: &[String],
    shown: &str,
) -> Option<Diagnostic> {
    let mut missing: BTreeSet<&str> = BTreeSet::new();
    let mut lacking: Vec<String> = Vec::new();
    for (name, by_lang) in texts {
        let gaps: Vec<&str> = offered
            .iter()
            .filter(|l| !by_lang.keys().any(|k| k.eq_ignore_ascii_case(l)))
            .map(String::as_str)
            .collect();
        if !gaps.is_empty() {
            missing.extend(gaps);
            lacking.push(name.clone());
        }
    }
    if missing.is_empty() {
        return None;
    }
    let missing: Vec<&str> = missing.into_iter().collect();
    Some(
        Diagnostic::new(
            file,
            codes::LABEL_LANGUAGE,
            format!(
                "texts of the preview page lack languages it offers ({}): {}; {shown}",
                missing.join(", "),
                lacking.join(", "),
            ),
        )
        .hint(format!(
            "add the missing languages, e.g. {{ {} }}",
            missing
                .iter()
                .map(|l| format!("{}: …", l.to_ascii_uppercase()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}
