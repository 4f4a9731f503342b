//! The OOTS evidence-provider contract (docs/tdd-contract.md) end to end over native AS4:
//! `oots-adapter serve` as its own AS4 access point (a real process), a requester access
//! point built from our AS4 stack in this test, keeping every part it receives. What is
//! asserted is what the requester receives: the ebMS action, the RegRep document parsed
//! with `oots_edm::parse_response`, and the MIME parts.
//!
//! - declined in the preview (TDD 2.0.1 4.9 §1): an empty `rim:RegistryObjectList`, no
//!   part but the RegRep one, in 2.0 and 1.2;
//! - associated documents (R-EDM-RESP-S048–S061, 2.0 only): the human-readable version
//!   travels as its own part, associated with the MainEvidence;
//! - 1.x subsets (R-EDM-REQ-C035, R-EDM-RESP-C043): the subset echoed in
//!   `sdg:Transformation`, its document without the parents;
//! - provider classification values (TDD 4.5.1 §3.4): the chosen office narrows the query
//!   and reaches the document, in 2.0 and 1.2;
//! - evidence metadata from the register (R-EDM-RESP-C038/C039, S062), in 2.0 and 1.2;
//! - representatives (TDD 2.0.1 2.3): the register's director gets the extract, someone
//!   the register does not name for this company gets `EDM:ERR:0004` and no part.

mod as4_support;
mod common;
mod contract_support;
mod preview_support;

use std::sync::Arc;
use std::time::Duration;

use as4_support::{free_port, pki};
use chrono::Utc;
use contract_support::{
    AGE_OF_MAJORITY, OFFICE, birth_model_in, company_request, conformance, elif, jean,
    metadata_deployment, office_deployment,
};
use oots_framework::edm::{
    self, EdmVersion, ErrorCode, EvidenceRequest, ProviderClassification, QueryResponse, XmlLimits,
};
use oots_framework::gateway::as4::agreement::AgreementSettings;
use oots_framework::gateway::as4::msh::As4Gateway;
use oots_framework::gateway::as4::pmode::{PMode, RetrySettings};
use oots_framework::gateway::{Gateway, InboundMessage, Payload};
use oots_framework::requester::RequestSpec;
use oots_framework::store::SqliteStore;
use preview_support::{Deployment, browser_cookie, client, csrf, decide};
use tokio::sync::mpsc;

const BACK: &str = "https://requester.example/back";

/// `serve` over native AS4 for `deployment`, with a preview that needs no sign-in, and
/// the requester's access point keeping every message it receives whole.
struct Exchange {
    served: Option<as4_support::Served>,
    port: u16,
    gateway: Arc<As4Gateway>,
    inbox: mpsc::UnboundedReceiver<InboundMessage>,
    sent: u32,
    _dir: tempfile::TempDir,
    /// Every RegRep document received, for the conformance check.
    kept: tempfile::TempDir,
}

/// What the requester received: the header, the parsed RegRep document, every part.
struct Received {
    action: String,
    exchange_id: Option<String>,
    response: QueryResponse,
    regrep: String,
    payloads: Vec<Payload>,
}

impl Received {
    /// The parts other than the RegRep document.
    fn attachments(&self) -> Vec<&Payload> {
        self.payloads
            .iter()
            .filter(|p| p.mime_type != "application/x-ebrs+xml")
            .collect()
    }
}

