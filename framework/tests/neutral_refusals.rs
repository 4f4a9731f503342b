//! A refusal must not tell the requester whether the registry holds someone of the name
//! and birth date it asked about. Nobody fitting, two people fitting (twins) and too many
//! candidates all answer `EDM:ERR:0004` with one and the same detail; the reason is kept
//! where only the authority reads it: the audit journal (the matching explanation), the
//! logs (without personal data) and `oots-adapter test --explain`.
//!
//! A required attribute missing from the request is refused before any registry is read,
//! with its own detail: its answer is proven here to be the same byte for byte whether or
//! not the registry holds the person.

mod common;
mod preview_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use oots_framework::clock::SequentialIds;
use oots_framework::config::AdapterConfig;
use oots_framework::edm::{self, ErrorCode};
use oots_framework::mapping;
use oots_framework::requester::{self, RequestSpec};
use oots_framework::store::{Journal, SqliteStore};
use oots_framework::verify;
use preview_support::{Adapter, Deployment, NOT_FOUND, assert_neutral_not_found, workspace};

/// The quickstart's birth register with `max_candidates: 3`, and four more people born on
/// 2003-04-05: a request for that date has too many candidates to decide.
fn crowded_quickstart(dir: &Path) -> Deployment {
    let mut deployment = Deployment::quickstart();
    let mappings = dir.join("mappings");
    common::copy_dir(&deployment.mappings, &mappings);
    let file = mappings.join("birth-certificate.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    assert!(yaml.contains("max_candidates: 200"));
    std::fs::write(
        &file,
        yaml.replace("max_candidates: 200", "max_candidates: 3"),
    )
    .unwrap();
    let mut seed = std::fs::read_to_string(&deployment.seed).unwrap();
    seed.push_str(
        "\nINSERT INTO birth_register VALUES\n \
         ('G 0401/2003', 'Neumann', 'Lea', NULL, 'F', '2003-04-05', 'Bonn', NULL, NULL, '2003-04-07', 'Standesamt Bonn'),\n \
         ('G 0402/2003', 'Neumann', 'Lena', NULL, 'F', '2003-04-05', 'Bonn', NULL, NULL, '2003-04-07', 'Standesamt Bonn'),\n \
         ('G 0403/2003', 'Neumann', 'Paul', NULL, 'M', '2003-04-05', 'Bonn', NULL, NULL, '2003-04-07', 'Standesamt Bonn'),\n \
         ('G 0404/2003', 'Neumann', 'Felix', NULL, 'M', '2003-04-05', 'Bonn', NULL, NULL, '2003-04-07', 'Standesamt Bonn');\n",
    );
    deployment.seed = dir.join("seed.sql");
    std::fs::write(&deployment.seed, seed).unwrap();
    deployment.mappings = mappings;
    deployment
}

/// The answer's RegRep document with what differs from one answer to the next blanked:
/// the echoed request id, the response id and the timestamp.
fn without_ids_and_timestamps(answer: &oots_framework::gateway::OutboundMessage) -> String {
    let doc = String::from_utf8(answer.payloads[0].bytes.clone()).unwrap();
    let blank_attribute = |doc: &str, name: &str| -> String {
        let at = doc.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        let end = at + doc[at..].find('"').unwrap();
        format!("{}…{}", &doc[..at], &doc[end..])
    };
    let blank_slot = |doc: &str, name: &str| -> String {
        let slot = doc.find(&format!("<rim:Slot name=\"{name}\"")).expect(name);
        let at = slot + doc[slot..].find("<rim:Value>").unwrap() + "<rim:Value>".len();
        let end = at + doc[at..].find("</rim:Value>").unwrap();
        format!("{}…{}", &doc[..at], &doc[end..])
    };
    let doc = blank_attribute(&doc, "requestId");
    let doc = blank_slot(&doc, "EvidenceResponseIdentifier");
    blank_slot(&doc, "Timestamp")
}

/// The `rs:Exception` element of a (blanked) answer.
fn exception_element(doc: &str) -> &str {
    let start = doc.find("<rs:Exception").expect("an rs:Exception");
    let end = doc.find("</rs:Exception>").expect("closed") + "</rs:Exception>".len();
    &doc[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_match_twins_and_too_many_candidates_answer_alike_and_are_told_apart_in_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = crowded_quickstart(dir.path());
    let mut adapter = Adapter::start_deployment(
        &deployment,
        2400,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await;
    let cases = [
        ("no_match", ("Mustermann", "Erika", "1964-08-12")),
        ("ambiguous", ("Schmidt", "Anna", "1985-06-15")),
        ("needs_more_attributes", ("Neumann", "Lea", "2003-04-05")),
    ];
    let mut answers = Vec::new();
    for (_, (family, given, born)) in cases {
        adapter.send_request(
            &RequestSpec::quickstart_birth(family, given, born, "application/xml"),
            None,
            None,
        );
        let answer = adapter
            .answer(Duration::from_secs(20))
            .await
            .expect("answered");
        assert_neutral_not_found(&answer);
        answers.push(without_ids_and_timestamps(&answer));
    }
    // The same exception, and indeed the same document, apart from ids and timestamps.
    assert_eq!(
        exception_element(&answers[0]),
        exception_element(&answers[1])
    );
    assert_eq!(
        exception_element(&answers[0]),
        exception_element(&answers[2])
    );
    assert!(exception_element(&answers[0]).contains(NOT_FOUND));
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);

    let (log, state) = adapter.stop_keeping_state();
    // The journal keeps the reason: the matching outcome and its explanation.
    let store = SqliteStore::open(&state.path().join("state/adapter.db"))
        .await
        .unwrap();
    let journal = store.journal(0, 100).await.unwrap();
    let refusals: Vec<serde_json::Value> = journal
        .iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.record).unwrap())
        .filter(|r| r["code"] == "EDM:ERR:0004")
        .collect();
    assert_eq!(refusals.len(), 3, "{refusals:#?}");
    let outcomes: BTreeSet<&str> = refusals
        .iter()
        .map(|r| r["matching"]["outcome"].as_str().unwrap_or("(none)"))
        .collect();
    assert_eq!(
        outcomes,
        cases.iter().map(|(outcome, _)| *outcome).collect(),
        "{refusals:#?}"
    );
    let twins = refusals
        .iter()
        .find(|r| r["matching"]["outcome"] == "ambiguous")
        .unwrap();
    assert_eq!(twins["matching"]["explanation"]["candidates"], 2, "{twins}");
    assert_eq!(
        twins["matching"]["explanation"]["matching_candidates"], 2,
        "{twins}"
    );
    for r in &refusals {
        assert_eq!(r["outcome"]["detail"], NOT_FOUND, "{r}");
    }

    // The log says why too, with no personal data.
    for outcome in ["no_match", "ambiguous", "too many candidates"] {
        assert!(log.contains(outcome), "{outcome} not in the log:\n{log}");
    }
    for (_, (family, given, born)) in cases {
        for personal in [family, given, born] {
            assert!(!log.contains(personal), "{personal} in the log:\n{log}");
        }
    }
}

