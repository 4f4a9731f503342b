//! 2.0 associated documents through the exchange: a human-readable version and a
//! translation rendered from the matched record, an annex fetched from the registry; only
//! what the request asks for (TDD 2.0.1 4.5.1 §3.5, 4.5.2 §2.6); hostile annex
//! references fail closed; `check` refuses structured evidence outside every OOTS data
//! model without a human-readable version (OOTS User Journey, step 6).

use std::path::Path;
use std::sync::Arc;

use oots_framework::clock::{Clock, RandomIds, SystemClock};
use oots_framework::config::AdapterConfig;
use oots_framework::connector::OpenMode;
use oots_framework::edm::{
    self, AssociatedKind, EdmVersion, QueryResponse, XmlLimits, parse_response,
};
use oots_framework::exchange::{Answer, Exchange};
use oots_framework::mapping;
use oots_framework::requester::{self, RequestSpec};
use oots_framework::store::SqliteStore;

const ANNEX: &[u8] = b"%PDF-1.7\n% annex: registry extract\n%%EOF\n";
const SECRET: &[u8] = b"%PDF-1.7\n% NOT FOR RELEASE\n%%EOF\n";

/// Line 16 is the distribution's `format:` (checked for positions below).
const MAPPING: &str = "evidence_type:
  classifications:
    - https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e
  title: { EN: Certificate of Birth }
connector:
  connection: reg
  query: dob = :dob
  parameters: { dob: DateOfBirth }
  fields: { family: family, given: given, dob: dob, annex_file: annex_file }
identity: { FamilyName: family, GivenName: given, DateOfBirth: dob }
evidence:
  distributions:
    - format: application/xml
      conforms_to: [https://registry.example.de/schemas/birth-extract-2]
      template: t.xml.hbs
ASSOCIATED";

const ASSOCIATED: &str = "      associated:
        human_readable: { format: application/pdf, template: hrv.pdf.hbs }
        translations:
          - { language: DE, format: application/pdf, template: de.pdf.hbs, title: Übersetzung }
        annexes:
          - { format: application/pdf, document: annex_file, title: Registerauszug }
";

struct Setup {
    _dir: tempfile::TempDir,
    ex: Exchange,
}

fn write_files(dir: &Path, annex_reference: &str, associated: &str) {
    std::fs::create_dir_all(dir.join("mappings")).unwrap();
    std::fs::create_dir_all(dir.join("drop/docs")).unwrap();
    std::fs::write(
        dir.join("drop/people.csv"),
        format!("family,given,dob,annex_file\nDupont,Jean,1992-10-22,{annex_reference}\n"),
    )
    .unwrap();
    std::fs::write(dir.join("drop/docs/annex.pdf"), ANNEX).unwrap();
    std::fs::write(dir.join("drop/secret.pdf"), SECRET).unwrap();
    std::fs::write(
        dir.join("adapter.yaml"),
        "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: { EN: Office }\n  country: DE\nmappings: mappings\nconnections:\n  reg:\n    type: filedrop\n    folder: drop\n    format: csv\n    key: [dob]\n    documents: docs\n    watch: false\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("mappings/m.yaml"),
        MAPPING.replace("ASSOCIATED", associated),
    )
    .unwrap();
    std::fs::write(
        dir.join("mappings/t.xml.hbs"),
        "<Birth><FamilyName>{{record.family}}</FamilyName></Birth>",
    )
    .unwrap();
    std::fs::write(
        dir.join("mappings/hrv.pdf.hbs"),
        "# Certificate of Birth\nFamily name | {{record.family}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("mappings/en.html.hbs"),
        "<p>language={{evidence.language}} family={{record.family}}</p>",
    )
    .unwrap();
    std::fs::write(
        dir.join("mappings/de.pdf.hbs"),
        "# Geburtsurkunde ({{evidence.language}})\nFamilienname | {{record.family}}\n",
    )
    .unwrap();
}

async fn setup(annex_reference: &str) -> Setup {
    setup_with(annex_reference, ASSOCIATED).await
}

async fn setup_with(annex_reference: &str, associated: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), annex_reference, associated);
    let config = Arc::new(AdapterConfig::load(&dir.path().join("adapter.yaml")).unwrap());
    let set = mapping::load(&config, OpenMode::Live).await.unwrap();
    let store = SqliteStore::in_memory().await.unwrap();
    let ex = Exchange::new(config, Arc::new(set), Arc::new(store));
    Setup { _dir: dir, ex }
}

