//! What the preview suites share: `oots-adapter serve` as a real process behind a Domibus
//! simulator, a requester sending requests and follow-ups, and the page helpers.
#![allow(dead_code)]

pub mod several;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use oots_devkit::simulator::{DomibusSimulator, SimulatorConfig};
use oots_framework::clock::{Clock, IdSource, RandomIds, SystemClock};
use oots_framework::edm::{self, EdmVersion, ErrorCode, QueryResponse, XmlLimits};
use oots_framework::gateway::{OutboundMessage as Submitted, Payload};
use oots_framework::requester::{self, RequestSpec};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The deployment a test adapter serves: its provider, mapping folder and registry.
pub struct Deployment {
    /// The `provider:` section (YAML lines, indented by two).
    pub provider: String,
    pub mappings: PathBuf,
    /// The connection the mappings read, and the SQL that seeds its SQLite registry.
    pub connection: &'static str,
    pub seed: PathBuf,
}

impl Deployment {
    /// `examples/quickstart`: German birth certificates (Jean Dupont).
    pub fn quickstart() -> Deployment {
        let q = workspace().join("examples/quickstart");
        Deployment {
            provider: "  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: { EN: Civil Registration Office Berlin I }\n  country: DE\n".into(),
            mappings: q.join("mappings"),
            connection: "birth_register",
            seed: q.join("registry/seed.sql"),
        }
    }

    /// `mappings/company-registration-extract`: Czech company extracts, released to a
    /// director the register names (`representation:`).
    pub fn company_register() -> Deployment {
        let m = workspace().join("mappings/company-registration-extract");
        Deployment {
            provider: "  identifier: CZ99999999\n  scheme: urn:cef.eu:names:identifier:EAS:9929\n  name: { EN: Commercial Register }\n  country: CZ\n".into(),
            mappings: m.join("mapping"),
            connection: "commercial_register",
            seed: m.join("registry/seed.sql"),
        }
    }

    /// A diploma register whose subjects may hold several diplomas
    /// (`evidence.several`, [`several`]), written into `dir`.
    pub fn diplomas(dir: &Path) -> Deployment {
        let (mappings, seed) = several::write(dir);
        Deployment {
            provider: "  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: { EN: University Registrar }\n  country: DE\n".into(),
            mappings,
            connection: "diplomas",
            seed,
        }
    }

    /// `mappings/birth-certificate`: Austrian birth certificates, with homonyms.
    pub fn austrian_births() -> Deployment {
        let m = workspace().join("mappings/birth-certificate");
        Deployment {
            provider: "  identifier: ATU99887766\n  scheme: urn:cef.eu:names:identifier:EAS:9914\n  name: { EN: Civil Registry Office Vienna-Innere Stadt }\n  country: AT\n".into(),
            mappings: m.join("mapping"),
            connection: "birth_register",
            seed: m.join("registry/seed.sql"),
        }
    }
}

/// A running adapter with its simulator.
pub struct Adapter {
    child: Child,
    sim: DomibusSimulator,
    pub port: u16,
    log: Option<std::thread::JoinHandle<Vec<String>>>,
    /// The adapter's folder: its `adapter.yaml`, registry and state store (`state/`).
    dir: Option<tempfile::TempDir>,
    sent: u32,
    pub public_url: String,
    /// `sdg:AssociatedDocumentRequest` values every request sent asks for (2.0).
    pub associated: Vec<String>,
    /// A change every request sent gets last (a subset, provider classification values).
    pub edit_request: Option<fn(&mut edm::EvidenceRequest)>,
    /// The ExchangeId each `PreviewLocation` was offered in (read from the answers), which
    /// its follow-up carries again (TDD 4.9 §2 step 12).
    exchanges: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The ExchangeId a follow-up is sent with.
#[derive(Debug, Clone, Copy)]
pub enum FollowUpExchange<'a> {
    /// The first request's, as a requester does.
    Same,
    /// This one.
    Other(&'a str),
    /// No ExchangeId property in the ebMS header.
    Missing,
}

impl Adapter {
    pub async fn start(decide_seconds: u32) -> Adapter {
        Self::start_with(
            decide_seconds,
            "  authentication: none\n",
            "https://localhost:8443/preview",
        )
        .await
    }