#[test]
fn test_explain_tells_the_outcomes_apart() {
    let out = common::output_within(
        std::process::Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .args(["test", "--explain"])
            .arg(workspace().join("examples/quickstart")),
        120,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("matching no_match"), "{stdout}");
    assert!(
        stdout.contains("matching ambiguous: 2 candidate(s)"),
        "{stdout}"
    );
}

/// Answers one request through the mapping-test exchange (fixed clock, sequential ids,
/// `records` as the registry).
async fn answer_with_registry(
    config: &AdapterConfig,
    set: &mapping::MappingSet,
    request: serde_json::Value,
    records: serde_json::Value,
) -> String {
    let m = set.mappings().first().unwrap().clone();
    let t: mapping::TestCase = serde_json::from_value(serde_json::json!({
        "name": "neutral",
        "request": request,
        "records": records,
        "expect": {},
    }))
    .unwrap();
    let (exchange, now) = verify::fixture_exchange(config, set, &m, &t).await.unwrap();
    let spec = verify::request_spec(config, &m, &t).unwrap();
    let request = requester::build_request(&spec, &SequentialIds::default(), now);
    let answer = exchange
        .answer(edm::write_request(&request).as_bytes(), None)
        .await
        .unwrap();
    answer.document
}

#[tokio::test]
async fn a_missing_required_attribute_is_answered_alike_whether_or_not_the_registry_holds_the_person()
 {
    // The quickstart, with the place of birth required of every request.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let file = dir.path().join("mappings/birth-certificate.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    let yaml = yaml.replace(
        "matching:\n  record_id: register_number\n",
        "matching:\n  record_id: register_number\n  required: [FamilyName, GivenName, DateOfBirth, PlaceOfBirth]\n",
    );
    assert!(yaml.contains("PlaceOfBirth]"));
    std::fs::write(&file, yaml).unwrap();
    let config_path = dir.path().join("adapter.yaml");
    let outcome = verify::check(&config_path, false).await;
    assert!(outcome.ok(), "{}", outcome.diagnostics);
    let set = outcome.set.unwrap();
    let config = AdapterConfig::load(&config_path).unwrap();

    let request = serde_json::json!({
        "family_name": "Dupont", "given_name": "Jean", "date_of_birth": "1992-10-22",
    });
    let jean = serde_json::json!([{
        "register_number": "G 4711/1992", "family_name": "Dupont", "given_name": "Jean",
        "birth_name": null, "sex": "M", "date_of_birth": "1992-10-22", "place_of_birth": "Berlin",
        "father_name": "Pierre Dupont", "mother_name": "Claire Dupont",
        "registration_date": "1992-10-26", "registry_office": "Standesamt Berlin I",
    }]);
    let held = answer_with_registry(&config, &set, request.clone(), jean).await;
    let absent = answer_with_registry(&config, &set, request, serde_json::json!([])).await;
    assert_eq!(held, absent, "the answer depends on the registry");
    let e = match edm::parse_response(held.as_bytes(), &Default::default()).unwrap() {
        edm::QueryResponse::Error(e) => e.exceptions.into_iter().next().unwrap(),
        other => panic!("an error answer: {other:?}"),
    };
    assert_eq!(e.code, ErrorCode::ObjectNotFound);
    assert_eq!(
        e.detail.as_deref(),
        Some("Additional identification attributes required: PlaceOfBirth")
    );

    // Given the place of birth, the same person is found; a stranger is not, neutrally.
    let with_place = serde_json::json!({
        "family_name": "Mustermann", "given_name": "Erika", "date_of_birth": "1964-08-12",
        "place_of_birth": "Berlin",
    });
    let stranger = answer_with_registry(&config, &set, with_place, serde_json::json!([])).await;
    assert!(
        stranger.contains(&format!("detail=\"{NOT_FOUND}\"")),
        "{stranger}"
    );
}
