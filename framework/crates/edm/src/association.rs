//! The XML of 2.0 supplementary objects and the associations linking them to their main
//! evidence (TDD 2.0.1 4.5.2 §2.6, R-EDM-RESP-S048–S065).

use roxmltree::Node;

use crate::rim;
use crate::supplement::{
    ASSOCIATION_TYPE_PREFIX, AssociatedKind, EDM_CLASSIFICATION_SCHEME, Supplement,
};
use crate::xml::{self, NS_RIM, NS_SDG, NS_XLINK, XmlWriter};

/// Writes the supplements of the main evidence `main_id`, then one association per
/// supplement, source the supplement and target the main evidence (S050–S061).
pub(crate) fn write_supplements(w: &mut XmlWriter, main_id: &str, supplements: &[Supplement]) {
    for s in supplements {
        write_supplement(w, s);
    }
    for s in supplements {
        let kind = s.kind.association_type();
        w.empty(
            "rim:RegistryObject",
            &[
                ("xsi:type", "rim:AssociationType"),
                ("id", &s.association_id),
                ("type", &kind),
                ("sourceObject", &s.object_id),
                ("targetObject", main_id),
            ],
        );
    }
}

/// One supplementary `ExtrinsicObjectType`: Identifier and Distribution only (S063), one
/// EDM classification (S048, S049, S065), its own repository item (S033).
fn write_supplement(w: &mut XmlWriter, s: &Supplement) {
    w.open(
        "rim:RegistryObject",
        &[
            ("xsi:type", "rim:ExtrinsicObjectType"),
            ("id", &s.object_id),
        ],
    );
    rim::write_any(w, "EvidenceMetadata", |w| {
        w.open("sdg:Evidence", &[]);
        w.leaf("sdg:Identifier", &[], &s.identifier);
        w.open("sdg:Distribution", &[]);
        w.leaf("sdg:Format", &[], &s.format);
        w.opt_leaf("sdg:Language", s.language.as_deref());
        w.close("sdg:Distribution");
        w.close("sdg:Evidence");
    });
    w.empty(
        "rim:Classification",
        &[
            ("id", &s.classification_id),
            ("classificationScheme", EDM_CLASSIFICATION_SCHEME),
            ("classificationNode", s.kind.name()),
        ],
    );
    let href = format!("cid:{}", s.content_id);
    w.empty(
        "rim:RepositoryItemRef",
        &[("xlink:href", &href), ("xlink:title", &s.title)],
    );
    w.close("rim:RegistryObject");
}

/// The EDM classification node of a 2.0 object, if it has one.
pub(crate) fn node_of<'a>(object: Node<'a, '_>) -> Option<&'a str> {
    xml::children(object, NS_RIM, "Classification")
        .find(|c| {
            c.attribute("classificationScheme").map(str::trim) == Some(EDM_CLASSIFICATION_SCHEME)
        })
        .and_then(|c| c.attribute("classificationNode"))
        .map(str::trim)
}

/// The supplements of a package's list and the main evidence each is associated with:
/// `(target id, supplement)`. An object whose classification is no known kind, or that
/// no association of a matching type links, is left out.
pub(crate) fn read_supplements(list: Node<'_, '_>) -> Vec<(String, Supplement)> {
    let objects: Vec<_> = xml::children(list, NS_RIM, "RegistryObject").collect();
    let associations: Vec<_> = objects
        .iter()
        .copied()
        .filter(|o| xml::xsi_type(*o) == Some("AssociationType"))
        .collect();
    let mut found = Vec::new();
    for o in &objects {
        if xml::xsi_type(*o) != Some("ExtrinsicObjectType") {
            continue;
        }
        let Some(kind) = node_of(*o).and_then(AssociatedKind::parse) else {
            continue;
        };
        let id = attr(*o, "id");
        let link = associations.iter().find(|a| {
            attr(**a, "sourceObject") == id
                && attr(**a, "type").strip_prefix(ASSOCIATION_TYPE_PREFIX) == Some(kind.name())
        });
        let Some(link) = link.copied() else { continue };
        found.push((
            attr(link, "targetObject"),
            read_one(*o, kind, id, attr(link, "id")),
        ));
    }
    found
}

fn read_one(
    o: Node<'_, '_>,
    kind: AssociatedKind,
    object_id: String,
    association_id: String,
) -> Supplement {
    let evidence = rim::find_slot(o, "EvidenceMetadata")
        .and_then(|s| s.value())
        .and_then(rim::any_content)
        .filter(|e| xml::is(*e, NS_SDG, "Evidence"));
    let distribution = evidence.and_then(|e| xml::child(e, NS_SDG, "Distribution"));
    let text = |n: Option<Node<'_, '_>>, name: &'static str| {
        n.and_then(|n| xml::child(n, NS_SDG, name)).map(xml::text)
    };
    let reference = xml::child(o, NS_RIM, "RepositoryItemRef");
    let href = reference
        .and_then(|r| r.attribute((NS_XLINK, "href")))
        .map(str::trim)
        .unwrap_or("");
    Supplement {
        kind,
        object_id,
        classification_id: node_id(o),
        association_id,
        identifier: text(evidence, "Identifier").unwrap_or_default(),
        format: text(distribution, "Format").unwrap_or_default(),
        language: text(distribution, "Language"),
        content_id: href.strip_prefix("cid:").unwrap_or(href).to_string(),
        title: reference
            .and_then(|r| r.attribute((NS_XLINK, "title")))
            .unwrap_or("")
            .to_string(),
    }
}

fn node_id(o: Node<'_, '_>) -> String {
    xml::child(o, NS_RIM, "Classification")
        .map(|c| attr(c, "id"))
        .unwrap_or_default()
}

/// An attribute without namespace (`type`, not `xsi:type`: roxmltree's `attribute("type")`
/// would answer either).
fn attr(n: Node<'_, '_>, name: &str) -> String {
    n.attributes()
        .find(|a| a.name() == name && a.namespace().is_none())
        .map(|a| a.value().trim())
        .unwrap_or("")
        .to_string()
}
