//! 2.0 supplementary documents of an evidence (TDD 2.0.1 4.5.2 §2.6): an annex, a
//! human-readable version or a translation of the main evidence, each its own object
//! in the evidence's package, linked to the main one by a `rim:AssociationType`.

use serde::{Deserialize, Serialize};

/// What a supplementary document is to its main evidence: the `AssociatedDocumentRequest`
/// value that asks for it (R-EDM-REQ-C119), its classification node (R-EDM-RESP-S049) and
/// the suffix of its association type (S059 Annex, S060 Translation, S061
/// HumanReadableVersion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AssociatedKind {
    /// A document attached to the evidence (`Annex`).
    Annex,
    /// The evidence rendered for people (`HumanReadableVersion`).
    HumanReadableVersion,
    /// The evidence in another language (`Translation`).
    Translation,
}

impl AssociatedKind {
    /// Every kind, in the order the package lists them.
    pub const ALL: [AssociatedKind; 3] = [
        AssociatedKind::HumanReadableVersion,
        AssociatedKind::Translation,
        AssociatedKind::Annex,
    ];

    /// The name the request, the classification node and the association type use.
    pub fn name(self) -> &'static str {
        match self {
            AssociatedKind::Annex => "Annex",
            AssociatedKind::HumanReadableVersion => "HumanReadableVersion",
            AssociatedKind::Translation => "Translation",
        }
    }

    /// The kind named `name` exactly (R-EDM-REQ-C119 admits these three only).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name.trim())
    }

    /// `@type` of the association linking a document of this kind to its main evidence.
    pub fn association_type(self) -> String {
        format!("{ASSOCIATION_TYPE_PREFIX}{}", self.name())
    }
}

/// EDM classification scheme of 2.0 evidence objects (R-EDM-RESP-S048).
pub const EDM_CLASSIFICATION_SCHEME: &str = "urn:fdc:oots:classification:edm";
/// Classification node of the main evidence (2.0).
pub const MAIN_EVIDENCE: &str = "MainEvidence";

/// Prefix of the RegRep association types (S059–S061).
pub const ASSOCIATION_TYPE_PREFIX: &str = "urn:oasis:names:tc:ebxml-regrep:AssociationType:";

/// One supplementary object of a 2.0 evidence package. Its metadata is only what S063
/// leaves it: `sdg:Identifier` and `sdg:Distribution` (`Format`, and `Language` for a
/// translation); never IsAbout, IssuingAuthority, IsConformantTo, IssuingDate,
/// ValidityPeriod or ConformsTo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supplement {
    /// What it is to the main evidence.
    pub kind: AssociatedKind,
    /// `urn:uuid:…` id of its `rim:RegistryObject` (the association's `@sourceObject`).
    pub object_id: String,
    /// `urn:uuid:…` id of its `rim:Classification` (S065).
    pub classification_id: String,
    /// `urn:uuid:…` id of the `rim:AssociationType` object linking it.
    pub association_id: String,
    /// `sdg:Identifier` of its metadata.
    pub identifier: String,
    /// `sdg:Distribution/sdg:Format`: its media type.
    pub format: String,
    /// `sdg:Distribution/sdg:Language`, for a translation.
    pub language: Option<String>,
    /// Content-ID of its payload part, without `cid:` (its own RepositoryItemRef, S033).
    pub content_id: String,
    /// `xlink:title` of its repository item reference.
    pub title: String,
}