/// A request for the XML distribution asking `kinds` in `languages`.
async fn ask(s: &Setup, version: EdmVersion, kinds: &[&str], languages: &[&str]) -> Answer {
    let mut req = requester::build_request(
        &RequestSpec {
            version,
            family_name: "Dupont".into(),
            given_name: "Jean".into(),
            date_of_birth: "1992-10-22".into(),
            classification: requester::BIRTH_CERTIFICATE.into(),
            format: "application/xml".into(),
            conforms_to: None,
            preview: false,
            provider: (
                "urn:cef.eu:names:identifier:EAS:9930".into(),
                "DE73524311".into(),
                "Office".into(),
            ),
            legal: None,
            level_of_assurance: None,
            optional: Default::default(),
            representative: None,
        },
        &RandomIds,
        SystemClock.now(),
    );
    let d = &mut req.evidence_type.distributed_as[0];
    d.associated_documents = kinds.iter().map(|k| (*k).to_owned()).collect();
    if version.is_v2() {
        d.languages = languages.iter().map(|l| (*l).to_owned()).collect();
    }
    s.ex.answer(edm::write_request(&req).as_bytes(), None)
        .await
        .unwrap()
}

fn evidence_of(a: &Answer) -> edm::EvidenceResponse {
    assert_eq!(a.action(), "ExecuteQueryResponse", "{:?}", a.outcome);
    match parse_response(a.document.as_bytes(), &XmlLimits::default()).unwrap() {
        QueryResponse::Evidence(e) => e,
        other => panic!("not an evidence response: {other:?}"),
    }
}

#[tokio::test]
async fn requested_documents_travel_in_the_package_each_with_its_own_part() {
    let s = setup("annex.pdf").await;
    let a = ask(
        &s,
        EdmVersion::V2_0,
        &["HumanReadableVersion", "Translation", "Annex"],
        &["EN", "DE"],
    )
    .await;
    let e = evidence_of(&a);
    assert_eq!(
        e.items.len(),
        1,
        "supplements are not evidences of their own"
    );
    let item = &e.items[0];
    let kinds: Vec<_> = item.supplements.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            AssociatedKind::HumanReadableVersion,
            AssociatedKind::Translation,
            AssociatedKind::Annex
        ]
    );
    // Main evidence first, then one part per supplement under its RepositoryItemRef.
    assert_eq!(a.attachments.len(), 4);
    assert_eq!(a.attachments[0].content_id, item.content_id);
    assert_eq!(a.attachments[0].mime_type, "application/xml");
    for (part, s) in a.attachments[1..].iter().zip(&item.supplements) {
        assert_eq!(part.content_id, s.content_id);
        assert_eq!(part.mime_type, s.format);
        assert_eq!(s.format, "application/pdf");
        assert!(part.bytes.starts_with(b"%PDF-"));
    }
    let translation = &item.supplements[1];
    assert_eq!(translation.language.as_deref(), Some("DE"));
    assert_eq!(translation.title, "Übersetzung");
    assert_eq!(item.supplements[0].language, None);
    // The annex is the registry's document, byte for byte.
    assert_eq!(a.attachments[3].bytes, ANNEX);
    assert_eq!(item.supplements[2].title, "Registerauszug");
    // Identifiers are fresh and distinct.
    let mut ids: Vec<&str> = vec![item.object_id.as_str(), item.evidence.identifier.as_str()];
    for s in &item.supplements {
        ids.extend([
            s.object_id.as_str(),
            s.classification_id.as_str(),
            s.association_id.as_str(),
            s.identifier.as_str(),
        ]);
    }
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    // S063: the supplements' metadata carries no subject, authority, conformance or date.
    let package_tail = &a.document[a.document.find(&item.supplements[0].object_id).unwrap()..];
    for forbidden in [
        "IsAbout",
        "IssuingAuthority",
        "IsConformantTo",
        "IssuingDate",
        "ValidityPeriod",
        "ConformsTo",
    ] {
        assert!(
            !package_tail.contains(forbidden),
            "{forbidden} on a supplement"
        );
    }
}

