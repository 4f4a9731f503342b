//! CSV, JSON and XML files indexed and looked up with typed values.

mod common;

use common::*;
use oots_connector::{CancellationToken, Connector, ConnectorError, Limits, Lookup, Value};
use serde_json::json;

const CSV: &str = "id;family_name;given_name;date_of_birth;city\n\
1;Müller;Jürgen;1970-03-01;Köln\n\
2; Łukasiewicz ;Zoë;1985-12-24;Łódź\n\
3;Ærø;Åsa;1970-03-01;\n";

#[tokio::test]
async fn csv_index_lookup_typed_and_non_ascii() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), CSV).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let c = open(
        dir.path(),
        json!({"folder": ".", "format": "csv", "csv": {"delimiter": ";"},
               "key": ["date_of_birth"], "settle_ms": 0}),
    )
    .await;
    assert_eq!(c.kind(), "filedrop");
    c.probe().await.unwrap();
    let h = c.health();
    assert!(!h.degraded);
    assert_eq!(h.detail.as_deref(), Some("1 file, 3 records"));
    assert!(h.refreshed_at.is_some());

    assert_eq!(
        c.parameters("date_of_birth = :dob").unwrap(),
        vec!["dob".to_owned()]
    );
    let recs = lookup(
        &c,
        "date_of_birth = :dob",
        &params(&[("dob", date("1970-03-01"))]),
    )
    .await;
    assert_eq!(recs.len(), 2);
    assert_eq!(text(&recs[0], "family_name").as_deref(), Some("Müller"));
    assert_eq!(recs[0].get("date_of_birth"), Some(&date("1970-03-01")));
    assert_eq!(text(&recs[1], "given_name").as_deref(), Some("Åsa"));
    assert_eq!(recs[1].get("city"), Some(&Value::Null));

    // A date given as text matches too; a scan on a non-key field, trimmed text.
    let recs = lookup(
        &c,
        "family_name = :f and date_of_birth = :dob",
        &params(&[
            ("f", Value::Text("Łukasiewicz ".into())),
            ("dob", Value::Text(" 1985-12-24".into())),
        ]),
    )
    .await;
    assert_eq!(recs.len(), 1);
    assert_eq!(text(&recs[0], "city").as_deref(), Some("Łódź"));

    // Field projection by column name; an absent column is null.
    let recs = lookup_with(
        &c,
        "date_of_birth = :dob",
        &params(&[("dob", date("1985-12-24"))]),
        &fields(&[("name", "given_name"), ("x", "nope")]),
        10,
    )
    .await
    .unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].len(), 2);
    assert_eq!(text(&recs[0], "name").as_deref(), Some("Zoë"));
    assert_eq!(recs[0].get("x"), Some(&Value::Null));

    // No match, unbound parameter, bad query.
    assert!(
        lookup(
            &c,
            "date_of_birth = :dob",
            &params(&[("dob", date("2000-01-01"))])
        )
        .await
        .is_empty()
    );
    let err = lookup_with(&c, "date_of_birth = :dob", &params(&[]), &fields(&[]), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::UnboundParameter(p) if p == "dob"));
    assert!(c.parameters("date_of_birth == dob").is_err());
}

#[tokio::test]
async fn json_index_lookup_with_dotted_paths() {
    let dir = tempfile::tempdir().unwrap();
    let doc = json!({"exported": "2026-01-01", "people": [
        {"id": 7, "active": true, "score": 1.5, "dob": "1970-03-01",
         "name": {"family": "Ñúñez", "given": ["José", "María"]}},
        {"id": 8, "active": false, "dob": "1999-09-09", "name": {"family": "Öberg"}}
    ]});
    std::fs::write(dir.path().join("dump.json"), doc.to_string()).unwrap();
    let c = open(
        dir.path(),
        json!({"folder": dir.path(), "format": "json", "records": "$.people[*]",
               "key": ["dob"], "settle_ms": 0}),
    )
    .await;
    assert!(c.check_path("$.name.family").is_ok());
    assert!(c.check_path("name.given[1]").is_ok());
    assert!(c.check_path("name..family").is_err());

    let recs = lookup_with(
        &c,
        "dob = :dob",
        &params(&[("dob", date("1970-03-01"))]),
        &fields(&[
            ("family", "name.family"),
            ("second", "name.given[1]"),
            ("id", "$.id"),
            ("active", "active"),
            ("score", "score"),
        ]),
        10,
    )
    .await
    .unwrap();
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(text(r, "family").as_deref(), Some("Ñúñez"));
    assert_eq!(text(r, "second").as_deref(), Some("María"));
    assert_eq!(r.get("id"), Some(&Value::Int(7)));
    assert_eq!(r.get("active"), Some(&Value::Bool(true)));
    assert_eq!(r.get("score"), Some(&Value::Float(1.5)));

    // Every field, named by its path; a lookup on a nested non-key field scans.
    let recs = lookup(
        &c,
        "name.family = :f",
        &params(&[("f", Value::Text("Öberg".into()))]),
    )
    .await;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].get("id"), Some(&Value::Int(8)));
    assert_eq!(recs[0].get("dob"), Some(&date("1999-09-09")));
    assert_eq!(text(&recs[0], "name.family").as_deref(), Some("Öberg"));

    // A structure is not a value.
    let err = lookup_with(
        &c,
        "dob = :dob",
        &params(&[("dob", date("1970-03-01"))]),
        &fields(&[("n", "name")]),
        10,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Query(_)));
}

