//! The OOTS evidence-provider contract (docs/tdd-contract.md) end to end over `serve`
//! behind the Domibus simulator, for the parts the preview suites do not carry already:
//! 1.x subsets (R-EDM-REQ-C035, R-EDM-RESP-C043), provider classification values (TDD
//! 4.5.1 §3.4), evidence metadata from the register without a preview (R-EDM-RESP-C038/
//! C039, S062) and a representative's power checked in the register without a preview
//! (TDD 2.0.1 2.3). What is asserted is what the requester's access point receives: the
//! action, the RegRep document parsed with `oots_edm::parse_response`, the parts. The
//! answers received are then fed to the conformance checker (docs/conformance.md) when
//! `EDM_CONFORMANCE_PYTHON` is set.

mod common;
mod contract_support;
mod preview_support;

use std::path::Path;
use std::time::Duration;

use contract_support::{
    AGE_OF_MAJORITY, OFFICE, birth_model_in, company_request, conformance, elif, jean,
    metadata_deployment, office_deployment,
};
use oots_framework::edm::{
    EdmVersion, ErrorCode, EvidenceRequest, ProviderClassification, QueryResponse,
};
use oots_framework::gateway::OutboundMessage as Submitted;
use oots_framework::requester::RequestSpec;
use preview_support::{Adapter, Deployment, regrep};

/// Starts `deployment` behind the simulator (no sign-in needed: nothing here previews).
async fn start(deployment: &Deployment) -> Adapter {
    Adapter::start_deployment(
        deployment,
        60,
        "  authentication: none\n",
        "https://localhost:8443/preview",
    )
    .await
}

/// Sends `spec` (no preview) and returns the answer the simulator received; the RegRep
/// document is kept in `kept` for the conformance check.
async fn ask(adapter: &mut Adapter, spec: &RequestSpec, kept: &Path) -> Submitted {
    adapter.send_request(spec, None, None);
    let answer = adapter
        .answer(Duration::from_secs(30))
        .await
        .expect("an answer");
    let doc = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/x-ebrs+xml")
        .expect("a RegRep part");
    let n = std::fs::read_dir(kept).unwrap().count();
    std::fs::write(kept.join(format!("answer-{n:02}.xml")), &doc.bytes).unwrap();
    answer
}

fn attachments(answer: &Submitted) -> Vec<&oots_framework::gateway::Payload> {
    answer
        .payloads
        .iter()
        .filter(|p| p.mime_type != "application/x-ebrs+xml")
        .collect()
}

fn code(answer: &Submitted) -> ErrorCode {
    match regrep(answer) {
        QueryResponse::Error(e) => e.exceptions[0].code,
        other => panic!("not an error: {other:?}"),
    }
}

fn the_subset(r: &mut EvidenceRequest) {
    r.evidence_type.distributed_as[0].transformation = Some(AGE_OF_MAJORITY.into());
}

fn a_subset_not_served(r: &mut EvidenceRequest) {
    r.evidence_type.distributed_as[0].transformation =
        Some(AGE_OF_MAJORITY.replace("age-of-majority", "full-parentage"));
}

/// R-EDM-REQ-C035 / R-EDM-RESP-C043 over `serve` (1.0 and 1.2): the subset echoed in
/// `sdg:Transformation`, its document without the parents nor the register entry; a
/// subset not served is `EDM:ERR:0007`, never the whole certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1x_subset_is_answered_over_serve_without_the_parents() {
    let kept = tempfile::tempdir().unwrap();
    let mut adapter = start(&Deployment::austrian_births()).await;
    for version in [EdmVersion::V1_0, EdmVersion::V1_2] {
        adapter.edit_request = Some(the_subset);
        let answer = ask(&mut adapter, &elif(version), kept.path()).await;
        assert_eq!(answer.header.action, "ExecuteQueryResponse", "{version}");
        let QueryResponse::Evidence(r) = regrep(&answer) else {
            panic!("{version}: not evidence")
        };
        assert_eq!(
            r.items[0].evidence.distribution.transformation.as_deref(),
            Some(AGE_OF_MAJORITY),
            "{version}"
        );
        let xml = String::from_utf8_lossy(&answer.payloads[0].bytes);
        assert!(xml.contains(&birth_model_in(version)), "{xml}");
        let parts = attachments(&answer);
        assert_eq!(parts.len(), 1, "{version}");
        let doc = String::from_utf8_lossy(&parts[0].bytes);
        assert!(doc.contains("<FamilyName>Öztürk</FamilyName>"), "{doc}");
        for whole_only in ["Mehmet", "Ayşe", "<Father>", "<Mother>", "G 0377/1990"] {
            assert!(
                !doc.contains(whole_only),
                "{version}: {whole_only} in {doc}"
            );
        }

        adapter.edit_request = Some(a_subset_not_served);
        let refused = ask(&mut adapter, &elif(version), kept.path()).await;
        assert_eq!(refused.header.action, "ExceptionResponse", "{version}");
        assert_eq!(refused.payloads.len(), 1, "{version}");
        assert_eq!(
            code(&refused),
            ErrorCode::UnsupportedCapability,
            "{version}"
        );
    }
    let log = adapter.stop();
    assert!(!log.contains("Öztürk"), "{log}");
    conformance(kept.path());
}

