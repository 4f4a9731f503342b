//! Associated documents of a distribution (2.0, TDD 2.0.1 4.5.2 §2.6): the
//! `associated:` section as an authority writes it, and what loading makes of it.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::edm::AssociatedKind;

/// `associated:` of a distribution: what a 2.0 requester may ask for next to the main
/// evidence with `sdg:AssociatedDocumentRequest` (R-EDM-REQ-C119).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociatedSpec {
    /// The evidence rendered for people from the same record (a PDF template, usually).
    #[serde(default)]
    pub human_readable: Option<AssociatedDocSpec>,
    /// The evidence in other languages: one template (or stored document) per language.
    #[serde(default)]
    pub translations: Vec<AssociatedDocSpec>,
    /// Documents attached to the evidence, fetched from the registry.
    #[serde(default)]
    pub annexes: Vec<AssociatedDocSpec>,
}

impl AssociatedSpec {
    /// Every declared document with its kind, in package order.
    pub fn all(&self) -> impl Iterator<Item = (AssociatedKind, &AssociatedDocSpec)> {
        let hrv = self
            .human_readable
            .iter()
            .map(|d| (AssociatedKind::HumanReadableVersion, d));
        let tr = self
            .translations
            .iter()
            .map(|d| (AssociatedKind::Translation, d));
        let annex = self.annexes.iter().map(|d| (AssociatedKind::Annex, d));
        hrv.chain(tr).chain(annex)
    }
}

/// One associated document: rendered by a template or passed through from a record
/// field (bytes, or a reference the connector fetches), like a distribution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociatedDocSpec {
    /// Its media type (`sdg:Distribution/sdg:Format`).
    pub format: Spanned<String>,
    #[serde(default)]
    pub template: Option<Spanned<String>>,
    #[serde(default)]
    pub document: Option<Spanned<String>>,
    /// Its language (`sdg:Language`); required for a translation.
    #[serde(default)]
    pub language: Option<Spanned<String>>,
    /// `xlink:title` of its repository item; default: the kind's name.
    #[serde(default)]
    pub title: Option<String>,
}

/// A loaded associated document.
#[derive(Debug, Clone)]
pub struct AssociatedDoc {
    pub kind: AssociatedKind,
    pub format: String,
    pub language: Option<String>,
    pub title: String,
    pub source: super::Source,
}
