//! 2.0 supplementary documents (annex, human-readable version, translation) in the
//! evidence package: structure, ids and association targets (TDD 2.0.1 4.5.2 §2.6,
//! R-EDM-RESP-S048–S065), and what the reader makes of them.

use oots_devkit::samples;
use oots_framework::edm::{
    AssociatedKind, EdmVersion, QueryResponse, XmlLimits, parse_response, write_response,
};

fn doc(xml: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(xml).unwrap()
}

const RIM: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0";
const SDG: &str = "http://data.europa.eu/p4s";

fn xsi_type<'a>(n: roxmltree::Node<'a, '_>) -> Option<&'a str> {
    n.attribute(("http://www.w3.org/2001/XMLSchema-instance", "type"))
}

fn objects<'a, 'i>(list: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    list.children()
        .filter(|c| c.has_tag_name((RIM, "RegistryObject")))
        .collect()
}

#[test]
fn supplements_are_classified_objects_associated_with_the_main_evidence() {
    let response = samples::evidence_response_with_supplements();
    let xml = write_response(&response);
    let d = doc(&xml);
    let top = d
        .root_element()
        .children()
        .find(|c| c.has_tag_name((RIM, "RegistryObjectList")))
        .unwrap();
    // S066: the top-level list holds only the package.
    let packages = objects(top);
    assert_eq!(packages.len(), 1);
    assert_eq!(xsi_type(packages[0]), Some("rim:RegistryPackageType"));
    let inner = packages[0]
        .children()
        .find(|c| c.has_tag_name((RIM, "RegistryObjectList")))
        .unwrap();
    let inner = objects(inner);
    // Main evidence, its three supplements, then three associations.
    assert_eq!(inner.len(), 7);
    let main_id = response.items[0].object_id.as_str();
    assert_eq!(inner[0].attribute("id"), Some(main_id));
    let mut ids = std::collections::BTreeSet::new();
    for (object, s) in inner[1..4].iter().zip(&response.items[0].supplements) {
        assert_eq!(xsi_type(*object), Some("rim:ExtrinsicObjectType"));
        assert_eq!(object.attribute("id"), Some(s.object_id.as_str()));
        // S048/S049/S065: exactly one EDM classification, node = kind, urn:uuid id.
        let classes: Vec<_> = object
            .children()
            .filter(|c| c.has_tag_name((RIM, "Classification")))
            .collect();
        assert_eq!(classes.len(), 1);
        assert_eq!(
            classes[0].attribute("classificationScheme"),
            Some("urn:fdc:oots:classification:edm")
        );
        assert_eq!(
            classes[0].attribute("classificationNode"),
            Some(s.kind.name())
        );
        let class_id = classes[0].attribute("id").unwrap();
        assert!(class_id.starts_with("urn:uuid:"), "{class_id}");
        // S033: its own repository item.
        let r = object
            .children()
            .find(|c| c.has_tag_name((RIM, "RepositoryItemRef")))
            .unwrap();
        assert_eq!(
            r.attribute(("http://www.w3.org/1999/xlink", "href")),
            Some(format!("cid:{}", s.content_id).as_str())
        );
        // S063: Identifier and Distribution/Format (+ Language) only.
        let evidence = object
            .descendants()
            .find(|c| c.has_tag_name((SDG, "Evidence")))
            .unwrap();
        let children: Vec<_> = evidence
            .children()
            .filter(|c| c.is_element())
            .map(|c| c.tag_name().name())
            .collect();
        assert_eq!(children, ["Identifier", "Distribution"]);
        let distribution: Vec<_> = evidence
            .children()
            .find(|c| c.has_tag_name((SDG, "Distribution")))
            .unwrap()
            .children()
            .filter(|c| c.is_element())
            .map(|c| c.tag_name().name())
            .collect();
        let expected: &[&str] = if s.kind == AssociatedKind::Translation {
            &["Format", "Language"]
        } else {
            &["Format"]
        };
        assert_eq!(distribution, expected);
        for id in [s.object_id.as_str(), class_id, s.association_id.as_str()] {
            assert!(ids.insert(id.to_owned()), "id {id} used twice");
        }
    }
    // S050–S061: one association per supplement, source = it, target = the main.
    for (association, s) in inner[4..].iter().zip(&response.items[0].supplements) {
        assert_eq!(xsi_type(*association), Some("rim:AssociationType"));
        assert_eq!(association.attribute("id"), Some(s.association_id.as_str()));
        assert_eq!(
            association.attribute("sourceObject"),
            Some(s.object_id.as_str())
        );
        assert_eq!(association.attribute("targetObject"), Some(main_id));
        assert_eq!(
            association
                .attributes()
                .find(|a| a.name() == "type" && a.namespace().is_none())
                .unwrap()
                .value(),
            format!(
                "urn:oasis:names:tc:ebxml-regrep:AssociationType:{}",
                s.kind.name()
            )
        );
    }
}

#[test]
fn the_reader_gives_supplements_to_their_main_evidence_only() {
    let response = samples::evidence_response_with_supplements();
    let xml = write_response(&response);
    let QueryResponse::Evidence(back) =
        parse_response(xml.as_bytes(), &XmlLimits::default()).unwrap()
    else {
        panic!("not an evidence response")
    };
    // Supplements are not read as evidences of their own.
    assert_eq!(back.items.len(), 1);
    assert_eq!(back, response);
}

#[test]
fn a_supplement_without_its_association_is_not_taken_for_anything() {
    let response = samples::evidence_response_with_supplements();
    let xml = write_response(&response);
    let first = &response.items[0].supplements[0];
    // Drop the association of the first supplement; retarget the second one elsewhere.
    let start = xml
        .find(&format!("id=\"{}\"", first.association_id))
        .unwrap();
    let open = xml[..start].rfind('<').unwrap();
    let close = start + xml[start..].find("/>").unwrap() + 2;
    let mut forged = format!("{}{}", &xml[..open], &xml[close..]);
    let second = &response.items[0].supplements[1];
    let main = &response.items[0].object_id;
    forged = forged.replacen(
        &format!(
            "sourceObject=\"{}\" targetObject=\"{main}\"",
            second.object_id
        ),
        &format!(
            "sourceObject=\"{}\" targetObject=\"urn:uuid:00000000-0000-4000-8000-000000000000\"",
            second.object_id
        ),
        1,
    );
    let QueryResponse::Evidence(back) =
        parse_response(forged.as_bytes(), &XmlLimits::default()).unwrap()
    else {
        panic!("not an evidence response")
    };
    assert_eq!(back.items.len(), 1);
    let kinds: Vec<_> = back.items[0].supplements.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [AssociatedKind::Annex]);
}

#[test]
fn one_x_responses_carry_no_supplements_nor_associations() {
    let mut response = samples::evidence_response_with_supplements();
    response.version = EdmVersion::V1_2;
    let xml = write_response(&response);
    assert!(!xml.contains("AssociationType"), "{xml}");
    assert!(!xml.contains("supplement1@"), "{xml}");
    assert_eq!(xml.matches("rim:ExtrinsicObjectType").count(), 1);
}