impl Exchange {
    async fn start(deployment: &Deployment) -> Exchange {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        pki(d, &["AP_PROVIDER", "AP_REQUESTER"]);
        let (port, requester_port) = (free_port(), free_port());
        let config = d.join("adapter.yaml");
        std::fs::write(
            &config,
            format!(
                "provider:\n{provider}\
                 mappings: {mappings}\n\
                 connections:\n  {connection}:\n    type: sql\n    url: sqlite://{db}\n    init: {seed}\n\
                 gateway:\n  type: as4\n  party_id: AP_PROVIDER\n  private_key: file:AP_PROVIDER.key\n  certificate: AP_PROVIDER.pem\n  trust_store: ca.pem\n  retry: {{ attempts: 3, initial_ms: 100 }}\n  peers:\n    - party_id: AP_REQUESTER\n      endpoint: http://127.0.0.1:{requester_port}/as4\n      certificate: AP_REQUESTER.pem\n\
                 http:\n  listen: 127.0.0.1:{port}\n\
                 preview:\n  public_url: https://localhost:8443/preview\n  authentication: none\n  decide_seconds: 60\n  recheck_seconds: 1\n",
                provider = deployment.provider,
                mappings = deployment.mappings.display(),
                connection = deployment.connection,
                db = d.join("registry.db").display(),
                seed = deployment.seed.display(),
            ),
        )
        .unwrap();
        let served = as4_support::spawn(&config, port);
        let mut settings = as4_support::as4_settings_for(
            d,
            "AP_REQUESTER",
            "AP_PROVIDER",
            format!("http://127.0.0.1:{port}/as4"),
        );
        settings.retry = RetrySettings {
            attempts: 3,
            initial_ms: 100,
            max_ms: 1000,
        };
        settings.agreement = AgreementSettings::requester();
        let store = Arc::new(SqliteStore::in_memory().await.unwrap());
        let (whole, inbox) = mpsc::unbounded_channel();
        let gateway = Arc::new(
            As4Gateway::new(Arc::new(PMode::load(&settings).unwrap()), store)
                .unwrap()
                .with_inbox(whole),
        );
        let (tx, mut notified) = mpsc::channel(16);
        tokio::spawn(async move { while notified.recv().await.is_some() {} });
        let app = gateway.router(tx);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", requester_port))
            .await
            .unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Exchange {
            served: Some(served),
            port,
            gateway,
            inbox,
            sent: 0,
            _dir: dir,
            kept: tempfile::tempdir().unwrap(),
        }
    }

    /// Sends `spec`, its EDM request changed by `edit`, with `exchange_id` when given;
    /// the ExchangeId it was sent with.
    async fn send(
        &mut self,
        spec: &RequestSpec,
        exchange_id: Option<&str>,
        edit: impl FnOnce(&mut EvidenceRequest),
    ) -> String {
        self.sent += 1;
        let id = format!("contract-{}@requester.example", self.sent);
        let mut msg = as4_support::request_message(
            &id,
            "AP_REQUESTER",
            "AP_PROVIDER",
            spec,
            Utc::now(),
            edit,
        );
        if let Some(exchange_id) = exchange_id {
            for p in &mut msg.header.properties {
                if p.name == "ExchangeId" {
                    p.value = exchange_id.to_owned();
                }
            }
        }
        assert_eq!(self.gateway.submit(&msg).await.unwrap(), id);
        msg.header.exchange_id().unwrap_or_default().to_owned()
    }

    /// The next message the requester receives, within `within`.
    async fn next(&mut self, within: Duration) -> Option<Received> {
        let msg = tokio::time::timeout(within, self.inbox.recv())
            .await
            .ok()??;
        let doc = msg
            .payloads
            .iter()
            .find(|p| p.mime_type == "application/x-ebrs+xml")
            .expect("a RegRep part");
        let n = std::fs::read_dir(self.kept.path()).unwrap().count();
        std::fs::write(
            self.kept.path().join(format!("answer-{n:02}.xml")),
            &doc.bytes,
        )
        .unwrap();
        Some(Received {
            action: msg.header.action.clone(),
            exchange_id: msg.header.exchange_id().map(str::to_owned),
            response: edm::parse_response(&doc.bytes, &XmlLimits::default()).unwrap(),
            regrep: String::from_utf8_lossy(&doc.bytes).into_owned(),
            payloads: msg.payloads,
        })
    }

