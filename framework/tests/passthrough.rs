//! Binary evidence stored in the registry (a PDF in a BLOB column, a file in a drop
//! folder) passes through unchanged as the attachment.

use std::sync::Arc;

use oots_framework::clock::{Clock, RandomIds, SystemClock};
use oots_framework::config::AdapterConfig;
use oots_framework::connector::OpenMode;
use oots_framework::edm::{self, EdmVersion};
use oots_framework::exchange::Exchange;
use oots_framework::mapping;
use oots_framework::requester::{self, RequestSpec};
use oots_framework::store::SqliteStore;

const PDF: &[u8] = b"%PDF-1.7\n% stored scan\n%%EOF\n";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

const MAPPING: &str = "evidence_type:\n  classifications:\n    - https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e\n  title: { EN: Certificate of Birth }\nconnector:\n  connection: reg\n  query: SELECT * FROM people WHERE dob = :dob\n  parameters: { dob: DateOfBirth }\n  fields: { family: family, given: given, dob: dob, scan: scan, scan_file: scan_file }\nidentity: { FamilyName: family, GivenName: given, DateOfBirth: dob }\nevidence:\n  distributions:\n    - format: application/pdf\n      document: DOC_FIELD\n";

async fn answer_with(field: &str, connection: &str) -> (String, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(
        dir.path().join("seed.sql"),
        format!(
            "CREATE TABLE people (family TEXT, given TEXT, dob TEXT, scan BLOB, scan_file TEXT);\nINSERT INTO people VALUES ('Dupont', 'Jean', '1992-10-22', X'{}', 'jean.pdf');",
            hex(PDF)
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("drop/docs")).unwrap();
    std::fs::write(
        dir.path().join("drop/people.csv"),
        "family,given,dob,scan_file\nDupont,Jean,1992-10-22,jean.pdf\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("drop/docs/jean.pdf"), PDF).unwrap();
    std::fs::write(
        dir.path().join("adapter.yaml"),
        format!(
            "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: {{ EN: Office }}\n  country: DE\nmappings: mappings\nconnections:\n{connection}"
        ),
    )
    .unwrap();
    let mapping = MAPPING.replace("DOC_FIELD", field);
    let mapping = if connection.contains("filedrop") {
        mapping
            .replace("SELECT * FROM people WHERE dob = :dob", "dob = :dob")
            .replace(", scan: scan", "")
    } else {
        mapping
    };
    std::fs::write(dir.path().join("mappings/m.yaml"), mapping).unwrap();
    let config = Arc::new(AdapterConfig::load(&dir.path().join("adapter.yaml")).unwrap());
    let set = mapping::load(&config, OpenMode::Live).await.unwrap();
    let store = SqliteStore::in_memory().await.unwrap();
    let ex = Exchange::new(config, Arc::new(set), Arc::new(store));
    let req = requester::build_request(
        &RequestSpec {
            version: EdmVersion::V2_0,
            family_name: "Dupont".into(),
            given_name: "Jean".into(),
            date_of_birth: "1992-10-22".into(),
            classification: requester::BIRTH_CERTIFICATE.into(),
            format: "application/pdf".into(),
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
    let a = ex
        .answer(edm::write_request(&req).as_bytes(), None)
        .await
        .unwrap();
    assert_eq!(a.action(), "ExecuteQueryResponse", "{:?}", a.outcome);
    let att = a.attachments.into_iter().next().unwrap();
    (att.mime_type, att.bytes)
}

#[tokio::test]
async fn a_pdf_stored_in_a_blob_column_is_the_evidence() {
    let (mime, bytes) = answer_with(
        "scan",
        "  reg:\n    type: sql\n    url: sqlite://reg.db\n    init: seed.sql\n",
    )
    .await;
    assert_eq!(mime, "application/pdf");
    assert_eq!(bytes, PDF);
}

#[tokio::test]
async fn a_file_named_by_the_record_is_fetched_from_the_drop_folder() {
    let (mime, bytes) = answer_with(
        "scan_file",
        "  reg:\n    type: filedrop\n    folder: drop\n    format: csv\n    key: [dob]\n    documents: docs\n    watch: false\n",
    )
    .await;
    assert_eq!(mime, "application/pdf");
    assert_eq!(bytes, PDF);
}
