//! A connector is a plug-in: the toy `type: example` connector (connectors/example), one
//! line in the framework's list of kinds, is read from adapter.yaml, checked with its
//! mapping and answers a lookup like any other registry. Built with the framework's
//! `example-connector` feature (this package's dev-dependency).

use std::path::Path;

use oots_framework::config::AdapterConfig;
use oots_framework::connector::{CancellationToken, KINDS, Limits, OpenMode, Params, Value};
use oots_framework::mapping;

const ADAPTER: &str = "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: { EN: Office }\n  country: DE\nmappings: mappings\nconnections:\n  reg:\n    type: example\n    records:\n      - { family_name: Muster, given_name: Erika, birth: '1964-08-12' }\n      - { family_name: Beispiel, given_name: Max, birth: '1970-01-01' }\n";

const CLASSIFICATION: &str = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e";

const MAPPING: &str = "evidence_type:\n  classifications:\n    - https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e\n  title: { EN: Certificate of Birth }\nconnector:\n  connection: reg\n  query: birth = :dob\n  parameters:\n    dob: DateOfBirth\nidentity:\n  FamilyName: family_name\n  GivenName: given_name\n  DateOfBirth: birth\nevidence:\n  distributions:\n    - format: application/xml\n      conforms_to: [https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0]\n      template: t.xml.hbs\n";

fn setup(adapter: &str, mapping: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(dir.path().join("adapter.yaml"), adapter).unwrap();
    std::fs::write(dir.path().join("mappings/birth.yaml"), mapping).unwrap();
    std::fs::write(
        dir.path().join("mappings/t.xml.hbs"),
        "<a>{{record.family_name}}</a>",
    )
    .unwrap();
    dir
}

fn config(dir: &Path) -> AdapterConfig {
    AdapterConfig::load(&dir.join("adapter.yaml")).unwrap()
}

#[tokio::test]
async fn the_example_connector_answers_a_lookup_from_its_mapping() {
    assert!(KINDS.contains(&"example"), "{KINDS:?}");
    let dir = setup(ADAPTER, MAPPING);
    let config = config(dir.path());
    assert_eq!(config.connections["reg"].kind(), "example");
    let set = mapping::load(&config, OpenMode::Live).await.unwrap();
    let m = set
        .find(CLASSIFICATION)
        .expect("the mapping serves its classification");
    assert_eq!(m.connector.kind(), "example");
    assert_eq!(m.limits, Limits::default());

    let params = Params::from([(
        "dob".to_owned(),
        Value::Date(chrono::NaiveDate::from_ymd_opt(1964, 8, 12).unwrap()),
    )]);
    let fields = [("family".to_owned(), "family_name".to_owned())].into();
    let lookup = oots_connector::Lookup {
        query: &m.spec.connector.query.value,
        params: &params,
        fields: &fields,
        limits: m.limits,
    };
    let records = m
        .connector
        .lookup(&lookup, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(
        records[0].get("family"),
        Some(&Value::Text("Muster".to_owned()))
    );
}

#[tokio::test]
async fn offline_checks_ask_the_example_connector_for_parameters() {
    let unbound = MAPPING.replace("birth = :dob", "birth = :born");
    let dir = setup(ADAPTER, &unbound);
    let err = mapping::load(&config(dir.path()), OpenMode::Offline)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("born"), "{err}");
}

#[test]
fn its_settings_errors_have_positions_and_unknown_kinds_list_it() {
    let typo = ADAPTER.replace("    records:", "    recrods:");
    let err = AdapterConfig::from_str(Path::new("a.yaml"), &typo)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("a.yaml:"), "{err}");
    assert!(err.contains("recrods"), "{err}");

    let unknown = ADAPTER.replace("type: example", "type: exampel");
    let err = AdapterConfig::from_str(Path::new("a.yaml"), &unknown)
        .unwrap_err()
        .to_string();
    assert!(err.contains("exampel") && err.contains("example"), "{err}");
}