    /// With `authentication` as the YAML lines under `preview:` (indented by two) and the
    /// preview space's public URL.
    pub async fn start_with(
        decide_seconds: u32,
        authentication: &str,
        public_url: &str,
    ) -> Adapter {
        Self::start_deployment(
            &Deployment::quickstart(),
            decide_seconds,
            authentication,
            public_url,
        )
        .await
    }

    /// [`Adapter::start_with`] for another deployment.
    pub async fn start_deployment(
        deployment: &Deployment,
        decide_seconds: u32,
        authentication: &str,
        public_url: &str,
    ) -> Adapter {
        // The free port can be taken by a parallel test between our look and serve's
        // bind: start again on another one.
        let mut last = String::new();
        for _ in 0..3 {
            match Self::try_start(deployment, decide_seconds, authentication, public_url).await {
                Ok(adapter) => return adapter,
                Err(log) => last = log,
            }
        }
        panic!("serve could not listen three times:\n{last}");
    }

    async fn try_start(
        deployment: &Deployment,
        decide_seconds: u32,
        authentication: &str,
        public_url: &str,
    ) -> Result<Adapter, String> {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let (sim, sim_url) = DomibusSimulator::start(SimulatorConfig {
            username: "backend".into(),
            password: "plugin-pw".into(),
            push_endpoint: Some(format!("http://127.0.0.1:{port}/domibus/notifications")),
            push_username: "push".into(),
            push_password: "push-pw".into(),
        })
        .await
        .unwrap();
        let config = dir.path().join("adapter.yaml");
        std::fs::write(
            &config,
            format!(
                "provider:\n{provider}\
                 mappings: {mappings}\n\
                 connections:\n  {connection}:\n    type: sql\n    url: sqlite://{db}\n    init: {seed}\n\
                 gateway:\n  type: domibus\n  endpoint: {sim_url}\n  username: backend\n  password: env:TEST_DOMIBUS_PW\n  push_username: push\n  push_password: env:TEST_PUSH_PW\n\
                 http:\n  listen: 127.0.0.1:{port}\n\
                 preview:\n  public_url: {public_url}\n{authentication}  decide_seconds: {decide_seconds}\n  recheck_seconds: 1\n",
                provider = deployment.provider,
                mappings = deployment.mappings.display(),
                connection = deployment.connection,
                db = dir.path().join("registry.db").display(),
                seed = deployment.seed.display(),
            ),
        )
        .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .args(["serve", "--config"])
            .arg(&config)
            .env("TEST_DOMIBUS_PW", "plugin-pw")
            .env("TEST_PUSH_PW", "push-pw")
            .env("OOTS_TEST_CLIENT_SECRET", "test-secret")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = std::thread::spawn(move || {
            BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = http
                .get(format!("http://127.0.0.1:{port}/healthz"))
                .send()
                .await
                && r.status().is_success()
            {
                break;
            }
            // An exited serve (a port taken meanwhile) or one still silent after a
            // generous wait (a loaded machine) says why.
            let exited = child.try_wait().ok().flatten();
            if exited.is_some() || started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                let lines = log.join().unwrap_or_default().join("\n");
                if exited.is_some() && lines.contains("cannot listen on") {
                    return Err(lines);
                }
                panic!("serve did not come up ({exited:?}):\n{lines}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Adapter {
            child,
            sim,
            port,
            log: Some(log),
            dir: Some(dir),
            sent: 0,
            public_url: public_url.to_owned(),
            associated: Vec::new(),
            edit_request: None,
            exchanges: Default::default(),
        })
    }

    /// The SQLite registry the adapter reads (seeded at its first start).
    pub fn registry_db(&self) -> PathBuf {
        self.dir.as_ref().unwrap().path().join("registry.db")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Sends a request for Jean Dupont's birth certificate (PDF), allowing a preview.
    pub fn send(&mut self, preview_location: Option<&str>, return_location: Option<&str>) {
        self.send_as(EdmVersion::V2_0, preview_location, return_location);
    }

    /// [`Adapter::send`] in another EDM version.
    pub fn send_as(
        &mut self,
        version: EdmVersion,
        preview_location: Option<&str>,
        return_location: Option<&str>,
    ) {
        self.send_request(
            &RequestSpec {
                version,
                preview: true,
                ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf")
            },
            preview_location,
            return_location,
        );
    }

    /// Sends the request `spec` describes, as a follow-up when `preview_location` is set.
    pub fn send_request(
        &mut self,
        spec: &RequestSpec,
        preview_location: Option<&str>,
        return_location: Option<&str>,
    ) {
        self.send_request_at(spec, preview_location, return_location, SystemClock.now());
    }

    /// Sends the follow-up `spec` describes for `preview_location`, with the ExchangeId
    /// `exchange` says.
    pub fn send_follow_up_in(
        &mut self,
        spec: &RequestSpec,
        preview_location: &str,
        exchange: FollowUpExchange<'_>,
    ) {
        let back = Some("https://requester.example/back").filter(|_| spec.version.is_v2());
        let now = SystemClock.now();
        self.send_full(spec, Some(preview_location), back, now, exchange);
    }

    /// Sends the request `spec` describes, its ebMS `Timestamp` (and `IssueDateTime`)
    /// saying it was sent at `sent` (a gateway may hold a message for days).
    pub fn send_request_sent_at(&mut self, spec: &RequestSpec, sent: DateTime<Utc>) {
        self.send_request_at(spec, None, None, sent);
    }

    fn send_request_at(
        &mut self,
        spec: &RequestSpec,
        preview_location: Option<&str>,
        return_location: Option<&str>,
        now: DateTime<Utc>,
    ) {
        let same = FollowUpExchange::Same;
        self.send_full(spec, preview_location, return_location, now, same);
    }

    fn send_full(
        &mut self,
        spec: &RequestSpec,
        preview_location: Option<&str>,
        return_location: Option<&str>,
        now: DateTime<Utc>,
        exchange: FollowUpExchange<'_>,
    ) {
        self.sent += 1;
        let ids = RandomIds;
        let mut request = requester::build_request(spec, &ids, now);
        request.preview_location = preview_location.map(str::to_owned);
        request.return_location = return_location.map(str::to_owned);
        request.evidence_type.distributed_as[0].associated_documents = self.associated.clone();
        if let Some(edit) = self.edit_request {
            edit(&mut request);
        }
        let n = self.sent;
        // A follow-up continues the exchange its link was offered in (2.0).
        let first = preview_location.and_then(|l| self.exchanges.lock().unwrap().get(l).cloned());
        let exchange_id = match exchange {
            FollowUpExchange::Same => first.unwrap_or_else(|| ids.uuid().to_string()),
            FollowUpExchange::Other(id) => id.to_owned(),
            FollowUpExchange::Missing => String::new(),
        };
        let mut header = requester::request_header(
            &request,
            format!("m-{n}@requester.example"),
            "conv-1".into(),
            exchange_id,
            &format!("req-{n}@requester.example"),
            now,
        );
        if matches!(exchange, FollowUpExchange::Missing) {
            header.properties.retain(|p| p.name != "ExchangeId");
        }
        self.sim.deliver(
            header,
            vec![Payload {
                content_id: format!("req-{n}@requester.example"),
                mime_type: "application/x-ebrs+xml".into(),
                bytes: edm::write_request(&request).into_bytes(),
            }],
        );
    }

    /// Sends `request` as read from an official sample (its own id, version, subset and
    /// representative), as a follow-up in the offering exchange when `preview_location`
    /// is set.
    pub fn send_edm(&mut self, request: &edm::EvidenceRequest, preview_location: Option<&str>) {
        self.sent += 1;
        let n = self.sent;
        let mut request = request.clone();
        request.preview_location = preview_location.map(str::to_owned);
        let first = preview_location.and_then(|l| self.exchanges.lock().unwrap().get(l).cloned());
        let now = SystemClock.now();
        let header = requester::request_header(
            &request,
            format!("m-{n}@requester.example"),
            "conv-1".into(),
            first.unwrap_or_else(|| RandomIds.uuid().to_string()),
            &format!("req-{n}@requester.example"),
            now,
        );
        self.sim.deliver(
            header,
            vec![Payload {
                content_id: format!("req-{n}@requester.example"),
                mime_type: "application/x-ebrs+xml".into(),
                bytes: edm::write_request(&request).into_bytes(),
            }],
        );
    }

    /// The next answer the adapter submitted; a `PreviewLocation` it offers is noted with
    /// its ExchangeId, for the follow-up.
    pub async fn answer(&self, within: Duration) -> Option<Submitted> {
        let answer = self.sim.next_submitted(within).await?;
        if let Some(exchange_id) = answer.header.exchange_id()
            && let Some(doc) = answer.payloads.first()
            && let Ok(QueryResponse::Error(e)) =
                edm::parse_response(&doc.bytes, &XmlLimits::default())
            && let Some(location) = e
                .exceptions
                .first()
                .and_then(|e| e.preview_location.clone())
        {
            self.exchanges
                .lock()
                .unwrap()
                .insert(location, exchange_id.to_owned());
        }
        Some(answer)
    }

    /// Stops the adapter; what it logged.
    pub fn stop(self) -> String {
        self.stop_keeping_state().0
    }

    /// Stops the adapter and keeps its folder: what it logged, and the folder, whose
    /// `state/adapter.db` holds the exchanges and the audit journal.
    pub fn stop_keeping_state(mut self) -> (String, tempfile::TempDir) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "serve did not stop"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.sim.shutdown();
        let log = self.log.take().unwrap().join().unwrap().join("\n");
        (log, self.dir.take().unwrap())
    }
}

pub fn regrep(answer: &Submitted) -> QueryResponse {
    let doc = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/x-ebrs+xml")
        .expect("RegRep payload");
    edm::parse_response(&doc.bytes, &XmlLimits::default()).expect("a valid response")
}

pub fn exception(answer: &Submitted) -> edm::EdmException {
    match regrep(answer) {
        QueryResponse::Error(e) => e.exceptions.into_iter().next().expect("one exception"),
        other => panic!("expected an error response: {other:?}"),
    }
}

/// Asserts `answer` is what a follow-up gets after the user declined in the preview (TDD
/// 2.0.1 4.9 §1; docs/preview.md): on the response action, a successful
/// `QueryResponse` with an empty `<rim:RegistryObjectList/>`, no attachment, and nothing
/// of the evidence or its subject anywhere in it.
pub fn assert_declined(answer: &Submitted) {
    assert_eq!(
        answer.header.action, "ExecuteQueryResponse",
        "the response leg"
    );
    assert_eq!(
        answer.payloads.len(),
        1,
        "no attachment: {:?}",
        answer.payloads
    );
    let doc = &answer.payloads[0];
    assert_eq!(doc.mime_type, "application/x-ebrs+xml");
    let xml = String::from_utf8_lossy(&doc.bytes);
    assert!(
        xml.contains("status=\"urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success\""),
        "{xml}"
    );
    assert!(xml.contains("<rim:RegistryObjectList/>"), "{xml}");
    for absent in [
        "%PDF",
        "Dupont",
        "1992-10-22",
        "rs:Exception",
        "RepositoryItemRef",
        "EvidenceMetadata",
        "RegistryPackageType",
    ] {
        assert!(
            !xml.contains(absent),
            "{absent} in the declined answer: {xml}"
        );
    }
    match regrep(answer) {
        QueryResponse::Evidence(r) => assert!(r.items.is_empty(), "{r:?}"),
        other => panic!("a declined preview is an empty evidence response: {other:?}"),
    }
}

/// The one `detail` every `EDM:ERR:0004` from identity matching carries (no match, several
/// candidates, too many, a preview sign-in that is not the subject or not the record):
/// a requester cannot tell from it whether the registry holds someone of that name.
pub const NOT_FOUND: &str = "No evidence could be found for the evidence subject";

/// Asserts `answer` is `EDM:ERR:0004` with the neutral detail, and nothing else.
pub fn assert_neutral_not_found(answer: &Submitted) {
    let e = exception(answer);
    assert_eq!(e.code, ErrorCode::ObjectNotFound, "{e:?}");
    assert_eq!(e.detail.as_deref(), Some(NOT_FOUND), "{e:?}");
    assert!(e.preview_location.is_none(), "{e:?}");
}

/// The Austrian birth register's (`Deployment::austrian_births`) second Lukas Wimmer's
/// identifier; the first has another, and both share names and date of birth.
pub const SECOND_LUKAS: &str = "AT/AT/bPK-ZP:Zr6Ma1Cv8Gt5Qy2P";

/// A request for Lukas Wimmer's structured birth certificate in the Austrian deployment,
/// allowing a preview: two records fit it.
pub fn lukas_wimmer() -> RequestSpec {
    RequestSpec {
        version: EdmVersion::V2_0,
        family_name: "Wimmer".into(),
        given_name: "Lukas".into(),
        date_of_birth: "1995-05-21".into(),
        classification: "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/AT/79ba9682-3abe-463c-8523-35e1014f7dbd".into(),
        format: "application/xml".into(),
        conforms_to: None,
        preview: true,
        legal: None,
        level_of_assurance: None,
        optional: Default::default(),
        representative: None,
        provider: (
            "urn:cef.eu:names:identifier:EAS:9914".into(),
            "ATU99887766".into(),
            "Civil Registry Office Vienna-Innere Stadt".into(),
        ),
    }
}

/// The first request's answer: `EDM:ERR:0002` with the link.
pub async fn preview_link(adapter: &mut Adapter) -> (String, String) {
    preview_link_for(adapter, None).await
}

/// [`preview_link`] for the request `spec` describes (the quickstart's Jean Dupont when
/// `None`).
pub async fn preview_link_for(
    adapter: &mut Adapter,
    spec: Option<&RequestSpec>,
) -> (String, String) {
    match spec {
        Some(spec) => adapter.send_request(spec, None, None),
        None => adapter.send(None, None),
    }
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("no answer");
    assert_eq!(first.header.action, "ExceptionResponse");
    let e = exception(&first);
    assert_eq!(e.code, ErrorCode::MissingAuthorization);
    assert!(
        e.preview_description
            .iter()
            .any(|d| d.lang == "EN" && d.text.starts_with("Please sign in")),
        "{:?}",
        e.preview_description
    );
    let location = e.preview_location.expect("PreviewLocation");
    assert!(
        location.starts_with(&format!("{}/", adapter.public_url)),
        "{location}"
    );
    let token = location.rsplit('/').next().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    (location, token)
}

/// The browser cookie a response sets (a `__Host-` cookie), as `name=value`.
pub fn browser_cookie(r: &reqwest::Response) -> String {
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-oots_preview="))
        .expect("the browser cookie")
        .to_owned();
    assert!(
        set.contains("HttpOnly")
            && set.contains("Secure")
            && set.contains("SameSite=Lax")
            && set.contains("Path=/;")
            && !set.contains("Domain"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

pub fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\"").expect("csrf field");
    let value = &page[at..];
    let start = value.find("value=\"").unwrap() + 7;
    value[start..start + 64].to_owned()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts the review page's form (a decision with a form token) as the browser would.
pub async fn decide(
    http: &reqwest::Client,
    page_url: &str,
    cookie: &str,
    csrf: &str,
    decision: &str,
) -> reqwest::Response {
    http.post(format!("{page_url}/decision"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&decision={decision}"))
        .send()
        .await
        .unwrap()
}

/// What a browser received while opening a preview link and signing in.
pub struct SignedInVisit {
    /// The browser cookie after the sign-in (which rotates the one the first visit set).
    pub cookie: String,
    /// The page the browser lands on after the sign-in: status and text.
    pub status: u16,
    pub page: String,
    /// Every body the adapter sent on the way: the first page, the sign-in start, the
    /// callback, the page after.
    pub bodies: Vec<String>,
}

/// Opens the link, signs in at the identity provider (which answers at once: the person
/// it is told to sign in) and comes back, as a browser would, cookies by hand.
pub async fn open_and_sign_in(adapter: &Adapter, token: &str) -> SignedInVisit {
    let http = client();
    let mut bodies = Vec::new();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = browser_cookie(&r);
    let page = r.text().await.unwrap();
    assert!(page.contains("/sign-in"), "the sign-in page: {page}");
    bodies.push(page);

    let start = http
        .get(format!("{page_url}/sign-in"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let signing_in = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-oots_preview_signin="))
        .expect("the sign-in cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let at_provider = start.headers()["location"].to_str().unwrap().to_owned();
    bodies.push(start.text().await.unwrap());
    let back = http.get(&at_provider).send().await.unwrap();
    assert_eq!(back.status(), 303);
    // The provider sends the browser to the public callback; the test reaches it on loopback.
    let callback = back.headers()["location"].to_str().unwrap();
    let callback = callback.replace(&adapter.public_url, &adapter.url("/preview"));
    let landed = http
        .get(&callback)
        .header("cookie", format!("{cookie}; {signing_in}"))
        .send()
        .await
        .unwrap();
    let landed_status = landed.status();
    let cookie = browser_cookie(&landed);
    let landed_body = landed.text().await.unwrap();
    assert_eq!(landed_status, 303, "{landed_body}");
    bodies.push(landed_body);
    let after = http
        .get(&page_url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let status = after.status().as_u16();
    let page = after.text().await.unwrap();
    bodies.push(page.clone());
    SignedInVisit {
        cookie,
        status,
        page,
        bodies,
    }
}
