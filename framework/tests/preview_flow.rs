//! The preview flow end to end, with `oots-adapter serve` as a real process behind a
//! Domibus simulator, and the browser's part played over HTTP (cookies by hand):
//! request → `EDM:ERR:0002` with a PreviewLocation → follow-up held → the page (bound to
//! the first browser) → approve or decline → the held follow-up answered. Re-authentication
//! is switched off explicitly (`authentication: none`) here; the OpenID Connect sign-in
//! has its own suite (`preview_oidc.rs`).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oots_framework::clock::{Clock, IdSource, RandomIds, SystemClock};
use oots_framework::edm::{self, EdmVersion, ErrorCode, QueryResponse, XmlLimits};
use oots_framework::gateway::domibus::simulator::{DomibusSimulator, SimulatorConfig};
use oots_framework::gateway::{OutboundMessage as Submitted, Payload};
use oots_framework::requester::{self, RequestSpec};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running adapter with its simulator.
struct Adapter {
    child: Child,
    sim: DomibusSimulator,
    port: u16,
    log: Option<std::thread::JoinHandle<Vec<String>>>,
    _dir: tempfile::TempDir,
    sent: u32,
}

impl Adapter {
    async fn start(decide_seconds: u32) -> Adapter {
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
        let q = workspace().join("examples/quickstart");
        let config = dir.path().join("adapter.yaml");
        std::fs::write(
            &config,
            format!(
                "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: {{ EN: Civil Registration Office Berlin I }}\n  country: DE\n\
                 mappings: {mappings}\n\
                 connections:\n  birth_register:\n    type: sql\n    url: sqlite://{db}\n    init: {seed}\n\
                 gateway:\n  type: domibus\n  endpoint: {sim_url}\n  username: backend\n  password: env:TEST_DOMIBUS_PW\n  push_username: push\n  push_password: env:TEST_PUSH_PW\n\
                 http:\n  listen: 127.0.0.1:{port}\n\
                 preview:\n  public_url: https://localhost:8443/preview\n  authentication: none\n  decide_seconds: {decide_seconds}\n  recheck_seconds: 1\n",
                mappings = q.join("mappings").display(),
                db = dir.path().join("registry.db").display(),
                seed = q.join("registry/seed.sql").display(),
            ),
        )
        .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .args(["serve", "--config"])
            .arg(&config)
            .env("TEST_DOMIBUS_PW", "plugin-pw")
            .env("TEST_PUSH_PW", "push-pw")
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
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "serve did not come up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Adapter {
            child,
            sim,
            port,
            log: Some(log),
            _dir: dir,
            sent: 0,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Sends a request for Jean Dupont's birth certificate (PDF), allowing a preview.
    fn send(&mut self, preview_location: Option<&str>, return_location: Option<&str>) {
        self.sent += 1;
        let ids = RandomIds;
        let now = SystemClock.now();
        let mut request = requester::build_request(
            &RequestSpec {
                version: EdmVersion::V2_0,
                family_name: "Dupont".into(),
                given_name: "Jean".into(),
                date_of_birth: "1992-10-22".into(),
                classification: requester::BIRTH_CERTIFICATE.into(),
                format: "application/pdf".into(),
                conforms_to: None,
                preview: true,
                legal: None,
                level_of_assurance: None,
                optional: Default::default(),
                provider: (
                    "urn:cef.eu:names:identifier:EAS:9930".into(),
                    "DE73524311".into(),
                    "Civil Registration Office Berlin I".into(),
                ),
            },
            &ids,
            now,
        );
        request.preview_location = preview_location.map(str::to_owned);
        request.return_location = return_location.map(str::to_owned);
        let n = self.sent;
        let header = requester::request_header(
            &request,
            format!("m-{n}@requester.example"),
            "conv-1".into(),
            ids.uuid().to_string(),
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

    async fn answer(&self, within: Duration) -> Option<Submitted> {
        self.sim.next_submitted(within).await
    }

    fn stop(mut self) -> String {
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
        self.log.take().unwrap().join().unwrap().join("\n")
    }
}

fn regrep(answer: &Submitted) -> QueryResponse {
    let doc = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/x-ebrs+xml")
        .expect("RegRep payload");
    edm::parse_response(&doc.bytes, &XmlLimits::default()).expect("a valid response")
}

fn exception(answer: &Submitted) -> edm::EdmException {
    match regrep(answer) {
        QueryResponse::Error(e) => e.exceptions.into_iter().next().expect("one exception"),
        QueryResponse::Evidence(_) => panic!("expected an error response"),
    }
}

/// The first request's answer: `EDM:ERR:0002` with the link.
async fn preview_link(adapter: &mut Adapter) -> (String, String) {
    adapter.send(None, None);
    let first = adapter
        .answer(Duration::from_secs(20))
        .await
        .expect("no answer");
    assert_eq!(first.header.action, "ExceptionResponse");
    let e = exception(&first);
    assert_eq!(e.code, ErrorCode::MissingAuthorization);
    let location = e.preview_location.expect("PreviewLocation");
    assert!(
        location.starts_with("https://localhost:8443/preview/"),
        "{location}"
    );
    let token = location.rsplit('/').next().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    (location, token)
}

fn browser_cookie(r: &reqwest::Response) -> String {
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("oots_preview="))
        .expect("the browser cookie")
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\"").expect("csrf field");
    let value = &page[at..];
    let start = value.find("value=\"").unwrap() + 7;
    value[start..start + 64].to_owned()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_in_the_preview_answers_the_held_follow_up_with_the_evidence() {
    let mut adapter = Adapter::start(2400).await;
    let (location, token) = preview_link(&mut adapter).await;

    // The requester sends the follow-up at once; it is held while the user decides.
    adapter.send(Some(&location), Some("https://requester.example/back"));
    assert!(
        adapter.answer(Duration::from_millis(1500)).await.is_none(),
        "the follow-up must be held until the user decides"
    );

    // The user opens the link: the page binds itself to this browser.
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http
        .get(&page_url)
        .header("accept-language", "de-DE,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert!(h.contains_key("strict-transport-security"));
    assert_eq!(h["cache-control"], "no-store");
    let cookie = browser_cookie(&r);
    let page = r.text().await.unwrap();
    assert!(page.contains("<html lang=\"de\""), "{page}");
    assert!(page.contains("Dupont"), "the subject's evidence is shown");
    let form_token = csrf(&page);

    // Another browser with the same link sees nothing.
    let other = http.get(&page_url).send().await.unwrap();
    assert_eq!(other.status(), 404);
    let stranger = http
        .get(&page_url)
        .header("cookie", format!("oots_preview={}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);

    // The held document itself, to this browser only.
    let doc = http
        .get(format!("{page_url}/document"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
    assert_eq!(doc.headers()["content-type"], "application/pdf");
    let pdf = doc.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    // A forged form token changes nothing; the real one approves and sends the user back.
    let forged = http
        .post(format!("{page_url}/decision"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&decision=approve", "f".repeat(64).as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 404);
    let decided = http
        .post(format!("{page_url}/decision"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&decision=approve", form_token.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), 303);
    assert_eq!(
        decided.headers()["location"],
        "https://requester.example/back"
    );

    // The held follow-up is answered with exactly the document the user saw.
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the follow-up is answered after the approval");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let delivered = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/pdf")
        .expect("the evidence");
    assert_eq!(delivered.bytes, pdf.to_vec());

    // A replay of the decision, or of the follow-up, gets nothing more.
    let replay = http
        .post(format!("{page_url}/decision"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&decision=decline", form_token.as_str()))
        .send()
        .await
        .unwrap();
    assert_ne!(replay.status(), 303);
    adapter.send(Some(&location), Some("https://requester.example/back"));
    let again = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(exception(&again).code, ErrorCode::InvalidRequest);

    let log = adapter.stop();
    for personal in ["Dupont", "1992-10-22", &token, &form_token] {
        assert!(!log.contains(personal), "{personal} in the log:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_or_not_deciding_in_time_answers_with_an_error() {
    let mut adapter = Adapter::start(3).await;
    let http = client();

    // Declined.
    let (location, token) = preview_link(&mut adapter).await;
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    let cookie = browser_cookie(&r);
    let form_token = csrf(&r.text().await.unwrap());
    let decided = http
        .post(format!("{page_url}/decision"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&decision=decline", form_token.as_str()))
        .send()
        .await
        .unwrap();
    // No return address known yet (the follow-up comes later): the page says so.
    assert_eq!(decided.status(), 200);
    adapter.send(Some(&location), Some("https://requester.example/back"));
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(exception(&answer).code, ErrorCode::ObjectNotFound);

    // Opened but not decided within T3 (3 s here): the held follow-up gets EDM:ERR:0005.
    let (location, token) = preview_link(&mut adapter).await;
    let r = http
        .get(adapter.url(&format!("/preview/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    adapter.send(Some(&location), Some("https://requester.example/back"));
    let answer = adapter
        .answer(Duration::from_secs(15))
        .await
        .expect("answered at the deadline");
    let e = exception(&answer);
    assert_eq!(e.code, ErrorCode::Timeout, "{:?}", e.detail);
    let gone = http
        .get(adapter.url(&format!("/preview/{token}")))
        .header("cookie", browser_cookie(&r))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 410);

    // A link the adapter never issued.
    let unknown = http
        .get(adapter.url(&format!("/preview/{}", "ab".repeat(32))))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    adapter.stop();
}