#[tokio::test]
async fn only_what_was_asked_is_sent() {
    let s = setup("annex.pdf").await;
    // Nothing asked: the main evidence alone.
    let a = ask(&s, EdmVersion::V2_0, &[], &["EN", "DE"]).await;
    assert!(evidence_of(&a).items[0].supplements.is_empty());
    assert_eq!(a.attachments.len(), 1);
    assert!(!a.document.contains("AssociationType"));
    // Only the annex.
    let a = ask(&s, EdmVersion::V2_0, &["Annex"], &["EN", "DE"]).await;
    let kinds: Vec<_> = evidence_of(&a).items[0]
        .supplements
        .iter()
        .map(|s| s.kind)
        .collect();
    assert_eq!(kinds, [AssociatedKind::Annex]);
    assert_eq!(a.attachments.len(), 2);
}

#[tokio::test]
async fn a_translation_into_a_language_the_mapping_lacks_gives_the_main_evidence_only() {
    let s = setup("annex.pdf").await;
    let a = ask(&s, EdmVersion::V2_0, &["Translation"], &["FR"]).await;
    let e = evidence_of(&a);
    assert!(e.items[0].supplements.is_empty(), "not an error either");
    assert_eq!(a.attachments.len(), 1);
}

#[tokio::test]
async fn a_translation_template_sees_its_own_language() {
    let associated = "      associated:
        human_readable: { format: application/pdf, template: hrv.pdf.hbs }
        translations:
          - { language: EN, format: text/html, template: en.html.hbs }
          - { language: DE, format: application/pdf, template: de.pdf.hbs }
";
    let s = setup_with("annex.pdf", associated).await;
    let a = ask(&s, EdmVersion::V2_0, &["Translation"], &["FR", "en"]).await;
    let e = evidence_of(&a);
    let item = &e.items[0];
    assert_eq!(
        item.supplements.len(),
        1,
        "English only: the languages asked"
    );
    assert_eq!(item.supplements[0].language.as_deref(), Some("EN"));
    assert_eq!(a.attachments[1].mime_type, "text/html");
    let html = String::from_utf8(a.attachments[1].bytes.clone()).unwrap();
    assert_eq!(html, "<p>language=EN family=Dupont</p>");
}

#[tokio::test]
async fn a_record_without_an_annex_gives_the_main_evidence_only() {
    let s = setup("").await;
    let a = ask(&s, EdmVersion::V2_0, &["Annex"], &["EN"]).await;
    assert!(evidence_of(&a).items[0].supplements.is_empty());
    assert_eq!(a.attachments.len(), 1);
}

#[tokio::test]
async fn an_annex_reference_outside_the_documents_folder_fails_closed() {
    for hostile in ["../secret.pdf", "docs/../../secret.pdf"] {
        let s = setup(hostile).await;
        let a = ask(&s, EdmVersion::V2_0, &["Annex"], &["EN"]).await;
        assert_eq!(
            a.action(),
            "ExceptionResponse",
            "{hostile}: {:?}",
            a.outcome
        );
        assert!(a.attachments.is_empty(), "{hostile}");
        assert!(!a.document.contains("NOT FOR RELEASE"));
        // Not asked for: the record's hostile annex is never touched.
        let a = ask(&s, EdmVersion::V2_0, &[], &["EN"]).await;
        assert_eq!(a.attachments.len(), 1, "{hostile}");
    }
}