    async fn answer(&mut self) -> Received {
        match self.next(Duration::from_secs(30)).await {
            Some(r) => r,
            None => panic!("no answer:\n{}", self.stop()),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn stop(&mut self) -> String {
        self.served.take().map(|s| s.stop()).unwrap_or_default()
    }

    /// Stops serving and feeds every answer received to the conformance checker.
    fn stop_and_check(&mut self) -> String {
        let log = self.stop();
        conformance(self.kept.path());
        log
    }
}

/// TDD 2.0.1 4.9 §1 over AS4: the user declines, the held follow-up gets a successful
/// response with an empty object list and no part but the RegRep one, in both versions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_preview_travels_over_as4_as_an_empty_list_in_both_versions() {
    let mut ex = Exchange::start(&Deployment::quickstart()).await;
    for version in [EdmVersion::V2_0, EdmVersion::V1_2] {
        let spec = RequestSpec {
            preview: true,
            ..jean(version, "application/pdf")
        };
        let exchange_id = ex.send(&spec, None, |_| {}).await;
        let first = ex.answer().await;
        assert_eq!(first.action, "ExceptionResponse", "{version}");
        let QueryResponse::Error(e) = first.response else {
            panic!("{version}: {:?}", first.response)
        };
        assert_eq!(e.exceptions[0].code, ErrorCode::MissingAuthorization);
        let location = e.exceptions[0].preview_location.clone().expect("a link");
        let token = location.rsplit('/').next().unwrap().to_owned();
        let back = version.is_v2().then_some(BACK);
        ex.send(&spec, Some(&exchange_id), |r| {
            r.preview_location = Some(location.clone());
            r.return_location = back.map(str::to_owned);
        })
        .await;
        assert!(
            ex.next(Duration::from_millis(800)).await.is_none(),
            "{version}: held until the user decides"
        );

        let http = client();
        let page_url = ex.url(&format!("/preview/{token}"));
        let r = http.get(&page_url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{version}");
        let cookie = browser_cookie(&r);
        let form = csrf(&r.text().await.unwrap());
        decide(&http, &page_url, &cookie, &form, "decline").await;

        let answer = ex.answer().await;
        assert_eq!(answer.action, "ExecuteQueryResponse", "{version}");
        assert_eq!(answer.payloads.len(), 1, "{version}: no attachment");
        if version.is_v2() {
            assert_eq!(answer.exchange_id.as_deref(), Some(exchange_id.as_str()));
        }
        match &answer.response {
            QueryResponse::Evidence(r) => assert!(r.items.is_empty(), "{version}: {r:?}"),
            other => panic!("{version}: not an empty evidence response: {other:?}"),
        }
        assert!(
            answer.regrep.contains("<rim:RegistryObjectList/>"),
            "{}",
            answer.regrep
        );
        for absent in ["Dupont", "1992-10-22", "RepositoryItemRef", "rs:Exception"] {
            assert!(
                !answer.regrep.contains(absent),
                "{absent}: {}",
                answer.regrep
            );
        }
    }
    let log = ex.stop_and_check();
    assert!(!log.contains("Dupont"), "{log}");
}

/// R-EDM-RESP-S048–S061 over AS4 (2.0): the requested human-readable version is a part
/// of its own, classified and associated with the MainEvidence in the package; without
/// the request, the MainEvidence alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associated_documents_travel_over_as4_each_in_its_own_part() {
    let mut ex = Exchange::start(&Deployment::austrian_births()).await;
    ex.send(&elif(EdmVersion::V2_0), None, |r| {
        r.evidence_type.distributed_as[0].associated_documents =
            vec!["HumanReadableVersion".into()];
    })
    .await;
    let answer = ex.answer().await;
    assert_eq!(answer.action, "ExecuteQueryResponse");
    let QueryResponse::Evidence(r) = &answer.response else {
        panic!("{:?}", answer.response)
    };
    assert_eq!(r.items.len(), 1);
    let item = &r.items[0];
    assert_eq!(item.supplements.len(), 1, "{:?}", item.supplements);
    let hr = &item.supplements[0];
    assert_eq!(hr.kind.name(), "HumanReadableVersion");
    assert_eq!(hr.format, "application/pdf");
    assert_eq!(answer.regrep.matches("rim:RegistryPackageType").count(), 1);
    assert_eq!(
        answer
            .regrep
            .matches("xsi:type=\"rim:AssociationType\"")
            .count(),
        1,
        "{}",
        answer.regrep
    );
    // The association runs from the human-readable version to the MainEvidence.
    assert!(
        answer.regrep.contains(&format!(
            "sourceObject=\"{}\" targetObject=\"{}\"",
            hr.object_id, item.object_id
        )),
        "{}",
        answer.regrep
    );
    let parts = answer.attachments();
    assert_eq!(
        parts.len(),
        2,
        "the evidence and its human-readable version"
    );
    let xml = parts
        .iter()
        .find(|p| p.mime_type == "application/xml")
        .unwrap();
    assert_eq!(xml.content_id, item.content_id);
    let pdf = parts
        .iter()
        .find(|p| p.mime_type == "application/pdf")
        .unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert!(String::from_utf8_lossy(&xml.bytes).contains("Öztürk"));

    // Not asked for: the MainEvidence alone.
    ex.send(&elif(EdmVersion::V2_0), None, |_| {}).await;
    let plain = ex.answer().await;
    assert_eq!(plain.attachments().len(), 1);
    assert!(
        !plain.regrep.contains("AssociationType"),
        "{}",
        plain.regrep
    );
    // The package with its associated documents goes through the checker too (the
    // XSD-SDG-1.0.0-supplement row, docs/conformance.md).
    ex.stop_and_check();
}

/// R-EDM-REQ-C035 / R-EDM-RESP-C043 over AS4 (1.x): the age-of-majority subset echoed in
/// `sdg:Transformation`, its document without the parents nor the register entry; a
/// subset the mapping does not serve is refused `EDM:ERR:0007`, never the whole; one off
/// the pattern `EDM:ERR:0003` naming R-EDM-REQ-C035.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1x_subset_travels_over_as4_without_the_parents() {
    let mut ex = Exchange::start(&Deployment::austrian_births()).await;
    for version in [EdmVersion::V1_0, EdmVersion::V1_2] {
        ex.send(&elif(version), None, |r| {
            r.evidence_type.distributed_as[0].transformation = Some(AGE_OF_MAJORITY.into());
        })
        .await;
        let answer = ex.answer().await;
        assert_eq!(
            answer.action, "ExecuteQueryResponse",
            "{version}: {}",
            answer.regrep
        );
        let QueryResponse::Evidence(r) = &answer.response else {
            panic!("{version}: {:?}", answer.response)
        };
        assert_eq!(
            r.items[0].evidence.distribution.transformation.as_deref(),
            Some(AGE_OF_MAJORITY),
            "{version}"
        );
        assert!(
            answer.regrep.contains(&format!(
                "<sdg:Transformation>{AGE_OF_MAJORITY}</sdg:Transformation>"
            )),
            "{}",
            answer.regrep
        );
        // Asked with the 2.0 spelling of the model, answered with the version's own.
        assert!(
            answer.regrep.contains(&birth_model_in(version)),
            "{}",
            answer.regrep
        );
        let parts = answer.attachments();
        assert_eq!(parts.len(), 1, "{version}");
        let doc = String::from_utf8_lossy(&parts[0].bytes);
        assert!(
            doc.contains("<DateOfBirth>1990-11-03</DateOfBirth>"),
            "{doc}"
        );
        for whole_only in ["Mehmet", "Ayşe", "<Father>", "<Mother>", "G 0377/1990"] {
            assert!(
                !doc.contains(whole_only),
                "{version}: {whole_only} in {doc}"
            );
        }

        let other = AGE_OF_MAJORITY.replace("age-of-majority", "full-parentage");
        ex.send(&elif(version), None, |r| {
            r.evidence_type.distributed_as[0].transformation = Some(other);
        })
        .await;
        let refused = ex.answer().await;
        assert_eq!(refused.action, "ExceptionResponse", "{version}");
        assert_eq!(refused.payloads.len(), 1, "{version}");
        let QueryResponse::Error(e) = &refused.response else {
            panic!("{version}: {:?}", refused.response)
        };
        assert_eq!(
            e.exceptions[0].code,
            ErrorCode::UnsupportedCapability,
            "{e:?}"
        );

        // A subset off R-EDM-REQ-C035's pattern (another host) is refused by its rule.
        let forged = AGE_OF_MAJORITY.replace("europa.eu/", "europa.eu.evil.example/");
        ex.send(&elif(version), None, |r| {
            r.evidence_type.distributed_as[0].transformation = Some(forged);
        })
        .await;
        let refused = ex.answer().await;
        assert_eq!(refused.payloads.len(), 1, "{version}");
        let QueryResponse::Error(e) = &refused.response else {
            panic!("{version}: {:?}", refused.response)
        };
        assert_eq!(e.exceptions[0].code, ErrorCode::InvalidRequest, "{e:?}");
        assert!(
            e.exceptions[0]
                .detail
                .as_deref()
                .unwrap_or("")
                .contains("R-EDM-REQ-C035"),
            "{e:?}"
        );
    }
    ex.stop_and_check();
}

