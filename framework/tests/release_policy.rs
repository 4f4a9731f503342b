//! Release policy of an evidence type (`policy:` in its mapping file):
//!
//! - `requesters`, an optional allow-list of evidence requesters: a request from anyone
//!   else is refused with `EDM:ERR:0002` (`rs:AuthorizationExceptionType`, severity
//!   `Error`, no `PreviewLocation`), whichever other agents (an intermediary platform)
//!   the request names;
//! - `explicit_request`: `ExplicitRequestGiven=false` says the user did not explicitly
//!   request the exchange (R-EDM-REQ-S010/S025; SDGR Art. 14(3)(a) and 14(4): only at the
//!   user's explicit request, unless Union or national law for the procedure provides
//!   otherwise). Refused with `EDM:ERR:0002` unless the mapping names the request's
//!   procedure as exempt;
//! - every shipped mapping under `mappings/` states its `min_level_of_assurance`.

mod common;

use std::path::Path;

use oots_framework::clock::SequentialIds;
use oots_framework::config::AdapterConfig;
use oots_framework::edm::{
    self, Agent, EdmException, ErrorCode, EvidenceRequest, Identifier, QueryResponse,
};
use oots_framework::exchange::Answer;
use oots_framework::mapping::{self, MappingSet};
use oots_framework::requester::{self, RequestSpec};
use oots_framework::verify;

fn workspace() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The quickstart deployment copied to `dir`, with `policy` (YAML lines under `policy:`,
/// indented by two) in its mapping file.
async fn quickstart(dir: &Path, policy: &str) -> (AdapterConfig, MappingSet) {
    common::copy_dir(&workspace().join("examples/quickstart"), dir);
    let file = dir.join("mappings/birth-certificate.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    assert!(!yaml.contains("\npolicy:"));
    std::fs::write(
        &file,
        yaml.replacen("\ntests:\n", &format!("\npolicy:\n{policy}\ntests:\n"), 1),
    )
    .unwrap();
    let config_path = dir.join("adapter.yaml");
    let outcome = verify::check(&config_path, false).await;
    assert!(outcome.ok(), "{}", outcome.diagnostics);
    (
        AdapterConfig::load(&config_path).unwrap(),
        outcome.set.unwrap(),
    )
}

/// Answers a request for Jean Dupont (whom the registry holds), as `edit` leaves it.
async fn answer(
    config: &AdapterConfig,
    set: &MappingSet,
    edit: impl FnOnce(&mut EvidenceRequest),
) -> Answer {
    let m = set.mappings().first().unwrap().clone();
    let t: mapping::TestCase = serde_json::from_value(serde_json::json!({
        "name": "policy",
        "request": {},
        "records": [{
            "register_number": "G 4711/1992", "family_name": "Dupont", "given_name": "Jean",
            "birth_name": null, "sex": "M", "date_of_birth": "1992-10-22", "place_of_birth": "Berlin",
            "father_name": "Pierre Dupont", "mother_name": "Claire Dupont",
            "registration_date": "1992-10-26", "registry_office": "Standesamt Berlin I",
        }],
        "expect": {},
    }))
    .unwrap();
    let (exchange, now) = verify::fixture_exchange(config, set, &m, &t).await.unwrap();
    let spec = RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml");
    let mut request = requester::build_request(&spec, &SequentialIds::default(), now);
    edit(&mut request);
    exchange
        .answer(edm::write_request(&request).as_bytes(), None)
        .await
        .unwrap()
}

fn the_exception(answer: &Answer) -> EdmException {
    match edm::parse_response(answer.document.as_bytes(), &Default::default()).unwrap() {
        QueryResponse::Error(e) => e.exceptions.into_iter().next().unwrap(),
        other => panic!("expected an error answer, got {other:?}"),
    }
}

/// Asserts `answer` refuses with `EDM:ERR:0002` as an authorisation failure (severity
/// `Error`, no preview link) whose detail contains `rule`.
fn assert_unauthorised(answer: &Answer, rule: &str) {
    assert_eq!(answer.code(), Some("EDM:ERR:0002"), "{}", answer.document);
    assert!(answer.attachments.is_empty());
    let e = the_exception(answer);
    assert_eq!(e.code, ErrorCode::MissingAuthorization);
    assert!(e.preview_location.is_none(), "{e:?}");
    assert!(
        answer
            .document
            .contains("severity=\"urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error\""),
        "an authorisation refusal is not a preview redirect: {}",
        answer.document
    );
    let detail = e.detail.unwrap_or_default();
    assert!(detail.contains(rule), "{detail}");
    assert!(!detail.contains("Dupont"), "{detail}");
}

const FR_MINISTRY: &str =
    "    - { scheme: \"urn:cef.eu:names:identifier:EAS:0009\", identifier: \"00000000000002\" }\n";
const NL_MUNICIPALITY: &str = "    - { scheme: \"urn:cef.eu:names:identifier:EAS:0190\", identifier: \"00000001823288444000\" }\n";

fn agent(scheme: &str, id: &str, classification: &str) -> Agent {
    Agent {
        identifier: Identifier {
            scheme_id: Some(scheme.into()),
            value: id.into(),
        },
        classification: Some(classification.into()),
        ..requester::requester_agent()
    }
}

#[tokio::test]
async fn a_requester_not_on_the_allow_list_is_refused_with_0002() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), &format!("  requesters:\n{NL_MUNICIPALITY}")).await;
    // The simulated requester (EAS:0009 00000000000002) is not on the list.
    let refused = answer(&config, &set, |_| {}).await;
    assert_unauthorised(&refused, "policy.requesters");
    let detail = the_exception(&refused).detail.unwrap();
    assert!(detail.contains("00000000000002"), "{detail}");

    // Refused before anything else about the evidence type is told (its formats).
    let unoffered_format = answer(&config, &set, |r| {
        r.evidence_type.distributed_as[0].format = "application/msword".into();
    })
    .await;
    assert_unauthorised(&unoffered_format, "policy.requesters");
}