fn berlin(r: &mut EvidenceRequest) {
    r.provider_classifications = vec![ProviderClassification {
        identifier: OFFICE.into(),
        value: "Standesamt Berlin I".into(),
    }];
}

fn cologne(r: &mut EvidenceRequest) {
    r.provider_classifications = vec![ProviderClassification {
        identifier: OFFICE.into(),
        value: "Standesamt Köln".into(),
    }];
}

/// TDD 4.5.1 §3.4 over `serve`, in 2.0 and 1.2: the office chosen at the DSD narrows the
/// query and reaches the document; another office finds nothing (`EDM:ERR:0004`); the
/// required value missing is `EDM:ERR:0003` naming the rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_classification_values_are_answered_over_serve_in_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let kept = tempfile::tempdir().unwrap();
    let mut adapter = start(&office_deployment(dir.path())).await;
    for version in [EdmVersion::V2_0, EdmVersion::V1_2] {
        let spec = jean(version, "application/xml");
        adapter.edit_request = Some(berlin);
        let found = ask(&mut adapter, &spec, kept.path()).await;
        assert_eq!(found.header.action, "ExecuteQueryResponse", "{version}");
        let xml = String::from_utf8_lossy(&found.payloads[0].bytes);
        assert!(xml.contains(&birth_model_in(version)), "{xml}");
        let parts = attachments(&found);
        assert_eq!(parts.len(), 1, "{version}");
        let doc = String::from_utf8_lossy(&parts[0].bytes);
        assert!(
            doc.contains("<ChosenOffice>Standesamt Berlin I</ChosenOffice>"),
            "{doc}"
        );

        adapter.edit_request = Some(cologne);
        let elsewhere = ask(&mut adapter, &spec, kept.path()).await;
        assert_eq!(code(&elsewhere), ErrorCode::ObjectNotFound, "{version}");
        assert_eq!(elsewhere.payloads.len(), 1, "{version}");

        adapter.edit_request = None;
        let missing = ask(&mut adapter, &spec, kept.path()).await;
        let QueryResponse::Error(e) = regrep(&missing) else {
            panic!("{version}: not an error")
        };
        assert_eq!(e.exceptions[0].code, ErrorCode::InvalidRequest, "{e:?}");
        assert!(
            e.exceptions[0]
                .detail
                .as_deref()
                .unwrap_or("")
                .contains("TDD 4.5.1 §3.4"),
            "{e:?}"
        );
    }
    adapter.stop();
    conformance(kept.path());
}

/// R-EDM-RESP-C038/C039, S062 over `serve` without a preview, in 2.0 and 1.2: the
/// issuing office, its name and the validity period read from the record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_metadata_from_the_register_is_answered_over_serve_in_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let kept = tempfile::tempdir().unwrap();
    let mut adapter = start(&metadata_deployment(dir.path())).await;
    for version in [EdmVersion::V2_0, EdmVersion::V1_2] {
        let answer = ask(&mut adapter, &jean(version, "application/pdf"), kept.path()).await;
        assert_eq!(answer.header.action, "ExecuteQueryResponse", "{version}");
        let QueryResponse::Evidence(r) = regrep(&answer) else {
            panic!("{version}: not evidence")
        };
        let evidence = &r.items[0].evidence;
        let issuer = &evidence.issuing_authority;
        assert_eq!(issuer.identifier.value, "DE-STA-G 4711/1992", "{version}");
        assert!(
            issuer.names.iter().any(|n| n.text == "Standesamt Berlin I"),
            "{version}: {issuer:?}"
        );
        assert_eq!(
            evidence.validity,
            Some(("1992-10-26".into(), "2099-12-31".into())),
            "{version}"
        );
        assert_eq!(attachments(&answer).len(), 1, "{version}");
    }
    adapter.stop();
    conformance(kept.path());
}

/// TDD 2.0.1 2.3 over `serve` without a preview, in 2.0 and 1.2: the company's director
/// gets the extract; a director of another company, or one whose power does not cover
/// the scope, gets `EDM:ERR:0004` and no part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_representative_s_power_is_checked_over_serve() {
    let kept = tempfile::tempdir().unwrap();
    let mut adapter = start(&Deployment::company_register()).await;
    let kovar = ("Kovář", "Jiří", "1968-11-23", "X1");
    let riha = |scope| ("Říha", "Ondřej", "1985-06-07", scope);
    for version in [EdmVersion::V2_0, EdmVersion::V1_2] {
        let with = |name, company, rep| RequestSpec {
            version,
            ..company_request(name, company, rep)
        };
        let kovar_s = with("Pražské strojírny Kovář s.r.o.", "CZ/BE/27074358", kovar);
        let answer = ask(&mut adapter, &kovar_s, kept.path()).await;
        assert_eq!(answer.header.action, "ExecuteQueryResponse", "{version}");
        assert_eq!(attachments(&answer).len(), 1, "{version}");
        for spec in [
            with(
                "Pražské strojírny Kovář s.r.o.",
                "CZ/BE/27074358",
                riha("X1"),
            ),
            with("Zelená Čajovna Hájek a.s.", "CZ/BE/06123987", riha("X2")),
        ] {
            let refused = ask(&mut adapter, &spec, kept.path()).await;
            assert_eq!(code(&refused), ErrorCode::ObjectNotFound, "{version}");
            assert_eq!(refused.payloads.len(), 1, "{version}");
        }
    }
    adapter.stop();
    conformance(kept.path());
}