fn office(value: &str) -> impl FnOnce(&mut EvidenceRequest) + use<> {
    let value = value.to_owned();
    move |r| {
        r.provider_classifications = vec![ProviderClassification {
            identifier: OFFICE.into(),
            value,
        }]
    }
}

/// TDD 4.5.1 §3.4 over AS4: the office the user chose at the DSD narrows the query and
/// reaches the document; another office finds nothing; the required value missing is
/// refused `EDM:ERR:0003` naming the rule; in 2.0 and 1.2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_classification_values_travel_over_as4_in_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut ex = Exchange::start(&office_deployment(dir.path())).await;
    for version in [EdmVersion::V2_0, EdmVersion::V1_2] {
        let spec = jean(version, "application/xml");
        ex.send(&spec, None, office("Standesamt Berlin I")).await;
        let found = ex.answer().await;
        assert_eq!(
            found.action, "ExecuteQueryResponse",
            "{version}: {}",
            found.regrep
        );
        // No ConformsTo asked: the mapping's model, in this version's spelling.
        assert!(
            found.regrep.contains(&birth_model_in(version)),
            "{}",
            found.regrep
        );
        let parts = found.attachments();
        assert_eq!(parts.len(), 1, "{version}");
        let doc = String::from_utf8_lossy(&parts[0].bytes);
        assert!(
            doc.contains("<ChosenOffice>Standesamt Berlin I</ChosenOffice>"),
            "{doc}"
        );

        ex.send(&spec, None, office("Standesamt Köln")).await;
        let elsewhere = ex.answer().await;
        assert_eq!(elsewhere.action, "ExceptionResponse", "{version}");
        assert_eq!(elsewhere.payloads.len(), 1, "{version}");
        let QueryResponse::Error(e) = &elsewhere.response else {
            panic!("{:?}", elsewhere.response)
        };
        assert_eq!(e.exceptions[0].code, ErrorCode::ObjectNotFound, "{e:?}");

        ex.send(&spec, None, |_| {}).await;
        let missing = ex.answer().await;
        let QueryResponse::Error(e) = &missing.response else {
            panic!("{:?}", missing.response)
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
    ex.stop_and_check();
}

/// R-EDM-RESP-C038/C039, S062 over AS4: the issuing office, its name and the validity
/// period read from the record reach the requester, in 2.0 and 1.2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_metadata_from_the_register_travels_over_as4_in_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut ex = Exchange::start(&metadata_deployment(dir.path())).await;
    for version in [EdmVersion::V2_0, EdmVersion::V1_2] {
        ex.send(&jean(version, "application/pdf"), None, |_| {})
            .await;
        let answer = ex.answer().await;
        assert_eq!(
            answer.action, "ExecuteQueryResponse",
            "{version}: {}",
            answer.regrep
        );
        let QueryResponse::Evidence(r) = &answer.response else {
            panic!("{version}: {:?}", answer.response)
        };
        let evidence = &r.items[0].evidence;
        let issuer = &evidence.issuing_authority;
        assert_eq!(issuer.identifier.value, "DE-STA-G 4711/1992", "{version}");
        assert_eq!(
            issuer.identifier.scheme_id.as_deref(),
            Some("urn:oasis:names:tc:ebcore:partyid-type:unregistered:DE")
        );
        assert!(
            issuer.names.iter().any(|n| n.text == "Standesamt Berlin I"),
            "{version}: {issuer:?}"
        );
        assert_eq!(
            evidence.validity,
            Some(("1992-10-26".into(), "2099-12-31".into())),
            "{version}"
        );
        assert_eq!(evidence.issuing_date.as_deref(), Some("1992-10-26"));
        assert_eq!(answer.attachments().len(), 1);
        assert!(answer.attachments()[0].bytes.starts_with(b"%PDF"));
    }
    ex.stop_and_check();
}