#[tokio::test]
async fn a_requester_on_the_allow_list_gets_evidence_and_impostors_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(
        dir.path(),
        &format!("  requesters:\n{NL_MUNICIPALITY}{FR_MINISTRY}"),
    )
    .await;
    let served = answer(&config, &set, |_| {}).await;
    assert_eq!(served.code(), None, "{}", served.document);
    assert_eq!(served.attachments.len(), 1);

    // The listed identifier under another scheme is another party.
    let other_scheme = answer(&config, &set, |r| {
        r.requesters[0].identifier.scheme_id = Some("urn:cef.eu:names:identifier:EAS:0002".into());
    })
    .await;
    assert_unauthorised(&other_scheme, "policy.requesters");

    // A listed party named as the intermediary platform does not vouch for the requester.
    let behind_a_listed_platform = answer(&config, &set, |r| {
        r.requesters = vec![
            agent(
                "urn:cef.eu:names:identifier:EAS:0009",
                "00000000000002",
                "IP",
            ),
            agent(
                "urn:cef.eu:names:identifier:EAS:0009",
                "00000000000666",
                "ER",
            ),
        ];
    })
    .await;
    assert_unauthorised(&behind_a_listed_platform, "policy.requesters");

    // Two requesters, one listed: the other is not.
    let two_requesters = answer(&config, &set, |r| {
        r.requesters = vec![
            agent(
                "urn:cef.eu:names:identifier:EAS:0009",
                "00000000000002",
                "ER",
            ),
            agent(
                "urn:cef.eu:names:identifier:EAS:0009",
                "00000000000666",
                "ER",
            ),
        ];
    })
    .await;
    assert_unauthorised(&two_requesters, "policy.requesters");

    // A listed requester behind an unlisted platform is served (the list is about
    // requesters; platforms only carry their requests).
    let via_platform = answer(&config, &set, |r| {
        r.requesters.push(agent(
            "urn:oasis:names:tc:ebcore:partyid-type:unregistered:FR",
            "OOTSFRANCE",
            "IP",
        ));
    })
    .await;
    assert_eq!(via_platform.code(), None, "{}", via_platform.document);
}