#[tokio::test]
async fn an_unknown_associated_document_type_is_refused_by_its_rule() {
    let s = setup("annex.pdf").await;
    let a = ask(&s, EdmVersion::V2_0, &["Summary"], &["EN"]).await;
    assert_eq!(a.code(), Some("EDM:ERR:0003"), "{:?}", a.outcome);
    match &a.outcome {
        oots_framework::exchange::Outcome::Error { detail, .. } => {
            assert!(detail.contains("R-EDM-REQ-C119"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_one_x_answer_carries_the_main_evidence_only() {
    let s = setup("annex.pdf").await;
    let a = ask(&s, EdmVersion::V1_2, &[], &[]).await;
    assert_eq!(a.attachments.len(), 1);
    assert!(!a.document.contains("AssociationType"));
}

#[tokio::test]
async fn a_one_x_request_cannot_ask_for_associated_documents() {
    let s = setup("annex.pdf").await;
    let req = requester::build_request(
        &RequestSpec {
            version: EdmVersion::V1_2,
            ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml")
        },
        &RandomIds,
        SystemClock.now(),
    );
    let xml = edm::write_request(&req).replacen(
        "<sdg:Format>application/xml</sdg:Format>",
        "<sdg:Format>application/xml</sdg:Format><sdg:AssociatedDocumentRequest>HumanReadableVersion</sdg:AssociatedDocumentRequest>",
        1,
    );
    assert!(xml.contains("AssociatedDocumentRequest"));
    let a = s.ex.answer(xml.as_bytes(), None).await.unwrap();
    assert_eq!(a.code(), Some("EDM:ERR:0003"), "{:?}", a.outcome);
    assert!(a.attachments.is_empty());
}

async fn load_errors(associated: &str, conforms_to: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), "annex.pdf", associated);
    let path = dir.path().join("mappings/m.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "https://registry.example.de/schemas/birth-extract-2",
        conforms_to,
    );
    std::fs::write(&path, text).unwrap();
    let config = Arc::new(AdapterConfig::load(&dir.path().join("adapter.yaml")).unwrap());
    match mapping::load(&config, OpenMode::Offline).await {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn check_refuses_structured_evidence_outside_oots_models_without_a_human_readable_version() {
    // National schema, no human-readable version: refused at the distribution's format.
    let e = load_errors("", "https://registry.example.de/schemas/birth-extract-2").await;
    assert!(e.contains("m.yaml:13:15: OEA-E0124"), "{e}");
    assert!(e.contains("needs a human-readable version"), "{e}");
    // A look-alike host is no OOTS data model.
    let e = load_errors(
        "",
        "https://sr.oots.tech.ec.europa.eu.example.org/datamodels/x",
    )
    .await;
    assert!(e.contains("OEA-E0124"), "{e}");
    // An OOTS data model (either Semantic Repository host), or a human-readable version.
    for model in [
        "https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0",
        "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0",
    ] {
        assert_eq!(load_errors("", model).await, "", "{model}");
    }
    assert_eq!(
        load_errors(
            ASSOCIATED,
            "https://registry.example.de/schemas/birth-extract-2"
        )
        .await,
        ""
    );
}

#[tokio::test]
async fn check_points_at_associated_documents_it_cannot_use() {
    let no_language = "      associated:\n        human_readable: { format: application/pdf, template: hrv.pdf.hbs }\n        translations:\n          - { format: application/pdf, template: de.pdf.hbs }\n";
    let e = load_errors(no_language, "https://registry.example.de/x").await;
    assert!(
        e.contains("m.yaml:19:23: OEA-E0124") && e.contains("needs its `language`"),
        "{e}"
    );
    let both = "      associated:\n        human_readable: { format: application/pdf, template: hrv.pdf.hbs, document: annex_file }\n";
    let e = load_errors(both, "https://registry.example.de/x").await;
    assert!(
        e.contains("m.yaml:17:35: OEA-E0124") && e.contains("exactly one of"),
        "{e}"
    );
    let missing = "      associated:\n        human_readable: { format: application/pdf, template: nowhere.pdf.hbs }\n";
    let e = load_errors(missing, "https://registry.example.de/x").await;
    assert!(
        e.contains("OEA-E0107") && e.contains("nowhere.pdf.hbs"),
        "{e}"
    );
    let unknown =
        "      associated:\n        summary: { format: application/pdf, template: hrv.pdf.hbs }\n";
    let e = load_errors(unknown, "https://registry.example.de/x").await;
    assert!(e.contains("summary"), "{e}");
}