/// TDD 2.0.1 2.3 over AS4, without a preview: the register's power check
/// (`representation:`) decides. The company's director gets its extract, in 2.0 and
/// 1.2; a director of another company, or one whose power does not cover the scope,
/// gets `EDM:ERR:0004` and no part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_representative_s_power_is_checked_over_as4() {
    let mut ex = Exchange::start(&Deployment::company_register()).await;
    let kovar = ("Kovář", "Jiří", "1968-11-23", "X1");
    for version in [EdmVersion::V2_0, EdmVersion::V1_2] {
        let spec = RequestSpec {
            version,
            ..company_request("Pražské strojírny Kovář s.r.o.", "CZ/BE/27074358", kovar)
        };
        ex.send(&spec, None, |_| {}).await;
        let answer = ex.answer().await;
        assert_eq!(
            answer.action, "ExecuteQueryResponse",
            "{version}: {}",
            answer.regrep
        );
        assert_eq!(answer.attachments().len(), 1, "{version}");
        assert!(answer.regrep.contains("27074358"), "{version}");
    }
    for (company, name, rep) in [
        // Říha is a director of Zelená Čajovna Hájek, not of Kovář's company.
        (
            "CZ/BE/27074358",
            "Pražské strojírny Kovář s.r.o.",
            ("Říha", "Ondřej", "1985-06-07", "X1"),
        ),
        // His power at Hájek covers X1 only.
        (
            "CZ/BE/06123987",
            "Zelená Čajovna Hájek a.s.",
            ("Říha", "Ondřej", "1985-06-07", "X2"),
        ),
    ] {
        ex.send(&company_request(name, company, rep), None, |_| {})
            .await;
        let refused = ex.answer().await;
        assert_eq!(refused.action, "ExceptionResponse", "{company} {rep:?}");
        assert_eq!(refused.payloads.len(), 1);
        let QueryResponse::Error(e) = &refused.response else {
            panic!("{:?}", refused.response)
        };
        assert_eq!(e.exceptions[0].code, ErrorCode::ObjectNotFound, "{e:?}");
        assert!(
            !refused.regrep.contains("Kovář s.r.o.</"),
            "{}",
            refused.regrep
        );
    }
    // And Říha for Hájek within his power: the extract.
    let hajek = company_request(
        "Zelená Čajovna Hájek a.s.",
        "CZ/BE/06123987",
        ("Říha", "Ondřej", "1985-06-07", "X1"),
    );
    ex.send(&hajek, None, |_| {}).await;
    let answer = ex.answer().await;
    assert_eq!(answer.action, "ExecuteQueryResponse", "{}", answer.regrep);
    ex.stop_and_check();
}