#[tokio::test]
async fn without_an_allow_list_every_requester_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), "  min_level_of_assurance: Substantial\n").await;
    let served = answer(&config, &set, |r| {
        r.requesters = vec![agent(
            "urn:cef.eu:names:identifier:EAS:0190",
            "00000001823288444000",
            "ER",
        )];
    })
    .await;
    assert_eq!(served.code(), None, "{}", served.document);
}

#[tokio::test]
async fn explicit_request_given_false_is_refused_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(dir.path(), "  min_level_of_assurance: Substantial\n").await;
    let refused = answer(&config, &set, |r| r.explicit_request_given = false).await;
    assert_unauthorised(&refused, "ExplicitRequestGiven");
    let detail = the_exception(&refused).detail.unwrap();
    assert!(detail.contains("SDGR Art. 14"), "{detail}");

    let served = answer(&config, &set, |r| r.explicit_request_given = true).await;
    assert_eq!(served.code(), None, "{}", served.document);
}

#[tokio::test]
async fn explicit_request_given_false_is_served_only_for_exempt_procedures() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = quickstart(
        dir.path(),
        "  explicit_request: { exempt_procedures: [R1] }\n",
    )
    .await;
    // The simulated requester's procedure is R1 (birth certificate).
    let served = answer(&config, &set, |r| r.explicit_request_given = false).await;
    assert_eq!(served.code(), None, "{}", served.document);

    let other_procedure = answer(&config, &set, |r| {
        r.explicit_request_given = false;
        r.procedure = Some("V2".into());
    })
    .await;
    assert_unauthorised(&other_procedure, "ExplicitRequestGiven");
    let detail = the_exception(&other_procedure).detail.unwrap();
    assert!(detail.contains("V2"), "{detail}");

    // An explicit request is served whatever its procedure.
    let explicit = answer(&config, &set, |r| r.procedure = Some("V2".into())).await;
    assert_eq!(explicit.code(), None, "{}", explicit.document);
}

#[tokio::test]
async fn policy_keys_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let file = dir.path().join("mappings/birth-certificate.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    for (policy, complaint) in [
        (
            "  requesters:\n    - { identifier: \"00000000000002\" }\n",
            "scheme",
        ),
        (
            "  explicit_request: sometimes\n",
            "unknown variant `sometimes`",
        ),
        ("  requesters: []\n", "requesters"),
        (
            "  explicit_request: { exempt_procedures: [] }\n",
            "exempt_procedures",
        ),
    ] {
        std::fs::write(
            &file,
            yaml.replacen("\ntests:\n", &format!("\npolicy:\n{policy}\ntests:\n"), 1),
        )
        .unwrap();
        let outcome = verify::check(&dir.path().join("adapter.yaml"), false).await;
        assert!(!outcome.ok(), "{policy} accepted");
        let shown = outcome.diagnostics.to_string();
        assert!(shown.contains(complaint), "{policy}: {shown}");
    }
}

/// Every deployment shipped under `mappings/` states the level of assurance each of its
/// evidence types requires, rather than leaving it to the default (any level).
#[tokio::test]
async fn every_shipped_mapping_states_its_min_level_of_assurance() {
    let root = workspace().join("mappings");
    let mut seen = 0;
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let config = entry.path().join("adapter.yaml");
        if !config.is_file() {
            continue;
        }
        let outcome = verify::check(&config, false).await;
        assert!(outcome.ok(), "{}", outcome.diagnostics);
        for m in outcome.set.unwrap().mappings() {
            seen += 1;
            assert!(
                m.spec.policy.min_level_of_assurance.is_some(),
                "{} does not state policy.min_level_of_assurance",
                m.file.display()
            );
        }
    }
    assert!(
        seen >= 5,
        "only {seen} mappings found under {}",
        root.display()
    );
}