#[tokio::test]
async fn xml_index_lookup_with_child_and_attribute_paths() {
    let dir = tempfile::tempdir().unwrap();
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<register xmlns="urn:example:reg">
  <person id="p-1">
    <name lang="de"><family>Groß</family><given>Dörte</given></name>
    <birth><date>1970-03-01</date></birth>
  </person>
  <person id="p-2">
    <name lang="el"><family>Παπαδόπουλος</family><given>Νίκος</given></name>
    <birth><date>1970-03-01</date></birth>
  </person>
  <other/>
</register>"#;
    std::fs::write(dir.path().join("register.xml"), xml).unwrap();
    let c = open(
        dir.path(),
        json!({"folder": ".", "format": "xml", "records": "register/person",
               "key": ["birth/date"], "settle_ms": 0}),
    )
    .await;
    assert!(c.check_path("name/@lang").is_ok());
    assert!(c.check_path("@id/name").is_err());
    assert_eq!(c.health().detail.as_deref(), Some("1 file, 2 records"));

    let recs = lookup_with(
        &c,
        "birth/date = :dob",
        &params(&[("dob", date("1970-03-01"))]),
        &fields(&[
            ("id", "@id"),
            ("family", "name/family"),
            ("lang", "name/@lang"),
            ("dob", "birth/date"),
        ]),
        10,
    )
    .await
    .unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(text(&recs[1], "id").as_deref(), Some("p-2"));
    assert_eq!(text(&recs[1], "family").as_deref(), Some("Παπαδόπουλος"));
    assert_eq!(text(&recs[1], "lang").as_deref(), Some("el"));
    assert_eq!(recs[1].get("dob"), Some(&date("1970-03-01")));

    // Attribute as a query field (scan), every field flattened with `/` names.
    let recs = lookup(
        &c,
        "@id = :id",
        &params(&[("id", Value::Text("p-1".into()))]),
    )
    .await;
    assert_eq!(recs.len(), 1);
    assert_eq!(text(&recs[0], "name/given").as_deref(), Some("Dörte"));
    assert_eq!(text(&recs[0], "name/@lang").as_deref(), Some("de"));
}

#[tokio::test]
async fn row_cap_and_cancellation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), CSV).unwrap();
    let c = open(
        dir.path(),
        json!({"folder": ".", "format": "csv", "csv": {"delimiter": ";"},
               "key": ["date_of_birth"], "settle_ms": 0}),
    )
    .await;
    let p = params(&[("dob", date("1970-03-01"))]);
    // Index path and scan path both enforce the cap.
    for q in [
        "date_of_birth = :dob",
        "date_of_birth = :dob and date_of_birth = :dob",
    ] {
        let err = lookup_with(&c, q, &p, &fields(&[]), 1).await.unwrap_err();
        assert!(
            matches!(err, ConnectorError::TooManyRows(1)),
            "{q}: {err:?}"
        );
        assert_eq!(
            lookup_with(&c, q, &p, &fields(&[]), 2).await.unwrap().len(),
            2
        );
    }
    let cancel = CancellationToken::new();
    cancel.cancel();
    let f = fields(&[]);
    let l = Lookup {
        query: "date_of_birth = :dob",
        params: &p,
        fields: &f,
        limits: Limits::default(),
    };
    assert!(matches!(
        c.lookup(&l, &cancel).await,
        Err(ConnectorError::Cancelled)
    ));
}

#[tokio::test]
async fn settings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let bad = serde_json::from_value::<oots_connector_filedrop::FiledropSettings>(
        json!({"folder": ".", "format": "csv", "key": ["a"], "colour": "red"}),
    );
    assert!(bad.is_err(), "unknown fields are refused");
    let missing = oots_connector_filedrop::FiledropConnector::open(
        &settings(json!({"folder": "nope", "format": "csv", "key": ["a"]})),
        dir.path(),
    )
    .await;
    assert!(matches!(missing, Err(ConnectorError::Config(_))));
    let nokey = oots_connector_filedrop::FiledropConnector::open(
        &settings(json!({"folder": ".", "format": "csv", "key": []})),
        dir.path(),
    )
    .await;
    assert!(matches!(nokey, Err(ConnectorError::Config(_))));
}
