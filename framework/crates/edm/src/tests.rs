//! Unit tests over the snippet fragments of the shared TDD samples (they are slot
//! fragments, not documents, so they exercise the internal readers directly). Whole
//! messages are covered by `framework/tests/edm_*.rs`.

use std::path::{Path, PathBuf};

use crate::rim;
use crate::rule::Rule;
use crate::rules::{self, Role};
use crate::sdg;
use crate::version::EdmVersion;
use crate::xml::{self, NS_RIM, NS_SDG, XmlLimits};

fn snippets_dir() -> Option<PathBuf> {
    // `$OOTS_SHARED`, else `shared/` next to the repository.
    let shared = std::env::var_os("OOTS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared"));
    let dir =
        shared.join("oots-spec/tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/Snippets");
    if dir.is_dir() {
        Some(dir)
    } else {
        oots_testskip::skip(
            "OOTS_SHARED",
            &format!("shared snippets not found at {}", dir.display()),
        );
        None
    }
}

const WRAP_OPEN: &str = r#"<wrap xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0" xmlns:sdg="http://data.europa.eu/p4s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0" xmlns:xlink="http://www.w3.org/1999/xlink">"#;

#[test]
fn snippet_fragments_are_read_by_the_element_readers() {
    let Some(dir) = snippets_dir() else { return };
    let mut handled = 0;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let raw = std::fs::read_to_string(&path).unwrap();
        if raw.trim_start().starts_with("<?xml") {
            continue; // whole documents: tests/edm_samples.rs
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let wrapped = format!("{WRAP_OPEN}{raw}</wrap>");
        let doc =
            xml::parse(&wrapped, &XmlLimits::default()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let slot = rim::slots(doc.root_element())
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{name}: no slot"));
        let value = rules::slot_value(&slot).unwrap_or_else(|v| panic!("{name}: {v:?}"));
        let content = rim::any_content(value);
        let agent_of = |v| rim::agents_or_any(v).into_iter().next().expect("agent");
        match slot.name {
            "SpecificationIdentifier" => {
                assert_eq!(
                    rim::simple_value(value).and_then(|v| EdmVersion::from_spec_id(&v)),
                    Some(EdmVersion::V1_0)
                );
            }
            "IssueDateTime" | "ResponseAvailableDateTime" | "Timestamp" => {
                assert!(
                    rules::check_issue_date_time(&rim::simple_value(value).unwrap()).is_ok(),
                    "{name}"
                );
            }
            "Procedure" => assert_eq!(rules::procedure_code(value).unwrap(), "R1"),
            "PreviewLocation" => assert!(rim::simple_value(value).unwrap().starts_with("https://")),
            "PossibilityForPreview" | "ExplicitRequestGiven" => {
                assert_eq!(rules::boolean(value, slot.name, Rule::ReqS024), Ok(true));
            }
            "PreviewMethod" => assert_eq!(rim::simple_value(value).as_deref(), Some("GET")),
            "PreviewDescription" => {
                let texts = rim::intl_values(value);
                assert_eq!(texts.len(), 4);
                assert_eq!(texts[2].lang, "EN");
                assert_eq!(texts[2].text, "Please select your diploma.");
            }
            "EvidenceResponseIdentifier" => {
                assert!(crate::lexical::is_uuid(&rim::simple_value(value).unwrap()))
            }
            "Requirements" => {
                let reqs = rules::collection_content(
                    value,
                    "Requirements",
                    "Requirement",
                    Rule::ReqS027,
                    Rule::ReqS037,
                )
                .unwrap();
                // This snippet writes Identifier/Name without namespace: strict reading refuses it.
                assert_eq!(
                    sdg::read_requirement(reqs[0]),
                    Err(sdg::Missing("sdg:Identifier"))
                );
            }
            "EvidenceRequester" => {
                let a = agent_of(value);
                if xml::xsi_type(value) == Some("CollectionValueType") {
                    rules::check_requester_agent(a, EdmVersion::V1_0).unwrap();
                }
                assert!(sdg::read_agent(a).unwrap().identifier.scheme_id.is_some());
            }
            "EvidenceProvider" | "ErrorProvider" => {
                let a = sdg::read_agent(agent_of(value)).unwrap();
                assert!(!a.names.is_empty(), "{name}");
                if slot.name == "ErrorProvider" {
                    assert_eq!(a.classification.as_deref(), Some("ERRP"));
                    assert_eq!(
                        a.address.and_then(|x| x.admin_unit_level1).as_deref(),
                        Some("DE")
                    );
                }
            }
            "EvidenceProviderClassification" => {
                let c = rules::collection_content(
                    value,
                    "EvidenceProviderClassification",
                    "EvidenceProviderClassification",
                    Rule::ReqS032,
                    Rule::ReqS041,
                )
                .unwrap();
                assert_eq!(c.len(), 2);
            }
            "EvidenceRequest" => {
                let e = content.unwrap();
                rules::check_evidence_type(e, EdmVersion::V1_0).unwrap();
                let t = sdg::read_evidence_type(e).unwrap();
                assert_eq!(t.titles.len(), 2);
                assert!(t.distributed_as[0].transformation.is_some());
            }
            "NaturalPerson" | "AuthorizedRepresentative" => {
                let p = content.unwrap();
                rules::check_person(p, Role::Subject, EdmVersion::V1_0).unwrap();
                let p = sdg::read_person(p).unwrap();
                assert_eq!(p.date_of_birth, "1978-09-09");
                assert_eq!(p.sector_specific_attributes.len(), 2);
            }
            "LegalPerson" => {
                let p = content.unwrap();
                rules::check_legal_person(p, EdmVersion::V1_0).unwrap();
                let p = sdg::read_legal_person(p).unwrap();
                assert_eq!(p.identifiers.len(), 2);
                assert!(p.registered_address.is_some());
            }
            "EvidenceMetadata" => {
                let e = sdg::read_evidence(content.unwrap()).unwrap();
                assert_eq!(e.distribution.format, "application/xml");
                assert!(e.validity.is_some());
            }
            other => panic!("{name}: unexpected slot {other}"),
        }
        assert!(xml::is(slot.node, NS_RIM, "Slot"));
        handled += 1;
    }
    assert_eq!(handled, 29);
    let _ = NS_SDG;
}
